/**
 * conv FILTERS KERNEL: 2-D cross-correlation as torch.nn.Conv2d, weights FILTERS × (C/groups) × Kh × Kw.
 *
 * Shape: FILTERS × ⌊(H + Pt + Pb − D(Kh−1) − 1)/S⌋+1 × (same for W).
 * δ: δx[c] = Σ over the filters k of c's group of full_corr(dilate(δy[k], S), rot180(dilate(W[k,c], D))),
 *    zero-filled where no window reached, then cropped by the padding: a full *convolution* with W.
 * dW[k,c] = valid_corr(pad(x[c]), dilate(δy[k], S)) sampled every D; db[k] = Σ δy[k].
 */
import { ExportError, type TfCall, type TorchLayer } from '../export/target';
import { isSame, list, str, unpadded, zeroPadding } from '../export/tfjsCalls';
import { convAxis, type ConvGeometry, dilatedKernel } from '../geometry';
import { conv2dBackwardFilter, conv2dBackwardInput, conv2dForward } from '../kernels';
import type { Shape } from '../shape';
import { dimRange, type Value } from '../syntax';
import { didYouMean, type Pair, readInt, readPair } from '../values';
import {
  boolOption,
  channelsFit,
  emptyOutput,
  forEach,
  intOption,
  kernelText,
  needsMaps,
  optionRange,
  padarrayText,
  pairOption,
  pairText,
  plural,
  strideDeltaText,
  uncoveredText,
  windowLabel,
} from './common';
import { convCropInput, convCropParam } from './convCrop';
import { windowsReach } from './crops';
import {
  expectArgs,
  type KnownLayer,
  type LayerKind,
  type OptionSpec,
  type ParamSpec,
  type RuleContext,
  type StandardRules,
} from './kind';

/** Explicit padding per side, or a rule that depends on the kernel. */
export type ConvPad =
  'same' | 'full' | { readonly top: number; readonly bottom: number; readonly left: number; readonly right: number };

interface Options {
  stride: Pair;
  pad: ConvPad;
  dilation: Pair;
  groups: number;
  bias: boolean;
  in: number;
}

/** Read from the statement. Where a diagnostic needs the text of FILTERS or KERNEL it reads the statement again. */
export interface ConvConfig {
  readonly filters: number;
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly pad: ConvPad;
  readonly dilation: Pair;
  readonly groups: number;
  readonly bias: boolean;
  readonly in?: number;
}

/** The defaults, shared by every layer that does not set them (configurations are never changed). */
const ONE: Pair = { h: 1, w: 1 };
const NO_PAD: ConvPad = { top: 0, bottom: 0, left: 0, right: 0 };

const padOption: OptionSpec<ConvPad> = {
  doc: 'pad: zero padding: N, HxW, TOPxBOTTOMxLEFTxRIGHT, valid (0), same (keeps H×W at stride 1) or full (D·(K−1))',
  default: '0',
  values: ['same', 'full', 'valid'],
  read(v: Value, report) {
    if (v.kind === 'word' && (v.text === 'same' || v.text === 'full')) return v.text;
    if (v.kind === 'word' && v.text === 'valid') return { top: 0, bottom: 0, left: 0, right: 0 };
    if (v.kind === 'shape' && v.dims.length === 4) {
      const sides = v.dims.map((d, i) =>
        readPair({ kind: 'number', text: `${d}`, range: dimRange(v, i), dims: [d] }, 'pad', 0, report),
      );
      if (sides.some((s) => !s)) return undefined;
      const [top, bottom, left, right] = sides.map((s) => s!.h);
      return { top, bottom, left, right };
    }
    if (v.kind === 'word' || v.kind === 'string' || (v.kind === 'shape' && v.dims.length !== 2)) {
      const suggestion = v.kind === 'word' ? didYouMean(v.text, ['same', 'full', 'valid']) : undefined;
      report({
        severity: 'error',
        code: 'bad-value',
        message: `pad must be N, HxW, TOPxBOTTOMxLEFTxRIGHT, valid, same or full, not '${v.text}'${suggestion ? `; did you mean '${suggestion}'?` : ''}`,
        range: v.range,
      });
      return undefined;
    }
    const p = readPair(v, 'pad', 0, report);
    return p && { top: p.h, bottom: p.h, left: p.w, right: p.w };
  },
};

