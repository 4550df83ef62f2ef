/**
 * conv2d as PyTorch defines it (cross-correlation; weights [outC, inC/groups, kh, kw]; N×C×H×W activations),
 * forward and both backward passes, all through im2col + one GEMM per group and batch chunk:
 *   forward  y_g    = W_g · col(x_g)
 *   δx       δx_g   = col2im(W_gᵀ · δy_g)      (the "full convolution with W" of docs/language.md, done as an adjoint)
 *   dW       dW_g   = δy_g · col(x_g)ᵀ,  db = Σ δy over batch and positions
 * Samples are processed in chunks so the column buffer stays under COL_BUDGET elements whatever the batch.
 * Within a chunk, a map of at least PER_SAMPLE_MIN positions runs one GEMM per sample directly on the N×C×P
 * tensors (its C or operand is a plain strided view of y, δy), which saves reshuffling δy or the output
 * between N×OC×P and OC×(N·P); a smaller map keeps one GEMM over the whole chunk, so n stays long.
 * Faster special paths, each taken where it was measured to win, in this order:
 * - stride 1, 3×3 or 5×5, channels on both sides: Winograd's F(2×2, 3×3) or F(2×2, 5×5) (winograd.ts), every pass;
 * - other stride-1 layers with 3- or 5-wide kernel rows: the forward pass and δx are direct convolutions in strips
 *   of an output row (direct.ts), with no GEMM, im2col or col2im, at any filter count;
 * - other forward passes of maps of ≥ PER_SAMPLE_MIN positions with few filters: implicit.ts reads the GEMM's B
 *   operand in place, without im2col, and so does their filter gradient (col(x) read through the same tap
 *   offsets);
 * - dW of stride-1 layers with 3- or 5-wide kernel rows: by kernel row (implicit.ts).
 */
import type { ConvGeometry } from '../geometry.js';
import { gemm } from './gemm.js';
import { stripConv3Kernel, stripConv5Kernels } from './direct.js';
import {
  implicitConvKernel,
  implicitFilterGradKernel,
  padPlanesKernel,
  rowFilterGrad3Kernel,
  rowFilterGrad5Kernel,
} from './implicit.js';
import { type AxisTable, axisTable, col2imKernel, im2colKernel, moveRunsKernel } from './im2col.js';
import { type Floats, alloc, perType, scratch } from './specialize.js';
import { winogradBackwardFilter, winogradBackwardInput, winogradFits, winogradForward } from './winograd.js';

/** Column-buffer size per chunk (elements): 16 MiB in float64, so a big batch never needs a huge buffer. */
const COL_BUDGET = 1 << 21;
/**
 * Output positions per sample from which per-sample GEMMs pay: n (or k for dW) = P is then long enough for
 * full tiles, and the reshuffle it saves costs as much as a tenth of a small-filter layer (6 filters on 28×28).
 */
const PER_SAMPLE_MIN = 64;
/**
 * Fewest 2×2 output tiles over the batch for which winograd.ts pays for its filter transform. Measured on
 * 64 → 96 channels, 5×5 on 6×6 (one tile per sample; float32, 2-core EPYC, Node 20, against the GEMM, alternated
 * in one process), forward / δx / dW: 1 sample 0.48× / 0.52× / 0.87×, 2 samples 0.79× / 0.84× / 1.17×,
 * 4 samples 1.45× / 1.45× / 1.58×, 8 samples 1.9× / 1.9× / 2.0×.
 */
const WINOGRAD_MIN_TILES = 4;
/** Most filters per group for which the forward pass skips im2col (see `implicit`). */
const IMPLICIT_MAX_ROWS = 16;

interface Plan {
  readonly C: number;
  readonly H: number;
  readonly W: number;
  readonly OC: number;
  readonly OH: number;
  readonly OW: number;
  readonly groups: number;
  readonly icg: number;
  readonly ocg: number;
  /** Rows of a group's column matrix: icg·kh·kw. */
  readonly kg: number;
  readonly P: number;
  readonly chunk: number;
  readonly h: AxisTable;
  readonly w: AxisTable;
}

function plan(g: ConvGeometry, batch: number): Plan {
  const { h, w, inChannels: C, outChannels: OC, groups } = g;
  if (groups < 1 || C % groups !== 0 || OC % groups !== 0)
    throw new Error(`conv: groups ${groups} must divide ${C} and ${OC}`);
  const icg = C / groups,
    ocg = OC / groups,
    kg = icg * h.kernel * w.kernel,
    P = Math.max(0, h.out) * Math.max(0, w.out);
  const chunk = Math.max(1, Math.min(batch, Math.floor(COL_BUDGET / Math.max(1, kg * P))));
  return {
    C,
    H: h.size,
    W: w.size,
    OC,
    OH: Math.max(0, h.out),
    OW: Math.max(0, w.out),
    groups,
    icg,
    ocg,
    kg,
    P,
    chunk,
    h: axisTable(h),
    w: axisTable(w),
  };
}

