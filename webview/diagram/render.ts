/**
 * The laid-out diagram as SVG markup: one string, set once per draw (thousands of nodes in one parse, rather
 * than one DOM call per element), and the same string an export saves. Colours are classes (style.ts), never
 * inline styles, so the webview's CSP needs no 'unsafe-inline'; the cost overlay's strength is a
 * `fill-opacity` attribute.
 */
import type { DiagramEdge, DiagramModel, DiagramNode } from '../../engine/editor/diagram';
import { TITLE as FRAME_TITLE } from './groups';
import { CHAR_WIDTH, FONT_SIZE, type Layout, LINE_HEIGHT, NODE_PAD, type View } from './layout';

export type Overlay = 'none' | 'params' | 'macs' | 'memory';

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n1 = (v: number) => Math.round(v * 10) / 10;

export const OVERLAY_TEXT: Record<Exclude<Overlay, 'none'>, string> = {
  params: 'parameters',
  macs: 'multiply-adds',
  memory: 'activation memory (float32, per sample)',
};

export function costOf(n: DiagramNode, overlay: Overlay): number {
  return overlay === 'params' ? n.params : overlay === 'macs' ? n.macs : overlay === 'memory' ? n.memoryBytes : 0;
}

/** 1,234,567 → 1.2M; bytes → KiB/MiB. */
export function compact(v: number, overlay: Overlay): string {
  if (overlay === 'memory') return v >= 2 ** 20 ? `${(v / 2 ** 20).toFixed(1)} MiB` : `${(v / 1024).toFixed(1)} KiB`;
  return v >= 1e9
    ? `${(v / 1e9).toFixed(1)}G`
    : v >= 1e6
      ? `${(v / 1e6).toFixed(1)}M`
      : v >= 1e3
        ? `${(v / 1e3).toFixed(1)}k`
        : `${v}`;
}

export interface RenderOptions {
  readonly view: View;
  readonly overlay: Overlay;
  readonly current: string | null;
  /**
   * Write only the labels of nodes and edges inside this rectangle (diagram coordinates); absent: every label,
   * as an export needs. Text is most of what the browser spends on a big diagram (a 2,000-layer network has
   * 10,000 lines of it), and it is unreadable when zoomed far out or off screen: the webview writes what the
   * user can read and writes the labels again when the view moves (`renderLabels`).
   */
  readonly visible?: Rect;
  /**
   * Drawn for a file, which has no script: each edge carries its tip (`edgeTips`) as a `<title>`. The webview
   * shows the tip itself, at once, for the edge nearest the pointer (hover.ts).
   */
  readonly file?: boolean;
}

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The node's classes: its kind's, its diagnostics', its verdict's, whether it is the cursor's. */
function nodeClasses(n: DiagramNode, verdict: string | undefined, current: string | null): string {
  const c = ['node'];
  if (n.kind === 'input' || n.kind === 'loss' || n.kind === 'block') c.push(n.kind);
  if (n.severity === 'error' || n.severity === 'warning') c.push(n.severity);
  if (n.unknownStart) c.push('unknown-start');
  if (verdict !== undefined) {
    c.push(verdict.startsWith('✓') ? 'passed' : 'failing');
    if (verdict.includes('its rule is wrong')) c.push('blamed');
  }
  if (n.id === current) c.push('current');
  return c.join(' ');
}

/** The verdict line, when the node has one (after a check). */
const verdictOf = (lines: readonly string[]) => (lines.length > 3 ? lines[lines.length - 1] : undefined);

