import assert from 'node:assert/strict';
import {
  maxPoolBackward,
  maxPoolForward,
  maxPoolKinks,
  meanPoolBackward,
  meanPoolForward,
} from '../../../engine/kernels/index.js';
import { runTf, tfReady } from './peers.js';
import { assertClose, dot, fromNHWC, numericGrad, poolGeom, randn64, relError, rng, toNHWC } from './util.js';

describe('pool kernels: hand-worked cases', () => {
  it('mean pool δx x=[1,1,13,13] k=2: row and column 13 get zero δ', () => {
    const g = poolGeom('mean', 1, 13, 13, [2, 2]);
    assert.equal(g.h.out, 6);
    const dx = meanPoolBackward(g, 1, new Float64Array(36).fill(4));
    for (let i = 0; i < 13; i++) {
      for (let j = 0; j < 13; j++) assert.equal(dx[i * 13 + j], i === 12 || j === 12 ? 0 : 1, `δx[${i},${j}]`);
    }
  });

  it('mean pool forward x=[1,1,3,3] k=4 s=2 p=1 ceil: a window past the padded input divides by its inside part', () => {
    // Padded input spans −1…3; window 1 starts at 1 and would run to 4: clipped to 3 rows (× 4 or 3 columns).
    const g = poolGeom('mean', 1, 3, 3, [4, 4], [2, 2], [1, 1], true);
    assert.equal(g.h.out, 2);
    const y = meanPoolForward(g, 1, new Float64Array(9).fill(1));
    // counts of real inputs: 9, 6, 6, 4; divisors 16, 12, 12, 9 (PyTorch's numbers)
    assertClose(y, [9 / 16, 6 / 12, 6 / 12, 4 / 9], 1e-15, 'y');
    const dx = meanPoolBackward(g, 1, Float64Array.of(16, 12, 12, 9));
    assert.deepEqual([...dx], [1, 2, 2, 2, 4, 4, 2, 4, 4]);
  });

  it('max pool forward x=[1,1,2,4] k=2: a tie goes to the first maximum in row-major order', () => {
    const g = poolGeom('max', 1, 2, 4, [2, 2]);
    const x = Float64Array.of(1, 5, 3, 2, 5, 0, 3, 3);
    const { y, argmax, gap, runnerUp } = maxPoolForward(g, 1, x, { gaps: true });
    assert.deepEqual([...y], [5, 3]);
    assert.deepEqual([...argmax], [1, 2]);
    assert.deepEqual([...(gap ?? [])], [0, 0]);
    assert.deepEqual([...(runnerUp ?? [])], [4, 6]);
    assert.deepEqual([...maxPoolBackward(g, 1, Float64Array.of(7, 9), argmax)], [0, 7, 9, 0, 0, 0, 0, 0]);
  });

  it('max pool forward x=[1,1,3,3] k=2 s=2 p=1: padding never wins, even against negatives', () => {
    const g = poolGeom('max', 1, 3, 3, [2, 2], [2, 2], [1, 1]);
    const x = Float64Array.of(-5, -1, -2, -7, -3, -3, -9, -8, -4);
    const { y, argmax, gap, runnerUp } = maxPoolForward(g, 1, x, { gaps: true });
    assert.deepEqual([...y], [-5, -1, -7, -3]);
    assert.deepEqual([...argmax], [0, 1, 3, 4]);
    assert.deepEqual([...(gap ?? [])], [Infinity, 1, 2, 0]);
    assert.deepEqual([...(runnerUp ?? [])], [-1, 2, 6, 5]);
  });

  it('max pool kinks x=[1,1,2,6] k=2: windows led by less than eps are reported', () => {
    const g = poolGeom('max', 1, 2, 6, [2, 2]);
    const x = Float64Array.of(1, 1 + 1e-8, 0, 2, 3, 0, 0, 0, 0, 0, 0, 3);
    const fwd = maxPoolForward(g, 1, x, { gaps: true });
    assert.deepEqual([...maxPoolKinks(fwd, 1e-6)], [0, 2]);
    assert.deepEqual([...maxPoolKinks(fwd, 1e-9)], [2]);
    assert.throws(() => maxPoolKinks(maxPoolForward(g, 1, x), 1e-6), /gaps: true/);
  });

  it('max pool forward with and without gaps picks the same winners (NaN propagates)', () => {
    const r = rng(2),
      g = poolGeom('max', 3, 9, 8, [3, 2], [2, 2], [1, 1], true);
    const x = randn64(r, 2 * 3 * 72).map((v) => Math.round(v * 3) / 3); // many exact ties
    x[17] = NaN;
    const a = maxPoolForward(g, 2, x),
      b = maxPoolForward(g, 2, x, { gaps: true });
    assert.deepEqual([...a.argmax], [...b.argmax]);
    assert.deepEqual([...a.y].map(String), [...b.y].map(String));
    assert.ok([...a.y].some(Number.isNaN));
  });
});

