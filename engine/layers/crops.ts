/**
 * Receptive-field crops shared by the kinds' local-check hooks (LayerKind.cropInput, cropParam, reaches; the
 * check is engine/run/local.ts): one element, one channel over the batch, and the windows that read one pixel.
 */
import { type Axis, dilatedKernel, type Window2D } from '../geometry';
import { elementCount } from '../shape';
import type { Crop, Step } from './kind';

/**
 * Elementwise kinds and `add`: element i of each input moves output element i alone, so the crop is that
 * element of every input (one input for an elementwise kind).
 */
export function elementCrop<G>(step: Step<G>, x: readonly Float64Array[], slot: number, i: number): Crop<G> {
  return {
    step: { ...step, batch: 1, inputShapes: x.map(() => [1]), output: [1] },
    x: x.map((a) => Float64Array.of(a[i])),
    where: slot,
    at: 0,
    out: Int32Array.of(i),
  };
}

/**
 * Per-channel statistics (batchnorm): an element, γ[c] or β[c] moves channel c alone, in every sample. The
 * crop is that channel; `where` is the input slot (0) or the parameter's name, `i` its coordinate.
 */
export function channelCrop<G>(step: Step<G>, x: readonly Float64Array[], where: number | string, i: number): Crop<G> {
  const shape = step.inputShapes[0];
  const C = shape[0];
  const planes = elementCount(shape.slice(1));
  const c = typeof where === 'number' ? Math.floor(i / planes) % C : i;
  const crop = new Float64Array(step.batch * planes);
  const out = new Int32Array(step.batch * planes);
  for (let n = 0; n < step.batch; n++) {
    crop.set(x[0].subarray((n * C + c) * planes, (n * C + c + 1) * planes), n * planes);
    for (let p = 0; p < planes; p++) out[n * planes + p] = (n * C + c) * planes + p;
  }
  const { gamma, beta } = step.params;
  const one = [1, ...shape.slice(1)];
  return {
    step: {
      ...step,
      inputShapes: [one],
      output: one,
      params: { gamma: gamma.subarray(c, c + 1), beta: beta.subarray(c, c + 1) },
    },
    x: [crop],
    where,
    at: typeof where === 'number' ? Math.floor(i / (C * planes)) * planes + (i % planes) : 0,
    out,
  };
}

/** A pixel no window reads: no step, its difference is exactly 0. */
export const UNREAD: Crop<never> = { x: [], where: 0, at: 0, out: new Int32Array(0) };

/** Along one axis: the windows reading an input index, and the smaller axis they read (see `span`). */
export type Span = NonNullable<ReturnType<typeof span>>;

/**
 * Pixel i of a window layer's C×H×W input (conv, pool): its sample, channel, row and column, and the windows
 * that read its row and its column (undefined where none does).
 */
export function pixelWindows(step: Step<Window2D>, i: number) {
  const [C, H, W] = step.inputShapes[0];
  const h = Math.floor(i / W) % H;
  const w = i % W;
  return {
    n: Math.floor(i / (C * H * W)),
    c: Math.floor(i / (H * W)) % C,
    h,
    w,
    rows: span(step.geometry.h, h),
    cols: span(step.geometry.w, w),
  };
}

/** Whether any window of a window layer reads pixel i (a stride may skip it). */
export function windowsReach(step: Step<Window2D>, i: number): boolean {
  const { rows, cols } = pixelWindows(step, i);
  return rows !== undefined && cols !== undefined;
}

/**
 * The flat indices in the whole output (sample n, F channels of OH×OW) of channels [first, first + count) at
 * the windows rows × cols, in the crop's order.
 */
export function windowOutputs(
  n: number,
  F: number,
  first: number,
  count: number,
  rows: Span,
  cols: Span,
  OH: number,
  OW: number,
): Int32Array {
  const out = new Int32Array(count * rows.axis.out * cols.axis.out);
  for (let f = 0, k = 0; f < count; f++) {
    for (let r = 0; r < rows.axis.out; r++)
      for (let s = 0; s < cols.axis.out; s++)
        out[k++] = ((n * F + first + f) * OH + rows.first + r) * OW + cols.first + s;
  }
  return out;
}

/**
 * Along one axis: the windows that read input index `at` (first to first + out − 1), and the input span
 * [lo, lo + size) they read, as a smaller axis whose padding keeps every window where it was (so a mean
 * pool's divisor, which counts padding, is the same).
 */
export function span(axis: Axis, at: number): { first: number; lo: number; axis: Axis } | undefined {
  const extent = dilatedKernel(axis);
  const first = Math.max(0, Math.ceil((at + axis.padBefore - extent + 1) / axis.stride));
  const last = Math.min(axis.out - 1, Math.floor((at + axis.padBefore) / axis.stride));
  if (first > last) return undefined;
  const start = first * axis.stride - axis.padBefore;
  const lo = Math.max(0, start);
  const hi = Math.min(axis.size - 1, last * axis.stride - axis.padBefore + extent - 1);
  return {
    first,
    lo,
    axis: {
      ...axis,
      size: hi - lo + 1,
      padBefore: lo - start,
      padAfter: axis.padAfter + axis.size - 1 - hi,
      out: last - first + 1,
    },
  };
}
