/**
 * The activations of DSL.md version 2, forward and backward (δx = δy ⊙ f′(x)), each as PyTorch defines it,
 * including f′ at the kinks, where PyTorch's backward formula picks a side:
 *   relu6        min(max(x, 0), 6)                      f′ = 1 on 0 < x < 6, else 0 (hardtanh_backward: 0 at 0 and 6)
 *   gelu         x·Φ(x), Φ(x) = erfc(−x/√2)/2 (exact)   f′ = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π)
 *   silu         x·σ(x)                                 f′ = σ(x)·(1 + x·(1 − σ(x)))
 *   hardswish    x·min(max(x + 3, 0), 6)/6              f′ = 0 for x < −3, x/3 + 1/2 for −3 ≤ x < 3, 1 from 3 on
 *   hardsigmoid  min(max(x + 3, 0), 6)/6                f′ = 1/6 on −3 < x < 3, else 0, where PyTorch's CPU kernel
 *                                                       takes 1/6 rounded to float32 (0.1666666716…) even in float64:
 *                                                       so does this file, to agree with it to 1e-9
 *   elu(α)       x for x > 0, α·(eˣ − 1) for x ≤ 0      f′ = 1 for x > 0, α·eˣ for x ≤ 0 (α at 0)
 * Every backward reads the forward's input x, which is what PyTorch's autograd saves for each of them.
 * Φ is taken through erfc, not as (1 + erf)/2, so gelu keeps its relative precision far left of 0.
 */
import { erfc } from './erf.js';
import { type Floats, alloc } from './specialize.js';

export type ActivationV2 =
  | { readonly kind: 'relu6' }
  | { readonly kind: 'gelu' }
  | { readonly kind: 'silu' }
  | { readonly kind: 'hardswish' }
  | { readonly kind: 'hardsigmoid' }
  | { readonly kind: 'elu'; readonly alpha: number };

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;
/** PyTorch's hardsigmoid slope: 1/6 as a float32. */
const SIXTH_F32 = Math.fround(1 / 6);

/** σ(v) without overflow: exp is only ever taken of a non-positive number. */
function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** The standard normal CDF. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * SQRT1_2);
}

/** Its density φ = Φ′. */
export function normalPdf(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

export function activationV2Forward<A extends Floats>(act: ActivationV2, x: A): A {
  const n = x.length,
    y = alloc(x, n);
  switch (act.kind) {
    case 'relu6':
      for (let i = 0; i < n; i++) y[i] = Math.min(Math.max(x[i], 0), 6);
      break;
    case 'gelu':
      for (let i = 0; i < n; i++) y[i] = x[i] * normalCdf(x[i]);
      break;
    case 'silu':
      for (let i = 0; i < n; i++) y[i] = x[i] * sigmoid(x[i]);
      break;
    case 'hardswish':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = v <= -3 ? 0 : v >= 3 ? v : (v * (v + 3)) / 6;
      }
      break;
    case 'hardsigmoid':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = v <= -3 ? 0 : v >= 3 ? 1 : v / 6 + 0.5;
      }
      break;
    case 'elu': {
      const a = act.alpha;
      for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : a * Math.expm1(x[i]);
      break;
    }
  }
  return y;
}

/** δx from the forward input x and δy. */
export function activationV2Backward<A extends Floats>(act: ActivationV2, x: A, dy: A): A {
  const n = dy.length;
  if (x.length !== n) throw new Error(`${act.kind}: x and δy lengths differ (${x.length}, ${n})`);
  const dx = alloc(dy, n);
  switch (act.kind) {
    case 'relu6':
      for (let i = 0; i < n; i++) dx[i] = x[i] > 0 && x[i] < 6 ? dy[i] : 0;
      break;
    case 'gelu':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        dx[i] = dy[i] * (normalCdf(v) + v * normalPdf(v));
      }
      break;
    case 'silu':
      for (let i = 0; i < n; i++) {
        const s = sigmoid(x[i]);
        dx[i] = dy[i] * s * (1 + x[i] * (1 - s));
      }
      break;
    case 'hardswish':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        dx[i] = v < -3 ? 0 : v < 3 ? dy[i] * (v / 3 + 0.5) : dy[i];
      }
      break;
    case 'hardsigmoid':
      for (let i = 0; i < n; i++) dx[i] = x[i] > -3 && x[i] < 3 ? dy[i] * SIXTH_F32 : 0;
      break;
    case 'elu': {
      const a = act.alpha;
      for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : dy[i] * a * Math.exp(x[i]);
      break;
    }
  }
  return dx;
}
