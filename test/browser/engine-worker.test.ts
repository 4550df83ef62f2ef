/**
 * The engine runs in a browser's Web Worker, as it must for VS Code for the Web: test/browser/worker.ts is
 * bundled for the browser (a Node-only import would fail the bundle), loaded as a Worker by headless Chromium,
 * and checks the seed's gradients there. Its numbers must equal Node's: the runs are seeded.
 * Needs /usr/bin/chromium (`apt-get install -y chromium`): without it this test fails, it does not skip.
 */
import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { check } from '../../engine';
import { gradcheck } from '../../engine/run';
import type { WorkerAnswer } from './worker';

const CHROMIUM = process.env.CNN_LENS_CHROMIUM ?? '/usr/bin/chromium';
const ROOT = join(__dirname, '..', '..');

describe('engine in a browser Web Worker', function () {
  this.timeout(120_000);
  let server: Server | undefined;
  let browser: Browser | undefined;

  after(async () => {
    await browser?.close();
    server?.closeAllConnections();
    server?.close();
  });

  it("seed 3×17×17: gradcheck(check(seed)) in Chromium's Worker passes over 9 layers with Node's loss", async () => {
    assert.ok(
      existsSync(CHROMIUM),
      `${CHROMIUM} is missing: install Chromium (\`apt-get install -y chromium\`, as .ci/run does) or set CNN_LENS_CHROMIUM`,
    );
    const bundle = await esbuild.build({
      entryPoints: [join(ROOT, 'test', 'browser', 'worker.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      logLevel: 'silent',
    });
    const files: Record<string, [string, string]> = {
      '/': ['text/html', '<!doctype html><title>engine worker</title>'],
      '/worker.js': ['text/javascript', bundle.outputFiles[0].text],
    };
    server = createServer((req, res) => {
      const file = files[req.url ?? ''];
      if (file) res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
      else res.writeHead(404).end();
    });
    await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as AddressInfo;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    const seed = readFileSync(join(ROOT, 'examples', 'seed.cnn'), 'utf8');
    const answer: WorkerAnswer = await page.evaluate(
      (text) =>
        new Promise((resolve) => {
          const worker = new Worker('/worker.js');
          worker.onmessage = (e) => resolve(e.data);
          worker.onerror = (e) => resolve({ error: `worker failed to run: ${e.message}` });
          worker.postMessage(text);
        }),
      seed,
    );

    assert.equal(answer.error, undefined);
    assert.equal(answer.inBrowserWorker, true);
    assert.equal(answer.passed, true);
    assert.deepEqual(answer.layers, ['input', 'c1', 'sigmoid1', 'p1', 'c2', 'sigmoid2', 'p2', 'fc', 'softmax1']);
    const node = await gradcheck(check(seed));
    // Two V8s (Chromium's and Node's) may round Math.exp/log or choose a kernel path differently by an ulp.
    assert.ok(
      Math.abs((answer.loss ?? NaN) - node.loss) <= 1e-12 * Math.abs(node.loss),
      `${answer.loss} vs ${node.loss}`,
    );
    assert.equal(answer.evaluations, node.evaluations);
  });
});
