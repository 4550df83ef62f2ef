/**
 * The one-click gradient check: runs `checkTensors` over the network's tensors in engine workers (two shards
 * on two threads where the machine has two cores), assembles the verdicts, and publishes each run's state
 * (running → progress → done, error or cancelled) for the results panel, the code lens and the inline results.
 *
 * One run at a time. A run started for a new version of the file or with other settings supersedes the one
 * still running: its workers are terminated, which stops them within milliseconds wherever they are in the
 * check (the engine only yields every 50 ms, so a message asking it to stop could wait that long). The same
 * request again joins the running one instead of restarting it.
 *
 * Before the shards start, one worker says what the check will cost (evaluations and about how long); one of
 * a minute or more asks first. Each shard streams its tensors' verdicts, so a run cancelled halfway keeps the
 * layers it had finished.
 */
import * as vscode from 'vscode';
import { type Analysis, GRADCHECK_DEFAULTS, runsAt } from '../engine';
import { uncoveredByConsumers } from '../engine/editor/coverage';
import {
  aboutDuration,
  assemble,
  assembleFinished,
  type ChainPart,
  type FaultName,
  type GradcheckProgress,
  type GradcheckResult,
  type TensorVerdict,
} from '../engine/run';
import {
  type Estimate,
  type Heatmap,
  isRunSettings,
  type LayerInfoView,
  type Progress,
  type RunSettings,
  type RunState,
} from '../webview/protocol';
import type { Analyses } from './analyses';
import { gradcheckSettings, settings as editorSettings } from './config';
import { type Checked, type EngineWorker, type Estimated, Terminated, WorkerFailure } from './worker/client';
import type { WorkerPool } from './worker/pool';
import type { EngineOptions } from './worker/protocol';
import { revealInEditor } from './placement';

/** torch.autograd.gradcheck's tolerances, the engine's defaults. */
const { atol: ATOL, rtol: RTOL } = GRADCHECK_DEFAULTS;
/** The protocol promises the panel progress at most this often. */
const PROGRESS_MS = 50;
/** A check estimated to take this long or more shows its progress in a notification, with a Cancel button. */
const NOTIFY_MS = 3_000;
/** A check estimated to take this long or more asks before it starts. */
export const ASK_MS = 60_000;

/** The `cnnLens.checkGradients` command's optional argument. */
export interface GradcheckRequest {
  /** The `.cnn` document (a URI or its string); else the active editor's. */
  readonly uri?: string | vscode.Uri;
  /** Settings to use instead of `cnnLens.gradcheck.*` (the panel's form sends all of them). */
  readonly settings?: Partial<RunSettings>;
  /** Threads to split the check over; else 2 where the machine has 2 cores, else 1. For measurements. */
  readonly threads?: number;
  /** false: start a check estimated at a minute or more without asking first (the caller has decided). */
  readonly ask?: boolean;
  /**
   * FOR TESTS ONLY: inject a named wrong backward into one layer (engine/run/faults.ts), to prove the check
   * blames the right layer end to end. Not a user feature: no UI passes it, and a rerun drops it.
   */
  readonly fault?: { readonly layer: string; readonly name: FaultName };
}

/** A finished run with its result, for the inline results and the tests. */
export interface CompletedRun {
  readonly document: vscode.TextDocument;
  /** The version that was checked: the results hold only while the document is still at it. */
  readonly version: number;
  readonly analysis: Analysis;
  readonly result: GradcheckResult;
  readonly threads: number;
  /** From the request to the assembled result, worker start-up included. */
  readonly ms: number;
}

interface Run {
  readonly key: string;
  readonly file: string;
  readonly settings: RunSettings;
  readonly analysis: Analysis;
  readonly started: number;
  readonly workers: EngineWorker[];
  /** What the engine said of the check before it started. */
  estimated?: Estimated;
  /** Every tensor verdict the shards have sent so far. */
  readonly verdicts: TensorVerdict[];
  /** The local modes: every chain part the shards have sent so far. */
  readonly chains: ChainPart[];
  /** Each shard's latest progress. */
  readonly shards: GradcheckProgress[];
  readonly finished: Promise<RunState>;
  readonly resolve: (state: RunState) => void;
  over: boolean;
  lastProgress: number;
  reporter?: vscode.Progress<{ message?: string; increment?: number }>;
  reported: number;
}

