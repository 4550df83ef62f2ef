/**
 * pool max|mean KERNEL: max or mean pooling as torch.nn.MaxPool2d / AvgPool2d (count_include_pad=True).
 *
 * Shape: C × ⌊ or ⌈(H + 2P − K)/S⌉+1 × …; in ceil mode a last window that would start in the right padding is
 * dropped. Mean divides by the window's size inside the padded input (so a ceil-mode overhang counts less).
 * δ, mean: each δy value divided by its divisor and spread over its window; max: each δy value to its window's
 * maximum (the first on ties). Input rows and columns no window covers get 0, which `pool-remainder` reports
 * with the padding, ceil mode or kernel/stride that would make the windows tile.
 */
import { ExportError, type TfCall } from '../export/target';
import { list, str, tfSame, unpadded, zeroPadding } from '../export/tfjsCalls';
import { type Axis, meanDivisor, type PoolGeometry, poolAxis, uncovered } from '../geometry';
import { maxPoolBackward, maxPoolForward, meanPoolBackward, meanPoolForward } from '../kernels';
import { formatShape, type Shape } from '../shape';
import type { Fix } from '../text';
import { type Pair, readPair, readWord } from '../values';
import { withAdaptive } from './adaptivePool';
import {
  boolOption,
  emptyOutput,
  needsMaps,
  optionRange,
  pairOption,
  forEach,
  padarrayText,
  pairText,
  setOption,
  sizePair,
  uncoveredText,
  windowLabel,
} from './common';
import { pixelWindows, UNREAD, windowOutputs, windowsReach } from './crops';
import {
  type ConfigureContext,
  type Crop,
  expectArgs,
  type KnownLayer,
  type LayerKind,
  type RuleContext,
  type Step,
  type StandardRules,
} from './kind';

interface Options {
  stride: Pair;
  pad: Pair;
  ceil: boolean;
}

/** Read from the statement; a diagnostic about KERNEL reads its text there. */
export interface PoolConfig {
  readonly mode: 'max' | 'mean';
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly pad: Pair;
  readonly ceil: boolean;
}

/** Max pooling saves each output's winner, as an offset into the input; mean pooling saves nothing. */
type Winners = Int32Array | undefined;