function need(a: Floats, n: number, what: string): void {
  if (a.length !== n) throw new Error(`conv: ${what} has ${a.length} elements, expected ${n}`);
}

/** Rows of a register tile for m rows of output: 3 when that pads fewer rows than 4 (6 filters: 2 tiles of 3). */
function tileRows(m: number): number {
  return Math.ceil(m / 3) * 3 < Math.ceil(m / 4) * 4 ? 3 : 4;
}

/**
 * Whether the forward pass runs the implicit GEMM: im2col's copy is shared by the ocg filters of a group, so it
 * costs most (a quarter of the time at 6 filters) when they are few; the implicit GEMM's scattered reads cost a
 * little on every multiply-add instead, which wins at 6 and 16 filters and loses at 64 (measured on 5×5 and
 * 3×3 taps). Below 3 filters a register tile would be mostly padding.
 */
function implicit(p: Plan): boolean {
  return p.P >= PER_SAMPLE_MIN && p.ocg >= 3 && p.ocg <= IMPLICIT_MAX_ROWS;
}

/**
 * y = W·col(x) + b through implicit.ts, one sample and group at a time: x's planes are zero-padded into a
 * scratch copy when the geometry pads, the weights packed into register-tile panels once per group.
 */
function implicitForward<A extends Floats>(
  g: ConvGeometry,
  p: Plan,
  batch: number,
  x: A,
  weights: A,
  bias: A,
  y: A,
): void {
  const f32 = x instanceof Float32Array,
    run = f32 ? implicitConvKernel.f32 : implicitConvKernel.f64;
  const pad = f32 ? padPlanesKernel.f32 : padPlanesKernel.f64;
  const { h, w } = g,
    Hp = p.H + h.padBefore + h.padAfter,
    Wp = p.W + w.padBefore + w.padAfter;
  const padded = Hp !== p.H || Wp !== p.W,
    mr = tileRows(p.ocg),
    tiles = Math.ceil(p.ocg / mr),
    K = p.kg;
  const off = tapOffsets(g, p, Hp, Wp);
  const pw = scratch(x, 'conv.pw', tiles * mr * K),
    src = padded ? scratch(x, 'conv.pad', p.icg * Hp * Wp) : x;
  for (let group = 0; group < p.groups; group++) {
    // Tap-major tiles of mr filters, zero past the group's last filter.
    for (let t = 0, q = 0; t < p.ocg; t += mr) {
      for (let r = 0; r < K; r++)
        for (let i = t; i < t + mr; i++) pw[q++] = i < p.ocg ? weights[(group * p.ocg + i) * K + r] : 0;
    }
    for (let n = 0; n < batch; n++) {
      const at = (n * p.C + group * p.icg) * p.H * p.W;
      if (padded) pad(x, at, p.icg, p.H, p.W, h.padBefore, w.padBefore, src, Hp, Wp);
      run(
        src,
        padded ? 0 : at,
        off,
        K,
        pw,
        p.ocg,
        mr,
        bias,
        group * p.ocg,
        y,
        (n * p.OC + group * p.ocg) * p.P,
        p.P,
        p.OH,
        p.OW,
        h.stride,
        w.stride,
        Wp,
      );
    }
  }
}

/** Tap r = (c, ky, kx), in weight order, sits c·Hp·Wp + ky·dh·Wp + kx·dw past its window's corner. */
function tapOffsets(g: ConvGeometry, p: Plan, Hp: number, Wp: number): Int32Array {
  const off = new Int32Array(p.kg);
  for (let c = 0, r = 0; c < p.icg; c++) {
    for (let ky = 0; ky < g.h.kernel; ky++) {
      for (let kx = 0; kx < g.w.kernel; kx++) off[r++] = (c * Hp + ky * g.h.dilation) * Wp + kx * g.w.dilation;
    }
  }
  return off;
}

/**
 * Whether dW runs by kernel row (rowFilterGrad5Template, rowFilterGrad3Template: stride 1, no dilation, 5- or
 * 3-wide kernel rows) rather than through the tap-offset table or im2col + GEMM. Taken at any filter count from 3
 * on a map of at least PER_SAMPLE_MIN positions (a 2×2 map would be single positions only). Measured (float32,
 * 2-core EPYC, Node 20), tap offsets → rows: 64×1×32×32 → 6 5×5 3.5 → 5.7 GFLOP/s, 64×6×14×14 → 16 5×5 4.1 → 4.8;
 * im2col + GEMM → rows: 32×3×17×17 → 64 5×5 4.3 → 6.0, 16×32×32×32 → 64 3×3 pad 1 4.6 → 5.9.
 */
