/**
 * Faults a test can inject into one layer's backward, to prove the gradient check catches each at the right
 * layer and tensor: the three classic mistakes of deriving backprop through conv, pooling and dense by hand,
 * and two in the joins of a graph (`add`, `concat`). Not for users: a hand-written rule is checked the same
 * way, through the same override hook. A fault in the plumbing between layers (δ not summed where a tensor
 * feeds several layers) is `FANOUT_NOT_SUMMED`, given as RunOptions.gather.
 */
import { conv } from '../layers/conv';
import { isStepOf, type LayerKind, type Step } from '../layers/kind';
import { pool } from '../layers/pool';
import { concatBackward, conv2dBackwardInput } from '../kernels';
import { elementCount } from '../shape';
import type { BackwardOverride, Gather } from './model';

export const FAULTS = {
  /** Mean pooling's δ spread over the window without dividing by Kh·Kw. */
  'mean-pool-no-divide': (step, _x, _f, _dy, standard, kind) => {
    const g = geometryOf(pool, kind, step);
    // Adaptive windows differ in size from one output to the next: the fault is defined for KERNEL windows.
    if (!('h' in g))
      throw new Error(
        `${step.name}: mean-pool-no-divide is injected into pooling over KERNEL windows, not adaptive pooling`,
      );
    const k = g.h.kernel * g.w.kernel;
    return { dx: standard().dx.map((d) => d.map((v) => v * k)) };
  },
  /** Conv's δx as a full correlation with W itself instead of with W rotated by 180°. */
  'conv-no-rotate': (step, _x, _f, dy, standard, kind) => {
    const g = geometryOf(conv, kind, step);
    const W = step.params.W;
    const kk = g.h.kernel * g.w.kernel;
    const flipped = W.map((_, i) => W[i - (i % kk) + (kk - 1 - (i % kk))]);
    return { dx: [conv2dBackwardInput(g, step.batch, dy, flipped)], grads: standard().grads! };
  },
  /** Dense's dW laid out transposed (xᵀδ instead of δxᵀ). */
  'dense-dw-transposed': (step, _x, _f, _dy, standard) => {
    const b = standard();
    const W = b.grads!.W;
    const units = step.output[0];
    const inputs = W.length / units;
    return { dx: b.dx, grads: { ...b.grads, W: W.map((_, i) => W[(i % units) * inputs + Math.floor(i / units)]) } };
  },
  /** add hands δ to its first term only; the others get zeros. */
  'add-one-term': (_step, _x, _f, _dy, standard) => ({
    dx: standard().dx.map((d, i) => (i === 0 ? d : new Float64Array(d.length))),
  }),
  /** concat cuts δ into the inputs' channel ranges one channel late: input k gets channels [c₀ + 1, c₀ + Cₖ + 1). */
  'concat-off-by-one': (step, _x, _f, dy) => {
    const channels = step.inputShapes.map((s) => s[0]);
    const spatial = elementCount(step.inputShapes[0].slice(1));
    const run = step.output[0] * spatial;
    // Channel c of the shifted δ is channel c + 1 of δ (each sample's last channel gets 0), then cut as usual.
    const shifted = new Float64Array(dy.length);
    for (let n = 0; n < step.batch; n++) shifted.set(dy.subarray(n * run + spatial, (n + 1) * run), n * run);
    return { dx: concatBackward(step.batch, channels, spatial, shifted) };
  },
} satisfies Record<string, BackwardOverride>;

export type FaultName = keyof typeof FAULTS;

/** The overrides that inject `fault` into `layer`. */
export function withFault(layer: string, fault: FaultName): Record<string, BackwardOverride> {
  return { [layer]: FAULTS[fault] };
}

/** The step's geometry as `expected`'s: a fault about conv's or pooling's windows goes into a layer of that kind. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any options, configuration and saved state
function geometryOf<G>(expected: LayerKind<any, any, G>, kind: LayerKind, step: Step): G {
  if (!isStepOf(expected, kind, step))
    throw new Error(`${step.name} is not a ${expected.kind} layer, where this fault goes`);
  return step.geometry;
}

/** δ not summed where a tensor feeds several layers: the last share handed back replaces the others. */
export const FANOUT_NOT_SUMMED: Gather = (_sum, share) => share.slice();
