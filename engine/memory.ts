/**
 * The memory a sample run needs, counted before anything would allocate: the estimate, and the `too-large`
 * diagnostic the checker reports when it is over the limit (docs/language.md, "Memory estimate").
 */
import type { InputInfo, LayerInfo } from './analysis';
import { elementCount, formatShape, type Shape } from './shape';
import type { Diagnostic } from './text';

/**
 * Bytes a sample run of `batch` needs: in float64, every activation and its δ for the whole batch, and each
 * parameter with its gradient. Exact (BigInt), so it can be decided before anything would allocate.
 */
export function estimateRunBytes(
  input: Shape | null,
  layers: readonly Pick<LayerInfo, 'output' | 'params'>[],
  batch: number,
): bigint {
  // Plain numbers while they are exact (almost always); BigInt only when the total may not be.
  let approx = input ? 2 * batch * elementCount(input) : 0;
  for (const l of layers) {
    if (l.output) approx += 2 * batch * elementCount(l.output);
    for (const p of l.params) approx += 2 * elementCount(p.shape);
  }
  if (Number.isSafeInteger(approx * 8)) return BigInt(approx * 8);
  const size = (shape: Shape) => shape.reduce((n, d) => n * BigInt(d), 1n);
  let elements = 0n;
  if (input) elements += 2n * BigInt(batch) * size(input);
  for (const l of layers) {
    if (l.output) elements += 2n * BigInt(batch) * size(l.output);
    for (const p of l.params) elements += 2n * size(p.shape);
  }
  return elements * 8n;
}

/**
 * `estimateRunBytes` for checked layers, which count their parameters: the plain-number sum is the same, without
 * asking each layer for its parameters. Only a total that may not be exact takes the BigInt path, which needs them.
 */
function runBytes(
  input: Shape | null,
  layers: readonly Pick<LayerInfo, 'output' | 'params' | 'paramCount'>[],
  batch: number,
): bigint {
  let approx = input ? 2 * batch * elementCount(input) : 0;
  for (const l of layers) {
    if (l.output) approx += 2 * batch * elementCount(l.output);
    approx += 2 * l.paramCount;
  }
  return Number.isSafeInteger(approx * 8) ? BigInt(approx * 8) : estimateRunBytes(input, layers, batch);
}

/** `too-large`, reported at the largest tensor so the user sees what to shrink. */
export function reportTooLarge(
  input: InputInfo,
  layers: readonly LayerInfo[],
  batch: number,
  limit: number,
  report: (d: Diagnostic) => void,
): void {
  const bytes = runBytes(input.shape, layers, batch);
  const cap = BigInt(Math.floor(limit));
  if (bytes <= cap) return;
  const tensors = [
    { shape: input.shape, range: input.statement.range, what: 'the input' },
    ...layers.map((l) => ({ shape: l.output, range: l.statement.range, what: `${l.name}'s output` })),
  ];
  let largest = tensors[0];
  for (const t of tensors)
    if (t.shape && (!largest.shape || elementCount(t.shape) > elementCount(largest.shape))) largest = t;
  report({
    severity: 'error',
    code: 'too-large',
    message: `a sample run of batch ${batch} would need ${formatBytes(bytes)} (float64 activations, δs, parameters and gradients), over the ${formatBytes(cap)} limit; the largest tensor is ${largest.what}${largest.shape ? ` ${formatShape(largest.shape)}` : ''}`,
    range: largest.range,
  });
}

export function formatBytes(bytes: bigint): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let unit = 0;
  let scaled = bytes;
  while (scaled >= 1024n * 1024n && unit < units.length - 2) {
    scaled /= 1024n;
    unit++;
  }
  if (scaled < 1024n) return `${scaled} ${units[unit]}`;
  const value = Number(scaled) / 1024;
  return unit + 1 < units.length ? `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit + 1]}` : `${bytes} bytes`;
}
