/**
 * Forward and backward passes over a model, in float64. Tensor 0 is the network's input and tensor i + 1 is
 * node i's output, so a gradient check can replace one tensor (or one node's parameters) and rerun only the
 * nodes downstream of it, reusing every activation before it.
 */
import { classLayout, crossEntropy, mseLoss } from '../kernels';
import type { Backward, Forward } from '../layers/kind';
import { type Model, type ModelNode, RunError } from './model';
import { now } from './util';

export interface Pass {
  /**
   * Every tensor in its own memory, none a view of another or of a parameter: a gradient check perturbs a
   * tensor in place, and that must move it alone (dropout and flatten hand back their input as their output).
   */
  readonly tensors: readonly Float64Array[];
  /** Per node: its forward record (output and what backward needs). */
  readonly forwards: readonly Forward[];
  readonly loss: number;
}

export interface Gradients {
  /** ∂loss/∂tensor for every tensor, the input's included (zeros for a layer that reaches no loss). */
  readonly deltas: readonly Float64Array[];
  /**
   * For each tensor that feeds several layers: what each of them handed back (by node index), whose sum its δ
   * should be. A gradient check compares each share on its own when the δ fails, to tell a wrong rule from a
   * wrong sum.
   */
  readonly shares: ReadonlyMap<number, ReadonlyMap<number, Float64Array>>;
  /** Per node, each parameter's gradient. */
  readonly grads: readonly Readonly<Record<string, Float64Array>>[];
}

/** The whole forward pass, checking every output for NaN and ∞. */
export function forwardPass(model: Model): Pass {
  const tensors: Float64Array[] = [model.input];
  const forwards: Forward[] = [];
  const taken = new Set<ArrayBufferLike>([
    model.input.buffer,
    ...model.nodes.flatMap((n) => Object.values(n.step.params).map((p) => p.buffer)),
  ]);
  for (const node of model.nodes) {
    const run = node.kind.forward(
      node.config,
      node.step,
      node.inputs.map((t) => tensors[t]),
    );
    const f = taken.has(run.y.buffer) ? { ...run, y: run.y.slice() } : run;
    taken.add(f.y.buffer);
    finite(f.y, node, 'forward output');
    forwards.push(f);
    tensors.push(f.y);
  }
  const loss = lossOf(model, tensors, false);
  if (!Number.isFinite(loss)) throw new RunError(`the loss is ${loss}`, [], model.nodes[model.nodes.length - 1].name);
  return { tensors, forwards, loss };
}

/** A model's unperturbed passes, and how long its forward took (cold: the first run of its kernels). */
export interface Base {
  readonly pass: Pass;
  readonly gradients: Gradients;
  readonly forwardMs: number;
}

const bases = new WeakMap<Model, Base>();

/**
 * The forward and backward pass of `model` as it is, computed once per model: the CLI estimates a local check
 * (which picks its coordinates from the gradients) and then runs it, and both start from these. Only for
 * readers that never write into them: the end-to-end modes perturb tensors in place and make their own.
 */
export function basePasses(model: Model): Base {
  let base = bases.get(model);
  if (!base) {
    const started = now();
    const pass = forwardPass(model);
    const forwardMs = now() - started;
    bases.set(model, (base = { pass, gradients: backwardPass(model, pass), forwardMs }));
  }
  return base;
}

/** One layer reads other values for one of its inputs than the other layers do: how one share of a δ is checked. */
export interface Substitute {
  readonly node: number;
  readonly tensor: number;
  readonly values: Float64Array;
}

/**
 * Reruns `order` (ascending node indices: those downstream of a change the caller made in place, to tensor
 * `changed` or to a node's parameters) on top of `base`, reusing every activation before it. Returns the new
 * loss and the rerun's forward records, for kink detection.
 */
export function rerun(
  model: Model,
  base: Pass,
  order: readonly number[],
  changed?: number,
  substitute?: Substitute,
): { loss: number; forwards: Map<number, Forward>; tensors: readonly Float64Array[] } {
  const tensors = base.tensors.slice();
  const forwards = new Map<number, Forward>();
  for (const i of order) {
    const node = model.nodes[i];
    const f = node.kind.forward(
      node.config,
      node.step,
      node.inputs.map((t) => (substitute?.node === i && substitute.tensor === t ? substitute.values : tensors[t])),
    );
    forwards.set(i, f);
    tensors[i + 1] = f.y;
  }
  return { loss: lossOf(model, tensors, changed === model.nodes.length), forwards, tensors };
}

/**
 * The loss of a forward pass. With a fused softmax it is computed from the logits by a stable log-sum-exp,
 * unless the probabilities themselves were perturbed (the δ check of the softmax layer): then from −log p.
 */
