/**
 * Winograd minimal-filtering convolution (Lavin & Gray 2015) for stride-1, undilated 3×3 and 5×5 convs:
 * F(2×2, 3×3) with α = 4 points per axis and F(2×2, 5×5) with α = 6, forward, δx and dW.
 *
 * Why: a 2×2 block of outputs of one (filter, channel) pair costs 4·r² multiplies directly but α² here (16
 * for 36, 36 for 100), so layers with many channels on both sides, where nearly all the time is those
 * multiplies, do 2.25× (3×3) or 2.8× (5×5) fewer. The multiplies become α² GEMMs over channels (gemm.ts), one
 * per transform point ξ, so they keep gemm.ts's blocking; the transforms around them are linear in the tile
 * count and cheap next to GEMMs with tens of channels on both sides.
 *
 * Math, per group and per tile t of 2×2 outputs at output (2ty, 2tx), whose input patch d is the α×α block
 * at (2ty − padTop, 2tx − padLeft), zero outside x:
 *   forward  M[ξ] = U[ξ]·V[ξ],      U = G g Gᵀ per (oc, c), V = Bᵀ d B per (c, t),   y_t = Aᵀ M_t A + b
 *   δx       Z[ξ] = U[ξ]ᵀ·Y[ξ],     Y = A δy_t Aᵀ per (oc, t),   δd_t = B Z_t Bᵀ added into δx (patches overlap)
 *   dW       ΔU[ξ] = Σ_t Y[ξ]·V[ξ]ᵀ over the batch,   dW = Gᵀ ΔU G
 * with U[ξ] ocg×icg, V[ξ] and Z[ξ] icg×T, M[ξ] and Y[ξ] ocg×T for the T tiles of a chunk.
 *
 * The matrices are Toom–Cook's for correlation: with E_n(p) the α×n evaluation matrix of the points
 * (row [1, p, …, p^(n−1)], and [0, …, 0, 1] for ∞), A = E_2, G = E_r and Bᵀ = E_α⁻ᵀ; each row of Bᵀ is then
 * scaled to small integers and G's row divided by the same factor, so the data transforms (input, output, δy,
 * δx) only add and multiply by 2, 4 or 5 and the fractions sit in the filter transforms.
 *   α = 4, points 0, 1, −1, ∞:
 *     Aᵀ = [1 1 1 0; 0 1 −1 1]   G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]
 *     Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 −1 0 1]
 *   α = 6, points 0, 1, −1, 2, −2, ∞ (±½ instead of ±2 gave the same float32 error, 2.5e-6 of the largest
 *   output over 64 channels against 6e-7 for direct summation, so the integer Bᵀ won):
 *     Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 1]
 *     G  = [¼ 0 0 0 0; ⅙ ⅙ ⅙ ⅙ ⅙; ⅙ −⅙ ⅙ −⅙ ⅙; 1/24 1/12 ⅙ ⅓ ⅔; 1/24 −1/12 ⅙ −⅓ ⅔; 0 0 0 0 1]
 *     Bᵀ = [4 0 −5 0 1 0; 0 4 4 −1 −1 0; 0 −4 4 1 −1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
 * Each 2-D transform is the 1-D one down the columns, then along the rows, written out with the shared
 * sums/differences of the ± point pairs; ξ = i·α + j for row i, column j of the α×α tile.
 *
 * Accuracy (worst of 8 shapes × 3 seeds, ‖error‖∞ / ‖direct loops‖∞): float64 9e-15 (3×3) and 2.1e-14 (5×5),
 * float32 1.7e-7 and 3.2e-6. Float64 runs use it too: that is five orders inside the 1e-9 to which runs are held
 * against PyTorch, and far below what moves a central difference with ε = 1e-6.
 *
 * Layout and chunking: tiles are numbered sample by sample, tile row by tile row; a chunk is a run of whole tile
 * rows (possibly several samples, possibly part of one) small enough that α²·max(icg, ocg)·T ≤ BUDGET. x (and
 * δx) planes are zero-padded into scratch planes of (2·TH + α − 2) × (2·TW + α − 2), so the transforms read and
 * write whole patches without bounds checks; partial last tiles compute outputs past OH/OW that are never
 * stored (and read δy there as zero). Scratch buffers are module-level and reused across calls.
 *
 * Measured (2-core EPYC, Node 20, one process, medians of 7 rounds; GFLOP/s counted as direct convolution,
 * 2·N·OC·OH·OW·C·KH·KW), conv.ts → here, forward / δx / dW, float32 (float64 within ±0.5):
 *   a 32×64×6×6 → 96 5×5            4.6 → 10.8   4.7 → 10.1   4.6 → 10.8
 *   d 16×32×32×32 → 64 3×3 pad 1    5.1 → 8.9    5.0 → 9.6    6.0 → 9.7
 *   64×64×8×8 → 64 3×3 pad 1        5.4 → 9.0    5.4 → 9.1    4.7 → 9.2
 *   32×16×17×17 → 16 5×5            5.2 → 8.0    5.4 → 8.0    6.1 → 8.3
 *   32×8×17×17 → 16 5×5             5.2 → 7.1    5.2 → 7.3    6.0 → 7.7
 *   64×6×14×14 → 16 5×5             4.7 → 7.8    5.8 → 8.0    5.6 → 7.2
 *   64×4×16×16 → 16 3×3 pad 1       4.4 → 4.8    4.2 → 6.5    5.2 → 6.8
 *   32×3×17×17 → 64 5×5             5.2 → 5.3    5.1 → 6.8    6.1 → 5.6
 *   64×3×32×32 → 16 3×3 pad 1       4.8 → 4.4    4.4 → 6.4    5.8 → 5.5
 *   64×1×32×32 → 6 5×5              5.2 → 2.7    5.3 → 2.2    6.7 → 2.1
 *   32×64×5×5 → 64 3×3 (3×3 map)    4.5 → 5.0    4.3 → 5.3    4.3 → 5.3
 *   32×64×7×7 → 96 5×5 (3×3 map)    4.6 → 6.4    4.7 → 6.4    4.3 → 6.4
 *   64×64×5×5 → 64 5×5 (1×1 map)    4.0 → 2.7    4.0 → 2.6    3.8 → 2.6
 * So it pays when (1) both channel counts per group are large enough that the transforms, per tile ∝ icg + ocg,
 * are small next to the GEMMs, ∝ icg·ocg: 1/icg + 1/ocg ≤ 0.3 for forward and dW, ≤ 0.4 for δx (whose
 * alternatives are slower); and (2) the multiply saving survives partial tiles: r²·OH·OW / (α²·⌈OH/2⌉·⌈OW/2⌉)
 * ≥ 1.25 (2.25 and 2.78 on even maps; 1.27 and 1.56 on a 3×3 map, 0.69 on a 1×1 map). Nearly all the time of
 * the big layers is gemm.ts (70–75% on d); the transforms are the rest.
 */
