import assert from 'node:assert/strict';
import { batchNormBackward, batchNormForward } from '../../../engine/kernels/index.js';
import { assertClose, dot, numericGrad, randn64, relError, rng } from './util.js';

describe('batchnorm kernels', () => {
  it('batchnorm forward x=[2,1,1,2] by hand: biased variance over batch and positions', () => {
    // channel values 1, 3, 5, 7: mean 4, biased variance 5
    const { y, mean, invStd } = batchNormForward(
      [1, 1, 2],
      2,
      Float64Array.of(1, 3, 5, 7),
      Float64Array.of(2),
      Float64Array.of(1),
      0,
    );
    assert.equal(mean[0], 4);
    assert.ok(Math.abs(invStd[0] - 1 / Math.sqrt(5)) < 1e-15);
    assertClose(
      y,
      [-3, -1, 1, 3].map((v) => (2 * v) / Math.sqrt(5) + 1),
      1e-15,
      'y',
    );
  });

  it('batchnorm x=[4,3] (vectors) normalises each feature over the batch', () => {
    const r = rng(61),
      x = randn64(r, 12);
    const { y } = batchNormForward([3], 4, x, Float64Array.of(1, 1, 1), Float64Array.of(0, 0, 0));
    for (let c = 0; c < 3; c++) {
      const col = [0, 1, 2, 3].map((n) => y[n * 3 + c]);
      assert.ok(Math.abs(col.reduce((a, b) => a + b)) < 1e-12);
      assert.ok(Math.abs(col.reduce((a, b) => a + b * b, 0) / 4 - 1) < 1e-3);
    }
  });

  for (const shape of [[3, 4, 5], [4]]) {
    it(`batchnorm δx dγ dβ x=[3,${shape.join(',')}]: central differences, loss = Σ y ⊙ r`, () => {
      const r = rng(62),
        n = 3,
        C = shape[0],
        size = n * shape.reduce((a, b) => a * b);
      const x = randn64(r, size),
        gamma = randn64(r, C),
        beta = randn64(r, C),
        up = randn64(r, size);
      const loss = () => dot(batchNormForward(shape, n, x, gamma, beta).y, up);
      const fwd = batchNormForward(shape, n, x, gamma, beta);
      const { dx, dgamma, dbeta } = batchNormBackward(shape, n, x, up, gamma, fwd);
      assert.ok(relError(dx, numericGrad(loss, x)) < 1e-6, 'δx');
      assert.ok(relError(dgamma, numericGrad(loss, gamma)) < 1e-6, 'dγ');
      assert.ok(relError(dbeta, numericGrad(loss, beta)) < 1e-6, 'dβ');
    });
  }
});
