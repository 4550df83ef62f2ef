/**
 * δ heat-maps: one channel of one sample of a layer's δ, analytic (backprop) beside numeric (central
 * differences) beside their difference, on canvas, with one diverging colour scale shared by all three so a
 * wrong δ shows as a different picture and a right one as the same picture twice and a blank difference.
 * Kinks are crossed; rows and columns that no window of the next layer reads (they get no gradient) are hatched.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import { css, diverging, parseColor, type Rgb, sharedLimit } from './colors';
import { h, replace } from './dom';
import * as fmt from './format';
import type { GradcheckResult } from '../engine/run';
import type { Heatmap, LayerInfoView } from './protocol';

export interface HeatmapSelection {
  readonly layer: string;
  readonly sample: number;
  readonly channel: number;
}

/** The largest map kept in the webview's saved state (cells); a larger one is recomputed after a reload. */
const KEEP_CELLS = 1 << 14;
/** The side, in CSS pixels, a map is drawn within: three abreast in the panel's width, within these bounds. */
const MIN_SIDE = 112;
const MAX_SIDE = 240;

function themeColor(name: string, fallback: Rgb): Rgb {
  return parseColor(getComputedStyle(document.documentElement).getPropertyValue(`--vscode-${name}`)) ?? fallback;
}

interface Theme {
  readonly negative: Rgb;
  readonly middle: Rgb;
  readonly positive: Rgb;
  readonly mark: Rgb;
  readonly hatch: Rgb;
}

function theme(): Theme {
  return {
    negative: themeColor('charts-blue', [55, 148, 255]),
    middle: themeColor('editor-background', [30, 30, 30]),
    positive: themeColor('charts-red', [241, 76, 76]),
    mark: themeColor('editor-foreground', [204, 204, 204]),
    hatch: themeColor('editorWarning-foreground', [204, 167, 0]),
  };
}

/** Channels of a layer's output: C of C×H×W, 1 for a vector. */
function channels(view: LayerInfoView | undefined): number {
  return view && view.output.length === 3 ? view.output[0] : 1;
}

export class HeatmapView {
  readonly element: HTMLElement;
  private readonly controls: HTMLElement;
  private readonly body: HTMLElement;
  private layers: readonly LayerInfoView[] = [];
  private batch = 1;
  private selection: HeatmapSelection | undefined;
  private map: Heatmap | undefined;
  private error: string | undefined;
  private pending = false;

  constructor(
    private readonly request: (selection: HeatmapSelection) => void,
    /** Called when what the view shows or keeps has changed: save it and report the render. */
    private readonly changed: () => void,
  ) {
    this.controls = h('div', { class: 'heatmap-controls' });
    this.body = h('div', { class: 'heatmap-body' });
    this.element = h(
      'section',
      { class: 'heatmap', 'aria-labelledby': 'heatmap-title' },
      h('h2', { id: 'heatmap-title' }, 'δ heat-map'),
      h(
        'p',
        { class: 'muted hint' },
        "Computes every coordinate of one channel of one sample of a layer's δ, numerically and by backprop.",
      ),
      this.controls,
      this.body,
    );
  }

  /** A new result (or the same one, restored): offer its layers, keep a selection and map that still fit. */
  setRun(
    result: GradcheckResult,
    layers: readonly LayerInfoView[],
    kept?: { readonly selection?: HeatmapSelection; readonly heatmap?: Heatmap },
  ): void {
    this.layers = layers.filter((l) => result.layers.some((r) => r.name === l.name));
    this.batch = result.batch;
    const fits = (s: HeatmapSelection | undefined) => {
      const view = this.layers.find((l) => l.name === s?.layer);
      return s && view && s.sample < this.batch && s.channel < channels(view) ? s : undefined;
    };
    const failing = result.layers.find((l) => !l.delta.passed)?.name;
    const preferred =
      this.layers.find((l) => l.uncovered && (l.uncovered.rows.length || l.uncovered.cols.length)) ??
      this.layers.find((l) => l.name === failing) ??
      this.layers[1] ??
      this.layers[0];
    this.selection =
      fits(kept?.selection) ?? fits(this.selection) ?? (preferred && { layer: preferred.name, sample: 0, channel: 0 });
    const map = kept?.heatmap;
    this.map = map && this.selection && same(map, this.selection) ? map : undefined;
    this.error = undefined;
    this.pending = false;
    this.renderControls();
    this.renderBody();
  }

