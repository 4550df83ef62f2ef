/**
 * A checked network made runnable: one node per layer with its kind, configuration, geometry and float64
 * parameters, plus a seeded sample batch (inputs, and labels or targets). Built only from a network without
 * errors, and only after the memory it needs has been counted.
 */
import type { Analysis, LossKind } from '../analysis';
import { runsAt } from '../check';
import { DEFAULT_BATCH, DEFAULT_MEMORY_LIMIT, DEFAULT_SEED } from '../defaults';
import { estimateRunBytes, formatBytes } from '../memory';
import { LAYER_KINDS } from '../layers';
import type { BackwardOverride, LayerKind, ParamSpec, Step } from '../layers/kind';
import { elementCount, type Shape } from '../shape';
import type { Diagnostic } from '../text';
import { Random } from './random';
import { ruleOverrides } from './rules';

export type { BackwardOverride } from '../layers/kind';

/** Adds one layer's share of δ to what the others handed back so far. */
export type Gather = (sum: Float64Array, share: Float64Array) => Float64Array;

export interface RunOptions {
  /** Samples in the batch; else the file's `sample batch=`, else 2. */
  readonly batch?: number;
  /** Else the file's `sample seed=`, else 1. */
  readonly seed?: number;
  /** Bytes a run may use (default 1 GiB). */
  readonly memoryLimit?: number;
  readonly overrides?: Readonly<Record<string, BackwardOverride>>;
  /** How the δ shares are summed where a tensor feeds several layers (a fresh array): tests inject faults here. */
  readonly gather?: Gather;
  /**
   * Data to use instead of the seeded draws, each checked against its shape: the input (N×…), labels or
   * targets, and parameters by layer (`{ c1: { W, b } }`, PyTorch's layouts). What is left out is drawn.
   */
  readonly data?: SampleData;
}

export interface SampleData {
  readonly input?: ArrayLike<number>;
  readonly labels?: ArrayLike<number>;
  readonly targets?: ArrayLike<number>;
  readonly params?: Readonly<Record<string, Readonly<Record<string, ArrayLike<number>>>>>;
}

/** Why a network cannot run: its error diagnostics, the memory it needs, or a NaN/∞ it produced. */
export class RunError extends Error {
  constructor(
    message: string,
    readonly diagnostics: readonly Diagnostic[] = [],
    /** The layer that produced a non-finite value. */
    readonly layer?: string,
  ) {
    super(message);
  }
}

export interface ModelNode {
  readonly index: number;
  readonly name: string;
  readonly kind: LayerKind;
  readonly config: unknown;
  readonly step: Step;
  /** Tensor indices of the inputs: 0 is the network's input, i + 1 is node i's output. */
  readonly inputs: readonly number[];
  /** 1-based line of the layer's statement. */
  readonly line: number;
  /** Each parameter's shape (W is [F, C/groups, kh, kw] or [units, in]). */
  readonly paramShapes: Readonly<Record<string, Shape>>;
  /** Multiply-adds per sample, to weigh reruns when a check is split across threads. */
  readonly macs: number;
}

export interface Model {
  readonly batch: number;
  readonly seed: number;
  readonly loss: LossKind;
  readonly inputName: string;
  readonly inputShape: Shape;
  readonly nodes: readonly ModelNode[];
  readonly input: Float64Array;
  /** Cross-entropy: one class per sample and position (N, or N×H×W for a map output). */
  readonly labels?: Int32Array;
  /** mse: random targets of the output's shape. */
  readonly targets?: Float64Array;
  /** The last layer is fused with the loss (softmax with cross-entropy): δ at its input is the loss's, (p − onehot)/N. */
  readonly fusedSoftmax: boolean;
  readonly overrides: Readonly<Record<string, BackwardOverride>>;
  readonly gather?: Gather;
}

