/**
 * softmax: only as the last layer, where it is fused with the cross-entropy loss: p = softmax over the
 * channels (a vector's entries), loss = mean over the batch of −log p[label], and the δ at softmax's input is
 * (p − onehot(label)) / N, the rule that makes the pair cheap and stable.
 */
import { classLayout } from '../kernels';
import { formatShape } from '../shape';
import { expectArgs, type LayerKind, type Nothing } from './kind';

const NOTHING: Nothing = {};

export const softmax: LayerKind<Nothing, Nothing> = {
  kind: 'softmax',
  summary: 'softmax over the classes, fused with the cross-entropy loss; only as the last layer',
  usage: 'softmax',
  fusedWithLoss: { loss: 'cross_entropy', delta: '(p − onehot)/N' },
  options: {},
  // Every softmax layer shares one (empty) configuration.
  configure: (args, _o, cx) => (expectArgs(args, [], cx) ? NOTHING : undefined),
  infer: (_c, [input]) => ({ output: input.shape }),
  rule(_c, [input], cx) {
    const shape = formatShape(input.shape);
    return input.shape.length === 1
      ? `${cx.deltaOf(input.name)} ${shape} = (p − onehot(label)) / N, p = softmax(${input.name}) ${shape} over the ${input.shape[0]} classes, N the batch size`
      : `${cx.deltaOf(input.name)} ${shape} = (p − onehot(label)) / (N·${input.shape.slice(1).join('·')}), p = softmax over the ${input.shape[0]} channels at each of the ${input.shape.slice(1).join('×')} positions, N the batch size`;
  },

  forward(_c, step, [x]) {
    const { classes, positions } = classLayout(step.output);
    const y = new Float64Array(x.length);
    for (let base = 0; base < x.length; base += classes * positions) {
      for (let p = 0; p < positions; p++) {
        let max = -Infinity;
        for (let c = 0; c < classes; c++) max = Math.max(max, x[base + c * positions + p]);
        let sum = 0;
        for (let c = 0; c < classes; c++)
          sum += y[base + c * positions + p] = Math.exp(x[base + c * positions + p] - max);
        for (let c = 0; c < classes; c++) y[base + c * positions + p] /= sum;
      }
    }
    return { y };
  },

  /**
   * The softmax Jacobian alone, δx = p ⊙ (δp − Σ δp·p), for a δ that arrives at the probabilities. With
   * cross-entropy the runner skips it and starts from the fused (p − onehot)/N at the logits instead.
   */
  backward(_c, step, _x, f, dy) {
    const { classes, positions } = classLayout(step.output);
    const p = f.y;
    const dx = new Float64Array(dy.length);
    for (let base = 0; base < dy.length; base += classes * positions) {
      for (let q = 0; q < positions; q++) {
        let dot = 0;
        for (let c = 0; c < classes; c++) dot += dy[base + c * positions + q] * p[base + c * positions + q];
        for (let c = 0; c < classes; c++) {
          const i = base + c * positions + q;
          dx[i] = p[i] * (dy[i] - dot);
        }
      }
    }
    return { dx: [dx] };
  },

  label: () => 'softmax',
  roughRule: 'p − onehot',
  // The exports leave a softmax fused with cross-entropy out (or say how they differ); the language allows no other.
  torch: () => ({ module: 'nn.Softmax(dim=1)' }),
  tfjs: () => [
    {
      fn: 'softmax',
      config: { axis: '-1' },
      comment:
        'the .cnn network fuses this with cross-entropy; here the model outputs probabilities (train with categoricalCrossentropy)',
    },
  ],
};
