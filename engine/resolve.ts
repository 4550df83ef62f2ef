/**
 * Name resolution for the checker: the names the input and the layers define, what each layer statement reads
 * (the line above, `from=`, the names of `add a b`), its options and its configuration. One Resolver per check,
 * holding what the statements before the current one defined; check.ts walks the statements and asks it.
 */
import { Alias } from './blocks';
import { Arriving, Layer, NO_INPUTS, NO_OPTIONS, type Producer } from './checked';
import { LAYER_KINDS } from './layers';
import { NameTable } from './names';
import { STATEMENT_KEYWORDS, WordSet } from './parser';
import type { LayerStatement, OptionNode, ParsedDocument, Value, Word } from './syntax';
import { firstOf } from './tenured';
import type { Diagnostic, LineIndex } from './text';
import { didYouMean } from './values';

const RESERVED = new WordSet([...LAYER_KINDS.keys(), ...STATEMENT_KEYWORDS]);
const KEYWORDS = [...LAYER_KINDS.keys(), ...STATEMENT_KEYWORDS];

/** The names inside one use of a block: its own layers (under the use's full name) and `input`, the use's input. */
export interface Scope {
  readonly block: string;
  /** The use's full name: a local name `bn2` is `${prefix}.bn2` in the table. */
  readonly prefix: string;
  readonly input: Producer;
  readonly localNames: readonly string[];
}

export class Resolver {
  private readonly producers: NameTable<Producer>;
  /** Every name a statement defines, with where: built on the first failed lookup, which most checks never make. */
  private laterNames: Map<string, number> | undefined;
  /** One search per misspelt name: a name used thousands of times is not compared with every layer each time. */
  private readonly suggestions = new Map<string, string | undefined>();
  private readonly kindCounts = new Map<string, number>();
  /** Statements are lines, so a syntax error marks its line: a line the parser could not read whole. */
  private readonly unreadLines: Set<number>;
  /** The output the next layer reads unless it says otherwise: the input's or the last layer's. */
  previous: Producer | undefined;
  missingInputReported = false;
  /** Inside a block's use, where names are the block's own; undefined at the top level. */
  scope: Scope | undefined;
  /** The document's block names: a misspelt kind may be one of them. */
  blockNames: readonly string[] = [];
  /** Layers resolved so far. */
  private count = 0;
  // A layer's inputs are gathered here (counted, as setting its length would free it), then copied at their exact
  // length: an array grown by push keeps room for 17, and the layer keeps its inputs as long as the Analysis lives.
  private readonly gathered: Arriving[] = [];
  private gatheredCount = 0;
  /** The layer whose options are being read: a `bad-value` message is prefixed with its name. */
  private reading = '';
  private readonly reportReading: (d: Diagnostic) => void;

  constructor(
    private readonly document: ParsedDocument,
    private readonly lines: LineIndex,
    private readonly report: (d: Diagnostic) => void,
  ) {
    this.producers = new NameTable<Producer>(document.statements.length + 1);
    this.unreadLines = new Set(document.diagnostics.map((d) => lines.position(d.range.start).line));
    // One function for the whole check, told which layer it is reading, rather than one closure per layer.
    this.reportReading = (d) =>
      report(
        d.code === 'bad-value' && !d.message.startsWith(`${this.reading}:`)
          ? { ...d, message: `${this.reading}: ${d.message}` }
          : d,
      );
  }

  /** The producer a name stands for: a use's name stands for its output. */
  get(name: string): Producer | undefined {
    const found = this.producers.get(name);
    return found instanceof Alias ? found.target : found;
  }

  /** Makes a use's name (and a repetition's, `layer2.1`) stand for `target`, its output. */
  alias(name: string, nameRange: Word['range'], target: Producer, register: boolean, automatic: boolean): void {
    this.define(new Alias(name, nameRange, target), register, automatic);
  }

  /** The name of the next unnamed layer of a kind, or use of a block: `conv3`, `basic1`. */
  autoName(kind: string): string {
    const count = (this.kindCounts.get(kind) ?? 0) + 1;
    this.kindCounts.set(kind, count);
    return `${kind}${count}`;
  }

