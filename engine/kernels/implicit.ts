/**
 * Implicit-GEMM convolution: y = W·col(x) without building col(x). Tap r = (c, ky, kx) of output position p is
 * the element `src[q[p] + off[r]]` of a zero-padded copy of x (planes of Hp×Wp), where q[p] = oy·sh·Wp + ox·sw
 * is the window's corner and off[r] = c·Hp·Wp + ky·dh·Wp + kx·dw. So the GEMM's B operand is read in place
 * through an offset table, and the im2col copy (a quarter of the time of a 6-filter layer on 28×28) is gone.
 *
 * Why this shape: a register tile of mr output channels (3 or 4, as in gemm.ts) by 4 consecutive positions p
 * (which may wrap to the next output row: each column keeps its own corner q, so no position is computed and
 * thrown away). Per tap it loads mr packed weights, one offset and 4 inputs for 4·mr multiply-adds, the
 * budget of gemm.ts's tile plus the offset. The packed weights of one tile (mr·K) and the K taps of 4 columns
 * stay in L1 across the tile loop. conv.ts uses it only for layers with few filters, where im2col's copy weighs
 * most: on big layers the packed GEMM wins (measured: 64 filters of 3×3 taps over 32 planes, 15% slower; as
 * δx of a stride-1 conv, 400–1,600 taps over 16–64 planes, 30–65% slower), presumably because with no
 * k-blocking a tile's scattered reads over many planes fall out of L1.
 *
 * The filter gradient reads x the same way: through the offset table for those layers, and by kernel row
 * (rowFilterGrad5/3) for stride-1 layers with 5- or 3-wide rows at any filter count, where each x loaded feeds
 * every tap of the row it meets; that runs faster than gemm.ts's own 256³ product.
 */
import { perType } from './specialize.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Copies `planes` H×W planes into Hp×Wp planes, element (u, v) ← (u − top, v − left), zero outside the source:
 * conv's padding made explicit (top, left ≥ 0).
 */
function padPlanesTemplate(
  src: any,
  srcOff: number,
  planes: number,
  H: number,
  W: number,
  top: number,
  left: number,
  dst: any,
  Hp: number,
  Wp: number,
): void {
  const v0 = Math.min(Wp, left),
    v1 = Math.min(Wp, left + W);
  let d = 0;
  for (let c = 0; c < planes; c++) {
    const plane = srcOff + c * H * W;
    for (let u = 0; u < Hp; u++) {
      const su = u - top;
      if (su < 0 || su >= H) {
        for (let v = 0; v < Wp; v++) dst[d++] = 0;
        continue;
      }
      let v = 0;
      for (; v < v0; v++) dst[d++] = 0;
      for (let s = plane + su * W + v - left; v < v1; v++) dst[d++] = src[s++];
      for (; v < Wp; v++) dst[d++] = 0;
    }
  }
}

/**
 * out[outOff + i·outRow + p] = init[initOff + i] + Σ_r pw[tile(i)][r][i mod mr] · src[srcOff + q[p] + off[r]]
 * for the M rows i and the P = OH·OW positions p. `pw` holds the weights as mr-row tiles, tap-major
 * (pw[(t·K + r)·mr + ii] is row t·mr + ii, zero past M).
 */
