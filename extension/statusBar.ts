/** The status bar for the active `.cnn` file: "✓ 9 layers · 160k params" or "✗ 2 errors"; a click shows Problems. */
import * as vscode from 'vscode';
import type { Analysis } from '../engine';
import type { Analyses } from './analyses';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('cnnLens.status', vscode.StatusBarAlignment.Left, 100);
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly analyses: Analyses) {
    this.item.name = 'CNN Lens';
    this.item.command = 'workbench.actions.view.problems';
    this.subscriptions = [
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      analyses.onDidAnalyse(({ document }) => {
        if (document === vscode.window.activeTextEditor?.document) this.update();
      }),
    ];
    this.update();
  }

  /** The text shown for an analysis; exported for tests. */
  static text(a: Analysis): string {
    const errors = a.diagnostics.filter((d) => d.severity === 'error').length;
    if (errors) return `$(error) ${errors} error${errors > 1 ? 's' : ''}`;
    const params = a.layers.reduce((n, l) => n + l.paramCount, 0);
    return `$(check) ${a.layers.length} layer${a.layers.length === 1 ? '' : 's'} · ${compact(params)} params`;
  }

  private update(): void {
    const document = vscode.window.activeTextEditor?.document;
    if (document?.languageId !== 'cnn') {
      this.item.hide();
      return;
    }
    const a = this.analyses.get(document);
    this.item.text = StatusBar.text(a);
    this.item.tooltip = 'CNN Lens: click to show the problems';
    this.item.show();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

/** 160k, 1.2M: the way people quote parameter counts. */
function compact(n: number): string {
  if (n < 1000) return `${n}`;
  const [value, unit] = n < 1e6 ? [n / 1e3, 'k'] : n < 1e9 ? [n / 1e6, 'M'] : [n / 1e9, 'G'];
  return `${value < 10 ? value.toFixed(1).replace(/\.0$/, '') : Math.round(value)}${unit}`;
}
