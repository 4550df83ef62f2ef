/**
 * The numeric gradient check, in float64 with central differences.
 *
 * By default (`local`, or `local-full` for every coordinate) each layer is checked one layer deep, against
 * its own forward, and each δ against what its readers make of theirs (local.ts): its cost grows with the
 * network. The end-to-end modes are the thorough options: they check every layer's δ by perturbing that
 * activation itself and rerunning everything that follows it ("is my error right at this layer?"), and every
 * parameter tensor by perturbing it and rerunning from its layer on: `full` (every coordinate), `sampled` (N
 * per tensor, seeded, the largest-gradient entries among them), `directional` (one random unit direction v
 * per tensor: (f(θ+εv) − f(θ−εv))/2ε against ∇f·v, the idea of torch.autograd.gradcheck's fast_mode), and
 * `baseline` (directional, then sampled: the default before the local check, kept to measure it against).
 *
 * Each coordinate's verdict (pass, fail, zero within rounding, or inconclusive: a kink, or the step's curvature)
 * is verdict.ts's: see there. Inconclusive coordinates are counted and left out of pass and fail, so a correct
 * network never fails on a kink or on a strongly curved loss.
 */
import type { Analysis } from '../check';
import { elementCount, type Shape } from '../shape';
import { buildModel, type Model, type RunOptions } from './model';
import { backwardPass, forwardPass, type Gradients, type Pass, rerun, type Substitute } from './pass';
import { type ChainPart, type ChainPoint, chainVerdict, checkLocal } from './local';
import { Random } from './random';
import { picked } from './subjects';
import { type Difference, excess, relError, roundingFloor, type Tolerance, type Verdict, verdict } from './verdict';

import { GRADCHECK_DEFAULTS, type GradcheckMode } from '../defaults';
import { differs, now, unravel } from './util';

export type { GradcheckMode } from '../defaults';

export interface GradcheckOptions extends RunOptions {
  /** Unset: local. */
  readonly mode?: GradcheckMode;
  readonly samples?: number;
  readonly eps?: number;
  readonly atol?: number;
  readonly rtol?: number;
  /** Checked between evaluations, and the thread yields at least every 50 ms so an abort can arrive. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: GradcheckProgress) => void;
  /** Each tensor's verdict as soon as it is known, so a run stopped early keeps what it finished. */
  readonly onChecked?: (checked: TensorVerdict) => void;
  /**
   * The local modes: one layer's part of the chain check of a δ it reads, when that layer is done. With the
   * verdicts, what judges (assembleFinished) the δs of a run stopped early whose readers all finished.
   */
  readonly onChain?: (part: ChainPart) => void;
}

/** One tensor's verdict, named. */
export interface TensorVerdict {
  readonly layer: string;
  /** `δ`, or a parameter's name. */
  readonly tensor: string;
  readonly check: TensorCheck;
}

export interface GradcheckProgress {
  readonly done: number;
  readonly total: number;
  readonly layer: string;
  readonly tensor: string;
}

/** One compared coordinate (or direction, with `index` empty). */
export interface Coordinate {
  /** Indices into the tensor: [n, c, h, w] for a δ, the parameter's own for a gradient. */
  readonly index: readonly number[];
  readonly analytic: number;
  readonly numeric: number;
  readonly relError: number;
}

export interface TensorCheck {
  /** The largest |a − n| / max(|a| + |n|, 1e-12) over the coordinates that passed or failed (not zeros, not inconclusive). */
  readonly maxRelError: number;
  /** The largest |a − n| / (atol + rtol·|n|) over the same coordinates: above 1 fails. What the chart plots. */
  readonly maxExcess: number;
  /** Coordinates and directions compared, kinks included. */
  readonly checked: number;
  /** Of those, how many straddled a kink (inconclusive, not counted). */
  readonly kinks: number;
  /** How many missed by an error that shrinks as ε², the step's curvature (inconclusive, not counted). */
  readonly curvature: number;
  /** How many were zero on both sides, below what the difference resolves (passed: zero by structure). */
  readonly zeros: number;
  /**
   * A failed δ of a tensor that feeds several layers: each one's share checked on its own (the tensor perturbed
   * as that layer alone reads it), by layer. All right means the shares are not summed right.
   */
  readonly shares?: Readonly<Record<string, TensorCheck>>;
  readonly passed: boolean;
  /** The worst coordinates by how far they are past the tolerance; filled for every tensor, most useful when it fails. */
  readonly worst: readonly Coordinate[];
}

