/**
 * The one-click gradient check in a real VS Code: the command checks a file in engine workers (Web Workers
 * here, worker threads on desktop), the run's states arrive in order, verdicts appear after each layer's line,
 * an injected fault is blamed on its layer, cancel and supersede terminate the workers at once, and the code
 * lens says why a file with errors cannot run. Each test waits on the controller's events, never on a timer.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { ASK_MS, type GradcheckController } from '../../extension/gradcheck';
import { ResultsPanel } from '../../extension/resultsPanel';
import type { RunState } from '../../webview/protocol';
import { api, example, openCnn, when } from './util';
import { inWorkbench, needsWebviewDriver, workbenchTexts } from './webview';

type Done = Extract<RunState, { status: 'done' }>;

/** Resolves with the first state `ready` accepts, from now on; rejects after `ms`. */
async function stateWhen(
  g: GradcheckController,
  ready: (s: RunState) => boolean,
  ms = 30_000,
): Promise<RunState & { at: number }> {
  const s = await when(
    g.onDidChangeState,
    ready,
    ms,
    () => `no matching run state; last ${JSON.stringify(g.state?.status)}`,
  );
  return { ...s, at: performance.now() };
}

/** Resolves at the next progress report. */
async function nextProgress(g: GradcheckController, ms = 30_000): Promise<void> {
  await when(
    g.onDidProgress,
    () => true,
    ms,
    () => 'no progress',
  );
}

function checkGradients(request?: object): Thenable<RunState | undefined> {
  return vscode.commands.executeCommand<RunState | undefined>('cnnLens.checkGradients', request);
}

function asDone(s: RunState | undefined): Done {
  assert.ok(s, 'the command answered with a state');
  assert.strictEqual(s.status, 'done', `the run ended ${s.status}: ${JSON.stringify(s)}`);
  return s as Done;
}

const failing = (s: Done) =>
  s.result.layers.flatMap((l) => [
    ...(l.delta.passed ? [] : [`${l.name} δ`]),
    ...Object.entries(l.params)
      .filter(([, c]) => !c.passed)
      .map(([p]) => `${l.name} ${p}`),
  ]);

const SEED_LAYERS = ['input', 'c1', 'sigmoid1', 'p1', 'c2', 'sigmoid2', 'p2', 'fc', 'softmax1'];

