/**
 * Code lenses above the network's first statement: "▶ Check gradients" and "Backprop walkthrough". While the
 * file has errors the first one says why it cannot run and opens Problems.
 *
 * The lenses say only what follows from the text. VS Code asks for lenses again at least 250 ms (more when
 * the host is busy) after it is told they changed, so a lens that showed the run's state ("Checking…") kept
 * showing it for half a second after the check was done; the editor's title button (a context key, switched
 * at once), the progress and the panel say that instead. After each analysis every editor of the file is told
 * to ask again: the editor asks by itself at an edit, but drops that request when it loses the focus first
 * (VS Code's CodeLensContribution cancels its pending request on blur), so they are also told when the active
 * editor changes, after the blur, which a file open in two groups needs.
 */
import * as vscode from 'vscode';
import type { Analysis } from '../engine';
import type { Analyses } from './analyses';

export class GradcheckCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[];
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly analyses: Analyses) {
    this.subscriptions = [
      this.changed,
      analyses.onDidAnalyse(() => this.changed.fire()),
      vscode.window.onDidChangeActiveTextEditor(() => this.changed.fire()),
    ];
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const a = this.analyses.get(document);
    const first = a.document.statements[0];
    if (!first) return [];
    const at = document.positionAt(first.range.start);
    const range = new vscode.Range(at, at);
    const uri = document.uri.toString();
    return [
      new vscode.CodeLens(range, GradcheckCodeLens.checkCommand(a, uri)),
      new vscode.CodeLens(range, {
        title: 'Backprop walkthrough',
        command: 'cnnLens.walkthrough',
        tooltip: 'Follow δ from the loss back to the input, layer by layer',
      }),
      new vscode.CodeLens(range, {
        title: 'Diagram',
        command: 'cnnLens.showDiagram',
        tooltip: 'Show the network as a diagram beside the editor',
      }),
    ];
  }

  /** The first lens's command for an analysis; exported for tests. */
  static checkCommand(a: Analysis, uri: string): vscode.Command {
    const errors = a.diagnostics.filter((d) => d.severity === 'error').length;
    if (errors) {
      return {
        title: `✗ ${errors} error${errors > 1 ? 's' : ''}: fix ${errors > 1 ? 'them' : 'it'} to check gradients`,
        command: 'workbench.actions.view.problems',
        tooltip: 'Show the problems',
      };
    }
    return {
      title: '▶ Check gradients',
      command: 'cnnLens.checkGradients',
      arguments: [{ uri }],
      tooltip: 'Compare every δ and parameter gradient with central differences',
    };
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
