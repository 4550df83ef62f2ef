/**
 * The engine worker's entry in the browser (dist/worker.web.js): a classic Web Worker script, since VS Code
 * for the Web starts an extension's workers through a blob that `importScripts` it (see webHost.ts).
 */
import { serve } from './serve';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const handle = serve((message) => scope.postMessage(message));
scope.addEventListener('message', (event: MessageEvent) => void handle(event.data));
