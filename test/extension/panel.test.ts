/**
 * The gradient-check results panel in a real VS Code, driven directly (not through the run commands): it is
 * shown with stub handlers and real results of the engine's gradient check on examples/seed.cnn, and every
 * assertion is on what the webview reports it rendered (`rendered`) or on what it posted to the handlers.
 * Clicks and typing go through the web runner's webview driver, so those tests skip on desktop.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { type Analysis, check, uncovered } from '../../engine';
import { buildModel, deltaMap, type GradcheckResult, gradcheck, withFault } from '../../engine/run';
import { layerViews as extensionLayerViews } from '../../extension/gradcheck';
import { type PanelHandlers, ResultsPanel } from '../../extension/resultsPanel';
import type { Heatmap, LayerInfoView, RenderedView, RunSettings, RunState } from '../../webview/protocol';
import { screenshot } from './screenshot';
import { api, example, when } from './util';
import { isWeb } from './runner';
import { inWebview, measureWebview, needsWebviewDriver, setViewport } from './webview';

type Call =
  | { readonly kind: 'rerun'; readonly settings: RunSettings }
  | { readonly kind: 'cancel' }
  | { readonly kind: 'reveal'; readonly layer: string }
  | { readonly kind: 'heatmap'; readonly layer: string; readonly sample: number; readonly channel: number };

/** Handlers that record each call and let a test await the next one of a kind. */
class StubHandlers implements PanelHandlers {
  readonly calls: Call[] = [];
  private waiting: { kind: Call['kind']; resolve: (c: Call) => void }[] = [];
  /** How `heatmap` answers; set per test. */
  answer: (layer: string, sample: number, channel: number) => Promise<Heatmap> = () =>
    Promise.reject(new Error('no heat-map in this test'));

  rerun(settings: RunSettings): void {
    this.record({ kind: 'rerun', settings });
  }
  cancel(): void {
    this.record({ kind: 'cancel' });
  }
  reveal(layer: string): void {
    this.record({ kind: 'reveal', layer });
  }
  heatmap(layer: string, sample: number, channel: number): Promise<Heatmap> {
    this.record({ kind: 'heatmap', layer, sample, channel });
    return this.answer(layer, sample, channel);
  }

  /** The next call of `kind`, made after this is called; rejects after `ms`. */
  next<K extends Call['kind']>(kind: K, ms = 15_000): Promise<Extract<Call, { kind: K }>> {
    return new Promise((resolve, reject) => {
      const entry = { kind, resolve: resolve as (c: Call) => void };
      this.waiting.push(entry);
      setTimeout(() => {
        this.waiting = this.waiting.filter((w) => w !== entry);
        reject(new Error(`no ${kind} call within ${ms} ms; calls: ${JSON.stringify(this.calls)}`));
      }, ms);
    });
  }

  private record(call: Call): void {
    this.calls.push(call);
    const w = this.waiting.find((x) => x.kind === call.kind);
    if (w) {
      this.waiting = this.waiting.filter((x) => x !== w);
      w.resolve(call);
    }
  }
}

/** Resolves with the first render of `panel` that `ready` accepts; rejects after `ms` with the last one seen. */
function renderedWhen(panel: ResultsPanel, ready: (v: RenderedView) => boolean, ms = 20_000): Promise<RenderedView> {
  let last: RenderedView | undefined;
  const seen = (v: RenderedView) => ((last = v), ready(v));
  return when(
    panel.onDidRender,
    seen,
    ms,
    () => `the panel did not render as expected; last render: ${JSON.stringify(last)}`,
  );
}

