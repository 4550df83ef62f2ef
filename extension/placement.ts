/**
 * Where editors go: a click in a panel reveals its line (`revealInEditor`), what an export or a conversion wrote
 * opens beside (`openBeside`), and `EditorPlacement` keeps `.cnn` editors out of the results panel's group. The
 * panel opens beside the editor; when its group is the active one, VS Code opens the next file there (from the
 * Explorer, Quick Open, a link), behind or in place of the panel, and the user loses the panel or works in a
 * narrow column. A `.cnn` editor that becomes
 * active in the panel's group is moved to the group the user last edited in, and the panel stays in view.
 */
import * as vscode from 'vscode';
import { ResultsPanel } from './resultsPanel';

/**
 * Selects `range` (offsets) of `document` in the editor that already shows it, else in the first column, and
 * scrolls it into view: where a click in a panel or the diagram takes the user.
 */
export async function revealInEditor(
  document: vscode.TextDocument,
  range: { readonly start: number; readonly end: number },
): Promise<void> {
  const selection = new vscode.Range(document.positionAt(range.start), document.positionAt(range.end));
  const column =
    vscode.window.visibleTextEditors.find((e) => e.document === document)?.viewColumn ?? vscode.ViewColumn.One;
  const editor = await vscode.window.showTextDocument(document, { viewColumn: column, selection });
  editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

/**
 * Opens `text` beside the active editor as an unsaved document at `path` (in `languageId` where VS Code does not
 * take it from the path): where an export or a conversion puts what it wrote. Says where it opened.
 */
export async function openBeside(
  path: string,
  text: string,
  languageId?: string,
): Promise<{ uri: string; viewColumn: vscode.ViewColumn | undefined }> {
  const target = vscode.Uri.from({ scheme: 'untitled', path });
  const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(target), {
    viewColumn: vscode.ViewColumn.Beside,
    preview: false,
  });
  if (languageId && editor.document.languageId !== languageId)
    await vscode.languages.setTextDocumentLanguage(editor.document, languageId);
  const all = new vscode.Range(0, 0, editor.document.lineCount, 0);
  await editor.edit((e) => e.replace(all, text));
  return { uri: editor.document.uri.toString(), viewColumn: editor.viewColumn };
}

export class EditorPlacement implements vscode.Disposable {
  /** The column of the last text editor active outside the panel's group. */
  private editorColumn: vscode.ViewColumn | undefined;
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.subscription = vscode.window.onDidChangeActiveTextEditor((editor) => editor && void this.place(editor));
  }

  private async place(editor: vscode.TextEditor): Promise<void> {
    const panel = ResultsPanel.current?.webviewPanel;
    const column = editor.viewColumn;
    if (!panel || column === undefined || column !== panel.viewColumn) {
      if (column !== undefined) this.editorColumn = column;
      return;
    }
    if (editor.document.languageId !== 'cnn') return;
    const groups = vscode.window.tabGroups.all.map((g) => g.viewColumn).filter((c) => c !== column);
    const target =
      this.editorColumn !== undefined && groups.includes(this.editorColumn) ? this.editorColumn : groups[0];
    if (target === undefined) return;
    const uri = editor.document.uri.toString();
    const tab = vscode.window.tabGroups.all
      .find((g) => g.viewColumn === column)
      ?.tabs.find((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri);
    await vscode.window.showTextDocument(editor.document, { viewColumn: target, selection: editor.selection });
    if (tab) await vscode.window.tabGroups.close(tab, true);
    panel.reveal(column, true);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
