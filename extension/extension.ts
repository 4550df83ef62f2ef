/**
 * CNN Lens for VS Code, desktop and web. activate() only wires: each concern is a class in its own file, and
 * all analysis is the engine's. The returned object is the API the tests use. Nothing heavy starts here:
 * engine workers start with the first gradient check, the walkthrough's webview when its view is shown.
 */
import * as vscode from 'vscode';
import { Analyses } from './analyses';
import { CodeActionProvider } from './codeActions';
import { GradcheckCodeLens } from './codeLens';
import { registerCommands } from './commands';
import { CompletionProvider } from './completion';
import { DiagramView } from './diagram/panel';
import { GradcheckController } from './gradcheck';
import { HoverProvider } from './hover';
import { InlayHintsProvider } from './inlayHints';
import { NavigationProvider } from './navigation';
import { EditorPlacement } from './placement';
import { InlineResults } from './results';
import { ResultsFeed } from './resultsFeed';
import { StatusBar } from './statusBar';
import { SymbolProvider } from './symbols';
import { TFJS_SELECTOR, TfjsCode } from './tfjsCode';
import { WalkthroughView } from './walkthrough/view';
import { EngineWorker } from './worker/client';
import { availableCores, startWorker } from './worker/host';
import { WorkerPool } from './worker/pool';

export interface CnnLensApi {
  readonly analyses: Analyses;
  /** Gradient checks: the last run's `state`, `onDidChangeState`, `onDidProgress`, `onDidComplete`. */
  readonly gradcheck: GradcheckController;
  /** The verdicts shown after each layer's line. */
  readonly results: InlineResults;
  readonly walkthrough: WalkthroughView;
  readonly diagram: DiagramView;
  /** TensorFlow.js code checked in place: `onDidAnalyse`, `result(document)`. */
  readonly tfjs: TfjsCode;
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
  // Two shards on two threads where there are two cores: the check splits by cost, the seed's in two halves.
  const threads = Math.min(2, availableCores());
  const pool = new WorkerPool(() => new EngineWorker(startWorker(context.extensionUri)), threads);
  const gradcheck = new GradcheckController(analyses, pool, threads);
  const results = new InlineResults();
  const walkthrough = new WalkthroughView(context.extensionUri, analyses);
  const lenses = new GradcheckCodeLens(analyses);
  const diagram = new DiagramView(context.extensionUri, analyses, gradcheck);
  // Its worker, with ts-morph, starts only when a file that imports tfjs is seen.
  const tfjs = new TfjsCode(context.extensionUri);
  context.subscriptions.push(
    analyses,
    hints,
    analyses.onDidAnalyse(() => hints.refresh()),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('cnnLens.inlayHints') && hints.refresh()),
    vscode.languages.registerHoverProvider(selector, new HoverProvider(analyses)),
    vscode.languages.registerInlayHintsProvider(selector, hints),
    vscode.languages.registerCodeActionsProvider(selector, new CodeActionProvider(analyses), {
      providedCodeActionKinds: CodeActionProvider.kinds,
    }),
    vscode.languages.registerCompletionItemProvider(
      selector,
      new CompletionProvider(analyses),
      ...CompletionProvider.triggers,
    ),
    vscode.languages.registerDocumentSymbolProvider(selector, new SymbolProvider(analyses)),
    vscode.languages.registerDefinitionProvider(selector, navigation),
    vscode.languages.registerReferenceProvider(selector, navigation),
    vscode.languages.registerRenameProvider(selector, navigation),
    vscode.languages.registerCodeLensProvider(selector, lenses),
    vscode.window.registerWebviewViewProvider(WalkthroughView.viewType, walkthrough),
    new StatusBar(analyses),
    pool,
    gradcheck,
    lenses,
    results,
    gradcheck.onDidComplete((run) => results.show(run)),
    walkthrough,
    diagram,
    new ResultsFeed(context.extensionUri, gradcheck),
    new EditorPlacement(),
    tfjs,
    vscode.languages.registerInlayHintsProvider(TFJS_SELECTOR, tfjs),
    vscode.languages.registerHoverProvider(TFJS_SELECTOR, tfjs),
    vscode.languages.registerCodeActionsProvider(TFJS_SELECTOR, tfjs, {
      providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
    }),
    ...registerCommands({ analyses, gradcheck, walkthrough, diagram, tfjs }),
  );
  return { analyses, gradcheck, results, walkthrough, diagram, tfjs, activationMs: performance.now() - started };
}

export function deactivate(): void {}