/** What the table shows of each layer: shapes, and the rows and columns a pool or strided conv never reads. */
function layerViews(a: Analysis): LayerInfoView[] {
  const views: { -readonly [K in keyof LayerInfoView]: LayerInfoView[K] }[] = [
    { name: a.input!.name, kind: 'input', output: a.input!.shape ?? [], deltaIn: [] },
    ...a.layers.map((l) => ({
      name: l.name,
      kind: l.kind,
      line: l.line,
      output: l.output ?? [],
      deltaIn: l.inputShapes.map((s) => s ?? []),
    })),
  ];
  const indices = (axis: Parameters<typeof uncovered>[0]) =>
    (uncovered(axis)?.runs ?? []).flatMap(([from, to]) => Array.from({ length: to - from + 1 }, (_, i) => from + i));
  for (const l of a.layers) {
    if (!l.windows) continue;
    const rows = indices(l.windows.h);
    const cols = indices(l.windows.w);
    const input = views.find((v) => v.name === l.inputs[0]);
    if (input && (rows.length || cols.length)) input.uncovered = { rows, cols };
  }
  return views;
}

/**
 * A passing result for every tensor of `a`, with errors of the widths real ones print (`2.8e-5`): for layout
 * tests on networks whose real check takes too long for a test (inception's default mode is about a minute).
 */
function passingResult(a: Analysis): GradcheckResult {
  const check = (checked: number) => ({
    maxRelError: 2.8e-5,
    maxExcess: 0.027,
    checked,
    kinks: checked > 100 ? 12 : 0,
    curvature: 0,
    zeros: 0,
    passed: true,
    worst: [],
  });
  return {
    passed: true,
    mode: 'directional+sampled',
    eps: 1e-6,
    atol: 1e-5,
    rtol: 1e-3,
    batch: 2,
    seed: 1,
    loss: 2.30412,
    evaluations: 974,
    ms: 48_648,
    layers: [
      { name: a.input!.name, kind: 'input', custom: false, delta: check(17), params: {} },
      ...a.layers.map((l) => ({
        name: l.name,
        kind: l.kind,
        line: l.line,
        custom: false,
        delta: check(1734),
        params: Object.fromEntries(l.params.map((p) => [p.name, check(17)])),
      })),
    ],
  };
}

const SETTINGS: RunSettings = { mode: 'default', samples: 16, eps: 1e-6, batch: null, seed: null };

