/**
 * Import from TensorFlow.js (tfjs/import.ts): hand-written tfjs models become the exact .cnn text worked out by
 * hand below (TensorFlow's 'same' as the pad it means, activations as their own lines, what is dropped as
 * comments), and that network checks clean with every layer's shape equal, channels-first, to the outputShape
 * @tensorflow/tfjs-layers itself computes for the model. What .cnn cannot express is refused naming the layer.
 * The round trip: every example and fixture network the tfjs export writes comes back with every layer's shape
 * and the parameter count, but those with blocks (written as functions, which import does not follow).
 */
/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any -- tfjs-layers loaded as CommonJS, untyped here, as in export.test.ts */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { check } from '../../engine';
import { isExportError } from '../../engine/export/common';
import { exportTfjs } from '../../tfjs/export';
import { readTfjsCode } from '../../tfjs/code/read';
import { importTfjs, isImportError } from '../../tfjs/import';

const ROOT = join(__dirname, '..', '..');
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

const channelsFirst = (s: readonly (number | null)[]) => {
  const d = s.slice(1) as number[];
  return d.length === 3 ? [d[2], d[0], d[1]] : d;
};

/**
 * The .cnn checks clean, and each tfjs layer that the code names has, under its .cnn name, tfjs's own output
 * shape (channels-first); the network's last layer has the model's output shape.
 */
