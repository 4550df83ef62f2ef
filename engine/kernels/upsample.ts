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
 * products the same way. The backward runs the two passes' adjoints in reverse order, each as a gather (every
 * input element written once) rather than a scatter. Measured against tfjs-backend-cpu's ResizeBilinear and its
 * Grad (npm run bench:kernels-v2; 16×32×32×32 → 64×64, float32): the first version, table-driven passes and
 * scattering adjoints, was 0.6× tfjs forward and 1.0× backward; the width pass's sliding window of three inputs
 * (each loaded once), the factor 2 unrolled, and the gathers brought both well past it (see the bench for figures).
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
  const out = size * s,
    scale = 1 / s;
  const i0 = new Int32Array(out),
    i1 = new Int32Array(out),
    l0 = new Float64Array(out),
    l1 = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    const r = Math.max(scale * (o + 0.5) - 0.5, 0),
      a = Math.floor(r),
      lam = r - a;
    i0[o] = a;
    i1[o] = a < size - 1 ? a + 1 : a;
    l0[o] = 1 - lam;
    l1[o] = lam;
  }
  return { i0, i1, l0, l1 };
}

/**
 * Phase tables of an integer factor f: block 1's entries, which hold for every inner block (1 … size − 2; none when
 * size < 3, and then the entries are unused). Within an ulp: PyTorch's (1/f)·(o + 0.5) − 0.5 rounds a little
 * differently from block to block when 1/f is inexact (f = 3).
 */
export interface Phases {
  readonly A: Float64Array;
  readonly B: Float64Array;
  readonly D: Int32Array;
}

export function phases(t: LerpTable, f: number): Phases {
  const A = new Float64Array(f),
    B = new Float64Array(f),
    D = new Int32Array(f);
  for (let p = 0; p < f && 2 * f <= t.i0.length; p++) {
    A[p] = t.l0[f + p];
    B[p] = t.l1[f + p];
    D[p] = t.i0[f + p] - 1;
  }
  return { A, B, D };
}

/** For each input index q, the output indices that read it and with what weight (zero weights left out). */
export interface Gather {
  readonly start: Int32Array;
  readonly rows: Int32Array;
  readonly weights: Float64Array;
}

export function gather(t: LerpTable, size: number): Gather {
  const start = new Int32Array(size + 1),
    out = t.i0.length;
  for (let o = 0; o < out; o++) {
    if (t.l0[o] !== 0) start[t.i0[o] + 1]++;
    if (t.l1[o] !== 0) start[t.i1[o] + 1]++;
  }
  for (let q = 0; q < size; q++) start[q + 1] += start[q];
  const rows = new Int32Array(start[size]),
    weights = new Float64Array(start[size]),
    fill = start.slice(0, size);
  for (let o = 0; o < out; o++) {
    if (t.l0[o] !== 0) {
      rows[fill[t.i0[o]]] = o;
      weights[fill[t.i0[o]]++] = t.l0[o];
    }
    if (t.l1[o] !== 0) {
      rows[fill[t.i1[o]]] = o;
      weights[fill[t.i1[o]]++] = t.l1[o];
    }
  }
  return { start, rows, weights };
}

