/**
 * Hand-written backward rules (docs/language.md, "`backward`"): the rule of `backward NAME: TARGET = EXPR`
 * is read here, in MATLAB's notation, and checked against the layer's own sizes before anything runs. Every name
 * and function must exist (`backward-unknown`), every operation's operands must fit (`backward-type`, naming both
 * shapes), and the result must have the target's shape (`backward-shape`). Where this notation can write the
 * layer's standard rule for the target, each of those diagnostics offers it as a quick fix.
 *
 * Shapes are per sample (the batch is implicit) and MATLAB's: a 1-D vector of n is an n×1 column, so trailing 1s
 * are dropped before shapes are compared (10×1 is 10, 1×1 a scalar). A rule stops at its first error: the later
 * parts of an expression whose operand is already wrong would only repeat it.
 */
import type { CompiledRule, LayerInfo } from '../analysis';
import { LAYER_KINDS } from '../layers';
import { type Shape, formatShape } from '../shape';
import type { BackwardStatement } from '../syntax';
import type { Diagnostic, Fix, TextRange } from '../text';
import { didYouMean } from '../values';
import { standardRules } from './standard';
import { type CheckedArgs, RULE_FUNCTIONS, type RuleValue, canonical, show } from './functions';
import { type BinaryOp, type Expr, type ParsedRule, RuleError, parseRule } from './syntax';

type Value = RuleValue;

/** MATLAB's view of a shape, re-exported for the code that knows it from here. */
export { canonical } from './functions';

function same(a: Shape, b: Shape): boolean {
  const x = canonical(a),
    y = canonical(b);
  return x.length === y.length && x.every((d, i) => d === y[i]);
}

/** The rows and columns of a matrix operand: a vector of n is n×1; more than 2 dimensions is an error. */
function matrix(dims: Shape, what: string, at: TextRange, need: string): [number, number] {
  const c = canonical(dims);
  if (c.length > 2) throw new RuleError('backward-type', `${need} needs a matrix; ${what} is ${formatShape(c)}`, at);
  return [c[0] ?? 1, c[1] ?? 1];
}

/** The functions of the rule language, with how each is called (for completion). */
export { RULE_FUNCTIONS } from './functions';
const FUNCTIONS = Object.keys(RULE_FUNCTIONS);

/** An index variable: its range once known, and where that came from ("dx's 64 channels (dx[c])"). */
interface Binding {
  size?: number;
  origin?: string;
}

/** The names a layer's rules may use, per sample, with their shapes. */
export function environment(layer: LayerInfo): Map<string, Shape> {
  const env = new Map<string, Shape>();
  if (layer.inputShapes.length === 1 && layer.inputShapes[0]) env.set('x', layer.inputShapes[0]);
  if (layer.output) {
    env.set('y', layer.output);
    env.set('dy', layer.output);
  }
  for (const p of layer.params) env.set(p.name, p.shape);
  return env;
}

/** Checks a parsed rule's expression against a layer; returns the result's dimensions. */
class ShapeChecker {
  private readonly scopes: Map<string, Binding>[] = [];
  /** The range of each sum's index variable, by the sum's node: what evaluation loops over. */
  readonly sums = new Map<Expr, number>();

  constructor(
    private readonly layer: LayerInfo,
    private readonly env: Map<string, Shape>,
    private readonly text: (r: TextRange) => string,
  ) {}

  /** Binds the target's index variables to the target's leading dimensions; returns what is left. */
  target(rule: ParsedRule): { dims: Shape; subject: string; per: string[]; sizes: number[] } {
    const { name, subs } = rule.target;
    const params = this.layer.params.map((p) => `d${p.name}`);
    let dims: Shape, subject: string;
    if (name === 'dx') {
      if (this.layer.inputShapes.length !== 1) {
        throw new RuleError(
          'backward-unknown',
          `${this.layer.name} has ${this.layer.inputShapes.length} inputs; a rule's dx must name one, which this version cannot`,
          rule.target.range,
        );
      }
      dims = this.env.get('x') ?? [];
      subject = 'the input';
    } else if (params.includes(name)) {
      dims = this.env.get(name.slice(1))!;
      subject = name.slice(1);
    } else {
      const targets = ['dx', ...params];
      const guess = didYouMean(name, targets);
      throw new RuleError(
        'backward-unknown',
        `'${name}' is not a target of ${this.layer.name}: ${targets.join(', ')}${guess ? `; did you mean '${guess}'?` : ''}`,
        rule.target.range,
      );
    }
    if (subs.length > dims.length) {
      throw new RuleError(
        'backward-type',
        `${name} is ${formatShape(dims)}: ${subs.length} indices are too many`,
        subs[dims.length].range,
      );
    }
    const scope = new Map<string, Binding>();
    const per: string[] = [];
    subs.forEach((s, i) => {
      const what = dimName(name, this.layer, i);
      per.push(what);
      scope.set((s as { name: string }).name, {
        size: dims[i],
        origin: `${name}'s ${dims[i]} ${what}s (${name}[${subs.map((x) => this.text(x.range)).join(',')}])`,
      });
    });
    this.scopes.push(scope);
    return { dims: dims.slice(subs.length), subject, per, sizes: dims.slice(0, subs.length) };
  }

