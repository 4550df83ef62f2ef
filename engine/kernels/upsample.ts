/**
 * Upsampling by integer factors (sh, sw), as PyTorch's nn.Upsample(scale_factor=(sh, sw)) on N×C×H×W, output
 * [N, C, H·sh, W·sw]; forward and backward (the backward of both modes is the adjoint: δx sums δy over the
 * output elements each input element feeds, with their weights).
 *
 * nearest (upsample_nearest2d): y[oy, ox] = x[⌊oy/sh⌋, ⌊ox/sw⌋]; δx sums each sh×sw block of δy.
 *
 * bilinear, align_corners=False (upsample_bilinear2d): per axis, output index o reads the source coordinate
 *   r = max(0, (o + 0.5)/s − 0.5)     (PyTorch computes it as (1/s)·(o + 0.5) − 0.5, and so does this file)
 * between i0 = ⌊r⌋ and i1 = min(i0 + 1, size − 1), with weights 1 − λ and λ = r − i0. The 2-D weights are the
 * products of the two axes', so it runs as two separable passes per plane, along the width into a scratch H×Wo
 * plane, then along the height; PyTorch's own sum, λh0·(λw0·x00 + λw1·x01) + λh1·(λw0·x10 + λw1·x11), groups the
 * products the same way. The backward runs the two passes' adjoints in reverse order.
 */
import { type Floats, alloc, perType, scratch } from './specialize.js';

export type UpsampleMode = 'nearest' | 'bilinear';

export interface UpsampleGeometry {
  readonly mode: UpsampleMode;
  readonly channels: number;
  readonly H: number;
  readonly W: number;
  /** Integer factors, ≥ 1. */
  readonly sh: number;
  readonly sw: number;
}

/** One axis's linear-interpolation table: output o reads i0[o] with weight l0[o] and i1[o] with l1[o]. */
export interface LerpTable {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly l0: Float64Array;
  readonly l1: Float64Array;
}

/** PyTorch's align_corners=False source indices and weights for `size` inputs upsampled by factor `s`. */
export function lerpTable(size: number, s: number): LerpTable {
  const out = size * s, scale = 1 / s;
  const i0 = new Int32Array(out), i1 = new Int32Array(out), l0 = new Float64Array(out), l1 = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    const r = Math.max(scale * (o + 0.5) - 0.5, 0), a = Math.floor(r), lam = r - a;
    i0[o] = a;
    i1[o] = a < size - 1 ? a + 1 : a;
    l0[o] = 1 - lam;
    l1[o] = lam;
  }
  return { i0, i1, l0, l1 };
}

/* eslint-disable @typescript-eslint/no-explicit-any */
/** Nearest forward of `planes` planes: each source row is widened once, then copied to its sh − 1 siblings. */
function nearestForwardTemplate(x: any, y: any, planes: number, H: number, W: number, sh: number, sw: number): void {
  const OW = W * sw;
  let i = 0, o = 0;
  for (let p = 0; p < planes * H; p++) {
    const row = o;
    for (let ix = 0; ix < W; ix++, i++) {
      const v = x[i];
      for (let b = 0; b < sw; b++) y[o++] = v;
    }
    for (let a = 1; a < sh; a++, o += OW) y.copyWithin(o, row, row + OW);
  }
}

/** Nearest backward: δx[iy, ix] = Σ of δy over its sh×sw block, rows of the block added in turn. */
function nearestBackwardTemplate(dy: any, dx: any, planes: number, H: number, W: number, sh: number, sw: number): void {
  let o = 0;
  for (let p = 0, i0 = 0; p < planes * H; p++, i0 += W) {
    for (let a = 0; a < sh; a++) {
      for (let ix = 0, i = i0; ix < W; ix++, i++) {
        let s = 0;
        for (let b = 0; b < sw; b++) s += dy[o++];
        dx[i] = a === 0 ? s : dx[i] + s;
      }
    }
  }
}

/** Along the width: rows × inW at src[sOff…] → rows × outW at dst[dOff…]. */
function lerpRowsTemplate(src: any, sOff: number, dst: any, dOff: number, rows: number, inW: number, outW: number,
  i0: Int32Array, i1: Int32Array, l0: Float64Array, l1: Float64Array): void {
  for (let r = 0, s = sOff, d = dOff; r < rows; r++, s += inW) {
    for (let o = 0; o < outW; o++) dst[d++] = l0[o] * src[s + i0[o]] + l1[o] * src[s + i1[o]];
  }
}

/** Along the height: inH rows of W at src[sOff…] → outH rows at dst[dOff…]. */
function lerpColsTemplate(src: any, sOff: number, dst: any, dOff: number, outH: number, W: number,
  i0: Int32Array, i1: Int32Array, l0: Float64Array, l1: Float64Array): void {
  for (let o = 0, d = dOff; o < outH; o++) {
    const a = sOff + i0[o] * W, b = sOff + i1[o] * W, wa = l0[o], wb = l1[o];
    for (let j = 0; j < W; j++) dst[d++] = wa * src[a + j] + wb * src[b + j];
  }
}

/** Adjoint of lerpRows: dst (rows × inW) = Σ of src (rows × outW) spread back with the weights. */
function lerpRowsAdjointTemplate(src: any, sOff: number, dst: any, dOff: number, rows: number, inW: number, outW: number,
  i0: Int32Array, i1: Int32Array, l0: Float64Array, l1: Float64Array): void {
  for (let r = 0, s = sOff, d = dOff; r < rows; r++, d += inW) {
    for (let j = 0; j < inW; j++) dst[d + j] = 0;
    for (let o = 0; o < outW; o++, s++) {
      const v = src[s];
      dst[d + i0[o]] += l0[o] * v;
      dst[d + i1[o]] += l1[o] * v;
    }
  }
}