export interface LayerCheck {
  readonly name: string;
  readonly kind: string;
  readonly line?: number;
  /** Whether a hand-written (or injected) backward replaced the built-in one for this layer. */
  readonly custom: boolean;
  readonly delta: TensorCheck;
  readonly params: Readonly<Record<string, TensorCheck>>;
  /**
   * The local modes' rule checks, for a random δ at the output: `δ p1` (the δ at input p1) and each
   * parameter's name.
   */
  readonly rules?: Readonly<Record<string, TensorCheck>>;
  /**
   * Set when the δ arriving at this layer's output is right but what its backward makes of it is not: the δ
   * at one of its inputs, or one of its parameter gradients. That pins a wrong rule on this layer. In the
   * local modes: a failed rule check, or δ passed on wrong between layers (see localBlame).
   */
  readonly blame?: string;
}

export interface GradcheckResult {
  readonly passed: boolean;
  readonly mode: string;
  readonly eps: number;
  readonly atol: number;
  readonly rtol: number;
  readonly batch: number;
  readonly seed: number;
  /** The input shape it ran at, per sample: the declared one, or at `sample size=` C × that size. */
  readonly input?: Shape;
  readonly loss: number;
  /** Forward reruns it took. */
  readonly evaluations: number;
  readonly ms: number;
  readonly layers: readonly LayerCheck[];
  /** A cancelled run's result (assembleFinished): the layers it had not finished, left out of `layers`. */
  readonly unreached?: readonly string[];
}

/** A tensor to check: a δ (tensor index) or a node's parameter, with its analytic gradient. */
interface Target {
  readonly layer: string;
  readonly tensor: string;
  readonly values: Float64Array;
  readonly analytic: Float64Array;
  readonly shape: Shape;
  /** Set when the tensor is an activation (so the loss knows a perturbed softmax output). */
  readonly changed?: number;
  readonly order: readonly number[];
  /** A δ's share: the layer that alone reads the perturbed copy in `values`. */
  readonly substitute?: Substitute;
  /** A δ of a tensor that feeds several layers: each one's share, as targets of their own. */
  readonly shares?: readonly Target[];
}

const WORST = 5;
const YIELD_MS = 50;

export async function gradcheck(analysis: Analysis, options: GradcheckOptions = {}): Promise<GradcheckResult> {
  return gradcheckModel(buildModel(analysis, options), options);
}

export async function gradcheckModel(model: Model, options: GradcheckOptions = {}): Promise<GradcheckResult> {
  const started = now();
  const part = await checkTensors(model, options);
  return assemble(layerMeta(model), [part], {
    ...settingsOf(options),
    batch: model.batch,
    seed: model.seed,
    input: model.inputShape,
    ms: now() - started,
  });
}

/** One share of a gradient check, for running it on several threads: which share, of how many. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** What one thread checked: each tensor's verdict, with the loss and the reruns it took. */
export interface PartialCheck {
  readonly loss: number;
  readonly evaluations: number;
  readonly checks: readonly { readonly layer: string; readonly tensor: string; readonly check: TensorCheck }[];
  /** With a selection: every coordinate compared, in the selection's order. */
  readonly compared?: readonly (Coordinate & { readonly kink: boolean; readonly verdict: Verdict })[];
  /** The local check's chain parts: each δ's numeric sums from each of its readers, summed over them. */
  readonly chains?: readonly ChainPart[];
}

