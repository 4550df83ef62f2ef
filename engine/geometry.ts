/**
 * Sliding-window geometry, computed once per conv or pool layer and read by everything that needs sizes: shape
 * inference, diagnostics, δ rule texts and the kernels. The formulas are PyTorch's (torch.nn.Conv2d,
 * MaxPool2d, AvgPool2d), so a network here and in PyTorch has the same shapes.
 */

/** One spatial axis (height or width) of a sliding window. */
export interface Axis {
  /** Input length along this axis. */
  readonly size: number;
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
  /** Zero (conv) or −∞ (max pool) padding before the first element: top or left. */
  readonly padBefore: number;
  /** Padding after the last element: bottom or right. */
  readonly padAfter: number;
  /** Number of windows, the output length along this axis; < 1 means the output is empty. */
  readonly out: number;
}

export interface Window2D {
  readonly h: Axis;
  readonly w: Axis;
}

export interface ConvGeometry extends Window2D {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly groups: number;
  readonly bias: boolean;
}

export interface PoolGeometry extends Window2D {
  readonly channels: number;
  readonly mode: 'max' | 'mean';
  readonly ceil: boolean;
}

/** Extent of a dilated kernel: D·(K−1)+1. */
export function dilatedKernel(axis: Pick<Axis, 'kernel' | 'dilation'>): number {
  return axis.dilation * (axis.kernel - 1) + 1;
}

/** Conv axis: out = ⌊(size + padBefore + padAfter − D·(K−1) − 1) / S⌋ + 1. */
export function convAxis(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  padBefore: number,
  padAfter: number,
): Axis {
  const span = size + padBefore + padAfter - dilation * (kernel - 1) - 1;
  const out = span < 0 ? 0 : Math.floor(span / stride) + 1;
  return { size, kernel, stride, dilation, padBefore, padAfter, out };
}

/**
 * Pool axis: out = ⌊ or ⌈(size + 2P − K) / S⌉ + 1; in ceil mode a last window that would start in the right
 * padding (at or past size + P) is dropped, as PyTorch does. A kept one may run past the padded input.
 */
export function poolAxis(size: number, kernel: number, stride: number, pad: number, ceil: boolean): Axis {
  // In ceil mode a kernel may exceed the padded input by less than a stride and still give one window.
  const span = size + 2 * pad - kernel + (ceil ? stride - 1 : 0);
  let out = Math.max(0, Math.floor(span / stride) + 1);
  if (ceil && out > 0 && (out - 1) * stride >= size + pad) out--;
  return { size, kernel, stride, dilation: 1, padBefore: pad, padAfter: pad, out };
}

/** Input index of window `o`'s first tap; negative inside the leading padding. */
export function windowStart(axis: Axis, o: number): number {
  return o * axis.stride - axis.padBefore;
}

/**
 * Mean pooling's divisor along one axis for window `o` (PyTorch's count_include_pad=True): the window's
 * length clipped to the padded input, so padding counts but a ceil-mode overhang past it does not.
 * The divisor of a 2-D window is the product of its two axes' divisors.
 */
export function meanDivisor(axis: Axis, o: number): number {
  const start = windowStart(axis, o);
  return Math.min(start + axis.kernel, axis.size + axis.padAfter) - start;
}

/**
 * Whether some window reads every input index, seen without listing the gaps: true only when the first window
 * starts at or before the input, undilated windows follow each other without gaps, and the last one reaches its
 * end. False means only "maybe not": `uncovered` tells.
 */
export function coversAll(axis: Axis): boolean {
  return (
    axis.dilation === 1 &&
    axis.out >= 1 &&
    axis.stride <= axis.kernel &&
    windowStart(axis, 0) <= 0 &&
    windowStart(axis, axis.out - 1) + axis.kernel >= axis.size
  );
}

/** Inclusive runs `[from, to]` of input indices that no window reads, and how many indices that is. */
export interface Uncovered {
  readonly runs: readonly (readonly [number, number])[];
  readonly count: number;
}

/**
 * The input indices along an axis that no window reads (they get no gradient). Exact and O(windows) for
 * undilated kernels; dilated kernels are enumerated and give `undefined` when that would take more than
 * `budget` steps, so a huge size never hangs the editor.
 */
export function uncovered(axis: Axis, budget = 1 << 20): Uncovered | undefined {
  const { size, kernel, stride, dilation, out } = axis;
  if (out < 1) return undefined;
  const list = new RunList(size);
  if (dilation === 1) {
    list.add(0, windowStart(axis, 0) - 1);
    if (stride > kernel) {
      // Gaps between windows o and o + 1, for the o whose gap meets the input. All but the first and the last
      // lie wholly inside it, so past the runs listed they are counted, not walked: sizes may be near 2^53.
      const first = Math.max(0, Math.ceil((axis.padBefore + 1) / stride) - 1);
      const last = Math.min(out - 2, Math.floor((size - 1 + axis.padBefore - kernel) / stride));
      const listed = Math.min(last, first + 63);
      for (let o = first; o <= listed; o++) list.add(gapStart(axis, o), windowStart(axis, o + 1) - 1);
      if (last > listed) {
        list.count += (last - listed - 1) * (stride - kernel);
        list.count += Math.min(windowStart(axis, last + 1) - 1, size - 1) - gapStart(axis, last) + 1;
      }
    }
    list.add(windowStart(axis, out - 1) + kernel, size - 1);
    return { runs: list.runs, count: list.count };
  }
  if (size > budget || out * kernel > budget) return undefined;
  const seen = new Uint8Array(size);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < kernel; i++) {
      const p = windowStart(axis, o) + i * dilation;
      if (p >= 0 && p < size) seen[p] = 1;
    }
  }
  for (let p = 0; p < size; p++) if (!seen[p]) list.add(p, p);
  return { runs: list.runs, count: list.count };
}

/** The first input index after window `o` of an undilated kernel: where the gap before window `o + 1` starts. */
function gapStart(axis: Axis, o: number): number {
  return windowStart(axis, o) + axis.kernel;
}

/** Inclusive runs of indices, added in increasing order: touching runs merge, the first 64 are kept, all are counted. */
class RunList {
  readonly runs: [number, number][] = [];
  count = 0;

  constructor(private readonly size: number) {}

  /** Adds `from..to`, clipped to the input. */
  add(from: number, to: number): void {
    const a = Math.max(from, 0);
    const b = Math.min(to, this.size - 1);
    if (a > b) return;
    this.count += b - a + 1;
    const last = this.runs[this.runs.length - 1];
    if (last && last[1] + 1 >= a) last[1] = Math.max(last[1], b);
    else if (this.runs.length < 64) this.runs.push([a, b]);
  }
}
