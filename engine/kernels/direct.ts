/**
 * Direct δx of a stride-1, dilation-1 conv whose kernel rows are 3 or 5 taps wide:
 * δx[c][iy][ix] = Σ_oc Σ_ky Σ_kx W[oc][c][ky][kx]·δy[oc][iy + pt − ky][ix + pl − kx], no col2im.
 *
 * Why this shape: conv.ts's general δx is col2im(Wᵀ·δy), a GEMM whose depth k is the filter count (6 on
 * LeNet's first layer), so each 4×4 tile does 6 steps and then 16 stores, and col2im adds every product back
 * (a quarter of the time). Here a strip of S consecutive δx of one row sits in S accumulators; for each filter
 * and kernel row, the row's KW weights are loaded once and the S + KW − 1 δy values under the strip once each,
 * every δy then feeding the up to KW accumulators it touches, with no sliding-register rotation (a rotating
 * window in a loop over kx spilled and ran 15% slower than this unrolled form, hence one body per width).
 * Kernel rows whose δy row lies outside the map are skipped. Columns are not: δy is zero-widened instead, so a
 * strip may multiply zeros. For 5-wide rows, a strip whose window starts 4 columns left of δy, or ends 4 past
 * it, runs a body without those columns; strips are 6, 7 or 8 wide, whichever does the fewest multiply-adds on
 * the map (conv.ts's directDx): 32 columns from 28 (pl = 0) take 8 (4 strips doing exactly the 140 useful per
 * filter and kernel row), 14 from 10 take 7 (50, exactly), 17 from 13 take 6 (70 for 65 useful).
 * Measured (float32, 2-core EPYC, Node 20), against the GEMM path: 64×1×32×32 → 6 5×5 2.4 → 3.9 GFLOP/s;
 * 64×8×28×28 → 16 3×3 pad 1 3.5 → 4.0; 64×6×14×14 → 16 5×5 3.6 → 5.6 (7-wide); 16×32×32×32 → 64 3×3 pad 1
 * 4.7 → 5.0, 8×128×16×16 → 256 3×3 pad 1 4.8 → 4.9 (see conv.ts's directDx for the others).
 *
 * Layout of every template's inputs: `dp` holds δy's M planes of OH rows, each widened to Wd ≥ ⌈W/S⌉·S + KW − 1
 * columns with `left` = KW − 1 − pl zeros on the left and zeros on the right, so dp[dpOff + oc·OH·Wd + oy·Wd +
 * ix + KW − 1 − kx] holds the δy a tap reads (zero outside the map); `wp` holds the weights flipped along kx:
 * wp[((c·M + oc)·KH + ky)·KW + kx'] = W[oc][c][ky][KW−1−kx']. They write dx[dxOff + c·H·W + iy·W + ix] for the
 * C channels c.
 */
