/**
 * What every layer kind provides: its options, how it reads its arguments, its shape rule and its δ rule
 * written in the network's own sizes. One file per kind implements this (conv.ts, pool.ts, …), so "how does
 * mean pooling work here?" is answered by opening one file.
 */
import type { TfCall, TorchLayer } from '../export/target';
import type { Window2D } from '../geometry';
import type { Shape } from '../shape';
import type { LayerStatement, Value } from '../syntax';
import type { TextRange } from '../text';
import type { Report } from '../values';

export interface OptionSpec<T> {
  /** One line for hovers, completion and docs. */
  readonly doc: string;
  /** The default as a user would write it, shown in completion. */
  readonly default: string;
  /** The words it takes, offered by completion (`same`, `true`, …). */
  readonly values?: readonly string[];
  read(value: Value, report: Report): T | undefined;
}

export type OptionTable<O> = { readonly [K in keyof O]-?: OptionSpec<O[K]> };

/** The options, or the configuration, of a kind that has none. */
export type Nothing = Record<string, never>;

/** One arriving tensor, already known: the checker never asks a kind about an unknown shape. */
export interface InputRef {
  readonly name: string;
  readonly shape: Shape;
  /** Where this layer names the input (`from=p1`, `add a b`), else the layer's own kind. */
  readonly range: TextRange;
  /** The text that set the input's channel count (the `64` of `conv 64 5x5`), to explain a mismatch. */
  readonly channelsFrom?: TextRange;
  /** The layer that produces it (none for the network's input): what a fix that edits that layer reads. */
  readonly producerLayer?: ProducerLayer;
}

/** A producing layer as a fix sees it: its kind, its statement, the configuration its kind read and its inputs' shapes. */
export interface ProducerLayer {
  readonly kind: string;
  readonly statement: LayerStatement;
  readonly config: unknown;
  readonly inputShapes: readonly (Shape | null)[];
}

export interface ConfigureContext {
  readonly node: LayerStatement;
  readonly layer: string;
  readonly report: Report;
}

/** What `infer` is told, as `configure` is: the statement, the layer's name, where to report. */
export type InferContext = ConfigureContext;

/** What a δ rule is written with. */
export interface RuleContext {
  /** The layer's name. */
  readonly layer: string;
  /** `δ(p1)`, or `c2's share of δ(p1)` where p1 feeds several layers: how rules name the δ at an input's producer. */
  deltaOf(name: string): string;
}

export interface ParamSpec {
  readonly name: 'W' | 'b' | 'gamma' | 'beta';
  readonly shape: Shape;
}

/** The loss a network ends in: cross-entropy after a softmax, else mean squared error unless `loss` says. */
export type LossKind = 'cross_entropy' | 'mse';

/** A layer's standard backward rules, written in the rule language, by target (`dx`, `dW`, `db`). */
export type StandardRules = Partial<Record<string, string>>;

/**
 * A layer of a network whose shapes are all known and whose configuration was read: what a kind's diagram and
 * export hooks are handed, with the kind's own records typed as the kind made them.
 */
export interface KnownLayer<C = unknown, G = unknown> {
  readonly name: string;
  readonly config: C;
  /** The kind's geometry record; undefined for a kind without one. */
  readonly geometry: G;
  readonly inputs: readonly Shape[];
  readonly output: Shape;
}

export interface Inferred {
  readonly output: Shape;
  /** Multiply-adds per sample. */
  readonly macs?: number;
  /** The text that sets the output's channel count, when this layer sets it. */
  readonly channelsFrom?: TextRange;
}

/**
 * One layer ready to run on a batch: its sizes, geometry and parameters (float64, PyTorch's layouts). `G` is the
 * kind's own geometry record (undefined for a kind without one).
 */
export interface Step<G = unknown> {
  readonly name: string;
  readonly batch: number;
  readonly inputShapes: readonly Shape[];
  readonly output: Shape;
  readonly geometry: G;
  readonly params: Readonly<Record<string, Float64Array>>;
}

/**
 * Where one coordinate of a layer's input or parameter is moved for the local gradient check
 * (engine/run/local.ts): a smaller step of the same kind holding just the outputs the coordinate moves and what
 * they read, so the same kernels run it. Made by a kind's `cropInput` and `cropParam` (crops.ts has the
 * shared ones).
 */
