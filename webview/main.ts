/**
 * The gradient-check panel's script, bundled by esbuild into dist/webview.js (and its CSS into
 * dist/webview.css). It shows the RunState the extension sends, draws on request, posts the user's actions,
 * validates every message it receives, keeps its last state with `vscode.setState` (the extension's
 * serializer hands it back after a window reload), and reports each render with `rendered`.
 */
import './panel.css';
import { renderChart } from './chart';
import { h, replace } from './dom';
import { SettingsForm } from './form';
import { HeatmapView } from './heatmap';
import type { GradcheckResult } from '../engine/run';
import {
  type FromPanel,
  isSavedPanel,
  isToPanel,
  type LayerInfoView,
  type RunState,
  type SavedPanel,
  type ToPanel,
} from './protocol';
import { renderSummary, type SummaryView } from './summary';
import { renderTable, type TableView } from './table';

interface VsCodeApi {
  postMessage(message: FromPanel): void;
  getState(): unknown;
  setState(state: SavedPanel): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (message: FromPanel) => vscode.postMessage(message);

const violations: string[] = [];
document.addEventListener('securitypolicyviolation', (e) => {
  violations.push(`${e.effectiveDirective} ${e.blockedURI || 'inline'}`);
  report();
});

const root = document.getElementById('app')!;
const summarySlot = h('div', { class: 'summary-slot' });
const form = new SettingsForm(
  (settings) => post({ type: 'rerun', settings }),
  () => report(),
);
const results = h('div', { class: 'results' });
const chartSlot = h('figure', { class: 'chart-figure', 'aria-labelledby': 'chart-heading' });
const heatmap = new HeatmapView(
  (s) => post({ type: 'heatmap', layer: s.layer, sample: s.sample, channel: s.channel }),
  () => {
    save();
    report();
  },
);
const empty = h('p', { class: 'empty muted' }, 'Run a gradient check on a .cnn file to see its results here.');
const rerun = h('section', { class: 'rerun', 'aria-label': 'Run again', hidden: true }, form.element);
root.append(summarySlot, rerun, results);

let state: RunState | undefined;
let stateJson = '';
let summary: SummaryView | undefined;
let table: TableView | undefined;

function save(): void {
  vscode.setState({ ...(state && { state }), ...heatmap.memory() });
}

/** Tells the extension what is on screen, after the custom elements have rendered. */
let reportQueued = false;
function report(): void {
  if (reportQueued) return;
  reportQueued = true;
  requestAnimationFrame(() => {
    reportQueued = false;
    post({
      type: 'rendered',
      view: {
        summary: summary?.headline ?? 'empty',
        rows: shown(state) ? (table?.rows ?? []) : [],
        ...(shown(state) && table && table.groups().length > 0 && { groups: table.groups() }),
        ...(shown(state) &&
          table && {
            cells: table.cells,
            marks: Array.from(chartSlot.querySelectorAll('[data-mark]'), (m) => m.getAttribute('data-mark')!),
          }),
        ...(state?.status === 'done' && heatmap.describe() !== undefined && { heatmap: heatmap.describe() }),
        formErrors: form.errorList(),
        violations: [...violations],
      },
    });
  });
}

/** The result on screen: a finished run's, or the layers a cancelled one finished. */
function shown(s: RunState | undefined): { result: GradcheckResult; layers: readonly LayerInfoView[] } | undefined {
  if (s?.status === 'done') return s;
  if (s?.status === 'cancelled' && s.result && s.layers) return { result: s.result, layers: s.layers };
  return undefined;
}

function drawChart(): void {
  const run = shown(state);
  if (!run) return;
  const width = Math.max(320, results.clientWidth);
  replace(
    chartSlot,
    h('figcaption', { id: 'chart-heading' }, h('h2', {}, 'Error over tolerance by layer')),
    renderChart(run.result, width),
  );
}

function show(next: RunState, kept?: Pick<SavedPanel, 'selection' | 'heatmap'>): void {
  const json = JSON.stringify(next);
  if (json === stateJson) return report();
  const previous = state;
  state = next;
  stateJson = json;
  summary = renderSummary(
    next,
    () => post({ type: 'cancel' }),
    (layer) => post({ type: 'reveal', layer }),
  );
  replace(summarySlot, summary.element);
  rerun.hidden = false;
  // A new run resets the form to its settings; a progress-only change leaves the user's edits alone.
  if (previous?.status !== next.status || JSON.stringify(previous.settings) !== JSON.stringify(next.settings))
    form.set(next.settings);
  document.title = `Gradient check: ${next.file}`;
  switch (next.status) {
    case 'done':
      table = renderTable(next.result, next.layers, (layer) => post({ type: 'reveal', layer }), report);
      heatmap.setRun(next.result, next.layers, kept);
      replace(results, table.element, chartSlot, heatmap.element);
      drawChart();
      break;
    case 'cancelled': {
      const run = shown(next);
      table = run && renderTable(run.result, run.layers, (layer) => post({ type: 'reveal', layer }), report);
      // No heat-map: it reruns the model of the last finished check, which this one is not.
      replace(results, ...(table ? [table.element, chartSlot] : []));
      drawChart();
      break;
    }
    case 'running':
    case 'error':
      table = undefined;
      replace(results);
      break;
    default:
      return unreachable(next);
  }
  save();
  report();
}

function receive(message: ToPanel): void {
  switch (message.type) {
    case 'state':
      return show(message.state);
    case 'progress':
      if (state?.status !== 'running') return;
      state = { ...state, progress: message.progress };
      stateJson = JSON.stringify(state);
      summary?.progress(message.progress);
      save();
      return report();
    case 'heatmap':
      return heatmap.receive(message.heatmap);
    case 'heatmapError':
      return heatmap.receiveError(message.layer, message.message);
    default:
      return unreachable(message);
  }
}

function unreachable(x: never): never {
  throw new Error(`unhandled ${JSON.stringify(x)}`);
}

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  if (!isToPanel(e.data)) {
    console.warn('cnn-lens panel: dropped an invalid message', e.data);
    return;
  }
  receive(e.data);
});

// The theme's colours arrive as variables on <html> and a class on <body>: redraw what is drawn with them.
const themeChanged = new MutationObserver(() => heatmap.redraw());
themeChanged.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
themeChanged.observe(document.body, { attributes: true, attributeFilter: ['class'] });
let lastWidth = 0;
new ResizeObserver(() => {
  if (Math.abs(results.clientWidth - lastWidth) < 8) return;
  lastWidth = results.clientWidth;
  drawChart();
  heatmap.redraw();
}).observe(results);

// Show what was on screen before a reload at once; the extension answers `ready` with the current state.
const saved = vscode.getState();
if (isSavedPanel(saved) && saved.state) show(saved.state, saved);
else {
  replace(summarySlot, empty);
  report();
}
post({ type: 'ready' });
