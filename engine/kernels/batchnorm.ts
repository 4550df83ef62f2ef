/**
 * Batch normalisation with the batch's own statistics (PyTorch's training mode, BatchNorm1d/2d): per channel,
 * mean and biased variance over the batch and every spatial position, y = γ·x̂ + β with x̂ = (x − μ)/√(σ² + ε).
 * A vector input ([batch, C]) is the spatial size 1 case. Statistics are accumulated in float64.
 *
 * The δ rule is the closed form of differentiating through μ and σ² as well as x (m values per channel):
 *   δx = (γ/√(σ²+ε)) · (δy − mean(δy) − x̂·mean(δy ⊙ x̂)),  dγ = Σ δy ⊙ x̂,  dβ = Σ δy.
 */
import { type Floats, alloc } from './specialize.js';

export interface BatchNormSaved {
  readonly mean: Float64Array;
  /** 1/√(σ² + ε) per channel. */
  readonly invStd: Float64Array;
}

export interface BatchNormResult<A extends Floats> extends BatchNormSaved {
  readonly y: A;
}

/** Per-sample shape `[C]`, `[C, H, W]` (anything after C is spatial). */
function dims(shape: readonly number[], batch: number, a: Floats, what: string): [number, number] {
  const C = shape[0] ?? 0,
    S = shape.slice(1).reduce((p, q) => p * q, 1);
  if (a.length !== batch * C * S)
    throw new Error(`batchnorm: ${what} has ${a.length} elements, expected ${batch * C * S}`);
  return [C, S];
}

export function batchNormForward<A extends Floats>(
  shape: readonly number[],
  batch: number,
  x: A,
  gamma: A,
  beta: A,
  eps = 1e-5,
): BatchNormResult<A> {
  const [C, S] = dims(shape, batch, x, 'x');
  if (gamma.length !== C || beta.length !== C) throw new Error(`batchnorm: gamma and beta need ${C} elements`);
  const m = batch * S,
    mean = new Float64Array(C),
    invStd = new Float64Array(C),
    y = alloc(x, x.length);
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let n = 0; n < batch; n++) for (let i = 0, o = (n * C + c) * S; i < S; i++) s += x[o + i];
    const mu = s / m;
    let v = 0;
    for (let n = 0; n < batch; n++) for (let i = 0, o = (n * C + c) * S; i < S; i++) v += (x[o + i] - mu) ** 2;
    const inv = 1 / Math.sqrt(v / m + eps);
    mean[c] = mu;
    invStd[c] = inv;
    const g = gamma[c] * inv,
      b = beta[c];
    for (let n = 0; n < batch; n++) for (let i = 0, o = (n * C + c) * S; i < S; i++) y[o + i] = (x[o + i] - mu) * g + b;
  }
  return { y, mean, invStd };
}

export function batchNormBackward<A extends Floats>(
  shape: readonly number[],
  batch: number,
  x: A,
  dy: A,
  gamma: A,
  saved: BatchNormSaved,
): { readonly dx: A; readonly dgamma: A; readonly dbeta: A } {
  const [C, S] = dims(shape, batch, x, 'x');
  dims(shape, batch, dy, 'δy');
  const m = batch * S,
    dx = alloc(dy, dy.length),
    dgamma = alloc(gamma, C),
    dbeta = alloc(gamma, C);
  for (let c = 0; c < C; c++) {
    const mu = saved.mean[c],
      inv = saved.invStd[c];
    let sumDy = 0,
      sumDyXhat = 0;
    for (let n = 0; n < batch; n++) {
      for (let i = 0, o = (n * C + c) * S; i < S; i++) {
        sumDy += dy[o + i];
        sumDyXhat += dy[o + i] * (x[o + i] - mu) * inv;
      }
    }
    dgamma[c] = sumDyXhat;
    dbeta[c] = sumDy;
    const k = gamma[c] * inv,
      meanDy = sumDy / m,
      meanDyXhat = sumDyXhat / m;
    for (let n = 0; n < batch; n++) {
      for (let i = 0, o = (n * C + c) * S; i < S; i++) {
        dx[o + i] = k * (dy[o + i] - meanDy - (x[o + i] - mu) * inv * meanDyXhat);
      }
    }
  }
  return { dx, dgamma, dbeta };
}