export interface Crop<G = unknown> {
  /** The smaller step; undefined when no output depends on the coordinate (its difference is exactly 0). */
  readonly step?: Step<G>;
  /** The crop's inputs, fresh copies the caller may perturb. */
  readonly x: Float64Array[];
  /** Which array holds the coordinate: an input slot (a number) or a parameter's name. */
  readonly where: number | string;
  /** The coordinate's index in that array. */
  readonly at: number;
  /** The flat index in the layer's whole output of each element of the crop's output. */
  readonly out: Int32Array;
  /**
   * Set where the layer is linear in what moves (conv in x and in W): the crop is that linear map alone, on
   * arrays that are zero but at the coordinate, so its output for a step there is the change itself. A
   * conv's input coordinate then meets only its own channel's weights, not every channel's.
   */
  readonly linear?: boolean;
}

/** A forward run of one layer: its output, and `S`, whatever its backward needs besides the inputs. */
export interface Forward<S = unknown> {
  readonly y: Float64Array;
  readonly saved?: S;
}

/** δ at each input, and each parameter's gradient summed over the batch. */
export interface Backward {
  readonly dx: readonly Float64Array[];
  readonly grads?: Readonly<Record<string, Float64Array>>;
}

/**
 * Replaces a layer's backward in sample runs and gradient checks: how a hand-written rule is checked, and how
 * tests inject faults. `standard` computes the built-in rule, for overrides that change only part of it; `kind`
 * is the layer's kind, for an override that reads the step's geometry as that kind's (`isStepOf`).
 */
export type BackwardOverride = (
  step: Step,
  x: readonly Float64Array[],
  forward: Forward,
  dy: Float64Array,
  standard: () => Backward,
  kind: LayerKind,
) => Backward;