function implicitConvTemplate(
  src: any,
  srcOff: number,
  off: Int32Array,
  K: number,
  pw: any,
  M: number,
  mr: number,
  init: any,
  initOff: number,
  out: any,
  outOff: number,
  outRow: number,
  OH: number,
  OW: number,
  sh: number,
  sw: number,
  Wp: number,
): void {
  const P = OH * OW;
  for (let p0 = 0; p0 < P; p0 += 4) {
    const cols = Math.min(4, P - p0);
    // Corners of the 4 columns; past the end of the map, repeat the last one (those sums are not stored).
    const p1 = p0 + Math.min(1, cols - 1),
      p2 = p0 + Math.min(2, cols - 1),
      p3 = p0 + Math.min(3, cols - 1);
    const q0 = srcOff + ((p0 / OW) | 0) * sh * Wp + (p0 % OW) * sw,
      q1 = srcOff + ((p1 / OW) | 0) * sh * Wp + (p1 % OW) * sw;
    const q2 = srcOff + ((p2 / OW) | 0) * sh * Wp + (p2 % OW) * sw,
      q3 = srcOff + ((p3 / OW) | 0) * sh * Wp + (p3 % OW) * sw;
    for (let i0 = 0; i0 < M; i0 += mr) {
      let ia = i0 * K;
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0,
        c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0,
        c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      if (mr === 4) {
        for (let r = 0; r < K; r++, ia += 4) {
          const o = off[r];
          const b0 = src[q0 + o],
            b1 = src[q1 + o],
            b2 = src[q2 + o],
            b3 = src[q3 + o];
          const a0 = pw[ia],
            a1 = pw[ia + 1],
            a2 = pw[ia + 2],
            a3 = pw[ia + 3];
          c00 += a0 * b0;
          c01 += a0 * b1;
          c02 += a0 * b2;
          c03 += a0 * b3;
          c10 += a1 * b0;
          c11 += a1 * b1;
          c12 += a1 * b2;
          c13 += a1 * b3;
          c20 += a2 * b0;
          c21 += a2 * b1;
          c22 += a2 * b2;
          c23 += a2 * b3;
          c30 += a3 * b0;
          c31 += a3 * b1;
          c32 += a3 * b2;
          c33 += a3 * b3;
        }
      } else {
        for (let r = 0; r < K; r++, ia += 3) {
          const o = off[r];
          const b0 = src[q0 + o],
            b1 = src[q1 + o],
            b2 = src[q2 + o],
            b3 = src[q3 + o];
          const a0 = pw[ia],
            a1 = pw[ia + 1],
            a2 = pw[ia + 2];
          c00 += a0 * b0;
          c01 += a0 * b1;
          c02 += a0 * b2;
          c03 += a0 * b3;
          c10 += a1 * b0;
          c11 += a1 * b1;
          c12 += a1 * b2;
          c13 += a1 * b3;
          c20 += a2 * b0;
          c21 += a2 * b1;
          c22 += a2 * b2;
          c23 += a2 * b3;
        }
      }
      const rows = Math.min(mr, M - i0),
        o0 = outOff + i0 * outRow + p0,
        o1 = o0 + outRow,
        o2 = o1 + outRow,
        o3 = o2 + outRow;
      const e0 = init[initOff + i0],
        e1 = rows > 1 ? init[initOff + i0 + 1] : 0;
      const e2 = rows > 2 ? init[initOff + i0 + 2] : 0,
        e3 = rows > 3 ? init[initOff + i0 + 3] : 0;
      if (cols === 4 && rows >= 3) {
        out[o0] = e0 + c00;
        out[o0 + 1] = e0 + c01;
        out[o0 + 2] = e0 + c02;
        out[o0 + 3] = e0 + c03;
        out[o1] = e1 + c10;
        out[o1 + 1] = e1 + c11;
        out[o1 + 2] = e1 + c12;
        out[o1 + 3] = e1 + c13;
        out[o2] = e2 + c20;
        out[o2 + 1] = e2 + c21;
        out[o2 + 2] = e2 + c22;
        out[o2 + 3] = e2 + c23;
        if (rows === 4) {
          out[o3] = e3 + c30;
          out[o3 + 1] = e3 + c31;
          out[o3 + 2] = e3 + c32;
          out[o3 + 3] = e3 + c33;
        }
      } else {
        // Edge tile: store only the rows and columns inside the output.
        if (cols > 0) out[o0] = e0 + c00;
        if (cols > 1) out[o0 + 1] = e0 + c01;
        if (cols > 2) out[o0 + 2] = e0 + c02;
        if (cols > 3) out[o0 + 3] = e0 + c03;
        if (rows > 1) {
          if (cols > 0) out[o1] = e1 + c10;
          if (cols > 1) out[o1 + 1] = e1 + c11;
          if (cols > 2) out[o1 + 2] = e1 + c12;
          if (cols > 3) out[o1 + 3] = e1 + c13;
        }
        if (rows > 2) {
          if (cols > 0) out[o2] = e2 + c20;
          if (cols > 1) out[o2 + 1] = e2 + c21;
          if (cols > 2) out[o2 + 2] = e2 + c22;
          if (cols > 3) out[o2 + 3] = e2 + c23;
        }
        if (rows > 3) {
          if (cols > 0) out[o3] = e3 + c30;
          if (cols > 1) out[o3 + 1] = e3 + c31;
          if (cols > 2) out[o3 + 2] = e3 + c32;
          if (cols > 3) out[o3 + 3] = e3 + c33;
        }
      }
    }
  }
}