function assertShapes(code: string, cnn: string, names: Record<string, string> = {}, folded: string[] = []) {
  const a = check(cnn);
  assert.deepEqual(
    a.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const model = build(code);
  let compared = 0;
  for (const l of model.layers) {
    if (l.getClassName() === 'InputLayer' || folded.includes(l.name) || /_[A-Z]\w*\d+$/.test(l.name)) continue;
    const mine = a.layers.find((x) => x.name === (names[l.name] ?? l.name));
    assert.ok(mine, `${l.name} is in the .cnn network`);
    assert.deepEqual(mine.output, channelsFirst(l.outputShape), l.name);
    compared++;
  }
  assert.ok(compared >= 5);
  assert.deepEqual(a.layers[a.layers.length - 1].output, channelsFirst(model.outputs[0].shape));
  assert.deepEqual(a.input!.shape, channelsFirst(model.inputs[0].shape));
  model.dispose();
}

const SEQUENTIAL = `import * as tf from '@tensorflow/tfjs';

const SIZE = 28;

export function build(): tf.Sequential {
  const model = tf.sequential({ name: 'digits' });
  model.add(tf.layers.conv2d({ name: 'c1', inputShape: [SIZE, SIZE, 1], filters: 8, kernelSize: 5, activation: 'relu', kernelInitializer: 'heNormal' }));
  model.add(tf.layers.maxPooling2d({ name: 'p1', poolSize: 2 }));
  model.add(tf.layers.conv2d({ name: 'c2', filters: 16, kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelRegularizer: tf.regularizers.l2() }));
  model.add(tf.layers.batchNormalization({ name: 'bn' }));
  model.add(tf.layers.activation({ name: 'act', activation: 'tanh' }));
  model.add(tf.layers.averagePooling2d({ name: 'p2', poolSize: [2, 1], strides: 1 }));
  model.add(tf.layers.conv2d({ name: 'c3', filters: 4, kernelSize: [3, 2], dilationRate: 2, padding: 'same' }));
  model.add(tf.layers.maxPooling2d({ name: 'p3', poolSize: 3, strides: 2, padding: 'same' }));
  model.add(tf.layers.flatten({ name: 'flat' }));
  model.add(tf.layers.dropout({ name: 'drop', rate: 0.25 }));
  model.add(tf.layers.dense({ name: 'fc', units: 10, activation: 'softmax' }));
  return model;
}
`;

// c2: 'same' at stride 2 on 12 rows keeps ⌈12/2⌉ = 6, padding (6−1)·2 + 3 − 12 = 1 row, all of it after (0x1x0x1).
// c3: its dilated 5×3 kernel at stride 1 pads 4 rows (2 each side) and 2 columns (1 each side): pad=2x1.
// p3: on 5×6, 'same' pads rows 1 + 1 and columns 0 + 1: pad=1x0, and the column after needs ceil mode
// (⌊(6 − 3)/2⌋ + 1 = 2 windows without it, ⌈6/2⌉ = 3 in tfjs); its padding is −∞ in both, as max pooling ignores it.
// bn: tfjs's epsilon defaults to 1e-3, .cnn's to 1e-5. flat: tfjs flattens H,W,C, .cnn C,H,W: said in a comment.
const SEQUENTIAL_CNN = `# Imported by CNN Lens from seq.ts (build). TensorFlow.js is channels-last: an H×W×C
# map there is C×H×W here. Each layer asserts the shape tfjs gives it.
network digits
input 1x28x28
# c1: kernelInitializer: 'heNormal' dropped (a .cnn run draws its own initial weights)
c1:   conv 8 5x5 -> 8x24x24
      relu
p1:   pool max 2x2 -> 8x12x12
# c2: kernelRegularizer: tf.regularizers.l2() dropped (.cnn has no regularizers)
c2:   conv 16 3x3 stride=2 pad=0x1x0x1 bias=false -> 16x6x6
bn:   batchnorm eps=0.001 -> 16x6x6
act:  tanh -> 16x6x6
p2:   pool mean 2x1 stride=1 -> 16x5x6
c3:   conv 4 3x2 pad=2x1 dilation=2 -> 4x5x6
p3:   pool max 3x3 stride=2 pad=1x0 ceil=true -> 4x3x3
# flat: tfjs flattens H×W×C in H,W,C order, .cnn in C,H,W order: the same values in another order
flat: flatten -> 36
drop: dropout rate=0.25 -> 36
fc:   dense 10 -> 10
      softmax
`;

const FUNCTIONAL = `import * as tf from '@tensorflow/tfjs';

export function build(): tf.LayersModel {
  const img = tf.input({ name: 'img', shape: [16, 15, 3] });
  const stem = tf.layers.conv2d({ name: 'stem', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(img) as tf.SymbolicTensor;
  const padded = tf.layers.zeroPadding2d({ name: 'pad', padding: [[0, 2], [1, 1]] }).apply(stem) as tf.SymbolicTensor;
  const a = tf.layers.conv2d({ name: 'a', filters: 8, kernelSize: 3 }).apply(padded) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'sum' }).apply([a, stem]) as tf.SymbolicTensor;
  const down = tf.layers.maxPooling2d({ name: 'down', poolSize: 2 }).apply(sum) as tf.SymbolicTensor;
  const up1 = tf.layers.conv2dTranspose({ name: 'up1', filters: 4, kernelSize: 2, strides: 2 }).apply(down) as tf.SymbolicTensor;
  const up2 = tf.layers.conv2dTranspose({ name: 'up2', filters: 4, kernelSize: 4, strides: 2, padding: 'same' }).apply(down) as tf.SymbolicTensor;
  const up3 = tf.layers.upSampling2d({ name: 'up3', size: [2, 2] }).apply(down) as tf.SymbolicTensor;
  const cat = tf.layers.concatenate({ name: 'cat' }).apply([up1, up2, up3]) as tf.SymbolicTensor;
  const crop = tf.layers.cropping2D({ name: 'crop', cropping: [[1, 2], [1, 1]] }).apply(cat) as tf.SymbolicTensor;
  let x = tf.layers.leakyReLU({ name: 'lrelu' }).apply(crop) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: 'r6', maxValue: 6 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 5 }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.softmax().apply(x) as tf.SymbolicTensor;
  return tf.model({ name: 'unet_ish', inputs: img, outputs: out });
}
`;

// pad: folded into a's padding (top 0, bottom 2, left 1, right 1). stem's relu is read by sum out of line, so it
// is named after stem. up2: 'same' with K − S = 2 crops 1 on each side (pad=1). crop: [[1, 2], [1, 1]] is the
// centre (⌊3/2⌋ = 1 above, 1 left), and `crop` is a .cnn keyword. gap: tfjs pools to a vector, .cnn to C×1×1 and
// a flatten. leakyReLU's alpha defaults to 0.3 in tfjs.
const FUNCTIONAL_CNN = `# Imported by CNN Lens from fun.ts (build). TensorFlow.js is channels-last: an H×W×C
# map there is C×H×W here. Each layer asserts the shape tfjs gives it.
network unet_ish
# crop is named crop_ here
input img 3x16x15
stem:      conv 8 3x3 pad=1 -> 8x16x15
stem_relu: relu
a:         conv 8 3x3 pad=0x2x1x1 -> 8x16x15
sum:       add a, stem_relu -> 8x16x15
down:      pool max 2x2 -> 8x8x7
up1:       deconv 4 2x2 stride=2 -> 4x16x14
up2:       deconv 4 4x4 stride=2 pad=1 from=down -> 4x16x14
up3:       upsample 2 from=down -> 8x16x14
cat:       concat up1, up2, up3 -> 16x16x14
crop_:     crop 13x12 -> 16x13x12
lrelu:     leaky_relu slope=0.3 -> 16x13x12
r6:        relu6 -> 16x13x12
           pool mean global
gap:       flatten -> 16
           dense 5 -> 5
           softmax -> 5
`;

describe('TensorFlow.js import (tfjs/import)', () => {
  it('sequential: valid and same at stride 2, dilation, pooling with ceil mode, batchnorm, flatten, dropout, dense', () => {
    assert.equal(importTfjs(SEQUENTIAL, { fileName: 'seq.ts' }), SEQUENTIAL_CNN);
    assertShapes(SEQUENTIAL, SEQUENTIAL_CNN);
  });

  it('functional: zeroPadding2d into a conv, add, transposed convs, upsampling, concatenate, crop, activations, global pool', () => {
    assert.equal(importTfjs(FUNCTIONAL, { fileName: 'fun.ts' }), FUNCTIONAL_CNN);
    assertShapes(FUNCTIONAL, FUNCTIONAL_CNN, { crop: 'crop_' }, ['pad']);
  });

  it('squeeze-and-excitation: a global pool reshaped to 1×1×C, a 1×1 conv with sigmoid, multiply with the map', () => {
    const code = `import * as tf from '@tensorflow/tfjs';
export function build() {
  const x = tf.input({ shape: [6, 5, 8] });
  const pooled = tf.layers.globalAveragePooling2d({ name: 'squeeze_pool' }).apply(x) as tf.SymbolicTensor;
  const squeeze = tf.layers.reshape({ name: 'squeeze', targetShape: [1, 1, 8] }).apply(pooled) as tf.SymbolicTensor;
  const excite = tf.layers.conv2d({ name: 'excite', filters: 8, kernelSize: 1, activation: 'sigmoid' }).apply(squeeze) as tf.SymbolicTensor;
  const scaled = tf.layers.multiply({ name: 'scaled' }).apply([x, excite]) as tf.SymbolicTensor;
  const y = tf.layers.elu({ name: 'e' }).apply(scaled) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });
}
`;
    // The reshape back to 1×1×8 is the .cnn global pool's own C×1×1; the sigmoid is read by scaled out of line.
    const cnn = `# Imported by CNN Lens from model.ts (build). TensorFlow.js is channels-last: an H×W×C
# map there is C×H×W here. Each layer asserts the shape tfjs gives it.
input 8x6x5
squeeze:        pool mean global -> 8x1x1
excite:         conv 8 1x1 -> 8x1x1
excite_sigmoid: sigmoid
scaled:         mul input, excite_sigmoid -> 8x6x5
e:              elu -> 8x6x5
`;
    assert.equal(importTfjs(code), cnn);
    const a = check(cnn);
    const model = build(code);
    for (const name of ['squeeze', 'excite', 'scaled', 'e'])
      assert.deepEqual(a.layers.find((l) => l.name === name)!.output, channelsFirst(model.getLayer(name).outputShape));
    model.dispose();
  });

  it("the reader's permute, reshape and elu shapes are tfjs-layers' own (the exports of lenet5 and geometric_tfjs)", () => {
    for (const f of [
      'examples/lenet5.cnn',
      'test/fixtures/torch/networks/geometric_tfjs.cnn',
      'test/fixtures/torch/networks/activations_v2.cnn',
    ]) {
      const code = exportTfjs(check(readFileSync(join(ROOT, f), 'utf8')), f).replace(
        /export function build\w+/,
        'export function build',
      );
      const read = readTfjsCode(code);
      const model = build(code);
      const fns = new Set(read.layers.map((l) => l.fn));
      assert.ok(
        ['permute', 'reshape', 'elu'].some((fn) => fns.has(fn)),
        f,
      );
      for (const l of read.layers) {
        assert.ok(l.output, `${f} ${l.label}: unknown`);
        assert.deepEqual([null, ...l.output], model.getLayer(l.label).outputShape, `${f} ${l.label}`);
        assert.equal(l.params, model.getLayer(l.label).countParams(), `${f} ${l.label} params`);
      }
      model.dispose();
    }
  });

  it('names unnamed layers that are read out of line, never as a name the code already uses', () => {
    const code = `import * as tf from '@tensorflow/tfjs';
export function build() {
  const x = tf.input({ shape: [8, 9, 4] });
  const a = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  const b = tf.layers.conv2d({ filters: 4, kernelSize: 1 }).apply(x) as tf.SymbolicTensor;
  const y = tf.layers.add({ name: 'conv2d_1' }).apply([a, b]) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });
}
`;
    assert.equal(
      importTfjs(code),
      `# Imported by CNN Lens from model.ts (build). TensorFlow.js is channels-last: an H×W×C
# map there is C×H×W here. Each layer asserts the shape tfjs gives it.
input 4x8x9
conv2d_1_2: conv 4 3x3 pad=1 -> 4x8x9
conv2d_2:   conv 4 1x1 from=input -> 4x8x9
conv2d_1:   add conv2d_1_2, conv2d_2 -> 4x8x9
`,
    );
  });

  /** A one-layer-after-the-input model around `layers` (tfjs code), functional. */
  const model = (body: string) => `import * as tf from '@tensorflow/tfjs';
export function build() {
  const x = tf.input({ shape: [8, 9, 4] });
${body}
}
`;
  const REFUSED: [string, string, RegExp][] = [
    [
      'a zeroPadding2d read by a max pooling',
      `  const p = tf.layers.zeroPadding2d({ name: 'zp', padding: 1 }).apply(x) as tf.SymbolicTensor;
  const y = tf.layers.maxPooling2d({ poolSize: 2 }).apply(p) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });`,
      /^zp: \.cnn has no padding layer; a zeroPadding2d is read as the padding of the one conv2d/,
    ],
    [
      "'same' average pooling that pads",
      `  const y = tf.layers.averagePooling2d({ name: 'ap', poolSize: 2, strides: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });`,
      /^ap: TensorFlow's 'same' average pooling leaves its padding out of each mean; \.cnn's mean pooling counts it/,
    ],
    [
      "a 'same' transposed conv whose K − S is odd",
      `  const y = tf.layers.conv2dTranspose({ name: 'tc', filters: 2, kernelSize: 3, strides: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });`,
      /^tc: TensorFlow's 'same' crops 0 above and 1 below a 3×3 transposed conv at stride 2; \.cnn's deconv crops the same on both sides$/,
    ],
    [
      'dense on a map (tfjs: the last axis only)',
      `  const y = tf.layers.dense({ name: 'd', units: 3 }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });`,
      /^d: tfjs applies dense to the last axis of its 8×9×4 input, which \.cnn's dense \(it connects every value\) cannot; flatten first$/,
    ],
    [
      'a crop off the centre',
      `  const y = tf.layers.cropping2D({ name: 'k', cropping: [[2, 0], [0, 0]] }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });`,
      /^k: crops \[\[2, 0\], \[0, 0\]\]; \.cnn's crop takes the centre \(it would crop 1 above and 0 left\)$/,
    ],
    [
      'bilinear upsampling',
      `  const y = tf.layers.upSampling2d({ name: 'u', size: [2, 2], interpolation: 'bilinear' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });`,
      /^u: tfjs's bilinear upSampling2d samples at o\/F/,
    ],
    [
      'an activation .cnn has not',
      `  const y = tf.layers.conv2d({ name: 'c', filters: 2, kernelSize: 3, activation: 'selu' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });`,
      /^c: the activation "selu" has no \.cnn kind/,
    ],
    [
      'a softmax before the last layer',
      `  const s = tf.layers.softmax({ name: 'sm' }).apply(x) as tf.SymbolicTensor;
  const y = tf.layers.flatten().apply(s) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });`,
      /^sm: \.cnn cannot write it here \(softmax-not-last: /,
    ],
    [
      'one layer object applied twice (shared weights)',
      `  const conv = tf.layers.conv2d({ name: 'shared', filters: 4, kernelSize: 3, padding: 'same' });
  const a = conv.apply(x) as tf.SymbolicTensor;
  const y = conv.apply(a) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });`,
      /^shared: one layer object applied twice shares its weights, which two \.cnn layers cannot$/,
    ],
    [
      'a layer applied in a loop',
      `  let y = x;
  for (let i = 0; i < 2; i++) y = tf.layers.conv2d({ name: 'loop', filters: 4, kernelSize: 1 }).apply(y) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });`,
      /^build: its output cannot be followed in the text \(a layer applied in a loop or under a condition/,
    ],
    [
      'a value that is not a literal or a const',
      `  const n = Math.max(2, 3);
  const y = tf.layers.conv2d({ name: 'c', filters: n, kernelSize: 3 }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });`,
      /^c: its shape cannot be read/,
    ],
    [
      'a layer kind .cnn has not',
      `  const y = tf.layers.separableConv2d({ name: 'sep', filters: 4, kernelSize: 3 }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });`,
      /^sep: tf\.layers\.separableConv2d has no \.cnn equivalent in this version$/,
    ],
    [
      'two inputs',
      `  const z = tf.input({ shape: [8, 9, 4] });
  const y = tf.layers.add({ name: 'both' }).apply([x, z]) as tf.SymbolicTensor;
  return tf.model({ inputs: [x, z], outputs: y });`,
      /^model\.ts: cannot import tf\.model \(it has several inputs; a \.cnn network has one\)$/,
    ],
  ];
  for (const [what, body, message] of REFUSED) {
    it(`refuses ${what}, naming the layer`, () => {
      assert.throws(
        () => importTfjs(model(body)),
        (e) => isImportError(e) && message.test(e.message),
      );
    });
  }

  it('picks a model by its function name, and names the others in a comment', () => {
    const text = readFileSync(join(ROOT, 'examples/tfjs-model.ts'), 'utf8');
    // Both example models have a deliberate mistake: each is refused with its own.
    assert.throws(
      () => importTfjs(text, { model: 'classifier' }),
      /^ImportError: dense: tfjs applies dense to the last axis/,
    );
    assert.throws(
      () => importTfjs(text, { model: 'residual' }),
      /the model has errors; the first: add: its inputs have 16 and 32 channels/,
    );
    assert.throws(
      () => importTfjs(text, { model: 'nope' }),
      /no model named 'nope'; the file builds classifier, residual$/,
    );
    const fixed = text.replace(
      'model.add(tf.layers.dense',
      'model.add(tf.layers.flatten());\n  model.add(tf.layers.dense',
    );
    const cnn = importTfjs(fixed, { fileName: 'tfjs-model.ts' });
    assert.match(cnn, /^# The file builds 2 models; the others \(residual\) are not here\.$/m);
    assert.match(cnn, /^# Imported by CNN Lens from tfjs-model\.ts \(classifier\)/);
    // An offset picks the model of the function around it: a model.add line of classifier's, residual's add.
    assert.match(
      importTfjs(fixed, { at: fixed.indexOf('tf.layers.maxPooling2d') }),
      /^# Imported by CNN Lens from model\.ts \(classifier\)/,
    );
    // The offset of residual's code picks residual.
    assert.throws(
      () => importTfjs(fixed, { at: fixed.indexOf('tf.layers.add') }),
      /add: its inputs have 16 and 32 channels/,
    );
  });

  describe("round trip: .cnn → tfjs export → import keeps every layer's shape and the parameter count", () => {
    const files = [
      ...readdirSync(join(ROOT, 'examples')).map((f) => `examples/${f}`),
      ...readdirSync(join(ROOT, 'test/fixtures/torch/networks')).map((f) => `test/fixtures/torch/networks/${f}`),
    ]
      .filter((f) => f.endsWith('.cnn'))
      .sort();
    let exported = 0;
    for (const f of files) {
      const a = check(readFileSync(join(ROOT, f), 'utf8'));
      let code: string;
      try {
        code = exportTfjs(a, f);
      } catch (e) {
        if (isExportError(e)) continue; // what the export refuses (test/tfjs/export.test.ts) has no round trip
        throw e;
      }
      exported++;
      if (a.layers.some((l) => l.use)) {
        // The export writes a block as a function and a repeat as a loop; import follows only layers written out.
        it(`${f}: its blocks, written as functions, are refused naming the first layer import cannot follow`, () =>
          assert.throws(
            () => importTfjs(code, { fileName: f.replace(/\.cnn$/, '.ts') }),
            (e: unknown) => isImportError(e) && /cannot be followed in the text/.test(e.message),
          ));
        continue;
      }
      it(f, () => {
        const back = check(importTfjs(code, { fileName: f.replace(/\.cnn$/, '.ts') }));
        assert.deepEqual(
          back.diagnostics.filter((d) => d.severity === 'error'),
          [],
        );
        const unused = new Set(
          a.diagnostics
            .filter((d) => d.code === 'unused-layer')
            .map((d) => a.layers.find((l) => l.nameRange.start === d.range.start)?.name),
        );
        const live = a.layers.filter((l) => !unused.has(l.name));
        for (const l of live) {
          const same = back.layers.find((x) => x.name === l.name);
          assert.ok(same, `${l.name} comes back`);
          assert.deepEqual(same.output, l.output, l.name);
        }
        assert.deepEqual(back.input!.shape, a.input!.shape);
        assert.equal(
          back.layers.reduce((n, l) => n + l.paramCount, 0),
          live.reduce((n, l) => n + l.paramCount, 0),
        );
      });
    }
    it('covers the networks the export writes', () => assert.ok(exported >= 30, `${exported} exported`));
  });
});
