/** Helpers shared by several layer kinds: option readers, diagnostics about uncovered rows, δ-rule wording. */
import { type Axis, coversAll, uncovered, type Window2D } from '../geometry';
import { formatShape, type Shape } from '../shape';
import type { Diagnostic, TextRange } from '../text';
import { readBool, readInt, readPair, type Pair } from '../values';
import type { ConfigureContext, InferContext, InputRef, OptionSpec } from './kind';

export const pairOption = (doc: string, def: string, min: number): OptionSpec<Pair> => ({
  doc,
  default: def,
  read: (v, report) => readPair(v, doc.split(':')[0], min, report),
});
export const intOption = (doc: string, def: string, min: number): OptionSpec<number> => ({
  doc,
  default: def,
  read: (v, report) => readInt(v, doc.split(':')[0], min, report),
});
export const boolOption = (doc: string, def: string): OptionSpec<boolean> => ({
  doc,
  default: def,
  values: ['true', 'false'],
  read: (v, report) => readBool(v, doc.split(':')[0], report),
});

/** The range of option `key` as written on the statement, if it was. */
export function optionRange(cx: ConfigureContext, key: string): TextRange | undefined {
  return cx.node.options.find((o) => o.key.text === key)?.value.range;
}

/** `conv` and `pool` need a C×H×W input; a vector is a rank mismatch, named with where it comes from. */
export function needsMaps(
  input: InputRef,
  cx: InferContext,
): input is InputRef & { shape: readonly [number, number, number] } {
  if (input.shape.length === 3) return true;
  cx.report({
    severity: 'error',
    code: 'rank-mismatch',
    message: `${cx.layer}: ${cx.node.kind.text} needs a C×H×W input, but ${input.name} gives a vector of ${input.shape[0]}`,
    range: cx.node.kind.range,
  });
  return false;
}

/**
 * The channels a convolution (`conv`, `deconv`) expects against those arriving: `in=` must match them, with a fix
 * to the arriving count, and `groups` must divide both the input channels and the filters. False after a report.
 */
export function channelsFit(
  c: { readonly in?: number; readonly groups: number; readonly filters: number },
  input: InputRef & { shape: readonly [number, number, number] },
  cx: InferContext,
): boolean {
  const C = input.shape[0];
  // An option's range is looked up only when there is something to report at it.
  const inRange = c.in !== undefined && c.in !== C ? optionRange(cx, 'in') : undefined;
  if (inRange) {
    cx.report({
      severity: 'error',
      code: 'channel-mismatch',
      message: `${cx.layer}: in=${c.in} but ${input.name} gives ${C} channels (${formatShape(input.shape)})`,
      range: inRange,
      ...(input.channelsFrom && {
        related: [{ range: input.channelsFrom, message: `the ${C} channels of ${input.name} come from here` }],
      }),
      fixes: [{ title: `Set in=${C}`, edits: [{ range: inRange, newText: `${C}` }], preferred: true }],
    });
    return false;
  }
  const groupsRange = C % c.groups !== 0 || c.filters % c.groups !== 0 ? optionRange(cx, 'groups') : undefined;
  if (groupsRange) {
    const what = C % c.groups !== 0 ? `the ${C} input channels of ${input.name}` : `the ${c.filters} filters`;
    cx.report({
      severity: 'error',
      code: 'channel-mismatch',
      message: `${cx.layer}: groups=${c.groups} does not divide ${what}`,
      range: groupsRange,
    });
    return false;
  }
  return true;
}

/** `row 13`, `rows 12–13`, `rows 3, 6, 9 and 5 more`, 1-based as users count. */
export function describeRuns(
  axisName: 'row' | 'column',
  runs: readonly (readonly [number, number])[],
  count: number,
): string {
  const parts = runs.slice(0, 3).map(([a, b]) => (a === b ? `${a + 1}` : `${a + 1}–${b + 1}`));
  const listed = runs.slice(0, 3).reduce((n, [a, b]) => n + b - a + 1, 0);
  const plural = count > 1 ? `${axisName}s` : axisName;
  return `${plural} ${parts.join(', ')}${count > listed ? ` and ${count - listed} more` : ''}`;
}

/**
 * Describes the input rows and columns that no window reads, or undefined when every one is read.
 * `what` is the text after "get no gradient", so pooling and conv can explain it their own way.
 */
