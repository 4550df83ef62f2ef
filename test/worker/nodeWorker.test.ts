/**
 * The engine worker on desktop's side, in plain Node: extension/worker/main.node.ts bundled as the build
 * bundles it, run in a worker thread through NodeWorkerHost and EngineWorker (the classes the extension uses),
 * against the engine run in-process. VS Code desktop cannot be downloaded here, so this is what proves the
 * `worker_threads` host; the Web Worker host is proved in VS Code for the Web (test/extension/gradcheck.test.ts).
 */
import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check } from '../../engine';
import { assemble, gradcheck } from '../../engine/run';
import { EngineWorker, Terminated, WorkerFailure } from '../../extension/worker/client';
import { NodeWorkerHost } from '../../extension/worker/nodeHost';
import type { EngineOptions } from '../../extension/worker/protocol';

const ROOT = join(__dirname, '..', '..');
const SEED = readFileSync(join(ROOT, 'examples', 'seed.cnn'), 'utf8');
const OPTIONS: EngineOptions = { samples: 16, eps: 1e-6, atol: 1e-5, rtol: 1e-3, memoryLimit: 2 ** 30 };

describe('engine worker in a Node worker thread', function () {
  this.timeout(60_000);
  let dir: string;
  let script: string;
  const workers: EngineWorker[] = [];
  const start = () => {
    const w = new EngineWorker(new NodeWorkerHost(script));
    workers.push(w);
    return w;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cnn-lens-worker-'));
    script = join(dir, 'worker.js');
    await esbuild.build({
      entryPoints: [join(ROOT, 'extension', 'worker', 'main.node.ts')],
      outfile: script,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      logLevel: 'silent',
    });
  });
  after(() => {
    for (const w of workers) w.terminate();
    rmSync(dir, { recursive: true, force: true });
  });

  it("seed 3×17×17: 2 shards in 2 threads assemble to gradcheck()'s verdicts, with progress", async () => {
    const progress: { done: number; total: number }[] = [];
    const parts = await Promise.all(
      [0, 1].map((index) => start().check(SEED, OPTIONS, { index, count: 2 }, (p) => progress.push(p))),
    );
    const [first] = parts;
    const sharded = assemble(
      first.layers,
      parts.map((p) => p.part),
      { mode: 'directional+sampled', eps: 1e-6, atol: 1e-5, rtol: 1e-3, batch: first.batch, seed: first.seed, ms: 0 },
    );
    const local = await gradcheck(check(SEED));
    const verdicts = (r: typeof local) =>
      r.layers.map((l) => [
        l.name,
        l.delta.maxRelError,
        l.delta.passed,
        Object.values(l.params).map((c) => c.maxRelError),
      ]);
    assert.deepEqual(verdicts(sharded), verdicts(local));
    assert.equal(sharded.evaluations, local.evaluations);
    assert.ok(progress.length > 0 && progress.every((p) => p.done <= p.total));
  });

  it('checks against the memory limit it is sent: seed over 1 KiB is too large', async () => {
    await assert.rejects(
      start().check(SEED, { ...OPTIONS, memoryLimit: 1024 }, { index: 0, count: 1 }),
      (e: unknown) => {
        assert.ok(e instanceof WorkerFailure);
        assert.equal(e.message, 'the network has 1 error; fix it before running it');
        assert.match(e.diagnostics[0], /^\d+:\d+: error too-large: /);
        return true;
      },
    );
  });

  it('answers a network with errors with its diagnostics, 1-based', async () => {
    await assert.rejects(
      start().check('input 3x8x8\nc1: conv 4 3\nc2: conv 8 3 in=2\n', OPTIONS, { index: 0, count: 1 }),
      (e: unknown) => {
        assert.ok(e instanceof WorkerFailure);
        assert.deepEqual(e.diagnostics, ['3:17: error channel-mismatch: c2: in=2 but c1 gives 4 channels (4×6×6)']);
        return true;
      },
    );
  });

  it("injects a fault only when asked: p1 mean-pool-no-divide fails sigmoid1's δ (baseline) and p1's rule (local)", async () => {
    const w = start();
    const faulty = await w.check(
      SEED,
      { ...OPTIONS, mode: 'baseline', fault: { layer: 'p1', name: 'mean-pool-no-divide' } },
      { index: 0, count: 1 },
    );
    assert.equal(faulty.part.checks.find((c) => c.layer === 'sigmoid1' && c.tensor === 'δ')?.check.passed, false);
    const clean = await w.check(SEED, { ...OPTIONS, mode: 'baseline' }, { index: 0, count: 1 });
    assert.ok(clean.part.checks.every((c) => c.check.passed));
    const local = await w.check(
      SEED,
      { ...OPTIONS, fault: { layer: 'p1', name: 'mean-pool-no-divide' } },
      { index: 0, count: 1 },
    );
    assert.deepEqual(
      local.part.checks.filter((c) => !c.check.passed).map((c) => `${c.layer} ${c.tensor}`),
      ['p1 rule δ sigmoid1'],
    );
  });

  it('refuses an unknown fault name before running anything', async () => {
    const bad = { ...OPTIONS, fault: { layer: 'p1', name: 'no-such-fault' } } as unknown as EngineOptions;
    await assert.rejects(start().check(SEED, bad, { index: 0, count: 1 }), /malformed request/);
  });

  it('a δ map of p1 sample 0 channel 0: 6×6, numeric beside analytic', async () => {
    const map = await start().deltaMap(SEED, OPTIONS, 'p1', 0, 0);
    assert.deepEqual(map.shape, [6, 6]);
    map.analytic.forEach((a, i) => assert.ok(Math.abs(a - map.numeric[i]) < 1e-6));
  });

  it('terminate rejects the pending check with Terminated at once, and the worker takes no more requests', async () => {
    const w = start();
    const running = w.check(SEED, { ...OPTIONS, mode: 'full' }, { index: 0, count: 1 });
    await new Promise<void>((resolve) => {
      void w.check(SEED, OPTIONS, { index: 0, count: 1 }, () => resolve()).catch(() => {});
    });
    const t = performance.now();
    w.terminate();
    await assert.rejects(running, Terminated);
    assert.ok(performance.now() - t < 100);
    assert.equal(w.alive, false);
    await assert.rejects(w.check(SEED, OPTIONS, { index: 0, count: 1 }), Terminated);
  });
});
