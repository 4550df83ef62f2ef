/**
 * The local gradient check, the default: every layer's backward checked against its own forward, and every δ
 * against what the layers reading it make of theirs, one layer deep. Nothing downstream is rerun, so its cost
 * grows with the network, not with its square.
 *
 * Two checks share each perturbation of an input x (or a parameter θ) of a layer y = f(x, θ):
 *
 * - The rule check. With a seeded random upstream g, the layer's backward (built-in, hand-written or
 *   injected) gives Jᵀg; central differences through the layer alone give J·v, so ⟨g, J v⟩ must equal
 *   ⟨Jᵀg, v⟩, along one random direction v and at sampled coordinates (v = a unit vector). A failure pins
 *   a wrong rule on this layer, whatever the rest of the network does.
 * - The chain check. With the δ the backward pass actually produced at y, δ(x) must equal the sum over every
 *   layer c reading x of J_cᵀ δ(c), and the output's δ must be the loss's gradient. Checked the same way, it
 *   covers what no single layer owns: δ summed where x feeds several layers, how a merge splits δ, the fused
 *   softmax and the loss. By induction from the loss, every δ and every parameter gradient that passes is the
 *   true gradient, up to the tolerance at each step.
 *
 * A sampled coordinate moves only the outputs in its receptive field, so it runs the layer on a crop its kind
 * makes (field.ts asks the kind's hooks; a kind without them runs whole), and the kind says where it is affine,
 * where one forward per point suffices. Sharded by layer: each layer's chain check parts (its numeric sums for
 * the δs it reads) are kept apart, and `assemble` sums them over the layers and shards. Each layer's checks
 * and parts are reported as soon as it is done (`onPiece`), so a cancelled run keeps the layers it finished.
 * What is perturbed, its directions and sampled coordinates, is subjects.ts's.
 */
import type { Forward } from '../layers/kind';
import { elementCount } from '../shape';
import { type Crop, cropInput, cropParam, cropSize, evaluationsPerPoint, reaches, WINDOW_OUTPUTS } from './field';
import type { Model, ModelNode } from './model';
import { backwardOf, basePasses, type Gradients, type Pass, rerun } from './pass';
import { Random } from './random';
import { subjects } from './subjects';
import { roundingFloor, type Tolerance, type Verdict, verdict } from './verdict';
import { differs, now, unravel } from './util';

/** How the local check runs. */
export interface LocalOptions {
  readonly eps: number;
  readonly atol: number;
  readonly rtol: number;
  /** Coordinates per tensor; Infinity for every coordinate. */
  readonly samples: number;
  readonly shard?: { readonly index: number; readonly count: number };
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: { done: number; total: number; layer: string; tensor: string }) => void;
  /** Each layer's checks and chain parts when it is done, then the output's δ against the loss. */
  readonly onPiece?: (piece: LocalPiece) => void;
}

/** One compared quantity of the local check, judged: a direction (index empty) or one coordinate. */
export interface LocalPoint {
  readonly index: readonly number[];
  readonly analytic: number;
  readonly numeric: number;
  readonly verdict: Verdict;
}

/**
 * One point of the chain check of a δ, from one shard: its numeric part and the rounding it resolves, both
 * summed over the shards before the point is judged (chainVerdict).
 */
export interface ChainPoint {
  readonly index: readonly number[];
  readonly analytic: number;
  numeric: number;
  kink: boolean;
  floor: number;
}

/** The chain check's numeric part for one δ from one layer reading it: summed over its readers before it is judged. */
export interface ChainPart {
  /** The layer whose output the δ is at (or the input). */
  readonly layer: string;
  /** The layer reading it whose rule made these sums; none for the zero part of a δ no layer reads. */
  readonly reader?: string;
  readonly points: readonly ChainPoint[];
}

