/**
 * The backprop walkthrough, a webview view in its own view container (the activity bar's CNN Lens), so it
 * opens the side bar's full height rather than a strip under the Explorer's files: the followed `.cnn` file's network from the loss
 * back to the input, each step with the δ that arrives, where it goes, and its rules in the network's own
 * sizes; the step under the editor's cursor is highlighted as the cursor moves, like Lean 4's infoview.
 *
 * A webview rather than a tree view because the rules are sentences ("for each of the 64 channels c, Σ over
 * the 96 filters k of full_corr(δ(c2)[k] 2×2, rot180(W[k,c] 5×5)) = 6×6 (2+5−1)"): a tree row is one line cut
 * at the side bar's width, a webview wraps them and can set the current step apart without moving the
 * selection the user may be using. The cost is a script and a protocol (protocol.ts), both small.
 *
 * It follows the active `.cnn` editor, and keeps following the last one while focus is elsewhere (on the view
 * itself, a panel), so clicking in the view does not empty it. It follows an editor, not a document: the same
 * file open in two groups has two cursors, and only the active editor's counts (an edit there moves the other
 * editor's selection too, which must not move the highlight).
 */
import * as vscode from 'vscode';
import { nonce as newNonce } from '../nonce';
import { type BackpropStep, backpropSteps, stepAt } from '../../engine/editor/walkthrough';
import type { Analyses } from '../analyses';
import { revealInEditor } from '../placement';
import {
  type FromWalkthrough,
  isFromWalkthrough,
  type ShownHeader,
  type StepView,
  type ToWalkthrough,
} from './protocol';

/** What the view reported it shows. */
export interface WalkthroughShown {
  readonly steps: readonly string[];
  readonly current: string | null;
  /** The view's height, and where the highlighted step's header is in it (CSS pixels from its top). */
  readonly height: number;
  readonly header: ShownHeader | null;
}

