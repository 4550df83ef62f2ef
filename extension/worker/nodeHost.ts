/**
 * An engine worker as a Node worker thread (desktop). `node:worker_threads` is required lazily, when the first
 * worker starts, so the browser bundle, which lists it as external and never takes this path, loads without it.
 */
import type { Worker } from 'node:worker_threads';
import type { WorkerHost } from './host';
import type { ToWorker } from './protocol';

export class NodeWorkerHost implements WorkerHost {
  private readonly worker: Worker;
  private terminated = false;

  constructor(script: string) {
    // Required when a Node host is made, never in the browser bundle, where the module does not exist.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const threads = require('node:worker_threads') as typeof import('node:worker_threads');
    this.worker = new threads.Worker(script, { name: 'cnn-lens engine' });
  }

  post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  onMessage(listener: (data: unknown) => void): void {
    this.worker.on('message', listener);
  }

  onError(listener: (error: Error) => void): void {
    this.worker.on('error', listener);
    this.worker.on('exit', (code) => {
      if (!this.terminated) listener(new Error(`the engine worker exited with code ${code}`));
    });
  }

  terminate(): void {
    this.terminated = true;
    void this.worker.terminate();
  }
}

export function nodeCores(): number | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- as above: Node only, when asked
  const os = require('node:os') as typeof import('node:os');
  return os.availableParallelism?.() ?? os.cpus().length;
}
