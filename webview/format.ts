/** How the panel writes numbers and shapes: the CLI's conventions (× between dimensions, 2 significant digits). */

/** `64×13×13`; `—` for an empty shape (the input has no δ at an input). */
export function shape(dims: readonly number[]): string {
  return dims.length ? dims.join('×') : '—';
}

/** A relative error, `2.8e-5`; `0` exactly; `—` when the check had nothing to compare (or JSON lost a NaN). */
export function relError(v: number | null): string {
  if (v === null || Number.isNaN(v)) return '—';
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return '∞';
  return v.toExponential(1).replace('e+', 'e');
}

/** A signed value of a heat-map cell, 4 significant digits. */
export function value(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e4 ? v.toPrecision(4) : v.toExponential(3).replace('e+', 'e');
}

/** `980 ms`, `1.39 s`, `2 min 5 s`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** `about 40 s`, `about 12 min`, `under a second`: an estimate, said before a run. */
export function about(ms: number): string {
  if (ms < 1000) return 'under a second';
  const s = ms / 1000;
  if (s < 90) return `about ${Math.round(s)} s`;
  const min = s / 60;
  return min < 90 ? `about ${Math.round(min)} min` : `about ${(min / 60).toFixed(1)} h`;
}

/** `1,234` */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** A file's last path segment, from a path or a URI. */
export function basename(file: string): string {
  const clean = file.replace(/[?#].*$/, '').replace(/\/+$/, '');
  return decodeURIComponent(clean.slice(clean.lastIndexOf('/') + 1)) || file;
}

/** A setting's number as one would type it: `1e-6` rather than `0.000001`. */
export function setting(v: number): string {
  return v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential().replace('e+', 'e') : String(v);
}