import type { ConvGeometry } from '../geometry.js';
import { gemm } from './gemm.js';
import { padPlanesKernel } from './implicit.js';
import { type Floats, perType, scratch } from './specialize.js';

/**
 * Largest transformed-data buffer per chunk (elements), as conv.ts's COL_BUDGET but smaller: the output transform
 * reads back what the GEMMs just wrote, and from a chunk of 2^17 rather than 2^21 that is still in L2 (shape d,
 * float32: 8.4 → 8.6 GFLOP/s forward, 8.3–9.1 → 9.1–10.0 δx; shape a is one chunk either way).
 */
const BUDGET = 1 << 17;

/** Whether the Winograd kernels take this geometry: stride 1, no dilation, a 3×3 or 5×5 kernel, a non-empty output. */
export function winogradFits(g: ConvGeometry): boolean {
  const { h, w } = g;
  return (
    h.stride === 1 &&
    w.stride === 1 &&
    h.dilation === 1 &&
    w.dilation === 1 &&
    h.kernel === w.kernel &&
    (h.kernel === 3 || h.kernel === 5) &&
    h.out >= 1 &&
    w.out >= 1
  );
}

/* eslint-disable @typescript-eslint/no-explicit-any */
// Every template below takes `t`, a Float64Array scratch of α² (whatever the data type, so intermediate sums
// are not rounded to float32), and loops over 2-D tiles with the 1-D transform written once per pass.

/** U[ξ·xs + k] = (G g_k Gᵀ)[ξ] for the `count` 3×3 filters g_k = w[wOff + 9k …]. */
function filter4Template(w: any, wOff: number, count: number, u: any, xs: number, t: Float64Array): void {
  for (let k = 0; k < count; k++) {
    const g = wOff + 9 * k;
    for (let j = 0; j < 3; j++) {
      const g0 = w[g + j],
        g1 = w[g + 3 + j],
        g2 = w[g + 6 + j],
        s = g0 + g2;
      t[j] = g0;
      t[3 + j] = 0.5 * (s + g1);
      t[6 + j] = 0.5 * (s - g1);
      t[9 + j] = g2;
    }
    for (let i = 0, o = k; i < 4; i++, o += 4 * xs) {
      const g0 = t[3 * i],
        g1 = t[3 * i + 1],
        g2 = t[3 * i + 2],
        s = g0 + g2;
      u[o] = g0;
      u[o + xs] = 0.5 * (s + g1);
      u[o + 2 * xs] = 0.5 * (s - g1);
      u[o + 3 * xs] = g2;
    }
  }
}

/** dW[dwOff + 9k …] = Gᵀ ΔU_k G, ΔU_k[ξ] = du[ξ·xs + k], for `count` filters. */
function filterGrad4Template(du: any, xs: number, count: number, dW: any, dwOff: number, t: Float64Array): void {
  for (let k = 0; k < count; k++) {
    for (let j = 0; j < 4; j++) {
      const u0 = du[j * xs + k],
        u1 = du[(4 + j) * xs + k],
        u2 = du[(8 + j) * xs + k],
        u3 = du[(12 + j) * xs + k];
      const h = 0.5 * (u1 + u2);
      t[j] = u0 + h;
      t[4 + j] = 0.5 * (u1 - u2);
      t[8 + j] = h + u3;
    }
    for (let i = 0, o = dwOff + 9 * k; i < 3; i++, o += 3) {
      const u0 = t[4 * i],
        u1 = t[4 * i + 1],
        u2 = t[4 * i + 2],
        u3 = t[4 * i + 3],
        h = 0.5 * (u1 + u2);
      dW[o] = u0 + h;
      dW[o + 1] = 0.5 * (u1 - u2);
      dW[o + 2] = h + u3;
    }
  }
}

/**
 * V[vOff + ξ·xs + c·ld + col] = (Bᵀ d B)[ξ] for the `planes` padded Hp×Wp planes at srcOff and the tiles of
 * rows ty0 ≤ ty < ty1 (TW per row, numbered from column vOff on).
 */
function input4Template(
  src: any,
  srcOff: number,
  planes: number,
  Hp: number,
  Wp: number,
  ty0: number,
  ty1: number,
  TW: number,
  v: any,
  vOff: number,
  ld: number,
  xs: number,
  t: Float64Array,
): void {
  for (let c = 0; c < planes; c++) {
    const plane = srcOff + c * Hp * Wp;
    for (let ty = ty0, col = vOff + c * ld; ty < ty1; ty++) {
      for (let tx = 0; tx < TW; tx++, col++) {
        const p = plane + 2 * ty * Wp + 2 * tx;
        for (let j = 0; j < 4; j++) {
          const d0 = src[p + j],
            d1 = src[p + Wp + j],
            d2 = src[p + 2 * Wp + j],
            d3 = src[p + 3 * Wp + j];
          t[j] = d0 - d2;
          t[4 + j] = d1 + d2;
          t[8 + j] = d2 - d1;
          t[12 + j] = d3 - d1;
        }
        for (let i = 0, o = col; i < 4; i++, o += 4 * xs) {
          const d0 = t[4 * i],
            d1 = t[4 * i + 1],
            d2 = t[4 * i + 2],
            d3 = t[4 * i + 3];
          v[o] = d0 - d2;
          v[o + xs] = d1 + d2;
          v[o + 2 * xs] = d2 - d1;
          v[o + 3 * xs] = d3 - d1;
        }
      }
    }
  }
}