  /**
   * Makes a producer's name usable; false, after reporting it, when the name is taken. `register` is false for a
   * name that is itself an error, so it is not reported twice.
   */
  define(producer: Producer, register: boolean, automatic = false): boolean {
    if (!register) return true;
    const existing = this.producers.addUnlessTaken(producer);
    if (!existing) return true;
    const { name } = producer;
    const where = `line ${this.lines.position(existing.nameRange.start).line}`;
    this.report({
      severity: 'error',
      code: 'duplicate-name',
      message: automatic
        ? `this layer is named '${name}' automatically (it is ${name.replace(/\d+$/, '')} number ${name.replace(/^\D+/, '')}), but ${where} already uses that name; name one of them`
        : `'${name}' is already defined on ${where}`,
      range: producer.nameRange,
      related: [{ range: existing.nameRange, message: `'${name}' is first defined here` }],
    });
    return false;
  }

  /** Whether `word` may name a layer or the input: false, after reporting it, for a keyword. */
  checkName(word: Word): boolean {
    if (word.text.includes('.')) {
      this.report({
        severity: 'error',
        code: 'syntax',
        message: `'${word.text}': a name has no '.'; full names such as layer2.1.conv1 are the ones blocks make`,
        range: word.range,
      });
      return false;
    }
    if (!RESERVED.has(word.text)) return true;
    this.report({
      severity: 'error',
      code: 'syntax',
      message: `'${word.text}' is a keyword and cannot name a layer`,
      range: word.range,
    });
    return false;
  }

  /** The producer `ref` names for `user`; undefined, after reporting why, when there is none above. */
  lookup(ref: Word | Value, user: string): Producer | undefined {
    if (this.scope) return this.lookupInBlock(ref, user, this.scope);
    const found = this.get(ref.text);
    if (found) return found;
    this.laterNames ??= collectNames(this.document);
    const later = this.laterNames.get(ref.text);
    if (!this.suggestions.has(ref.text)) this.suggestions.set(ref.text, didYouMean(ref.text, this.producers.names()));
    const suggestion = this.suggestions.get(ref.text);
    const message =
      later !== undefined && later >= ref.range.start
        ? `${user}: '${ref.text}' is defined on line ${this.lines.position(later).line}, below this line; a layer can only use layers above it`
        : `${user}: no layer named '${ref.text}' above this line${suggestion ? `; did you mean '${suggestion}'?` : ''}`;
    this.report({
      severity: 'error',
      code: 'undefined-layer',
      message,
      range: ref.range,
      ...(suggestion && {
        fixes: [
          { title: `Change to '${suggestion}'`, edits: [{ range: ref.range, newText: suggestion }], preferred: true },
        ],
      }),
    });
    return undefined;
  }

  /** Inside a use: the block's own layers above, and `input`; nothing from outside. */
  private lookupInBlock(ref: Word | Value, user: string, scope: Scope): Producer | undefined {
    if (ref.text === 'input') return scope.input;
    const found = this.get(`${scope.prefix}.${ref.text}`);
    if (found) return found;
    const local = scope.localNames.includes(ref.text);
    const suggestion = local
      ? undefined
      : didYouMean(ref.text, [...scope.localNames.filter((n) => n && this.get(`${scope.prefix}.${n}`)), 'input']);
    this.report({
      severity: 'error',
      code: 'undefined-layer',
      message: local
        ? `${user}: '${ref.text}' is defined below this line in block ${scope.block}; a layer can only use layers above it`
        : `${user}: block ${scope.block} has no layer named '${ref.text}' above this line; inside a block, names are its own and \`input\` is its input${suggestion ? `; did you mean '${suggestion}'?` : ''}`,
      range: ref.range,
      ...(suggestion && {
        fixes: [
          { title: `Change to '${suggestion}'`, edits: [{ range: ref.range, newText: suggestion }], preferred: true },
        ],
      }),
    });
    return undefined;
  }