describe('pool kernels against TensorFlow.js (float32, NHWC)', () => {
  before(tfReady);
  const cases: { c: number; h: number; w: number; k: [number, number]; s: [number, number]; pad: number }[] = [
    { c: 3, h: 8, w: 8, k: [2, 2], s: [2, 2], pad: 0 },
    { c: 2, h: 13, w: 13, k: [2, 2], s: [2, 2], pad: 0 },
    { c: 4, h: 9, w: 7, k: [3, 3], s: [2, 2], pad: 0 },
    { c: 2, h: 10, w: 9, k: [3, 2], s: [1, 2], pad: 0 },
    { c: 3, h: 7, w: 8, k: [3, 3], s: [2, 1], pad: 1 },
    { c: 2, h: 6, w: 9, k: [2, 3], s: [3, 3], pad: 1 },
  ];
  const r = rng(21),
    n = 2;
  for (const cs of cases) {
    const name = `x=[${n},${cs.c},${cs.h},${cs.w}] k=${cs.k.join('x')} s=${cs.s.join('x')} p=${cs.pad}`;
    const x = randn64(r, n * cs.c * cs.h * cs.w),
      x32 = Float32Array.from(x);
    // Explicit padding: with a plain number, tfjs sizes both axes from the height's kernel and stride.
    const attrs = {
      filterSize: cs.k,
      strides: cs.s,
      pad: [
        [0, 0],
        [cs.pad, cs.pad],
        [cs.pad, cs.pad],
        [0, 0],
      ],
    };
    const tx = { data: toNHWC(x, n, cs.c, cs.h, cs.w), shape: [n, cs.h, cs.w, cs.c] };
    for (const mode of ['max', 'mean'] as const) {
      // tfjs's average excludes padding from its divisor, PyTorch's (ours) includes it: compare without padding.
      if (mode === 'mean' && cs.pad > 0) continue;
      const g = poolGeom(mode, cs.c, cs.h, cs.w, cs.k, cs.s, [cs.pad, cs.pad]);
      const oh = g.h.out,
        ow = g.w.out,
        dy = randn64(r, n * cs.c * oh * ow);
      const tdy = { data: toNHWC(dy, n, cs.c, oh, ow), shape: [n, oh, ow, cs.c] };
      it(`${mode} pool forward and δx ${name}`, () => {
        if (mode === 'max') {
          const ty = runTf('MaxPool', { x: tx }, attrs);
          const { y, argmax } = maxPoolForward(g, n, x32);
          assertClose(y, fromNHWC(ty, n, cs.c, oh, ow), 1e-6, 'y');
          const want = runTf('MaxPoolGrad', { dy: tdy, input: tx, output: { data: ty, shape: tdy.shape } }, attrs);
          assertClose(
            maxPoolBackward(g, n, Float32Array.from(dy), argmax),
            fromNHWC(want, n, cs.c, cs.h, cs.w),
            1e-5,
            'δx',
          );
        } else {
          const ty = runTf('AvgPool', { x: tx }, attrs);
          assertClose(meanPoolForward(g, n, x32), fromNHWC(ty, n, cs.c, oh, ow), 1e-5, 'y');
          const want = runTf('AvgPoolGrad', { dy: tdy, input: tx }, attrs);
          assertClose(meanPoolBackward(g, n, Float32Array.from(dy)), fromNHWC(want, n, cs.c, cs.h, cs.w), 1e-5, 'δx');
        }
      });
    }
  }
});

