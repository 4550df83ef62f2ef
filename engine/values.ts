/**
 * Readers for the values written in arguments and options. Each checks one kind of value, reports
 * `bad-value` at the exact text when it is wrong, and returns undefined then, so the caller stops guessing.
 */
import { dimRange, type Value } from './syntax';
import type { Diagnostic, TextRange } from './text';

export type Report = (diagnostic: Diagnostic) => void;

/** A height and width, written `N` (both) or `HxW`. */
export interface Pair {
  readonly h: number;
  readonly w: number;
}

function bad(report: Report, range: TextRange, message: string): undefined {
  report({ severity: 'error', code: 'bad-value', message, range });
  return undefined;
}

function describe(v: Value): string {
  return v.kind === 'missing' ? 'nothing' : `'${v.text}'`;
}

/** Whole numbers ≥ `min`, each within JavaScript's safe integers. */
function wholeDims(v: Value, what: string, min: number, report: Report): readonly number[] | undefined {
  if (v.kind === 'missing') return undefined; // the parser has reported it
  if (v.kind !== 'number' && v.kind !== 'shape')
    return bad(report, v.range, `${what} must be a whole number, not ${describe(v)}`);
  // Read once: a parsed value reads its dims from its text on each access.
  const dims = v.dims;
  for (let i = 0; i < dims.length; i++) {
    const d = dims[i];
    if (Number.isSafeInteger(d) && d >= min) continue;
    // Only a dimension that is wrong needs its range.
    const at = dimRange(v, i);
    if (d === Infinity || d === -Infinity || (Number.isInteger(d) && !Number.isSafeInteger(d)))
      return bad(report, at, `${what} is too large (the limit is 2^53 − 1)`);
    if (!Number.isInteger(d))
      return bad(
        report,
        at,
        `${what} must be a whole number, not ${v.text.slice(at.start - v.range.start, at.end - v.range.start)}`,
      );
    return bad(report, at, `${what} must be ${min === 0 ? 'zero or more' : `at least ${min}`}, not ${d}`);
  }
  return dims;
}

export function readInt(v: Value, what: string, min: number, report: Report): number | undefined {
  const dims = wholeDims(v, what, min, report);
  if (!dims) return undefined;
  if (dims.length !== 1) return bad(report, v.range, `${what} is one number, not the shape ${v.text}`);
  return dims[0];
}

/** `N` means N×N; `HxW` gives each. */
export function readPair(v: Value, what: string, min: number, report: Report): Pair | undefined {
  const dims = wholeDims(v, what, min, report);
  if (!dims) return undefined;
  if (dims.length > 2) return bad(report, v.range, `${what} is N or HxW, not ${v.text}`);
  return { h: dims[0], w: dims[dims.length - 1] };
}

/** A shape of 1 to 3 whole dimensions ≥ 1, for inputs and `->` assertions. */
export function readShape(v: Value, what: string, report: Report): readonly number[] | undefined {
  const dims = wholeDims(v, what, 1, report);
  if (!dims) return undefined;
  if (dims.length !== 1 && dims.length !== 3)
    return bad(report, v.range, `${what} is C×H×W or a vector length N, not ${v.text}`);
  return dims;
}

export function readNumber(
  v: Value,
  what: string,
  ok: (n: number) => boolean,
  expected: string,
  report: Report,
): number | undefined {
  if (v.kind === 'missing') return undefined;
  const n = v.kind === 'number' ? v.dims[0] : NaN;
  if (!Number.isFinite(n)) return bad(report, v.range, `${what} must be a number, not ${describe(v)}`);
  return ok(n) ? n : bad(report, v.range, `${what} must be ${expected}, not ${v.text}`);
}

export function readBool(v: Value, what: string, report: Report): boolean | undefined {
  if (v.kind === 'missing') return undefined;
  if (v.kind === 'word' && (v.text === 'true' || v.text === 'false')) return v.text === 'true';
  return bad(report, v.range, `${what} must be true or false, not ${describe(v)}`);
}

export function readWord<W extends string>(v: Value, what: string, words: readonly W[], report: Report): W | undefined {
  if (v.kind === 'missing') return undefined;
  if (v.kind === 'word' && (words as readonly string[]).includes(v.text)) return v.text as W;
  const suggestion = v.kind === 'word' ? didYouMean(v.text, words) : undefined;
  return bad(
    report,
    v.range,
    `${what} must be ${words.map((w) => `'${w}'`).join(', ')}, not ${describe(v)}${suggestion ? `; did you mean '${suggestion}'?` : ''}`,
  );
}

/** The closest of `candidates` to `word` when it is close enough to be a misspelling. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > 64) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  const allowed = word.length <= 3 ? 1 : word.length <= 6 ? 2 : 3;
  for (const c of candidates) {
    if (Math.abs(c.length - lower.length) > allowed) continue;
    const d = c === lower ? 0 : editDistance(lower, c);
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return bestDistance <= allowed ? best : undefined;
}

/** Optimal string alignment distance: a swap of two neighbours counts as one edit, as typos do. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j] + 1, d[i * cols + j - 1] + 1, d[(i - 1) * cols + j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[(i - 2) * cols + j - 2] + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1];
}