export function buildModel(declared: Analysis, options: RunOptions = {}): Model {
  const errors = declared.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length)
    throw new RunError(
      `the network has ${errors.length} error${errors.length > 1 ? 's' : ''}; fix ${errors.length > 1 ? 'them' : 'it'} before running it`,
      errors,
    );
  // At `sample size=`, every shape is the size's; the input's declared H×W is only `check`'s.
  const analysis = runsAt(declared);
  const input = analysis.input;
  if (!input?.shape || analysis.layers.length === 0) throw new RunError('the network has no layers to run');
  const batch = options.batch ?? analysis.sample.batch ?? DEFAULT_BATCH;
  const seed = options.seed ?? analysis.sample.seed ?? DEFAULT_SEED;
  const limit = options.memoryLimit ?? DEFAULT_MEMORY_LIMIT;
  const bytes = estimateRunBytes(input.shape, analysis.layers, batch);
  if (bytes > BigInt(Math.floor(limit))) {
    throw new RunError(
      `a sample run of batch ${batch} would need ${formatBytes(bytes)}, over the ${formatBytes(BigInt(Math.floor(limit)))} limit`,
    );
  }

  const tensorOf = new Map<string, number>([[input.name, 0]]);
  const consumers = new Map<string, string[]>();
  for (const l of analysis.layers) for (const i of l.inputs) consumers.set(i, [...(consumers.get(i) ?? []), l.kind]);
  const rectifies = (kind: string) => LAYER_KINDS.get(kind)?.rectifies === true;
  const nodes = analysis.layers.map((l, index): ModelNode => {
    tensorOf.set(l.name, index + 1);
    const kind = LAYER_KINDS.get(l.kind)!;
    const reluNext = (consumers.get(l.name) ?? []).some(rectifies);
    const step: Step = {
      name: l.name,
      batch,
      inputShapes: l.inputShapes as Shape[],
      output: l.output!,
      geometry: l.geometry,
      params: {
        ...initParams(l.name, l.params, reluNext, seed),
        ...given(options.data?.params?.[l.name], l.params, l.name),
      },
    };
    return {
      index,
      name: l.name,
      kind,
      config: l.config,
      step,
      inputs: l.inputs.map((n) => tensorOf.get(n)!),
      line: l.line,
      paramShapes: Object.fromEntries(l.params.map((p) => [p.name, p.shape])),
      macs: l.macs,
    };
  });

  const output = nodes[nodes.length - 1].step.output;
  const loss = analysis.loss;
  const positions = elementCount(output.slice(1));
  const data = options.data ?? {};
  const inputSize = batch * elementCount(input.shape);
  return {
    batch,
    seed,
    loss,
    inputName: input.name,
    inputShape: input.shape,
    nodes,
    input: data.input ? sized(data.input, inputSize, 'input') : new Random(seed, 'input').normals(inputSize),
    ...(loss === 'cross_entropy'
      ? {
          labels: data.labels
            ? Int32Array.from(sized(data.labels, batch * positions, 'labels'))
            : Int32Array.from(
                { length: batch * positions },
                (
                  (r) => () =>
                    r.int(output[0])
                )(new Random(seed, 'labels')),
              ),
        }
      : {
          targets: data.targets
            ? sized(data.targets, batch * elementCount(output), 'targets')
            : new Random(seed, 'targets').fill(batch * elementCount(output), (r) => r.normal()),
        }),
    fusedSoftmax: nodes[nodes.length - 1].kind.fusedWithLoss?.loss === loss,
    overrides: { ...ruleOverrides(analysis), ...options.overrides },
    ...(options.gather && { gather: options.gather }),
  };
}

function sized(values: ArrayLike<number>, n: number, what: string): Float64Array {
  if (values.length !== n) throw new RunError(`${what} has ${values.length} values; the network needs ${n}`);
  return Float64Array.from(values);
}

function given(
  values: Readonly<Record<string, ArrayLike<number>>> | undefined,
  specs: readonly ParamSpec[],
  layer: string,
): Record<string, Float64Array> {
  if (!values) return {};
  return Object.fromEntries(
    Object.entries(values).map(([name, v]) => {
      const spec = specs.find((p) => p.name === name);
      if (!spec) throw new RunError(`${layer} has no parameter ${name}`);
      return [name, sized(v, elementCount(spec.shape), `${layer}.${name}`)];
    }),
  );
}

/**
 * Weights: He normal (std √(2/fan_in)) where a ReLU follows, Glorot normal (std √(2/(fan_in + fan_out)))
 * elsewhere. Biases: PyTorch's uniform ±1/√fan_in, so bias gradients are exercised from non-zero values.
 * Batchnorm: γ uniform in [0.5, 1.5) and β in [−0.5, 0.5), away from the identity for the same reason.
 * W is [out, in, kh, kw] or [out, in], so fan_in = in·kh·kw and fan_out = out·kh·kw.
 */
function initParams(
  layer: string,
  params: readonly ParamSpec[],
  reluNext: boolean,
  seed: number,
): Record<string, Float64Array> {
  const W = params.find((p) => p.name === 'W')?.shape;
  const receptive = W ? elementCount(W.slice(2)) : 1;
  const fanIn = W ? W[1] * receptive : 1;
  const fanOut = W ? W[0] * receptive : 1;
  const draw: Record<ParamSpec['name'], (r: Random, n: number) => Float64Array> = {
    W: (r, n) => r.normals(n, reluNext ? Math.sqrt(2 / fanIn) : Math.sqrt(2 / (fanIn + fanOut))),
    b: (r, n) => r.fill(n, (g) => g.uniform(-1, 1) / Math.sqrt(fanIn)),
    gamma: (r, n) => r.uniforms(n, 0.5, 1.5),
    beta: (r, n) => r.uniforms(n, -0.5, 0.5),
  };
  return Object.fromEntries(
    params.map((p) => [p.name, draw[p.name](new Random(seed, `${layer}.${p.name}`), elementCount(p.shape))]),
  );
}
