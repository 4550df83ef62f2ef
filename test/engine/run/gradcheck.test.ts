/**
 * The gradient check: it passes correct networks, catches an injected fault at the layer and tensor that has
 * it, never fails on a kink, reports progress, stops on abort, and refuses what it cannot run.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '../../../engine';
import {
  assemble,
  buildModel,
  checkTensors,
  deltaMap,
  gradcheck,
  type GradcheckResult,
  layerMeta,
  RunError,
  withFault,
} from '../../../engine/run';

const SEED = readFileSync(join(__dirname, '../../../examples/seed.cnn'), 'utf8');

const layer = (r: GradcheckResult, name: string) => {
  const l = r.layers.find((x) => x.name === name);
  assert.ok(l, `no layer ${name}`);
  return l;
};

/** Which tensors failed, as `layer δ` or `layer W`. */
const failures = (r: GradcheckResult) =>
  r.layers.flatMap((l) => [
    ...(l.delta.passed ? [] : [`${l.name} δ`]),
    ...Object.entries(l.params)
      .filter(([, c]) => !c.passed)
      .map(([n]) => `${l.name} ${n}`),
  ]);

describe('gradient check', () => {
  it('seed 3×17×17, baseline mode (directional, then sampled, end to end): every δ and parameter passes with small errors and no kinks', async () => {
    const r = await gradcheck(check(SEED), { mode: 'baseline' });
    assert.equal(r.passed, true);
    assert.equal(r.mode, 'baseline');
    assert.deepEqual([r.batch, r.seed, r.eps, r.atol, r.rtol], [2, 1, 1e-6, 1e-5, 1e-3]);
    assert.deepEqual(
      r.layers.map((l) => [l.name, Object.keys(l.params)]),
      [
        ['input', []],
        ['c1', ['W', 'b']],
        ['sigmoid1', []],
        ['p1', []],
        ['c2', ['W', 'b']],
        ['sigmoid2', []],
        ['p2', []],
        ['fc', ['W', 'b']],
        ['softmax1', []],
      ],
    );
    for (const l of r.layers) {
      for (const c of [l.delta, ...Object.values(l.params)]) {
        assert.equal(c.kinks, 0);
        assert.ok(c.maxRelError < 1e-3, `${l.name}: ${c.maxRelError}`);
        // 1 direction + 16 samples, or every coordinate of a small tensor.
        assert.ok(c.checked >= 11 && c.checked <= 17, `${l.name}: ${c.checked}`);
      }
    }
    assert.equal(layer(r, 'c2').params.b.checked, 17);
    assert.equal(layer(r, 'fc').params.b.checked, 11);
  });

  it('full mode checks every coordinate: dense 3→2 on x=[2,3] has 6 δ(input), 6 W, 2 b, 4 δ(out)', async () => {
    const r = await gradcheck(check('input 3\nfc: dense 2\nloss mse'), { mode: 'full' });
    assert.equal(r.passed, true);
    assert.deepEqual(
      r.layers.map((l) => [l.name, l.delta.checked, ...Object.values(l.params).map((c) => c.checked)]),
      [
        ['input', 6],
        ['fc', 4, 6, 2],
      ],
    );
    assert.equal(r.evaluations, 2 * (6 + 4 + 6 + 2));
  });

  it('baseline: a mean-pool δ without its 1/(Kh·Kw) is caught at p1: δ(sigmoid1) fails, δ(p1) passes', async () => {
    const r = await gradcheck(check(SEED), { mode: 'baseline', overrides: withFault('p1', 'mean-pool-no-divide') });
    assert.equal(r.passed, false);
    assert.deepEqual(failures(r), ['input δ', 'c1 δ', 'c1 W', 'c1 b', 'sigmoid1 δ']);
    assert.equal(layer(r, 'p1').custom, true);
    assert.match(layer(r, 'p1').blame!, /the δ at its input sigmoid1 is wrong: p1's backward rule is wrong/);
    assert.deepEqual(
      r.layers.filter((l) => l.blame).map((l) => l.name),
      ['p1'],
    );
    // The drill-down names coordinates of the 2×64×13×13 δ, where analytic is 4× numeric.
    const worst = layer(r, 'sigmoid1').delta.worst[0];
    assert.equal(worst.index.length, 4);
    assert.ok(Math.abs(worst.analytic / worst.numeric - 4) < 1e-3, `${worst.analytic} vs ${worst.numeric}`);
  });

  it('baseline: a conv δx without the kernel rotation is caught at c2', async () => {
    const r = await gradcheck(check(SEED), { mode: 'baseline', overrides: withFault('c2', 'conv-no-rotate') });
    assert.deepEqual(failures(r), ['input δ', 'c1 δ', 'c1 W', 'c1 b', 'sigmoid1 δ', 'p1 δ']);
    assert.deepEqual(
      r.layers.filter((l) => l.blame).map((l) => [l.name, l.blame]),
      [['c2', "the δ at its output is right but the δ at its input p1 is wrong: c2's backward rule is wrong"]],
    );
  });

  it('baseline: a dense dW transposed is caught at fc W alone', async () => {
    const r = await gradcheck(check(SEED), { mode: 'baseline', overrides: withFault('fc', 'dense-dw-transposed') });
    assert.deepEqual(failures(r), ['fc W']);
    assert.match(layer(r, 'fc').blame!, /its gradient W is wrong/);
  });

  it('ReLU inputs at exactly 0 are kinks, counted and left out, and the check passes', async () => {
    // x = [0, 1, −1, 0, 2, 0]: the three zeros straddle relu's kink under ±eps.
    const r = await gradcheck(check('input 3\nrelu\nfc: dense 2\nloss mse'), {
      mode: 'full',
      data: { input: [0, 1, -1, 0, 2, 0] },
    });
    assert.equal(r.passed, true);
    assert.equal(layer(r, 'input').delta.kinks, 3);
    assert.equal(layer(r, 'input').delta.checked, 6);
  });

  it('max-pool ties are kinks: a window of four equal values', async () => {
    const input = [5, 5, 5, 5, 1, 2, 3, 4];
    const r = await gradcheck(check('input 2x2x2\npool max 2\nflatten\nfc: dense 2\nloss mse'), {
      mode: 'full',
      batch: 1,
      data: { input },
    });
    assert.equal(r.passed, true);
    // The tied window: each of its 4 inputs moves the winner; the other window has a clear winner (4).
    assert.equal(layer(r, 'input').delta.kinks, 4);
  });

  it('a step that pushes a probability below 0 is inconclusive, not a failure (eps 0.5 on the softmax output)', async () => {
    // Three classes: every p is near 1/3, so p − 0.5 < 0 for the label's entry and log p is NaN.
    const r = await gradcheck(check('input 4\nfc: dense 3\nsoftmax'), { eps: 0.5, mode: 'full' });
    const softmax = layer(r, 'softmax1').delta;
    assert.equal(softmax.kinks, 2);
    assert.ok(Number.isFinite(softmax.maxRelError));
  });

  it('baseline: two shards check every tensor once and assemble into the single-thread result', async () => {
    // One model per shard, as one per thread: a check perturbs its model's tensors in place.
    const model = buildModel(check(SEED));
    const parts = await Promise.all(
      [0, 1].map((index) => checkTensors(buildModel(check(SEED)), { mode: 'baseline', shard: { index, count: 2 } })),
    );
    const tensors = parts.map((p) => p.checks.map((c) => `${c.layer} ${c.tensor}`));
    assert.ok(tensors[0].length > 0 && tensors[1].length > 0, `${tensors[0].length} and ${tensors[1].length}`);
    assert.deepEqual([...tensors[0], ...tensors[1]].sort(), [
      'c1 W',
      'c1 b',
      'c1 δ',
      'c2 W',
      'c2 b',
      'c2 δ',
      'fc W',
      'fc b',
      'fc δ',
      'input δ',
      'p1 δ',
      'p2 δ',
      'sigmoid1 δ',
      'sigmoid2 δ',
      'softmax1 δ',
    ]);
    const settings = { mode: 'baseline', eps: 1e-6, atol: 1e-5, rtol: 1e-3, batch: 2, seed: 1, ms: 0 };
    const whole = await gradcheck(check(SEED), { mode: 'baseline' });
    const joined = assemble(layerMeta(model), parts, settings);
    assert.deepEqual(
      joined.layers.map((l) => [l.name, l.delta.maxRelError, l.delta.checked]),
      whole.layers.map((l) => [l.name, l.delta.maxRelError, l.delta.checked]),
    );
    assert.equal(joined.evaluations, whole.evaluations);
  });

  it('a δ heat-map of sigmoid1, sample 1, channel 5: 13×13 analytic and numeric, row and column 13 zero', async () => {
    const map = await deltaMap(buildModel(check(SEED)), 'sigmoid1', 1, 5);
    assert.deepEqual(map.shape, [13, 13]);
    assert.equal(map.analytic.length, 169);
    map.analytic.forEach((a, i) =>
      assert.ok(
        Math.abs(a - map.numeric[i]) <= 1e-5 + 1e-3 * Math.abs(map.numeric[i]),
        `${i}: ${a} vs ${map.numeric[i]}`,
      ),
    );
    for (let i = 0; i < 13; i++)
      assert.deepEqual([map.analytic[12 * 13 + i], map.analytic[i * 13 + 12], map.numeric[12 * 13 + i]], [0, 0, 0]);
    assert.ok(map.analytic.some((v) => v !== 0));
  });

  it('reports progress and stops on abort', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const run = gradcheck(check(SEED), {
      mode: 'full',
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p.done);
        assert.ok(p.total >= p.done);
        if (seen.length === 2) controller.abort();
      },
    });
    await assert.rejects(run, (e: Error) => e.name === 'AbortError');
    assert.equal(seen.length, 2);
    assert.ok(seen[1] > seen[0]);
  });

  it('refuses a network with errors, with its diagnostics', async () => {
    await assert.rejects(
      gradcheck(check('input 3x8x8\nconv 4 3 in=2')),
      (e: RunError) => e instanceof RunError && e.diagnostics.map((d) => d.code).join() === 'channel-mismatch',
    );
  });

  it('refuses a run over the memory limit before allocating', async () => {
    await assert.rejects(
      gradcheck(check(SEED), { memoryLimit: 1e5 }),
      /a sample run of batch 2 would need 3\.2 MiB, over the 98 KiB limit/,
    );
  });

  it('names the first layer that produces a non-finite value', async () => {
    await assert.rejects(
      gradcheck(check('input 2\nfc: dense 1\nloss mse'), { data: { input: [Infinity, 1, 2, 3] } }),
      (e: RunError) =>
        e.layer === 'fc' && /fc \(line 2\) produced (-?Infinity|NaN) in its forward output/.test(e.message),
    );
  });
});
