/**
 * A finished check's verdicts at the end of each layer's line (`δ ✓ 3e-10 · W ✓ 1e-8 · b ✓ 2e-9`, `δ ✗ 6e-1`),
 * until the document changes: then they describe a network that is no longer there, so they go.
 */
import * as vscode from 'vscode';
import type { LayerCheck, TensorCheck } from '../engine/run';
import type { CompletedRun } from './gradcheck';

interface Shown {
  readonly version: number;
  /** 0-based line → text and verdict. */
  readonly lines: ReadonlyMap<number, { text: string; passed: boolean }>;
}

export class InlineResults implements vscode.Disposable {
  private readonly passed = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor('testing.iconPassed'), margin: '0 0 0 2em', fontStyle: 'italic' },
  });
  private readonly failed = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor('errorForeground'), margin: '0 0 0 2em', fontStyle: 'italic' },
  });
  private readonly shown = new Map<string, Shown>();
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      this.passed,
      this.failed,
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length && this.shown.delete(e.document.uri.toString())) this.apply(e.document);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.shown.delete(d.uri.toString())),
      // Decorations belong to editors, and switching tabs makes new ones.
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.apply(e.document))),
    ];
  }

  show({ document, version, analysis, result }: CompletedRun): void {
    if (document.version !== version) return;
    const lines = new Map<number, { text: string; passed: boolean }>();
    const inputLine = analysis.input && document.positionAt(analysis.input.statement.range.start).line;
    for (const l of result.layers) {
      const line = l.line !== undefined ? l.line - 1 : inputLine;
      if (line !== undefined) lines.set(line, { text: InlineResults.text(l), passed: passes(l) });
    }
    this.shown.set(document.uri.toString(), { version, lines });
    this.apply(document);
  }

  /** What each line shows for a document, as `line: text` (1-based), for tests. */
  texts(uri: vscode.Uri): string[] {
    const shown = this.shown.get(uri.toString());
    return shown ? [...shown.lines].sort(([a], [b]) => a - b).map(([line, { text }]) => `${line + 1}: ${text}`) : [];
  }

  /** A layer's verdicts: δ first, then each parameter, and the blame when its own rule is wrong. */
  static text(l: LayerCheck): string {
    const parts = [verdict('δ', l.delta), ...Object.entries(l.params).map(([name, c]) => verdict(name, c))];
    if (l.blame) parts.push('✗ backward rule wrong');
    return parts.join(' · ');
  }

  private apply(document: vscode.TextDocument): void {
    const shown = this.shown.get(document.uri.toString());
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document !== document) continue;
      const passed: vscode.DecorationOptions[] = [];
      const failed: vscode.DecorationOptions[] = [];
      for (const [line, { text, passed: ok }] of shown?.lines ?? []) {
        if (line >= document.lineCount) continue;
        const end = document.lineAt(line).range.end;
        (ok ? passed : failed).push({ range: new vscode.Range(end, end), renderOptions: { after: { contentText: text } } });
      }
      editor.setDecorations(this.passed, passed);
      editor.setDecorations(this.failed, failed);
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

function passes(l: LayerCheck): boolean {
  return l.delta.passed && Object.values(l.params).every((c) => c.passed) && !l.blame;
}

/** `δ ✓ 3e-10`: the largest relative error, one significant digit, as people quote gradcheck results. */
function verdict(name: string, c: TensorCheck): string {
  const e = c.maxRelError;
  return `${name} ${c.passed ? '✓' : '✗'} ${e === 0 ? '0' : e.toExponential(0).replace('e+', 'e')}`;
}