export function renderSvg(model: DiagramModel, layout: Layout, o: RenderOptions, extraCss = ''): string {
  // Per drawn node: a collapsed use is one node, its layers' sum.
  const costs = layout.nodes.map((p) => costOf(p.node, o.overlay));
  const max = Math.max(1, ...costs);
  const tip = o.file ? edgeTips(layout, o.view) : undefined;
  const out: string[] = [];
  const legendHeight = o.overlay === 'none' ? 0 : 44;
  const key = o.overlay === 'none' ? undefined : legendText(model, o.overlay, max);
  const width = Math.ceil(Math.max(layout.width, 320, key ? LEGEND_TEXT_X + key.length * CHAR_WIDTH + 16 : 0));
  const height = Math.ceil(layout.height + legendHeight);
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="diagram" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-size="${FONT_SIZE}">`,
  );
  if (extraCss) out.push(`<style>${extraCss}</style>`);
  out.push(
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrow" d="M0,0 L10,5 L0,10 z"/></marker></defs>',
  );
  out.push(renderFrames(layout));
  out.push('<g class="edges">');
  for (const e of layout.edges) {
    const d = e.points.map((p, i) => `${i ? 'L' : 'M'}${n1(p.x)},${n1(p.y)}`).join(' ');
    const hover = tip ? `<title>${escape(tip(e.edge))}</title>` : '';
    out.push(
      `<g class="edge${e.edge.shape === '?' ? ' unknown' : ''}" data-from="${escape(e.edge.from)}" data-to="${escape(e.edge.to)}" data-index="${e.edge.index}">${hover}<path d="${d}" marker-end="url(#arrow)"/></g>`,
    );
  }
  out.push('</g><g class="nodes">');
  layout.nodes.forEach((p, i) => {
    const n = p.node;
    const x = n1(p.x - p.width / 2);
    const y = n1(p.y - p.height / 2);
    const title = [`${n.id}: ${n.label}${n.line ? `, line ${n.line}` : ''}`, ...n.messages].join('\n');
    out.push(
      `<g class="${nodeClasses(n, verdictOf(p.lines), o.current)}" data-name="${escape(n.id)}"${p.group ? ` data-group="${escape(p.group.id)}" aria-expanded="false"` : ''} tabindex="0" role="button" aria-label="${escape(p.lines.join(', '))}"><title>${escape(title)}</title>`,
    );
    out.push(`<rect x="${x}" y="${y}" width="${n1(p.width)}" height="${n1(p.height)}" rx="4"/>`);
    if (o.overlay !== 'none' && costs[i] > 0)
      out.push(
        `<rect class="cost" x="${x}" y="${y}" width="${n1(p.width)}" height="${n1(p.height)}" rx="4" fill-opacity="${(0.1 + (0.5 * Math.log1p(costs[i])) / Math.log1p(max)).toFixed(3)}"/>`,
      );
    out.push('</g>');
  });
  out.push(`</g><g class="labels">${renderLabels(layout, o.visible)}</g>`);
  if (key) out.push(legend(key, layout.height));
  out.push('</svg>');
  return out.join('');
}

/**
 * What hovering an edge shows: the tensor it carries, the node that makes it and every node that reads it, with
 * their lines; in the backward view also the δ sent back along it and its rule. Of the graph as drawn, where a
 * collapsed use is one node.
 */
export function edgeTips(layout: Layout, view: View): (e: DiagramEdge) => string {
  const nodes = new Map(layout.nodes.map((p) => [p.node.id, p.node]));
  const readers = new Map<string, string[]>();
  for (const { edge: e } of layout.edges) {
    const list = readers.get(e.from) ?? [];
    if (!list.includes(e.to)) list.push(e.to);
    readers.set(e.from, list);
  }
  const at = (id: string) => {
    const line = nodes.get(id)?.line;
    return line ? `${id} (line ${line})` : id;
  };
  return (e) => {
    const made = nodes.get(e.from);
    return [
      `${e.from}'s output ${e.shape}`,
      `made by ${made ? `${at(e.from)}: ${made.label}` : e.from}`,
      `read by ${(readers.get(e.from) ?? []).map(at).join(', ')}`,
      ...(view === 'backward' ? [`δ back to ${e.from}: ${e.rule}`] : []),
    ].join('\n');
  };
}

const inside = (r: Rect, x: number, y: number, w: number, h: number) =>
  x + w / 2 >= r.x && x - w / 2 <= r.x + r.width && y + h / 2 >= r.y && y - h / 2 <= r.y + r.height;