/** The windowed pool; `pool` below adds the adaptive forms (adaptivePool.ts). */
const windowedPool: LayerKind<Options, PoolConfig, PoolGeometry, Winners> = {
  kind: 'pool',
  summary: 'max or mean pooling over KERNEL windows (torch.nn.MaxPool2d / AvgPool2d)',
  usage: 'pool max|mean KERNEL',
  argValues: [['max', 'mean']],
  options: {
    stride: pairOption('stride: step between windows, N or HxW', 'the kernel', 1),
    pad: pairOption('pad: padding on each side, N or HxW, at most half the kernel', '0', 0),
    ceil: boolOption('ceil: round the output size up, keeping a partial last window', 'false'),
  },

  configure(args, o, cx) {
    if (!expectArgs(args, ['max|mean', 'KERNEL'], cx)) return undefined;
    const mode = readWord(args[0], 'the pooling mode', ['max', 'mean', 'avg'], cx.report);
    const k = readPair(args[1], 'the kernel', 1, cx.report);
    if (!mode || !k) return undefined;
    const pad = o.pad ?? NO_PAD;
    if (pad.h > k.h / 2 || pad.w > k.w / 2) {
      cx.report({
        severity: 'error',
        code: 'bad-value',
        message: `${cx.layer}: pad=${pairText(pad)} is more than half the ${k.h}×${k.w} kernel (PyTorch allows at most ${Math.floor(k.h / 2)}×${Math.floor(k.w / 2)})`,
        range: optionRange(cx, 'pad')!,
      });
      return undefined;
    }
    return { mode: mode === 'avg' ? 'mean' : mode, kernel: k, stride: o.stride ?? k, pad, ceil: o.ceil ?? false };
  },

  infer(c, [input], cx) {
    if (!needsMaps(input, cx)) return undefined;
    const [C, H, W] = input.shape;
    const geometry = poolGeometry(c, C, H, W);
    const { h, w } = geometry;
    if (h.out < 1 || w.out < 1) {
      cx.report(
        emptyOutput(cx, cx.node.args[1].range, `the ${h.kernel}×${w.kernel} window`, input, [
          H + 2 * c.pad.h,
          W + 2 * c.pad.w,
        ]),
      );
      return undefined;
    }
    const missed = uncoveredText(h, w);
    if (missed) {
      const spanH = (h.out - 1) * h.stride + h.kernel;
      const spanW = (w.out - 1) * w.stride + w.kernel;
      const padded = c.pad.h || c.pad.w ? `the padded ${H + 2 * c.pad.h}×${W + 2 * c.pad.w}` : `${H}×${W}`;
      const gaps = h.stride > h.kernel || w.stride > w.kernel;
      const why = gaps
        ? `the stride is larger than the window, so δ upsampled has gaps`
        : `δ upsampled is ${spanH}×${spanW} against ${padded}`;
      cx.report({
        severity: 'warning',
        code: 'pool-remainder',
        message: `${cx.layer}: ${h.kernel}×${w.kernel} windows with stride ${pairText(c.stride)} leave ${missed} of ${input.name}'s ${H}×${W} output uncovered: they get no gradient (${why})`,
        range: cx.node.args[1].range,
        fixes: tilingFixes(c, C, H, W, cx),
      });
    }
    return { output: [C, h.out, w.out] };
  },

  geometry: (c, [input]) => poolGeometry(c, input.shape[0], input.shape[1], input.shape[2]),
  windows: (g) => g,
  rule: (c, [input], cx) => deltaRule(poolGeometry(c, input.shape[0], input.shape[1], input.shape[2]), input.name, cx),
  standardRules: (c, [input], output) =>
    standardRules(poolGeometry(c, input.shape[0], input.shape[1], input.shape[2]), input.shape, output),

  forward(c, step, [x]) {
    const g = step.geometry;
    if (c.mode === 'mean') return { y: meanPoolForward(g, step.batch, x) };
    const { y, argmax } = maxPoolForward(g, step.batch, x);
    return { y, saved: argmax };
  },

  backward(c, step, _x, f, dy) {
    const g = step.geometry;
    if (c.mode === 'mean') return { dx: [meanPoolBackward(g, step.batch, dy)] };
    if (!f.saved) throw new Error(`${step.name}: max pooling's backward needs the winners its forward saves`);
    return { dx: [maxPoolBackward(g, step.batch, dy, f.saved)] };
  },

  /** Max pooling's choice is each window's winner; mean pooling is smooth. */
  decisions: (c, _step, _x, f) => (c.mode === 'max' && f.saved ? f.saved : []),
  reaches: windowsReach,
  cropInput: (step, x, _slot, i) => poolCrop(step, x[0], i),
  // Mean pooling is linear; max pooling is not (its winners move).
  affineIn: (c) => c.mode === 'mean',
  cropSize: () => 'window',

  label: (_c, g) => windowLabel(['pool', g.mode], g, { h: g.h.kernel, w: g.w.kernel }, g.ceil ? ['ceil'] : []),
  shortRule({ geometry: { h, w, mode } }) {
    return mode === 'mean'
      ? `upsample ${h.out}×${w.out} ×${sizePair(h.stride, w.stride)} / ${h.kernel * w.kernel}`
      : `to each ${h.kernel}×${w.kernel} max`;
  },
  roughRule: 'pool backward',
  torch({ geometry: g }) {
    const pair = (h: number, w: number) => `(${h}, ${w})`;
    const args = [`kernel_size=${pair(g.h.kernel, g.w.kernel)}`, `stride=${pair(g.h.stride, g.w.stride)}`];
    if (g.h.padBefore || g.w.padBefore) args.push(`padding=${pair(g.h.padBefore, g.w.padBefore)}`);
    if (g.ceil) args.push('ceil_mode=True');
    // count_include_pad=True is PyTorch's default and the .cnn rule: written out because it matters.
    return {
      module:
        g.mode === 'max'
          ? `nn.MaxPool2d(${args.join(', ')})`
          : `nn.AvgPool2d(${args.join(', ')}, count_include_pad=True)`,
    };
  },
  tfjs: (l) => tfjs(l),
};

