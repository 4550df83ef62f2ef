/**
 * `cnn-lens import MODEL.ts|MODEL.js [-o OUT.cnn] [--model NAME]`: the `.cnn` network a TensorFlow.js model builds.
 * Exit codes as `export`'s: 0 written, 1 the model cannot be written exactly (the message names the layer), 2 usage.
 */
import { UsageError } from './args';
import { writeOut } from './exportCommand';
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
  return writeOut(file, cnn, flags.out as string | undefined);
}
