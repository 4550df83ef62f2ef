/** The extension's settings (package.json `contributes.configuration`), read in one place. */
import * as vscode from 'vscode';

export interface Settings {
  readonly shapeHints: boolean;
  readonly deltaHints: boolean;
  readonly memoryLimit: number;
}

export function settings(scope?: vscode.ConfigurationScope): Settings {
  const c = vscode.workspace.getConfiguration('cnnLens', scope);
  return {
    shapeHints: c.get('inlayHints.shapes', true),
    deltaHints: c.get('inlayHints.deltas', false),
    memoryLimit: c.get('memoryLimitMiB', 1024) * 2 ** 20,
  };
}
