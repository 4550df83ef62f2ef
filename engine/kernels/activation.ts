/**
 * Elementwise activations and their δ rule δx = δy ⊙ f′. Each backward takes what PyTorch's autograd saves
 * for it: relu and leaky_relu read the input x (f′ is a step at 0, and PyTorch gives the left side's slope
 * there: relu′(0) = 0, leaky_relu′(0) = slope); sigmoid and tanh read the output y, since f′ is cheapest from
 * it (σ′ = y(1−y), tanh′ = 1−y²).
 */
import { type Floats, alloc } from './specialize.js';

export type Activation =
  | { readonly kind: 'relu' }
  | { readonly kind: 'leaky_relu'; readonly slope: number }
  | { readonly kind: 'sigmoid' }
  | { readonly kind: 'tanh' }
  | { readonly kind: 'identity' };

/** σ(v) without overflow: exp is only ever taken of a non-positive number. */
function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

export function activationForward<A extends Floats>(act: Activation, x: A): A {
  const n = x.length,
    y = alloc(x, n);
  switch (act.kind) {
    case 'relu':
      for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0;
      break;
    case 'leaky_relu': {
      const s = act.slope;
      for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : x[i] * s;
      break;
    }
    case 'sigmoid':
      for (let i = 0; i < n; i++) y[i] = sigmoid(x[i]);
      break;
    case 'tanh':
      for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]);
      break;
    case 'identity':
      y.set(x);
      break;
  }
  return y;
}

/** δx from δy; `x` is the forward input and `y` its output (either may be the other's array for identity). */
export function activationBackward<A extends Floats>(act: Activation, x: A, y: A, dy: A): A {
  const n = dy.length;
  if (x.length !== n || y.length !== n)
    throw new Error(`${act.kind}: x, y and δy lengths differ (${x.length}, ${y.length}, ${n})`);
  const dx = alloc(dy, n);
  switch (act.kind) {
    case 'relu':
      for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : 0;
      break;
    case 'leaky_relu': {
      const s = act.slope;
      for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : dy[i] * s;
      break;
    }
    case 'sigmoid':
      for (let i = 0; i < n; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
      break;
    case 'tanh':
      for (let i = 0; i < n; i++) dx[i] = dy[i] * (1 - y[i] * y[i]);
      break;
    case 'identity':
      dx.set(dy);
      break;
  }
  return dx;
}