  receive(map: Heatmap): void {
    if (!this.selection || !same(map, this.selection)) return; // an answer to a request since superseded
    this.map = map;
    this.pending = false;
    this.error = undefined;
    this.renderBody();
    this.element.scrollIntoView({ block: 'nearest' });
    this.changed();
  }

  receiveError(layer: string, message: string): void {
    if (this.selection?.layer !== layer) return;
    this.pending = false;
    this.error = message;
    this.renderBody();
    this.changed();
  }

  /** Redraws the maps in the theme's current colours, at the panel's current width. */
  redraw(): void {
    if (this.map) this.renderBody();
  }

  /** What is kept across a reload. */
  memory(): { selection?: HeatmapSelection; heatmap?: Heatmap } {
    const keep = this.map && this.map.shape[0] * this.map.shape[1] <= KEEP_CELLS;
    return { ...(this.selection && { selection: this.selection }), ...(keep && { heatmap: this.map }) };
  }

  /** The map drawn, in words, for the `rendered` report. */
  describe(): string | undefined {
    if (this.error !== undefined) return `error: ${this.error}`;
    const m = this.map;
    if (!m) return undefined;
    const u = this.uncovered(m);
    return (
      `${m.layer} sample ${m.sample} channel ${m.channel} ${m.shape[0]}×${m.shape[1]}` +
      (m.kinks.length ? ` kinks ${m.kinks.length}` : '') +
      (u.rows.length || u.cols.length
        ? ` uncovered rows ${u.rows.join(',') || '-'} cols ${u.cols.join(',') || '-'}`
        : '')
    );
  }

  /** The map's uncovered rows and columns, within its shape (a vector's map has none). */
  private uncovered(m: Heatmap): { rows: number[]; cols: number[] } {
    const u = this.layers.find((l) => l.name === m.layer)?.uncovered;
    const view = this.layers.find((l) => l.name === m.layer);
    if (!u || view?.output.length !== 3) return { rows: [], cols: [] };
    return { rows: u.rows.filter((r) => r < m.shape[0]), cols: u.cols.filter((c) => c < m.shape[1]) };
  }

