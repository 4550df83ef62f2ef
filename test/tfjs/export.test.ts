/**
 * TensorFlow.js export against the real library: every example, model-zoo and test network that exports is
 * compiled by the TypeScript compiler against @tensorflow/tfjs-layers' own types, then run to build its model,
 * whose layers (a block's under their full names) must have the .cnn shapes (channels-last) and whose trainable
 * parameters must count as the .cnn's. The networks that cannot be written exactly must be refused, naming the
 * layer. The numbers of a run are compared on the examples and test networks (the zoo's runs are too large here).
 */
/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any -- tfjs-layers and tfjs-core are loaded as CommonJS, untyped here, as in test/engine/kernels/peers.ts */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { type Analysis, check } from '../../engine';
import { isExportError } from '../../engine/export/common';
import { sampleRun } from '../../engine/run';
import { exportTfjs } from '../../tfjs/export';

const ROOT = join(__dirname, '..', '..');
const tf: any = require('@tensorflow/tfjs-layers');
const core: any = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');

const files = [
  ...readdirSync(join(ROOT, 'examples')).map((f) => `examples/${f}`),
  ...readdirSync(join(ROOT, 'examples/zoo')).map((f) => `examples/zoo/${f}`),
  ...readdirSync(join(ROOT, 'test/fixtures/torch/networks')).map((f) => `test/fixtures/torch/networks/${f}`),
]
  .filter((f) => f.endsWith('.cnn'))
  .sort();

/** What each network that cannot go to tfjs exactly is refused for: the layer, and the reason's start. */
const REFUSED: Record<string, RegExp> = {
  'examples/diagnostics.cnn': /^the network has 14 errors/,
  'examples/seed-mistake.cnn': /^the network has 2 errors/,
  'examples/zoo/alexnet.cnn': /^avgpool: tfjs has no adaptive pooling to 6 \(only global pooling\)$/,
  'examples/zoo/vgg16.cnn': /^avgpool: tfjs has no adaptive pooling to 7 \(only global pooling\)$/,
  'examples/zoo/mobilenet_v3_small.cnn': /^features_0\._2: tfjs has no hard-swish activation$/,
  'examples/zoo/resnet18.cnn': /^maxpool: tfjs max pooling pads only as TensorFlow's 'same' does/,
  'examples/zoo/resnet50.cnn': /^maxpool: tfjs max pooling pads only as TensorFlow's 'same' does/,
  'examples/zoo/se_resnet18.cnn': /^maxpool: tfjs max pooling pads only as TensorFlow's 'same' does/,
  'examples/inception.cnn':
    /^p: tfjs max pooling pads only as TensorFlow's 'same' does \(here 0 before and 1 after in height/,
  'test/fixtures/torch/networks/conv_dilation.cnn':
    /^b: tfjs convolutions take a dilation or a stride above 1, not both$/,
  'test/fixtures/torch/networks/conv_mix.cnn': /^a: tfjs convolutions take a dilation or a stride above 1, not both$/,
  'test/fixtures/torch/networks/conv_same_strided.cnn':
    /^i: tfjs convolutions take a dilation or a stride above 1, not both$/,
  'test/fixtures/torch/networks/conv_groups.cnn': /^a: tfjs has no grouped convolution \(groups=2 of 4 channels\)/,
  'test/fixtures/torch/networks/pool_max.cnn': /^p2: tfjs max pooling pads only as TensorFlow's 'same' does/,
  'test/fixtures/torch/networks/pool_ties.cnn': /^e: tfjs max pooling pads only as TensorFlow's 'same' does/,
  'test/fixtures/torch/networks/pool_mean.cnn': /^p1: ceil mode keeps windows that run past the padded input/,
  'test/fixtures/torch/networks/deconv_unet.cnn':
    /^u1: tfjs's conv2dTranspose crops its output as TensorFlow's 'valid' or 'same' does, neither of which is pad=0×0 with out_pad=1×1 here$/,
  'test/fixtures/torch/networks/deconv_options.cnn': /^d1: tfjs's conv2dTranspose has no groups \(groups=2\)$/,
  'test/fixtures/torch/networks/upsample.cnn':
    /^u2: tfjs's bilinear upSampling2d samples at o\/F \(half_pixel_centers=false\), not PyTorch's/,
  'test/fixtures/torch/networks/adaptive_pool.cnn': /^a1: tfjs has no adaptive pooling to 3x4 \(only global pooling\)$/,
  'test/fixtures/torch/networks/se_groupnorm.cnn': /^g1: tfjs has no group normalisation layer$/,
  'test/fixtures/torch/networks/random-14.cnn': /^l3: tfjs has no grouped convolution \(groups=2 of 4 channels\)/,
};

