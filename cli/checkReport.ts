/** `cnn-lens check` output: docs/language.md's JSON object, or a Keras-style summary followed by the diagnostics. */
import { type Analysis, type Diagnostic, formatShape, type LayerInfo, type Shape } from '../engine';

export interface JsonDiagnostic {
  severity: string;
  code: string;
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export function jsonDiagnostic(a: Analysis, d: Diagnostic): JsonDiagnostic {
  const start = a.lines.position(d.range.start);
  const end = a.lines.position(d.range.end);
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
    diagnostics: a.diagnostics.map((d) => jsonDiagnostic(a, d)),
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
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    const line = (r: string[]) =>
      r
        .map((cell, c) => (c >= 5 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
        .join('  ')
        .trimEnd();
    const rule = '─'.repeat(widths.reduce((a, b) => a + b + 2, -2));
    out.push(line(rows[0]), rule, ...rows.slice(1).map(line), rule);
    const params = a.layers.reduce((n, l) => n + l.paramCount, 0);
    const macs = a.layers.reduce((n, l) => n + l.macs, 0);
    const unknown = a.layers.filter((l) => !l.output).length;
    out.push(
      `Total params: ${count(params)}   Mult-adds per sample: ${count(macs)}${unknown ? `   (${unknown} layer${unknown > 1 ? 's' : ''} of unknown shape not counted)` : ''}`,
    );
  } else {
    out.push('no layers');
  }
  if (a.diagnostics.length) {
    out.push('');
    for (const d of a.diagnostics) {
      const { line, column } = a.lines.position(d.range.start);
      out.push(`${file}:${line}:${column}: ${d.severity} ${d.code}: ${d.message}`);
    }
  }
  const errors = a.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = a.diagnostics.filter((d) => d.severity === 'warning').length;
  out.push(
    '',
    errors || warnings
      ? `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`
      : 'no problems',
  );
  return out.join('\n');
}
