import assert from 'node:assert/strict';
import { convAxis } from '../../../engine/geometry.js';
import { conv2dBackwardFilter, conv2dBackwardInput, conv2dForward } from '../../../engine/kernels/index.js';
import { convPaths } from '../../../engine/kernels/conv.js';
import { runTf, tfReady } from './peers.js';
import {
  type ConvSpec,
  assertClose,
  assertNear,
  convGeom,
  convName,
  dot,
  fromNHWC,
  naiveConv,
  naiveConvGrads,
  numericGrad,
  randn64,
  relError,
  rng,
  toNHWC,
  weightsFromHWIO,
  weightsToHWIO,
} from './util.js';

describe('conv kernels: hand-worked cases', () => {
  // x = 1..9 in a 3×3, W = [[1,2],[3,4]]: y[i,j] = x[i,j] + 2x[i,j+1] + 3x[i+1,j] + 4x[i+1,j+1].
  const g = convGeom({ n: 1, c: 1, h: 3, w: 3, oc: 1, kh: 2, kw: 2, bias: false });
  const x = Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9),
    w = Float64Array.of(1, 2, 3, 4);

  it('conv forward x=[1,1,3,3] w=[1,1,2,2] s=1 p=0', () => {
    assert.deepEqual([...conv2dForward(g, 1, x, w)], [37, 47, 67, 77]);
  });

  it('conv δx x=[1,1,3,3] w=[1,1,2,2] s=1 p=0', () => {
    // δy = [[1,0],[0,0]] puts W itself in the top-left corner; δy = ones gives the full convolution with W.
    assert.deepEqual([...conv2dBackwardInput(g, 1, Float64Array.of(1, 0, 0, 0), w)], [1, 2, 0, 3, 4, 0, 0, 0, 0]);
    assert.deepEqual([...conv2dBackwardInput(g, 1, Float64Array.of(1, 1, 1, 1), w)], [1, 3, 2, 4, 10, 6, 3, 7, 4]);
  });

  it('conv dW db x=[1,1,3,3] w=[1,1,2,2] s=1 p=0', () => {
    const { dW, db } = conv2dBackwardFilter({ ...g, bias: true }, 1, x, Float64Array.of(1, 0, 0, 2));
    // dW[u,v] = x[u,v]·1 + x[u+1,v+1]·2
    assert.deepEqual([...dW], [1 + 10, 2 + 12, 4 + 16, 5 + 18]);
    assert.deepEqual([...(db ?? [])], [3]);
  });

  it('conv forward x=[1,1,3,3] w=[1,1,1,1] s=2 p=[1,0,0,1]: padding only below… and to the right', () => {
    const ga = {
      h: convAxis(3, 1, 2, 1, 1, 0),
      w: convAxis(3, 1, 2, 1, 0, 1),
      inChannels: 1,
      outChannels: 1,
      groups: 1,
      bias: true,
    };
    // rows read: −1 (padding), 1; columns read: 0, 2.
    assert.deepEqual([...conv2dForward(ga, 1, x, Float64Array.of(2), Float64Array.of(0.5))], [0.5, 0.5, 8.5, 12.5]);
  });

  it('conv forward x=[1,2,2,2] w=[2,1,1,1] g=2: each group sees only its own channel', () => {
    const gg = convGeom({ n: 1, c: 2, h: 2, w: 2, oc: 2, kh: 1, kw: 1, groups: 2 });
    const y = conv2dForward(gg, 1, Float64Array.of(1, 2, 3, 4, 10, 20, 30, 40), Float64Array.of(2, -1));
    assert.deepEqual([...y], [2, 4, 6, 8, -10, -20, -30, -40]);
  });

  it('conv forward x=[1,1,5,5] w=[1,1,2,2] d=2: taps are two apart', () => {
    const gd = convGeom({ n: 1, c: 1, h: 5, w: 5, oc: 1, kh: 2, kw: 2, dh: 2, dw: 2, bias: false });
    const xd = Float64Array.from({ length: 25 }, (_, i) => i);
    // window (0,0) reads x[0,0], x[0,2], x[2,0], x[2,2] = 0, 2, 10, 12
    assert.equal(conv2dForward(gd, 1, xd, Float64Array.of(1, 1, 1, 1))[0], 24);
    assert.equal(gd.h.out, 3);
  });

  it('conv δx x=[1,1,4,4] w=[1,1,1,1] s=3: inputs no window reads get zero δ', () => {
    const gs = convGeom({ n: 1, c: 1, h: 4, w: 4, oc: 1, kh: 1, kw: 1, sh: 3, sw: 3 });
    const dx = conv2dBackwardInput(gs, 1, Float64Array.of(1, 2, 3, 4), Float64Array.of(5));
    assert.deepEqual([...dx], [5, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 15, 0, 0, 20]);
  });
});