/** What a result needs to know of each layer besides the checks. */
export interface LayerMeta {
  readonly name: string;
  readonly kind: string;
  readonly line?: number;
  readonly inputs: readonly string[];
  readonly custom: boolean;
  readonly params: readonly string[];
}

export function layerMeta(model: Model): LayerMeta[] {
  return [
    { name: model.inputName, kind: 'input', inputs: [], custom: false, params: [] },
    ...model.nodes.map((n) => ({
      name: n.name,
      kind: n.kind.kind,
      line: n.line,
      inputs: n.inputs.map((i) => (i === 0 ? model.inputName : model.nodes[i - 1].name)),
      custom: model.overrides[n.name] !== undefined,
      params: Object.keys(n.step.params),
    })),
  ];
}

function settingsOf(options: GradcheckOptions) {
  return {
    mode: options.mode ?? GRADCHECK_DEFAULTS.mode,
    eps: options.eps ?? GRADCHECK_DEFAULTS.eps,
    atol: options.atol ?? GRADCHECK_DEFAULTS.atol,
    rtol: options.rtol ?? GRADCHECK_DEFAULTS.rtol,
  };
}

/**
 * Checks the tensors of `shard` (all of them without one). Shards split the tensors by their estimated cost,
 * the same way on every thread, so shards of one model together check every tensor once. A check perturbs
 * the model's tensors in place (and restores them exactly): give each concurrent check its own model.
 */
