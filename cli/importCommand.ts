/**
 * `cnn-lens import MODEL.ts|MODEL.js [-o OUT.cnn] [--model NAME]`: the `.cnn` network a TensorFlow.js model builds.
 * Exit codes as `export`'s: 0 written, 1 the model cannot be written exactly (the message names the layer), 2 usage.
 */
import { writeFileSync } from 'node:fs';
import { UsageError } from './args';
import { isTfjsCodeFile } from './tfjsCheck';

type Flags = Record<string, string | number | boolean>;

export function importCommand(file: string, text: string, flags: Flags): number {
  if (!isTfjsCodeFile(file)) throw new UsageError(`import reads TensorFlow.js model code (.ts or .js), not ${file}`);
  // ts-morph loads only here: the build makes this require the separate bundle dist/tfjs.js.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, so other commands never load ts-morph
  const { importTfjs, isImportError } = require('../tfjs/index') as typeof import('../tfjs/index.js');
  let cnn: string;
  try {
    cnn = importTfjs(text, { fileName: file, model: flags.model as string | undefined });
  } catch (e) {
    if (!isImportError(e)) throw e;
    process.stderr.write(`${file}: cannot import: ${e.message}\n`);
    return 1;
  }
  const out = flags.out as string | undefined;
  if (!out) {
    process.stdout.write(cnn);
    return 0;
  }
  try {
    writeFileSync(out, cnn);
  } catch (e) {
    throw new UsageError(`cannot write ${out}: ${(e as Error).message}`, false);
  }
  process.stdout.write(`${file}: wrote ${out}\n`);
  return 0;
}
