/**
 * Each .cnn kind as TensorFlow.js layers, channels-last: the decisions of the tfjs export, apart from the
 * writing (export.ts). A kind maps to one or more `tf.layers.X({...})` calls, exactly equivalent or refused with
 * the reason: TensorFlow's 'same' is used only where its padding is the network's, an explicit zeroPadding2d
 * otherwise; pooling pads only where tfjs pads the same way; never an approximation.
 *
 * A new kind adds its entry to KINDS.
 */
import type { LayerInfo } from '../engine';
import type { Axis, ConvGeometry, PoolGeometry } from '../engine/geometry';
import { configValue, ExportError, inputShape } from '../engine/export/common';

/** One tfjs layer call: `tf.layers.<fn>(<config>)`, applied to the previous call's output (or the inputs). */
export interface TfCall {
  readonly fn: string;
  /** The config object's properties, written as TypeScript (`name` is added by the writer). */
  readonly config: Readonly<Record<string, string>>;
  /** The suffix of this call's layer name after the .cnn layer's (`_pad`); the layer's own call has none. */
  readonly suffix?: string;
  /** Where tfjs and PyTorch conventions differ, said beside the call. */
  readonly comment?: string;
}

const list = (xs: readonly (number | string)[]) => `[${xs.join(', ')}]`;
const str = (s: string) => `'${s}'`;

/** TensorFlow's 'same' along one axis: out = ⌈size/S⌉, the padding split with the extra row after. */
function tfSame(a: Axis): { before: number; after: number; out: number } {
  const out = Math.ceil(a.size / a.stride);
  const total = Math.max((out - 1) * a.stride + a.dilation * (a.kernel - 1) + 1 - a.size, 0);
  const before = Math.floor(total / 2);
  return { before, after: total - before, out };
}

const isSame = (a: Axis) => {
  const s = tfSame(a);
  return s.before === a.padBefore && s.after === a.padAfter && s.out === a.out;
};
const unpadded = (a: Axis) => a.padBefore === 0 && a.padAfter === 0;

function convPadding(l: LayerInfo, g: ConvGeometry): { pad?: TfCall; padding: string } {
  if (unpadded(g.h) && unpadded(g.w)) return { padding: str('valid') };
  if (isSame(g.h) && isSame(g.w)) return { padding: str('same') };
  return {
    padding: str('valid'),
    pad: {
      fn: 'zeroPadding2d',
      suffix: '_pad',
      config: { padding: `[${list([g.h.padBefore, g.h.padAfter])}, ${list([g.w.padBefore, g.w.padAfter])}]` },
      comment: `${l.name}'s padding ([[top, bottom], [left, right]]): TensorFlow's 'same' would pad differently here`,
    },
  };
}

function conv(l: LayerInfo): TfCall[] {
  const g = l.geometry as ConvGeometry;
  const dilated = g.h.dilation !== 1 || g.w.dilation !== 1;
  if (dilated && (g.h.stride !== 1 || g.w.stride !== 1)) {
    throw new ExportError(`${l.name}: tfjs convolutions take a dilation or a stride above 1, not both`, l.name);
  }
  const { pad, padding } = convPadding(l, g);
  const common: Record<string, string> = {
    kernelSize: list([g.h.kernel, g.w.kernel]),
    ...((g.h.stride !== 1 || g.w.stride !== 1) && { strides: list([g.h.stride, g.w.stride]) }),
    padding,
    ...(dilated && { dilationRate: list([g.h.dilation, g.w.dilation]) }),
    ...(!g.bias && { useBias: 'false' }),
  };
  let call: TfCall;
  if (g.groups === 1) {
    call = { fn: 'conv2d', config: { filters: `${g.outChannels}`, ...common }, comment: 'kernel Kh×Kw×C×F (PyTorch: F×C×Kh×Kw)' };
  } else if (g.groups === g.inChannels) {
    // groups = channels is a depthwise convolution: each channel with its own outChannels/inChannels filters.
    call = { fn: 'depthwiseConv2d', config: { depthMultiplier: `${g.outChannels / g.inChannels}`, ...common }, comment: `groups=${g.groups}: depthwise; kernel Kh×Kw×C×M (PyTorch: C·M×1×Kh×Kw)` };
  } else {
    throw new ExportError(`${l.name}: tfjs has no grouped convolution (groups=${g.groups} of ${g.inChannels} channels); only groups=1 or groups=channels (depthwise)`, l.name);
  }
  return pad ? [pad, call] : [call];
}

