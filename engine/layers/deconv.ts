/**
 * deconv FILTERS KERNEL: transposed convolution as torch.nn.ConvTranspose2d, weights C × (FILTERS/groups) × Kh × Kw.
 *
 * Shape: FILTERS × (H−1)·S − 2P + D(Kh−1) + out_pad + 1 × (same for W); out_pad < stride or < dilation.
 * It is the adjoint of the conv with the same stride, padding and dilation, from FILTERS×Ho×Wo to C×H×W, so
 * δx[c] = Σ over the filters k of c's group of the strided correlation of pad(δy[k]) with dilate(W[c,k], D): that
 * conv's forward pass; dW[c,k] = valid_corr(pad(δy[k]), dilate(x[c], S)) read every D; db[k] = Σ δy[k].
 */
import {
  deconv2dBackwardFilter,
  deconv2dBackwardInput,
  deconv2dForward,
  type DeconvGeometry,
  deconvOut,
} from '../kernels';
import { formatShape } from '../shape';
import { type Pair, readInt, readPair } from '../values';
import {
  boolOption,
  channelsFit,
  forEach,
  intOption,
  needsMaps,
  optionRange,
  padarrayText,
  pairOption,
  pairText,
  plural,
} from './common';
import {
  expectArgs,
  type KnownLayer,
  type LayerKind,
  type ParamSpec,
  type RuleContext,
  type StandardRules,
} from './kind';
import { ExportError } from '../export/target';

interface Options {
  stride: Pair;
  pad: Pair;
  out_pad: Pair;
  dilation: Pair;
  groups: number;
  bias: boolean;
  in: number;
}

export interface DeconvConfig {
  readonly filters: number;
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly pad: Pair;
  readonly outPad: Pair;
  readonly dilation: Pair;
  readonly groups: number;
  readonly bias: boolean;
  readonly in?: number;
}

const ONE: Pair = { h: 1, w: 1 };
const ZERO: Pair = { h: 0, w: 0 };