export async function checkTensors(
  model: Model,
  options: GradcheckOptions & { readonly shard?: Shard; readonly select?: Selection } = {},
): Promise<PartialCheck> {
  const eps = options.eps ?? GRADCHECK_DEFAULTS.eps;
  const atol = options.atol ?? GRADCHECK_DEFAULTS.atol;
  const rtol = options.rtol ?? GRADCHECK_DEFAULTS.rtol;
  const samples = options.samples ?? GRADCHECK_DEFAULTS.samples;
  const mode = options.mode ?? GRADCHECK_DEFAULTS.mode;
  if ((mode === 'local' || mode === 'local-full') && !options.select) {
    const checks: TensorVerdict[] = [];
    const part = await checkLocal(model, {
      ...options,
      eps,
      atol,
      rtol,
      samples: mode === 'local-full' ? Infinity : samples,
      onPiece: (piece) => {
        for (const t of piece.tensors) {
          const compared = t.points.map((p) => comparedOf(p.index, p.analytic, p.numeric, p.verdict, { atol, rtol }));
          checks.push({ layer: t.layer, tensor: t.tensor, check: summarise(compared) });
          options.onChecked?.(checks.at(-1)!);
        }
        for (const c of piece.chains) options.onChain?.(c);
      },
    });
    return { loss: part.loss, evaluations: part.evaluations, checks, chains: part.chains };
  }
  const modes: readonly GradcheckMode[] = mode === 'baseline' ? ['directional', 'sampled'] : [mode];
  const { signal, onProgress } = options;
  signal?.throwIfAborted();

  const base = forwardPass(model);
  const grads = backwardPass(model, base);
  const baseDecisions = model.nodes.map((n) =>
    n.kind.decisions?.(
      n.config,
      n.step,
      n.inputs.map((t) => base.tensors[t]),
      base.forwards[n.index],
    ),
  );
  const all = listTargets(model, base, grads);
  const { select } = options;
  const targets = select
    ? all.filter((t) => t.layer === select.layer && t.tensor === select.tensor)
    : options.shard
      ? share(model, all, options.shard, modes, samples)
      : all;
  const plans = select
    ? targets.map((t) => ({ target: t, coords: [...select.indices] }))
    : targets.map((t) => ({
        target: t,
        coords: modes.includes('full') ? null : modes.includes('sampled') ? pick(t, samples, model.seed) : [],
      }));
  let total = plans.reduce(
    (n, p) => n + 2 * ((p.coords?.length ?? p.target.values.length) + (modes.includes('directional') ? 1 : 0)),
    0,
  );

  let done = 0;
  let selected: readonly Compared[] = [];
  let lastYield = now();
  /** One rerun after the caller perturbed `t` in place: its loss, and whether a kink lies in between. */
  const evaluate = async (t: Target): Promise<{ loss: number; kink: boolean }> => {
    const r = rerun(model, base, t.order, t.changed, t.substitute);
    done++;
    let kink = false;
    for (const [i, f] of r.forwards) {
      const before = baseDecisions[i];
      const node = model.nodes[i];
      if (
        before &&
        differs(
          before,
          node.kind.decisions!(
            node.config,
            node.step,
            node.inputs.map((x) => r.tensors[x]),
            f,
          ),
        )
      ) {
        kink = true;
        break;
      }
    }
    if (now() - lastYield >= YIELD_MS) {
      onProgress?.({ done, total, layer: t.layer, tensor: t.tensor });
      await new Promise((resolve) => setTimeout(resolve, 0));
      signal?.throwIfAborted();
      lastYield = now();
    }
    // A step that leaves the loss's domain (a probability pushed below 0) says nothing: inconclusive, like a kink.
    return { loss: r.loss, kink: kink || !Number.isFinite(r.loss) };
  };

  /** Central difference along coordinate i with step h, the tensor restored to the exact value it had. */
  const coordinateAt = async (t: Target, i: number, h: number): Promise<Difference> => {
    const original = t.values[i];
    t.values[i] = original + h;
    const plus = await evaluate(t);
    t.values[i] = original - h;
    const minus = await evaluate(t);
    t.values[i] = original;
    return { numeric: (plus.loss - minus.loss) / (2 * h), kink: plus.kink || minus.kink };
  };
  const coordinate = (t: Target, i: number) => judged(unravel(i, t.shape), t.analytic[i], (h) => coordinateAt(t, i, h));

  /** Central difference along one seeded random unit direction. */
  const direction = async (t: Target): Promise<Compared> => {
    const r = new Random(model.seed, `direction:${t.layer}:${t.tensor}`);
    const v = r.fill(t.values.length, (g) => g.normal());
    const norm = Math.sqrt(v.reduce((sum, x) => sum + x * x, 0)) || 1;
    let analytic = 0;
    for (let i = 0; i < v.length; i++) analytic += t.analytic[i] * (v[i] /= norm);
    const original = t.values.slice();
    return judged([], analytic, async (h) => {
      for (let i = 0; i < v.length; i++) t.values[i] = original[i] + h * v[i];
      const plus = await evaluate(t);
      for (let i = 0; i < v.length; i++) t.values[i] = original[i] - h * v[i];
      const minus = await evaluate(t);
      t.values.set(original);
      return { numeric: (plus.loss - minus.loss) / (2 * h), kink: plus.kink || minus.kink };
    });
  };

  /** The verdict at ε, and at ε/2, ε/4, … as well when the first misses (curvature or a wrong rule: verdict.ts). */
  const tol = { atol, rtol };
  const floor = roundingFloor(base.loss, eps);
  const judged = async (
    index: readonly number[],
    a: number,
    at: (h: number) => Promise<Difference>,
  ): Promise<Compared> => {
    const steps = [await at(eps)];
    let v = verdict(a, steps, floor, tol);
    while (v === 'halve') {
      total += 2;
      steps.push(await at(eps / 2 ** steps.length));
      v = verdict(a, steps, floor, tol);
    }
    return comparedOf(index, a, steps[0].numeric, v as Verdict, tol);
  };

  /** One share of a failed δ, at the sampled coordinates and along a direction: sequential, one rerun at a time. */
  const checkShare = async (share: Target): Promise<TensorCheck> => {
    const seen: Compared[] = [await direction(share)];
    for (const i of pick(share, samples, model.seed)) seen.push(await coordinate(share, i));
    return summarise(seen);
  };

  const checks = new Map<Target, TensorCheck>();
  for (const { target, coords } of plans) {
    const seen: Compared[] = [];
    if (modes.includes('directional') && !select) seen.push(await direction(target));
    const indices = coords ?? target.values.keys();
    for (const i of indices) seen.push(await coordinate(target, i));
    // A failing direction says nothing about where: drill into the tensor coordinate by coordinate.
    if (!select && !coords?.length && !modes.includes('full') && seen.some((c) => c.verdict === 'fail')) {
      for (const i of pick(target, samples, model.seed)) seen.push(await coordinate(target, i));
    }
    const verdict = summarise(seen);
    if (verdict.passed || !target.shares || select) checks.set(target, verdict);
    else {
      const shares: Record<string, TensorCheck> = {};
      for (const share of target.shares) shares[share.tensor] = await checkShare(share);
      checks.set(target, { ...verdict, shares });
    }
    options.onChecked?.({ layer: target.layer, tensor: target.tensor, check: checks.get(target)! });
    if (select) selected = seen;
  }
  onProgress?.({ done, total: done, layer: '', tensor: '' });

  return {
    loss: base.loss,
    evaluations: done,
    checks: targets.map((t) => ({ layer: t.layer, tensor: t.tensor, check: checks.get(t)! })),
    ...(select && { compared: selected }),
  };
}