/**
 * The text of the nodes and edge labels inside `visible` (all when absent): the content of `<g class="labels">`,
 * drawn above the boxes and transparent to the pointer, so a click on a name lands on its node.
 */
export function renderLabels(layout: Layout, visible?: Rect): string {
  if (visible && (visible.width <= 0 || visible.height <= 0)) return '';
  const out: string[] = [];
  for (const g of layout.groups) {
    const top = g.y - g.height / 2;
    const x = g.x - g.width / 2 + NODE_PAD;
    if (visible && !inside(visible, g.x, top + FRAME_TITLE / 2, g.width, FRAME_TITLE)) continue;
    out.push(`<text class="frame-title" x="${n1(x)}" y="${n1(top + FRAME_TITLE * 0.7)}">${escape(g.title)}</text>`);
  }
  for (const e of layout.edges) {
    const l = e.label;
    if (visible && !inside(visible, l.x, l.y, l.width, l.height)) continue;
    out.push(
      `<text class="edge-label${e.edge.shape === '?' ? ' unknown' : ''}" x="${n1(l.x)}" y="${n1(l.y + FONT_SIZE * 0.35)}" text-anchor="middle">${escape(l.text)}</text>`,
    );
  }
  for (const p of layout.nodes) {
    if (visible && !inside(visible, p.x, p.y, p.width, p.height)) continue;
    const x = n1(p.x - p.width / 2);
    const y = n1(p.y - p.height / 2);
    const verdict = verdictOf(p.lines);
    p.lines.forEach((line, j) => {
      const cls = j === 0 ? 'name' : j === 3 ? `verdict ${verdict!.startsWith('✓') ? 'passed' : 'failing'}` : 'sub';
      out.push(
        `<text class="${cls}" x="${x + NODE_PAD}" y="${n1(y + NODE_PAD + j * LINE_HEIGHT + LINE_HEIGHT * 0.75)}">${escape(line)}</text>`,
      );
    });
  }
  return out.join('');
}

/** Expanded uses of blocks: a frame behind their layers, a click (or Enter) on it collapses the use. */
function renderFrames(layout: Layout): string {
  const out = ['<g class="frames">'];
  for (const g of layout.groups) {
    const label = `${g.title}: ${g.group.members.length} layers, line ${g.group.line}`;
    out.push(
      `<g class="frame" data-group="${escape(g.group.id)}" aria-expanded="true" tabindex="0" role="button" aria-label="${escape(label)}"><title>${escape(label)}</title><rect x="${n1(g.x - g.width / 2)}" y="${n1(g.y - g.height / 2)}" width="${n1(g.width)}" height="${n1(g.height)}" rx="6"/></g>`,
    );
  }
  out.push('</g>');
  return out.join('');
}

const LEGEND_STEPS = 8;
const LEGEND_TEXT_X = 16 + LEGEND_STEPS * 20 + 8;

function legendText(model: DiagramModel, overlay: Exclude<Overlay, 'none'>, max: number): string {
  const total =
    overlay === 'params' ? model.totals.params : overlay === 'macs' ? model.totals.macs : model.totals.memoryBytes;
  return `${OVERLAY_TEXT[overlay]}: 0 … ${compact(max, overlay)} per layer (log scale) · total ${compact(total, overlay)}`;
}

/** The colour scale (log, from 0 to the largest node's cost) and the network's total, below the figure. */
function legend(text: string, top: number): string {
  const cells: string[] = [];
  for (let i = 0; i < LEGEND_STEPS; i++)
    cells.push(
      `<rect class="cost" x="${16 + i * 20}" y="${top + 8}" width="20" height="12" fill-opacity="${(0.1 + (0.5 * i) / (LEGEND_STEPS - 1)).toFixed(3)}"/>`,
    );
  return `<g class="legend">${cells.join('')}<text x="${LEGEND_TEXT_X}" y="${top + 18}">${escape(text)}</text></g>`;
}
