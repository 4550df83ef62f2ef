import { type Analysis, check, type CheckOptions, type Diagnostic } from '../../engine';

/** examples/seed.cnn without its comments: 13×13 mean-pooled to 6×6, a 5×5 conv to 2×2, 64 → 96 channels. */
export const SEED = `network seed
input 3x17x17
c1: conv 64 5x5
    sigmoid
p1: pool mean 2x2
c2: conv 96 5x5 in=64
    sigmoid
p2: pool mean 2x2
fc: dense 10
    softmax
`;

/** A diagnostic as tests compare it: code, severity, 1-based line and the exact text its range covers. */
export interface Seen {
  code: string;
  severity: string;
  line: number;
  text: string;
}

export function seen(a: Analysis, d: Diagnostic): Seen {
  return {
    code: d.code,
    severity: d.severity,
    line: a.lines.position(d.range.start).line,
    text: a.document.text.slice(d.range.start, d.range.end),
  };
}

export function diagnose(text: string, options?: CheckOptions): Seen[] {
  const a = check(text, options);
  return a.diagnostics.map((d) => seen(a, d));
}

/** The one diagnostic with `code`, failing if there is not exactly one. */
export function only(text: string, code: string): { a: Analysis; d: Diagnostic } {
  const a = check(text);
  const found = a.diagnostics.filter((d) => d.code === code);
  if (found.length !== 1)
    throw new Error(`expected one ${code}, got ${JSON.stringify(a.diagnostics.map((d) => seen(a, d)))}`);
  return { a, d: found[0] };
}

/** Applies a fix's edits (non-overlapping) to the text. */
export function applyEdits(
  text: string,
  edits: readonly { range: { start: number; end: number }; newText: string }[],
): string {
  return [...edits]
    .sort((x, y) => y.range.start - x.range.start)
    .reduce((t, e) => t.slice(0, e.range.start) + e.newText + t.slice(e.range.end), text);
}

export function shapes(text: string): Record<string, readonly number[] | null> {
  return Object.fromEntries(check(text).layers.map((l) => [l.name, l.output]));
}
