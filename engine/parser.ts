/**
 * Recursive-descent parser for `.cnn`. It never throws: every line becomes a statement or a `syntax`
 * diagnostic, and recovery is per line, so one bad line never hides what the other lines say. Within a line it
 * reports the first problem, skips the offending token and keeps what it can, so a layer with one bad option
 * still has its kind and shape for the checker.
 */
import { LAYER_KINDS } from './layers';
import { Scanner, Token } from './scanner';
import type {
  BackwardStatement,
  BlockParam,
  BlockStatement,
  Expr,
  LayerStatement,
  OptionNode,
  ParsedDocument,
  Statement,
  Value,
  Word,
} from './syntax';
import { firstOf } from './tenured';
import { type Diagnostic, LineBreaks, type TextRange, range } from './text';

/** Words that begin a statement other than a layer. */
export const STATEMENT_KEYWORDS = ['network', 'input', 'loss', 'sample', 'backward', 'block', 'end'] as const;

/**
 * A set of words looked up where they stand in the text: by length and first character, then compared in place
 * (`startsWith` at the offset). Looking up a slice in a Map or Set would make a new string and hash it first, for
 * every word of the document.
 */
export class WordSet {
  private readonly byStart = new Map<number, string[]>();

  constructor(words: Iterable<string>) {
    for (const w of new Set(words)) {
      const key = w.length * 0x10000 + w.charCodeAt(0);
      const list = this.byStart.get(key);
      if (list) list.push(w);
      else this.byStart.set(key, [w]);
    }
  }

  /** The set's own string equal to text[start, end), if there is one. */
  find(text: string, start: number, end: number): string | undefined {
    const list = this.byStart.get((end - start) * 0x10000 + text.charCodeAt(start));
    if (list) for (const w of list) if (text.startsWith(w, start)) return w;
    return undefined;
  }

  has(word: string): boolean {
    return this.find(word, 0, word.length) !== undefined;
  }
}

/**
 * The language's own words: statement keywords, layer kinds, option names and the words options take. Each
 * occurrence in a document becomes this one string instead of a copy of its own, so a large document's tree is
 * smaller, and these are the strings the checker compares and looks up (interned ones, which V8 does fastest).
 */
const VOCABULARY = new WordSet([
  ...STATEMENT_KEYWORDS,
  ...[...LAYER_KINDS.values()].flatMap((k) => [k.kind, ...Object.keys(k.options)]),
  ...[
    'from',
    'true',
    'false',
    'same',
    'full',
    'valid',
    'max',
    'mean',
    'avg',
    'cross_entropy',
    'mse',
    'batch',
    'seed',
    'repeat',
  ],
]);

/** The text of a word token: the vocabulary's string for a word of the language, else a copy from the document. */
function wordText(text: string, start: number, end: number): string {
  return VOCABULARY.find(text, start, end) ?? text.slice(start, end);
}

const NONE: readonly number[] = [];
/** Most layers have no options or no arguments; they share these rather than each keeping an empty array. */
const NO_VALUES: readonly Value[] = Object.freeze([]);
const NO_OPTIONS: readonly OptionNode[] = Object.freeze([]);

/**
 * A word is plain data, made by an object literal: V8 allocates the objects of a literal straight into its old
 * generation once most of them outlive their first collection (see tenured.ts), and a document's words live as
 * long as its tree.
 */
function wordNode(text: string, start: number): Word {
  return { text, range: { start, end: start + text.length } };
}

/**
 * The same, for the words a layer statement makes when they are read: they are dropped soon after, so they are
 * made by a literal of their own, as V8 decides where a literal's objects go by how many of them have survived.
 */
function passingWord(text: string, start: number): Word {
  return { text, range: { start, end: start + text.length } };
}

/**
 * A value keeps where it is, not its text: that is sliced from the document when read (each read gives a new
 * string, equal to the last). The checker reads each value about once, and kept texts would be a string per value
 * for as long as the tree lives, which V8 cannot pretenure.
 */
class ValueNode implements Value {
  constructor(
    readonly kind: Value['kind'],
    private readonly source: string,
    readonly start: number,
    readonly end: number,
  ) {}

