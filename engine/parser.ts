/**
 * Recursive-descent parser for `.cnn`. It never throws: every line becomes a statement or a `syntax`
 * diagnostic, and recovery is per line, so one bad line never hides what the other lines say. Within a line it
 * reports the first problem, skips the offending token and keeps what it can, so a layer with one bad option
 * still has its kind and shape for the checker.
 */
import { Scanner, Token } from './scanner';
import type {
  BackwardStatement,
  LayerStatement,
  OptionNode,
  ParsedDocument,
  Statement,
  Value,
  Word,
} from './syntax';
import { type Diagnostic, type TextRange, range } from './text';

/** Words that begin a statement other than a layer. */
export const STATEMENT_KEYWORDS = ['network', 'input', 'loss', 'sample', 'backward'] as const;

const NONE: readonly number[] = [];

/** A token of the current line. The parser reuses these records line after line: none outlives its line. */
interface Tok {
  token: Token;
  start: number;
  end: number;
}

export function parse(text: string): ParsedDocument {
  const statements: Statement[] = [];
  const diagnostics: Diagnostic[] = [];
  const parser = new LineParser(text, diagnostics);
  let start = 0;
  while (start <= text.length) {
    let end = start;
    while (end < text.length && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
    const statement = parser.parseLine(start, end);
    if (statement) statements.push(statement);
    if (end >= text.length) break;
    start = end + (text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? 2 : 1);
  }
  return { text, statements, diagnostics };
}

class LineParser {
  /** The current line's tokens are toks[0 .. count). */
  private readonly toks: Tok[] = [];
  private count = 0;
  private readonly eol: Tok = { token: Token.EOL, start: 0, end: 0 };
  private lineStart = 0;
  private i = 0;
  private reported = false;

  constructor(
    private readonly text: string,
    private readonly diagnostics: Diagnostic[],
  ) {}

  parseLine(lineStart: number, lineEnd: number): Statement | undefined {
    this.lineStart = lineStart;
    this.i = 0;
    this.count = 0;
    this.reported = false;
    const scanner = new Scanner(this.text, lineStart, lineEnd);
    for (let t = scanner.scan(); t !== Token.EOL; t = scanner.scan()) {
      const tok = (this.toks[this.count] ??= { token: t, start: 0, end: 0 });
      tok.token = t;
      tok.start = scanner.getTokenOffset();
      tok.end = scanner.getTokenEnd();
      this.count++;
    }
    return this.parse();
  }

  private parse(): Statement | undefined {
    if (this.count === 0) return undefined;
    const first = this.peek();
    if (first.token !== Token.Word) {
      this.error(first, 'expected a statement: a layer such as `conv 64 5x5`, or `input`, `network`, `loss`, `sample`, `backward`');
      return undefined;
    }
    const keyword = this.word(this.next());
    // `input: relu` names a layer `input`; the checker rejects the name, the parser keeps the layer.
    // `backward: …` is a rule missing its layer name, never a layer.
    if (keyword.text === 'backward') return this.parseBackward(keyword);
    if (this.peek().token !== Token.Colon) {
      switch (keyword.text) {
        case 'network':
          return this.finish({ type: 'network', keyword, name: this.optionalWord('a network name'), range: this.whole() });
        case 'input':
          return this.parseInput(keyword);
        case 'loss':
          return this.finish({ type: 'loss', keyword, loss: this.value('a loss: `cross_entropy` or `mse`'), range: this.whole() });
        case 'sample':
          return this.finish({ type: 'sample', keyword, options: this.parseOptions(), range: this.whole() });
      }
    }
    return this.parseLayer(keyword);
  }

  private parseInput(keyword: Word): Statement {
    let name: Word | undefined;
    if (this.peek().token === Token.Word) name = this.word(this.next());
    const shape = this.value('the input shape, such as `3x32x32`');
    return this.finish({ type: 'input', keyword, name, shape, range: this.whole() });
  }

  private parseLayer(first: Word): LayerStatement {
    let name: Word | undefined;
    let kind = first;
    if (this.peek().token === Token.Colon) {
      this.next();
      name = first;
      if (this.peek().token === Token.Word) {
        kind = this.word(this.next());
      } else {
        const at = this.lastEnd();
        this.error(this.peek(), `expected a layer kind after '${name.text}:'`);
        kind = { text: '', range: range(at, at) };
      }
    }
    const args: Value[] = [];
    const options: OptionNode[] = [];
    let assertion: LayerStatement['assertion'];
    while (this.i < this.count) {
      const t = this.peek();
      if (t.token === Token.Word && this.peek(1).token === Token.Equals) {
        options.push(this.parseOption());
      } else if (t.token === Token.Arrow) {
        this.next();
        assertion = { arrow: range(t.start, t.end), shape: this.value('a shape after `->`, such as `64x13x13`') };
        break;
      } else if (t.token === Token.Number || t.token === Token.Shape || t.token === Token.Word || t.token === Token.String) {
        args.push(this.value(''));
      } else if (t.token === Token.Comma) {
        this.next();
      } else {
        this.error(t, `unexpected '${this.text.slice(t.start, t.end)}'`);
        this.next();
      }
    }
    return this.finish({
      type: 'layer',
      keyword: kind,
      name,
      kind,
      args,
      options,
      assertion,
      range: this.whole(),
    });
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
    const value = this.value(`a value for ${key.text}`);
    return { key, value, range: range(key.range.start, value.range.end) };
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

  private value(expected: string): Value {
    const t = this.peek();
    if (t.token === Token.Number || t.token === Token.Shape) {
      this.next();
      return numberValue(this.text, t);
    }
    if (t.token === Token.Word || t.token === Token.String) {
      this.next();
      const text = this.text.slice(t.start, t.end);
      return { kind: t.token === Token.Word ? 'word' : 'string', text, range: range(t.start, t.end), dims: NONE };
    }
    if (t.token !== Token.EOL) this.next();
    this.error(t, `expected ${expected}`);
    const at = t.token === Token.EOL ? this.lastEnd() : t.start;
    return { kind: 'missing', text: '', range: range(at, at), dims: NONE };
  }

  private optionalWord(expected: string): Word | undefined {
    if (this.peek().token === Token.Word) return this.word(this.next());
    this.error(this.peek(), `expected ${expected}`);
    if (this.i < this.count && this.peek().token !== Token.Colon) this.next();
    return undefined;
  }

  private word(t: Tok): Word {
    return { text: this.text.slice(t.start, t.end), range: range(t.start, t.end) };
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

function numberValue(text: string, t: Tok): Value {
  const raw = text.slice(t.start, t.end);
  const kind = t.token === Token.Shape ? 'shape' : 'number';
  const dims = kind === 'number' ? [Number(raw)] : raw.split(/[x×]/).map(Number);
  return { kind, text: raw, range: range(t.start, t.end), dims };
}