function rowFilterGrad(g: ConvGeometry, p: Plan): boolean {
  const { h, w } = g;
  return (
    h.stride === 1 &&
    w.stride === 1 &&
    h.dilation === 1 &&
    w.dilation === 1 &&
    (w.kernel === 5 || w.kernel === 3) &&
    p.P >= PER_SAMPLE_MIN &&
    p.ocg >= 3
  );
}

/**
 * dW = δy·col(x)ᵀ through implicit.ts, one sample and group at a time, x zero-padded into scratch when the
 * geometry pads; output column p reads its window from corner q[p] = oy·sh·Wp + ox·sw. By kernel row with `byRow`
 * (where `rowFilterGrad` says so), else through the tap offsets where the forward pass is implicit: without im2col's copy
 * (28% of a 6-filter 5×5 layer on 32×32, 15% at 16 filters on 14×14) the tap offsets measured 2.7 → 3.3
 * GFLOP/s and 3.7 → 4.1 on those, and 4–35% faster on every 3×3/5×5, stride 1/2, 1–16-channel shape tried
 * (float32, 2-core EPYC, Node 20).
 */
function implicitFilterGrad<A extends Floats>(
  g: ConvGeometry,
  p: Plan,
  batch: number,
  x: A,
  dy: A,
  dW: A,
  byRow: boolean,
): void {
  const f32 = x instanceof Float32Array,
    pad = f32 ? padPlanesKernel.f32 : padPlanesKernel.f64;
  const { h, w } = g,
    Hp = p.H + h.padBefore + h.padAfter,
    Wp = p.W + w.padBefore + w.padAfter;
  const padded = Hp !== p.H || Wp !== p.W,
    src = padded ? scratch(x, 'conv.pad', p.icg * Hp * Wp) : x;
  let run: (n: number, group: number, at: number) => void;
  if (byRow) {
    const k = w.kernel === 3 ? rowFilterGrad3Kernel : rowFilterGrad5Kernel,
      rowRun = f32 ? k.f32 : k.f64;
    run = (n, group, at) =>
      rowRun(
        dy,
        (n * p.OC + group * p.ocg) * p.P,
        p.ocg,
        src,
        at,
        p.icg,
        Hp,
        Wp,
        h.kernel,
        p.OH,
        p.OW,
        dW,
        group * p.ocg * p.kg,
        n > 0,
      );
  } else {
    const tapRun = f32 ? implicitFilterGradKernel.f32 : implicitFilterGradKernel.f64,
      mr = tileRows(p.ocg);
    // Each tap's offset past its window's corner, and each output position's corner.
    const off = tapOffsets(g, p, Hp, Wp),
      q = new Int32Array(p.P);
    for (let oy = 0, i = 0; oy < p.OH; oy++)
      for (let ox = 0; ox < p.OW; ox++) q[i++] = oy * h.stride * Wp + ox * w.stride;
    run = (n, group, at) =>
      tapRun(
        dy,
        (n * p.OC + group * p.ocg) * p.P,
        p.ocg,
        mr,
        src,
        at,
        q,
        p.P,
        off,
        p.kg,
        dW,
        group * p.ocg * p.kg,
        n > 0,
      );
  }
  for (let group = 0; group < p.groups; group++) {
    for (let n = 0; n < batch; n++) {
      const at = (n * p.C + group * p.icg) * p.H * p.W;
      if (padded) pad(x, at, p.icg, p.H, p.W, h.padBefore, w.padBefore, src, Hp, Wp);
      run(n, group, padded ? 0 : at);
    }
  }
}

/** A strip-convolution pass (direct.ts) along the width axis: `dataW` source columns after `left` zero ones. */
interface Strips {
  readonly KW: number;
  readonly outW: number;
  readonly left: number;
  readonly dataW: number;
}

/**
 * Strip width of direct.ts for this pass, 0 where it would waste more than a quarter of its multiply-adds on
 * zeros or on columns past the output. 3-wide rows take 8-wide strips, which compute ⌈outW/8⌉·8 columns (16 for
 * 10 on a 14-wide map was 10% slower than the GEMM). 5-wide rows take 6-, 7- or 8-wide strips, whose edge
 * bodies skip 4 zero columns, so δx of a 14-wide map from 10 columns does no waste in 7-wide strips; of the three,
 * the one doing the fewest multiply-adds, the wider on a tie. Measured δx (float32, 2-core EPYC, Node 20):
 * 64×1×32×32 → 6 5×5 8-wide strips without edge bodies (160 multiply-adds per plane and kernel row) 4.0 GFLOP/s,
 * 7-wide with them (155) 4.3; 64×1×28×28 → 6 5×5 pad 2 4.0 → 4.8; 16×16×24×24 → 32 5×5 pad 2 7 → 8-wide (130
 * against 120) 5.4 → 5.5.
 */