/**
 * y[yOff + i·OH·OW + …] = (Aᵀ M A) + bias[biasOff + i] for the `rows` rows i of M (M[ξ](i, col) =
 * m[mOff + ξ·xs + i·ld + col]) and the tiles of rows ty0…ty1 − 1; only outputs inside OH×OW are stored.
 */
function output4Template(
  m: any,
  mOff: number,
  ld: number,
  xs: number,
  rows: number,
  ty0: number,
  ty1: number,
  TW: number,
  OH: number,
  OW: number,
  bias: any,
  biasOff: number,
  y: any,
  yOff: number,
  t: Float64Array,
): void {
  for (let i = 0; i < rows; i++) {
    const b = bias === null ? 0 : bias[biasOff + i],
      plane = yOff + i * OH * OW;
    for (let ty = ty0, col = mOff + i * ld; ty < ty1; ty++) {
      const oy = 2 * ty,
        two = oy + 1 < OH;
      for (let tx = 0; tx < TW; tx++, col++) {
        for (let j = 0, q = col; j < 4; j++, q += xs) {
          const m0 = m[q],
            m1 = m[q + 4 * xs],
            m2 = m[q + 8 * xs],
            m3 = m[q + 12 * xs];
          t[j] = m0 + m1 + m2;
          t[4 + j] = m1 - m2 + m3;
        }
        const ox = 2 * tx,
          o = plane + oy * OW + ox;
        y[o] = b + t[0] + t[1] + t[2];
        if (ox + 1 < OW) y[o + 1] = b + t[1] - t[2] + t[3];
        if (two) {
          y[o + OW] = b + t[4] + t[5] + t[6];
          if (ox + 1 < OW) y[o + OW + 1] = b + t[5] - t[6] + t[7];
        }
      }
    }
  }
}

/**
 * m[mOff + ξ·xs + i·ld + col] = (A δy_t Aᵀ)[ξ] for the `rows` δy planes i at dyOff (OH×OW) and the tiles of rows
 * ty0…ty1 − 1, δy read as zero past OH/OW.
 */
function grad4Template(
  dy: any,
  dyOff: number,
  rows: number,
  OH: number,
  OW: number,
  ty0: number,
  ty1: number,
  TW: number,
  m: any,
  mOff: number,
  ld: number,
  xs: number,
  _t: Float64Array,
): void {
  for (let i = 0; i < rows; i++) {
    const plane = dyOff + i * OH * OW;
    for (let ty = ty0, col = mOff + i * ld; ty < ty1; ty++) {
      const oy = 2 * ty,
        two = oy + 1 < OH;
      for (let tx = 0; tx < TW; tx++, col++) {
        const ox = 2 * tx,
          q = plane + oy * OW + ox,
          wide = ox + 1 < OW;
        const e00 = dy[q],
          e01 = wide ? dy[q + 1] : 0,
          e10 = two ? dy[q + OW] : 0,
          e11 = two && wide ? dy[q + OW + 1] : 0;
        // Columns: A·e = [e0, e0 + e1, e0 − e1, e1]; then the same along each of the 4 rows.
        const s0 = e00 + e10,
          d0 = e00 - e10,
          s1 = e01 + e11,
          d1 = e01 - e11;
        let o = col;
        m[o] = e00;
        m[o + xs] = e00 + e01;
        m[o + 2 * xs] = e00 - e01;
        m[o + 3 * xs] = e01;
        o += 4 * xs;
        m[o] = s0;
        m[o + xs] = s0 + s1;
        m[o + 2 * xs] = s0 - s1;
        m[o + 3 * xs] = s1;
        o += 4 * xs;
        m[o] = d0;
        m[o + xs] = d0 + d1;
        m[o + 2 * xs] = d0 - d1;
        m[o + 3 * xs] = d1;
        o += 4 * xs;
        m[o] = e10;
        m[o + xs] = e10 + e11;
        m[o + 2 * xs] = e10 - e11;
        m[o + 3 * xs] = e11;
      }
    }
  }
}

/**
 * dst[…] += (B Z_t Bᵀ) into the padded Hp×Wp planes for the `planes` rows c of Z (Z[ξ](c, col) =
 * z[zOff + ξ·xs + c·ld + col]) and the tiles of rows ty0…ty1 − 1.
 */
function scatter4Template(
  z: any,
  zOff: number,
  ld: number,
  xs: number,
  planes: number,
  ty0: number,
  ty1: number,
  TW: number,
  dst: any,
  Hp: number,
  Wp: number,
  t: Float64Array,
): void {
  for (let c = 0; c < planes; c++) {
    const plane = c * Hp * Wp;
    for (let ty = ty0, col = zOff + c * ld; ty < ty1; ty++) {
      for (let tx = 0; tx < TW; tx++, col++) {
        // Columns: B·z = [z0, z1 − z2 − z3, z1 + z2 − z0, z3].
        for (let j = 0, q = col; j < 4; j++, q += xs) {
          const z0 = z[q],
            z1 = z[q + 4 * xs],
            z2 = z[q + 8 * xs],
            z3 = z[q + 12 * xs];
          t[j] = z0;
          t[4 + j] = z1 - z2 - z3;
          t[8 + j] = z1 + z2 - z0;
          t[12 + j] = z3;
        }
        for (let i = 0, p = plane + 2 * ty * Wp + 2 * tx; i < 4; i++, p += Wp) {
          const z0 = t[4 * i],
            z1 = t[4 * i + 1],
            z2 = t[4 * i + 2],
            z3 = t[4 * i + 3];
          dst[p] += z0;
          dst[p + 1] += z1 - z2 - z3;
          dst[p + 2] += z1 + z2 - z0;
          dst[p + 3] += z3;
        }
      }
    }
  }
}

