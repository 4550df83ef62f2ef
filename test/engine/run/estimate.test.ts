/**
 * Before a check: how many evaluations it will do (against the evaluations the check really does, and a count
 * by hand) and about how long; after a cancelled one: the layers it finished, assembled as a result.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '../../../engine';
import {
  aboutDuration,
  assembleFinished,
  buildModel,
  type ChainPart,
  checkCosts,
  checkTensors,
  estimateCheck,
  gradcheck,
  layerMeta,
  type TensorVerdict,
  withFault,
} from '../../../engine/run';

const SEED = readFileSync(join(__dirname, '../../../examples/seed.cnn'), 'utf8');
const TINY = 'input 1x4x4\nc: conv 2 3x3\nrelu\nfc: dense 3\n';

describe('check estimate', () => {
  it('input 1×4×4 → conv 2 3×3 → relu → dense 3, batch 2, full: 2 evaluations per coordinate, 234 in all', async () => {
    const model = buildModel(check(TINY));
    const costs = checkCosts(model, { mode: 'full' });
    // Twice the coordinates: input δ 2·16, c δ 2·2·2·2, W 2·1·3·3, b 2, relu1 δ 16, fc δ 2·3, W 3·8, b 3.
    assert.deepEqual(
      costs.map((c) => `${c.layer} ${c.tensor} ${c.evaluations}`),
      ['input δ 64', 'c δ 32', 'c W 36', 'c b 4', 'relu1 δ 32', 'fc δ 12', 'fc W 48', 'fc b 6'],
    );
    const part = await checkTensors(model, { mode: 'full' });
    assert.equal(estimateCheck(model, { mode: 'full' }).evaluations, 234);
    assert.equal(part.evaluations, 234);
  });

  for (const mode of ['directional', 'sampled', 'baseline', undefined, 'local-full'] as const) {
    it(`seed 3×17×17, ${mode ?? 'default'} mode: the estimate's evaluations are the check's`, async () => {
      const model = buildModel(check(SEED));
      const estimate = estimateCheck(model, { ...(mode && { mode }), samples: 16 });
      const part = await checkTensors(model, { ...(mode && { mode }), samples: 16 });
      assert.equal(estimate.evaluations, part.evaluations);
      // The local modes' rule check of a parameter and its gradient's check share their evaluations: one cost.
      const perturbed = new Set(part.checks.map((c) => `${c.layer} ${c.tensor.replace(/^rule (?!δ)/, '')}`));
      assert.equal(estimate.tensors.length, perturbed.size);
      if (mode !== undefined && mode !== 'local-full') assert.equal(estimate.tensors.length, part.checks.length);
    });
  }

  it('seed, local mode: input δ of c1 (conv 64 5×5 on 3×17×17, batch 2), 1 direction and 16 coordinates, one-sided: 17 evaluations', () => {
    const costs = checkCosts(buildModel(check(SEED)));
    assert.deepEqual(
      costs.slice(0, 3).map((c) => `${c.layer} ${c.tensor} ${c.evaluations}`),
      ['c1 rule δ input 17', 'c1 W 17', 'c1 b 17'],
    );
  });

  it('inception full mode is millions of evaluations, and costs more forward passes than its default mode', () => {
    const model = buildModel(check(readFileSync(join(__dirname, '../../../examples/inception.cnn'), 'utf8')));
    const full = estimateCheck(model, { mode: 'full' }, 1);
    const quick = estimateCheck(model, {}, 1);
    assert.ok(full.evaluations > 1e6, `${full.evaluations}`);
    assert.ok(full.passes > 100 * quick.passes, `${full.passes} vs ${quick.passes}`);
    // With a 1 ms forward pass, the time is the passes in ms.
    assert.equal(full.ms, full.passes);
    // A rerun from a late tensor costs less than one from the input: fc's bias reruns less than the input δ.
    const perEval = (t: { passes: number; evaluations: number }) => t.passes / t.evaluations;
    assert.ok(perEval(full.tensors[full.tensors.length - 1]) < perEval(full.tensors[0]));
  });

  it('says durations as a person would', () => {
    assert.deepEqual([400, 40_000, 12 * 60_000, 3 * 3_600_000].map(aboutDuration), [
      'under a second',
      'about 40 s',
      'about 12 min',
      'about 3.0 h',
    ]);
  });
});

describe('cancelled check', () => {
  const SETTINGS = {
    mode: 'directional+sampled',
    eps: 1e-6,
    atol: 1e-5,
    rtol: 1e-3,
    batch: 2,
    seed: 1,
    ms: 0,
    loss: 0,
    evaluations: 0,
  };

  it('seed, baseline mode, stopped after c1: keeps input and c1 with their verdicts, the rest dropped', async () => {
    const model = buildModel(check(SEED), { overrides: withFault('p1', 'mean-pool-no-divide') });
    const seen: TensorVerdict[] = [];
    const controller = new AbortController();
    await assert.rejects(
      checkTensors(model, {
        mode: 'baseline',
        signal: controller.signal,
        onChecked: (v) => {
          seen.push(v);
          if (v.layer === 'c1' && v.tensor === 'b') controller.abort();
        },
      }),
    );
    assert.deepEqual(seen.map((v) => `${v.layer} ${v.tensor}`).slice(0, 4), ['input δ', 'c1 δ', 'c1 W', 'c1 b']);
    const partial = assembleFinished(layerMeta(model), seen.slice(0, 4), SETTINGS);
    assert.deepEqual(
      partial.layers.map((l) => l.name),
      ['input', 'c1'],
    );
    // p1's fault makes every δ before it wrong: the finished layers fail, and c1 is not blamed.
    const whole = await gradcheck(check(SEED), { mode: 'baseline', overrides: withFault('p1', 'mean-pool-no-divide') });
    assert.deepEqual(partial.layers, whole.layers.slice(0, 2));
    assert.equal(partial.passed, false);
  });

  it('residual, default (local) mode, stopped after its first five layers: the four whose δ is judged, exactly as the whole run', async () => {
    const text = readFileSync(join(__dirname, '../../../examples/residual.cnn'), 'utf8');
    // A wrong rule in b1c1, so a kept layer's blame is held to the whole run's too.
    const options = { overrides: withFault('b1c1', 'conv-no-rotate') };
    const model = buildModel(check(text), options);
    const layers = layerMeta(model);
    const seen: TensorVerdict[] = [];
    const chains: ChainPart[] = [];
    const controller = new AbortController();
    await assert.rejects(
      checkTensors(model, {
        signal: controller.signal,
        onChecked: (v) => seen.push(v),
        onChain: (c) => {
          chains.push(c);
          if (c.reader === layers[5].name) controller.abort();
        },
      }),
      { name: 'AbortError' },
    );
    // Stopped at once: the pieces of stem, batchnorm1, r0, b1c1 and batchnorm2, nothing after.
    assert.deepEqual(
      [...new Set(chains.map((c) => c.reader))],
      layers.slice(1, 6).map((l) => l.name),
    );
    const partial = assembleFinished(layers, seen, { ...SETTINGS, mode: 'local' }, chains);
    // r0's δ also needs b1add, which was not reached (the whole run fails it, b1c1's wrong rule passing a wrong δ
    // back); batchnorm2's needs the relu after it.
    assert.deepEqual(
      partial.layers.map((l) => l.name),
      ['input', 'stem', 'batchnorm1', 'b1c1'],
    );
    const whole = await gradcheck(check(text), options);
    const kept = new Set(['input', 'stem', 'batchnorm1', 'b1c1']);
    assert.deepEqual(
      partial.layers,
      whole.layers.filter((l) => kept.has(l.name)),
    );
    assert.match(partial.layers[3].blame ?? '', /b1c1's backward rule is wrong/);
    assert.deepEqual(
      partial.unreached,
      whole.layers.filter((l) => !kept.has(l.name)).map((l) => l.name),
    );
    assert.equal(partial.passed, false);
  });

  it('local mode, run to the end: the streamed verdicts and chain parts assemble into the whole result', async () => {
    const model = buildModel(check(SEED));
    const seen: TensorVerdict[] = [];
    const chains: ChainPart[] = [];
    await checkTensors(model, { onChecked: (v) => seen.push(v), onChain: (c) => chains.push(c) });
    const partial = assembleFinished(layerMeta(model), seen, { ...SETTINGS, mode: 'local' }, chains);
    const whole = await gradcheck(check(SEED));
    assert.deepEqual(partial.layers, whole.layers);
    assert.deepEqual(partial.unreached, []);
  });

  it('streams every tensor once, with the verdicts the result holds', async () => {
    const model = buildModel(check(SEED));
    const seen: TensorVerdict[] = [];
    const part = await checkTensors(model, { onChecked: (v) => seen.push(v) });
    assert.deepEqual(seen, part.checks);
  });
});
