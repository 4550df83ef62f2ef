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
 * A sampled coordinate moves only the outputs in its receptive field, so it runs the layer on a crop
 * (field.ts). Sharded by layer: a shard returns the chain check's numeric parts for the δ its layers read,
 * and `assemble` sums them over the shards.
 */
import type { Backward, Forward } from '../layers/kind';
import { elementCount } from '../shape';
import { type Crop, cropInput, cropParam } from './field';
import type { Model, ModelNode } from './model';
import { backwardPass, forwardPass, type Pass, rerun } from './pass';
import { Random } from './random';

/** How the local check runs: its tolerance settings are compared in gradcheck.ts. */
export interface LocalOptions {
  readonly eps: number;
  /** Coordinates per tensor; Infinity for every coordinate. */
  readonly samples: number;
  readonly shard?: { readonly index: number; readonly count: number };
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: { done: number; total: number; layer: string; tensor: string }) => void;
}

/** One compared quantity of the local check: a direction (index empty) or one coordinate. */
export interface LocalPoint {
  readonly index: readonly number[];
  readonly analytic: number;
  readonly numeric: number;
  readonly kink: boolean;
}

/** The chain check's numeric part for one δ from one shard: summed over shards before it is judged. */
export interface ChainPart {
  /** The layer whose output the δ is at (or the input). */
  readonly layer: string;
  readonly points: readonly LocalPoint[];
}

export interface LocalPart {
  readonly loss: number;
  readonly evaluations: number;
  /** Checks a shard completes alone: parameter gradients (`W`) and rule checks (`rule δ p1`, `rule W`). */
  readonly tensors: readonly { readonly layer: string; readonly tensor: string; readonly points: readonly LocalPoint[] }[];
  readonly chains: readonly ChainPart[];
}

/** What is perturbed: tensor t (0 the input, i + 1 node i's output) or a node's parameter. */
interface Subject {
  readonly layer: string;
  readonly tensor: string;
  readonly size: number;
  readonly shape: readonly number[];
  readonly analytic: Float64Array;
  readonly direction: Float64Array;
  readonly coords: readonly number[];
}

const YIELD_MS = 50;

