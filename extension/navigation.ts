/** Go to definition, find references and rename, for layer names. */
import * as vscode from 'vscode';
import { definitionOf, occurrenceAt, referencesTo, renameEdits } from '../engine/editor';
import type { Analyses } from './analyses';
import { toRange } from './convert';

export class NavigationProvider implements vscode.DefinitionProvider, vscode.ReferenceProvider, vscode.RenameProvider {
  constructor(private readonly analyses: Analyses) {}

  provideDefinition(document: vscode.TextDocument, position: vscode.Position): vscode.Location | undefined {
    const a = this.analyses.get(document);
    const at = occurrenceAt(a, document.offsetAt(position));
    const def = at && definitionOf(a, at.name, at.scope);
    return def && new vscode.Location(document.uri, toRange(document, def.range));
  }

  provideReferences(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.ReferenceContext,
  ): vscode.Location[] {
    const a = this.analyses.get(document);
    const at = occurrenceAt(a, document.offsetAt(position));
    return at
      ? referencesTo(a, at.name, context.includeDeclaration, at.scope).map(
          (o) => new vscode.Location(document.uri, toRange(document, o.range)),
        )
      : [];
  }

  prepareRename(
    document: vscode.TextDocument,
    position: vscode.Position,
  ): { range: vscode.Range; placeholder: string } {
    const at = occurrenceAt(this.analyses.get(document), document.offsetAt(position));
    if (!at) throw new Error('Put the cursor on a layer name to rename it.');
    return { range: toRange(document, at.range), placeholder: at.name };
  }

  provideRenameEdits(document: vscode.TextDocument, position: vscode.Position, newName: string): vscode.WorkspaceEdit {
    const edits = renameEdits(this.analyses.get(document), document.offsetAt(position), newName);
    if (typeof edits === 'string') throw new Error(edits);
    const edit = new vscode.WorkspaceEdit();
    for (const e of edits) edit.replace(document.uri, toRange(document, e.range), e.newText);
    return edit;
  }
}
