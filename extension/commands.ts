/** Every command the extension contributes, listed once. */
import * as vscode from 'vscode';
import type { Analyses } from './analyses';

export interface DumpedDiagnostics {
  readonly uri: string;
  readonly version: number;
  readonly diagnostics: readonly { line: number; column: number; severity: string; code: string; message: string }[];
}

export function registerCommands(analyses: Analyses): vscode.Disposable[] {
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
  };
  return Object.entries(commands).map(([id, run]) => vscode.commands.registerCommand(id, run));
}
