/**
 * The value guards of the four message protocols (the results panel's, webview/protocol.ts; the engine worker's,
 * extension/worker/protocol.ts; the walkthrough's, extension/walkthrough/protocol.ts; the diagram's,
 * extension/diagram/protocol.ts), written once: each protocol
 * validates what it receives with these before acting on it. No vscode and no DOM here: the worker imports it too.
 */
import { GRADCHECK_MODES } from '../engine/defaults';

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
export const isInt = (v: unknown, min = 0): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;
export const isString = (v: unknown): v is string => typeof v === 'string';
export const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
export const isNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');
export const isNameOrNull = (v: unknown): v is string | null => v === null || isString(v);
export const isOptional = <T>(v: unknown, guard: (v: unknown) => v is T): v is T | undefined =>
  v === undefined || guard(v);

/** A gradient check's mode as the engine takes it. */
export const isMode = (v: unknown): boolean => (GRADCHECK_MODES as readonly unknown[]).includes(v);

/** A number as JSON carries it: a NaN or infinite error arrives as null. */
const isNumberOrNull = (v: unknown) => typeof v === 'number' || v === null;

/** One coordinate a check compared. */
export function isCoordinate(v: unknown): boolean {
  return (
    isObject(v) &&
    isNumbers(v.index) &&
    v.index.every((i) => isInt(i)) &&
    isNumberOrNull(v.analytic) &&
    isNumberOrNull(v.numeric) &&
    isNumberOrNull(v.relError)
  );
}

/** A tensor's verdict (engine/run/gradcheck.ts TensorCheck); `worst` and `shares` are checked when present. */
export function isTensorCheck(v: unknown): boolean {
  return (
    isObject(v) &&
    isNumberOrNull(v.maxRelError) &&
    isNumberOrNull(v.maxExcess) &&
    isInt(v.checked) &&
    isInt(v.kinks) &&
    isInt(v.curvature) &&
    isInt(v.zeros) &&
    typeof v.passed === 'boolean' &&
    (v.worst === undefined || (Array.isArray(v.worst) && v.worst.every(isCoordinate))) &&
    (v.shares === undefined || (isObject(v.shares) && Object.values(v.shares).every(isTensorCheck)))
  );
}
