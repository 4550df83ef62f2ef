/** Evaluation of checked backward rules on one sample's arrays, with MATLAB's semantics (reshape aside: row-major). */
import type { CompiledRule } from '../analysis';
import { canonical, map1, rc, RULE_FUNCTIONS, type Tensor, zip } from './functions';
import type { BinaryOp, Expr } from './syntax';

export type { Tensor } from './functions';

/**
 * The rule's value for one assignment of the target's index variables (`at`, 0-based), given the layer's arrays
 * for one sample (x, y, dy) and its parameters: what the checks proved, computed. Index variables are 0-based
 * here; a number written as an index is 1-based, as in MATLAB.
 */
export function evaluateRule(
  rule: CompiledRule,
  arrays: Readonly<Record<string, Tensor>>,
  at: readonly number[],
): Tensor {
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
        return select(
          ev(e.base) as Tensor,
          e.subs.map((s) => (s.kind === 'var' ? vars.get(s.name)! : s.kind === 'number' ? s.value - 1 : -1)),
        );
      case 'negate':
        return map1(ev(e.arg) as Tensor, (v) => -v);
      case 'transpose': {
        const a = ev(e.arg) as Tensor,
          [r, c] = rc(a);
        const out = new Float64Array(r * c);
        for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = a.data[i * c + j];
        return { dims: [c, r], data: out };
      }
      case 'binary':
        return binary(e.op, ev(e.left) as Tensor, ev(e.right) as Tensor);
      case 'call': {
        if (e.fn === 'sum') {
          const name = (e.args[0] as { name: string }).name,
            size = rule.sums.get(e)!;
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
        const f = RULE_FUNCTIONS[e.fn];
        if (!f?.evaluate) throw new Error(`backward: no evaluation of ${e.fn}`);
        return f.evaluate(e.args.map(ev));
      }
    }
  };
  return ev(rule.expr) as Tensor;
}

function scalar(v: number): Tensor {
  return { dims: [], data: Float64Array.of(v) };
}

/** Selects along the leading dimensions: an index ≥ 0 picks one entry, −1 (':') keeps the dimension. */
function select(a: Tensor, idx: readonly number[]): Tensor {
  const rest = a.dims.slice(idx.length),
    block = rest.reduce((n, d) => n * d, 1);
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
  const sa = a.data.length === 1 && canonical(a.dims).length === 0,
    sb = b.data.length === 1 && canonical(b.dims).length === 0;
  if (op === '*' && !sa && !sb) {
    const [m, k] = rc(a),
      [, n] = rc(b),
      out = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < k; p++) {
        const v = a.data[i * k + p];
        for (let j = 0; j < n; j++) out[i * n + j] += v * b.data[p * n + j];
      }
    }
    return { dims: [m, n], data: out };
  }
  const f =
    op === '+'
      ? (x: number, y: number) => x + y
      : op === '-'
        ? (x: number, y: number) => x - y
        : op === '/' || op === './'
          ? (x: number, y: number) => x / y
          : (x: number, y: number) => x * y;
  return zip(a, b, f);
}