const analyses = new Map<string, Analysis>(files.map((f) => [f, check(readFileSync(join(ROOT, f), 'utf8'))]));
const exported = new Map<string, string>();
for (const f of files) {
  try {
    exported.set(f, exportTfjs(analyses.get(f)!, f));
  } catch (e) {
    if (!isExportError(e)) throw e;
  }
}

/** Runs an exported module with `@tensorflow/tfjs` resolved to tfjs-layers, and returns its exports. */
export function load(text: string): Record<string, () => any> {
  const js = ts.transpileModule(text, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const module = { exports: {} as Record<string, () => any> };
  const req = (id: string) => (id === '@tensorflow/tfjs' ? tf : require(id));
  new Function('require', 'module', 'exports', js)(req, module, module.exports);
  return module.exports;
}

const channelsLast = (s: readonly number[]) => (s.length === 3 ? [s[1], s[2], s[0]] : [...s]);

describe('TensorFlow.js export', () => {
  for (const f of files) {
    const refusal = REFUSED[f];
    if (refusal) {
      it(`${f} is refused, naming the layer`, () => {
        assert.throws(
          () => exportTfjs(analyses.get(f)!, f),
          (e) => isExportError(e) && refusal.test(e.message),
        );
      });
      continue;
    }
    it(`${f}: built by tfjs-layers, every layer has the .cnn shape, channels-last, and the parameters count alike`, () => {
      const a = analyses.get(f)!;
      const text = exported.get(f);
      assert.ok(text, `${f} was not exported`);
      const build = Object.values(load(text))[0];
      const model = build();
      const unused = new Set(
        a.diagnostics
          .filter((d) => d.code === 'unused-layer')
          .map((d) => a.layers.find((l) => l.nameRange.start === d.range.start)?.name),
      );
      for (const l of a.layers) {
        if (unused.has(l.name)) {
          assert.throws(() => model.getLayer(l.name), /No such layer/);
          continue;
        }
        assert.deepEqual(model.getLayer(l.name).outputShape, [null, ...channelsLast(l.output!)], l.name);
      }
      assert.deepEqual(model.inputs[0].shape, [null, ...channelsLast(a.input!.shape!)]);
      const trainable = model.trainableWeights.reduce(
        (n: number, w: any) => n + w.shape.reduce((p: number, d: number) => p * d, 1),
        0,
      );
      assert.equal(
        trainable,
        a.layers.reduce((n, l) => n + (unused.has(l.name) ? 0 : l.paramCount), 0),
      );
      model.dispose?.();
    });
  }

  /*
   * Numbers, not only shapes: the run's float64 parameters, in tfjs's layouts, give tfjs (float32) every layer's
   * output of the run. This is what proves the padding, pooling and flattening choices exact.
   */
  for (const f of files.filter((f) => !REFUSED[f] && !f.startsWith('examples/zoo/'))) {
    it(`${f}: with a run's parameters, tfjs computes the run's outputs (float32, 1e-4)`, () => {
      const a = analyses.get(f)!;
      const dump = sampleRun(a);
      const model = Object.values(load(exported.get(f)!))[0]();
      const T = core.tensor;
      const tensor = (t: { shape: readonly number[]; data: ArrayLike<number> }) => T(Array.from(t.data), [...t.shape]);
      const toLast = (t: any) => (t.rank === 4 ? core.transpose(t, [0, 2, 3, 1]) : t);
      const live = a.layers.filter((l) => model.layers.some((m: any) => m.name === l.name));
      for (const l of live) {
        const p = dump.params[l.name];
        if (!p) continue;
        const layer = model.getLayer(l.name);
        const W = tensor(p.W ?? p.gamma);
        let kernel: any;
        if (l.kind === 'batchnorm') kernel = W;
        else if (l.kind === 'dense') kernel = core.transpose(W);
        else if (layer.getClassName() === 'DepthwiseConv2D') {
          const [out, , kh, kw] = p.W.shape;
          const c = l.inputShapes[0]![0];
          kernel = core.transpose(core.reshape(W, [c, out / c, kh, kw]), [2, 3, 0, 1]);
        } else kernel = core.transpose(W, [2, 3, 1, 0]);
        const rest =
          l.kind === 'batchnorm'
            ? [tensor(p.beta), core.zeros([W.shape[0]]), core.ones([W.shape[0]])]
            : p.b
              ? [tensor(p.b)]
              : [];
        layer.setWeights([kernel, ...rest]);
      }
      const probe = tf.model({ inputs: model.inputs, outputs: live.map((l) => model.getLayer(l.name).output) });
      // Batch statistics, as runs here use them, are tfjs's training mode; dropout is then switched off (rate 0),
      // as the PyTorch parity does, since a run here is train mode without dropout.
      const training = a.layers.some((l) => l.kind === 'batchnorm');
      for (const m of model.layers) if (m.getClassName() === 'Dropout') m.rate = 0;
      const outs = [probe.apply(toLast(tensor(dump.input)), { training })].flat();
      live.forEach((l, i) => {
        const want = toLast(tensor(dump.outputs[l.name])).dataSync() as Float32Array;
        const got = outs[i].dataSync() as Float32Array;
        assert.equal(got.length, want.length, l.name);
        let worst = 0;
        for (let j = 0; j < got.length; j++)
          worst = Math.max(worst, Math.abs(got[j] - want[j]) / Math.max(1, Math.abs(want[j])));
        assert.ok(worst <= 1e-4, `${l.name}: largest error ${worst}`);
      });
    });
  }

  it('blocks: a function per block naming its layers by their full names; uses that need other tfjs layers written out', () => {
    const googlenet = exported.get('examples/zoo/googlenet.cnn')!;
    assert.match(
      googlenet,
      /^function basicConv\(x: tf\.SymbolicTensor, name: string, c: number, k: number, stride: number = 1, pad: number = 0\): tf\.SymbolicTensor \{$/m,
    );
    // Stride 2 at an even size pads explicitly, stride 1 with 'same': one text, with the padding explicit in both.
    assert.match(
      googlenet,
      /zeroPadding2d\(\{ name: `\$\{name\}\.conv_pad`, padding: \[\[pad, pad\], \[pad, pad\]\] \}\)/,
    );
    assert.match(googlenet, /^ {2}const branch2_1 = basicConv\(branch2_0, `\$\{name\}\.branch2_1`, c3, 3, 1, 1\);/m);
    const mobilenet = exported.get('examples/zoo/mobilenet_v2.cnn')!;
    assert.doesNotMatch(mobilenet, /^function /m);
    assert.match(
      mobilenet,
      /^ {2}\/\/ features_1 \(block inverted1\): no one function writes every use of it \(or of a block in it\) in tfjs, so it is written out here$/m,
    );
  });

  it("every exported module compiles with tsc against tfjs-layers' types (strict)", function () {
    this.timeout(120_000);
    const host = ts.createCompilerHost({});
    const sources = new Map(
      [...exported].map(([f, text]) => [
        join(ROOT, 'export-check', f.replace(/\//g, '_').replace(/\.cnn$/, '.ts')),
        text,
      ]),
    );
    const read = host.readFile.bind(host);
    host.readFile = (name) => sources.get(name) ?? read(name);
    const exists = host.fileExists.bind(host);
    host.fileExists = (name) => sources.has(name) || exists(name);
    const program = ts.createProgram(
      [...sources.keys()],
      {
        strict: true,
        noEmit: true,
        noUnusedLocals: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.CommonJS,
        moduleResolution: ts.ModuleResolutionKind.Node10,
        skipLibCheck: true,
        types: [],
        baseUrl: ROOT,
        paths: { '@tensorflow/tfjs': ['node_modules/@tensorflow/tfjs-layers'] },
      },
      host,
    );
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    assert.deepEqual(diagnostics, []);
    assert.ok(sources.size >= 20, `${sources.size} modules`);
  });

  it('refusals name the layer: grouped conv, dilation with stride, mean pooling past the padded input', () => {
    const refuse = (src: string, layer: string, message: RegExp) =>
      assert.throws(
        () => exportTfjs(check(src)),
        (e) => isExportError(e) && (e as { layer?: string }).layer === layer && message.test(e.message),
      );
    refuse('input 4x8x8\ng: conv 6 3x3 groups=2\n', 'g', /grouped convolution/);
    refuse('input 4x9x9\nd: conv 6 3x3 dilation=2 stride=2\n', 'd', /dilation or a stride/);
    refuse('input 4x6x6\nm: pool mean 3x3 stride=2 ceil=true pad=1\n', 'm', /ceil mode/);
  });
});