  private select(
    id: string,
    label: string,
    options: readonly { value: string; label: string; description?: string }[],
    value: string,
    onChange: (v: string) => void,
  ): HTMLElement {
    const select = h(
      'vscode-single-select',
      { id, 'aria-label': label },
      ...options.map((o) =>
        h(
          'vscode-option',
          {
            value: o.value,
            ...(o.description && { description: o.description }),
            ...(o.value === value && { selected: true }),
          },
          o.label,
        ),
      ),
    );
    select.addEventListener('change', () => onChange(select.value));
    return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), select);
  }

  private renderControls(): void {
    const sel = this.selection;
    if (!sel) {
      replace(this.controls, h('p', { class: 'muted' }, 'No layer to map.'));
      return;
    }
    const view = this.layers.find((l) => l.name === sel.layer);
    const update = (next: Partial<HeatmapSelection>) => {
      const layerChanged = next.layer !== undefined && next.layer !== sel.layer;
      this.selection = { ...sel, ...next, ...(layerChanged && { channel: 0 }) };
      this.renderControls();
      this.changed();
    };
    const compute = h(
      'vscode-button',
      { id: 'heatmap-compute' },
      this.map && same(this.map, sel) ? 'Recompute' : 'Compute',
    );
    compute.addEventListener('click', () => {
      if (!this.selection) return;
      this.pending = true;
      this.error = undefined;
      this.request(this.selection);
      this.renderBody();
    });
    replace(
      this.controls,
      this.select(
        'heatmap-layer',
        'Layer',
        this.layers.map((l) => ({ value: l.name, label: l.name, description: `${l.kind} ${fmt.shape(l.output)}` })),
        sel.layer,
        (v) => update({ layer: v }),
      ),
      this.select(
        'heatmap-sample',
        'Sample',
        range(this.batch).map((i) => ({ value: String(i), label: String(i) })),
        String(sel.sample),
        (v) => update({ sample: Number(v) }),
      ),
      this.select(
        'heatmap-channel',
        'Channel',
        range(channels(view)).map((i) => ({ value: String(i), label: String(i) })),
        String(sel.channel),
        (v) => update({ channel: Number(v) }),
      ),
      h('div', { class: 'field button-field' }, compute),
    );
  }

  private renderBody(): void {
    if (this.pending) {
      replace(
        this.body,
        h(
          'div',
          { class: 'pending' },
          h('vscode-progress-bar', { 'aria-label': 'Computing the heat-map' }),
          h('span', { class: 'muted' }, 'Computing δ numerically, coordinate by coordinate…'),
        ),
      );
      return;
    }
    if (this.error !== undefined) {
      replace(this.body, h('p', { class: 'error-message', role: 'alert' }, this.error));
      return;
    }
    const m = this.map;
    if (!m) {
      replace(this.body);
      return;
    }
    const t = theme();
    const diff = m.analytic.map((a, i) => a - m.numeric[i]);
    const limit = sharedLimit(m.analytic, m.numeric, diff);
    const scale = diverging(t.negative, t.middle, t.positive, limit);
    const [H, W] = m.shape;
    const side = Math.max(MIN_SIDE, Math.min(MAX_SIDE, Math.floor((this.element.clientWidth - 2 * 16 - 4) / 3)));
    const cell = Math.max(1, Math.min(24, Math.floor(side / Math.max(H, W))));
    const u = this.uncovered(m);
    const readout = h('div', { class: 'readout muted', 'aria-live': 'off' }, 'Hover a cell for its values.');
    const maxDiff = sharedLimit(diff);
    const panel = (title: string, values: readonly number[], note: string) => {
      const canvas = h('canvas', { class: 'map', role: 'img', 'aria-label': `${title}, ${H}×${W}` });
      draw(canvas, values, H, W, cell, scale, t, m.kinks, u);
      canvas.addEventListener('mousemove', (e) => {
        const r = Math.floor(e.offsetY / cell);
        const c = Math.floor(e.offsetX / cell);
        if (r < 0 || c < 0 || r >= H || c >= W) return;
        const i = r * W + c;
        const flags = [m.kinks.includes(i) && 'kink', (u.rows.includes(r) || u.cols.includes(c)) && 'no gradient']
          .filter(Boolean)
          .join(', ');
        readout.textContent = `row ${r}, column ${c}: analytic ${fmt.value(m.analytic[i])} · numeric ${fmt.value(m.numeric[i])} · a − n ${fmt.value(diff[i])}${flags ? ` (${flags})` : ''}`;
      });
      return h(
        'figure',
        { class: 'map-figure' },
        h('figcaption', {}, h('span', {}, title), h('span', { class: 'muted' }, note)),
        canvas,
      );
    };
    const notes = [
      m.kinks.length
        ? h(
            'span',
            { class: 'key' },
            keySwatch('kink', t),
            `${m.kinks.length} kink${m.kinks.length === 1 ? '' : 's'} (inconclusive)`,
          )
        : null,
      u.rows.length || u.cols.length
        ? h(
            'span',
            { class: 'key' },
            keySwatch('hatch', t),
            `no gradient: ${[u.rows.length && `row${u.rows.length > 1 ? 's' : ''} ${u.rows.map((r) => r + 1).join(', ')}`, u.cols.length && `column${u.cols.length > 1 ? 's' : ''} ${u.cols.map((c) => c + 1).join(', ')}`].filter(Boolean).join(' and ')} — no window of the next layer reads them`,
          )
        : null,
    ];
    replace(
      this.body,
      h(
        'div',
        { class: 'maps', id: 'heatmap-maps', 'data-heatmap': this.describe() ?? '' },
        panel('Analytic δ', m.analytic, 'backprop'),
        panel('Numeric δ', m.numeric, 'central differences'),
        panel('Difference', diff, `max |a − n| ${fmt.relError(maxDiff)}`),
      ),
      h('div', { class: 'legend-row' }, legend(scale, limit), ...notes),
      readout,
    );
  }
}

