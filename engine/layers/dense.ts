/**
 * dense UNITS: a fully connected layer as torch.nn.Linear, W UNITS × IN. A C×H×W input is flattened in C,H,W
 * order first, as torch.flatten does. δx = Wᵀ δy reshaped to the input's shape; dW = δy xᵀ; db = δy.
 */
import { chw } from '../export/tfjsCalls';
import { denseBackwardInput, denseBackwardParams, denseForward, type DenseShape } from '../kernels';
import { elementCount, formatShape } from '../shape';
import { boolOption, intOption, optionRange, readInt } from './common';
import { expectArgs, type LayerKind, type ParamSpec } from './kind';

interface Options {
  bias: boolean;
  in: number;
}

/** Read from the statement; a diagnostic about UNITS reads its text there. */
export interface DenseConfig {
  readonly units: number;
  readonly bias: boolean;
  readonly in?: number;
}

export const dense: LayerKind<Options, DenseConfig> = {
  kind: 'dense',
  summary: 'fully connected layer (torch.nn.Linear); flattens a C×H×W input in C,H,W order',
  usage: 'dense UNITS',
  paramAxes: { W: ['unit', 'input'], b: ['unit'] },
  options: {
    bias: boolOption('bias: add a learned bias per unit', 'true'),
    in: intOption(
      'in: the input features you expect (C·H·W of a map); checked against what arrives',
      'what arrives',
      1,
    ),
  },

  configure(args, o, cx) {
    if (!expectArgs(args, ['UNITS'], cx)) return undefined;
    const units = readInt(args[0], 'the number of units', 1, cx.report);
    return units === undefined ? undefined : { units, bias: o.bias ?? true, in: o.in };
  },

  infer(c, [input], cx) {
    const n = elementCount(input.shape);
    const U = c.units;
    // The option's range is looked up only when there is something to report at it.
    const inRange = c.in !== undefined && c.in !== n ? optionRange(cx, 'in') : undefined;
    if (inRange) {
      const flat = input.shape.length > 1 ? ` (${formatShape(input.shape)} flattened)` : '';
      cx.report({
        severity: 'error',
        code: 'channel-mismatch',
        message: `${cx.layer}: in=${c.in} but ${input.name} gives ${n} features${flat}`,
        range: inRange,
        ...(input.channelsFrom && {
          related: [
            { range: input.channelsFrom, message: `the ${input.shape[0]} channels of ${input.name} come from here` },
          ],
        }),
        fixes: [{ title: `Set in=${n}`, edits: [{ range: inRange, newText: `${n}` }], preferred: true }],
      });
      return undefined;
    }
    return { output: [U], macs: U * n, channelsFrom: cx.node.args[0].range };
  },

  params(c, [input]) {
    const U = c.units;
    const weights: ParamSpec = { name: 'W', shape: [U, elementCount(input.shape)] };
    return c.bias ? [weights, { name: 'b', shape: [U] }] : [weights];
  },

  standardRules(c, [input]) {
    const x = input.shape,
      flat = x.length === 1,
      n = elementCount(x);
    return {
      dx: flat ? "dx = W' * dy" : `dx = reshape(W' * dy, ${x.join(', ')})`,
      dW: flat ? "dW = dy * x'" : `dW = dy * reshape(x, ${n}, 1)'`,
      ...(c.bias && { db: 'db = dy' }),
    };
  },

  rule(c, [input], cx) {
    const n = elementCount(input.shape);
    const dx = `${cx.deltaOf(input.name)} ${formatShape(input.shape)}`;
    const product = `Wᵀ ${n}×${c.units} · δ(${cx.layer}) ${c.units}`;
    return input.shape.length > 1 ? `${dx} = reshape(${product}, ${formatShape(input.shape)})` : `${dx} = ${product}`;
  },

  paramRules(c, [input], cx) {
    const n = elementCount(input.shape);
    const U = c.units;
    return [
      `dW ${U}×${n} = Σ over the batch of δ(${cx.layer}) ${U} · xᵀ 1×${n}${input.shape.length > 1 ? ` (x = ${input.name} flattened)` : ''}`,
      ...(c.bias ? [`db ${U} = Σ over the batch of δ(${cx.layer})`] : []),
    ];
  },

  forward: (c, step, [x]) => ({ y: denseForward(sizes(c, step), step.batch, x, step.params.W, step.params.b ?? null) }),

  backward(c, step, [x], _f, dy) {
    const d = sizes(c, step);
    const { dW, db } = denseBackwardParams(d, step.batch, x, dy);
    return { dx: [denseBackwardInput(d, step.batch, dy, step.params.W)], grads: { W: dW, ...(db && { b: db }) } };
  },
  // Each output reads the whole sample, so a coordinate runs the whole layer; affine in x, W and b.
  affineIn: () => true,

  label: (c) => `dense ${c.units}`,
  roughRule: 'Wᵀ · δ',
  torch({ config: c, inputs: [x], output }) {
    const module = `nn.Linear(${elementCount(x)}, ${output[0]}${c.bias ? '' : ', bias=False'})`;
    if (x.length === 1) return { module };
    return { module, call: (m, [v]) => `${m}(torch.flatten(${v}, 1))`, comment: 'flattened in C,H,W order' };
  },
  tfjs({ config: c, inputs: [x], output }) {
    const flatten = x.length === 3 ? [...chw(x), { fn: 'flatten', suffix: '_flat', config: {} }] : [];
    return [
      ...flatten,
      {
        fn: 'dense',
        config: { units: `${output[0]}`, ...(!c.bias && { useBias: 'false' }) },
        comment: 'kernel IN×UNITS (PyTorch: UNITS×IN)',
      },
    ];
  },
};

const sizes = (c: DenseConfig, step: { inputShapes: readonly (readonly number[])[] }): DenseShape => ({
  inFeatures: elementCount(step.inputShapes[0]),
  units: c.units,
  bias: c.bias,
});