export class GradcheckController implements vscode.Disposable {
  private readonly stateEmitter = new vscode.EventEmitter<RunState>();
  private readonly progressEmitter = new vscode.EventEmitter<Progress>();
  private readonly completedEmitter = new vscode.EventEmitter<CompletedRun>();
  private active: Run | undefined;
  private current: RunState | undefined;
  /** What the last finished run checked, for heat-maps of the same model. */
  private lastInput: { text: string; options: EngineOptions } | undefined;

  /** Every change of status, in order: running, then done, error or cancelled. */
  readonly onDidChangeState = this.stateEmitter.event;
  /** The running check's progress, at most every 50 ms. */
  readonly onDidProgress = this.progressEmitter.event;
  /** A run finished with a result (passed or not). */
  readonly onDidComplete = this.completedEmitter.event;

  constructor(
    private readonly analyses: Analyses,
    private readonly pool: WorkerPool,
    /** Threads a run uses unless asked otherwise. */
    private readonly threads: number,
  ) {}

  /** The last run's state, if any run has started. */
  get state(): RunState | undefined {
    return this.current;
  }

  /** The file a run is checking now. */
  get running(): string | undefined {
    return this.active?.file;
  }

  /** The layers the running check has finished so far (each of their tensors checked), in network order. */
  get finished(): readonly string[] {
    const run = this.active;
    return run ? (this.finishedSoFar(run).result?.layers.map((l) => l.name) ?? []) : [];
  }

  /** Engine workers alive, idle or busy. */
  get liveWorkers(): number {
    return this.pool.size;
  }

  /** Starts a check (or joins the same one running); resolves with its final state. */
  async run(request: GradcheckRequest = {}): Promise<RunState | undefined> {
    const started = performance.now();
    const document = await documentFor(request.uri);
    if (!document) {
      void vscode.window.showInformationMessage('CNN Lens: open a .cnn file to check its gradients.');
      return undefined;
    }
    const settings: RunSettings = { ...gradcheckSettings(document), ...request.settings };
    if (!isRunSettings(settings))
      throw new Error(`CNN Lens: invalid gradient check settings ${JSON.stringify(request.settings)}`);
    const threads = Math.max(1, Math.floor(request.threads ?? this.threads));
    const file = document.uri.toString();
    const key = JSON.stringify([file, document.version, settings, threads, request.fault ?? null]);
    if (this.active?.key === key) return this.active.finished;
    if (this.active) this.stop(this.active);

    let resolve!: (state: RunState) => void;
    const finished = new Promise<RunState>((r) => (resolve = r));
    const analysis = this.analyses.get(document);
    const run: Run = {
      key,
      file,
      settings,
      analysis,
      started,
      workers: [],
      verdicts: [],
      chains: [],
      shards: [],
      finished,
      resolve,
      over: false,
      lastProgress: 0,
      reported: 0,
    };

    const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) {
      this.end(run, {
        status: 'error',
        file,
        settings,
        message: `the network has ${errors.length} error${errors.length > 1 ? 's' : ''}; fix ${errors.length > 1 ? 'them' : 'it'} before checking its gradients`,
        diagnostics: errors.map((d) => {
          const p = document.positionAt(d.range.start);
          return `${p.line + 1}:${p.character + 1} ${d.code}: ${d.message}`;
        }),
      });
      return finished;
    }

