/**
 * The backprop walkthrough view in a real VS Code: the command opens it on the active file, its webview draws
 * the steps from the loss back to the input, and the highlighted step follows the editor's cursor. What the
 * webview reports it drew (its `shown` message) is what is asserted, so a view that fails to load, to draw or
 * to highlight fails here.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { WalkthroughShown, WalkthroughView } from '../../extension/walkthrough/view';
import { screenshot } from './screenshot';
import { api, example, when } from './util';

/** Resolves once the view reports showing what `ready` accepts (now or later); rejects after `ms`. */
function shownWhen(
  view: WalkthroughView,
  ready: (s: WalkthroughShown) => boolean,
  ms = 15_000,
): Promise<WalkthroughShown> {
  return when(
    view.onDidShow,
    ready,
    ms,
    () => `the walkthrough did not show the expected steps; it shows ${JSON.stringify(view.shown)}`,
    () => view.shown ?? undefined,
  );
}

const SEED_STEPS = ['loss', 'softmax1', 'fc', 'p2', 'sigmoid2', 'c2', 'p1', 'sigmoid1', 'c1', 'input'];

describe('backprop walkthrough', function () {
  this.timeout(60_000);
  before(api);

  it('shows seed.cnn from the loss back to the input, and its highlight follows the cursor', async () => {
    const { walkthrough } = await api();
    const document = await vscode.workspace.openTextDocument(example('seed.cnn'));
    const editor = await vscode.window.showTextDocument(document);
    const lineOf = (prefix: string) =>
      document
        .getText()
        .split('\n')
        .findIndex((l) => l.startsWith(prefix));
    editor.selection = new vscode.Selection(lineOf('c2:'), 3, lineOf('c2:'), 3);
    await vscode.commands.executeCommand('cnnLens.walkthrough');
    const first = await shownWhen(walkthrough, (s) => s.steps.join() === SEED_STEPS.join());
    assert.strictEqual(first.current, 'c2');
    await screenshot('walkthrough');

    // The walkthrough command leaves the editor focused, so moving the cursor is typing's own.
    assert.strictEqual(vscode.window.activeTextEditor?.document, document);
    for (const [prefix, column, step] of [
      ['p1:', 5, 'p1'],
      ['    sigmoid', 6, 'sigmoid1'],
      ['input', 2, 'input'],
      ['c1:', 0, 'c1'],
    ] as const) {
      const moved = shownWhen(walkthrough, (s) => s.current === step);
      editor.selection = new vscode.Selection(lineOf(prefix), column, lineOf(prefix), column);
      assert.strictEqual((await moved).current, step, `cursor on ${prefix}`);
    }
    // A comment line is no step's: nothing is highlighted.
    const none = shownWhen(walkthrough, (s) => s.current === null);
    editor.selection = new vscode.Selection(0, 3, 0, 3);
    await none;
  });

  it('follows the active editor when seed.cnn is open in two groups, also while typing in it', async () => {
    const { walkthrough } = await api();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const document = await vscode.workspace.openTextDocument(example('seed.cnn'));
    const lineOf = (prefix: string) =>
      document
        .getText()
        .split('\n')
        .findIndex((l) => l.startsWith(prefix));
    const at = (prefix: string, column: number) => new vscode.Selection(lineOf(prefix), column, lineOf(prefix), column);
    const other = await vscode.window.showTextDocument(document, {
      viewColumn: vscode.ViewColumn.One,
      selection: at('p1:', 1),
    });
    const active = await vscode.window.showTextDocument(document, {
      viewColumn: vscode.ViewColumn.Two,
      selection: at('c2:', 1),
    });
    assert.notStrictEqual(other, active);
    assert.strictEqual(vscode.window.activeTextEditor, active);
    await vscode.commands.executeCommand('cnnLens.walkthrough');
    await shownWhen(walkthrough, (s) => s.steps.join() === SEED_STEPS.join() && s.current === 'c2');

    // Typing on the fc line re-analyses the file and redraws the steps: the highlight stays on fc, not on the
    // other editor's p1, though the edit moves that editor's selection too.
    const fc = lineOf('fc:');
    const onFc = shownWhen(walkthrough, (s) => s.current === 'fc');
    active.selection = at('fc:', 2);
    await onFc;
    const next = new Promise<WalkthroughShown>((resolve) => {
      const l = walkthrough.onDidShow((s) => (l.dispose(), resolve(s)));
    });
    await active.edit((e) => {
      e.insert(new vscode.Position(fc, document.lineAt(fc).text.length), '  ');
      e.insert(new vscode.Position(0, 0), '# moved\n');
    });
    const redrawn = await next;
    assert.deepStrictEqual([redrawn.steps.join(), redrawn.current], [SEED_STEPS.join(), 'fc']);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it("has room in its own view container and keeps the highlighted step's header in view as the cursor moves", async () => {
    const { walkthrough } = await api();
    const document = await vscode.workspace.openTextDocument(example('inception.cnn'));
    const editor = await vscode.window.showTextDocument(document);
    const lineOf = (prefix: string) =>
      document
        .getText()
        .split('\n')
        .findIndex((l) => l.startsWith(prefix));
    editor.selection = new vscode.Selection(lineOf('fc:'), 0, lineOf('fc:'), 0);
    await vscode.commands.executeCommand('cnnLens.walkthrough');
    const first = await shownWhen(walkthrough, (s) => s.current === 'fc' && s.steps.includes('b4p'));
    // In the Explorer it opened 120 px tall; in its own container it has the side bar's height.
    assert.ok(first.height >= 400, `the view is ${first.height} px tall`);
    // From the top of the list to its end and back: each highlighted step's header (its name) is wholly in view.
    for (const [prefix, step] of [
      ['b1:', 'b1'],
      ['b4p:', 'b4p'],
      ['input', 'input'],
      ['mix:', 'mix'],
      ['fc:', 'fc'],
    ] as const) {
      const moved = shownWhen(walkthrough, (s) => s.current === step);
      editor.selection = new vscode.Selection(lineOf(prefix), 0, lineOf(prefix), 0);
      const shown = await moved;
      assert.ok(
        shown.header && shown.header.top >= 0 && shown.header.bottom <= shown.height,
        `${step}'s header at ${JSON.stringify(shown.header)} in a ${shown.height} px view`,
      );
    }
  });

  it('follows the file being edited: a new layer is a new step', async () => {
    const { walkthrough } = await api();
    const document = await vscode.workspace.openTextDocument({
      language: 'cnn',
      content: 'input 1x8x8\nc: conv 2 3\nrelu\n',
    });
    const editor = await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('cnnLens.walkthrough');
    await shownWhen(walkthrough, (s) => s.steps.join() === 'loss,relu1,c,input');
    const grown = shownWhen(walkthrough, (s) => s.steps.join() === 'loss,p,relu1,c,input');
    await editor.edit((e) => e.insert(new vscode.Position(3, 0), 'p: pool max 2\n'));
    await grown;
  });
});