  check(e: Expr): Value {
    switch (e.t) {
      case 'number':
        return { kind: 'array', dims: [], constant: e.value };
      case 'string':
        return { kind: 'string', value: e.value };
      case 'list': {
        const values = e.items.map((item) => {
          const v = this.check(item);
          if (v.kind !== 'array' || v.constant === undefined)
            throw new RuleError('backward-type', 'a [r c] list holds numbers', item.range);
          return v.constant;
        });
        return { kind: 'list', values };
      }
      case 'name': {
        const found = this.env.get(e.name);
        if (found) return { kind: 'array', dims: found };
        if (this.binding(e.name)) {
          throw new RuleError(
            'backward-type',
            `'${e.name}' is an index variable: it can only index, as in dy[${e.name}]`,
            e.range,
          );
        }
        if (FUNCTIONS.includes(e.name))
          throw new RuleError('backward-type', `'${e.name}' is a function: call it, as in ${e.name}(…)`, e.range);
        throw this.unknownName(e.name, e.range);
      }
      case 'index':
        return this.index(e);
      case 'negate':
        return this.array(e.arg, 'negated value');
      case 'transpose': {
        const v = this.array(e.arg, "operand of '");
        const [r, c] = matrix(v.dims, this.text(e.arg.range), e.range, `${this.text(e.arg.range)}'`);
        return { kind: 'array', dims: [c, r] };
      }
      case 'binary':
        return this.binary(e);
      case 'call':
        return this.call(e);
    }
  }

  private array(e: Expr, what: string): { kind: 'array'; dims: Shape; constant?: number } {
    const v = this.check(e);
    if (v.kind !== 'array')
      throw new RuleError(
        'backward-type',
        `the ${what} must be an array, not ${v.kind === 'string' ? 'a string' : 'a list'}`,
        e.range,
      );
    return v;
  }