function lossOf(model: Model, tensors: readonly Float64Array[], probabilitiesChanged: boolean): number {
  const last = model.nodes[model.nodes.length - 1];
  const y = tensors[tensors.length - 1];
  if (model.targets) return mseLoss(y, model.targets).loss;
  const { classes, positions } = classLayout(last.step.output);
  if (model.fusedSoftmax && probabilitiesChanged) {
    let total = 0;
    for (let s = 0; s < model.labels!.length; s++) {
      const n = Math.floor(s / positions);
      total -= Math.log(y[(n * classes + model.labels![s]) * positions + (s % positions)]);
    }
    return total / model.labels!.length;
  }
  const logits = model.fusedSoftmax ? tensors[last.inputs[0]] : y;
  return crossEntropy(model.batch, classes, positions, logits, model.labels!).loss;
}

/** The backward pass: every δ and every parameter gradient, overrides (hand-written rules, faults) applied. */
export function backwardPass(model: Model, pass: Pass): Gradients {
  const { nodes } = model;
  const deltas: (Float64Array | undefined)[] = new Array(pass.tensors.length);
  const grads: Record<string, Float64Array>[] = nodes.map(() => ({}));
  const last = nodes[nodes.length - 1];
  const y = pass.tensors[nodes.length];
  const gather = model.gather ?? plus;
  const accumulate = (t: number, d: Float64Array) => {
    const prev = deltas[t];
    deltas[t] = prev ? gather(prev, d) : d;
  };
  const consumers = new Map<number, Set<number>>();
  for (const node of nodes)
    for (const t of node.inputs) consumers.set(t, (consumers.get(t) ?? new Set()).add(node.index));
  const shares = new Map<number, Map<number, Float64Array>>();
  const share = (t: number, node: number, d: Float64Array) => {
    if (consumers.get(t)!.size < 2) return;
    const of = shares.get(t) ?? shares.set(t, new Map()).get(t)!;
    const prev = of.get(node);
    of.set(node, prev ? plus(prev, d) : d);
  };

  let skip = -1;
  if (model.targets) {
    deltas[nodes.length] = mseLoss(y, model.targets).grad;
  } else {
    const { classes, positions } = classLayout(last.step.output);
    const logits = model.fusedSoftmax ? pass.tensors[last.inputs[0]] : y;
    const ce = crossEntropy(model.batch, classes, positions, logits, model.labels!);
    if (model.fusedSoftmax) {
      // δ at the probabilities is −onehot/(N·p); the fused rule hands (p − onehot)/N straight to the logits.
      const dp = new Float64Array(y.length);
      const count = model.labels!.length;
      for (let s = 0; s < count; s++) {
        const i = (Math.floor(s / positions) * classes + model.labels![s]) * positions + (s % positions);
        dp[i] = -1 / (count * y[i]);
      }
      deltas[nodes.length] = dp;
      accumulate(last.inputs[0], ce.grad);
      share(last.inputs[0], last.index, ce.grad);
      skip = last.index;
    } else {
      deltas[nodes.length] = ce.grad;
    }
  }

  for (let i = nodes.length - 1; i >= 0; i--) {
    if (i === skip) continue;
    const node = nodes[i];
    const dy = deltas[i + 1] ?? new Float64Array(pass.tensors[i + 1].length);
    deltas[i + 1] = dy;
    const x = node.inputs.map((t) => pass.tensors[t]);
    const b = backwardOf(model, node, x, pass.forwards[i], dy);
    b.dx.forEach((dx, j) => {
      finite(dx, node, 'δ at its input');
      accumulate(node.inputs[j], dx);
      share(node.inputs[j], i, dx);
    });
    for (const [name, g] of Object.entries(b.grads ?? {})) {
      finite(g, node, `gradient ${name}`);
      grads[i][name] = g;
    }
  }
  return { deltas: deltas.map((d, t) => d ?? new Float64Array(pass.tensors[t].length)), grads, shares };
}

/** a + b in a new array (a typed array's `map` boxes each element it returns). */
function plus(a: Float64Array, b: Float64Array): Float64Array {
  const sum = a.slice();
  for (let i = 0; i < sum.length; i++) sum[i] += b[i];
  return sum;
}

function finite(a: Float64Array, node: ModelNode, what: string): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]))
      throw new RunError(
        `${node.name} (line ${node.line}) produced ${a[i]} in its ${what}, at element ${i}`,
        [],
        node.name,
      );
  }
}

/** The layer's backward for upstream `dy`, with its override (a hand-written rule, an injected fault) applied. */
export function backwardOf(
  model: Model,
  node: ModelNode,
  x: readonly Float64Array[],
  f: Forward,
  dy: Float64Array,
): Backward {
  const standard = () => node.kind.backward(node.config, node.step, x, f, dy);
  const override = model.overrides[node.name];
  return override ? override(node.step, x, f, dy, standard, node.kind) : standard();
}
