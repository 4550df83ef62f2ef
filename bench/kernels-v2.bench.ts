/**
 * Bench of the version 2 kernels that TensorFlow.js's CPU backend also has: transposed conv (conv2dTranspose:
 * forward = Conv2DBackpropInput, δx = Conv2D, dW = Conv2DBackpropFilter) and upsampling (resizeNearestNeighbor,
 * resizeBilinear, their Grad kernels), CNN Lens against tfjs in one process, interleaved round by round; each
 * figure is a median over rounds.
 *
 *   node --import tsx bench/kernels-v2.bench.ts [--json] [--rounds N]      (npm run bench:kernels-v2)
 *
 * Ratios are "times faster CNN Lens is" (tfjs time / our time), on CNN Lens's float32 path since tfjs computes in
 * float32; the float64 path is timed beside it. tfjs's slow passes are timed on a slice of the batch and scaled by
 * batch size (their cost is linear in it), as bench/kernels.bench.ts does. tfjs's ResizeBilinearGrad implements
 * the convention without half-pixel centres (the forward is timed with them, as PyTorch's align_corners=False):
 * the same work per element, so its time still measures the backward's cost.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import {
  type DeconvGeometry,
  type UpsampleGeometry,
  deconv2dBackwardFilter,
  deconv2dBackwardInput,
  deconv2dForward,
  deconvOut,
  unspecialized,
  upsampleBackward,
  upsampleForward,
} from '../engine/kernels/index.js';
import { Samples, fill, sample } from './timing.js';

const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');

const args = process.argv.slice(2);
const json = args.includes('--json');
const roundsAt = args.indexOf('--rounds');
const ROUNDS = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 5;
/** Milliseconds of one sliced peer call we aim for. */
const PEER_BUDGET_MS = 400;

interface DeconvShape {
  name: string;
  n: number;
  c: number;
  h: number;
  w: number;
  f: number;
  k: number;
  s: number;
  p: number;
  op: number;
}

/** A DCGAN generator's middle layer, a U-Net decoder's 2×2 up-convolution, a stride-1 3×3 and a decoder's ×2 with out_pad. */
const DECONV: DeconvShape[] = [
  { name: 'dcgan', n: 16, c: 128, h: 8, w: 8, f: 64, k: 4, s: 2, p: 1, op: 0 },
  { name: 'unet', n: 8, c: 128, h: 16, w: 16, f: 64, k: 2, s: 2, p: 0, op: 0 },
  { name: 's1', n: 16, c: 32, h: 16, w: 16, f: 32, k: 3, s: 1, p: 1, op: 0 },
  { name: 'op1', n: 16, c: 32, h: 15, w: 15, f: 16, k: 3, s: 2, p: 1, op: 1 },
];
const UP = { n: 16, c: 32, h: 32, w: 32, s: 2 };

type Op = 'fwd' | 'dx' | 'dw';
type UpOp = 'nearest-fwd' | 'nearest-bwd' | 'bilinear-fwd' | 'bilinear-bwd';