export const deconv: LayerKind<Options, DeconvConfig, DeconvGeometry, undefined> = {
  kind: 'deconv',
  summary:
    'transposed convolution (torch.nn.ConvTranspose2d) with FILTERS kernels of size KERNEL: upsamples by the stride',
  usage: 'deconv FILTERS KERNEL',
  paramAxes: { W: ['channel', 'filter', 'kernel row', 'kernel column'], b: ['filter'] },
  options: {
    stride: pairOption('stride: step between the input positions in the output, N or HxW', '1', 1),
    pad: pairOption('pad: rows and columns removed from each side of the output, N or HxW', '0', 0),
    out_pad: pairOption(
      'out_pad: rows and columns added at the bottom and right, N or HxW, less than the stride or the dilation',
      '0',
      0,
    ),
    dilation: pairOption('dilation: spacing between kernel taps, N or HxW', '1', 1),
    groups: intOption('groups: split channels into groups that do not mix', '1', 1),
    bias: boolOption('bias: add a learned bias per filter', 'true'),
    in: intOption('in: the input channels you expect; checked against what arrives', 'what arrives', 1),
  },

  configure(args, o, cx) {
    if (!expectArgs(args, ['FILTERS', 'KERNEL'], cx)) return undefined;
    const filters = readInt(args[0], 'the number of filters', 1, cx.report);
    const kernel = readPair(args[1], 'the kernel', 1, cx.report);
    if (filters === undefined || !kernel) return undefined;
    const stride = o.stride ?? ONE,
      dilation = o.dilation ?? ONE,
      outPad = o.out_pad ?? ZERO;
    // PyTorch's condition: each out_pad is below its axis's stride or its dilation.
    if ((outPad.h >= stride.h && outPad.h >= dilation.h) || (outPad.w >= stride.w && outPad.w >= dilation.w)) {
      cx.report({
        severity: 'error',
        code: 'bad-value',
        message: `${cx.layer}: out_pad=${pairText(outPad)} must be less than the stride (${pairText(stride)}) or the dilation (${pairText(dilation)}), as PyTorch requires`,
        range: optionRange(cx, 'out_pad')!,
      });
      return undefined;
    }
    return {
      filters,
      kernel,
      stride,
      pad: o.pad ?? ZERO,
      outPad,
      dilation,
      groups: o.groups ?? 1,
      bias: o.bias ?? true,
      in: o.in,
    };
  },

  infer(c, [input], cx) {
    if (!needsMaps(input, cx)) return undefined;
    const [C, H, W] = input.shape;
    if (!channelsFit(c, input, cx)) return undefined;
    const g = deconvGeometry(c, input.shape);
    const oh = deconvOut(g.h),
      ow = deconvOut(g.w);
    if (oh < 1 || ow < 1) {
      // The output before the padding is cut off is what the padding must fit in.
      const uncut = [oh + 2 * c.pad.h, ow + 2 * c.pad.w];
      cx.report({
        severity: 'error',
        code: 'empty-output',
        message: `${cx.layer}: pad=${pairText(c.pad)} removes ${2 * c.pad.h}×${2 * c.pad.w} from an output of ${formatShape(uncut)} (${input.name} gives ${formatShape(input.shape)}); the output would be empty`,
        range: optionRange(cx, 'pad') ?? cx.node.args[1].range,
      });
      return undefined;
    }
    return {
      output: [c.filters, oh, ow],
      macs: C * H * W * (c.filters / c.groups) * c.kernel.h * c.kernel.w,
      channelsFrom: cx.node.args[0].range,
    };
  },

  params(c, [input]) {
    const weights: ParamSpec = { name: 'W', shape: [input.shape[0], c.filters / c.groups, c.kernel.h, c.kernel.w] };
    return c.bias ? [weights, { name: 'b', shape: [c.filters] }] : [weights];
  },
  geometry: (c, [input]) => deconvGeometry(c, input.shape),
  rule: (c, [input], cx) => deltaRule(deconvGeometry(c, input.shape), input.name, cx),
  paramRules: (c, [input], cx) => paramRules(deconvGeometry(c, input.shape), cx.layer),
  standardRules: (c, [input]) => standardRules(deconvGeometry(c, input.shape)),

  forward: (_c, step, [x]) => ({
    y: deconv2dForward(step.geometry, step.batch, x, step.params.W, step.params.b ?? null),
  }),
  backward(_c, step, [x], _f, dy) {
    const g = step.geometry;
    const { dW, db } = deconv2dBackwardFilter(g, step.batch, x, dy);
    return { dx: [deconv2dBackwardInput(g, step.batch, dy, step.params.W)], grads: { W: dW, ...(db && { b: db }) } };
  },

  label(c) {
    const parts = ['deconv', `${c.filters}`, `${c.kernel.h}×${c.kernel.w}`];
    const pair = (p: Pair) => (p.h === p.w ? `${p.h}` : `${p.h}×${p.w}`);
    if (c.stride.h !== 1 || c.stride.w !== 1) parts.push(`s${pair(c.stride)}`);
    if (c.pad.h || c.pad.w) parts.push(`p${pair(c.pad)}`);
    if (c.outPad.h || c.outPad.w) parts.push(`op${pair(c.outPad)}`);
    if (c.dilation.h !== 1 || c.dilation.w !== 1) parts.push(`d${pair(c.dilation)}`);
    if (c.groups !== 1) parts.push(`g${c.groups}`);
    return parts.join(' ');
  },
  shortRule: (l) =>
    `${l.geometry.outChannels} × corr pad(δ) ⋆ W ${l.geometry.h.kernel}×${l.geometry.w.kernel}${l.geometry.h.stride !== 1 || l.geometry.w.stride !== 1 ? ` every ${l.geometry.h.stride === l.geometry.w.stride ? l.geometry.h.stride : `${l.geometry.h.stride}×${l.geometry.w.stride}`}` : ''}`,
  torch(l) {
    const g = l.geometry,
      t = (h: number, w: number) => `(${h}, ${w})`;
    const args = [`${g.inChannels}`, `${g.outChannels}`, `kernel_size=${t(g.h.kernel, g.w.kernel)}`];
    if (g.h.stride !== 1 || g.w.stride !== 1) args.push(`stride=${t(g.h.stride, g.w.stride)}`);
    if (g.h.pad || g.w.pad) args.push(`padding=${t(g.h.pad, g.w.pad)}`);
    if (g.h.outPad || g.w.outPad) args.push(`output_padding=${t(g.h.outPad, g.w.outPad)}`);
    if (g.groups !== 1) args.push(`groups=${g.groups}`);
    if (!g.bias) args.push('bias=False');
    if (g.h.dilation !== 1 || g.w.dilation !== 1) args.push(`dilation=${t(g.h.dilation, g.w.dilation)}`);
    return { module: `nn.ConvTranspose2d(${args.join(', ')})` };
  },
  tfjs: deconvTfjs,
};