export const conv: LayerKind<Options, ConvConfig, ConvGeometry, undefined> = {
  kind: 'conv',
  summary: '2-D convolution (cross-correlation, as torch.nn.Conv2d) with FILTERS kernels of size KERNEL',
  usage: 'conv FILTERS KERNEL',
  paramAxes: { W: ['filter', 'channel', 'kernel row', 'kernel column'], b: ['filter'] },
  options: {
    stride: pairOption('stride: step between windows, N or HxW', '1', 1),
    pad: padOption,
    dilation: pairOption('dilation: spacing between kernel taps, N or HxW', '1', 1),
    groups: intOption('groups: split channels into groups that do not mix', '1', 1),
    bias: boolOption('bias: add a learned bias per filter', 'true'),
    in: intOption('in: the input channels you expect; checked against what arrives', 'what arrives', 1),
  },

  configure(args, o, cx) {
    if (!expectArgs(args, ['FILTERS', 'KERNEL'], cx)) return undefined;
    const filters = readInt(args[0], 'the number of filters', 1, cx.report);
    const k = readPair(args[1], 'the kernel', 1, cx.report);
    if (filters === undefined || !k) return undefined;
    const dilation = o.dilation ?? ONE;
    const pad = o.pad ?? NO_PAD;
    if (
      pad === 'same' &&
      (dilatedKernel({ kernel: k.h, dilation: dilation.h }) % 2 === 0 ||
        dilatedKernel({ kernel: k.w, dilation: dilation.w }) % 2 === 0)
    ) {
      cx.report({
        severity: 'error',
        code: 'bad-value',
        message: `${cx.layer}: pad=same needs an odd (dilated) kernel to pad both sides equally; the kernel is ${kernelText(k.h, k.w, dilation.h, dilation.w)}`,
        range: optionRange(cx, 'pad')!,
      });
      return undefined;
    }
    return {
      filters,
      kernel: k,
      stride: o.stride ?? ONE,
      pad,
      dilation,
      groups: o.groups ?? 1,
      bias: o.bias ?? true,
      in: o.in,
    };
  },

  infer(c, [input], cx) {
    if (!needsMaps(input, cx)) return undefined;
    const [C, H, W] = input.shape;
    const F = c.filters;
    if (!channelsFit(c, input, cx)) return undefined;
    const { kernel: k, stride: s, dilation: d } = c;
    const { h, w } = convGeometry(c, input.shape);
    if (h.out < 1 || w.out < 1) {
      const pad = padding(c);
      const padded = [H + pad.top + pad.bottom, W + pad.left + pad.right];
      cx.report(emptyOutput(cx, cx.node.args[1].range, `the ${kernelText(k.h, k.w, d.h, d.w)} kernel`, input, padded));
      return undefined;
    }
    const missed = uncoveredText(h, w);
    if (missed) {
      cx.report({
        severity: 'warning',
        code: 'conv-remainder',
        message: `${cx.layer}: with stride ${pairText(s)} no ${kernelText(k.h, k.w, d.h, d.w)} window reads ${missed} of ${input.name}'s ${H}×${W}; they get no gradient through this layer`,
        range: optionRange(cx, 'stride') ?? optionRange(cx, 'dilation') ?? cx.node.args[1].range,
      });
    }
    return {
      output: [F, h.out, w.out],
      macs: F * h.out * w.out * (C / c.groups) * k.h * k.w,
      channelsFrom: cx.node.args[0].range,
    };
  },

  params(c, [input]) {
    const F = c.filters;
    const weights: ParamSpec = { name: 'W', shape: [F, input.shape[0] / c.groups, c.kernel.h, c.kernel.w] };
    return c.bias ? [weights, { name: 'b', shape: [F] }] : [weights];
  },
  geometry: (c, [input]) => convGeometry(c, input.shape),
  windows: (g) => g,
  rule: (c, [input], cx) => deltaRule(convGeometry(c, input.shape), input.name, cx),
  paramRules: (c, [input], cx) => paramRules(convGeometry(c, input.shape), cx.layer),
  standardRules: (c, [input], output) => standardRules(convGeometry(c, input.shape), input.shape, output),

  forward: (_c, step, [x]) => ({
    y: conv2dForward(step.geometry, step.batch, x, step.params.W, step.params.b ?? null),
  }),

  backward(_c, step, [x], _f, dy) {
    const g = step.geometry;
    const { dW, db } = conv2dBackwardFilter(g, step.batch, x, dy);
    return { dx: [conv2dBackwardInput(g, step.batch, dy, step.params.W)], grads: { W: dW, ...(db && { b: db }) } };
  },

  reaches: windowsReach,
  cropInput: (step, _x, _slot, i) => convCropInput(step, i),
  cropParam: convCropParam,
  affineIn: () => true,
  cropSize: () => 'window',

  label: (_c, g) => windowLabel(['conv', `${g.outChannels}`], g, ONE, g.groups !== 1 ? [`g${g.groups}`] : []),
  shortRule: ({ geometry: g }) =>
    `${g.outChannels} × full_corr ${strideDeltaText(g)} ⋆ rot180 ${g.h.kernel}×${g.w.kernel}`,
  roughRule: 'full_corr ⋆ rot180 W',
  torch: ({ geometry: g }) => torch(g),
  tfjs: (l) => tfjs(l),
};

