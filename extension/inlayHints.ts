/** Inlay hints: each layer's output shape after its line (`64×13×13`), and with a setting the δ at its input. */
import * as vscode from 'vscode';
import { deltaLabel, outputLabel } from '../engine/editor';
import type { Analyses } from './analyses';
import { settings } from './config';

export class InlayHintsProvider implements vscode.InlayHintsProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeInlayHints = this.changed.event;

  constructor(private readonly analyses: Analyses) {}

  /** Hints follow the diagnostics' analysis and the settings. */
  refresh(): void {
    this.changed.fire();
  }

  provideInlayHints(document: vscode.TextDocument, range: vscode.Range): vscode.InlayHint[] {
    const { shapeHints, deltaHints } = settings(document);
    if (!shapeHints && !deltaHints) return [];
    const hints: vscode.InlayHint[] = [];
    for (const l of this.analyses.get(document).layers) {
      const end = document.positionAt(l.statement.range.end);
      if (!range.contains(end)) continue;
      const labels = [...(shapeHints ? [outputLabel(l)] : []), ...(deltaHints ? [deltaLabel(l)] : [])];
      const hint = new vscode.InlayHint(end, labels.join(' · '), vscode.InlayHintKind.Type);
      hint.paddingLeft = true;
      hint.tooltip = `${l.name}: output ${outputLabel(l)}; ${deltaLabel(l)} at the input`;
      hints.push(hint);
    }
    return hints;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