/**
 * The verdict on a δ's summed chain point, from the step ε alone: its parts come from several layers and
 * shards, so no smaller step can be asked for. A layer's own difference has an ε² error on the scale of that
 * layer's curvature, far below the tolerance at ε = 1e-6; the loss's curvature at a tiny probability, where
 * halving is needed, is judged where it is computed (the output's δ, with every halving verdict.ts asks).
 */
export function chainVerdict(p: ChainPoint, tol: Tolerance): Verdict {
  const v = verdict(p.analytic, [{ numeric: p.numeric, kink: p.kink }], p.floor, tol);
  return v === 'halve' ? 'fail' : v;
}

export interface LocalPart {
  readonly loss: number;
  readonly evaluations: number;
  /**
   * Checks a shard completes alone: parameter gradients (`W`), rule checks (`rule δ p1`, `rule W`), and the
   * output's δ against the loss (`δ`, by whoever checks the last layer).
   */
  readonly tensors: readonly {
    readonly layer: string;
    readonly tensor: string;
    readonly points: readonly LocalPoint[];
  }[];
  readonly chains: readonly ChainPart[];
}

/** What one layer's check adds to a LocalPart (or the output's δ against the loss, with no chains). */
export type LocalPiece = Pick<LocalPart, 'tensors' | 'chains'>;

/** One difference through one layer: ⟨g, Δy⟩/step for the rule check, ⟨δ(y), Δy⟩/step for the chain check. */
interface Sums {
  readonly rule: number;
  readonly chain: number;
  readonly kink: boolean;
  /** What each sum resolves: 64 ulps of the sum's terms over the step (verdict.ts's roundingFloor, per sum). */
  readonly ruleFloor: number;
  readonly chainFloor: number;
}

const YIELD_MS = 50;
const NOTHING: Sums = { rule: 0, chain: 0, kink: false, ruleFloor: 0, chainFloor: 0 };

/**
 * The evaluations the check does at step ε (halvings after a miss are not known in advance), per perturbed
 * subject in the order the check visits them: `rule δ x` for each input slot of each layer, each parameter
 * (its rule and chain checks share them), and the output's `δ` against the loss. A coordinate no output
 * reads (a strided conv's skipped pixel) costs nothing.
 */
export interface LocalCost {
  readonly layer: string;
  readonly tensor: string;
  readonly evaluations: number;
  /** The node run (whole for the direction, cropped for a coordinate where it can be); none for the loss. */
  readonly node?: number;
  /** Of the points, the coordinates (the rest is the direction). */
  readonly coordinates: number;
}

export function localPlan(
  model: Model,
  deltas: readonly Float64Array[],
  grads: Gradients['grads'],
  samples: number,
  mine: ReadonlySet<number> = allNodes(model),
): LocalCost[] {
  return planOf(model, subjects(model, deltas, grads, samples, mine), mine);
}

/** localPlan for subjects already drawn (the check plans the ones it perturbs). */
function planOf(model: Model, { tensors, params }: ReturnType<typeof subjects>, mine: ReadonlySet<number>) {
  const plan: LocalCost[] = [];
  const last = model.nodes.length;
  for (const node of model.nodes) {
    if (!mine.has(node.index)) continue;
    const slots = new Map<string, number>();
    for (const [j, t] of node.inputs.entries()) {
      const s = tensors[t];
      const reached = s.coords.filter((i) => reaches(node, i)).length;
      const seen = (slots.get(s.layer) ?? 0) + 1;
      slots.set(s.layer, seen);
      plan.push({
        layer: node.name,
        tensor: `rule δ ${s.layer}${seen > 1 ? ` #${seen}` : ''}`,
        evaluations: evaluationsPerPoint(node, j) * (1 + reached),
        node: node.index,
        coordinates: reached,
      });
    }
    for (const s of params[node.index])
      plan.push({
        layer: node.name,
        tensor: s.tensor,
        evaluations: evaluationsPerPoint(node, s.tensor) * (1 + s.coords.length),
        node: node.index,
        coordinates: s.coords.length,
      });
  }
  if (mine.has(last - 1))
    plan.push({
      layer: tensors[last].layer,
      tensor: 'δ',
      evaluations: 2 * (1 + tensors[last].coords.length),
      coordinates: tensors[last].coords.length,
    });
  return plan;
}

