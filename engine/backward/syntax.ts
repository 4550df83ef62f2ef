/** The rule language of `backward` statements: tokens and a recursive-descent parser with document ranges. */
import type { DiagnosticCode, TextRange } from '../text';

interface Token {
  readonly kind: 'number' | 'name' | 'string' | 'op' | 'end';
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

export type Subscript =
  | { readonly kind: 'var'; readonly name: string; readonly range: TextRange }
  | { readonly kind: 'all'; readonly range: TextRange }
  | { readonly kind: 'number'; readonly value: number; readonly range: TextRange };

/** A rule's expression tree; every node keeps its document range, for diagnostics. */
export type Expr =
  | { readonly t: 'number'; readonly value: number; readonly range: TextRange }
  | { readonly t: 'string'; readonly value: string; readonly range: TextRange }
  | { readonly t: 'name'; readonly name: string; readonly range: TextRange }
  | { readonly t: 'list'; readonly items: readonly Expr[]; readonly range: TextRange }
  | { readonly t: 'index'; readonly base: Expr; readonly subs: readonly Subscript[]; readonly range: TextRange }
  | {
      readonly t: 'call';
      readonly fn: string;
      readonly fnRange: TextRange;
      readonly args: readonly Expr[];
      readonly range: TextRange;
    }
  | { readonly t: 'negate'; readonly arg: Expr; readonly range: TextRange }
  | { readonly t: 'transpose'; readonly arg: Expr; readonly range: TextRange }
  | {
      readonly t: 'binary';
      readonly op: BinaryOp;
      readonly left: Expr;
      readonly right: Expr;
      readonly range: TextRange;
    };

export type BinaryOp = '+' | '-' | '*' | '/' | '.*' | './';

export interface ParsedRule {
  readonly target: { readonly name: string; readonly range: TextRange; readonly subs: readonly Subscript[] };
  readonly expr: Expr;
}

export class RuleError extends Error {
  constructor(
    readonly code: DiagnosticCode,
    message: string,
    readonly range: TextRange,
  ) {
    super(message);
  }
}

const OPERATORS = ['.*', './', '+', '-', '*', '/', '(', ')', '[', ']', ',', ':', '=', "'"];

/** The rule's tokens, offsets into the document (`base` is where the rule starts). */
function tokenize(text: string, base: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === ' ' || ch === '\t') {
      i++;
      continue;
    }
    const start = i;
    const previous = tokens[tokens.length - 1];
    // A quote right after a value is MATLAB's transpose; elsewhere it opens a string.
    const afterValue =
      previous &&
      previous.end === base + i &&
      (previous.kind === 'name' || previous.kind === 'number' || [')', ']', "'"].includes(previous.text));
    let kind: Token['kind'];
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i))!;
      i += m[0].length;
      kind = 'number';
    } else if (/[A-Za-z_]/.test(ch)) {
      while (i < text.length && /[A-Za-z0-9_]/.test(text[i])) i++;
      kind = 'name';
    } else if (ch === "'" && !afterValue) {
      const close = text.indexOf("'", i + 1);
      if (close < 0)
        throw new RuleError('syntax', 'this string has no closing quote', { start: base + i, end: base + text.length });
      i = close + 1;
      kind = 'string';
    } else {
      const op = OPERATORS.find((o) => text.startsWith(o, i));
      if (!op) {
        const char = String.fromCodePoint(text.codePointAt(i)!); // a whole character, not half a surrogate pair
        throw new RuleError('syntax', `'${char}' has no meaning in a backward rule`, {
          start: base + i,
          end: base + i + char.length,
        });
      }
      i += op.length;
      kind = 'op';
    }
    tokens.push({ kind, text: text.slice(start, i), start: base + start, end: base + i });
  }
  tokens.push({ kind: 'end', text: '', start: base + text.length, end: base + text.length });
  return tokens;
}

/** Recursive descent over the tokens of one rule. */
class RuleParser {
  private i = 0;

  constructor(private readonly toks: Token[]) {}

  rule(): ParsedRule {
    const name = this.expectName('the target: dx, or a parameter gradient such as dW');
    const subs = this.peek('[') ? this.subscripts() : [];
    for (const s of subs) {
      if (s.kind !== 'var')
        throw new RuleError('syntax', 'a target is indexed by variables only, as in dx[c]', s.range);
    }
    this.expect('=', `expected '=' after ${name.text}`);
    const expr = this.expr();
    const end = this.toks[this.i];
    if (end.kind !== 'end')
      throw new RuleError('syntax', `expected an operator or the end of the rule, not '${end.text}'`, end);
    return { target: { name: name.text, range: range(name), subs }, expr };
  }