/** As filter4Template for 5×5 filters and α = 6. */
function filter6Template(w: any, wOff: number, count: number, u: any, xs: number, t: Float64Array): void {
  // Reciprocals as factors: a division costs several multiplies, and this runs once per (filter, channel).
  const c3 = 1 / 3,
    c6 = 1 / 6,
    c12 = 1 / 12,
    c24 = 1 / 24,
    c23 = 2 / 3;
  for (let k = 0; k < count; k++) {
    const g = wOff + 25 * k;
    // G·g = [g0/4, e + o, e − o, e' + o', e' − o', g4], e = (g0 + g2 + g4)/6, o = (g1 + g3)/6,
    // e' = g0/24 + g2/6 + 2g4/3, o' = g1/12 + g3/3.
    for (let j = 0; j < 5; j++) {
      const g0 = w[g + j],
        g1 = w[g + 5 + j],
        g2 = w[g + 10 + j],
        g3 = w[g + 15 + j],
        g4 = w[g + 20 + j];
      const e = (g0 + g2 + g4) * c6,
        o = (g1 + g3) * c6,
        e2 = g0 * c24 + g2 * c6 + g4 * c23,
        o2 = g1 * c12 + g3 * c3;
      t[j] = 0.25 * g0;
      t[5 + j] = e + o;
      t[10 + j] = e - o;
      t[15 + j] = e2 + o2;
      t[20 + j] = e2 - o2;
      t[25 + j] = g4;
    }
    for (let i = 0, q = k; i < 30; i += 5, q += 6 * xs) {
      const g0 = t[i],
        g1 = t[i + 1],
        g2 = t[i + 2],
        g3 = t[i + 3],
        g4 = t[i + 4];
      const e = (g0 + g2 + g4) * c6,
        o = (g1 + g3) * c6,
        e2 = g0 * c24 + g2 * c6 + g4 * c23,
        o2 = g1 * c12 + g3 * c3;
      u[q] = 0.25 * g0;
      u[q + xs] = e + o;
      u[q + 2 * xs] = e - o;
      u[q + 3 * xs] = e2 + o2;
      u[q + 4 * xs] = e2 - o2;
      u[q + 5 * xs] = g4;
    }
  }
}

/** As filterGrad4Template for α = 6 and 5×5 filters. */
function filterGrad6Template(du: any, xs: number, count: number, dW: any, dwOff: number, t: Float64Array): void {
  const c3 = 1 / 3,
    c6 = 1 / 6,
    c12 = 1 / 12,
    c24 = 1 / 24,
    c23 = 2 / 3;
  for (let k = 0; k < count; k++) {
    // Gᵀ·u with p = (u1 + u2)/6, q = (u1 − u2)/6, s = u3 + u4, d = u3 − u4:
    // [u0/4 + p + s/24, q + d/12, p + s/6, q + d/3, p + 2s/3 + u5].
    for (let j = 0, a = k + j * xs; j < 6; j++, a += xs) {
      const u0 = du[a],
        u1 = du[a + 6 * xs],
        u2 = du[a + 12 * xs],
        u3 = du[a + 18 * xs],
        u4 = du[a + 24 * xs],
        u5 = du[a + 30 * xs];
      const p = (u1 + u2) * c6,
        q = (u1 - u2) * c6,
        s = u3 + u4,
        d = u3 - u4;
      t[j] = 0.25 * u0 + p + s * c24;
      t[6 + j] = q + d * c12;
      t[12 + j] = p + s * c6;
      t[18 + j] = q + d * c3;
      t[24 + j] = p + s * c23 + u5;
    }
    for (let i = 0, o = dwOff + 25 * k; i < 30; i += 6, o += 5) {
      const u0 = t[i],
        u1 = t[i + 1],
        u2 = t[i + 2],
        u3 = t[i + 3],
        u4 = t[i + 4],
        u5 = t[i + 5];
      const p = (u1 + u2) * c6,
        q = (u1 - u2) * c6,
        s = u3 + u4,
        d = u3 - u4;
      dW[o] = 0.25 * u0 + p + s * c24;
      dW[o + 1] = q + d * c12;
      dW[o + 2] = p + s * c6;
      dW[o + 3] = q + d * c3;
      dW[o + 4] = p + s * c23 + u5;
    }
  }
}

/** As input4Template for α = 6. */
function input6Template(
  src: any,
  srcOff: number,
  planes: number,
  Hp: number,
  Wp: number,
  ty0: number,
  ty1: number,
  TW: number,
  v: any,
  vOff: number,
  ld: number,
  xs: number,
  t: Float64Array,
): void {
  for (let c = 0; c < planes; c++) {
    const plane = srcOff + c * Hp * Wp;
    for (let ty = ty0, col = vOff + c * ld; ty < ty1; ty++) {
      for (let tx = 0; tx < TW; tx++, col++) {
        const p = plane + 2 * ty * Wp + 2 * tx;
        // Bᵀ·d = [4d0 − 5d2 + d4, a + b, a − b, e + f, e − f, 4d1 − 5d3 + d5],
        // a = 4d2 − d4, b = 4d1 − d3, e = d4 − d2, f = 2(d3 − d1).
        for (let j = 0, q = p; j < 6; j++, q++) {
          const d0 = src[q],
            d1 = src[q + Wp],
            d2 = src[q + 2 * Wp],
            d3 = src[q + 3 * Wp],
            d4 = src[q + 4 * Wp];
          const d5 = src[q + 5 * Wp],
            a = 4 * d2 - d4,
            b = 4 * d1 - d3,
            e = d4 - d2,
            f = 2 * (d3 - d1);
          t[j] = 4 * d0 - 5 * d2 + d4;
          t[6 + j] = a + b;
          t[12 + j] = a - b;
          t[18 + j] = e + f;
          t[24 + j] = e - f;
          t[30 + j] = 4 * d1 - 5 * d3 + d5;
        }
        for (let i = 0, o = col; i < 36; i += 6, o += 6 * xs) {
          const d0 = t[i],
            d1 = t[i + 1],
            d2 = t[i + 2],
            d3 = t[i + 3],
            d4 = t[i + 4],
            d5 = t[i + 5];
          const a = 4 * d2 - d4,
            b = 4 * d1 - d3,
            e = d4 - d2,
            f = 2 * (d3 - d1);
          v[o] = 4 * d0 - 5 * d2 + d4;
          v[o + xs] = a + b;
          v[o + 2 * xs] = a - b;
          v[o + 3 * xs] = e + f;
          v[o + 4 * xs] = e - f;
          v[o + 5 * xs] = 4 * d1 - 5 * d3 + d5;
        }
      }
    }
  }
}

