/**
 * `cnn-lens run --dump`: a whole sample run as JSON, in float64, for comparison with PyTorch. Every tensor is
 * `{ shape, data }` with the data flat and row-major; activations and δs carry the batch as their first
 * dimension, parameters and their gradients PyTorch's layouts.
 */
import type { Analysis } from '../check';
import type { Shape } from '../shape';
import { buildModel, type RunOptions } from './model';
import { backwardPass, forwardPass } from './pass';

export interface Tensor {
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

/** A sample run, each tensor as `encode` writes it (inline `{ shape, data }` by default). */
export interface RunDump<T = Tensor> {
  readonly seed: number;
  readonly batch: number;
  readonly input: T;
  readonly labels?: T;
  readonly targets?: T;
  readonly params: Record<string, Record<string, T>>;
  readonly outputs: Record<string, T>;
  readonly loss: number;
  readonly grads: Record<string, Record<string, T>>;
  readonly deltas: Record<string, T>;
}

const inline = (shape: Shape, data: ArrayLike<number>): Tensor => ({ shape: [...shape], data: Array.from(data) });

export function sampleRun(analysis: Analysis, options?: RunOptions): RunDump;
export function sampleRun<T>(
  analysis: Analysis,
  options: RunOptions,
  encode: (shape: Shape, data: ArrayLike<number>) => T,
): RunDump<T>;
/** The run; `encode` writes each tensor (scripts/torch/zoo-dump.ts: to a file of its own, for runs too large for JSON). */
export function sampleRun<T>(
  analysis: Analysis,
  options: RunOptions = {},
  encode: (shape: Shape, data: ArrayLike<number>) => T | Tensor = inline,
): RunDump<T | Tensor> {
  const tensor = encode;
  const model = buildModel(analysis, options);
  const pass = forwardPass(model);
  const { deltas, grads } = backwardPass(model, pass);
  const N = model.batch;
  const output = model.nodes[model.nodes.length - 1].step.output;
  const withParams = model.nodes.filter((n) => Object.keys(n.step.params).length > 0);
  const perParam = (values: (n: (typeof model.nodes)[number], name: string) => Float64Array) =>
    Object.fromEntries(
      withParams.map((n) => [
        n.name,
        Object.fromEntries(Object.keys(n.step.params).map((p) => [p, tensor(n.paramShapes[p], values(n, p))])),
      ]),
    );
  return {
    seed: model.seed,
    batch: N,
    input: tensor([N, ...model.inputShape], model.input),
    ...(model.labels && { labels: tensor([N, ...output.slice(1)], model.labels) }),
    ...(model.targets && { targets: tensor([N, ...output], model.targets) }),
    params: perParam((n, p) => n.step.params[p]),
    outputs: Object.fromEntries(
      model.nodes.map((n) => [n.name, tensor([N, ...n.step.output], pass.tensors[n.index + 1])]),
    ),
    loss: pass.loss,
    grads: perParam((n, p) => grads[n.index][p]),
    deltas: Object.fromEntries([
      [model.inputName, tensor([N, ...model.inputShape], deltas[0])],
      ...model.nodes.map((n) => [n.name, tensor([N, ...n.step.output], deltas[n.index + 1])]),
    ]),
  };
}
