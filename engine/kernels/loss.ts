/**
 * The two losses of the language, with PyTorch's reductions: F.cross_entropy (mean over the batch) on
 * logits through a fused softmax, and F.mse_loss (mean over every element). Each returns the loss and the δ at
 * the loss's input, so a backward pass starts from it. Sums are kept in float64 whatever the element type.
 */
import { type Floats, alloc } from './specialize.js';

export interface CrossEntropyResult<A extends Floats> {
  /** Mean over the batch of −log p[label]. */
  readonly loss: number;
  /** Softmax probabilities, batch × classes. */
  readonly probs: A;
  /** δ at the logits: (p − onehot(label)) / batch. */
  readonly grad: A;
}

/**
 * Softmax + cross-entropy on logits [batch, classes]. log p is taken as z − max − log Σ exp(z − max) (a stable
 * log-sum-exp), never as log(p), so a confident wrong answer costs a finite large loss instead of ∞.
 */
export function softmaxCrossEntropy<A extends Floats>(
  batch: number,
  classes: number,
  logits: A,
  labels: ArrayLike<number>,
): CrossEntropyResult<A> {
  if (logits.length !== batch * classes)
    throw new Error(`cross_entropy: logits have ${logits.length} elements, expected ${batch * classes}`);
  if (labels.length !== batch) throw new Error(`cross_entropy: ${labels.length} labels for a batch of ${batch}`);
  const probs = alloc(logits, batch * classes),
    grad = alloc(logits, batch * classes);
  let total = 0;
  for (let n = 0; n < batch; n++) {
    const o = n * classes,
      label = labels[n];
    if (!(Number.isInteger(label) && label >= 0 && label < classes))
      throw new Error(`cross_entropy: label ${label} is not a class of ${classes}`);
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[o + c]);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[o + c] - max);
    const logSum = Math.log(sum);
    total -= logits[o + label] - max - logSum;
    for (let c = 0; c < classes; c++) {
      const p = Math.exp(logits[o + c] - max - logSum);
      probs[o + c] = p;
      grad[o + c] = (p - (c === label ? 1 : 0)) / batch;
    }
  }
  return { loss: batch > 0 ? total / batch : 0, probs, grad };
}

/** Mean over every element of (y − t)², and δ = 2(y − t)/numel. */
export function mseLoss<A extends Floats>(
  y: A,
  target: ArrayLike<number>,
): { readonly loss: number; readonly grad: A } {
  const n = y.length;
  if (target.length !== n) throw new Error(`mse: ${n} outputs against ${target.length} targets`);
  const grad = alloc(y, n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const d = y[i] - target[i];
    total += d * d;
    grad[i] = (2 * d) / n;
  }
  return { loss: n > 0 ? total / n : 0, grad };
}

/**
 * The classes of a per-sample shape and the positions each is scored at: softmax and cross-entropy run over the
 * channels (a vector's entries) separately at each of the H·W positions.
 */
export function classLayout(shape: readonly number[]): { classes: number; positions: number } {
  return { classes: shape[0], positions: shape.slice(1).reduce((a, b) => a * b, 1) };
}

/**
 * Cross-entropy over the channels of N×C×P logits (P = H·W positions, 1 for vectors), as F.cross_entropy does
 * for a map: one label per sample and position, the mean over all N·P of them. Same stable log-sum-exp.
 */
export function crossEntropy<A extends Floats>(
  batch: number,
  classes: number,
  positions: number,
  logits: A,
  labels: ArrayLike<number>,
): CrossEntropyResult<A> {
  if (positions === 1) return softmaxCrossEntropy(batch, classes, logits, labels);
  const count = batch * positions;
  if (logits.length !== count * classes)
    throw new Error(`cross_entropy: logits have ${logits.length} elements, expected ${count * classes}`);
  if (labels.length !== count) throw new Error(`cross_entropy: ${labels.length} labels for ${count} positions`);
  const probs = alloc(logits, logits.length),
    grad = alloc(logits, logits.length);
  let total = 0;
  for (let s = 0; s < count; s++) {
    const o = Math.floor(s / positions) * classes * positions + (s % positions),
      label = labels[s];
    if (!(Number.isInteger(label) && label >= 0 && label < classes))
      throw new Error(`cross_entropy: label ${label} is not a class of ${classes}`);
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[o + c * positions]);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[o + c * positions] - max);
    const logSum = Math.log(sum);
    total -= logits[o + label * positions] - max - logSum;
    for (let c = 0; c < classes; c++) {
      const p = Math.exp(logits[o + c * positions] - max - logSum);
      probs[o + c * positions] = p;
      grad[o + c * positions] = (p - (c === label ? 1 : 0)) / count;
    }
  }
  return { loss: total / count, probs, grad };
}
