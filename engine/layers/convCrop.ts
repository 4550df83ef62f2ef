/**
 * Conv's receptive fields for the local gradient check (LayerKind.cropInput and cropParam; the check is
 * engine/run/local.ts). An input pixel moves the output rows and columns whose windows cover it, for the
 * filters of its group; a weight moves one filter's map through one input channel, a bias one filter's map.
 * Conv is linear in x and in W, so those crops are linear ones (Crop.linear).
 */
import type { ConvGeometry } from '../geometry';
import { elementCount } from '../shape';
import { pixelWindows, UNREAD, windowOutputs } from './crops';
import type { Crop, Step } from './kind';

export function convCropInput(step: Step<ConvGeometry>, i: number): Crop<ConvGeometry> {
  const g = step.geometry;
  const { n, c, h, w, rows, cols } = pixelWindows(step, i);
  if (!rows || !cols) return UNREAD;
  const icg = step.inputShapes[0][0] / g.groups;
  const ocg = g.outChannels / g.groups;
  const group = Math.floor(c / icg);
  const [h2, w2] = [rows.axis, cols.axis];
  const out = windowOutputs(n, g.outChannels, group * ocg, ocg, rows, cols, g.h.out, g.w.out);
  // The group's filters, channel c's taps alone: W[f, c, :, :] for each f of the group.
  const taps = g.h.kernel * g.w.kernel;
  const W = new Float64Array(ocg * taps);
  for (let f = 0; f < ocg; f++)
    W.set(
      step.params.W.subarray(
        ((group * ocg + f) * icg + c - group * icg) * taps,
        ((group * ocg + f) * icg + c - group * icg + 1) * taps,
      ),
      f * taps,
    );
  const geometry: ConvGeometry = { ...g, h: h2, w: w2, inChannels: 1, outChannels: ocg, groups: 1, bias: false };
  const linear: Step<ConvGeometry> = {
    ...step,
    batch: 1,
    inputShapes: [[1, h2.size, w2.size]],
    output: [ocg, h2.out, w2.out],
    geometry,
    params: { W },
  };
  return {
    step: linear,
    x: [new Float64Array(h2.size * w2.size)],
    where: 0,
    at: (h - rows.lo) * w2.size + w - cols.lo,
    out,
    linear: true,
  };
}

export function convCropParam(
  step: Step<ConvGeometry>,
  x: readonly Float64Array[],
  name: string,
  i: number,
): Crop<ConvGeometry> {
  const g = step.geometry;
  const [C, H, W] = step.inputShapes[0];
  const icg = C / g.groups;
  const ocg = g.outChannels / g.groups;
  const taps = icg * g.h.kernel * g.w.kernel;
  const f = name === 'W' ? Math.floor(i / taps) : i;
  const group = Math.floor(f / ocg);
  const planes = H * W;
  const [OH, OW] = [g.h.out, g.w.out];
  const made = reused(step, x[0]);
  let out = made.outs.get(f);
  if (!out) {
    made.outs.set(f, (out = new Int32Array(step.batch * OH * OW)));
    for (let n = 0, k = 0; n < step.batch; n++)
      for (let p = 0; p < OH * OW; p++) out[k++] = (n * g.outChannels + f) * OH * OW + p;
  }
  if (name === 'W') {
    const kk = g.h.kernel * g.w.kernel;
    const c = group * icg + Math.floor((i % taps) / kk);
    let channel = made.channels.get(c);
    if (!channel) {
      made.channels.set(c, (channel = new Float64Array(step.batch * planes)));
      for (let n = 0; n < step.batch; n++)
        channel.set(x[0].subarray((n * C + c) * planes, (n * C + c + 1) * planes), n * planes);
    }
    const geometry: ConvGeometry = { ...g, inChannels: 1, outChannels: 1, groups: 1, bias: false };
    const linear: Step<ConvGeometry> = {
      ...step,
      inputShapes: [[1, H, W]],
      output: [1, OH, OW],
      geometry,
      params: { W: new Float64Array(kk) },
    };
    return { step: linear, x: [channel], where: 'W', at: i % kk, out, linear: true };
  }
  // One group reads the whole input: no copy (a parameter's crop never perturbs its input).
  const crop = g.groups === 1 ? x[0] : new Float64Array(step.batch * icg * planes);
  for (let n = 0; g.groups > 1 && n < step.batch; n++) {
    const from = (n * C + group * icg) * planes;
    crop.set(x[0].subarray(from, from + icg * planes), n * icg * planes);
  }
  return {
    step: {
      ...step,
      inputShapes: [[icg, H, W]],
      output: [1, OH, OW],
      geometry: { ...g, inChannels: icg, outChannels: 1, groups: 1 },
      params: sliceFilters(step, f, 1),
    },
    x: [crop],
    where: name,
    at: 0,
    out,
  };
}

/**
 * What a layer's parameter crops share, made once per layer and input: a filter's output indices (every one of
 * its weights moves that map) and an input channel's copy (every weight reading it runs on it). The check never
 * writes into a crop's input or indices, only into a copy of the parameter it perturbs, so crops may share them;
 * full mode crops every weight of a layer, and a fresh copy each time was most of its garbage.
 */
const shared = new WeakMap<
  Step<ConvGeometry>,
  { x: Float64Array; outs: Map<number, Int32Array>; channels: Map<number, Float64Array> }
>();

function reused(step: Step<ConvGeometry>, x: Float64Array) {
  let made = shared.get(step);
  if (!made || made.x !== x) shared.set(step, (made = { x, outs: new Map(), channels: new Map() }));
  return made;
}

/** Views of filters [first, first + count) of a conv's W and b (a crop that perturbs one copies it). */
function sliceFilters(step: Step<ConvGeometry>, first: number, count: number): Record<string, Float64Array> {
  const g = step.geometry;
  const taps = elementCount([step.inputShapes[0][0] / g.groups, g.h.kernel, g.w.kernel]);
  const { W, b } = step.params;
  return { W: W.subarray(first * taps, (first + count) * taps), ...(b && { b: b.subarray(first, first + count) }) };
}
