/**
 * add NAME NAME… and concat NAME NAME…: the layers that join branches. add needs one shape and hands δ to each
 * input unchanged; concat stacks channels (H and W must agree) and hands each input its slice of δ.
 */
import { addBackward, addForward, concatBackward, concatForward } from '../kernels';
import { elementCount, formatShape, sameShape } from '../shape';
import type { Value } from '../syntax';
import type { Diagnostic } from '../text';
import { type ConfigureContext, type InferContext, type InputRef, type LayerKind, type Nothing } from './kind';

/** The names listed as inputs; the checker resolves them. */
export interface MergeConfig {
  readonly inputs: readonly Value[];
}

function configure(args: readonly Value[], _o: object, cx: ConfigureContext): MergeConfig | undefined {
  const bad = args.find((a) => a.kind !== 'word');
  if (bad) {
    cx.report({ severity: 'error', code: 'syntax', message: `${cx.node.kind.text} takes layer names, not '${bad.text}'`, range: bad.range });
    return undefined;
  }
  if (args.length < 2) {
    cx.report({ severity: 'error', code: 'syntax', message: `${cx.layer}: ${cx.node.kind.text} needs at least two layer names, as in \`${cx.node.kind.text} a b\``, range: args[0]?.range ?? cx.node.kind.range });
    return undefined;
  }
  return { inputs: args };
}

function mismatch(cx: InferContext, code: Diagnostic['code'], input: InputRef, first: InputRef, what: string): undefined {
  cx.report({
    severity: 'error',
    code,
    message: `${cx.layer}: ${input.name} is ${formatShape(input.shape)} but ${first.name} is ${formatShape(first.shape)}; ${what}`,
    range: input.range,
    related: [{ range: first.range, message: `${first.name} is ${formatShape(first.shape)}` }],
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
      if (input.shape[0] !== first.shape[0]) return mismatch(cx, 'channel-mismatch', input, first, 'add needs the same channels');
      if (!sameShape(input.shape, first.shape)) return mismatch(cx, 'spatial-mismatch', input, first, 'add needs the same H×W');
    }
    return first.channelsFrom ? { output: first.shape, channelsFrom: first.channelsFrom } : { output: first.shape };
  },
  rule(_c, inputs, cx) {
    const shape = formatShape(inputs[0].shape);
    return `${inputs.map((i) => cx.deltaOf(i.name)).join(', ')} ${shape} each = δ(${cx.layer}) ${shape}: a sum hands its δ to every term unchanged`;
  },
  forward: (_c, _step, x) => ({ y: addForward(x) }),
  backward: (_c, _step, x, _f, dy) => ({ dx: addBackward(dy, x.length) }),
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
      if (!sameShape(input.shape.slice(1), first.shape.slice(1))) return mismatch(cx, 'spatial-mismatch', input, first, 'concat needs the same H×W');
    }
    const channels = inputs.reduce((n, i) => n + i.shape[0], 0);
    const output = [channels, ...first.shape.slice(1)];
    return { output, channelsFrom: cx.node.kind.range };
  },
  rule(_c, inputs, cx) {
    let at = 0;
    const slices = inputs.map((i) => `${cx.deltaOf(i.name)} = δ(${cx.layer})[${at}:${(at += i.shape[0])}] ${formatShape(i.shape)}`);
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
};
