/** Every command the extension contributes, listed once. */
import * as vscode from 'vscode';
import type { Analyses } from './analyses';
import { type ConvertRequest, convertTfjs } from './convertTfjs';
import { type ExportRequest, exportNetwork } from './exportNetwork';
import type { GradcheckController, GradcheckRequest } from './gradcheck';
import type { DiagramView, SaveRequest } from './diagram/panel';
import type { TfjsCode } from './tfjsCode';
import type { WalkthroughView } from './walkthrough/view';

export interface DumpedDiagnostics {
  readonly uri: string;
  readonly version: number;
  readonly diagnostics: readonly { line: number; column: number; severity: string; code: string; message: string }[];
}

export interface CommandContext {
  readonly analyses: Analyses;
  readonly gradcheck: GradcheckController;
  readonly walkthrough: WalkthroughView;
  readonly diagram: DiagramView;
  /** The TensorFlow.js worker, which also converts models to .cnn and writes the tfjs export. */
  readonly tfjs: TfjsCode;
}

export function registerCommands({
  analyses,
  gradcheck,
  walkthrough,
  diagram,
  tfjs,
}: CommandContext): vscode.Disposable[] {
  const commands: Record<string, (...args: unknown[]) => unknown> = {
    /** The active `.cnn` editor's diagnostics, 1-based, for `npm start -- --check` and scripts. */
    'cnnLens.dumpDiagnostics': (): DumpedDiagnostics | undefined => {
      const document = vscode.window.activeTextEditor?.document;
      if (document?.languageId !== 'cnn') return undefined;
      const a = analyses.get(document);
      return {
        uri: document.uri.toString(),
        version: document.version,
        diagnostics: a.diagnostics.map((d) => {
          const p = document.positionAt(d.range.start);
          return { line: p.line + 1, column: p.character + 1, severity: d.severity, code: d.code, message: d.message };
        }),
      };
    },
    /**
     * Checks every gradient of the active `.cnn` file (or `request.uri`) in engine workers and shows the
     * results; resolves with the run's final state. `request` is optional: see GradcheckRequest (its `fault`
     * is for tests only). The editor title bar passes the editor's URI instead.
     */
    'cnnLens.checkGradients': (request?: unknown) =>
      gradcheck.run(request instanceof vscode.Uri ? { uri: request } : isRequest(request) ? request : {}),
    /** Stops the running gradient check; true when one was running. */
    'cnnLens.cancelGradcheck': () => gradcheck.cancel(),
    /** Shows the backprop walkthrough of the active `.cnn` file. */
    'cnnLens.walkthrough': () => walkthrough.show(),
    /**
     * Exports the active `.cnn` file (or `request.uri`) to `request.to` (asked when absent) and opens the result
     * beside it; resolves with its URI and column. The editor title bar passes the editor's URI.
     */
    'cnnLens.exportNetwork': (request?: unknown) =>
      exportNetwork(
        analyses,
        tfjs,
        request instanceof vscode.Uri
          ? { uri: request }
          : typeof request === 'object' && request !== null
            ? (request as ExportRequest)
            : {},
      ),
    /**
     * Converts the TensorFlow.js model of the active .ts/.js file (or `request.uri`) to .cnn and opens it beside the
     * code; resolves with its URI and column. The editor title bar and context menu pass the editor's URI.
     */
    'cnnLens.convertTfjs': (request?: unknown) =>
      convertTfjs(
        tfjs,
        request instanceof vscode.Uri
          ? { uri: request }
          : typeof request === 'object' && request !== null
            ? (request as ConvertRequest)
            : {},
      ),
    /** Shows the network diagram of the active `.cnn` file beside it. */
    'cnnLens.showDiagram': () => diagram.show(),
    /** Saves the diagram; `request` (optional, see SaveRequest) names the file, format and theme; resolves with the file written. */
    'cnnLens.saveDiagram': (request?: unknown) => diagram.save(isSaveRequest(request) ? request : {}),
    'cnnLens.saveDiagramPng': () => diagram.save({ format: 'png' }),
  };
  return Object.entries(commands).map(([id, run]) => vscode.commands.registerCommand(id, run));
}

/** A command argument is anything a caller passes: take it only when it has the request's shape. */
function isRequest(v: unknown): v is GradcheckRequest {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    (r.uri === undefined || typeof r.uri === 'string' || r.uri instanceof vscode.Uri) &&
    (r.settings === undefined || (typeof r.settings === 'object' && r.settings !== null)) &&
    (r.threads === undefined || (typeof r.threads === 'number' && r.threads >= 1)) &&
    (r.ask === undefined || typeof r.ask === 'boolean') &&
    (r.fault === undefined || (typeof r.fault === 'object' && r.fault !== null))
  );
}

function isSaveRequest(v: unknown): v is SaveRequest {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    (r.uri === undefined || typeof r.uri === 'string' || r.uri instanceof vscode.Uri) &&
    (r.format === undefined || r.format === 'svg' || r.format === 'png') &&
    (r.theme === undefined || r.theme === 'current' || r.theme === 'print')
  );
}
