/**
 * The network diagram in a real VS Code: it opens for each example with one node per layer (plus the input and
 * the loss), a click on a node selects that layer's statement, a cursor move highlights the node (and, zoomed in,
 * scrolls it onto the stage), hovering an edge shows its producer and readers, an edit that
 * breaks the channels marks the node within a second, a check with a fault-injected layer marks that node
 * failing, and the SVG export writes a file that parses as SVG and names every layer. What the webview
 * reports it drew (its `shown` message) is what is asserted, so a diagram that fails to load, lay out or
 * draw fails here.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { check } from '../../engine';
import { parseFigure, standsAlone } from '../figure';
import type { DiagramShown, DiagramView } from '../../extension/diagram/panel';
import { screenshot } from './screenshot';
import { api, example } from './util';
import { inWebview, needsWebviewDriver, webviewTexts } from './webview';

function shownWhen(view: DiagramView, ready: (s: DiagramShown) => boolean, ms = 15_000): Promise<DiagramShown> {
  return new Promise((resolve, reject) => {
    const done = (s: DiagramShown) => {
      clearTimeout(timer);
      l.dispose();
      resolve(s);
    };
    const timer = setTimeout(() => {
      l.dispose();
      reject(
        new Error(
          `the diagram did not show the expected state within ${ms} ms; it shows ${JSON.stringify(view.shown)}`,
        ),
      );
    }, ms);
    const l = view.onDidShow((s) => ready(s) && done(s));
    if (view.shown && ready(view.shown)) done(view.shown);
  });
}

/** The node ids the diagram must draw for a file: its input, its layers, the loss. */
async function expectedNodes(uri: vscode.Uri): Promise<string[]> {
  const a = check(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
  return [...(a.input ? [a.input.name] : []), ...a.layers.map((l) => l.name), 'loss'];
}

const lineOf = (document: vscode.TextDocument, prefix: string) =>
  document
    .getText()
    .split('\n')
    .findIndex((l) => l.startsWith(prefix));

describe('network diagram', function () {
  this.timeout(90_000);
  before(api);

  it('opens for each example with one node per layer', async () => {
    const { diagram } = await api();
    for (const file of ['seed.cnn', 'lenet5.cnn', 'residual.cnn', 'inception.cnn', 'backward.cnn']) {
      const document = await vscode.workspace.openTextDocument(example(file));
      await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
      const nodes = await expectedNodes(example(file));
      await vscode.commands.executeCommand('cnnLens.showDiagram');
      const shown = await shownWhen(diagram, (s) => s.nodes.join() === nodes.join());
      assert.strictEqual(shown.nodes.length, nodes.length, file);
    }
  });

  it('follows the cursor, and a click on a node selects its layer', async function () {
    const { diagram } = await api();
    const document = await vscode.workspace.openTextDocument(example('seed.cnn'));
    const editor = await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    await vscode.commands.executeCommand('cnnLens.showDiagram');
    await shownWhen(diagram, (s) => s.nodes.includes('c2'));
    for (const [prefix, column, node] of [
      ['c2:', 2, 'c2'],
      ['p1:', 5, 'p1'],
      ['input', 2, 'input'],
      ['    softmax', 6, 'softmax1'],
      ['c1:', 0, 'c1'],
    ] as const) {
      const moved = shownWhen(diagram, (s) => s.current === node);
      editor.selection = new vscode.Selection(lineOf(document, prefix), column, lineOf(document, prefix), column);
      await moved;
    }
    await screenshot('diagram');

    needsWebviewDriver(this);
    const selected = new Promise<vscode.Selection>((resolve) => {
      const l = vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor.document !== document || e.selections[0].start.line !== lineOf(document, 'c2:')) return;
        l.dispose();
        resolve(e.selections[0]);
      });
    });
    await inWebview({ action: 'click', selector: '.node[data-name="c2"] rect' });
    const s = await selected;
    assert.deepStrictEqual(
      [s.start.line, s.start.character, s.end.line],
      [lineOf(document, 'c2:'), 0, lineOf(document, 'c2:')],
    );
  });

  it('zoomed in, a cursor move highlights its node and scrolls it onto the stage', async function () {
    needsWebviewDriver(this);
    const { diagram } = await api();
    const document = await vscode.workspace.openTextDocument(example('inception.cnn'));
    const editor = await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    await vscode.commands.executeCommand('cnnLens.showDiagram');
    await shownWhen(diagram, (s) => s.nodes.includes('fc'));
    // Zoomed in this far, inception's fifteen nodes are several stages tall: the first and last cannot both show.
    for (let i = 0; i < 8; i++) await inWebview({ action: 'press', selector: '#stage', value: '+' });
    for (const [prefix, node] of [
      ['fc:', 'fc'],
      ['b1:', 'b1'],
      ['gap:', 'gap'],
      ['input', 'input'],
    ] as const) {
      const moved = shownWhen(diagram, (s) => s.current === node);
      editor.selection = new vscode.Selection(lineOf(document, prefix), 0, lineOf(document, prefix), 0);
      assert.ok((await moved).currentOnStage, `${node} is scrolled onto the stage`);
    }
  });

  it('hovering an edge shows its tensor, the layer that makes it and the layers that read it', async function () {
    needsWebviewDriver(this);
    const { diagram } = await api();
    const document = await vscode.workspace.openTextDocument(example('seed.cnn'));
    await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    await vscode.commands.executeCommand('cnnLens.showDiagram');
    await shownWhen(diagram, (s) => s.nodes.includes('sigmoid1') && s.view === 'forward');
    await inWebview({ action: 'hover', selector: '.edge[data-from="c1"][data-to="sigmoid1"] path' });
    const [tip] = await webviewTexts('#tip:not([hidden])');
    assert.deepStrictEqual(tip.split('\n'), [
      "c1's output 64×13×13",
      `made by c1 (line ${lineOf(document, 'c1:') + 1}): conv 64 5×5`,
      `read by sigmoid1 (line ${lineOf(document, '    sigmoid') + 1})`,
    ]);
    // The pointer leaves the edge (and the tip stays out of the screenshots after).
    await inWebview({ action: 'hover', selector: '#title' });
    assert.deepStrictEqual(await webviewTexts('#tip[hidden]', 'attached'), [tip]);
  });

  it('marks the node of a channel mismatch within a second of the edit', async () => {
    const { diagram } = await api();
    const document = await vscode.workspace.openTextDocument({
      language: 'cnn',
      content: 'input 3x8x8\nc1: conv 4 3\nc2: conv 2 3 in=4\n',
    });
    const editor = await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    await vscode.commands.executeCommand('cnnLens.showDiagram');
    await shownWhen(diagram, (s) => s.nodes.join() === 'input,c1,c2,loss' && s.errors.length === 0);
    const t0 = Date.now();
    const marked = shownWhen(diagram, (s) => s.errors.join() === 'c2', 5_000);
    await editor.edit((e) => e.replace(new vscode.Range(1, 9, 1, 10), '5'));
    await marked;
    const ms = Date.now() - t0;
    assert.ok(ms < 1000, `marked after ${ms} ms`);
  });

  it('marks the fault-injected layer failing after a gradient check, and the backward view draws δ', async function () {
    const { diagram, gradcheck } = await api();
    const uri = example('seed.cnn');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    await vscode.commands.executeCommand('cnnLens.showDiagram');
    await shownWhen(diagram, (s) => s.nodes.includes('p1'));
    const failing = shownWhen(diagram, (s) => s.failing.length > 0, 60_000);
    // End to end (baseline), where a wrong δ fails every layer below it; the default local check fails p1's rule
    // and sigmoid1's δ alone (test/engine/run/local.test.ts).
    const state = await gradcheck.run({
      uri,
      settings: { mode: 'baseline' },
      fault: { layer: 'p1', name: 'mean-pool-no-divide' },
    });
    assert.strictEqual(state?.status, 'done', JSON.stringify(state));
    // The results panel opens beside the editor, over the diagram: a hidden webview is unloaded, and showing it
    // again reloads it with the verdicts of the check.
    await vscode.commands.executeCommand('cnnLens.showDiagram');
    const shown = await failing;
    // p1's wrong rule spoils the δ it sends back, so the layers above it fail too; the check blames p1 alone.
    assert.deepStrictEqual(shown.blamed, ['p1']);
    assert.deepStrictEqual(shown.failing, ['input', 'c1', 'sigmoid1', 'p1']);
    await screenshot('diagram-failing');
    needsWebviewDriver(this);
    const backward = shownWhen(diagram, (s) => s.view === 'backward');
    await inWebview({ action: 'click', selector: '#backward' });
    assert.deepStrictEqual((await backward).failing, shown.failing, 'the verdicts stay in the backward view');
    await screenshot('diagram-backward');
    const forward = shownWhen(diagram, (s) => s.view === 'forward');
    await inWebview({ action: 'click', selector: '#forward' });
    await forward;
  });

  it('saves an SVG in the print theme that parses, names every layer and embeds its font', async () => {
    const { diagram } = await api();
    const uri = example('inception.cnn');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    await vscode.commands.executeCommand('cnnLens.showDiagram');
    const nodes = await expectedNodes(uri);
    await shownWhen(diagram, (s) => s.nodes.join() === nodes.join());
    const target = vscode.Uri.joinPath(uri, '..', 'inception-diagram.svg');
    const written = await vscode.commands.executeCommand<vscode.Uri>('cnnLens.saveDiagram', {
      uri: target.toString(),
      theme: 'print',
    });
    assert.strictEqual(written?.toString(), target.toString());
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(target));
    const svg = parseFigure(text);
    assert.strictEqual(svg.root, 'svg http://www.w3.org/2000/svg');
    assert.deepStrictEqual(svg.nodes, nodes);
    assert.deepStrictEqual(svg.names, nodes, "each node writes its layer's name");
    assert.deepStrictEqual(
      svg.refs.filter((r) => !standsAlone(r)),
      [],
      'it references nothing outside itself',
    );
    assert.strictEqual(
      svg.refs.filter((r) => r.startsWith('data:font/woff2;base64,')).length,
      2,
      'both weights of its font are embedded',
    );
    assert.match(
      text,
      /svg\.diagram \{ font-family: "CNN Lens Mono", monospace; font-size: 12px; background: #ffffff; \}/,
      'in the print theme, in the embedded font',
    );
    await vscode.workspace.fs.delete(target);
  });
});
