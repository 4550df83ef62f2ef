/**
 * The worker that reads TensorFlow.js code for the editor (dist/tfjsWorker.js in Node, dist/tfjsWorker.web.js in
 * a browser): ts-morph and the TypeScript compiler it carries stay out of the extension's own bundle, load only
 * when a file that imports tfjs is opened, and parse off the extension host's thread, so typing never waits. With
 * the same ts-morph it also writes: a model converted to .cnn (import.ts) for "Convert TensorFlow.js Model to
 * .cnn", and a .cnn network exported as a tfjs module (export.ts) for "Export Network…".
 */
import { check } from '../engine';
import { isExportError } from '../engine/export/common';
import { readTfjsCode, type TfCodeAnalysis } from './code/read';
import { exportTfjs } from './export';
import { importTfjs, isImportError } from './import';

/**
 * Extension → worker: read this text; with `convert`, write the .cnn network of one of its models (the one
 * written around offset `at`, else the first); with `export`, the text is a .cnn network to write as a tfjs module.
 */
export interface TfjsRequest {
  readonly id: number;
  readonly text: string;
  readonly fileName: string;
  readonly convert?: { readonly at?: number };
  readonly export?: boolean;
}

/** Worker → extension: what it read, what it wrote (a conversion or an export) or why it refuses to, or why it failed. */
export type TfjsReply =
  | { readonly id: number; readonly analysis: TfCodeAnalysis; readonly ms: number }
  | { readonly id: number; readonly written: string }
  | { readonly id: number; readonly refused: string }
  | { readonly id: number; readonly error: string };

/** What the writing requests reply: the text, or the refusal the writer gave (a network it cannot express). */
function write(id: number, run: () => string): TfjsReply {
  try {
    return { id, written: run() };
  } catch (e) {
    if (isExportError(e) || isImportError(e)) return { id, refused: e.message };
    throw e;
  }
}

export function serveTfjs(post: (reply: TfjsReply) => void): (data: unknown) => void {
  return (data) => {
    const r = data as Partial<TfjsRequest>;
    if (typeof r?.id !== 'number' || typeof r.text !== 'string' || typeof r.fileName !== 'string') return;
    const { id, text, fileName, convert } = r;
    const started = performance.now();
    try {
      if (convert) post(write(id, () => importTfjs(text, { fileName, at: convert.at })));
      else if (r.export) post(write(id, () => exportTfjs(check(text), fileName)));
      else post({ id, analysis: readTfjsCode(text, fileName), ms: performance.now() - started });
    } catch (e) {
      post({ id, error: e instanceof Error ? e.message : String(e) });
    }
  };
}
