/**
 * Receptive fields for the local gradient check: one coordinate of a layer's input or parameter moves only
 * some of its outputs, so its central difference can be computed by running the layer on a crop that holds
 * just those outputs and what they read. A crop is an ordinary, smaller step of the same kind (the same
 * kernels run it), so the check still compares the backward with the layer's own forward.
 *
 * Conv: the output rows and columns whose windows cover the coordinate, for the filters of its group (a
 * weight moves one filter's map). Pool: the same windows, one channel. Elementwise kinds: one element.
 * Every other kind (batchnorm couples the batch, dense reads a whole sample, merges) runs whole.
 */
import { type Axis, type ConvGeometry, dilatedKernel, type PoolGeometry } from '../geometry';
import type { Step } from '../layers/kind';
import { elementCount } from '../shape';
import type { ModelNode } from './model';

export interface Crop {
  /** The smaller step; undefined when no output depends on the coordinate (its difference is exactly 0). */
  readonly step?: Step;
  /** The crop's inputs, fresh copies the caller may perturb. */
  readonly x: Float64Array[];
  /** Which array holds the coordinate: an input slot (a number) or a parameter's name. */
  readonly where: number | string;
  /** The coordinate's index in that array. */
  readonly at: number;
  /** The flat index in the layer's whole output of each element of the crop's output. */
  readonly out: Int32Array;
  /**
   * Set where the layer is linear in what moves (conv in x and in W): the crop is that linear map alone, on
   * arrays that are zero but at the coordinate, so its output for a step there is the change itself. A
   * conv's input coordinate then meets only its own channel's weights, not every channel's.
   */
  readonly linear?: boolean;
}

const ELEMENTWISE = new Set(['relu', 'leaky_relu', 'sigmoid', 'tanh', 'identity', 'dropout', 'flatten']);

/**
 * Whether any output of the layer reads coordinate `i` of input `slot`: false only for a conv's or a pool's
 * pixel that no window covers (a stride that skips it), whose difference is exactly 0 and costs nothing.
 */
export function reaches(node: ModelNode, i: number): boolean {
  const kind = node.kind.kind;
  if (kind !== 'conv' && kind !== 'pool') return true;
  const [, H, W] = node.step.inputShapes[0];
  const g = node.step.geometry as ConvGeometry | PoolGeometry;
  return span(g.h, Math.floor(i / W) % H) !== undefined && span(g.w, i % W) !== undefined;
}