  /**
   * A layer statement on `line`: its name, kind, inputs, options and configuration; its shapes come after. A
   * layer of a block's expansion (`expanded`) has its full name already and does not count among the top level's.
   */
  resolveLayer(st: LayerStatement, line: number, expanded = false): Layer {
    const kind = LAYER_KINDS.get(st.kindText);
    const kindName = kind?.kind ?? st.kindText;
    const hasName = st.nameText !== undefined;
    // Every top-level layer counts among its kind's, named or not, so an unnamed one after it is numbered on.
    const automatic = expanded ? st.nameText! : this.autoName(kindName);
    const name = hasName ? st.nameText! : automatic;
    // A statement makes its words when they are read: only a diagnostic needs them.
    const nameOk = expanded || !hasName || (!RESERVED.has(name) && !name.includes('.')) || this.checkName(st.name!);
    // A line the parser could not read whole is not run on a guess.
    const parsedWhole = !this.unreadLines.has(line);
    let broken = !nameOk || !parsedWhole;
    this.reading = name;
    const report = this.reportReading;
    const index = this.count++;
    if (!kind) {
      const layer = new Layer(name, st, line, index, undefined, undefined, undefined, NO_INPUTS, true, undefined);
      this.define(layer, nameOk, !hasName);
      const kindWord = st.kind;
      if (kindWord.text) {
        // After `NAME:` only a layer kind can follow; at the start of a line, a statement keyword too.
        const suggestion = didYouMean(kindWord.text, [
          ...(hasName ? LAYER_KINDS.keys() : KEYWORDS),
          ...this.blockNames,
        ]);
        report({
          severity: 'error',
          code: 'unknown-layer',
          message: `unknown layer kind '${kindWord.text}'${suggestion ? `; did you mean '${suggestion}'?` : ''}`,
          range: kindWord.range,
          ...(suggestion && {
            fixes: [
              {
                title: `Change to '${suggestion}'`,
                edits: [{ range: kindWord.range, newText: suggestion }],
                preferred: true,
              },
            ],
          }),
        });
      }
      return layer;
    }

    this.gatheredCount = 0;
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
          if (o.value.kind !== 'missing')
            report({
              severity: 'error',
              code: 'bad-value',
              message: `from= takes a layer name, not '${o.value.text}'`,
              range: o.value.range,
            });
          broken = unresolved = true;
          continue;
        }
        const producer = this.lookup(o.value, name);
        if (producer) this.gather(new Arriving(producer, o.value));
        else broken = unresolved = true;
      } else if (Object.hasOwn(kind.options, key)) {
        const value = (kind.options as Record<string, { read(v: Value, r: typeof report): unknown }>)[key].read(
          o.value,
          report,
        );
        if (value === undefined) broken = true;
        else options[key] = value;
      } else {
        unknownOption(
          o.key,
          [...Object.keys(kind.options), ...(kind.namedInputs ? [] : ['from'])],
          `${name} (${kind.kind})`,
          report,
        );
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
        const producer = this.lookup(arg, name);
        if (producer) this.gather(new Arriving(producer, arg));
        else broken = unresolved = true;
      }
    } else if (!fromGiven) {
      if (this.previous) {
        above = this.previous;
      } else {
        broken = true;
        this.reportMissingInput(name, st);
      }
    }
    const named = this.gatheredCount ? firstOf(this.gathered, this.gatheredCount) : NO_INPUTS;
    for (let i = 0; i < named.length; i++) named[i].producer.consumers++;
    if (above) above.consumers++;
    const layer = new Layer(
      name,
      st,
      line,
      index,
      kind,
      config,
      above,
      named,
      broken,
      unresolved ? this.previous : undefined,
    );
    // Defined only now, so a layer cannot name itself as its input.
    if (!this.define(layer, nameOk, !hasName)) layer.broken = true;
    return layer;
  }

  private gather(input: Arriving): void {
    this.gathered[this.gatheredCount++] = input;
  }

  /** `missing-input` at the first layer that has nothing above it to read: once per document. */
  private reportMissingInput(name: string, st: LayerStatement): void {
    if (this.missingInputReported) return;
    this.missingInputReported = true;
    const later = this.document.statements.find((s) => s.type === 'input');
    this.report({
      severity: 'error',
      code: 'missing-input',
      message: `${name}: no \`input\` before the first layer${later ? '' : '; add one such as `input 3x32x32`'}`,
      range: st.kind.range,
      ...(later && { related: [{ range: later.range, message: 'the input is defined here, after the layers' }] }),
    });
  }
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

export function unknownOption(
  key: Word,
  known: readonly string[],
  owner: string,
  report: (d: Diagnostic) => void,
): void {
  const alias = ALIASES[key.text];
  const suggestion = alias !== undefined && known.includes(alias) ? alias : didYouMean(key.text, known);
  report({
    severity: 'error',
    code: 'unknown-option',
    message: `${owner} has no option '${key.text}'${suggestion ? `; did you mean '${suggestion}'?` : known.length ? `; it takes ${known.join(', ')}` : '; it takes none'}`,
    range: key.range,
    ...(suggestion && {
      fixes: [
        { title: `Change to '${suggestion}'`, edits: [{ range: key.range, newText: suggestion }], preferred: true },
      ],
    }),
  });
}
