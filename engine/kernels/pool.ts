/**
 * Max and mean pooling with PyTorch's rules (MaxPool2d, AvgPool2d with count_include_pad=True, ceil_mode).
 * Window starts and mean divisors are read from geometry.ts (windowStart, meanDivisor) into per-axis tables,
 * so a ceil-mode window that runs past the padded input divides by exactly what shape inference says.
 *
 * Max pooling pads with −∞ (padding never wins) and breaks ties toward the FIRST maximum in row-major window
 * order, as PyTorch's CPU kernel does (`val > max || isnan(val)`): a NaN wins and propagates.
 *
 * Kinks. A max window is not differentiable where its winner is tied; a central difference with step ε
 * crosses that kink whenever the winner's lead over the runner-up is below ε, because moving either of the
 * two by ε can swap them. So the forward can also report, per window, `gap` = winner − runner-up and the
 * runner-up's index, which is all a gradient check needs to flag the window (`maxPoolKinks`).
 */
import { type Axis, type PoolGeometry, meanDivisor, windowStart } from '../geometry.js';
import { type Floats, alloc, perType } from './specialize.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * The forward that a run needs: winners only. Tables: window o reads taps tLo[o] ≤ t < tHi[o] of its axis.
 * The winner is tracked by index with a bit-mask select and its value re-read, instead of `if (v > best)`:
 * on real data the winner's position is random, and the mispredicted branch cost 2.5× the time. A full 2×2
 * window, the most common pool by far, is unrolled.
 */
function maxPoolForwardTemplate(
  x: any,
  y: any,
  argmax: Int32Array,
  planes: number,
  H: number,
  W: number,
  OH: number,
  OW: number,
  dh: number,
  dw: number,
  hStart: Int32Array,
  hLo: Int32Array,
  hHi: Int32Array,
  wStart: Int32Array,
  wLo: Int32Array,
  wHi: Int32Array,
): void {
  const HW = H * W,
    dhW = dh * W;
  let o = 0;
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * HW;
    for (let oy = 0; oy < OH; oy++) {
      const kyLo = hLo[oy],
        kyHi = hHi[oy],
        rowBase = base + hStart[oy] * W;
      for (let ox = 0; ox < OW; ox++, o++) {
        const kxLo = wLo[ox],
          kxHi = wHi[ox];
        let idx = rowBase + wStart[ox] + kyLo * dhW + kxLo * dw;
        let best = x[idx];
        if (kyHi - kyLo === 2 && kxHi - kxLo === 2) {
          const i1 = idx + dw,
            i2 = idx + dhW,
            i3 = i2 + dw;
          let v = x[i1],
            m = -(+(v > best) | +(v !== v));
          idx = (idx & ~m) | (i1 & m);
          best = x[idx];
          v = x[i2];
          m = -(+(v > best) | +(v !== v));
          idx = (idx & ~m) | (i2 & m);
          best = x[idx];
          v = x[i3];
          m = -(+(v > best) | +(v !== v));
          idx = (idx & ~m) | (i3 & m);
          best = x[idx];
        } else if (kyLo < kyHi && kxLo < kxHi) {
          for (let ky = kyLo, row = idx; ky < kyHi; ky++, row += dhW) {
            for (let kx = kxLo, i = row; kx < kxHi; kx++, i += dw) {
              const v = x[i],
                m = -(+(v > best) | +(v !== v));
              idx = (idx & ~m) | (i & m);
              best = x[idx];
            }
          }
        } else {
          best = -Infinity;
          idx = -1;
        }
        y[o] = best;
        argmax[o] = idx;
      }
    }
  }
}

/** The forward that a gradient check needs: winners, plus each window's runner-up and the gap between them. */
function maxPoolGapsTemplate(
  x: any,
  y: any,
  argmax: Int32Array,
  gap: Float64Array,
  second: Int32Array,
  planes: number,
  H: number,
  W: number,
  OH: number,
  OW: number,
  dh: number,
  dw: number,
  hStart: Int32Array,
  hLo: Int32Array,
  hHi: Int32Array,
  wStart: Int32Array,
  wLo: Int32Array,
  wHi: Int32Array,
): void {
  const HW = H * W;
  let o = 0;
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * HW;
    for (let oy = 0; oy < OH; oy++) {
      const kyLo = hLo[oy],
        kyHi = hHi[oy],
        rowBase = base + hStart[oy] * W;
      for (let ox = 0; ox < OW; ox++, o++) {
        const kxLo = wLo[ox],
          kxHi = wHi[ox],
          xs = rowBase + wStart[ox];
        let best = -Infinity,
          idx = -1,
          run = -Infinity,
          runIdx = -1;
        for (let ky = kyLo; ky < kyHi; ky++) {
          const row = xs + ky * dh * W;
          for (let kx = kxLo; kx < kxHi; kx++) {
            const i = row + kx * dw,
              v = x[i];
            if (idx < 0 || v > best || v !== v) {
              if (idx >= 0 && best === best) {
                run = best;
                runIdx = idx;
              }
              best = v;
              idx = i;
            } else if (runIdx < 0 || v > run) {
              run = v;
              runIdx = i;
            }
          }
        }
        y[o] = best;
        argmax[o] = idx;
        gap[o] = runIdx < 0 ? Infinity : best - run;
        second[o] = runIdx;
      }
    }
  }
}

