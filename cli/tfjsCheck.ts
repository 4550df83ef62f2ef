/**
 * `cnn-lens check MODEL.ts|MODEL.js [--json]`: TensorFlow.js model code checked in place (tfjs/code), printed
 * like a network's check: each layer's shape (channels-last, per sample) and every diagnostic as FILE:LINE:COL.
 */
import { formatShape } from '../engine';
import { LineIndex } from '../engine/text';
import type { TfCodeAnalysis, TfLayer } from '../tfjs/index';
import { jsonDiagnostic, problemsText, tableText } from './checkReport';

/** The files `check` reads as TensorFlow.js code rather than as a .cnn network. */
export const isTfjsCodeFile = (file: string): boolean => /\.(m?[jt]s|cjs|cts|[jt]sx)$/.test(file);

function read(text: string, file: string): TfCodeAnalysis {
  // ts-morph loads only here: the build makes this require the separate bundle dist/tfjs.js.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, so other commands never load ts-morph
  const { readTfjsCode } = require('../tfjs/index') as typeof import('../tfjs/index.js');
  return readTfjsCode(text, file);
}

const shape = (s: readonly number[] | undefined) => (s ? formatShape(s) : '?');

export function tfjsCheck(file: string, text: string, json: boolean): { output: string; errors: number } {
  const a = read(text, file);
  const lines = new LineIndex(text);
  const at = (offset: number) => lines.position(offset);
  const errors = a.diagnostics.filter((d) => d.severity === 'error').length;
  if (json) {
    const layer = (l: TfLayer) => ({
      name: l.label,
      kind: l.fn,
      inputs: l.inputs.map((s) => s ?? null),
      output: l.output ?? null,
      params: l.params ?? null,
      line: at(l.range.start).line,
    });
    const diagnostics = a.diagnostics.map((d) => jsonDiagnostic(lines, d));
    return {
      output: JSON.stringify({
        file,
        tfjs: a.importsTfjs,
        layout: 'channels-last',
        layers: a.layers.map(layer),
        diagnostics,
      }),
      errors,
    };
  }
  const out: string[] = [];
  if (!a.importsTfjs)
    out.push(`${file}: does not import TensorFlow.js (@tensorflow/tfjs, -node or -layers): nothing to check`);
  else if (!a.layers.length) out.push(`${file}: no tfjs layers found`);
  else {
    out.push(
      `${file}: ${a.layers.length} tfjs layer${a.layers.length === 1 ? '' : 's'}, shapes channels-last (H×W×C) per sample`,
      '',
    );
    const rows = [['Line', 'Layer', 'Kind', 'Input', 'Output', 'Params']];
    for (const l of a.layers)
      rows.push([
        `${at(l.range.start).line}`,
        l.label,
        l.fn,
        l.inputs.map(shape).join(', '),
        shape(l.output),
        l.params === undefined ? '?' : l.params.toLocaleString('en-US'),
      ]);
    out.push(...tableText(rows, (c) => c === 0 || c === 5));
  }
  out.push(...problemsText(file, lines, a.diagnostics));
  return { output: out.join('\n'), errors };
}