import { perType } from './specialize.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
/** 3-wide kernel rows, 8-wide strips (`left` and `OW` unused: the one zero column a strip may meet costs 1 of 24). */
function directDx3Template(dp: any, dpOff: number, M: number, OH: number, Wd: number, KH: number, pt: number,
  wp: any, C: number, dx: any, dxOff: number, H: number, W: number, _left: number, _OW: number): void {
  const plane = OH * Wd, HW = H * W, KK = KH * 3;
  for (let c = 0; c < C; c++) {
    for (let iy = 0; iy < H; iy++) {
      const kyLo = Math.max(0, iy + pt - OH + 1), kyHi = Math.min(KH - 1, iy + pt), o0 = dxOff + c * HW + iy * W;
      for (let ix0 = 0; ix0 < W; ix0 += 8) {
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        for (let oc = 0; oc < M; oc++) {
          let b = dpOff + oc * plane + (iy + pt - kyLo) * Wd + ix0, t = (c * M + oc) * KK + kyLo * 3;
          for (let ky = kyLo; ky <= kyHi; ky++, b -= Wd, t += 3) {
              const w0 = wp[t], w1 = wp[t + 1], w2 = wp[t + 2];
              const d0 = dp[b]; s0 += w0 * d0;
              const d1 = dp[b + 1]; s1 += w0 * d1; s0 += w1 * d1;
              const d2 = dp[b + 2]; s2 += w0 * d2; s1 += w1 * d2; s0 += w2 * d2;
              const d3 = dp[b + 3]; s3 += w0 * d3; s2 += w1 * d3; s1 += w2 * d3;
              const d4 = dp[b + 4]; s4 += w0 * d4; s3 += w1 * d4; s2 += w2 * d4;
              const d5 = dp[b + 5]; s5 += w0 * d5; s4 += w1 * d5; s3 += w2 * d5;
              const d6 = dp[b + 6]; s6 += w0 * d6; s5 += w1 * d6; s4 += w2 * d6;
              const d7 = dp[b + 7]; s7 += w0 * d7; s6 += w1 * d7; s5 += w2 * d7;
              const d8 = dp[b + 8]; s7 += w1 * d8; s6 += w2 * d8;
              const d9 = dp[b + 9]; s7 += w2 * d9;          }
        }
        const n = Math.min(8, W - ix0), o = o0 + ix0;
        dx[o] = s0;
        if (n > 1) dx[o + 1] = s1;
        if (n > 2) dx[o + 2] = s2;
        if (n > 3) dx[o + 3] = s3;
        if (n > 4) dx[o + 4] = s4;
        if (n > 5) dx[o + 5] = s5;
        if (n > 6) dx[o + 6] = s6;
        if (n > 7) dx[o + 7] = s7;
      }
    }
  }
}

/**
 * 5-wide kernel rows in 6-, 7- and 8-wide strips: the same loops, one unrolled body per width (each with a left-
 * edge body skipping window columns 0–3, which lie left of δy where ix0 + 4 ≤ left, and a right-edge body
 * skipping the last 4, right of δy where ix0 + S ≥ left + OW).
 */
