/**
 * The functions of the backward-rule language, each written once: its documentation (completion, hover), its
 * arity, its shape rule (read by the checker, check.ts) and its evaluation (read by evaluate.ts). A function
 * added here is known to all four; one checked one way and run another cannot happen.
 *
 * Shapes are MATLAB's (trailing 1s dropped: a vector of n is the column n×1, 1×1 a scalar), evaluation row-major.
 */
import { normalCdf, normalPdf } from '../kernels';
import { formatShape, type Shape } from '../shape';
import type { DiagnosticCode } from '../text';

/** A per-sample array: row-major data of `dims` (none for a scalar). */
export interface Tensor {
  readonly dims: Shape;
  readonly data: Float64Array;
}

/** What an expression is to the checker: an array of some shape (a scalar has none), a string, or a `[r c]` list. */
export type RuleValue =
  | {
      readonly kind: 'array';
      readonly dims: Shape;
      /** Its value, for a constant scalar. */ readonly constant?: number;
    }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'list'; readonly values: readonly number[] };

export type ArrayValue = Extract<RuleValue, { kind: 'array' }>;

/** A call's arguments as the checker reads them for a shape rule; each reader reports at the argument it reads. */
export interface CheckedArgs {
  readonly fn: string;
  readonly count: number;
  /** Argument i, whatever it is. */
  value(i: number): RuleValue;
  /** Argument i as an array (`what` names it in a message). */
  array(i: number, what: string): ArrayValue;
  /** Argument i as a matrix: its rows and columns (a vector of n is n×1). */
  matrix(i: number): [number, number];
  /** Argument i as a constant whole number ≥ min. */
  constant(i: number, what: string, min?: number): number;
  /** Argument i as one of `modes` (a string); `fallback` when it is not given. */
  mode(i: number, modes: readonly string[], fallback: string): string;
  /** The shape of an elementwise operation on arguments i and j: equal shapes, or a scalar on either side. */
  elementwise(a: Shape, b: Shape, i: number, j: number): Shape;
  /** The text of argument i. */
  text(i: number): string;
  /** Stops the check with a diagnostic at argument i, or at the whole call. */
  fail(code: DiagnosticCode, message: string, at?: number): never;
}

/** A call's arguments as evaluated: arrays, strings (modes) and `[r c]` lists. */
export type EvaluatedArgs = readonly (Tensor | string | number[])[];

export interface RuleFunction {
  /** How it is called and what it does, for completion and hover. */
  readonly doc: string;
  /** The least and most arguments it takes, and how a message describes them. */
  readonly arity: readonly [number, number, string];
  /** Its result's shape, from the arguments' (reporting through `args` what does not fit). */
  shape(args: CheckedArgs): ArrayValue;
  /** Its value. `sum` has none here: it binds an index variable, which the evaluator loops over itself. */
  evaluate?(args: EvaluatedArgs): Tensor;
}

/** MATLAB's view of a shape: trailing 1s dropped (a vector of n is the column n×1, 1×1 a scalar). */
export function canonical(dims: Shape): Shape {
  let n = dims.length;
  while (n > 0 && dims[n - 1] === 1) n--;
  return n === dims.length ? dims : dims.slice(0, n);
}

/** A shape as messages show it: canonical, or "a scalar". */
export function show(dims: Shape): string {
  const c = canonical(dims);
  return c.length === 0 ? 'a scalar' : formatShape(c);
}

/** Rows and columns of a matrix operand (a vector of n is n×1). */
export function rc(a: Tensor): [number, number] {
  const c = canonical(a.dims);
  return [c[0] ?? 1, c[1] ?? 1];
}

export function map1(a: Tensor, f: (v: number) => number): Tensor {
  return { dims: a.dims, data: a.data.map(f) };
}

const isScalar = (a: Tensor) => a.data.length === 1 && canonical(a.dims).length === 0;

