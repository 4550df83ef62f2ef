/**
 * "Convert TensorFlow.js Model to .cnn": the model of the active .ts/.js file (the one written around the cursor,
 * else its first) as a .cnn network, converted in the tfjs worker (tfjs/import.ts, ts-morph's in-memory file
 * system, so desktop and VS Code for the Web alike) and opened beside the code as an unsaved document whose path
 * is the file's with `.cnn`, so saving puts it next to the model and nothing on disk is overwritten unasked. The
 * `cnnLens.tfjsModel` context key shows the command where the active file imports tfjs.
 */
import * as vscode from 'vscode';
import { openBeside } from './placement';
import { TFJS_SELECTOR, type TfjsCode } from './tfjsCode';

export interface ConvertRequest {
  /** The tfjs file; default the active editor's. */
  readonly uri?: vscode.Uri | string;
}

/** What the command resolves with: the opened network, or undefined when nothing was converted. */
export interface ConvertResult {
  readonly uri: string;
  readonly viewColumn: number | undefined;
}

const importsTfjs = (d: vscode.TextDocument | undefined) =>
  !!d && vscode.languages.match(TFJS_SELECTOR, d) > 0 && d.getText().includes('@tensorflow/tfjs');

export async function convertTfjs(tfjs: TfjsCode, request: ConvertRequest = {}): Promise<ConvertResult | undefined> {
  const active = vscode.window.activeTextEditor;
  const document = request.uri
    ? await vscode.workspace.openTextDocument(
        typeof request.uri === 'string' ? vscode.Uri.parse(request.uri) : request.uri,
      )
    : active?.document;
  if (!document || !importsTfjs(document)) {
    void vscode.window.showErrorMessage(
      'Convert TensorFlow.js Model: open a .ts or .js file that imports @tensorflow/tfjs first.',
    );
    return undefined;
  }
  const name = document.uri.path.split('/').pop() ?? 'model.ts';
  const at = active?.document === document ? document.offsetAt(active.selection.active) : undefined;
  const result = await tfjs.convert(document, at);
  if (!('text' in result)) {
    void vscode.window.showErrorMessage(
      'refused' in result
        ? `Cannot convert ${name} to .cnn: ${result.refused}`
        : `Converting ${name} failed: ${result.error}`,
    );
    return undefined;
  }
  const path = /\.[^./]+$/.test(document.uri.path)
    ? document.uri.path.replace(/\.[^./]+$/, '.cnn')
    : `${document.uri.path}.cnn`;
  return openBeside(path, result.text, 'cnn');
}

/** Keeps `cnnLens.tfjsModel` true while the active editor holds code that imports tfjs. */
export class TfjsModelContext implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[];
  private value: boolean | undefined;

  constructor() {
    const update = () => this.set(importsTfjs(vscode.window.activeTextEditor?.document));
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor(update),
      vscode.workspace.onDidChangeTextDocument(
        (e) => e.document === vscode.window.activeTextEditor?.document && update(),
      ),
    ];
    update();
  }

  private set(value: boolean): void {
    if (value === this.value) return;
    this.value = value;
    void vscode.commands.executeCommand('setContext', 'cnnLens.tfjsModel', value);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