const pair = (h: number, w: number) => `(${h}, ${w})`;

function torch(g: ConvGeometry): TorchLayer {
  const args = [`${g.inChannels}`, `${g.outChannels}`, `kernel_size=${pair(g.h.kernel, g.w.kernel)}`];
  if (g.h.stride !== 1 || g.w.stride !== 1) args.push(`stride=${pair(g.h.stride, g.w.stride)}`);
  const symmetric = g.h.padBefore === g.h.padAfter && g.w.padBefore === g.w.padAfter;
  if (symmetric && (g.h.padBefore || g.w.padBefore)) args.push(`padding=${pair(g.h.padBefore, g.w.padBefore)}`);
  if (g.h.dilation !== 1 || g.w.dilation !== 1) args.push(`dilation=${pair(g.h.dilation, g.w.dilation)}`);
  if (g.groups !== 1) args.push(`groups=${g.groups}`);
  if (!g.bias) args.push('bias=False');
  if (symmetric) return { module: `nn.Conv2d(${args.join(', ')})` };
  // nn.Conv2d pads both sides alike; F.pad takes (left, right, top, bottom).
  const pads = [g.w.padBefore, g.w.padAfter, g.h.padBefore, g.h.padAfter].join(', ');
  return {
    module: `nn.Conv2d(${args.join(', ')})`,
    call: (m, [x]) => `${m}(F.pad(${x}, (${pads})))`,
    comment: 'padded unevenly: F.pad(left, right, top, bottom) first',
  };
}

/** TensorFlow's 'same' only where it pads exactly as the layer does; an explicit zeroPadding2d otherwise. */
function tfjsPadding(name: string, g: ConvGeometry): { pad?: TfCall; padding: string } {
  if (unpadded(g.h) && unpadded(g.w)) return { padding: str('valid') };
  if (isSame(g.h) && isSame(g.w)) return { padding: str('same') };
  return {
    padding: str('valid'),
    pad: {
      fn: 'zeroPadding2d',
      suffix: '_pad',
      config: { padding: zeroPadding(g.h, g.w) },
      comment: `${name}'s padding ([[top, bottom], [left, right]]): TensorFlow's 'same' would pad differently here`,
    },
  };
}