function stripWidth({ KW, outW, left, dataW }: Strips): 0 | 6 | 7 | 8 {
  // Useful multiply-adds per plane and kernel row: (output column, tap) pairs that read a data column.
  let useful = 0;
  for (let x = 0; x < outW; x++) useful += Math.max(0, Math.min(x + KW, left + dataW) - Math.max(x, left));
  if (KW === 3) return 4 * Math.ceil(outW / 8) * 8 * 3 <= 5 * useful ? 8 : 0;
  let best: 0 | 6 | 7 | 8 = 0,
    least = Infinity;
  for (const S of [8, 7, 6] as const) {
    let work = 0;
    for (let x0 = 0; x0 < outW; x0 += S) work += x0 + 4 <= left || x0 + S >= left + dataW ? 5 * S - 10 : 5 * S;
    if (work < least) {
      best = S;
      least = work;
    }
  }
  return 4 * least <= 5 * useful ? best : 0;
}

/**
 * Whether 5-wide rows in S-wide strips read only data columns, so the source needs no zero-widened copy: each
 * strip reads window columns x0 … x0 + S + 3 less those its edge body skips, and all must lie in
 * [left, left + dataW). True of δx of 32 from 28 in 8-wide strips and of 14 from 10 in 7-wide ones (pl = 0),
 * where skipping the copy made δx of 64×1×32×32 → 6 5×5 15–25% faster and of 64×6×14×14 → 16 5×5 4–14%; not
 * of 17 from 13 in 6-wide strips, whose last strip reads one column past δy for a δx column past the map.
 */
function readsInPlace({ KW, outW, left, dataW }: Strips, S: number): boolean {
  if (KW !== 5) return false;
  for (let x0 = 0; x0 < outW; x0 += S) {
    // The kernels' edge choice: left-edge body first.
    const e1 = x0 + 4 <= left,
      e2 = !e1 && x0 + S >= left + dataW;
    if ((e1 ? x0 + 4 : x0) < left || (e2 ? x0 + S : x0 + S + 4) > left + dataW) return false;
  }
  return true;
}

function stride1(g: ConvGeometry): boolean {
  const { h, w } = g;
  return h.stride === 1 && w.stride === 1 && h.dilation === 1 && w.dilation === 1 && (w.kernel === 3 || w.kernel === 5);
}

/** δx as a strip convolution of δy widened by KW − 1 − pl columns (pl ≤ KW − 1), into W columns. */
function dxStrips(g: ConvGeometry, p: Plan): Strips | null {
  if (!stride1(g) || g.w.padBefore > g.w.kernel - 1) return null;
  return { KW: g.w.kernel, outW: p.W, left: g.w.kernel - 1 - g.w.padBefore, dataW: p.OW };
}

/**
 * The forward pass as a strip convolution of x widened by pl columns, into OW columns. Taken wherever stripWidth
 * allows: on every stride-1 shape measured it beat both the implicit GEMM and im2col + GEMM, from 6 filters to
 * 256 (float32, 2-core EPYC, Node 20, old and new alternated in one process, median of 15 per-round speedups):
 * implicit → strips 64×1×32×32 → 6 5×5 2.1×, 64×1×28×28 → 6 5×5 pad 2 2.1×, 64×6×14×14 → 16 5×5 1.6×,
 * 64×8×28×28 → 16 3×3 pad 1 1.5×; im2col + GEMM → strips 32×3×17×17 → 64 5×5 1.6×, 16×32×32×32 → 64 3×3 pad 1
 * 1.6×, 16×16×24×24 → 32 5×5 pad 2 1.8×, 8×128×16×16 → 256 3×3 pad 1 1.5× (float64 alike: 1.5–2.2×).
 */
function forwardStrips(g: ConvGeometry, p: Plan): Strips | null {
  if (!stride1(g)) return null;
  return { KW: g.w.kernel, outW: p.OW, left: g.w.padBefore, dataW: p.W };
}

/**
 * Runs direct.ts on every sample and group: the source planes (M of SH×dataW per group) are zero-widened into
 * scratch, `left` columns before and the rest after, unless the strips read only data columns; then the kernel
 * reads them in place, as rows of dataW starting `left` columns early. `pack(group)` fills wp for a group.
 */
