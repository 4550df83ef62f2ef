/**
 * The two data movements that turn a conv into a GEMM, and the per-axis tables they read.
 *
 * Column layout: row r = (c, ky, kx) of the group's input channels in weight order, column j = (b, oy, ox) over
 * the samples of a chunk, so W_g[oc_g × r]·col is the group's output for the whole chunk at once; batching
 * keeps GEMM's n large when a layer's output is tiny (a 2×2 map is 4 columns per sample).
 * Window positions come from geometry.ts (`windowStart`), never re-derived here, so shape inference and the
 * kernels cannot disagree; the templates take them as tables and stay free of imports (see specialize.ts).
 */
import { type Axis, windowStart } from '../geometry.js';
import { perType } from './specialize.js';

/**
 * Per-axis window tables: `start[o]` is window o's first tap (negative in the leading padding); for tap t,
 * windows `lo[t] ≤ o < hi[t]` read a real input element, the others read padding.
 */
export interface AxisTable {
  readonly start: Int32Array;
  readonly lo: Int32Array;
  readonly hi: Int32Array;
}

export function axisTable(axis: Axis): AxisTable {
  const start = new Int32Array(axis.out);
  for (let o = 0; o < axis.out; o++) start[o] = windowStart(axis, o);
  const lo = new Int32Array(axis.kernel),
    hi = new Int32Array(axis.kernel);
  for (let t = 0; t < axis.kernel; t++) {
    let a = 0;
    while (a < axis.out && start[a] + t * axis.dilation < 0) a++;
    let z = a;
    while (z < axis.out && start[z] + t * axis.dilation < axis.size) z++;
    lo[t] = a;
    hi[t] = z;
  }
  return { start, lo, hi };
}

/* eslint-disable @typescript-eslint/no-explicit-any */
function im2colTemplate(
  x: any,
  xOff: number,
  xBatch: number,
  channels: number,
  H: number,
  W: number,
  KH: number,
  KW: number,
  OH: number,
  OW: number,
  nb: number,
  dh: number,
  dw: number,
  sw: number,
  hStart: Int32Array,
  hLo: Int32Array,
  hHi: Int32Array,
  wStart: Int32Array,
  wLo: Int32Array,
  wHi: Int32Array,
  col: any,
): void {
  const P = OH * OW,
    ldc = nb * P,
    HW = H * W;
  let q = 0;
  for (let c = 0; c < channels; c++) {
    for (let ky = 0; ky < KH; ky++) {
      const yLo = hLo[ky],
        yHi = hHi[ky];
      for (let kx = 0; kx < KW; kx++) {
        const xLo = wLo[kx],
          xHi = wHi[kx];
        const ix0 = xHi > xLo ? wStart[xLo] + kx * dw : 0;
        for (let b = 0; b < nb; b++) {
          const plane = xOff + b * xBatch + c * HW;
          for (let oy = 0; oy < OH; oy++) {
            if (oy < yLo || oy >= yHi) {
              for (let ox = 0; ox < OW; ox++) col[q++] = 0;
              continue;
            }
            const row = plane + (hStart[oy] + ky * dh) * W;
            let ox = 0;
            for (; ox < xLo; ox++) col[q++] = 0;
            if (sw === 1) {
              for (let ix = row + ix0 - ox; ox < xHi; ox++) col[q++] = x[ix + ox];
            } else {
              for (let ix = row + ix0; ox < xHi; ox++, ix += sw) col[q++] = x[ix];
            }
            for (; ox < OW; ox++) col[q++] = 0;
          }
        }
      }
    }
  }
  if (q !== channels * KH * KW * ldc) throw new Error('im2col: column count mismatch');
}