function meanPoolForwardTemplate(
  x: any,
  y: any,
  planes: number,
  H: number,
  W: number,
  OH: number,
  OW: number,
  hStart: Int32Array,
  hLo: Int32Array,
  hHi: Int32Array,
  wStart: Int32Array,
  wLo: Int32Array,
  wHi: Int32Array,
  hDiv: Float64Array,
  wDiv: Float64Array,
): void {
  const HW = H * W;
  let o = 0;
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * HW;
    for (let oy = 0; oy < OH; oy++) {
      const y0 = hStart[oy] + hLo[oy],
        y1 = hStart[oy] + hHi[oy];
      for (let ox = 0; ox < OW; ox++, o++) {
        const x0 = wStart[ox] + wLo[ox],
          x1 = wStart[ox] + wHi[ox];
        let s = 0;
        if (y1 - y0 === 2 && x1 - x0 === 2) {
          const i = base + y0 * W + x0;
          s = x[i] + x[i + 1] + x[i + W] + x[i + W + 1];
        } else {
          for (let iy = y0; iy < y1; iy++) {
            const row = base + iy * W;
            for (let ix = x0; ix < x1; ix++) s += x[row + ix];
          }
        }
        y[o] = s / (hDiv[oy] * wDiv[ox]);
      }
    }
  }
}

function meanPoolBackwardTemplate(
  dy: any,
  dx: any,
  planes: number,
  H: number,
  W: number,
  OH: number,
  OW: number,
  hStart: Int32Array,
  hLo: Int32Array,
  hHi: Int32Array,
  wStart: Int32Array,
  wLo: Int32Array,
  wHi: Int32Array,
  hDiv: Float64Array,
  wDiv: Float64Array,
): void {
  const HW = H * W;
  let o = 0;
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * HW;
    for (let oy = 0; oy < OH; oy++) {
      const y0 = hStart[oy] + hLo[oy],
        y1 = hStart[oy] + hHi[oy];
      for (let ox = 0; ox < OW; ox++, o++) {
        const x0 = wStart[ox] + wLo[ox],
          x1 = wStart[ox] + wHi[ox];
        const v = dy[o] / (hDiv[oy] * wDiv[ox]);
        for (let iy = y0; iy < y1; iy++) {
          const row = base + iy * W;
          for (let ix = x0; ix < x1; ix++) dx[row + ix] += v;
        }
      }
    }
  }
}

function maxPoolBackwardTemplate(dy: any, argmax: Int32Array, dx: any, n: number): void {
  for (let o = 0; o < n; o++) {
    const i = argmax[o];
    if (i >= 0) dx[i] += dy[o];
  }
}
/* eslint-enable @typescript-eslint/no-explicit-any */

// Smoke geometry: a 3×3 plane, 2×2 windows, stride 2, padding 1 (four windows, three of them clipped).
const SMOKE_AXIS: Axis = { size: 3, kernel: 2, stride: 2, dilation: 1, padBefore: 1, padAfter: 1, out: 2 };
const SMOKE_X = [1, 5, 2, 7, 3, 3, 0, 9, 4];