function stripPass<A extends Floats>(
  st: Strips,
  S: 6 | 7 | 8,
  batch: number,
  groups: number,
  KH: number,
  pt: number,
  src: A,
  srcAt: (n: number, group: number) => number,
  M: number,
  SH: number,
  wp: A,
  pack: (group: number) => void,
  init: A,
  initAt: (group: number) => number,
  out: A,
  outAt: (n: number, group: number) => number,
  C: number,
  OH: number,
): void {
  const f32 = src instanceof Float32Array,
    kernel = st.KW === 3 ? stripConv3Kernel : stripConv5Kernels[S];
  const run = f32 ? kernel.f32 : kernel.f64,
    pad = f32 ? padPlanesKernel.f32 : padPlanesKernel.f64;
  const inPlace = readsInPlace(st, S),
    Ws = inPlace ? st.dataW : Math.ceil(st.outW / S) * S + st.KW - 1;
  const wide = inPlace ? src : scratch(src, 'conv.pad', M * SH * Ws);
  for (let group = 0; group < groups; group++) {
    pack(group);
    for (let n = 0; n < batch; n++) {
      const at = srcAt(n, group);
      if (!inPlace) pad(src, at, M, SH, st.dataW, 0, st.left, wide, SH, Ws);
      run(
        wide,
        inPlace ? at - st.left : 0,
        M,
        SH,
        Ws,
        KH,
        pt,
        wp,
        C,
        out,
        outAt(n, group),
        OH,
        st.outW,
        st.left,
        st.dataW,
        init,
        initAt(group),
      );
    }
  }
}

/** δx through direct.ts: wp[c][oc] is W[oc][c] flipped along kx; every element of δx is written. */
function stripBackwardInput<A extends Floats>(
  g: ConvGeometry,
  p: Plan,
  batch: number,
  dy: A,
  weights: A,
  dx: A,
  st: Strips,
  S: 6 | 7 | 8,
): void {
  const KH = g.h.kernel,
    KW = g.w.kernel,
    zero = alloc(dy, p.icg),
    wp = scratch(dy, 'conv.pw', p.icg * p.ocg * KH * KW);
  const pack = (group: number): void => {
    for (let c = 0, t = 0; c < p.icg; c++) {
      for (let oc = 0; oc < p.ocg; oc++) {
        const at = ((group * p.ocg + oc) * p.icg + c) * KH * KW;
        for (let ky = 0; ky < KH; ky++) for (let k = 0; k < KW; k++) wp[t++] = weights[at + ky * KW + KW - 1 - k];
      }
    }
  };
  stripPass(
    st,
    S,
    batch,
    p.groups,
    KH,
    g.h.padBefore,
    dy,
    (n, group) => (n * p.OC + group * p.ocg) * p.P,
    p.ocg,
    p.OH,
    wp,
    pack,
    zero,
    () => 0,
    dx,
    (n, group) => (n * p.C + group * p.icg) * p.H * p.W,
    p.icg,
    p.H,
  );
}

/** y = conv(x) + b through direct.ts: wp[oc][c] is W[oc][c] flipped along ky, rows of x unpadded. */
function stripForward<A extends Floats>(
  g: ConvGeometry,
  p: Plan,
  batch: number,
  x: A,
  weights: A,
  bias: A,
  y: A,
  st: Strips,
  S: 6 | 7 | 8,
): void {
  const KH = g.h.kernel,
    KW = g.w.kernel,
    wp = scratch(x, 'conv.pw', p.ocg * p.icg * KH * KW);
  const pack = (group: number): void => {
    for (let oc = 0, t = 0; oc < p.ocg; oc++) {
      for (let c = 0; c < p.icg; c++) {
        const at = ((group * p.ocg + oc) * p.icg + c) * KH * KW;
        for (let ky = 0; ky < KH; ky++) for (let k = 0; k < KW; k++) wp[t++] = weights[at + (KH - 1 - ky) * KW + k];
      }
    }
  };
  stripPass(
    st,
    S,
    batch,
    p.groups,
    KH,
    KH - 1 - g.h.padBefore,
    x,
    (n, group) => (n * p.C + group * p.icg) * p.H * p.W,
    p.icg,
    p.H,
    wp,
    pack,
    bias,
    (group) => group * p.ocg,
    y,
    (n, group) => (n * p.OC + group * p.ocg) * p.P,
    p.ocg,
    p.OH,
  );
}

function im2col<A extends Floats>(g: ConvGeometry, p: Plan, x: A, n0: number, nb: number, group: number, col: A): void {
  const k = x instanceof Float32Array ? im2colKernel.f32 : im2colKernel.f64;
  k(
    x,
    (n0 * p.C + group * p.icg) * p.H * p.W,
    p.C * p.H * p.W,
    p.icg,
    p.H,
    p.W,
    g.h.kernel,
    g.w.kernel,
    p.OH,
    p.OW,
    nb,
    g.h.dilation,
    g.w.dilation,
    g.w.stride,
    p.h.start,
    p.h.lo,
    p.h.hi,
    p.w.start,
    p.w.lo,
    p.w.hi,
    col,
  );
}

