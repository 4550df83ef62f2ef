/**
 * PyTorch float64 fixtures (scripts/torch/kernels.py → test/fixtures/torch/kernels.json): forward values and
 * autograd gradients of every kernel family, with a non-uniform upstream gradient, compared at 1e-9 relative.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { convAxis, meanDivisor } from '../../../engine/geometry.js';
import {
  type Activation,
  activationBackward,
  activationForward,
  batchNormBackward,
  batchNormForward,
  conv2dBackwardFilter,
  conv2dBackwardInput,
  conv2dForward,
  denseBackwardInput,
  denseBackwardParams,
  denseForward,
  maxPoolBackward,
  maxPoolForward,
  meanPoolBackward,
  meanPoolForward,
  mseLoss,
  softmaxCrossEntropy,
} from '../../../engine/kernels/index.js';
import { convPaths } from '../../../engine/kernels/conv.js';
import type { ConvGeometry } from '../../../engine/geometry.js';
import { assertClose, poolGeom } from './util.js';

interface Tensor {
  shape: number[];
  data: number[];
}
interface Case {
  name: string;
  op: string;
  params: Record<string, unknown>;
  tensors: Record<string, Tensor>;
}

const FIXTURE = join(__dirname, '../../fixtures/torch/kernels.json');
const REL = 1e-9;

function f64(t: Tensor | undefined): Float64Array {
  if (!t) throw new Error('fixture: missing tensor');
  return Float64Array.from(t.data);
}

function convCase(c: Case): ConvGeometry {
  const t = c.tensors,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    p = c.params as Record<string, any>;
  const [, C, H, W] = t.x.shape,
    [OC, , kh, kw] = t.W.shape;
  const [pt, pb, pl, pr] = p.padding;
  return {
    h: convAxis(H, kh, p.stride[0], p.dilation[0], pt, pb),
    w: convAxis(W, kw, p.stride[1], p.dilation[1], pl, pr),
    inChannels: C,
    outChannels: OC,
    groups: p.groups,
    bias: p.bias,
  };
}

function check(c: Case): void {
  const t = c.tensors,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    p = c.params as Record<string, any>;
  const close = (got: ArrayLike<number>, key: string) => assertClose(got, t[key].data, REL, key);
  switch (c.op) {
    case 'conv2d': {
      const g = convCase(c),
        N = t.x.shape[0];
      const x = f64(t.x),
        w = f64(t.W),
        dy = f64(t.dy);
      close(conv2dForward(g, N, x, w, t.b ? f64(t.b) : null), 'y');
      close(conv2dBackwardInput(g, N, dy, w), 'dx');
      const { dW, db } = conv2dBackwardFilter(g, N, x, dy);
      close(dW, 'dW');
      if (t.db) close(db ?? [], 'db');
      else assert.equal(db, null);
      return;
    }
    case 'max_pool2d':
    case 'avg_pool2d': {
      const [N, C, H, W] = t.x.shape;
      const g = poolGeom(c.op === 'max_pool2d' ? 'max' : 'mean', C, H, W, p.kernel, p.stride, p.padding, p.ceil_mode);
      assert.deepEqual([g.h.out, g.w.out], t.y.shape.slice(2), 'output size');
      const x = f64(t.x),
        dy = f64(t.dy),
        plane = H * W,
        windows = g.h.out * g.w.out;
      if (c.op === 'max_pool2d') {
        const { y, argmax } = maxPoolForward(g, N, x);
        close(y, 'y');
        close(maxPoolBackward(g, N, dy, argmax), 'dx');
        // torch's indices are positions within the plane; ours are flat over the batch.
        assert.deepEqual(
          [...argmax].map((a, o) => a - Math.floor(o / windows) * plane),
          t.indices.data,
          'indices',
        );
      } else {
        close(meanPoolForward(g, N, x), 'y');
        close(meanPoolBackward(g, N, dy), 'dx');
        const div: number[] = [];
        for (let oy = 0; oy < g.h.out; oy++)
          for (let ox = 0; ox < g.w.out; ox++) div.push(meanDivisor(g.h, oy) * meanDivisor(g.w, ox));
        assert.deepEqual(div, t.divisor.data, 'divisor');
      }
      return;
    }
    case 'linear': {
      const N = t.x.shape[0],
        [U, I] = t.W.shape,
        d = { inFeatures: I, units: U, bias: p.bias };
      const x = f64(t.x),
        w = f64(t.W),
        dy = f64(t.dy);
      close(denseForward(d, N, x, w, t.b ? f64(t.b) : null), 'y');
      close(denseBackwardInput(d, N, dy, w), 'dx');
      const { dW, db } = denseBackwardParams(d, N, x, dy);
      close(dW, 'dW');
      if (t.db) close(db ?? [], 'db');
      return;
    }
    case 'batch_norm': {
      const [N, ...shape] = t.x.shape;
      const x = f64(t.x),
        gamma = f64(t.gamma),
        eps = p.eps;
      const fwd = batchNormForward(shape, N, x, gamma, f64(t.beta), eps);
      close(fwd.y, 'y');
      close(fwd.mean, 'mean');
      close(
        [...fwd.invStd].map((s) => 1 / (s * s) - eps),
        'var',
      );
      const { dx, dgamma, dbeta } = batchNormBackward(shape, N, x, f64(t.dy), gamma, fwd);
      close(dx, 'dx');
      close(dgamma, 'dgamma');
      close(dbeta, 'dbeta');
      return;
    }
    case 'cross_entropy': {
      const [N, K] = t.logits.shape;
      const { loss, probs, grad } = softmaxCrossEntropy(N, K, f64(t.logits), t.labels.data);
      close([loss], 'loss');
      close(probs, 'p');
      close(grad, 'dlogits');
      return;
    }
    case 'mse': {
      const { loss, grad } = mseLoss(f64(t.x), t.targets.data);
      close([loss], 'loss');
      close(grad, 'dx');
      return;
    }
    case 'relu':
    case 'leaky_relu':
    case 'sigmoid':
    case 'tanh': {
      const act = (c.op === 'leaky_relu' ? { kind: 'leaky_relu', slope: p.slope } : { kind: c.op }) as Activation;
      const x = f64(t.x),
        y = activationForward(act, x);
      close(y, 'y');
      close(activationBackward(act, x, y, f64(t.dy)), 'dx');
      return;
    }
    default:
      assert.fail(`fixture op ${c.op} has no kernel here`);
  }
}

describe('kernels against PyTorch float64 fixtures', () => {
  const { cases } = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { cases: Case[] };
  it('the fixture file has cases for every kernel family', () => {
    const ops = new Set(cases.map((c) => c.op));
    for (const op of [
      'conv2d',
      'max_pool2d',
      'avg_pool2d',
      'linear',
      'batch_norm',
      'cross_entropy',
      'mse',
      'relu',
      'leaky_relu',
      'sigmoid',
      'tanh',
    ]) {
      assert.ok(ops.has(op), op);
    }
  });
  it('the conv cases reach every conv kernel of each pass (engine/kernels/conv.ts routes by shape)', () => {
    const reached = new Set<string>();
    for (const c of cases.filter((k) => k.op === 'conv2d')) {
      const paths = convPaths(convCase(c), c.tensors.x.shape[0]);
      for (const [pass, path] of Object.entries(paths)) reached.add(`${pass} ${path.replace(/\d.*/, '')}`);
    }
    for (const want of [
      'forward winograd',
      'forward direct',
      'forward implicit',
      'forward gemm',
      'dx winograd',
      'dx direct',
      'dx gemm',
      'dW winograd',
      'dW rows',
      'dW implicit',
      'dW gemm',
    ])
      assert.ok(reached.has(want), want);
  });
  for (const c of cases) it(`torch ${c.name}`, () => check(c));
});
