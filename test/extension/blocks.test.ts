/** Blocks in a real VS Code: a hover on a use, and an edit in a block's body reported at the body and at the uses. */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { api, brief, diagnosticsWhen, example, hoverText, openCnn } from './util';

describe('blocks in VS Code', function () {
  this.timeout(60_000);
  before(api);

  it('examples/blocks.cnn opens clean, and a hover on a use shows its expansion: shapes, layers, parameters', async () => {
    const uri = example('blocks.cnn');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const a = await api();
    assert.deepStrictEqual(a.analyses.get(document).diagnostics, []);
    const line = document
      .getText()
      .split('\n')
      .findIndex((l) => l.startsWith('layer1:'));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      uri,
      new vscode.Position(line, 10),
    );
    const text = hoverText(hovers).split('\n');
    assert.strictEqual(text[0], '**layer1** · block `basic` (basic 16) × 2');
    assert.strictEqual(text[2], 'relu1 16×32×32 → **16×32×32**');
    assert.strictEqual(text[4], '14 layers · 9,344 parameters · 9,437,184 multiply-adds per sample');
    assert.strictEqual(text[8], '| layer1.1.conv1 | conv | 16×32×32 | 2,304 |');
  });

  it('the zoo opens clean: ResNet-50 and MobileNetV2 with no error, ResNet-50 warning only where its strided 1×1 shortcuts skip rows, as PyTorch does', async () => {
    const a = await api();
    const opened = async (name: string) => {
      const document = await vscode.workspace.openTextDocument(example(name));
      await vscode.window.showTextDocument(document);
      return a.analyses.get(document);
    };
    const resnet = await opened('zoo/resnet50.cnn');
    assert.strictEqual(resnet.layers.length, 175);
    assert.deepStrictEqual(
      [...new Set(resnet.diagnostics.map((d) => `${d.severity} ${d.code}`))],
      ['warning conv-remainder'],
    );
    assert.strictEqual(
      resnet.layers.reduce((n, l) => n + l.paramCount, 0),
      25_557_032,
    );
    const mobilenet = await opened('zoo/mobilenet_v2.cnn');
    assert.deepStrictEqual(mobilenet.diagnostics, []);
    assert.strictEqual(
      mobilenet.layers.reduce((n, l) => n + l.paramCount, 0),
      3_504_872,
    );
  });

  it('an edit inside a block body makes the error appear at the body, naming the uses, and at each use', async () => {
    const text =
      'block res c\n  conv c 3x3 pad=1\n  add conv1 input\nend\ninput 8x6x6\nu1: res 8 from=input\nu2: res 8 from=input\nconcat u1 u2\n';
    const { document, diagnostics } = await openCnn(text);
    assert.deepStrictEqual(diagnostics, []);
    const editor = await vscode.window.showTextDocument(document);
    // 8 filters become 16: the residual sum no longer fits, in both uses.
    await editor.edit((e) => e.replace(new vscode.Range(1, 7, 1, 8), 'c*2'));
    const found = await diagnosticsWhen(document.uri, (d) => d.length > 0);
    assert.deepStrictEqual(found.map(brief), [
      'channel-mismatch 3:13-3:18 error',
      'channel-mismatch 6:5-6:8 error',
      'channel-mismatch 7:5-7:8 error',
    ]);
    assert.strictEqual(
      found[0].message,
      'u1.add1 (res 8): input is 8×6×6 but u1.conv1 is 16×6×6; add needs the same channels; the same in u2.add1 (res 8)',
    );
    assert.deepStrictEqual(
      found[1].relatedInformation?.map((r) => [r.location.range.start.line, r.location.range.start.character]),
      [[2, 12]],
    );
  });
});