function pool(l: LayerInfo): TfCall[] {
  const g = l.geometry as PoolGeometry;
  const config = { poolSize: list([g.h.kernel, g.w.kernel]), strides: list([g.h.stride, g.w.stride]) };
  const fn = g.mode === 'max' ? 'maxPooling2d' : 'averagePooling2d';
  // In ceil mode the output may keep a last window that runs past the padded input; floor mode never does.
  const floorOut = (a: Axis) => Math.floor((a.size + a.padBefore + a.padAfter - a.kernel) / a.stride) + 1;
  const noOverhang = floorOut(g.h) === g.h.out && floorOut(g.w) === g.w.out;
  if (unpadded(g.h) && unpadded(g.w) && noOverhang) return [{ fn, config: { ...config, padding: str('valid') } }];
  if (g.mode === 'max') {
    // Max pooling ignores padding in both libraries, so TensorFlow's 'same' is exact where its windows start alike.
    const startsAlike = (a: Axis) => tfSame(a).before === a.padBefore && tfSame(a).out === a.out;
    if (startsAlike(g.h) && startsAlike(g.w)) return [{ fn, config: { ...config, padding: str('same') }, comment: "TensorFlow's 'same' pads exactly as this layer here" }];
    const sides = (a: Axis) => `${a.padBefore} before and ${a.padAfter} after`;
    const same = (a: Axis) => `${tfSame(a).before} before and ${tfSame(a).after} after`;
    throw new ExportError(
      `${l.name}: tfjs max pooling pads only as TensorFlow's 'same' does (here ${same(g.h)} in height, ${same(g.w)} in width), not as this layer (${sides(g.h)}, ${sides(g.w)}${g.ceil ? ', ceil mode' : ''}); zero padding would change the maximum of negative inputs`,
      l.name,
    );
  }
  // Mean pooling counts padding in its divisor, as explicit zero padding does.
  if (!noOverhang) {
    throw new ExportError(`${l.name}: ceil mode keeps windows that run past the padded input, and tfjs's averagePooling2d divides those differently`, l.name);
  }
  return [
    { fn: 'zeroPadding2d', suffix: '_pad', config: { padding: `[${list([g.h.padBefore, g.h.padAfter])}, ${list([g.w.padBefore, g.w.padAfter])}]` }, comment: 'padding counted in the mean, as PyTorch counts it' },
    { fn, config: { ...config, padding: str('valid') } },
  ];
}

/** Channels-last maps are permuted to C×H×W before flattening, so features come in the .cnn (PyTorch) order. */
function chw(l: LayerInfo): TfCall[] {
  return inputShape(l).length === 3 ? [{ fn: 'permute', suffix: '_chw', config: { dims: '[3, 1, 2]' }, comment: 'to C×H×W, so flattening keeps PyTorch\'s C,H,W order' }] : [];
}

const activation = (name: string) => (): TfCall[] => [{ fn: 'activation', config: { activation: str(name) } }];

export const KINDS: Readonly<Record<string, (l: LayerInfo) => TfCall[]>> = {
  conv,
  pool,
  dense(l) {
    const bias = configValue<boolean>(l, 'bias', true);
    const flatten: TfCall[] = inputShape(l).length === 3 ? [...chw(l), { fn: 'flatten', suffix: '_flat', config: {} }] : [];
    return [...flatten, { fn: 'dense', config: { units: `${l.output![0]}`, ...(!bias && { useBias: 'false' }) }, comment: 'kernel IN×UNITS (PyTorch: UNITS×IN)' }];
  },
  flatten: (l) => (inputShape(l).length === 3 ? [...chw(l), { fn: 'flatten', config: {} }] : [{ fn: 'activation', config: { activation: str('linear') }, comment: 'flatten of a vector: the identity' }]),
  relu: activation('relu'),
  sigmoid: activation('sigmoid'),
  tanh: activation('tanh'),
  identity: activation('linear'),
  leaky_relu: (l) => [{ fn: 'leakyReLU', config: { alpha: `${configValue(l, 'slope', 0.01)}` } }],
  softmax: () => [
    {
      fn: 'softmax',
      config: { axis: '-1' },
      comment: 'the .cnn network fuses this with cross-entropy; here the model outputs probabilities (train with categoricalCrossentropy)',
    },
  ],
  dropout: (l) => [{ fn: 'dropout', config: { rate: `${configValue(l, 'rate', 0.5)}` } }],
  batchnorm: (l) => [
    {
      fn: 'batchNormalization',
      config: { axis: '-1', epsilon: `${configValue(l, 'eps', 1e-5)}` },
      comment: 'batch statistics in training only; predict() uses moving averages, which CNN Lens does not keep',
    },
  ],
  add: () => [{ fn: 'add', config: {} }],
  concat: () => [{ fn: 'concatenate', config: { axis: '-1' }, comment: 'channels are the last axis' }],
};
