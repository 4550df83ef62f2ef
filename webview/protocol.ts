/**
 * The one protocol between the extension and the gradient-check webview: every message in each direction, as
 * a discriminated union with a doc comment per message. Types only; both sides import it, and each side
 * validates what it receives (`isToPanel`, `isFromPanel`) before acting on it.
 */
import { isInt, isNumbers, isObject, isStrings, isTensorCheck } from './guards';
import type { DeltaMap, GradcheckProgress, GradcheckResult } from '../engine/run';
import { GRADCHECK_DEFAULTS, GRADCHECK_MODES, type GradcheckMode } from '../engine/defaults';

/** A mode as the settings name it: `default` for the engine's default mode, every other mode by its name. */
export type SettingsMode = 'default' | Exclude<GradcheckMode, 'local'>;
export const SETTINGS_MODES: readonly SettingsMode[] = [
  'default',
  ...(GRADCHECK_MODES.filter((m) => m !== GRADCHECK_DEFAULTS.mode) as SettingsMode[]),
];

/** The run settings the panel's form edits (the `cnnLens.gradcheck.*` settings are their defaults). */
export interface RunSettings {
  readonly mode: SettingsMode;
  readonly samples: number;
  readonly eps: number;
  /** null: the file's `sample batch=`, else 2. */
  readonly batch: number | null;
  /** null: the file's `sample seed=`, else 1. */
  readonly seed: number | null;
}

/** What the table shows of a layer besides its check: shapes and where it is. */
export interface LayerInfoView {
  readonly name: string;
  readonly kind: string;
  /** 1-based line, absent for the input. */
  readonly line?: number;
  readonly output: readonly number[];
  /** δ at the layer's input(s); empty for the input. */
  readonly deltaIn: readonly (readonly number[])[];
  /**
   * Rows and columns (0-based) of this layer's output that get no gradient because a pooling (or strided conv)
   * layer reading it covers them with no window: the seed's row and column 12 of sigmoid1.
   */
  readonly uncovered?: { readonly rows: readonly number[]; readonly cols: readonly number[] };
  /** For a layer of a block's expansion: the use at the top level it belongs to (`layer2`) and its block and arguments. */
  readonly group?: { readonly name: string; readonly description: string };
}

export type RunState =
  /** A check is running; `estimate` is absent until the engine has said, `progress` until the first report. */
  | {
      readonly status: 'running';
      readonly file: string;
      readonly settings: RunSettings;
      readonly estimate?: Estimate;
      readonly progress?: Progress;
    }
  /** A check finished (passed or not). */
  | {
      readonly status: 'done';
      readonly file: string;
      readonly settings: RunSettings;
      readonly result: GradcheckResult;
      readonly layers: readonly LayerInfoView[];
      readonly threads: number;
    }
  /** The network cannot run: its errors, or why it stopped (memory, NaN). */
  | {
      readonly status: 'error';
      readonly file: string;
      readonly settings: RunSettings;
      readonly message: string;
      readonly diagnostics?: readonly string[];
    }
  /**
   * The user cancelled, or an edit superseded the run. `result` holds the layers it had finished (every tensor
   * of theirs checked), with `layers` their table rows; both absent when it had finished none.
   */
  | {
      readonly status: 'cancelled';
      readonly file: string;
      readonly settings: RunSettings;
      readonly result?: GradcheckResult;
      readonly layers?: readonly LayerInfoView[];
    };

/** What a check will cost, said before it starts. */
export interface Estimate {
  /** Evaluations (forward reruns) of the whole check. */
  readonly evaluations: number;
  /** About how long, on the threads it runs on. */
  readonly ms: number;
}

/** Progress of a running check, as the engine reports it. */
export type Progress = GradcheckProgress;

/** One channel of one sample of a layer's δ, analytic and numeric, for a heat-map: the engine's record. */
export type Heatmap = DeltaMap;

/** Extension → webview. */
export type ToPanel =
  /** The whole state, on every change of status (and after the panel is revived). */
  | { readonly type: 'state'; readonly state: RunState }
  /** Progress of the running check, at most every 50 ms. */
  | { readonly type: 'progress'; readonly progress: Progress }
  /** A heat-map the panel asked for. */
  | { readonly type: 'heatmap'; readonly heatmap: Heatmap }
  /** A heat-map request that failed. */
  | { readonly type: 'heatmapError'; readonly layer: string; readonly message: string };

