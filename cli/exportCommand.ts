/** `cnn-lens export FILE --to pytorch|tfjs [-o OUT]`: the network as a PyTorch or TensorFlow.js module. */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Analysis } from '../engine';
import { isExportError } from '../engine/export/common';
import { exportPytorch } from '../engine/export/pytorch';
import { UsageError } from './args';

type Flags = Record<string, string | number | boolean>;

export const EXPORT_TARGETS = ['pytorch', 'tfjs'] as const;

/** The exported text; throws ExportError when the network or one of its layers cannot be written exactly. */
export async function exportText(a: Analysis, file: string, to: string): Promise<string> {
  if (to === 'pytorch') return exportPytorch(a, basename(file));
  // ts-morph and the TypeScript compiler it carries load only when a tfjs export asks for them: the build
  // makes this require a separate bundle, dist/tfjs.js.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, so the CLI loads ts-morph only for tfjs
  const { exportTfjs } = require('../tfjs/export') as typeof import('../tfjs/export.js');
  return exportTfjs(a, basename(file));
}

export async function exportCommand(a: Analysis, file: string, flags: Flags): Promise<number> {
  const to = flags.to as string | undefined;
  if (!to) throw new UsageError('export needs --to pytorch or --to tfjs');
  if (!(EXPORT_TARGETS as readonly string[]).includes(to)) throw new UsageError(`--to is pytorch or tfjs, not '${to}'`);
  let text: string;
  try {
    text = await exportText(a, file, to);
  } catch (e) {
    if (!isExportError(e)) throw e;
    process.stderr.write(`${file}: cannot export to ${to}: ${e.message}\n`);
    return 1;
  }
  return writeOut(file, text, flags.out as string | undefined);
}

/** What `export` and `import` wrote: to `out` (saying so), else to stdout. Exit 0; a file it cannot write is bad usage. */
export function writeOut(file: string, text: string, out: string | undefined): number {
  if (!out) {
    process.stdout.write(text);
    return 0;
  }
  try {
    writeFileSync(out, text);
  } catch (e) {
    throw new UsageError(`cannot write ${out}: ${(e as Error).message}`, false);
  }
  process.stdout.write(`${file}: wrote ${out}\n`);
  return 0;
}
