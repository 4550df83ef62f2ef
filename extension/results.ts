/**
 * A finished check's verdict after each layer's statement, next to its shape hint and before any comment, so
 * it is on screen even in an editor half as wide as the line: short (`✓ 3e-10`, the worst error of its
 * tensors; `✗ δ 6e-1`, the failing ones; `✗ rule`, a wrong backward rule), with every tensor's verdict
 * (`δ ✓ 3e-10 · W ✓ 1e-8 · b ✓ 2e-9`) on hover. Until the document changes: then they describe a network
 * that is no longer there, so they go.
 */
import * as vscode from 'vscode';
import type { LayerCheck, TensorCheck } from '../engine/run';
import type { CompletedRun } from './gradcheck';

interface Verdict {
  /** Every tensor's verdict, the hover. */
  readonly text: string;
  /** What the line shows. */
  readonly label: string;
  readonly passed: boolean;
  /** Offset of the statement's end, where it is shown. */
  readonly at: number;
}

interface Shown {
  readonly version: number;
  /** 0-based line → its verdict. */
  readonly lines: ReadonlyMap<number, Verdict>;
}

export class InlineResults implements vscode.Disposable {
  private readonly passed = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor('testing.iconPassed'), margin: '0 0 0 1em', fontStyle: 'italic' },
  });
  private readonly failed = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor('errorForeground'), margin: '0 0 0 1em', fontStyle: 'italic' },
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
    const lines = new Map<number, Verdict>();
    for (const l of result.layers) {
      const statement =
        l.kind === 'input' ? analysis.input?.statement : analysis.layers.find((x) => x.name === l.name)?.statement;
      if (!statement) continue;
      const at = statement.range.end;
      lines.set(document.positionAt(at).line, {
        text: InlineResults.text(l),
        label: InlineResults.label(l),
        passed: passes(l),
        at,
      });
    }
    this.shown.set(document.uri.toString(), { version, lines });
    this.apply(document);
  }

  /** Each line's verdicts in full (the hover) for a document, as `line: text` (1-based), for tests. */
  texts(uri: vscode.Uri): string[] {
    return this.list(uri, (line, v) => `${line + 1}: ${v.text}`);
  }

  /** What each line shows for a document, as `line:column: label` (1-based, where it is shown), for tests. */
  labels(uri: vscode.Uri): string[] {
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    return this.list(uri, (line, v) => `${line + 1}:${(document?.positionAt(v.at).character ?? -1) + 1}: ${v.label}`);
  }

  private list(uri: vscode.Uri, show: (line: number, v: Verdict) => string): string[] {
    const shown = this.shown.get(uri.toString());
    return shown ? [...shown.lines].sort(([a], [b]) => a - b).map(([line, v]) => show(line, v)) : [];
  }

  /** A layer's verdict in a few characters: the worst error when it passes, else what fails. */
  static label(l: LayerCheck): string {
    const tensors: [string, TensorCheck][] = [['δ', l.delta], ...Object.entries(l.params)];
    if (l.blame) return '✗ rule';
    const failing = tensors.filter(([, c]) => !c.passed);
    if (failing.length) return `✗ ${failing.map(([name, c]) => `${name} ${error(c)}`).join(' ')}`;
    return `✓ ${error(tensors.reduce((worst, [, c]) => (c.maxRelError > worst.maxRelError ? c : worst), l.delta))}`;
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
      for (const { text, label, passed: ok, at } of shown?.lines.values() ?? []) {
        if (at > document.getText().length) continue;
        const end = document.positionAt(at);
        const hover = new vscode.MarkdownString();
        hover.appendText(`Gradient check: ${text}`);
        (ok ? passed : failed).push({
          range: new vscode.Range(end, end),
          hoverMessage: hover,
          renderOptions: { after: { contentText: label } },
        });
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
  return `${name} ${c.passed ? '✓' : '✗'} ${error(c)}`;
}

function error(c: TensorCheck): string {
  const e = c.maxRelError;
  return e === 0 ? '0' : e.toExponential(0).replace('e+', 'e');
}