/** Particular coordinates of one tensor, each compared and kept: what a δ heat-map draws. */
export interface Selection {
  readonly layer: string;
  /** `δ`, or a parameter's name. */
  readonly tensor: string;
  readonly indices: readonly number[];
}

/** One map of a layer's δ, analytic beside numeric, for a heat-map: sample `sample`, channel `channel`. */
export interface DeltaMap {
  readonly layer: string;
  readonly sample: number;
  readonly channel: number;
  /** [H, W] of the map; a vector's δ is one row. */
  readonly shape: readonly [number, number];
  readonly analytic: readonly number[];
  readonly numeric: readonly number[];
  /** Flat indices into the map whose perturbation straddled a kink. */
  readonly kinks: readonly number[];
}

/** Computes every coordinate of one channel of one sample of `layer`'s δ, numerically and analytically. */
export async function deltaMap(
  model: Model,
  layer: string,
  sample: number,
  channel: number,
  options: GradcheckOptions = {},
): Promise<DeltaMap> {
  const node = model.nodes.find((n) => n.name === layer);
  const shape = node ? node.step.output : model.inputShape;
  if (!node && layer !== model.inputName) throw new Error(`no layer ${layer}`);
  const [C, H, W] = shape.length === 3 ? shape : [1, 1, shape[0]];
  if (!(sample >= 0 && sample < model.batch && channel >= 0 && channel < C))
    throw new Error(`${layer} has ${model.batch} samples and ${C} channels`);
  const base = (sample * C + channel) * H * W;
  const indices = Array.from({ length: H * W }, (_, i) => base + i);
  const part = await checkTensors(model, { ...options, mode: 'full', select: { layer, tensor: 'δ', indices } });
  const compared = part.compared ?? [];
  return {
    layer,
    sample,
    channel,
    shape: [H, W],
    analytic: compared.map((c) => c.analytic),
    numeric: compared.map((c) => c.numeric),
    kinks: compared.flatMap((c, i) => (c.kink ? [i] : [])),
  };
}

/**
 * A whole result from the shards' checks: each layer's δ and parameter verdicts, and the blame for a layer
 * whose output δ is right while its input δ or a parameter gradient is wrong.
 */
/** What a result says it ran with, besides its verdicts. */
export interface RunSettings {
  readonly mode: string;
  readonly eps: number;
  readonly atol: number;
  readonly rtol: number;
  readonly batch: number;
  readonly seed: number;
  readonly ms: number;
  /** The input size it ran at, where `sample size=` made it differ from the declared one. */
  readonly input?: Shape;
}

