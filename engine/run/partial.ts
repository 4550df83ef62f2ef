/**
 * The result of a check stopped before the end (cancelled): the layers it finished, those whose δ and every
 * parameter gradient were checked, assembled like a whole result. A layer's blame is judged only from the
 * input δs that were checked, so a finished layer is never blamed for a tensor nobody looked at.
 */
import { assemble, type GradcheckResult, type LayerMeta, type RunSettings, type TensorVerdict } from './gradcheck';

export function assembleFinished(
  layers: readonly LayerMeta[],
  checks: readonly TensorVerdict[],
  settings: RunSettings & { readonly loss: number; readonly evaluations: number },
): GradcheckResult {
  const key = (layer: string, tensor: string) => `${layer}\u0000${tensor}`;
  const have = new Set(checks.map((c) => key(c.layer, c.tensor)));
  const finished = layers
    .filter((l) => have.has(key(l.name, 'δ')) && l.params.every((p) => have.has(key(l.name, p))))
    .map((l) => ({ ...l, inputs: l.inputs.filter((i) => have.has(key(i, 'δ'))) }));
  const { loss, evaluations, ...rest } = settings;
  return assemble(finished, [{ loss, evaluations, checks }], rest);
}
