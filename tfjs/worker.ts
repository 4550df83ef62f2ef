/**
 * The worker that reads TensorFlow.js code for the editor (dist/tfjsWorker.js in Node, dist/tfjsWorker.web.js in
 * a browser): ts-morph and the TypeScript compiler it carries stay out of the extension's own bundle, load only
 * when a file that imports tfjs is opened, and parse off the extension host's thread, so typing never waits. It
 * also converts a model to .cnn (import.ts) for "Convert TensorFlow.js Model to .cnn", with the same reader.
 */
import { readTfjsCode, type TfCodeAnalysis } from './code/read';
import { importTfjs, isImportError } from './import';

/** Extension → worker: read this text, or, with `convert`, write the .cnn network of one of its models. */
export interface TfjsRequest {
  readonly id: number;
  readonly text: string;
  readonly fileName: string;
  /** Convert instead of reading: the model written around offset `at` (else the first). */
  readonly convert?: { readonly at?: number };
}

/** Worker → extension: what it read or wrote, why the model cannot be converted, or why it failed. */
export type TfjsReply =
  | { readonly id: number; readonly analysis: TfCodeAnalysis; readonly ms: number }
  | { readonly id: number; readonly cnn: string }
  | { readonly id: number; readonly refusal: string }
  | { readonly id: number; readonly error: string };

export function serveTfjs(post: (reply: TfjsReply) => void): (data: unknown) => void {
  return (data) => {
    const r = data as Partial<TfjsRequest>;
    if (typeof r?.id !== 'number' || typeof r.text !== 'string' || typeof r.fileName !== 'string') return;
    const started = performance.now();
    try {
      if (r.convert) post({ id: r.id, cnn: importTfjs(r.text, { fileName: r.fileName, at: r.convert.at }) });
      else post({ id: r.id, analysis: readTfjsCode(r.text, r.fileName), ms: performance.now() - started });
    } catch (e) {
      if (isImportError(e)) post({ id: r.id, refusal: e.message });
      else post({ id: r.id, error: e instanceof Error ? e.message : String(e) });
    }
  };
}