function directDx5x6Template(dp: any, dpOff: number, M: number, OH: number, Wd: number, KH: number, pt: number,
  wp: any, C: number, dx: any, dxOff: number, H: number, W: number, left: number, OW: number): void {
  const plane = OH * Wd, HW = H * W, KK = KH * 5;
  for (let c = 0; c < C; c++) {
    for (let iy = 0; iy < H; iy++) {
      const kyLo = Math.max(0, iy + pt - OH + 1), kyHi = Math.min(KH - 1, iy + pt), o0 = dxOff + c * HW + iy * W;
      for (let ix0 = 0; ix0 < W; ix0 += 6) {
        // 1: columns 0–3 of the strip's window are zero; 2: columns 6–9 are; 0: neither.
        const edge = ix0 + 4 <= left ? 1 : ix0 + 6 >= left + OW ? 2 : 0;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0;
        for (let oc = 0; oc < M; oc++) {
          let b = dpOff + oc * plane + (iy + pt - kyLo) * Wd + ix0, t = (c * M + oc) * KK + kyLo * 5;
          if (edge === 1) {
            for (let ky = kyLo; ky <= kyHi; ky++, b -= Wd, t += 5) {
              const w0 = wp[t], w1 = wp[t + 1], w2 = wp[t + 2], w3 = wp[t + 3], w4 = wp[t + 4];
              const d4 = dp[b + 4]; s4 += w0 * d4; s3 += w1 * d4; s2 += w2 * d4; s1 += w3 * d4; s0 += w4 * d4;
              const d5 = dp[b + 5]; s5 += w0 * d5; s4 += w1 * d5; s3 += w2 * d5; s2 += w3 * d5; s1 += w4 * d5;
              const d6 = dp[b + 6]; s5 += w1 * d6; s4 += w2 * d6; s3 += w3 * d6; s2 += w4 * d6;
              const d7 = dp[b + 7]; s5 += w2 * d7; s4 += w3 * d7; s3 += w4 * d7;
              const d8 = dp[b + 8]; s5 += w3 * d8; s4 += w4 * d8;
              const d9 = dp[b + 9]; s5 += w4 * d9;
            }
          } else if (edge === 2) {
            for (let ky = kyLo; ky <= kyHi; ky++, b -= Wd, t += 5) {
              const w0 = wp[t], w1 = wp[t + 1], w2 = wp[t + 2], w3 = wp[t + 3], w4 = wp[t + 4];
              const d0 = dp[b]; s0 += w0 * d0;
              const d1 = dp[b + 1]; s1 += w0 * d1; s0 += w1 * d1;
              const d2 = dp[b + 2]; s2 += w0 * d2; s1 += w1 * d2; s0 += w2 * d2;
              const d3 = dp[b + 3]; s3 += w0 * d3; s2 += w1 * d3; s1 += w2 * d3; s0 += w3 * d3;
              const d4 = dp[b + 4]; s4 += w0 * d4; s3 += w1 * d4; s2 += w2 * d4; s1 += w3 * d4; s0 += w4 * d4;
              const d5 = dp[b + 5]; s5 += w0 * d5; s4 += w1 * d5; s3 += w2 * d5; s2 += w3 * d5; s1 += w4 * d5;
            }
          } else {
            for (let ky = kyLo; ky <= kyHi; ky++, b -= Wd, t += 5) {
              const w0 = wp[t], w1 = wp[t + 1], w2 = wp[t + 2], w3 = wp[t + 3], w4 = wp[t + 4];
              const d0 = dp[b]; s0 += w0 * d0;
              const d1 = dp[b + 1]; s1 += w0 * d1; s0 += w1 * d1;
              const d2 = dp[b + 2]; s2 += w0 * d2; s1 += w1 * d2; s0 += w2 * d2;
              const d3 = dp[b + 3]; s3 += w0 * d3; s2 += w1 * d3; s1 += w2 * d3; s0 += w3 * d3;
              const d4 = dp[b + 4]; s4 += w0 * d4; s3 += w1 * d4; s2 += w2 * d4; s1 += w3 * d4; s0 += w4 * d4;
              const d5 = dp[b + 5]; s5 += w0 * d5; s4 += w1 * d5; s3 += w2 * d5; s2 += w3 * d5; s1 += w4 * d5;
              const d6 = dp[b + 6]; s5 += w1 * d6; s4 += w2 * d6; s3 += w3 * d6; s2 += w4 * d6;
              const d7 = dp[b + 7]; s5 += w2 * d7; s4 += w3 * d7; s3 += w4 * d7;
              const d8 = dp[b + 8]; s5 += w3 * d8; s4 += w4 * d8;
              const d9 = dp[b + 9]; s5 += w4 * d9;
            }
          }
        }
        const n = Math.min(6, W - ix0), o = o0 + ix0;
        dx[o] = s0;
        if (n > 1) dx[o + 1] = s1;
        if (n > 2) dx[o + 2] = s2;
        if (n > 3) dx[o + 3] = s3;
        if (n > 4) dx[o + 4] = s4;
        if (n > 5) dx[o + 5] = s5;
      }
    }
  }
}