/** A crop for input `slot`'s coordinate `i`, or undefined when the layer must run whole. */
export function cropInput(node: ModelNode, x: readonly Float64Array[], slot: number, i: number): Crop | undefined {
  const { step } = node;
  const kind = node.kind.kind;
  if (ELEMENTWISE.has(kind)) {
    return { step: { ...step, batch: 1, inputShapes: [[1]], output: [1] }, x: [Float64Array.of(x[slot][i])], where: 0, at: 0, out: Int32Array.of(i) };
  }
  if (kind === 'add') return { step: { ...step, batch: 1, inputShapes: x.map(() => [1]), output: [1] }, x: x.map((a) => Float64Array.of(a[i])), where: slot, at: 0, out: Int32Array.of(i) };
  if (kind === 'concat') return concatCrop(step, x, slot, i);
  if (kind === 'batchnorm') return channelCrop(step, x, slot, i);
  if (kind !== 'conv' && kind !== 'pool') return undefined;
  const [C, H, W] = step.inputShapes[0];
  const n = Math.floor(i / (C * H * W));
  const c = Math.floor(i / (H * W)) % C;
  const h = Math.floor(i / W) % H;
  const w = i % W;
  const g = step.geometry as ConvGeometry | PoolGeometry;
  const rows = span(g.h, h);
  const cols = span(g.w, w);
  const conv = kind === 'conv' ? (g as ConvGeometry) : undefined;
  const groups = conv?.groups ?? C;
  const icg = C / groups;
  const ocg = conv ? conv.outChannels / groups : 1;
  const group = Math.floor(c / icg);
  const F = conv ? conv.outChannels : C;
  const [OH, OW] = [g.h.out, g.w.out];
  if (!rows || !cols) return { x: [], where: 0, at: 0, out: new Int32Array(0) };
  const h2 = rows.axis;
  const w2 = cols.axis;
  const out = new Int32Array(ocg * h2.out * w2.out);
  for (let f = 0, k = 0; f < ocg; f++) {
    for (let r = 0; r < h2.out; r++) for (let s = 0; s < w2.out; s++) out[k++] = ((n * F + group * ocg + f) * OH + rows.first + r) * OW + cols.first + s;
  }
  const at = (h - rows.lo) * w2.size + w - cols.lo;
  if (conv) {
    // The group's filters, channel c's taps alone: W[f, c, :, :] for each f of the group.
    const taps = g.h.kernel * g.w.kernel;
    const W = new Float64Array(ocg * taps);
    for (let f = 0; f < ocg; f++) W.set(step.params.W.subarray(((group * ocg + f) * icg + c - group * icg) * taps, ((group * ocg + f) * icg + c - group * icg + 1) * taps), f * taps);
    const geometry: ConvGeometry = { ...conv, h: h2, w: w2, inChannels: 1, outChannels: ocg, groups: 1, bias: false };
    const linear: Step = { ...step, batch: 1, inputShapes: [[1, h2.size, w2.size]], output: [ocg, h2.out, w2.out], geometry, params: { W } };
    return { step: linear, x: [new Float64Array(h2.size * w2.size)], where: 0, at, out, linear: true };
  }
  const crop = new Float64Array(icg * h2.size * w2.size);
  for (let ci = 0; ci < icg; ci++) {
    for (let r = 0; r < h2.size; r++) {
      const from = ((n * C + group * icg + ci) * H + rows.lo + r) * W + cols.lo;
      crop.set(x[0].subarray(from, from + w2.size), (ci * h2.size + r) * w2.size);
    }
  }
  const geometry: PoolGeometry = { ...(g as PoolGeometry), h: h2, w: w2, channels: 1 };
  return { step: { ...step, batch: 1, inputShapes: [[1, h2.size, w2.size]], output: [1, h2.out, w2.out], geometry, params: {} }, x: [crop], where: 0, at, out };
}

/** Concat: the element lands at one place of the output; a concat of that element alone moves it there. */
function concatCrop(step: Step, x: readonly Float64Array[], slot: number, i: number): Crop {
  const planes = elementCount(step.inputShapes[0].slice(1));
  const channels = step.inputShapes.map((s) => s[0]);
  const total = channels.reduce((a, b) => a + b, 0);
  const offset = channels.slice(0, slot).reduce((a, b) => a + b, 0);
  const c = Math.floor(i / planes) % channels[slot];
  const n = Math.floor(i / (planes * channels[slot]));
  const o = (n * total + offset + c) * planes + (i % planes);
  return { step: { ...step, batch: 1, inputShapes: [[1]], output: [1] }, x: [Float64Array.of(x[slot][i])], where: 0, at: 0, out: Int32Array.of(o) };
}

/**
 * Batchnorm: its statistics are per channel, so an element, γ[c] or β[c] moves channel c alone, in every
 * sample. The crop is that channel.
 */
function channelCrop(step: Step, x: readonly Float64Array[], where: number | string, i: number): Crop {
  const shape = step.inputShapes[0];
  const C = shape[0];
  const planes = elementCount(shape.slice(1));
  const c = typeof where === 'number' ? Math.floor(i / planes) % C : i;
  const crop = new Float64Array(step.batch * planes);
  const out = new Int32Array(step.batch * planes);
  for (let n = 0; n < step.batch; n++) {
    crop.set(x[0].subarray((n * C + c) * planes, (n * C + c + 1) * planes), n * planes);
    for (let p = 0; p < planes; p++) out[n * planes + p] = (n * C + c) * planes + p;
  }
  const { gamma, beta } = step.params;
  const one = [1, ...shape.slice(1)];
  return {
    step: { ...step, inputShapes: [one], output: one, params: { gamma: gamma.subarray(c, c + 1), beta: beta.subarray(c, c + 1) } },
    x: [crop],
    where,
    at: typeof where === 'number' ? Math.floor(i / (C * planes)) * planes + (i % planes) : 0,
    out,
  };
}

/**
 * A crop for coordinate `i` of parameter `name`: a conv weight moves one filter's map, through one input
 * channel (a linear crop), a bias one filter's map; batchnorm's γ[c] and β[c] one channel.
 */
