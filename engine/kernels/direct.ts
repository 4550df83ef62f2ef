/**
 * Stride-1, dilation-1 convolution with 3- or 5-wide kernel rows as a direct loop over strips of one output row:
 *   out[c][oy][ox] = init[c] + Σ_m Σ_ky Σ_kx wp[c][m][ky][kx] · src[m][oy + pt − ky][ox + kx]
 * (rows of src outside the map skipped). conv.ts runs both a forward pass and δx through it:
 * - forward: src = x widened by pl zero columns (rows are not padded: pt = KH − 1 − padTop, so the clipped
 *   kernel rows are exactly the padding's), wp = W flipped along ky, init = bias;
 * - δx: src = δy widened by KW − 1 − pl zero columns, pt = padTop, wp = W transposed to [c][oc] and flipped
 *   along kx, init = 0. That is the "full convolution with the rotated kernel" of the δ rule, with no col2im.
 *
 * Why this shape: conv.ts's general passes are im2col or col2im around a GEMM, and a GEMM whose depth k is small
 * (6 filters in LeNet's first layer's δx) does few steps per 16 stores, while im2col/col2im move every element
 * once more (a quarter of the time of a 6-filter layer). Here a strip of S consecutive outputs of one row sits
 * in S accumulators; for each source plane and kernel row, the row's KW weights are loaded once and the
 * S + KW − 1 source values under the strip once each, every value then feeding the up to KW accumulators it
 * touches, with no sliding-register rotation (a rotating window in a loop over kx spilled and ran 15% slower
 * than this unrolled form, hence one body per width). Columns are not clipped: src is zero-widened instead (or
 * read in place where no strip reads past its columns), so a strip may multiply zeros. For 5-wide rows, a strip
 * whose window's first 4 columns lie left of the data (ox0 + 4 ≤ left) or whose last 4 lie right of it
 * (ox0 + S ≥ left + SW) runs a body without them; strips are 6, 7 or 8 wide, whichever does the fewest
 * multiply-adds (conv.ts's stripWidth): δx of 32 columns from 28 (pl = 0) takes 8 (exactly the 140 useful per
 * plane and kernel row), of 14 from 10 takes 7 (50, exactly), of 17 from 13 takes 6 (70 for 65 useful).
 * Measured δx (float32, 2-core EPYC, Node 20), against the GEMM path: 64×1×32×32 → 6 5×5 2.4 → 3.9 GFLOP/s;
 * 64×8×28×28 → 16 3×3 pad 1 3.5 → 4.0; 64×6×14×14 → 16 5×5 3.6 → 5.6 (7-wide); 16×32×32×32 → 64 3×3 pad 1
 * 4.7 → 5.0, 8×128×16×16 → 256 3×3 pad 1 4.8 → 4.9 (see conv.ts for the others).
 *
 * Layout: src holds M planes of SH rows of stride Ws ≥ ⌈OW/S⌉·S + KW − 1 (column ox + kx of a row is the value
 * tap kx of output column ox reads), `left` zero columns before the SW data columns; wp[((c·M + m)·KH + ky)·KW +
 * kx]; out holds C planes of OH×OW.
 */
