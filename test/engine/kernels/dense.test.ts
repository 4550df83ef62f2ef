import assert from 'node:assert/strict';
import { denseBackwardInput, denseBackwardParams, denseForward } from '../../../engine/kernels/index.js';
import { assertClose, dot, numericGrad, randn64, relError, rng } from './util.js';

describe('dense kernels', () => {
  const d = { inFeatures: 3, units: 2, bias: true };
  const x = Float64Array.of(1, 2, 3, -1, 0, 1),
    W = Float64Array.of(1, 0, -1, 2, 1, 0),
    b = Float64Array.of(0.5, -0.5);

  it('dense forward x=[2,3] W=[2,3] by hand', () => {
    assert.deepEqual([...denseForward(d, 2, x, W, b)], [-1.5, 3.5, -1.5, -2.5]);
  });

  it('dense δx dW db x=[2,3] W=[2,3] by hand', () => {
    const dy = Float64Array.of(1, 0, 0, 2);
    assert.deepEqual([...denseBackwardInput(d, 2, dy, W)], [1, 0, -1, 4, 2, 0]);
    const { dW, db } = denseBackwardParams(d, 2, x, dy);
    assert.deepEqual([...dW], [1, 2, 3, -2, 0, 2]);
    assert.deepEqual([...(db ?? [])], [1, 2]);
    assert.equal(denseBackwardParams({ ...d, bias: false }, 2, x, dy).db, null);
  });

  it('dense δx dW db x=[3,2,3,3] W=[7,18]: central differences, loss = Σ y ⊙ r', () => {
    const r = rng(17),
      dd = { inFeatures: 18, units: 7, bias: true };
    const xs = randn64(r, 54),
      ws = randn64(r, 126),
      bs = randn64(r, 7),
      up = randn64(r, 21);
    const loss = () => dot(denseForward(dd, 3, xs, ws, bs), up);
    const { dW, db } = denseBackwardParams(dd, 3, xs, up);
    assert.ok(relError(denseBackwardInput(dd, 3, up, ws), numericGrad(loss, xs)) < 1e-6, 'δx');
    assert.ok(relError(dW, numericGrad(loss, ws)) < 1e-6, 'dW');
    assert.ok(db && relError(db, numericGrad(loss, bs)) < 1e-6, 'db');
  });

  it('dense float32 x=[40,300] W=[50,300] matches float64', () => {
    const r = rng(18),
      dd = { inFeatures: 300, units: 50, bias: true };
    const xs = randn64(r, 12000),
      ws = randn64(r, 15000),
      bs = randn64(r, 50);
    const y32 = denseForward(dd, 40, Float32Array.from(xs), Float32Array.from(ws), Float32Array.from(bs));
    assert.ok(y32 instanceof Float32Array);
    assertClose(y32, denseForward(dd, 40, xs, ws, bs), 1e-4, 'y');
  });
});