/** tfjs pools pad only as TensorFlow's 'same' does, or (mean) after an explicit zero padding: exact, or refused. */
function tfjs({ name, geometry: g }: KnownLayer<PoolConfig, PoolGeometry>): TfCall[] {
  const config = { poolSize: list([g.h.kernel, g.w.kernel]), strides: list([g.h.stride, g.w.stride]) };
  const fn = g.mode === 'max' ? 'maxPooling2d' : 'averagePooling2d';
  // In ceil mode the output may keep a last window that runs past the padded input; floor mode never does.
  const floorOut = (a: Axis) => Math.floor((a.size + a.padBefore + a.padAfter - a.kernel) / a.stride) + 1;
  const noOverhang = floorOut(g.h) === g.h.out && floorOut(g.w) === g.w.out;
  if (unpadded(g.h) && unpadded(g.w) && noOverhang) return [{ fn, config: { ...config, padding: str('valid') } }];
  if (g.mode === 'max') {
    // Max pooling ignores padding in both libraries, so TensorFlow's 'same' is exact where its windows start alike.
    const startsAlike = (a: Axis) => tfSame(a).before === a.padBefore && tfSame(a).out === a.out;
    if (startsAlike(g.h) && startsAlike(g.w))
      return [
        {
          fn,
          config: { ...config, padding: str('same') },
          comment: "TensorFlow's 'same' pads exactly as this layer here",
        },
      ];
    const sides = (a: Axis) => `${a.padBefore} before and ${a.padAfter} after`;
    const same = (a: Axis) => `${tfSame(a).before} before and ${tfSame(a).after} after`;
    throw new ExportError(
      `${name}: tfjs max pooling pads only as TensorFlow's 'same' does (here ${same(g.h)} in height, ${same(g.w)} in width), not as this layer (${sides(g.h)}, ${sides(g.w)}${g.ceil ? ', ceil mode' : ''}); zero padding would change the maximum of negative inputs`,
      name,
    );
  }
  // Mean pooling counts padding in its divisor, as explicit zero padding does.
  if (!noOverhang) {
    throw new ExportError(
      `${name}: ceil mode keeps windows that run past the padded input, and tfjs's averagePooling2d divides those differently`,
      name,
    );
  }
  return [
    {
      fn: 'zeroPadding2d',
      suffix: '_pad',
      config: { padding: zeroPadding(g.h, g.w) },
      comment: 'padding counted in the mean, as PyTorch counts it',
    },
    { fn, config: { ...config, padding: str('valid') } },
  ];
}

/** A pixel moves the outputs of the windows covering it, in its channel: the crop is those windows' span of it. */
function poolCrop(step: Step<PoolGeometry>, x: Float64Array, i: number): Crop<PoolGeometry> {
  const { n, c, h, w, rows, cols } = pixelWindows(step, i);
  if (!rows || !cols) return UNREAD;
  const [C, H, W] = step.inputShapes[0];
  const [h2, w2] = [rows.axis, cols.axis];
  const crop = new Float64Array(h2.size * w2.size);
  for (let r = 0; r < h2.size; r++) {
    const from = ((n * C + c) * H + rows.lo + r) * W + cols.lo;
    crop.set(x.subarray(from, from + w2.size), r * w2.size);
  }
  const geometry: PoolGeometry = { ...step.geometry, h: h2, w: w2, channels: 1 };
  return {
    step: {
      ...step,
      batch: 1,
      inputShapes: [[1, h2.size, w2.size]],
      output: [1, h2.out, w2.out],
      geometry,
      params: {},
    },
    x: [crop],
    where: 0,
    at: (h - rows.lo) * w2.size + w - cols.lo,
    out: windowOutputs(n, C, c, 1, rows, cols, step.geometry.h.out, step.geometry.w.out),
  };
}