/** As output4Template for α = 6: Aᵀ·m = [m0 + (m1 + m2) + (m3 + m4), (m1 − m2) + 2(m3 − m4) + m5]. */
function output6Template(
  m: any,
  mOff: number,
  ld: number,
  xs: number,
  rows: number,
  ty0: number,
  ty1: number,
  TW: number,
  OH: number,
  OW: number,
  bias: any,
  biasOff: number,
  y: any,
  yOff: number,
  t: Float64Array,
): void {
  for (let i = 0; i < rows; i++) {
    const b = bias === null ? 0 : bias[biasOff + i],
      plane = yOff + i * OH * OW;
    for (let ty = ty0, col = mOff + i * ld; ty < ty1; ty++) {
      const oy = 2 * ty,
        two = oy + 1 < OH;
      for (let tx = 0; tx < TW; tx++, col++) {
        for (let j = 0, q = col; j < 6; j++, q += xs) {
          const m0 = m[q],
            m1 = m[q + 6 * xs],
            m2 = m[q + 12 * xs],
            m3 = m[q + 18 * xs],
            m4 = m[q + 24 * xs];
          const m5 = m[q + 30 * xs];
          t[j] = m0 + (m1 + m2) + (m3 + m4);
          t[6 + j] = m1 - m2 + 2 * (m3 - m4) + m5;
        }
        const ox = 2 * tx,
          o = plane + oy * OW + ox,
          wide = ox + 1 < OW;
        y[o] = b + t[0] + (t[1] + t[2]) + (t[3] + t[4]);
        if (wide) y[o + 1] = b + (t[1] - t[2]) + 2 * (t[3] - t[4]) + t[5];
        if (two) {
          y[o + OW] = b + t[6] + (t[7] + t[8]) + (t[9] + t[10]);
          if (wide) y[o + OW + 1] = b + (t[7] - t[8]) + 2 * (t[9] - t[10]) + t[11];
        }
      }
    }
  }
}

/** As grad4Template for α = 6: A·e = [e0, e0 + e1, e0 − e1, e0 + 2e1, e0 − 2e1, e1]. */
function grad6Template(
  dy: any,
  dyOff: number,
  rows: number,
  OH: number,
  OW: number,
  ty0: number,
  ty1: number,
  TW: number,
  m: any,
  mOff: number,
  ld: number,
  xs: number,
  t: Float64Array,
): void {
  for (let i = 0; i < rows; i++) {
    const plane = dyOff + i * OH * OW;
    for (let ty = ty0, col = mOff + i * ld; ty < ty1; ty++) {
      const oy = 2 * ty,
        two = oy + 1 < OH;
      for (let tx = 0; tx < TW; tx++, col++) {
        const ox = 2 * tx,
          q = plane + oy * OW + ox,
          wide = ox + 1 < OW;
        const e00 = dy[q],
          e01 = wide ? dy[q + 1] : 0,
          e10 = two ? dy[q + OW] : 0,
          e11 = two && wide ? dy[q + OW + 1] : 0;
        // Columns (the two of δy's block), then each of the 6 rows.
        t[0] = e00;
        t[1] = e00 + e10;
        t[2] = e00 - e10;
        t[3] = e00 + 2 * e10;
        t[4] = e00 - 2 * e10;
        t[5] = e10;
        t[6] = e01;
        t[7] = e01 + e11;
        t[8] = e01 - e11;
        t[9] = e01 + 2 * e11;
        t[10] = e01 - 2 * e11;
        t[11] = e11;
        for (let r = 0, o = col; r < 6; r++, o += 6 * xs) {
          const a = t[r],
            c = t[6 + r];
          m[o] = a;
          m[o + xs] = a + c;
          m[o + 2 * xs] = a - c;
          m[o + 3 * xs] = a + 2 * c;
          m[o + 4 * xs] = a - 2 * c;
          m[o + 5 * xs] = c;
        }
      }
    }
  }
}

/**
 * As scatter4Template for α = 6: B·z = [4z0, 4q − 2d + 4z5, 4p − s − 5z0, 2d − q − 5z5, s − p + z0, z5] with
 * p = z1 + z2, q = z1 − z2, s = z3 + z4, d = z3 − z4.
 */
