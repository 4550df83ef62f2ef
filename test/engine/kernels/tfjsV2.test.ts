/**
 * The version 2 kernels that TensorFlow.js's CPU backend also has, against it (float32, NHWC), as a second oracle
 * beside PyTorch: transposed conv (conv2dTranspose = Conv2DBackpropInput; its δx is Conv2D and its dW
 * Conv2DBackpropFilter with the roles swapped), resizeNearestNeighbor and resizeBilinear with half-pixel centres
 * (PyTorch's align_corners=False), and their gradients. tfjs's ResizeBilinearGrad implements the other
 * convention (no half-pixel centres), so the bilinear δx is checked as the transpose of tfjs's own forward map,
 * read column by column from tfjs on unit inputs. Deconv and bilinear sums are compared relative to each tensor's
 * largest value, moves and single-term results elementwise.
 */
import {
  type DeconvGeometry,
  deconv2dBackwardFilter,
  deconv2dBackwardInput,
  deconv2dForward,
  deconvOut,
  upsampleBackward,
  upsampleForward,
} from '../../../engine/kernels/index.js';
import { runTf, tfReady } from './peers.js';
import assert from 'node:assert/strict';
import { assertClose, fromNHWC, randn64, relError, rng, toNHWC, weightsFromHWIO, weightsToHWIO } from './util.js';

interface DeconvSpec {
  n: number;
  c: number;
  h: number;
  w: number;
  f: number;
  k: [number, number];
  s: [number, number];
  p: [number, number];
  op?: [number, number];
}

function deconvGeom(s: DeconvSpec): DeconvGeometry {
  const axis = (a: 0 | 1, size: number) => ({
    size,
    kernel: s.k[a],
    stride: s.s[a],
    pad: s.p[a],
    outPad: s.op?.[a] ?? 0,
    dilation: 1,
  });
  return { h: axis(0, s.h), w: axis(1, s.w), inChannels: s.c, outChannels: s.f, groups: 1, bias: false };
}

const f32 = (a: Float64Array) => Float32Array.from(a);

/**
 * Within `rel` of the peer relative to the tensor's largest value: float32 sums of a few hundred products (a 5×5
 * deconv over 8 channels) or of overlapping spreads lose more than that elementwise where they nearly cancel.
 */
function closeNorm(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  const e = relError(got, want);
  assert.ok(e <= rel, `${what}: relative error ${e.toExponential(2)} > ${rel}`);
}

describe('transposed conv against TensorFlow.js conv2dTranspose (float32, NHWC)', () => {
  before(tfReady);
  const r = rng(13);
  const specs: DeconvSpec[] = [
    { n: 2, c: 3, h: 4, w: 5, f: 4, k: [3, 3], s: [1, 1], p: [0, 0] },
    { n: 2, c: 4, h: 5, w: 4, f: 3, k: [3, 3], s: [2, 2], p: [1, 1], op: [1, 1] },
    { n: 2, c: 6, h: 4, w: 4, f: 5, k: [4, 4], s: [2, 2], p: [1, 1] },
    { n: 1, c: 8, h: 1, w: 1, f: 6, k: [4, 4], s: [1, 1], p: [0, 0] },
    { n: 2, c: 3, h: 4, w: 3, f: 2, k: [3, 2], s: [2, 3], p: [1, 0], op: [1, 2] },
    { n: 2, c: 16, h: 6, w: 6, f: 16, k: [3, 3], s: [1, 1], p: [1, 1] },
    { n: 2, c: 8, h: 7, w: 9, f: 6, k: [5, 5], s: [1, 1], p: [2, 2] },
  ];
  for (const s of specs) {
    const g = deconvGeom(s),
      OH = deconvOut(g.h),
      OW = deconvOut(g.w);
    const name = `x=[${s.n},${s.c},${s.h},${s.w}] w=[${s.c},${s.f},${s.k.join(',')}] s=${s.s.join('x')} p=${s.p.join('x')} op=${(s.op ?? [0, 0]).join('x')}`;
    const x = randn64(r, s.n * s.c * s.h * s.w),
      w = randn64(r, s.c * s.f * s.k[0] * s.k[1]),
      dy = randn64(r, s.n * s.f * OH * OW);
    // The conv whose δx is this deconv: input [n, OH, OW, f], output [n, h, w, c], filter [kh, kw, f, c].
    const pad = [
      [0, 0],
      [s.p[0], s.p[0]],
      [s.p[1], s.p[1]],
      [0, 0],
    ];
    const attrs = { strides: s.s, pad, dataFormat: 'NHWC', dilations: [1, 1] };
    const tx = { data: toNHWC(x, s.n, s.c, s.h, s.w), shape: [s.n, s.h, s.w, s.c] };
    const tw = { data: weightsToHWIO(w, s.c, s.f, s.k[0], s.k[1]), shape: [s.k[0], s.k[1], s.f, s.c] };
    const tdy = { data: toNHWC(dy, s.n, s.f, OH, OW), shape: [s.n, OH, OW, s.f] };
    it(`deconv forward ${name}`, () => {
      const want = fromNHWC(
        runTf('Conv2DBackpropInput', { dy: tx, filter: tw }, { ...attrs, inputShape: tdy.shape }),
        s.n,
        s.f,
        OH,
        OW,
      );
      closeNorm(deconv2dForward(g, s.n, f32(x), f32(w)), want, 1e-5, 'y');
    });
    it(`deconv δx ${name}`, () => {
      const want = fromNHWC(runTf('Conv2D', { x: tdy, filter: tw }, attrs), s.n, s.c, s.h, s.w);
      closeNorm(deconv2dBackwardInput(g, s.n, f32(dy), f32(w)), want, 1e-5, 'δx');
    });
    it(`deconv dW ${name}`, () => {
      const want = weightsFromHWIO(
        runTf('Conv2DBackpropFilter', { x: tdy, dy: tx }, { ...attrs, filterShape: tw.shape }),
        s.c,
        s.f,
        s.k[0],
        s.k[1],
      );
      closeNorm(deconv2dBackwardFilter(g, s.n, f32(x), f32(dy)).dW, want, 1e-5, 'dW');
    });
  }
});