  private expr(): Expr {
    let left = this.term();
    while (this.peek('+') || this.peek('-')) {
      const op = this.next().text as BinaryOp,
        right = this.term();
      left = { t: 'binary', op, left, right, range: span(left.range, right.range) };
    }
    return left;
  }

  private term(): Expr {
    let left = this.unary();
    while (this.peek('*') || this.peek('/') || this.peek('.*') || this.peek('./')) {
      const op = this.next().text as BinaryOp,
        right = this.unary();
      left = { t: 'binary', op, left, right, range: span(left.range, right.range) };
    }
    return left;
  }

  private unary(): Expr {
    if (this.peek('-') || this.peek('+')) {
      const sign = this.next(),
        arg = this.unary();
      return sign.text === '-' ? { t: 'negate', arg, range: span(range(sign), arg.range) } : arg;
    }
    let e = this.primary();
    for (;;) {
      if (this.peek("'")) {
        e = { t: 'transpose', arg: e, range: span(e.range, range(this.next())) };
      } else if (this.peek('[')) {
        const subs = this.subscripts();
        e = { t: 'index', base: e, subs, range: span(e.range, range(this.toks[this.i - 1])) };
      } else {
        return e;
      }
    }
  }

  private primary(): Expr {
    const tok = this.next();
    if (tok.kind === 'number') return { t: 'number', value: Number(tok.text), range: range(tok) };
    if (tok.kind === 'string') return { t: 'string', value: tok.text.slice(1, -1), range: range(tok) };
    if (tok.kind === 'name') {
      if (!this.peek('(')) return { t: 'name', name: tok.text, range: range(tok) };
      this.next();
      const args: Expr[] = [];
      if (!this.peek(')')) {
        do args.push(this.expr());
        while (this.take(','));
      }
      const close = this.expect(')', `expected ',' or ')' in the arguments of ${tok.text}`);
      return { t: 'call', fn: tok.text, fnRange: range(tok), args, range: span(range(tok), range(close)) };
    }
    if (tok.text === '(') {
      const e = this.expr();
      const close = this.expect(')', "expected ')'");
      return { ...e, range: span(range(tok), range(close)) } as Expr;
    }
    if (tok.text === '[') {
      const items: Expr[] = [];
      while (!this.peek(']') && this.toks[this.i].kind !== 'end') {
        items.push(this.expr());
        this.take(',');
      }
      const close = this.expect(']', "expected ']'");
      return { t: 'list', items, range: span(range(tok), range(close)) };
    }
    throw new RuleError(
      'syntax',
      tok.kind === 'end' ? 'the rule ends where a value is expected' : `expected a value, not '${tok.text}'`,
      range(tok),
    );
  }

  private subscripts(): Subscript[] {
    this.next(); // '['
    const subs: Subscript[] = [];
    do {
      const tok = this.next();
      if (tok.kind === 'name') subs.push({ kind: 'var', name: tok.text, range: range(tok) });
      else if (tok.text === ':') subs.push({ kind: 'all', range: range(tok) });
      else if (tok.kind === 'number' && Number.isInteger(Number(tok.text)))
        subs.push({ kind: 'number', value: Number(tok.text), range: range(tok) });
      else throw new RuleError('syntax', "an index is a variable (dy[k]), ':' (W[k,:]) or a whole number", range(tok));
    } while (this.take(','));
    this.expect(']', "expected ',' or ']' after an index");
    return subs;
  }

  private peek(text: string): boolean {
    const t = this.toks[this.i];
    return t.kind === 'op' && t.text === text;
  }

  private take(text: string): boolean {
    if (!this.peek(text)) return false;
    this.i++;
    return true;
  }

  private next(): Token {
    const t = this.toks[this.i];
    if (t.kind !== 'end') this.i++;
    return t;
  }

  private expect(text: string, message: string): Token {
    if (!this.peek(text)) throw new RuleError('syntax', message, range(this.toks[this.i]));
    return this.next();
  }

  private expectName(what: string): Token {
    const t = this.toks[this.i];
    if (t.kind !== 'name') throw new RuleError('syntax', `expected ${what}`, range(t));
    return this.next();
  }
}

function range(t: { start: number; end: number }): TextRange {
  return { start: t.start, end: t.end };
}

function span(a: TextRange, b: TextRange): TextRange {
  return { start: a.start, end: b.end };
}

/** Parses a rule's text (`TARGET = EXPR`) starting at document offset `base`. */
export function parseRule(text: string, base: number): ParsedRule {
  return new RuleParser(tokenize(text, base)).rule();
}