function scatter6Template(
  z: any,
  zOff: number,
  ld: number,
  xs: number,
  planes: number,
  ty0: number,
  ty1: number,
  TW: number,
  dst: any,
  Hp: number,
  Wp: number,
  t: Float64Array,
): void {
  for (let c = 0; c < planes; c++) {
    const plane = c * Hp * Wp;
    for (let ty = ty0, col = zOff + c * ld; ty < ty1; ty++) {
      for (let tx = 0; tx < TW; tx++, col++) {
        for (let j = 0, q = col; j < 6; j++, q += xs) {
          const z0 = z[q],
            z1 = z[q + 6 * xs],
            z2 = z[q + 12 * xs],
            z3 = z[q + 18 * xs],
            z4 = z[q + 24 * xs];
          const z5 = z[q + 30 * xs],
            p = z1 + z2,
            r = z1 - z2,
            s = z3 + z4,
            d = z3 - z4;
          t[j] = 4 * z0;
          t[6 + j] = 4 * (r + z5) - 2 * d;
          t[12 + j] = 4 * p - s - 5 * z0;
          t[18 + j] = 2 * d - r - 5 * z5;
          t[24 + j] = s - p + z0;
          t[30 + j] = z5;
        }
        for (let i = 0, o = plane + 2 * ty * Wp + 2 * tx; i < 36; i += 6, o += Wp) {
          const z0 = t[i],
            z1 = t[i + 1],
            z2 = t[i + 2],
            z3 = t[i + 3],
            z4 = t[i + 4],
            z5 = t[i + 5];
          const p = z1 + z2,
            r = z1 - z2,
            s = z3 + z4,
            d = z3 - z4;
          dst[o] += 4 * z0;
          dst[o + 1] += 4 * (r + z5) - 2 * d;
          dst[o + 2] += 4 * p - s - 5 * z0;
          dst[o + 3] += 2 * d - r - 5 * z5;
          dst[o + 4] += s - p + z0;
          dst[o + 5] += z5;
        }
      }
    }
  }
}