/** The adjoint of im2col: every column entry is added back onto the input element it was copied from. */
function col2imTemplate(
  col: any,
  dx: any,
  xOff: number,
  xBatch: number,
  channels: number,
  H: number,
  W: number,
  KH: number,
  KW: number,
  OH: number,
  OW: number,
  nb: number,
  dh: number,
  dw: number,
  sw: number,
  hStart: Int32Array,
  hLo: Int32Array,
  hHi: Int32Array,
  wStart: Int32Array,
  wLo: Int32Array,
  wHi: Int32Array,
): void {
  const HW = H * W;
  let q = 0;
  for (let c = 0; c < channels; c++) {
    for (let ky = 0; ky < KH; ky++) {
      const yLo = hLo[ky],
        yHi = hHi[ky];
      for (let kx = 0; kx < KW; kx++) {
        const xLo = wLo[kx],
          xHi = wHi[kx];
        const ix0 = xHi > xLo ? wStart[xLo] + kx * dw : 0;
        for (let b = 0; b < nb; b++) {
          const plane = xOff + b * xBatch + c * HW;
          for (let oy = 0; oy < OH; oy++, q += OW) {
            if (oy < yLo || oy >= yHi) continue;
            const row = plane + (hStart[oy] + ky * dh) * W + ix0;
            for (let ox = xLo, ix = row; ox < xHi; ox++, ix += sw) dx[ix] += col[q + ox];
          }
        }
      }
    }
  }
}

/**
 * Copies `rows × nb` runs of `len` contiguous elements between two strided layouts: N×C×P ↔ C×(N·P), the
 * reshuffle between the batch-major tensors and the channel-major GEMM operands.
 */
function moveRunsTemplate(
  src: any,
  srcOff: number,
  srcRow: number,
  srcBatch: number,
  dst: any,
  dstOff: number,
  dstRow: number,
  dstBatch: number,
  rows: number,
  nb: number,
  len: number,
): void {
  for (let r = 0; r < rows; r++) {
    for (let b = 0; b < nb; b++) {
      const s = srcOff + r * srcRow + b * srcBatch,
        d = dstOff + r * dstRow + b * dstBatch;
      for (let i = 0; i < len; i++) dst[d + i] = src[s + i];
    }
  }
}
/* eslint-enable @typescript-eslint/no-explicit-any */

// Smoke input: one 2-channel 3×4 image, 2×2 kernel, stride 1, padding 1 on the left only.
function smokeTables(): [AxisTable, AxisTable] {
  const h: Axis = { size: 3, kernel: 2, stride: 1, dilation: 1, padBefore: 0, padAfter: 0, out: 2 };
  const w: Axis = { size: 4, kernel: 2, stride: 1, dilation: 1, padBefore: 1, padAfter: 0, out: 4 };
  return [axisTable(h), axisTable(w)];
}

export const im2colKernel = perType(im2colTemplate, (f, T) => {
  const [h, w] = smokeTables();
  const x = new T(24).map((_, i) => i + 1),
    a = new T(64),
    b = new T(64);
  f(x, 0, 24, 2, 3, 4, 2, 2, 2, 4, 1, 1, 1, 1, h.start, h.lo, h.hi, w.start, w.lo, w.hi, a);
  im2colTemplate(x, 0, 24, 2, 3, 4, 2, 2, 2, 4, 1, 1, 1, 1, h.start, h.lo, h.hi, w.start, w.lo, w.hi, b);
  return a.every((v, i) => v === b[i]) && a[0] === 0 && a[1] === 1;
});

export const col2imKernel = perType(col2imTemplate, (f, T) => {
  const [h, w] = smokeTables();
  const col = new T(64).map((_, i) => i),
    a = new T(24),
    b = new T(24);
  f(col, a, 0, 24, 2, 3, 4, 2, 2, 2, 4, 1, 1, 1, 1, h.start, h.lo, h.hi, w.start, w.lo, w.hi);
  col2imTemplate(col, b, 0, 24, 2, 3, 4, 2, 2, 2, 4, 1, 1, 1, 1, h.start, h.lo, h.hi, w.start, w.lo, w.hi);
  return a.every((v, i) => v === b[i]) && a[0] === 9;
});

export const moveRunsKernel = perType(moveRunsTemplate, (f, T) => {
  const src = new T(12).map((_, i) => i),
    dst = new T(12);
  f(src, 0, 3, 6, dst, 0, 6, 3, 2, 2, 3);
  return dst[3] === 6 && dst[6] === 3 && dst[11] === 11;
});