/** δy of one group for samples n0…n0+nb, reshuffled from N×OC×P to ocg×(nb·P). */
function gatherDy<A extends Floats>(p: Plan, dy: A, n0: number, nb: number, group: number, out: A): void {
  const k = dy instanceof Float32Array ? moveRunsKernel.f32 : moveRunsKernel.f64;
  k(dy, (n0 * p.OC + group * p.ocg) * p.P, p.P, p.OC * p.P, out, 0, nb * p.P, p.P, p.ocg, nb, p.P);
}

/**
 * Whether a pass runs winograd.ts (F(2×2, 3×3) or F(2×2, 5×5): 2.25× or 2.8× fewer multiplies, in α² GEMMs over
 * channels). Its transforms cost per tile in proportion to icg + ocg against GEMMs in proportion to icg·ocg, so it
 * needs channels on both sides: 1/icg + 1/ocg ≤ 0.3 for the forward pass and dW, ≤ 0.4 for δx; its saving must
 * survive the partial tiles of odd maps, r²·OH·OW ≥ 1.25·α²·⌈OH/2⌉·⌈OW/2⌉ (a 3×3 map of 5×5 taps still gains, a
 * 1×1 map loses); the filter transform, done once per call, must be shared by WINOGRAD_MIN_TILES tiles (see
 * winograd.ts for the measurements behind the first two); and the transformed filters, α²·ocg·icg, must fit in
 * COL_BUDGET like im2col's columns, so a layer's scratch stays bounded whatever its size (up to 362 channels on
 * both sides at 3×3, 241 at 5×5).
 */
function winograd(g: ConvGeometry, p: Plan, batch: number, pass: Pass): boolean {
  if (!winogradFits(g) || 1 / p.icg + 1 / p.ocg > (pass === 'dx' ? 0.4 : 0.3)) return false;
  const r = g.h.kernel,
    a = r + 1,
    tiles = Math.ceil(p.OH / 2) * Math.ceil(p.OW / 2);
  return (
    batch * tiles >= WINOGRAD_MIN_TILES &&
    a * a * p.ocg * p.icg <= COL_BUDGET &&
    r * r * p.OH * p.OW >= 1.25 * a * a * tiles
  );
}

type Pass = 'forward' | 'dx' | 'dW';

/** The kernel that runs a pass; strips carry their pass and width. */
type Route =
  | { readonly kind: 'winograd' | 'implicit' | 'rows' | 'gemm' }
  | { readonly kind: 'strips'; readonly st: Strips; readonly S: 6 | 7 | 8 };

/**
 * Which kernel runs a pass of a non-empty layer: the first, in this order, whose own rule says it wins here. The
 * one place the choice is made, for the passes and for `convPaths`.
 */
function route(g: ConvGeometry, p: Plan, batch: number, pass: Pass): Route {
  if (winograd(g, p, batch, pass)) return { kind: 'winograd' };
  if (pass === 'dW') return { kind: rowFilterGrad(g, p) ? 'rows' : implicit(p) ? 'implicit' : 'gemm' };
  const st = pass === 'forward' ? forwardStrips(g, p) : dxStrips(g, p),
    S = st ? stripWidth(st) : 0;
  if (st && S) return { kind: 'strips', st, S };
  return { kind: pass === 'forward' && implicit(p) ? 'implicit' : 'gemm' };
}

/** A route's name: `direct7 in place` for strips 7 wide reading their source in place. */
export type PathName = 'winograd' | 'implicit' | 'rows' | 'gemm' | `direct${6 | 7 | 8}${'' | ' in place'}`;

/** Which kernel each pass of this geometry runs (for tests that must reach a path); an empty layer runs none: 'gemm'. */
export function convPaths(g: ConvGeometry, batch: number): Readonly<Record<Pass, PathName>> {
  const p = plan(g, batch);
  const name = (pass: Pass): PathName => {
    if (p.P === 0 || batch === 0) return 'gemm';
    const r = route(g, p, batch, pass);
    return r.kind === 'strips' ? `direct${r.S}${readsInPlace(r.st, r.S) ? ' in place' : ''}` : r.kind;
  };
  return { forward: name('forward'), dx: name('dx'), dW: name('dW') };
}