    this.active = run;
    const text = document.getText();
    const version = document.version;
    const options: EngineOptions = {
      ...(settings.mode !== 'default' && { mode: settings.mode }),
      samples: settings.samples,
      eps: settings.eps,
      atol: ATOL,
      rtol: RTOL,
      ...(settings.batch !== null && { batch: settings.batch }),
      ...(settings.seed !== null && { seed: settings.seed }),
      memoryLimit: editorSettings(document).memoryLimit,
      ...(request.fault && { fault: request.fault }),
    };
    try {
      for (let i = 0; i < threads; i++) run.workers.push(this.pool.acquire());
      const estimated = await run.workers[0].estimate(text, options);
      if (run.over) return finished;
      run.estimated = estimated;
      const estimate: Estimate = { evaluations: estimated.evaluations, ms: estimated.ms / threads };
      this.setState({ status: 'running', file, settings, estimate });
      // A notification stays at least 800 ms once shown: a short check reports in the status bar instead,
      // which is gone the moment the check is done.
      const long = estimate.ms >= NOTIFY_MS;
      void vscode.window.withProgress(
        {
          location: long ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window,
          title: `Checking the gradients of ${basename(document.uri)} (${describeEstimate(estimate)})`,
          cancellable: long,
        },
        (reporter, token) => {
          run.reporter = reporter;
          token.onCancellationRequested(() => this.stop(run));
          return finished;
        },
      );
      if (
        estimate.ms >= ASK_MS &&
        request.ask !== false &&
        !(await this.confirm(document, settings, estimate, threads))
      ) {
        this.stop(run);
        return finished;
      }
      if (run.over) return finished;
      const parts: Checked[] = await Promise.all(
        run.workers.map((w, index) =>
          w.check(
            text,
            options,
            { index, count: threads },
            (p) => this.progress(run, index, p),
            (v) => run.verdicts.push(v),
            (c) => run.chains.push(c),
          ),
        ),
      );
      if (run.over) return finished;
      const [first] = parts;
      // The network as the workers ran it: at `sample size=`, if the file sets one.
      const ranAt = runsAt(analysis);
      const result = assemble(
        first.layers,
        parts.map((p) => p.part),
        {
          mode: options.mode ?? GRADCHECK_DEFAULTS.mode,
          eps: options.eps,
          atol: ATOL,
          rtol: RTOL,
          batch: first.batch,
          seed: first.seed,
          ...(ranAt.input?.shape && { input: ranAt.input.shape }),
          ms: performance.now() - started,
        },
      );
      this.lastInput = { text, options };
      for (const w of run.workers) this.pool.release(w);
      this.end(run, { status: 'done', file, settings, result, layers: layerViews(ranAt, result), threads });
      this.completedEmitter.fire({ document, version, analysis, result, threads, ms: result.ms });
    } catch (error) {
      if (run.over) return finished;
      // A shard that failed leaves the others running: stop them rather than let them finish for nothing.
      for (const w of run.workers) {
        if (w.busy) this.pool.discard(w);
        else this.pool.release(w);
      }
      this.end(run, failure(file, settings, error));
    }
    return finished;
  }

  /** Stops the running check, if any; true when there was one. */
  cancel(): boolean {
    if (!this.active) return false;
    this.stop(this.active);
    return true;
  }

  /** One map of a layer's δ, analytic beside numeric, for the model the last finished run checked. */
  async heatmap(layer: string, sample: number, channel: number): Promise<Heatmap> {
    const input = this.lastInput;
    if (!input) throw new Error('run a gradient check first');
    const w = this.pool.acquire();
    try {
      return await w.deltaMap(input.text, input.options, layer, sample, channel);
    } finally {
      this.pool.release(w);
    }
  }

  /** Selects a layer's statement (or the input's) in the editor of the checked file. */
  async reveal(layer: string): Promise<void> {
    const file = this.current?.file;
    if (!file) return;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(file));
    const a = this.analyses.get(document);
    const statement = a.input?.name === layer ? a.input.statement : a.layers.find((l) => l.name === layer)?.statement;
    if (statement) await revealInEditor(document, statement.range);
  }

  /**
   * Asks before a check of a minute or more; true to go ahead. A notification rather than a modal dialog:
   * the panel beside it already says what is about to run, and VS Code refuses modal dialogs under test.
   */
  private async confirm(
    document: vscode.TextDocument,
    settings: RunSettings,
    estimate: Estimate,
    threads: number,
  ): Promise<boolean> {
    const start = 'Start the check';
    const answer = await vscode.window.showWarningMessage(
      `Checking the gradients of ${basename(document.uri)} in ${settings.mode} mode takes ${describeEstimate(estimate)} on ${threads} thread${threads > 1 ? 's' : ''}. ` +
        'The default mode finds a wrong backward rule in far fewer; a cancelled check keeps the layers it finished.',
      start,
      'Cancel',
    );
    return answer === start;
  }

  /** Terminates a run's busy workers and reports it cancelled, at once, with the layers it had finished. */
  private stop(run: Run): void {
    if (run.over) return;
    for (const w of run.workers) {
      if (w.busy) this.pool.discard(w);
      else this.pool.release(w);
    }
    this.end(run, { status: 'cancelled', file: run.file, settings: run.settings, ...this.finishedSoFar(run) });
  }

  /** The layers a run stopped early had finished, as a result and its table rows; nothing when none. */
  private finishedSoFar(run: Run): { result?: GradcheckResult; layers?: LayerInfoView[] } {
    const e = run.estimated;
    if (!e || !run.verdicts.length) return {};
    // As a whole result says: at the size the run used (`sample size=`), its shapes in the table too.
    const ranAt = runsAt(run.analysis);
    const mode = run.settings.mode === 'default' ? GRADCHECK_DEFAULTS.mode : run.settings.mode;
    const local = mode === 'local' || mode === 'local-full';
    const settings = {
      mode,
      eps: run.settings.eps,
      atol: ATOL,
      rtol: RTOL,
      batch: e.batch,
      seed: e.seed,
      ms: performance.now() - run.started,
      ...(ranAt.input?.shape && { input: ranAt.input.shape }),
      loss: e.loss,
      evaluations: run.shards.reduce((n, s) => n + (s?.done ?? 0), 0),
    };
    const result = assembleFinished(e.layers, run.verdicts, settings, local ? run.chains : undefined);
    return result.layers.length ? { result, layers: layerViews(ranAt, result) } : {};
  }

  private end(run: Run, state: RunState): void {
    run.over = true;
    if (this.active === run) this.active = undefined;
    this.setState(state);
    run.resolve(state);
  }

  private setState(state: RunState): void {
    this.current = state;
    void vscode.commands.executeCommand('setContext', 'cnnLens.gradcheckRunning', state.status === 'running');
    this.stateEmitter.fire(state);
  }

  /** Sums the shards' progress; the panel and the notification hear of it at most every 50 ms. */
  private progress(run: Run, shard: number, p: GradcheckProgress): void {
    if (run.over) return;
    run.shards[shard] = p;
    const now = performance.now();
    if (now - run.lastProgress < PROGRESS_MS) return;
    run.lastProgress = now;
    const total = run.shards.reduce((n, s) => n + (s?.total ?? 0), 0);
    const done = run.shards.reduce((n, s) => n + (s?.done ?? 0), 0);
    const progress: Progress = { done, total, layer: p.layer, tensor: p.tensor };
    if (this.current?.status === 'running') this.current = { ...this.current, progress };
    this.progressEmitter.fire(progress);
    // Until every shard has reported, the total is a lower bound: the bar may pause, never run backwards.
    const percent = total > 0 && run.shards.filter(Boolean).length === run.workers.length ? (100 * done) / total : 0;
    if (percent > run.reported) {
      run.reporter?.report({
        increment: percent - run.reported,
        message: p.layer ? `${p.layer} ${p.tensor}` : undefined,
      });
      run.reported = percent;
    }
  }

  dispose(): void {
    if (this.active) this.stop(this.active);
    this.stateEmitter.dispose();
    this.progressEmitter.dispose();
    this.completedEmitter.dispose();
  }
}

