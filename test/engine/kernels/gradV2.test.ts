/**
 * The version 2 kernels' backward passes against float64 central differences of their own forward passes, on
 * shapes the PyTorch fixtures do not have, with a non-uniform upstream gradient (the loss is Σ c ⊙ y for a random
 * c, so δy = c): every δ and parameter gradient must be the forward's derivative, not only PyTorch's numbers.
 */
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
  deconv2dBackwardFilter,
  deconv2dBackwardInput,
  deconv2dForward,
  deconvOut,
  groupNormBackward,
  groupNormForward,
  upsampleBackward,
  upsampleForward,
} from '../../../engine/kernels/index.js';
import { assertNear, dot, numericGrad, randn64, rng } from './util.js';

const REL = 1e-6;

describe('version 2 kernels: backward against central differences (float64)', () => {
  const r = rng(23);

  const deconvs: [string, DeconvGeometry][] = [
    [
      'x=[2,4,3,4] w=[4,3,3,3] s=2 p=1 op=1 g=1',
      {
        h: { size: 3, kernel: 3, stride: 2, pad: 1, outPad: 1, dilation: 1 },
        w: { size: 4, kernel: 3, stride: 2, pad: 1, outPad: 1, dilation: 1 },
        inChannels: 4,
        outChannels: 3,
        groups: 1,
        bias: true,
      },
    ],
    [
      'x=[2,4,3,3] w=[4,1,2,3] s=3x1 p=0x1 d=1x2 g=2',
      {
        h: { size: 3, kernel: 2, stride: 3, pad: 0, outPad: 2, dilation: 1 },
        w: { size: 3, kernel: 3, stride: 1, pad: 1, outPad: 1, dilation: 2 },
        inChannels: 4,
        outChannels: 2,
        groups: 2,
        bias: true,
      },
    ],
  ];
  for (const [name, g] of deconvs) {
    it(`deconv δx dW db ${name}`, () => {
      const N = 2,
        C = g.inChannels,
        F = g.outChannels,
        kh = g.h.kernel,
        kw = g.w.kernel;
      const x = randn64(r, N * C * g.h.size * g.w.size),
        w = randn64(r, C * (F / g.groups) * kh * kw),
        b = randn64(r, F);
      const c = randn64(r, N * F * deconvOut(g.h) * deconvOut(g.w));
      const loss = () => dot(c, deconv2dForward(g, N, x, w, b));
      const { dW, db } = deconv2dBackwardFilter(g, N, x, c);
      assertNear(deconv2dBackwardInput(g, N, c, w), numericGrad(loss, x), REL, 'δx');
      assertNear(dW, numericGrad(loss, w), REL, 'dW');
      assertNear(db ?? [], numericGrad(loss, b), REL, 'db');
    });
  }

  for (const [mode, H, W, sh, sw] of [
    ['bilinear', 5, 4, 2, 3],
    ['bilinear', 2, 6, 3, 2],
    ['nearest', 3, 5, 2, 3],
  ] as const) {
    it(`upsample ${mode} δx x=[2,2,${H},${W}] scale=${sh}x${sw}`, () => {
      const g = { mode, channels: 2, H, W, sh, sw },
        x = randn64(r, 2 * 2 * H * W),
        c = randn64(r, 2 * 2 * H * sh * W * sw);
      assertNear(
        upsampleBackward(g, 2, c),
        numericGrad(() => dot(c, upsampleForward(g, 2, x)), x),
        REL,
        'δx',
      );
    });
  }

  for (const [H, W, OH, OW] of [
    [7, 5, 3, 2],
    [4, 6, 5, 4],
    [5, 5, 1, 1],
  ]) {
    const g = { channels: 2, H, W, OH, OW };
    it(`adaptive mean pool δx x=[2,2,${H},${W}] out=${OH}x${OW}`, () => {
      const x = randn64(r, 4 * H * W),
        c = randn64(r, 4 * OH * OW);
      assertNear(
        adaptiveMeanPoolBackward(g, 2, c),
        numericGrad(() => dot(c, adaptiveMeanPoolForward(g, 2, x)), x),
        REL,
        'δx',
      );
    });
    it(`adaptive max pool δx x=[2,2,${H},${W}] out=${OH}x${OW}`, () => {
      // Distinct values far apart (no tie within 2ε), so the winners do not move under the differences.
      const x = Float64Array.from(randn64(r, 4 * H * W).map((v, i) => v + i * 0.01)),
        c = randn64(r, 4 * OH * OW);
      const { argmax } = adaptiveMaxPoolForward(g, 2, x);
      assertNear(
        adaptiveMaxPoolBackward(g, 2, c, argmax),
        numericGrad(() => dot(c, adaptiveMaxPoolForward(g, 2, x).y), x),
        REL,
        'δx',
      );
    });
  }

  const acts: ActivationV2[] = [
    { kind: 'relu6' },
    { kind: 'gelu' },
    { kind: 'silu' },
    { kind: 'hardswish' },
    { kind: 'hardsigmoid' },
    { kind: 'elu', alpha: 0.7 },
  ];
  for (const act of acts) {
    it(`${act.kind} δx x=[2,3,4,4]`, () => {
      // Spread over [−8, 8], away from the kinks (0, ±3, 6) by more than ε.
      const x = Float64Array.from(randn64(r, 96), (v) => 8 * v),
        c = randn64(r, 96);
      for (let i = 0; i < x.length; i++) if ([0, 3, -3, 6].some((k) => Math.abs(x[i] - k) < 1e-3)) x[i] += 0.01;
      assertNear(
        activationV2Backward(act, x, c),
        numericGrad(() => dot(c, activationV2Forward(act, x)), x),
        REL,
        'δx',
      );
    });
  }

  for (const [shape, groups] of [
    [[6, 3, 2], 3],
    [[4, 2, 2], 1],
    [[5], 5],
  ] as const) {
    it(`groupnorm δx dγ dβ x=[2,${shape.join(',')}] groups=${groups}`, () => {
      const C = shape[0],
        m = shape.reduce((p: number, q: number) => p * q, 1);
      const x = randn64(r, 2 * m),
        gamma = randn64(r, C),
        beta = randn64(r, C),
        c = randn64(r, 2 * m);
      const loss = () => dot(c, groupNormForward(shape, groups, 2, x, gamma, beta, 1e-3).y);
      const saved = groupNormForward(shape, groups, 2, x, gamma, beta, 1e-3);
      const { dx, dgamma, dbeta } = groupNormBackward(shape, groups, 2, x, c, gamma, saved);
      assertNear(dx, numericGrad(loss, x), REL, 'δx');
      assertNear(dgamma, numericGrad(loss, gamma), REL, 'dγ');
      assertNear(dbeta, numericGrad(loss, beta), REL, 'dβ');
    });
  }

  it('mul with channel broadcast δx δs x=[2,3,4,3] s=[2,3]', () => {
    const x = randn64(r, 72),
      s = randn64(r, 6),
      c = randn64(r, 72);
    const loss = () => dot(c, channelMulForward(2, 3, 12, x, s));
    const { dx, ds } = channelMulBackward(2, 3, 12, x, s, c);
    assertNear(dx, numericGrad(loss, x), REL, 'δx');
    assertNear(ds, numericGrad(loss, s), REL, 'δs');
  });

  it('crop δx x=[2,2,7,6] to 4x3', () => {
    const g = { channels: 2, Hin: 7, Win: 6, H: 4, W: 3 },
      x = randn64(r, 168),
      c = randn64(r, 48);
    assertNear(
      cropBackward(g, 2, c),
      numericGrad(() => dot(c, cropForward(g, 2, x)), x),
      REL,
      'δx',
    );
  });
});
