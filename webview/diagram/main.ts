/**
 * The network diagram's script (bundled to dist/diagram.js; runs in the webview, no `vscode` module): lays out
 * and draws the model it is sent, paints the cursor's node, reports what it drew, and asks to reveal a node the
 * user picks; hovering an edge shows its producer and readers. Zoom and pan by wheel (Ctrl or a pinch zooms),
 * drag and keys; the view, direction and overlay survive a reload in the webview's state.
 */
import {
  type DiagramState,
  type ExportFormat,
  type ExportTheme,
  type FromDiagram,
  isDiagramState,
  isToDiagram,
  type ToDiagram,
  type VerdictView,
} from '../../extension/diagram/protocol';
import type { DiagramModel } from '../../engine/editor/diagram';
import { isOpen } from './groups';
import { type Layout, layoutDiagram, type Verdict } from './layout';
import { edgeTips, type Overlay, type Rect, renderLabels, renderSvg } from './render';
import { figureCss, pngOf } from './figure';
import { edgeNear } from './hover';
import { covers, fitZoom, labelled, MIN_ZOOM, seen } from './viewport';

type State = { -readonly [K in keyof DiagramState]: DiagramState[K] };

declare function acquireVsCodeApi(): {
  postMessage(message: FromDiagram): void;
  getState(): unknown;
  setState(s: State): void;
};

const vscode = acquireVsCodeApi();
const stage = document.getElementById('stage')!;
const saved = vscode.getState();
const state: State = isDiagramState(saved) ? { ...saved } : { view: 'forward', direction: 'TB', overlay: 'none' };
let model: DiagramModel | undefined;
let verdicts = new Map<string, Verdict>();
let current: string | null = null;
let layout: Layout | undefined;
let reused = false;
let svg: SVGSVGElement | undefined;
/** Pan and zoom: screen = translate + scale · diagram. */
const zoom = { x: 0, y: 0, k: 1 };
let fitted = false;
/** The rectangle whose labels are written, and whether that was at a readable zoom. */
let written: { rect: Rect; readable: boolean } | undefined;

window.addEventListener('message', (event: MessageEvent) => {
  if (isToDiagram(event.data)) receive(event.data);
});
const tip = document.body.appendChild(
  Object.assign(document.createElement('div'), { id: 'tip', role: 'tooltip', hidden: true }),
);
wireToolbar();
wireStage();
wireTips();
vscode.postMessage({ type: 'ready' });

function receive(m: ToDiagram): void {
  switch (m.type) {
    case 'model': {
      const newFile = document.getElementById('title')!.textContent !== (m.model.network ?? m.file);
      document.getElementById('title')!.textContent = m.model.network ?? m.file;
      model = m.model;
      verdicts = new Map(m.verdicts.map((v: VerdictView) => [v.id, v]));
      current = m.current;
      if (newFile) fitted = false;
      draw();
      return;
    }
    case 'highlight':
      current = m.current;
      mark();
      report();
      return;
    case 'export':
      void exportFigure(m.format, m.theme).then((data) =>
        vscode.postMessage({ type: 'exported', format: m.format, data }),
      );
      return;
    case 'empty':
      model = undefined;
      layout = undefined;
      svg = undefined;
      stage.replaceChildren(
        Object.assign(document.createElement('p'), {
          className: 'empty',
          textContent: 'Open a .cnn file to see its network.',
        }),
      );
      report();
      return;
  }
}

function draw(): void {
  if (!model) return;
  const placed = layoutDiagram(model, { view: state.view, direction: state.direction, verdicts, open: state.open });
  layout = placed;
  reused = placed.reused;
  const { width, height } = stage.getBoundingClientRect();
  if (!fitted) Object.assign(zoom, fitZoom(placed, width, height));
  const visible = labelled(zoom, width, height);
  written = { rect: visible, readable: visible.width > 0 };
  stage.innerHTML = renderSvg(model, placed, {
    view: state.view,
    overlay: state.overlay,
    current: shown(current),
    visible,
  });
  svg = stage.querySelector('svg') ?? undefined;
  const t = model.totals;
  document.getElementById('summary')!.textContent =
    `${model.nodes.length} nodes · ${t.params.toLocaleString('en-US')} params · ${t.macs.toLocaleString('en-US')} mult-adds`;
  applyZoom();
  fitted = true;
  report();
}