const maxFwd = perType(maxPoolForwardTemplate, (f, T) => {
  const t = windowTable(SMOKE_AXIS),
    y = new T(4),
    arg = new Int32Array(4);
  f(T.from(SMOKE_X), y, arg, 1, 3, 3, 2, 2, 1, 1, t.start, t.lo, t.hi, t.start, t.lo, t.hi);
  return y.join() === '1,5,7,9' && arg.join() === '0,1,3,7';
});
const maxGaps = perType(maxPoolGapsTemplate, (f, T) => {
  const t = windowTable(SMOKE_AXIS),
    y = new T(4),
    arg = new Int32Array(4),
    gap = new Float64Array(4),
    sec = new Int32Array(4);
  f(T.from(SMOKE_X), y, arg, gap, sec, 1, 3, 3, 2, 2, 1, 1, t.start, t.lo, t.hi, t.start, t.lo, t.hi);
  return (
    y.join() === '1,5,7,9' && arg.join() === '0,1,3,7' && gap.join() === 'Infinity,3,7,5' && sec.join() === '-1,2,6,8'
  );
});
const maxBwd = perType(maxPoolBackwardTemplate, (f, T) => {
  const dx = new T(3);
  f(T.of(1, 2), Int32Array.of(2, 2), dx, 2);
  return dx[2] === 3;
});
const meanFwd = perType(meanPoolForwardTemplate, (f, T) => {
  const t = windowTable(SMOKE_AXIS),
    d = divisors(SMOKE_AXIS),
    y = new T(4);
  f(T.from(SMOKE_X), y, 1, 3, 3, 2, 2, t.start, t.lo, t.hi, t.start, t.lo, t.hi, d, d);
  return y.join() === '0.25,1.75,1.75,4.75';
});
const meanBwd = perType(meanPoolBackwardTemplate, (f, T) => {
  const t = windowTable(SMOKE_AXIS),
    d = divisors(SMOKE_AXIS),
    dx = new T(9);
  f(T.of(4, 4, 4, 8), dx, 1, 3, 3, 2, 2, t.start, t.lo, t.hi, t.start, t.lo, t.hi, d, d);
  return dx.join() === '1,1,1,1,2,2,1,2,2';
});

/** Per window o of an axis: its first tap's input index, and the taps lo[o] ≤ t < hi[o] that land inside the input. */
interface WindowTable {
  readonly start: Int32Array;
  readonly lo: Int32Array;
  readonly hi: Int32Array;
}

function windowTable(axis: Axis): WindowTable {
  const n = Math.max(0, axis.out),
    start = new Int32Array(n),
    lo = new Int32Array(n),
    hi = new Int32Array(n);
  for (let o = 0; o < n; o++) {
    const s = windowStart(axis, o);
    let a = 0;
    while (a < axis.kernel && s + a * axis.dilation < 0) a++;
    let z = a;
    while (z < axis.kernel && s + z * axis.dilation < axis.size) z++;
    start[o] = s;
    lo[o] = a;
    hi[o] = z;
  }
  return { start, lo, hi };
}

function divisors(axis: Axis): Float64Array {
  const d = new Float64Array(Math.max(0, axis.out));
  for (let o = 0; o < d.length; o++) d[o] = meanDivisor(axis, o);
  return d;
}

interface PoolPlan {
  readonly planes: number;
  readonly H: number;
  readonly W: number;
  readonly OH: number;
  readonly OW: number;
  readonly h: WindowTable;
  readonly w: WindowTable;
  /** Elements of x (δx) and of y (δy). */
  readonly inputs: number;
  readonly outputs: number;
}

function plan(g: PoolGeometry, batch: number): PoolPlan {
  const H = g.h.size,
    W = g.w.size,
    planes = batch * g.channels,
    OH = Math.max(0, g.h.out),
    OW = Math.max(0, g.w.out);
  return {
    planes,
    H,
    W,
    OH,
    OW,
    h: windowTable(g.h),
    w: windowTable(g.w),
    inputs: planes * H * W,
    outputs: planes * OH * OW,
  };
}

function need(a: ArrayLike<number>, n: number, what: string): void {
  if (a.length !== n) throw new Error(`pool: ${what} has ${a.length} elements, expected ${n}`);
}

export interface MaxPoolResult<A extends Floats> {
  /** N×C×OH×OW window maxima. */
  readonly y: A;
  /** Per window, the flat N·C·H·W index into x of its winner (the first maximum); −1 if it read no input. */
  readonly argmax: Int32Array;
  /**
   * With `{ gaps: true }`: per window, winner − runner-up (≥ 0; exactly 0 on a tie; +∞ when the window reads a
   * single input element). A central difference of step ε is unreliable for the window when gap < ε.
   */
  readonly gap: Float64Array | null;
  /** With `{ gaps: true }`: the runner-up's flat index into x (−1 when there is none). */
  readonly runnerUp: Int32Array | null;
}

