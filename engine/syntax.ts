/**
 * The syntax tree of a `.cnn` document. Every node and every property carries its own half-open range, so a
 * diagnostic can point at exactly the text it is about (an option's key, its value, one dimension's shape).
 * The tree is what the parser recovered; nothing here is checked against the language's meaning yet.
 */
import type { Diagnostic, TextRange } from './text';

export interface Word {
  readonly text: string;
  readonly range: TextRange;
}

/**
 * A value as written. `number` is a plain number (`5`, `0.5`, `-1`, `1e-5`); `shape` is two or more whole
 * numbers joined by `x` or `×` (`5x5`); `word` is a name or keyword (`same`, `true`, `c1`); `string` is quoted.
 * `dims` holds the numbers of a number or shape (a number is a one-dimensional shape); `missing` is the
 * zero-width placeholder the parser puts where a value was expected.
 */
export interface Value {
  readonly kind: 'number' | 'shape' | 'word' | 'string' | 'missing' | 'expr';
  readonly text: string;
  readonly range: TextRange;
  readonly dims: readonly number[];
  /** For `expr` (integer arithmetic on a block's parameters, only inside a block): the expression. */
  readonly expr?: Expr;
}

/** Integer arithmetic on a block's parameters: `c*expand`, `c/2`, `(c+1)*2`. */
export type Expr =
  | { readonly op: '+' | '-' | '*' | '/'; readonly left: Expr; readonly right: Expr; readonly range: TextRange }
  | { readonly op: 'number'; readonly value: number; readonly range: TextRange }
  | { readonly op: 'name'; readonly name: string; readonly range: TextRange };

/** The range of dimension `i`'s digits in a number or shape, for a diagnostic about that one (`5x0`). */
export function dimRange(v: Value, i: number): TextRange {
  let from = 0;
  let d = 0;
  for (let p = 0; p <= v.text.length; p++) {
    if (p < v.text.length && v.text[p] !== 'x' && v.text[p] !== '×') continue;
    if (d++ === i) return { start: v.range.start + from, end: v.range.start + p };
    from = p + 1;
  }
  return v.range;
}

export interface OptionNode {
  readonly key: Word;
  readonly value: Value;
  readonly range: TextRange;
}

interface StatementBase {
  /** The whole statement, without its comment and trailing blanks. */
  readonly range: TextRange;
  /** The statement's first word (`input`, `network`, or the layer kind). */
  readonly keyword: Word;
}

export interface NetworkStatement extends StatementBase {
  readonly type: 'network';
  readonly name?: Word;
}

export interface InputStatement extends StatementBase {
  readonly type: 'input';
  readonly name?: Word;
  readonly shape: Value;
}

export interface LayerStatement extends StatementBase {
  readonly type: 'layer';
  /** The explicit `NAME:` if written. */
  readonly name?: Word;
  /** The kind as written; the checker resolves it (and suggests a spelling). */
  readonly kind: Word;
  /** The texts of `name` and `kind`, for readers that need no range: the words are made each time they are read. */
  readonly nameText: string | undefined;
  readonly kindText: string;
  readonly args: readonly Value[];
  readonly options: readonly OptionNode[];
  /** The `-> SHAPE` assertion, if written. */
  readonly assertion?: { readonly arrow: TextRange; readonly shape: Value };
}

export interface LossStatement extends StatementBase {
  readonly type: 'loss';
  readonly loss: Value;
}

export interface SampleStatement extends StatementBase {
  readonly type: 'sample';
  readonly options: readonly OptionNode[];
}

/** `backward NAME: TARGET = EXPR`, kept as text until the hand-written-rule checker reads it. */
export interface BackwardStatement extends StatementBase {
  readonly type: 'backward';
  readonly layer?: Word;
  /** Everything after the colon. */
  readonly rule: Word;
}

/** A block parameter: `c`, or `stride=1` with its default. */
export interface BlockParam {
  readonly name: Word;
  readonly default?: Value;
}

/**
 * `block NAME PARAM… [PARAM=DEFAULT…]`, its body, and `end`: the body's statements are the block's own, not the
 * network's, until a use expands them (blocks.ts).
 */
export interface BlockStatement extends StatementBase {
  readonly type: 'block';
  readonly name?: Word;
  readonly params: readonly BlockParam[];
  readonly body: readonly (LayerStatement | BackwardStatement)[];
  /** The `end` line's keyword; undefined when it is missing (a syntax error says so). */
  readonly end?: TextRange;
  /** The header line alone (`range` covers the block up to its `end`). */
  readonly header: TextRange;
}

export type Statement =
  | BlockStatement
  | NetworkStatement
  | InputStatement
  | LayerStatement
  | LossStatement
  | SampleStatement
  | BackwardStatement;

export interface ParsedDocument {
  readonly text: string;
  readonly statements: readonly Statement[];
  /** Syntax errors only; meaning is checked later. */
  readonly diagnostics: readonly Diagnostic[];
}
