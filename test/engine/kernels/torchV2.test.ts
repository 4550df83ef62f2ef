/**
 * PyTorch float64 fixtures for the kernels of DSL.md version 2 (scripts/torch/kernels_v2.py →
 * test/fixtures/torch/kernels-v2.json): forward values and autograd gradients with a non-uniform upstream gradient,
 * compared at 1e-9 relative; erf at 1e-15.
 */
import assert from 'node:assert/strict';
import { type Case, compute, expected, loadV2 } from './v2cases.js';
import { assertClose } from './util.js';

const REL = 1e-9;

function check(c: Case): void {
  const got = compute(c, Float64Array),
    keys = expected(c);
  assert.deepEqual(Object.keys(got).sort(), keys.sort(), 'tensors checked');
  for (const k of keys) {
    if (k === 'indices') assert.deepEqual(got[k], c.tensors[k].data, k);
    // erfc is 1 − erf up to 2, where it loses digits to the difference; from 2 on it is computed directly.
    else assertClose(got[k], c.tensors[k].data, c.op !== 'erf' ? REL : k === 'y' ? 1e-15 : 1e-13, k);
  }
}

describe('PyTorch fixtures, version 2 kernels (float64, 1e-9)', () => {
  const cases = loadV2();
  it('has every op the script writes', () => {
    const ops = new Set(cases.map((c) => c.op));
    for (const op of [
      'conv_transpose2d',
      'upsample',
      'adaptive_max_pool2d',
      'adaptive_avg_pool2d',
      'relu6',
      'gelu',
      'silu',
      'hardswish',
      'hardsigmoid',
      'elu',
      'erf',
      'group_norm',
      'mul',
      'crop',
    ])
      assert.ok(ops.has(op), op);
  });
  for (const c of cases) it(c.name, () => check(c));
});