describe('gradient-check panel', function () {
  this.timeout(90_000);
  let extensionUri: vscode.Uri;
  let analysis: Analysis;
  let file: string;
  let passing: GradcheckResult;
  let faulty: GradcheckResult;
  let layers: LayerInfoView[];
  const done = (result: GradcheckResult): RunState => ({
    status: 'done',
    file,
    settings: SETTINGS,
    result,
    layers,
    threads: 2,
  });

  before(async () => {
    await api();
    extensionUri = vscode.extensions.getExtension('cnn-lens.cnn-lens')!.extensionUri;
    const uri = example('seed.cnn');
    file = uri.toString();
    analysis = check(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
    layers = layerViews(analysis);
    passing = await gradcheck(analysis);
    // End to end (baseline), where every δ above the fault fails: the rows show what the panel makes of that.
    faulty = await gradcheck(analysis, { mode: 'baseline', overrides: withFault('p1', 'mean-pool-no-divide') });
    // The panel beside seed.cnn, with room for both: how the screenshots show it.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  });

  afterEach(() => ResultsPanel.current?.dispose());
  after(() => vscode.commands.executeCommand('workbench.view.explorer'));

  /** Shows a fresh panel with `state` and waits for its first render of it. */
  async function open(
    state: RunState,
    handlers = new StubHandlers(),
    ready: (v: RenderedView) => boolean = (v) => v.summary !== 'empty',
  ) {
    ResultsPanel.current?.dispose();
    const panel = ResultsPanel.show(extensionUri, handlers);
    const rendered = renderedWhen(panel, ready);
    panel.setState(state);
    return { panel, handlers, view: await rendered };
  }

  it('shows a passing check of seed.cnn: one row per layer with its verdict, under a strict CSP', async () => {
    const { panel, view } = await open(done(passing), undefined, (v) => v.rows.length > 0);
    assert.strictEqual(ResultsPanel.current, panel);
    assert.strictEqual(panel.webviewPanel.viewType, 'cnnLens.gradcheck');
    assert.strictEqual(panel.webviewPanel.title, 'Gradient check: seed.cnn');
    assert.strictEqual(view.summary, 'passed');
    assert.deepStrictEqual(view.rows, [
      'input input pass',
      'c1 conv pass',
      'sigmoid1 sigmoid pass',
      'p1 pool pass',
      'c2 conv pass',
      'sigmoid2 sigmoid pass',
      'p2 pool pass',
      'fc dense pass',
      'softmax1 softmax pass',
    ]);
    assert.deepStrictEqual(view.violations, []);
  });

  it('shows which layers fail and blames p1 when mean pooling forgets to divide by its window', async () => {
    const { view } = await open(done(faulty), undefined, (v) => v.rows.length > 0);
    assert.strictEqual(view.summary, 'failed');
    assert.deepStrictEqual(view.rows, [
      'input input fail',
      'c1 conv fail',
      'sigmoid1 sigmoid fail',
      'p1 pool pass blamed',
      'c2 conv pass',
      'sigmoid2 sigmoid pass',
      'p2 pool pass',
      'fc dense pass',
      'softmax1 softmax pass',
    ]);
    await screenshot('panel');
  });

  it('shows a zero gradient as 0 by structure and curvature as inconclusive, and the chart agrees with each verdict', async () => {
    // c.b before a batchnorm: 0 in exact arithmetic. Its relative error was 1, drawn in the fail zone with a ✓.
    const zeroNet = check('input 3x8x8\nc: conv 4 3\nbn: batchnorm\nrelu\nflatten\nd: dense 5\nsoftmax');
    const zero = await gradcheck(zeroNet, { mode: 'full', batch: 3 });
    const shown = await open(
      { status: 'done', file, settings: SETTINGS, result: zero, layers: layerViews(zeroNet), threads: 2 },
      undefined,
      (v) => v.rows.length > 0 && v.marks !== undefined,
    );
    assert.strictEqual(shown.view.summary, 'passed');
    assert.ok(shown.view.cells!.includes('c b 0 by structure'), shown.view.cells!.join('; '));
    assert.ok(shown.view.marks!.includes('c b pass-zone pass'), shown.view.marks!.join('; '));
    // Every mark sits on the side of the line its verdict says.
    for (const m of shown.view.marks!) assert.ok(m.endsWith('pass-zone pass') || m.endsWith('fail-zone fail'), m);
    // A label probability of 1e-5: δ = −1/p misses at ε by curvature, not by a wrong rule.
    const curvedNet = check('input 4\nfc: dense 3\nsoftmax');
    const data = {
      input: [1, 0, 0, 0],
      labels: [0],
      params: { fc: { W: [0, 0, 0, 0, 11.5, 0, 0, 0, 0, 0, 0, 0], b: [0, 0, 0] } },
    };
    const curved = await gradcheck(curvedNet, { mode: 'full', batch: 1, data });
    const again = await open(
      { status: 'done', file, settings: SETTINGS, result: curved, layers: layerViews(curvedNet), threads: 2 },
      undefined,
      (v) => v.rows.length > 0 && v.marks !== undefined,
    );
    assert.deepStrictEqual(again.view.rows, ['input input pass', 'fc dense pass', 'softmax1 softmax pass']);
    assert.ok(again.view.cells!.includes('softmax1 δ inconclusive'), again.view.cells!.join('; '));
    assert.ok(again.view.marks!.includes('softmax1 δ pass-zone pass'), again.view.marks!.join('; '));
  });

  it('reveals a layer when its row is clicked', async function () {
    needsWebviewDriver(this);
    const { handlers } = await open(done(passing), undefined, (v) => v.rows.length > 0);
    const revealed = handlers.next('reveal');
    await inWebview({ action: 'click', selector: 'tr[data-layer="c2"]' });
    assert.deepStrictEqual(await revealed, { kind: 'reveal', layer: 'c2' });
  });

  it("asks for sigmoid1's δ map and draws the answer with row and column 12 marked as getting no gradient", async function () {
    needsWebviewDriver(this);
    // With p1's fault, sigmoid1's analytic δ is 4× the numeric one: the picture the screenshot shows.
    const handlers = new StubHandlers();
    const model = buildModel(analysis, { overrides: withFault('p1', 'mean-pool-no-divide') });
    handlers.answer = (layer, sample, channel) => deltaMap(model, layer, sample, channel);
    const { panel } = await open(done(faulty), handlers, (v) => v.rows.length > 0);
    const asked = handlers.next('heatmap');
    const drawn = renderedWhen(panel, (v) => v.heatmap !== undefined);
    await inWebview({ action: 'click', selector: '#heatmap-compute' });
    assert.deepStrictEqual(await asked, { kind: 'heatmap', layer: 'sigmoid1', sample: 0, channel: 0 });
    assert.strictEqual((await drawn).heatmap, 'sigmoid1 sample 0 channel 0 13×13 uncovered rows 12 cols 12');
    await screenshot('panel-heatmap');

    // Hidden and shown again, the webview reloads and restores the map from its saved state.
    const restored = renderedWhen(
      panel,
      (v) => v.heatmap === 'sigmoid1 sample 0 channel 0 13×13 uncovered rows 12 cols 12',
    );
    await vscode.window.showTextDocument(
      await vscode.workspace.openTextDocument({ language: 'cnn', content: 'input 1x4x4\n' }),
      panel.webviewPanel.viewColumn,
    );
    assert.strictEqual(panel.webviewPanel.visible, false);
    panel.webviewPanel.reveal(undefined, false);
    await restored;
  });

  it('shows why a heat-map could not be computed', async function () {
    needsWebviewDriver(this);
    const handlers = new StubHandlers();
    handlers.answer = () => Promise.reject(new Error('sigmoid1 has 2 samples and 64 channels'));
    const { panel } = await open(done(passing), handlers, (v) => v.rows.length > 0);
    const failed = renderedWhen(panel, (v) => v.heatmap !== undefined);
    await inWebview({ action: 'click', selector: '#heatmap-compute' });
    assert.strictEqual((await failed).heatmap, 'error: sigmoid1 has 2 samples and 64 channels');
  });

  it('posts a rerun with the settings typed, and shows why settings are wrong instead of posting them', async function () {
    needsWebviewDriver(this);
    const { panel, handlers } = await open(done(passing), undefined, (v) => v.rows.length > 0);
    const invalid = renderedWhen(panel, (v) => v.formErrors.length > 0);
    await inWebview({ action: 'fill', selector: '#eps input', value: '0' });
    await inWebview({ action: 'fill', selector: '#seed input', value: '-3' });
    await inWebview({ action: 'click', selector: '#rerun' });
    assert.deepStrictEqual((await invalid).formErrors, [
      'eps: a step above 0 and below 1, like 1e-6',
      "seed: a whole number, 0 or more (empty: the file's)",
    ]);
    assert.deepStrictEqual(handlers.calls, []);

    const rerun = handlers.next('rerun');
    await inWebview({ action: 'fill', selector: '#eps input', value: '1e-5' });
    await inWebview({ action: 'fill', selector: '#seed input', value: '' });
    await inWebview({ action: 'fill', selector: '#batch input', value: '4' });
    await inWebview({ action: 'press', selector: '#batch input', value: 'Enter' });
    assert.deepStrictEqual(await rerun, {
      kind: 'rerun',
      settings: { mode: 'default', samples: 16, eps: 1e-5, batch: 4, seed: null },
    });
  });

  it('shows a running check moving with progress, and Cancel posts cancel', async function () {
    const { panel, handlers, view } = await open({ status: 'running', file, settings: SETTINGS });
    assert.strictEqual(view.summary, 'running');
    const moved = renderedWhen(panel, (v) => v.summary === 'running 40%');
    panel.progress({ done: 200, total: 500, layer: 'c1', tensor: 'W' });
    await moved;
    needsWebviewDriver(this);
    const cancelled = handlers.next('cancel');
    await inWebview({ action: 'click', selector: '.summary vscode-button' });
    await cancelled;
    const shown = renderedWhen(panel, (v) => v.summary === 'cancelled');
    panel.setState({ status: 'cancelled', file, settings: SETTINGS });
    assert.deepStrictEqual((await shown).rows, []);
  });

  it('says what a check will cost before it starts, and shows the layers a cancelled one finished', async () => {
    const { panel, view } = await open({
      status: 'running',
      file,
      settings: SETTINGS,
      estimate: { evaluations: 4_499_268, ms: 27 * 3_600_000 },
    });
    assert.strictEqual(view.summary, 'running');
    const moved = renderedWhen(panel, (v) => v.summary === 'running 0%');
    panel.progress({ done: 2_000, total: 4_499_268, layer: 'c1', tensor: 'W' });
    await moved;
    const kept = { ...passing, layers: passing.layers.slice(0, 2) };
    const shown = renderedWhen(panel, (v) => v.summary.startsWith('cancelled'));
    panel.setState({ status: 'cancelled', file, settings: SETTINGS, result: kept, layers: layers.slice(0, 2) });
    const cancelled = await shown;
    assert.strictEqual(cancelled.summary, 'cancelled, 2 layers kept');
    assert.deepStrictEqual(cancelled.rows, ['input input pass', 'c1 conv pass']);
  });

  for (const name of ['inception.cnn', 'residual.cnn']) {
    it(`fits ${name} at 400, 760 and 1600 px: the page never scrolls sideways, the chart is never cut, the table only at 400 px`, async function () {
      needsWebviewDriver(this);
      const uri = example(name);
      const a = check(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
      const state: RunState = {
        status: 'done',
        file: uri.toString(),
        settings: SETTINGS,
        result: passingResult(a),
        layers: layerViews(a),
        threads: 2,
      };
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), vscode.ViewColumn.One);
      try {
        // The panel's group gets the width wanted, the editor's group the rest of a window wide enough for both;
        // 760 px is the panel beside the editor in a 1600 px window.
        for (const [panelWidth, windowWidth] of [
          [400, 1280],
          [760, 1600],
          [1600, 2200],
        ]) {
          await setViewport(windowWidth, 1000);
          const { panel } = await open(state, undefined, (v) => v.rows.length > 0);
          await vscode.commands.executeCommand('vscode.setEditorLayout', {
            orientation: 0,
            groups: [{ size: windowWidth - 48 - panelWidth }, { size: panelWidth }],
          });
          assert.ok(panel.webviewPanel.visible);
          const [page, ...scrolling] = await measureWebview();
          console.log(
            `[layout] ${name} at ${panelWidth} px: page ${page.clientWidth}/${page.scrollWidth}; scrolling ${JSON.stringify(scrolling)}`,
          );
          assert.ok(
            Math.abs(page.clientWidth - panelWidth) <= 24,
            `the panel is ${page.clientWidth} px wide, not about ${panelWidth}`,
          );
          assert.strictEqual(page.scrollWidth, page.clientWidth, 'the page does not scroll sideways');
          // At 400 px the table may scroll inside its frame (its Layer column stays put); nothing else may.
          const allowed = panelWidth === 400 ? ['div.table-wrap'] : [];
          assert.deepStrictEqual(
            scrolling.filter((o) => !allowed.includes(o.selector)),
            [],
            'no part of the panel scrolls sideways or is cut',
          );
          if (panelWidth === 400 && name === 'inception.cnn') await screenshot('panel-narrow');
        }
      } finally {
        await setViewport(1280, 800);
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(example('seed.cnn')));
      }
    });
  }

  it('shows why a network cannot run', async () => {
    const { view } = await open({
      status: 'error',
      file,
      settings: SETTINGS,
      message: 'the network has 1 error; fix it before running it',
      diagnostics: ['3:17 channel-mismatch'],
    });
    assert.strictEqual(view.summary, 'error: the network has 1 error; fix it before running it');
    assert.deepStrictEqual(view.rows, []);
  });

  it('revives after a reload with the state its webview saved, a running check as cancelled', async () => {
    // A fresh webview first renders empty, then what the extension sends when it says `ready`.
    const revive = async (saved: unknown, ready: (v: RenderedView) => boolean) => {
      ResultsPanel.current?.dispose();
      const created = vscode.window.createWebviewPanel(
        ResultsPanel.viewType,
        'Gradient check',
        vscode.ViewColumn.Beside,
      );
      const panel = ResultsPanel.revive(created, extensionUri, new StubHandlers(), saved);
      return { panel, view: await renderedWhen(panel, ready) };
    };
    const { panel, view } = await revive(
      { state: done(faulty), selection: { layer: 'c1', sample: 1, channel: 3 } },
      (v) => v.rows.length > 0,
    );
    assert.strictEqual(ResultsPanel.current, panel);
    assert.strictEqual(view.summary, 'failed');
    assert.strictEqual(panel.webviewPanel.title, 'Gradient check: seed.cnn');
    await revive({ state: { status: 'running', file, settings: SETTINGS } }, (v) => v.summary === 'cancelled');
    // A state the webview cannot have saved (another version's) is dropped: the panel stays empty.
    const { panel: empty } = await revive({ state: { status: 'finished', file } }, (v) => v.summary === 'empty');
    assert.strictEqual(empty.webviewPanel.title, 'Gradient check');
  });

  it("groups a ResNet's layers by use of a block: folded when passed, open when failed, and a click unfolds one", async () => {
    const uri = example('blocks.cnn');
    const net = check(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
    const result = passingResult(net);
    // layer2_1's projection fails: its group opens, the others stay folded.
    const failing: GradcheckResult = {
      ...result,
      passed: false,
      layers: result.layers.map((l) =>
        l.name === 'layer2_1.proj' ? { ...l, delta: { ...l.delta, passed: false, maxRelError: 0.5 } } : l,
      ),
    };
    const state: RunState = {
      status: 'done',
      file: uri.toString(),
      settings: SETTINGS,
      result: failing,
      layers: extensionLayerViews(net, failing),
      threads: 2,
    };
    const { panel, view } = await open(state, undefined, (v) => v.rows.length > 0);
    assert.deepStrictEqual(view.groups, [
      'layer1 14 pass collapsed',
      'layer2_1 10 fail expanded',
      'layer2 7 pass collapsed',
    ]);
    // Every layer keeps its row, in the network's order, under its full name.
    assert.strictEqual(view.rows.length, 1 + net.layers.length);
    assert.strictEqual(view.rows[4], 'layer1.1.conv1 conv pass');
    if (!isWeb()) return; // the webview driver is the web runner's
    const unfolded = renderedWhen(panel, (v) => v.groups?.[0] === 'layer1 14 pass expanded');
    await inWebview({ action: 'click', selector: 'button.group-toggle[data-group="layer1"]' });
    assert.deepStrictEqual((await unfolded).groups, [
      'layer1 14 pass expanded',
      'layer2_1 10 fail expanded',
      'layer2 7 pass collapsed',
    ]);
  });

  it('is one panel: show reveals the open one, and closing it fires onDidDispose', async () => {
    const { panel } = await open(done(passing));
    assert.strictEqual(ResultsPanel.show(extensionUri, new StubHandlers()), panel);
    const disposed = new Promise<void>((resolve) => panel.onDidDispose(resolve));
    panel.webviewPanel.dispose();
    await disposed;
    assert.strictEqual(ResultsPanel.current, undefined);
  });
});
