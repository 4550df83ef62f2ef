/**
 * `npm start -- --check`, the part inside VS Code for the Web: loaded as the extension-tests module by
 * scripts/start.mjs, it waits for the editor the page opened (`?payload=[["openFile", …]]`), asks the extension
 * for that editor's diagnostics through `cnnLens.dumpDiagnostics` (which answers once the analysis is done), and
 * posts them to the runner, which prints them. Bundled to dist/test/check.web.js; never shipped.
 */
import * as vscode from 'vscode';
import { callRunner } from '../test/extension/runner';

const WAIT_MS = 60_000;
const EXTENSION_ID = 'cnn-lens.cnn-lens';

export async function run(): Promise<void> {
  try {
    const { file } = (await (await callRunner('options')).json()) as { file: string };
    const editor = await activeEditorFor(file);
    // The page opened the file, which activates the extension; make sure that activation has finished.
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    const dump = await vscode.commands.executeCommand('cnnLens.dumpDiagnostics');
    if (!dump)
      throw new Error(
        `cnnLens.dumpDiagnostics returned nothing for ${editor.document.uri.toString()} (language ${editor.document.languageId})`,
      );
    await post({ dump });
  } catch (error) {
    await post({ error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
}

const post = (result: unknown) =>
  callRunner('result', {
    method: 'POST',
    body: JSON.stringify(result),
    headers: { 'content-type': 'application/json' },
  });

/** The editor showing `file` (a path in the workspace folder), once the workbench has opened it. */
function activeEditorFor(file: string): Promise<vscode.TextEditor> {
  const matches = (e: vscode.TextEditor | undefined) => !!e && e.document.uri.path.endsWith(`/${file}`);
  if (matches(vscode.window.activeTextEditor)) return Promise.resolve(vscode.window.activeTextEditor!);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      l.dispose();
      reject(new Error(`the workbench did not open ${file} within ${WAIT_MS / 1000} s`));
    }, WAIT_MS);
    const l = vscode.window.onDidChangeActiveTextEditor((e) => {
      if (!matches(e)) return;
      clearTimeout(timer);
      l.dispose();
      resolve(e!);
    });
  });
}
