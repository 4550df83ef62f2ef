/**
 * What every export target shares: the refusal it throws, and the checks that come before writing anything.
 * Exports read the Analysis through its public types only (LayerInfo's shapes, geometry and parameters), so a
 * target's code is one table of kinds and does not depend on how the checker is arranged inside.
 */
import type { Analysis, LayerInfo } from '../check';

/** A network, or one layer of it, that a target cannot express exactly. The message names the layer. */
export class ExportError extends Error {
  constructor(
    message: string,
    /** The layer that cannot be written, when one is to blame. */
    readonly layer?: string,
  ) {
    super(message);
    this.name = 'ExportError';
  }
}

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
  /** The last layer when it is a softmax fused with cross-entropy: targets leave it out or say how they differ. */
  readonly fusedSoftmax?: LayerInfo;
}

export function exportable(analysis: Analysis): Exportable {
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    const first = errors[0];
    throw new ExportError(`the network has ${errors.length} error${errors.length === 1 ? '' : 's'} (line ${analysis.lines.position(first.range.start).line}: ${first.message}); fix them before exporting`);
  }
  const input = analysis.input;
  if (!input?.shape) throw new ExportError('the network has no input');
  const last = analysis.layers[analysis.layers.length - 1];
  if (!last) throw new ExportError('the network has no layers');
  return {
    analysis,
    input: { name: input.name, shape: input.shape },
    layers: analysis.layers,
    ...(last.kind === 'softmax' && analysis.loss === 'cross_entropy' && { fusedSoftmax: last }),
  };
}

/** A layer's output shape: known in a network that checks clean. */
export function output(layer: LayerInfo): readonly number[] {
  return layer.output!;
}

/** A layer's first input shape, likewise. */
export function inputShape(layer: LayerInfo, i = 0): readonly number[] {
  return layer.inputShapes[i]!;
}

/** Reads one field of a kind's configuration (leaky_relu's slope, dropout's rate, batchnorm's eps). */
export function configValue<T>(layer: LayerInfo, key: string, fallback: T): T {
  const value = (layer.config as Record<string, unknown> | undefined)?.[key];
  return value === undefined ? fallback : (value as T);
}
