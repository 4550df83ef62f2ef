/**
 * "Export Network…": the active `.cnn` network as a PyTorch module, opened beside it as an unsaved document
 * whose path is the network's with `.py`, so saving puts it next to the `.cnn` file and nothing on disk is
 * overwritten unasked. TensorFlow.js export needs the TypeScript compiler that ts-morph carries, which the
 * extension's bundles do not: the editor says so and gives the command line that writes it.
 */
import * as vscode from 'vscode';
import { ExportError, isExportError } from '../engine/export/common';
import { exportPytorch } from '../engine/export/pytorch';
import type { Analyses } from './analyses';

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
  { label: 'TensorFlow.js', description: 'tf.LayersModel, channels-last (from the command line)', to: 'tfjs' },
];

export async function exportNetwork(
  analyses: Analyses,
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
  if (to === 'tfjs') {
    void vscode.window.showInformationMessage(
      `TensorFlow.js export runs from the command line in this version: npx cnn-lens export ${name} --to tfjs -o ${name.replace(/\.cnn$/, '')}.ts`,
    );
    return undefined;
  }
  if (to !== 'pytorch') throw new ExportError(`unknown export target '${to}'`);
  let text: string;
  try {
    text = exportPytorch(analyses.get(document), name);
  } catch (e) {
    if (!isExportError(e)) throw e;
    void vscode.window.showErrorMessage(`Cannot export ${name} to PyTorch: ${e.message}`);
    return undefined;
  }
  const path = /\.cnn$/.test(document.uri.path)
    ? document.uri.path.replace(/\.cnn$/, '.py')
    : `${document.uri.path}.py`;
  const target = vscode.Uri.from({ scheme: 'untitled', path });
  const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(target), {
    viewColumn: vscode.ViewColumn.Beside,
    preview: false,
  });
  const all = new vscode.Range(0, 0, editor.document.lineCount, 0);
  await editor.edit((e) => e.replace(all, text));
  return { uri: editor.document.uri.toString(), viewColumn: editor.viewColumn };
}
