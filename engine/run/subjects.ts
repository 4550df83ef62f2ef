/**
 * What the local check perturbs (local.ts): each δ a layer reads and each parameter, as a subject with a seeded
 * random direction, drawn only when asked for, and the coordinates sampled from it, the largest |gradient|
 * entries first, where a wrong rule shows most.
 */
import type { Model } from './model';
import type { Gradients } from './pass';
import { Random } from './random';

/** What is perturbed: tensor t (0 the input, i + 1 node i's output) or a node's parameter. */
export interface Subject {
  readonly layer: string;
  readonly tensor: string;
  readonly size: number;
  readonly shape: readonly number[];
  readonly analytic: Float64Array;
  readonly direction: Float64Array;
  readonly coords: readonly number[];
}

/**
 * The subjects a check perturbs: the δs the nodes `mine` holds read (and the output's, if it checks the last
 * layer), and their parameters. A shard draws only its own: each is a random direction as long as the tensor.
 */
export function subjects(
  model: Model,
  deltas: readonly Float64Array[],
  grads: Gradients['grads'],
  samples: number,
  mine: ReadonlySet<number>,
  /** Also the δs no layer reads (the shard that names them, with a zero chain part). */
  unread = false,
) {
  const names = [model.inputName, ...model.nodes.map((n) => n.name)];
  const shapes = [[model.batch, ...model.inputShape], ...model.nodes.map((n) => [model.batch, ...n.step.output])];
  const last = model.nodes.length;
  const readers = new Set(model.nodes.flatMap((n) => n.inputs));
  const wanted = new Set(model.nodes.filter((n) => mine.has(n.index)).flatMap((n) => n.inputs));
  if (mine.has(last - 1)) wanted.add(last);
  if (unread) for (let t = 0; t < last; t++) if (!readers.has(t)) wanted.add(t);
  // Sparse: only the subjects this check perturbs.
  const tensors: Subject[] = [];
  for (const t of wanted) tensors[t] = subject(model, names[t], 'δ', shapes[t], deltas[t], samples);
  const params = model.nodes.map((node) =>
    mine.has(node.index)
      ? Object.entries(grads[node.index]).map(([p, g]) => subject(model, node.name, p, node.paramShapes[p], g, samples))
      : [],
  );
  return { tensors, params };
}

/**
 * Directions and upstream δs are uniform in [−1, 1): any random direction serves, and it is cheaper to draw than a
 * normal. The direction is drawn when first asked for: planning needs only the coordinates, and a shard only
 * the directions of what its layers perturb (a ResNet's 11 million parameters are not drawn for nothing).
 */
function subject(
  model: Model,
  layer: string,
  tensor: string,
  shape: readonly number[],
  analytic: Float64Array,
  samples: number,
): Subject {
  const size = analytic.length;
  let direction: Float64Array | undefined;
  return {
    layer,
    tensor,
    size,
    shape,
    analytic,
    get direction() {
      return (direction ??= unit(new Random(model.seed, `direction:${layer}:${tensor}`).uniforms(size, -1, 1)));
    },
    coords: samples >= size ? [...Array(size).keys()] : picked(analytic, samples, model.seed, `${layer}:${tensor}`),
  };
}

/** v scaled to unit length (left as it is when zero). */
function unit(v: Float64Array): Float64Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  const norm = Math.sqrt(sum) || 1;
  for (let i = 0; i < v.length; i++) v[i] /= norm;
  return v;
}

// The coordinates picked from each gradient, by samples, seed and tensor: the CLI's estimate and the check it
// announces pick from the same base gradients (basePasses), and a ResNet's take a pass over millions of values.
const picks = new WeakMap<Float64Array, Map<string, number[]>>();

export function picked(analytic: Float64Array, samples: number, seed: number, name: string): number[] {
  const key = `${samples}:${seed}:${name}`;
  let of = picks.get(analytic);
  if (!of) picks.set(analytic, (of = new Map()));
  let coords = of.get(key);
  if (!coords) of.set(key, (coords = pick(analytic, samples, seed, `sample:${name}`)));
  return coords;
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
  // The k-th largest so far, once there are k: most values fall below it, and are passed over on one compare.
  let least = -1;
  for (let i = 0; i < values.length; i++) {
    const v = Math.abs(values[i]);
    if (v <= least) continue;
    if (top.length === k) top.pop();
    let at = top.length;
    while (at > 0 && Math.abs(values[top[at - 1]]) < v) at--;
    top.splice(at, 0, i);
    if (top.length === k) least = Math.abs(values[top[k - 1]]);
  }
  return top;
}