/** An elementwise operation on equal shapes, or with a scalar on either side. */
export function zip(a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor {
  if (isScalar(a)) return { dims: b.dims, data: b.data.map((v) => f(a.data[0], v)) };
  if (isScalar(b)) return { dims: a.dims, data: a.data.map((v) => f(v, b.data[0])) };
  return { dims: canonical(a.dims), data: a.data.map((v, i) => f(v, b.data[i])) };
}

const arr = (dims: Shape): ArrayValue => ({ kind: 'array', dims });
const tensor = (args: EvaluatedArgs, i: number) => args[i] as Tensor;
const num = (args: EvaluatedArgs, i: number) => (args[i] as Tensor).data[0];
const modeOf = (args: EvaluatedArgs, i: number, fallback: string) => (args[i] as string | undefined) ?? fallback;

/** An elementwise function of one array. */
function elementwise(doc: string, f: (v: number) => number): RuleFunction {
  return {
    doc,
    arity: [1, 1, 'one argument'],
    shape: (a) => arr(a.array(0, `argument of ${a.fn}`).dims),
    evaluate: (args) => map1(tensor(args, 0), f),
  };
}

/** conv2's and xcorr2's shape: 'full', 'valid' (B inside A) or 'same' (A's size). */
function conv2Shape(a: CheckedArgs, modes: readonly string[]): ArrayValue {
  const [ar, ac] = a.matrix(0),
    [br, bc] = a.matrix(1);
  const how = a.mode(2, modes, 'full');
  if (how === 'full') return arr([ar + br - 1, ac + bc - 1]);
  if (how === 'same') return arr([ar, ac]);
  if (br > ar || bc > ac)
    a.fail(
      'backward-type',
      `${a.fn}(…, 'valid') needs the second matrix to fit in the first: ${br}×${bc} in ${ar}×${ac}`,
    );
  return arr([ar - br + 1, ac - bc + 1]);
}

/**
 * MATLAB's 2-D convolution (the second operand flipped), computing only the part asked for: the full result, its
 * 'valid' part (where B lies inside A) or its 'same' part (A's size, centred).
 */
function conv2(a: Tensor, b: Tensor, mode: string): Tensor {
  const [ar, ac] = rc(a),
    [br, bc] = rc(b);
  const [r0, c0, R, C] =
    mode === 'full'
      ? [0, 0, ar + br - 1, ac + bc - 1]
      : mode === 'valid'
        ? [br - 1, bc - 1, ar - br + 1, ac - bc + 1]
        : [Math.floor(br / 2), Math.floor(bc / 2), ar, ac];
  const out = new Float64Array(R * C);
  for (let i = 0; i < R; i++) {
    const fi = r0 + i,
      pLo = Math.max(0, fi - ar + 1),
      pHi = Math.min(br - 1, fi);
    for (let j = 0; j < C; j++) {
      const fj = c0 + j,
        qLo = Math.max(0, fj - ac + 1),
        qHi = Math.min(bc - 1, fj);
      let s = 0;
      for (let p = pLo; p <= pHi; p++)
        for (let q = qLo; q <= qHi; q++) s += a.data[(fi - p) * ac + fj - q] * b.data[p * bc + q];
      out[i * C + j] = s;
    }
  }
  return { dims: [R, C], data: out };
}

function rot90(a: Tensor, k: number): Tensor {
  let t = a;
  for (let turn = 0; turn < ((k % 4) + 4) % 4; turn++) {
    const [r, c] = rc(t),
      out = new Float64Array(r * c);
    // B(i, j) = A(j, c − 1 − i): a quarter turn counterclockwise.
    for (let i = 0; i < c; i++) for (let j = 0; j < r; j++) out[i * r + j] = t.data[j * c + c - 1 - i];
    t = { dims: [c, r], data: out };
  }
  return t;
}

function kron(a: Tensor, b: Tensor): Tensor {
  const [ar, ac] = rc(a),
    [br, bc] = rc(b),
    cols = ac * bc,
    out = new Float64Array(ar * br * cols);
  for (let i = 0; i < ar; i++) {
    for (let j = 0; j < ac; j++) {
      for (let p = 0; p < br; p++)
        for (let q = 0; q < bc; q++) out[(i * br + p) * cols + j * bc + q] = a.data[i * ac + j] * b.data[p * bc + q];
    }
  }
  return { dims: [ar * br, cols], data: out };
}

/** Zeros `pre` = [rows, columns] before and `post` after a matrix. */
function pad(a: Tensor, pre: readonly number[], post: readonly number[]): Tensor {
  const [r, c] = rc(a),
    R = r + pre[0] + post[0],
    C = c + pre[1] + post[1],
    out = new Float64Array(R * C);
  for (let i = 0; i < r; i++) out.set(a.data.subarray(i * c, i * c + c), (i + pre[0]) * C + pre[1]);
  return { dims: [R, C], data: out };
}

function filled(fn: 'ones' | 'zeros'): RuleFunction {
  return {
    doc: `${fn}(n) or ${fn}(h, w)`,
    arity: [1, 2, `one or two sizes, ${fn}(n) or ${fn}(h, w)`],
    shape(a) {
      const h = a.constant(0, 'size'),
        w = a.count > 1 ? a.constant(1, 'size') : h;
      return arr([h, w]);
    },
    evaluate(args) {
      const h = num(args, 0),
        w = args.length > 1 ? num(args, 1) : h;
      return { dims: [h, w], data: new Float64Array(h * w).fill(fn === 'ones' ? 1 : 0) };
    },
  };
}

export const RULE_FUNCTIONS: Readonly<Record<string, RuleFunction>> = {
  sum: {
    doc: 'sum(k, E): E summed over the index variable k',
    arity: [2, 2, 'an index variable and an expression, sum(k, E)'],
    // The checker binds k itself before it reads E (check.ts), and the evaluator loops over k.
    shape: (a) => a.fail('backward-type', 'sum is checked where its index variable is bound'),
  },
  conv2: {
    doc: "conv2(A, B, 'full'|'valid'|'same'): 2-D convolution, B flipped",
    arity: [2, 3, "two matrices and a shape, conv2(A, B, 'full')"],
    shape: (a) => conv2Shape(a, ['full', 'valid', 'same']),
    evaluate: (args) => conv2(tensor(args, 0), tensor(args, 1), modeOf(args, 2, 'full')),
  },
  xcorr2: {
    doc: "xcorr2(A, B, 'full'|'valid'): 2-D correlation, no flip",
    arity: [2, 3, "two matrices and a shape, xcorr2(A, B, 'full')"],
    shape: (a) => conv2Shape(a, ['full', 'valid']),
    evaluate: (args) => conv2(tensor(args, 0), rot90(tensor(args, 1), 2), modeOf(args, 2, 'full')),
  },
  rot90: {
    doc: 'rot90(A, k): A turned k quarter turns counterclockwise',
    arity: [1, 2, 'a matrix and a count, rot90(A, k)'],
    shape(a) {
      const [r, c] = a.matrix(0);
      const k = a.count > 1 ? a.constant(1, 'count', 0) : 1;
      return arr(k % 2 ? [c, r] : [r, c]);
    },
    evaluate: (args) => rot90(tensor(args, 0), args.length > 1 ? num(args, 1) : 1),
  },
  kron: {
    doc: 'kron(A, B): Kronecker product',
    arity: [2, 2, 'two matrices'],
    shape(a) {
      const [ar, ac] = a.matrix(0),
        [br, bc] = a.matrix(1);
      return arr([ar * br, ac * bc]);
    },
    evaluate: (args) => kron(tensor(args, 0), tensor(args, 1)),
  },
  ones: filled('ones'),
  zeros: filled('zeros'),
  // With ones, it writes block sums as matrix products: kron(eye(h), ones(1, f)) * A sums each f rows of A.
  eye: {
    doc: 'eye(n): the n×n identity',
    arity: [1, 1, 'a size, eye(n)'],
    shape(a) {
      const n = a.constant(0, 'size');
      return arr([n, n]);
    },
    evaluate(args) {
      const n = num(args, 0),
        data = new Float64Array(n * n);
      for (let i = 0; i < n; i++) data[i * n + i] = 1;
      return { dims: [n, n], data };
    },
  },
  reshape: {
    doc: 'reshape(A, d1, d2, …): row-major, as flatten',
    arity: [2, Infinity, 'an array and its new sizes'],
    shape(a) {
      const from = a.array(0, 'argument 1 of reshape').dims;
      const dims = Array.from({ length: a.count - 1 }, (_, i) => a.constant(i + 1, 'size'));
      const n = from.reduce((p, d) => p * d, 1),
        m = dims.reduce((p, d) => p * d, 1);
      if (n !== m)
        a.fail(
          'backward-type',
          `reshape keeps the element count: ${a.text(0)} is ${show(from)} (${n}), ${formatShape(dims)} is ${m}`,
        );
      return arr(dims);
    },
    evaluate: (args) => ({ dims: args.slice(1).map((_, i) => num(args, i + 1)), data: tensor(args, 0).data }),
  },
  padarray: {
    doc: "padarray(A, [r c], 'pre'|'post'|'both'): zeros around A",
    arity: [2, 3, "a matrix, [rows columns] and 'pre', 'post' or 'both'"],
    shape(a) {
      const [r, c] = a.matrix(0);
      const amounts = a.value(1);
      if (
        amounts.kind !== 'list' ||
        amounts.values.length !== 2 ||
        amounts.values.some((v) => !Number.isInteger(v) || v < 0)
      ) {
        return a.fail('backward-type', "padarray's second argument is [rows columns], two whole numbers", 1);
      }
      const times = a.mode(2, ['pre', 'post', 'both'], 'both') === 'both' ? 2 : 1;
      return arr([r + times * amounts.values[0], c + times * amounts.values[1]]);
    },
    evaluate(args) {
      const [r, c] = args[1] as number[],
        how = modeOf(args, 2, 'both');
      return pad(tensor(args, 0), how === 'post' ? [0, 0] : [r, c], how === 'pre' ? [0, 0] : [r, c]);
    },
  },
  upsample: {
    doc: 'upsample(A, s): kron(A, ones(s))',
    arity: [2, 2, 'a matrix and a factor, upsample(A, s)'],
    shape(a) {
      const [r, c] = a.matrix(0),
        s = a.constant(1, 'factor');
      return arr([r * s, c * s]);
    },
    evaluate(args) {
      const s = num(args, 1);
      return kron(tensor(args, 0), { dims: [s, s], data: new Float64Array(s * s).fill(1) });
    },
  },
  dilate: {
    doc: 'dilate(A, s): s − 1 zeros between entries',
    arity: [2, 2, 'a matrix and a factor, dilate(A, s)'],
    shape(a) {
      const [r, c] = a.matrix(0),
        s = a.constant(1, 'factor');
      return arr([(r - 1) * s + 1, (c - 1) * s + 1]);
    },
    evaluate(args) {
      const a = tensor(args, 0),
        s = num(args, 1),
        [r, c] = rc(a),
        C = (c - 1) * s + 1,
        out = new Float64Array(((r - 1) * s + 1) * C);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[i * s * C + j * s] = a.data[i * c + j];
      return { dims: [(r - 1) * s + 1, C], data: out };
    },
  },
  sigmoid: elementwise('sigmoid(A), elementwise', (v) => 1 / (1 + Math.exp(-v))),
  tanh: elementwise('tanh(A), elementwise', Math.tanh),
  relu: elementwise('relu(A), elementwise', (v) => (v > 0 ? v : 0)),
  step: elementwise('step(A): 1 where A > 0, else 0', (v) => (v > 0 ? 1 : 0)),
  exp: elementwise('exp(A), elementwise', Math.exp),
  // Φ and its derivative φ, as gelu's kernel takes them (engine/kernels/activationV2.ts), so its rule is exact.
  normcdf: elementwise('normcdf(A): Φ, the standard normal distribution function, elementwise', normalCdf),
  normpdf: elementwise('normpdf(A): φ = Φ′, the standard normal density, elementwise', normalPdf),
  log: elementwise('log(A), elementwise', Math.log),
  max: {
    doc: 'max(A, B), elementwise',
    arity: [2, 2, 'two arrays of one shape, or an array and a scalar'],
    shape(a) {
      const x = a.array(0, 'argument 1 of max'),
        y = a.array(1, 'argument 2 of max');
      const dims = a.elementwise(x.dims, y.dims, 0, 1);
      return {
        kind: 'array',
        dims,
        ...(x.constant !== undefined && y.constant !== undefined && { constant: Math.max(x.constant, y.constant) }),
      };
    },
    evaluate: (args) => zip(tensor(args, 0), tensor(args, 1), Math.max),
  },
};