/**
 * dW[dwOff + i·K + r] (+)= Σ_p dy[dyOff + i·P + p] · src[srcOff + q[p] + off[r]] for the M rows (filters) i and
 * the K taps r: conv's filter gradient δy·col(x)ᵀ with col(x) read in place, as in the forward pass. A register
 * tile of mr filters by 4 taps, p innermost: per position it loads one corner, mr values of δy and 4 of x for
 * 4·mr multiply-adds. Tiles past the last filter or tap repeat the last one; those sums are not stored.
 */
function implicitFilterGradTemplate(
  dy: any,
  dyOff: number,
  M: number,
  mr: number,
  src: any,
  srcOff: number,
  q: Int32Array,
  P: number,
  off: Int32Array,
  K: number,
  dW: any,
  dwOff: number,
  accumulate: boolean,
): void {
  for (let r0 = 0; r0 < K; r0 += 4) {
    const cols = Math.min(4, K - r0);
    const o0 = srcOff + off[r0],
      o1 = srcOff + off[r0 + Math.min(1, cols - 1)];
    const o2 = srcOff + off[r0 + Math.min(2, cols - 1)],
      o3 = srcOff + off[r0 + Math.min(3, cols - 1)];
    for (let i0 = 0; i0 < M; i0 += mr) {
      const rows = Math.min(mr, M - i0);
      const d0 = dyOff + i0 * P,
        d1 = d0 + Math.min(1, rows - 1) * P,
        d2 = d0 + Math.min(2, rows - 1) * P;
      const d3 = d0 + Math.min(3, rows - 1) * P;
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0,
        c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0,
        c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      if (mr === 4) {
        for (let p = 0; p < P; p++) {
          const qp = q[p];
          const b0 = src[qp + o0],
            b1 = src[qp + o1],
            b2 = src[qp + o2],
            b3 = src[qp + o3];
          const a0 = dy[d0 + p],
            a1 = dy[d1 + p],
            a2 = dy[d2 + p],
            a3 = dy[d3 + p];
          c00 += a0 * b0;
          c01 += a0 * b1;
          c02 += a0 * b2;
          c03 += a0 * b3;
          c10 += a1 * b0;
          c11 += a1 * b1;
          c12 += a1 * b2;
          c13 += a1 * b3;
          c20 += a2 * b0;
          c21 += a2 * b1;
          c22 += a2 * b2;
          c23 += a2 * b3;
          c30 += a3 * b0;
          c31 += a3 * b1;
          c32 += a3 * b2;
          c33 += a3 * b3;
        }
      } else {
        for (let p = 0; p < P; p++) {
          const qp = q[p];
          const b0 = src[qp + o0],
            b1 = src[qp + o1],
            b2 = src[qp + o2],
            b3 = src[qp + o3];
          const a0 = dy[d0 + p],
            a1 = dy[d1 + p],
            a2 = dy[d2 + p];
          c00 += a0 * b0;
          c01 += a0 * b1;
          c02 += a0 * b2;
          c03 += a0 * b3;
          c10 += a1 * b0;
          c11 += a1 * b1;
          c12 += a1 * b2;
          c13 += a1 * b3;
          c20 += a2 * b0;
          c21 += a2 * b1;
          c22 += a2 * b2;
          c23 += a2 * b3;
        }
      }
      const w0 = dwOff + i0 * K + r0,
        w1 = w0 + K,
        w2 = w1 + K,
        w3 = w2 + K;
      if (!accumulate) {
        for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) dW[w0 + i * K + j] = 0;
      }
      if (cols > 0) dW[w0] += c00;
      if (cols > 1) dW[w0 + 1] += c01;
      if (cols > 2) dW[w0 + 2] += c02;
      if (cols > 3) dW[w0 + 3] += c03;
      if (rows > 1) {
        if (cols > 0) dW[w1] += c10;
        if (cols > 1) dW[w1 + 1] += c11;
        if (cols > 2) dW[w1 + 2] += c12;
        if (cols > 3) dW[w1 + 3] += c13;
      }
      if (rows > 2) {
        if (cols > 0) dW[w2] += c20;
        if (cols > 1) dW[w2 + 1] += c21;
        if (cols > 2) dW[w2 + 2] += c22;
        if (cols > 3) dW[w2 + 3] += c23;
      }
      if (rows > 3) {
        if (cols > 0) dW[w3] += c30;
        if (cols > 1) dW[w3 + 1] += c31;
        if (cols > 2) dW[w3 + 2] += c32;
        if (cols > 3) dW[w3 + 3] += c33;
      }
    }
  }
}
/**
 * dW[dwOff + ((i·C + c)·KH + ky)·5 + kx] (+)= Σ_oy Σ_ox dy[dyOff + i·OH·OW + oy·OW + ox] · src[srcOff + (c·Hp + oy +
 * ky)·Wp + ox + kx]: the same filter gradient for stride 1, no dilation and 5-wide kernel rows, by kernel row
 * instead of through the offset table. One filter, one kernel row: 5 accumulators, and along each output row
 * chunks of 8 positions load 8 δy and the 12 x under them once each, every x feeding the up to 5 taps it meets:
 * 20 loads for 40 multiply-adds (the tap-offset tile: 8 loads and a corner for 12, and 25 taps padded to 28).
 * Rows end with a chunk of 4, one of 2 (8 loads for 10 multiply-adds, where 2 single positions took 12), then a
 * single position. Measured (float32, 2-core EPYC, Node 20) against the tap-offset kernel: 64×1×32×32 → 6 5×5
 * 3.5 → 5.7 GFLOP/s, 64×6×14×14 → 16 5×5 4.1 → 4.8.
 */