function directDx5x7Template(dp: any, dpOff: number, M: number, OH: number, Wd: number, KH: number, pt: number,
  wp: any, C: number, dx: any, dxOff: number, H: number, W: number, left: number, OW: number): void {
  const plane = OH * Wd, HW = H * W, KK = KH * 5;
  for (let c = 0; c < C; c++) {
    for (let iy = 0; iy < H; iy++) {
      const kyLo = Math.max(0, iy + pt - OH + 1), kyHi = Math.min(KH - 1, iy + pt), o0 = dxOff + c * HW + iy * W;
      for (let ix0 = 0; ix0 < W; ix0 += 7) {
        // 1: columns 0–3 of the strip's window are zero; 2: columns 7–10 are; 0: neither.
        const edge = ix0 + 4 <= left ? 1 : ix0 + 7 >= left + OW ? 2 : 0;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0;
        for (let oc = 0; oc < M; oc++) {
          let b = dpOff + oc * plane + (iy + pt - kyLo) * Wd + ix0, t = (c * M + oc) * KK + kyLo * 5;
          if (edge === 1) {
            for (let ky = kyLo; ky <= kyHi; ky++, b -= Wd, t += 5) {
              const w0 = wp[t], w1 = wp[t + 1], w2 = wp[t + 2], w3 = wp[t + 3], w4 = wp[t + 4];
              const d4 = dp[b + 4]; s4 += w0 * d4; s3 += w1 * d4; s2 += w2 * d4; s1 += w3 * d4; s0 += w4 * d4;
              const d5 = dp[b + 5]; s5 += w0 * d5; s4 += w1 * d5; s3 += w2 * d5; s2 += w3 * d5; s1 += w4 * d5;
              const d6 = dp[b + 6]; s6 += w0 * d6; s5 += w1 * d6; s4 += w2 * d6; s3 += w3 * d6; s2 += w4 * d6;
              const d7 = dp[b + 7]; s6 += w1 * d7; s5 += w2 * d7; s4 += w3 * d7; s3 += w4 * d7;
              const d8 = dp[b + 8]; s6 += w2 * d8; s5 += w3 * d8; s4 += w4 * d8;
              const d9 = dp[b + 9]; s6 += w3 * d9; s5 += w4 * d9;
              const d10 = dp[b + 10]; s6 += w4 * d10;
            }
          } else if (edge === 2) {
            for (let ky = kyLo; ky <= kyHi; ky++, b -= Wd, t += 5) {
              const w0 = wp[t], w1 = wp[t + 1], w2 = wp[t + 2], w3 = wp[t + 3], w4 = wp[t + 4];
              const d0 = dp[b]; s0 += w0 * d0;
              const d1 = dp[b + 1]; s1 += w0 * d1; s0 += w1 * d1;
              const d2 = dp[b + 2]; s2 += w0 * d2; s1 += w1 * d2; s0 += w2 * d2;
              const d3 = dp[b + 3]; s3 += w0 * d3; s2 += w1 * d3; s1 += w2 * d3; s0 += w3 * d3;
              const d4 = dp[b + 4]; s4 += w0 * d4; s3 += w1 * d4; s2 += w2 * d4; s1 += w3 * d4; s0 += w4 * d4;
              const d5 = dp[b + 5]; s5 += w0 * d5; s4 += w1 * d5; s3 += w2 * d5; s2 += w3 * d5; s1 += w4 * d5;
              const d6 = dp[b + 6]; s6 += w0 * d6; s5 += w1 * d6; s4 += w2 * d6; s3 += w3 * d6; s2 += w4 * d6;
            }
          } else {
            for (let ky = kyLo; ky <= kyHi; ky++, b -= Wd, t += 5) {
              const w0 = wp[t], w1 = wp[t + 1], w2 = wp[t + 2], w3 = wp[t + 3], w4 = wp[t + 4];
              const d0 = dp[b]; s0 += w0 * d0;
              const d1 = dp[b + 1]; s1 += w0 * d1; s0 += w1 * d1;
              const d2 = dp[b + 2]; s2 += w0 * d2; s1 += w1 * d2; s0 += w2 * d2;
              const d3 = dp[b + 3]; s3 += w0 * d3; s2 += w1 * d3; s1 += w2 * d3; s0 += w3 * d3;
              const d4 = dp[b + 4]; s4 += w0 * d4; s3 += w1 * d4; s2 += w2 * d4; s1 += w3 * d4; s0 += w4 * d4;
              const d5 = dp[b + 5]; s5 += w0 * d5; s4 += w1 * d5; s3 += w2 * d5; s2 += w3 * d5; s1 += w4 * d5;
              const d6 = dp[b + 6]; s6 += w0 * d6; s5 += w1 * d6; s4 += w2 * d6; s3 += w3 * d6; s2 += w4 * d6;
              const d7 = dp[b + 7]; s6 += w1 * d7; s5 += w2 * d7; s4 += w3 * d7; s3 += w4 * d7;
              const d8 = dp[b + 8]; s6 += w2 * d8; s5 += w3 * d8; s4 += w4 * d8;
              const d9 = dp[b + 9]; s6 += w3 * d9; s5 += w4 * d9;
              const d10 = dp[b + 10]; s6 += w4 * d10;
            }
          }
        }
        const n = Math.min(7, W - ix0), o = o0 + ix0;
        dx[o] = s0;
        if (n > 1) dx[o + 1] = s1;
        if (n > 2) dx[o + 2] = s2;
        if (n > 3) dx[o + 3] = s3;
        if (n > 4) dx[o + 4] = s4;
        if (n > 5) dx[o + 5] = s5;
        if (n > 6) dx[o + 6] = s6;
      }
    }
  }
}

