/**
 * The network diagram, a webview panel beside the editor: the followed `.cnn` file's graph from the same
 * Analysis the diagnostics come from, redrawn after every analysis (so as you type), with the node under the
 * cursor highlighted, a click on a node selecting its statement, a finished gradient check's verdicts painted
 * on, and *Save Diagram as SVG/PNG*. It follows the active `.cnn` editor and keeps the last one while focus is
 * elsewhere (on the diagram itself). The panel comes back after a window reload (its serializer) with its
 * view, direction and overlay (the webview's own state).
 */
import * as vscode from 'vscode';
import { diagramModel, diagramNodeAt } from '../../engine/editor/diagram';
import type { LayerCheck } from '../../engine/run';
import { diagramCss, themeVar } from '../../webview/diagram/style';
import type { Analyses } from '../analyses';
import type { CompletedRun, GradcheckController } from '../gradcheck';
import { nonce as newNonce } from '../nonce';
import { revealInEditor } from '../placement';
import {
  type ExportFormat,
  type ExportTheme,
  type FromDiagram,
  isFromDiagram,
  type ToDiagram,
  type VerdictView,
} from './protocol';

/** What the diagram reported it shows. */
export type DiagramShown = Omit<Extract<FromDiagram, { type: 'shown' }>, 'type'>;

/** The `cnnLens.saveDiagram` command's optional argument. */
export interface SaveRequest {
  /** Where to write; else a save dialog asks. */
  readonly uri?: string | vscode.Uri;
  readonly format?: ExportFormat;
  readonly theme?: ExportTheme;
}

export class DiagramView implements vscode.Disposable {
  static readonly viewType = 'cnnLens.diagram';
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private followed: vscode.TextDocument | undefined;
  private current: string | null = null;
  private lastRun: CompletedRun | undefined;
  private exported: ((m: Extract<FromDiagram, { type: 'exported' }>) => void) | undefined;
  private readonly shownEmitter = new vscode.EventEmitter<DiagramShown>();
  private readonly subscriptions: vscode.Disposable[];
  /** What the diagram shows, as it last reported it. */
  shown: DiagramShown | undefined;
  /** Fires after each draw the webview reports. */
  readonly onDidShow = this.shownEmitter.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly analyses: Analyses,
    gradcheck: GradcheckController,
  ) {
    this.subscriptions = [
      this.shownEmitter,
      vscode.window.registerWebviewPanelSerializer(DiagramView.viewType, {
        deserializeWebviewPanel: async (panel) => this.attach(panel),
      }),
      vscode.window.onDidChangeActiveTextEditor((e) => e?.document.languageId === 'cnn' && this.follow(e.document)),
      analyses.onDidAnalyse(({ document }) => document === this.followed && this.sendModel()),
      vscode.window.onDidChangeTextEditorSelection(
        (e) => e.textEditor.document === this.followed && this.highlight(e.textEditor),
      ),
      gradcheck.onDidComplete((run) => {
        this.lastRun = run;
        if (run.document === this.followed) this.sendModel();
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d !== this.followed) return;
        this.followed = undefined;
        this.post({ type: 'empty' });
      }),
    ];
  }

  /** Opens the diagram beside the active `.cnn` editor, leaving the editor focused. */
  show(): void {
    const editor = vscode.window.activeTextEditor;
    if (editor?.document.languageId === 'cnn') this.followed = editor.document;
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
      this.sendModel();
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      DiagramView.viewType,
      'Network Diagram',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {},
    );
    this.attach(panel);
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel?.dispose();
    this.panel = panel;
    this.ready = false;
    this.followed ??=
      vscode.window.activeTextEditor?.document.languageId === 'cnn'
        ? vscode.window.activeTextEditor.document
        : undefined;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    panel.webview.options = { enableScripts: true, localResourceRoots: [dist] };
    panel.webview.html = html(panel.webview, panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'diagram.js')));
    const listeners = [
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (isFromDiagram(m)) this.receive(m);
      }),
    ];
    panel.onDidDispose(() => {
      for (const l of listeners) l.dispose();
      if (this.panel !== panel) return;
      this.panel = undefined;
      this.shown = undefined;
    });
  }

  /**
   * Writes the diagram as SVG or PNG to `request.uri`, or where a save dialog says; resolves with the file, or
   * undefined when the dialog was cancelled. Opens the diagram first if it is not open.
   */
  async save(request: SaveRequest = {}): Promise<vscode.Uri | undefined> {
    const format = request.format ?? 'svg';
    if (!this.panel) this.show();
    await this.whenShown();
    const figure = new Promise<string>((resolve) => (this.exported = (m) => m.format === format && resolve(m.data)));
    this.post({ type: 'export', format, theme: request.theme ?? 'current' });
    const data = await figure;
    this.exported = undefined;
    const base = this.followed?.uri;
    const target =
      request.uri !== undefined
        ? typeof request.uri === 'string'
          ? vscode.Uri.parse(request.uri)
          : request.uri
        : await vscode.window.showSaveDialog({
            ...(base && { defaultUri: base.with({ path: base.path.replace(/\.cnn$/, '') + `.${format}` }) }),
            filters: format === 'svg' ? { SVG: ['svg'] } : { PNG: ['png'] },
          });
    if (!target) return undefined;
    const bytes =
      format === 'svg'
        ? new TextEncoder().encode(data)
        : Uint8Array.from(atob(data.slice(data.indexOf(',') + 1)), (c) => c.charCodeAt(0));
    await vscode.workspace.fs.writeFile(target, bytes);
    return target;
  }

  private whenShown(): Promise<void> {
    if (this.shown) return Promise.resolve();
    return new Promise((resolve) => {
      const l = this.onDidShow(() => {
        l.dispose();
        resolve();
      });
    });
  }

  private receive(m: FromDiagram): void {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.sendModel();
        return;
      case 'reveal':
        void this.reveal(m.id);
        return;
      case 'shown': {
        const { type: _, ...shown } = m;
        this.shown = shown;
        this.shownEmitter.fire(shown);
        return;
      }
      case 'save':
        void this.save({ format: m.format, theme: m.theme });
        return;
      case 'exported':
        this.exported?.(m);
        return;
    }
  }

  private follow(document: vscode.TextDocument): void {
    if (document === this.followed) return;
    this.followed = document;
    this.sendModel();
  }

  private sendModel(): void {
    const document = this.followed;
    if (!document) return this.post({ type: 'empty' });
    const a = this.analyses.get(document);
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === document);
    if (editor) this.current = diagramNodeAt(a, document.offsetAt(editor.selection.active)) ?? null;
    const run = this.lastRun;
    const verdicts =
      run && run.document === document && run.version === document.version ? run.result.layers.map(verdictOf) : [];
    this.post({
      type: 'model',
      file: vscode.workspace.asRelativePath(document.uri),
      model: diagramModel(a),
      current: this.current,
      verdicts,
    });
  }

  private highlight(editor: vscode.TextEditor): void {
    const current =
      diagramNodeAt(this.analyses.get(editor.document), editor.document.offsetAt(editor.selection.active)) ?? null;
    if (current === this.current) return;
    this.current = current;
    this.post({ type: 'highlight', current });
  }

  private async reveal(id: string): Promise<void> {
    const document = this.followed;
    if (!document) return;
    const a = this.analyses.get(document);
    const statement =
      a.input?.name === id
        ? a.input.statement
        : id === 'loss'
          ? a.document.statements.find((s) => s.type === 'loss')
          : a.layers.find((l) => l.name === id)?.statement;
    if (statement) await revealInEditor(document, statement.range);
  }

  private post(message: ToDiagram): void {
    if (this.panel && this.ready) void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    this.panel?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}