/** Webview → extension. */
export type FromPanel =
  /** The panel's script is loaded and listening: send it the state. */
  | { readonly type: 'ready' }
  /** Run again with these settings. */
  | { readonly type: 'rerun'; readonly settings: RunSettings }
  /** Stop the running check. */
  | { readonly type: 'cancel' }
  /** Show this layer's line in the editor. */
  | { readonly type: 'reveal'; readonly layer: string }
  /** Compute the heat-map of a layer's δ for one sample and channel. */
  | { readonly type: 'heatmap'; readonly layer: string; readonly sample: number; readonly channel: number }
  /** Posted after every render: what the panel now shows, in words, so the extension's tests can assert it. */
  | { readonly type: 'rendered'; readonly view: RenderedView };

/** What the panel shows, in words: the payload of `rendered`. */
export interface RenderedView {
  /**
   * The summary's headline: `passed`, `failed`, `running 40%`, `cancelled` (`cancelled, 4 layers kept, 21 not
   * reached` when it kept some), `error: MESSAGE`, or `empty`.
   */
  readonly summary: string;
  /** One per table row, `NAME KIND pass|fail`, plus ` blamed` on a layer with a blame line. */
  readonly rows: readonly string[];
  /**
   * One per group of rows (the layers of one use of a block), `NAME LAYERS pass|fail expanded|collapsed`; absent
   * when the network has no blocks.
   */
  readonly groups?: readonly string[];
  /** One per tensor cell of the table, `NAME TENSOR TEXT` as shown (`0 by structure`, `inconclusive`, `1.2e-7`). */
  readonly cells?: readonly string[];
  /** One per chart mark, `NAME TENSOR pass-zone|fail-zone pass|fail`: where it sits, and its ring. */
  readonly marks?: readonly string[];
  /**
   * The heat-map drawn, `LAYER sample S channel C H×W`, then ` kinks K` and ` uncovered rows R cols C` (0-based,
   * comma-separated) for what is marked; or `error: MESSAGE`; absent when none is drawn.
   */
  readonly heatmap?: string;
  /** The form's inline validation errors, `FIELD: MESSAGE`. */
  readonly formErrors: readonly string[];
  /** Content-Security-Policy violations the page has reported (`DIRECTIVE BLOCKED-URI`): none, normally. */
  readonly violations: readonly string[];
}

/**
 * What the webview keeps with `vscode.setState`: VS Code hands it to the panel serializer after a window reload,
 * and back to the webview's `getState()` when it is shown again.
 */
export interface SavedPanel {
  readonly state?: RunState;
  /** The heat-map chosen in the panel. */
  readonly selection?: { readonly layer: string; readonly sample: number; readonly channel: number };
  /** The heat-map drawn, when small enough to keep. */
  readonly heatmap?: Heatmap;
}

export function isRunSettings(v: unknown): v is RunSettings {
  return (
    isObject(v) &&
    (SETTINGS_MODES as readonly unknown[]).includes(v.mode) &&
    isInt(v.samples, 1) &&
    typeof v.eps === 'number' &&
    v.eps > 0 &&
    (v.batch === null || isInt(v.batch, 1)) &&
    (v.seed === null || isInt(v.seed, 0))
  );
}

/**
 * Checks a run state as far as the panel relies on it: the status, and each status's own fields. A `done`
 * result's layers are checked for the fields the panel reads (name, kind, δ and parameter verdicts).
 */
export function isRunState(v: unknown): v is RunState {
  if (!isObject(v) || typeof v.file !== 'string' || !isRunSettings(v.settings)) return false;
  switch (v.status) {
    case 'running':
      return (
        (v.progress === undefined || isProgress(v.progress)) &&
        (v.estimate === undefined ||
          (isObject(v.estimate) && isInt(v.estimate.evaluations) && typeof v.estimate.ms === 'number'))
      );
    case 'done':
      return isInt(v.threads, 1) && isResult(v.result) && Array.isArray(v.layers) && v.layers.every(isLayerInfoView);
    case 'error':
      return typeof v.message === 'string' && (v.diagnostics === undefined || isStrings(v.diagnostics));
    case 'cancelled':
      return (
        (v.result === undefined && v.layers === undefined) ||
        (isResult(v.result) && Array.isArray(v.layers) && v.layers.every(isLayerInfoView))
      );
    default:
      return false;
  }
}