function same(m: HeatmapSelection, s: HeatmapSelection): boolean {
  return m.layer === s.layer && m.sample === s.sample && m.channel === s.channel;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Sizes `canvas` for `w`×`h` CSS pixels at the screen's density and returns its context in CSS pixels. */
function context(canvas: HTMLCanvasElement, w: number, h: number): CanvasRenderingContext2D {
  const dpr = Math.max(1, Math.round(window.devicePixelRatio || 1));
  canvas.width = w * dpr;
  canvas.height = h * dpr;
  canvas.style.width = `${w}px`;
  canvas.style.height = `${h}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.scale(dpr, dpr);
  return ctx;
}

function hatchPattern(ctx: CanvasRenderingContext2D, color: Rgb): CanvasPattern | null {
  const tile = document.createElement('canvas');
  tile.width = tile.height = 6;
  const t = tile.getContext('2d')!;
  t.strokeStyle = css(color);
  t.lineWidth = 1.25;
  t.beginPath();
  t.moveTo(-1, 7);
  t.lineTo(7, -1);
  t.moveTo(5, 7);
  t.lineTo(7, 5);
  t.moveTo(-1, 1);
  t.lineTo(1, -1);
  t.stroke();
  return ctx.createPattern(tile, 'repeat');
}

function draw(
  canvas: HTMLCanvasElement,
  values: readonly number[],
  H: number,
  W: number,
  cell: number,
  scale: (v: number) => Rgb,
  t: Theme,
  kinks: readonly number[],
  u: { rows: readonly number[]; cols: readonly number[] },
): void {
  const ctx = context(canvas, W * cell, H * cell);
  for (let r = 0; r < H; r++) {
    for (let c = 0; c < W; c++) {
      ctx.fillStyle = css(scale(values[r * W + c]));
      ctx.fillRect(c * cell, r * cell, cell, cell);
    }
  }
  if (u.rows.length || u.cols.length) {
    const pattern = hatchPattern(ctx, t.hatch);
    ctx.save();
    ctx.globalAlpha = 0.85;
    if (pattern) ctx.fillStyle = pattern;
    ctx.strokeStyle = css(t.hatch);
    ctx.lineWidth = 1;
    for (const r of u.rows) {
      ctx.fillRect(0, r * cell, W * cell, cell);
      ctx.strokeRect(0.5, r * cell + 0.5, W * cell - 1, cell - 1);
    }
    for (const c of u.cols) {
      ctx.fillRect(c * cell, 0, cell, H * cell);
      ctx.strokeRect(c * cell + 0.5, 0.5, cell - 1, H * cell - 1);
    }
    ctx.restore();
  }
  ctx.strokeStyle = css(t.mark);
  ctx.fillStyle = css(t.mark);
  ctx.lineWidth = 1.25;
  for (const k of kinks) {
    const x = (k % W) * cell;
    const y = Math.floor(k / W) * cell;
    if (cell >= 6) {
      const p = Math.max(1.5, cell * 0.22);
      ctx.beginPath();
      ctx.moveTo(x + p, y + p);
      ctx.lineTo(x + cell - p, y + cell - p);
      ctx.moveTo(x + cell - p, y + p);
      ctx.lineTo(x + p, y + cell - p);
      ctx.stroke();
    } else {
      ctx.fillRect(x, y, cell, cell);
    }
  }
}

/** The colour scale as a bar from −limit through 0 to +limit. */
function legend(scale: (v: number) => Rgb, limit: number): HTMLElement {
  const bar = h('canvas', {
    class: 'scale',
    role: 'img',
    'aria-label': `colour scale from ${fmt.value(-limit)} to ${fmt.value(limit)}`,
  });
  const w = 160;
  const ctx = context(bar, w, 10);
  for (let x = 0; x < w; x++) {
    ctx.fillStyle = css(scale(((x + 0.5) / w) * 2 * limit - limit));
    ctx.fillRect(x, 0, 1, 10);
  }
  return h(
    'span',
    { class: 'key scale-key' },
    h('span', { class: 'scale-label' }, fmt.value(-limit)),
    bar,
    h('span', { class: 'scale-label' }, fmt.value(limit)),
  );
}

/** A small swatch drawn like the marks on the maps. */
function keySwatch(kind: 'kink' | 'hatch', t: Theme): HTMLCanvasElement {
  const c = h('canvas', { class: 'swatch', 'aria-hidden': 'true' });
  const ctx = context(c, 12, 12);
  ctx.fillStyle = css(t.middle);
  ctx.fillRect(0, 0, 12, 12);
  if (kind === 'hatch') {
    const p = hatchPattern(ctx, t.hatch);
    if (p) ctx.fillStyle = p;
    ctx.fillRect(0, 0, 12, 12);
    ctx.strokeStyle = css(t.hatch);
    ctx.strokeRect(0.5, 0.5, 11, 11);
  } else {
    ctx.strokeStyle = css(t.mark);
    ctx.lineWidth = 1.25;
    ctx.beginPath();
    ctx.moveTo(3, 3);
    ctx.lineTo(9, 9);
    ctx.moveTo(9, 3);
    ctx.lineTo(3, 9);
    ctx.stroke();
  }
  return c;
}