/** The deconv's geometry for a C×H×W input. */
function deconvGeometry(c: DeconvConfig, [C, H, W]: readonly number[]): DeconvGeometry {
  const axis = (size: number, k: keyof Pair) => ({
    size,
    kernel: c.kernel[k],
    stride: c.stride[k],
    pad: c.pad[k],
    outPad: c.outPad[k],
    dilation: c.dilation[k],
  });
  return { h: axis(H, 'h'), w: axis(W, 'w'), inChannels: C, outChannels: c.filters, groups: c.groups, bias: c.bias };
}

/**
 * tfjs's conv2dTranspose crops the full output (H−1)·S + K as TensorFlow's forward conv would pad an H·S input:
 * 'valid' crops nothing (PyTorch's pad 0, out_pad 0); 'same' gives H·S, cropping ⌊(K−S)/2⌋ at the top and the
 * rest at the bottom, which PyTorch's one symmetric pad matches only where K − S is even (pad (K−S)/2, out_pad 0)
 * or K < S (pad 0, out_pad S − K). Groups and dilation it cannot write.
 */
function deconvTfjs(l: KnownLayer<DeconvConfig, DeconvGeometry>) {
  const g = l.geometry;
  const refuse = (why: string) => {
    throw new ExportError(`${l.name}: tfjs's conv2dTranspose ${why}`, l.name);
  };
  if (g.groups !== 1) refuse(`has no groups (groups=${g.groups})`);
  if (g.h.dilation !== 1 || g.w.dilation !== 1) refuse('is not written here with a dilation');
  const valid = (a: DeconvGeometry['h']) => a.pad === 0 && a.outPad === 0;
  const same = (a: DeconvGeometry['h']) =>
    a.kernel >= a.stride
      ? (a.kernel - a.stride) % 2 === 0 && a.pad === (a.kernel - a.stride) / 2 && a.outPad === 0
      : a.pad === 0 && a.outPad === a.stride - a.kernel;
  const padding = valid(g.h) && valid(g.w) ? 'valid' : same(g.h) && same(g.w) ? 'same' : undefined;
  if (!padding) {
    refuse(
      `crops its output as TensorFlow's 'valid' or 'same' does, neither of which is pad=${g.h.pad}×${g.w.pad} with out_pad=${g.h.outPad}×${g.w.outPad} here`,
    );
  }
  return [
    {
      fn: 'conv2dTranspose',
      config: {
        filters: `${g.outChannels}`,
        kernelSize: `[${g.h.kernel}, ${g.w.kernel}]`,
        ...((g.h.stride !== 1 || g.w.stride !== 1) && { strides: `[${g.h.stride}, ${g.w.stride}]` }),
        padding: `'${padding}'`,
        ...(!g.bias && { useBias: 'false' }),
      },
      comment: 'kernel Kh×Kw×F×C (PyTorch: C×F×Kh×Kw)',
    },
  ];
}

const strideText = (h: number, w: number) => (h === w ? `${h}` : `${h}×${w}`);