function tfjs({ name, geometry: g }: KnownLayer<ConvConfig, ConvGeometry>): TfCall[] {
  const dilated = g.h.dilation !== 1 || g.w.dilation !== 1;
  if (dilated && (g.h.stride !== 1 || g.w.stride !== 1)) {
    throw new ExportError(`${name}: tfjs convolutions take a dilation or a stride above 1, not both`, name);
  }
  const { pad, padding } = tfjsPadding(name, g);
  const common: Record<string, string> = {
    kernelSize: list([g.h.kernel, g.w.kernel]),
    ...((g.h.stride !== 1 || g.w.stride !== 1) && { strides: list([g.h.stride, g.w.stride]) }),
    padding,
    ...(dilated && { dilationRate: list([g.h.dilation, g.w.dilation]) }),
    ...(!g.bias && { useBias: 'false' }),
  };
  let call: TfCall;
  if (g.groups === 1) {
    call = {
      fn: 'conv2d',
      config: { filters: `${g.outChannels}`, ...common },
      comment: 'kernel Kh×Kw×C×F (PyTorch: F×C×Kh×Kw)',
    };
  } else if (g.groups === g.inChannels) {
    // groups = channels is a depthwise convolution: each channel with its own outChannels/inChannels filters.
    call = {
      fn: 'depthwiseConv2d',
      config: { depthMultiplier: `${g.outChannels / g.inChannels}`, ...common },
      comment: `groups=${g.groups}: depthwise; kernel Kh×Kw×C×M (PyTorch: C·M×1×Kh×Kw)`,
    };
  } else {
    throw new ExportError(
      `${name}: tfjs has no grouped convolution (groups=${g.groups} of ${g.inChannels} channels); only groups=1 or groups=channels (depthwise)`,
      name,
    );
  }
  return pad ? [pad, call] : [call];
}

/** The windows over a C×H×W input. */
function convGeometry(c: ConvConfig, [C, H, W]: readonly number[]): ConvGeometry {
  const { kernel: k, stride: s, dilation: d } = c;
  const pad = padding(c);
  return {
    h: convAxis(H, k.h, s.h, d.h, pad.top, pad.bottom),
    w: convAxis(W, k.w, s.w, d.w, pad.left, pad.right),
    inChannels: C,
    outChannels: c.filters,
    groups: c.groups,
    bias: c.bias,
  };
}

/** The explicit padding of each side that `same`, `full` and numbers stand for. */
export function padding(c: Pick<ConvConfig, 'pad' | 'kernel' | 'dilation'>) {
  const k = c.kernel;
  const fullH = c.dilation.h * (k.h - 1);
  const fullW = c.dilation.w * (k.w - 1);
  if (c.pad === 'full') return { top: fullH, bottom: fullH, left: fullW, right: fullW };
  if (c.pad === 'same') return { top: fullH / 2, bottom: fullH / 2, left: fullW / 2, right: fullW / 2 };
  return c.pad;
}

function deltaRule(g: ConvGeometry, input: string, cx: RuleContext): string {
  const { h, w } = g;
  const sh = h.stride;
  const sw = w.stride;
  const dyH = (h.out - 1) * sh + 1;
  const dyW = (w.out - 1) * sw + 1;
  const dy = `δ(${cx.layer})[k] ${h.out}×${w.out}`;
  const dyText = sh === 1 && sw === 1 ? dy : `dilate(${dy}, ${sh === sw ? sh : `${sh}×${sw}`}) ${dyH}×${dyW}`;
  const kh = dilatedKernel(h);
  const kw = dilatedKernel(w);
  const kText =
    h.dilation === 1 && w.dilation === 1
      ? `rot180(W[k,c] ${h.kernel}×${w.kernel})`
      : `rot180(dilate(W[k,c] ${h.kernel}×${w.kernel}, ${h.dilation === w.dilation ? h.dilation : `${h.dilation}×${w.dilation}`}) ${kh}×${kw})`;
  const fullH = dyH + kh - 1;
  const fullW = dyW + kw - 1;
  const perGroup = g.outChannels / g.groups;
  const sum =
    g.groups === 1
      ? `Σ over the ${plural(g.outChannels, 'filter')} k`
      : `Σ over the ${plural(perGroup, 'filter')} k of c's group (groups=${g.groups})`;
  let text = `${cx.deltaOf(input)} ${g.inChannels}×${h.size}×${w.size}: ${forEach(g.inChannels, 'channel', 'c')}, ${sum} of full_corr(${dyText}, ${kText}) = ${fullH}×${fullW} (${dyH}+${kh}−1)`;
  const paddedH = h.size + h.padBefore + h.padAfter;
  const paddedW = w.size + w.padBefore + w.padAfter;
  const padded = paddedH !== h.size || paddedW !== w.size;
  if (fullH < paddedH || fullW < paddedW)
    text += `, zero-filled to ${padded ? 'the padded ' : ''}${paddedH}×${paddedW} (no window reaches the rest)`;
  if (padded) text += `, cropped by the padding to ${h.size}×${w.size}`;
  return text;
}

