/**
 * Text positions and the diagnostic records the whole engine reports. Offsets are UTF-16 code units into the
 * document, as in VS Code and JavaScript strings; ranges are half-open. Nothing here knows about VS Code: the
 * extension converts these records at its edge, the CLI prints them.
 */

export interface TextRange {
  readonly start: number;
  readonly end: number;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface TextEdit {
  readonly range: TextRange;
  readonly newText: string;
}

/** A fix offered for a diagnostic: the edits that apply it. `preferred` marks the one that is clearly right. */
export interface Fix {
  readonly title: string;
  readonly edits: readonly TextEdit[];
  readonly preferred?: boolean;
}

/** A second place that explains the first, such as where the channels that arrive come from. */
export interface RelatedInfo {
  readonly range: TextRange;
  readonly message: string;
}

export interface Diagnostic {
  readonly severity: Severity;
  readonly code: DiagnosticCode;
  readonly message: string;
  readonly range: TextRange;
  readonly related?: readonly RelatedInfo[];
  readonly fixes?: readonly Fix[];
  /** `unnecessary` renders faded in editors (an unused layer). */
  readonly tags?: readonly 'unnecessary'[];
}

export type DiagnosticCode =
  | 'syntax'
  | 'unknown-layer'
  | 'unknown-option'
  | 'bad-value'
  | 'missing-input'
  | 'duplicate-input'
  | 'duplicate-name'
  | 'undefined-layer'
  | 'channel-mismatch'
  | 'spatial-mismatch'
  | 'rank-mismatch'
  | 'shape-assertion'
  | 'empty-output'
  | 'pool-remainder'
  | 'conv-remainder'
  | 'softmax-not-last'
  | 'too-large'
  | 'unused-layer'
  | 'backward-type'
  | 'backward-shape'
  | 'backward-unknown'
  | 'recursive-block';

/**
 * Finds the line breaks of a text (\n, \r\n or a lone \r) for lines read in order, with indexOf, which V8 runs far
 * faster than a loop over each character: documents can be megabytes. It remembers the next \n and the next \r it
 * found, so the text is searched once for each, however many lines there are.
 */
export class LineBreaks {
  private nextLf = -1;
  private nextCr = -1;

  constructor(private readonly text: string) {}

  /** The offset of the line break that ends the line containing `from` (at or after it), or the text's length. */
  lineEnd(from: number): number {
    if (this.nextLf < from) this.nextLf = this.find('\n', from);
    if (this.nextCr < from) this.nextCr = this.find('\r', from);
    return Math.min(this.nextLf, this.nextCr);
  }

  /** The start of the line after the break at `end`. */
  nextLine(end: number): number {
    return end + (this.text.charCodeAt(end) === 13 && this.text.charCodeAt(end + 1) === 10 ? 2 : 1);
  }

  private find(c: string, from: number): number {
    const at = this.text.indexOf(c, from);
    return at === -1 ? this.text.length : at;
  }
}

export function range(start: number, end: number): TextRange {
  return { start, end };
}

/** 1-based line and column, `column` counted in UTF-16 code units as editors do. */
export interface LineColumn {
  readonly line: number;
  readonly column: number;
}

/** Maps offsets to lines and columns; built once per document. Line breaks are \n, \r\n or a lone \r. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    const breaks = new LineBreaks(text);
    for (let end = breaks.lineEnd(0); end < text.length; end = breaks.lineEnd(this.starts[this.starts.length - 1])) {
      this.starts.push(breaks.nextLine(end));
    }
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** Offset of the first character of 0-based line `line`. */
  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line, this.starts.length - 1))];
  }

  /** The 1-based line of `offset`, walking forward from line `from` (at or before it): for offsets met in order. */
  lineFrom(offset: number, from: number): number {
    let i = Math.max(0, from - 1);
    while (i + 1 < this.starts.length && this.starts[i + 1] <= offset) i++;
    return i + 1;
  }

  position(offset: number): LineColumn {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo] + 1 };
  }
}
