/**
 * add NAME NAME… and concat NAME NAME…: the layers that join branches. add needs one shape and hands δ to each
 * input unchanged; concat stacks channels (H and W must agree) and hands each input its slice of δ.
 */
import { addBackward, addForward, concatBackward, concatForward } from '../kernels';
import { elementCount, formatShape, sameShape } from '../shape';
import type { Value } from '../syntax';
import type { Diagnostic } from '../text';
import { sizeFixes } from './sizeFixes';
import { elementCrop } from './crops';
import {
  type ConfigureContext,
  type Crop,
  type InferContext,
  type InputRef,
  type LayerKind,
  type Nothing,
  type Step,
} from './kind';

/** The names listed as inputs; the checker resolves them. */
export interface MergeConfig {
  readonly inputs: readonly Value[];
}

function configure(args: readonly Value[], _o: object, cx: ConfigureContext): MergeConfig | undefined {
  const bad = args.find((a) => a.kind !== 'word');
  if (bad) {
    cx.report({
      severity: 'error',
      code: 'syntax',
      message: `${cx.node.kind.text} takes layer names, not '${bad.text}'`,
      range: bad.range,
    });
    return undefined;
  }
  if (args.length < 2) {
    cx.report({
      severity: 'error',
      code: 'syntax',
      message: `${cx.layer}: ${cx.node.kind.text} needs at least two layer names, as in \`${cx.node.kind.text} a b\``,
      range: args[0]?.range ?? cx.node.kind.range,
    });
    return undefined;
  }
  return { inputs: args };
}

function mismatch(
  cx: InferContext,
  code: Diagnostic['code'],
  input: InputRef,
  first: InputRef,
  what: string,
): undefined {
  const fixes = code === 'spatial-mismatch' ? sizeFixes(input, first, cx.node) : [];
  cx.report({
    severity: 'error',
    code,
    message: `${cx.layer}: ${input.name} is ${formatShape(input.shape)} but ${first.name} is ${formatShape(first.shape)}; ${what}`,
    range: input.range,
    related: [{ range: first.range, message: `${first.name} is ${formatShape(first.shape)}` }],
    ...(fixes.length && { fixes }),
  });
  return undefined;
}

function needsSameRank(inputs: readonly InputRef[], cx: InferContext): boolean {
  const odd = inputs.find((i) => i.shape.length !== inputs[0].shape.length);
  if (odd) mismatch(cx, 'rank-mismatch', odd, inputs[0], 'a vector and a C×H×W map cannot be joined');
  return !odd;
}

export const add: LayerKind<Nothing, MergeConfig> = {
  kind: 'add',
  summary: 'elementwise sum of two or more layers of one shape (a residual connection)',
  usage: 'add NAME NAME…',
  namedInputs: true,
  options: {},
  configure,
  infer(_c, inputs, cx) {
    if (!needsSameRank(inputs, cx)) return undefined;
    const [first] = inputs;
    for (const input of inputs.slice(1)) {
      if (input.shape[0] !== first.shape[0])
        return mismatch(cx, 'channel-mismatch', input, first, 'add needs the same channels');
      if (!sameShape(input.shape, first.shape))
        return mismatch(cx, 'spatial-mismatch', input, first, 'add needs the same H×W');
    }
    return first.channelsFrom ? { output: first.shape, channelsFrom: first.channelsFrom } : { output: first.shape };
  },
  rule(_c, inputs, cx) {
    const shape = formatShape(inputs[0].shape);
    return `${inputs.map((i) => cx.deltaOf(i.name)).join(', ')} ${shape} each = δ(${cx.layer}) ${shape}: a sum hands its δ to every term unchanged`;
  },
  forward: (_c, _step, x) => ({ y: addForward(x) }),
  backward: (_c, _step, x, _f, dy) => ({ dx: addBackward(dy, x.length) }),
  affineIn: () => true,
  cropInput: elementCrop,
  cropSize: () => 'element',
  label: () => 'add',
  roughRule: 'copy',
  torch: () => ({ module: 'Add()', call: (m, xs) => `${m}(${xs.join(', ')})`, helpers: [ADD] }),
  tfjs: () => [{ fn: 'add', config: {} }],
};

