/**
 * Kernel bench: CNN Lens's conv, pooling and GEMM against TensorFlow.js's CPU backend and ConvNetJS, in one
 * process with the implementations interleaved round by round, so machine noise (other processes, thermal
 * state) hits all of them alike; each figure is a median over rounds.
 *
 *   node --import tsx bench/kernels.bench.ts [--json] [--rounds N]
 *
 * Ratios are "times faster CNN Lens is" (peer time / our time). Element type: CNN Lens runs its float32 path
 * for the ratios, since tfjs computes in float32 (ConvNetJS is float64 regardless); the float64 path is timed
 * too and shown beside it. Slow peers are capped: tfjs's filter gradient takes seconds to a minute per call, so
 * it is timed on a slice of the batch and scaled by batch size (its cost is linear in the batch); ConvNetJS runs
 * one image per call and is timed on a few images per round, likewise scaled. ConvNetJS's backward computes δx
 * and dW in one pass: its time is split evenly between them (they cost the same FLOPs). Conv GFLOP/s count a
 * direct convolution's 2·N·OC·OH·OW·C·KH·KW whatever kernel runs, so Winograd's fewer multiplies (shapes a, c2 and d;
 * δx of b) show as rates above the GEMM ceiling.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- tfjs and ConvNetJS are CommonJS */
import { type ConvGeometry, type PoolGeometry, convAxis, poolAxis } from '../engine/geometry.js';
import {
  conv2dBackwardFilter,
  conv2dBackwardInput,
  conv2dForward,
  matmul,
  maxPoolBackward,
  maxPoolForward,
  meanPoolBackward,
  meanPoolForward,
  unspecialized,
} from '../engine/kernels/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GRADCHECK_DEFAULTS } from '../engine/defaults.js';
import { check } from '../engine/index.js';
import { gradcheck } from '../engine/run/index.js';
import { Samples, fill, median, sample } from './timing.js';

const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const convnetjs = require('convnetjs');

type Op = 'fwd' | 'dx' | 'dw';
interface ConvShape {
  name: string;
  n: number;
  c: number;
  h: number;
  w: number;
  oc: number;
  k: number;
  pad: number;
}

const CONV: ConvShape[] = [
  { name: 'a', n: 32, c: 64, h: 6, w: 6, oc: 96, k: 5, pad: 0 },
  { name: 'b', n: 32, c: 3, h: 17, w: 17, oc: 64, k: 5, pad: 0 },
  { name: 'c1', n: 64, c: 1, h: 32, w: 32, oc: 6, k: 5, pad: 0 },
  { name: 'c2', n: 64, c: 6, h: 14, w: 14, oc: 16, k: 5, pad: 0 },
  { name: 'd', n: 16, c: 32, h: 32, w: 32, oc: 64, k: 3, pad: 1 },
];
const POOL = { n: 32, c: 64, h: 26, w: 26, k: 2 };
const GEMM = 256;
/** Seconds of one capped peer call we aim for. */
const PEER_BUDGET_MS = 400;

const args = process.argv.slice(2);
const json = args.includes('--json');
const roundsAt = args.indexOf('--rounds');
const ROUNDS = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 5;

function convGeometry(s: ConvShape): ConvGeometry {
  return {
    h: convAxis(s.h, s.k, 1, 1, s.pad, s.pad),
    w: convAxis(s.w, s.k, 1, 1, s.pad, s.pad),
    inChannels: s.c,
    outChannels: s.oc,
    groups: 1,
    bias: true,
  };
}

interface ConvCase {
  s: ConvShape;
  g: ConvGeometry;
  flops: number;
  oh: number;
  ow: number;
  ours32: Record<Op, () => void>;
  ours64: Record<Op, () => void>;
  tfjs: Record<Op, () => void>;
  tfjsSlice: Record<Op, number>;
  cnjsFwd: () => void;
  cnjsBwd: () => void;
  cnjsImages: number;
}

