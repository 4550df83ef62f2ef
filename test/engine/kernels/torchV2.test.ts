/**
 * PyTorch float64 fixtures for the kernels of DSL.md version 2 (scripts/torch/kernels_v2.py →
 * test/fixtures/torch/kernels-v2.json): forward values and autograd gradients with a non-uniform upstream gradient,
 * compared at 1e-9 relative; erf at 1e-15.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ActivationV2, type DeconvGeometry, activationV2Backward, activationV2Forward, adaptiveMaxPoolBackward,
  adaptiveMaxPoolForward, adaptiveMeanPoolBackward, adaptiveMeanPoolForward, channelMulBackward, channelMulForward,
  cropBackward, cropForward, cropOffset, deconv2dBackwardFilter, deconv2dBackwardInput, deconv2dForward, deconvOut, erf,
  erfc, groupNormBackward, groupNormForward, mulBackward, mulForward, upsampleBackward, upsampleForward,
} from '../../../engine/kernels/index.js';
import { assertClose } from './util.js';

interface Tensor { shape: number[]; data: number[] }
export interface Case { name: string; op: string; params: Record<string, unknown>; tensors: Record<string, Tensor> }

const FIXTURE = join(__dirname, '../../fixtures/torch/kernels-v2.json');
const REL = 1e-9;

export function loadV2(): Case[] {
  return (JSON.parse(readFileSync(FIXTURE, 'utf8')) as { cases: Case[] }).cases;
}

/** The deconv geometry a conv_transpose2d case describes. */
export function deconvCase(c: Case): DeconvGeometry {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const t = c.tensors, p = c.params as Record<string, any>;
  const [, C, H, W] = t.x.shape, [, fg, kh, kw] = t.W.shape;
  const axis = (a: 0 | 1, size: number, kernel: number) => ({ size, kernel, stride: p.stride[a], pad: p.padding[a],
    outPad: p.output_padding[a], dilation: p.dilation[a] });
  return { h: axis(0, H, kh), w: axis(1, W, kw), inChannels: C, outChannels: fg * p.groups, groups: p.groups, bias: p.bias };
}

export function activationOf(c: Case): ActivationV2 {
  return c.op === 'elu' ? { kind: 'elu', alpha: c.params.alpha as number } : { kind: c.op } as ActivationV2;
}

function f64(t: Tensor | undefined): Float64Array {
  if (!t) throw new Error('fixture: missing tensor');
  return Float64Array.from(t.data);
}

function check(c: Case): void {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const t = c.tensors, p = c.params as Record<string, any>;
  const close = (got: ArrayLike<number>, key: string) => assertClose(got, t[key].data, REL, key);
  switch (c.op) {
    case 'conv_transpose2d': {
      const g = deconvCase(c), N = t.x.shape[0], x = f64(t.x), w = f64(t.W), dy = f64(t.dy);
      assert.deepEqual([g.outChannels, deconvOut(g.h), deconvOut(g.w)], t.y.shape.slice(1), 'output shape');
      close(deconv2dForward(g, N, x, w, t.b ? f64(t.b) : null), 'y');
      close(deconv2dBackwardInput(g, N, dy, w), 'dx');
      const { dW, db } = deconv2dBackwardFilter(g, N, x, dy);
      close(dW, 'dW');
      if (t.db) close(db ?? [], 'db');
      else assert.equal(db, null);
      return;
    }
    case 'upsample': {
      const [N, C, H, W] = t.x.shape, g = { mode: p.mode, channels: C, H, W, sh: p.scale[0], sw: p.scale[1] };
      close(upsampleForward(g, N, f64(t.x)), 'y');
      close(upsampleBackward(g, N, f64(t.dy)), 'dx');
      return;
    }
    case 'adaptive_max_pool2d':
    case 'adaptive_avg_pool2d': {
      const [N, C, H, W] = t.x.shape, g = { channels: C, H, W, OH: p.out[0], OW: p.out[1] };
      if (c.op === 'adaptive_max_pool2d') {
        const { y, argmax } = adaptiveMaxPoolForward(g, N, f64(t.x));
        close(y, 'y');
        close(adaptiveMaxPoolBackward(g, N, f64(t.dy), argmax), 'dx');
        const windows = g.OH * g.OW;
        assert.deepEqual([...argmax].map((a, o) => a - Math.floor(o / windows) * H * W), t.indices.data, 'indices');
      } else {
        close(adaptiveMeanPoolForward(g, N, f64(t.x)), 'y');
        close(adaptiveMeanPoolBackward(g, N, f64(t.dy)), 'dx');
      }
      return;
    }
    case 'relu6': case 'gelu': case 'silu': case 'hardswish': case 'hardsigmoid': case 'elu': {
      const act = activationOf(c), x = f64(t.x);
      close(activationV2Forward(act, x), 'y');
      close(activationV2Backward(act, x, f64(t.dy)), 'dx');
      return;
    }
    case 'erf': {
      const x = t.x.data;
      assertClose(x.map(erf), t.y.data, 1e-15, 'erf');
      // erfc is 1 − erf up to 2, where it loses digits to the difference; from 2 on it is computed directly.
      assertClose(x.map(erfc), t.yc.data, 1e-13, 'erfc');
      return;
    }
    case 'group_norm': {
      const [N, ...shape] = t.x.shape, x = f64(t.x), gamma = f64(t.gamma);
      const fw = groupNormForward(shape, p.groups, N, x, gamma, f64(t.beta), p.eps);
      close(fw.y, 'y');
      const { dx, dgamma, dbeta } = groupNormBackward(shape, p.groups, N, x, f64(t.dy), gamma, fw);
      close(dx, 'dx');
      close(dgamma, 'dgamma');
      close(dbeta, 'dbeta');
      return;
    }
    case 'mul': {
      const x = f64(t.x), s = f64(t.s), dy = f64(t.dy);
      if (p.broadcast === 'none') {
        close(mulForward(x, s), 'y');
        const { da, db } = mulBackward(x, s, dy);
        close(da, 'dx');
        close(db, 'ds');
      } else {
        const [N, C, H, W] = t.x.shape;
        close(channelMulForward(N, C, H * W, x, s), 'y');
        const { dx, ds } = channelMulBackward(N, C, H * W, x, s, dy);
        close(dx, 'dx');
        close(ds, 'ds');
      }
      return;
    }
    case 'crop': {
      const [N, C, Hin, Win] = t.x.shape, g = { channels: C, Hin, Win, H: p.size[0], W: p.size[1] };
      assert.deepEqual(cropOffset(g), p.offset, 'offset');
      close(cropForward(g, N, f64(t.x)), 'y');
      close(cropBackward(g, N, f64(t.dy)), 'dx');
      return;
    }
    default:
      assert.fail(`no check for op ${c.op}`);
  }
}

describe('PyTorch fixtures, version 2 kernels (float64, 1e-9)', () => {
  const cases = loadV2();
  it('has every op the script writes', () => {
    const ops = new Set(cases.map((c) => c.op));
    for (const op of ['conv_transpose2d', 'upsample', 'adaptive_max_pool2d', 'adaptive_avg_pool2d', 'relu6', 'gelu', 'silu',
      'hardswish', 'hardsigmoid', 'elu', 'erf', 'group_norm', 'mul', 'crop']) assert.ok(ops.has(op), op);
  });
  for (const c of cases) it(c.name, () => check(c));
});