  private binding(name: string): Binding | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const b = this.scopes[i].get(name);
      if (b) return b;
    }
    return undefined;
  }

  private unknownName(name: string, at: TextRange): RuleError {
    const names = [...this.env.keys()],
      all = ['x', 'y', 'dy', 'W', 'b', 'gamma', 'beta'];
    // One-letter names are all one edit apart: a guess there would be noise.
    const guess = name.length > 1 && !all.includes(name) ? didYouMean(name, names) : undefined;
    const why = all.includes(name)
      ? `${this.layer.name} (${this.layer.kind}) has no ${name}`
      : `'${name}' is not defined`;
    return new RuleError(
      'backward-unknown',
      `${why}; a rule of ${this.layer.name} can use ${names.join(', ')}${guess ? `; did you mean '${guess}'?` : ''}`,
      at,
    );
  }

  private index(e: Extract<Expr, { t: 'index' }>): Value {
    const base = this.array(e.base, 'indexed value');
    const baseText = this.text(e.base.range);
    if (e.subs.length > base.dims.length) {
      throw new RuleError(
        'backward-type',
        `${baseText} is ${show(base.dims)}: ${e.subs.length} indices are too many`,
        e.range,
      );
    }
    const kept: number[] = [];
    e.subs.forEach((s, i) => {
      const size = base.dims[i];
      if (s.kind === 'all') {
        kept.push(size);
      } else if (s.kind === 'number') {
        if (s.value < 1 || s.value > size)
          throw new RuleError(
            'backward-type',
            `${baseText}'s dimension ${i + 1} runs 1…${size}; ${s.value} is outside it`,
            s.range,
          );
      } else {
        const b = this.binding(s.name);
        if (!b) {
          const also = this.env.has(s.name) ? ` ('${s.name}' names an array, not an index)` : '';
          throw new RuleError(
            'backward-unknown',
            `index variable '${s.name}' is not bound${also}: bind it in the target, as in dx[${s.name}], or with sum(${s.name}, …)`,
            s.range,
          );
        }
        if (b.size === undefined) {
          b.size = size;
          b.origin = `the ${size} of ${baseText}[${e.subs.map((x) => this.text(x.range)).join(',')}]`;
        } else if (b.size !== size) {
          throw new RuleError(
            'backward-type',
            `'${s.name}' ranges over ${b.origin}, but ${baseText}[${e.subs.map((x) => this.text(x.range)).join(',')}] uses it for a dimension of ${size} (${baseText} is ${formatShape(base.dims)})`,
            s.range,
          );
        }
      }
    });
    return { kind: 'array', dims: [...kept, ...base.dims.slice(e.subs.length)] };
  }

  private binary(e: Extract<Expr, { t: 'binary' }>): Value {
    const a = this.array(e.left, `left operand of ${e.op}`),
      b = this.array(e.right, `right operand of ${e.op}`);
    const lt = this.text(e.left.range),
      rt = this.text(e.right.range);
    const constant =
      a.constant !== undefined && b.constant !== undefined ? fold(e.op, a.constant, b.constant) : undefined;
    const scalarA = canonical(a.dims).length === 0,
      scalarB = canonical(b.dims).length === 0;
    if (e.op === '*') {
      if (scalarA || scalarB) return { kind: 'array', dims: scalarA ? b.dims : a.dims, constant };
      const [m, k] = matrix(a.dims, lt, e.range, 'a matrix product'),
        [k2, n] = matrix(b.dims, rt, e.range, 'a matrix product');
      if (k !== k2) {
        throw new RuleError(
          'backward-type',
          `${lt} * ${rt}: inner dimensions ${k} and ${k2} differ (${lt} is ${show(a.dims)}, ${rt} is ${show(b.dims)}); for an elementwise product write .*`,
          e.range,
        );
      }
      return { kind: 'array', dims: [m, n] };
    }
    if (e.op === '/') {
      if (!scalarB)
        throw new RuleError(
          'backward-type',
          `${lt} / ${rt} divides by ${show(b.dims)}; / divides by a scalar, ./ elementwise`,
          e.range,
        );
      return { kind: 'array', dims: a.dims, constant };
    }
    return { kind: 'array', dims: this.elementwise(e.op, a.dims, b.dims, e.left, e.right, e.range), constant };
  }

  /** The shape of an elementwise operation (`.*`, `+`, max…): equal shapes, or a scalar on either side. */
  private elementwise(what: string, a: Shape, b: Shape, left: Expr, right: Expr, at: TextRange): Shape {
    if (canonical(a).length === 0) return b;
    if (canonical(b).length === 0) return a;
    if (!same(a, b)) {
      throw new RuleError(
        'backward-type',
        `${what} needs equal shapes or a scalar: ${this.text(left.range)} is ${show(a)}, ${this.text(right.range)} is ${show(b)}`,
        at,
      );
    }
    return canonical(a);
  }

  private call(e: Extract<Expr, { t: 'call' }>): Value {
    const { fn, args } = e;
    const f = Object.hasOwn(RULE_FUNCTIONS, fn) ? RULE_FUNCTIONS[fn] : undefined;
    if (!f) {
      const guess = didYouMean(fn, FUNCTIONS);
      throw new RuleError(
        'backward-unknown',
        `no function '${fn}' in backward rules${guess ? `; did you mean '${guess}'?` : ''}`,
        e.fnRange,
      );
    }
    const [lo, hi, usage] = f.arity;
    if (args.length < lo || args.length > hi)
      throw new RuleError(
        'backward-type',
        `${fn} takes ${usage}; here it has ${args.length} argument${args.length === 1 ? '' : 's'}`,
        e.range,
      );
    if (fn === 'sum') return this.sum(e);
    return f.shape(this.reader(e));
  }

  /** sum(k, E): binds k for E, whose indexing settles k's range; evaluation loops over it. */
  private sum(e: Extract<Expr, { t: 'call' }>): Value {
    const v = e.args[0];
    if (v.t !== 'name')
      throw new RuleError(
        'backward-type',
        "sum's first argument is the index variable to sum over, as in sum(k, …)",
        v.range,
      );
    if (this.env.has(v.name) || this.binding(v.name)) {
      throw new RuleError(
        'backward-type',
        `'${v.name}' is already ${this.env.has(v.name) ? 'an array' : 'an index variable'}; sum over a new name`,
        v.range,
      );
    }
    const binding: Binding = {};
    this.scopes.push(new Map([[v.name, binding]]));
    const body = this.array(e.args[1], 'summand');
    this.scopes.pop();
    if (binding.size === undefined)
      throw new RuleError('backward-type', `'${v.name}' indexes nothing in the sum, so its range is unknown`, v.range);
    this.sums.set(e, binding.size);
    return { kind: 'array', dims: body.dims };
  }

  /** A call's arguments as its function's shape rule reads them, each reader reporting at what it read. */
  private reader(e: Extract<Expr, { t: 'call' }>): CheckedArgs {
    const { fn, args } = e;
    return {
      fn,
      count: args.length,
      value: (i) => this.check(args[i]),
      array: (i, what) => this.array(args[i], what),
      matrix: (i) =>
        matrix(this.array(args[i], `argument ${i + 1} of ${fn}`).dims, this.text(args[i].range), args[i].range, fn),
      constant: (i, what, min = 1) => {
        const v = this.check(args[i]);
        if (v.kind !== 'array' || v.constant === undefined || !Number.isInteger(v.constant) || v.constant < min) {
          throw new RuleError('backward-type', `${fn}'s ${what} must be a whole number ≥ ${min}`, args[i].range);
        }
        return v.constant;
      },
      mode: (i, modes, fallback) => {
        if (args.length <= i) return fallback;
        const v = this.check(args[i]);
        if (v.kind !== 'string' || !modes.includes(v.value)) {
          throw new RuleError(
            'backward-type',
            `${fn}'s last argument is ${modes.map((m) => `'${m}'`).join(', ')}`,
            args[i].range,
          );
        }
        return v.value;
      },
      elementwise: (a, b, i, j) => this.elementwise(fn, a, b, args[i], args[j], e.range),
      text: (i) => this.text(args[i].range),
      fail: (code, message, at) => {
        throw new RuleError(code, message, at === undefined ? e.range : args[at].range);
      },
    };
  }
}