import { perType } from './specialize.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
/** 3-wide kernel rows, 8-wide strips (`left`, `SW` unused: the zero columns a strip may meet cost 1–2 of 24). */
function stripConv3x8Template(
  src: any,
  srcOff: number,
  M: number,
  SH: number,
  Ws: number,
  KH: number,
  pt: number,
  wp: any,
  C: number,
  out: any,
  outOff: number,
  OH: number,
  OW: number,
  _left: number,
  _SW: number,
  init: any,
  initOff: number,
): void {
  const plane = SH * Ws,
    P = OH * OW,
    KK = KH * 3;
  for (let c = 0; c < C; c++) {
    const base = init[initOff + c];
    for (let oy = 0; oy < OH; oy++) {
      const kyLo = Math.max(0, oy + pt - SH + 1),
        kyHi = Math.min(KH - 1, oy + pt),
        o0 = outOff + c * P + oy * OW;
      for (let ox0 = 0; ox0 < OW; ox0 += 8) {
        let s0 = base,
          s1 = base,
          s2 = base,
          s3 = base,
          s4 = base,
          s5 = base,
          s6 = base,
          s7 = base;
        for (let m = 0; m < M; m++) {
          let b = srcOff + m * plane + (oy + pt - kyLo) * Ws + ox0,
            t = (c * M + m) * KK + kyLo * 3;
          for (let ky = kyLo; ky <= kyHi; ky++, b -= Ws, t += 3) {
            const w0 = wp[t],
              w1 = wp[t + 1],
              w2 = wp[t + 2];
            const d0 = src[b];
            s0 += w0 * d0;
            const d1 = src[b + 1];
            s1 += w0 * d1;
            s0 += w1 * d1;
            const d2 = src[b + 2];
            s2 += w0 * d2;
            s1 += w1 * d2;
            s0 += w2 * d2;
            const d3 = src[b + 3];
            s3 += w0 * d3;
            s2 += w1 * d3;
            s1 += w2 * d3;
            const d4 = src[b + 4];
            s4 += w0 * d4;
            s3 += w1 * d4;
            s2 += w2 * d4;
            const d5 = src[b + 5];
            s5 += w0 * d5;
            s4 += w1 * d5;
            s3 += w2 * d5;
            const d6 = src[b + 6];
            s6 += w0 * d6;
            s5 += w1 * d6;
            s4 += w2 * d6;
            const d7 = src[b + 7];
            s7 += w0 * d7;
            s6 += w1 * d7;
            s5 += w2 * d7;
            const d8 = src[b + 8];
            s7 += w1 * d8;
            s6 += w2 * d8;
            const d9 = src[b + 9];
            s7 += w2 * d9;
          }
        }
        const n = Math.min(8, OW - ox0),
          o = o0 + ox0;
        out[o] = s0;
        if (n > 1) out[o + 1] = s1;
        if (n > 2) out[o + 2] = s2;
        if (n > 3) out[o + 3] = s3;
        if (n > 4) out[o + 4] = s4;
        if (n > 5) out[o + 5] = s5;
        if (n > 6) out[o + 6] = s6;
        if (n > 7) out[o + 7] = s7;
      }
    }
  }
}

/**
 * 5-wide kernel rows in 6-, 7- and 8-wide strips: the same loops, one unrolled body per width, each with a
 * left-edge body skipping window columns 0–3 and a right-edge body skipping the last 4.
 */
