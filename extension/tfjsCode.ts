/**
 * TensorFlow.js code checked in place, in .ts/.js files that import tfjs: diagnostics at each layer's config
 * object (source `cnn-lens`) with the quick fixes that apply (`filters`, `units`, `kernelSize`, `poolSize`,
 * `padding`), the output shape after it as an inlay hint (channels-last, as tfjs has it), and a hover with the
 * shapes, δ shapes and the δ rule. The reading (tfjs/code, ts-morph) runs in a worker of its own,
 * started when the first such file is seen, never on the extension host's thread: a document is sent 300 ms
 * after its last change, one request at a time, and only its newest text waits while the worker is busy.
 */
import * as vscode from 'vscode';
import { SEVERITY, toRange, toWorkspaceEdit } from './convert';
import { DELTA_RULES, type Shape } from '../tfjs/code/rules';
import type { TfCodeAnalysis, TfLayer } from '../tfjs/code/read';
import type { TfjsReply, TfjsRequest } from '../tfjs/worker';

export const TFJS_SELECTOR: vscode.DocumentSelector = [
  'typescript',
  'javascript',
  'typescriptreact',
  'javascriptreact',
].map((language) => ({ language }));
const DEBOUNCE_MS = 300;

/** A worker as both hosts make one: a Web Worker where the host has `Worker`, else a Node worker thread. */
interface Channel {
  post(request: TfjsRequest): void;
  terminate(): void;
}

function startChannel(
  extensionUri: vscode.Uri,
  onReply: (reply: TfjsReply) => void,
  onError: (message: string) => void,
): Channel {
  if (typeof (globalThis as { Worker?: unknown }).Worker === 'function') {
    // See extension/worker/webHost.ts: VS Code for the Web starts this through a same-origin blob.
    const worker = new Worker(vscode.Uri.joinPath(extensionUri, 'dist', 'tfjsWorker.web.js').toString(true), {
      name: 'cnn-lens tfjs',
    });
    worker.addEventListener('message', (e) => onReply(e.data as TfjsReply));
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      onError(e.message || 'its script did not load');
    });
    return { post: (r) => worker.postMessage(r), terminate: () => worker.terminate() };
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- Node only, when asked (as extension/worker/nodeHost.ts)
  const threads = require('node:worker_threads') as typeof import('node:worker_threads');
  const worker = new threads.Worker(vscode.Uri.joinPath(extensionUri, 'dist', 'tfjsWorker.js').fsPath, {
    name: 'cnn-lens tfjs',
  });
  worker.on('message', onReply);
  worker.on('error', (e) => onError(e.message));
  return { post: (r) => worker.postMessage(r), terminate: () => void worker.terminate() };
}

export interface TfjsAnalysed {
  readonly document: vscode.TextDocument;
  readonly version: number;
  readonly analysis: TfCodeAnalysis;
  /** Time the worker took to read the text. */
  readonly ms: number;
}

/**
 * What the worker wrote (a model converted to .cnn, or a network exported as a tfjs module), or why not: a refusal
 * naming the layer, or the worker's failure.
 */
export type TfjsWritten = { readonly text: string } | { readonly refused: string } | { readonly error: string };

const shape = (s: Shape | undefined) => (s ? s.join('×') : '?');

