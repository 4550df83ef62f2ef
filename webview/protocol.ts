/**
 * The one protocol between the extension and the gradient-check webview: every message in each direction, as
 * a discriminated union with a doc comment per message. Types only; both sides import it, and each side
 * validates what it receives (`isToPanel`, `isFromPanel`) before acting on it.
 */
import type { GradcheckResult } from '../engine/run';

/** The run settings the panel's form edits (the `cnnLens.gradcheck.*` settings are their defaults). */
export interface RunSettings {
  readonly mode: 'default' | 'directional' | 'sampled' | 'full';
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
}

export type RunState =
  /** A check is running; `progress` is absent until the first report. */
  | { readonly status: 'running'; readonly file: string; readonly settings: RunSettings; readonly progress?: Progress }
  /** A check finished (passed or not). */
  | { readonly status: 'done'; readonly file: string; readonly settings: RunSettings; readonly result: GradcheckResult; readonly layers: readonly LayerInfoView[]; readonly threads: number }
  /** The network cannot run: its errors, or why it stopped (memory, NaN). */
  | { readonly status: 'error'; readonly file: string; readonly settings: RunSettings; readonly message: string; readonly diagnostics?: readonly string[] }
  /** The user cancelled, or an edit superseded the run. */
  | { readonly status: 'cancelled'; readonly file: string; readonly settings: RunSettings };

export interface Progress {
  readonly done: number;
  readonly total: number;
  readonly layer: string;
  readonly tensor: string;
}

/** One channel of one sample of a layer's δ, analytic and numeric, for a heat-map. */
export interface Heatmap {
  readonly layer: string;
  readonly sample: number;
  readonly channel: number;
  readonly shape: readonly [number, number];
  readonly analytic: readonly number[];
  readonly numeric: readonly number[];
  /** Flat indices whose perturbation straddled a kink. */
  readonly kinks: readonly number[];
}

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
  | { readonly type: 'heatmap'; readonly layer: string; readonly sample: number; readonly channel: number };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isInt = (v: unknown, min = 0) => typeof v === 'number' && Number.isInteger(v) && v >= min;

export function isRunSettings(v: unknown): v is RunSettings {
  return (
    isObject(v) &&
    ['default', 'directional', 'sampled', 'full'].includes(v.mode as string) &&
    isInt(v.samples, 1) &&
    typeof v.eps === 'number' &&
    v.eps > 0 &&
    (v.batch === null || isInt(v.batch, 1)) &&
    (v.seed === null || isInt(v.seed, 0))
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
    default:
      return false;
  }
}

/** Checks a message from the extension before the webview acts on it. */
export function isToPanel(v: unknown): v is ToPanel {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'state':
      return isObject(v.state) && typeof v.state.status === 'string' && typeof v.state.file === 'string';
    case 'progress':
      return isObject(v.progress) && isInt(v.progress.done) && isInt(v.progress.total);
    case 'heatmap':
      return isObject(v.heatmap) && Array.isArray(v.heatmap.analytic) && Array.isArray(v.heatmap.numeric);
    case 'heatmapError':
      return typeof v.layer === 'string' && typeof v.message === 'string';
    default:
      return false;
  }
}
