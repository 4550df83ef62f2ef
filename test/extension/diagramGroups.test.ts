/**
 * Blocks as groups in the real diagram (VS Code for the Web, the webview driven by the runner): ResNet-50 opens
 * with its `repeat=` uses collapsed, one node each, and its other uses open as frames; a click on the collapsed
 * `layer2.1` opens it (its ten layers drawn in a frame), and Enter on that frame collapses it again. What the
 * webview reports it drew (`shown`) is asserted.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { check } from '../../engine';
import type { DiagramShown, DiagramView } from '../../extension/diagram/panel';
import { api, example } from './util';
import { inWebview, needsWebviewDriver } from './webview';

function shownWhen(view: DiagramView, ready: (s: DiagramShown) => boolean, ms = 15_000): Promise<DiagramShown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      l.dispose();
      reject(new Error(`the diagram did not show the expected state within ${ms} ms: ${JSON.stringify(view.shown)}`));
    }, ms);
    const done = (s: DiagramShown) => {
      clearTimeout(timer);
      l.dispose();
      resolve(s);
    };
    const l = view.onDidShow((s) => ready(s) && done(s));
    if (view.shown && ready(view.shown)) done(view.shown);
  });
}

describe('network diagram: blocks as groups', function () {
  this.timeout(90_000);
  before(api);

  it("ResNet-50's repeated uses start collapsed, and a click opens layer2.1 and Enter on its frame closes it", async function () {
    needsWebviewDriver(this);
    const { diagram } = await api();
    const uri = example('zoo/resnet50.cnn');
    const a = check(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
    // From the checker: the uses written with repeat= (layers named `layerN.i.…`) and the others.
    const uses = (repeated: boolean) => [
      ...new Set(
        a.layers
          .filter((l) => l.use && /^layer\d\.\d+\./.test(l.name) === repeated)
          .map((l) => (repeated ? l.name.split('.').slice(0, 2).join('.') : l.use!.topName)),
      ),
    ];
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    await vscode.commands.executeCommand('cnnLens.showDiagram');
    const first = await shownWhen(diagram, (s) => s.nodes.length === a.layers.length + 2);
    assert.deepStrictEqual(first.collapsed, uses(true));
    assert.deepStrictEqual(first.expanded, uses(false));
    assert.strictEqual(first.collapsed.length, 12);

    const opened = shownWhen(diagram, (s) => s.expanded.includes('layer2.1'));
    await inWebview({ action: 'click', selector: '.node[data-group="layer2.1"] rect' });
    const after = await opened;
    assert.deepStrictEqual(
      after.collapsed,
      uses(true).filter((u) => u !== 'layer2.1'),
    );
    const closed = shownWhen(diagram, (s) => s.collapsed.includes('layer2.1'));
    // The frame's middle is covered by its layers: the keyboard closes it (Enter on the focused frame).
    await inWebview({ action: 'press', selector: '.frame[data-group="layer2.1"]', value: 'Enter' });
    assert.deepStrictEqual((await closed).collapsed, uses(true));
  });
});
