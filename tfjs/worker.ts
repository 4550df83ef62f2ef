/**
 * The worker that reads TensorFlow.js code for the editor (dist/tfjsWorker.js in Node, dist/tfjsWorker.web.js in
 * a browser): ts-morph and the TypeScript compiler it carries stay out of the extension's own bundle, load only
 * when a file that imports tfjs is opened, and parse off the extension host's thread, so typing never waits.
 */
import { check } from '../engine';
import { isExportError } from '../engine/export/common';
import { readTfjsCode, type TfCodeAnalysis } from './code/read';
import { exportTfjs } from './export';

/** Extension → worker: read this text; with `export`, the text is a .cnn network to write as a tfjs module. */
export interface TfjsRequest {
  readonly id: number;
  readonly text: string;
  readonly fileName: string;
  readonly export?: boolean;
}

/** Worker → extension: what it read (or exported, or why the export is refused), or why it could not. */
export type TfjsReply =
  | { readonly id: number; readonly analysis: TfCodeAnalysis; readonly ms: number }
  | { readonly id: number; readonly exported: string }
  | { readonly id: number; readonly refused: string }
  | { readonly id: number; readonly error: string };

/** "Export Network…" to TensorFlow.js: the export needs ts-morph, which only this worker carries. */
function exportReply(id: number, text: string, fileName: string): TfjsReply {
  try {
    return { id, exported: exportTfjs(check(text), fileName) };
  } catch (e) {
    if (isExportError(e)) return { id, refused: e.message };
    throw e;
  }
}

export function serveTfjs(post: (reply: TfjsReply) => void): (data: unknown) => void {
  return (data) => {
    const r = data as Partial<TfjsRequest>;
    if (typeof r?.id !== 'number' || typeof r.text !== 'string' || typeof r.fileName !== 'string') return;
    const started = performance.now();
    try {
      if (r.export) post(exportReply(r.id, r.text, r.fileName));
      else post({ id: r.id, analysis: readTfjsCode(r.text, r.fileName), ms: performance.now() - started });
    } catch (e) {
      post({ id: r.id, error: e instanceof Error ? e.message : String(e) });
    }
  };
}
