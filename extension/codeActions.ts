/** Quick fixes from the engine's fix data, the clearly right one preferred, and Fix All for a file. */
import * as vscode from 'vscode';
import type { Fix } from '../engine';
import type { Analyses } from './analyses';
import { CnnDiagnostic, toWorkspaceEdit } from './convert';

export class CodeActionProvider implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix, vscode.CodeActionKind.SourceFixAll.append('cnnLens')];

  constructor(private readonly analyses: Analyses) {}

  provideCodeActions(
    document: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    if (!context.only || context.only.contains(vscode.CodeActionKind.QuickFix)) {
      for (const d of context.diagnostics) {
        if (!(d instanceof CnnDiagnostic)) continue;
        for (const fix of d.source_.fixes ?? []) {
          const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
          action.edit = toWorkspaceEdit(document, [fix]);
          action.diagnostics = [d];
          action.isPreferred = fix.preferred === true;
          actions.push(action);
        }
      }
    }
    const fixAll = CodeActionProvider.kinds[1];
    if (context.only?.contains(fixAll) || context.only?.contains(vscode.CodeActionKind.SourceFixAll) || !context.only) {
      const preferred = preferredFixes(this.analyses.get(document).diagnostics.flatMap((d) => d.fixes ?? []));
      if (preferred.length) {
        const action = new vscode.CodeAction(`Fix all CNN Lens problems (${preferred.length})`, fixAll);
        action.edit = toWorkspaceEdit(document, preferred);
        actions.push(action);
      }
    }
    return actions;
  }
}

/** The preferred fixes whose edits do not overlap one another, first come first served. */
export function preferredFixes(fixes: readonly Fix[]): Fix[] {
  const taken: { start: number; end: number }[] = [];
  return fixes.filter((f) => {
    if (!f.preferred) return false;
    if (f.edits.some((e) => taken.some((t) => e.range.start < t.end && t.start < e.range.end))) return false;
    taken.push(...f.edits.map((e) => e.range));
    return true;
  });
}