export function uncoveredText(h: Axis, w: Axis): string | undefined {
  // Nearly every layer's windows cover its input; that is quick to see without listing what they miss.
  if (coversAll(h) && coversAll(w)) return undefined;
  const uh = uncovered(h);
  const uw = uncovered(w);
  const parts: string[] = [];
  if (uh && uh.count > 0) parts.push(describeRuns('row', uh.runs, uh.count));
  if (uw && uw.count > 0) parts.push(describeRuns('column', uw.runs, uw.count));
  return parts.length ? parts.join(' and ') : undefined;
}

export function emptyOutput(
  cx: InferContext,
  range: TextRange,
  what: string,
  input: InputRef,
  padded: Shape,
): Diagnostic {
  return {
    severity: 'error',
    code: 'empty-output',
    message: `${cx.layer}: ${what} is larger than its padded input ${formatShape(padded)} (${input.name} gives ${formatShape(input.shape)}); the output would be empty`,
    range,
  };
}

/** `5×5`, or `5×5 dilated by 2 (9×9)`. */
export function kernelText(kh: number, kw: number, dh: number, dw: number): string {
  if (dh === 1 && dw === 1) return `${kh}×${kw}`;
  return `${kh}×${kw} dilated by ${dh === dw ? dh : `${dh}×${dw}`} (${dh * (kh - 1) + 1}×${dw * (kw - 1) + 1})`;
}

/** `1 channel`, `64 channels`. */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** `for each of the 64 channels c`, or `for its one channel c`. */
export function forEach(n: number, noun: string, index: string): string {
  return n === 1 ? `for its one ${noun} ${index}` : `for each of the ${n} ${noun}s ${index}`;
}

/** `2` or `2x3`, as an option value is written. */
export function pairText(p: Pair): string {
  return p.h === p.w ? `${p.h}` : `${p.h}x${p.w}`;
}

export { readBool, readInt, readPair };

/**
 * The edit that sets option `key` to `text` on a layer statement: the value is replaced where the option is
 * written, else ` key=text` goes after the last argument or option, before any `->` assertion.
 */
export function setOption(
  node: ConfigureContext['node'],
  key: string,
  text: string,
): { range: TextRange; newText: string } {
  const existing = node.options.find((o) => o.key.text === key);
  if (existing) return { range: existing.value.range, newText: text };
  const last = [node.kind.range, ...node.args.map((a) => a.range), ...node.options.map((o) => o.range)].reduce(
    (a, b) => (b.end > a.end ? b : a),
  );
  return { range: { start: last.end, end: last.end }, newText: ` ${key}=${text}` };
}

/** padarray calls (rule language) adding `pre` = [rows, columns] before `e` and `post` after, as few as it takes. */
export function padarrayText(e: string, pre: readonly number[], post: readonly number[]): string {
  const zero = (v: readonly number[]) => v[0] === 0 && v[1] === 0;
  if (zero(pre) && zero(post)) return e;
  if (pre[0] === post[0] && pre[1] === post[1]) return `padarray(${e}, [${pre[0]} ${pre[1]}], 'both')`;
  const withPre = zero(pre) ? e : `padarray(${e}, [${pre[0]} ${pre[1]}], 'pre')`;
  return zero(post) ? withPre : `padarray(${withPre}, [${post[0]} ${post[1]}], 'post')`;
}

/** `2`, or `2×3` where the axes differ: how the diagram's labels and short rules write a pair of sizes. */
export const sizePair = (a: number, b: number) => (a === b ? `${a}` : `${a}×${b}`);

/**
 * A windowed layer's diagram label: `head` (`conv 64`, `pool max`), the window, then each setting that differs
 * from its default (stride, padding, dilation) and the kind's own `tail` (`g2`, `ceil`): `conv 64 5×5 s2 p1`.
 */
export function windowLabel(
  head: readonly string[],
  g: Window2D,
  defaultStride: Pair,
  tail: readonly string[],
): string {
  const { h, w } = g;
  const parts = [...head, `${h.kernel}×${w.kernel}`];
  if (h.stride !== defaultStride.h || w.stride !== defaultStride.w) parts.push(`s${sizePair(h.stride, w.stride)}`);
  if (h.padBefore || w.padBefore || h.padAfter || w.padAfter) parts.push(`p${sizePair(h.padBefore, w.padBefore)}`);
  if (h.dilation !== 1 || w.dilation !== 1) parts.push(`d${sizePair(h.dilation, w.dilation)}`);
  return [...parts, ...tail].join(' ');
}

/** δ at a windowed layer's output as its short rule names it: `6×6`, or `dilate(6×6, 2)` for a stride. */
export function strideDeltaText({ h, w }: Window2D): string {
  const plain = `${h.out}×${w.out}`;
  return h.stride === 1 && w.stride === 1 ? plain : `dilate(${plain}, ${sizePair(h.stride, w.stride)})`;
}
