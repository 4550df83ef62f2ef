/**
 * Code lenses above the network's first statement: "▶ Check gradients" and "Backprop walkthrough". While the
 * file has errors the first one says why it cannot run and opens Problems; while a check of this file runs it
 * says so and cancels it.
 */
import * as vscode from 'vscode';
import type { Analysis } from '../engine';
import type { Analyses } from './analyses';
import type { GradcheckController } from './gradcheck';

export class GradcheckCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[];
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(
    private readonly analyses: Analyses,
    private readonly gradcheck: GradcheckController,
  ) {
    this.subscriptions = [this.changed, analyses.onDidAnalyse(() => this.changed.fire()), gradcheck.onDidChangeState(() => this.changed.fire())];
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const a = this.analyses.get(document);
    const first = a.document.statements[0];
    if (!first) return [];
    const at = document.positionAt(first.range.start);
    const range = new vscode.Range(at, at);
    const uri = document.uri.toString();
    return [new vscode.CodeLens(range, GradcheckCodeLens.checkCommand(a, uri, this.gradcheck.running === uri)), new vscode.CodeLens(range, { title: 'Backprop walkthrough', command: 'cnnLens.walkthrough', tooltip: 'Follow δ from the loss back to the input, layer by layer' }), new vscode.CodeLens(range, { title: 'Diagram', command: 'cnnLens.showDiagram', tooltip: 'Show the network as a diagram beside the editor' })];
  }

  /** The first lens's command for an analysis; exported for tests. */
  static checkCommand(a: Analysis, uri: string, running: boolean): vscode.Command {
    const errors = a.diagnostics.filter((d) => d.severity === 'error').length;
    if (errors) {
      return { title: `✗ ${errors} error${errors > 1 ? 's' : ''}: fix ${errors > 1 ? 'them' : 'it'} to check gradients`, command: 'workbench.actions.view.problems', tooltip: 'Show the problems' };
    }
    if (running) return { title: '$(loading~spin) Checking gradients… (cancel)', command: 'cnnLens.cancelGradcheck', tooltip: 'Stop the gradient check' };
    return { title: '▶ Check gradients', command: 'cnnLens.checkGradients', arguments: [{ uri }], tooltip: 'Compare every δ and parameter gradient with central differences' };
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
