/**
 * C (+)= op(A)·op(B), the one matrix product under conv (via im2col/col2im) and dense.
 *
 * Why this shape of code: it is the BLIS/Goto scheme in plain JS. A kc×nc block of B and an mc×kc block of A
 * are copied ("packed") into 4-wide micro-panels so the innermost loop reads both sequentially from L1/L2,
 * and a 4×4 register tile of 16 scalar accumulators gives 16 multiply-adds per 8 loads. Packing also absorbs
 * transposes: every operand is a strided view (row stride, column stride), so Wᵀ·δy and δy·colᵀ cost no
 * explicit transpose. On a 2-core EPYC under Node 20 this reaches ~5–6 GFLOP/s on 256³ in either element type.
 * Conv's small-filter layers are the exception to "pack everything": with m = 6 or 16 filters and k = 25–150
 * taps against n in the tens of thousands, padding m to a multiple of 4 and copying B cost a quarter to a half
 * of the product, hence 3-row tiles when they pad less, B read in place when m is small, and "dot mode" for
 * A·Bᵀ-shaped products (dW) with a small side, where neither operand is packed.
 * Block sizes: kc·4 doubles of B (8 KiB) stay in a 48 KiB L1 next to a 4×kc A micro-panel; the packed
 * mc×kc A block (128 KiB) sits in the 1 MiB L2.
 */
import { type Floats, specialize } from './specialize.js';

const MC = 64;
const KC = 256;
const NC = 1024;

/** A strided matrix view: element (i, j) is `data[offset + i·rowStride + j·colStride]`. */
export interface MatView<A extends Floats = Floats> {
  readonly data: A;
  readonly offset: number;
  readonly rowStride: number;
  readonly colStride: number;
}

/** Row-major view of a whole m×n array, or of its transpose with `transpose`. */
export function mat<A extends Floats>(data: A, cols: number, transpose = false, offset = 0): MatView<A> {
  return transpose ? { data, offset, rowStride: 1, colStride: cols } : { data, offset, rowStride: cols, colStride: 1 };
}