function stripConv5x6Template(
  src: any,
  srcOff: number,
  M: number,
  SH: number,
  Ws: number,
  KH: number,
  pt: number,
  wp: any,
  C: number,
  out: any,
  outOff: number,
  OH: number,
  OW: number,
  left: number,
  SW: number,
  init: any,
  initOff: number,
): void {
  const plane = SH * Ws,
    P = OH * OW,
    KK = KH * 5;
  for (let c = 0; c < C; c++) {
    const base = init[initOff + c];
    for (let oy = 0; oy < OH; oy++) {
      const kyLo = Math.max(0, oy + pt - SH + 1),
        kyHi = Math.min(KH - 1, oy + pt),
        o0 = outOff + c * P + oy * OW;
      for (let ox0 = 0; ox0 < OW; ox0 += 6) {
        // 1: columns 0–3 of the strip's window are zero; 2: columns 6–9 are; 0: neither.
        const edge = ox0 + 4 <= left ? 1 : ox0 + 6 >= left + SW ? 2 : 0;
        let s0 = base,
          s1 = base,
          s2 = base,
          s3 = base,
          s4 = base,
          s5 = base;
        for (let m = 0; m < M; m++) {
          let b = srcOff + m * plane + (oy + pt - kyLo) * Ws + ox0,
            t = (c * M + m) * KK + kyLo * 5;
          if (edge === 1) {
            for (let ky = kyLo; ky <= kyHi; ky++, b -= Ws, t += 5) {
              const w0 = wp[t],
                w1 = wp[t + 1],
                w2 = wp[t + 2],
                w3 = wp[t + 3],
                w4 = wp[t + 4];
              const d4 = src[b + 4];
              s4 += w0 * d4;
              s3 += w1 * d4;
              s2 += w2 * d4;
              s1 += w3 * d4;
              s0 += w4 * d4;
              const d5 = src[b + 5];
              s5 += w0 * d5;
              s4 += w1 * d5;
              s3 += w2 * d5;
              s2 += w3 * d5;
              s1 += w4 * d5;
              const d6 = src[b + 6];
              s5 += w1 * d6;
              s4 += w2 * d6;
              s3 += w3 * d6;
              s2 += w4 * d6;
              const d7 = src[b + 7];
              s5 += w2 * d7;
              s4 += w3 * d7;
              s3 += w4 * d7;
              const d8 = src[b + 8];
              s5 += w3 * d8;
              s4 += w4 * d8;
              const d9 = src[b + 9];
              s5 += w4 * d9;
            }
          } else if (edge === 2) {
            for (let ky = kyLo; ky <= kyHi; ky++, b -= Ws, t += 5) {
              const w0 = wp[t],
                w1 = wp[t + 1],
                w2 = wp[t + 2],
                w3 = wp[t + 3],
                w4 = wp[t + 4];
              const d0 = src[b];
              s0 += w0 * d0;
              const d1 = src[b + 1];
              s1 += w0 * d1;
              s0 += w1 * d1;
              const d2 = src[b + 2];
              s2 += w0 * d2;
              s1 += w1 * d2;
              s0 += w2 * d2;
              const d3 = src[b + 3];
              s3 += w0 * d3;
              s2 += w1 * d3;
              s1 += w2 * d3;
              s0 += w3 * d3;
              const d4 = src[b + 4];
              s4 += w0 * d4;
              s3 += w1 * d4;
              s2 += w2 * d4;
              s1 += w3 * d4;
              s0 += w4 * d4;
              const d5 = src[b + 5];
              s5 += w0 * d5;
              s4 += w1 * d5;
              s3 += w2 * d5;
              s2 += w3 * d5;
              s1 += w4 * d5;
            }
          } else {
            for (let ky = kyLo; ky <= kyHi; ky++, b -= Ws, t += 5) {
              const w0 = wp[t],
                w1 = wp[t + 1],
                w2 = wp[t + 2],
                w3 = wp[t + 3],
                w4 = wp[t + 4];
              const d0 = src[b];
              s0 += w0 * d0;
              const d1 = src[b + 1];
              s1 += w0 * d1;
              s0 += w1 * d1;
              const d2 = src[b + 2];
              s2 += w0 * d2;
              s1 += w1 * d2;
              s0 += w2 * d2;
              const d3 = src[b + 3];
              s3 += w0 * d3;
              s2 += w1 * d3;
              s1 += w2 * d3;
              s0 += w3 * d3;
              const d4 = src[b + 4];
              s4 += w0 * d4;
              s3 += w1 * d4;
              s2 += w2 * d4;
              s1 += w3 * d4;
              s0 += w4 * d4;
              const d5 = src[b + 5];
              s5 += w0 * d5;
              s4 += w1 * d5;
              s3 += w2 * d5;
              s2 += w3 * d5;
              s1 += w4 * d5;
              const d6 = src[b + 6];
              s5 += w1 * d6;
              s4 += w2 * d6;
              s3 += w3 * d6;
              s2 += w4 * d6;
              const d7 = src[b + 7];
              s5 += w2 * d7;
              s4 += w3 * d7;
              s3 += w4 * d7;
              const d8 = src[b + 8];
              s5 += w3 * d8;
              s4 += w4 * d8;
              const d9 = src[b + 9];
              s5 += w4 * d9;
            }
          }
        }
        const n = Math.min(6, OW - ox0),
          o = o0 + ox0;
        out[o] = s0;
        if (n > 1) out[o + 1] = s1;
        if (n > 2) out[o + 2] = s2;
        if (n > 3) out[o + 3] = s3;
        if (n > 4) out[o + 4] = s4;
        if (n > 5) out[o + 5] = s5;
      }
    }
  }
}

