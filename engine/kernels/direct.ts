/**
 * Direct δx of a stride-1, dilation-1 conv whose kernel rows are 3 or 5 taps wide:
 * δx[c][iy][ix] = Σ_oc Σ_ky Σ_kx W[oc][c][ky][kx]·δy[oc][iy + pt − ky][ix + pl − kx], no col2im.
 *
 * Why this shape: conv.ts's general δx is col2im(Wᵀ·δy), a GEMM whose depth k is the filter count (6 on
 * LeNet's first layer), so each 4×4 tile does 6 steps and then 16 stores, and col2im adds every product back
 * (a quarter of the time). Here a strip of 8 consecutive δx of one row sits in 8 accumulators; for each filter
 * and kernel row, the row's KW weights are loaded once and the 8 + KW − 1 δy values under the strip once each,
 * every δy then feeding the up to KW accumulators it touches: 13–17 loads for 24–40 multiply-adds, with no
 * sliding-register rotation (a rotating 8-value window in a loop over kx spilled and ran 15% slower than this
 * unrolled form, hence one body per width). Kernel rows whose δy row lies outside the map are skipped; columns
 * are not (δy is zero-widened instead), so a narrow map wastes up to ⌈W/8⌉·8 / OW of the work, and conv.ts
 * uses this only where that is small. Measured (float32, 2-core EPYC, Node 20), against the GEMM path:
 * 64×1×32×32 → 6 5×5 2.4 → 3.9 GFLOP/s; 64×8×28×28 → 16 3×3 pad 1 3.5 → 4.0; 64×1×28×28 → 8 3×3 pad 1
 * 2.4 → 2.8; but 64×6×14×14 → 16 5×5 (16 columns computed per 10 used) 3.5 → 3.2, so that one takes the
 * 7-wide, edge-skipping directDx7Template below. It also wins or ties at many filters, where the GEMM is near
 * its ceiling: 16×32×32×32 → 64 3×3 pad 1 4.7 → 5.0, 8×128×16×16 → 256 3×3 pad 1 4.8 → 4.9 (see conv.ts's
 * directDx for the other measurements).
 */
import { perType } from './specialize.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * dx[dxOff + c·H·W + iy·W + ix] = Σ_oc Σ_ky Σ_kx W[oc][c][ky][kx] · δy[oc][iy + pt − ky][ix + pl − kx] for the C
 * channels c, from `dp`: δy's M planes of OH rows, each widened to Wd ≥ ⌈W/8⌉·8 + KW − 1 columns with
 * KW − 1 − pl zeros on the left and zeros on the right, so dp[dpOff + oc·OH·Wd + oy·Wd + ix + KW − 1 − kx] holds
 * the δy a tap reads (zero outside the map). Rows of taps outside the map (oy < 0 or ≥ OH) are skipped.
 * KW must be 3 or 5 (one unrolled body each).
 * `wp` holds the weights flipped along kx: wp[((c·M + oc)·KH + ky)·KW + kx'] = W[oc][c][ky][KW−1−kx'].
 */
function directDxTemplate(dp: any, dpOff: number, M: number, OH: number, Wd: number, KH: number, KW: number, pt: number,
  wp: any, C: number, dx: any, dxOff: number, H: number, W: number): void {
  const plane = OH * Wd, HW = H * W, KK = KH * KW;
  for (let c = 0; c < C; c++) {
    for (let iy = 0; iy < H; iy++) {
      const kyLo = Math.max(0, iy + pt - OH + 1), kyHi = Math.min(KH - 1, iy + pt), o0 = dxOff + c * HW + iy * W;
      for (let ix0 = 0; ix0 < W; ix0 += 8) {
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        for (let oc = 0; oc < M; oc++) {
          let b = dpOff + oc * plane + (iy + pt - kyLo) * Wd + ix0, t = (c * M + oc) * KK + kyLo * KW;
          if (KW === 5) {
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
          } else {
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
              const d9 = dp[b + 9]; s7 += w2 * d9;
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
/**
 * The same δx for KW = 5 in 7-wide strips, for narrow maps where 8-wide ones waste too much (14 = 2·7), and
 * with the zero δy at a map's edges skipped: a strip whose first 4 widened δy columns lie left of δy (column <
 * `left`) runs a body without them, one whose last 4 lie right of it (≥ left + OW) a body without those, so on a
 * 14-wide map from a 10-wide δy (pl = 0) both strips do 25 multiply-adds per filter and kernel row, exactly the
 * useful work. Same layout of `dp` and `wp` as directDxTemplate, with Wd ≥ ⌈W/7⌉·7 + 4. Measured (float32,
 * 2-core EPYC, Node 20) on 64×6×14×14 → 16 5×5: GEMM + col2im 3.6 → 5.6 GFLOP/s
 * (the 8-wide body, zero columns included, had measured 3.2).
 */
function directDx7Template(dp: any, dpOff: number, M: number, OH: number, Wd: number, KH: number, pt: number,
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
/* eslint-enable @typescript-eslint/no-explicit-any */

export const directDxKernel = perType(directDxTemplate, (f, T) => {
  // 2 channels, 2 filters, a 3×5 map of a 5×10 input (pt = 1, pl = 2: some kernel rows skipped, a partial last
  // strip), for both widths.
  return [3, 5].every((KW) => {
    const dp = new T(2 * 3 * 20).map((_, i) => (i % 7) - 3), wp = new T(2 * 2 * 3 * KW).map((_, i) => (i % 5) - 2);
    const a = new T(100), b = new T(100);
    f(dp, 0, 2, 3, 20, 3, KW, 1, wp, 2, a, 0, 5, 10);
    directDxTemplate(dp, 0, 2, 3, 20, 3, KW, 1, wp, 2, b, 0, 5, 10);
    return a.every((v, i) => v === b[i]) && a.some((v) => v !== 0);
  });
});

export const directDx7Kernel = perType(directDx7Template, (f, T) => {
  // 2 channels, 2 filters, a 3×6 δy of a 5×10 input (pt = 1, left = 3: left-edge, inner and right-edge strips,
  // a partial last strip).
  const dp = new T(2 * 3 * 25).map((_, i) => (i % 7) - 3), wp = new T(2 * 2 * 3 * 5).map((_, i) => (i % 5) - 2);
  const a = new T(100), b = new T(100);
  f(dp, 0, 2, 3, 25, 3, 1, wp, 2, a, 0, 5, 10, 3, 6);
  directDx7Template(dp, 0, 2, 3, 25, 3, 1, wp, 2, b, 0, 5, 10, 3, 6);
  return a.every((v, i) => v === b[i]) && a.some((v) => v !== 0);
});
