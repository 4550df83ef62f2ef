/** The tfjs code reader as a Node worker thread (VS Code desktop's Node extension host). */
import { parentPort } from 'node:worker_threads';
import { serveTfjs } from './worker';

const port = parentPort!;
port.on(
  'message',
  serveTfjs((reply) => port.postMessage(reply)),
);