  get text(): string {
    return this.kind === 'word' ? wordText(this.source, this.start, this.end) : this.source.slice(this.start, this.end);
  }

  get range(): TextRange {
    return { start: this.start, end: this.end };
  }

  /** Read from the document when asked for, as the text. */
  get dims(): readonly number[] {
    return this.kind === 'number' || this.kind === 'shape' ? readDims(this.source, this.start, this.end) : NONE;
  }
}

/**
 * The numbers of a number or shape token: `5`, `3x17x17`, `1e-5`. Sizes are whole numbers, and those are read
 * digit by digit (exactly, up to 15 digits): that keeps them small integers, which V8 stores unboxed in the
 * arrays and objects they flow into, down to the geometry. Any other text takes the general path, which may give
 * doubles, in arrays of its own.
 */
function readDims(source: string, start: number, end: number): number[] {
  // Up to three dimensions (every shape a layer has) are kept in locals and returned as an array literal of
  // exactly their number; more take a growing array.
  let a = 0,
    b = 0,
    c = 0;
  let count = 0;
  let more: number[] | undefined;
  let n = 0;
  let digits = 0;
  for (let i = start; i <= end; i++) {
    const ch = i < end ? source.charCodeAt(i) : -1;
    if (ch >= 48 && ch <= 57 && digits < 15) {
      n = n * 10 + (ch - 48);
      digits++;
    } else if ((ch === 120 || ch === 0xd7 || ch === -1) && digits > 0) {
      // `x` or `×` after a dimension's digits, or the end
      if (count === 0) a = n;
      else if (count === 1) b = n;
      else if (count === 2) c = n;
      else (more ??= []).push(n);
      count++;
      n = 0;
      digits = 0;
    } else {
      // Not whole numbers: a plain number such as `1e-5` or `0.5`, or text the checker will call a bad value.
      const text = source.slice(start, end);
      return /[x×]/.test(text) ? text.split(/[x×]/).map(Number) : [Number(text)];
    }
  }
  if (count === 1) return [a];
  if (count === 2) return [a, b];
  if (count === 3) return [a, b, c];
  return [a, b, c, ...(more ?? [])];
}

/** Integer arithmetic on a block's parameters, as written (`c*expand`): evaluated for each use (blocks.ts). */
class ExprNode implements Value {
  readonly kind = 'expr';
  readonly dims = NONE;
  constructor(
    private readonly source: string,
    readonly start: number,
    readonly end: number,
    readonly expr: Expr,
  ) {}

  get text(): string {
    return this.source.slice(this.start, this.end);
  }

  get range(): TextRange {
    return { start: this.start, end: this.end };
  }
}

function optionNode(key: Word, value: ValueNode | ExprNode): OptionNode {
  return { key, value, range: { start: key.range.start, end: value.end } };
}

/**
 * A layer statement, there being one per line: it keeps its name's and its kind's text and offsets itself and
 * makes their words when they are read (each read new records, equal to the last), which saves a layer four
 * objects kept as long as the tree.
 */
class LayerNode implements LayerStatement {
  constructor(
    /** The name is the statement's first word, so it starts where the statement does. */
    readonly nameText: string | undefined,
    readonly kindText: string,
    private readonly kindStart: number,
    readonly args: readonly Value[],
    readonly options: readonly OptionNode[],
    readonly assertion: LayerStatement['assertion'],
    private readonly start: number,
    private readonly end: number,
  ) {}

  get type(): 'layer' {
    return 'layer';
  }

  get name(): Word | undefined {
    return this.nameText === undefined ? undefined : passingWord(this.nameText, this.start);
  }

  get kind(): Word {
    return passingWord(this.kindText, this.kindStart);
  }

  /** A layer statement's first word is its kind (after the name, if any). */
  get keyword(): Word {
    return this.kind;
  }

  get range(): TextRange {
    return { start: this.start, end: this.end };
  }
}

/** A token of the current line. The parser reuses these records line after line: none outlives its line. */
interface Tok {
  token: Token;
  start: number;
  end: number;
}

/** The `end` of a block: a line of its own, that the parser folds into the block it closes. */
interface EndLine {
  readonly type: 'end';
  readonly keyword: Word;
}

