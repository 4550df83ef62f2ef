/**
 * The editor in a real VS Code (desktop or web): exact diagnostics on the examples, live updates, hovers,
 * inlay hints, quick fixes applied until the file is clean, completion, the outline, navigation and rename.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { check } from '../../engine';
import { StatusBar } from '../../extension/statusBar';
import { screenshot } from './screenshot';
import { api, brief, diagnosticsWhen, example, hoverText, openCnn } from './util';

const isCnn = (d: readonly vscode.Diagnostic[]) => d.length > 0;

describe('CNN Lens in VS Code', function () {
  this.timeout(60_000);
  // Each test can run alone (--grep): activate first, as opening a .cnn file would.
  before(api);

  it("shows the seed's pool-remainder warning with its exact range, code link and message", async () => {
    const uri = example('seed.cnn');
    const opened = performance.now();
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const diagnostics = await diagnosticsWhen(uri, isCnn);
    console.log(
      `[timing] seed.cnn diagnostics ${Math.round(performance.now() - opened)} ms after opening; activation ${(await api()).activationMs.toFixed(1)} ms`,
    );
    assert.deepStrictEqual(diagnostics.map(brief), ['pool-remainder 7:15-7:18 warning']);
    const [d] = diagnostics;
    assert.match(d.message, /row 13 and column 13 .* \(δ upsampled is 12×12 against 13×13\)/);
    assert.ok(
      typeof d.code === 'object' &&
        d.code.target.path.endsWith('/docs/language.md') &&
        d.code.target.fragment === 'pool-remainder',
    );
  });

  it('shows every diagnostic of seed-mistake.cnn, with the related place the channels come from', async () => {
    const uri = example('seed-mistake.cnn');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const diagnostics = await diagnosticsWhen(uri, isCnn);
    assert.deepStrictEqual(
      diagnostics.map((d) => brief(d).split(' ')[0]),
      ['shape-assertion', 'pool-remainder', 'channel-mismatch'],
    );
    const mismatch = diagnostics[2];
    assert.strictEqual(mismatch.severity, vscode.DiagnosticSeverity.Error);
    assert.strictEqual(mismatch.relatedInformation?.[0].message, 'the 64 channels of p1 come from here');
    await screenshot('diagnostics');
  });

  it('tags an unused layer as unnecessary', async () => {
    const { diagnostics } = await openCnn('input 3x8x8\nside: conv 2 3\nmain: conv 4 3 from=input\nrelu\n');
    assert.deepStrictEqual(diagnostics.map(brief), ['unused-layer 2:1-2:15 warning']);
    assert.deepStrictEqual(diagnostics[0].tags, [vscode.DiagnosticTag.Unnecessary]);
  });

  it('updates diagnostics as you type', async () => {
    const { document } = await openCnn('input 3x17x17\nc1: conv 64 5x5\n');
    const editor = await vscode.window.showTextDocument(document);
    const typed = performance.now();
    await editor.edit((e) => e.insert(new vscode.Position(2, 0), 'c2: conv 8 3 in=32\n'));
    const diagnostics = await diagnosticsWhen(document.uri, (d) => d.length === 1);
    console.log(`[timing] diagnostics ${Math.round(performance.now() - typed)} ms after an edit`);
    assert.deepStrictEqual(diagnostics.map(brief), ['channel-mismatch 3:17-3:19 error']);
  });

  it('hovers a layer with its shapes and δ rule, and a used name with its shape', async () => {
    const uri = example('seed.cnn');
    const document = await vscode.workspace.openTextDocument(uri);
    const line = document
      .getText()
      .split('\n')
      .findIndex((l) => l.startsWith('c2:'));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      uri,
      new vscode.Position(line, 5),
    );
    const text = hoverText(hovers);
    assert.match(text, /p1 64×6×6 → \*\*96×2×2\*\*/);
    assert.match(text, /δ: 96×2×2 at the output → 64×6×6 at the input/);
    assert.match(
      text,
      /Σ over the 96 filters k of full_corr\(δ\(c2\)\[k\] 2×2, rot180\(W\[k,c\] 5×5\)\) = 6×6 \(2\+5−1\)/,
    );
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(line, 5, line, 5);
    await vscode.commands.executeCommand('editor.action.showHover');
    await screenshot('hover');
    const { document: used } = await openCnn('input 3x8x8\nstem: conv 4 3\nrelu from=stem\n');
    const useHover = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      used.uri,
      new vscode.Position(2, 12),
    );
    assert.strictEqual(hoverText(useHover), '**stem** · `conv` → 4×6×6 (line 2)');
  });

  it("shows each layer's output shape as an inlay hint, and δ shapes with the setting", async () => {
    const uri = example('seed.cnn');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const all = new vscode.Range(0, 0, document.lineCount, 0);
    const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', uri, all);
    const labels = hints.map(
      (h) => `${h.position.line + 1}:${typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')}`,
    );
    assert.deepStrictEqual(labels, [
      '5:64×13×13',
      '6:64×13×13',
      '7:64×6×6',
      '8:96×2×2',
      '9:96×2×2',
      '10:96×1×1',
      '11:10',
      '12:10',
    ]);
    await screenshot('inlay-hints');
    const config = vscode.workspace.getConfiguration('cnnLens');
    await config.update('inlayHints.deltas', true, vscode.ConfigurationTarget.Global);
    try {
      const withDeltas = await vscode.commands.executeCommand<vscode.InlayHint[]>(
        'vscode.executeInlayHintProvider',
        uri,
        all,
      );
      assert.strictEqual(withDeltas[3].label, '96×2×2 · δ 64×6×6');
    } finally {
      await config.update('inlayHints.deltas', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('offers the preferred quick fix for in=, and applying it leaves the file clean', async () => {
    const { document, diagnostics } = await openCnn('input 3x17x17\nc1: conv 64 5x5\nc2: conv 96 5x5 in=96\n');
    assert.deepStrictEqual(diagnostics.map(brief), ['channel-mismatch 3:20-3:22 error']);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      document.uri,
      diagnostics[0].range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find((a) => a.title === 'Set in=64');
    assert.ok(fix?.edit && fix.isPreferred);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.deepStrictEqual(await diagnosticsWhen(document.uri, (d) => d.length === 0), []);
    assert.strictEqual(document.getText(), 'input 3x17x17\nc1: conv 64 5x5\nc2: conv 96 5x5 in=64\n');
  });

  it("flags a hand-written backward rule of the wrong size and offers the layer's standard rule, not as preferred", async () => {
    const text = 'input 3x17x17\nc1: conv 64 5x5\np1: pool mean 2x2\nbackward p1: dx[c] = kron(dy[c], ones(2)) / 4\n';
    const { document, diagnostics } = await openCnn(text);
    assert.deepStrictEqual(diagnostics.map(brief), [
      'pool-remainder 3:15-3:18 warning',
      'backward-shape 4:22-4:46 error',
    ]);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      document.uri,
      diagnostics[1].range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find((a) => a.title.startsWith("Use p1's standard rule"));
    assert.ok(fix?.edit && !fix.isPreferred);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.deepStrictEqual((await diagnosticsWhen(document.uri, (d) => d.length === 1)).map(brief), [
      'pool-remainder 3:15-3:18 warning',
    ]);
    assert.strictEqual(
      document.getText(),
      text.replace('kron(dy[c], ones(2)) / 4', "padarray(kron(dy[c], ones(2, 2)) / 4, [1 1], 'post')"),
    );
  });

  it('offers the pool tiling fixes, solved for', async () => {
    const { document, diagnostics } = await openCnn('input 1x13x13\np: pool mean 2x2\n');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      document.uri,
      diagnostics[0].range,
      vscode.CodeActionKind.QuickFix.value,
    );
    assert.deepStrictEqual(
      actions.map((a) => a.title),
      [
        'Set ceil=true (output 1×7×7)',
        'Set pad=1 (output 1×7×7)',
        'Use a 3×3 kernel with stride 2 (output 1×6×6)',
        'Use stride 1 (output 1×12×12)',
      ],
    );
  });

  it('fixes all: misspellings, in= and an assertion at once', async () => {
    const { document, diagnostics } = await openCnn(
      'input 3x17x17\nc1: conb 64 5x5\nc2: conv 96 5 strid=1 -> 9x9x9\nc3: conv 8 1 in=3\n',
    );
    assert.strictEqual(diagnostics.length, 2);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      document.uri,
      new vscode.Range(0, 0, 4, 0),
      vscode.CodeActionKind.SourceFixAll.value,
    );
    const all = actions.find((a) => a.kind?.value === 'source.fixAll.cnnLens');
    assert.ok(all?.edit);
    assert.ok(await vscode.workspace.applyEdit(all.edit));
    // Fixing the spellings reveals the next layer of problems (the assertion, in=): fix all again.
    const second = await diagnosticsWhen(document.uri, (d) => d.every((x) => !/unknown/.test(brief(x))));
    if (second.length) {
      const again = await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        document.uri,
        new vscode.Range(0, 0, 4, 0),
        vscode.CodeActionKind.SourceFixAll.value,
      );
      assert.ok(await vscode.workspace.applyEdit(again.find((a) => a.kind?.value === 'source.fixAll.cnnLens')!.edit!));
    }
    assert.deepStrictEqual(await diagnosticsWhen(document.uri, (d) => d.length === 0), []);
    assert.strictEqual(
      document.getText(),
      'input 3x17x17\nc1: conv 64 5x5\nc2: conv 96 5 stride=1 -> 96x9x9\nc3: conv 8 1 in=96\n',
    );
  });

  it("completes layer kinds, a kind's options with defaults, and layer names after from=", async () => {
    const { document } = await openCnn('input 3x8x8\nc1: conv 4 3\nrelu from=\nconv 8 3 \n');
    const at = async (line: number, character: number) =>
      (
        await vscode.commands.executeCommand<vscode.CompletionList>(
          'vscode.executeCompletionItemProvider',
          document.uri,
          new vscode.Position(line, character),
        )
      ).items;
    const names = (await at(2, 10)).map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.deepStrictEqual(names.sort(), ['c1', 'input']);
    const options = await at(3, 9);
    const stride = options.find((i) => i.label === 'stride');
    assert.strictEqual(stride?.detail, 'default 1');
    assert.strictEqual(stride?.insertText, 'stride=');
    const kinds = (await at(4, 0)).map((i) => i.label);
    assert.ok(kinds.includes('conv') && kinds.includes('batchnorm') && kinds.includes('input'));
  });

  it('lists the layers with their shapes in the outline', async () => {
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>(
      'vscode.executeDocumentSymbolProvider',
      example('seed.cnn'),
    );
    assert.deepStrictEqual(
      symbols.map((s) => `${s.name} ${s.detail}`),
      [
        'input 3×17×17',
        'c1 conv → 64×13×13',
        'sigmoid1 sigmoid → 64×13×13',
        'p1 pool → 64×6×6',
        'c2 conv → 96×2×2',
        'sigmoid2 sigmoid → 96×2×2',
        'p2 pool → 96×1×1',
        'fc dense → 10',
        'softmax1 softmax → 10',
      ],
    );
  });

  it('goes to a definition, finds references and renames a layer everywhere', async () => {
    const { document } = await openCnn(
      'input 3x8x8\nstem: conv 4 3 pad=1\nskip: identity from=stem\nsum: add stem skip\n',
    );
    const use = new vscode.Position(2, 22);
    const [def] = await vscode.commands.executeCommand<vscode.Location[]>(
      'vscode.executeDefinitionProvider',
      document.uri,
      use,
    );
    assert.deepStrictEqual([def.range.start.line, def.range.start.character, def.range.end.character], [1, 0, 4]);
    const refs = await vscode.commands.executeCommand<vscode.Location[]>(
      'vscode.executeReferenceProvider',
      document.uri,
      use,
    );
    assert.deepStrictEqual(refs.map((r) => `${r.range.start.line}:${r.range.start.character}`).sort(), [
      '1:0',
      '2:20',
      '3:9',
    ]);
    const edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit>(
      'vscode.executeDocumentRenameProvider',
      document.uri,
      use,
      'trunk',
    );
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.strictEqual(
      document.getText(),
      'input 3x8x8\ntrunk: conv 4 3 pad=1\nskip: identity from=trunk\nsum: add trunk skip\n',
    );
  });
});

describe('status bar', () => {
  it('says ✓ layers and parameters, or ✗ errors', async () => {
    const seed = new TextDecoder().decode(await vscode.workspace.fs.readFile(example('seed.cnn')));
    assert.strictEqual(StatusBar.text(check(seed)), '$(check) 8 layers · 160k params');
    assert.strictEqual(StatusBar.text(check('input 3x8x8\nconv 4 0\nconv 4 3 in=2 from=input\n')), '$(error) 2 errors');
  });
});
