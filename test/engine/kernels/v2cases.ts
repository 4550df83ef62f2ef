/**
 * The cases of test/fixtures/torch/kernels-v2.json (scripts/torch/kernels_v2.py) and how to run each one's kernels,
 * in either element type: read by the float64 fixture test and the float32 test.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ActivationV2,
  type DeconvGeometry,
  activationV2Backward,
  activationV2Forward,
  adaptiveMaxPoolBackward,
  adaptiveMaxPoolForward,
  adaptiveMeanPoolBackward,
  adaptiveMeanPoolForward,
  channelMulBackward,
  channelMulForward,
  cropBackward,
  cropForward,
  cropOffset,
  deconv2dBackwardFilter,
  deconv2dBackwardInput,
  deconv2dForward,
  deconvOut,
  erf,
  erfc,
  groupNormBackward,
  groupNormForward,
  mulBackward,
  mulForward,
  upsampleBackward,
  upsampleForward,
} from '../../../engine/kernels/index.js';
import type { Floats } from '../../../engine/kernels/specialize.js';

export interface Tensor {
  shape: number[];
  data: number[];
}
export interface Case {
  name: string;
  op: string;
  params: Record<string, unknown>;
  tensors: Record<string, Tensor>;
}

const FIXTURE = join(__dirname, '../../fixtures/torch/kernels-v2.json');

export function loadV2(): Case[] {
  return (JSON.parse(readFileSync(FIXTURE, 'utf8')) as { cases: Case[] }).cases;
}

/** The deconv geometry a conv_transpose2d case describes. */
export function deconvCase(c: Case): DeconvGeometry {
  const t = c.tensors,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    p = c.params as Record<string, any>;
  const [, C, H, W] = t.x.shape,
    [, fg, kh, kw] = t.W.shape;
  const axis = (a: 0 | 1, size: number, kernel: number) => ({
    size,
    kernel,
    stride: p.stride[a],
    pad: p.padding[a],
    outPad: p.output_padding[a],
    dilation: p.dilation[a],
  });
  return {
    h: axis(0, H, kh),
    w: axis(1, W, kw),
    inChannels: C,
    outChannels: fg * p.groups,
    groups: p.groups,
    bias: p.bias,
  };
}

export function activationOf(c: Case): ActivationV2 {
  return c.op === 'elu' ? { kind: 'elu', alpha: c.params.alpha as number } : ({ kind: c.op } as ActivationV2);
}

type Ctor = Float64ArrayConstructor | Float32ArrayConstructor;

/**
 * Runs a case's kernels on its inputs in the element type T (first rounded to float32 with `round`) and returns
 * what they computed, under the fixture's tensor names (erf is float64 only: it has no float32 path).
 */
export function compute(c: Case, T: Ctor, round = false): Record<string, Floats | number[] | Int32Array> {
  const t = c.tensors,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    p = c.params as Record<string, any>;
  const get = (k: string): Floats => {
    if (!t[k]) throw new Error(`fixture: missing tensor ${k}`);
    return T.from(round ? t[k].data.map(Math.fround) : t[k].data);
  };
  switch (c.op) {
    case 'conv_transpose2d': {
      const g = deconvCase(c),
        N = t.x.shape[0],
        x = get('x'),
        w = get('W'),
        dy = get('dy');
      assert.deepEqual([g.outChannels, deconvOut(g.h), deconvOut(g.w)], t.y.shape.slice(1), 'output shape');
      const { dW, db } = deconv2dBackwardFilter(g, N, x, dy);
      if (!t.db) assert.equal(db, null);
      return {
        y: deconv2dForward(g, N, x, w, t.b ? get('b') : null),
        dx: deconv2dBackwardInput(g, N, dy, w),
        dW,
        ...(db ? { db } : {}),
      };
    }
    case 'upsample': {
      const [N, C, H, W] = t.x.shape,
        g = { mode: p.mode, channels: C, H, W, sh: p.scale[0], sw: p.scale[1] };
      return { y: upsampleForward(g, N, get('x')), dx: upsampleBackward(g, N, get('dy')) };
    }
    case 'adaptive_max_pool2d': {
      const [N, C, H, W] = t.x.shape,
        g = { channels: C, H, W, OH: p.out[0], OW: p.out[1] };
      const { y, argmax } = adaptiveMaxPoolForward(g, N, get('x')),
        windows = g.OH * g.OW;
      return {
        y,
        dx: adaptiveMaxPoolBackward(g, N, get('dy'), argmax),
        indices: [...argmax].map((a, o) => a - Math.floor(o / windows) * H * W),
      };
    }
    case 'adaptive_avg_pool2d': {
      const [N, C, H, W] = t.x.shape,
        g = { channels: C, H, W, OH: p.out[0], OW: p.out[1] };
      return { y: adaptiveMeanPoolForward(g, N, get('x')), dx: adaptiveMeanPoolBackward(g, N, get('dy')) };
    }
    case 'relu6':
    case 'gelu':
    case 'silu':
    case 'hardswish':
    case 'hardsigmoid':
    case 'elu': {
      const act = activationOf(c),
        x = get('x');
      return { y: activationV2Forward(act, x), dx: activationV2Backward(act, x, get('dy')) };
    }
    case 'erf':
      return { y: t.x.data.map(erf), yc: t.x.data.map(erfc) };
    case 'group_norm': {
      const [N, ...shape] = t.x.shape,
        x = get('x'),
        gamma = get('gamma');
      const fw = groupNormForward(shape, p.groups, N, x, gamma, get('beta'), p.eps);
      const { dx, dgamma, dbeta } = groupNormBackward(shape, p.groups, N, x, get('dy'), gamma, fw);
      return { y: fw.y, dx, dgamma, dbeta };
    }
    case 'mul': {
      const x = get('x'),
        s = get('s'),
        dy = get('dy');
      if (p.broadcast === 'none') {
        const { da, db } = mulBackward(x, s, dy);
        return { y: mulForward(x, s), dx: da, ds: db };
      }
      const [N, C, H, W] = t.x.shape,
        { dx, ds } = channelMulBackward(N, C, H * W, x, s, dy);
      return { y: channelMulForward(N, C, H * W, x, s), dx, ds };
    }
    case 'crop': {
      const [N, C, Hin, Win] = t.x.shape,
        g = { channels: C, Hin, Win, H: p.size[0], W: p.size[1] };
      assert.deepEqual(cropOffset(g), p.offset, 'offset');
      return { y: cropForward(g, N, get('x')), dx: cropBackward(g, N, get('dy')) };
    }
    default:
      throw new Error(`no kernels for op ${c.op}`);
  }
}

/** The fixture tensors a case's kernels must reproduce: every output its `compute` gives. */
export function expected(c: Case): string[] {
  const inputs = new Set(['x', 'W', 'b', 'dy', 's', 'gamma', 'beta']);
  return Object.keys(c.tensors).filter((k) => !inputs.has(k));
}
