/**
 * Colour arithmetic for the heat-maps' diverging scale. Pure: the theme's colours are read from the page's
 * `--vscode-*` variables by the caller, so the scale follows the theme and is testable in Node.
 */
export type Rgb = readonly [number, number, number];

/** `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb(…)`, `rgba(…)`; alpha is dropped. Undefined for anything else. */
export function parseColor(css: string): Rgb | undefined {
  const c = css.trim();
  let m = /^#([0-9a-f]{3,4})$/i.exec(c);
  if (m) return [0, 1, 2].map((i) => parseInt(m![1][i] + m![1][i], 16)) as unknown as Rgb;
  m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(c);
  if (m) return [0, 2, 4].map((i) => parseInt(m![1].slice(i, i + 2), 16)) as unknown as Rgb;
  m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(c);
  if (m)
    return [Number(m[1]), Number(m[2]), Number(m[3])].map((x) =>
      Math.max(0, Math.min(255, Math.round(x))),
    ) as unknown as Rgb;
  return undefined;
}

export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t)) as unknown as Rgb;
}

export function css(c: Rgb): string {
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/**
 * A diverging scale symmetric about 0: −limit is `negative`, 0 is `middle` (the background), +limit is
 * `positive`, linear in between and clamped outside. A square root eases small values off the background,
 * so a δ a hundred times smaller than the largest still shows.
 */
export function diverging(negative: Rgb, middle: Rgb, positive: Rgb, limit: number): (v: number) => Rgb {
  return (v) => {
    if (!(limit > 0) || !Number.isFinite(v) || v === 0) return middle;
    const t = Math.min(1, Math.sqrt(Math.abs(v) / limit));
    return mix(middle, v < 0 ? negative : positive, t);
  };
}

/** The scale's limit for maps drawn together: the largest finite |value| among them, or 0. */
export function sharedLimit(...maps: readonly (readonly number[])[]): number {
  let limit = 0;
  for (const map of maps) for (const v of map) if (Number.isFinite(v)) limit = Math.max(limit, Math.abs(v));
  return limit;
}