function stripConv5x7Template(
  src: any,
  srcOff: number,
  M: number,
  SH: number,
  Ws: number,
  KH: number,
  pt: number,
  wp: any,
  C: number,
  out: any,
  outOff: number,
  OH: number,
  OW: number,
  left: number,
  SW: number,
  init: any,
  initOff: number,
): void {
  const plane = SH * Ws,
    P = OH * OW,
    KK = KH * 5;
  for (let c = 0; c < C; c++) {
    const base = init[initOff + c];
    for (let oy = 0; oy < OH; oy++) {
      const kyLo = Math.max(0, oy + pt - SH + 1),
        kyHi = Math.min(KH - 1, oy + pt),
        o0 = outOff + c * P + oy * OW;
      for (let ox0 = 0; ox0 < OW; ox0 += 7) {
        // 1: columns 0–3 of the strip's window are zero; 2: columns 7–10 are; 0: neither.
        const edge = ox0 + 4 <= left ? 1 : ox0 + 7 >= left + SW ? 2 : 0;
        let s0 = base,
          s1 = base,
          s2 = base,
          s3 = base,
          s4 = base,
          s5 = base,
          s6 = base;
        for (let m = 0; m < M; m++) {
          let b = srcOff + m * plane + (oy + pt - kyLo) * Ws + ox0,
            t = (c * M + m) * KK + kyLo * 5;
          if (edge === 1) {
            for (let ky = kyLo; ky <= kyHi; ky++, b -= Ws, t += 5) {
              const w0 = wp[t],
                w1 = wp[t + 1],
                w2 = wp[t + 2],
                w3 = wp[t + 3],
                w4 = wp[t + 4];
              const d4 = src[b + 4];
              s4 += w0 * d4;
              s3 += w1 * d4;
              s2 += w2 * d4;
              s1 += w3 * d4;
              s0 += w4 * d4;
              const d5 = src[b + 5];
              s5 += w0 * d5;
              s4 += w1 * d5;
              s3 += w2 * d5;
              s2 += w3 * d5;
              s1 += w4 * d5;
              const d6 = src[b + 6];
              s6 += w0 * d6;
              s5 += w1 * d6;
              s4 += w2 * d6;
              s3 += w3 * d6;
              s2 += w4 * d6;
              const d7 = src[b + 7];
              s6 += w1 * d7;
              s5 += w2 * d7;
              s4 += w3 * d7;
              s3 += w4 * d7;
              const d8 = src[b + 8];
              s6 += w2 * d8;
              s5 += w3 * d8;
              s4 += w4 * d8;
              const d9 = src[b + 9];
              s6 += w3 * d9;
              s5 += w4 * d9;
              const d10 = src[b + 10];
              s6 += w4 * d10;
            }
          } else if (edge === 2) {
            for (let ky = kyLo; ky <= kyHi; ky++, b -= Ws, t += 5) {
              const w0 = wp[t],
                w1 = wp[t + 1],
                w2 = wp[t + 2],
                w3 = wp[t + 3],
                w4 = wp[t + 4];
              const d0 = src[b];
              s0 += w0 * d0;
              const d1 = src[b + 1];
              s1 += w0 * d1;
              s0 += w1 * d1;
              const d2 = src[b + 2];
              s2 += w0 * d2;
              s1 += w1 * d2;
              s0 += w2 * d2;
              const d3 = src[b + 3];
              s3 += w0 * d3;
              s2 += w1 * d3;
              s1 += w2 * d3;
              s0 += w3 * d3;
              const d4 = src[b + 4];
              s4 += w0 * d4;
              s3 += w1 * d4;
              s2 += w2 * d4;
              s1 += w3 * d4;
              s0 += w4 * d4;
              const d5 = src[b + 5];
              s5 += w0 * d5;
              s4 += w1 * d5;
              s3 += w2 * d5;
              s2 += w3 * d5;
              s1 += w4 * d5;
              const d6 = src[b + 6];
              s6 += w0 * d6;
              s5 += w1 * d6;
              s4 += w2 * d6;
              s3 += w3 * d6;
              s2 += w4 * d6;
            }
          } else {
            for (let ky = kyLo; ky <= kyHi; ky++, b -= Ws, t += 5) {
              const w0 = wp[t],
                w1 = wp[t + 1],
                w2 = wp[t + 2],
                w3 = wp[t + 3],
                w4 = wp[t + 4];
              const d0 = src[b];
              s0 += w0 * d0;
              const d1 = src[b + 1];
              s1 += w0 * d1;
              s0 += w1 * d1;
              const d2 = src[b + 2];
              s2 += w0 * d2;
              s1 += w1 * d2;
              s0 += w2 * d2;
              const d3 = src[b + 3];
              s3 += w0 * d3;
              s2 += w1 * d3;
              s1 += w2 * d3;
              s0 += w3 * d3;
              const d4 = src[b + 4];
              s4 += w0 * d4;
              s3 += w1 * d4;
              s2 += w2 * d4;
              s1 += w3 * d4;
              s0 += w4 * d4;
              const d5 = src[b + 5];
              s5 += w0 * d5;
              s4 += w1 * d5;
              s3 += w2 * d5;
              s2 += w3 * d5;
              s1 += w4 * d5;
              const d6 = src[b + 6];
              s6 += w0 * d6;
              s5 += w1 * d6;
              s4 += w2 * d6;
              s3 += w3 * d6;
              s2 += w4 * d6;
              const d7 = src[b + 7];
              s6 += w1 * d7;
              s5 += w2 * d7;
              s4 += w3 * d7;
              s3 += w4 * d7;
              const d8 = src[b + 8];
              s6 += w2 * d8;
              s5 += w3 * d8;
              s4 += w4 * d8;
              const d9 = src[b + 9];
              s6 += w3 * d9;
              s5 += w4 * d9;
              const d10 = src[b + 10];
              s6 += w4 * d10;
            }
          }
        }
        const n = Math.min(7, OW - ox0),
          o = o0 + ox0;
        out[o] = s0;
        if (n > 1) out[o + 1] = s1;
        if (n > 2) out[o + 2] = s2;
        if (n > 3) out[o + 3] = s3;
        if (n > 4) out[o + 4] = s4;
        if (n > 5) out[o + 5] = s5;
        if (n > 6) out[o + 6] = s6;
      }
    }
  }
}

