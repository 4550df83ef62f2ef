/**
 * dense (PyTorch's nn.Linear): y = x·Wᵀ + b with W [units, in] and x [batch, in], a C×H×W input being read
 * as its C,H,W-ordered flattening, which is simply its row-major memory. All three products go through gemm
 * with strided views, so no transpose is ever materialised.
 */
import { gemm } from './gemm.js';
import { type Floats, alloc } from './specialize.js';

/** A dense layer's sizes; `inFeatures` is C·H·W for a map input. */
export interface DenseShape {
  readonly inFeatures: number;
  readonly units: number;
  readonly bias: boolean;
}

function check(a: Floats, n: number, what: string): void {
  if (a.length !== n) throw new Error(`dense: ${what} has ${a.length} elements, expected ${n}`);
}

/** y[n,u] = Σᵢ W[u,i]·x[n,i] + b[u]; a missing bias counts as zero. */
export function denseForward<A extends Floats>(d: DenseShape, batch: number, x: A, weights: A, bias?: A | null): A {
  const { inFeatures: I, units: U } = d;
  check(x, batch * I, 'x');
  check(weights, U * I, 'W');
  const y = alloc(x, batch * U);
  gemm(
    batch,
    U,
    I,
    { data: x, offset: 0, rowStride: I, colStride: 1 },
    { data: weights, offset: 0, rowStride: 1, colStride: I },
    y,
  );
  if (bias) {
    check(bias, U, 'b');
    for (let n = 0, o = 0; n < batch; n++) for (let u = 0; u < U; u++, o++) y[o] += bias[u];
  }
  return y;
}

/** δx = δy·W, in the input's flat layout (reshape it to C×H×W as the input was). */
export function denseBackwardInput<A extends Floats>(d: DenseShape, batch: number, dy: A, weights: A): A {
  const { inFeatures: I, units: U } = d;
  check(dy, batch * U, 'δy');
  check(weights, U * I, 'W');
  const dx = alloc(dy, batch * I);
  gemm(
    batch,
    I,
    U,
    { data: dy, offset: 0, rowStride: U, colStride: 1 },
    { data: weights, offset: 0, rowStride: I, colStride: 1 },
    dx,
  );
  return dx;
}

/** dW = δyᵀ·x summed over the batch; db = Σₙ δy (null without a bias). */
export function denseBackwardParams<A extends Floats>(
  d: DenseShape,
  batch: number,
  x: A,
  dy: A,
): { dW: A; db: A | null } {
  const { inFeatures: I, units: U } = d;
  check(x, batch * I, 'x');
  check(dy, batch * U, 'δy');
  const dW = alloc(x, U * I);
  gemm(
    U,
    I,
    batch,
    { data: dy, offset: 0, rowStride: 1, colStride: U },
    { data: x, offset: 0, rowStride: I, colStride: 1 },
    dW,
  );
  let db: A | null = null;
  if (d.bias) {
    db = alloc(dy, U);
    for (let n = 0, o = 0; n < batch; n++) for (let u = 0; u < U; u++, o++) db[u] += dy[o];
  }
  return { dW, db };
}