/** y = conv(x, W) + b. `bias` may be omitted (or null) even when geometry has one: it then counts as zero. */
export function conv2dForward<A extends Floats>(
  g: ConvGeometry,
  batch: number,
  x: A,
  weights: A,
  bias?: A | null,
  out?: A,
): A {
  const p = plan(g, batch);
  need(x, batch * p.C * p.H * p.W, 'x');
  need(weights, p.OC * p.kg, 'W');
  if (bias) need(bias, p.OC, 'b');
  const y = out ?? alloc(x, batch * p.OC * p.P);
  need(y, batch * p.OC * p.P, 'y');
  if (p.P === 0 || batch === 0) return y;
  const r = route(g, p, batch, 'forward');
  if (r.kind === 'winograd') {
    winogradForward(g, batch, x, weights, bias ?? null, y);
    return y;
  }
  if (r.kind === 'strips') {
    stripForward(g, p, batch, x, weights, bias ?? alloc(x, p.OC), y, r.st, r.S);
    return y;
  }
  if (r.kind === 'implicit') {
    implicitForward(g, p, batch, x, weights, bias ?? alloc(x, p.OC), y);
    return y;
  }
  const move = x instanceof Float32Array ? moveRunsKernel.f32 : moveRunsKernel.f64;
  const perSample = p.P >= PER_SAMPLE_MIN;
  // Bias first: C starts as the bias (a native fill, per output row) and GEMM accumulates onto it.
  if (perSample && bias) {
    for (let n = 0, o = 0; n < batch; n++) for (let c = 0; c < p.OC; c++, o += p.P) y.fill(bias[c], o, o + p.P);
  }
  for (let n0 = 0; n0 < batch; n0 += p.chunk) {
    const nb = Math.min(p.chunk, batch - n0),
      cols = nb * p.P;
    const col = scratch(x, 'conv.col', p.kg * cols);
    for (let group = 0; group < p.groups; group++) {
      im2col(g, p, x, n0, nb, group, col);
      const a = { data: weights, offset: group * p.ocg * p.kg, rowStride: p.kg, colStride: 1 };
      if (perSample) {
        for (let b = 0; b < nb; b++) {
          gemm(
            p.ocg,
            p.P,
            p.kg,
            a,
            { data: col, offset: b * p.P, rowStride: cols, colStride: 1 },
            y,
            ((n0 + b) * p.OC + group * p.ocg) * p.P,
            p.P,
            !!bias,
          );
        }
      } else {
        const tmp = scratch(x, 'conv.tmp', p.ocg * cols);
        if (bias) for (let i = 0; i < p.ocg; i++) tmp.fill(bias[group * p.ocg + i], i * cols, (i + 1) * cols);
        gemm(p.ocg, cols, p.kg, a, { data: col, offset: 0, rowStride: cols, colStride: 1 }, tmp, 0, cols, !!bias);
        move(tmp, 0, cols, p.P, y, (n0 * p.OC + group * p.ocg) * p.P, p.P, p.OC * p.P, p.ocg, nb, p.P);
      }
    }
  }
  return y;
}

/** δx = Σ over output channels of δy spread back through W (col2im of Wᵀ·δy); zero where no window reads x. */
export function conv2dBackwardInput<A extends Floats>(g: ConvGeometry, batch: number, dy: A, weights: A, out?: A): A {
  const p = plan(g, batch);
  need(dy, batch * p.OC * p.P, 'δy');
  need(weights, p.OC * p.kg, 'W');
  const dx = out ?? alloc(dy, batch * p.C * p.H * p.W);
  need(dx, batch * p.C * p.H * p.W, 'δx');
  if (p.P === 0 || batch === 0) {
    if (out) dx.fill(0);
    return dx;
  }
  const r = route(g, p, batch, 'dx');
  if (r.kind === 'winograd') {
    winogradBackwardInput(g, batch, dy, weights, dx);
    return dx;
  }
  if (r.kind === 'strips') {
    stripBackwardInput(g, p, batch, dy, weights, dx, r.st, r.S);
    return dx;
  }
  // col2im adds into δx: a provided one starts at zero (Winograd and the strips write every element).
  if (out) dx.fill(0);
  const k = dy instanceof Float32Array ? col2imKernel.f32 : col2imKernel.f64;
  const perSample = p.P >= PER_SAMPLE_MIN;
  for (let n0 = 0; n0 < batch; n0 += p.chunk) {
    const nb = Math.min(p.chunk, batch - n0),
      cols = nb * p.P;
    const dcol = scratch(dy, 'conv.col', p.kg * cols);
    for (let group = 0; group < p.groups; group++) {
      const wt = { data: weights, offset: group * p.ocg * p.kg, rowStride: 1, colStride: p.kg };
      if (perSample) {
        for (let b = 0; b < nb; b++) {
          gemm(
            p.kg,
            p.P,
            p.ocg,
            wt,
            { data: dy, offset: ((n0 + b) * p.OC + group * p.ocg) * p.P, rowStride: p.P, colStride: 1 },
            dcol,
            b * p.P,
            cols,
          );
        }
      } else {
        const dyg = scratch(dy, 'conv.tmp', p.ocg * cols);
        gatherDy(p, dy, n0, nb, group, dyg);
        gemm(p.kg, cols, p.ocg, wt, { data: dyg, offset: 0, rowStride: cols, colStride: 1 }, dcol);
      }
      k(
        dcol,
        dx,
        (n0 * p.C + group * p.icg) * p.H * p.W,
        p.C * p.H * p.W,
        p.icg,
        p.H,
        p.W,
        g.h.kernel,
        g.w.kernel,
        p.OH,
        p.OW,
        nb,
        g.h.dilation,
        g.w.dilation,
        g.w.stride,
        p.h.start,
        p.h.lo,
        p.h.hi,
        p.w.start,
        p.w.lo,
        p.w.hi,
      );
    }
  }
  return dx;
}

