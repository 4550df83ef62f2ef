/** The edge between the engine's offsets and records and VS Code's positions and objects. */
import * as vscode from 'vscode';
import type { Diagnostic as EngineDiagnostic, Fix, TextRange } from '../engine';

export function toRange(document: vscode.TextDocument, r: TextRange): vscode.Range {
  return new vscode.Range(document.positionAt(r.start), document.positionAt(r.end));
}

export const SEVERITY: Record<EngineDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

/** A VS Code diagnostic that remembers the engine's, so code actions can read its fixes. */
export class CnnDiagnostic extends vscode.Diagnostic {
  constructor(
    document: vscode.TextDocument,
    readonly source_: EngineDiagnostic,
    docs: vscode.Uri,
  ) {
    super(toRange(document, source_.range), source_.message, SEVERITY[source_.severity]);
    this.source = 'cnn-lens';
    // The code links to its entry in docs/language.md.
    this.code = { value: source_.code, target: docs.with({ fragment: source_.code }) };
    if (source_.related?.length) {
      this.relatedInformation = source_.related.map(
        (r) =>
          new vscode.DiagnosticRelatedInformation(
            new vscode.Location(document.uri, toRange(document, r.range)),
            r.message,
          ),
      );
    }
    if (source_.tags?.includes('unnecessary')) this.tags = [vscode.DiagnosticTag.Unnecessary];
  }
}

export function toWorkspaceEdit(document: vscode.TextDocument, fixes: readonly Fix[]): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  for (const fix of fixes) for (const e of fix.edits) edit.replace(document.uri, toRange(document, e.range), e.newText);
  return edit;
}
