/**
 * A float64 sample run of one network, written as raw tensors for scripts/torch/zoo_parity.py:
 *
 *     node --import tsx scripts/torch/zoo-dump.ts FILE.cnn OUTDIR [--memory-limit BYTES] [--batch N]
 *
 * The same run as `cnn-lens run --dump` (engine/run/dump.ts's sampleRun: seeded input, labels or targets and
 * parameters, every layer's output and δ, every parameter's gradient), but each tensor goes to its own file of
 * little-endian float64 (labels too) and OUTDIR/index.json lists them: `{ seed, batch, loss, input_name,
 * input, labels | targets, params: { LAYER: { W: T } }, grads: …, outputs: { LAYER: T }, deltas: … }` with
 * T = { shape, file }. The zoo's networks are too large for one JSON text (ResNet-50's parameters and
 * gradients alone are 51 million numbers, past the longest string V8 makes).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '../../engine';
import { sampleRun } from '../../engine/run';

const [file, outDir, ...rest] = process.argv.slice(2);
if (!file || !outDir) {
  console.error(
    'usage: node --import tsx scripts/torch/zoo-dump.ts FILE.cnn OUTDIR [--memory-limit BYTES] [--batch N]',
  );
  process.exit(2);
}
const limitAt = rest.indexOf('--memory-limit');
const memoryLimit = limitAt >= 0 ? Number(rest[limitAt + 1]) : undefined;
const batchAt = rest.indexOf('--batch');
const batch = batchAt >= 0 ? Number(rest[batchAt + 1]) : undefined;
const options = { ...(memoryLimit !== undefined && { memoryLimit }), ...(batch !== undefined && { batch }) };

const analysis = check(readFileSync(file, 'utf8'), options);
const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
if (errors.length > 0) {
  const { line, column } = analysis.lines.position(errors[0].range.start);
  console.error(`${file}:${line}:${column}: ${errors[0].code}: ${errors[0].message}`);
  process.exit(1);
}

mkdirSync(outDir, { recursive: true });
let written = 0;
function tensor(shape: readonly number[], data: ArrayLike<number>) {
  const name = `t${written++}.f64`;
  const values = data instanceof Float64Array ? data : Float64Array.from(data);
  writeFileSync(join(outDir, name), new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  return { shape: [...shape], file: name };
}

const dump = sampleRun(analysis, options, tensor);
const index = { ...dump, input_name: analysis.input!.name };
writeFileSync(join(outDir, 'index.json'), JSON.stringify(index));
console.log(`${file}: batch ${dump.batch}, seed ${dump.seed}, loss ${dump.loss}; ${written} tensors in ${outDir}`);