describe('upsampling against TensorFlow.js resizeNearestNeighbor / resizeBilinear (float32, NHWC)', () => {
  before(tfReady);
  const r = rng(17);
  const shapes: [number, number, number, number, number, number][] = [
    [2, 3, 4, 5, 2, 2],
    [1, 2, 3, 3, 3, 2],
    [2, 2, 5, 2, 1, 4],
    [1, 1, 1, 3, 4, 4],
    [2, 4, 6, 7, 2, 3],
    [2, 2, 3, 1, 2, 3],
    [1, 2, 2, 2, 3, 3],
    [2, 3, 4, 4, 1, 1],
  ];
  for (const [n, c, h, w, sh, sw] of shapes) {
    const OH = h * sh,
      OW = w * sw,
      x = randn64(r, n * c * h * w),
      dy = randn64(r, n * c * OH * OW);
    const tx = { data: toNHWC(x, n, c, h, w), shape: [n, h, w, c] },
      tdy = { data: toNHWC(dy, n, c, OH, OW), shape: [n, OH, OW, c] };
    const attrs = { alignCorners: false, halfPixelCenters: true, size: [OH, OW] };
    const name = `x=[${n},${c},${h},${w}] scale=${sh}x${sw}`;
    it(`upsample nearest forward ${name}`, () => {
      const want = fromNHWC(runTf('ResizeNearestNeighbor', { images: tx }, attrs), n, c, OH, OW);
      assertClose(upsampleForward({ mode: 'nearest', channels: c, H: h, W: w, sh, sw }, n, f32(x)), want, 1e-6, 'y');
    });
    it(`upsample nearest δx ${name}`, () => {
      // One sample per call: tfjs 4.22's ResizeNearestNeighborGrad reads δy at the images' batch offset, so every
      // sample after the first reads the wrong δy.
      const per = c * h * w,
        perDy = c * OH * OW,
        nhwc = new Float64Array(n * per);
      for (let b = 0; b < n; b++) {
        nhwc.set(
          runTf(
            'ResizeNearestNeighborGrad',
            {
              images: { data: tx.data.subarray(b * per, (b + 1) * per), shape: [1, h, w, c] },
              dy: { data: tdy.data.subarray(b * perDy, (b + 1) * perDy), shape: [1, OH, OW, c] },
            },
            { alignCorners: false },
          ),
          b * per,
        );
      }
      const want = fromNHWC(nhwc, n, c, h, w);
      assertClose(upsampleBackward({ mode: 'nearest', channels: c, H: h, W: w, sh, sw }, n, f32(dy)), want, 1e-5, 'δx');
    });
    it(`upsample bilinear forward ${name}`, () => {
      const want = fromNHWC(runTf('ResizeBilinear', { images: tx }, attrs), n, c, OH, OW);
      assertClose(upsampleForward({ mode: 'bilinear', channels: c, H: h, W: w, sh, sw }, n, f32(x)), want, 1e-5, 'y');
    });
    it(`upsample bilinear δx ${name} (transpose of tfjs's forward)`, () => {
      // Column j of tfjs's map on one plane: its output for the unit input e_j.
      const M: Float32Array[] = [];
      for (let j = 0; j < h * w; j++) {
        const e = new Float64Array(h * w);
        e[j] = 1;
        M.push(runTf('ResizeBilinear', { images: { data: e, shape: [1, h, w, 1] } }, attrs));
      }
      const want = new Float64Array(n * c * h * w);
      for (let p = 0; p < n * c; p++) {
        for (let j = 0; j < h * w; j++) {
          let s = 0;
          for (let o = 0; o < OH * OW; o++) s += M[j][o] * dy[p * OH * OW + o];
          want[p * h * w + j] = s;
        }
      }
      closeNorm(upsampleBackward({ mode: 'bilinear', channels: c, H: h, W: w, sh, sw }, n, f32(dy)), want, 1e-5, 'δx');
    });
  }
});
