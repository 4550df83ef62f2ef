/**
 * `mul` (PyTorch's a * b): the elementwise product of two tensors of one shape (δa = δy ⊙ b, δb = δy ⊙ a), and
 * with channel broadcast, y[n, c, h, w] = x[n, c, h, w] · s[n, c], the product of squeeze-and-excitation
 * (x * s with s of shape [N, C, 1, 1], or [N, C] viewed as that). The per-sample scale s is one value per
 * channel, whether the network gives it as C×1×1 or as a vector of C; both are laid out as N×C.
 * Backward: δx = δy · s (broadcast again), δs[n, c] = Σ over H×W of δy ⊙ x (broadcasting's adjoint is the sum).
 */
import { type Floats, alloc } from './specialize.js';

function sizes(batch: number, C: number, S: number, x: Floats, s: Floats, what: string): void {
  if (x.length !== batch * C * S) throw new Error(`mul: ${what} has ${x.length} elements, expected ${batch * C * S}`);
  if (s.length !== batch * C) throw new Error(`mul: the scale has ${s.length} elements, expected ${batch * C}`);
}

/** y = x ⊙ s broadcast over the S = H·W positions of each channel. */
export function channelMulForward<A extends Floats>(batch: number, C: number, S: number, x: A, s: A): A {
  sizes(batch, C, S, x, s, 'x');
  const y = alloc(x, x.length);
  for (let k = 0, o = 0; k < batch * C; k++) {
    const v = s[k];
    for (let e = o + S; o < e; o++) y[o] = x[o] * v;
  }
  return y;
}

/** δx = δy ⊙ s broadcast; δs = Σ over each channel's positions of δy ⊙ x. */
export function channelMulBackward<A extends Floats>(
  batch: number,
  C: number,
  S: number,
  x: A,
  s: A,
  dy: A,
): { readonly dx: A; readonly ds: A } {
  sizes(batch, C, S, x, s, 'x');
  sizes(batch, C, S, dy, s, 'δy');
  const dx = alloc(dy, dy.length),
    ds = alloc(dy, batch * C);
  for (let k = 0, o = 0; k < batch * C; k++) {
    const v = s[k];
    let acc = 0;
    for (let e = o + S; o < e; o++) {
      dx[o] = dy[o] * v;
      acc += dy[o] * x[o];
    }
    ds[k] = acc;
  }
  return { dx, ds };
}

/** y = a ⊙ b, same shapes. */
export function mulForward<A extends Floats>(a: A, b: A): A {
  if (a.length !== b.length) throw new Error(`mul: operands have ${a.length} and ${b.length} elements`);
  const y = alloc(a, a.length);
  for (let i = 0; i < a.length; i++) y[i] = a[i] * b[i];
  return y;
}

/** δa = δy ⊙ b, δb = δy ⊙ a. */
export function mulBackward<A extends Floats>(a: A, b: A, dy: A): { readonly da: A; readonly db: A } {
  if (a.length !== dy.length || b.length !== dy.length) throw new Error(`mul: operands and δy lengths differ`);
  const da = alloc(dy, dy.length),
    db = alloc(dy, dy.length);
  for (let i = 0; i < dy.length; i++) {
    da[i] = dy[i] * b[i];
    db[i] = dy[i] * a[i];
  }
  return { da, db };
}