export function assemble(
  layers: readonly LayerMeta[],
  parts: readonly PartialCheck[],
  settings: RunSettings,
  /** Every layer of the network, where `layers` are only those a cancelled run finished: who reads what. */
  network: readonly LayerMeta[] = layers,
): GradcheckResult {
  const found = new Map(parts.flatMap((p) => p.checks.map((c) => [`${c.layer}\u0000${c.tensor}`, c.check] as const)));
  // The local check's δ: the sum of its readers' parts, in network order whatever shard or message brought
  // them, so that a result is the same to the last bit on one thread or two, whole or cancelled.
  const position = new Map(network.map((l, i) => [l.name, i]));
  const at = (c: ChainPart) => (c.reader === undefined ? -1 : (position.get(c.reader) ?? -1));
  const sums = new Map<string, ChainPoint[]>();
  for (const chain of parts.flatMap((p) => p.chains ?? []).sort((a, b) => at(a) - at(b))) {
    const sum = sums.get(chain.layer);
    if (!sum)
      sums.set(
        chain.layer,
        chain.points.map((p) => ({ ...p })),
      );
    else
      chain.points.forEach(
        (p, k) => ((sum[k].numeric += p.numeric), (sum[k].kink ||= p.kink), (sum[k].floor += p.floor)),
      );
  }
  const tol = { atol: settings.atol, rtol: settings.rtol };
  for (const [layer, points] of sums)
    found.set(
      `${layer}\u0000δ`,
      summarise(points.map((p) => comparedOf(p.index, p.analytic, p.numeric, chainVerdict(p, tol), tol))),
    );
  const local = parts.some((p) => p.chains !== undefined);
  const readers = (name: string) => network.filter((l) => l.inputs.includes(name)).map((l) => l.name);
  /** Whether every rule check of a reader of `name`, for its input `name`, passed. */
  const readersRight = (name: string) =>
    [...found].every(
      ([key, c]) =>
        c.passed ||
        !readers(name).some((r) => key === `${r}\u0000rule δ ${name}` || key.startsWith(`${r}\u0000rule δ ${name} #`)),
    );
  const get = (layer: string, tensor: string) => {
    const c = found.get(`${layer}\u0000${tensor}`);
    if (!c) throw new Error(`gradcheck: no check of ${layer} ${tensor} in any shard`);
    return c;
  };
  const results: LayerCheck[] = layers.map((l) => {
    const delta = get(l.name, 'δ');
    const params = Object.fromEntries(l.params.map((p) => [p, get(l.name, p)]));
    if (local) {
      const rules = Object.fromEntries(ruleNames(l).map((key) => [key, get(l.name, `rule ${key}`)] as const));
      return {
        name: l.name,
        kind: l.kind,
        ...(l.line !== undefined && { line: l.line }),
        custom: l.custom,
        delta,
        params,
        rules,
        ...localBlame(l, delta, params, rules, readers(l.name), readersRight(l.name)),
      };
    }
    // Where an input feeds several layers, its δ is wrong because of this layer only if this layer's share is.
    const wrongInput = (name: string) => {
      const c = get(name, 'δ');
      return !c.passed && c.shares?.[l.name]?.passed !== true;
    };
    const wrong = [
      ...[...new Set(l.inputs)].filter(wrongInput).map((name) => `the δ at its input ${name}`),
      ...Object.entries(params)
        .filter(([, c]) => !c.passed)
        .map(([name]) => `its gradient ${name}`),
    ];
    const shares = delta.shares && Object.entries(delta.shares);
    const unsummed =
      shares?.every(([, c]) => c.passed) &&
      `each layer it feeds (${shares.map(([n]) => n).join(', ')}) hands back a right share of its δ, but the δ is not their sum: the δ where ${l.name} fans out is not summed right`;
    return {
      name: l.name,
      kind: l.kind,
      ...(l.line !== undefined && { line: l.line }),
      custom: l.custom,
      delta,
      params,
      ...(delta.passed &&
        wrong.length > 0 && {
          blame: `the δ at its output is right but ${wrong.join(' and ')} ${wrong.length > 1 ? 'are' : 'is'} wrong: ${l.name}'s backward rule is wrong`,
        }),
      ...(unsummed && { blame: unsummed }),
    };
  });
  return {
    passed: results.every(
      (l) =>
        l.delta.passed &&
        Object.values(l.params).every((c) => c.passed) &&
        Object.values(l.rules ?? {}).every((c) => c.passed),
    ),
    ...settings,
    loss: parts[0]?.loss ?? NaN,
    evaluations: parts.reduce((n, p) => n + p.evaluations, 0),
    layers: results,
  };
}