let relabel = 0;
/** After a pan or zoom: write the labels again if the view left the written rectangle or crossed readability. */
function relabelSoon(): void {
  if (relabel) return;
  relabel = requestAnimationFrame(() => {
    relabel = 0;
    const group = svg?.querySelector('g.labels');
    if (!layout || !group) return;
    const { width, height } = stage.getBoundingClientRect();
    const next = labelled(zoom, width, height);
    const readable = next.width > 0;
    if (written && written.readable === readable && (!readable || covers(written.rect, seen(zoom, width, height))))
      return;
    written = { rect: next, readable };
    group.innerHTML = renderLabels(layout, next);
  });
}

/** The node that shows layer `id`: its own, or that of the collapsed use of a block it is in. */
function shown(id: string | null): string | null {
  if (id === null || layout?.nodes.some((n) => n.node.id === id)) return id;
  return layout?.nodes.find((n) => n.group?.members.includes(id))?.node.id ?? id;
}

/** Moves the `current` class to the cursor's node and brings it into view. */
function mark(): void {
  if (!svg) return;
  for (const g of Array.from(svg.querySelectorAll<SVGGElement>('.node.current'))) g.classList.remove('current');
  const id = shown(current);
  const g = id === null ? null : svg.querySelector<SVGGElement>(`.node[data-name="${CSS.escape(id)}"]`);
  if (!g) return;
  g.classList.add('current');
  bringIntoView(g.dataset.name!);
}

/** Whether node `id` is on the stage: its whole box, or its centre where the box is larger than the stage. */
function onStage(id: string): boolean {
  const p = layout?.nodes.find((n) => n.node.id === id);
  if (!p) return false;
  const { width, height } = stage.getBoundingClientRect();
  const fits = (start: number, size: number, room: number) =>
    size > room ? start + size / 2 >= 0 && start + size / 2 <= room : start >= 0 && start + size <= room;
  return (
    fits(zoom.x + (p.x - p.width / 2) * zoom.k, p.width * zoom.k, width) &&
    fits(zoom.y + (p.y - p.height / 2) * zoom.k, p.height * zoom.k, height)
  );
}

/** Centres node `id` on the stage unless it is already on it. */
function bringIntoView(id: string): void {
  const p = layout?.nodes.find((n) => n.node.id === id);
  if (!p || onStage(id)) return;
  const { width, height } = stage.getBoundingClientRect();
  zoom.x = width / 2 - p.x * zoom.k;
  zoom.y = height / 2 - p.y * zoom.k;
  applyZoom();
}

function report(): void {
  const nodes = model?.nodes ?? [];
  const failing = nodes.filter((n) => verdicts.get(n.id)?.passed === false).map((n) => n.id);
  const shown = current !== null && nodes.some((n) => n.id === current) ? current : null;
  vscode.postMessage({
    type: 'shown',
    view: state.view,
    nodes: nodes.map((n) => n.id),
    current: shown,
    currentOnStage: shown !== null && onStage(shown),
    errors: nodes.filter((n) => n.severity === 'error').map((n) => n.id),
    warnings: nodes.filter((n) => n.severity === 'warning').map((n) => n.id),
    failing,
    blamed: nodes.filter((n) => verdicts.get(n.id)?.blamed).map((n) => n.id),
    reused,
    expanded: layout?.groups.map((g) => g.group.id) ?? [],
    collapsed: layout?.nodes.flatMap((n) => (n.group ? [n.group.id] : [])) ?? [],
  });
}

/** Opens a collapsed use of a block or closes an open one, remembers that across reloads, and draws again. */
function toggle(id: string): void {
  const g = model?.groups.find((x) => x.id === id);
  if (!g) return;
  state.open = { ...state.open, [id]: !isOpen(g, state.open) };
  vscode.setState(state);
  draw();
  svg?.querySelector<SVGGElement>(`[data-group="${CSS.escape(id)}"]`)?.focus({ preventScroll: true });
}

