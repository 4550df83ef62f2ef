/**
 * The result of a check stopped before the end (cancelled): the layers it finished, those whose δ and every
 * parameter gradient (and, in the local modes, every rule check) were checked, assembled like a whole result,
 * with the others named in `unreached`. End to end, a layer's blame is judged only from the input δs that were
 * checked, so a finished layer is never blamed for a tensor nobody looked at. In the local modes a δ is judged
 * once every layer reading it is done (its chain parts summed over all of them), so each finished layer's
 * verdicts and blame are exactly those of the whole run.
 */
import type { ChainPart } from './local';
import {
  assemble,
  type GradcheckResult,
  type LayerMeta,
  ruleNames,
  type RunSettings,
  type TensorVerdict,
} from './gradcheck';

export function assembleFinished(
  layers: readonly LayerMeta[],
  checks: readonly TensorVerdict[],
  settings: RunSettings & { readonly loss: number; readonly evaluations: number },
  /** The local modes' chain parts received so far (GradcheckOptions.onChain); absent end to end. */
  chains?: readonly ChainPart[],
): GradcheckResult {
  const key = (layer: string, tensor: string) => `${layer}\u0000${tensor}`;
  const have = new Set(checks.map((c) => key(c.layer, c.tensor)));
  const { loss, evaluations, ...rest } = settings;
  const done = (l: LayerMeta, tensors: readonly string[]) => tensors.every((t) => have.has(key(l.name, t)));
  if (!chains) {
    const finished = layers
      .filter((l) => done(l, ['δ', ...l.params]))
      .map((l) => ({ ...l, inputs: l.inputs.filter((i) => have.has(key(i, 'δ'))) }));
    return withUnreached(assemble(finished, [{ loss, evaluations, checks }], rest), layers);
  }
  const parts = new Set(chains.map((c) => key(c.layer, c.reader ?? '')));
  const readers = (name: string) => layers.filter((l) => l.inputs.includes(name)).map((l) => l.name);
  /** The output's δ is checked against the loss; any other once every layer reading it is done (or, read by none, named). */
  const deltaDone = (l: LayerMeta) => {
    if (have.has(key(l.name, 'δ'))) return true;
    const r = readers(l.name);
    return r.length ? r.every((reader) => parts.has(key(l.name, reader))) : parts.has(key(l.name, ''));
  };
  const finished = layers.filter(
    (l) => deltaDone(l) && done(l, [...l.params, ...ruleNames(l).map((r) => `rule ${r}`)]),
  );
  const names = new Set(finished.map((l) => l.name));
  const judged = chains.filter((c) => names.has(c.layer));
  return withUnreached(assemble(finished, [{ loss, evaluations, checks, chains: judged }], rest, layers), layers);
}

function withUnreached(result: GradcheckResult, layers: readonly LayerMeta[]): GradcheckResult {
  const kept = new Set(result.layers.map((l) => l.name));
  return { ...result, unreached: layers.filter((l) => !kept.has(l.name)).map((l) => l.name) };
}