function timeOnce(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

function tfjsConv(s: ConvShape, oh: number, ow: number, op: Op, batch: number): () => void {
  const x = tf.tensor4d(fill(new Float32Array(batch * s.h * s.w * s.c), 1), [batch, s.h, s.w, s.c]);
  const f = tf.tensor4d(fill(new Float32Array(s.k * s.k * s.c * s.oc), 2), [s.k, s.k, s.c, s.oc]);
  const dy = tf.tensor4d(fill(new Float32Array(batch * oh * ow * s.oc), 3), [batch, oh, ow, s.oc]);
  const attrs = { strides: [1, 1], pad: s.pad, dataFormat: 'NHWC', dilations: [1, 1] };
  const run =
    op === 'fwd'
      ? () => tf.engine().runKernel('Conv2D', { x, filter: f }, attrs)
      : op === 'dx'
        ? () =>
            tf
              .engine()
              .runKernel('Conv2DBackpropInput', { dy, filter: f }, { ...attrs, inputShape: [batch, s.h, s.w, s.c] })
        : () =>
            tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: [s.k, s.k, s.c, s.oc] });
  return () => (run() as { dispose(): void }).dispose();
}

function prepareConv(s: ConvShape): ConvCase {
  const g = convGeometry(s),
    oh = g.h.out,
    ow = g.w.out;
  const flops = 2 * s.n * s.oc * oh * ow * s.c * s.k * s.k;
  const mk = <A extends Float32Array | Float64Array>(T: new (n: number) => A): Record<Op, () => void> => {
    const x = fill(new T(s.n * s.c * s.h * s.w), 1),
      w = fill(new T(s.oc * s.c * s.k * s.k), 2),
      b = fill(new T(s.oc), 4);
    const dy = fill(new T(s.n * s.oc * oh * ow), 3);
    // Outputs are preallocated (the kernels accept them) so the timing is of the kernel, not of V8 collecting
    // megabyte buffers in a heap that tfjs has made large.
    const y = new T(s.n * s.oc * oh * ow),
      dx = new T(x.length);
    return {
      fwd: () => conv2dForward(g, s.n, x, w, b, y),
      dx: () => conv2dBackwardInput(g, s.n, dy, w, dx),
      dw: () => conv2dBackwardFilter(g, s.n, x, dy),
    };
  };
  // Size each tfjs op's batch slice from one single-sample call, so no call runs far past the budget.
  const tfjs = {} as Record<Op, () => void>,
    tfjsSlice = {} as Record<Op, number>;
  for (const op of ['fwd', 'dx', 'dw'] as Op[]) {
    const one = tfjsConv(s, oh, ow, op, 1);
    one();
    const perSample = Math.max(timeOnce(one), 1e-3);
    const slice = Math.max(1, Math.min(s.n, Math.floor(PEER_BUDGET_MS / perSample)));
    tfjsSlice[op] = slice;
    tfjs[op] = slice === 1 ? one : tfjsConv(s, oh, ow, op, slice);
  }
  const layer = new convnetjs.ConvLayer({
    in_sx: s.w,
    in_sy: s.h,
    in_depth: s.c,
    sx: s.k,
    filters: s.oc,
    stride: 1,
    pad: s.pad,
  });
  const vol = new convnetjs.Vol(s.w, s.h, s.c);
  const cnjsFwd = () => layer.forward(vol);
  const cnjsBwd = () => {
    layer.forward(vol);
    layer.backward();
  };
  const perImage = Math.max(timeOnce(cnjsFwd), timeOnce(cnjsBwd), 1e-3);
  const cnjsImages = Math.max(1, Math.min(s.n, Math.floor(PEER_BUDGET_MS / 2 / perImage)));
  return {
    s,
    g,
    flops,
    oh,
    ow,
    ours32: mk(Float32Array),
    ours64: mk(Float64Array),
    tfjs,
    tfjsSlice,
    cnjsFwd,
    cnjsBwd,
    cnjsImages,
  };
}

function poolGeometry(mode: 'max' | 'mean'): PoolGeometry {
  return {
    h: poolAxis(POOL.h, POOL.k, POOL.k, 0, false),
    w: poolAxis(POOL.w, POOL.k, POOL.k, 0, false),
    channels: POOL.c,
    mode,
    ceil: false,
  };
}

type PoolOp = 'max-fwd' | 'max-bwd' | 'mean-fwd' | 'mean-bwd';

