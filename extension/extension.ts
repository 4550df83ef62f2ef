/**
 * CNN Lens for VS Code, desktop and web. activate() only wires: each concern is a class in its own file, and
 * all analysis is the engine's. The returned object is the API the tests use.
 */
import * as vscode from 'vscode';
import { Analyses } from './analyses';
import { CodeActionProvider } from './codeActions';
import { registerCommands } from './commands';
import { CompletionProvider } from './completion';
import { HoverProvider } from './hover';
import { InlayHintsProvider } from './inlayHints';
import { NavigationProvider } from './navigation';
import { StatusBar } from './statusBar';
import { SymbolProvider } from './symbols';

export interface CnnLensApi {
  readonly analyses: Analyses;
  /** How long activate() took, for the suite's log. */
  readonly activationMs: number;
}

const selector: vscode.DocumentSelector = { language: 'cnn' };

export function activate(context: vscode.ExtensionContext): CnnLensApi {
  const started = performance.now();
  const docs = vscode.Uri.joinPath(context.extensionUri, 'docs', 'language.md');
  const analyses = new Analyses(docs);
  const hints = new InlayHintsProvider(analyses);
  const navigation = new NavigationProvider(analyses);
  context.subscriptions.push(
    analyses,
    hints,
    analyses.onDidAnalyse(() => hints.refresh()),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('cnnLens.inlayHints') && hints.refresh()),
    vscode.languages.registerHoverProvider(selector, new HoverProvider(analyses)),
    vscode.languages.registerInlayHintsProvider(selector, hints),
    vscode.languages.registerCodeActionsProvider(selector, new CodeActionProvider(analyses), { providedCodeActionKinds: CodeActionProvider.kinds }),
    vscode.languages.registerCompletionItemProvider(selector, new CompletionProvider(analyses), ...CompletionProvider.triggers),
    vscode.languages.registerDocumentSymbolProvider(selector, new SymbolProvider(analyses)),
    vscode.languages.registerDefinitionProvider(selector, navigation),
    vscode.languages.registerReferenceProvider(selector, navigation),
    vscode.languages.registerRenameProvider(selector, navigation),
    new StatusBar(analyses),
    ...registerCommands(analyses),
  );
  return { analyses, activationMs: performance.now() - started };
}

export function deactivate(): void {}