/* eslint-disable @typescript-eslint/no-explicit-any */
function gemmTemplate(
  m: number,
  n: number,
  k: number,
  a: any,
  aOff: number,
  aRs: number,
  aCs: number,
  b: any,
  bOff: number,
  bRs: number,
  bCs: number,
  c: any,
  cOff: number,
  ldc: number,
  accumulate: boolean,
  pa: any,
  pb: any,
  MC: number,
  KC: number,
  NC: number,
): void {
  if (k === 0) {
    if (!accumulate) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) c[cOff + i * ldc + j] = 0;
    return;
  }
  // Register tile: 4 columns by mr rows, mr = 3 when that wastes fewer padded rows (m = 6 filters: 2 tiles of
  // 3, not 2 of 4 with a half-empty one), else 4. The mc block is a whole number of tiles.
  const mr = Math.ceil(m / 3) * 3 < Math.ceil(m / 4) * 4 ? 3 : 4;
  const mcMax = MC - (MC % mr);
  // With few rows of A, each packed B element would be used only ⌈m/mr⌉ times, so a row-major B is read in
  // place (its 4-column strips stay in L1 across the ir loop) and only the ragged last strip is packed.
  const direct = bCs === 1 && m <= 32;
  // "Dot" mode: op(A)'s rows and op(B)'s columns both run contiguously along k (A·Bᵀ of row-major arrays,
  // e.g. conv's dW = δy·colᵀ) and one side is small (m filters or n kernel taps), so packing would cost about
  // as much as the product. Both are read in place: a tile is mr + 4 sequential streams, the 4 B streams
  // (4·kc elements) staying in L1 across the ir loop as a packed panel would. Tiles past the edge repeat the
  // last valid row or column; those sums are computed but never stored.
  const dot = aCs === 1 && bRs === 1 && (m <= 32 || n <= 32);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      const first = pc === 0 && !accumulate;
      for (let jr = 0; jr < nc && !dot; jr += 4) {
        const cols = Math.min(4, nc - jr);
        if (direct && cols === 4) continue;
        let src = bOff + pc * bRs + (jc + jr) * bCs;
        if (cols === 4) {
          const s1 = bCs,
            s2 = 2 * bCs,
            s3 = 3 * bCs;
          for (let p = 0, q = jr * kc; p < kc; p++, q += 4, src += bRs) {
            pb[q] = b[src];
            pb[q + 1] = b[src + s1];
            pb[q + 2] = b[src + s2];
            pb[q + 3] = b[src + s3];
          }
        } else {
          for (let p = 0, q = jr * kc; p < kc; p++, q += 4, src += bRs) {
            for (let jj = 0; jj < 4; jj++) pb[q + jj] = jj < cols ? b[src + jj * bCs] : 0;
          }
        }
      }
      for (let ic = 0; ic < m; ic += mcMax) {
        const mc = Math.min(mcMax, m - ic);
        for (let ir = 0; ir < mc && !dot; ir += mr) {
          const rows = Math.min(mr, mc - ir);
          let src = aOff + (ic + ir) * aRs + pc * aCs;
          if (rows === 4) {
            const s1 = aRs,
              s2 = 2 * aRs,
              s3 = 3 * aRs;
            for (let p = 0, q = ir * kc; p < kc; p++, q += 4, src += aCs) {
              pa[q] = a[src];
              pa[q + 1] = a[src + s1];
              pa[q + 2] = a[src + s2];
              pa[q + 3] = a[src + s3];
            }
          } else {
            for (let p = 0, q = ir * kc; p < kc; p++, q += mr, src += aCs) {
              for (let ii = 0; ii < mr; ii++) pa[q + ii] = ii < rows ? a[src + ii * aRs] : 0;
            }
          }
        }
        for (let jr = 0; jr < nc; jr += 4) {
          const cols = Math.min(4, nc - jr);
          let bb = pb,
            ib0 = jr * kc,
            bStep = 4;
          if (direct && cols === 4) {
            bb = b;
            ib0 = bOff + pc * bRs + jc + jr;
            bStep = bRs;
          }
          for (let ir = 0; ir < mc; ir += mr) {
            const rows = Math.min(mr, mc - ir);
            let ia = ir * kc,
              ib = ib0;
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
            if (dot) {
              // Strided streams: the offsets of rows 1–3 of A and columns 1–3 of B are variables here, which
              // costs registers, so the packed path below keeps its constant offsets.
              ia = aOff + (ic + ir) * aRs + pc;
              ib = bOff + pc + (jc + jr) * bCs;
              const r1 = Math.min(1, rows - 1) * aRs,
                r2 = Math.min(2, rows - 1) * aRs,
                r3 = Math.min(3, rows - 1) * aRs;
              const s1 = Math.min(1, cols - 1) * bCs,
                s2 = Math.min(2, cols - 1) * bCs,
                s3 = Math.min(3, cols - 1) * bCs;
              if (mr === 4) {
                for (let p = 0; p < kc; p++, ia++, ib++) {
                  const a0 = a[ia],
                    a1 = a[ia + r1],
                    a2 = a[ia + r2],
                    a3 = a[ia + r3];
                  const b0 = b[ib],
                    b1 = b[ib + s1],
                    b2 = b[ib + s2],
                    b3 = b[ib + s3];
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
                for (let p = 0; p < kc; p++, ia++, ib++) {
                  const a0 = a[ia],
                    a1 = a[ia + r1],
                    a2 = a[ia + r2];
                  const b0 = b[ib],
                    b1 = b[ib + s1],
                    b2 = b[ib + s2],
                    b3 = b[ib + s3];
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
            } else if (mr === 4) {
              for (let p = 0; p < kc; p++, ia += 4, ib += bStep) {
                const a0 = pa[ia],
                  a1 = pa[ia + 1],
                  a2 = pa[ia + 2],
                  a3 = pa[ia + 3];
                const b0 = bb[ib],
                  b1 = bb[ib + 1],
                  b2 = bb[ib + 2],
                  b3 = bb[ib + 3];
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
              // The 3-row tile (row 3 stays zero); with 12 accumulators it also spills fewer registers.
              for (let p = 0; p < kc; p++, ia += 3, ib += bStep) {
                const a0 = pa[ia],
                  a1 = pa[ia + 1],
                  a2 = pa[ia + 2];
                const b0 = bb[ib],
                  b1 = bb[ib + 1],
                  b2 = bb[ib + 2],
                  b3 = bb[ib + 3];
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
            const o0 = cOff + (ic + ir) * ldc + jc + jr,
              o1 = o0 + ldc,
              o2 = o1 + ldc,
              o3 = o2 + ldc;
            if (cols === 4 && rows >= 3) {
              if (first) {
                c[o0] = c00;
                c[o0 + 1] = c01;
                c[o0 + 2] = c02;
                c[o0 + 3] = c03;
                c[o1] = c10;
                c[o1 + 1] = c11;
                c[o1 + 2] = c12;
                c[o1 + 3] = c13;
                c[o2] = c20;
                c[o2 + 1] = c21;
                c[o2 + 2] = c22;
                c[o2 + 3] = c23;
                if (rows === 4) {
                  c[o3] = c30;
                  c[o3 + 1] = c31;
                  c[o3 + 2] = c32;
                  c[o3 + 3] = c33;
                }
              } else {
                c[o0] += c00;
                c[o0 + 1] += c01;
                c[o0 + 2] += c02;
                c[o0 + 3] += c03;
                c[o1] += c10;
                c[o1 + 1] += c11;
                c[o1 + 2] += c12;
                c[o1 + 3] += c13;
                c[o2] += c20;
                c[o2 + 1] += c21;
                c[o2 + 2] += c22;
                c[o2 + 3] += c23;
                if (rows === 4) {
                  c[o3] += c30;
                  c[o3 + 1] += c31;
                  c[o3 + 2] += c32;
                  c[o3 + 3] += c33;
                }
              }
            } else {
              // Edge tile: the packed zeros (or repeated rows/columns in dot mode) made extra sums; store only what
              // lies inside C.
              if (cols > 0) c[o0] = first ? c00 : c[o0] + c00;
              if (cols > 1) c[o0 + 1] = first ? c01 : c[o0 + 1] + c01;
              if (cols > 2) c[o0 + 2] = first ? c02 : c[o0 + 2] + c02;
              if (cols > 3) c[o0 + 3] = first ? c03 : c[o0 + 3] + c03;
              if (rows > 1) {
                if (cols > 0) c[o1] = first ? c10 : c[o1] + c10;
                if (cols > 1) c[o1 + 1] = first ? c11 : c[o1 + 1] + c11;
                if (cols > 2) c[o1 + 2] = first ? c12 : c[o1 + 2] + c12;
                if (cols > 3) c[o1 + 3] = first ? c13 : c[o1 + 3] + c13;
              }
              if (rows > 2) {
                if (cols > 0) c[o2] = first ? c20 : c[o2] + c20;
                if (cols > 1) c[o2 + 1] = first ? c21 : c[o2 + 1] + c21;
                if (cols > 2) c[o2 + 2] = first ? c22 : c[o2 + 2] + c22;
                if (cols > 3) c[o2 + 3] = first ? c23 : c[o2 + 3] + c23;
              }
              if (rows > 3) {
                if (cols > 0) c[o3] = first ? c30 : c[o3] + c30;
                if (cols > 1) c[o3 + 1] = first ? c31 : c[o3 + 1] + c31;
                if (cols > 2) c[o3 + 2] = first ? c32 : c[o3 + 2] + c32;
                if (cols > 3) c[o3 + 3] = first ? c33 : c[o3 + 3] + c33;
              }
            }
          }
        }
      }
    }
  }
}
/* eslint-enable @typescript-eslint/no-explicit-any */

type Gemm = typeof gemmTemplate;

function smoke(f: Gemm, T: Float32ArrayConstructor | Float64ArrayConstructor): boolean {
  // The copy must match the template exactly on every path: packed and in-place operands, 3- and 4-row
  // tiles, full and edge tiles, plain and transposed views, dot mode with either tile, stores that overwrite
  // and stores that add (accumulate, or k past one KC block). Running every path also gives the copy type
  // feedback for each branch before V8 optimises it (see `warm`).
  const a = new T(600 * 40).map((_, i) => (i % 7) - 3),
    b = new T(600 * 40).map((_, i) => (i % 5) - 2);
  const pa = new T(MC * KC),
    pb = new T(KC * NC);
  const cases = [
    [5, 7, 6, 6, 1, 7, 1, 0],
    [6, 9, 40, 40, 1, 1, 40, 0],
    [33, 40, 7, 1, 33, 40, 1, 0],
    [40, 36, 9, 9, 1, 1, 9, 0],
    [8, 40, 30, 30, 1, 1, 30, 1],
    [7, 10, 300, 300, 1, 10, 1, 0],
    [36, 9, 300, 1, 36, 9, 1, 1],
    [6, 6, 300, 300, 1, 1, 300, 1],
    [5, 8, 300, 300, 1, 8, 1, 1],
    [8, 6, 300, 300, 1, 6, 1, 1],
    [5, 8, 300, 300, 1, 1, 300, 1],
    [8, 7, 300, 300, 1, 1, 300, 1],
    [3, 5, 0, 1, 3, 5, 1, 0],
  ];
  return cases.every(([m, n, k, aRs, aCs, bRs, bCs, accumulate]) => {
    const c1 = new T(m * n).fill(1),
      c2 = new T(m * n).fill(1);
    f(m, n, k, a, 0, aRs, aCs, b, 0, bRs, bCs, c1, 0, n, accumulate === 1, pa, pb, MC, KC, NC);
    gemmTemplate(m, n, k, a, 0, aRs, aCs, b, 0, bRs, bCs, c2, 0, n, accumulate === 1, pa, pb, MC, KC, NC);
    return c1.every((v, i) => v === c2[i]);
  });
}

const gemm64 = specialize(gemmTemplate, (f) => smoke(f, Float64Array));
const gemm32 = specialize(gemmTemplate, (f) => smoke(f, Float32Array));
let scratch64: [Float64Array, Float64Array] | undefined;
let scratch32: [Float32Array, Float32Array] | undefined;

/**
 * The smoke run again, at a copy's first use: a branch first reached in optimised code deopts it
 * ("insufficient type feedback"), and until V8 recompiles it the GEMM runs interpreted, boxing every product.
 * The smoke run at load covers every branch, but V8 flushes the bytecode of a function left unused over a few
 * full GCs, its feedback with it, and drawing a big model's parameters takes that many: a ResNet-18 check
 * deopted the GEMM six times and allocated 1.4 GB of heap numbers in it (none with `--no-flush-bytecode`).
 * Twice: a function compiled afresh gets its feedback vector only after several calls, so the first calls of
 * one smoke run teach it nothing (once still left the edge tiles' adding stores to deopt on).
 */
const warm = { 64: false, 32: false };

/**
 * C[m×n] = op(A)[m×k]·op(B)[k×n], or C += … with `accumulate`. C is row-major with leading dimension `ldc`
 * starting at `cOffset`. All three should share one element type; mixing them is correct but runs the
 * float64 copy with polymorphic loads. Packing buffers are module scratch: the kernels never re-enter gemm.
 */
export function gemm<A extends Floats>(
  m: number,
  n: number,
  k: number,
  a: MatView<A>,
  b: MatView<A>,
  c: A,
  cOffset = 0,
  ldc = n,
  accumulate = false,
): void {
  if (m <= 0 || n <= 0) return;
  if (c instanceof Float32Array) {
    if (!warm[32]) warm[32] = (smoke(gemm32, Float32Array), smoke(gemm32, Float32Array), true);
    scratch32 ??= [new Float32Array(MC * KC), new Float32Array(KC * NC)];
    gemm32(
      m,
      n,
      k,
      a.data,
      a.offset,
      a.rowStride,
      a.colStride,
      b.data,
      b.offset,
      b.rowStride,
      b.colStride,
      c,
      cOffset,
      ldc,
      accumulate,
      scratch32[0],
      scratch32[1],
      MC,
      KC,
      NC,
    );
  } else {
    if (!warm[64]) warm[64] = (smoke(gemm64, Float64Array), smoke(gemm64, Float64Array), true);
    scratch64 ??= [new Float64Array(MC * KC), new Float64Array(KC * NC)];
    gemm64(
      m,
      n,
      k,
      a.data,
      a.offset,
      a.rowStride,
      a.colStride,
      b.data,
      b.offset,
      b.rowStride,
      b.colStride,
      c,
      cOffset,
      ldc,
      accumulate,
      scratch64[0],
      scratch64[1],
      MC,
      KC,
      NC,
    );
  }
}

/** Row-major product of whole arrays, C[m×n] = A[m×k]·B[k×n]; the JS ceiling the bench compares conv with. */
export function matmul<A extends Floats>(m: number, n: number, k: number, a: A, b: A, c?: A): A {
  const out = c ?? ((a instanceof Float32Array ? new Float32Array(m * n) : new Float64Array(m * n)) as A);
  gemm(m, n, k, mat(a, k), mat(b, n), out);
  return out;
}