export class TfjsCode
  implements vscode.InlayHintsProvider, vscode.HoverProvider, vscode.CodeActionProvider, vscode.Disposable
{
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('cnn-lens-tfjs');
  private readonly results = new Map<string, TfjsAnalysed>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Documents whose newest text waits for the worker. */
  private readonly waiting = new Map<string, vscode.TextDocument>();
  private readonly inFlight = new Map<number, { document: vscode.TextDocument; version: number }>();
  private channel: Channel | undefined;
  /** Conversions and exports waiting for the worker, by request id. */
  private readonly writing = new Map<number, (reply: TfjsWritten) => void>();
  private nextId = 1;
  private readonly analysed = new vscode.EventEmitter<TfjsAnalysed>();
  private readonly hintsChanged = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[];
  /** Fires after each document's analysis is shown. */
  readonly onDidAnalyse = this.analysed.event;
  readonly onDidChangeInlayHints = this.hintsChanged.event;

  constructor(private readonly extensionUri: vscode.Uri) {
    this.subscriptions = [
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument(
        (e) => e.contentChanges.length && this.schedule(e.document, DEBOUNCE_MS),
      ),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
    ];
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  private schedule(document: vscode.TextDocument, delay: number): void {
    if (!vscode.languages.match(TFJS_SELECTOR, document)) return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    // A quick look on the host's thread: files that never mention tfjs never reach the worker.
    if (!document.getText().includes('@tensorflow/tfjs')) {
      if (this.results.has(key)) this.forget(document.uri);
      return;
    }
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.waiting.set(key, document);
        this.pump();
      }, delay),
    );
  }

  /** Sends the next waiting document when the worker is idle. */
  private pump(): void {
    if (this.inFlight.size) return;
    const next = this.waiting.entries().next();
    if (next.done) return;
    const [key, document] = next.value;
    this.waiting.delete(key);
    if (document.isClosed) return this.pump();
    const id = this.nextId++;
    this.inFlight.set(id, { document, version: document.version });
    this.start().post({ id, text: document.getText(), fileName: document.uri.path });
  }

  private start(): Channel {
    this.channel ??= startChannel(
      this.extensionUri,
      (reply) => this.receive(reply),
      (message) => {
        // A worker that failed to load stays failed: say so once in the log, and stop sending to it.
        console.error(`cnn-lens: the TensorFlow.js code reader failed: ${message}`);
        this.inFlight.clear();
        for (const done of this.writing.values()) done({ error: message });
        this.writing.clear();
      },
    );
    return this.channel;
  }

  /**
   * The .cnn network of the model in `document` written around offset `at` (else its first), converted in the
   * worker (tfjs/import.ts); or why it cannot be.
   */
  convert(document: vscode.TextDocument, at?: number): Promise<TfjsWritten> {
    return this.write({ text: document.getText(), fileName: document.uri.path, convert: { at } });
  }

  /** A .cnn network as a TensorFlow.js module, written in the worker (tfjs/export.ts); or why it cannot be. */
  exportNetwork(text: string, fileName: string): Promise<TfjsWritten> {
    return this.write({ text, fileName, export: true });
  }

  private write(request: Omit<TfjsRequest, 'id'>): Promise<TfjsWritten> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.writing.set(id, resolve);
      this.start().post({ id, ...request });
    });
  }

  private receive(reply: TfjsReply): void {
    const written = this.writing.get(reply.id);
    if (written) {
      this.writing.delete(reply.id);
      written(
        'written' in reply
          ? { text: reply.written }
          : 'refused' in reply
            ? { refused: reply.refused }
            : { error: 'error' in reply ? reply.error : 'no answer' },
      );
      return;
    }
    const request = this.inFlight.get(reply.id);
    this.inFlight.delete(reply.id);
    if (request && 'analysis' in reply && !request.document.isClosed) {
      const { document, version } = request;
      const key = document.uri.toString();
      // A newer text is already waiting or timed: its reply will replace this one; ranges of this one may be stale.
      if (document.version === version) {
        const result: TfjsAnalysed = { document, version, analysis: reply.analysis, ms: reply.ms };
        this.results.set(key, result);
        this.diagnostics.set(
          document.uri,
          reply.analysis.diagnostics.map((d) => this.toDiagnostic(document, d)),
        );
        this.hintsChanged.fire();
        this.analysed.fire(result);
      }
    } else if (request && 'error' in reply)
      console.error(`cnn-lens: reading ${request.document.uri.toString()} failed: ${reply.error}`);
    this.pump();
  }

  private toDiagnostic(document: vscode.TextDocument, d: TfCodeAnalysis['diagnostics'][number]): vscode.Diagnostic {
    const diagnostic = new vscode.Diagnostic(toRange(document, d.range), d.message, SEVERITY[d.severity]);
    diagnostic.source = 'cnn-lens';
    diagnostic.code = d.code;
    return diagnostic;
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.waiting.delete(key);
    this.results.delete(key);
    this.diagnostics.delete(uri);
  }

  /** The current analysis of a document, when it matches the document's text. */
  result(document: vscode.TextDocument): TfjsAnalysed | undefined {
    const r = this.results.get(document.uri.toString());
    return r && r.version === document.version ? r : undefined;
  }

  provideInlayHints(document: vscode.TextDocument, range: vscode.Range): vscode.InlayHint[] {
    const r = this.result(document);
    if (!r || !vscode.workspace.getConfiguration('cnnLens').get<boolean>('inlayHints.shapes', true)) return [];
    // A layer object applied more than once has one config: its shapes, joined.
    const byEnd = new Map<number, TfLayer[]>();
    for (const l of r.analysis.layers) byEnd.set(l.range.end, [...(byEnd.get(l.range.end) ?? []), l]);
    const hints: vscode.InlayHint[] = [];
    for (const [end, layers] of byEnd) {
      const position = document.positionAt(end);
      if (!range.contains(position)) continue;
      const shapes = [...new Set(layers.map((l) => shape(l.output)))].join(', ');
      const hint = new vscode.InlayHint(position, `→ ${shapes}`, vscode.InlayHintKind.Type);
      hint.paddingLeft = true;
      hint.tooltip = `${layers[0].label}: output ${shapes} (H×W×C per sample, channels-last)`;
      hints.push(hint);
    }
    return hints;
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const r = this.result(document);
    if (!r) return undefined;
    const offset = document.offsetAt(position);
    const layers = r.analysis.layers.filter((l) => l.range.start <= offset && offset <= l.range.end);
    if (!layers.length) return undefined;
    const md = new vscode.MarkdownString();
    for (const l of layers) {
      const inputs = l.inputs.map(shape).join(', ');
      md.appendMarkdown(
        `**${l.label}** · \`tf.layers.${l.fn}\` · ${inputs} → **${shape(l.output)}**${l.params === undefined ? '' : ` · ${l.params.toLocaleString('en-US')} params`}\n\n`,
      );
      md.appendMarkdown(`δ: ${shape(l.output)} at the output → ${inputs} at the input (channels-last, per sample)\n\n`);
      const rule = DELTA_RULES[l.fn];
      if (rule) md.appendMarkdown(`${rule}\n\n`);
    }
    const first = layers[0];
    return new vscode.Hover(md, toRange(document, first.range));
  }

  provideCodeActions(
    document: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const r = this.result(document);
    if (!r) return [];
    const actions: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      if (d.source !== 'cnn-lens') continue;
      const start = document.offsetAt(d.range.start);
      const found = r.analysis.diagnostics.find(
        (x) => x.range.start === start && x.code === d.code && x.message === d.message,
      );
      for (const fix of found?.fixes ?? []) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.edit = toWorkspaceEdit(document, [fix]);
        action.diagnostics = [d];
        action.isPreferred = fix.preferred === true;
        actions.push(action);
      }
    }
    return actions;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.channel?.terminate();
    this.diagnostics.dispose();
    this.analysed.dispose();
    this.hintsChanged.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
