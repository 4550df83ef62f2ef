/**
 * Group normalisation as PyTorch defines it (nn.GroupNorm(G, C, eps), affine): the C channels of each sample are
 * cut into G groups of C/G consecutive channels, and each (sample, group) is normalised by its own mean and biased
 * variance over its m = (C/G)·H·W values, x̂ = (x − μ)/√(σ² + ε); then y = γ[c]·x̂ + β[c] per channel. The
 * statistics never mix samples, so there is no training/evaluation difference. A vector input ([batch, C]) is
 * the spatial size 1 case. Statistics are accumulated in float64.
 *
 * Backward, per (sample, group), with g = δy ⊙ γ[c] (the δ of x̂), differentiating through μ and σ² as well:
 *   δx = (1/√(σ²+ε)) · (g − mean(g) − x̂·mean(g ⊙ x̂)),   dγ[c] = Σ δy ⊙ x̂,   dβ[c] = Σ δy  (over samples and H×W).
 */
import { type Floats, alloc } from './specialize.js';

export interface GroupNormSaved {
  /** Per (sample, group), sample-major: N·G values. */
  readonly mean: Float64Array;
  /** 1/√(σ² + ε) per (sample, group). */
  readonly invStd: Float64Array;
}

export interface GroupNormResult<A extends Floats> extends GroupNormSaved {
  readonly y: A;
}

/** Per-sample shape `[C]` or `[C, H, W]`: C and the spatial size S; checks the groups and the array's length. */
function dims(shape: readonly number[], groups: number, batch: number, a: Floats, what: string): [number, number] {
  const C = shape[0] ?? 0,
    S = shape.slice(1).reduce((p, q) => p * q, 1);
  if (!(groups >= 1 && C % groups === 0)) throw new Error(`groupnorm: ${groups} groups must divide ${C} channels`);
  if (a.length !== batch * C * S)
    throw new Error(`groupnorm: ${what} has ${a.length} elements, expected ${batch * C * S}`);
  return [C, S];
}

export function groupNormForward<A extends Floats>(
  shape: readonly number[],
  groups: number,
  batch: number,
  x: A,
  gamma: A,
  beta: A,
  eps = 1e-5,
): GroupNormResult<A> {
  const [C, S] = dims(shape, groups, batch, x, 'x');
  if (gamma.length !== C || beta.length !== C) throw new Error(`groupnorm: gamma and beta need ${C} elements`);
  const cg = C / groups,
    m = cg * S,
    mean = new Float64Array(batch * groups),
    invStd = new Float64Array(batch * groups);
  const y = alloc(x, x.length);
  for (let n = 0, k = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++, k++) {
      const at = (n * C + g * cg) * S;
      let s = 0;
      for (let i = at; i < at + m; i++) s += x[i];
      const mu = s / m;
      let v = 0;
      for (let i = at; i < at + m; i++) v += (x[i] - mu) ** 2;
      const inv = 1 / Math.sqrt(v / m + eps);
      mean[k] = mu;
      invStd[k] = inv;
      for (let c = 0; c < cg; c++) {
        const ch = g * cg + c,
          a = gamma[ch] * inv,
          b = beta[ch],
          o = at + c * S;
        for (let i = o; i < o + S; i++) y[i] = (x[i] - mu) * a + b;
      }
    }
  }
  return { y, mean, invStd };
}

export function groupNormBackward<A extends Floats>(
  shape: readonly number[],
  groups: number,
  batch: number,
  x: A,
  dy: A,
  gamma: A,
  saved: GroupNormSaved,
): { readonly dx: A; readonly dgamma: A; readonly dbeta: A } {
  const [C, S] = dims(shape, groups, batch, x, 'x');
  dims(shape, groups, batch, dy, 'δy');
  const cg = C / groups,
    m = cg * S,
    dx = alloc(dy, dy.length),
    dgamma = alloc(gamma, C),
    dbeta = alloc(gamma, C);
  for (let n = 0, k = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++, k++) {
      const mu = saved.mean[k],
        inv = saved.invStd[k],
        at = (n * C + g * cg) * S;
      let sumG = 0,
        sumGXhat = 0;
      for (let c = 0; c < cg; c++) {
        const ch = g * cg + c,
          o = at + c * S;
        let sDy = 0,
          sDyXhat = 0;
        for (let i = o; i < o + S; i++) {
          sDy += dy[i];
          sDyXhat += dy[i] * (x[i] - mu) * inv;
        }
        dgamma[ch] += sDyXhat;
        dbeta[ch] += sDy;
        sumG += gamma[ch] * sDy;
        sumGXhat += gamma[ch] * sDyXhat;
      }
      const meanG = sumG / m,
        meanGXhat = sumGXhat / m;
      for (let c = 0; c < cg; c++) {
        const gm = gamma[g * cg + c],
          o = at + c * S;
        for (let i = o; i < o + S; i++) dx[i] = inv * (dy[i] * gm - meanG - (x[i] - mu) * inv * meanGXhat);
      }
    }
  }
  return { dx, dgamma, dbeta };
}