function directDx5x8Template(dp: any, dpOff: number, M: number, OH: number, Wd: number, KH: number, pt: number,
  wp: any, C: number, dx: any, dxOff: number, H: number, W: number, left: number, OW: number): void {
  const plane = OH * Wd, HW = H * W, KK = KH * 5;
  for (let c = 0; c < C; c++) {
    for (let iy = 0; iy < H; iy++) {
      const kyLo = Math.max(0, iy + pt - OH + 1), kyHi = Math.min(KH - 1, iy + pt), o0 = dxOff + c * HW + iy * W;
      for (let ix0 = 0; ix0 < W; ix0 += 8) {
        // 1: columns 0–3 of the strip's window are zero; 2: columns 8–11 are; 0: neither.
        const edge = ix0 + 4 <= left ? 1 : ix0 + 8 >= left + OW ? 2 : 0;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        for (let oc = 0; oc < M; oc++) {
          let b = dpOff + oc * plane + (iy + pt - kyLo) * Wd + ix0, t = (c * M + oc) * KK + kyLo * 5;
          if (edge === 1) {
            for (let ky = kyLo; ky <= kyHi; ky++, b -= Wd, t += 5) {
              const w0 = wp[t], w1 = wp[t + 1], w2 = wp[t + 2], w3 = wp[t + 3], w4 = wp[t + 4];
              const d4 = dp[b + 4]; s4 += w0 * d4; s3 += w1 * d4; s2 += w2 * d4; s1 += w3 * d4; s0 += w4 * d4;
              const d5 = dp[b + 5]; s5 += w0 * d5; s4 += w1 * d5; s3 += w2 * d5; s2 += w3 * d5; s1 += w4 * d5;
              const d6 = dp[b + 6]; s6 += w0 * d6; s5 += w1 * d6; s4 += w2 * d6; s3 += w3 * d6; s2 += w4 * d6;
              const d7 = dp[b + 7]; s7 += w0 * d7; s6 += w1 * d7; s5 += w2 * d7; s4 += w3 * d7; s3 += w4 * d7;
              const d8 = dp[b + 8]; s7 += w1 * d8; s6 += w2 * d8; s5 += w3 * d8; s4 += w4 * d8;
              const d9 = dp[b + 9]; s7 += w2 * d9; s6 += w3 * d9; s5 += w4 * d9;
              const d10 = dp[b + 10]; s7 += w3 * d10; s6 += w4 * d10;
              const d11 = dp[b + 11]; s7 += w4 * d11;
            }
          } else if (edge === 2) {
            for (let ky = kyLo; ky <= kyHi; ky++, b -= Wd, t += 5) {
              const w0 = wp[t], w1 = wp[t + 1], w2 = wp[t + 2], w3 = wp[t + 3], w4 = wp[t + 4];
              const d0 = dp[b]; s0 += w0 * d0;
              const d1 = dp[b + 1]; s1 += w0 * d1; s0 += w1 * d1;
              const d2 = dp[b + 2]; s2 += w0 * d2; s1 += w1 * d2; s0 += w2 * d2;
              const d3 = dp[b + 3]; s3 += w0 * d3; s2 += w1 * d3; s1 += w2 * d3; s0 += w3 * d3;
              const d4 = dp[b + 4]; s4 += w0 * d4; s3 += w1 * d4; s2 += w2 * d4; s1 += w3 * d4; s0 += w4 * d4;
              const d5 = dp[b + 5]; s5 += w0 * d5; s4 += w1 * d5; s3 += w2 * d5; s2 += w3 * d5; s1 += w4 * d5;
              const d6 = dp[b + 6]; s6 += w0 * d6; s5 += w1 * d6; s4 += w2 * d6; s3 += w3 * d6; s2 += w4 * d6;
              const d7 = dp[b + 7]; s7 += w0 * d7; s6 += w1 * d7; s5 += w2 * d7; s4 += w3 * d7; s3 += w4 * d7;
            }
          } else {
            for (let ky = kyLo; ky <= kyHi; ky++, b -= Wd, t += 5) {
              const w0 = wp[t], w1 = wp[t + 1], w2 = wp[t + 2], w3 = wp[t + 3], w4 = wp[t + 4];
              const d0 = dp[b]; s0 += w0 * d0;
              const d1 = dp[b + 1]; s1 += w0 * d1; s0 += w1 * d1;
              const d2 = dp[b + 2]; s2 += w0 * d2; s1 += w1 * d2; s0 += w2 * d2;
              const d3 = dp[b + 3]; s3 += w0 * d3; s2 += w1 * d3; s1 += w2 * d3; s0 += w3 * d3;
              const d4 = dp[b + 4]; s4 += w0 * d4; s3 += w1 * d4; s2 += w2 * d4; s1 += w3 * d4; s0 += w4 * d4;
              const d5 = dp[b + 5]; s5 += w0 * d5; s4 += w1 * d5; s3 += w2 * d5; s2 += w3 * d5; s1 += w4 * d5;
              const d6 = dp[b + 6]; s6 += w0 * d6; s5 += w1 * d6; s4 += w2 * d6; s3 += w3 * d6; s2 += w4 * d6;
              const d7 = dp[b + 7]; s7 += w0 * d7; s6 += w1 * d7; s5 += w2 * d7; s4 += w3 * d7; s3 += w4 * d7;
              const d8 = dp[b + 8]; s7 += w1 * d8; s6 += w2 * d8; s5 += w3 * d8; s4 += w4 * d8;
              const d9 = dp[b + 9]; s7 += w2 * d9; s6 += w3 * d9; s5 += w4 * d9;
              const d10 = dp[b + 10]; s7 += w3 * d10; s6 += w4 * d10;
              const d11 = dp[b + 11]; s7 += w4 * d11;
            }
          }
        }
        const n = Math.min(8, W - ix0), o = o0 + ix0;
        dx[o] = s0;
        if (n > 1) dx[o + 1] = s1;
        if (n > 2) dx[o + 2] = s2;
        if (n > 3) dx[o + 3] = s3;
        if (n > 4) dx[o + 4] = s4;
        if (n > 5) dx[o + 5] = s5;
        if (n > 6) dx[o + 6] = s6;
        if (n > 7) dx[o + 7] = s7;
      }
    }
  }
}

