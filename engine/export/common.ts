/**
 * What every export target shares: the refusal it throws, and the checks that come before writing anything.
 * Exports read the Analysis through its public types only (LayerInfo's shapes, geometry and parameters), and each
 * layer through its kind's hooks (engine/layers/), so a target does not depend on how the checker is arranged.
 */
import type { Analysis, LayerInfo } from '../check';
import { LAYER_KINDS } from '../layers';
import type { Diagnostic } from '../text';
import { ExportError } from './target';

export { ExportError } from './target';

/**
 * Whether `e` is a refusal. By name rather than instanceof: the CLI and the extension load the tfjs export from a
 * bundle of its own, which has its own copy of this class.
 */
export function isExportError(e: unknown): e is ExportError {
  return e instanceof Error && e.name === 'ExportError';
}

/** A network that checks clean, with every shape known: what every export needs. */
export interface Exportable {
  readonly analysis: Analysis;
  readonly input: { readonly name: string; readonly shape: readonly number[] };
  /** The layers with every shape known (a clean check guarantees it). */
  readonly layers: readonly LayerInfo[];
  /** The last layer when it is fused with the loss (softmax with cross-entropy): targets leave it out or say how they differ. */
  readonly fusedSoftmax?: LayerInfo;
}

export function exportable(analysis: Analysis): Exportable {
  // A sample run's size (`too-large`, or a `sample size=` the run cannot take) is no fault of the network's: a
  // VGG-16 too large to run here in float64 still exports.
  const samples = analysis.document.statements.filter((st) => st.type === 'sample');
  const aboutRuns = (d: Diagnostic) =>
    d.code === 'too-large' || samples.some((st) => st.range.start <= d.range.start && d.range.end <= st.range.end);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error' && !aboutRuns(d));
  if (errors.length) {
    const first = errors[0];
    throw new ExportError(
      `the network has ${errors.length} error${errors.length === 1 ? '' : 's'} (line ${analysis.lines.position(first.range.start).line}: ${first.message}); fix them before exporting`,
    );
  }
  const input = analysis.input;
  if (!input?.shape) throw new ExportError('the network has no input');
  const last = analysis.layers[analysis.layers.length - 1];
  if (!last) throw new ExportError('the network has no layers');
  return {
    analysis,
    input: { name: input.name, shape: input.shape },
    layers: analysis.layers,
    ...(LAYER_KINDS.get(last.kind)?.fusedWithLoss?.loss === analysis.loss && { fusedSoftmax: last }),
  };
}

/** A layer's output shape: known in a network that checks clean. */
export function output(layer: LayerInfo): readonly number[] {
  return layer.output!;
}