/** `pool max|mean KERNEL`, and `pool max|mean global` or `out=HxW` (adaptive pooling, adaptivePool.ts). */
export const pool = withAdaptive(windowedPool);

/** No padding: the default, shared by every layer that does not set it (configurations are never changed). */
const NO_PAD: Pair = { h: 0, w: 0 };

export function poolGeometry(c: PoolConfig, C: number, H: number, W: number): PoolGeometry {
  return {
    h: poolAxis(H, c.kernel.h, c.stride.h, c.pad.h, c.ceil),
    w: poolAxis(W, c.kernel.w, c.stride.w, c.pad.w, c.ceil),
    channels: C,
    mode: c.mode,
    ceil: c.ceil,
  };
}

const tiles = (a: Axis) => a.out >= 1 && uncovered(a)?.count === 0;
const SEARCH = 64;

/**
 * The changes that make the windows cover every input row and column, each solved for rather than guessed:
 * ceil mode, the least padding (≤ half the kernel), the least larger kernel at the same stride, the largest
 * smaller stride. Each title says the output it would give; an `->` assertion is updated to match.
 */
function tilingFixes(c: PoolConfig, C: number, H: number, W: number, cx: ConfigureContext): Fix[] {
  const fixes: Fix[] = [];
  const k = c.kernel;
  const offer = (title: string, trial: PoolConfig, edits: Fix['edits']) => {
    const g = poolGeometry(trial, C, H, W);
    if (!tiles(g.h) || !tiles(g.w)) return false;
    const out = formatShape([C, g.h.out, g.w.out]);
    const assertion = cx.node.assertion?.shape;
    const withAssertion =
      assertion && assertion.kind !== 'missing'
        ? [...edits, { range: assertion.range, newText: out.replace(/×/g, 'x') }]
        : edits;
    fixes.push({ title: `${title} (output ${out})`, edits: withAssertion });
    return true;
  };
  if (!c.ceil) offer('Set ceil=true', { ...c, ceil: true }, [setOption(cx.node, 'ceil', 'true')]);
  // Each search tries at most SEARCH values near the current one, so a huge kernel never hangs the editor.
  // Least padding per axis; an axis that already tiles keeps its own.
  const leastPad = (size: number, kernel: number, stride: number, current: number) => {
    for (let p = current; p <= Math.min(kernel / 2, current + SEARCH); p++)
      if (tiles(poolAxis(size, kernel, stride, p, c.ceil))) return p;
    return undefined;
  };
  const ph = leastPad(H, k.h, c.stride.h, c.pad.h);
  const pw = leastPad(W, k.w, c.stride.w, c.pad.w);
  if (ph !== undefined && pw !== undefined) {
    const pad = { h: ph, w: pw };
    offer(`Set pad=${pairText(pad)}`, { ...c, pad }, [setOption(cx.node, 'pad', pairText(pad))]);
  }
  const explicitStride = cx.node.options.some((o) => o.key.text === 'stride');
  const strideEdit = (s: Pair) => setOption(cx.node, 'stride', pairText(s));
  // A larger kernel at the same stride: the default stride follows the kernel, so it is written out.
  const leastKernel = (size: number, kernel: number, stride: number, pad: number) => {
    for (let kk = kernel; kk <= Math.min(2 * kernel + 1, size + 2 * pad, kernel + SEARCH); kk++)
      if (pad <= kk / 2 && tiles(poolAxis(size, kk, stride, pad, c.ceil))) return kk;
    return undefined;
  };
  const kh = leastKernel(H, k.h, c.stride.h, c.pad.h);
  const kw = leastKernel(W, k.w, c.stride.w, c.pad.w);
  if (kh !== undefined && kw !== undefined && (kh !== k.h || kw !== k.w)) {
    const kernel = { h: kh, w: kw };
    const edits = [{ range: cx.node.args[1].range, newText: `${kh}x${kw}` }];
    if (!explicitStride) edits.push(strideEdit(c.stride));
    offer(`Use a ${kh}×${kw} kernel with stride ${pairText(c.stride)}`, { ...c, kernel }, edits);
  }
  const largestStride = (size: number, kernel: number, stride: number, pad: number) => {
    for (let s = Math.min(stride, kernel); s >= Math.max(1, Math.min(stride, kernel) - SEARCH); s--)
      if (tiles(poolAxis(size, kernel, s, pad, c.ceil))) return s;
    return undefined;
  };
  const sh = largestStride(H, k.h, c.stride.h, c.pad.h);
  const sw = largestStride(W, k.w, c.stride.w, c.pad.w);
  if (sh !== undefined && sw !== undefined && (sh !== c.stride.h || sw !== c.stride.w)) {
    const stride = { h: sh, w: sw };
    offer(`Use stride ${pairText(stride)}`, { ...c, stride }, [strideEdit(stride)]);
  }
  return fixes;
}

