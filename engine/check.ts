/**
 * The checker: resolves the network's graph, reads every layer's options, infers each layer's output and δ
 * shapes, and reports every diagnostic of the language; a layer's δ rule, parameters and geometry are worked out
 * when something reads them. It runs on every keystroke, so it is one pass over the statements, resolving each
 * layer's names and inferring its shapes in turn, with no allocation proportional to anything but the text.
 *
 * After an error in a layer its output is unknown, and so is everything downstream of it: nothing is guessed
 * and nothing is reported against an unknown shape. A failed `->` assertion is the exception: the layer itself
 * is fine and its inferred shape flows on, since it is the assertion that is wrong.
 */
import { type CompiledRule, compileRule } from './backward';
import type { ConvGeometry, PoolGeometry } from './geometry';
import { LAYER_KINDS, type LayerKind } from './layers';
import type { Inferred, InputRef, ParamSpec, RuleContext } from './layers/kind';
import { STATEMENT_KEYWORDS, WordSet, parse } from './parser';
import { elementCount, formatShape, type Shape, sameShape } from './shape';
import { type BackwardStatement, dimRange, type InputStatement, type LayerStatement, type OptionNode, type ParsedDocument, type Value, type Word } from './syntax';
import { NameTable } from './names';
import { firstOf } from './tenured';
import { type Diagnostic, LineIndex, type TextRange } from './text';
import { didYouMean, readInt, readShape, readWord } from './values';

export const DEFAULT_MEMORY_LIMIT = 2 ** 30;
export const DEFAULT_BATCH = 2;
export const DEFAULT_SEED = 1;

export interface CheckOptions {
  /** Bytes a sample run may use before `too-large` (default 1 GiB). */
  readonly memoryLimit?: number;
  /** The batch a sample run will use, when a flag or setting overrides the file's `sample batch=`. */
  readonly batch?: number;
}

export type LossKind = 'cross_entropy' | 'mse';

export interface LayerInfo {
  readonly name: string;
  readonly kind: string;
  readonly statement: LayerStatement;
  /** The explicit name if written, else the kind. */
  readonly nameRange: TextRange;
  /** 1-based line of the statement. */
  readonly line: number;
  readonly inputs: readonly string[];
  /** The shapes arriving, which are also the δ shapes at the layer's input(s); null where unknown. */
  readonly inputShapes: readonly (Shape | null)[];
  /** Output shape, which is also the δ shape at the output; null where unknown. */
  readonly output: Shape | null;
  readonly params: readonly ParamSpec[];
  readonly paramCount: number;
  readonly macs: number;
  /** How δ gets from the output to the input(s), in the network's own sizes. */
  readonly rule?: string;
  readonly paramRules?: readonly string[];
  readonly geometry?: ConvGeometry | PoolGeometry;
  /** The kind's own configuration, for the engine; undefined after an error in the options. */
  readonly config?: unknown;
}

export interface InputInfo {
  readonly name: string;
  readonly shape: Shape | null;
  readonly statement: InputStatement;
}

export interface Analysis {
  readonly document: ParsedDocument;
  readonly lines: LineIndex;
  readonly network?: string;
  readonly input?: InputInfo;
  readonly layers: readonly LayerInfo[];
  readonly loss: LossKind;
  readonly sample: { readonly batch?: number; readonly seed?: number };
  readonly backward: readonly BackwardStatement[];
  /** The backward rules that passed their checks, one per layer and target: what runs use instead of the built-in. */
  readonly rules: readonly CompiledRule[];
  /** Sorted by position. */
  readonly diagnostics: readonly Diagnostic[];
}

/** A name a later statement can use: the input or a layer. */
interface Producer {
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
class Arriving {
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
  get range(): TextRange {
    const { at } = this;
    return 'type' in at ? at.kind.range : at.range;
  }
}

/** Whether every input's shape is known, so that the layer's kind can be asked about them. */
function allKnown(inputs: readonly Arriving[]): inputs is readonly (Arriving & InputRef)[] {
  return inputs.every((i) => i.shape !== null);
}

const NO_INPUTS: readonly Arriving[] = Object.freeze([]);
const NO_PARAMS: readonly ParamSpec[] = Object.freeze([]);
const NO_OPTIONS: Readonly<Record<string, unknown>> = Object.freeze({});

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
    return this.inputs.some((i) => i.name === name && i.producer.consumers > 1) ? `${this.layer}'s share of δ(${name})` : `δ(${name})`;
  }
}