function paramRules(g: ConvGeometry, layer: string): string[] {
  const { h, w } = g;
  const paddedH = h.size + h.padBefore + h.padAfter;
  const paddedW = w.size + w.padBefore + w.padAfter;
  const x = paddedH === h.size && paddedW === w.size ? `x[c] ${h.size}×${w.size}` : `pad(x[c]) ${paddedH}×${paddedW}`;
  const dy = `δ(${layer})[k] ${h.out}×${w.out}`;
  const stride =
    h.stride === 1 && w.stride === 1
      ? dy
      : `dilate(${dy}, ${h.stride === w.stride ? h.stride : `${h.stride}×${w.stride}`})`;
  const taps =
    h.dilation === 1 && w.dilation === 1
      ? ''
      : `, read every ${h.dilation === w.dilation ? h.dilation : `${h.dilation}×${w.dilation}`} (the dilation)`;
  const rules = [
    `dW ${g.outChannels}×${g.inChannels / g.groups}×${h.kernel}×${w.kernel}: dW[k,c] = Σ over the batch of valid_corr(${x}, ${stride})${taps} = ${h.kernel}×${w.kernel}`,
  ];
  if (g.bias)
    rules.push(`db ${g.outChannels}: db[k] = Σ over the batch and the ${h.out}×${w.out} positions of δ(${layer})[k]`);
  return rules;
}

/**
 * The rules the rule language can write: one group, stride and dilation equal along both axes, padding within the
 * kernel's reach (for δx) and no dilation (for dW).
 */
function standardRules(g: ConvGeometry, x: Shape, y: Shape): StandardRules {
  const { h, w } = g;
  if (g.groups !== 1 || h.stride !== w.stride || h.dilation !== w.dilation) return {};
  const s = h.stride,
    d = h.dilation,
    kh = dilatedKernel(h),
    kw = dilatedKernel(w);
  // Rows and columns of the padded input no window reaches (the stride's remainder), at the bottom and right.
  const rh = x[1] + h.padBefore + h.padAfter - kh - (y[1] - 1) * s,
    rw = x[2] + w.padBefore + w.padAfter - kw - (y[2] - 1) * s;
  const wk = d > 1 ? `dilate(W[k,c], ${d})` : 'W[k,c]',
    dyk = s > 1 ? `dilate(dy[k], ${s})` : 'dy[k]';
  const rules: Record<string, string> = {};
  // δx: the full convolution of δy (dilated by the stride) with W, cropped to the input by padding δy less.
  const pre = [kh - 1 - h.padBefore, kw - 1 - w.padBefore],
    post = [kh - 1 - h.padAfter + rh, kw - 1 - w.padAfter + rw];
  if ([...pre, ...post].every((v) => v >= 0)) {
    const full = pre[0] === kh - 1 && pre[1] === kw - 1 && post[0] === kh - 1 && post[1] === kw - 1;
    rules.dx = full
      ? `dx[c] = sum(k, conv2(${dyk}, ${wk}, 'full'))`
      : `dx[c] = sum(k, conv2(${padarrayText(dyk, pre, post)}, ${wk}, 'valid'))`;
  }
  // dW: the valid correlation of the padded input with δy (dilated by the stride), less what no window reaches.
  if (d === 1 && h.padAfter >= rh && w.padAfter >= rw) {
    rules.dW = `dW[k,c] = xcorr2(${padarrayText('x[c]', [h.padBefore, w.padBefore], [h.padAfter - rh, w.padAfter - rw])}, ${dyk}, 'valid')`;
  }
  if (g.bias) rules.db = `db[k] = ones(1, ${y[1]}) * dy[k] * ones(${y[2]}, 1)`;
  return rules;
}
