/** Evaluation of checked backward rules on one sample's arrays, with MATLAB's semantics (reshape aside: row-major). */
import type { Shape } from '../shape';
import type { CompiledRule } from '../analysis';
import { canonical } from './check';
import type { BinaryOp, Expr } from './syntax';

/** A per-sample array: row-major data of `dims` (none for a scalar). */
export interface Tensor {
  readonly dims: Shape;
  readonly data: Float64Array;
}

/**
 * The rule's value for one assignment of the target's index variables (`at`, 0-based), given the layer's arrays
 * for one sample (x, y, dy) and its parameters: what the checks proved, computed. Index variables are 0-based
 * here; a number written as an index is 1-based, as in MATLAB.
 */
export function evaluateRule(rule: CompiledRule, arrays: Readonly<Record<string, Tensor>>, at: readonly number[]): Tensor {
  const vars = new Map(rule.vars.map((v, i) => [v, at[i]]));
  const ev = (e: Expr): Tensor | string | number[] => {
    switch (e.t) {
      case 'number':
        return scalar(e.value);
      case 'string':
        return e.value;
      case 'list':
        return e.items.map((item) => (ev(item) as Tensor).data[0]);
      case 'name':
        return arrays[e.name];
      case 'index':
        return select(ev(e.base) as Tensor, e.subs.map((s) => (s.kind === 'var' ? vars.get(s.name)! : s.kind === 'number' ? s.value - 1 : -1)));
      case 'negate':
        return map1(ev(e.arg) as Tensor, (v) => -v);
      case 'transpose': {
        const a = ev(e.arg) as Tensor, [r, c] = rc(a);
        const out = new Float64Array(r * c);
        for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = a.data[i * c + j];
        return { dims: [c, r], data: out };
      }
      case 'binary':
        return binary(e.op, ev(e.left) as Tensor, ev(e.right) as Tensor);
      case 'call': {
        if (e.fn === 'sum') {
          const name = (e.args[0] as { name: string }).name, size = rule.sums.get(e)!;
          let total: Tensor | undefined;
          for (let k = 0; k < size; k++) {
            vars.set(name, k);
            const term = ev(e.args[1]) as Tensor;
            if (!total) total = { dims: term.dims, data: Float64Array.from(term.data) };
            else for (let i = 0; i < term.data.length; i++) total.data[i] += term.data[i];
          }
          vars.delete(name);
          return total!;
        }
        return call(e.fn, e.args.map(ev));
      }
    }
  };
  return ev(rule.expr) as Tensor;
}

function scalar(v: number): Tensor {
  return { dims: [], data: Float64Array.of(v) };
}

/** Rows and columns of a matrix operand (a vector of n is n×1). */
function rc(a: Tensor): [number, number] {
  const c = canonical(a.dims);
  return [c[0] ?? 1, c[1] ?? 1];
}

function map1(a: Tensor, f: (v: number) => number): Tensor {
  return { dims: a.dims, data: a.data.map(f) };
}

/** Selects along the leading dimensions: an index ≥ 0 picks one entry, −1 (':') keeps the dimension. */
function select(a: Tensor, idx: readonly number[]): Tensor {
  const rest = a.dims.slice(idx.length), block = rest.reduce((n, d) => n * d, 1);
  if (idx.every((v) => v >= 0)) {
    // One block: a view, not a copy (nothing writes into a rule's values).
    const at = idx.reduce((offset, v, d) => offset * a.dims[d] + v, 0) * block;
    return { dims: rest, data: a.data.subarray(at, at + block) };
  }
  const kept = idx.flatMap((v, i) => (v < 0 ? [a.dims[i]] : []));
  const out = new Float64Array(kept.reduce((n, d) => n * d, 1) * block);
  let o = 0;
  const walk = (d: number, offset: number): void => {
    if (d === idx.length) {
      out.set(a.data.subarray(offset * block, offset * block + block), o);
      o += block;
      return;
    }
    if (idx[d] >= 0) walk(d + 1, offset * a.dims[d] + idx[d]);
    else for (let v = 0; v < a.dims[d]; v++) walk(d + 1, offset * a.dims[d] + v);
  };
  walk(0, 0);
  return { dims: [...kept, ...rest], data: out };
}

function binary(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const sa = a.data.length === 1 && canonical(a.dims).length === 0, sb = b.data.length === 1 && canonical(b.dims).length === 0;
  if (op === '*' && !sa && !sb) {
    const [m, k] = rc(a), [, n] = rc(b), out = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < k; p++) {
        const v = a.data[i * k + p];
        for (let j = 0; j < n; j++) out[i * n + j] += v * b.data[p * n + j];
      }
    }
    return { dims: [m, n], data: out };
  }
  const f = op === '+' ? (x: number, y: number) => x + y : op === '-' ? (x: number, y: number) => x - y
    : op === '/' || op === './' ? (x: number, y: number) => x / y : (x: number, y: number) => x * y;
  return zip(a, b, f);
}

