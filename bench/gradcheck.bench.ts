/**
 * Gradient-check bench: the local check (the default) against `baseline` (the default before it: directional,
 * then sampled, end to end), run by run interleaved so both see the same machine; medians and same-run
 * ratios. Not a test: it prints the targets met or missed and never fails.
 *
 *   node --import tsx bench/gradcheck.bench.ts [--quick] [--json]
 *
 * (a) examples/seed.cnn, residual.cnn and inception.cnn: local against baseline (target ≥ 20× on residual
 *     and inception; the seed ≤ 100 ms);
 * (b) local-full (every coordinate) on the seed, ≤ 10 s;
 * (c) bench/resnet18.cnn (CIFAR, batch 2) ≤ 5 s and bench/resnet50.cnn (3×224×224, batch 1) ≤ 60 s;
 * (d) two engine worker threads against one (the extension's workers, bundled as the build bundles them) on
 *     residual and inception, ≥ 1.7×.
 * `--quick` skips baseline on inception and ResNet-50 (minutes on two cores).
 */
import * as esbuild from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check } from '../engine';
import { assemble, type GradcheckMode, gradcheck } from '../engine/run';
import { EngineWorker } from '../extension/worker/client';
import { NodeWorkerHost } from '../extension/worker/nodeHost';
import type { EngineOptions } from '../extension/worker/protocol';

const ROOT = join(__dirname, '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const quick = process.argv.includes('--quick');
const json = process.argv.includes('--json');
const MEMORY = 2 ** 31;

const median = (ms: readonly number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`);

/** Runs each variant once per round, in turn, after one warm-up round; the medians. */
async function interleaved(
  variants: Record<string, () => Promise<unknown>>,
  rounds: number,
): Promise<Record<string, number>> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let r = -1; r < rounds; r++) {
    for (const [k, run] of Object.entries(variants)) {
      const t0 = performance.now();
      await run();
      if (r >= 0) times[k].push(performance.now() - t0);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, ms]) => [k, median(ms)]));
}

const checkOnce = (text: string, mode: GradcheckMode) => async () => {
  const r = await gradcheck(check(text), { mode, memoryLimit: MEMORY });
  if (!r.passed) throw new Error(`bench: ${mode} failed a correct network`);
  return r;
};

async function main(): Promise<void> {
  const out: Record<string, number> = {};
  const lines: string[] = [`gradient-check bench, node ${process.version}${quick ? ' (quick)' : ''}`];
  const say = (line: string) => {
    lines.push(line);
    if (!json) console.log(line);
  };

  // (a) local against baseline.
  for (const [name, rounds, target] of [
    ['seed', 7, 0],
    ['residual', 3, 20],
    ['inception', quick ? 0 : 3, 20],
  ] as const) {
    const text = read(`examples/${name}.cnn`);
    const evaluations = (await checkOnce(text, 'local')()).evaluations;
    const variants: Record<string, () => Promise<unknown>> = { local: checkOnce(text, 'local') };
    if (rounds > 0) variants.baseline = checkOnce(text, 'baseline');
    const m = await interleaved(variants, Math.max(rounds, 3));
    out[`${name}LocalMs`] = Math.round(m.local);
    let line = `(a) ${name}: local ${fmt(m.local)} (${evaluations} evaluations)`;
    if (m.baseline !== undefined) {
      const ratio = m.baseline / m.local;
      out[`${name}BaselineMs`] = Math.round(m.baseline);
      out[`${name}Ratio`] = Number(ratio.toFixed(1));
      line += `, baseline ${fmt(m.baseline)}: ${ratio.toFixed(1)}×${target ? ` (target ≥ ${target}× ${ratio >= target ? '✓' : '✗'})` : ''}`;
    }
    if (name === 'seed') line += ` (target ≤ 100 ms ${m.local <= 100 ? '✓' : '✗'})`;
    say(line);
  }

  // (b) every coordinate of every tensor of the seed.
  const seed = read('examples/seed.cnn');
  const full = await interleaved({ full: checkOnce(seed, 'local-full') }, 1);
  out.seedLocalFullMs = Math.round(full.full);
  say(`(b) seed local-full: ${fmt(full.full)} (target ≤ 10 s ${full.full <= 10_000 ? '✓' : '✗'})`);

  // (c) the ResNets, one timed run each after a warm-up of the smaller.
  for (const [name, target] of [['resnet18', 5_000], ...(quick ? [] : [['resnet50', 60_000]])] as [string, number][]) {
    const text = read(`bench/${name}.cnn`);
    const t0 = performance.now();
    const r = await checkOnce(text, 'local')();
    const ms = performance.now() - t0;
    out[`${name}Ms`] = Math.round(ms);
    say(
      `(c) ${name}: local ${fmt(ms)}, ${r.evaluations} evaluations (target ≤ ${target / 1000} s ${ms <= target ? '✓' : '✗'})`,
    );
  }

  // (d) two worker threads against one.
  const dir = mkdtempSync(join(tmpdir(), 'cnn-lens-bench-'));
  const script = join(dir, 'worker.js');
  await esbuild.build({
    entryPoints: [join(ROOT, 'extension', 'worker', 'main.node.ts')],
    outfile: script,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'silent',
  });
  const workers = [0, 1].map(() => new EngineWorker(new NodeWorkerHost(script)));
  const options: EngineOptions = { samples: 16, eps: 1e-6, atol: 1e-5, rtol: 1e-3, memoryLimit: MEMORY };
  try {
    for (const name of ['residual', 'inception']) {
      const text = read(`examples/${name}.cnn`);
      const m = await interleaved(
        {
          one: () => workers[0].check(text, options, { index: 0, count: 1 }),
          two: async () => {
            const parts = await Promise.all(workers.map((w, index) => w.check(text, options, { index, count: 2 })));
            const r = assemble(
              parts[0].layers,
              parts.map((p) => p.part),
              { mode: 'local', eps: 1e-6, atol: 1e-5, rtol: 1e-3, batch: parts[0].batch, seed: parts[0].seed, ms: 0 },
            );
            if (!r.passed) throw new Error('bench: two shards failed a correct network');
          },
        },
        5,
      );
      const ratio = m.one / m.two;
      out[`${name}TwoThreadRatio`] = Number(ratio.toFixed(2));
      say(
        `(d) ${name}: one thread ${fmt(m.one)}, two ${fmt(m.two)}: ${ratio.toFixed(2)}× (target ≥ 1.7× ${ratio >= 1.7 ? '✓' : '✗'})`,
      );
    }
  } finally {
    for (const w of workers) w.terminate();
    rmSync(dir, { recursive: true, force: true });
  }
  if (json) process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