/** Adjoint of lerpCols: dst (inH × W) = Σ of src's rows (outH × W) spread back with the weights. */
function lerpColsAdjointTemplate(src: any, sOff: number, dst: any, dOff: number, inH: number, outH: number, W: number,
  i0: Int32Array, i1: Int32Array, l0: Float64Array, l1: Float64Array): void {
  for (let j = 0, e = inH * W; j < e; j++) dst[dOff + j] = 0;
  for (let o = 0, s = sOff; o < outH; o++, s += W) {
    const a = dOff + i0[o] * W, b = dOff + i1[o] * W, wa = l0[o], wb = l1[o];
    for (let j = 0; j < W; j++) {
      const v = src[s + j];
      dst[a + j] += wa * v;
      dst[b + j] += wb * v;
    }
  }
}
/* eslint-enable @typescript-eslint/no-explicit-any */

const ONE = lerpTable(2, 2);
const nearestForwardKernel = perType(nearestForwardTemplate, (f, T) => {
  const y = new T(8);
  f(T.of(1, 2), y, 1, 1, 2, 2, 2);
  return y.join() === '1,1,2,2,1,1,2,2';
});
const nearestBackwardKernel = perType(nearestBackwardTemplate, (f, T) => {
  const dx = new T(2);
  f(T.of(1, 2, 3, 4, 5, 6, 7, 8), dx, 1, 1, 2, 2, 2);
  return dx.join() === '14,22';
});
const lerpRowsKernel = perType(lerpRowsTemplate, (f, T) => {
  const d = new T(4);
  f(T.of(0, 4), 0, d, 0, 1, 2, 4, ONE.i0, ONE.i1, ONE.l0, ONE.l1);
  return d.join() === '0,1,3,4';
});
const lerpColsKernel = perType(lerpColsTemplate, (f, T) => {
  const d = new T(4);
  f(T.of(0, 4), 0, d, 0, 4, 1, ONE.i0, ONE.i1, ONE.l0, ONE.l1);
  return d.join() === '0,1,3,4';
});
const lerpRowsAdjointKernel = perType(lerpRowsAdjointTemplate, (f, T) => {
  const d = new T(2);
  f(T.of(1, 1, 1, 1), 0, d, 0, 1, 2, 4, ONE.i0, ONE.i1, ONE.l0, ONE.l1);
  return d.join() === '2,2';
});
const lerpColsAdjointKernel = perType(lerpColsAdjointTemplate, (f, T) => {
  const d = new T(2);
  f(T.of(1, 1, 1, 1), 0, d, 0, 2, 4, 1, ONE.i0, ONE.i1, ONE.l0, ONE.l1);
  return d.join() === '2,2';
});

function check(g: UpsampleGeometry, batch: number, a: Floats, what: string, up: boolean): number {
  if (!(Number.isInteger(g.sh) && Number.isInteger(g.sw) && g.sh >= 1 && g.sw >= 1)) {
    throw new Error(`upsample: factors ${g.sh}×${g.sw} must be positive integers`);
  }
  const n = batch * g.channels * g.H * g.W * (up ? g.sh * g.sw : 1);
  if (a.length !== n) throw new Error(`upsample: ${what} has ${a.length} elements, expected ${n}`);
  return batch * g.channels;
}

/** y [N, C, H·sh, W·sw] from x [N, C, H, W]. */
export function upsampleForward<A extends Floats>(g: UpsampleGeometry, batch: number, x: A): A {
  const planes = check(g, batch, x, 'x', false), f32 = x instanceof Float32Array;
  const { H, W, sh, sw } = g, OH = H * sh, OW = W * sw, y = alloc(x, planes * OH * OW);
  if (g.mode === 'nearest') {
    (f32 ? nearestForwardKernel.f32 : nearestForwardKernel.f64)(x, y, planes, H, W, sh, sw);
    return y;
  }
  const tw = lerpTable(W, sw), th = lerpTable(H, sh), t = scratch(x, 'upsample.t', H * OW);
  const rows = f32 ? lerpRowsKernel.f32 : lerpRowsKernel.f64, cols = f32 ? lerpColsKernel.f32 : lerpColsKernel.f64;
  for (let p = 0; p < planes; p++) {
    rows(x, p * H * W, t, 0, H, W, OW, tw.i0, tw.i1, tw.l0, tw.l1);
    cols(t, 0, y, p * OH * OW, OH, OW, th.i0, th.i1, th.l0, th.l1);
  }
  return y;
}

/** δx [N, C, H, W] from δy [N, C, H·sh, W·sw]. */
export function upsampleBackward<A extends Floats>(g: UpsampleGeometry, batch: number, dy: A): A {
  const planes = check(g, batch, dy, 'δy', true), f32 = dy instanceof Float32Array;
  const { H, W, sh, sw } = g, OH = H * sh, OW = W * sw, dx = alloc(dy, planes * H * W);
  if (g.mode === 'nearest') {
    (f32 ? nearestBackwardKernel.f32 : nearestBackwardKernel.f64)(dy, dx, planes, H, W, sh, sw);
    return dx;
  }
  const tw = lerpTable(W, sw), th = lerpTable(H, sh), t = scratch(dy, 'upsample.t', H * OW);
  const rows = f32 ? lerpRowsAdjointKernel.f32 : lerpRowsAdjointKernel.f64;
  const cols = f32 ? lerpColsAdjointKernel.f32 : lerpColsAdjointKernel.f64;
  for (let p = 0; p < planes; p++) {
    cols(dy, p * OH * OW, t, 0, H, OH, OW, th.i0, th.i1, th.l0, th.l1);
    rows(t, 0, dx, p * H * W, H, W, OW, tw.i0, tw.i1, tw.l0, tw.l1);
  }
  return dx;
}