export async function checkLocal(model: Model, options: LocalOptions): Promise<LocalPart> {
  const { eps, signal, onProgress } = options;
  signal?.throwIfAborted();
  const base = forwardPass(model);
  const { deltas, grads } = backwardPass(model, base);
  const names = [model.inputName, ...model.nodes.map((n) => n.name)];
  const shapes = [[model.batch, ...model.inputShape], ...model.nodes.map((n) => [model.batch, ...n.step.output])];
  const tensorSubjects = deltas.map((d, t) => subject(model, names[t], 'δ', shapes[t], d, options.samples));
  const mine = options.shard ? shareNodes(model, options) : new Set(model.nodes.map((n) => n.index));
  const last = model.nodes.length;
  const paramSubjects = model.nodes.map((node) =>
    mine.has(node.index) ? Object.entries(grads[node.index]).map(([p, g]) => subject(model, node.name, p, node.paramShapes[p], g, options.samples)) : [],
  );

  // Evaluations planned, for progress: one or two per point.
  let total = 0;
  for (const node of model.nodes) {
    if (!mine.has(node.index)) continue;
    for (const [j, t] of node.inputs.entries()) total += evaluationsPerPoint(node, j) * (1 + tensorSubjects[t].coords.length);
    for (const s of paramSubjects[node.index]) total += evaluationsPerPoint(node, s.tensor) * (1 + s.coords.length);
  }
  if (mine.has(last - 1)) total += 2 * (1 + tensorSubjects[last].coords.length);

  let done = 0;
  let lastYield = now();
  const tick = async (layer: string, tensor: string) => {
    if (now() - lastYield < YIELD_MS) return;
    onProgress?.({ done, total, layer, tensor });
    await new Promise((resolve) => setTimeout(resolve, 0));
    signal?.throwIfAborted();
    lastYield = now();
  };

  // The chain check's numeric sums, per tensor: the direction first, then each coordinate.
  const chains = new Map<number, { numeric: Float64Array; kink: Uint8Array }>();
  const chainOf = (t: number) => {
    let c = chains.get(t);
    if (!c) chains.set(t, (c = { numeric: new Float64Array(1 + tensorSubjects[t].coords.length), kink: new Uint8Array(1 + tensorSubjects[t].coords.length) }));
    return c;
  };
  const tensors: LocalPart['tensors'][number][] = [];

  for (const node of model.nodes) {
    if (!mine.has(node.index)) continue;
    const x = node.inputs.map((t) => base.tensors[t]);
    const g = new Random(model.seed, `rule:${node.name}`).fill(base.tensors[node.index + 1].length, (r) => r.uniform(-1, 1));
    const ruled = backwardOf(model, node, x, base.forwards[node.index], g);
    const dy = deltas[node.index + 1];
    const y = base.tensors[node.index + 1];
    /**
     * Both numeric sums of one difference: ⟨g, Δy⟩ and ⟨δ(y), Δy⟩ over the outputs it moved. Without `minus`
     * it is one-sided, from the unperturbed output (`out` maps the crop's outputs into it).
     */
    const differ = (plus: Forward, minus: Forward | undefined, out: Int32Array | undefined, linear = false, step = node.step, xp?: readonly Float64Array[], xm?: readonly Float64Array[]) => {
      done += minus ? 2 : 1;
      let rule = 0;
      let chain = 0;
      for (let k = 0; k < plus.y.length; k++) {
        const o = out ? out[k] : k;
        const d = minus ? (plus.y[k] - minus.y[k]) / (2 * eps) : (plus.y[k] - (linear ? 0 : y[o])) / eps;
        rule += g[o] * d;
        chain += dy[o] * d;
      }
      const decide = node.kind.decisions;
      const kink = minus !== undefined && decide !== undefined && differs(decide(node.config, step, xp!, plus), decide(node.config, step, xm!, minus));
      return { rule, chain, kink: kink || !Number.isFinite(rule) || !Number.isFinite(chain) };
    };
    const forward = (step: typeof node.step, xs: readonly Float64Array[]) => node.kind.forward(node.config, step, xs);
    /** Perturbs the whole of input slot j (or parameter p) by ±eps·v, or one coordinate of it through a crop. */
    const along = (perturbed: number | string, v: Float64Array | undefined, i: number) => {
      const crop: Crop | undefined = v ? undefined : typeof perturbed === 'number' ? cropInput(node, x, perturbed, i) : cropParam(node, x, perturbed, i);
      if (crop && !crop.step) return { rule: 0, chain: 0, kink: false };
      const where = crop?.where ?? perturbed;
      const step = crop?.step ?? node.step;
      const xs = crop?.x ?? x;
      const target = typeof where === 'number' ? xs[where] : step.params[where];
      const at = crop?.at ?? i;
      const moved = (sign: number) => {
        const values = target.slice();
        if (v) for (let k = 0; k < values.length; k++) values[k] += sign * eps * v[k];
        else values[at] += sign * eps;
        const xs2 = typeof where === 'number' ? xs.map((a, j) => (j === where ? values : a)) : xs;
        const step2 = typeof where === 'number' ? step : { ...step, params: { ...step.params, [where]: values } };
        return { f: forward(step2, xs2), xs: xs2, step: step2 };
      };
      const plus = moved(1);
      if (evaluationsPerPoint(node, perturbed) === 1) return differ(plus.f, undefined, crop?.out, crop?.linear);
      const minus = moved(-1);
      return differ(plus.f, minus.f, crop?.out, false, plus.step, plus.xs, minus.xs);
    };

    const slots = new Map<string, number>();
    for (const [j, t] of node.inputs.entries()) {
      const s = tensorSubjects[t];
      const chain = chainOf(t);
      const points: LocalPoint[] = [];
      const r = along(j, s.direction, 0);
      points.push({ index: [], analytic: dot(ruled.dx[j], s.direction), numeric: r.rule, kink: r.kink });
      chain.numeric[0] += r.chain;
      chain.kink[0] |= +r.kink;
      for (const [k, i] of s.coords.entries()) {
        const c = along(j, undefined, i);
        points.push({ index: unravel(i, s.shape), analytic: ruled.dx[j][i], numeric: c.rule, kink: c.kink });
        chain.numeric[k + 1] += c.chain;
        chain.kink[k + 1] |= +c.kink;
        await tick(node.name, `δ ${s.layer}`);
      }
      const seen = (slots.get(s.layer) ?? 0) + 1;
      slots.set(s.layer, seen);
      tensors.push({ layer: node.name, tensor: `rule δ ${s.layer}${seen > 1 ? ` #${seen}` : ''}`, points });
    }

    for (const s of paramSubjects[node.index]) {
      const p = s.tensor;
      const analytic = s.analytic;
      const rule: LocalPoint[] = [];
      const chain: LocalPoint[] = [];
      const r = along(p, s.direction, 0);
      rule.push({ index: [], analytic: dot(ruled.grads![p], s.direction), numeric: r.rule, kink: r.kink });
      chain.push({ index: [], analytic: dot(analytic, s.direction), numeric: r.chain, kink: r.kink });
      for (const i of s.coords) {
        const c = along(p, undefined, i);
        const index = unravel(i, s.shape);
        rule.push({ index, analytic: ruled.grads![p][i], numeric: c.rule, kink: c.kink });
        chain.push({ index, analytic: analytic[i], numeric: c.chain, kink: c.kink });
        await tick(node.name, p);
      }
      tensors.push({ layer: node.name, tensor: `rule ${p}`, points: rule }, { layer: node.name, tensor: p, points: chain });
    }
    await tick(node.name, '');
  }

  // The output's δ against the loss itself: whoever checks the last layer does it.
  if (mine.has(last - 1)) {
    const s = tensorSubjects[last];
    const chain = chainOf(last);
    const lossAt = (values: Float64Array) => rerun(model, { ...base, tensors: [...base.tensors.slice(0, last), values] } as Pass, [], last).loss;
    const y = base.tensors[last];
    const differ = (k: number, move: (values: Float64Array, sign: number) => void) => {
      const plus = y.slice();
      move(plus, 1);
      const minus = y.slice();
      move(minus, -1);
      done += 2;
      chain.numeric[k] += (lossAt(plus) - lossAt(minus)) / (2 * eps);
      if (!Number.isFinite(chain.numeric[k])) chain.kink[k] = 1;
    };
    differ(0, (values, sign) => values.forEach((_, k) => (values[k] += sign * eps * s.direction[k])));
    for (const [k, i] of s.coords.entries()) {
      differ(k + 1, (values, sign) => (values[i] += sign * eps));
      await tick(s.layer, 'δ');
    }
  }
  onProgress?.({ done, total: done, layer: '', tensor: '' });

  // Shard 0 (or the only one) names every δ, so one with no reader still gets its (empty) sum.
  if (!options.shard || options.shard.index === 0) for (let t = 0; t <= last; t++) chainOf(t);
  return {
    loss: base.loss,
    evaluations: done,
    tensors,
    chains: [...chains.entries()].sort(([a], [b]) => a - b).map(([t, c]) => {
      const s = tensorSubjects[t];
      const at = [-1, ...s.coords];
      return {
        layer: s.layer,
        points: at.map((i, k) => ({ index: i < 0 ? [] : unravel(i, s.shape), analytic: i < 0 ? dot(s.analytic, s.direction) : s.analytic[i], numeric: c.numeric[k], kink: c.kink[k] === 1 })),
      };
    }),
  };
}

/**
 * Where a layer is affine in what is perturbed, its difference quotient is exact: one forward, from the
 * unperturbed output, gives what a central difference gives (up to rounding, the same order), at half the
 * cost. Everywhere else (a curve, a kink), central differences.
 */
const AFFINE: Readonly<Record<string, (where: number | string) => boolean>> = {
  conv: () => true,
  dense: () => true,
  add: () => true,
  concat: () => true,
  flatten: () => true,
  dropout: () => true,
  identity: () => true,
  batchnorm: (where) => typeof where === 'string',
};

function evaluationsPerPoint(node: ModelNode, where: number | string): 1 | 2 {
  const affine = AFFINE[node.kind.kind]?.(where) || (node.kind.kind === 'pool' && (node.config as { mode: string }).mode === 'mean');
  return affine ? 1 : 2;
}

/** The layer's backward for upstream `dy`, with its override (a hand-written rule, an injected fault) applied. */
function backwardOf(model: Model, node: ModelNode, x: readonly Float64Array[], f: Forward, dy: Float64Array): Backward {
  const standard = () => node.kind.backward(node.config, node.step, x, f, dy);
  const override = model.overrides[node.name];
  return override ? override(node.step, x, f, dy, standard) : standard();
}

/** Directions and upstream δs are uniform in [−1, 1): any random direction serves, and it is cheaper to draw than a normal. */
function subject(model: Model, layer: string, tensor: string, shape: readonly number[], analytic: Float64Array, samples: number): Subject {
  const size = analytic.length;
  const r = new Random(model.seed, `direction:${layer}:${tensor}`);
  const direction = r.fill(size, (g) => g.uniform(-1, 1));
  const norm = Math.sqrt(dot(direction, direction)) || 1;
  for (let i = 0; i < size; i++) direction[i] /= norm;
  return { layer, tensor, size, shape, analytic, direction, coords: samples >= size ? [...Array(size).keys()] : pick(analytic, samples, model.seed, `sample:${layer}:${tensor}`) };
}

/** The largest |gradient| entries (a quarter of the samples), where a wrong rule shows most, then seeded others. */
function pick(analytic: Float64Array, samples: number, seed: number, stream: string): number[] {
  const n = analytic.length;
  const chosen = new Set<number>(largest(analytic, Math.ceil(samples / 4)));
  const r = new Random(seed, stream);
  while (chosen.size < samples) chosen.add(r.int(n));
  return [...chosen].sort((a, b) => a - b);
}

/** The indices of the k largest |values| (the first among equals), by one pass: k is small. */
function largest(values: Float64Array, k: number): number[] {
  const top: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = Math.abs(values[i]);
    if (top.length === k && v <= Math.abs(values[top[k - 1]])) continue;
    if (top.length === k) top.pop();
    let at = top.length;
    while (at > 0 && Math.abs(values[top[at - 1]]) < v) at--;
    top.splice(at, 0, i);
  }
  return top;
}

/**
 * Which layers shard `index` checks: a greedy longest-first split by each layer's estimated cost (two
 * forwards of the layer per direction, its backward, and its sampled coordinates, cropped or whole), the
 * same on every thread so the shards cover every layer once.
 */
function shareNodes(model: Model, options: LocalOptions): Set<number> {
  const { index, count } = options.shard!;
  const cost = (node: ModelNode) => {
    const whole = model.batch * (node.macs + elementCount(node.step.output)) + 1;
    const perSample = ['conv', 'pool'].includes(node.kind.kind) ? (whole / Math.max(1, model.batch * elementCount(node.step.output.slice(1)))) * 9 : CROPPED_TO_ONE.has(node.kind.kind) ? 1 : whole;
    const tensors = node.inputs.length + Object.keys(node.step.params).length;
    const samples = Math.min(options.samples, elementCount(node.step.output) * model.batch);
    return whole * (evaluationsPerPoint(node, 0) * tensors + 3) + evaluationsPerPoint(node, 0) * tensors * samples * perSample;
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

const CROPPED_TO_ONE = new Set(['relu', 'leaky_relu', 'sigmoid', 'tanh', 'identity', 'dropout', 'flatten', 'add', 'concat']);

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function unravel(i: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return index;
}

function differs(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return true;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return true;
  return false;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