/* eslint-disable @typescript-eslint/no-explicit-any */
/** Nearest forward of `planes` planes: each source row is widened once, then copied to its sh − 1 siblings. */
function nearestForwardTemplate(x: any, y: any, planes: number, H: number, W: number, sh: number, sw: number): void {
  const OW = W * sw;
  let i = 0,
    o = 0;
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

/**
 * Along the width: rows × inW at src[sOff…] → rows × outW at dst[dOff…], for an integer factor f = outW/inW > 1 and
 * inW ≥ 3. Away from the edges the weights are periodic: output q·f + p of block q reads inputs q + D[p] and
 * q + D[p] + 1 (D[p] is −1 or 0) with weights A[p], B[p], the phase tables (see `phases`). So the inner blocks
 * 1 … inW − 2 slide a window of three inputs along the row, loading each input once; blocks 0 and inW − 1, where
 * PyTorch clamps, read the full table.
 */
function lerpRowsTemplate(
  src: any,
  sOff: number,
  dst: any,
  dOff: number,
  rows: number,
  inW: number,
  outW: number,
  i0: Int32Array,
  i1: Int32Array,
  l0: Float64Array,
  l1: Float64Array,
  A: Float64Array,
  B: Float64Array,
  D: Int32Array,
): void {
  const f = outW / inW,
    last = Math.max(f, (inW - 1) * f);
  for (let r = 0, s = sOff, d = dOff; r < rows; r++, s += inW) {
    for (let o = 0; o < f; o++) dst[d++] = l0[o] * src[s + i0[o]] + l1[o] * src[s + i1[o]];
    let prev = src[s],
      cur = src[s + 1];
    if (f === 2) {
      // The common factor, unrolled: D = [−1, 0].
      const a0 = A[0],
        b0 = B[0],
        a1 = f === 2 ? A[1] : 0,
        b1 = f === 2 ? B[1] : 0;
      for (let q = 1; q < inW - 1; q++) {
        const next = src[s + q + 1];
        dst[d++] = a0 * prev + b0 * cur;
        dst[d++] = a1 * cur + b1 * next;
        prev = cur;
        cur = next;
      }
    } else {
      for (let q = 1; q < inW - 1; q++) {
        const next = src[s + q + 1];
        for (let p = 0; p < f; p++) dst[d++] = D[p] < 0 ? A[p] * prev + B[p] * cur : A[p] * cur + B[p] * next;
        prev = cur;
        cur = next;
      }
    }
    for (let o = last; o < outW; o++) dst[d++] = l0[o] * src[s + i0[o]] + l1[o] * src[s + i1[o]];
  }
}

/** Along the height: inH rows of W at src[sOff…] → outH rows at dst[dOff…]. */
function lerpColsTemplate(
  src: any,
  sOff: number,
  dst: any,
  dOff: number,
  outH: number,
  W: number,
  i0: Int32Array,
  i1: Int32Array,
  l0: Float64Array,
  l1: Float64Array,
): void {
  for (let o = 0, d = dOff; o < outH; o++) {
    const a = sOff + i0[o] * W,
      b = sOff + i1[o] * W,
      wa = l0[o],
      wb = l1[o];
    for (let j = 0; j < W; j++) dst[d++] = wa * src[a + j] + wb * src[b + j];
  }
}

/**
 * Adjoint of lerpRows, as a gather: input q collects, from each inner block q′ ∈ {q − 1, q, q + 1}, the outputs
 * that read it (phase p reads q as its first input from block q − D[p] with weight A[p], as its second from block
 * q − D[p] − 1 with weight B[p]); the edge blocks 0 and inW − 1 are then scattered through the full table. No
 * input is written twice in the inner loop, so nothing is read back.
 */
function lerpRowsAdjointTemplate(
  src: any,
  sOff: number,
  dst: any,
  dOff: number,
  rows: number,
  inW: number,
  outW: number,
  i0: Int32Array,
  i1: Int32Array,
  l0: Float64Array,
  l1: Float64Array,
  A: Float64Array,
  B: Float64Array,
  D: Int32Array,
): void {
  const f = outW / inW,
    last = Math.max(f, (inW - 1) * f);
  const a0 = A[0],
    b0 = B[0],
    a1 = f === 2 ? A[1] : 0,
    b1 = f === 2 ? B[1] : 0;
  for (let r = 0, s = sOff, d = dOff; r < rows; r++, s += outW, d += inW) {
    for (let q = 0; q < inW; q++) {
      if (f === 2 && q === 2 && inW >= 5) {
        // The common factor's inner inputs, unrolled (D = [−1, 0]): blocks q − 1, q and q + 1 are all inner.
        for (; q <= inW - 3; q++) {
          const o = s + 2 * q;
          dst[d + q] = a0 * src[o + 2] + b0 * src[o] + a1 * src[o + 1] + b1 * src[o - 1];
        }
        q--;
        continue;
      }
      // Only inner blocks (1 … inW − 2) are gathered here.
      const prevIn = q - 1 >= 1 && q - 1 <= inW - 2,
        curIn = q >= 1 && q <= inW - 2,
        nextIn = q + 1 <= inW - 2;
      let acc = 0;
      for (let p = 0, o = s + q * f; p < f; p++, o++) {
        if (D[p] < 0) {
          if (nextIn) acc += A[p] * src[o + f];
          if (curIn) acc += B[p] * src[o];
        } else {
          if (curIn) acc += A[p] * src[o];
          if (prevIn) acc += B[p] * src[o - f];
        }
      }
      dst[d + q] = acc;
    }
    for (let o = 0; o < f; o++) {
      dst[d + i0[o]] += l0[o] * src[s + o];
      dst[d + i1[o]] += l1[o] * src[s + o];
    }
    for (let o = last; o < outW; o++) {
      dst[d + i0[o]] += l0[o] * src[s + o];
      dst[d + i1[o]] += l1[o] * src[s + o];
    }
  }
}

/**
 * Adjoint of lerpCols, as a gather: input row q is the weighted sum of the output rows that read it, listed in
 * `Gather` (rows start[q] … start[q + 1] − 1 of `rows` and `weights`), two at a time, the first pair assigned and
 * the rest added: 2 loads and about half a store per output element, where spreading each output row onto its two
 * input rows took 3 loads and 2 stores.
 */
function lerpColsAdjointTemplate(
  src: any,
  sOff: number,
  dst: any,
  dOff: number,
  inH: number,
  W: number,
  start: Int32Array,
  rows: Int32Array,
  weights: Float64Array,
): void {
  for (let q = 0, d = dOff; q < inH; q++, d += W) {
    const k0 = start[q],
      k1 = start[q + 1];
    let k = k0;
    for (; k + 1 < k1; k += 2) {
      const a = sOff + rows[k] * W,
        b = sOff + rows[k + 1] * W,
        wa = weights[k],
        wb = weights[k + 1];
      if (k === k0) for (let j = 0; j < W; j++) dst[d + j] = wa * src[a + j] + wb * src[b + j];
      else for (let j = 0; j < W; j++) dst[d + j] += wa * src[a + j] + wb * src[b + j];
    }
    if (k < k1) {
      const a = sOff + rows[k] * W,
        wa = weights[k];
      if (k === k0) for (let j = 0; j < W; j++) dst[d + j] = wa * src[a + j];
      else for (let j = 0; j < W; j++) dst[d + j] += wa * src[a + j];
    } else if (k0 === k1) {
      for (let j = 0; j < W; j++) dst[d + j] = 0;
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
const THREE = lerpTable(3, 2),
  PH = phases(THREE, 2);
const lerpRowsKernel = perType(lerpRowsTemplate, (f, T) => {
  const d = new T(6);
  f(T.of(0, 4, 8), 0, d, 0, 1, 3, 6, THREE.i0, THREE.i1, THREE.l0, THREE.l1, PH.A, PH.B, PH.D);
  return d.join() === '0,1,3,5,7,8';
});
const lerpColsKernel = perType(lerpColsTemplate, (f, T) => {
  const d = new T(4);
  f(T.of(0, 4), 0, d, 0, 4, 1, ONE.i0, ONE.i1, ONE.l0, ONE.l1);
  return d.join() === '0,1,3,4';
});
const lerpRowsAdjointKernel = perType(lerpRowsAdjointTemplate, (f, T) => {
  const d = new T(3);
  f(T.of(1, 1, 1, 1, 1, 1), 0, d, 0, 1, 3, 6, THREE.i0, THREE.i1, THREE.l0, THREE.l1, PH.A, PH.B, PH.D);
  return d.join() === '2,2,2';
});
const lerpColsAdjointKernel = perType(lerpColsAdjointTemplate, (f, T) => {
  const d = new T(2),
    gt = gather(ONE, 2);
  f(T.of(1, 1, 1, 1), 0, d, 0, 2, 1, gt.start, gt.rows, gt.weights);
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
  const planes = check(g, batch, x, 'x', false),
    f32 = x instanceof Float32Array;
  const { H, W, sh, sw } = g,
    OH = H * sh,
    OW = W * sw,
    y = alloc(x, planes * OH * OW);
  if (g.mode === 'nearest') {
    (f32 ? nearestForwardKernel.f32 : nearestForwardKernel.f64)(x, y, planes, H, W, sh, sw);
    return y;
  }
  const tw = lerpTable(W, sw),
    th = lerpTable(H, sh),
    t = scratch(x, 'upsample.t', H * OW),
    ph = phases(tw, sw);
  const rows = f32 ? lerpRowsKernel.f32 : lerpRowsKernel.f64,
    cols = f32 ? lerpColsKernel.f32 : lerpColsKernel.f64;
  for (let p = 0; p < planes; p++) {
    rows(x, p * H * W, t, 0, H, W, OW, tw.i0, tw.i1, tw.l0, tw.l1, ph.A, ph.B, ph.D);
    cols(t, 0, y, p * OH * OW, OH, OW, th.i0, th.i1, th.l0, th.l1);
  }
  return y;
}

/** δx [N, C, H, W] from δy [N, C, H·sh, W·sw]. */
export function upsampleBackward<A extends Floats>(g: UpsampleGeometry, batch: number, dy: A): A {
  const planes = check(g, batch, dy, 'δy', true),
    f32 = dy instanceof Float32Array;
  const { H, W, sh, sw } = g,
    OH = H * sh,
    OW = W * sw,
    dx = alloc(dy, planes * H * W);
  if (g.mode === 'nearest') {
    (f32 ? nearestBackwardKernel.f32 : nearestBackwardKernel.f64)(dy, dx, planes, H, W, sh, sw);
    return dx;
  }
  const tw = lerpTable(W, sw),
    gh = gather(lerpTable(H, sh), H),
    t = scratch(dy, 'upsample.t', H * OW),
    ph = phases(tw, sw);
  const rows = f32 ? lerpRowsAdjointKernel.f32 : lerpRowsAdjointKernel.f64;
  const cols = f32 ? lerpColsAdjointKernel.f32 : lerpColsAdjointKernel.f64;
  for (let p = 0; p < planes; p++) {
    cols(dy, p * OH * OW, t, 0, H, OW, gh.start, gh.rows, gh.weights);
    rows(t, 0, dx, p * H * W, H, W, OW, tw.i0, tw.i1, tw.l0, tw.l1, ph.A, ph.B, ph.D);
  }
  return dx;
}