const SPECS: ConvSpec[] = [
  { n: 2, c: 3, h: 7, w: 7, oc: 4, kh: 3, kw: 3 },
  { n: 2, c: 3, h: 8, w: 6, oc: 5, kh: 3, kw: 2, sh: 2, sw: 2 },
  { n: 1, c: 2, h: 9, w: 7, oc: 3, kh: 3, kw: 3, sh: 2, sw: 1, pad: [1, 1, 1, 1] },
  { n: 2, c: 4, h: 6, w: 9, oc: 6, kh: 2, kw: 4, pad: [0, 1, 2, 1] },
  { n: 3, c: 2, h: 10, w: 8, oc: 4, kh: 3, kw: 3, sh: 3, sw: 2, pad: [2, 0, 1, 2] },
  { n: 2, c: 3, h: 11, w: 9, oc: 2, kh: 3, kw: 2, dh: 2, dw: 3 },
  { n: 2, c: 2, h: 9, w: 9, oc: 3, kh: 3, kw: 3, dh: 2, dw: 2, pad: [2, 2, 1, 3] },
  { n: 5, c: 6, h: 6, w: 6, oc: 7, kh: 5, kw: 5 },
  { n: 1, c: 1, h: 5, w: 5, oc: 1, kh: 5, kw: 5 },
  { n: 2, c: 8, h: 4, w: 4, oc: 37, kh: 1, kw: 1 },
  // winograd.ts on every pass: F(2×2, 3×3) with padding 1 on an odd map, F(2×2, 5×5) with uneven padding.
  { n: 2, c: 16, h: 9, w: 9, oc: 16, kh: 3, kw: 3, pad: [1, 1, 1, 1] },
  { n: 2, c: 8, h: 10, w: 9, oc: 24, kh: 5, kw: 5, pad: [2, 1, 0, 2] },
];

/** The float32 pair of a float64 test tensor. */
const f32 = (a: Float64Array) => Float32Array.from(a);

/**
 * assertClose, or for a pass that runs winograd.ts, assertNear at a tenth of `rel` (relative to the largest
 * element: Winograd's rounding differs from summing taps in order; see assertNear).
 */
function closeFor(
  route: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rel: number,
  what: string,
): void {
  if (route === 'winograd') assertNear(actual, expected, rel / 10, `${what} (winograd)`);
  else assertClose(actual, expected, rel, what);
}