/** The table's rows: each checked layer's shapes and the rows and columns its consumers leave without gradient. */
export function layerViews(a: Analysis, result: GradcheckResult): LayerInfoView[] {
  const uncovered = uncoveredByConsumers(a);
  return result.layers.map((l) => {
    const layer = a.layers.find((x) => x.name === l.name);
    const output = layer ? (layer.output ?? []) : (a.input?.shape ?? []);
    const gap = uncovered.get(l.name);
    return {
      name: l.name,
      kind: l.kind,
      ...(l.line !== undefined && { line: l.line }),
      output,
      deltaIn: layer ? layer.inputShapes.map((s) => s ?? []) : [],
      ...(gap && { uncovered: gap }),
      ...(layer?.use && { group: { name: layer.use.topName, description: layer.use.description } }),
    };
  });
}

function failure(file: string, settings: RunSettings, error: unknown): RunState {
  if (error instanceof WorkerFailure) {
    const where = error.layer && !error.message.includes(error.layer) ? ` (at ${error.layer})` : '';
    return {
      status: 'error',
      file,
      settings,
      message: `${error.message}${where}`,
      ...(error.diagnostics.length && { diagnostics: error.diagnostics }),
    };
  }
  if (error instanceof Terminated)
    return { status: 'error', file, settings, message: `the engine worker stopped: ${error.message}` };
  return { status: 'error', file, settings, message: error instanceof Error ? error.message : String(error) };
}

async function documentFor(uri: string | vscode.Uri | undefined): Promise<vscode.TextDocument | undefined> {
  if (uri === undefined) {
    const document = vscode.window.activeTextEditor?.document;
    return document?.languageId === 'cnn' ? document : undefined;
  }
  const target = typeof uri === 'string' ? vscode.Uri.parse(uri) : uri;
  return (
    vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString()) ??
    vscode.workspace.openTextDocument(target)
  );
}

/** `4,499,268 evaluations, about 33 h`. */
export function describeEstimate(e: Estimate): string {
  return `${e.evaluations.toLocaleString('en-US')} evaluations, ${aboutDuration(e.ms)}`;
}

function basename(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}
