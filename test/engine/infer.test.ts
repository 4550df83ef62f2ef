/** Shapes, δ shapes, parameter counts, multiply-adds and δ rules, worked out from PyTorch's formulas. */
import assert from 'node:assert/strict';
import { check } from '../../engine';
import { shapes } from './util';

const SEED =
  'network seed\ninput 3x17x17\nc1: conv 64 5x5\nsigmoid\np1: pool mean 2x2\nc2: conv 96 5x5 in=64\nsigmoid\np2: pool mean 2x2\nfc: dense 10\nsoftmax\n';

describe('shape and δ inference', () => {
  it('seed: every output, δ at every input, params and multiply-adds', () => {
    const a = check(SEED);
    assert.equal(a.network, 'seed');
    assert.deepEqual(a.input?.shape, [3, 17, 17]);
    assert.equal(a.loss, 'cross_entropy');
    const rows = a.layers.map((l) => [
      l.name,
      l.kind,
      l.inputs.join(),
      l.output,
      l.inputShapes[0],
      l.paramCount,
      l.macs,
      l.line,
    ]);
    assert.deepEqual(rows, [
      ['c1', 'conv', 'input', [64, 13, 13], [3, 17, 17], 64 * 3 * 25 + 64, 64 * 13 * 13 * 3 * 25, 3],
      ['sigmoid1', 'sigmoid', 'c1', [64, 13, 13], [64, 13, 13], 0, 0, 4],
      ['p1', 'pool', 'sigmoid1', [64, 6, 6], [64, 13, 13], 0, 0, 5],
      ['c2', 'conv', 'p1', [96, 2, 2], [64, 6, 6], 96 * 64 * 25 + 96, 96 * 2 * 2 * 64 * 25, 6],
      ['sigmoid2', 'sigmoid', 'c2', [96, 2, 2], [96, 2, 2], 0, 0, 7],
      ['p2', 'pool', 'sigmoid2', [96, 1, 1], [96, 2, 2], 0, 0, 8],
      ['fc', 'dense', 'p2', [10], [96, 1, 1], 960 + 10, 960, 9],
      ['softmax1', 'softmax', 'fc', [10], [10], 0, 0, 10],
    ]);
    assert.deepEqual(a.layers[3].params, [
      { name: 'W', shape: [96, 64, 5, 5] },
      { name: 'b', shape: [96] },
    ]);
    assert.deepEqual(a.layers[6].params, [
      { name: 'W', shape: [10, 96] },
      { name: 'b', shape: [10] },
    ]);
  });

  it('seed: c2 carries δ 96×2×2 back to 64×6×6 by 96 full correlations of 2×2 with a rotated 5×5 (2+5−1 = 6)', () => {
    const c2 = check(SEED).layers[3];
    assert.equal(
      c2.rule,
      'δ(p1) 64×6×6: for each of the 64 channels c, Σ over the 96 filters k of full_corr(δ(c2)[k] 2×2, rot180(W[k,c] 5×5)) = 6×6 (2+5−1)',
    );
    assert.deepEqual(c2.paramRules, [
      'dW 96×64×5×5: dW[k,c] = Σ over the batch of valid_corr(x[c] 6×6, δ(c2)[k] 2×2) = 5×5',
      'db 96: db[k] = Σ over the batch and the 2×2 positions of δ(c2)[k]',
    ]);
  });

  it('seed: mean pooling spreads δ 6×6 over 2×2 windows to 12×12, and row and column 13 get 0', () => {
    const p1 = check(SEED).layers[2];
    assert.equal(
      p1.rule,
      'δ(sigmoid1) 64×13×13: for each of the 64 channels c, each value of δ(p1)[c] 6×6, divided by 4 (2×2), is spread over its 2×2 window: upsample(δ(p1)[c] 6×6, 2) / 4 = 12×12; row 13 and column 13 get 0',
    );
  });

  it('conv δ rule with stride, padding, dilation and groups', () => {
    const a = check('input 4x9x9\nc: conv 6 3 stride=2 pad=1 dilation=2 groups=2');
    assert.deepEqual(a.layers[0].output, [6, 4, 4]); // ⌊(9+2−2·2−1)/2⌋+1 = 4
    assert.equal(
      a.layers[0].rule,
      "δ(input) 4×9×9: for each of the 4 channels c, Σ over the 3 filters k of c's group (groups=2) of full_corr(dilate(δ(c)[k] 4×4, 2) 7×7, rot180(dilate(W[k,c] 3×3, 2) 5×5)) = 11×11 (7+5−1), cropped by the padding to 9×9",
    );
    assert.deepEqual(a.layers[0].params[0].shape, [6, 2, 3, 3]);
    assert.equal(a.layers[0].macs, 6 * 4 * 4 * 2 * 9);
  });

  it('conv δ rule zero-fills the rows a stride leaves out', () => {
    const a = check('input 1x8x8\nc: conv 1 3 stride=2');
    assert.equal(
      a.layers[0].rule,
      'δ(input) 1×8×8: for its one channel c, Σ over the 1 filter k of full_corr(dilate(δ(c)[k] 3×3, 2) 5×5, rot180(W[k,c] 3×3)) = 7×7 (5+3−1), zero-filled to 8×8 (no window reaches the rest)',
    );
  });

  it('pad=same keeps H×W at stride 1 and gives ⌈H/S⌉ at stride S; full pads D(K−1); four numbers pad each side', () => {
    assert.deepEqual(shapes('input 3x10x7\nconv 4 3x5 pad=same').conv1, [4, 10, 7]);
    assert.deepEqual(shapes('input 3x10x7\nconv 4 3 pad=same stride=3').conv1, [4, 4, 3]);
    assert.deepEqual(shapes('input 3x10x7\nconv 4 3 pad=full dilation=2').conv1, [4, 14, 11]);
    assert.deepEqual(shapes('input 3x10x7\nconv 4 3 pad=0x2x1x0').conv1, [4, 10, 6]);
    assert.deepEqual(shapes('input 3x10x7\nconv 4 3 pad=valid').conv1, [4, 8, 5]);
  });

  it('ceil mode keeps a partial last window but drops one that starts in the padding', () => {
    assert.deepEqual(shapes('input 1x13x13\npool max 2 ceil=true').pool1, [1, 7, 7]);
    assert.deepEqual(shapes('input 1x5x5\npool max 2 pad=1 ceil=true').pool1, [1, 3, 3]);
    assert.deepEqual(shapes('input 1x1x1\npool max 2 ceil=true').pool1, [1, 1, 1]);
    const rule = check('input 1x6x6\np: pool mean 3 stride=2 pad=1 ceil=true').layers[0].rule!;
    assert.match(rule, /divided by 9 \(3×3\), less for the ceil-mode windows that run past the padded input \(6, 4\)/);
  });

  it('mean pooling states the divisor it really uses when every window is cut by the padded input', () => {
    const rule = check('input 8x2x2\np: pool mean 3x3 stride=2 ceil=true').layers[0].rule!;
    assert.match(rule, /divided by 4, the part of each 3×3 window inside the padded input/);
  });

  it('dense flattens C×H×W in C,H,W order and states Wᵀδ with a reshape', () => {
    const a = check('input 2x3x4\nfc: dense 5 in=24');
    assert.deepEqual(a.diagnostics, []);
    assert.equal(a.layers[0].rule, 'δ(input) 2×3×4 = reshape(Wᵀ 24×5 · δ(fc) 5, 2×3×4)');
    assert.deepEqual(a.layers[0].params, [
      { name: 'W', shape: [5, 24] },
      { name: 'b', shape: [5] },
    ]);
  });

  it('unnamed layers count among all layers of their kind', () => {
    const s = shapes('input 3x8x8\nc1: conv 4 3\nconv 4 3\nrelu\nrelu');
    assert.deepEqual(Object.keys(s), ['c1', 'conv2', 'relu1', 'relu2']);
  });

  it('a residual DAG: from= starts a branch, add joins it, δ is shared at the fork', () => {
    const text =
      'input 8x8x8\nstem: conv 16 3 pad=1\na: conv 16 3 pad=1\nb: relu\nskip: identity from=stem\nsum: add b skip\nflatten\ndense 10\nsoftmax';
    const a = check(text);
    assert.deepEqual(a.diagnostics, []);
    const byName = Object.fromEntries(a.layers.map((l) => [l.name, l]));
    assert.deepEqual(byName.sum.inputs, ['b', 'skip']);
    assert.deepEqual(byName.sum.output, [16, 8, 8]);
    assert.deepEqual(byName.flatten1.output, [1024]);
    // stem feeds two layers, so each rule names its share of δ(stem).
    assert.match(byName.a.rule!, /^a's share of δ\(stem\) 16×8×8/);
    assert.match(byName.skip.rule!, /^skip's share of δ\(stem\) 16×8×8/);
    assert.equal(
      byName.sum.rule,
      'δ(b), δ(skip) 16×8×8 each = δ(sum) 16×8×8: a sum hands its δ to every term unchanged',
    );
  });

  it('concat adds channels and hands each input its slice of δ', () => {
    const a = check('input 3x8x8\na: conv 4 1\nb: conv 6 3 pad=same from=input\ncat: concat a b');
    assert.deepEqual(a.layers[2].output, [10, 8, 8]);
    assert.equal(
      a.layers[2].rule,
      'δ(a) = δ(cat)[0:4] 4×8×8; δ(b) = δ(cat)[4:10] 6×8×8: each input gets its own channels of δ',
    );
  });

  it('loss defaults to cross_entropy after softmax and mse otherwise; a loss statement wins', () => {
    assert.equal(check('input 4\ndense 2').loss, 'mse');
    assert.equal(check('input 4\ndense 2\nloss cross_entropy').loss, 'cross_entropy');
    assert.equal(check('input 4\ndense 2\nsoftmax').loss, 'cross_entropy');
  });

  it('sample sets the batch and seed', () => {
    assert.deepEqual(check('input 4\nsample batch=8 seed=3\ndense 2').sample, { batch: 8, seed: 3 });
  });

  it('vectors flow through activations, dropout and batchnorm', () => {
    const s = shapes('input 784\ndense 100\nbatchnorm\nleaky_relu slope=0.2\ndropout rate=0.3\ndense 10');
    assert.deepEqual(Object.values(s), [[100], [100], [100], [100], [10]]);
    const bn = check('input 6x4x4\nbatchnorm').layers[0];
    assert.deepEqual(bn.params, [
      { name: 'gamma', shape: [6] },
      { name: 'beta', shape: [6] },
    ]);
  });
});
