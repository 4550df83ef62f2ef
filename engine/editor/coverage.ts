/**
 * Which rows and columns of each tensor get no gradient because every conv or pool layer reading it slides
 * its windows past them (the seed's row and column 12 of sigmoid1 under p1's 2×2 windows). The geometry is the
 * consumers' own record (each kind's `windows`), read through geometry.ts `uncovered()`, so the table, the diagnostics and the kernels
 * agree on which indices those are.
 */
import type { Analysis } from '../analysis';
import { type Axis, uncovered } from '../geometry';

export interface Uncovered2D {
  /** 0-based rows, then columns, of the tensor's maps that no consumer reads. */
  readonly rows: readonly number[];
  readonly cols: readonly number[];
}

/** Past this many indices per axis the list stops: a table row cannot show more. */
const MAX_LISTED = 4096;

/**
 * For each tensor (the input's name or a layer's) that loses rows or columns: those rows and columns. A
 * tensor read by several layers loses only what none of them reads; a reader without windows (an activation,
 * dense, a merge) reads everything.
 */
export function uncoveredByConsumers(a: Analysis): Map<string, Uncovered2D> {
  const readers = new Map<string, { rows: Set<number> | null; cols: Set<number> | null }[]>();
  for (const l of a.layers) {
    for (const input of l.inputs) {
      const g = l.windows;
      const entry =
        g && l.inputs.length === 1
          ? { rows: missed(g.h), cols: missed(g.w) }
          : { rows: new Set<number>(), cols: new Set<number>() };
      readers.set(input, [...(readers.get(input) ?? []), entry]);
    }
  }
  const result = new Map<string, Uncovered2D>();
  for (const [name, entries] of readers) {
    const rows = intersect(entries.map((e) => e.rows));
    const cols = intersect(entries.map((e) => e.cols));
    if (rows.length || cols.length) result.set(name, { rows, cols });
  }
  return result;
}

/** The indices an axis's windows miss; null when unknown (too many to enumerate), which counts as none. */
function missed(axis: Axis): Set<number> | null {
  const u = uncovered(axis);
  if (!u) return null;
  const out = new Set<number>();
  for (const [from, to] of u.runs) for (let i = from; i <= to && out.size < MAX_LISTED; i++) out.add(i);
  return out;
}

function intersect(sets: readonly (Set<number> | null)[]): number[] {
  if (sets.some((s) => s === null || s.size === 0)) return [];
  const [first, ...rest] = sets as Set<number>[];
  return [...first].filter((i) => rest.every((s) => s.has(i))).sort((x, y) => x - y);
}