/** A block being read: its header is in the statements already, its body fills as lines come. */
interface OpenBlock {
  header: { -readonly [K in keyof BlockStatement]: BlockStatement[K] };
  body: (LayerStatement | BackwardStatement)[];
}

export function parse(text: string): ParsedDocument {
  const statements: Statement[] = [];
  const diagnostics: Diagnostic[] = [];
  const parser = new LineParser(text, diagnostics);
  const breaks = new LineBreaks(text);
  const syntax = (range: TextRange, message: string) =>
    diagnostics.push({ severity: 'error', code: 'syntax', message, range });
  let open: OpenBlock | undefined;
  /** Closes the open block at `end`, or where its body stops when its `end` is missing (`why` says where). */
  const close = (end: Word | undefined, why: string) => {
    if (!open) return;
    const { header, body } = open;
    header.body = body;
    if (end) header.end = end.range;
    else
      syntax(
        range(header.keyword.range.start, (header.name ?? header.keyword).range.end),
        `block ${header.name?.text ?? ''} has no \`end\` ${why}`.replace('  ', ' '),
      );
    const last = end?.range.end ?? body[body.length - 1]?.range.end ?? header.header.end;
    header.range = range(header.header.start, last);
    open = undefined;
    parser.inBlock = false;
  };
  let start = 0;
  while (start <= text.length) {
    const end = breaks.lineEnd(start);
    const statement = parser.parseLine(start, end);
    if (statement?.type === 'end') {
      if (open) close(statement.keyword, '');
      else syntax(statement.keyword.range, '`end` without a `block` above it to close');
    } else if (statement?.type === 'block') {
      close(undefined, `before the next block, on line ${lineOf(text, statement.range.start)}`);
      open = { header: statement as OpenBlock['header'], body: [] };
      parser.inBlock = true;
      statements.push(statement);
    } else if (statement) {
      if (open && (statement.type === 'layer' || statement.type === 'backward')) {
        open.body.push(statement);
      } else {
        if (open) {
          const name = open.header.name?.text ?? '';
          syntax(
            statement.keyword.range,
            `\`${statement.keyword.text}\` cannot be inside a block (block ${name}, line ${lineOf(text, open.header.range.start)}): a block holds layers and backward rules; is its \`end\` missing?`,
          );
        }
        statements.push(statement);
      }
    }
    if (end >= text.length) break;
    start = breaks.nextLine(end);
  }
  close(undefined, 'before the end of the file');
  return { text, statements, diagnostics };
}

