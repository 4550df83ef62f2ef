/**
 * Test helpers: a seeded PRNG for data, geometry builders, relative-error comparison, a float64 central
 * difference, and direct-loop references written from PyTorch's definitions (not from the kernels' im2col
 * route), so a wrong index in im2col, col2im or the GEMM views cannot agree with them by construction.
 */
import assert from 'node:assert/strict';
import { type Axis, type ConvGeometry, type PoolGeometry, convAxis, poolAxis } from '../../../engine/geometry.js';

export { rng } from '../../random.js';

/** n uniform values in [-1, 1). */
export function randn64(next: () => number, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => next() * 2 - 1);
}

export interface ConvSpec {
  n: number;
  c: number;
  h: number;
  w: number;
  oc: number;
  kh: number;
  kw: number;
  sh?: number;
  sw?: number;
  dh?: number;
  dw?: number;
  /** [top, bottom, left, right] */
  pad?: [number, number, number, number];
  groups?: number;
  bias?: boolean;
}

export function convGeom(s: ConvSpec): ConvGeometry {
  const [pt, pb, pl, pr] = s.pad ?? [0, 0, 0, 0];
  return {
    h: convAxis(s.h, s.kh, s.sh ?? 1, s.dh ?? 1, pt, pb),
    w: convAxis(s.w, s.kw, s.sw ?? 1, s.dw ?? 1, pl, pr),
    inChannels: s.c,
    outChannels: s.oc,
    groups: s.groups ?? 1,
    bias: s.bias ?? true,
  };
}

export function convName(s: ConvSpec): string {
  const g = s.groups ?? 1;
  const pad = s.pad ? `p=[${s.pad.join(',')}]` : 'p=0';
  const stride = (s.sh ?? 1) === (s.sw ?? 1) ? `s=${s.sh ?? 1}` : `s=${s.sh ?? 1}x${s.sw ?? 1}`;
  const dil = (s.dh ?? 1) !== 1 || (s.dw ?? 1) !== 1 ? ` d=${s.dh ?? 1}x${s.dw ?? 1}` : '';
  return `x=[${s.n},${s.c},${s.h},${s.w}] w=[${s.oc},${s.c / g},${s.kh},${s.kw}] ${stride} ${pad}${dil}${g > 1 ? ` g=${g}` : ''}`;
}

export function poolGeom(
  mode: 'max' | 'mean',
  c: number,
  h: number,
  w: number,
  k: [number, number],
  s?: [number, number],
  pad: [number, number] = [0, 0],
  ceil = false,
): PoolGeometry {
  const st = s ?? k;
  return {
    h: poolAxis(h, k[0], st[0], pad[0], ceil),
    w: poolAxis(w, k[1], st[1], pad[1], ceil),
    channels: c,
    mode,
    ceil,
  };
}

/** max |a−b| / max(1e-12·scale, |b|) elementwise… reported with the worst index so a failure says where. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, what = ''): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i],
      e = expected[i];
    const err = Math.abs(a - e) / Math.max(Math.abs(e), 1e-3 * scale, 1e-300);
    if (!(err <= rel))
      assert.fail(`${what}: element ${i} is ${a}, expected ${e} (relative error ${err.toExponential(2)} > ${rel})`);
  }
}

/** Relative error of two gradient vectors as a whole: ‖a − b‖∞ / max(‖b‖∞, tiny). */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0,
    den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / Math.max(den, 1e-300);
}

/**
 * ‖actual − expected‖∞ ≤ rel·‖expected‖∞, for winograd.ts's results. Not assertClose's element-wise measure: that
 * judges an element near zero against 1e-3 of the largest, i.e. asks for an absolute error of 1e-15 (float64)
 * or 1e-7 (float32) of the largest output, about as much as rounding a few times over leaves, and sums of
 * 75–2,000 products rounded in a different order (transformed, multiplied, transformed back; the direct loops: in
 * tap order) miss that on a few elements, F(2×2, 5×5) by up to 9× (float64 8.8e-12, float32 1.6e-3 measured),
 * though their error relative to the largest output is at most 2.1e-14 (float64) and 3.2e-6 (float32). A wrong or
 * dropped transform term, or an element left unwritten, is off by far more.
 */
export function assertNear(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const err = relError(actual, expected);
  if (!(err <= rel)) {
    let worst = 0;
    for (let i = 0; i < actual.length; i++)
      if (!(Math.abs(actual[i] - expected[i]) <= Math.abs(actual[worst] - expected[worst]))) worst = i;
    assert.fail(
      `${what}: relative error ${err.toExponential(2)} > ${rel}; worst element ${worst} is ${actual[worst]}, expected ${expected[worst]}`,
    );
  }
}

/**
 * Central differences of f with respect to every element of `v` (perturbed in place, then restored), eps 1e-6.
 */
export function numericGrad(f: () => number, v: Float64Array, eps = 1e-6): Float64Array {
  const g = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const keep = v[i];
    v[i] = keep + eps;
    const up = f();
    v[i] = keep - eps;
    const down = f();
    v[i] = keep;
    g[i] = (up - down) / (2 * eps);
  }
  return g;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Every (output, tap) pair of conv2d from PyTorch's definition, y[n,o,i,j] = b[o] + Σ W[o,c',u,v]·x[n, g·icg+c',
 * i·s−p+u·d, j·s−p+v·d], as `visit(output index, weight index, input index)`; taps in the padding are skipped.
 */
