/**
 * The protocol between the extension and the backprop walkthrough's webview view: each direction a
 * discriminated union with a doc comment per message. Types and validators only; page.ts (the webview) and
 * view.ts (the extension) both import it and check what they receive.
 */
import { isNameOrNull, isObject } from '../../webview/guards';
import type { BackpropStep } from '../../engine/editor/walkthrough';

/** A step as the view draws it: the engine's, without the statement's offsets. */
export type StepView = Omit<BackpropStep, 'range'>;

/** Extension → view. */
export type ToWalkthrough =
  /** The network's steps from the loss back to the input, after every analysis of the followed file. */
  | {
      readonly type: 'steps';
      readonly file: string;
      readonly network?: string;
      readonly errors: number;
      readonly steps: readonly StepView[];
      readonly current: string | null;
    }
  /** The step of the layer under the editor's cursor (null: none), as the cursor moves. */
  | { readonly type: 'highlight'; readonly current: string | null }
  /** No `.cnn` editor is active. */
  | { readonly type: 'empty' };

/** View → extension. */
export type FromWalkthrough =
  /** The script is listening: send it the steps. */
  | { readonly type: 'ready' }
  /** The user clicked a step: select that layer's statement. */
  | { readonly type: 'reveal'; readonly name: string }
  /**
   * What the view shows now, after each message it drew: the steps' names and the highlighted one, the view's
   * height and where the highlighted step's header (its name) sits in it, in CSS pixels from the view's top.
   */
  | {
      readonly type: 'shown';
      readonly steps: readonly string[];
      readonly current: string | null;
      readonly height: number;
      readonly header: ShownHeader | null;
    };

/** The highlighted step's header in the view: its top and bottom edges, in CSS pixels from the view's top. */
export interface ShownHeader {
  readonly top: number;
  readonly bottom: number;
}

function isStep(v: unknown): v is StepView {
  return (
    isObject(v) &&
    typeof v.name === 'string' &&
    typeof v.kind === 'string' &&
    typeof v.deltaOut === 'string' &&
    Array.isArray(v.deltaIn) &&
    v.deltaIn.every((d) => isObject(d) && typeof d.name === 'string' && typeof d.shape === 'string') &&
    (v.rule === undefined || typeof v.rule === 'string') &&
    Array.isArray(v.paramRules) &&
    v.paramRules.every((r) => typeof r === 'string') &&
    Array.isArray(v.written) &&
    v.written.every((r) => typeof r === 'string') &&
    (v.group === undefined ||
      (isObject(v.group) && typeof v.group.name === 'string' && typeof v.group.description === 'string'))
  );
}

export function isToWalkthrough(v: unknown): v is ToWalkthrough {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'steps':
      return (
        typeof v.file === 'string' &&
        typeof v.errors === 'number' &&
        Array.isArray(v.steps) &&
        v.steps.every(isStep) &&
        isNameOrNull(v.current)
      );
    case 'highlight':
      return isNameOrNull(v.current);
    case 'empty':
      return true;
    default:
      return false;
  }
}

export function isFromWalkthrough(v: unknown): v is FromWalkthrough {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'ready':
      return true;
    case 'reveal':
      return typeof v.name === 'string';
    case 'shown':
      return (
        Array.isArray(v.steps) &&
        v.steps.every((s) => typeof s === 'string') &&
        isNameOrNull(v.current) &&
        typeof v.height === 'number' &&
        (v.header === null ||
          (isObject(v.header) && typeof v.header.top === 'number' && typeof v.header.bottom === 'number'))
      );
    default:
      return false;
  }
}