/** Channels per input and the size of one channel (H·W, or 1 for vectors). */
const split = (step: { inputShapes: readonly (readonly number[])[] }) => ({
  channels: step.inputShapes.map((s) => s[0]),
  spatial: elementCount(step.inputShapes[0].slice(1)),
});

export const concat: LayerKind<Nothing, MergeConfig> = {
  kind: 'concat',
  summary: 'stacks two or more layers along the channels; H and W must agree',
  usage: 'concat NAME NAME…',
  namedInputs: true,
  options: {},
  configure,
  infer(_c, inputs, cx) {
    if (!needsSameRank(inputs, cx)) return undefined;
    const [first] = inputs;
    for (const input of inputs.slice(1)) {
      if (!sameShape(input.shape.slice(1), first.shape.slice(1)))
        return mismatch(cx, 'spatial-mismatch', input, first, 'concat needs the same H×W');
    }
    const channels = inputs.reduce((n, i) => n + i.shape[0], 0);
    const output = [channels, ...first.shape.slice(1)];
    return { output, channelsFrom: cx.node.kind.range };
  },
  rule(_c, inputs, cx) {
    let at = 0;
    const slices = inputs.map(
      (i) => `${cx.deltaOf(i.name)} = δ(${cx.layer})[${at}:${(at += i.shape[0])}] ${formatShape(i.shape)}`,
    );
    return `${slices.join('; ')}: each input gets its own channels of δ`;
  },
  forward(_c, step, x) {
    const { channels, spatial } = split(step);
    return { y: concatForward(step.batch, channels, spatial, x) };
  },
  backward(_c, step, _x, _f, dy) {
    const { channels, spatial } = split(step);
    return { dx: concatBackward(step.batch, channels, spatial, dy) };
  },
  affineIn: () => true,
  cropInput: concatCrop,
  cropSize: () => 'element',
  label: () => 'concat',
  shortRule({ inputs }, j) {
    const from = inputs.slice(0, j).reduce((n, s) => n + s[0], 0);
    return `slice [${from}:${from + inputs[j][0]}]`;
  },
  roughRule: 'slice',
  torch: () => ({ module: 'Concat()', call: (m, xs) => `${m}(${xs.join(', ')})`, helpers: [CONCAT] }),
  tfjs: () => [{ fn: 'concatenate', config: { axis: '-1' }, comment: 'channels are the last axis' }],
};

/** Concat: an element lands at one place of the output; a concat of that element alone moves it there. */
function concatCrop(step: Step, x: readonly Float64Array[], slot: number, i: number): Crop {
  const { channels, spatial } = split(step);
  const total = channels.reduce((a, b) => a + b, 0);
  const offset = channels.slice(0, slot).reduce((a, b) => a + b, 0);
  const c = Math.floor(i / spatial) % channels[slot];
  const n = Math.floor(i / (spatial * channels[slot]));
  const o = (n * total + offset + c) * spatial + (i % spatial);
  return {
    step: { ...step, batch: 1, inputShapes: [[1]], output: [1] },
    x: [Float64Array.of(x[slot][i])],
    where: 0,
    at: 0,
    out: Int32Array.of(o),
  };
}

/* The Python helper classes of the PyTorch export: nn has no module that adds or concatenates its inputs. */

const ADD = `class Add(nn.Module):
    """The elementwise sum of its inputs (\`add\` in the .cnn network)."""

    def forward(self, *xs):
        y = xs[0]
        for x in xs[1:]:
            y = y + x
        return y`;

const CONCAT = `class Concat(nn.Module):
    """Its inputs joined along the channels, dim 1 (\`concat\` in the .cnn network)."""

    def forward(self, *xs):
        return torch.cat(xs, dim=1)`;
