/**
 * Analyses of open `.cnn` documents: computed on demand for the document's current version and cached, and
 * published as diagnostics when a document opens and 150 ms after the last keystroke. A change that arrives
 * before the timer fires restarts it, so an analysis is never published for a version already replaced.
 */
import * as vscode from 'vscode';
import { type Analysis, check } from '../engine';
import { settings } from './config';
import { CnnDiagnostic } from './convert';

const DEBOUNCE_MS = 150;

export interface Analysed {
  readonly document: vscode.TextDocument;
  readonly version: number;
  readonly analysis: Analysis;
}

export class Analyses implements vscode.Disposable {
  private readonly cache = new Map<string, { version: number; limit: number; analysis: Analysis }>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('cnn-lens');
  private readonly emitter = new vscode.EventEmitter<Analysed>();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Fires after a document's diagnostics are published. */
  readonly onDidAnalyse = this.emitter.event;

  constructor(private readonly docs: vscode.Uri) {
    this.subscriptions.push(
      this.diagnostics,
      this.emitter,
      vscode.workspace.onDidOpenTextDocument((d) => this.publish(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('cnnLens')) for (const d of vscode.workspace.textDocuments) this.publish(d);
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.publish(d);
  }

  /** The analysis of the document as it is now. */
  get(document: vscode.TextDocument): Analysis {
    const key = document.uri.toString();
    const limit = settings(document).memoryLimit;
    const cached = this.cache.get(key);
    if (cached && cached.version === document.version && cached.limit === limit) return cached.analysis;
    const analysis = check(document.getText(), { memoryLimit: limit });
    this.cache.set(key, { version: document.version, limit, analysis });
    return analysis;
  }

  private schedule(document: vscode.TextDocument): void {
    if (document.languageId !== 'cnn') return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => this.publish(document), DEBOUNCE_MS),
    );
  }

  private publish(document: vscode.TextDocument): void {
    if (document.languageId !== 'cnn' || document.isClosed) return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    const version = document.version;
    const analysis = this.get(document);
    this.diagnostics.set(
      document.uri,
      analysis.diagnostics.map((d) => new CnnDiagnostic(document, d, this.docs)),
    );
    this.emitter.fire({ document, version, analysis });
  }

  private forget(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.cache.delete(key);
    this.diagnostics.delete(document.uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const s of this.subscriptions) s.dispose();
  }
}
