/**
 * "Export Network…": the active `.cnn` network as a PyTorch or TensorFlow.js module, opened beside it as an
 * unsaved document whose path is the network's with `.py` or `.ts`, so saving puts it next to the `.cnn` file and
 * nothing on disk is overwritten unasked. The TensorFlow.js export is written with ts-morph, which carries the
 * TypeScript compiler: it runs in the tfjs worker (tfjsCode.ts), which has it, not in the extension's bundle.
 */
import * as vscode from 'vscode';
import { ExportError, isExportError } from '../engine/export/common';
import { exportPytorch } from '../engine/export/pytorch';
import type { Analyses } from './analyses';
import { openBeside } from './placement';
import type { TfjsCode } from './tfjsCode';

export interface ExportRequest {
  /** The `.cnn` file; default the active editor's. */
  readonly uri?: vscode.Uri | string;
  /** `pytorch` or `tfjs`; asked for when absent. */
  readonly to?: string;
}

/** What the command resolves with: the opened export, or undefined when nothing was exported. */
export interface ExportResult {
  readonly uri: string;
  readonly viewColumn: number | undefined;
}

const TARGETS = [
  { label: 'PyTorch', description: 'nn.Module, state_dict keys named as in the network', to: 'pytorch' },
  { label: 'TensorFlow.js', description: 'tf.LayersModel, channels-last, layers named as in the network', to: 'tfjs' },
];

export async function exportNetwork(
  analyses: Analyses,
  tfjs: TfjsCode,
  request: ExportRequest = {},
): Promise<ExportResult | undefined> {
  const document = request.uri
    ? await vscode.workspace.openTextDocument(
        typeof request.uri === 'string' ? vscode.Uri.parse(request.uri) : request.uri,
      )
    : vscode.window.activeTextEditor?.document;
  if (document?.languageId !== 'cnn') {
    void vscode.window.showErrorMessage('Export Network: open a .cnn network first.');
    return undefined;
  }
  const to = request.to ?? (await vscode.window.showQuickPick(TARGETS, { title: 'Export network to' }))?.to;
  if (!to) return undefined;
  const name = document.uri.path.split('/').pop() ?? 'network.cnn';
  if (to !== 'pytorch' && to !== 'tfjs') throw new ExportError(`unknown export target '${to}'`);
  const label = to === 'pytorch' ? 'PyTorch' : 'TensorFlow.js';
  let text: string;
  try {
    if (to === 'pytorch') text = exportPytorch(analyses.get(document), name);
    else {
      const written = await tfjs.exportNetwork(document.getText(), name);
      if ('error' in written) throw new Error(`the TensorFlow.js worker failed: ${written.error}`);
      if ('refused' in written) throw new ExportError(written.refused);
      text = written.text;
    }
  } catch (e) {
    if (!isExportError(e)) throw e;
    void vscode.window.showErrorMessage(`Cannot export ${name} to ${label}: ${e.message}`);
    return undefined;
  }
  const extension = to === 'pytorch' ? '.py' : '.ts';
  const path = /\.cnn$/.test(document.uri.path)
    ? document.uri.path.replace(/\.cnn$/, extension)
    : `${document.uri.path}${extension}`;
  return openBeside(path, text);
}