/** Mean pooling with stride = window and no padding, the one pooling the rule language writes (max needs the argmax). */
function standardRules(g: PoolGeometry, x: Shape, y: Shape): StandardRules {
  if (g.mode !== 'mean' || g.h.padBefore || g.w.padBefore || g.h.stride !== g.h.kernel || g.w.stride !== g.w.kernel)
    return {};
  const h = g.h.kernel,
    w = g.w.kernel,
    rest = [x[1] - y[1] * h, x[2] - y[2] * w];
  if (rest[0] < 0 || rest[1] < 0) return {}; // a ceil-mode window past the edge
  return { dx: `dx[c] = ${padarrayText(`kron(dy[c], ones(${h}, ${w})) / ${h * w}`, [0, 0], rest)}` };
}

function deltaRule(g: PoolGeometry, input: string, cx: RuleContext): string {
  const { h, w } = g;
  const dy = `δ(${cx.layer})[c] ${h.out}×${w.out}`;
  const win = `${h.kernel}×${w.kernel}`;
  const overlap =
    (h.stride < h.kernel && h.out > 1) || (w.stride < w.kernel && w.out > 1) ? ', adding up where windows overlap' : '';
  let text = `${cx.deltaOf(input)} ${g.channels}×${h.size}×${w.size}: ${forEach(g.channels, 'channel', 'c')}, `;
  if (g.mode === 'max') {
    text += `each value of ${dy} goes to the position of its ${win} window's maximum (the first on ties), the rest get 0${overlap}`;
  } else {
    const divisors = new Set<number>();
    for (const oh of [0, h.out - 1])
      for (const ow of [0, w.out - 1]) divisors.add(meanDivisor(h, oh) * meanDivisor(w, ow));
    const full = h.kernel * w.kernel;
    const [only] = divisors;
    const divisor =
      divisors.size > 1
        ? `${full} (${win}), less for the ceil-mode windows that run past the padded input (${[...divisors].filter((d) => d !== full).join(', ')})`
        : only === full
          ? `${full} (${win})`
          : `${only}, the part of each ${win} window inside the padded input`;
    const exact =
      h.stride === h.kernel &&
      w.stride === w.kernel &&
      !h.padBefore &&
      !w.padBefore &&
      divisors.size === 1 &&
      only === full;
    text += `each value of ${dy}, divided by ${divisor}, is spread over its ${win} window${overlap}`;
    if (exact)
      text += `: upsample(${dy}, ${h.kernel === w.kernel ? h.kernel : win}) / ${full} = ${h.out * h.kernel}×${w.out * w.kernel}`;
  }
  if (h.padBefore || w.padBefore) text += "; the padding's share is dropped";
  const missed = uncoveredText(h, w);
  if (missed) text += `; ${missed} get 0`;
  return text;
}
