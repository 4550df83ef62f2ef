import assert from 'node:assert/strict';
import {
  winogradBackwardFilter,
  winogradBackwardInput,
  winogradFits,
  winogradForward,
} from '../../../engine/kernels/winograd.js';
import { type ConvSpec, assertNear, convGeom, convName, naiveConv, naiveConvGrads, randn64, rng } from './util.js';

/** The float32 pair of a float64 test tensor. */
const f32 = (a: Float64Array) => Float32Array.from(a);

describe('winograd kernels: which geometries fit', () => {
  it('winogradFits takes stride-1 undilated 3×3 and 5×5 only', () => {
    assert.ok(winogradFits(convGeom({ n: 1, c: 1, h: 5, w: 5, oc: 1, kh: 3, kw: 3 })));
    assert.ok(winogradFits(convGeom({ n: 1, c: 1, h: 5, w: 5, oc: 1, kh: 5, kw: 5 })));
    assert.ok(!winogradFits(convGeom({ n: 1, c: 1, h: 5, w: 5, oc: 1, kh: 3, kw: 5 })));
    assert.ok(!winogradFits(convGeom({ n: 1, c: 1, h: 5, w: 5, oc: 1, kh: 2, kw: 2 })));
    assert.ok(!winogradFits(convGeom({ n: 1, c: 1, h: 7, w: 7, oc: 1, kh: 3, kw: 3, sh: 2, sw: 2 })));
    assert.ok(!winogradFits(convGeom({ n: 1, c: 1, h: 7, w: 7, oc: 1, kh: 3, kw: 3, dh: 2, dw: 2 })));
    assert.ok(!winogradFits(convGeom({ n: 1, c: 1, h: 4, w: 4, oc: 1, kh: 5, kw: 5 })));
  });
});

describe('winograd kernels against the direct loops (relative to the largest output: float64 1e-13, float32 1e-5)', () => {
  // F(2×2, 3×3) and F(2×2, 5×5): odd output sizes (a partial last tile row and column), asymmetric padding
  // (patches reaching past the input on one side only), groups, the bench shapes a (64 → 96 channels, 5×5 on
  // 6×6: one tile per sample) and d (32 → 64, 3×3 pad 1 on 32×32) at a smaller batch, 1×1 output maps, and
  // batches split into several chunks of tile rows, including a sample's rows split across chunks.
  const cases: ConvSpec[] = [
    { n: 2, c: 3, h: 7, w: 7, oc: 4, kh: 3, kw: 3 },
    { n: 2, c: 3, h: 9, w: 8, oc: 5, kh: 5, kw: 5 },
    { n: 2, c: 2, h: 8, w: 7, oc: 3, kh: 3, kw: 3, pad: [2, 0, 1, 2] },
    { n: 1, c: 2, h: 9, w: 10, oc: 3, kh: 5, kw: 5, pad: [2, 0, 1, 2], bias: false },
    { n: 2, c: 4, h: 7, w: 6, oc: 6, kh: 3, kw: 3, groups: 2, pad: [1, 1, 1, 1] },
    { n: 2, c: 6, h: 8, w: 11, oc: 4, kh: 5, kw: 5, groups: 2, pad: [2, 2, 0, 1] },
    { n: 3, c: 4, h: 5, w: 5, oc: 3, kh: 5, kw: 5 },
    { n: 2, c: 3, h: 3, w: 3, oc: 2, kh: 3, kw: 3 },
    { n: 1, c: 2, h: 1, w: 1, oc: 2, kh: 3, kw: 3, pad: [1, 1, 1, 1] },
    { n: 3, c: 64, h: 6, w: 6, oc: 96, kh: 5, kw: 5 },
    { n: 2, c: 32, h: 32, w: 32, oc: 64, kh: 3, kw: 3, pad: [1, 1, 1, 1] },
    // Several chunks (winograd.ts's BUDGET of 2^17 elements over α²·max(icg, ocg)·TW a tile row): 128 filters on 9
    // tiles a row give chunks of 3 tile rows over 5 samples of 2, so chunks hold parts of two samples, or a whole
    // one and part of the next; 256 filters on 14 tiles a row, chunks of 2 rows over samples of 3 (the last
    // partial: OH = OW = 27… odd); 256 filters on 256 tiles a row, a chunk per tile row, a sample over 5 chunks.
    { n: 5, c: 2, h: 8, w: 20, oc: 128, kh: 5, kw: 5, pad: [0, 0, 1, 1] },
    { n: 3, c: 2, h: 5, w: 27, oc: 256, kh: 3, kw: 3, pad: [1, 1, 1, 1] },
    { n: 2, c: 1, h: 9, w: 512, oc: 256, kh: 3, kw: 3, pad: [1, 1, 1, 1] },
  ];
  const r = rng(29);
  for (const s of cases) {
    const g = convGeom(s),
      icg = s.c / (s.groups ?? 1),
      P = g.h.out * g.w.out;
    const x = randn64(r, s.n * s.c * s.h * s.w),
      w = randn64(r, s.oc * icg * s.kh * s.kw);
    const b = s.bias === false ? null : randn64(r, s.oc),
      dy = randn64(r, s.n * s.oc * P);

    it(`winograd forward ${convName(s)}`, () => {
      assert.ok(winogradFits(g));
      const want = naiveConv(g, s.n, x, w, b ?? undefined);
      const y = new Float64Array(want.length).fill(NaN);
      winogradForward(g, s.n, x, w, b, y);
      assertNear(y, want, 1e-13, 'float64 y');
      const y32 = new Float32Array(want.length).fill(NaN);
      winogradForward(g, s.n, f32(x), f32(w), b && f32(b), y32);
      assertNear(y32, want, 1e-5, 'float32 y');
    });

    it(`winograd δx dW ${convName(s)}`, () => {
      const want = naiveConvGrads(g, s.n, x, w, dy);
      const dx = new Float64Array(x.length).fill(NaN),
        dW = new Float64Array(w.length).fill(NaN);
      winogradBackwardInput(g, s.n, dy, w, dx);
      winogradBackwardFilter(g, s.n, x, dy, dW);
      assertNear(dx, want.dx, 1e-13, 'float64 δx');
      assertNear(dW, want.dW, 1e-13, 'float64 dW');
      const dx32 = new Float32Array(x.length).fill(NaN),
        dW32 = new Float32Array(w.length).fill(NaN);
      winogradBackwardInput(g, s.n, f32(dy), f32(w), dx32);
      winogradBackwardFilter(g, s.n, f32(x), f32(dy), dW32);
      assertNear(dx32, want.dx, 1e-5, 'float32 δx');
      assertNear(dW32, want.dW, 1e-5, 'float32 dW');
    });
  }

  it('winograd rejects arrays of the wrong size and geometries it does not fit', () => {
    const g = convGeom({ n: 1, c: 2, h: 5, w: 5, oc: 1, kh: 3, kw: 3 });
    assert.throws(
      () => winogradForward(g, 1, new Float64Array(49), new Float64Array(18), null, new Float64Array(9)),
      /x has 49 elements, expected 50/,
    );
    const g2 = convGeom({ n: 1, c: 1, h: 5, w: 5, oc: 1, kh: 3, kw: 3, sh: 2, sw: 2 });
    assert.throws(
      () => winogradForward(g2, 1, new Float64Array(25), new Float64Array(9), null, new Float64Array(4)),
      /stride-1/,
    );
  });
});
