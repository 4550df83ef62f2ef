/**
 * npm run bench:tfjs: TensorFlow.js code checked in place on a 2,000-line file (tfjs/code, ts-morph), the time
 * the editor's worker takes per edit, against TypeScript's bare parse of the same text (the floor any ts-morph
 * reading pays) in the same interleaved rounds, and what each keystroke costs the extension host itself (the
 * `includes` test and copying the text to the worker, structuredClone as postMessage does).
 *
 *   npm run bench:tfjs [-- --rounds N]
 */
import ts from 'typescript';
import { readTfjsCode } from '../tfjs/code/read';
import { Samples } from './timing';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 15;

/** A realistic file: consts, sequential and functional models, helpers, comments; `lines` lines long. */
function modelFile(lines: number): string {
  const out = ["import * as tf from '@tensorflow/tfjs';", '', 'const CHANNELS = 3;', 'const SIZE = 64;', ''];
  for (let i = 0; out.length < lines - 20; i++) {
    const f = 8 * (1 + (i % 4));
    out.push(
      `/** Model ${i}: a small classifier. */`,
      `export function classifier${i}(units: number): tf.Sequential {`,
      '  const model = tf.sequential();',
      `  model.add(tf.layers.conv2d({ inputShape: [SIZE, SIZE, CHANNELS], filters: ${f}, kernelSize: 3, padding: 'same', activation: 'relu' }));`,
      '  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));',
      `  model.add(tf.layers.conv2d({ filters: ${2 * f}, kernelSize: 3, strides: 2, activation: 'relu' }));`,
      '  model.add(tf.layers.batchNormalization({}));',
      '  model.add(tf.layers.flatten());',
      "  model.add(tf.layers.dense({ units, activation: 'softmax' }));",
      '  return model;',
      '}',
      '',
      `export function residual${i}(): tf.LayersModel {`,
      '  const input = tf.input({ shape: [SIZE, SIZE, CHANNELS] });',
      `  const a = tf.layers.conv2d({ filters: ${f}, kernelSize: 3, padding: 'same' }).apply(input) as tf.SymbolicTensor;`,
      `  const b = tf.layers.conv2d({ filters: ${f}, kernelSize: 3, padding: 'same' }).apply(a) as tf.SymbolicTensor;`,
      '  const sum = tf.layers.add({}).apply([a, b]) as tf.SymbolicTensor;',
      '  const up = tf.layers.conv2dTranspose({ filters: 4, kernelSize: 2, strides: 2 }).apply(sum) as tf.SymbolicTensor;',
      '  const out = tf.layers.globalAveragePooling2d({}).apply(up) as tf.SymbolicTensor;',
      '  return tf.model({ inputs: input, outputs: out });',
      '}',
      '',
    );
  }
  while (out.length < lines) out.push(`// padding line ${out.length}`);
  return out.join('\n');
}

const text = modelFile(2000);
const lineCount = text.split('\n').length;
const cold = performance.now();
const first = readTfjsCode(text);
const coldMs = performance.now() - cold;
const s = new Samples();
for (let r = 0; r < rounds; r++) {
  // An edit changes the text each round, as typing does (a cache keyed on the text would not help).
  const edited = `${text}\n// edit ${r}`;
  let t = performance.now();
  readTfjsCode(edited);
  s.add('read', performance.now() - t);
  t = performance.now();
  ts.createSourceFile('model.ts', edited, ts.ScriptTarget.Latest, true);
  s.add('parse', performance.now() - t);
  t = performance.now();
  for (let k = 0; k < 100; k++)
    if (edited.includes('@tensorflow/tfjs')) structuredClone({ id: k, text: edited, fileName: '/model.ts' });
  s.add('host', (performance.now() - t) / 100);
}
const read = s.median('read');
const parse = s.median('parse');
console.log(
  `bench:tfjs: ${lineCount} lines, ${(text.length / 1024).toFixed(0)} KiB, ${first.layers.length} layers, ${first.diagnostics.length} diagnostics; ${rounds} interleaved rounds (medians)`,
);
console.log(`  first read (ts-morph project created, code warmed)   ${coldMs.toFixed(1)} ms`);
console.log(`  read per edit, in the worker                          ${read.toFixed(1)} ms`);
console.log(
  `  TypeScript's bare parse of the same text              ${parse.toFixed(1)} ms   (read / parse = ${(read / parse).toFixed(2)})`,
);
console.log(`  extension host per keystroke (test + copy to worker)  ${s.median('host').toFixed(3)} ms`);