const allNodes = (model: Model) => new Set(model.nodes.map((n) => n.index));

export async function checkLocal(model: Model, options: LocalOptions): Promise<LocalPart> {
  const { eps, signal, onProgress } = options;
  const tol = { atol: options.atol, rtol: options.rtol };
  signal?.throwIfAborted();
  const {
    pass: base,
    gradients: { deltas, grads },
  } = basePasses(model);
  const mine = options.shard ? shareNodes(model, options) : allNodes(model);
  const first = !options.shard || options.shard.index === 0;
  const planned = subjects(model, deltas, grads, options.samples, mine, first);
  const { tensors: tensorSubjects, params: paramSubjects } = planned;
  const last = model.nodes.length;

  // Evaluations planned, for progress (a halving adds two).
  let total = planOf(model, planned, mine).reduce((n, p) => n + p.evaluations, 0);
  let done = 0;
  let lastYield = now();
  const tick = async (layer: string, tensor: string) => {
    // An abort from this thread (a callback) stops it at once; one from elsewhere arrives when it yields.
    signal?.throwIfAborted();
    if (now() - lastYield < YIELD_MS) return;
    onProgress?.({ done, total, layer, tensor });
    await new Promise((resolve) => setTimeout(resolve, 0));
    signal?.throwIfAborted();
    lastYield = now();
  };

  // The chain check's numeric sums for tensor t, from one layer reading it: the direction first, then each coordinate.
  const chainPoints = (t: number): ChainPoint[] => {
    const s = tensorSubjects[t];
    return [-1, ...s.coords].map((i) => ({
      index: i < 0 ? [] : unravel(i, s.shape),
      analytic: i < 0 ? dot(s.analytic, s.direction) : s.analytic[i],
      numeric: 0,
      kink: false,
      floor: 0,
    }));
  };
  const tensors: LocalPart['tensors'][number][] = [];
  const chains: ChainPart[] = [];
  /** Reports what was checked since the last piece. */
  let reported = 0;
  const piece = (parts: ChainPart[]) => {
    chains.push(...parts);
    options.onPiece?.({ tensors: tensors.slice(reported), chains: parts });
    reported = tensors.length;
  };

  // Shard 0 (or the only one) names every δ no layer reads, so that it still gets its (zero) sum.
  if (first) {
    const read = new Set(model.nodes.flatMap((n) => n.inputs));
    const unread = [...Array(last).keys()].filter((t) => !read.has(t));
    if (unread.length) piece(unread.map((t) => ({ layer: tensorSubjects[t].layer, points: chainPoints(t) })));
  }

  /**
   * A point judged by verdict.ts: the difference at ε, then at ε/2, ε/4, … while it asks (curvature or a
   * wrong rule). `at(h)` is the numeric value at step h, `floor(h)` what it resolves.
   */
  const judged = (
    index: readonly number[],
    analytic: number,
    first: { numeric: number; kink: boolean; floor: number },
    at: (h: number) => { numeric: number; kink: boolean },
  ): LocalPoint => {
    const steps = [first];
    let v = verdict(analytic, steps, first.floor, tol);
    while (v === 'halve') {
      total += 2;
      steps.push({ ...at(eps / 2 ** steps.length), floor: 0 });
      v = verdict(analytic, steps, first.floor, tol);
    }
    return { index, analytic, numeric: first.numeric, verdict: v as Verdict };
  };

  for (const node of model.nodes) {
    if (!mine.has(node.index)) continue;
    const x = node.inputs.map((t) => base.tensors[t]);
    const g = new Random(model.seed, `rule:${node.name}`).uniforms(base.tensors[node.index + 1].length, -1, 1);
    const ruled = backwardOf(model, node, x, base.forwards[node.index], g);
    const dy = deltas[node.index + 1];
    const y = base.tensors[node.index + 1];
    /**
     * Both numeric sums of one difference of step h: ⟨g, Δy⟩ and ⟨δ(y), Δy⟩ over the outputs it moved.
     * Without `minus` it is one-sided, from the unperturbed output (`out` maps the crop's outputs into it).
     */
    const differ = (
      h: number,
      plus: Forward,
      minus: Forward | undefined,
      out: Int32Array | undefined,
      linear = false,
      step = node.step,
      xp?: readonly Float64Array[],
      xm?: readonly Float64Array[],
    ): Sums => {
      done += minus ? 2 : 1;
      const { rule, chain, ruleScale, chainScale } = weigh(plus.y, minus?.y, out, linear, h, y, g, dy);
      const decide = node.kind.decisions;
      const kink =
        minus !== undefined &&
        decide !== undefined &&
        differs(decide(node.config, step, xp!, plus), decide(node.config, step, xm!, minus));
      const floor = (scale: number) => (64 * Number.EPSILON * scale) / (2 * h);
      return {
        rule,
        chain,
        kink: kink || !Number.isFinite(rule) || !Number.isFinite(chain),
        ruleFloor: floor(ruleScale),
        chainFloor: floor(chainScale),
      };
    };
    const forward = (step: typeof node.step, xs: readonly Float64Array[]) => node.kind.forward(node.config, step, xs);
    /** Perturbs the whole of input slot j (or parameter p) by ±h·v, or one coordinate of it through a crop. */
    const along = (perturbed: number | string, v: Float64Array | undefined, i: number, h = eps): Sums => {
      const crop: Crop | undefined = v
        ? undefined
        : typeof perturbed === 'number'
          ? cropInput(node, x, perturbed, i)
          : cropParam(node, x, perturbed, i);
      if (crop && !crop.step) return NOTHING;
      const where = crop?.where ?? perturbed;
      const step = crop?.step ?? node.step;
      const xs = crop?.x ?? x;
      const target = typeof where === 'number' ? xs[where] : step.params[where];
      const at = crop?.at ?? i;
      const moved = (sign: number) => {
        const values = v ? shifted(target, sign * h, v) : target.slice();
        if (!v) values[at] += sign * h;
        const xs2 = typeof where === 'number' ? xs.map((a, j) => (j === where ? values : a)) : xs;
        const step2 = typeof where === 'number' ? step : { ...step, params: { ...step.params, [where]: values } };
        return { f: forward(step2, xs2), xs: xs2, step: step2 };
      };
      const plus = moved(1);
      if (evaluationsPerPoint(node, perturbed) === 1) return differ(h, plus.f, undefined, crop?.out, crop?.linear);
      const minus = moved(-1);
      return differ(h, plus.f, minus.f, crop?.out, false, plus.step, plus.xs, minus.xs);
    };
    /** The rule check's and the chain check's points for one perturbation: each halves on its own when it misses. */
    const point = (
      perturbed: number | string,
      v: Float64Array | undefined,
      i: number,
      index: readonly number[],
      ruleAnalytic: number,
      chainAnalytic?: number,
    ) => {
      const first = along(perturbed, v, i);
      const memo = new Map<number, Sums>();
      const at = (h: number) => memo.get(h) ?? (memo.set(h, along(perturbed, v, i, h)), memo.get(h)!);
      const rule = judged(
        index,
        ruleAnalytic,
        { numeric: first.rule, kink: first.kink, floor: first.ruleFloor },
        (h) => ({ numeric: at(h).rule, kink: at(h).kink }),
      );
      const chain =
        chainAnalytic === undefined
          ? undefined
          : judged(index, chainAnalytic, { numeric: first.chain, kink: first.kink, floor: first.chainFloor }, (h) => ({
              numeric: at(h).chain,
              kink: at(h).kink,
            }));
      return { first, rule, chain };
    };

    const slots = new Map<string, number>();
    // This layer's parts of the chain checks of the δs it reads (both slots' sums in one when it reads one twice).
    const parts = new Map<number, ChainPoint[]>();
    for (const [j, t] of node.inputs.entries()) {
      const s = tensorSubjects[t];
      const sums = parts.get(t) ?? parts.set(t, chainPoints(t)).get(t)!;
      const points: LocalPoint[] = [];
      const add = (k: number, r: Sums) => (
        (sums[k].numeric += r.chain),
        (sums[k].kink ||= r.kink),
        (sums[k].floor += r.chainFloor)
      );
      const d = point(j, s.direction, 0, [], dot(ruled.dx[j], s.direction));
      points.push(d.rule);
      add(0, d.first);
      for (const [k, i] of s.coords.entries()) {
        const c = point(j, undefined, i, unravel(i, s.shape), ruled.dx[j][i]);
        points.push(c.rule);
        add(k + 1, c.first);
        await tick(node.name, `δ ${s.layer}`);
      }
      const seen = (slots.get(s.layer) ?? 0) + 1;
      slots.set(s.layer, seen);
      tensors.push({ layer: node.name, tensor: `rule δ ${s.layer}${seen > 1 ? ` #${seen}` : ''}`, points });
    }

    for (const s of paramSubjects[node.index]) {
      const p = s.tensor;
      const rule: LocalPoint[] = [];
      const chain: LocalPoint[] = [];
      const d = point(p, s.direction, 0, [], dot(ruled.grads![p], s.direction), dot(s.analytic, s.direction));
      rule.push(d.rule);
      chain.push(d.chain!);
      for (const i of s.coords) {
        const c = point(p, undefined, i, unravel(i, s.shape), ruled.grads![p][i], s.analytic[i]);
        rule.push(c.rule);
        chain.push(c.chain!);
        await tick(node.name, p);
      }
      tensors.push(
        { layer: node.name, tensor: `rule ${p}`, points: rule },
        { layer: node.name, tensor: p, points: chain },
      );
    }
    piece([...parts].map(([t, points]) => ({ layer: tensorSubjects[t].layer, reader: node.name, points })));
    await tick(node.name, '');
  }

  // The output's δ against the loss itself, whoever checks the last layer: no layer reads it, so it is judged
  // here, halving the step where the loss is strongly curved (a tiny probability).
  if (mine.has(last - 1)) {
    const s = tensorSubjects[last];
    const lossAt = (values: Float64Array) =>
      rerun(model, { ...base, tensors: [...base.tensors.slice(0, last), values] } as Pass, [], last).loss;
    const y = base.tensors[last];
    const floor = roundingFloor(base.loss, eps);
    const differ = (move: (values: Float64Array, h: number) => void) => (h: number) => {
      const plus = y.slice();
      move(plus, h);
      const minus = y.slice();
      move(minus, -h);
      done += 2;
      const numeric = (lossAt(plus) - lossAt(minus)) / (2 * h);
      return { numeric, kink: !Number.isFinite(numeric) };
    };
    const measured = (
      index: readonly number[],
      analytic: number,
      at: (h: number) => { numeric: number; kink: boolean },
    ) => judged(index, analytic, { ...at(eps), floor }, at);
    const points = [
      measured(
        [],
        dot(s.analytic, s.direction),
        differ((values, h) => values.forEach((_, k) => (values[k] += h * s.direction[k]))),
      ),
    ];
    for (const i of s.coords) {
      points.push(
        measured(
          unravel(i, s.shape),
          s.analytic[i],
          differ((values, h) => (values[i] += h)),
        ),
      );
      await tick(s.layer, 'δ');
    }
    tensors.push({ layer: s.layer, tensor: 'δ', points });
    piece([]);
  }
  onProgress?.({ done, total: done, layer: '', tensor: '' });
  return { loss: base.loss, evaluations: done, tensors, chains };
}

/**
 * The sums of one difference (see `differ`): ⟨g, Δy⟩ and ⟨δ(y), Δy⟩ over the outputs it moved, with the
 * magnitudes their rounding floors scale with. A function of its own, on arrays only, so V8 compiles it once
 * for every layer kind (inside `differ` it read each kind's forward record, deopted on each new shape and
 * summed interpreted, boxing every term).
 */
function weigh(
  plus: Float64Array,
  minus: Float64Array | undefined,
  out: Int32Array | undefined,
  linear: boolean,
  h: number,
  y: Float64Array,
  g: Float64Array,
  dy: Float64Array,
) {
  let rule = 0;
  let chain = 0;
  let ruleScale = 0;
  let chainScale = 0;
  const step = minus ? 2 * h : h;
  for (let k = 0; k < plus.length; k++) {
    const o = out ? out[k] : k;
    const from = minus ? minus[k] : linear ? 0 : y[o];
    const d = (plus[k] - from) / step;
    const size = Math.max(Math.abs(plus[k]), Math.abs(from));
    rule += g[o] * d;
    chain += dy[o] * d;
    ruleScale += Math.abs(g[o]) * size;
    chainScale += Math.abs(dy[o]) * size;
  }
  return { rule, chain, ruleScale, chainScale };
}

/** target + step·v, in a new array. */
function shifted(target: Float64Array, step: number, v: Float64Array): Float64Array {
  const values = target.slice();
  for (let k = 0; k < values.length; k++) values[k] += step * v[k];
  return values;
}

/**
 * Which layers shard `index` checks: a greedy longest-first split by each layer's estimated cost (two
 * forwards of the layer per direction, its backward, and its sampled coordinates, cropped or whole), the
 * same on every thread so the shards cover every layer once.
 */
/** What a pass over one element and one parameter cost, in multiply-adds: fitted to the checks' measured times per layer. */
const ELEMENT_COST = 4;
const PARAM_COST = 48;

function shareNodes(model: Model, options: LocalOptions): Set<number> {
  const { index, count } = options.shard!;
  const sizes = [elementCount(model.inputShape), ...model.nodes.map((n) => elementCount(n.step.output))];
  const cost = (node: ModelNode) => {
    // Each pass over an input or output element (a copy, a random draw, a difference, a kink test) costs
    // several multiply-adds, and each parameter a draw and a crop: without them elementwise layers look free.
    const elements = node.inputs.reduce((n, t) => n + sizes[t], sizes[node.index + 1]);
    const whole = model.batch * (node.macs + ELEMENT_COST * elements) + 1;
    const size = cropSize(node);
    const perSample =
      size === 'window'
        ? (whole / Math.max(1, model.batch * elementCount(node.step.output.slice(1)))) * WINDOW_OUTPUTS
        : size === 'element'
          ? 1
          : whole;
    const tensors = node.inputs.length + Object.keys(node.step.params).length;
    const samples = Math.min(options.samples, elementCount(node.step.output) * model.batch);
    const params = Object.values(node.step.params).reduce((n, p) => n + p.length, 0);
    return (
      whole * (evaluationsPerPoint(node, 0) * tensors + 3) +
      evaluationsPerPoint(node, 0) * tensors * samples * perSample +
      PARAM_COST * params
    );
  };
  const load = new Array<number>(count).fill(0);
  const mine = new Set<number>();
  const order = model.nodes.map((n) => ({ i: n.index, c: cost(n) })).sort((a, b) => b.c - a.c || a.i - b.i);
  for (const { i, c } of order) {
    const least = load.indexOf(Math.min(...load));
    load[least] += c;
    if (least === index) mine.add(i);
  }
  return mine;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
