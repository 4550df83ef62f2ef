/**
 * What a gradient check will cost, known before it starts: how many evaluations (forward reruns) it does and
 * about how long they take, so a caller can say so and ask before a run of minutes (full mode on inception is
 * millions of evaluations).
 *
 * The count is exact for the modes' plans: end to end, per tensor, 2 evaluations per coordinate (every one in
 * full mode, min(samples, size) in sampled mode) and 2 for the direction in directional mode; in the local
 * modes, what local.ts plans (localPlan). Only the drill-in after a failing direction and the smaller steps
 * after a miss (verdict.ts), which the check cannot know in advance, are left out. The time is an estimate: each
 * evaluation reruns what follows the perturbed tensor, weighed by its multiply-adds and outputs (as the
 * shards are split), in units of one whole forward pass, whose time is measured.
 */
import { elementCount } from '../shape';
import type { GradcheckMode } from './gradcheck';
import type { Model } from './model';
import { GRADCHECK_DEFAULTS } from '../defaults';
import { cropSize, WINDOW_OUTPUTS } from './field';
import { localPlan } from './local';
import { basePasses } from './pass';

/** The check to estimate: unset mode is the default (local). */
export interface CheckPlan {
  readonly mode?: GradcheckMode;
  readonly samples?: number;
}

/** One tensor's share of a check. */
export interface TensorCost {
  readonly layer: string;
  /** `δ`, or a parameter's name. */
  readonly tensor: string;
  readonly evaluations: number;
  /** The evaluations' work, in whole forward passes. */
  readonly passes: number;
}

export interface CheckEstimate {
  /** Forward reruns the check will do (without the drill-in after a failing direction). */
  readonly evaluations: number;
  /** Their work in whole forward passes, the base forward and backward included. */
  readonly passes: number;
  /** The measured time of one forward pass. */
  readonly forwardMs: number;
  /** About how long the check takes on one thread. */
  readonly ms: number;
  readonly tensors: readonly TensorCost[];
}

/** Every tensor's evaluations and work in `plan`, in the order the check visits them. */
export function checkCosts(model: Model, plan: CheckPlan = {}): TensorCost[] {
  const mode = plan.mode ?? GRADCHECK_DEFAULTS.mode;
  const samples = plan.samples ?? GRADCHECK_DEFAULTS.samples;
  const sizes = model.nodes.map((n) => n.macs + elementCount(n.step.output));
  const whole = sizes.reduce((a, b) => a + b, 0) || 1;
  if (mode === 'local' || mode === 'local-full')
    return localCosts(model, mode === 'local-full' ? Infinity : samples, sizes, whole);
  const modes: readonly GradcheckMode[] = mode === 'baseline' ? ['directional', 'sampled'] : [mode];
  const evaluations = (size: number) =>
    2 *
    ((modes.includes('full') ? size : modes.includes('sampled') ? Math.min(samples, size) : 0) +
      (modes.includes('directional') ? 1 : 0));
  /** The nodes a change of tensor `tensor` reaches (node i's output is tensor i + 1), as the check reruns them. */
  const downstream = (tensor: number): number[] => {
    const reached = new Set([tensor]);
    const order: number[] = [];
    for (const node of model.nodes) {
      if (node.index + 1 === tensor || !node.inputs.some((i) => reached.has(i))) continue;
      order.push(node.index);
      reached.add(node.index + 1);
    }
    return order;
  };
  const cost = (layer: string, tensor: string, size: number, order: readonly number[]): TensorCost => {
    const n = evaluations(size);
    return { layer, tensor, evaluations: n, passes: (n * order.reduce((s, i) => s + sizes[i], 0)) / whole };
  };
  const costs = [cost(model.inputName, 'δ', model.batch * elementCount(model.inputShape), downstream(0))];
  for (const node of model.nodes) {
    const after = downstream(node.index + 1);
    costs.push(cost(node.name, 'δ', model.batch * elementCount(node.step.output), after));
    for (const [name, values] of Object.entries(node.step.params))
      costs.push(cost(node.name, name, values.length, [node.index, ...after]));
  }
  return costs;
}

/**
 * The local check's evaluations, exactly as it plans them (it picks its coordinates from the gradients, so a
 * forward and a backward pass come first). Each runs one layer: whole along a direction, on its receptive
 * field for a coordinate where the layer has one (a conv's or a pool's window, one element, one channel: its
 * kind's cropSize).
 */
function localCosts(model: Model, samples: number, sizes: readonly number[], whole: number): TensorCost[] {
  const { deltas, grads } = basePasses(model).gradients;
  return localPlan(model, deltas, grads, samples).map((c) => {
    if (c.node === undefined) return { layer: c.layer, tensor: c.tensor, evaluations: c.evaluations, passes: 0 };
    const node = model.nodes[c.node];
    const size = sizes[c.node] * model.batch;
    const outputs = model.batch * elementCount(node.step.output);
    const crop = cropSize(node);
    const cropped = crop ? (size / outputs) * (crop === 'window' ? WINDOW_OUTPUTS : 1) : size;
    const perPoint = c.evaluations / (1 + c.coordinates);
    return {
      layer: c.layer,
      tensor: c.tensor,
      evaluations: c.evaluations,
      passes: (perPoint * (size + c.coordinates * cropped)) / (whole * model.batch),
    };
  });
}

/**
 * The check's evaluations and about how long it takes on one thread, from a forward pass of `forwardMs`: by
 * default the base pass's own (basePasses, cold, so rather long than short), which a local check on the same
 * model then reuses instead of running it again.
 */
export function estimateCheck(
  model: Model,
  plan: CheckPlan = {},
  forwardMs = basePasses(model).forwardMs,
): CheckEstimate {
  const tensors = checkCosts(model, plan);
  // The base forward, and a backward that costs about two forwards.
  const passes = 3 + tensors.reduce((s, t) => s + t.passes, 0);
  return {
    evaluations: tensors.reduce((n, t) => n + t.evaluations, 0),
    passes,
    forwardMs,
    ms: passes * forwardMs,
    tensors,
  };
}

export { aboutDuration } from '../duration';
