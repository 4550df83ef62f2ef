/**
 * The `.cnn` scanner: one line at a time, since a statement never spans lines. Identifiers are scanned as
 * words and looked up by the parser; numbers and shapes (`5x5`, `3×17×17`) are one token each, so `5x5` never
 * reads as a number followed by a name.
 */

export const enum Token {
  EOL,
  Word,
  Number,
  Shape,
  String,
  Colon,
  Equals,
  Arrow,
  Comma,
  /** `+ - * / ( )`: integer arithmetic on a block's parameters; anywhere else the parser reports it. */
  Operator,
  /** Any other character; the parser reports it. */
  Unknown,
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isWordStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isWordPart = (c: number) => isWordStart(c) || isDigit(c);
const isTimes = (c: number) => c === 120 /* x */ || c === 0xd7; /* × */
const isBlank = (c: number) => c === 32 || c === 9 || c === 0xfeff || c === 12 || c === 11 || c === 0xa0;

/** Scans `text` from `start` up to `end` (the end of the line, without its line break). */
export class Scanner {
  private pos: number;
  private tokenStart = 0;
  private token: Token = Token.EOL;

  constructor(
    private readonly text: string,
    start: number,
    private end: number,
  ) {
    this.pos = start;
  }

  /** Starts on another line of the same text, so a parser needs one scanner rather than one per line. */
  reset(start: number, end: number): this {
    this.pos = start;
    this.end = end;
    this.tokenStart = start;
    this.token = Token.EOL;
    return this;
  }

  getToken(): Token {
    return this.token;
  }
  getTokenOffset(): number {
    return this.tokenStart;
  }
  getTokenEnd(): number {
    return this.pos;
  }
  getTokenText(): string {
    return this.text.slice(this.tokenStart, this.pos);
  }
  /** Offset after the last character of the line that is not a blank or a comment. */
  getPosition(): number {
    return this.pos;
  }

  /** Advances to the next token; a comment (`#` or `//`) ends the line. */
  scan(): Token {
    const { text, end } = this;
    while (this.pos < end && isBlank(text.charCodeAt(this.pos))) this.pos++;
    this.tokenStart = this.pos;
    if (this.pos >= end) return (this.token = Token.EOL);
    const c = text.charCodeAt(this.pos);
    if (c === 35 /* # */ || (c === 47 /* / */ && text.charCodeAt(this.pos + 1) === 47)) {
      this.pos = end;
      this.tokenStart = end;
      return (this.token = Token.EOL);
    }
    if (isWordStart(c)) {
      // A full name inside a block's use (`layer2.1.bn2`) is one word: dots joining name parts.
      for (;;) {
        while (this.pos < end && isWordPart(text.charCodeAt(this.pos))) this.pos++;
        if (this.pos + 1 < end && text.charCodeAt(this.pos) === 46 && isWordPart(text.charCodeAt(this.pos + 1)))
          this.pos++;
        else break;
      }
      return (this.token = Token.Word);
    }
    if (isDigit(c) || ((c === 45 /* - */ || c === 46) /* . */ && this.numberFollows(this.pos + 1))) {
      return (this.token = this.scanNumber());
    }
    this.pos++;
    switch (c) {
      case 58:
        return (this.token = Token.Colon);
      case 61:
        return (this.token = Token.Equals);
      case 44:
        return (this.token = Token.Comma);
      case 42: // *
      case 43: // +
      case 47: // / (a comment is `//`, handled above)
      case 40: // (
      case 41: // )
        return (this.token = Token.Operator);
      case 0x2192: // →
        return (this.token = Token.Arrow);
      case 45: // -
        if (text.charCodeAt(this.pos) === 62 /* > */) {
          this.pos++;
          return (this.token = Token.Arrow);
        }
        return (this.token = Token.Operator);
      case 39: // '
      case 34: {
        // "
        while (this.pos < end && text.charCodeAt(this.pos) !== c) this.pos++;
        if (this.pos < end) this.pos++;
        return (this.token = Token.String);
      }
    }
    // A lone surrogate pair counts as one character, so a squiggle never splits it.
    if (c >= 0xd800 && c <= 0xdbff && this.pos < end) {
      const d = text.charCodeAt(this.pos);
      if (d >= 0xdc00 && d <= 0xdfff) this.pos++;
    }
    return (this.token = Token.Unknown);
  }

  private skipDigits(): void {
    while (this.pos < this.end && isDigit(this.text.charCodeAt(this.pos))) this.pos++;
  }

  private numberFollows(at: number): boolean {
    const c = this.text.charCodeAt(at);
    return at < this.end && (isDigit(c) || (c === 46 && isDigit(this.text.charCodeAt(at + 1))));
  }

  /** `-?digits[.digits][e±digits]`, then `x`/`×` digits… for a shape; letters glued on make it Unknown. */
  private scanNumber(): Token {
    const { text, end } = this;
    if (text.charCodeAt(this.pos) === 45) this.pos++;
    this.skipDigits();
    let token = Token.Number;
    if (text.charCodeAt(this.pos) === 46 && isDigit(text.charCodeAt(this.pos + 1))) {
      this.pos++;
      this.skipDigits();
    }
    const e = text.charCodeAt(this.pos);
    if ((e === 101 || e === 69) && this.pos + 1 < end) {
      const sign = text.charCodeAt(this.pos + 1);
      const at = sign === 43 || sign === 45 ? this.pos + 2 : this.pos + 1;
      if (isDigit(text.charCodeAt(at)) && at < end) {
        this.pos = at;
        this.skipDigits();
      }
    }
    while (
      this.pos < end &&
      isTimes(text.charCodeAt(this.pos)) &&
      isDigit(text.charCodeAt(this.pos + 1)) &&
      this.pos + 1 < end
    ) {
      this.pos++;
      this.skipDigits();
      token = Token.Shape;
    }
    // `5a`, `3x`, `1.2.3`: one bad token rather than a number followed by surprises.
    if (this.pos < end && (isWordPart(text.charCodeAt(this.pos)) || text.charCodeAt(this.pos) === 46)) {
      while (
        this.pos < end &&
        (isWordPart(text.charCodeAt(this.pos)) ||
          text.charCodeAt(this.pos) === 46 ||
          isTimes(text.charCodeAt(this.pos)))
      )
        this.pos++;
      return Token.Unknown;
    }
    return token;
  }
}