function preparePool(): {
  ours32: Record<PoolOp, () => void>;
  ours64: Record<PoolOp, () => void>;
  tfjs: Record<PoolOp, () => void>;
} {
  const { n, c, h, w, k } = POOL,
    oh = Math.floor(h / k),
    ow = Math.floor(w / k);
  const gMax = poolGeometry('max'),
    gMean = poolGeometry('mean');
  const mk = <A extends Float32Array | Float64Array>(T: new (n: number) => A): Record<PoolOp, () => void> => {
    const x = fill(new T(n * c * h * w), 5),
      dy = fill(new T(n * c * oh * ow), 6);
    const { argmax } = maxPoolForward(gMax, n, x);
    const y = new T(dy.length),
      arg = new Int32Array(dy.length),
      dx = new T(x.length);
    return {
      'max-fwd': () => maxPoolForward(gMax, n, x, { y, argmax: arg }),
      'max-bwd': () => maxPoolBackward(gMax, n, dy, argmax, dx),
      'mean-fwd': () => meanPoolForward(gMean, n, x, y),
      'mean-bwd': () => meanPoolBackward(gMean, n, dy, dx),
    };
  };
  const x = tf.tensor4d(fill(new Float32Array(n * h * w * c), 5), [n, h, w, c]);
  const dy = tf.tensor4d(fill(new Float32Array(n * oh * ow * c), 6), [n, oh, ow, c]);
  const attrs = { filterSize: [k, k], strides: [k, k], pad: 0 };
  const y = tf.engine().runKernel('MaxPool', { x }, attrs);
  const kernel = (name: string, inputs: object) => () =>
    (tf.engine().runKernel(name, inputs, attrs) as { dispose(): void }).dispose();
  return {
    ours32: mk(Float32Array),
    ours64: mk(Float64Array),
    tfjs: {
      'max-fwd': kernel('MaxPool', { x }),
      'max-bwd': kernel('MaxPoolGrad', { dy, input: x, output: y }),
      'mean-fwd': kernel('AvgPool', { x }),
      'mean-bwd': kernel('AvgPoolGrad', { dy, input: x }),
    },
  };
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const started = performance.now();
  const cases = CONV.map(prepareConv);
  const pool = preparePool();
  const A32 = fill(new Float32Array(GEMM * GEMM), 7),
    B32 = fill(new Float32Array(GEMM * GEMM), 8);
  const A64 = fill(new Float64Array(GEMM * GEMM), 7),
    B64 = fill(new Float64Array(GEMM * GEMM), 8);
  const t = new Samples();
  const ops: Op[] = ['fwd', 'dx', 'dw'];
  const poolOps: PoolOp[] = ['max-fwd', 'max-bwd', 'mean-fwd', 'mean-bwd'];

  // Warm-up: the first calls of a kernel run before V8 has optimised it and would skew early rounds.
  for (let i = 0; i < 3; i++) {
    matmul(GEMM, GEMM, GEMM, A32, B32);
    matmul(GEMM, GEMM, GEMM, A64, B64);
    for (const cs of cases)
      for (const op of ops) {
        cs.ours32[op]();
        cs.ours64[op]();
      }
    for (const op of poolOps) {
      pool.ours32[op]();
      pool.ours64[op]();
      pool.tfjs[op]();
    }
  }
  for (let r = 0; r < ROUNDS; r++) {
    t.add(
      'gemm32',
      sample(() => matmul(GEMM, GEMM, GEMM, A32, B32)),
    );
    t.add(
      'gemm64',
      sample(() => matmul(GEMM, GEMM, GEMM, A64, B64)),
    );
    for (const cs of cases) {
      for (const op of ops) {
        const key = `${cs.s.name}/${op}`;
        t.add(`ours32/${key}`, sample(cs.ours32[op]));
        t.add(`ours64/${key}`, sample(cs.ours64[op]));
        t.add(`tfjs/${key}`, (timeOnce(cs.tfjs[op]) * cs.s.n) / cs.tfjsSlice[op]);
      }
      // ConvNetJS, per image, scaled to the batch.
      let fwd = 0,
        bwd = 0;
      for (let i = 0; i < cs.cnjsImages; i++) fwd += timeOnce(cs.cnjsFwd);
      for (let i = 0; i < cs.cnjsImages; i++) bwd += timeOnce(cs.cnjsBwd);
      t.add(`cnjs/${cs.s.name}/fwd`, (fwd / cs.cnjsImages) * cs.s.n);
      // cnjsBwd re-runs the forward (backward needs it): subtract this round's forward per image.
      t.add(`cnjs/${cs.s.name}/bwd`, Math.max((bwd - fwd) / cs.cnjsImages, 1e-6) * cs.s.n);
    }
    for (const op of poolOps) {
      t.add(`ours32/${op}`, sample(pool.ours32[op]));
      t.add(`ours64/${op}`, sample(pool.ours64[op]));
      t.add(`tfjs/${op}`, sample(pool.tfjs[op], 50));
    }
  }

  const ceiling32 = (2 * GEMM ** 3) / t.median('gemm32') / 1e6,
    ceiling64 = (2 * GEMM ** 3) / t.median('gemm64') / 1e6;
  const conv = cases.flatMap((cs) =>
    ops.map((op) => {
      const key = `${cs.s.name}/${op}`,
        ours = t.median(`ours32/${key}`);
      const cnjs = op === 'fwd' ? t.median(`cnjs/${cs.s.name}/fwd`) : t.median(`cnjs/${cs.s.name}/bwd`) / 2;
      const gflops = cs.flops / ours / 1e6;
      return {
        shape: cs.s.name,
        op,
        gflops: round(gflops),
        gflopsF64: round(cs.flops / t.median(`ours64/${key}`) / 1e6),
        vsCeiling: round(gflops / ceiling32),
        vsTfjs: round(t.median(`tfjs/${key}`) / ours),
        vsConvnetjs: round(cnjs / ours),
        tfjsBatchSlice: cs.tfjsSlice[op],
        convnetjsImages: cs.cnjsImages,
      };
    }),
  );
  const poolElems = POOL.n * POOL.c * POOL.h * POOL.w;
  const poolRows = poolOps.map((op) => ({
    op,
    melemPerS: round(poolElems / t.median(`ours32/${op}`) / 1e3),
    melemPerSF64: round(poolElems / t.median(`ours64/${op}`) / 1e3),
    vsTfjs: round(t.median(`tfjs/${op}`) / t.median(`ours32/${op}`)),
  }));
  // The default gradient check of examples/seed.cnn, whole (build, forward, backward, every rerun), float64.
  const seedText = readFileSync(join(__dirname, '../examples/seed.cnn'), 'utf8');
  const gradcheckMs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    const g = await gradcheck(check(seedText));
    if (!g.passed) throw new Error('bench: the seed gradient check failed');
    gradcheckMs.push(performance.now() - t0);
  }
  const result = {
    dtype: 'float32',
    dtypeNote: 'ratios use the float32 path (tfjs is float32); *F64 fields time the float64 path',
    specialized: unspecialized.length === 0,
    rounds: ROUNDS,
    conv,
    pool: poolRows,
    gemmCeilingGflops: round(ceiling32),
    gemmCeilingGflopsF64: round(ceiling64),
    gradcheckSeedMs: round(median(gradcheckMs)),
    seconds: round((performance.now() - started) / 1000),
  };
  if (json) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log(
    `CNN Lens kernels, element type float32 for ratios (float64 alongside); medians of ${ROUNDS} interleaved rounds`,
  );
  console.log(
    `GEMM ${GEMM}³ ceiling: ${result.gemmCeilingGflops} GFLOP/s float32, ${result.gemmCeilingGflopsF64} float64`,
  );
  console.log("conv GFLOP/s count a direct convolution's operations, whatever the kernel (Winograd does fewer)\n");
  console.log(row(['conv', 'op', 'GFLOP/s f32', 'f64', '×ceiling', '×tfjs', '×convnetjs', 'tfjs slice', 'cnjs imgs']));
  for (const c of conv)
    console.log(
      row([
        c.shape,
        c.op,
        c.gflops,
        c.gflopsF64,
        c.vsCeiling,
        c.vsTfjs,
        c.vsConvnetjs,
        c.tfjsBatchSlice,
        c.convnetjsImages,
      ]),
    );
  console.log(`\n${row(['pool 2×2 s2', 'Melem/s f32', 'f64', '×tfjs'])}`);
  for (const p of poolRows) console.log(row([p.op, p.melemPerS, p.melemPerSF64, p.vsTfjs]));
  console.log(
    `\ngradient check of examples/seed.cnn (the default mode, ${GRADCHECK_DEFAULTS.mode}, float64): median ${result.gradcheckSeedMs} ms (target ≤ 100)`,
  );
  console.log(`\n(${result.seconds} s; Melem/s counts input elements, ${POOL.n}×${POOL.c}×${POOL.h}×${POOL.w})`);
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

function row(cells: (string | number)[]): string {
  return cells.map((c, i) => String(c).padStart(i === 0 ? 12 : 11)).join(' ');
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
