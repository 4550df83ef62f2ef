/**
 * Adaptive pooling as PyTorch defines it (nn.AdaptiveMaxPool2d, nn.AdaptiveAvgPool2d) on N×C×H×W, output
 * [N, C, OH, OW]: along each axis, output o pools input indices
 *   ⌊o·size/out⌋ ≤ i < ⌈(o + 1)·size/out⌉,
 * so windows vary in length and overlap wherever out does not divide size (7 → 3: [0, 3), [2, 5), [4, 7)).
 * Global pooling is the out = 1×1 case. Mean divides each window's sum by its own area; max takes the FIRST
 * maximum in row-major window order on ties, as max pooling does (a NaN wins, the last one if several), and the backward adds δy to
 * the winner's δx, so an element that wins two overlapping windows gets both.
 */
import { type Floats, alloc } from './specialize.js';

export interface AdaptivePoolGeometry {
  readonly channels: number;
  readonly H: number;
  readonly W: number;
  readonly OH: number;
  readonly OW: number;
}

/** Window o along an axis of `size` cut into `out`: [start, end). */
export function adaptiveWindow(size: number, out: number, o: number): [number, number] {
  return [Math.floor((o * size) / out), Math.ceil(((o + 1) * size) / out)];
}

function tables(size: number, out: number): [Int32Array, Int32Array] {
  const lo = new Int32Array(out),
    hi = new Int32Array(out);
  for (let o = 0; o < out; o++) [lo[o], hi[o]] = adaptiveWindow(size, out, o);
  return [lo, hi];
}

function planes(g: AdaptivePoolGeometry, batch: number, a: Floats, what: string, input: boolean): number {
  if (g.OH < 1 || g.OW < 1 || g.H < 1 || g.W < 1)
    throw new Error(`adaptive pool: sizes ${g.H}×${g.W} → ${g.OH}×${g.OW} must be positive`);
  const n = batch * g.channels * (input ? g.H * g.W : g.OH * g.OW);
  if (a.length !== n) throw new Error(`adaptive pool: ${what} has ${a.length} elements, expected ${n}`);
  return batch * g.channels;
}

export interface AdaptiveMaxResult<A extends Floats> {
  readonly y: A;
  /** Flat index into x (over the whole batch) of each output's winner. */
  readonly argmax: Int32Array;
}

export function adaptiveMaxPoolForward<A extends Floats>(
  g: AdaptivePoolGeometry,
  batch: number,
  x: A,
): AdaptiveMaxResult<A> {
  const P = planes(g, batch, x, 'x', true),
    { H, W, OH, OW } = g;
  const [hLo, hHi] = tables(H, OH),
    [wLo, wHi] = tables(W, OW);
  const y = alloc(x, P * OH * OW),
    argmax = new Int32Array(P * OH * OW);
  for (let p = 0, o = 0; p < P; p++) {
    const base = p * H * W;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++, o++) {
        let idx = base + hLo[oy] * W + wLo[ox],
          best = x[idx];
        for (let iy = hLo[oy]; iy < hHi[oy]; iy++) {
          for (let ix = wLo[ox], i = base + iy * W + ix; ix < wHi[ox]; ix++, i++) {
            const v = x[i];
            if (v > best || v !== v) {
              best = v;
              idx = i;
            }
          }
        }
        y[o] = best;
        argmax[o] = idx;
      }
    }
  }
  return { y, argmax };
}

/** δx: each δy added to its window's winner. */
export function adaptiveMaxPoolBackward<A extends Floats>(
  g: AdaptivePoolGeometry,
  batch: number,
  dy: A,
  argmax: Int32Array,
): A {
  const P = planes(g, batch, dy, 'δy', false),
    dx = alloc(dy, P * g.H * g.W);
  if (argmax.length !== dy.length)
    throw new Error(`adaptive pool: argmax has ${argmax.length} elements, expected ${dy.length}`);
  for (let o = 0; o < dy.length; o++) dx[argmax[o]] += dy[o];
  return dx;
}

export function adaptiveMeanPoolForward<A extends Floats>(g: AdaptivePoolGeometry, batch: number, x: A): A {
  const P = planes(g, batch, x, 'x', true),
    { H, W, OH, OW } = g;
  const [hLo, hHi] = tables(H, OH),
    [wLo, wHi] = tables(W, OW),
    y = alloc(x, P * OH * OW);
  for (let p = 0, o = 0; p < P; p++) {
    const base = p * H * W;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++, o++) {
        let s = 0;
        for (let iy = hLo[oy]; iy < hHi[oy]; iy++) {
          for (let i = base + iy * W + wLo[ox], e = base + iy * W + wHi[ox]; i < e; i++) s += x[i];
        }
        y[o] = s / ((hHi[oy] - hLo[oy]) * (wHi[ox] - wLo[ox]));
      }
    }
  }
  return y;
}

/** δx: each δy divided by its window's area and added to every element of the window. */
export function adaptiveMeanPoolBackward<A extends Floats>(g: AdaptivePoolGeometry, batch: number, dy: A): A {
  const P = planes(g, batch, dy, 'δy', false),
    { H, W, OH, OW } = g;
  const [hLo, hHi] = tables(H, OH),
    [wLo, wHi] = tables(W, OW),
    dx = alloc(dy, P * H * W);
  for (let p = 0, o = 0; p < P; p++) {
    const base = p * H * W;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++, o++) {
        const v = dy[o] / ((hHi[oy] - hLo[oy]) * (wHi[ox] - wLo[ox]));
        for (let iy = hLo[oy]; iy < hHi[oy]; iy++) {
          for (let i = base + iy * W + wLo[ox], e = base + iy * W + wHi[ox]; i < e; i++) dx[i] += v;
        }
      }
    }
  }
  return dx;
}
