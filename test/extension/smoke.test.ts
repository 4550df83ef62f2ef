/**
 * The harness works end to end: the extension activates on a `.cnn` document from the workspace and publishes
 * the analysis as VS Code diagnostics. Fails if activation, the language contribution or publishing breaks.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { diagnosticsWhen } from './util';

describe('smoke', function () {
  this.timeout(30_000);

  it('opening examples/seed.cnn activates the extension and publishes the pool-remainder warning on line 7', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the examples folder is the workspace');
    const uri = vscode.Uri.joinPath(folder.uri, 'seed.cnn');
    const isWarning = (d: vscode.Diagnostic) => codeOf(d) === 'pool-remainder' && d.range.start.line === 6;
    // Subscribe before opening, so a publication that arrives while the document opens is not missed.
    const published = diagnosticsWhen(uri, (d) => d.some(isWarning), 20_000);
    const document = await vscode.workspace.openTextDocument(uri);
    assert.strictEqual(document.languageId, 'cnn');
    await vscode.window.showTextDocument(document);
    const diagnostics = await published;
    assert.ok(vscode.extensions.getExtension('cnn-lens.cnn-lens')?.isActive, 'the extension is active');
    const warning = diagnostics.find(isWarning)!;
    assert.strictEqual(warning.severity, vscode.DiagnosticSeverity.Warning);
    assert.strictEqual(warning.source, 'cnn-lens');
  });
});

function codeOf(d: vscode.Diagnostic): string {
  return String(typeof d.code === 'object' ? d.code.value : d.code);
}