describe('gradient check', function () {
  this.timeout(120_000);
  before(api);

  it('checks examples/seed.cnn from the command: running, then 9 layers input…softmax1 all passed, with shapes and uncovered rows', async () => {
    const { gradcheck, results } = await api();
    const uri = example('seed.cnn');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const running = stateWhen(gradcheck, (s) => s.status === 'running');
    const started = performance.now();
    const state = asDone(await checkGradients());
    const ms = performance.now() - started;
    await running;
    console.log(
      `[timing] seed.cnn: results ${Math.round(ms)} ms after the command on ${state.threads} thread(s) (worker start-up included)`,
    );
    assert.strictEqual(state.file, uri.toString());
    assert.deepStrictEqual(
      state.result.layers.map((l) => l.name),
      SEED_LAYERS,
    );
    assert.ok(state.result.passed, `failing: ${failing(state).join(', ')}`);
    assert.deepStrictEqual(state.settings, { mode: 'default', samples: 16, eps: 1e-6, batch: null, seed: null });
    const view = Object.fromEntries(state.layers.map((l) => [l.name, l]));
    assert.deepStrictEqual(view.sigmoid1.uncovered, { rows: [12], cols: [12] });
    assert.deepStrictEqual(view.p1.deltaIn, [[64, 13, 13]]);
    assert.deepStrictEqual(view.c2.output, [96, 2, 2]);
    assert.deepStrictEqual(view.input.output, [3, 17, 17]);
    assert.strictEqual(view.c1.uncovered, undefined);
    // Verdicts after each line: the input's on its statement, each layer's on its own.
    const texts = results.texts(uri);
    assert.strictEqual(texts.length, 9);
    assert.match(texts[0], /^3: δ ✓ \de-\d+$/);
    assert.match(
      texts.find((t) => t.startsWith('5: '))!,
      /^5: δ ✓ \de-\d+ · W ✓ \de-\d+ · b ✓ \de-\d+$/,
    );
    // What the lines show: short, right after each statement, before its comment (in view beside the panel).
    const labels = results.labels(uri);
    assert.deepStrictEqual(
      labels.map((l) => l.replace(/\de-\d+/, 'E')),
      [
        '3:14: ✓ E',
        '5:16: ✓ E',
        '6:12: ✓ E',
        '7:18: ✓ E',
        '8:22: ✓ E',
        '9:12: ✓ E',
        '10:18: ✓ E',
        '11:13: ✓ E',
        '12:12: ✓ E',
      ],
    );
    const document = await vscode.workspace.openTextDocument(uri);
    for (const label of labels) {
      const [line, column] = label.split(':').map(Number);
      const comment = document.lineAt(line - 1).text.indexOf('#');
      assert.ok(comment < 0 || column - 1 < comment, `${label} is before the comment at column ${comment + 1}`);
    }
  });

  it('gives the same verdicts on 1 and 2 threads (seed.cnn, lenet5.cnn), and measures the speed-up', async () => {
    const { gradcheck } = await api();
    for (const name of ['seed.cnn', 'lenet5.cnn']) {
      const uri = example(name);
      await vscode.workspace.openTextDocument(uri);
      const ms: Record<number, number[]> = { 1: [], 2: [] };
      const verdicts: Record<number, string> = {};
      // Alternating, three times each: the first of each warms its workers up.
      for (const threads of [1, 2, 1, 2, 1, 2]) {
        const t = performance.now();
        const s = asDone(await gradcheck.run({ uri, threads }));
        ms[threads].push(performance.now() - t);
        verdicts[threads] = JSON.stringify(
          s.result.layers.map((l) => [
            l.name,
            l.delta.maxRelError,
            l.delta.checked,
            Object.values(l.params).map((c) => c.maxRelError),
          ]),
        );
        assert.ok(s.result.passed);
      }
      assert.strictEqual(verdicts[2], verdicts[1], 'two shards check every tensor once, as one does');
      const best = (a: number[]) => Math.min(...a.slice(1));
      console.log(
        `[timing] ${name}: 1 thread ${Math.round(best(ms[1]))} ms, 2 threads ${Math.round(best(ms[2]))} ms, speed-up ×${(best(ms[1]) / best(ms[2])).toFixed(2)} (warm; runs ${ms[1].map(Math.round)} / ${ms[2].map(Math.round)} ms)`,
      );
    }
  });

  it('blames p1 for an injected mean-pool-no-divide fault, with the failing tensors above it', async () => {
    const { gradcheck, results } = await api();
    const uri = example('seed.cnn');
    const state = asDone(
      await gradcheck.run({ uri, settings: { mode: 'baseline' }, fault: { layer: 'p1', name: 'mean-pool-no-divide' } }),
    );
    assert.strictEqual(state.result.passed, false);
    const p1 = state.result.layers.find((l) => l.name === 'p1')!;
    assert.ok(p1.delta.passed, 'the δ arriving at p1 is right');
    assert.strictEqual(
      p1.blame,
      "the δ at its output is right but the δ at its input sigmoid1 is wrong: p1's backward rule is wrong",
    );
    assert.deepStrictEqual(
      state.result.layers.filter((l) => l.blame).map((l) => l.name),
      ['p1'],
    );
    assert.deepStrictEqual(failing(state), ['input δ', 'c1 δ', 'c1 W', 'c1 b', 'sigmoid1 δ']);
    const texts = results.texts(uri);
    assert.match(
      texts.find((t) => t.startsWith('7: '))!,
      /^7: δ ✓ \de-\d+ · ✗ backward rule wrong$/,
    );
    assert.match(
      texts.find((t) => t.startsWith('6: '))!,
      /^6: δ ✗ \de-\d+$/,
    );
    const labels = results.labels(uri);
    assert.strictEqual(
      labels.find((l) => l.startsWith('7:')),
      '7:18: ✗ rule',
    );
    assert.match(
      labels.find((l) => l.startsWith('6:'))!,
      /^6:12: ✗ δ \de-\d+$/,
    );
    // The fault is the request's only: the next run is the real network again.
    assert.ok(asDone(await gradcheck.run({ uri })).result.passed);
  });

  it("uses a hand-written rule in the workers: mean pooling's 1/4 left out is blamed on p1, marked custom", async () => {
    const { gradcheck } = await api();
    const seed = new TextDecoder().decode(await vscode.workspace.fs.readFile(example('seed.cnn')));
    const { document } = await openCnn(`${seed}backward p1: dx[c] = padarray(kron(dy[c], ones(2)), [1 1], 'post')\n`);
    const state = asDone(await gradcheck.run({ uri: document.uri, threads: 2, settings: { mode: 'baseline' } }));
    assert.strictEqual(state.result.passed, false);
    assert.deepStrictEqual(
      state.result.layers.filter((l) => l.custom).map((l) => l.name),
      ['p1'],
    );
    // The default, local: p1's own rule check fails, and p1 alone is blamed.
    const local = asDone(await gradcheck.run({ uri: document.uri, threads: 2 }));
    assert.deepStrictEqual(
      local.result.layers.filter((l) => l.blame).map((l) => [l.name, l.blame]),
      [
        [
          'p1',
          "for a random δ at its output, the δ at its input sigmoid1 disagrees with its forward: p1's backward rule is wrong",
        ],
      ],
    );
    assert.strictEqual(
      state.result.layers.find((l) => l.name === 'p1')!.blame,
      "the δ at its output is right but the δ at its input sigmoid1 is wrong: p1's backward rule is wrong",
    );
    assert.deepStrictEqual(failing(state), ['input δ', 'c1 δ', 'c1 W', 'c1 b', 'sigmoid1 δ']);
  });

  it("runs at sample size=8x8 in the workers and says so: the result's input and every layer view at 8×8", async () => {
    const { gradcheck } = await api();
    const { document } = await openCnn(
      'sample size=8x8\ninput 3x32x32\nc: conv 4 3x3 pad=1\n   relu6\np: pool mean 2\nflatten\nfc: dense 3\nloss mse\n',
    );
    const state = asDone(await gradcheck.run({ uri: document.uri, threads: 2 }));
    assert.ok(state.result.passed, `failing: ${failing(state).join(', ')}`);
    assert.deepStrictEqual(state.result.input, [3, 8, 8]);
    const view = Object.fromEntries(state.layers.map((l) => [l.name, l]));
    assert.deepStrictEqual(
      [view.input.output, view.c.output, view.p.output, view.flatten1.output],
      [[3, 8, 8], [4, 8, 8], [4, 4, 4], [64]],
    );
    assert.ok(state.result.layers.find((l) => l.name === 'fc')!.params.W.checked > 0);
  });

  it('cancels a running check within 100 ms and terminates its workers', async () => {
    const { gradcheck } = await api();
    const uri = example('seed.cnn');
    const run = checkGradients({ uri, settings: { mode: 'full' }, ask: false });
    await nextProgress(gradcheck);
    assert.strictEqual(gradcheck.state?.status, 'running');
    const cancelled = stateWhen(gradcheck, (s) => s.status === 'cancelled');
    const asked = performance.now();
    await vscode.commands.executeCommand('cnnLens.cancelGradcheck');
    const latency = (await cancelled).at - asked;
    console.log(`[timing] cancel: state cancelled ${latency.toFixed(1)} ms after the command`);
    assert.ok(latency < 100, `cancel took ${latency} ms`);
    assert.strictEqual((await run)?.status, 'cancelled');
    assert.strictEqual(gradcheck.liveWorkers, 0, "the run's workers are terminated, not left computing");
    assert.strictEqual(gradcheck.running, undefined);
  });

  it('a run started after an edit supersedes the one still running', async () => {
    const { gradcheck } = await api();
    const seed = new TextDecoder().decode(await vscode.workspace.fs.readFile(example('seed.cnn')));
    const { document } = await openCnn(seed);
    const editor = await vscode.window.showTextDocument(document);
    const statuses: string[] = [];
    const l = gradcheck.onDidChangeState((s) => statuses.push(s.status));
    try {
      const first = gradcheck.run({ uri: document.uri, settings: { mode: 'full' }, ask: false });
      await nextProgress(gradcheck);
      // The same request again joins the running check (no second 'running' below) rather than restarting it.
      const joined = gradcheck.run({ uri: document.uri, settings: { mode: 'full' }, ask: false });
      await editor.edit((e) => e.insert(new vscode.Position(0, 0), '# edited\n'));
      const second = await gradcheck.run({ uri: document.uri });
      assert.strictEqual((await first)?.status, 'cancelled');
      assert.strictEqual(await joined, await first);
      assert.strictEqual(asDone(second).result.passed, true);
      assert.deepStrictEqual(statuses, ['running', 'cancelled', 'running', 'done']);
    } finally {
      l.dispose();
    }
  });

  it('says before a full check of inception.cnn that it is 4,499,268 evaluations and hours, and asks: Cancel starts nothing', async function () {
    needsWebviewDriver(this);
    const { gradcheck, analyses } = await api();
    const uri = example('inception.cnn');
    const a = analyses.get(await vscode.workspace.openTextDocument(uri));
    // Full mode: two evaluations per coordinate of the input, of every layer's output (batch 2) and of every parameter.
    const size = (shape: readonly number[] | null | undefined) => (shape ?? []).reduce((p, d) => p * d, 1);
    const coordinates =
      2 * (size(a.input?.shape) + a.layers.reduce((n, l) => n + size(l.output), 0)) +
      a.layers.reduce((n, l) => n + l.paramCount, 0);
    assert.strictEqual(2 * coordinates, 4_499_268);
    const running = stateWhen(gradcheck, (s) => s.status === 'running');
    const run = gradcheck.run({ uri, settings: { mode: 'full' } });
    const state = await running;
    assert.ok(state.status === 'running' && state.estimate, 'the running state carries the estimate');
    assert.strictEqual(state.estimate.evaluations, 4_499_268);
    assert.ok(state.estimate.ms >= 60 * 60_000, `an hour at least: ${state.estimate.ms} ms`);
    assert.strictEqual(gradcheck.state?.status, 'running');
    // This question's own Cancel: an earlier run's progress toast may still offer one too.
    await inWorkbench('.notification-toast:has-text("4,499,268 evaluations") .monaco-button:has-text("Cancel")');
    const end = await run;
    assert.deepStrictEqual(end, {
      status: 'cancelled',
      file: uri.toString(),
      settings: { mode: 'full', samples: 16, eps: 1e-6, batch: null, seed: null },
    });
    assert.strictEqual(gradcheck.running, undefined);
  });

  it('keeps the layers a cancelled check finished: input and c, every coordinate checked', async function () {
    needsWebviewDriver(this);
    const { gradcheck } = await api();
    // input and c are checked within a second; fc1's 320,000 weights take far longer than a minute.
    const { document } = await openCnn('input 1x6x6\nc: conv 2 3x3\nfc1: dense 10000\nsigmoid\nfc2: dense 10\n');
    const running = stateWhen(gradcheck, (s) => s.status === 'running');
    // The question itself is the previous test's; here it is skipped, as the whole suite's toasts could hide it.
    const run = gradcheck.run({ uri: document.uri, settings: { mode: 'full' }, ask: false });
    const state = await running;
    assert.ok(
      state.status === 'running' && state.estimate && state.estimate.ms >= ASK_MS,
      `would ask first: ${JSON.stringify(state)}`,
    );
    while (!gradcheck.finished.includes('c')) await nextProgress(gradcheck);
    const finished = gradcheck.finished;
    await vscode.commands.executeCommand('cnnLens.cancelGradcheck');
    const end = await run;
    assert.ok(
      end?.status === 'cancelled' && end.result && end.layers,
      `cancelled with results: ${JSON.stringify(end).slice(0, 300)}`,
    );
    const names = end.result.layers.map((l) => l.name);
    assert.deepStrictEqual(names.slice(0, 2), ['input', 'c']);
    assert.ok(
      finished.every((n) => names.includes(n)),
      `${finished} kept in ${names}`,
    );
    assert.ok(!names.includes('fc1'), 'fc1 was not finished');
    const c = end.result.layers[1];
    // Every coordinate: input δ 2·1·6·6, c's δ 2·2·4·4, W 2·1·3·3, b 2.
    assert.deepStrictEqual(
      [end.result.layers[0].delta.checked, c.delta.checked, c.params.W.checked, c.params.b.checked],
      [72, 64, 18, 2],
    );
    assert.ok(end.result.passed);
    assert.deepStrictEqual(
      end.layers.map((l) => l.name),
      names,
    );
    assert.deepStrictEqual(end.layers[1].output, [2, 4, 4]);
  });

  it('keeps the layers a cancelled default (local) check finished, exactly as a whole run has them, and the panel lists them and says how many it did not reach', async () => {
    const { gradcheck } = await api();
    // Twelve conv + relu blocks: a few seconds on two threads, its layers finishing one after another.
    const blocks = Array.from({ length: 12 }, (_, i) => `c${i + 1}: conv 32 3x3 pad=same\nrelu\n`).join('');
    const { document } = await openCnn(`input 16x32x32\n${blocks}fc: dense 10\nsoftmax\n`);
    const all = [
      'input',
      ...Array.from({ length: 12 }, (_, i) => [`c${i + 1}`, `relu${i + 1}`]).flat(),
      'fc',
      'softmax1',
    ];
    // A panel fed by the real controller's states, as the extension's feed does (resultsFeed.ts), in this
    // suite's bundle, whose panel it can read.
    const extensionUri = vscode.extensions.getExtension('cnn-lens.cnn-lens')!.extensionUri;
    const handlers = {
      rerun: () => {},
      cancel: () => gradcheck.cancel(),
      reveal: () => {},
      heatmap: () => Promise.reject(new Error('none')),
    };
    const feed = gradcheck.onDidChangeState((state) => ResultsPanel.show(extensionUri, handlers).setState(state));
    try {
      const run = gradcheck.run({ uri: document.uri, threads: 2 });
      while (gradcheck.finished.length < 4) await nextProgress(gradcheck);
      const finished = gradcheck.finished;
      const panel = ResultsPanel.current;
      assert.ok(panel, 'the panel shows the running check');
      const rendered = when(
        panel.onDidRender,
        (v) => v.summary.startsWith('cancelled'),
        20_000,
        () => 'the panel never showed the cancelled run',
      );
      await vscode.commands.executeCommand('cnnLens.cancelGradcheck');
      const end = await run;
      assert.ok(
        end?.status === 'cancelled' && end.result,
        `cancelled with results: ${JSON.stringify(end).slice(0, 300)}`,
      );
      const kept = end.result.layers.map((l) => l.name);
      assert.ok(
        finished.every((n) => kept.includes(n)),
        `${finished} kept in ${kept}`,
      );
      assert.ok(end.result.unreached && end.result.unreached.length > 0, 'cancelled before the end');
      assert.deepStrictEqual(
        all.filter((n) => kept.includes(n) || end.result!.unreached!.includes(n)),
        all,
        'each layer kept or not reached, once',
      );
      const view = await rendered;
      assert.strictEqual(
        view.summary,
        `cancelled, ${kept.length} layers kept, ${end.result.unreached.length} not reached`,
      );
      assert.deepStrictEqual(
        view.rows.map((r) => r.split(' ')[0]),
        kept,
      );
      // The whole run, on two threads too: every kept layer's verdicts and numbers to the last bit.
      const whole = asDone(await gradcheck.run({ uri: document.uri, threads: 2 }));
      assert.deepStrictEqual(
        end.result.layers,
        whole.result.layers.filter((l) => kept.includes(l.name)),
      );
    } finally {
      feed.dispose();
      ResultsPanel.current?.dispose();
    }
  });

  it("opens a .cnn file in the editor's group, not behind the results panel, when the panel's group is active", async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(example('seed.cnn')));
    asDone(await checkGradients({ uri: example('seed.cnn') }));
    const isPanel = (t: vscode.Tab) =>
      t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(ResultsPanel.viewType);
    const panelGroup = () => vscode.window.tabGroups.all.find((g) => g.tabs.some(isPanel));
    const column = panelGroup()?.viewColumn;
    assert.strictEqual(column, vscode.ViewColumn.Two, 'the panel opened beside the editor');
    const focused = new Promise<void>((resolve) => {
      const l = vscode.window.tabGroups.onDidChangeTabGroups(
        () => vscode.window.tabGroups.activeTabGroup.viewColumn === column && (l.dispose(), resolve()),
      );
    });
    await vscode.commands.executeCommand('workbench.action.focusSecondEditorGroup');
    if (vscode.window.tabGroups.activeTabGroup.viewColumn !== column) await focused;
    const uri = example('residual.cnn');
    const moved = new Promise<vscode.TextEditor>((resolve) => {
      const l = vscode.window.onDidChangeActiveTextEditor(
        (e) => e?.document.uri.toString() === uri.toString() && e.viewColumn !== column && (l.dispose(), resolve(e)),
      );
    });
    // What the Explorer does: open the file in the active group.
    await vscode.commands.executeCommand('vscode.open', uri);
    assert.strictEqual((await moved).viewColumn, vscode.ViewColumn.One);
    // The file's tab in the panel's group closes just after: wait for that change of tabs.
    const alone = () => panelGroup()?.tabs.length === 1 && panelGroup()?.tabs[0].isActive;
    if (!alone()) {
      await new Promise<void>((resolve) => {
        const l = vscode.window.tabGroups.onDidChangeTabs(() => alone() && (l.dispose(), resolve()));
      });
    }
    const tabs = panelGroup()!.tabs;
    assert.deepStrictEqual(
      tabs.map((t) => [t.label, t.isActive]),
      [['Gradient check: seed.cnn', true]],
      'the panel is alone in its group, in view',
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('reports a network with errors as an error state, without starting a worker', async () => {
    const { gradcheck } = await api();
    const { document } = await openCnn('input 3x8x8\nc1: conv 4 3\nc2: conv 8 3 in=2\n');
    const state = await gradcheck.run({ uri: document.uri });
    assert.ok(state?.status === 'error');
    assert.strictEqual(state.message, 'the network has 1 error; fix it before checking its gradients');
    assert.deepStrictEqual(state.diagnostics, ['3:17 channel-mismatch: c2: in=2 but c1 gives 4 channels (4×6×6)']);
  });

  it("computes a heat-map of p1's δ in a worker, numeric beside analytic", async () => {
    const { gradcheck } = await api();
    asDone(await gradcheck.run({ uri: example('seed.cnn') }));
    const map = await gradcheck.heatmap('p1', 1, 3);
    assert.deepStrictEqual([map.layer, map.sample, map.channel, map.shape], ['p1', 1, 3, [6, 6]]);
    assert.strictEqual(map.numeric.length, 36);
    map.analytic.forEach((a, i) =>
      assert.ok(
        Math.abs(a - map.numeric[i]) <= 1e-5 + 1e-3 * Math.abs(map.numeric[i]),
        `p1[1,3] ${i}: ${a} vs ${map.numeric[i]}`,
      ),
    );
  });

  it('clears the verdicts after a line when the document changes', async () => {
    const { gradcheck, results } = await api();
    const { document } = await openCnn('input 1x4x4\nc: conv 2 3\nrelu\n');
    const editor = await vscode.window.showTextDocument(document);
    asDone(await gradcheck.run({ uri: document.uri }));
    assert.strictEqual(results.texts(document.uri).length, 3);
    await editor.edit((e) => e.insert(new vscode.Position(3, 0), '# more\n'));
    assert.deepStrictEqual(results.texts(document.uri), []);
  });
});

describe('gradient check code lens', () => {
  const lenses = async (uri: vscode.Uri) =>
    (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)).map(
      (l) => `${l.range.start.line + 1}: ${l.command?.title} → ${l.command?.command}`,
    );

  it('offers ▶ Check gradients and the walkthrough above the first statement', async () => {
    await api();
    await vscode.workspace.openTextDocument(example('seed.cnn'));
    assert.deepStrictEqual(await lenses(example('seed.cnn')), [
      '2: ▶ Check gradients → cnnLens.checkGradients',
      '2: Backprop walkthrough → cnnLens.walkthrough',
      '2: Diagram → cnnLens.showDiagram',
    ]);
  });

  /** The code lenses the page shows now, one string per editor (`▶ Check gradients | Backprop walkthrough | Diagram`). */
  const shownLenses = async () =>
    (await workbenchTexts('.monaco-editor .codelens-decoration')).map((t) => t.replace(/\s+/g, ' ').trim());

  /** Polls what the page shows (each poll a round trip to the runner, no sleep) until `ready`; how long it took. */
  async function shownWhen(
    ready: (lenses: string[]) => boolean,
    ms = 10_000,
  ): Promise<{ lenses: string[]; after: number }> {
    const started = performance.now();
    for (;;) {
      const lenses = await shownLenses();
      if (ready(lenses)) return { lenses, after: performance.now() - started };
      if (performance.now() - started > ms)
        throw new Error(`the page shows lenses ${JSON.stringify(lenses)} after ${ms} ms`);
    }
  }

  it('shows a check that is done as done at once: the lens never says Checking, no notification is left', async function () {
    needsWebviewDriver(this);
    const { gradcheck } = await api();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // A check far under the 3 s after which progress is a notification (VS Code keeps one up 800 ms at least),
    // even on a loaded machine: the seed's is about 1 s alone and crosses 3 s when the machine is busy.
    const { document } = await openCnn('input 1x4x4\nc: conv 2 3x3\nfc: dense 3\nsoftmax\n');
    const uri = document.uri;
    await shownWhen((l) => l.includes('▶ Check gradients | Backprop walkthrough | Diagram'));
    const done = new Promise<string[][]>((resolve) => {
      const l = gradcheck.onDidChangeState((s) => {
        if (s.status !== 'done') return;
        l.dispose();
        // Read the page the moment the check is done: the lens and any notification of the run.
        void Promise.all([shownLenses(), workbenchTexts('.notification-toast')]).then(resolve);
      });
    });
    asDone(await checkGradients({ uri }));
    const [lenses, toasts] = await done;
    assert.deepStrictEqual(lenses, ['▶ Check gradients | Backprop walkthrough | Diagram']);
    assert.deepStrictEqual(
      toasts.filter((t) => t.includes('Checking the gradients')),
      [],
    );
  });

  it('says an edit made an error in every editor of the file, the active one too', async function () {
    needsWebviewDriver(this);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const { document } = await openCnn('input 3x8x8\nc1: conv 4 3\nrelu\n');
    // Each editor asks for its lenses while it has the focus: show them one after the other, as a user opens them.
    await shownWhen((l) => l.length === 1);
    const active = await vscode.window.showTextDocument(document, vscode.ViewColumn.Two);
    const ok = '▶ Check gradients | Backprop walkthrough | Diagram';
    await shownWhen((l) => l.length === 2 && l.every((x) => x === ok));
    await active.edit((e) => e.insert(new vscode.Position(1, document.lineAt(1).text.length), ' in=2'));
    const error = '✗ 1 error: fix it to check gradients | Backprop walkthrough | Diagram';
    const both = await shownWhen((l) => l.length === 2 && l.every((x) => x === error));
    assert.deepStrictEqual(both.lenses, [error, error]);
  });

  it('says why a file with errors cannot run, and opens Problems', async () => {
    const { document } = await openCnn('input 3x8x8\nconv 4 0\nconv 4 3 in=2 from=input\n');
    assert.deepStrictEqual(await lenses(document.uri), [
      '1: ✗ 2 errors: fix them to check gradients → workbench.actions.view.problems',
      '1: Backprop walkthrough → cnnLens.walkthrough',
      '1: Diagram → cnnLens.showDiagram',
    ]);
  });
});
