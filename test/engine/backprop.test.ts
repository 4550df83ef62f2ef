/** The walkthrough's steps and the rows each tensor loses to its consumers' windows, on the seed and edge cases. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '../../engine';
import { uncoveredByConsumers } from '../../engine/editor/coverage';
import { backpropSteps, stepAt } from '../../engine/editor/walkthrough';

const SEED = readFileSync(join(__dirname, '..', '..', 'examples', 'seed.cnn'), 'utf8');

describe('backprop walkthrough steps', () => {
  it('seed 3×17×17: loss, then every layer backwards, then the input', () => {
    const steps = backpropSteps(check(SEED));
    assert.deepEqual(
      steps.map((s) => s.name),
      ['loss', 'softmax1', 'fc', 'p2', 'sigmoid2', 'c2', 'p1', 'sigmoid1', 'c1', 'input'],
    );
    assert.deepEqual(
      steps.map((s) => s.line),
      [undefined, 12, 11, 10, 9, 8, 7, 6, 5, 3],
    );
    assert.match(
      steps[0].rule!,
      /^L = cross-entropy against the labels.*δ\(softmax1\) = ∂L\/∂softmax1, 10 per sample$/,
    );
  });

  it("seed: c2 takes δ 96×2×2 back to p1's 64×6×6, p1 to 64×13×13, sigmoid1 to c1's 13×13 maps", () => {
    const byName = new Map(backpropSteps(check(SEED)).map((s) => [s.name, s]));
    const c2 = byName.get('c2')!;
    assert.equal(c2.deltaOut, '96×2×2');
    assert.deepEqual(c2.deltaIn, [{ name: 'p1', shape: '64×6×6' }]);
    assert.match(
      c2.rule!,
      /Σ over the 96 filters k of full_corr\(δ\(c2\)\[k\] 2×2, rot180\(W\[k,c\] 5×5\)\) = 6×6 \(2\+5−1\)/,
    );
    assert.deepEqual(
      c2.paramRules.map((r) => r.split(':')[0]),
      ['dW 96×64×5×5', 'db 96'],
    );
    const p1 = byName.get('p1')!;
    assert.deepEqual([p1.deltaOut, p1.deltaIn], ['64×6×6', [{ name: 'sigmoid1', shape: '64×13×13' }]]);
    assert.match(p1.rule!, /upsample\(δ\(p1\)\[c\] 6×6, 2\) \/ 4 = 12×12; row 13 and column 13 get 0/);
    assert.deepEqual(byName.get('sigmoid1')!.deltaIn, [{ name: 'c1', shape: '64×13×13' }]);
  });

  it("lists a layer's hand-written rules as written, after its built-in ones", () => {
    const text = readFileSync(join(__dirname, '..', '..', 'examples', 'backward.cnn'), 'utf8');
    const byName = new Map(backpropSteps(check(text)).map((s) => [s.name, s]));
    assert.deepEqual(byName.get('c2')!.written, [
      "dx[c] = sum(k, conv2(dy[k], W[k,c], 'full'))",
      "dW[k,c] = xcorr2(x[c], dy[k], 'valid')",
    ]);
    assert.deepEqual(byName.get('c1')!.written, []);
    assert.deepEqual(
      backpropSteps(check(SEED)).flatMap((s) => s.written),
      [],
    );
  });

  it("finds the step under an offset, on a layer's statement or the input's, none on a comment", () => {
    const steps = backpropSteps(check(SEED));
    assert.equal(stepAt(steps, SEED.indexOf('c2:') + 4)?.name, 'c2');
    assert.equal(stepAt(steps, SEED.indexOf('input 3x17x17') + 1)?.name, 'input');
    assert.equal(stepAt(steps, 3), undefined);
  });

  it('writes ? for the shapes after an error, and has no rule there', () => {
    const steps = backpropSteps(check('input 3x8x8\nc1: conv 4 3\nc2: conv 8 3 in=2\nrelu\n'));
    const relu = steps.find((s) => s.name === 'relu1')!;
    assert.deepEqual([relu.deltaOut, relu.deltaIn[0].shape, relu.rule], ['?', '?', undefined]);
  });

  it('an empty network has no steps but its input', () => {
    assert.deepEqual(
      backpropSteps(check('input 3x8x8\n')).map((s) => s.name),
      ['input'],
    );
  });
});

describe('uncovered rows and columns', () => {
  it("seed: p1's 2×2 windows leave row and column 12 of sigmoid1 13×13 without gradient; nothing else", () => {
    assert.deepEqual([...uncoveredByConsumers(check(SEED))], [['sigmoid1', { rows: [12], cols: [12] }]]);
  });

  it('stride 3 over kernel 2 on 8×7: rows 2, 5 and columns 2, 5, 6 are skipped', () => {
    const u = uncoveredByConsumers(check('input 1x8x7\np: pool max 2 stride=3\n'));
    assert.deepEqual(u.get('input'), { rows: [2, 5], cols: [2, 5, 6] });
  });

  it('a second reader without windows reads every row: nothing is uncovered', () => {
    const u = uncoveredByConsumers(check('input 1x5x5\np: pool max 2\nq: relu from=input\n'));
    assert.equal(u.size, 0);
  });

  it('two pools that miss different rows: only the rows both miss', () => {
    // p (2, stride 2) misses row 4; q (3, stride 3) misses rows 3 and 4.
    const u = uncoveredByConsumers(check('input 1x5x5\np: pool max 2\nq: pool max 3 from=input\n'));
    assert.deepEqual([...u], [['input', { rows: [4], cols: [4] }]]);
  });
});
