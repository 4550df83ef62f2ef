/** "Export Network…" in a real VS Code: the PyTorch module opens beside the network, unsaved, next to its path. */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { check } from '../../engine';
import { exportPytorch } from '../../engine/export/pytorch';
import type { ExportResult } from '../../extension/exportNetwork';
import { api, example } from './util';

describe('Export Network', function () {
  this.timeout(60_000);
  before(api);

  it('opens seed.cnn as PyTorch beside it: seed.py next to the network, the text the CLI writes', async () => {
    const uri = example('seed.cnn');
    const network = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), {
      viewColumn: vscode.ViewColumn.One,
    });
    const result = await vscode.commands.executeCommand<ExportResult | undefined>('cnnLens.exportNetwork', {
      to: 'pytorch',
    });
    assert.ok(result, 'something was exported');
    const exported = vscode.Uri.parse(result.uri);
    assert.strictEqual(exported.scheme, 'untitled');
    assert.strictEqual(exported.path, uri.path.replace(/seed\.cnn$/, 'seed.py'));
    assert.strictEqual(network.viewColumn, vscode.ViewColumn.One);
    assert.strictEqual(result.viewColumn, vscode.ViewColumn.Two);
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === result.uri);
    assert.ok(document);
    assert.strictEqual(document.getText(), exportPytorch(check(network.document.getText()), 'seed.cnn'));
    assert.match(document.getText(), /^ {8}self\.c2 = nn\.Conv2d\(64, 96, kernel_size=\(5, 5\)\) {2}# -> 96×2×2$/m);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('exports nothing for a network with errors', async () => {
    const uri = example('seed-mistake.cnn');
    const result = await vscode.commands.executeCommand<ExportResult | undefined>('cnnLens.exportNetwork', {
      uri: uri.toString(),
      to: 'pytorch',
    });
    assert.strictEqual(result, undefined);
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.path.endsWith('seed-mistake.py')));
  });
});