function fold(op: BinaryOp, a: number, b: number): number {
  return op === '+' ? a + b : op === '-' ? a - b : op === '/' || op === './' ? a / b : a * b;
}

/** What dimension i of a target is, for messages ("per channel"): a parameter's axes, as its kind names them. */
function dimName(target: string, layer: LayerInfo, i: number): string {
  if (target === 'dx') return (layer.inputShapes[0]?.length ?? 0) === 3 ? ['channel', 'row', 'column'][i] : 'element';
  const axes = LAYER_KINDS.get(layer.kind)?.paramAxes as Readonly<Record<string, readonly string[]>> | undefined;
  return axes?.[target.slice(1)]?.[i] ?? 'element';
}

/**
 * Reads and checks one backward statement whose layer is `layer`: the compiled rule, or its diagnostic, with the
 * layer's standard rule for the target as a quick fix where there is one. `text` is the document.
 */
export function compileRule(
  st: BackwardStatement,
  layer: LayerInfo,
  text: string,
): { rule?: CompiledRule; diagnostics: Diagnostic[] } {
  const slice = (r: TextRange) => text.slice(r.start, r.end);
  let target: string | undefined;
  try {
    const rule = parseRule(st.rule.text, st.rule.range.start);
    target = rule.target.name;
    const checker = new ShapeChecker(layer, environment(layer), slice);
    const want = checker.target(rule);
    const got = checker.check(rule.expr);
    if (got.kind !== 'array')
      throw new RuleError(
        'backward-type',
        `the rule gives ${got.kind === 'string' ? 'a string' : 'a list'}, not an array`,
        rule.expr.range,
      );
    if (!same(got.dims, want.dims)) {
      const per = want.per.length ? ` per ${want.per.join(' and ')}` : '';
      throw new RuleError(
        'backward-shape',
        `${rule.target.name} is ${show(got.dims)}${per}; ${want.subject} is ${show(want.dims)}`,
        rule.expr.range,
      );
    }
    const vars = rule.target.subs.map((v) => (v as { name: string }).name);
    return {
      rule: { layer: layer.name, target, ranges: want.sizes, vars, expr: rule.expr, sums: checker.sums },
      diagnostics: [],
    };
  } catch (e) {
    if (!(e instanceof RuleError)) throw e;
    const standard = target ? standardRules(layer)[target] : undefined;
    const fixes: Fix[] | undefined =
      standard && standard !== st.rule.text.trim()
        ? [
            {
              title: `Use ${layer.name}'s standard rule: ${standard}`,
              edits: [{ range: st.rule.range, newText: standard }],
            },
          ]
        : undefined;
    return {
      diagnostics: [
        {
          severity: 'error',
          code: e.code,
          message: `${layer.name}: ${e.message}`,
          range: e.range,
          ...(fixes && { fixes }),
        },
      ],
    };
  }
}