describe('pool kernels: float64 central differences, loss = Σ y ⊙ r', () => {
  const cases = [
    { c: 2, h: 7, w: 7, k: [3, 3], s: [2, 2], pad: [1, 1], ceil: true },
    { c: 2, h: 6, w: 5, k: [2, 2], s: [2, 2], pad: [1, 1], ceil: true },
    { c: 1, h: 3, w: 3, k: [4, 4], s: [2, 2], pad: [1, 1], ceil: true },
    { c: 2, h: 8, w: 7, k: [3, 2], s: [1, 2], pad: [1, 0], ceil: false },
    { c: 3, h: 13, w: 13, k: [2, 2], s: [2, 2], pad: [0, 0], ceil: false },
  ] as const;
  const r = rng(9);
  for (const cs of cases) {
    for (const mode of ['max', 'mean'] as const) {
      it(`${mode} pool δx x=[2,${cs.c},${cs.h},${cs.w}] k=${cs.k.join('x')} s=${cs.s.join('x')} p=${cs.pad.join('x')}${cs.ceil ? ' ceil' : ''}`, () => {
        const g = poolGeom(
          mode,
          cs.c,
          cs.h,
          cs.w,
          [cs.k[0], cs.k[1]],
          [cs.s[0], cs.s[1]],
          [cs.pad[0], cs.pad[1]],
          cs.ceil,
        );
        const x = randn64(r, 2 * cs.c * cs.h * cs.w),
          up = randn64(r, 2 * cs.c * g.h.out * g.w.out);
        if (mode === 'max') {
          const fwd = maxPoolForward(g, 2, x, { gaps: true });
          assert.equal(maxPoolKinks(fwd, 1e-5).length, 0, 'random data should have no near-ties');
          const loss = () => dot(maxPoolForward(g, 2, x).y, up);
          assert.ok(relError(maxPoolBackward(g, 2, up, fwd.argmax), numericGrad(loss, x)) < 1e-6);
        } else {
          const loss = () => dot(meanPoolForward(g, 2, x), up);
          assert.ok(relError(meanPoolBackward(g, 2, up), numericGrad(loss, x)) < 1e-6);
        }
      });
    }
  }

  it('pool kernels write into provided outputs, zeroing δx first', () => {
    const g = poolGeom('max', 1, 2, 2, [2, 2]),
      x = Float64Array.of(1, 2, 3, 4);
    const y = new Float64Array(1),
      argmax = new Int32Array(1),
      dx = new Float64Array(4).fill(5);
    maxPoolForward(g, 1, x, { y, argmax });
    assert.deepEqual([y[0], argmax[0]], [4, 3]);
    assert.deepEqual([...maxPoolBackward(g, 1, Float64Array.of(2), argmax, dx)], [0, 0, 0, 2]);
    assert.deepEqual([...meanPoolBackward(g, 1, Float64Array.of(4), dx)], [1, 1, 1, 1]);
    assert.equal(meanPoolForward(g, 1, x, y)[0], 2.5);
  });

  it('pool float32 path answers in float32 with the float64 values', () => {
    const r2 = rng(4),
      g = poolGeom('mean', 2, 9, 9, [3, 3], [2, 2], [1, 1], true),
      x = randn64(r2, 2 * 81);
    const y32 = meanPoolForward(g, 1, Float32Array.from(x));
    assert.ok(y32 instanceof Float32Array);
    assertClose(y32, meanPoolForward(g, 1, x), 1e-5, 'y');
    assert.ok(maxPoolForward(g, 1, Float32Array.from(x)).y instanceof Float32Array);
  });
});
