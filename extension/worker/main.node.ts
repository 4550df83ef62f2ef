/** The engine worker's entry on desktop (dist/worker.js): a Node worker thread. */
import { parentPort } from 'node:worker_threads';
import { serve } from './serve';

const port = parentPort;
if (!port) throw new Error('dist/worker.js runs as a worker thread');
const handle = serve((message) => port.postMessage(message));
port.on('message', (data: unknown) => void handle(data));