function rowFilterGrad5Template(
  dy: any,
  dyOff: number,
  M: number,
  src: any,
  srcOff: number,
  C: number,
  Hp: number,
  Wp: number,
  KH: number,
  OH: number,
  OW: number,
  dW: any,
  dwOff: number,
  accumulate: boolean,
): void {
  const P = OH * OW;
  for (let i = 0; i < M; i++) {
    for (let c = 0; c < C; c++) {
      for (let ky = 0; ky < KH; ky++) {
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0,
          s4 = 0;
        for (let oy = 0; oy < OH; oy++) {
          const b0 = srcOff + (c * Hp + oy + ky) * Wp,
            d0 = dyOff + i * P + oy * OW;
          let ox = 0;
          for (; ox + 8 <= OW; ox += 8) {
            const b = b0 + ox,
              d = d0 + ox;
            const a0 = dy[d + 0],
              a1 = dy[d + 1],
              a2 = dy[d + 2],
              a3 = dy[d + 3],
              a4 = dy[d + 4],
              a5 = dy[d + 5],
              a6 = dy[d + 6],
              a7 = dy[d + 7];
            const x0 = src[b + 0];
            s0 += a0 * x0;
            const x1 = src[b + 1];
            s0 += a1 * x1;
            s1 += a0 * x1;
            const x2 = src[b + 2];
            s0 += a2 * x2;
            s1 += a1 * x2;
            s2 += a0 * x2;
            const x3 = src[b + 3];
            s0 += a3 * x3;
            s1 += a2 * x3;
            s2 += a1 * x3;
            s3 += a0 * x3;
            const x4 = src[b + 4];
            s0 += a4 * x4;
            s1 += a3 * x4;
            s2 += a2 * x4;
            s3 += a1 * x4;
            s4 += a0 * x4;
            const x5 = src[b + 5];
            s0 += a5 * x5;
            s1 += a4 * x5;
            s2 += a3 * x5;
            s3 += a2 * x5;
            s4 += a1 * x5;
            const x6 = src[b + 6];
            s0 += a6 * x6;
            s1 += a5 * x6;
            s2 += a4 * x6;
            s3 += a3 * x6;
            s4 += a2 * x6;
            const x7 = src[b + 7];
            s0 += a7 * x7;
            s1 += a6 * x7;
            s2 += a5 * x7;
            s3 += a4 * x7;
            s4 += a3 * x7;
            const x8 = src[b + 8];
            s1 += a7 * x8;
            s2 += a6 * x8;
            s3 += a5 * x8;
            s4 += a4 * x8;
            const x9 = src[b + 9];
            s2 += a7 * x9;
            s3 += a6 * x9;
            s4 += a5 * x9;
            const x10 = src[b + 10];
            s3 += a7 * x10;
            s4 += a6 * x10;
            const x11 = src[b + 11];
            s4 += a7 * x11;
          }
          if (ox + 4 <= OW) {
            const b = b0 + ox,
              d = d0 + ox;
            const a0 = dy[d + 0],
              a1 = dy[d + 1],
              a2 = dy[d + 2],
              a3 = dy[d + 3];
            const x0 = src[b + 0];
            s0 += a0 * x0;
            const x1 = src[b + 1];
            s0 += a1 * x1;
            s1 += a0 * x1;
            const x2 = src[b + 2];
            s0 += a2 * x2;
            s1 += a1 * x2;
            s2 += a0 * x2;
            const x3 = src[b + 3];
            s0 += a3 * x3;
            s1 += a2 * x3;
            s2 += a1 * x3;
            s3 += a0 * x3;
            const x4 = src[b + 4];
            s1 += a3 * x4;
            s2 += a2 * x4;
            s3 += a1 * x4;
            s4 += a0 * x4;
            const x5 = src[b + 5];
            s2 += a3 * x5;
            s3 += a2 * x5;
            s4 += a1 * x5;
            const x6 = src[b + 6];
            s3 += a3 * x6;
            s4 += a2 * x6;
            const x7 = src[b + 7];
            s4 += a3 * x7;
            ox += 4;
          }
          if (ox + 2 <= OW) {
            const b = b0 + ox,
              a0 = dy[d0 + ox],
              a1 = dy[d0 + ox + 1];
            const x0 = src[b + 0];
            s0 += a0 * x0;
            const x1 = src[b + 1];
            s0 += a1 * x1;
            s1 += a0 * x1;
            const x2 = src[b + 2];
            s1 += a1 * x2;
            s2 += a0 * x2;
            const x3 = src[b + 3];
            s2 += a1 * x3;
            s3 += a0 * x3;
            const x4 = src[b + 4];
            s3 += a1 * x4;
            s4 += a0 * x4;
            const x5 = src[b + 5];
            s4 += a1 * x5;
            ox += 2;
          }
          if (ox < OW) {
            const a = dy[d0 + ox],
              b = b0 + ox;
            s0 += a * src[b];
            s1 += a * src[b + 1];
            s2 += a * src[b + 2];
            s3 += a * src[b + 3];
            s4 += a * src[b + 4];
          }
        }
        const w = dwOff + ((i * C + c) * KH + ky) * 5;
        if (accumulate) {
          dW[w] += s0;
          dW[w + 1] += s1;
          dW[w + 2] += s2;
          dW[w + 3] += s3;
          dW[w + 4] += s4;
        } else {
          dW[w] = s0;
          dW[w + 1] = s1;
          dW[w + 2] = s2;
          dW[w + 3] = s3;
          dW[w + 4] = s4;
        }
      }
    }
  }
}
/**
 * The same filter gradient for stride 1, no dilation and 3-wide kernel rows (dW[dwOff + ((i·C + c)·KH + ky)·3 + kx]),
 * as rowFilterGrad5Template: one filter, one kernel row, 3 accumulators; chunks of 8 positions load 8 δy and the
 * 10 x under them once each (18 loads for 24 multiply-adds), then a chunk of 4, then single positions. Blocking
 * over 2 filters (6 accumulators, 26 loads for 48) or over the 3 kernel rows (9 accumulators) measured slower
 * than this and than the GEMM, presumably from register pressure. Measured (float32, 2-core EPYC, Node 20) on
 * 16×32×32×32 → 64 3×3 pad 1: im2col + GEMM 4.6 → 5.9 GFLOP/s (2 filters: 4.5, 3 kernel rows: 4.3).
 */
