/**
 * A layer as the checker resolves it, and the inputs it reads: the records check.ts and resolve.ts make on every
 * keystroke, so each keeps as little as it can and works out the rest when read.
 */
import type { LayerInfo, UseInfo } from './analysis';
import type { Window2D } from './geometry';
import type { LayerKind } from './layers';
import type { Inferred, InputRef, ParamSpec, RuleContext, StandardRules } from './layers/kind';
import { elementCount, type Shape } from './shape';
import type { LayerStatement, Value, Word } from './syntax';
import type { TextRange } from './text';

/** A name a later statement can use: the input or a layer. */
export interface Producer {
  readonly name: string;
  /** Where the name is defined (the layer's kind when it has no explicit name). */
  readonly nameRange: TextRange;
  /** Its output shape: null where unknown, and until it is inferred. */
  readonly output: Shape | null;
  /** The text that set the output's channel count (the `64` of `conv 64 5x5`), to explain a mismatch. */
  readonly channelsFrom: TextRange | undefined;
  /** How many layers read it. */
  consumers: number;
  /** Its index among the layers, or -1 for the input. */
  readonly index: number;
}

/**
 * One input of a layer: what produces it, and the node of the statement that names it (`from=p1`, `add a b`), or
 * for the output of the line above the statement itself, whose kind then names it. Everything else is read from
 * the producer, so this is all a layer keeps per input.
 */
export class Arriving {
  constructor(
    readonly producer: Producer,
    private readonly at: Word | Value | LayerStatement,
  ) {}

  get name(): string {
    return this.producer.name;
  }
  get shape(): Shape | null {
    return this.producer.output;
  }
  get channelsFrom(): TextRange | undefined {
    return this.producer.channelsFrom;
  }
  /** The producing layer, for fixes that edit it; undefined for the network's input. */
  get producerLayer(): Layer | undefined {
    return this.producer instanceof Layer ? this.producer : undefined;
  }
  get range(): TextRange {
    const { at } = this;
    return 'type' in at ? at.kind.range : at.range;
  }
}

/** Whether every input's shape is known, so that the layer's kind can be asked about them. */
export function allKnown(inputs: readonly Arriving[]): inputs is readonly (Arriving & InputRef)[] {
  return inputs.every((i) => i.shape !== null);
}

export const NO_INPUTS: readonly Arriving[] = Object.freeze([]);
const NO_PARAMS: readonly ParamSpec[] = Object.freeze([]);
const NO_RULES: StandardRules = Object.freeze({});
export const NO_OPTIONS: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * How a layer's δ rule names the δ at each input's producer: a producer that feeds more than one layer gets a share
 * of its δ from each. Asked only once the whole document is checked, when every producer's readers are counted.
 */
class RuleWriter implements RuleContext {
  constructor(
    readonly layer: string,
    private readonly inputs: readonly Arriving[],
  ) {}

  deltaOf(name: string): string {
    return this.inputs.some((i) => i.name === name && i.producer.consumers > 1)
      ? `${this.layer}'s share of δ(${name})`
      : `δ(${name})`;
  }
}

/**
 * A layer as checked, and as a name later layers read. The checker makes one per layer statement on every
 * keystroke, so it is one object from the first pass to the Analysis: a class with every field set in the
 * constructor, that keeps its inputs as the producers themselves (their names and shapes are read from them) and
 * no closures. What only a hover, a run or the walkthrough reads (the parameters, the window geometry, the δ
 * rules) is asked of the kind when read, for the configuration and inputs it accepted: none of it is kept.
 */
export class Layer implements LayerInfo, Producer {
  output: Shape | null;
  paramCount: number;
  macs: number;
  channelsFrom: TextRange | undefined;
  consumers: number;
  /** For a layer of a block's expansion, the use it comes from. */
  use: UseInfo | undefined;

  constructor(
    readonly name: string,
    readonly statement: LayerStatement,
    readonly line: number,
    readonly index: number,
    /** The kind's definition; undefined for an unknown kind. */
    readonly definition: LayerKind | undefined,
    readonly config: unknown,
    /**
     * The output of the line above when that is the layer's one input, as it is for most layers: kept as it is,
     * not as an Arriving in an array of its own.
     */
    readonly above: Producer | undefined,
    /** The inputs the statement names (`from=`, `add a b`); empty when the input is `above`. */
    readonly named: readonly Arriving[],
    /** Whether the layer's own statement is already known to be wrong (so its output is unknown). */
    public broken: boolean,
    /** A name that resolved nowhere: the previous statement's output counts as used, not the typo's victim. */
    readonly unresolved: Producer | undefined,
  ) {
    this.output = null;
    this.paramCount = 0;
    this.macs = 0;
    this.channelsFrom = undefined;
    this.consumers = 0;
    this.use = undefined;
  }

  /** The kind's name, or the word written where it names no kind. */
  get kind(): string {
    return this.definition?.kind ?? this.statement.kind.text;
  }

  /** The explicit name if written, else the kind. */
  get nameRange(): TextRange {
    return (this.statement.name ?? this.statement.kind).range;
  }

  get arriving(): readonly Arriving[] {
    return this.above ? [new Arriving(this.above, this.statement)] : this.named;
  }

  get inputs(): readonly string[] {
    return this.arriving.map((i) => i.name);
  }

  get inputShapes(): readonly (Shape | null)[] {
    return this.arriving.map((i) => i.shape);
  }

  /** Its shapes, as the kind inferred them from `inputs` (the layer's own, all known). */
  known(inferred: Inferred, inputs: readonly InputRef[]): void {
    this.output = inferred.output;
    this.macs = inferred.macs ?? 0;
    this.channelsFrom = inferred.channelsFrom ?? (this.above ?? this.named[0]?.producer)?.channelsFrom;
    const params = this.definition?.params?.(this.config, inputs) ?? NO_PARAMS;
    for (let i = 0; i < params.length; i++) this.paramCount += elementCount(params[i].shape);
  }

  get params(): readonly ParamSpec[] {
    const inputs = this.acceptedInputs();
    return (inputs && this.definition?.params?.(this.config, inputs)) ?? NO_PARAMS;
  }

  get geometry(): unknown {
    const inputs = this.acceptedInputs();
    return inputs && this.definition?.geometry?.(this.config, inputs);
  }

  get windows(): Window2D | undefined {
    const geometry = this.geometry;
    return geometry === undefined ? undefined : this.definition?.windows?.(geometry);
  }

  get standardRules(): StandardRules {
    const inputs = this.acceptedInputs();
    return (inputs && this.output && this.definition?.standardRules?.(this.config, inputs, this.output)) ?? NO_RULES;
  }

  get rule(): string | undefined {
    const inputs = this.acceptedInputs();
    return inputs && this.definition?.rule(this.config, inputs, new RuleWriter(this.name, inputs));
  }

  get paramRules(): readonly string[] | undefined {
    const inputs = this.acceptedInputs();
    return inputs && this.definition?.paramRules?.(this.config, inputs, new RuleWriter(this.name, inputs));
  }

  /** The inputs as the kind accepted them; undefined until the layer's shapes are known, and after an error. */
  private acceptedInputs(): readonly (Arriving & InputRef)[] | undefined {
    const inputs = this.arriving;
    return this.output && allKnown(inputs) ? inputs : undefined;
  }
}
