/**
 * A Web Worker that checks a network's gradients with the engine: the browser half of engine-worker.test.ts.
 * Receives the network's text, answers with a summary of the gradient check or the error.
 */
import { check } from '../../engine';
import { gradcheck } from '../../engine/run';

export interface WorkerAnswer {
  readonly passed?: boolean;
  readonly layers?: readonly string[];
  readonly loss?: number;
  readonly evaluations?: number;
  /** Where it ran: true when the global scope is a worker's and there is no Node `process`. */
  readonly inBrowserWorker?: boolean;
  readonly error?: string;
}

self.onmessage = async (event: MessageEvent<string>) => {
  let answer: WorkerAnswer;
  try {
    const r = await gradcheck(check(event.data));
    answer = {
      passed: r.passed,
      layers: r.layers.map((l) => l.name),
      loss: r.loss,
      evaluations: r.evaluations,
      inBrowserWorker:
        typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === 'function' &&
        typeof process === 'undefined',
    };
  } catch (error) {
    answer = { error: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) };
  }
  self.postMessage(answer);
};