function rowFilterGrad3Template(
  dy: any,
  dyOff: number,
  M: number,
  src: any,
  srcOff: number,
  C: number,
  Hp: number,
  Wp: number,
  KH: number,
  OH: number,
  OW: number,
  dW: any,
  dwOff: number,
  accumulate: boolean,
): void {
  const P = OH * OW;
  for (let i = 0; i < M; i++) {
    for (let c = 0; c < C; c++) {
      for (let ky = 0; ky < KH; ky++) {
        let s0 = 0,
          s1 = 0,
          s2 = 0;
        for (let oy = 0; oy < OH; oy++) {
          const b0 = srcOff + (c * Hp + oy + ky) * Wp,
            d0 = dyOff + i * P + oy * OW;
          let ox = 0;
          for (; ox + 8 <= OW; ox += 8) {
            const b = b0 + ox,
              d = d0 + ox;
            const a0 = dy[d + 0],
              a1 = dy[d + 1],
              a2 = dy[d + 2],
              a3 = dy[d + 3],
              a4 = dy[d + 4],
              a5 = dy[d + 5],
              a6 = dy[d + 6],
              a7 = dy[d + 7];
            const x0 = src[b + 0];
            s0 += a0 * x0;
            const x1 = src[b + 1];
            s0 += a1 * x1;
            s1 += a0 * x1;
            const x2 = src[b + 2];
            s0 += a2 * x2;
            s1 += a1 * x2;
            s2 += a0 * x2;
            const x3 = src[b + 3];
            s0 += a3 * x3;
            s1 += a2 * x3;
            s2 += a1 * x3;
            const x4 = src[b + 4];
            s0 += a4 * x4;
            s1 += a3 * x4;
            s2 += a2 * x4;
            const x5 = src[b + 5];
            s0 += a5 * x5;
            s1 += a4 * x5;
            s2 += a3 * x5;
            const x6 = src[b + 6];
            s0 += a6 * x6;
            s1 += a5 * x6;
            s2 += a4 * x6;
            const x7 = src[b + 7];
            s0 += a7 * x7;
            s1 += a6 * x7;
            s2 += a5 * x7;
            const x8 = src[b + 8];
            s1 += a7 * x8;
            s2 += a6 * x8;
            const x9 = src[b + 9];
            s2 += a7 * x9;
          }
          if (ox + 4 <= OW) {
            const b = b0 + ox,
              d = d0 + ox;
            const a0 = dy[d + 0],
              a1 = dy[d + 1],
              a2 = dy[d + 2],
              a3 = dy[d + 3];
            const x0 = src[b + 0];
            s0 += a0 * x0;
            const x1 = src[b + 1];
            s0 += a1 * x1;
            s1 += a0 * x1;
            const x2 = src[b + 2];
            s0 += a2 * x2;
            s1 += a1 * x2;
            s2 += a0 * x2;
            const x3 = src[b + 3];
            s0 += a3 * x3;
            s1 += a2 * x3;
            s2 += a1 * x3;
            const x4 = src[b + 4];
            s1 += a3 * x4;
            s2 += a2 * x4;
            const x5 = src[b + 5];
            s2 += a3 * x5;
            ox += 4;
          }
          for (; ox < OW; ox++) {
            const a = dy[d0 + ox],
              b = b0 + ox;
            s0 += a * src[b];
            s1 += a * src[b + 1];
            s2 += a * src[b + 2];
          }
        }
        const w = dwOff + ((i * C + c) * KH + ky) * 3;
        if (accumulate) {
          dW[w] += s0;
          dW[w + 1] += s1;
          dW[w + 2] += s2;
        } else {
          dW[w] = s0;
          dW[w + 1] = s1;
          dW[w + 2] = s2;
        }
      }
    }
  }
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export const padPlanesKernel = perType(padPlanesTemplate, (f, T) => {
  // A 2×3 plane into 4×4 with one row above and two columns to the left (its last column falls off).
  const src = new T(6).map((_, i) => i + 1),
    a = new T(16),
    b = new T(16);
  f(src, 0, 1, 2, 3, 1, 2, a, 4, 4);
  padPlanesTemplate(src, 0, 1, 2, 3, 1, 2, b, 4, 4);
  return a.every((v, i) => v === b[i]) && a[6] === 1 && a[7] === 2 && a[11] === 5 && a[15] === 0;
});

export const implicitConvKernel = perType(implicitConvTemplate, (f, T) => {
  // 5 rows (a 3-row tile and an edge tile; then 4-row tiles) over a 3×3 map of a 4×5 input, 2×2 taps: full and
  // edge column tiles, with columns wrapping rows.
  const src = new T(20).map((_, i) => (i % 7) - 3),
    off = Int32Array.of(0, 1, 5, 6),
    pw = new T(40).map((_, i) => (i % 5) - 2);
  const init = new T(5).map((_, i) => i);
  return [3, 4].every((mr) => {
    const a = new T(45),
      b = new T(45);
    f(src, 0, off, 4, pw, 5, mr, init, 0, a, 0, 9, 3, 3, 1, 1, 5);
    implicitConvTemplate(src, 0, off, 4, pw, 5, mr, init, 0, b, 0, 9, 3, 3, 1, 1, 5);
    return a.every((v, i) => v === b[i]);
  });
});

export const implicitFilterGradKernel = perType(implicitFilterGradTemplate, (f, T) => {
  // 5 filters (a full and an edge row tile) by 6 taps (a full and an edge tap tile) over 9 positions, onto
  // nonzero dW with and without accumulation.
  const dy = new T(45).map((_, i) => (i % 7) - 3),
    src = new T(20).map((_, i) => (i % 5) - 2);
  const q = Int32Array.of(0, 1, 2, 5, 6, 7, 10, 11, 12),
    off = Int32Array.of(0, 1, 5, 6, 2, 7);
  return [3, 4].every((mr) =>
    [false, true].every((acc) => {
      const a = new T(30).fill(1),
        b = new T(30).fill(1);
      f(dy, 0, 5, mr, src, 0, q, 9, off, 6, a, 0, acc);
      implicitFilterGradTemplate(dy, 0, 5, mr, src, 0, q, 9, off, 6, b, 0, acc);
      return a.every((v, i) => v === b[i]);
    }),
  );
});

export const rowFilterGrad5Kernel = perType(rowFilterGrad5Template, (f, T) => {
  // 2 filters, 2 channels, 2 kernel rows over a 3×15 map of 4×19 planes (chunks of 8, 4 and 2, then a single
  // position per row), onto nonzero dW with and without accumulation.
  const dy = new T(2 * 45).map((_, i) => (i % 7) - 3),
    src = new T(2 * 76).map((_, i) => (i % 5) - 2);
  return [false, true].every((acc) => {
    const a = new T(40).fill(1),
      b = new T(40).fill(1);
    f(dy, 0, 2, src, 0, 2, 4, 19, 2, 3, 15, a, 0, acc);
    rowFilterGrad5Template(dy, 0, 2, src, 0, 2, 4, 19, 2, 3, 15, b, 0, acc);
    return a.every((v, i) => v === b[i]) && a.some((v) => v !== 1);
  });
});

export const rowFilterGrad3Kernel = perType(rowFilterGrad3Template, (f, T) => {
  // 2 filters, 2 channels, 2 kernel rows over a 3×14 map of 4×16 planes (a chunk of 8, one of 4, 2 single
  // positions per row), onto nonzero dW with and without accumulation.
  const dy = new T(2 * 42).map((_, i) => (i % 7) - 3),
    src = new T(2 * 64).map((_, i) => (i % 5) - 2);
  return [false, true].every((acc) => {
    const a = new T(24).fill(1),
      b = new T(24).fill(1);
    f(dy, 0, 2, src, 0, 2, 4, 16, 2, 3, 14, a, 0, acc);
    rowFilterGrad3Template(dy, 0, 2, src, 0, 2, 4, 16, 2, 3, 14, b, 0, acc);
    return a.every((v, i) => v === b[i]) && a.some((v) => v !== 1);
  });
});