function applyZoom(): void {
  if (!svg) return;
  svg.style.transform = `translate(${zoom.x}px, ${zoom.y}px) scale(${zoom.k})`;
  relabelSoon();
}

function fit(): void {
  if (!layout) return;
  const { width, height } = stage.getBoundingClientRect();
  Object.assign(zoom, fitZoom(layout, width, height));
  applyZoom();
}

function zoomAt(factor: number, cx: number, cy: number): void {
  const k = Math.min(4, Math.max(MIN_ZOOM, zoom.k * factor));
  zoom.x = cx - ((cx - zoom.x) * k) / zoom.k;
  zoom.y = cy - ((cy - zoom.y) * k) / zoom.k;
  zoom.k = k;
  applyZoom();
}

function wireStage(): void {
  stage.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      const r = stage.getBoundingClientRect();
      // A trackpad's pinch arrives as a wheel event with ctrlKey set.
      if (e.ctrlKey || e.metaKey) zoomAt(Math.exp(-e.deltaY * 0.01), e.clientX - r.left, e.clientY - r.top);
      else {
        zoom.x -= e.deltaX;
        zoom.y -= e.deltaY;
        applyZoom();
      }
    },
    { passive: false },
  );
  let drag: { x: number; y: number; moved: boolean } | undefined;
  stage.addEventListener('pointerdown', (e) => {
    drag = { x: e.clientX, y: e.clientY, moved: false };
  });
  stage.addEventListener('pointermove', (e) => {
    if (!drag || (e.buttons & 1) === 0) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    if (!drag.moved) stage.setPointerCapture(e.pointerId);
    drag.moved = true;
    stage.classList.add('panning');
    zoom.x += dx;
    zoom.y += dy;
    drag.x = e.clientX;
    drag.y = e.clientY;
    applyZoom();
  });
  stage.addEventListener('pointerup', () => {
    stage.classList.remove('panning');
    setTimeout(() => (drag = undefined));
  });
  stage.addEventListener('click', (e) => {
    if (drag?.moved) return;
    const group = (e.target as Element).closest<SVGGElement>('[data-group]');
    if (group?.dataset.group) return toggle(group.dataset.group);
    const g = (e.target as Element).closest<SVGGElement>('.node');
    if (g?.dataset.name) vscode.postMessage({ type: 'reveal', id: g.dataset.name });
  });
  stage.addEventListener('keydown', (e) => {
    const r = stage.getBoundingClientRect();
    const focused = (document.activeElement as Element | null)?.closest<SVGGElement>('.node');
    const group = (document.activeElement as Element | null)?.closest<SVGGElement>('[data-group]');
    const ids = layout?.nodes.map((n) => n.node.id) ?? [];
    if (e.key === '+' || e.key === '=') zoomAt(1.2, r.width / 2, r.height / 2);
    else if (e.key === '-') zoomAt(1 / 1.2, r.width / 2, r.height / 2);
    else if (e.key === '0') fit();
    else if (
      (e.key === 'ArrowDown' || e.key === 'ArrowRight' || e.key === 'ArrowUp' || e.key === 'ArrowLeft') &&
      ids.length
    ) {
      const at = focused?.dataset.name ? ids.indexOf(focused.dataset.name) : -1;
      const step = e.key === 'ArrowDown' || e.key === 'ArrowRight' ? 1 : -1;
      const next = ids[Math.min(ids.length - 1, Math.max(0, at + step))];
      svg?.querySelector<SVGGElement>(`.node[data-name="${CSS.escape(next)}"]`)?.focus({ preventScroll: true });
      bringIntoView(next);
    } else if ((e.key === 'Enter' || e.key === ' ') && group?.dataset.group) toggle(group.dataset.group);
    else if (e.key === 'Enter' && focused?.dataset.name)
      vscode.postMessage({ type: 'reveal', id: focused.dataset.name });
    else return;
    e.preventDefault();
  });
  new ResizeObserver(() => !fitted || applyZoom()).observe(stage);
}