export interface ConvParamGrads<A extends Floats> {
  /** [outC, inC/groups, kh, kw], like W. */
  readonly dW: A;
  /** Length outC; null when the geometry says the layer has no bias. */
  readonly db: A | null;
}

/** dW = δy·col(x)ᵀ summed over the batch; db = Σ δy per output channel. */
export function conv2dBackwardFilter<A extends Floats>(g: ConvGeometry, batch: number, x: A, dy: A): ConvParamGrads<A> {
  const p = plan(g, batch);
  need(x, batch * p.C * p.H * p.W, 'x');
  need(dy, batch * p.OC * p.P, 'δy');
  const dW = alloc(x, p.OC * p.kg);
  const perSample = p.P >= PER_SAMPLE_MIN;
  const r = p.P > 0 && batch > 0 ? route(g, p, batch, 'dW') : undefined;
  if (r?.kind === 'winograd') winogradBackwardFilter(g, batch, x, dy, dW);
  else if (r?.kind === 'rows' || r?.kind === 'implicit') implicitFilterGrad(g, p, batch, x, dy, dW, r.kind === 'rows');
  else if (r) {
    for (let n0 = 0; n0 < batch; n0 += p.chunk) {
      const nb = Math.min(p.chunk, batch - n0),
        cols = nb * p.P;
      const col = scratch(x, 'conv.col', p.kg * cols);
      for (let group = 0; group < p.groups; group++) {
        im2col(g, p, x, n0, nb, group, col);
        if (perSample) {
          for (let b = 0; b < nb; b++) {
            gemm(
              p.ocg,
              p.kg,
              p.P,
              { data: dy, offset: ((n0 + b) * p.OC + group * p.ocg) * p.P, rowStride: p.P, colStride: 1 },
              { data: col, offset: b * p.P, rowStride: 1, colStride: cols },
              dW,
              group * p.ocg * p.kg,
              p.kg,
              n0 + b > 0,
            );
          }
        } else {
          const dyg = scratch(x, 'conv.tmp', p.ocg * cols);
          gatherDy(p, dy, n0, nb, group, dyg);
          gemm(
            p.ocg,
            p.kg,
            cols,
            { data: dyg, offset: 0, rowStride: cols, colStride: 1 },
            { data: col, offset: 0, rowStride: 1, colStride: cols },
            dW,
            group * p.ocg * p.kg,
            p.kg,
            n0 > 0,
          );
        }
      }
    }
  }
  return { dW, db: g.bias ? convBiasGrad(p.OC, p.P, batch, dy) : null };
}

function convBiasGrad<A extends Floats>(OC: number, P: number, batch: number, dy: A): A {
  const db = alloc(dy, OC);
  (dy instanceof Float32Array ? biasGradKernel.f32 : biasGradKernel.f64)(dy, db, OC, P, batch);
  return db;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
/** db[c] = Σ over samples and positions of δy[n, c, ·]; a per-type copy, as it reads all of δy. */
function biasGradTemplate(dy: any, db: any, OC: number, P: number, batch: number): void {
  for (let n = 0, o = 0; n < batch; n++) {
    for (let c = 0; c < OC; c++) {
      let s = 0;
      for (let i = 0; i < P; i++) s += dy[o++];
      db[c] += s;
    }
  }
}
/* eslint-enable @typescript-eslint/no-explicit-any */

const biasGradKernel = perType(biasGradTemplate, (f, T) => {
  const dy = new T(12).map((_, i) => i),
    db = new T(2);
  f(dy, db, 2, 3, 2);
  return db[0] === 0 + 1 + 2 + 6 + 7 + 8 && db[1] === 3 + 4 + 5 + 9 + 10 + 11;
});
