/** Helpers for suites in a real VS Code: open documents and wait for the extension's events, never sleep. */
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { CnnLensApi } from '../../extension/extension';

export async function api(): Promise<CnnLensApi> {
  const ext = vscode.extensions.getExtension<CnnLensApi>('cnn-lens.cnn-lens');
  assert.ok(ext, 'the extension is installed');
  return ext.isActive ? ext.exports : ext.activate();
}

export function example(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the examples folder is open');
  return vscode.Uri.joinPath(folder.uri, name);
}

/** Resolves with the diagnostics of `uri` once `ready` accepts them; rejects after `ms`. */
export function diagnosticsWhen(uri: vscode.Uri, ready: (d: readonly vscode.Diagnostic[]) => boolean, ms = 10_000): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const done = (d: vscode.Diagnostic[]) => {
      clearTimeout(timer);
      listener.dispose();
      resolve(d);
    };
    const listener = vscode.languages.onDidChangeDiagnostics((e) => {
      if (!e.uris.some((u) => u.toString() === uri.toString())) return;
      const d = vscode.languages.getDiagnostics(uri);
      if (ready(d)) done(d);
    });
    const timer = setTimeout(() => {
      listener.dispose();
      reject(new Error(`no matching diagnostics for ${uri.toString()} within ${ms} ms; have ${JSON.stringify(vscode.languages.getDiagnostics(uri).map(brief))}`));
    }, ms);
    const now = vscode.languages.getDiagnostics(uri);
    if (ready(now)) done(now);
  });
}

/** Opens `content` as an untitled `.cnn` document and waits for its first analysis. */
export async function openCnn(content: string): Promise<{ document: vscode.TextDocument; diagnostics: vscode.Diagnostic[] }> {
  const a = await api();
  const analysed = new Promise<void>((resolve) => {
    const l = a.analyses.onDidAnalyse(({ document }) => {
      if (document.getText() === content) {
        l.dispose();
        resolve();
      }
    });
  });
  const document = await vscode.workspace.openTextDocument({ language: 'cnn', content });
  await vscode.window.showTextDocument(document);
  await analysed;
  return { document, diagnostics: vscode.languages.getDiagnostics(document.uri) };
}

/** `code line:col-line:col severity`, 1-based, for exact comparisons. */
export function brief(d: vscode.Diagnostic): string {
  const code = typeof d.code === 'object' ? d.code.value : d.code;
  const r = d.range;
  return `${code} ${r.start.line + 1}:${r.start.character + 1}-${r.end.line + 1}:${r.end.character + 1} ${vscode.DiagnosticSeverity[d.severity].toLowerCase()}`;
}

export function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}