export function isProgress(v: unknown): v is Progress {
  return isObject(v) && isInt(v.done) && isInt(v.total) && typeof v.layer === 'string' && typeof v.tensor === 'string';
}

/** A heat-map whose three arrays all fit its shape, so the panel can draw it cell by cell. */
export function isHeatmap(v: unknown): v is Heatmap {
  if (!isObject(v) || typeof v.layer !== 'string' || !isInt(v.sample) || !isInt(v.channel)) return false;
  if (!Array.isArray(v.shape) || v.shape.length !== 2 || !isInt(v.shape[0], 1) || !isInt(v.shape[1], 1)) return false;
  const cells = v.shape[0] * v.shape[1];
  return (
    isNumbers(v.analytic) &&
    isNumbers(v.numeric) &&
    (v.analytic as number[]).length === cells &&
    (v.numeric as number[]).length === cells &&
    isNumbers(v.kinks) &&
    (v.kinks as number[]).every((k) => isInt(k) && k < cells)
  );
}

function isLayerInfoView(v: unknown): boolean {
  return (
    isObject(v) &&
    typeof v.name === 'string' &&
    typeof v.kind === 'string' &&
    isNumbers(v.output) &&
    Array.isArray(v.deltaIn) &&
    v.deltaIn.every(isNumbers) &&
    (v.uncovered === undefined ||
      (isObject(v.uncovered) && isNumbers(v.uncovered.rows) && isNumbers(v.uncovered.cols))) &&
    (v.group === undefined ||
      (isObject(v.group) && typeof v.group.name === 'string' && typeof v.group.description === 'string'))
  );
}

function isResult(v: unknown): boolean {
  return (
    isObject(v) &&
    typeof v.passed === 'boolean' &&
    typeof v.mode === 'string' &&
    typeof v.eps === 'number' &&
    typeof v.rtol === 'number' &&
    isInt(v.batch, 1) &&
    isInt(v.seed) &&
    isInt(v.evaluations) &&
    typeof v.ms === 'number' &&
    Array.isArray(v.layers) &&
    (v.input === undefined || isNumbers(v.input)) &&
    (v.unreached === undefined || isStrings(v.unreached)) &&
    v.layers.every(
      (l) =>
        isObject(l) &&
        typeof l.name === 'string' &&
        typeof l.kind === 'string' &&
        isTensorCheck(l.delta) &&
        isObject(l.params) &&
        Object.values(l.params).every(isTensorCheck) &&
        (l.blame === undefined || typeof l.blame === 'string'),
    )
  );
}

function isRenderedView(v: unknown): v is RenderedView {
  return (
    isObject(v) &&
    typeof v.summary === 'string' &&
    isStrings(v.rows) &&
    (v.groups === undefined || isStrings(v.groups)) &&
    (v.cells === undefined || isStrings(v.cells)) &&
    (v.marks === undefined || isStrings(v.marks)) &&
    (v.heatmap === undefined || typeof v.heatmap === 'string') &&
    isStrings(v.formErrors) &&
    isStrings(v.violations)
  );
}

/** Checks a saved panel (it comes back from storage, possibly from an older version of the extension). */
export function isSavedPanel(v: unknown): v is SavedPanel {
  const s = isObject(v) ? v.selection : undefined;
  return (
    isObject(v) &&
    (v.state === undefined || isRunState(v.state)) &&
    (s === undefined || (isObject(s) && typeof s.layer === 'string' && isInt(s.sample) && isInt(s.channel))) &&
    (v.heatmap === undefined || isHeatmap(v.heatmap))
  );
}

/** Checks a message from the webview before the extension acts on it. */
export function isFromPanel(v: unknown): v is FromPanel {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'ready':
    case 'cancel':
      return true;
    case 'rerun':
      return isRunSettings(v.settings);
    case 'reveal':
      return typeof v.layer === 'string';
    case 'heatmap':
      return typeof v.layer === 'string' && isInt(v.sample) && isInt(v.channel);
    case 'rendered':
      return isRenderedView(v.view);
    default:
      return false;
  }
}

/** Checks a message from the extension before the webview acts on it. */
export function isToPanel(v: unknown): v is ToPanel {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'state':
      return isRunState(v.state);
    case 'progress':
      return isProgress(v.progress);
    case 'heatmap':
      return isHeatmap(v.heatmap);
    case 'heatmapError':
      return typeof v.layer === 'string' && typeof v.message === 'string';
    default:
      return false;
  }
}
