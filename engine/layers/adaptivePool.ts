/**
 * pool max|mean global and pool max|mean out=HxW: adaptive pooling as torch.nn.AdaptiveMaxPool2d /
 * AdaptiveAvgPool2d. Output C × out (global: C×1×1); along each axis window o spans ⌊o·size/out⌋ to
 * ⌈(o+1)·size/out⌉, so windows differ in length and overlap where out does not divide size.
 * δ, mean: each δy value divided by its own window's area and spread over it; max: each δy value to its window's
 * maximum (the first on ties), adding up where an element wins two overlapping windows.
 *
 * `withAdaptive` makes the windowed `pool` kind (pool.ts) answer these two forms too: each method hands an
 * adaptive configuration to the functions here and any other to pool.ts, so the two stay apart.
 */
import { ExportError, type TfCall } from '../export/target';
import type { Axis } from '../geometry';
import {
  adaptiveMaxPoolBackward,
  adaptiveMaxPoolForward,
  adaptiveMeanPoolBackward,
  adaptiveMeanPoolForward,
  type AdaptivePoolGeometry,
  adaptiveWindow,
} from '../kernels';
import { type Pair, readWord } from '../values';
import { forEach, needsMaps, optionRange, pairOption, pairText } from './common';
import type { ConfigureContext, InferContext, InputRef, KnownLayer, LayerKind, RuleContext } from './kind';

export interface AdaptiveConfig {
  readonly adaptive: true;
  readonly mode: 'max' | 'mean';
  /** undefined for `global`, the 1×1 case written as such. */
  readonly out?: Pair;
}

const GLOBAL: Pair = { h: 1, w: 1 };
const outOf = (c: AdaptiveConfig) => c.out ?? GLOBAL;

const isAdaptive = (c: unknown): c is AdaptiveConfig => (c as AdaptiveConfig | undefined)?.adaptive === true;
const isAdaptiveGeometry = (g: unknown): g is AdaptivePoolGeometry => typeof g === 'object' && g !== null && 'OH' in g;

/** Whether a pool statement is the adaptive form: `global` in place of KERNEL, or `out=` written. */
function asksAdaptive(args: readonly { kind: string; text: string }[], cx: ConfigureContext): boolean {
  return (args[1]?.kind === 'word' && args[1].text === 'global') || cx.node.options.some((o) => o.key.text === 'out');
}

function configure(
  args: ConfigureContext['node']['args'],
  o: { out?: Pair },
  cx: ConfigureContext,
): AdaptiveConfig | undefined {
  const global = args[1]?.kind === 'word' && args[1].text === 'global';
  const extra = args[global ? 2 : 1];
  if (extra) {
    const what = global
      ? '`pool max|mean global` takes nothing after global'
      : 'with out=, pool takes no KERNEL (adaptive pooling sizes its own windows)';
    cx.report({
      severity: 'error',
      code: 'syntax',
      message: `${cx.layer}: ${what}; unexpected '${extra.text}'`,
      range: extra.range,
    });
    return undefined;
  }
  if (!args[0]) {
    cx.report({
      severity: 'error',
      code: 'syntax',
      message: `${cx.layer}: pool needs max|mean, as in \`pool max out=2x2\``,
      range: cx.node.kind.range,
    });
    return undefined;
  }
  // The windows are the input cut into `out`: stride, padding and ceil mode mean nothing here.
  for (const key of ['stride', 'pad', 'ceil', ...(global ? ['out'] : [])]) {
    const range = optionRange(cx, key);
    if (range) {
      const why =
        key === 'out'
          ? 'global is out=1x1 already'
          : `${key} does not apply to ${global ? 'global' : 'adaptive'} pooling, whose windows follow from the input and the output sizes`;
      cx.report({ severity: 'error', code: 'bad-value', message: `${cx.layer}: ${why}`, range });
      return undefined;
    }
  }
  const mode = readWord(args[0], 'the pooling mode', ['max', 'mean', 'avg'], cx.report);
  if (!mode || (!global && !o.out)) return undefined;
  return { adaptive: true, mode: mode === 'avg' ? 'mean' : mode, ...(!global && { out: o.out }) };
}

function infer(c: AdaptiveConfig, [input]: readonly InputRef[], cx: InferContext) {
  if (!needsMaps(input, cx)) return undefined;
  const [C, H, W] = input.shape;
  const out = outOf(c);
  return { output: [C, out.h, out.w], macs: c.mode === 'mean' ? C * H * W : 0 };
}

function geometry(c: AdaptiveConfig, [input]: readonly InputRef[]): AdaptivePoolGeometry {
  const out = outOf(c);
  return { channels: input.shape[0], H: input.shape[1], W: input.shape[2], OH: out.h, OW: out.w };
}