export class WalkthroughView implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewType = 'cnnLens.walkthroughView';
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private followed: vscode.TextDocument | undefined;
  /** The editor whose cursor the highlight follows: the last active one showing `followed`. */
  private editor: vscode.TextEditor | undefined;
  private steps: BackpropStep[] = [];
  private current: string | null = null;
  private readonly shownEmitter = new vscode.EventEmitter<WalkthroughShown>();
  private readonly subscriptions: vscode.Disposable[];
  /** What the view shows, as it last reported it. */
  shown: WalkthroughShown | undefined;
  /** Fires when the view has drawn a message: its steps and highlighted step. */
  readonly onDidShow = this.shownEmitter.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly analyses: Analyses,
  ) {
    this.subscriptions = [
      this.shownEmitter,
      vscode.window.onDidChangeActiveTextEditor((e) => e?.document.languageId === 'cnn' && this.follow(e)),
      analyses.onDidAnalyse(({ document }) => document === this.followed && this.sendSteps()),
      vscode.window.onDidChangeTextEditorSelection((e) => e.textEditor === this.editor && this.highlight(e.textEditor)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d !== this.followed) return;
        this.followed = undefined;
        this.editor = undefined;
        this.post({ type: 'empty' });
      }),
    ];
    const editor = vscode.window.activeTextEditor;
    if (editor?.document.languageId === 'cnn') {
      this.followed = editor.document;
      this.editor = editor;
    }
  }

  /** Opens the view without taking the focus from the editor. */
  async show(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (editor?.document.languageId === 'cnn') this.follow(editor);
    if (this.view) {
      this.view.show(true);
      return;
    }
    await vscode.commands.executeCommand(`${WalkthroughView.viewType}.focus`);
    if (editor)
      await vscode.window.showTextDocument(editor.document, {
        viewColumn: editor.viewColumn,
        preserveFocus: false,
        selection: editor.selection,
      });
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    view.webview.options = { enableScripts: true, localResourceRoots: [dist] };
    view.webview.html = html(view.webview, view.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'walkthrough.js')));
    this.subscriptions.push(
      view.webview.onDidReceiveMessage((m: unknown) => {
        if (isFromWalkthrough(m)) this.receive(m);
      }),
      view.onDidDispose(() => {
        if (this.view === view) this.view = undefined;
      }),
    );
  }

  private receive(m: FromWalkthrough): void {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.sendSteps();
        return;
      case 'reveal':
        void this.reveal(m.name);
        return;
      case 'shown':
        this.shown = { steps: m.steps, current: m.current, height: m.height, header: m.header };
        this.shownEmitter.fire(this.shown);
        return;
    }
  }

  private follow(editor: vscode.TextEditor): void {
    const changed = editor.document !== this.followed;
    this.followed = editor.document;
    this.editor = editor;
    if (changed) this.sendSteps(editor);
    else this.highlight(editor);
  }

  private sendSteps(editor = this.followedEditor()): void {
    const document = this.followed;
    if (!document) return this.post({ type: 'empty' });
    const a = this.analyses.get(document);
    this.steps = backpropSteps(a);
    this.current = editor
      ? (stepAt(this.steps, document.offsetAt(editor.selection.active))?.name ?? null)
      : this.current;
    this.post({
      type: 'steps',
      file: vscode.workspace.asRelativePath(document.uri),
      ...(a.network && { network: a.network }),
      errors: a.diagnostics.filter((d) => d.severity === 'error').length,
      steps: this.steps.map(({ range: _, ...step }): StepView => step),
      current: this.current,
    });
  }

  /** The followed editor while it is visible, else another visible editor of the followed file. */
  private followedEditor(): vscode.TextEditor | undefined {
    const visible = vscode.window.visibleTextEditors;
    if (this.editor && visible.includes(this.editor)) return this.editor;
    this.editor = visible.find((e) => e.document === this.followed);
    return this.editor;
  }

  private highlight(editor: vscode.TextEditor): void {
    const current = stepAt(this.steps, editor.document.offsetAt(editor.selection.active))?.name ?? null;
    if (current === this.current) return;
    this.current = current;
    this.post({ type: 'highlight', current });
  }

  private async reveal(name: string): Promise<void> {
    const document = this.followed;
    const step = this.steps.find((s) => s.name === name);
    if (!document || !step?.range) return;
    await revealInEditor(document, step.range);
  }

  private post(message: ToWalkthrough): void {
    if (this.view && this.ready) void this.view.webview.postMessage(message);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

function html(webview: vscode.Webview, script: vscode.Uri): string {
  const nonce = newNonce();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}' ${webview.cspSource};">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style nonce="${nonce}">
  body { padding: 0 8px 12px; font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); }
  header { margin: 8px 0; color: var(--vscode-descriptionForeground); }
  .errors { color: var(--vscode-errorForeground); }
  ol { list-style: none; margin: 0; padding: 0; }
  li { margin: 0 0 6px; padding: 4px 6px; border-left: 2px solid transparent; border-radius: 2px; cursor: pointer; }
  li:hover { background: var(--vscode-list-hoverBackground); }
  li.current { background: var(--vscode-editor-selectionHighlightBackground, var(--vscode-list-inactiveSelectionBackground)); border-left-color: var(--vscode-focusBorder); }
  .head { display: flex; gap: 6px; align-items: baseline; }
  .name { font-weight: 600; }
  .kind, .line { color: var(--vscode-descriptionForeground); }
  .line { margin-left: auto; font-size: 0.9em; }
  .flow, .rule, .param, .written { font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); margin-top: 2px; }
  .flow { color: var(--vscode-textLink-foreground); }
  .param { color: var(--vscode-descriptionForeground); }
  .written { color: var(--vscode-editorInfo-foreground, var(--vscode-textLink-foreground)); }
  .empty { color: var(--vscode-descriptionForeground); margin-top: 8px; }
  li.group { padding: 0; cursor: default; }
  li.group:hover { background: none; }
  summary { cursor: pointer; font-weight: 600; padding: 4px 6px; font-family: var(--vscode-editor-font-family); }
  details.group > ol { padding-left: 10px; border-left: 1px solid var(--vscode-tree-indentGuidesStroke, transparent); }
</style>
</head>
<body>
<main id="root" aria-live="polite"><p class="empty">Open a .cnn file to follow its backprop.</p></main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
