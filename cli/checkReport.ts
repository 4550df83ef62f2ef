/** `cnn-lens check` output: docs/language.md's JSON object, or a Keras-style summary followed by the diagnostics. */
import { type Analysis, type Diagnostic, formatShape, type LayerInfo, type Shape } from '../engine';
import type { LineIndex } from '../engine/text';

/** A diagnostic as the CLI prints it: the .cnn checker's, or one of the TensorFlow.js reader's own codes. */
type Reported = Pick<Diagnostic, 'severity' | 'message' | 'range'> & { readonly code: string };

export interface JsonDiagnostic {
  severity: string;
  code: string;
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export function jsonDiagnostic(lines: LineIndex, d: Reported): JsonDiagnostic {
  const start = lines.position(d.range.start);
  const end = lines.position(d.range.end);
  return {
    severity: d.severity,
    code: d.code,
    message: d.message,
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
  };
}

export function checkJson(a: Analysis) {
  return {
    network: a.network ?? null,
    input: a.input?.shape ?? null,
    loss: a.loss,
    layers: a.layers.map((l) => ({
      name: l.name,
      kind: l.kind,
      inputs: l.inputs,
      output: l.output,
      params: l.paramCount,
      macs: l.macs,
      line: l.line,
    })),
    diagnostics: a.diagnostics.map((d) => jsonDiagnostic(a.lines, d)),
  };
}

const shape = (s: Shape | null) => (s ? formatShape(s) : '?');
const count = (n: number) => n.toLocaleString('en-US');

function deltaIn(l: LayerInfo): string {
  return l.inputShapes.length ? l.inputShapes.map(shape).join(', ') : '—';
}

export function checkText(a: Analysis, file: string): string {
  const out: string[] = [];
  const inputShape = a.input ? shape(a.input.shape) : 'none';
  out.push(`network ${a.network ?? '(unnamed)'}: input ${inputShape}, loss ${a.loss}`, '');
  if (a.layers.length) {
    const rows = [['Layer', 'Kind', 'Inputs', 'Output (= δ at output)', 'δ at input', 'Params', 'Mult-adds']];
    for (const l of a.layers) {
      rows.push([
        l.name,
        l.kind,
        l.inputs.join(', ') || '—',
        shape(l.output),
        deltaIn(l),
        count(l.paramCount),
        count(l.macs),
      ]);
    }
    const table = tableText(rows, (c) => c >= 5);
    out.push(...table, table[1]);
    const params = a.layers.reduce((n, l) => n + l.paramCount, 0);
    const macs = a.layers.reduce((n, l) => n + l.macs, 0);
    const unknown = a.layers.filter((l) => !l.output).length;
    out.push(
      `Total params: ${count(params)}   Mult-adds per sample: ${count(macs)}${unknown ? `   (${unknown} layer${unknown > 1 ? 's' : ''} of unknown shape not counted)` : ''}`,
    );
  } else {
    out.push('no layers');
  }
  out.push(...problemsText(file, a.lines, a.diagnostics));
  return out.join('\n');
}

/** Rows as aligned text: the header, a rule under it, the rows; `right(c)` says which columns align right. */
export function tableText(rows: readonly string[][], right: (column: number) => boolean): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: readonly string[]) =>
    r
      .map((cell, c) => (right(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(rows[0]), '─'.repeat(widths.reduce((a, b) => a + b + 2, -2)), ...rows.slice(1).map(line)];
}

/** Every diagnostic as FILE:LINE:COL, then how many errors and warnings (or `no problems`). */
export function problemsText(file: string, lines: LineIndex, diagnostics: readonly Reported[]): string[] {
  const out: string[] = [];
  if (diagnostics.length) {
    out.push('');
    for (const d of diagnostics) {
      const { line, column } = lines.position(d.range.start);
      out.push(`${file}:${line}:${column}: ${d.severity} ${d.code}: ${d.message}`);
    }
  }
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  out.push(
    '',
    errors || warnings
      ? `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`
      : 'no problems',
  );
  return out;
}
