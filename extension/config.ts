/** The extension's settings (package.json `contributes.configuration`), read in one place. */
import * as vscode from 'vscode';
import { DEFAULT_MEMORY_LIMIT, GRADCHECK_DEFAULTS } from '../engine';
import { type RunSettings, SETTINGS_MODES } from '../webview/protocol';

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
    memoryLimit: c.get('memoryLimitMiB', DEFAULT_MEMORY_LIMIT / 2 ** 20) * 2 ** 20,
  };
}

/** The gradient check's settings (`cnnLens.gradcheck.*`): the defaults of the results panel's form. */
export function gradcheckSettings(scope?: vscode.ConfigurationScope): RunSettings {
  const c = vscode.workspace.getConfiguration('cnnLens.gradcheck', scope);
  const mode = c.get<string>('mode', 'default');
  const samples = c.get<number>('samples', GRADCHECK_DEFAULTS.samples);
  const eps = c.get<number>('eps', GRADCHECK_DEFAULTS.eps);
  const batch = c.get<number | null>('batch', null);
  const seed = c.get<number | null>('seed', null);
  const settings = {
    mode: ((SETTINGS_MODES as readonly string[]).includes(mode) ? mode : 'default') as RunSettings['mode'],
    samples: Number.isInteger(samples) && samples >= 1 ? samples : GRADCHECK_DEFAULTS.samples,
    eps: typeof eps === 'number' && eps > 0 ? eps : GRADCHECK_DEFAULTS.eps,
    batch: Number.isInteger(batch) && batch! >= 1 ? batch : null,
    seed: Number.isInteger(seed) && seed! >= 0 ? seed : null,
  };
  return settings;
}
