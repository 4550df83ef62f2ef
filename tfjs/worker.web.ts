/** The tfjs code reader as a classic Web Worker script (VS Code for the Web; see extension/worker/webHost.ts). */
import { serveTfjs } from './worker';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const handle = serveTfjs((reply) => scope.postMessage(reply));
scope.addEventListener('message', (event: MessageEvent) => handle(event.data));
