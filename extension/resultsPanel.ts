/**
 * The gradient-check results panel: one webview panel at a time, driven by the run controller through
 * `setState` and `progress`, and answering the panel's requests through `PanelHandlers`. The protocol is
 * webview/protocol.ts; every message from the webview is validated before anything acts on it.
 *
 * The webview keeps its last state with `vscode.setState`; after a window reload VS Code hands that to the
 * serializer (`registerSerializer`), which revives the panel showing it. A run cannot survive a reload, so
 * a restored `running` state comes back as `cancelled`.
 */
import * as vscode from 'vscode';
import { nonce as newNonce } from './nonce';
import {
  type FromPanel,
  type Heatmap,
  isFromPanel,
  isSavedPanel,
  type Progress,
  type RenderedView,
  type RunSettings,
  type RunState,
  type ToPanel,
} from '../webview/protocol';

/** What the panel asks of the run controller. */
export interface PanelHandlers {
  /** Run the check again on the same file with these (validated) settings. */
  rerun(settings: RunSettings): void;
  /** Stop the running check. */
  cancel(): void;
  /** Show this layer's line in the editor. */
  reveal(layer: string): void;
  /** One channel of one sample of a layer's δ, analytic and numeric; a rejection is shown in the panel. */
  heatmap(layer: string, sample: number, channel: number): Promise<Heatmap>;
}

export class ResultsPanel {
  static readonly viewType = 'cnnLens.gradcheck';
  static current?: ResultsPanel;

  private readonly disposables: vscode.Disposable[] = [];
  private readonly disposed = new vscode.EventEmitter<void>();
  private readonly rendered = new vscode.EventEmitter<RenderedView>();
  /** Fires once, when the user closes the panel (or it is disposed). */
  readonly onDidDispose: vscode.Event<void> = this.disposed.event;
  /** Fires after every render of the webview, with what it shows: for tests, and for anyone waiting on it. */
  readonly onDidRender: vscode.Event<RenderedView> = this.rendered.event;
  private state: RunState | undefined;
  /** Whether the webview's script listens: until then (and after it reloads) nothing is posted. */
  private ready = false;
  private isDisposed = false;

  /** Shows the panel, creating it beside the editor if there is none. */
  static show(extensionUri: vscode.Uri, handlers: PanelHandlers): ResultsPanel {
    const current = ResultsPanel.current;
    if (current) {
      current.handlers = handlers;
      current.panel.reveal(current.panel.viewColumn, true);
      return current;
    }
    const panel = vscode.window.createWebviewPanel(
      ResultsPanel.viewType,
      'Gradient check',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      ResultsPanel.options(extensionUri),
    );
    return new ResultsPanel(panel, extensionUri, handlers, undefined);
  }

  /**
   * Takes over `panel` (VS Code's, restored after a reload) with the state its webview saved; `saved` is
   * whatever the webview stored, validated here.
   */
  static revive(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    handlers: PanelHandlers,
    saved: unknown,
  ): ResultsPanel {
    panel.webview.options = ResultsPanel.options(extensionUri);
    const state = isSavedPanel(saved) ? saved.state : undefined;
    return new ResultsPanel(
      panel,
      extensionUri,
      handlers,
      state?.status === 'running' ? { status: 'cancelled', file: state.file, settings: state.settings } : state,
    );
  }

  /** Registers the serializer that revives the panel after a window reload. */
  static registerSerializer(extensionUri: vscode.Uri, handlers: () => PanelHandlers): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(ResultsPanel.viewType, {
      deserializeWebviewPanel: async (panel, saved) => {
        ResultsPanel.revive(panel, extensionUri, handlers(), saved);
      },
    });
  }

  private static options(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')] };
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private handlers: PanelHandlers,
    state: RunState | undefined,
  ) {
    ResultsPanel.current = this;
    this.state = state;
    this.disposables.push(
      this.disposed,
      this.rendered,
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      // A hidden webview is unloaded (its state kept by setState); it says `ready` again when shown.
      panel.onDidChangeViewState(({ webviewPanel }) => webviewPanel.visible || (this.ready = false)),
    );
    if (state) this.updateTitle(state);
    panel.webview.html = this.html();
  }

  /** Shows a new state: a run started, finished, failed or was cancelled. */
  setState(state: RunState): void {
    this.state = state;
    this.updateTitle(state);
    this.post({ type: 'state', state });
  }

  /** Moves the progress of the running check (the controller sends it at most every 50 ms). */
  progress(p: Progress): void {
    if (this.state?.status !== 'running') return;
    // Kept in the state, so a webview that reloads (hidden, then shown) comes back at the latest progress.
    this.state = { ...this.state, progress: p };
    this.post({ type: 'progress', progress: p });
  }

  /** The webview panel, for tests and for the controller's layout decisions. */
  get webviewPanel(): vscode.WebviewPanel {
    return this.panel;
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    if (ResultsPanel.current === this) ResultsPanel.current = undefined;
    this.panel.dispose();
    this.disposed.fire();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private post(message: ToPanel): void {
    if (this.ready && !this.isDisposed) void this.panel.webview.postMessage(message);
  }

  private receive(message: unknown): void {
    if (!isFromPanel(message)) {
      console.warn(
        `cnn-lens: dropped an invalid message from the gradient-check panel: ${JSON.stringify(message)?.slice(0, 200)}`,
      );
      return;
    }
    this.handle(message);
  }

  private handle(message: FromPanel): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        if (this.state) this.post({ type: 'state', state: this.state });
        return;
      case 'rerun':
        return this.handlers.rerun(message.settings);
      case 'cancel':
        return this.handlers.cancel();
      case 'reveal':
        return this.handlers.reveal(message.layer);
      case 'heatmap':
        void this.heatmap(message.layer, message.sample, message.channel);
        return;
      case 'rendered':
        return this.rendered.fire(message.view);
      default:
        return unreachable(message);
    }
  }

  private async heatmap(layer: string, sample: number, channel: number): Promise<void> {
    try {
      const heatmap = await this.handlers.heatmap(layer, sample, channel);
      this.post({ type: 'heatmap', heatmap });
    } catch (error) {
      this.post({ type: 'heatmapError', layer, message: error instanceof Error ? error.message : String(error) });
    }
  }

  private updateTitle(state: RunState): void {
    const file = state.file.replace(/[?#].*$/, '');
    const name = decodeURIComponent(file.slice(file.lastIndexOf('/') + 1)) || state.file;
    this.panel.title = `Gradient check: ${name}`;
  }

  private html(): string {
    const webview = this.panel.webview;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css'));
    const nonce = newNonce();
    // Canvas and inline SVG need no img-src; the custom elements style themselves with constructed
    // stylesheets, which style-src does not govern, so no 'unsafe-inline' anywhere.
    const csp = [
      `default-src 'none'`,
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Gradient check</title>
</head>
<body>
<main id="app"></main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }
}

function unreachable(x: never): never {
  throw new Error(`unhandled message ${JSON.stringify(x)}`);
}
