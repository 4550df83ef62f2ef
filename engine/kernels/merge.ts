/**
 * The two layers with several inputs. `add` is a sum, so each input's δ is the output's δ unchanged; `concat`
 * stacks along channels, so its δ is the output's δ cut back into the inputs' channel ranges. Both hand back
 * fresh arrays, so a caller may accumulate into one input's δ without touching another's.
 */
import { type Floats, alloc } from './specialize.js';

export function addForward<A extends Floats>(inputs: readonly A[]): A {
  if (inputs.length === 0) throw new Error('add: no inputs');
  const n = inputs[0].length,
    y = alloc(inputs[0], n);
  for (const x of inputs) {
    if (x.length !== n) throw new Error(`add: inputs of ${n} and ${x.length} elements`);
    for (let i = 0; i < n; i++) y[i] += x[i];
  }
  return y;
}

/** One copy of δy per input. */
export function addBackward<A extends Floats>(dy: A, inputs: number): A[] {
  return Array.from({ length: inputs }, () => dy.slice() as A);
}

/**
 * Concatenation along channels of N×Cᵢ×S inputs (S = H·W, or 1 for vectors), `channels[i]` = Cᵢ.
 */
export function concatForward<A extends Floats>(
  batch: number,
  channels: readonly number[],
  spatial: number,
  inputs: readonly A[],
): A {
  if (inputs.length !== channels.length || inputs.length === 0) throw new Error('concat: one channel count per input');
  const total = channels.reduce((a, b) => a + b, 0),
    y = alloc(inputs[0], batch * total * spatial);
  let c0 = 0;
  inputs.forEach((x, k) => {
    const run = channels[k] * spatial;
    if (x.length !== batch * run)
      throw new Error(`concat: input ${k} has ${x.length} elements, expected ${batch * run}`);
    for (let n = 0; n < batch; n++) y.set(x.subarray(n * run, (n + 1) * run), (n * total + c0) * spatial);
    c0 += channels[k];
  });
  return y;
}

export function concatBackward<A extends Floats>(
  batch: number,
  channels: readonly number[],
  spatial: number,
  dy: A,
): A[] {
  const total = channels.reduce((a, b) => a + b, 0);
  if (dy.length !== batch * total * spatial)
    throw new Error(`concat: δy has ${dy.length} elements, expected ${batch * total * spatial}`);
  let c0 = 0;
  return channels.map((c) => {
    const run = c * spatial,
      dx = alloc(dy, batch * run);
    for (let n = 0; n < batch; n++) {
      const from = (n * total + c0) * spatial;
      dx.set(dy.subarray(from, from + run), n * run);
    }
    c0 += c;
    return dx;
  });
}