/**
 * Hovering an edge shows, beside the pointer, the tensor it carries, its producer and its readers (render.ts), and
 * marks the edge. The edge is the one nearest the pointer, within 5 screen pixels (hover.ts).
 */
function wireTips(): void {
  let hovered: SVGGElement | null = null;
  const hide = () => {
    tip.hidden = true;
    hovered?.classList.remove('hovered');
    hovered = null;
  };
  stage.addEventListener('pointermove', (e) => {
    if (!model || !layout || (e.buttons & 1) !== 0) return hide();
    const r = stage.getBoundingClientRect();
    const k = zoom.k;
    const near = edgeNear(layout, (e.clientX - r.left - zoom.x) / k, (e.clientY - r.top - zoom.y) / k, 5 / k);
    if (!near) return hide();
    const { from, to, index } = near.edge;
    const g =
      svg?.querySelector<SVGGElement>(
        `.edge[data-from="${CSS.escape(from)}"][data-to="${CSS.escape(to)}"][data-index="${index}"]`,
      ) ?? null;
    if (g !== hovered) {
      hovered?.classList.remove('hovered');
      g?.classList.add('hovered');
      hovered = g;
      tip.textContent = edgeTips(layout, state.view)(near.edge);
      tip.hidden = false;
    }
    // Beside the pointer, flipped to its other side where it would leave the page.
    const { width, height } = tip.getBoundingClientRect();
    tip.style.left = `${e.clientX + 12 + width > innerWidth ? Math.max(0, e.clientX - 12 - width) : e.clientX + 12}px`;
    tip.style.top = `${e.clientY + 16 + height > innerHeight ? Math.max(0, e.clientY - 8 - height) : e.clientY + 16}px`;
  });
  stage.addEventListener('pointerleave', hide);
  stage.addEventListener('wheel', hide, { passive: true });
}

function wireToolbar(): void {
  const forward = document.getElementById('forward')!;
  const backward = document.getElementById('backward')!;
  const direction = document.getElementById('direction')!;
  const overlay = document.getElementById('overlay') as HTMLSelectElement;
  const sync = () => {
    forward.setAttribute('aria-pressed', `${state.view === 'forward'}`);
    backward.setAttribute('aria-pressed', `${state.view === 'backward'}`);
    direction.textContent = state.direction === 'TB' ? '↓ TB' : '→ LR';
    overlay.value = state.overlay;
    vscode.setState(state);
  };
  const set = (change: Partial<State>, refit = false) => {
    Object.assign(state, change);
    sync();
    if (refit) fitted = false;
    draw();
  };
  forward.addEventListener('click', () => set({ view: 'forward' }));
  backward.addEventListener('click', () => set({ view: 'backward' }));
  direction.addEventListener('click', () => set({ direction: state.direction === 'TB' ? 'LR' : 'TB' }, true));
  overlay.addEventListener('change', () => set({ overlay: overlay.value as Overlay }));
  document.getElementById('fit')!.addEventListener('click', fit);
  const save = document.getElementById('save') as HTMLSelectElement;
  save.addEventListener('change', () => {
    const [format, theme] = save.value.split(' ') as [ExportFormat, ExportTheme];
    save.value = '';
    if (format) vscode.postMessage({ type: 'save', format, theme });
  });
  sync();
}

/** The figure for saving: without the cursor's highlight, and made to stand alone (figure.ts). */
async function exportFigure(format: ExportFormat, theme: ExportTheme): Promise<string> {
  if (!model || !layout) return '<svg xmlns="http://www.w3.org/2000/svg"/>';
  const styles = getComputedStyle(document.documentElement);
  const css = figureCss(theme, (name) => styles.getPropertyValue(`--vscode-${name}`).trim());
  const text = renderSvg(model, layout, { view: state.view, overlay: state.overlay, current: null, file: true }, css);
  return format === 'svg' ? text : pngOf(text);
}