/** Whether a step of a layer of kind `actual` is one of `expected`'s, so its geometry is `expected`'s record. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any options, configuration and saved state
export function isStepOf<G>(expected: LayerKind<any, any, G>, actual: LayerKind, _step: Step): _step is Step<G> {
  return actual === expected;
}

/**
 * A layer kind, generic in its options `O`, its configuration `C`, its window geometry `G` and what its forward
 * saves for its backward `S`: each kind reads its own records with their own types. The registry holds kinds of
 * every type, so there the parameters are `any`: the engine only ever hands a kind the records it made itself.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface LayerKind<O = any, C = any, G = any, S = any> {
  readonly kind: string;
  /** One line for hovers, completion and docs. */
  readonly summary: string;
  /** `conv FILTERS KERNEL`: positional arguments as a user writes them. */
  readonly usage: string;
  /** Inputs are named as positional arguments (`add`, `concat`) rather than coming from the previous line. */
  readonly namedInputs?: boolean;
  /** The words each positional argument takes, where it is a word (`pool max|mean`), for completion. */
  readonly argValues?: readonly (readonly string[] | undefined)[];
  /**
   * The loss this kind is fused with (softmax with cross-entropy): it may only come last, it sets the loss a
   * network without `loss` gets, and the δ at its input is `delta`, part of the loss's rule, which takes no
   * hand-written rule.
   */
  readonly fusedWithLoss?: { readonly loss: LossKind; readonly delta: string };
  /** Whether the kind rectifies (ReLU): the layer feeding it draws its weights He-normal rather than Glorot. */
  readonly rectifies?: boolean;
  /** What each dimension of each parameter is, for messages about a rule's indices ("per filter"). */
  readonly paramAxes?: Readonly<Partial<Record<ParamSpec['name'], readonly string[]>>>;
  readonly options: OptionTable<O>;
  /** Reads the positional arguments and the options already read; undefined after a reported error. */
  configure(args: readonly Value[], options: Partial<O>, cx: ConfigureContext): C | undefined;
  /** The output shape for known inputs, reporting what does not fit; undefined after an error. */
  infer(config: C, inputs: readonly InputRef[], cx: InferContext): Inferred | undefined;
  /*
   * What follows is asked only for inputs `infer` accepted, and only when read: `infer` runs for every layer on
   * every keystroke, while these are read for a hover, a run or the walkthrough. Methods rather than part of what
   * `infer` returns, so that a checked layer keeps none of it.
   */
  /** The parameters, in PyTorch's layouts. */
  params?(config: C, inputs: readonly InputRef[]): readonly ParamSpec[];
  /** The kind's geometry (the sliding windows of conv and pool), handed to its kernels in each `Step`. */
  geometry?(config: C, inputs: readonly InputRef[]): G;
  /** The windows in `geometry`, as the coverage table reads them: which input rows and columns they read. */
  windows?(geometry: G): Window2D;
  /** How δ gets from the output to the input(s), in the network's own sizes. */
  rule(config: C, inputs: readonly InputRef[], cx: RuleContext): string;
  /** How each parameter gradient is formed, likewise. */
  paramRules?(config: C, inputs: readonly InputRef[], cx: RuleContext): readonly string[];
  /**
   * The standard backward rules in the rule language (docs/language.md, "`backward`"), for the targets that
   * notation can write for this configuration; offered as quick fixes and shown by the walkthrough.
   */
  standardRules?(config: C, inputs: readonly InputRef[], output: Shape): StandardRules;
  /** Runs the layer on a batch of inputs (float64, N×… row-major). */
  forward(config: C, step: Step<G>, x: readonly Float64Array[]): Forward<S>;
  /** Carries δ from the output to the inputs and forms the parameter gradients. */
  backward(config: C, step: Step<G>, x: readonly Float64Array[], forward: Forward<S>, dy: Float64Array): Backward;
  /**
   * A signature of the layer's non-differentiable choices in a forward run (ReLU signs, max-pool winners). Two
   * runs whose signatures differ lie on two sides of a kink, where a central difference means nothing.
   */
  decisions?(config: C, step: Step<G>, x: readonly Float64Array[], forward: Forward<S>): ArrayLike<number>;
  /*
   * How the local gradient check (engine/run/local.ts) moves one coordinate. Each hook is optional: without
   * them every coordinate runs the whole layer (correct, slower), and every point costs two forwards.
   */
  /** Whether any output reads coordinate `i` of the input: false for a pixel no window covers (a stride skips it). Without it, true. */
  reaches?(step: Step<G>, i: number): boolean;
  /** The crop for coordinate `i` of input `slot`, or undefined to run the whole layer. */
  cropInput?(step: Step<G>, x: readonly Float64Array[], slot: number, i: number): Crop<G> | undefined;
  /** The crop for coordinate `i` of parameter `name`, or undefined to run the whole layer. */
  cropParam?(step: Step<G>, x: readonly Float64Array[], name: string, i: number): Crop<G> | undefined;
  /**
   * Whether the layer is affine in input slot `where` (a number) or parameter `where` (a name): a one-sided
   * difference is then exact up to rounding and costs one forward rather than two.
   */
  affineIn?(config: C, where: number | string): boolean;
  /**
   * How much a coordinate's crop computes, for the check's estimate and for sharing its layers between
   * threads: one element, or the few windows that read a pixel (about nine outputs' work). Without it, or
   * undefined, a coordinate costs the whole layer.
   */
  cropSize?(config: C): 'element' | 'window' | undefined;
  /*
   * How the layer is drawn and exported. Each hook is optional: without it the diagram shows the kind and its
   * arguments as written, and an export refuses the layer, naming it.
   */
  /** The diagram's node label: the kind and the arguments that differ from their defaults (`conv 64 5×5 s2 p1`). */
  label?(config: C, geometry: G): string;
  /** The δ rule from the output to input `j` in a few symbols (`Wᵀ · δ`), for the diagram's backward edges, which add `→ SHAPE`. */
  shortRule?(layer: KnownLayer<C, G>, j: number): string;
  /**
   * The short rule in words that need no sizes (`⊙ step`, `full_corr ⋆ rot180 W`): the diagram's edge while a
   * shape is not known, and always for a kind without `shortRule`. Without either, the kind's name with a prime.
   */
  readonly roughRule?: string;
  /** The layer as a PyTorch module; throws ExportError (export/target.ts) where PyTorch cannot express it exactly. */
  torch?(layer: KnownLayer<C, G>): TorchLayer;
  /** The layer as TensorFlow.js layer calls, channels-last; throws ExportError where tfjs cannot express it exactly. */
  tfjs?(layer: KnownLayer<C, G>): readonly TfCall[];
}

/** Reports a missing or surplus positional argument; true when the count is right. */
export function expectArgs(args: readonly Value[], names: readonly string[], cx: ConfigureContext): boolean {
  const { node } = cx;
  if (args.length > names.length) {
    const extra = args[names.length];
    cx.report({
      severity: 'error',
      code: 'syntax',
      message: `${node.kind.text} takes ${names.length === 0 ? 'no arguments' : names.join(' ')}; unexpected '${extra.text}'`,
      range: extra.range,
    });
    return false;
  }
  if (args.length < names.length) {
    const at = args.length ? args[args.length - 1].range : node.kind.range;
    cx.report({
      severity: 'error',
      code: 'syntax',
      message: `${cx.layer}: ${node.kind.text} needs ${names.slice(args.length).join(' ')}, as in \`${node.kind.text} ${names.join(' ')}\``,
      range: at,
    });
    return false;
  }
  return true;
}