/** The local check's rule checks of a layer: `δ p1` per input slot (`δ p1 #2` for a second slot of p1), each parameter. */
export function ruleNames(l: LayerMeta): string[] {
  const seen = new Map<string, number>();
  return [
    ...l.inputs.map((name) => {
      const n = (seen.get(name) ?? 0) + 1;
      seen.set(name, n);
      return `δ ${name}${n > 1 ? ` #${n}` : ''}`;
    }),
    ...l.params,
  ];
}

/**
 * Blame in the local check. A failed rule check pins this layer's backward, whatever the rest does. Else a δ
 * that is not what its readers' (passing) rules make of theirs, or a gradient that is not what this layer's
 * (passing) rule makes of its δ, is the plumbing between layers: δ summed wrong at a fan-out, a merge's share.
 */
function localBlame(
  l: LayerMeta,
  delta: TensorCheck,
  params: Readonly<Record<string, TensorCheck>>,
  rules: Readonly<Record<string, TensorCheck>>,
  readers: readonly string[],
  readersRight: boolean,
): { blame?: string } {
  const wrongRules = Object.entries(rules)
    .filter(([, c]) => !c.passed)
    .map(([key]) => (key.startsWith('δ ') ? `the δ at its input ${key.slice(2)}` : `its gradient ${key}`));
  if (wrongRules.length)
    return {
      blame: `for a random δ at its output, ${wrongRules.join(' and ')} disagree${wrongRules.length > 1 ? '' : 's'} with its forward: ${l.name}'s backward rule is wrong`,
    };
  if (!delta.passed && readersRight && readers.length > 0) {
    return {
      blame: `the δ at its output is not the sum of what ${readers.length > 1 ? `its readers ${readers.join(', ')} hand` : `its reader ${readers[0]} hands`} back, though ${readers.length > 1 ? 'their rules are' : 'its rule is'} right: δ is passed on wrong after ${l.name}`,
    };
  }
  const wrongGrads = Object.entries(params)
    .filter(([, c]) => !c.passed)
    .map(([name]) => name);
  if (wrongGrads.length)
    return {
      blame: `its rule is right, but the gradient ${wrongGrads.join(' and ')} kept is not what it gives for the δ at its output`,
    };
  return {};
}

/**
 * Greedy longest-first split of the tensors by estimated cost: the reruns it takes times the work of each
 * rerun (the multiply-adds and activations of what follows the perturbed tensor), so the shards take about
 * equally long.
 */
function share(
  model: Model,
  targets: readonly Target[],
  shard: Shard,
  modes: readonly GradcheckMode[],
  samples: number,
): Target[] {
  const sizes = model.nodes.map((n) => n.macs + elementCount(n.step.output));
  const cost = (t: Target) => {
    const coords = modes.includes('full')
      ? t.values.length
      : (modes.includes('sampled') ? Math.min(samples, t.values.length) : 0) + (modes.includes('directional') ? 1 : 0);
    return 2 * coords * t.order.reduce((n, i) => n + sizes[i], 1);
  };
  const load = new Array<number>(shard.count).fill(0);
  const mine = new Set<Target>();
  const order = targets.map((t, i) => ({ t, i, c: cost(t) })).sort((a, b) => b.c - a.c || a.i - b.i);
  for (const { t, c } of order) {
    const least = load.indexOf(Math.min(...load));
    load[least] += c;
    if (least === shard.index) mine.add(t);
  }
  return targets.filter((t) => mine.has(t));
}