/** The 1-based line of an offset, for the few messages that name one while parsing. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) line++;
  return line;
}

class LineParser {
  /** The current line's tokens are toks[0 .. count). */
  private readonly toks: Tok[] = [];
  private count = 0;
  private readonly eol: Tok = { token: Token.EOL, start: 0, end: 0 };
  private lineStart = 0;
  private i = 0;
  private reported = false;
  private readonly scanner: Scanner;
  private readonly args: Value[] = [];
  private readonly options: OptionNode[] = [];
  /** Inside a block's body, where values may be integer arithmetic on its parameters. */
  inBlock = false;

  constructor(
    private readonly text: string,
    private readonly diagnostics: Diagnostic[],
  ) {
    this.scanner = new Scanner(text, 0, 0);
  }

  parseLine(lineStart: number, lineEnd: number): Statement | EndLine | undefined {
    this.lineStart = lineStart;
    this.i = 0;
    this.count = 0;
    this.reported = false;
    const scanner = this.scanner.reset(lineStart, lineEnd);
    for (let t = scanner.scan(); t !== Token.EOL; t = scanner.scan()) {
      const tok = (this.toks[this.count] ??= { token: t, start: 0, end: 0 });
      tok.token = t;
      tok.start = scanner.getTokenOffset();
      tok.end = scanner.getTokenEnd();
      this.count++;
    }
    return this.parse();
  }

  private parse(): Statement | EndLine | undefined {
    if (this.count === 0) return undefined;
    const first = this.peek();
    if (first.token !== Token.Word) {
      this.error(
        first,
        'expected a statement: a layer such as `conv 64 5x5`, or `input`, `network`, `loss`, `sample`, `backward`',
      );
      return undefined;
    }
    // A word before `:` is (nearly always) a layer's name, not a word of the language: it is not looked up.
    this.next();
    const text =
      this.peek().token === Token.Colon
        ? this.text.slice(first.start, first.end)
        : wordText(this.text, first.start, first.end);
    // `input: relu` names a layer `input`; the checker rejects the name, the parser keeps the layer.
    // `backward: …` is a rule missing its layer name, never a layer.
    if (text === 'backward') return this.parseBackward(wordNode(text, first.start));
    if (this.peek().token !== Token.Colon) {
      switch (text) {
        case 'network':
          return this.finish({
            type: 'network',
            keyword: wordNode(text, first.start),
            name: this.optionalWord('a network name'),
            range: this.whole(),
          });
        case 'input':
          return this.parseInput(wordNode(text, first.start));
        case 'loss':
          return this.finish({
            type: 'loss',
            keyword: wordNode(text, first.start),
            loss: this.value('a loss: `cross_entropy` or `mse`'),
            range: this.whole(),
          });
        case 'sample':
          return this.finish({
            type: 'sample',
            keyword: wordNode(text, first.start),
            options: this.parseOptions(),
            range: this.whole(),
          });
        case 'block':
          return this.parseBlock(wordNode(text, first.start));
        case 'end': {
          const keyword = wordNode(text, first.start);
          if (this.i < this.count)
            this.error(
              this.peek(),
              `unexpected '${this.text.slice(this.peek().start, this.peek().end)}' after \`end\``,
            );
          return { type: 'end', keyword };
        }
      }
    }
    return this.parseLayer(text, first.start);
  }

  /** `block NAME PARAM… [PARAM=DEFAULT…]`: required parameters first, then those with defaults. */
  private parseBlock(keyword: Word): BlockStatement {
    const name = this.optionalWord("the block's name, as in `block basic c stride=1`");
    const params: BlockParam[] = [];
    while (this.i < this.count) {
      const t = this.peek();
      if (t.token !== Token.Word) {
        this.error(t, `expected a parameter name${params.length ? '' : ', as in `block basic c stride=1`'}`);
        this.next();
        continue;
      }
      const param = this.word(this.next());
      if (this.peek().token === Token.Equals) {
        this.next();
        params.push({ name: param, default: this.value(`a default value for ${param.text}`) });
      } else {
        if (params.some((p) => p.default))
          this.error(t, `${param.text} has no default, so it goes before the parameters that have one`);
        params.push({ name: param });
      }
      if (params.some((p, i) => i < params.length - 1 && p.name.text === param.text))
        this.error(t, `parameter ${param.text} is given twice`);
    }
    const header = this.whole();
    return { type: 'block', keyword, name, params, body: [], header, range: header };
  }

  private parseInput(keyword: Word): Statement {
    let name: Word | undefined;
    if (this.peek().token === Token.Word) name = this.word(this.next());
    const shape = this.value('the input shape, such as `3x32x32`');
    return this.finish({ type: 'input', keyword, name, shape, range: this.whole() });
  }

  /** A layer statement whose first word, already read, is `first` at `start`: its kind, or its name before `:`. */
  private parseLayer(first: string, start: number): LayerStatement {
    let name: string | undefined;
    let kind = first;
    let kindStart = start;
    if (this.peek().token === Token.Colon) {
      this.next();
      name = first;
      const t = this.peek();
      if (t.token === Token.Word) {
        this.next();
        kind = wordText(this.text, t.start, t.end);
        kindStart = t.start;
      } else {
        kindStart = this.lastEnd();
        this.error(t, `expected a layer kind after '${name}:'`);
        kind = '';
      }
    }
    // Gathered in arrays reused line after line (counted here, as setting their length would free them), then
    // copied at their exact length: an array grown by push keeps room for 17 elements, and the tree keeps its
    // arrays for as long as the document is open.
    const { args, options } = this;
    let argCount = 0;
    let optionCount = 0;
    let assertion: LayerStatement['assertion'];
    while (this.i < this.count) {
      const t = this.peek();
      if (t.token === Token.Word && this.peek(1).token === Token.Equals) {
        options[optionCount++] = this.parseOption();
      } else if (t.token === Token.Arrow) {
        this.next();
        assertion = { arrow: range(t.start, t.end), shape: this.value('a shape after `->`, such as `64x13x13`') };
        break;
      } else if (
        t.token === Token.Number ||
        t.token === Token.Shape ||
        t.token === Token.Word ||
        t.token === Token.String ||
        this.startsExpr()
      ) {
        args[argCount++] = this.blockValue('');
      } else if (t.token === Token.Comma) {
        this.next();
      } else {
        this.error(t, `unexpected '${this.text.slice(t.start, t.end)}'`);
        this.next();
      }
    }
    return this.finish(
      new LayerNode(
        name,
        kind,
        kindStart,
        argCount ? firstOf(args, argCount) : NO_VALUES,
        optionCount ? firstOf(options, optionCount) : NO_OPTIONS,
        assertion,
        this.toks[0].start,
        this.lastEnd(),
      ),
    );
  }

  private parseOptions(): OptionNode[] {
    const options: OptionNode[] = [];
    while (this.i < this.count) {
      const t = this.peek();
      if (t.token === Token.Word && this.peek(1).token === Token.Equals) {
        options.push(this.parseOption());
      } else {
        this.error(t, 'expected an option such as `batch=4`');
        this.next();
      }
    }
    return options;
  }

  private parseOption(): OptionNode {
    const key = this.word(this.next());
    this.next(); // '='
    // What was expected is written only when it is missing.
    const value =
      VALUE_KINDS[this.peek().token] || this.startsExpr() ? this.blockValue('') : this.value(`a value for ${key.text}`);
    return optionNode(key, value);
  }

  private parseBackward(keyword: Word): BackwardStatement {
    const layer = this.optionalWord('the name of the layer the rule is for');
    if (this.peek().token === Token.Colon) {
      this.next();
    } else {
      this.error(this.peek(), "expected ':' after the layer name, as in `backward c2: dx[c] = …`");
    }
    const from = this.i < this.count ? this.toks[this.i].start : this.lastEnd();
    const to = this.lastEnd();
    if (from >= to) this.error(this.peek(), 'expected a rule such as `dx = …` after the colon');
    this.i = this.count;
    const rule: Word = { text: this.text.slice(from, to), range: range(from, to) };
    return { type: 'backward', keyword, layer, rule, range: this.whole() };
  }

  /** Reports anything left on the line after a complete statement. */
  private finish<S extends Statement>(statement: S): S {
    if (this.i < this.count) {
      const t = this.peek();
      this.error(t, `unexpected '${this.text.slice(t.start, t.end)}' after the ${statement.type} statement`);
    }
    return statement;
  }

  private value(expected: string): ValueNode {
    const t = this.peek();
    const kind = VALUE_KINDS[t.token];
    if (kind) {
      this.next();
      return new ValueNode(kind, this.text, t.start, t.end);
    }
    if (t.token !== Token.EOL) this.next();
    this.error(t, `expected ${expected}`);
    const at = t.token === Token.EOL ? this.lastEnd() : t.start;
    return new ValueNode('missing', this.text, at, at);
  }

  /** Inside a block, whether the tokens ahead are arithmetic (`c*2`, `(c+1)`, `c-1`), not a single value. */
  private startsExpr(): boolean {
    if (!this.inBlock) return false;
    const t = this.peek();
    if (this.isOp(t, '(')) return true;
    if (t.token !== Token.Number && t.token !== Token.Word) return false;
    const n = this.peek(1);
    return (n.token === Token.Operator && !this.isOp(n, '(') && !this.isOp(n, ')')) || this.isGluedMinus(n, t);
  }

  private isOp(t: Tok, op: string): boolean {
    return t.token === Token.Operator && this.text.charCodeAt(t.start) === op.charCodeAt(0);
  }

  /** `c-1` scans as `c` and the number `-1`: glued to the operand before it, that minus subtracts. */
  private isGluedMinus(t: Tok, before: Tok): boolean {
    return t.token === Token.Number && this.text.charCodeAt(t.start) === 45 && t.start === before.end;
  }

  /** A value, or inside a block integer arithmetic on its parameters. */
  private blockValue(expected: string): ValueNode | ExprNode {
    if (!this.startsExpr()) return this.value(expected);
    const start = this.peek().start;
    const expr = this.sum();
    return expr
      ? new ExprNode(this.text, start, expr.range.end, expr)
      : new ValueNode('missing', this.text, start, start);
  }

  private sum(): Expr | undefined {
    let left = this.product();
    while (left) {
      const t = this.peek();
      let op: '+' | '-';
      let right: Expr | undefined;
      if (this.isOp(t, '+') || this.isOp(t, '-')) {
        op = this.isOp(t, '+') ? '+' : '-';
        this.next();
        right = this.product();
      } else if (this.isGluedMinus(t, this.toks[this.i - 1])) {
        op = '-';
        this.next();
        right = this.product({
          op: 'number',
          value: -Number(this.text.slice(t.start, t.end)),
          range: range(t.start + 1, t.end),
        });
      } else {
        break;
      }
      left = right && { op, left, right, range: range(left.range.start, right.range.end) };
    }
    return left;
  }

  private product(first?: Expr): Expr | undefined {
    let left = first ?? this.factor();
    while (left && (this.isOp(this.peek(), '*') || this.isOp(this.peek(), '/'))) {
      const op = this.isOp(this.next(), '*') ? '*' : '/';
      const right = this.factor();
      left = right && { op, left, right, range: range(left.range.start, right.range.end) };
    }
    return left;
  }

  private factor(): Expr | undefined {
    const t = this.peek();
    if (t.token === Token.Word) {
      this.next();
      return { op: 'name', name: this.text.slice(t.start, t.end), range: range(t.start, t.end) };
    }
    if (t.token === Token.Number && /^\d+$/.test(this.text.slice(t.start, t.end))) {
      this.next();
      return { op: 'number', value: Number(this.text.slice(t.start, t.end)), range: range(t.start, t.end) };
    }
    if (this.isOp(t, '(')) {
      this.next();
      const inner = this.sum();
      if (!inner) return undefined;
      if (!this.isOp(this.peek(), ')')) {
        this.error(this.peek(), "expected ')'");
        return undefined;
      }
      const close = this.next();
      return { ...inner, range: range(t.start, close.end) };
    }
    this.error(t, 'expected a whole number, a parameter or `(` in the arithmetic');
    if (t.token !== Token.EOL) this.next();
    return undefined;
  }

  private optionalWord(expected: string): Word | undefined {
    if (this.peek().token === Token.Word) return this.word(this.next());
    this.error(this.peek(), `expected ${expected}`);
    if (this.i < this.count && this.peek().token !== Token.Colon) this.next();
    return undefined;
  }

  private word(t: Tok): Word {
    return wordNode(wordText(this.text, t.start, t.end), t.start);
  }

  private peek(ahead = 0): Tok {
    if (this.i + ahead < this.count) return this.toks[this.i + ahead];
    this.eol.start = this.eol.end = this.lastEnd();
    return this.eol;
  }

  private next(): Tok {
    const t = this.peek();
    if (this.i < this.count) this.i++;
    return t;
  }

  private lastEnd(): number {
    return this.count ? this.toks[this.count - 1].end : this.lineStart;
  }

  private whole(): TextRange {
    return range(this.toks[0].start, this.lastEnd());
  }

  /** One syntax error per line; a zero-width one moves onto the previous character so it shows. */
  private error(t: Tok, message: string): void {
    if (this.reported) return;
    this.reported = true;
    const at = t.start === t.end ? range(Math.max(this.lineStart, t.start - 1), t.start) : range(t.start, t.end);
    this.diagnostics.push({ severity: 'error', code: 'syntax', message, range: at });
  }
}

/** The kind of value each token is, where it is one. */
const VALUE_KINDS: { readonly [T in Token]?: Value['kind'] } = {
  [Token.Number]: 'number',
  [Token.Shape]: 'shape',
  [Token.Word]: 'word',
  [Token.String]: 'string',
};
