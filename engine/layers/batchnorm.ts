/**
 * batchnorm: per-channel normalisation with the batch's own statistics (torch.nn.BatchNorm2d/1d in training
 * mode, biased variance), then y = γ·x̂ + β. The δ rule is the one that accounts for the mean and variance
 * depending on every sample of the batch.
 */
import { batchNormBackward, batchNormForward, type BatchNormSaved } from '../kernels';
import { formatShape } from '../shape';
import { readNumber } from '../values';
import { channelCrop } from './crops';
import { expectArgs, type LayerKind } from './kind';

/** The configuration of every layer that sets no eps (configurations are never changed). */
const BY_DEFAULT = { eps: 1e-5 };

/** What the means of a channel are taken over. */
const over = (shape: readonly number[]) =>
  shape.length === 3 ? `the batch and the ${shape[1]}×${shape[2]} positions` : 'the batch';

export const batchnorm: LayerKind<{ eps: number }, { eps: number }, undefined, BatchNormSaved> = {
  kind: 'batchnorm',
  summary: "normalises each channel with the batch's mean and (biased) variance, then scales by γ and shifts by β",
  usage: 'batchnorm',
  paramAxes: { gamma: ['channel'], beta: ['channel'] },
  options: {
    eps: {
      doc: 'eps: added to the variance before the square root',
      default: '1e-5',
      read: (v, report) => readNumber(v, 'eps', (n) => n > 0, 'more than 0', report),
    },
  },
  configure: (args, o, cx) =>
    expectArgs(args, [], cx) ? (o.eps === undefined ? BY_DEFAULT : { eps: o.eps }) : undefined,
  infer: (_c, [input]) => ({ output: input.shape, macs: 0 }),
  params(_c, [input]) {
    // γ and β have one shape, and shapes are never changed: they share it.
    const channels = [input.shape[0]];
    return [
      { name: 'gamma', shape: channels },
      { name: 'beta', shape: channels },
    ];
  },

  rule: (_c, [input], cx) => {
    const dy = `δ(${cx.layer})`;
    return `${cx.deltaOf(input.name)} ${formatShape(input.shape)} = (γ[c]/σ[c]) ⊙ (${dy} − mean(${dy}) − x̂ ⊙ mean(${dy} ⊙ x̂)), means per channel over ${over(input.shape)}`;
  },
  paramRules: (_c, [input], cx) => {
    const dy = `δ(${cx.layer})`;
    const C = input.shape[0];
    return [
      `dgamma ${C} = Σ over ${over(input.shape)} of ${dy} ⊙ x̂`,
      `dbeta ${C} = Σ over ${over(input.shape)} of ${dy}`,
    ];
  },

  forward(c, step, [x]) {
    const { y, mean, invStd } = batchNormForward(
      step.inputShapes[0],
      step.batch,
      x,
      step.params.gamma,
      step.params.beta,
      c.eps,
    );
    return { y, saved: { mean, invStd } };
  },

  backward(_c, step, [x], f, dy) {
    const { dx, dgamma, dbeta } = batchNormBackward(
      step.inputShapes[0],
      step.batch,
      x,
      dy,
      step.params.gamma,
      saved(step, f.saved),
    );
    return { dx: [dx], grads: { gamma: dgamma, beta: dbeta } };
  },
  // Statistics per channel: a coordinate moves one channel, in every sample. Affine in γ and β, not in x.
  cropInput: channelCrop,
  cropParam: channelCrop,
  affineIn: (_c, where) => typeof where === 'string',

  label: () => 'batchnorm',
  roughRule: 'γ/σ ⊙ (δ − means)',
  torch: ({ config: { eps }, inputs: [x] }) => ({
    module: `nn.${x.length === 1 ? 'BatchNorm1d' : 'BatchNorm2d'}(${x[0]}${eps === 1e-5 ? '' : `, eps=${eps}`}, track_running_stats=False)`,
    comment: 'batch statistics always, as CNN Lens normalises (no running averages)',
  }),
  tfjs: ({ config: { eps } }) => [
    {
      fn: 'batchNormalization',
      config: { axis: '-1', epsilon: `${eps}` },
      comment: 'batch statistics in training only; predict() uses moving averages, which CNN Lens does not keep',
    },
  ],
};

function saved(step: { name: string }, s: BatchNormSaved | undefined): BatchNormSaved {
  if (!s) throw new Error(`${step.name}: batchnorm's backward needs the statistics its forward saves`);
  return s;
}