function eachTap(g: ConvGeometry, n: number, visit: (yi: number, wi: number, xi: number) => void): void {
  const { h, w: wa, inChannels: C, outChannels: OC, groups } = g;
  const icg = C / groups,
    ocg = OC / groups;
  let o = 0;
  for (let s = 0; s < n; s++) {
    for (let oc = 0; oc < OC; oc++) {
      const grp = Math.floor(oc / ocg);
      for (let i = 0; i < h.out; i++) {
        for (let j = 0; j < wa.out; j++, o++) {
          for (let c = 0; c < icg; c++) {
            for (let u = 0; u < h.kernel; u++) {
              const iy = i * h.stride - h.padBefore + u * h.dilation;
              if (iy < 0 || iy >= h.size) continue;
              for (let v = 0; v < wa.kernel; v++) {
                const ix = j * wa.stride - wa.padBefore + v * wa.dilation;
                if (ix < 0 || ix >= wa.size) continue;
                visit(
                  o,
                  ((oc * icg + c) * h.kernel + u) * wa.kernel + v,
                  ((s * C + grp * icg + c) * h.size + iy) * wa.size + ix,
                );
              }
            }
          }
        }
      }
    }
  }
}

/** Direct conv2d: y = b + Σ over each output's taps of W·x. */
export function naiveConv(
  g: ConvGeometry,
  n: number,
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  b?: ArrayLike<number>,
): Float64Array {
  const P = g.h.out * g.w.out,
    y = new Float64Array(n * g.outChannels * P);
  if (b) for (let o = 0; o < y.length; o++) y[o] = b[Math.floor(o / P) % g.outChannels];
  eachTap(g, n, (yi, wi, xi) => (y[yi] += w[wi] * x[xi]));
  return y;
}

/**
 * Direct conv2d gradients from the same taps as `naiveConv`, for loss Σ y ⊙ dy: every (output, tap) pair adds
 * dy·W to δx and dy·x to dW; db sums dy.
 */
export function naiveConvGrads(
  g: ConvGeometry,
  n: number,
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  dy: ArrayLike<number>,
): { dx: Float64Array; dW: Float64Array; db: Float64Array } {
  const { h, w: wa, inChannels: C, outChannels: OC, groups } = g,
    P = h.out * wa.out;
  const dx = new Float64Array(n * C * h.size * wa.size),
    dW = new Float64Array(OC * (C / groups) * h.kernel * wa.kernel),
    db = new Float64Array(OC);
  for (let o = 0; o < n * OC * P; o++) db[Math.floor(o / P) % OC] += dy[o];
  eachTap(g, n, (yi, wi, xi) => {
    dx[xi] += dy[yi] * w[wi];
    dW[wi] += dy[yi] * x[xi];
  });
  return { dx, dW, db };
}

/** Axis with every field given, for hand-built geometry in hand-worked cases. */
export function axis(a: Omit<Axis, 'out'>, out: number): Axis {
  return { ...a, out };
}

/** NCHW → NHWC (for TensorFlow.js and ConvNetJS's HWC volumes). */
export function toNHWC(x: ArrayLike<number>, n: number, c: number, h: number, w: number): Float64Array {
  const y = new Float64Array(n * c * h * w);
  for (let s = 0; s < n; s++)
    for (let k = 0; k < c; k++)
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++) {
          y[((s * h + i) * w + j) * c + k] = x[((s * c + k) * h + i) * w + j];
        }
  return y;
}

export function fromNHWC(y: ArrayLike<number>, n: number, c: number, h: number, w: number): Float64Array {
  const x = new Float64Array(n * c * h * w);
  for (let s = 0; s < n; s++)
    for (let k = 0; k < c; k++)
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++) {
          x[((s * c + k) * h + i) * w + j] = y[((s * h + i) * w + j) * c + k];
        }
  return x;
}

/** Conv weights [oc, ic, kh, kw] → TF filter [kh, kw, ic, oc]. */
export function weightsToHWIO(w: ArrayLike<number>, oc: number, ic: number, kh: number, kw: number): Float32Array {
  const f = new Float32Array(oc * ic * kh * kw);
  for (let o = 0; o < oc; o++)
    for (let c = 0; c < ic; c++)
      for (let u = 0; u < kh; u++)
        for (let v = 0; v < kw; v++) {
          f[((u * kw + v) * ic + c) * oc + o] = w[((o * ic + c) * kh + u) * kw + v];
        }
  return f;
}

export function weightsFromHWIO(f: ArrayLike<number>, oc: number, ic: number, kh: number, kw: number): Float64Array {
  const w = new Float64Array(oc * ic * kh * kw);
  for (let o = 0; o < oc; o++)
    for (let c = 0; c < ic; c++)
      for (let u = 0; u < kh; u++)
        for (let v = 0; v < kw; v++) {
          w[((o * ic + c) * kh + u) * kw + v] = f[((u * kw + v) * ic + c) * oc + o];
        }
  return w;
}