export interface MaxPoolOptions<A extends Floats> {
  /** Also compute `gap` and `runnerUp` (a little slower). */
  readonly gaps?: boolean;
  /** Output buffers to write into instead of allocating. */
  readonly y?: A;
  readonly argmax?: Int32Array;
}

export function maxPoolForward<A extends Floats>(
  g: PoolGeometry,
  batch: number,
  x: A,
  opts: MaxPoolOptions<A> = {},
): MaxPoolResult<A> {
  const p = plan(g, batch);
  need(x, p.inputs, 'x');
  const n = p.outputs,
    y = opts.y ?? alloc(x, n),
    argmax = opts.argmax ?? new Int32Array(n);
  need(y, n, 'y');
  need(argmax, n, 'argmax');
  const { h, w } = p,
    f32 = x instanceof Float32Array;
  if (opts.gaps) {
    const gap = new Float64Array(n),
      runnerUp = new Int32Array(n);
    (f32 ? maxGaps.f32 : maxGaps.f64)(
      x,
      y,
      argmax,
      gap,
      runnerUp,
      p.planes,
      p.H,
      p.W,
      p.OH,
      p.OW,
      g.h.dilation,
      g.w.dilation,
      h.start,
      h.lo,
      h.hi,
      w.start,
      w.lo,
      w.hi,
    );
    return { y, argmax, gap, runnerUp };
  }
  (f32 ? maxFwd.f32 : maxFwd.f64)(
    x,
    y,
    argmax,
    p.planes,
    p.H,
    p.W,
    p.OH,
    p.OW,
    g.h.dilation,
    g.w.dilation,
    h.start,
    h.lo,
    h.hi,
    w.start,
    w.lo,
    w.hi,
  );
  return { y, argmax, gap: null, runnerUp: null };
}

/** δx: each δy value goes to its window's winner; inputs that win no window get 0. */
export function maxPoolBackward<A extends Floats>(
  g: PoolGeometry,
  batch: number,
  dy: A,
  argmax: Int32Array,
  out?: A,
): A {
  const p = plan(g, batch);
  need(dy, p.outputs, 'δy');
  need(argmax, p.outputs, 'argmax');
  const dx = out ?? alloc(dy, p.inputs);
  need(dx, p.inputs, 'δx');
  if (out) dx.fill(0);
  (dy instanceof Float32Array ? maxBwd.f32 : maxBwd.f64)(dy, argmax, dx, p.outputs);
  return dx;
}

/**
 * Windows whose winner leads its runner-up by less than `eps` (ties included): the ones a central difference
 * of step eps may straddle. Needs a forward run with `{ gaps: true }`.
 */
export function maxPoolKinks(result: MaxPoolResult<Floats>, eps: number): Int32Array {
  if (!result.gap) throw new Error('maxPoolKinks needs maxPoolForward(…, { gaps: true })');
  const out: number[] = [];
  for (let o = 0; o < result.gap.length; o++) if (result.gap[o] < eps) out.push(o);
  return Int32Array.from(out);
}

/** Window means; the divisor counts padding but not a ceil-mode overhang past the padded input. */
export function meanPoolForward<A extends Floats>(g: PoolGeometry, batch: number, x: A, out?: A): A {
  const p = plan(g, batch);
  need(x, p.inputs, 'x');
  const y = out ?? alloc(x, p.outputs);
  need(y, p.outputs, 'y');
  (x instanceof Float32Array ? meanFwd.f32 : meanFwd.f64)(
    x,
    y,
    p.planes,
    p.H,
    p.W,
    p.OH,
    p.OW,
    p.h.start,
    p.h.lo,
    p.h.hi,
    p.w.start,
    p.w.lo,
    p.w.hi,
    divisors(g.h),
    divisors(g.w),
  );
  return y;
}

/** δx: each δy value divided by its window's divisor and spread over the window's input elements. */
export function meanPoolBackward<A extends Floats>(g: PoolGeometry, batch: number, dy: A, out?: A): A {
  const p = plan(g, batch);
  need(dy, p.outputs, 'δy');
  const dx = out ?? alloc(dy, p.inputs);
  need(dx, p.inputs, 'δx');
  if (out) dx.fill(0);
  (dy instanceof Float32Array ? meanBwd.f32 : meanBwd.f64)(
    dy,
    dx,
    p.planes,
    p.H,
    p.W,
    p.OH,
    p.OW,
    p.h.start,
    p.h.lo,
    p.h.hi,
    p.w.start,
    p.w.lo,
    p.w.hi,
    divisors(g.h),
    divisors(g.w),
  );
  return dx;
}