/* eslint-enable @typescript-eslint/no-explicit-any */

type DirectDx = typeof directDx3Template;

/**
 * The copy must match the template on 2 channels, 2 filters, a 5×(3S + 3) input with pt = 1 (kernel rows skipped
 * at the top and bottom) and a partial last strip; δy 2S − 2 wide placed 4 columns in, so 5-wide rows meet
 * left-edge, inner and right-edge bodies.
 */
function smoke(template: DirectDx, KW: 3 | 5, S: number) {
  return (f: DirectDx, T: Float32ArrayConstructor | Float64ArrayConstructor): boolean => {
    const W = 3 * S + 3, Wd = Math.ceil(W / S) * S + KW - 1;
    const dp = new T(2 * 3 * Wd).map((_, i) => (i % 7) - 3), wp = new T(2 * 2 * 3 * KW).map((_, i) => (i % 5) - 2);
    const a = new T(2 * 5 * W), b = new T(2 * 5 * W);
    f(dp, 0, 2, 3, Wd, 3, 1, wp, 2, a, 0, 5, W, 4, 2 * S - 2);
    template(dp, 0, 2, 3, Wd, 3, 1, wp, 2, b, 0, 5, W, 4, 2 * S - 2);
    return a.every((v, i) => v === b[i]) && a.some((v) => v !== 0);
  };
}

export const directDx3Kernel = perType(directDx3Template, smoke(directDx3Template, 3, 8));
/** By strip width. */
export const directDx5Kernels = {
  6: perType(directDx5x6Template, smoke(directDx5x6Template, 5, 6)),
  7: perType(directDx5x7Template, smoke(directDx5x7Template, 5, 7)),
  8: perType(directDx5x8Template, smoke(directDx5x8Template, 5, 8)),
};
