/**
 * The protocol between the extension and the network diagram's webview (panel.ts ↔ webview/diagram/main.ts):
 * each direction a discriminated union with a doc comment per message, and a validator for each that the
 * receiving side runs on everything it is sent.
 */
import type { DiagramModel } from '../../engine/editor/diagram';
import type { Verdict } from '../../webview/diagram/layout';

export type ExportFormat = 'svg' | 'png';
/** `current`: the colours of the theme in use; `print`: a fixed light theme for papers. */
export type ExportTheme = 'current' | 'print';

export interface VerdictView extends Verdict {
  readonly id: string;
}

/** Extension → webview. */
export type ToDiagram =
  /** The followed file's network, after every analysis; `verdicts` from a check of exactly this version, else none. */
  | { readonly type: 'model'; readonly file: string; readonly model: DiagramModel; readonly current: string | null; readonly verdicts: readonly VerdictView[] }
  /** The node of the statement under the editor's cursor (null: none), as the cursor moves. */
  | { readonly type: 'highlight'; readonly current: string | null }
  /** Draw the figure for saving and send it back (`exported`). */
  | { readonly type: 'export'; readonly format: ExportFormat; readonly theme: ExportTheme }
  /** No `.cnn` file to follow. */
  | { readonly type: 'empty' };

/** Webview → extension. */
export type FromDiagram =
  /** The script is listening: send the model. */
  | { readonly type: 'ready' }
  /** The user picked a node (click, Enter): select its statement. */
  | { readonly type: 'reveal'; readonly id: string }
  /** What the diagram shows after each draw, for the tests and the status of the view. */
  | {
      readonly type: 'shown';
      readonly view: 'forward' | 'backward';
      readonly nodes: readonly string[];
      readonly current: string | null;
      readonly errors: readonly string[];
      readonly warnings: readonly string[];
      readonly failing: readonly string[];
      /** The nodes the check pins a wrong backward rule on. */
      readonly blamed: readonly string[];
      /** The last draw reused the layout before it (the graph kept its shape). */
      readonly reused: boolean;
    }
  /** The user asked to save the figure (the toolbar's button). */
  | { readonly type: 'save'; readonly format: ExportFormat }
  /** The figure asked for: SVG markup, or a PNG as a `data:image/png;base64,` URL. */
  | { readonly type: 'exported'; readonly format: ExportFormat; readonly data: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isNameOrNull = (v: unknown) => v === null || typeof v === 'string';
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const isNumber = (v: unknown) => typeof v === 'number' && !Number.isNaN(v);
const isFormat = (v: unknown): v is ExportFormat => v === 'svg' || v === 'png';

function isModel(v: unknown): v is DiagramModel {
  return (
    isObject(v) &&
    (v.network === undefined || typeof v.network === 'string') &&
    Array.isArray(v.nodes) &&
    v.nodes.every(
      (n) =>
        isObject(n) &&
        typeof n.id === 'string' &&
        typeof n.kind === 'string' &&
        typeof n.label === 'string' &&
        typeof n.shape === 'string' &&
        isNumber(n.params) &&
        isNumber(n.macs) &&
        isNumber(n.memoryBytes) &&
        (n.line === undefined || isNumber(n.line)) &&
        (n.severity === undefined || n.severity === 'error' || n.severity === 'warning' || n.severity === 'info') &&
        isStrings(n.messages) &&
        typeof n.unknownStart === 'boolean',
    ) &&
    Array.isArray(v.edges) &&
    v.edges.every((e) => isObject(e) && typeof e.from === 'string' && typeof e.to === 'string' && isNumber(e.index) && typeof e.shape === 'string' && typeof e.rule === 'string') &&
    isObject(v.totals) &&
    isNumber(v.totals.params) &&
    isNumber(v.totals.macs) &&
    isNumber(v.totals.memoryBytes)
  );
}

const isVerdict = (v: unknown): v is VerdictView => isObject(v) && typeof v.id === 'string' && typeof v.passed === 'boolean' && isNumber(v.maxError) && typeof v.blamed === 'boolean';

export function isToDiagram(v: unknown): v is ToDiagram {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'model':
      return typeof v.file === 'string' && isModel(v.model) && isNameOrNull(v.current) && Array.isArray(v.verdicts) && v.verdicts.every(isVerdict);
    case 'highlight':
      return isNameOrNull(v.current);
    case 'export':
      return isFormat(v.format) && (v.theme === 'current' || v.theme === 'print');
    case 'empty':
      return true;
    default:
      return false;
  }
}

export function isFromDiagram(v: unknown): v is FromDiagram {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'ready':
      return true;
    case 'reveal':
      return typeof v.id === 'string';
    case 'shown':
      return (v.view === 'forward' || v.view === 'backward') && isStrings(v.nodes) && isNameOrNull(v.current) && isStrings(v.errors) && isStrings(v.warnings) && isStrings(v.failing) && isStrings(v.blamed) && typeof v.reused === 'boolean';
    case 'save':
      return isFormat(v.format);
    case 'exported':
      return isFormat(v.format) && typeof v.data === 'string' && (v.format === 'svg' ? v.data.startsWith('<svg') : v.data.startsWith('data:image/png;base64,'));
    default:
      return false;
  }
}
