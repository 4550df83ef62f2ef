/**
 * The protocol between the extension and the network diagram's webview (panel.ts ↔ webview/diagram/main.ts):
 * each direction a discriminated union with a doc comment per message, and a validator for each that the
 * receiving side runs on everything it is sent.
 */
import type { DiagramModel } from '../../engine/editor/diagram';
import type { Direction, Verdict, View } from '../../webview/diagram/layout';
import { isInt, isNameOrNull, isObject, isOptional, isString, isStrings } from '../../webview/guards';

export type ExportFormat = 'svg' | 'png';
/** `current`: the colours of the theme in use; `print`: a fixed light theme for papers. */
export type ExportTheme = 'current' | 'print';

export interface VerdictView extends Verdict {
  readonly id: string;
}

/** Extension → webview. */
export type ToDiagram =
  /** The followed file's network, after every analysis; `verdicts` from a check of exactly this version, else none. */
  | {
      readonly type: 'model';
      readonly file: string;
      readonly model: DiagramModel;
      readonly current: string | null;
      readonly verdicts: readonly VerdictView[];
    }
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
      /** The cursor's node is on the stage, as panned and zoomed (the whole box, or its centre if larger). */
      readonly currentOnStage: boolean;
      readonly errors: readonly string[];
      readonly warnings: readonly string[];
      readonly failing: readonly string[];
      /** The nodes the check pins a wrong backward rule on. */
      readonly blamed: readonly string[];
      /** The last draw reused the layout before it (the graph kept its shape). */
      readonly reused: boolean;
      /** The uses of blocks drawn as frames around their layers, and those drawn as one node. */
      readonly expanded: readonly string[];
      readonly collapsed: readonly string[];
    }
  /** The user asked to save the figure (the toolbar's menu), in a format and a theme. */
  | { readonly type: 'save'; readonly format: ExportFormat; readonly theme: ExportTheme }
  /** The figure asked for: SVG markup, or a PNG as a `data:image/png;base64,` URL. */
  | { readonly type: 'exported'; readonly format: ExportFormat; readonly data: string };

const isFormat = (v: unknown): v is ExportFormat => v === 'svg' || v === 'png';
const isTheme = (v: unknown): v is ExportTheme => v === 'current' || v === 'print';
/** A count (parameters, multiply-adds, bytes): a whole number, never negative. */
const isCount = (v: unknown) => isInt(v);

function isNode(n: unknown): boolean {
  return (
    isObject(n) &&
    isString(n.id) &&
    isString(n.kind) &&
    isString(n.label) &&
    isString(n.shape) &&
    isCount(n.params) &&
    isCount(n.macs) &&
    isCount(n.memoryBytes) &&
    isOptional(n.line, (l): l is number => isInt(l, 1)) &&
    (n.severity === undefined || n.severity === 'error' || n.severity === 'warning' || n.severity === 'info') &&
    isStrings(n.messages) &&
    typeof n.unknownStart === 'boolean'
  );
}

/** Every field, and that the graph holds together: node ids unique, every edge between two of its nodes. */
function isModel(v: unknown): v is DiagramModel {
  if (
    !isObject(v) ||
    !isOptional(v.network, isString) ||
    !Array.isArray(v.nodes) ||
    !v.nodes.every(isNode) ||
    !Array.isArray(v.edges)
  )
    return false;
  const ids = new Set(v.nodes.map((n: { id: string }) => n.id));
  if (ids.size !== v.nodes.length) return false;
  const isEdge = (e: unknown) =>
    isObject(e) &&
    isString(e.from) &&
    isString(e.to) &&
    ids.has(e.from) &&
    ids.has(e.to) &&
    isInt(e.index) &&
    isString(e.shape) &&
    isString(e.rule);
  const isGroup = (g: unknown) =>
    isObject(g) &&
    isString(g.id) &&
    !ids.has(g.id) &&
    isString(g.block) &&
    isString(g.description) &&
    isStrings(g.members) &&
    g.members.length > 0 &&
    g.members.every((m) => ids.has(m)) &&
    typeof g.repeated === 'boolean' &&
    isInt(g.line, 1);
  return (
    v.edges.every(isEdge) &&
    Array.isArray(v.groups) &&
    v.groups.every(isGroup) &&
    new Set(v.groups.map((g: { id: string }) => g.id)).size === v.groups.length &&
    isObject(v.totals) &&
    isCount(v.totals.params) &&
    isCount(v.totals.macs) &&
    isCount(v.totals.memoryBytes)
  );
}

/** A verdict: its error a number (JSON turns a NaN into null, which no verdict may carry). */
const isVerdict = (v: unknown): v is VerdictView =>
  isObject(v) &&
  isString(v.id) &&
  typeof v.passed === 'boolean' &&
  typeof v.maxError === 'number' &&
  v.maxError >= 0 &&
  typeof v.blamed === 'boolean';

export function isToDiagram(v: unknown): v is ToDiagram {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'model':
      return (
        isString(v.file) &&
        isModel(v.model) &&
        isNameOrNull(v.current) &&
        Array.isArray(v.verdicts) &&
        v.verdicts.every(isVerdict)
      );
    case 'highlight':
      return isNameOrNull(v.current);
    case 'export':
      return isFormat(v.format) && isTheme(v.theme);
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
      return isString(v.id);
    case 'shown':
      return (
        (v.view === 'forward' || v.view === 'backward') &&
        isStrings(v.nodes) &&
        isNameOrNull(v.current) &&
        typeof v.currentOnStage === 'boolean' &&
        isStrings(v.errors) &&
        isStrings(v.warnings) &&
        isStrings(v.failing) &&
        isStrings(v.blamed) &&
        typeof v.reused === 'boolean' &&
        isStrings(v.expanded) &&
        isStrings(v.collapsed)
      );
    case 'save':
      return isFormat(v.format) && isTheme(v.theme);
    case 'exported':
      return (
        isFormat(v.format) &&
        typeof v.data === 'string' &&
        (v.format === 'svg' ? v.data.startsWith('<svg') : v.data.startsWith('data:image/png;base64,'))
      );
    default:
      return false;
  }
}

/**
 * What the webview keeps across a reload (vscode.setState): its view, direction and cost overlay, and the uses of
 * blocks the user opened (true) or closed (false), by id (absent in a state saved before groups were drawn).
 */
export interface DiagramState {
  readonly view: View;
  readonly direction: Direction;
  readonly overlay: 'none' | 'params' | 'macs' | 'memory';
  readonly open?: Readonly<Record<string, boolean>>;
}

export function isDiagramState(v: unknown): v is DiagramState {
  return (
    isObject(v) &&
    (v.view === 'forward' || v.view === 'backward') &&
    (v.direction === 'TB' || v.direction === 'LR') &&
    ['none', 'params', 'macs', 'memory'].includes(v.overlay as string) &&
    (v.open === undefined || (isObject(v.open) && Object.values(v.open).every((b) => typeof b === 'boolean')))
  );
}
