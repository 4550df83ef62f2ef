/**
 * batchnorm: per-channel normalisation with the batch's own statistics (torch.nn.BatchNorm2d/1d in training
 * mode, biased variance), then y = γ·x̂ + β. The δ rule is the one that accounts for the mean and variance
 * depending on every sample of the batch.
 */
import { batchNormBackward, batchNormForward, type BatchNormSaved } from '../kernels';
import { formatShape } from '../shape';
import { readNumber } from '../values';
import { expectArgs, type LayerKind } from './kind';

export const batchnorm: LayerKind<{ eps: number }, { eps: number }> = {
  kind: 'batchnorm',
  summary: "normalises each channel with the batch's mean and (biased) variance, then scales by γ and shifts by β",
  usage: 'batchnorm',
  options: {
    eps: {
      doc: 'eps: added to the variance before the square root',
      default: '1e-5',
      read: (v, report) => readNumber(v, 'eps', (n) => n > 0, 'more than 0', report),
    },
  },
  configure: (args, o, cx) => (expectArgs(args, [], cx) ? { eps: o.eps ?? 1e-5 } : undefined),
  infer(_c, [input], cx) {
    const C = input.shape[0];
    const over = input.shape.length === 3 ? `the batch and the ${input.shape[1]}×${input.shape[2]} positions` : 'the batch';
    const dy = `δ(${cx.layer})`;
    return {
      output: input.shape,
      params: [
        { name: 'gamma', shape: [C] },
        { name: 'beta', shape: [C] },
      ],
      macs: 0,
      rule: () => `${cx.deltaOf(input.name)} ${formatShape(input.shape)} = (γ[c]/σ[c]) ⊙ (${dy} − mean(${dy}) − x̂ ⊙ mean(${dy} ⊙ x̂)), means per channel over ${over}`,
      paramRules: () => [`dgamma ${C} = Σ over ${over} of ${dy} ⊙ x̂`, `dbeta ${C} = Σ over ${over} of ${dy}`],
    };
  },

  forward(c, step, [x]) {
    const { y, mean, invStd } = batchNormForward(step.inputShapes[0], step.batch, x, step.params.gamma, step.params.beta, c.eps);
    return { y, saved: { mean, invStd } };
  },

  backward(_c, step, [x], f, dy) {
    const { dx, dgamma, dbeta } = batchNormBackward(step.inputShapes[0], step.batch, x, dy, step.params.gamma, f.saved as BatchNormSaved);
    return { dx: [dx], grads: { gamma: dgamma, beta: dbeta } };
  },
};
