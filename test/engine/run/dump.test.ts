/** Sample runs: docs/language.md's dump, seeded and deterministic, with the batch and seed from flags, file, default. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '../../../engine';
import { RunError, sampleRun } from '../../../engine/run';

const SEED = readFileSync(join(__dirname, '../../../examples/seed.cnn'), 'utf8');

describe('sample runs', () => {
  it('seed: every key of the dump with PyTorch layouts and the batch first for activations', () => {
    const d = sampleRun(check(SEED));
    assert.deepEqual(Object.keys(d).sort(), [
      'batch',
      'deltas',
      'grads',
      'input',
      'labels',
      'loss',
      'outputs',
      'params',
      'seed',
    ]);
    assert.deepEqual([d.batch, d.seed], [2, 1]);
    assert.deepEqual(d.input.shape, [2, 3, 17, 17]);
    assert.equal(d.input.data.length, 2 * 3 * 17 * 17);
    assert.deepEqual(d.labels!.shape, [2]);
    assert.ok(d.labels!.data.every((l) => Number.isInteger(l) && l >= 0 && l < 10));
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(d.params).map(([k, v]) => [
          k,
          Object.fromEntries(Object.entries(v).map(([n, t]) => [n, t.shape])),
        ]),
      ),
      {
        c1: { W: [64, 3, 5, 5], b: [64] },
        c2: { W: [96, 64, 5, 5], b: [96] },
        fc: { W: [10, 96], b: [10] },
      },
    );
    assert.deepEqual(Object.keys(d.grads), ['c1', 'c2', 'fc']);
    assert.deepEqual(d.grads.c2.W.shape, [96, 64, 5, 5]);
    assert.deepEqual(Object.fromEntries(Object.entries(d.outputs).map(([k, v]) => [k, v.shape])), {
      c1: [2, 64, 13, 13],
      sigmoid1: [2, 64, 13, 13],
      p1: [2, 64, 6, 6],
      c2: [2, 96, 2, 2],
      sigmoid2: [2, 96, 2, 2],
      p2: [2, 96, 1, 1],
      fc: [2, 10],
      softmax1: [2, 10],
    });
    assert.deepEqual(Object.keys(d.deltas), [
      'input',
      'c1',
      'sigmoid1',
      'p1',
      'c2',
      'sigmoid2',
      'p2',
      'fc',
      'softmax1',
    ]);
    assert.deepEqual(d.deltas.p1.shape, [2, 64, 6, 6]);
  });

  it('seed: the loss is the mean −log p[label], and row and column 13 of δ(sigmoid1) are zero', () => {
    const d = sampleRun(check(SEED));
    const p = d.outputs.softmax1.data;
    const expected = -(Math.log(p[d.labels!.data[0]]) + Math.log(p[10 + d.labels!.data[1]])) / 2;
    assert.ok(Math.abs(d.loss - expected) < 1e-12);
    const delta = d.deltas.sigmoid1.data;
    for (let n = 0; n < 2; n++) {
      for (let c = 0; c < 64; c++) {
        for (let i = 0; i < 13; i++) {
          const base = (n * 64 + c) * 13 * 13;
          assert.equal(delta[base + 12 * 13 + i], 0);
          assert.equal(delta[base + i * 13 + 12], 0);
        }
      }
    }
    assert.ok(delta.some((v) => v !== 0));
  });

  it("is deterministic for a seed, differs across seeds, and takes the file's sample statement unless overridden", () => {
    const a = check(SEED);
    assert.deepEqual(sampleRun(a).input.data.slice(0, 5), sampleRun(a).input.data.slice(0, 5));
    assert.notDeepEqual(sampleRun(a, { seed: 2 }).input.data.slice(0, 5), sampleRun(a).input.data.slice(0, 5));
    const withSample = check(`${SEED}sample batch=3 seed=9\n`);
    assert.deepEqual([sampleRun(withSample).batch, sampleRun(withSample).seed], [3, 9]);
    assert.deepEqual(
      [sampleRun(withSample, { batch: 1, seed: 4 }).batch, sampleRun(withSample, { batch: 1, seed: 4 }).seed],
      [1, 4],
    );
  });

  it('mse: random targets of the output shape and δ = 2(y − t)/numel', () => {
    const d = sampleRun(check('input 4\nfc: dense 3\nloss mse'));
    assert.deepEqual(d.targets!.shape, [2, 3]);
    const y = d.outputs.fc.data;
    const t = d.targets!.data;
    d.deltas.fc.data.forEach((v, i) => assert.ok(Math.abs(v - (2 * (y[i] - t[i])) / 6) < 1e-15));
  });

  it('a layer that reaches no loss gets a zero δ', () => {
    const d = sampleRun(check('input 4\nside: dense 2\nmain: dense 3 from=input\nloss mse'));
    assert.ok(d.deltas.side.data.every((v) => v === 0));
  });

  it('rejects data of the wrong size', () => {
    assert.throws(
      () => sampleRun(check('input 4\ndense 3'), { data: { input: [1, 2, 3] } }),
      (e: RunError) => e instanceof RunError && e.message === 'input has 3 values; the network needs 8',
    );
  });
});
