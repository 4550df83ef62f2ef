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

/** An event as these suites listen to one: VS Code's, and the extension's own (`onDidRender`, `onDidShow`, …). */
export type Listenable<T> = (listener: (value: T) => unknown) => { dispose(): void };

/**
 * The one way these suites wait: resolves with the first value of `event` that `ready` accepts, or with `now()`'s
 * when it accepts that already (so a value that came before the call is not waited for); rejects after `ms` with
 * `why()`, which says what was seen instead. Never a sleep.
 */
export function when<T>(
  event: Listenable<T>,
  ready: (value: T) => boolean,
  ms: number,
  why: () => string,
  now?: () => T | undefined,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = (value: T) => {
      clearTimeout(timer);
      listener.dispose();
      resolve(value);
    };
    const listener = event((value) => ready(value) && done(value));
    const timer = setTimeout(() => {
      listener.dispose();
      reject(new Error(`${why()} (waited ${ms} ms)`));
    }, ms);
    const current = now?.();
    if (current !== undefined && ready(current)) done(current);
  });
}

/** Resolves with the diagnostics of `uri` once `ready` accepts them; rejects after `ms`. */
export function diagnosticsWhen(
  uri: vscode.Uri,
  ready: (d: readonly vscode.Diagnostic[]) => boolean,
  ms = 10_000,
): Promise<vscode.Diagnostic[]> {
  const diagnostics: Listenable<vscode.Diagnostic[]> = (listener) =>
    vscode.languages.onDidChangeDiagnostics(
      (e) => e.uris.some((u) => u.toString() === uri.toString()) && listener(vscode.languages.getDiagnostics(uri)),
    );
  const why = () =>
    `no matching diagnostics for ${uri.toString()}; have ${JSON.stringify(vscode.languages.getDiagnostics(uri).map(brief))}`;
  return when(diagnostics, ready, ms, why, () => vscode.languages.getDiagnostics(uri));
}

/** Opens `content` as an untitled `.cnn` document and waits for its first analysis. */
export async function openCnn(
  content: string,
): Promise<{ document: vscode.TextDocument; diagnostics: vscode.Diagnostic[] }> {
  const a = await api();
  const analysed = when(
    a.analyses.onDidAnalyse,
    ({ document }) => document.getText() === content,
    20_000,
    () => 'the document was not analysed',
  );
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
  return hovers
    .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')))
    .join('\n');
}