/** A compared coordinate, with what summarise needs: how far past the tolerance, and the verdict. */
export function comparedOf(index: readonly number[], a: number, n: number, v: Verdict, tol: Tolerance): Compared {
  return {
    index,
    analytic: a,
    numeric: n,
    relError: relError(a, n),
    excess: excess(a, n, tol),
    kink: v === 'kink',
    verdict: v,
  };
}

export interface Compared extends Coordinate {
  readonly excess: number;
  readonly kink: boolean;
  readonly verdict: Verdict;
}

export function summarise(seen: readonly Compared[]): TensorCheck {
  const count = (v: Verdict) => seen.filter((c) => c.verdict === v).length;
  // Zeros pass but their relative error is noise over noise; inconclusive ones say nothing.
  const counted = seen.filter((c) => c.verdict === 'pass' || c.verdict === 'fail');
  const worst = [...counted]
    .sort((a, b) => b.excess - a.excess)
    .slice(0, WORST)
    .map(({ index, analytic, numeric, relError }) => ({ index, analytic, numeric, relError }));
  return {
    maxRelError: counted.reduce((m, c) => Math.max(m, c.relError), 0),
    maxExcess: counted.reduce((m, c) => Math.max(m, c.excess), 0),
    checked: seen.length,
    kinks: count('kink'),
    curvature: count('curvature'),
    zeros: count('zero'),
    passed: !seen.some((c) => c.verdict === 'fail'),
    worst,
  };
}

/** Every δ (the input's first, then each layer's output) and every parameter, in network order. */
function listTargets(model: Model, base: Pass, { deltas, grads, shares }: Gradients): Target[] {
  const targets: Target[] = [];
  /** Each share of δ(tensor): perturbing a copy that only its layer reads, rerunning from that layer on. */
  const sharesOf = (tensor: number, layer: string, shape: Shape) =>
    shares.has(tensor)
      ? [...shares.get(tensor)!]
          .sort(([a], [b]) => a - b)
          .map(([node, analytic]): Target => {
            const values = base.tensors[tensor].slice();
            return {
              layer,
              tensor: model.nodes[node].name,
              values,
              analytic,
              shape,
              order: [node, ...downstream(node + 1)],
              substitute: { node, tensor, values },
            };
          })
      : undefined;
  const downstream = (tensor: number, from = 0): number[] => {
    const reached = new Set([tensor]);
    const order: number[] = [];
    for (const node of model.nodes.slice(from)) {
      if (node.index + 1 === tensor) continue;
      if (node.inputs.some((i) => reached.has(i))) {
        order.push(node.index);
        reached.add(node.index + 1);
      }
    }
    return order;
  };
  const inputShape = [model.batch, ...model.inputShape];
  targets.push({
    layer: model.inputName,
    tensor: 'δ',
    values: base.tensors[0],
    analytic: deltas[0],
    shape: inputShape,
    changed: 0,
    order: downstream(0),
    shares: sharesOf(0, model.inputName, inputShape),
  });
  for (const node of model.nodes) {
    const t = node.index + 1;
    const shape = [model.batch, ...node.step.output];
    targets.push({
      layer: node.name,
      tensor: 'δ',
      values: base.tensors[t],
      analytic: deltas[t],
      shape,
      changed: t,
      order: downstream(t),
      shares: sharesOf(t, node.name, shape),
    });
    for (const [name, values] of Object.entries(node.step.params)) {
      targets.push({
        layer: node.name,
        tensor: name,
        values,
        analytic: grads[node.index][name],
        shape: node.paramShapes[name],
        order: [node.index, ...downstream(t)],
      });
    }
  }
  return targets;
}

/**
 * The sampled coordinates of a tensor, biases included like every other: all of them when there are at most
 * `samples`; else those the local check samples too (subjects.ts): the largest |gradient| entries first.
 */
function pick(t: Target, samples: number, seed: number): number[] {
  const n = t.values.length;
  return n <= samples ? [...Array(n).keys()] : picked(t.analytic, samples, seed, `${t.layer}:${t.tensor}`);
}
