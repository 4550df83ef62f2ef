/**
 * TensorFlow.js code in a real VS Code (web or desktop): examples/tfjs-model.ts, read by the tfjs worker, shows
 * its two mistakes as cnn-lens diagnostics at the exact config objects, each layer's channels-last shape as an
 * inlay hint after its config, hovers with δ shapes and rules, and follows an edit.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { api, brief, diagnosticsWhen, example, hoverText, when } from './util';

const ours = (d: readonly vscode.Diagnostic[]) => d.filter((x) => x.source === 'cnn-lens');

/** 1-based line:column-line:column of `text`'s first occurrence in `document`, as `brief` writes ranges. */
function at(document: vscode.TextDocument, text: string): string {
  const start = document.getText().indexOf(text);
  assert.ok(start >= 0, text);
  const [s, e] = [document.positionAt(start), document.positionAt(start + text.length)];
  return `${s.line + 1}:${s.character + 1}-${e.line + 1}:${e.character + 1}`;
}

describe('TensorFlow.js code in VS Code', function () {
  this.timeout(90_000);
  before(api);

  it('shows the dense-last-axis warning and the add channel-mismatch at their config objects, with cnn-lens as source', async () => {
    const uri = example('tfjs-model.ts');
    const opened = performance.now();
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    // The first file starts the worker, which loads ts-morph: allow for that once.
    const diagnostics = ours(await diagnosticsWhen(uri, (d) => ours(d).length > 0, 60_000));
    console.log(
      `[timing] tfjs-model.ts diagnostics ${Math.round(performance.now() - opened)} ms after opening (worker start included)`,
    );
    assert.deepStrictEqual(diagnostics.map(brief), [
      `dense-last-axis ${at(document, "{ units: 10, activation: 'softmax' }")} warning`,
      `channel-mismatch ${at(document, 'tf.layers.add()')} error`,
    ]);
    assert.match(diagnostics[1].message, /^add: its inputs have 16 and 32 channels \(32×32×16 and 32×32×32\)/);
  });

  it("shows each layer's channels-last output shape after its config, and a hover with δ shapes and the rule", async () => {
    const uri = example('tfjs-model.ts');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const tfjs = (await api()).tfjs;
    await when(
      tfjs.onDidAnalyse,
      (r) => r.document === document,
      60_000,
      () => 'tfjs-model.ts was not analysed',
      () => tfjs.result(document),
    );
    const all = new vscode.Range(0, 0, document.lineCount, 0);
    const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', uri, all);
    const label = (h: vscode.InlayHint) =>
      typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('');
    const text = document.getText();
    const after = (config: string) => document.positionAt(text.indexOf(config) + config.length);
    const expected: [string, string][] = [
      ["{ inputShape: [WIDTH, WIDTH, CHANNELS], filters: 16, kernelSize: 5, activation: 'relu' }", '→ 28×28×16'],
      ['{ poolSize: 2 }', '→ 14×14×16'],
      ["{ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }", '→ 7×7×32'],
      ["{ units: 10, activation: 'softmax' }", '→ 7×7×10'],
    ];
    for (const [config, shape] of expected) {
      const hint = hints.find((h) => h.position.isEqual(after(config)));
      assert.ok(
        hint,
        `a hint after ${config}; hints at ${hints.map((h) => `${h.position.line}:${h.position.character} ${label(h)}`).join(', ')}`,
      );
      assert.strictEqual(label(hint), shape);
    }
    assert.ok(
      hints.some((h) => label(h) === '→ ?'),
      'the add and what follows it are unknown',
    );
    const pool = document.positionAt(text.indexOf('{ poolSize: 2 }') + 3);
    const hover = hoverText(
      await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pool),
    );
    assert.match(hover, /\*\*maxPooling2d\*\* · `tf\.layers\.maxPooling2d` · 28×28×16 → \*\*14×14×16\*\*/);
    assert.match(hover, /δ: 14×14×16 at the output → 28×28×16 at the input/);
    assert.match(hover, /each δy value goes to its window's maximum/);
  });

  it('follows an edit: 32 filters made 16 clears the channel mismatch', async () => {
    const content = (await vscode.workspace.openTextDocument(example('tfjs-model.ts'))).getText();
    const document = await vscode.workspace.openTextDocument({ language: 'typescript', content });
    const editor = await vscode.window.showTextDocument(document);
    await diagnosticsWhen(document.uri, (d) => ours(d).length === 2, 60_000);
    const start = content.indexOf('filters: 32, kernelSize: 3, padding');
    await editor.edit((e) =>
      e.replace(
        new vscode.Range(document.positionAt(start), document.positionAt(start + 'filters: 32'.length)),
        'filters: 16',
      ),
    );
    const edited = performance.now();
    const after = ours(await diagnosticsWhen(document.uri, (d) => ours(d).length === 1, 20_000));
    console.log(`[timing] tfjs diagnostics ${Math.round(performance.now() - edited)} ms after an edit`);
    assert.deepStrictEqual(
      after.map((d) => d.code),
      ['dense-last-axis'],
    );
  });

  it("the channel mismatch's quick fix sets the producing conv2d's filters, and the error goes", async () => {
    const content = (await vscode.workspace.openTextDocument(example('tfjs-model.ts'))).getText();
    const document = await vscode.workspace.openTextDocument({ language: 'typescript', content });
    await vscode.window.showTextDocument(document);
    const [mismatch] = ours(await diagnosticsWhen(document.uri, (d) => ours(d).length === 2, 60_000)).filter(
      (d) => d.code === 'channel-mismatch',
    );
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      document.uri,
      mismatch.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find((a) => a.title === 'filters: 16 in the layer that makes input 2 (32 channels now)');
    assert.ok(fix?.edit, `actions: ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(fix.isPreferred);
    await vscode.workspace.applyEdit(fix.edit);
    assert.ok(document.getText().includes("conv2d({ filters: 16, kernelSize: 3, padding: 'same' }).apply(a)"));
    const after = ours(await diagnosticsWhen(document.uri, (d) => ours(d).length === 1, 20_000));
    assert.deepStrictEqual(
      after.map((d) => d.code),
      ['dense-last-axis'],
    );
  });
});