export function cropParam(node: ModelNode, x: readonly Float64Array[], name: string, i: number): Crop | undefined {
  const { step } = node;
  if (node.kind.kind === 'batchnorm') return channelCrop(step, x, name, i);
  if (node.kind.kind !== 'conv') return undefined;
  const g = step.geometry as ConvGeometry;
  const [C, H, W] = step.inputShapes[0];
  const icg = C / g.groups;
  const ocg = g.outChannels / g.groups;
  const taps = icg * g.h.kernel * g.w.kernel;
  const f = name === 'W' ? Math.floor(i / taps) : i;
  const group = Math.floor(f / ocg);
  const planes = H * W;
  if (name === 'W') {
    const kk = g.h.kernel * g.w.kernel;
    const c = group * icg + Math.floor((i % taps) / kk);
    const channel = new Float64Array(step.batch * planes);
    for (let n = 0; n < step.batch; n++) channel.set(x[0].subarray((n * C + c) * planes, (n * C + c + 1) * planes), n * planes);
    const out = new Int32Array(step.batch * g.h.out * g.w.out);
    for (let n = 0, k = 0; n < step.batch; n++) for (let p = 0; p < g.h.out * g.w.out; p++) out[k++] = (n * g.outChannels + f) * g.h.out * g.w.out + p;
    const geometry: ConvGeometry = { ...g, inChannels: 1, outChannels: 1, groups: 1, bias: false };
    const linear: Step = { ...step, inputShapes: [[1, H, W]], output: [1, g.h.out, g.w.out], geometry, params: { W: new Float64Array(kk) } };
    return { step: linear, x: [channel], where: 'W', at: i % kk, out, linear: true };
  }
  // One group reads the whole input: no copy (a parameter's crop never perturbs its input).
  const crop = g.groups === 1 ? x[0] : new Float64Array(step.batch * icg * planes);
  for (let n = 0; g.groups > 1 && n < step.batch; n++) {
    const from = (n * C + group * icg) * planes;
    crop.set(x[0].subarray(from, from + icg * planes), n * icg * planes);
  }
  const [OH, OW] = [g.h.out, g.w.out];
  const out = new Int32Array(step.batch * OH * OW);
  for (let n = 0, k = 0; n < step.batch; n++) for (let p = 0; p < OH * OW; p++) out[k++] = (n * g.outChannels + f) * OH * OW + p;
  return {
    step: { ...step, inputShapes: [[icg, H, W]], output: [1, OH, OW], geometry: { ...g, inChannels: icg, outChannels: 1, groups: 1 }, params: sliceFilters(step, g, f, 1) },
    x: [crop],
    where: name,
    at: name === 'W' ? i - f * taps : 0,
    out,
  };
}

/** Views of filters [first, first + count) of a conv's W and b (a crop that perturbs one copies it). */
function sliceFilters(step: Step, g: ConvGeometry, first: number, count: number): Record<string, Float64Array> {
  const taps = elementCount([step.inputShapes[0][0] / g.groups, g.h.kernel, g.w.kernel]);
  const { W, b } = step.params;
  return { W: W.subarray(first * taps, (first + count) * taps), ...(b && { b: b.subarray(first, first + count) }) };
}

/**
 * Along one axis: the windows that read input index `at` (first to first + out − 1), and the input span
 * [lo, lo + size) they read, as a smaller axis whose padding keeps every window where it was (so a mean
 * pool's divisor, which counts padding, is the same).
 */
function span(axis: Axis, at: number): { first: number; lo: number; axis: Axis } | undefined {
  const extent = dilatedKernel(axis);
  const first = Math.max(0, Math.ceil((at + axis.padBefore - extent + 1) / axis.stride));
  const last = Math.min(axis.out - 1, Math.floor((at + axis.padBefore) / axis.stride));
  if (first > last) return undefined;
  const start = first * axis.stride - axis.padBefore;
  const lo = Math.max(0, start);
  const hi = Math.min(axis.size - 1, last * axis.stride - axis.padBefore + extent - 1);
  return {
    first,
    lo,
    axis: { ...axis, size: hi - lo + 1, padBefore: lo - start, padAfter: axis.padAfter + axis.size - 1 - hi, out: last - first + 1 },
  };
}
