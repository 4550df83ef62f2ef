import assert from 'node:assert/strict';
import {
  type Activation,
  activationBackward,
  activationForward,
  addBackward,
  addForward,
  concatBackward,
  concatForward,
  mseLoss,
  softmaxCrossEntropy,
} from '../../../engine/kernels/index.js';
import { assertClose, dot, numericGrad, randn64, relError, rng } from './util.js';

describe('activation kernels', () => {
  it('relu and leaky_relu at 0 take the left slope, as PyTorch does', () => {
    const x = Float64Array.of(-2, 0, 3),
      dy = Float64Array.of(1, 1, 1);
    const relu: Activation = { kind: 'relu' },
      leaky: Activation = { kind: 'leaky_relu', slope: 0.1 };
    assert.deepEqual([...activationForward(relu, x)], [0, 0, 3]);
    assert.deepEqual([...activationBackward(relu, x, activationForward(relu, x), dy)], [0, 0, 1]);
    assertClose(activationForward(leaky, x), [-0.2, 0, 3], 1e-15, 'y');
    assert.deepEqual([...activationBackward(leaky, x, activationForward(leaky, x), dy)], [0.1, 0.1, 1]);
  });

  it('sigmoid of ±800 is 0 and 1 without overflow; tanh and identity by hand', () => {
    assert.deepEqual([...activationForward({ kind: 'sigmoid' }, Float64Array.of(-800, 0, 800))], [0, 0.5, 1]);
    assertClose(activationForward({ kind: 'tanh' }, Float64Array.of(0.5)), [Math.tanh(0.5)], 1e-15, 'tanh');
    assert.deepEqual([...activationForward({ kind: 'identity' }, Float64Array.of(1, -2))], [1, -2]);
  });

  const kinds: Activation[] = [
    { kind: 'relu' },
    { kind: 'leaky_relu', slope: 0.2 },
    { kind: 'sigmoid' },
    { kind: 'tanh' },
    { kind: 'identity' },
  ];
  for (const act of kinds) {
    it(`${act.kind} δx x=[2,3,4,4]: central differences, loss = Σ y ⊙ r`, () => {
      const r = rng(31);
      // Keep relu-like inputs away from the kink at 0, where a difference quotient is meaningless.
      const x = randn64(r, 96).map((v) => (Math.abs(v) < 0.01 ? v + 0.05 : v)),
        up = randn64(r, 96);
      const loss = () => dot(activationForward(act, x), up);
      const dx = activationBackward(act, x, activationForward(act, x), up);
      assert.ok(relError(dx, numericGrad(loss, x)) < 1e-6);
    });
  }
});

describe('loss kernels', () => {
  it('cross_entropy logits=[1,3] by hand: equal logits cost log 3', () => {
    const { loss, probs, grad } = softmaxCrossEntropy(1, 3, Float64Array.of(2, 2, 2), [1]);
    assert.ok(Math.abs(loss - Math.log(3)) < 1e-15);
    assertClose(probs, [1 / 3, 1 / 3, 1 / 3], 1e-15, 'p');
    assertClose(grad, [1 / 3, -2 / 3, 1 / 3], 1e-15, 'δ');
  });

  it('cross_entropy logits=[2,2] with logits ±1000 stays finite (log-sum-exp)', () => {
    const { loss, grad } = softmaxCrossEntropy(2, 2, Float64Array.of(1000, -1000, 1000, -1000), [1, 0]);
    assert.ok(Math.abs(loss - 1000) < 1e-9, `loss ${loss}`);
    assertClose(grad, [0.5, -0.5, 0, 0], 1e-15, 'δ');
  });

  it('cross_entropy logits=[4,6]: δ = (p − onehot)/N matches central differences of the mean loss', () => {
    const r = rng(41),
      z = randn64(r, 24).map((v) => v * 3),
      labels = [0, 5, 2, 2];
    const { grad } = softmaxCrossEntropy(4, 6, z, labels);
    assert.ok(
      relError(
        grad,
        numericGrad(() => softmaxCrossEntropy(4, 6, z, labels).loss, z),
      ) < 1e-6,
    );
  });

  it('cross_entropy rejects a label outside the classes', () => {
    assert.throws(() => softmaxCrossEntropy(1, 3, new Float64Array(3), [3]), /label 3 is not a class of 3/);
  });

  it('mse y=[2,2] by hand: mean over every element, δ = 2(y−t)/numel', () => {
    const { loss, grad } = mseLoss(Float64Array.of(1, 2, 3, 4), [1, 0, 3, 0]);
    assert.equal(loss, (4 + 16) / 4);
    assert.deepEqual([...grad], [0, 1, 0, 2]);
    const r = rng(43),
      y = randn64(r, 30),
      t = randn64(r, 30);
    assert.ok(
      relError(
        mseLoss(y, t).grad,
        numericGrad(() => mseLoss(y, t).loss, y),
      ) < 1e-6,
    );
  });
});

describe('merge kernels', () => {
  it('add forward and δ: each input gets its own copy of δy', () => {
    const y = addForward([Float64Array.of(1, 2), Float64Array.of(10, 20), Float64Array.of(100, 200)]);
    assert.deepEqual([...y], [111, 222]);
    const dy = Float64Array.of(3, 4),
      [d0, d1] = addBackward(dy, 2);
    assert.deepEqual([...d0], [3, 4]);
    d0[0] = 99;
    assert.deepEqual([...d1, ...dy], [3, 4, 3, 4]);
    assert.throws(() => addForward([new Float64Array(2), new Float64Array(3)]), /2 and 3 elements/);
  });

  it('concat x=[2,1,2] + x=[2,2,2] along channels, and δ split back', () => {
    // batch 2, spatial 2: a has 1 channel, b has 2.
    const a = Float64Array.of(1, 2, 3, 4),
      b = Float64Array.of(10, 11, 12, 13, 20, 21, 22, 23);
    const y = concatForward(2, [1, 2], 2, [a, b]);
    assert.deepEqual([...y], [1, 2, 10, 11, 12, 13, 3, 4, 20, 21, 22, 23]);
    const [da, db] = concatBackward(2, [1, 2], 2, y);
    assert.deepEqual([...da], [...a]);
    assert.deepEqual([...db], [...b]);
  });

  it('concat δ x=[3,2,3,3]+[3,4,3,3]: central differences, loss = Σ y ⊙ r', () => {
    const r = rng(51),
      a = randn64(r, 54),
      b = randn64(r, 108),
      up = randn64(r, 162);
    const loss = () => dot(concatForward(3, [2, 4], 9, [a, b]), up);
    const [da, db] = concatBackward(3, [2, 4], 9, up);
    assert.ok(relError(da, numericGrad(loss, a)) < 1e-6 && relError(db, numericGrad(loss, b)) < 1e-6);
  });
});
