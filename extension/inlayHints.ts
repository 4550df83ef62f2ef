/**
 * Inlay hints: each layer's output shape after its line (`64×13×13`), and with a setting the δ at its input; in a
 * block's body the first use's shapes, `…` when there are more.
 */
import * as vscode from 'vscode';
import { shapeHints } from '../engine/editor';
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
    const { shapeHints: shapeHints_, deltaHints } = settings(document);
    if (!shapeHints_ && !deltaHints) return [];
    const hints: vscode.InlayHint[] = [];
    // Inside a block's body, the first use's shapes (and `…` when there are more uses): shapeHints says which.
    for (const h of shapeHints(this.analyses.get(document))) {
      const end = document.positionAt(h.at);
      if (!range.contains(end)) continue;
      const labels = [...(shapeHints_ ? [h.output] : []), ...(deltaHints && h.delta ? [h.delta] : [])];
      if (!labels.length) continue;
      const hint = new vscode.InlayHint(end, labels.join(' · '), vscode.InlayHintKind.Type);
      hint.paddingLeft = true;
      hint.tooltip = h.tooltip;
      hints.push(hint);
    }
    return hints;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