function stripConv5x8Template(
  src: any,
  srcOff: number,
  M: number,
  SH: number,
  Ws: number,
  KH: number,
  pt: number,
  wp: any,
  C: number,
  out: any,
  outOff: number,
  OH: number,
  OW: number,
  left: number,
  SW: number,
  init: any,
  initOff: number,
): void {
  const plane = SH * Ws,
    P = OH * OW,
    KK = KH * 5;
  for (let c = 0; c < C; c++) {
    const base = init[initOff + c];
    for (let oy = 0; oy < OH; oy++) {
      const kyLo = Math.max(0, oy + pt - SH + 1),
        kyHi = Math.min(KH - 1, oy + pt),
        o0 = outOff + c * P + oy * OW;
      for (let ox0 = 0; ox0 < OW; ox0 += 8) {
        // 1: columns 0–3 of the strip's window are zero; 2: columns 8–11 are; 0: neither.
        const edge = ox0 + 4 <= left ? 1 : ox0 + 8 >= left + SW ? 2 : 0;
        let s0 = base,
          s1 = base,
          s2 = base,
          s3 = base,
          s4 = base,
          s5 = base,
          s6 = base,
          s7 = base;
        for (let m = 0; m < M; m++) {
          let b = srcOff + m * plane + (oy + pt - kyLo) * Ws + ox0,
            t = (c * M + m) * KK + kyLo * 5;
          if (edge === 1) {
            for (let ky = kyLo; ky <= kyHi; ky++, b -= Ws, t += 5) {
              const w0 = wp[t],
                w1 = wp[t + 1],
                w2 = wp[t + 2],
                w3 = wp[t + 3],
                w4 = wp[t + 4];
              const d4 = src[b + 4];
              s4 += w0 * d4;
              s3 += w1 * d4;
              s2 += w2 * d4;
              s1 += w3 * d4;
              s0 += w4 * d4;
              const d5 = src[b + 5];
              s5 += w0 * d5;
              s4 += w1 * d5;
              s3 += w2 * d5;
              s2 += w3 * d5;
              s1 += w4 * d5;
              const d6 = src[b + 6];
              s6 += w0 * d6;
              s5 += w1 * d6;
              s4 += w2 * d6;
              s3 += w3 * d6;
              s2 += w4 * d6;
              const d7 = src[b + 7];
              s7 += w0 * d7;
              s6 += w1 * d7;
              s5 += w2 * d7;
              s4 += w3 * d7;
              s3 += w4 * d7;
              const d8 = src[b + 8];
              s7 += w1 * d8;
              s6 += w2 * d8;
              s5 += w3 * d8;
              s4 += w4 * d8;
              const d9 = src[b + 9];
              s7 += w2 * d9;
              s6 += w3 * d9;
              s5 += w4 * d9;
              const d10 = src[b + 10];
              s7 += w3 * d10;
              s6 += w4 * d10;
              const d11 = src[b + 11];
              s7 += w4 * d11;
            }
          } else if (edge === 2) {
            for (let ky = kyLo; ky <= kyHi; ky++, b -= Ws, t += 5) {
              const w0 = wp[t],
                w1 = wp[t + 1],
                w2 = wp[t + 2],
                w3 = wp[t + 3],
                w4 = wp[t + 4];
              const d0 = src[b];
              s0 += w0 * d0;
              const d1 = src[b + 1];
              s1 += w0 * d1;
              s0 += w1 * d1;
              const d2 = src[b + 2];
              s2 += w0 * d2;
              s1 += w1 * d2;
              s0 += w2 * d2;
              const d3 = src[b + 3];
              s3 += w0 * d3;
              s2 += w1 * d3;
              s1 += w2 * d3;
              s0 += w3 * d3;
              const d4 = src[b + 4];
              s4 += w0 * d4;
              s3 += w1 * d4;
              s2 += w2 * d4;
              s1 += w3 * d4;
              s0 += w4 * d4;
              const d5 = src[b + 5];
              s5 += w0 * d5;
              s4 += w1 * d5;
              s3 += w2 * d5;
              s2 += w3 * d5;
              s1 += w4 * d5;
              const d6 = src[b + 6];
              s6 += w0 * d6;
              s5 += w1 * d6;
              s4 += w2 * d6;
              s3 += w3 * d6;
              s2 += w4 * d6;
              const d7 = src[b + 7];
              s7 += w0 * d7;
              s6 += w1 * d7;
              s5 += w2 * d7;
              s4 += w3 * d7;
              s3 += w4 * d7;
            }
          } else {
            for (let ky = kyLo; ky <= kyHi; ky++, b -= Ws, t += 5) {
              const w0 = wp[t],
                w1 = wp[t + 1],
                w2 = wp[t + 2],
                w3 = wp[t + 3],
                w4 = wp[t + 4];
              const d0 = src[b];
              s0 += w0 * d0;
              const d1 = src[b + 1];
              s1 += w0 * d1;
              s0 += w1 * d1;
              const d2 = src[b + 2];
              s2 += w0 * d2;
              s1 += w1 * d2;
              s0 += w2 * d2;
              const d3 = src[b + 3];
              s3 += w0 * d3;
              s2 += w1 * d3;
              s1 += w2 * d3;
              s0 += w3 * d3;
              const d4 = src[b + 4];
              s4 += w0 * d4;
              s3 += w1 * d4;
              s2 += w2 * d4;
              s1 += w3 * d4;
              s0 += w4 * d4;
              const d5 = src[b + 5];
              s5 += w0 * d5;
              s4 += w1 * d5;
              s3 += w2 * d5;
              s2 += w3 * d5;
              s1 += w4 * d5;
              const d6 = src[b + 6];
              s6 += w0 * d6;
              s5 += w1 * d6;
              s4 += w2 * d6;
              s3 += w3 * d6;
              s2 += w4 * d6;
              const d7 = src[b + 7];
              s7 += w0 * d7;
              s6 += w1 * d7;
              s5 += w2 * d7;
              s4 += w3 * d7;
              s3 += w4 * d7;
              const d8 = src[b + 8];
              s7 += w1 * d8;
              s6 += w2 * d8;
              s5 += w3 * d8;
              s4 += w4 * d8;
              const d9 = src[b + 9];
              s7 += w2 * d9;
              s6 += w3 * d9;
              s5 += w4 * d9;
              const d10 = src[b + 10];
              s7 += w3 * d10;
              s6 += w4 * d10;
              const d11 = src[b + 11];
              s7 += w4 * d11;
            }
          }
        }
        const n = Math.min(8, OW - ox0),
          o = o0 + ox0;
        out[o] = s0;
        if (n > 1) out[o + 1] = s1;
        if (n > 2) out[o + 2] = s2;
        if (n > 3) out[o + 3] = s3;
        if (n > 4) out[o + 4] = s4;
        if (n > 5) out[o + 5] = s5;
        if (n > 6) out[o + 6] = s6;
        if (n > 7) out[o + 7] = s7;
      }
    }
  }
}