/** dst[dstOff + c·H·W + u·W + v] = src[c·Hp·Wp + (u + top)·Wp + v + left]: the inside of padded planes. */
function cropTemplate(
  src: any,
  planes: number,
  Hp: number,
  Wp: number,
  top: number,
  left: number,
  dst: any,
  dstOff: number,
  H: number,
  W: number,
): void {
  for (let c = 0, o = dstOff; c < planes; c++) {
    for (let u = 0; u < H; u++) {
      for (let v = 0, s = (c * Hp + u + top) * Wp + left; v < W; v++) dst[o++] = src[s++];
    }
  }
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** A smoke check for perType: the copy and the template give identical outputs on the same small inputs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function same<F extends (...args: any[]) => unknown>(
  template: F,
  args: (T: Float32ArrayConstructor | Float64ArrayConstructor) => any[], // eslint-disable-line @typescript-eslint/no-explicit-any
  out: number,
) {
  return (f: F, T: Float32ArrayConstructor | Float64ArrayConstructor): boolean => {
    const a = args(T),
      b = args(T);
    f(...a);
    template(...b);
    return (a[out] as Floats).every((v, i) => v === (b[out] as Floats)[i]) && (a[out] as Floats).some((v) => v !== 0);
  };
}
type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
const data = (T: Ctor, n: number) => new T(n).map((_, i) => ((i * 7) % 11) - 5);
const scratch36 = () => new Float64Array(36);

/** The six data/filter transforms of one α, each with a per-type copy. */
const ALPHA4 = {
  filter: perType(
    filter4Template,
    same(filter4Template, (T) => [data(T, 18), 0, 2, new T(32), 2, scratch36()], 3),
  ),
  filterGrad: perType(
    filterGrad4Template,
    same(filterGrad4Template, (T) => [data(T, 32), 2, 2, new T(18), 0, scratch36()], 3),
  ),
  input: perType(
    input4Template,
    same(input4Template, (T) => [data(T, 72), 0, 2, 6, 6, 0, 2, 2, new T(128), 0, 4, 8, scratch36()], 8),
  ),
  output: perType(
    output4Template,
    same(output4Template, (T) => [data(T, 64), 0, 4, 4, 1, 0, 2, 2, 3, 3, data(T, 1), 0, new T(9), 0, scratch36()], 12),
  ),
  grad: perType(
    grad4Template,
    same(grad4Template, (T) => [data(T, 9), 0, 1, 3, 3, 0, 2, 2, new T(64), 0, 4, 4, scratch36()], 8),
  ),
  scatter: perType(
    scatter4Template,
    same(scatter4Template, (T) => [data(T, 64), 0, 4, 4, 1, 0, 2, 2, new T(36), 6, 6, scratch36()], 8),
  ),
};
const ALPHA6 = {
  filter: perType(
    filter6Template,
    same(filter6Template, (T) => [data(T, 50), 0, 2, new T(72), 2, scratch36()], 3),
  ),
  filterGrad: perType(
    filterGrad6Template,
    same(filterGrad6Template, (T) => [data(T, 72), 2, 2, new T(50), 0, scratch36()], 3),
  ),
  input: perType(
    input6Template,
    same(input6Template, (T) => [data(T, 128), 0, 2, 8, 8, 0, 2, 2, new T(288), 0, 4, 8, scratch36()], 8),
  ),
  output: perType(
    output6Template,
    same(
      output6Template,
      (T) => [data(T, 144), 0, 4, 4, 1, 0, 2, 2, 3, 3, data(T, 1), 0, new T(9), 0, scratch36()],
      12,
    ),
  ),
  grad: perType(
    grad6Template,
    same(grad6Template, (T) => [data(T, 9), 0, 1, 3, 3, 0, 2, 2, new T(144), 0, 4, 4, scratch36()], 8),
  ),
  scatter: perType(
    scatter6Template,
    same(scatter6Template, (T) => [data(T, 144), 0, 4, 4, 1, 0, 2, 2, new T(64), 8, 8, scratch36()], 8),
  ),
};
const cropKernel = perType(
  cropTemplate,
  same(cropTemplate, (T) => [data(T, 32), 2, 4, 4, 1, 1, new T(8), 0, 2, 2], 6),
);

interface Plan {
  /** Points per axis α and kernel size r (α = r + 1: 2×2 output tiles). */
  readonly a: number;
  readonly r: number;
  readonly C: number;
  readonly H: number;
  readonly W: number;
  readonly OC: number;
  readonly OH: number;
  readonly OW: number;
  readonly groups: number;
  readonly icg: number;
  readonly ocg: number;
  /** Tiles per axis, ⌈OH/2⌉ and ⌈OW/2⌉. */
  readonly TH: number;
  readonly TW: number;
  /** Zero-padded planes the tiles' patches lie in: 2·TH + α − 2 by 2·TW + α − 2. */
  readonly Hp: number;
  readonly Wp: number;
  readonly top: number;
  readonly left: number;
  /** Tile rows per chunk. */
  readonly rows: number;
}

function plan(g: ConvGeometry, batch: number): Plan {
  if (!winogradFits(g))
    throw new Error('winograd: needs a stride-1, undilated 3×3 or 5×5 conv with a non-empty output');
  const { h, w, inChannels: C, outChannels: OC, groups } = g;
  if (groups < 1 || C % groups !== 0 || OC % groups !== 0)
    throw new Error(`winograd: groups ${groups} must divide ${C} and ${OC}`);
  const r = h.kernel,
    a = r + 1,
    icg = C / groups,
    ocg = OC / groups,
    TH = Math.ceil(h.out / 2),
    TW = Math.ceil(w.out / 2);
  const rows = Math.max(1, Math.min(batch * TH, Math.floor(BUDGET / (a * a * Math.max(icg, ocg) * TW))));
  return {
    a,
    r,
    C,
    H: h.size,
    W: w.size,
    OC,
    OH: h.out,
    OW: w.out,
    groups,
    icg,
    ocg,
    TH,
    TW,
    Hp: 2 * TH + a - 2,
    Wp: 2 * TW + a - 2,
    top: h.padBefore,
    left: w.padBefore,
    rows,
  };
}

function need(x: Floats, n: number, what: string): void {
  if (x.length !== n) throw new Error(`winograd: ${what} has ${x.length} elements, expected ${n}`);
}

const t36 = new Float64Array(36);

function kernels(p: Plan, like: Floats) {
  const k = p.a === 4 ? ALPHA4 : ALPHA6,
    f32 = like instanceof Float32Array;
  return {
    filter: f32 ? k.filter.f32 : k.filter.f64,
    filterGrad: f32 ? k.filterGrad.f32 : k.filterGrad.f64,
    input: f32 ? k.input.f32 : k.input.f64,
    output: f32 ? k.output.f32 : k.output.f64,
    grad: f32 ? k.grad.f32 : k.grad.f64,
    scatter: f32 ? k.scatter.f32 : k.scatter.f64,
    crop: f32 ? cropKernel.f32 : cropKernel.f64,
  };
}

/**
 * Runs `chunk` over the batch's tile rows in chunks of p.rows: `chunk(T, each)` where T is the chunk's tile count
 * and `each(f)` calls f(n, ty0, ty1, col0) for each sample n the chunk meets, with its tile rows ty0…ty1 − 1 and
 * the chunk column of its first tile.
 */
function chunks(
  p: Plan,
  batch: number,
  chunk: (T: number, each: (f: (n: number, ty0: number, ty1: number, col0: number) => void) => void) => void,
): void {
  const total = batch * p.TH;
  for (let R0 = 0; R0 < total; R0 += p.rows) {
    const R1 = Math.min(total, R0 + p.rows);
    chunk((R1 - R0) * p.TW, (f) => {
      for (let n = Math.floor(R0 / p.TH); n * p.TH < R1; n++) {
        const ty0 = Math.max(0, R0 - n * p.TH),
          ty1 = Math.min(p.TH, R1 - n * p.TH);
        f(n, ty0, ty1, (n * p.TH + ty0 - R0) * p.TW);
      }
    });
  }
}

/**
 * A stride ≥ n that is an odd number of 8-element blocks. The α² matrices of a transform are written together, one
 * element in each per tile; at a stride of a multiple of 4 KiB (2048 tiles of float32, 64 × 96 filters…) they
 * all fall into the same L1 set and evict each other (the filter transform took a quarter of shape a's time).
 */
function skew(n: number): number {
  const s = Math.ceil(n / 8) * 8;
  return (s / 8) % 2 ? s : s + 8;
}

/** Strides of a chunk of T tiles: rows of V, M, Z (ld), and consecutive ξ of V or Z (icg rows) and M or Y (ocg rows). */
function strides(p: Plan, T: number): { ld: number; vxs: number; mxs: number } {
  const ld = skew(T);
  return { ld, vxs: skew(p.icg * ld), mxs: skew(p.ocg * ld) };
}

/** Bᵀ d B of sample n, group `group`, tile rows ty0…ty1 − 1, into V (icg rows per ξ) from column col0. */
function inputTiles<A extends Floats>(
  p: Plan,
  k: ReturnType<typeof kernels>,
  x: A,
  n: number,
  group: number,
  ty0: number,
  ty1: number,
  v: A,
  col0: number,
  ld: number,
  vxs: number,
): void {
  const at = (n * p.C + group * p.icg) * p.H * p.W;
  let src = x,
    srcOff = at;
  if (p.top !== 0 || p.left !== 0 || p.Hp !== p.H || p.Wp !== p.W) {
    src = scratch(x, 'winograd.pad', p.icg * p.Hp * p.Wp);
    srcOff = 0;
    (x instanceof Float32Array ? padPlanesKernel.f32 : padPlanesKernel.f64)(
      x,
      at,
      p.icg,
      p.H,
      p.W,
      p.top,
      p.left,
      src,
      p.Hp,
      p.Wp,
    );
  }
  k.input(src, srcOff, p.icg, p.Hp, p.Wp, ty0, ty1, p.TW, v, col0, ld, vxs, t36);
}

/** y = conv(x, W) + b (bias may be null) for a geometry `winogradFits`; y is overwritten. */
export function winogradForward<A extends Floats>(
  g: ConvGeometry,
  batch: number,
  x: A,
  weights: A,
  bias: A | null,
  y: A,
): void {
  const p = plan(g, batch),
    k = kernels(p, x),
    a2 = p.a * p.a,
    { icg, ocg } = p;
  need(x, batch * p.C * p.H * p.W, 'x');
  need(weights, p.OC * icg * p.r * p.r, 'W');
  if (bias) need(bias, p.OC, 'b');
  need(y, batch * p.OC * p.OH * p.OW, 'y');
  const uxs = skew(ocg * icg),
    cap = strides(p, p.rows * p.TW);
  const u = scratch(x, 'winograd.u', a2 * uxs),
    v = scratch(x, 'winograd.v', a2 * cap.vxs);
  const m = scratch(x, 'winograd.m', a2 * cap.mxs);
  for (let group = 0; group < p.groups; group++) {
    k.filter(weights, group * ocg * icg * p.r * p.r, ocg * icg, u, uxs, t36);
    chunks(p, batch, (T, each) => {
      const { ld, vxs, mxs } = strides(p, T);
      each((n, ty0, ty1, col0) => inputTiles(p, k, x, n, group, ty0, ty1, v, col0, ld, vxs));
      for (let xi = 0; xi < a2; xi++) {
        gemm(
          ocg,
          T,
          icg,
          { data: u, offset: xi * uxs, rowStride: icg, colStride: 1 },
          { data: v, offset: xi * vxs, rowStride: ld, colStride: 1 },
          m,
          xi * mxs,
          ld,
        );
      }
      each((n, ty0, ty1, col0) =>
        k.output(
          m,
          col0,
          ld,
          mxs,
          ocg,
          ty0,
          ty1,
          p.TW,
          p.OH,
          p.OW,
          bias,
          group * ocg,
          y,
          (n * p.OC + group * ocg) * p.OH * p.OW,
          t36,
        ),
      );
    });
  }
}

/** δx of y = conv(x, W) given δy, for a geometry `winogradFits`; dx is overwritten. */
export function winogradBackwardInput<A extends Floats>(
  g: ConvGeometry,
  batch: number,
  dy: A,
  weights: A,
  dx: A,
): void {
  const p = plan(g, batch),
    k = kernels(p, dy),
    a2 = p.a * p.a,
    { icg, ocg } = p;
  need(dy, batch * p.OC * p.OH * p.OW, 'δy');
  need(weights, p.OC * icg * p.r * p.r, 'W');
  need(dx, batch * p.C * p.H * p.W, 'δx');
  const uxs = skew(ocg * icg),
    cap = strides(p, p.rows * p.TW),
    plane = p.Hp * p.Wp;
  const u = scratch(dy, 'winograd.u', a2 * uxs),
    m = scratch(dy, 'winograd.m', a2 * cap.mxs);
  const z = scratch(dy, 'winograd.v', a2 * cap.vxs);
  const pad = scratch(dy, 'winograd.pad', icg * plane);
  for (let group = 0; group < p.groups; group++) {
    k.filter(weights, group * ocg * icg * p.r * p.r, ocg * icg, u, uxs, t36);
    chunks(p, batch, (T, each) => {
      const { ld, vxs, mxs } = strides(p, T);
      each((n, ty0, ty1, col0) =>
        k.grad(dy, (n * p.OC + group * ocg) * p.OH * p.OW, ocg, p.OH, p.OW, ty0, ty1, p.TW, m, col0, ld, mxs, t36),
      );
      for (let xi = 0; xi < a2; xi++) {
        gemm(
          icg,
          T,
          ocg,
          { data: u, offset: xi * uxs, rowStride: 1, colStride: icg },
          { data: m, offset: xi * mxs, rowStride: ld, colStride: 1 },
          z,
          xi * vxs,
          ld,
        );
      }
      // A sample's padded δx planes fill up over its tile rows, which may span two chunks (processed in order).
      each((n, ty0, ty1, col0) => {
        if (ty0 === 0) pad.fill(0, 0, icg * plane);
        k.scatter(z, col0, ld, vxs, icg, ty0, ty1, p.TW, pad, p.Hp, p.Wp, t36);
        if (ty1 === p.TH)
          k.crop(pad, icg, p.Hp, p.Wp, p.top, p.left, dx, (n * p.C + group * icg) * p.H * p.W, p.H, p.W);
      });
    });
  }
}

/** dW of y = conv(x, W) given x and δy over the whole batch, for a geometry `winogradFits`; dW is overwritten. */
export function winogradBackwardFilter<A extends Floats>(g: ConvGeometry, batch: number, x: A, dy: A, dW: A): void {
  const p = plan(g, batch),
    k = kernels(p, x),
    a2 = p.a * p.a,
    { icg, ocg } = p;
  need(x, batch * p.C * p.H * p.W, 'x');
  need(dy, batch * p.OC * p.OH * p.OW, 'δy');
  need(dW, p.OC * icg * p.r * p.r, 'dW');
  const uxs = skew(ocg * icg),
    cap = strides(p, p.rows * p.TW);
  const du = scratch(x, 'winograd.u', a2 * uxs),
    v = scratch(x, 'winograd.v', a2 * cap.vxs);
  const m = scratch(x, 'winograd.m', a2 * cap.mxs);
  for (let group = 0; group < p.groups; group++) {
    if (batch === 0) du.fill(0, 0, a2 * uxs);
    let first = true;
    chunks(p, batch, (T, each) => {
      const { ld, vxs, mxs } = strides(p, T);
      each((n, ty0, ty1, col0) => {
        inputTiles(p, k, x, n, group, ty0, ty1, v, col0, ld, vxs);
        k.grad(dy, (n * p.OC + group * ocg) * p.OH * p.OW, ocg, p.OH, p.OW, ty0, ty1, p.TW, m, col0, ld, mxs, t36);
      });
      for (let xi = 0; xi < a2; xi++) {
        gemm(
          ocg,
          icg,
          T,
          { data: m, offset: xi * mxs, rowStride: ld, colStride: 1 },
          { data: v, offset: xi * vxs, rowStride: 1, colStride: ld },
          du,
          xi * uxs,
          icg,
          !first,
        );
      }
      first = false;
    });
    k.filterGrad(du, uxs, ocg * icg, dW, group * ocg * icg * p.r * p.r, t36);
  }
}