/** The windows, per axis, as `0–2, 2–4, 4–6` (1-based, inclusive) when few, else their lengths. */
function spans(size: number, out: number): string {
  const all = Array.from({ length: out }, (_, o) => adaptiveWindow(size, out, o));
  if (out <= 4) return all.map(([a, b]) => (b - a === 1 ? `${a + 1}` : `${a + 1}–${b}`)).join(', ');
  const lengths = [...new Set(all.map(([a, b]) => b - a))].sort((a, b) => a - b);
  return `${out} windows of ${lengths.join(' or ')}`;
}

function rule(c: AdaptiveConfig, [input]: readonly InputRef[], cx: RuleContext): string {
  const [C, H, W] = input.shape;
  const out = outOf(c);
  const dy = `δ(${cx.layer})[c] ${out.h}×${out.w}`;
  const head = `${cx.deltaOf(input.name)} ${C}×${H}×${W}: ${forEach(C, 'channel', 'c')}, `;
  if (!c.out) {
    return c.mode === 'mean'
      ? `${head}δ(${cx.layer})[c] / ${H * W} (${H}×${W}) at every position`
      : `${head}δ(${cx.layer})[c] at the position of the maximum of ${input.name}[c] (the first on ties), 0 elsewhere`;
  }
  const overlap = H % out.h !== 0 || W % out.w !== 0 ? ', adding up where windows overlap' : '';
  const windows = `rows ${spans(H, out.h)} by columns ${spans(W, out.w)}`;
  if (c.mode === 'max')
    return `${head}each value of ${dy} goes to the position of its window's maximum (the first on ties), the rest get 0${overlap}; windows ${windows}`;
  return `${head}each value of ${dy}, divided by its window's area, is spread over its window${overlap}; windows ${windows}`;
}

/** Global mean pooling: δ divided by H·W everywhere, which the rule language writes with ones. */
function standardRules(c: AdaptiveConfig, [input]: readonly InputRef[]) {
  const [, H, W] = input.shape;
  return !c.out && c.mode === 'mean' ? { dx: `dx[c] = ones(${H}, 1) * dy[c] * ones(1, ${W}) / ${H * W}` } : {};
}

/** The coverage table's view: every input row and column is in some window, as one window over all of it says. */
function windows(g: AdaptivePoolGeometry) {
  const whole = (size: number): Axis => ({
    size,
    kernel: size,
    stride: 1,
    dilation: 1,
    padBefore: 0,
    padAfter: 0,
    out: 1,
  });
  return { h: whole(g.H), w: whole(g.W) };
}

export function adaptiveLabel(c: AdaptiveConfig): string {
  return c.out ? `pool ${c.mode} out ${c.out.h}×${c.out.w}` : `pool ${c.mode} global`;
}

export function adaptiveShortRule(c: AdaptiveConfig): string {
  return c.mode === 'mean' ? 'spread / window area' : 'to each window max';
}

export function adaptiveTorch(c: AdaptiveConfig) {
  const out = outOf(c);
  return {
    module: `nn.Adaptive${c.mode === 'max' ? 'Max' : 'Avg'}Pool2d(${out.h === out.w ? out.h : `(${out.h}, ${out.w})`})`,
  };
}

/** tfjs has global pooling (to a vector, reshaped back to 1×1×C); other adaptive sizes it has not. */
export function adaptiveTfjs(c: AdaptiveConfig, name: string, channels: number): TfCall[] {
  if (c.out && (c.out.h !== 1 || c.out.w !== 1)) {
    throw new ExportError(`${name}: tfjs has no adaptive pooling to ${pairText(c.out)} (only global pooling)`, name);
  }
  return [
    { fn: c.mode === 'max' ? 'globalMaxPooling2d' : 'globalAveragePooling2d', suffix: '_global', config: {} },
    { fn: 'reshape', config: { targetShape: `[1, 1, ${channels}]` }, comment: 'back to 1×1×C, as PyTorch keeps it' },
  ];
}

/**
 * The windowed pool kind answering the adaptive forms as well. Its hooks are the base's where it has them, with
 * the adaptive cases in front; a hook the base lacks stays missing, so the diagram's and the exports' own
 * tables answer for both.
 */