describe('conv kernels against TensorFlow.js (float32, NHWC)', () => {
  before(tfReady);
  const r = rng(11);
  for (const s of SPECS) {
    const g = convGeom(s),
      oh = g.h.out,
      ow = g.w.out;
    const [pt, pb, pl, pr] = s.pad ?? [0, 0, 0, 0];
    const attrs = {
      strides: [s.sh ?? 1, s.sw ?? 1],
      pad: [
        [0, 0],
        [pt, pb],
        [pl, pr],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [s.dh ?? 1, s.dw ?? 1],
    };
    const x = randn64(r, s.n * s.c * s.h * s.w),
      w = randn64(r, s.oc * s.c * s.kh * s.kw),
      b = randn64(r, s.oc);
    const dy = randn64(r, s.n * s.oc * oh * ow);
    const tx = { data: toNHWC(x, s.n, s.c, s.h, s.w), shape: [s.n, s.h, s.w, s.c] };
    const tw = { data: weightsToHWIO(w, s.oc, s.c, s.kh, s.kw), shape: [s.kh, s.kw, s.c, s.oc] };
    const tdy = { data: toNHWC(dy, s.n, s.oc, oh, ow), shape: [s.n, oh, ow, s.oc] };
    const route = convPaths(g, s.n);
    it(`conv forward ${convName(s)}`, () => {
      const want = fromNHWC(runTf('Conv2D', { x: tx, filter: tw }, attrs), s.n, s.oc, oh, ow);
      const got = conv2dForward(g, s.n, f32(x), f32(w));
      closeFor(route.forward, got, want, 1e-4, 'y');
      closeFor(route.forward, conv2dForward(g, s.n, x, w, b), naiveConv(g, s.n, x, w, b), 1e-12, 'float64 y');
    });
    // tfjs's backprop kernels take no dilation: those shapes are covered by the numeric checks below.
    if ((s.dh ?? 1) !== 1 || (s.dw ?? 1) !== 1) continue;
    it(`conv δx ${convName(s)}`, () => {
      const want = fromNHWC(
        runTf('Conv2DBackpropInput', { dy: tdy, filter: tw }, { ...attrs, inputShape: tx.shape }),
        s.n,
        s.c,
        s.h,
        s.w,
      );
      closeFor(route.dx, conv2dBackwardInput(g, s.n, f32(dy), f32(w)), want, 1e-4, 'δx');
    });
    it(`conv dW ${convName(s)}`, () => {
      const want = weightsFromHWIO(
        runTf('Conv2DBackpropFilter', { x: tx, dy: tdy }, { ...attrs, filterShape: tw.shape }),
        s.oc,
        s.c,
        s.kh,
        s.kw,
      );
      closeFor(route.dW, conv2dBackwardFilter(g, s.n, f32(x), f32(dy)).dW, want, 1e-4, 'dW');
    });
  }

  for (const s of [
    { n: 2, c: 3, h: 7, w: 6, oc: 6, kh: 3, kw: 3, groups: 3, pad: [1, 1, 1, 1] as [number, number, number, number] },
    { n: 1, c: 4, h: 8, w: 8, oc: 4, kh: 3, kw: 2, groups: 4, sh: 2, sw: 2 },
  ]) {
    it(`conv forward ${convName(s)} (depthwise)`, () => {
      const g = convGeom(s),
        mult = s.oc / s.c,
        [pt, pb, pl, pr] = s.pad ?? [0, 0, 0, 0];
      const x = randn64(r, s.n * s.c * s.h * s.w),
        w = randn64(r, s.oc * s.kh * s.kw);
      // tfjs's depthwise filter is [kh, kw, C, multiplier]; output channel c·mult + q, like PyTorch's groups=C.
      const filter = new Float32Array(w.length);
      for (let c = 0; c < s.c; c++)
        for (let q = 0; q < mult; q++)
          for (let u = 0; u < s.kh; u++)
            for (let v = 0; v < s.kw; v++) {
              filter[((u * s.kw + v) * s.c + c) * mult + q] = w[((c * mult + q) * s.kh + u) * s.kw + v];
            }
      const want = runTf(
        'DepthwiseConv2dNative',
        {
          x: { data: toNHWC(x, s.n, s.c, s.h, s.w), shape: [s.n, s.h, s.w, s.c] },
          filter: { data: filter, shape: [s.kh, s.kw, s.c, mult] },
        },
        {
          strides: [s.sh ?? 1, s.sw ?? 1],
          pad: [
            [0, 0],
            [pt, pb],
            [pl, pr],
            [0, 0],
          ],
          dataFormat: 'NHWC',
          dilations: [1, 1],
        },
      );
      assertClose(conv2dForward(g, s.n, f32(x), f32(w)), fromNHWC(want, s.n, s.oc, g.h.out, g.w.out), 1e-4, 'y');
    });
  }
});

describe('conv kernels: float64 central differences, loss = Σ y ⊙ r', () => {
  const cases: ConvSpec[] = [
    { n: 2, c: 4, h: 6, w: 5, oc: 6, kh: 3, kw: 2, groups: 2, pad: [1, 1, 0, 1] },
    { n: 1, c: 3, h: 7, w: 8, oc: 3, kh: 2, kw: 3, groups: 3, sh: 2, sw: 1 },
    { n: 2, c: 2, h: 8, w: 7, oc: 3, kh: 3, kw: 2, dh: 2, dw: 3, pad: [2, 1, 1, 0] },
    { n: 1, c: 2, h: 7, w: 7, oc: 2, kh: 3, kw: 3, sh: 2, sw: 3, pad: [0, 2, 2, 1] },
    { n: 2, c: 6, h: 5, w: 5, oc: 4, kh: 3, kw: 3, groups: 2, dh: 2, dw: 1, sh: 1, sw: 2, pad: [1, 2, 0, 1] },
  ];
  const r = rng(5);
  for (const s of cases) {
    it(`conv δx dW db ${convName(s)}`, () => {
      const g = convGeom(s),
        icg = s.c / (s.groups ?? 1);
      const x = randn64(r, s.n * s.c * s.h * s.w),
        w = randn64(r, s.oc * icg * s.kh * s.kw),
        b = randn64(r, s.oc);
      const up = randn64(r, s.n * s.oc * g.h.out * g.w.out);
      const loss = () => dot(conv2dForward(g, s.n, x, w, b), up);
      const dx = conv2dBackwardInput(g, s.n, up, w);
      const { dW, db } = conv2dBackwardFilter(g, s.n, x, up);
      assert.ok(relError(dx, numericGrad(loss, x)) < 1e-6, 'δx');
      assert.ok(relError(dW, numericGrad(loss, w)) < 1e-6, 'dW');
      assert.ok(db && relError(db, numericGrad(loss, b)) < 1e-6, 'db');
    });
  }
});

describe('conv kernels: float32 path and batching', () => {
  it('conv float32 and float64 agree x=[3,5,9,9] w=[8,5,3,3] s=2 p=1, in their own element types', () => {
    const r = rng(3),
      s: ConvSpec = { n: 3, c: 5, h: 9, w: 9, oc: 8, kh: 3, kw: 3, sh: 2, sw: 2, pad: [1, 1, 1, 1] };
    const g = convGeom(s),
      x = randn64(r, 3 * 5 * 81),
      w = randn64(r, 8 * 5 * 9),
      dy = randn64(r, 3 * 8 * 25);
    const y32 = conv2dForward(g, 3, f32(x), f32(w));
    assert.ok(y32 instanceof Float32Array);
    assertClose(y32, conv2dForward(g, 3, x, w), 1e-4, 'y');
    assertClose(conv2dBackwardInput(g, 3, f32(dy), f32(w)), conv2dBackwardInput(g, 3, dy, w), 1e-4, 'δx');
    assertClose(conv2dBackwardFilter(g, 3, f32(x), f32(dy)).dW, conv2dBackwardFilter(g, 3, x, dy).dW, 1e-4, 'dW');
  });

  it('conv x=[40,3,32,32] w=[70,3,5,5]: a batch split into column-buffer chunks (35 + 5 samples) equals one sample at a time', () => {
    const r = rng(8),
      s: ConvSpec = { n: 40, c: 3, h: 32, w: 32, oc: 70, kh: 5, kw: 5 };
    const g = convGeom(s),
      x = randn64(r, 40 * 3 * 1024),
      w = randn64(r, 70 * 75),
      dy = randn64(r, 40 * 70 * 28 * 28);
    const y = conv2dForward(g, 40, x, w),
      dx = conv2dBackwardInput(g, 40, dy, w),
      dW = conv2dBackwardFilter(g, 40, x, dy).dW;
    const sumW = new Float64Array(dW.length);
    for (const n of [0, 17, 39]) {
      const xs = x.slice(n * 3072, (n + 1) * 3072),
        dys = dy.slice(n * 70 * 784, (n + 1) * 70 * 784);
      assertClose(y.subarray(n * 70 * 784, (n + 1) * 70 * 784), conv2dForward(g, 1, xs, w), 1e-12, `y[${n}]`);
      assertClose(dx.subarray(n * 3072, (n + 1) * 3072), conv2dBackwardInput(g, 1, dys, w), 1e-12, `δx[${n}]`);
    }
    for (let n = 0; n < 40; n++) {
      const one = conv2dBackwardFilter(
        g,
        1,
        x.slice(n * 3072, (n + 1) * 3072),
        dy.slice(n * 70 * 784, (n + 1) * 70 * 784),
      ).dW;
      for (let i = 0; i < one.length; i++) sumW[i] += one[i];
    }
    assertClose(dW, sumW, 1e-10, 'dW');
  });

  it('conv writes into a provided output and zeroes a provided δx first', () => {
    const g = convGeom({ n: 1, c: 1, h: 3, w: 3, oc: 1, kh: 2, kw: 2 });
    const y = new Float64Array(4).fill(99),
      dx = new Float64Array(9).fill(99);
    conv2dForward(g, 1, new Float64Array(9).fill(1), Float64Array.of(1, 1, 1, 1), null, y);
    conv2dBackwardInput(g, 1, Float64Array.of(1, 0, 0, 0), Float64Array.of(1, 1, 1, 1), dx);
    assert.deepEqual([...y], [4, 4, 4, 4]);
    assert.deepEqual([...dx], [1, 1, 0, 1, 1, 0, 0, 0, 0]);
  });

  it('conv rejects arrays of the wrong size, naming them', () => {
    const g = convGeom({ n: 1, c: 2, h: 3, w: 3, oc: 1, kh: 2, kw: 2 });
    assert.throws(() => conv2dForward(g, 1, new Float64Array(9), new Float64Array(8)), /x has 9 elements, expected 18/);
  });
});

describe('conv kernels: implicit-GEMM forward (maps of ≥ 64 positions, 3–16 filters per group)', () => {
  // Every shape here takes implicit.ts's path: no im2col, B read in place from x or its zero-padded copy.
  // Filter counts not a multiple of 3 or 4 make edge tiles of rows; P not a multiple of 4 an edge tile of
  // columns; odd widths make column tiles wrap to the next output row.
  const cases: ConvSpec[] = [
    { n: 3, c: 1, h: 12, w: 13, oc: 6, kh: 5, kw: 5 },
    { n: 2, c: 3, h: 10, w: 9, oc: 5, kh: 3, kw: 3, pad: [1, 1, 1, 1] },
    { n: 2, c: 2, h: 9, w: 13, oc: 7, kh: 3, kw: 2, pad: [2, 0, 0, 3] },
    { n: 1, c: 2, h: 14, w: 13, oc: 16, kh: 3, kw: 3, dh: 2, dw: 2, pad: [1, 2, 2, 1] },
    { n: 2, c: 4, h: 11, w: 12, oc: 8, kh: 3, kw: 3, groups: 2, pad: [1, 1, 1, 1] },
    { n: 2, c: 3, h: 23, w: 19, oc: 4, kh: 3, kw: 5, sh: 2, sw: 2, pad: [0, 1, 2, 0] },
    { n: 1, c: 3, h: 19, w: 17, oc: 9, kh: 2, kw: 2, sh: 2, sw: 1, bias: false },
  ];
  const r = rng(17);
  for (const s of cases) {
    it(`conv forward ${convName(s)}`, () => {
      const g = convGeom(s),
        icg = s.c / (s.groups ?? 1);
      assert.equal(convPaths(g, s.n).forward, 'implicit', 'shape reaches the implicit path');
      const x = randn64(r, s.n * s.c * s.h * s.w),
        w = randn64(r, s.oc * icg * s.kh * s.kw);
      const b = s.bias === false ? undefined : randn64(r, s.oc);
      const want = naiveConv(g, s.n, x, w, b);
      assertClose(conv2dForward(g, s.n, x, w, b), want, 1e-12, 'float64 y');
      assertClose(conv2dForward(g, s.n, f32(x), f32(w), b && f32(b)), want, 1e-4, 'float32 y');
      // A provided output is overwritten, not accumulated onto.
      const out = new Float64Array(want.length).fill(7);
      assertClose(conv2dForward(g, s.n, x, w, b, out), want, 1e-12, 'into out');
    });
  }
});

describe('conv kernels: which kernel each pass runs', () => {
  // The bench's shapes (bench/kernels.bench.ts), the batch from which winograd.ts pays for its filter transform
  // on a 2×2 map (one tile per sample: 4 tiles), and the most channels it takes.
  const cases: [string, ConvSpec, ReturnType<typeof convPaths>][] = [
    ['a', { n: 32, c: 64, h: 6, w: 6, oc: 96, kh: 5, kw: 5 }, { forward: 'winograd', dx: 'winograd', dW: 'winograd' }],
    ['b', { n: 32, c: 3, h: 17, w: 17, oc: 64, kh: 5, kw: 5 }, { forward: 'direct7', dx: 'winograd', dW: 'rows' }],
    [
      'c1',
      { n: 64, c: 1, h: 32, w: 32, oc: 6, kh: 5, kw: 5 },
      { forward: 'direct7 in place', dx: 'direct8 in place', dW: 'rows' },
    ],
    [
      'c2',
      { n: 64, c: 6, h: 14, w: 14, oc: 16, kh: 5, kw: 5 },
      { forward: 'winograd', dx: 'winograd', dW: 'winograd' },
    ],
    [
      'd',
      { n: 16, c: 32, h: 32, w: 32, oc: 64, kh: 3, kw: 3, pad: [1, 1, 1, 1] },
      { forward: 'winograd', dx: 'winograd', dW: 'winograd' },
    ],
    [
      'a, 4 samples',
      { n: 4, c: 64, h: 6, w: 6, oc: 96, kh: 5, kw: 5 },
      { forward: 'winograd', dx: 'winograd', dW: 'winograd' },
    ],
    ['a, 3 samples', { n: 3, c: 64, h: 6, w: 6, oc: 96, kh: 5, kw: 5 }, { forward: 'gemm', dx: 'gemm', dW: 'gemm' }],
    // Transformed filters of 16·362·362 elements fit the scratch budget of 2^21, of 16·363·363 do not.
    [
      '362 channels',
      { n: 2, c: 362, h: 8, w: 8, oc: 362, kh: 3, kw: 3, pad: [1, 1, 1, 1] },
      { forward: 'winograd', dx: 'winograd', dW: 'winograd' },
    ],
    [
      '363 channels',
      { n: 2, c: 363, h: 8, w: 8, oc: 363, kh: 3, kw: 3, pad: [1, 1, 1, 1] },
      { forward: 'direct8', dx: 'direct8', dW: 'rows' },
    ],
  ];
  for (const [name, s, paths] of cases) {
    it(`${name}: ${convName(s)} runs ${paths.forward} / ${paths.dx} / ${paths.dW}`, () => {
      assert.deepEqual(convPaths(convGeom(s), s.n), paths);
    });
  }
});

describe('conv kernels: direct forward (stride 1, 3- or 5-wide kernel rows)', () => {
  // direct.ts's strips on x widened by the left padding, weights flipped along ky, rows unpadded (the kernel rows
  // over padding skipped), each shape with the strip width it must take, against the direct loops, float64 at
  // 1e-12 and float32 at 1e-4, into outputs holding junk. 7-wide: LeNet's first layer from 32 columns (in place,
  // no copy of x), 13 from 17 (its last strip reads past x: widened copy), uneven padding with 4-high kernels
  // and groups; 8-wide: 3×3 with padding 1 and 20 filters, padding above the kernel height (pt = 4 with kh = 3:
  // the first rows are bias only) with groups and no bias, 5-wide rows padded 2 left and right; 6-wide: 12 from
  // 16 (in place) and 11 from 15 (not).
  const cases: [ConvSpec, string][] = [
    [{ n: 2, c: 1, h: 12, w: 32, oc: 6, kh: 5, kw: 5 }, 'direct7 in place'],
    [{ n: 2, c: 3, h: 17, w: 17, oc: 8, kh: 5, kw: 5 }, 'direct7'],
    [{ n: 2, c: 4, h: 9, w: 13, oc: 6, kh: 4, kw: 5, groups: 2, pad: [1, 2, 0, 3] }, 'direct7'],
    [{ n: 2, c: 2, h: 9, w: 16, oc: 20, kh: 3, kw: 3, pad: [1, 1, 1, 1] }, 'direct8'],
    [{ n: 2, c: 4, h: 10, w: 14, oc: 8, kh: 3, kw: 3, groups: 2, pad: [4, 1, 2, 0], bias: false }, 'direct8'],
    [{ n: 2, c: 3, h: 9, w: 14, oc: 5, kh: 3, kw: 5, pad: [1, 1, 2, 2] }, 'direct8'],
    [{ n: 2, c: 2, h: 8, w: 16, oc: 4, kh: 5, kw: 5 }, 'direct6 in place'],
    [{ n: 2, c: 2, h: 8, w: 15, oc: 4, kh: 5, kw: 5 }, 'direct6'],
  ];
  const r = rng(29);
  for (const [s, path] of cases) {
    it(`conv forward ${convName(s)} (${path.replace('direct', 'direct, strips of ')})`, () => {
      const g = convGeom(s),
        icg = s.c / (s.groups ?? 1);
      assert.equal(convPaths(g, s.n).forward, path, 'shape reaches its direct path');
      const x = randn64(r, s.n * s.c * s.h * s.w),
        w = randn64(r, s.oc * icg * s.kh * s.kw);
      const b = s.bias === false ? undefined : randn64(r, s.oc);
      const want = naiveConv(g, s.n, x, w, b);
      assertClose(conv2dForward(g, s.n, x, w, b, new Float64Array(want.length).fill(7)), want, 1e-12, 'float64 y');
      assertClose(
        conv2dForward(g, s.n, f32(x), f32(w), b && f32(b), new Float32Array(want.length).fill(7)),
        want,
        1e-4,
        'float32 y',
      );
    });
  }
});

describe('conv kernels: dW without im2col and direct δx (maps of ≥ 64 positions, stride-1 layers)', () => {
  // Against the direct-loop gradients, float64 at 1e-12 and float32 at 1e-4, into provided outputs holding junk.
  function check(s: ConvSpec, r: () => number): void {
    const g = convGeom(s),
      icg = s.c / (s.groups ?? 1);
    const x = randn64(r, s.n * s.c * s.h * s.w),
      w = randn64(r, s.oc * icg * s.kh * s.kw);
    const dy = randn64(r, s.n * s.oc * g.h.out * g.w.out),
      want = naiveConvGrads(g, s.n, x, w, dy);
    const got = conv2dBackwardFilter(g, s.n, x, dy),
      route = convPaths(g, s.n);
    closeFor(
      route.dx,
      conv2dBackwardInput(g, s.n, dy, w, new Float64Array(x.length).fill(7)),
      want.dx,
      1e-12,
      'float64 δx',
    );
    closeFor(route.dW, got.dW, want.dW, 1e-12, 'float64 dW');
    if (s.bias !== false) assertClose(got.db!, want.db, 1e-12, 'float64 db');
    else assert.equal(got.db, null);
    const got32 = conv2dBackwardFilter(g, s.n, f32(x), f32(dy));
    closeFor(
      route.dx,
      conv2dBackwardInput(g, s.n, f32(dy), f32(w), new Float32Array(x.length).fill(7)),
      want.dx,
      1e-4,
      'float32 δx',
    );
    closeFor(route.dW, got32.dW, want.dW, 1e-4, 'float32 dW');
    if (s.bias !== false) assertClose(got32.db!, want.db, 1e-4, 'float32 db');
  }

  // dW through implicit.ts's tap-offset table (maps of ≥ 64 positions, 3–16 filters; not 3- or 5-wide rows at
  // stride 1 without dilation): filter counts not a multiple of 3 or 4 make
  // edge tiles of filters, tap counts not a multiple of 4 an edge tile of taps; padding (asymmetric), dilation,
  // groups and strides move the window corners and tap offsets.
  const dw: ConvSpec[] = [
    { n: 3, c: 1, h: 12, w: 13, oc: 6, kh: 5, kw: 4 },
    { n: 2, c: 3, h: 14, w: 9, oc: 5, kh: 3, kw: 3, sw: 2, pad: [1, 1, 1, 1] },
    { n: 2, c: 2, h: 9, w: 13, oc: 7, kh: 3, kw: 2, pad: [2, 0, 0, 3] },
    { n: 1, c: 2, h: 14, w: 13, oc: 16, kh: 3, kw: 3, dh: 2, dw: 2, pad: [1, 2, 2, 1] },
    { n: 2, c: 4, h: 11, w: 12, oc: 8, kh: 3, kw: 3, dh: 2, dw: 2, groups: 2, pad: [1, 1, 1, 1] },
    { n: 2, c: 3, h: 23, w: 19, oc: 4, kh: 3, kw: 5, sh: 2, sw: 2, pad: [0, 1, 2, 0] },
    { n: 1, c: 3, h: 19, w: 17, oc: 9, kh: 2, kw: 2, sh: 2, sw: 1, bias: false },
  ];
  const r = rng(23);
  for (const s of dw) {
    it(`conv dW db δx ${convName(s)} (implicit dW)`, () => {
      assert.equal(convPaths(convGeom(s), s.n).dW, 'implicit', 'shape reaches the implicit dW path');
      check(s, r);
    });
  }

  // dW through implicit.ts by kernel row (stride 1, no dilation, 5- or 3-wide kernel rows, ≥ 3 filters per group,
  // also past 16, where the GEMM ran before): output rows of 9 (a chunk of 8 and a single position), 16 (two
  // chunks of 8), 14 (8, 4 and 2), 12 (8 and 4), 11 (8, 2 and a single) and 3 (2 and a single, or 3 singles for
  // 3-wide rows); kernel
  // heights 1–5, asymmetric padding, groups, odd filter counts.
  const rows: ConvSpec[] = [
    { n: 3, c: 1, h: 12, w: 13, oc: 6, kh: 5, kw: 5 },
    { n: 2, c: 2, h: 9, w: 18, oc: 5, kh: 3, kw: 5, pad: [1, 1, 2, 0] },
    { n: 2, c: 4, h: 10, w: 15, oc: 8, kh: 2, kw: 5, groups: 2, pad: [0, 1, 1, 2] },
    { n: 1, c: 3, h: 8, w: 12, oc: 16, kh: 5, kw: 5, pad: [2, 2, 2, 2], bias: false },
    { n: 2, c: 1, h: 40, w: 7, oc: 3, kh: 1, kw: 5 },
    { n: 2, c: 2, h: 13, w: 13, oc: 25, kh: 5, kw: 5, bias: false },
    { n: 3, c: 1, h: 12, w: 13, oc: 6, kh: 5, kw: 3 },
    { n: 2, c: 3, h: 10, w: 14, oc: 21, kh: 3, kw: 3, pad: [1, 1, 1, 1] },
    { n: 2, c: 4, h: 9, w: 16, oc: 8, kh: 2, kw: 3, groups: 2, pad: [0, 1, 2, 0] },
    { n: 1, c: 2, h: 9, w: 12, oc: 7, kh: 3, kw: 3, pad: [1, 1, 1, 1] },
    { n: 2, c: 1, h: 40, w: 5, oc: 3, kh: 1, kw: 3 },
  ];
  for (const s of rows) {
    it(`conv dW db δx ${convName(s)} (dW by kernel row)`, () => {
      assert.equal(convPaths(convGeom(s), s.n).dW, 'rows', 'shape reaches the by-row dW path');
      check(s, r);
    });
  }

  // δx through direct.ts (stride 1, no dilation, 3- or 5-wide kernel rows, any filter count), each shape with the
  // strip width it must take. 3-wide rows, 8-wide strips: widths not a multiple of 8 (a partial last strip),
  // padding above the kernel height (pt = 4 with kh = 3) skipping kernel rows, 20 filters. 5-wide rows, the width
  // doing the fewest multiply-adds: 8 on 32 from 28 (LeNet's first layer: a left-edge, two inner and a right-edge
  // strip, 140 per filter and row, the useful work), 7 on 14 from 10 (LeNet's second layer: both edge bodies),
  // 21 (an inner strip between them) and 13 (a partial last strip), 6 on 17 from 13 (left edge, inner, right
  // edge) and 12 from 8 (two edge strips); left padding up to kw − 1 shifts the widened δy (full bodies only when
  // pl > 0), groups, 16–64 filters. "In place": every strip reads only δy's own columns, so δy is read unwidened
  // (the 32-, 14-, 21- and 12-wide maps without padding); 17 from 13 is not (its last strip reads a column past δy).
  const dx: [ConvSpec, string][] = [
    [{ n: 2, c: 3, h: 9, w: 15, oc: 5, kh: 3, kw: 3, pad: [1, 1, 1, 1] }, 'direct8'],
    [{ n: 2, c: 4, h: 10, w: 14, oc: 8, kh: 3, kw: 3, groups: 2, pad: [4, 1, 2, 0] }, 'direct8'],
    [{ n: 1, c: 1, h: 12, w: 32, oc: 3, kh: 5, kw: 3 }, 'direct8'],
    [{ n: 2, c: 2, h: 9, w: 16, oc: 20, kh: 3, kw: 3, pad: [1, 1, 1, 1] }, 'direct8'],
    [{ n: 2, c: 1, h: 12, w: 32, oc: 6, kh: 5, kw: 5 }, 'direct8 in place'],
    [{ n: 2, c: 1, h: 11, w: 23, oc: 6, kh: 5, kw: 5, pad: [1, 3, 1, 3] }, 'direct8'],
    [{ n: 1, c: 2, h: 7, w: 24, oc: 16, kh: 2, kw: 5, pad: [0, 1, 4, 2], bias: false }, 'direct8'],
    [{ n: 3, c: 2, h: 6, w: 16, oc: 2, kh: 1, kw: 5, pad: [0, 0, 2, 2] }, 'direct8'],
    [{ n: 2, c: 4, h: 10, w: 14, oc: 6, kh: 3, kw: 5, groups: 2, pad: [4, 0, 1, 1] }, 'direct8'],
    [{ n: 2, c: 3, h: 14, w: 14, oc: 5, kh: 5, kw: 5 }, 'direct7 in place'],
    [{ n: 2, c: 2, h: 9, w: 21, oc: 7, kh: 3, kw: 5, pad: [2, 1, 0, 0] }, 'direct7 in place'],
    [{ n: 1, c: 2, h: 11, w: 13, oc: 16, kh: 5, kw: 5, bias: false }, 'direct7'],
    [{ n: 1, c: 2, h: 8, w: 21, oc: 24, kh: 5, kw: 5, pad: [2, 2, 2, 2] }, 'direct7'],
    [{ n: 2, c: 2, h: 17, w: 17, oc: 64, kh: 5, kw: 5 }, 'direct6'],
    [{ n: 2, c: 3, h: 9, w: 12, oc: 5, kh: 5, kw: 5 }, 'direct6 in place'],
    [{ n: 2, c: 4, h: 9, w: 18, oc: 6, kh: 5, kw: 5, groups: 2, pad: [1, 1, 1, 1] }, 'direct6'],
  ];
  for (const [s, path] of dx) {
    it(`conv δx dW db ${convName(s)} (${path.replace('direct', 'direct δx, strips of ')})`, () => {
      assert.equal(convPaths(convGeom(s), s.n).dx, path, 'shape reaches its direct δx path');
      check(s, r);
    });
  }

  it('conv δx with 3-wide kernel rows on a map 8-wide strips would waste keeps the GEMM', () => {
    assert.equal(convPaths(convGeom({ n: 1, c: 2, h: 6, w: 6, oc: 16, kh: 3, kw: 3 }), 1).dx, 'gemm');
  });
});