/**
 * A layer as checked, and as a name later layers read. The checker makes one per layer statement on every
 * keystroke, so it is one object from the first pass to the Analysis: a class with every field set in the
 * constructor, that keeps its inputs as the producers themselves (their names and shapes are read from them) and
 * no closures. What only a hover, a run or the walkthrough reads (the parameters, the window geometry, the δ
 * rules) is asked of the kind when read, for the configuration and inputs it accepted: none of it is kept.
 */
class Layer implements LayerInfo, Producer {
  output: Shape | null;
  paramCount: number;
  macs: number;
  channelsFrom: TextRange | undefined;
  consumers: number;

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

  get geometry(): ConvGeometry | PoolGeometry | undefined {
    const inputs = this.acceptedInputs();
    return inputs && this.definition?.geometry?.(this.config, inputs);
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

const RESERVED = new WordSet([...LAYER_KINDS.keys(), ...STATEMENT_KEYWORDS]);
const KEYWORDS = [...LAYER_KINDS.keys(), ...STATEMENT_KEYWORDS];

export function check(text: string, options: CheckOptions = {}): Analysis {
  const document = parse(text);
  const lines = new LineIndex(text);
  const diagnostics: Diagnostic[] = [...document.diagnostics];
  const report = (d: Diagnostic) => diagnostics.push(d);

  let network: string | undefined;
  let input: InputInfo | undefined;
  let lossStatement: { value: LossKind | undefined; range: TextRange; valueRange: TextRange } | undefined;
  const sample: { batch?: number; seed?: number } = {};
  const sampleSeen = new Set<string>();
  const backward: BackwardStatement[] = [];
  const producers = new NameTable<Producer>(document.statements.length + 1);
  let laterNames: Map<string, number> | undefined;
  const layers: Layer[] = [];
  const kindCounts = new Map<string, number>();
  const suggestions = new Map<string, string | undefined>();
  // Statements are lines, so a syntax error marks its line.
  const unreadLines = new Set(document.diagnostics.map((d) => lines.position(d.range.start).line));
  let previous: Producer | undefined;
  let missingInputReported = false;

  /**
   * Makes a producer's name usable; false, after reporting it, when the name is taken. `register` is false for a
   * name that is itself an error, so it is not reported twice.
   */
  function define(producer: Producer, register: boolean, automatic = false): boolean {
    if (!register) return true;
    const existing = producers.addUnlessTaken(producer);
    if (existing) {
      const { name } = producer;
      const range = producer.nameRange;
      const where = `line ${lines.position(existing.nameRange.start).line}`;
      report({
        severity: 'error',
        code: 'duplicate-name',
        message: automatic
          ? `this layer is named '${name}' automatically (it is ${name.replace(/\d+$/, '')} number ${name.replace(/^\D+/, '')}), but ${where} already uses that name; name one of them`
          : `'${name}' is already defined on ${where}`,
        range,
        related: [{ range: existing.nameRange, message: `'${name}' is first defined here` }],
      });
      return false;
    }
    return true;
  }

  function checkName(word: Word): boolean {
    if (!RESERVED.has(word.text)) return true;
    report({ severity: 'error', code: 'syntax', message: `'${word.text}' is a keyword and cannot name a layer`, range: word.range });
    return false;
  }

  function lookup(ref: Word | Value, user: string): Producer | undefined {
    const found = producers.get(ref.text);
    if (found) return found;
    // Only a failed lookup needs to know the names below; most checks never build this.
    laterNames ??= collectNames(document);
    const later = laterNames.get(ref.text);
    // One search per misspelt name: a name used thousands of times is not compared with every layer each time.
    if (!suggestions.has(ref.text)) suggestions.set(ref.text, didYouMean(ref.text, producers.names()));
    const suggestion = suggestions.get(ref.text);
    const message =
      later !== undefined && later >= ref.range.start
        ? `${user}: '${ref.text}' is defined on line ${lines.position(later).line}, below this line; a layer can only use layers above it`
        : `${user}: no layer named '${ref.text}' above this line${suggestion ? `; did you mean '${suggestion}'?` : ''}`;
    report({
      severity: 'error',
      code: 'undefined-layer',
      message,
      range: ref.range,
      ...(suggestion && { fixes: [{ title: `Change to '${suggestion}'`, edits: [{ range: ref.range, newText: suggestion }], preferred: true }] }),
    });
    return undefined;
  }

  // Layers' lines, found walking forward from the last layer's since statements come in order.
  let line = 1;
  // A layer's inputs are gathered here (counted, as setting its length would free it), then copied at their exact
  // length: an array grown by push keeps room for 17, and the layer keeps its inputs as long as the Analysis lives.
  const gathered: Arriving[] = [];
  let gatheredCount = 0;
  const gather = (input: Arriving) => (gathered[gatheredCount++] = input);

  // What reading a layer's options and arguments reports: a `bad-value` message is prefixed with the layer's name
  // unless the reader wrote it already. One function for the whole check, told which layer it is reading.
  let reading = '';
  const reportReading = (d: Diagnostic) => diagnostics.push(d.code === 'bad-value' && !d.message.startsWith(`${reading}:`) ? { ...d, message: `${reading}: ${d.message}` } : d);

  // One pass over the statements: names, inputs and options, then each layer's shapes. The δ rules, worked out
  // when read, are the one thing that needs the whole document: which producers more than one layer reads.
  let lastLayerAt = document.statements.length - 1;
  while (lastLayerAt >= 0 && document.statements[lastLayerAt].type !== 'layer') lastLayerAt--;
  for (let index = 0; index < document.statements.length; index++) {
    const st = document.statements[index];
    switch (st.type) {
      case 'network':
        if (index > 0) report({ severity: 'error', code: 'syntax', message: '`network` must be the first statement', range: st.keyword.range });
        else network = st.name?.text;
        break;
      case 'input': {
        const name = st.name?.text ?? 'input';
        if (input) {
          report({
            severity: 'error',
            code: 'duplicate-input',
            message: `a network has one input; '${input.name}' is already defined on line ${lines.position(input.statement.range.start).line}`,
            range: st.range,
            related: [{ range: input.statement.range, message: 'the input is defined here' }],
          });
          break;
        }
        const nameOk = !st.name || checkName(st.name);
        const shape = readShape(st.shape, 'the input shape', report) ?? null;
        const channelsFrom = st.shape.kind === 'missing' ? st.shape.range : dimRange(st.shape, 0);
        const producer: Producer = { name, nameRange: st.name?.range ?? st.keyword.range, output: shape, channelsFrom, consumers: 0, index: -1 };
        define(producer, nameOk);
        input = { name, shape, statement: st };
        previous = producer;
        break;
      }
      case 'loss': {
        const value = readWord(st.loss, 'the loss', ['cross_entropy', 'mse'] as const, report);
        if (lossStatement) {
          report({ severity: 'error', code: 'syntax', message: `the loss is already given on line ${lines.position(lossStatement.range.start).line}`, range: st.range, related: [{ range: lossStatement.range, message: 'the loss is given here' }] });
        } else {
          lossStatement = { value, range: st.range, valueRange: st.loss.range };
        }
        break;
      }
      case 'sample':
        for (const o of st.options) {
          const key = o.key.text;
          if (key !== 'batch' && key !== 'seed') {
            unknownOption(o.key, ['batch', 'seed'], 'sample', report);
          } else if (sampleSeen.has(key)) {
            report({ severity: 'error', code: 'syntax', message: `sample ${key} is given twice`, range: o.key.range });
          } else {
            sampleSeen.add(key);
            const value = readInt(o.value, key, key === 'batch' ? 1 : 0, report);
            if (value !== undefined) sample[key] = value;
          }
        }
        break;
      case 'backward':
        backward.push(st);
        if (st.layer && !producers.get(st.layer.text)) lookup(st.layer, 'backward');
        break;
      case 'layer': {
        line = lines.lineFrom(st.range.start, line);
        const layer = resolveLayer(st, line);
        layers.push(layer);
        previous = layer;
        // Names only refer upwards, so every input's shape is settled by now.
        inferLayer(layer, index === lastLayerAt);
        break;
      }
    }
  }

  function resolveLayer(st: LayerStatement, line: number): Layer {
    const kind = LAYER_KINDS.get(st.kindText);
    const kindName = kind?.kind ?? st.kindText;
    const count = (kindCounts.get(kindName) ?? 0) + 1;
    kindCounts.set(kindName, count);
    const hasName = st.nameText !== undefined;
    const name = st.nameText ?? `${kindName}${count}`;
    // A statement makes its words when they are read: only a diagnostic needs them.
    const nameOk = !hasName || !RESERVED.has(name) || checkName(st.name!);
    // A line the parser could not read whole is not run on a guess.
    const parsedWhole = !unreadLines.has(line);
    let broken = !nameOk || !parsedWhole;
    reading = name;
    const report = reportReading;
    const index = layers.length;
    if (!kind) {
      const layer = new Layer(name, st, line, index, undefined, undefined, undefined, NO_INPUTS, true, undefined);
      define(layer, nameOk, !hasName);
      const kindWord = st.kind;
      if (kindWord.text) {
        // After `NAME:` only a layer kind can follow; at the start of a line, a statement keyword too.
        const suggestion = didYouMean(kindWord.text, hasName ? [...LAYER_KINDS.keys()] : KEYWORDS);
        report({
          severity: 'error',
          code: 'unknown-layer',
          message: `unknown layer kind '${kindWord.text}'${suggestion ? `; did you mean '${suggestion}'?` : ''}`,
          range: kindWord.range,
          ...(suggestion && { fixes: [{ title: `Change to '${suggestion}'`, edits: [{ range: kindWord.range, newText: suggestion }], preferred: true }] }),
        });
      }
      return layer;
    }

    gatheredCount = 0;
    let above: Producer | undefined;
    // Most layers set no options: they share one empty record.
    const options: Record<string, unknown> = st.options.length ? {} : NO_OPTIONS;
    let fromGiven = false;
    let unresolved = false;
    for (let at = 0; at < st.options.length; at++) {
      const o = st.options[at];
      const key = o.key.text;
      if (givenBefore(st.options, at)) {
        report({ severity: 'error', code: 'syntax', message: `${name}: ${key} is given twice`, range: o.key.range });
        broken = true;
        continue;
      }
      if (key === 'from' && !kind.namedInputs) {
        fromGiven = true;
        if (o.value.kind !== 'word') {
          if (o.value.kind !== 'missing') report({ severity: 'error', code: 'bad-value', message: `from= takes a layer name, not '${o.value.text}'`, range: o.value.range });
          broken = unresolved = true;
          continue;
        }
        const producer = lookup(o.value, name);
        if (producer) gather(new Arriving(producer, o.value));
        else broken = unresolved = true;
      } else if (Object.hasOwn(kind.options, key)) {
        const value = (kind.options as Record<string, { read(v: Value, r: typeof report): unknown }>)[key].read(o.value, report);
        if (value === undefined) broken = true;
        else options[key] = value;
      } else {
        unknownOption(o.key, [...Object.keys(kind.options), ...(kind.namedInputs ? [] : ['from'])], `${name} (${kind.kind})`, report);
        broken = true;
      }
    }

    // A line the parser already reported gets no second syntax error about its (incomplete) arguments.
    const config = parsedWhole ? kind.configure(st.args, options, { node: st, layer: name, report }) : undefined;
    if (config === undefined) broken = true;
    if (kind.namedInputs) {
      for (let i = 0; i < st.args.length; i++) {
        const arg = st.args[i];
        if (arg.kind !== 'word') continue;
        const producer = lookup(arg, name);
        if (producer) gather(new Arriving(producer, arg));
        else broken = unresolved = true;
      }
    } else if (!fromGiven) {
      if (previous) {
        above = previous;
      } else {
        broken = true;
        if (!missingInputReported) {
          missingInputReported = true;
          const later = document.statements.find((s) => s.type === 'input');
          report({
            severity: 'error',
            code: 'missing-input',
            message: `${name}: no \`input\` before the first layer${later ? '' : '; add one such as `input 3x32x32`'}`,
            range: st.kind.range,
            ...(later && { related: [{ range: later.range, message: 'the input is defined here, after the layers' }] }),
          });
        }
      }
    }
    const named = gatheredCount ? firstOf(gathered, gatheredCount) : NO_INPUTS;
    for (let i = 0; i < named.length; i++) named[i].producer.consumers++;
    if (above) above.consumers++;
    const layer = new Layer(name, st, line, index, kind, config, above, named, broken, unresolved ? previous : undefined);
    // Defined only now, so a layer cannot name itself as its input.
    if (!define(layer, nameOk, !hasName)) layer.broken = true;
    return layer;
  }

  function inferLayer(layer: Layer, isLast: boolean): void {
    const st = layer.statement;
    const kind = layer.definition;
    if (kind?.kind === 'softmax' && !isLast) {
      report({ severity: 'error', code: 'softmax-not-last', message: `${layer.name}: softmax must be the last layer, where it is fused with the cross-entropy loss; use it only there`, range: st.kind.range });
      return;
    }
    if (layer.broken || !kind) return;
    const inputs = layer.arriving;
    if (!allKnown(inputs)) return;
    const inferred = kind.infer(layer.config, inputs, { node: st, layer: layer.name, report });
    if (!inferred) return;
    if (!inferred.output.every(Number.isSafeInteger)) {
      report({
        severity: 'error',
        code: 'too-large',
        message: `${layer.name}: the output would be ${formatShape(inferred.output.map((d) => Number(d.toPrecision(3))))}, too large to count exactly (the limit is 2^53 − 1 per dimension)`,
        range: st.range,
      });
      return;
    }
    layer.known(inferred, inputs);
    checkAssertion(st, layer.name, inferred.output);
  }

  function checkAssertion(st: LayerStatement, name: string, output: Shape): void {
    if (!st.assertion) return;
    const asserted = readShape(st.assertion.shape, `${name}: the asserted shape`, report);
    if (!asserted || sameShape(asserted, output)) return;
    const written = formatShape(output).replace(/×/g, 'x');
    report({
      severity: 'error',
      code: 'shape-assertion',
      message: `${name}: the output is ${formatShape(output)}, not ${formatShape(asserted)} as asserted`,
      range: st.assertion.shape.range,
      fixes: [{ title: `Change the assertion to ${written}`, edits: [{ range: st.assertion.shape.range, newText: written }], preferred: true }],
    });
  }

  // The loss, and what reaches it.
  const lastLayer = layers[layers.length - 1];
  const endsInSoftmax = lastLayer?.kind === 'softmax';
  let loss: LossKind = endsInSoftmax ? 'cross_entropy' : 'mse';
  if (lossStatement) {
    if (lossStatement.value) loss = lossStatement.value;
    const after = layers.find((l) => l.statement.range.start > lossStatement!.range.start);
    if (after) report({ severity: 'error', code: 'syntax', message: `\`loss\` must come after every layer; ${after.name} follows it`, range: lossStatement.range });
    if (endsInSoftmax && lossStatement.value === 'mse') {
      report({ severity: 'error', code: 'bad-value', message: `${lastLayer.name}: softmax is fused with cross_entropy; remove the softmax to use mse`, range: lossStatement.valueRange });
    }
  }

  // Hand-written backward rules, once every layer's shapes and the loss are known; one rule per layer and target.
  const ruled = new Map<string, BackwardStatement>();
  const rules: CompiledRule[] = [];
  for (const st of backward) {
    const producer = st.layer && producers.get(st.layer.text);
    if (!producer) continue; // undefined-layer, or a syntax error, is reported already
    if (producer.index < 0) {
      report({ severity: 'error', code: 'backward-unknown', message: `'${producer.name}' is the input; a backward rule belongs to a layer`, range: st.layer!.range });
      continue;
    }
    const layer = layers[producer.index];
    if (layer === lastLayer && endsInSoftmax && loss === 'cross_entropy') {
      report({ severity: 'error', code: 'backward-unknown', message: `${layer.name} is fused with the cross-entropy loss: the δ at its input is (p − onehot)/N, part of the loss's rule, and takes no rule of its own`, range: st.layer!.range });
      continue;
    }
    // A rule is checked against known shapes only: where they are unknown, an error above says why.
    if (!st.rule.text.trim() || !layer.output || layer.inputShapes.some((s) => !s)) continue;
    const { rule, diagnostics: found } = compileRule(st, layer, text);
    for (const d of found) report(d);
    if (!rule) continue;
    const key = `${producer.name}\u0000${rule.target}`, first = ruled.get(key);
    if (first) {
      report({ severity: 'error', code: 'duplicate-name', message: `${producer.name}'s ${rule.target} already has a rule, on line ${lines.position(first.range.start).line}; a target takes one`, range: st.rule.range, related: [{ range: first.rule.range, message: 'the first rule' }] });
    } else {
      ruled.set(key, st);
      rules.push(rule);
    }
  }

  if (!input && !missingInputReported) {
    report({ severity: 'error', code: 'missing-input', message: 'the network has no `input`; add one such as `input 3x32x32`', range: { start: 0, end: Math.min(text.length, (text.codePointAt(0) ?? 0) > 0xffff ? 2 : 1) } });
  }
  reportUnused(layers, report);
  const limit = options.memoryLimit ?? DEFAULT_MEMORY_LIMIT;
  if (input && Number.isFinite(limit)) reportTooLarge(input, layers, options.batch ?? sample.batch ?? DEFAULT_BATCH, limit, report);

  diagnostics.sort((a, b) => a.range.start - b.range.start || a.range.end - b.range.end);
  return {
    document,
    lines,
    ...(network !== undefined && { network }),
    ...(input && { input: { name: input.name, shape: input.shape, statement: input.statement } }),
    layers,
    loss,
    sample,
    backward,
    rules,
    diagnostics,
  };
}

/** Whether option `at`'s key is written before it on the statement (a statement has a handful of options). */
function givenBefore(options: readonly OptionNode[], at: number): boolean {
  for (let i = 0; i < at; i++) if (options[i].key.text === options[at].key.text) return true;
  return false;
}

/** Every name a statement defines, with where, to tell "defined below" from "not defined". */
function collectNames(document: ParsedDocument): Map<string, number> {
  const names = new Map<string, number>();
  for (const st of document.statements) {
    const word = st.type === 'layer' || st.type === 'input' ? st.name : undefined;
    if (word && !names.has(word.text)) names.set(word.text, word.range.start);
  }
  return names;
}

/** What PyTorch and Keras call the options, for users who write those names. */
const ALIASES: Readonly<Record<string, string>> = {
  padding: 'pad',
  strides: 'stride',
  dilation_rate: 'dilation',
  in_channels: 'in',
  in_features: 'in',
  use_bias: 'bias',
  ceil_mode: 'ceil',
  negative_slope: 'slope',
  p: 'rate',
};

function unknownOption(key: Word, known: readonly string[], owner: string, report: (d: Diagnostic) => void): void {
  const alias = ALIASES[key.text];
  const suggestion = alias !== undefined && known.includes(alias) ? alias : didYouMean(key.text, known);
  report({
    severity: 'error',
    code: 'unknown-option',
    message: `${owner} has no option '${key.text}'${suggestion ? `; did you mean '${suggestion}'?` : known.length ? `; it takes ${known.join(', ')}` : '; it takes none'}`,
    range: key.range,
    ...(suggestion && { fixes: [{ title: `Change to '${suggestion}'`, edits: [{ range: key.range, newText: suggestion }], preferred: true }] }),
  });
}

/** Layers whose output never reaches the last layer, where the loss is. */
function reportUnused(layers: readonly Layer[], report: (d: Diagnostic) => void): void {
  if (layers.length === 0) return;
  // Names only refer upwards, so one sweep from the last layer up marks everything that reaches it.
  const reached = new Uint8Array(layers.length);
  reached[layers.length - 1] = 1;
  for (let i = layers.length - 1; i >= 0; i--) {
    if (!reached[i]) continue;
    const layer = layers[i];
    if (layer.above && layer.above.index >= 0) reached[layer.above.index] = 1;
    for (let j = 0; j < layer.named.length; j++) {
      const { producer } = layer.named[j];
      if (producer.index >= 0) reached[producer.index] = 1;
    }
    if (layer.unresolved && layer.unresolved.index >= 0) reached[layer.unresolved.index] = 1;
  }
  layers.forEach((layer, i) => {
    if (reached[i]) return;
    report({
      severity: 'warning',
      code: 'unused-layer',
      message: `${layer.name}: its output reaches no loss; nothing below uses it and it is not the last layer`,
      range: layer.statement.range,
      tags: ['unnecessary'],
    });
  });
}

/**
 * Bytes a sample run of `batch` needs: in float64, every activation and its δ for the whole batch, and each
 * parameter with its gradient. Exact (BigInt), so it can be decided before anything would allocate.
 */
export function estimateRunBytes(input: Shape | null, layers: readonly Pick<LayerInfo, 'output' | 'params'>[], batch: number): bigint {
  // Plain numbers while they are exact (almost always); BigInt only when the total may not be.
  let approx = input ? 2 * batch * elementCount(input) : 0;
  for (const l of layers) {
    if (l.output) approx += 2 * batch * elementCount(l.output);
    for (const p of l.params) approx += 2 * elementCount(p.shape);
  }
  if (Number.isSafeInteger(approx * 8)) return BigInt(approx * 8);
  const size = (shape: Shape) => shape.reduce((n, d) => n * BigInt(d), 1n);
  let elements = 0n;
  if (input) elements += 2n * BigInt(batch) * size(input);
  for (const l of layers) {
    if (l.output) elements += 2n * BigInt(batch) * size(l.output);
    for (const p of l.params) elements += 2n * size(p.shape);
  }
  return elements * 8n;
}

/**
 * `estimateRunBytes` for checked layers, which count their parameters: the plain-number sum is the same, without
 * asking each layer for its parameters. Only a total that may not be exact takes the BigInt path, which needs them.
 */
function runBytes(input: Shape | null, layers: readonly Layer[], batch: number): bigint {
  let approx = input ? 2 * batch * elementCount(input) : 0;
  for (const l of layers) {
    if (l.output) approx += 2 * batch * elementCount(l.output);
    approx += 2 * l.paramCount;
  }
  return Number.isSafeInteger(approx * 8) ? BigInt(approx * 8) : estimateRunBytes(input, layers, batch);
}

/** `too-large`, reported at the largest tensor so the user sees what to shrink. */
function reportTooLarge(input: InputInfo, layers: readonly Layer[], batch: number, limit: number, report: (d: Diagnostic) => void): void {
  const bytes = runBytes(input.shape, layers, batch);
  const cap = BigInt(Math.floor(limit));
  if (bytes <= cap) return;
  const tensors = [{ shape: input.shape, range: input.statement.range, what: 'the input' }, ...layers.map((l) => ({ shape: l.output, range: l.statement.range, what: `${l.name}'s output` }))];
  let largest = tensors[0];
  for (const t of tensors) if (t.shape && (!largest.shape || elementCount(t.shape) > elementCount(largest.shape))) largest = t;
  report({
    severity: 'error',
    code: 'too-large',
    message: `a sample run of batch ${batch} would need ${formatBytes(bytes)} (float64 activations, δs, parameters and gradients), over the ${formatBytes(cap)} limit; the largest tensor is ${largest.what}${largest.shape ? ` ${formatShape(largest.shape)}` : ''}`,
    range: largest.range,
  });
}

export function formatBytes(bytes: bigint): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let unit = 0;
  let scaled = bytes;
  while (scaled >= 1024n * 1024n && unit < units.length - 2) {
    scaled /= 1024n;
    unit++;
  }
  if (scaled < 1024n) return `${scaled} ${units[unit]}`;
  const value = Number(scaled) / 1024;
  return unit + 1 < units.length ? `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit + 1]}` : `${bytes} bytes`;
}