function deltaRule(g: DeconvGeometry, input: string, cx: RuleContext): string {
  const { h, w } = g;
  const oh = deconvOut(h),
    ow = deconvOut(w);
  const dy = `δ(${cx.layer})[k] ${oh}×${ow}`;
  const padded = h.pad || w.pad ? `pad(${dy}, ${strideText(h.pad, w.pad)}) ${oh + 2 * h.pad}×${ow + 2 * w.pad}` : dy;
  const kh = h.dilation * (h.kernel - 1) + 1,
    kw = w.dilation * (w.kernel - 1) + 1;
  const k =
    h.dilation === 1 && w.dilation === 1
      ? `W[c,k] ${h.kernel}×${w.kernel}`
      : `dilate(W[c,k] ${h.kernel}×${w.kernel}, ${strideText(h.dilation, w.dilation)}) ${kh}×${kw}`;
  const every = h.stride === 1 && w.stride === 1 ? '' : `, read every ${strideText(h.stride, w.stride)} (the stride)`;
  const perGroup = g.outChannels / g.groups;
  const sum =
    g.groups === 1
      ? `Σ over the ${plural(g.outChannels, 'filter')} k`
      : `Σ over the ${plural(perGroup, 'filter')} k of c's group (groups=${g.groups})`;
  return `${cx.deltaOf(input)} ${g.inChannels}×${h.size}×${w.size}: ${forEach(g.inChannels, 'channel', 'c')}, ${sum} of valid_corr(${padded}, ${k})${every} = ${h.size}×${w.size} (the forward pass of the conv this layer transposes)`;
}

function paramRules(g: DeconvGeometry, layer: string): string[] {
  const { h, w } = g;
  const oh = deconvOut(h),
    ow = deconvOut(w);
  const dy = `δ(${layer})[k] ${oh}×${ow}`;
  const padded = h.pad || w.pad ? `pad(${dy}, ${strideText(h.pad, w.pad)})` : dy;
  const x =
    h.stride === 1 && w.stride === 1
      ? `x[c] ${h.size}×${w.size}`
      : `dilate(x[c] ${h.size}×${w.size}, ${strideText(h.stride, w.stride)})`;
  const taps =
    h.dilation === 1 && w.dilation === 1 ? '' : `, read every ${strideText(h.dilation, w.dilation)} (the dilation)`;
  const rules = [
    `dW ${g.inChannels}×${g.outChannels / g.groups}×${h.kernel}×${w.kernel}: dW[c,k] = Σ over the batch of valid_corr(${padded}, ${x})${taps} = ${h.kernel}×${w.kernel}`,
  ];
  if (g.bias)
    rules.push(`db ${g.outChannels}: db[k] = Σ over the batch and the ${oh}×${ow} positions of δ(${layer})[k]`);
  return rules;
}

/** One group, stride 1 and no dilation: correlations of δy padded by P with W (δx) and with x (dW). */
function standardRules(g: DeconvGeometry): StandardRules {
  const { h, w } = g;
  if (g.groups !== 1 || h.stride !== 1 || w.stride !== 1 || h.dilation !== 1 || w.dilation !== 1) return {};
  const dy = padarrayText('dy[k]', [h.pad, w.pad], [h.pad, w.pad]);
  const rules: Record<string, string> = {
    dx: `dx[c] = sum(k, xcorr2(${dy}, W[c,k], 'valid'))`,
    dW: `dW[c,k] = xcorr2(${dy}, x[c], 'valid')`,
  };
  if (g.bias) rules.db = `db[k] = ones(1, ${deconvOut(h)}) * dy[k] * ones(${deconvOut(w)}, 1)`;
  return rules;
}

/**
 * The out_pad that makes this deconv's output `target` rows × columns, per axis, where one within PyTorch's bound
 * exists: what a U-Net's decoder needs to meet its encoder's size at a concat or add.
 */
export function outPadFor(
  c: DeconvConfig,
  input: readonly number[],
  target: readonly [number, number],
): Pair | undefined {
  const g = deconvGeometry({ ...c, outPad: ZERO }, input);
  const need = [target[0] - deconvOut(g.h), target[1] - deconvOut(g.w)];
  const ok = (p: number, k: keyof Pair) => p >= 0 && (p < c.stride[k] || p < c.dilation[k]);
  return ok(need[0], 'h') && ok(need[1], 'w') ? { h: need[0], w: need[1] } : undefined;
}