/**
 * A layer's verdict: it passes when its δ and every parameter gradient pass and the check pins no wrong rule on
 * it (a blamed layer's own δ is right: what it sends back is not); its error is the largest of them.
 * A relative error is at most 1 unless a gradient is NaN: that counts as 1, since a webview message is JSON and
 * would turn NaN into null.
 */
export function verdictOf(l: LayerCheck): VerdictView {
  const tensors = [l.delta, ...Object.values(l.params)];
  const errors = tensors.map((t) => (Number.isFinite(t.maxRelError) ? t.maxRelError : 1));
  return {
    id: l.name,
    passed: tensors.every((t) => t.passed) && l.blame === undefined,
    maxError: Math.max(...errors),
    blamed: l.blame !== undefined,
  };
}

function html(webview: vscode.Webview, script: vscode.Uri): string {
  const nonce = newNonce();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}' ${webview.cspSource}; img-src data:;">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style nonce="${nonce}">
  html, body { height: 100%; margin: 0; padding: 0; overflow: hidden; }
  body { display: flex; flex-direction: column; font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); }
  header { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; padding: 6px 8px; border-bottom: 1px solid var(--vscode-panel-border); }
  header .title { font-weight: 600; margin-right: auto; }
  header .summary { color: var(--vscode-descriptionForeground); }
  button, select { font: inherit; color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); border: 1px solid var(--vscode-button-border, transparent); border-radius: 2px; padding: 2px 8px; cursor: pointer; }
  button[aria-pressed="true"] { color: var(--vscode-button-foreground); background: var(--vscode-button-background); }
  button:focus-visible, select:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
  #stage { flex: 1; overflow: hidden; position: relative; cursor: grab; touch-action: none; }
  #stage.panning { cursor: grabbing; }
  #stage > svg { transform-origin: 0 0; position: absolute; left: 0; top: 0; }
  .node { cursor: pointer; }
  .empty { color: var(--vscode-descriptionForeground); padding: 12px; }
  #tip { position: fixed; z-index: 1; pointer-events: none; white-space: pre; padding: 4px 8px; font-family: var(--vscode-editor-font-family); font-size: 12px; color: var(--vscode-editorHoverWidget-foreground, var(--vscode-foreground)); background: var(--vscode-editorHoverWidget-background); border: 1px solid var(--vscode-editorHoverWidget-border); border-radius: 3px; }
  #tip[hidden] { display: none; }
  ${diagramCss(themeVar)}
</style>
</head>
<body>
<header>
  <span class="title" id="title">Network diagram</span>
  <span class="summary" id="summary"></span>
  <button id="forward" aria-pressed="true" title="Shapes on every edge">Forward</button>
  <button id="backward" aria-pressed="false" title="δ flowing back, with each edge's rule">Backward</button>
  <button id="direction" title="Top to bottom or left to right">↓ TB</button>
  <select id="overlay" title="Cost overlay" aria-label="Cost overlay"><option value="none">No overlay</option><option value="params">Parameters</option><option value="macs">Multiply-adds</option><option value="memory">Activation memory</option></select>
  <button id="fit" title="Fit to view (0)">Fit</button>
  <select id="save" title="Save the diagram as a figure" aria-label="Save the diagram"><option value="">Save…</option><option value="svg current">SVG</option><option value="png current">PNG, 2×</option><option value="svg print" title="White background, dark text">SVG, print</option><option value="png print" title="White background, dark text">PNG, 2×, print</option></select>
</header>
<div id="stage" tabindex="0" aria-label="Network diagram: arrow keys move between layers, Enter shows a layer's line, + and − zoom, 0 fits"><p class="empty">Open a .cnn file to see its network.</p></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
