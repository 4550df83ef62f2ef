/**
 * TensorFlow.js code read in place, against the real library: each model below is both read by readTfjsCode and
 * run with @tensorflow/tfjs-layers, and every layer's shape read from the code must equal the
 * `outputShape` tfjs itself computes for it (channels-last, batch first as null). Then the mistakes, each at
 * its config object's exact range, and the values that cannot be read, which must give unknown and no error.
 */
/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any -- tfjs-layers loaded as CommonJS, untyped here, as in export.test.ts */
import assert from 'node:assert/strict';
import ts from 'typescript';
import { readTfjsCode, type TfCodeAnalysis } from '../../tfjs/code/read';

const tf: any = require('@tensorflow/tfjs-layers');
require('@tensorflow/tfjs-backend-cpu');

/** Runs a model module with `@tensorflow/tfjs` resolved to tfjs-layers and returns what `build()` makes. */
function build(text: string): any {
  const js = ts.transpileModule(text, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const module = { exports: {} as Record<string, () => any> };
  const req = (id: string) => (/^@tensorflow\/tfjs/.test(id) ? tf : require(id));
  new Function('require', 'module', 'exports', js)(req, module, module.exports);
  return module.exports.build();
}

/** Every layer read must have tfjs's outputShape; every named layer of the model must have been read. */
function assertParity(text: string): TfCodeAnalysis {
  const read = readTfjsCode(text);
  const model = build(text);
  assert.deepEqual(read.diagnostics, []);
  const named = model.layers.filter((l: any) => l.getClassName() !== 'InputLayer');
  assert.equal(read.layers.length, named.length, 'one read layer per tfjs layer');
  for (const l of read.layers) {
    assert.ok(l.output, `${l.label}: unknown`);
    assert.deepEqual([null, ...l.output], model.getLayer(l.label).outputShape, l.label);
    assert.equal(l.params, model.getLayer(l.label).countParams(), `${l.label} params`);
  }
  model.dispose();
  return read;
}

const range = (text: string, marker: string) => {
  const start = text.indexOf(marker);
  assert.ok(start >= 0, marker);
  return { start, end: start + marker.length };
};

/** The text with one fix's edits applied (from the end, so earlier offsets hold). */
function applyFix(
  text: string,
  fix: { edits: readonly { range: { start: number; end: number }; newText: string }[] },
): string {
  return [...fix.edits]
    .sort((a, b) => b.range.start - a.range.start)
    .reduce((t, e) => t.slice(0, e.range.start) + e.newText + t.slice(e.range.end), text);
}

describe('TensorFlow.js code read in place (tfjs/code)', () => {
  it('sequential model.add: valid and same padding, strides, default pooling, 28×28×1 → 10', () => {
    const read = assertParity(`
import * as tf from '@tensorflow/tfjs';
export function build() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ name: 'c1', inputShape: [28, 28, 1], filters: 8, kernelSize: 5, activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ name: 'p1' }));
  model.add(tf.layers.conv2d({ name: 'c2', filters: 16, kernelSize: 3, strides: 2, padding: 'same' }));
  model.add(tf.layers.averagePooling2d({ name: 'p2', poolSize: 3, strides: 2, padding: 'same' }));
  model.add(tf.layers.flatten({ name: 'f' }));
  model.add(tf.layers.dense({ name: 'fc', units: 10, activation: 'softmax' }));
  return model;
}`);
    assert.deepEqual(
      read.layers.map((l) => l.output),
      [[24, 24, 8], [12, 12, 8], [6, 6, 16], [3, 3, 16], [144], [10]],
    );
  });

  it('tf.sequential({ layers }) with consts and arithmetic: odd sizes, [h, w] kernels and strides, dilation, batchInputShape', () => {
    assertParity(`
import * as tf from '@tensorflow/tfjs';
const K = 3;
const F = 6;
const SIZE = { h: 17, w: 15 };
export function build() {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ name: 'a', batchInputShape: [null, SIZE.h, SIZE.w, 3], filters: F * 2, kernelSize: [K, K + 2], strides: [2, 1], padding: 'same' }),
      tf.layers.conv2d({ name: 'b', filters: F, kernelSize: K, dilationRate: 2 }),
      tf.layers.maxPooling2d({ name: 'c', poolSize: [2, 3], strides: [1, 2], padding: 'valid' }),
      tf.layers.maxPooling2d({ name: 'd', poolSize: 2, strides: 2, padding: 'same' }),
      tf.layers.batchNormalization({ name: 'e' }),
      tf.layers.dropout({ name: 'g', rate: 0.25 }),
      tf.layers.activation({ name: 'h', activation: 'relu' }),
      tf.layers.globalMaxPooling2d({ name: 'i' }),
      tf.layers.dense({ name: 'j', units: F - 1, useBias: false }),
    ],
  });
}`);
  });

  it('functional graph: conv2dTranspose valid and same, upSampling2d, zeroPadding2d, cropping2d, concatenate, add, multiply', () => {
    const read = assertParity(`
import * as tf from '@tensorflow/tfjs';
export function build() {
  const input = tf.input({ shape: [9, 7, 3] });
  const a = tf.layers.conv2d({ name: 'a', filters: 4, kernelSize: 3, padding: 'same' }).apply(input) as tf.SymbolicTensor;
  const up = tf.layers.conv2dTranspose({ name: 'up', filters: 5, kernelSize: 3, strides: 2 }).apply(a) as tf.SymbolicTensor;
  const up2 = tf.layers.conv2dTranspose({ name: 'up2', filters: 5, kernelSize: [4, 3], strides: [2, 3], padding: 'same' }).apply(a) as tf.SymbolicTensor;
  const u = tf.layers.upSampling2d({ name: 'u', size: [2, 3] }).apply(a) as tf.SymbolicTensor;
  const padded = tf.layers.zeroPadding2d({ name: 'pad', padding: [[1, 2], [3, 4]] }).apply(up) as tf.SymbolicTensor;
  const cropped = tf.layers.cropping2D({ name: 'crop', cropping: [[2, 2], [0, 1]] }).apply(padded) as tf.SymbolicTensor;
  const cat = tf.layers.concatenate({ name: 'cat' }).apply([cropped, up2]) as tf.SymbolicTensor;
  const same = tf.layers.conv2d({ name: 'same', filters: 10, kernelSize: 1 }).apply(u) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'sum' }).apply([cat, same]) as tf.SymbolicTensor;
  const gate = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(sum) as tf.SymbolicTensor;
  const scaled = tf.layers.dense({ name: 'fc', units: 10 }).apply(gate) as tf.SymbolicTensor;
  const prod = tf.layers.multiply({ name: 'prod' }).apply([scaled, scaled]) as tf.SymbolicTensor;
  // A kernel smaller than the stride: tfjs's deconvLength leaves no overlap (9·3, not 9·3 − 1).
  const sparse = tf.layers.conv2dTranspose({ name: 'sparse', filters: 2, kernelSize: 2, strides: 3 }).apply(input) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: [prod, sparse] });
}`);
    assert.deepEqual(read.layers.find((l) => l.label === 'up')?.output, [19, 15, 5]);
    assert.deepEqual(read.layers.find((l) => l.label === 'cat')?.output, [18, 21, 10]);
    assert.deepEqual(read.layers.find((l) => l.label === 'sparse')?.output, [27, 21, 2]);
  });

  it('functional graph through a reassigned variable and a layer object applied later', () => {
    assertParity(`
import * as tf from '@tensorflow/tfjs';
export function build() {
  const inp = tf.input({ shape: [20, 20, 2] });
  let x = inp;
  x = tf.layers.conv2d({ name: 'c1', filters: 3, kernelSize: 3 }).apply(x) as tf.SymbolicTensor;
  const pool = tf.layers.maxPooling2d({ name: 'p', poolSize: 3 });
  x = pool.apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten({ name: 'f' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: inp, outputs: x });
}`);
  });

  it('tf.layers.add of 16 and 32 channels: channel-mismatch at the add config object', () => {
    const text = `
import * as tf from '@tensorflow/tfjs';
const input = tf.input({ shape: [8, 8, 3] });
const a = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same' }).apply(input) as tf.SymbolicTensor;
const b = tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same' }).apply(input) as tf.SymbolicTensor;
const sum = tf.layers.add({ name: 'sum' }).apply([a, b]) as tf.SymbolicTensor;
const out = tf.layers.flatten().apply(sum);
`;
    const read = readTfjsCode(text);
    assert.deepEqual(
      read.diagnostics.map((d) => [d.severity, d.code, d.range]),
      [['error', 'channel-mismatch', range(text, "{ name: 'sum' }")]],
    );
    assert.match(read.diagnostics[0].message, /^sum: its inputs have 16 and 32 channels \(8×8×16 and 8×8×32\)/);
    // Downstream of the error the shape is unknown, and nothing more is said.
    assert.equal(read.layers.at(-1)!.output, undefined);
    assert.throws(
      () => tf.layers.add({}).apply([tf.input({ shape: [8, 8, 16] }), tf.input({ shape: [8, 8, 32] })]),
      /Operands could not be broadcast/,
    );
  });

  it('a 5×5 kernel on a 3×3 input: empty-output at the conv2d config object; tfjs refuses it too', () => {
    const text = `
import * as tf from '@tensorflow/tfjs';
const model = tf.sequential();
model.add(tf.layers.conv2d({ inputShape: [3, 3, 1], filters: 2, kernelSize: 5 }));
model.add(tf.layers.flatten());
`;
    const read = readTfjsCode(text);
    assert.deepEqual(
      read.diagnostics.map((d) => [d.severity, d.code, d.range]),
      [['error', 'empty-output', range(text, '{ inputShape: [3, 3, 1], filters: 2, kernelSize: 5 }')]],
    );
    assert.equal(
      read.diagnostics[0].message,
      "conv2d: the 5×5 kernel is larger than its 3×3 input with 'valid' padding",
    );
    assert.deepEqual(
      read.layers.map((l) => l.output),
      [undefined, undefined],
    );
    const model = tf.sequential();
    assert.throws(() => model.add(tf.layers.conv2d({ inputShape: [3, 3, 1], filters: 2, kernelSize: 5 })));
  });

  it("quick fixes: filters of the layer that makes the odd add input; padding 'same' or a kernelSize that fits; each leaves a model tfjs builds", () => {
    const add = `
import * as tf from '@tensorflow/tfjs';
export function build() {
  const input = tf.input({ shape: [8, 8, 3] });
  const a = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same' }).apply(input) as tf.SymbolicTensor;
  const b = tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same' }).apply(input) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'sum' }).apply([a, b]) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: sum });
}`;
    const [mismatch] = readTfjsCode(add).diagnostics;
    assert.deepEqual(
      mismatch.fixes?.map((f) => [f.title, f.preferred, f.edits.map((e) => [e.range, e.newText])]),
      [['filters: 16 in the layer that makes input 2 (32 channels now)', true, [[range(add, '32'), '16']]]],
    );
    const fixed = applyFix(add, mismatch.fixes![0]);
    assert.deepEqual(readTfjsCode(fixed).diagnostics, []);
    assert.deepEqual(build(fixed).getLayer('sum').outputShape, [null, 8, 8, 16]);

    const kernel = `
import * as tf from '@tensorflow/tfjs';
export function build() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ name: 'c', inputShape: [3, 4, 1], filters: 2, kernelSize: 5 }));
  return model;
}`;
    const [empty] = readTfjsCode(kernel).diagnostics;
    const end = kernel.indexOf('kernelSize: 5') + 'kernelSize: 5'.length;
    assert.deepEqual(
      empty.fixes?.map((f) => [f.title, f.preferred === true, f.edits.map((e) => [e.range, e.newText])]),
      [
        ["padding: 'same' (output 3×4)", true, [[{ start: end, end }, ", padding: 'same'"]]],
        ['kernelSize: [3, 4] (the largest that fits 3×4)', false, [[{ start: end - 1, end }, '[3, 4]']]],
      ],
    );
    for (const [fix, shape] of [
      [empty.fixes![0], [null, 3, 4, 2]],
      [empty.fixes![1], [null, 1, 1, 2]],
    ] as const) {
      const text = applyFix(kernel, fix);
      assert.deepEqual(readTfjsCode(text).diagnostics, [], fix.title);
      assert.deepEqual(build(text).getLayer('c').outputShape, shape, fix.title);
    }
  });

  it('a pooling window larger than its input with valid padding is empty-output too', () => {
    const text = `import * as tf from '@tensorflow/tfjs';\nconst x = tf.input({ shape: [4, 9, 2] });\nconst y = tf.layers.maxPooling2d({ poolSize: [5, 2] }).apply(x);\n`;
    const read = readTfjsCode(text);
    assert.deepEqual(
      read.diagnostics.map((d) => [d.code, d.range]),
      [['empty-output', range(text, '{ poolSize: [5, 2] }')]],
    );
  });

  it("dense on a 6×6×8 map: a warning that tfjs applies it to the last axis, with tfjs's own shape 6×6×10", () => {
    const text = `
import * as tf from '@tensorflow/tfjs';
export function build() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ name: 'c', inputShape: [8, 8, 1], filters: 8, kernelSize: 3 }));
  model.add(tf.layers.dense({ name: 'fc', units: 10 }));
  return model;
}`;
    const read = readTfjsCode(text);
    assert.deepEqual(
      read.diagnostics.map((d) => [d.severity, d.code, d.range]),
      [['warning', 'dense-last-axis', range(text, "{ name: 'fc', units: 10 }")]],
    );
    assert.match(
      read.diagnostics[0].message,
      /^fc: its input is 6×6×8, not a vector: tfjs applies dense to the last axis only/,
    );
    const model = build(text);
    assert.deepEqual(model.getLayer('fc').outputShape, [null, 6, 6, 10]);
    assert.deepEqual(read.layers[1].output, [6, 6, 10]);
  });

  it('values it cannot read (a parameter, a call, a let, a spread) make shapes unknown and give no error', () => {
    const text = `
import * as tf from '@tensorflow/tfjs';
declare function pick(): number;
let size = 3;
const base = { kernelSize: 99 };
export function build(filters: number) {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [4, 4, 1], filters, kernelSize: 3 }));
  model.add(tf.layers.conv2d({ filters: 2, kernelSize: pick() }));
  model.add(tf.layers.conv2d({ filters: 2, kernelSize: size }));
  model.add(tf.layers.conv2d({ filters: 2, ...base }));
  return model;
}
const x = tf.input({ shape: [2, 2, 1] });
const y = tf.layers.conv2d({ filters: 2, kernelSize: 5, ...base }).apply(x);
const z = tf.layers.maxPooling2d({ poolSize: size }).apply(x);
`;
    const read = readTfjsCode(text);
    assert.deepEqual(read.diagnostics, []);
    assert.equal(read.layers.length, 6);
    assert.ok(read.layers.every((l) => l.output === undefined));
  });

  it('layers added in a loop, a callback or under a condition: no claim about what follows, no false error', () => {
    const text = `
import * as tf from '@tensorflow/tfjs';
export function build(deep: boolean) {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 8, kernelSize: 3 }));
  for (let i = 0; i < 3; i++) model.add(tf.layers.conv2d({ filters: 8, kernelSize: 5 }));
  model.add(tf.layers.conv2d({ filters: 8, kernelSize: 5 }));
  const other = tf.sequential();
  other.add(tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 8, kernelSize: 3 }));
  [1, 2].forEach(() => other.add(tf.layers.maxPooling2d({ poolSize: 2 })));
  other.add(tf.layers.conv2d({ filters: 8, kernelSize: 3 }));
  const input = tf.input({ shape: [8, 8, 4] });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3 }).apply(input) as tf.SymbolicTensor;
  if (deep) x = tf.layers.conv2d({ filters: 8, kernelSize: 3 }).apply(x) as tf.SymbolicTensor;
  const sum = tf.layers.add({}).apply([x, tf.layers.conv2d({ filters: 4, kernelSize: 3 }).apply(input) as tf.SymbolicTensor]);
  return [model, other, sum];
}`;
    const read = readTfjsCode(text);
    assert.deepEqual(read.diagnostics, []);
    assert.deepEqual(
      read.layers.map((l) => l.output),
      [[14, 14, 8], undefined, undefined, [6, 6, 8], undefined, undefined, [6, 6, 4], [4, 4, 8], [6, 6, 4], undefined],
    );
  });

  it('a const that shadows or is redeclared is not trusted: no error from a value that may differ', () => {
    const text = `
import * as tf from '@tensorflow/tfjs';
const K = 9;
function other() { const K = 1; return K; }
const x = tf.input({ shape: [4, 4, 1] });
const y = tf.layers.conv2d({ filters: 2, kernelSize: K }).apply(x);
`;
    const read = readTfjsCode(text);
    assert.deepEqual(read.diagnostics, []);
    assert.equal(read.layers[0].output, undefined);
  });

  it('files that do not import tfjs, and named imports and require, are told apart', () => {
    assert.equal(
      readTfjsCode('const layers = { conv2d: (x: unknown) => x };\nlayers.conv2d({});\n').importsTfjs,
      false,
    );
    assert.equal(
      readTfjsCode("import * as other from 'other';\n// @tensorflow/tfjs in a comment\n").importsTfjs,
      false,
    );
    const named = readTfjsCode(
      "import { layers, input } from '@tensorflow/tfjs-node';\nconst x = input({ shape: [5, 5, 2] });\nconst y = layers.conv2d({ filters: 3, kernelSize: 2 }).apply(x);\n",
    );
    assert.deepEqual(
      named.layers.map((l) => l.output),
      [[4, 4, 3]],
    );
    const required = readTfjsCode(
      "const tf = require('@tensorflow/tfjs');\nconst m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [7], units: 3 })] });\n",
      'model.js',
    );
    assert.deepEqual(
      required.layers.map((l) => l.output),
      [[3]],
    );
  });
});