/** An elementwise operation on equal shapes, or with a scalar on either side. */
function zip(a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor {
  if (a.data.length === 1 && canonical(a.dims).length === 0) return { dims: b.dims, data: b.data.map((v) => f(a.data[0], v)) };
  if (b.data.length === 1 && canonical(b.dims).length === 0) return { dims: a.dims, data: a.data.map((v) => f(v, b.data[0])) };
  return { dims: canonical(a.dims), data: a.data.map((v, i) => f(v, b.data[i])) };
}

/**
 * MATLAB's 2-D convolution (the second operand flipped), computing only the part asked for: the full result, its
 * 'valid' part (where B lies inside A) or its 'same' part (A's size, centred).
 */
function conv2(a: Tensor, b: Tensor, mode: string): Tensor {
  const [ar, ac] = rc(a), [br, bc] = rc(b);
  const [r0, c0, R, C] = mode === 'full' ? [0, 0, ar + br - 1, ac + bc - 1]
    : mode === 'valid' ? [br - 1, bc - 1, ar - br + 1, ac - bc + 1] : [Math.floor(br / 2), Math.floor(bc / 2), ar, ac];
  const out = new Float64Array(R * C);
  for (let i = 0; i < R; i++) {
    const fi = r0 + i, pLo = Math.max(0, fi - ar + 1), pHi = Math.min(br - 1, fi);
    for (let j = 0; j < C; j++) {
      const fj = c0 + j, qLo = Math.max(0, fj - ac + 1), qHi = Math.min(bc - 1, fj);
      let s = 0;
      for (let p = pLo; p <= pHi; p++) for (let q = qLo; q <= qHi; q++) s += a.data[(fi - p) * ac + fj - q] * b.data[p * bc + q];
      out[i * C + j] = s;
    }
  }
  return { dims: [R, C], data: out };
}

function rot90(a: Tensor, k: number): Tensor {
  let t = a;
  for (let turn = 0; turn < ((k % 4) + 4) % 4; turn++) {
    const [r, c] = rc(t), out = new Float64Array(r * c);
    // B(i, j) = A(j, c − 1 − i): a quarter turn counterclockwise.
    for (let i = 0; i < c; i++) for (let j = 0; j < r; j++) out[i * r + j] = t.data[j * c + c - 1 - i];
    t = { dims: [c, r], data: out };
  }
  return t;
}

function kron(a: Tensor, b: Tensor): Tensor {
  const [ar, ac] = rc(a), [br, bc] = rc(b), cols = ac * bc, out = new Float64Array(ar * br * cols);
  for (let i = 0; i < ar; i++) {
    for (let j = 0; j < ac; j++) {
      for (let p = 0; p < br; p++) for (let q = 0; q < bc; q++) out[(i * br + p) * cols + j * bc + q] = a.data[i * ac + j] * b.data[p * bc + q];
    }
  }
  return { dims: [ar * br, cols], data: out };
}

/** Zeros `pre` = [rows, columns] before and `post` after a matrix. */
function pad(a: Tensor, pre: readonly number[], post: readonly number[]): Tensor {
  const [r, c] = rc(a), R = r + pre[0] + post[0], C = c + pre[1] + post[1], out = new Float64Array(R * C);
  for (let i = 0; i < r; i++) out.set(a.data.subarray(i * c, i * c + c), (i + pre[0]) * C + pre[1]);
  return { dims: [R, C], data: out };
}

const STEP = (v: number) => (v > 0 ? 1 : 0);

function call(fn: string, args: readonly (Tensor | string | number[])[]): Tensor {
  const t = (i: number) => args[i] as Tensor, n = (i: number) => (args[i] as Tensor).data[0];
  switch (fn) {
    case 'conv2':
      return conv2(t(0), t(1), (args[2] as string | undefined) ?? 'full');
    case 'xcorr2':
      return conv2(t(0), rot90(t(1), 2), (args[2] as string | undefined) ?? 'full');
    case 'rot90':
      return rot90(t(0), args.length > 1 ? n(1) : 1);
    case 'kron':
      return kron(t(0), t(1));
    case 'ones':
    case 'zeros': {
      const h = n(0), w = args.length > 1 ? n(1) : h;
      return { dims: [h, w], data: new Float64Array(h * w).fill(fn === 'ones' ? 1 : 0) };
    }
    case 'reshape':
      return { dims: args.slice(1).map((_, i) => n(i + 1)), data: t(0).data };
    case 'padarray': {
      const [r, c] = args[1] as number[], how = (args[2] as string | undefined) ?? 'both';
      return pad(t(0), how === 'post' ? [0, 0] : [r, c], how === 'pre' ? [0, 0] : [r, c]);
    }
    case 'upsample': {
      const s = n(1);
      return kron(t(0), { dims: [s, s], data: new Float64Array(s * s).fill(1) });
    }
    case 'dilate': {
      const a = t(0), s = n(1), [r, c] = rc(a), C = (c - 1) * s + 1, out = new Float64Array(((r - 1) * s + 1) * C);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[i * s * C + j * s] = a.data[i * c + j];
      return { dims: [(r - 1) * s + 1, C], data: out };
    }
    case 'sigmoid':
      return map1(t(0), (v) => 1 / (1 + Math.exp(-v)));
    case 'tanh':
      return map1(t(0), Math.tanh);
    case 'relu':
      return map1(t(0), (v) => (v > 0 ? v : 0));
    case 'step':
      return map1(t(0), STEP);
    case 'exp':
      return map1(t(0), Math.exp);
    case 'log':
      return map1(t(0), Math.log);
    case 'max':
      return zip(t(0), t(1), Math.max);
    default:
      throw new Error(`backward: no evaluation of ${fn}`);
  }
}
