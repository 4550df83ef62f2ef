import assert from 'node:assert/strict';
import { type MatView, gemm, mat, matmul, unspecialized } from '../../../engine/kernels/index.js';
import { assertClose, randn64, rng } from './util.js';

/** C = op(A)·op(B) by the textbook triple loop. */
function naive(m: number, n: number, k: number, a: MatView<Float64Array>, b: MatView<Float64Array>): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++)
        s +=
          a.data[a.offset + i * a.rowStride + p * a.colStride] * b.data[b.offset + p * b.rowStride + j * b.colStride];
      c[i * n + j] = s;
    }
  return c;
}

describe('gemm', () => {
  it('every template got its own per-element-type copy (no shared, polymorphic fallback in Node)', () => {
    assert.deepEqual(unspecialized, []);
  });

  it('gemm [2×3]·[3×2] by hand', () => {
    assert.deepEqual(
      [...matmul(2, 2, 3, Float64Array.of(1, 2, 3, 4, 5, 6), Float64Array.of(7, 8, 9, 10, 11, 12))],
      [58, 64, 139, 154],
    );
  });

  // Sizes straddle the 4×4 tile, the 64-row and 256-deep blocks and the 1024-column panel; m ≤ 32 takes the
  // unpacked-B path.
  const sizes = [
    [1, 1, 1],
    [5, 7, 3],
    [4, 4, 4],
    [33, 17, 9],
    [13, 1030, 7],
    [70, 45, 300],
    [130, 9, 513],
    [32, 40, 260],
  ];
  const r = rng(1);
  for (const [m, n, k] of sizes) {
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      it(`gemm m=${m} n=${n} k=${k}${ta ? ' Aᵀ' : ''}${tb ? ' Bᵀ' : ''}`, () => {
        const a = mat(randn64(r, m * k), ta ? m : k, ta),
          b = mat(randn64(r, k * n), tb ? k : n, tb);
        const c = new Float64Array(m * n);
        gemm(m, n, k, a, b, c);
        assertClose(c, naive(m, n, k, a, b), 1e-12, 'C');
      });
    }
  }

  it('gemm accumulates into a strided block of a larger C and leaves the rest alone', () => {
    const m = 6,
      n = 5,
      k = 9,
      ldc = 11,
      off = 3;
    const a = mat(randn64(r, m * k), k),
      b = mat(randn64(r, k * n), n);
    const c = new Float64Array(off + m * ldc).fill(1);
    gemm(m, n, k, a, b, c, off, ldc, true);
    const want = naive(m, n, k, a, b);
    for (let i = 0; i < c.length; i++) {
      const row = Math.floor((i - off) / ldc),
        col = (i - off) % ldc;
      const inside = i >= off && col < n;
      assert.ok(Math.abs(c[i] - (inside ? 1 + want[row * n + col] : 1)) < 1e-12, `C[${i}]`);
    }
  });

  it('gemm with k=0 writes zeros (an empty sum), or leaves C when accumulating', () => {
    const c = new Float64Array(4).fill(3);
    gemm(2, 2, 0, mat(new Float64Array(0), 0), mat(new Float64Array(0), 2), c, 0, 2, true);
    assert.deepEqual([...c], [3, 3, 3, 3]);
    gemm(2, 2, 0, mat(new Float64Array(0), 0), mat(new Float64Array(0), 2), c);
    assert.deepEqual([...c], [0, 0, 0, 0]);
  });

  it('gemm float32 m=37 n=45 k=300 answers in float32 close to float64', () => {
    const a = randn64(r, 37 * 300),
      b = randn64(r, 300 * 45);
    const c32 = matmul(37, 45, 300, Float32Array.from(a), Float32Array.from(b));
    assert.ok(c32 instanceof Float32Array);
    assertClose(c32, matmul(37, 45, 300, a, b), 1e-4, 'C');
  });
});