function timeOnce(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

function geometry(s: DeconvShape): DeconvGeometry {
  const axis = (size: number) => ({ size, kernel: s.k, stride: s.s, pad: s.p, outPad: s.op, dilation: 1 });
  return { h: axis(s.h), w: axis(s.w), inChannels: s.c, outChannels: s.f, groups: 1, bias: true };
}

/** One tfjs pass of the deconv on `batch` samples (NHWC; filter [k, k, f, c]). */
function tfjsDeconv(s: DeconvShape, oh: number, ow: number, op: Op, batch: number): () => void {
  const x = tf.tensor4d(fill(new Float32Array(batch * s.h * s.w * s.c), 1), [batch, s.h, s.w, s.c]);
  const f = tf.tensor4d(fill(new Float32Array(s.k * s.k * s.f * s.c), 2), [s.k, s.k, s.f, s.c]);
  const dy = tf.tensor4d(fill(new Float32Array(batch * oh * ow * s.f), 3), [batch, oh, ow, s.f]);
  const attrs = {
    strides: [s.s, s.s],
    pad: [
      [0, 0],
      [s.p, s.p],
      [s.p, s.p],
      [0, 0],
    ],
    dataFormat: 'NHWC',
    dilations: [1, 1],
  };
  const run =
    op === 'fwd'
      ? () =>
          tf
            .engine()
            .runKernel('Conv2DBackpropInput', { dy: x, filter: f }, { ...attrs, inputShape: [batch, oh, ow, s.f] })
      : op === 'dx'
        ? () => tf.engine().runKernel('Conv2D', { x: dy, filter: f }, attrs)
        : () =>
            tf
              .engine()
              .runKernel('Conv2DBackpropFilter', { x: dy, dy: x }, { ...attrs, filterShape: [s.k, s.k, s.f, s.c] });
  return () => (run() as { dispose(): void }).dispose();
}

interface DeconvCase {
  s: DeconvShape;
  flops: number;
  ours32: Record<Op, () => void>;
  ours64: Record<Op, () => void>;
  tfjs: Record<Op, () => void>;
  slice: Record<Op, number>;
}

function prepareDeconv(s: DeconvShape): DeconvCase {
  const g = geometry(s),
    oh = deconvOut(g.h),
    ow = deconvOut(g.w);
  const flops = 2 * s.n * s.c * s.h * s.w * s.f * s.k * s.k;
  const mk = <A extends Float32Array | Float64Array>(T: new (n: number) => A): Record<Op, () => void> => {
    const x = fill(new T(s.n * s.c * s.h * s.w), 1),
      w = fill(new T(s.c * s.f * s.k * s.k), 2),
      b = fill(new T(s.f), 4);
    const dy = fill(new T(s.n * s.f * oh * ow), 3);
    return {
      fwd: () => deconv2dForward(g, s.n, x, w, b),
      dx: () => deconv2dBackwardInput(g, s.n, dy, w),
      dw: () => deconv2dBackwardFilter(g, s.n, x, dy),
    };
  };
  const tfjs = {} as Record<Op, () => void>,
    slice = {} as Record<Op, number>;
  for (const op of ['fwd', 'dx', 'dw'] as Op[]) {
    const one = tfjsDeconv(s, oh, ow, op, 1);
    one();
    const perSample = Math.max(timeOnce(one), 1e-3);
    slice[op] = Math.max(1, Math.min(s.n, Math.floor(PEER_BUDGET_MS / perSample)));
    tfjs[op] = slice[op] === 1 ? one : tfjsDeconv(s, oh, ow, op, slice[op]);
  }
  return { s, flops, ours32: mk(Float32Array), ours64: mk(Float64Array), tfjs, slice };
}

function prepareUpsample(): {
  ours32: Record<UpOp, () => void>;
  ours64: Record<UpOp, () => void>;
  tfjs: Record<UpOp, () => void>;
} {
  const { n, c, h, w, s } = UP,
    OH = h * s,
    OW = w * s;
  const gN: UpsampleGeometry = { mode: 'nearest', channels: c, H: h, W: w, sh: s, sw: s },
    gB: UpsampleGeometry = { ...gN, mode: 'bilinear' };
  const mk = <A extends Float32Array | Float64Array>(T: new (n: number) => A): Record<UpOp, () => void> => {
    const x = fill(new T(n * c * h * w), 5),
      dy = fill(new T(n * c * OH * OW), 6);
    return {
      'nearest-fwd': () => upsampleForward(gN, n, x),
      'nearest-bwd': () => upsampleBackward(gN, n, dy),
      'bilinear-fwd': () => upsampleForward(gB, n, x),
      'bilinear-bwd': () => upsampleBackward(gB, n, dy),
    };
  };
  const images = tf.tensor4d(fill(new Float32Array(n * h * w * c), 5), [n, h, w, c]);
  const dy = tf.tensor4d(fill(new Float32Array(n * OH * OW * c), 6), [n, OH, OW, c]);
  const fwd = { alignCorners: false, halfPixelCenters: true, size: [OH, OW] },
    bwd = { alignCorners: false };
  const kernel = (name: string, inputs: object, attrs: object) => () =>
    (tf.engine().runKernel(name, inputs, attrs) as { dispose(): void }).dispose();
  return {
    ours32: mk(Float32Array),
    ours64: mk(Float64Array),
    tfjs: {
      'nearest-fwd': kernel('ResizeNearestNeighbor', { images }, fwd),
      'nearest-bwd': kernel('ResizeNearestNeighborGrad', { images, dy }, bwd),
      'bilinear-fwd': kernel('ResizeBilinear', { images }, fwd),
      'bilinear-bwd': kernel('ResizeBilinearGrad', { images, dy }, bwd),
    },
  };
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const started = performance.now();
  const cases = DECONV.map(prepareDeconv),
    up = prepareUpsample();
  const ops: Op[] = ['fwd', 'dx', 'dw'],
    upOps: UpOp[] = ['nearest-fwd', 'nearest-bwd', 'bilinear-fwd', 'bilinear-bwd'];
  const t = new Samples();
  // Warm-up: every kernel compiled before the first timed round.
  for (let i = 0; i < 3; i++) {
    for (const cs of cases)
      for (const op of ops) {
        cs.ours32[op]();
        cs.ours64[op]();
      }
    for (const op of upOps) {
      up.ours32[op]();
      up.ours64[op]();
      up.tfjs[op]();
    }
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const cs of cases) {
      for (const op of ops) {
        const key = `${cs.s.name}/${op}`;
        t.add(`ours32/${key}`, sample(cs.ours32[op]));
        t.add(`ours64/${key}`, sample(cs.ours64[op]));
        t.add(`tfjs/${key}`, (timeOnce(cs.tfjs[op]) * cs.s.n) / cs.slice[op]);
      }
    }
    for (const op of upOps) {
      t.add(`ours32/${op}`, sample(up.ours32[op]));
      t.add(`ours64/${op}`, sample(up.ours64[op]));
      t.add(`tfjs/${op}`, sample(up.tfjs[op], 50));
    }
  }
  const deconv = cases.flatMap((cs) =>
    ops.map((op) => {
      const key = `${cs.s.name}/${op}`,
        ours = t.median(`ours32/${key}`),
        tfjs = t.median(`tfjs/${key}`);
      return {
        shape: cs.s.name,
        op,
        ms: round(ours),
        msF64: round(t.median(`ours64/${key}`)),
        tfjsMs: round(tfjs),
        gflops: round(cs.flops / ours / 1e6),
        vsTfjs: round(tfjs / ours),
        tfjsBatchSlice: cs.slice[op],
      };
    }),
  );
  const upsample = upOps.map((op) => {
    const ours = t.median(`ours32/${op}`),
      tfjs = t.median(`tfjs/${op}`);
    return {
      op,
      ms: round(ours),
      msF64: round(t.median(`ours64/${op}`)),
      tfjsMs: round(tfjs),
      vsTfjs: round(tfjs / ours),
    };
  });
  const result = {
    dtype: 'float32',
    dtypeNote: 'ratios use the float32 path (tfjs is float32); msF64 times the float64 path',
    specialized: unspecialized.length === 0,
    rounds: ROUNDS,
    deconv,
    upsample,
    seconds: round((performance.now() - started) / 1000),
  };
  if (json) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log(
    `CNN Lens version 2 kernels against tfjs-backend-cpu, float32 for ratios (float64 alongside); medians of ${ROUNDS} interleaved rounds\n`,
  );
  console.log(row(['deconv', 'op', 'ms f32', 'ms f64', 'tfjs ms', 'GFLOP/s', '×tfjs', 'tfjs slice']));
  for (const d of deconv)
    console.log(row([d.shape, d.op, d.ms, d.msF64, d.tfjsMs, d.gflops, d.vsTfjs, d.tfjsBatchSlice]));
  for (const s of DECONV) {
    console.log(
      `  ${s.name}: x=[${s.n},${s.c},${s.h},${s.w}] w=[${s.c},${s.f},${s.k},${s.k}] s=${s.s} p=${s.p} out_pad=${s.op}`,
    );
  }
  console.log(`\n${row(['upsample ×2', 'ms f32', 'ms f64', 'tfjs ms', '×tfjs'])}`);
  for (const u of upsample) console.log(row([u.op, u.ms, u.msF64, u.tfjsMs, u.vsTfjs]));
  console.log(`  x=[${UP.n},${UP.c},${UP.h},${UP.w}] → ${UP.h * UP.s}×${UP.w * UP.s}`);
  console.log(`\n(${result.seconds} s)`);
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

function row(cells: (string | number)[]): string {
  return cells.map((c, i) => String(c).padStart(i === 0 ? 13 : 10)).join(' ');
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