/* eslint-enable @typescript-eslint/no-explicit-any */

type StripConv = typeof stripConv3x8Template;

/**
 * The copy must match the template on 2 source planes, 2 output planes with their own init, a 5×(3S + 3) output
 * with pt = 1 (kernel rows skipped at the top and bottom) and a partial last strip; data 2S − 2 wide placed 4
 * columns in, so 5-wide rows meet left-edge, inner and right-edge bodies.
 */
function smoke(template: StripConv, KW: 3 | 5, S: number) {
  return (f: StripConv, T: Float32ArrayConstructor | Float64ArrayConstructor): boolean => {
    const W = 3 * S + 3,
      Ws = Math.ceil(W / S) * S + KW - 1,
      init = T.of(0.5, -2);
    const src = new T(2 * 3 * Ws).map((_, i) => (i % 7) - 3),
      wp = new T(2 * 2 * 3 * KW).map((_, i) => (i % 5) - 2);
    const a = new T(2 * 5 * W),
      b = new T(2 * 5 * W);
    f(src, 0, 2, 3, Ws, 3, 1, wp, 2, a, 0, 5, W, 4, 2 * S - 2, init, 0);
    template(src, 0, 2, 3, Ws, 3, 1, wp, 2, b, 0, 5, W, 4, 2 * S - 2, init, 0);
    return a.every((v, i) => v === b[i]) && a.some((v) => v !== 0);
  };
}

export const stripConv3Kernel = perType(stripConv3x8Template, smoke(stripConv3x8Template, 3, 8));
/** By strip width. */
export const stripConv5Kernels = {
  6: perType(stripConv5x6Template, smoke(stripConv5x6Template, 5, 6)),
  7: perType(stripConv5x7Template, smoke(stripConv5x7Template, 5, 7)),
  8: perType(stripConv5x8Template, smoke(stripConv5x8Template, 5, 8)),
};