export function withAdaptive<O extends object, C, G, S>(
  base: LayerKind<O, C, G, S>,
): LayerKind<O & { out: Pair }, C | AdaptiveConfig, G | AdaptivePoolGeometry, S | Int32Array> {
  type K = LayerKind<O & { out: Pair }, C | AdaptiveConfig, G | AdaptivePoolGeometry, S | Int32Array>;
  const kind: K = {
    ...(base as unknown as K),
    usage: 'pool max|mean KERNEL|global',
    argValues: [['max', 'mean'], ['global']],
    options: {
      ...base.options,
      out: pairOption(
        'out: the output size of adaptive pooling, N or HxW, in place of KERNEL (torch.nn.AdaptiveMaxPool2d)',
        'none',
        1,
      ),
    } as K['options'],
    configure: (args, o, cx) => (asksAdaptive(args, cx) ? configure(args, o, cx) : base.configure(args, o, cx)),
    infer: (c, inputs, cx) => (isAdaptive(c) ? infer(c, inputs, cx) : base.infer(c, inputs, cx)),
    geometry: (c, inputs) => (isAdaptive(c) ? geometry(c, inputs) : base.geometry!(c, inputs)),
    windows: (g) => (isAdaptiveGeometry(g) ? windows(g) : base.windows!(g)),
    rule: (c, inputs, cx) => (isAdaptive(c) ? rule(c, inputs, cx) : base.rule(c, inputs, cx)),
    standardRules: (c, inputs, output) =>
      isAdaptive(c) ? standardRules(c, inputs) : (base.standardRules?.(c, inputs, output) ?? {}),
    forward(c, step, x) {
      if (!isAdaptive(c)) return base.forward(c, step as never, x);
      const g = step.geometry as AdaptivePoolGeometry;
      if (c.mode === 'mean') return { y: adaptiveMeanPoolForward(g, step.batch, x[0]) };
      const { y, argmax } = adaptiveMaxPoolForward(g, step.batch, x[0]);
      return { y, saved: argmax };
    },
    backward(c, step, x, f, dy) {
      if (!isAdaptive(c)) return base.backward(c, step as never, x, f as never, dy);
      const g = step.geometry as AdaptivePoolGeometry;
      if (c.mode === 'mean') return { dx: [adaptiveMeanPoolBackward(g, step.batch, dy)] };
      if (!(f.saved instanceof Int32Array))
        throw new Error(`${step.name}: adaptive max pooling's backward needs the winners its forward saves`);
      return { dx: [adaptiveMaxPoolBackward(g, step.batch, dy, f.saved)] };
    },
    // Adaptive windows cover every pixel, and run whole for each coordinate; adaptive mean pooling is linear.
    reaches: (step, i) => isAdaptiveGeometry(step.geometry) || (base.reaches?.(step as never, i) ?? true),
    cropInput: (step, x, slot, i) =>
      isAdaptiveGeometry(step.geometry) ? undefined : (base.cropInput?.(step as never, x, slot, i) as never),
    cropSize: (c) => (isAdaptive(c) ? undefined : base.cropSize?.(c)),
    affineIn: (c, where) => (isAdaptive(c) ? c.mode === 'mean' : (base.affineIn?.(c, where) ?? false)),
    decisions(c, step, x, f) {
      if (!isAdaptive(c)) return base.decisions?.(c, step as never, x, f as never) ?? [];
      return c.mode === 'max' && f.saved instanceof Int32Array ? f.saved : [];
    },
  };
  const b = base as unknown as K;
  const known = <T>(
    l: KnownLayer<C | AdaptiveConfig, G | AdaptivePoolGeometry>,
    adaptive: (c: AdaptiveConfig) => T,
    windowed: (l: KnownLayer<C | AdaptiveConfig, G | AdaptivePoolGeometry>) => T,
  ) => (isAdaptive(l.config) ? adaptive(l.config) : windowed(l));
  return {
    ...kind,
    ...(b.label && {
      label: (c: C | AdaptiveConfig, g: G | AdaptivePoolGeometry) =>
        isAdaptive(c) ? adaptiveLabel(c) : b.label!(c, g),
    }),
    ...(b.shortRule && {
      shortRule: (l: KnownLayer<C | AdaptiveConfig, G | AdaptivePoolGeometry>, j: number) =>
        known(l, adaptiveShortRule, (w) => b.shortRule!(w, j)),
    }),
    ...(b.torch && {
      torch: (l: KnownLayer<C | AdaptiveConfig, G | AdaptivePoolGeometry>) => known(l, adaptiveTorch, b.torch!),
    }),
    ...(b.tfjs && {
      tfjs: (l: KnownLayer<C | AdaptiveConfig, G | AdaptivePoolGeometry>) =>
        known(l, (c) => adaptiveTfjs(c, l.name, l.output[0]), b.tfjs!),
    }),
  };
}

export { isAdaptive, isAdaptiveGeometry };
export type { AdaptivePoolGeometry };
