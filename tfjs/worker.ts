/**
 * The worker that reads TensorFlow.js code for the editor (dist/tfjsWorker.js in Node, dist/tfjsWorker.web.js in
 * a browser): ts-morph and the TypeScript compiler it carries stay out of the extension's own bundle, load only
 * when a file that imports tfjs is opened, and parse off the extension host's thread, so typing never waits.
 */
import { readTfjsCode, type TfCodeAnalysis } from './code/read';

/** Extension → worker: read this text. */
export interface TfjsRequest {
  readonly id: number;
  readonly text: string;
  readonly fileName: string;
}

/** Worker → extension: what it read, or why it could not. */
export type TfjsReply =
  | { readonly id: number; readonly analysis: TfCodeAnalysis; readonly ms: number }
  | { readonly id: number; readonly error: string };

export function serveTfjs(post: (reply: TfjsReply) => void): (data: unknown) => void {
  return (data) => {
    const r = data as Partial<TfjsRequest>;
    if (typeof r?.id !== 'number' || typeof r.text !== 'string' || typeof r.fileName !== 'string') return;
    const started = performance.now();
    try {
      post({ id: r.id, analysis: readTfjsCode(r.text, r.fileName), ms: performance.now() - started });
    } catch (e) {
      post({ id: r.id, error: e instanceof Error ? e.message : String(e) });
    }
  };
}
