/**
 * dropout: zeroes each element with probability `rate` in training and scales the rest by 1/(1 − rate). Sample
 * runs and gradient checks need a deterministic function, so there it is the identity (PyTorch's eval mode).
 */
import { formatShape } from '../shape';
import { readNumber } from '../values';
import { elementCrop } from './crops';
import { expectArgs, type LayerKind } from './kind';

/** The configuration of every layer that sets no rate (configurations are never changed). */
const BY_DEFAULT = { rate: 0.5 };

export const dropout: LayerKind<{ rate: number }, { rate: number }> = {
  kind: 'dropout',
  summary: 'randomly zeroes elements in training; the identity in sample runs and gradient checks',
  usage: 'dropout',
  options: {
    rate: {
      doc: 'rate: the probability of zeroing an element',
      default: '0.5',
      read: (v, report) => readNumber(v, 'rate', (n) => n >= 0 && n < 1, 'at least 0 and below 1', report),
    },
  },
  configure: (args, o, cx) =>
    expectArgs(args, [], cx) ? (o.rate === undefined ? BY_DEFAULT : { rate: o.rate }) : undefined,
  infer: (_c, [input]) => ({ output: input.shape }),
  rule(c, [input], cx) {
    const shape = formatShape(input.shape);
    return `${cx.deltaOf(input.name)} ${shape} = δ(${cx.layer}) ${shape} (the identity in sample runs; in training δ(${cx.layer}) ⊙ mask / ${1 - c.rate})`;
  },
  standardRules: () => ({ dx: 'dx = dy' }),
  forward: (_c, _step, [x]) => ({ y: x }),
  backward: (_c, _step, _x, _f, dy) => ({ dx: [dy] }),
  affineIn: () => true,
  cropInput: elementCrop,
  cropSize: () => 'element',
  label: () => 'dropout',
  roughRule: 'copy',
  torch: ({ config: c }) => ({
    module: `nn.Dropout(p=${c.rate})`,
    comment: 'the identity in CNN Lens runs: call .eval() on it, or set p=0, to compare',
  }),
  tfjs: ({ config: c }) => [{ fn: 'dropout', config: { rate: `${c.rate}` } }],
};
