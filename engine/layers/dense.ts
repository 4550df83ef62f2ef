/**
 * dense UNITS: a fully connected layer as torch.nn.Linear, W UNITS × IN. A C×H×W input is flattened in C,H,W
 * order first, as torch.flatten does. δx = Wᵀ δy reshaped to the input's shape; dW = δy xᵀ; db = δy.
 */
import { denseBackwardInput, denseBackwardParams, denseForward, type DenseShape } from '../kernels';
import { elementCount, formatShape } from '../shape';
import { boolOption, intOption, type Located, optionRange, positional } from './common';
import { expectArgs, type LayerKind } from './kind';

interface Options {
  bias: boolean;
  in: number;
}

export interface DenseConfig {
  readonly units: Located<number>;
  readonly bias: boolean;
  readonly in?: number;
}

export const dense: LayerKind<Options, DenseConfig> = {
  kind: 'dense',
  summary: 'fully connected layer (torch.nn.Linear); flattens a C×H×W input in C,H,W order',
  usage: 'dense UNITS',
  options: {
    bias: boolOption('bias: add a learned bias per unit', 'true'),
    in: intOption('in: the input features you expect (C·H·W of a map); checked against what arrives', 'what arrives', 1),
  },

  configure(args, o, cx) {
    if (!expectArgs(args, ['UNITS'], cx)) return undefined;
    const units = positional(args[0], 'the number of units', 1, cx.report);
    return units && { units, bias: o.bias ?? true, in: o.in };
  },

  infer(c, [input], cx) {
    const n = elementCount(input.shape);
    const U = c.units.value;
    const inRange = optionRange(cx, 'in');
    if (c.in !== undefined && c.in !== n && inRange) {
      const flat = input.shape.length > 1 ? ` (${formatShape(input.shape)} flattened)` : '';
      cx.report({
        severity: 'error',
        code: 'channel-mismatch',
        message: `${cx.layer}: in=${c.in} but ${input.name} gives ${n} features${flat}`,
        range: inRange,
        ...(input.channelsFrom && { related: [{ range: input.channelsFrom, message: `the ${input.shape[0]} channels of ${input.name} come from here` }] }),
        fixes: [{ title: `Set in=${n}`, edits: [{ range: inRange, newText: `${n}` }], preferred: true }],
      });
      return undefined;
    }
    const dx = `${cx.deltaOf(input.name)} ${formatShape(input.shape)}`;
    const product = `Wᵀ ${n}×${U} · δ(${cx.layer}) ${U}`;
    return {
      output: [U],
      params: [{ name: 'W', shape: [U, n] }, ...(c.bias ? [{ name: 'b' as const, shape: [U] }] : [])],
      macs: U * n,
      rule: () => (input.shape.length > 1 ? `${dx} = reshape(${product}, ${formatShape(input.shape)})` : `${dx} = ${product}`),
      paramRules: () => [
        `dW ${U}×${n} = Σ over the batch of δ(${cx.layer}) ${U} · xᵀ 1×${n}${input.shape.length > 1 ? ` (x = ${input.name} flattened)` : ''}`,
        ...(c.bias ? [`db ${U} = Σ over the batch of δ(${cx.layer})`] : []),
      ],
      channelsFrom: c.units.range,
    };
  },

  forward: (c, step, [x]) => ({ y: denseForward(sizes(c, step), step.batch, x, step.params.W, step.params.b ?? null) }),

  backward(c, step, [x], _f, dy) {
    const d = sizes(c, step);
    const { dW, db } = denseBackwardParams(d, step.batch, x, dy);
    return { dx: [denseBackwardInput(d, step.batch, dy, step.params.W)], grads: { W: dW, ...(db && { b: db }) } };
  },
};

const sizes = (c: DenseConfig, step: { inputShapes: readonly (readonly number[])[] }): DenseShape => ({
  inFeatures: elementCount(step.inputShapes[0]),
  units: c.units.value,
  bias: c.bias,
});
