/**
 * Where engine workers run: a thread beside the extension host's, so a gradient check never blocks the editor.
 * Two implementations behind one small interface, chosen at run time by what the extension host offers:
 * a Web Worker where the host has `Worker` (VS Code for the Web, and desktop's web-worker extension host),
 * else Node's `worker_threads` (desktop's Node extension host, which has no `Worker` global). Both load a
 * bundle of the same engine code: dist/worker.web.js and dist/worker.js.
 */
import * as vscode from 'vscode';
import { NodeWorkerHost, nodeCores } from './nodeHost';
import type { ToWorker } from './protocol';
import { WebWorkerHost } from './webHost';

export interface WorkerHost {
  /** Sends a request; the worker validates it. */
  post(message: ToWorker): void;
  /** Every message the worker sends, unvalidated: the caller checks it (`isFromWorker`). */
  onMessage(listener: (data: unknown) => void): void;
  /** The worker died or its script failed to load; it will send nothing more. */
  onError(listener: (error: Error) => void): void;
  /** Stops the worker at once, mid-computation; nothing is sent afterwards. */
  terminate(): void;
}

const isWebHost = (): boolean => typeof (globalThis as { Worker?: unknown }).Worker === 'function';

/** Starts one engine worker; its script loads in the background while requests queue. */
export function startWorker(extensionUri: vscode.Uri): WorkerHost {
  return isWebHost()
    ? new WebWorkerHost(vscode.Uri.joinPath(extensionUri, 'dist', 'worker.web.js').toString(true))
    : new NodeWorkerHost(vscode.Uri.joinPath(extensionUri, 'dist', 'worker.js').fsPath);
}

/** Logical cores the machine offers: navigator.hardwareConcurrency in a browser, os.availableParallelism() in Node. */
export function availableCores(): number {
  const n = isWebHost()
    ? (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency
    : nodeCores();
  return typeof n === 'number' && n >= 1 ? n : 1;
}
