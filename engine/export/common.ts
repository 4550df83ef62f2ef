/**
 * What every export target shares: the refusal it throws, and the checks that come before writing anything.
 * Exports read the Analysis through its public types only (LayerInfo's shapes, geometry and parameters), and each
 * layer through its kind's hooks (engine/layers/), so a target does not depend on how the checker is arranged.
 */
import type { Analysis, LayerInfo } from '../check';
import { LAYER_KINDS } from '../layers';
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
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    const first = errors[0];
    throw new ExportError(
      `the network has ${errors.length} error${errors.length === 1 ? '' : 's'} (line ${analysis.lines.position(first.range.start).line}: ${first.message}); fix them before exporting`,
    );
  }
  // Blocks would be nested modules (repeats an nn.ModuleDict keyed "1", "2", …); until that is written, a network
  // with blocks is refused rather than written flat under names PyTorch and tfjs could not load.
  const use = analysis.layers.find((l) => l.use)?.use;
  if (use) {
    const line = analysis.lines.position(use.top.range.start).line;
    throw new ExportError(
      `${use.topName} (line ${line}) is a use of block ${use.block}: export does not write blocks yet (they would be nested modules); networks with blocks cannot be exported`,
      use.topName,
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
