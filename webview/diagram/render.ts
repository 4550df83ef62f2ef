/**
 * The laid-out diagram as SVG markup: one string, set once per draw (thousands of nodes in one parse, rather
 * than one DOM call per element), and the same string an export saves. Colours are classes (style.ts), never
 * inline styles, so the webview's CSP needs no 'unsafe-inline'; the cost overlay's strength is a
 * `fill-opacity` attribute.
 */
import type { DiagramModel, DiagramNode } from '../../engine/editor/diagram';
import { FONT_SIZE, type Layout, LINE_HEIGHT, NODE_PAD, type View } from './layout';

export type Overlay = 'none' | 'params' | 'macs' | 'memory';

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n1 = (v: number) => Math.round(v * 10) / 10;

export const OVERLAY_TEXT: Record<Exclude<Overlay, 'none'>, string> = { params: 'parameters', macs: 'multiply-adds', memory: 'activation memory (float32, per sample)' };

export function costOf(n: DiagramNode, overlay: Overlay): number {
  return overlay === 'params' ? n.params : overlay === 'macs' ? n.macs : overlay === 'memory' ? n.memoryBytes : 0;
}

/** 1,234,567 → 1.2M; bytes → KiB/MiB. */
export function compact(v: number, overlay: Overlay): string {
  if (overlay === 'memory') return v >= 2 ** 20 ? `${(v / 2 ** 20).toFixed(1)} MiB` : `${(v / 1024).toFixed(1)} KiB`;
  return v >= 1e9 ? `${(v / 1e9).toFixed(1)}G` : v >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : `${v}`;
}

export interface RenderOptions {
  readonly view: View;
  readonly overlay: Overlay;
  readonly current: string | null;
}

/** The node's classes: its kind's, its diagnostics', its verdict's, whether it is the cursor's. */
function nodeClasses(n: DiagramNode, lines: readonly string[], current: string | null, verdictLine: boolean): string {
  const c = ['node'];
  if (n.kind === 'input' || n.kind === 'loss') c.push(n.kind);
  if (n.severity === 'error' || n.severity === 'warning') c.push(n.severity);
  if (n.unknownStart) c.push('unknown-start');
  if (verdictLine) {
    const v = lines[lines.length - 1];
    c.push(v.startsWith('✓') ? 'passed' : 'failing');
    if (v.includes('its rule is wrong')) c.push('blamed');
  }
  if (n.id === current) c.push('current');
  return c.join(' ');
}

export function renderSvg(model: DiagramModel, layout: Layout, o: RenderOptions, extraCss = ''): string {
  const costs = model.nodes.map((n) => costOf(n, o.overlay));
  const max = Math.max(1, ...costs);
  const readers = new Map<string, string[]>();
  for (const e of model.edges) readers.set(e.from, [...(readers.get(e.from) ?? []), e.to]);
  const out: string[] = [];
  const legendHeight = o.overlay === 'none' ? 0 : 44;
  const width = Math.ceil(Math.max(layout.width, 320));
  const height = Math.ceil(layout.height + legendHeight);
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="diagram" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-size="${FONT_SIZE}">`);
  if (extraCss) out.push(`<style>${extraCss}</style>`);
  out.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrow" d="M0,0 L10,5 L0,10 z"/></marker></defs>');
  out.push('<g class="edges">');
  for (const e of layout.edges) {
    const d = e.points.map((p, i) => `${i ? 'L' : 'M'}${n1(p.x)},${n1(p.y)}`).join(' ');
    const producer = e.edge.from;
    const title = `${producer}'s output ${e.edge.shape}, read by ${(readers.get(producer) ?? []).join(', ')}${o.view === 'backward' ? `\nδ back to ${producer}: ${e.edge.rule}` : ''}`;
    out.push(`<g class="edge${e.edge.shape === '?' ? ' unknown' : ''}" data-from="${escape(e.edge.from)}" data-to="${escape(e.edge.to)}"><title>${escape(title)}</title><path d="${d}" marker-end="url(#arrow)"/>`);
    out.push(`<text x="${n1(e.label.x)}" y="${n1(e.label.y)}" text-anchor="middle" dominant-baseline="middle">${escape(e.label.text)}</text></g>`);
  }
  out.push('</g><g class="nodes">');
  layout.nodes.forEach((p, i) => {
    const n = p.node;
    const verdictLine = p.lines.length > 3;
    const x = n1(p.x - p.width / 2);
    const y = n1(p.y - p.height / 2);
    const title = [`${n.id}: ${n.label}${n.line ? `, line ${n.line}` : ''}`, ...n.messages].join('\n');
    out.push(`<g class="${nodeClasses(n, p.lines, o.current, verdictLine)}" data-name="${escape(n.id)}" tabindex="0" role="button" aria-label="${escape(p.lines.join(', '))}"><title>${escape(title)}</title>`);
    out.push(`<rect x="${x}" y="${y}" width="${n1(p.width)}" height="${n1(p.height)}" rx="4"/>`);
    if (o.overlay !== 'none' && costs[i] > 0) out.push(`<rect class="cost" x="${x}" y="${y}" width="${n1(p.width)}" height="${n1(p.height)}" rx="4" fill-opacity="${(0.1 + 0.5 * Math.log1p(costs[i]) / Math.log1p(max)).toFixed(3)}"/>`);
    p.lines.forEach((line, j) => {
      const cls = j === 0 ? 'name' : j === 3 ? 'verdict' : 'sub';
      out.push(`<text class="${cls}" x="${x + NODE_PAD}" y="${n1(y + NODE_PAD + j * LINE_HEIGHT + LINE_HEIGHT * 0.75)}">${escape(line)}</text>`);
    });
    out.push('</g>');
  });
  out.push('</g>');
  if (o.overlay !== 'none') out.push(legend(model, o.overlay, max, layout.height));
  out.push('</svg>');
  return out.join('');
}

/** The colour scale (log, from 0 to the largest node's cost) and the network's total. */
function legend(model: DiagramModel, overlay: Overlay, max: number, top: number): string {
  const total = overlay === 'params' ? model.totals.params : overlay === 'macs' ? model.totals.macs : model.totals.memoryBytes;
  const steps = 8;
  const cells: string[] = [];
  for (let i = 0; i < steps; i++) cells.push(`<rect class="cost" x="${16 + i * 20}" y="${top + 8}" width="20" height="12" fill-opacity="${(0.1 + (0.5 * i) / (steps - 1)).toFixed(3)}"/>`);
  const label = `${OVERLAY_TEXT[overlay as Exclude<Overlay, 'none'>]}: 0 … ${compact(max, overlay)} per layer (log scale) · total ${compact(total, overlay)}`;
  return `<g class="legend">${cells.join('')}<text x="${16 + steps * 20 + 8}" y="${top + 18}">${escape(label)}</text></g>`;
}
