/**
 * The model zoo (examples/zoo/) against PyTorch: test/fixtures/torch/zoo.json, written by scripts/torch/zoo.py
 * from torchvision's models (and the script's own LeNet-5, SE-ResNet-18, U-Net and DCGAN generator) through
 * forward hooks, holds every module's output shape and parameter count and each network's total. Each zoo file
 * must check clean, and every PyTorch module must have its layer (or use) in the file, with the same output shape
 * and parameter count, found by the name rule of examples/zoo/README.md ("Names").
 *
 * test/fixtures/torch/zoo-parity.json (scripts/torch/zoo_parity.py) holds each network's float64 sample run at its
 * `sample size=` to the same PyTorch model: outputs, δs, loss and gradients within 1e-9.
 *
 * Each network also passes the engine's own default gradient check.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, runsAt, type Analysis, type LayerInfo } from '../../engine';
import { gradcheck } from '../../engine/run';

interface TorchModule {
  name: string;
  kind: string;
  leaf: boolean;
  output: number[];
  calls?: number[][];
  params: number;
}
interface TorchNetwork {
  name: string;
  input: number[];
  params: number;
  modules: TorchModule[];
}

interface Parity {
  file: string;
  pending?: string;
  input?: number[];
  compared?: { outputs: number; deltas: number; grads: number };
  outputs?: Record<string, number>;
  deltas?: Record<string, number>;
  grads?: Record<string, number>;
  loss?: number;
  input_delta?: number;
  passed?: boolean;
}

const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/torch/zoo.json'), 'utf8')) as {
  networks: TorchNetwork[];
};
const parity = JSON.parse(readFileSync(join(__dirname, '../fixtures/torch/zoo-parity.json'), 'utf8')) as {
  tolerance: number;
  networks: Parity[];
};
const zoo = join(__dirname, '../../examples/zoo');
const read = (name: string) => readFileSync(join(zoo, `${name}.cnn`), 'utf8');

/**
 * The PyTorch module name a `.cnn` full name stands for. PyTorch numbers the modules of a Sequential (`features.3`,
 * `layer2.0`), which a `.cnn` name cannot start with, and names some modules after layer kinds (`relu`, `dropout`),
 * which a `.cnn` name cannot be. So, in each dot-separated part: `_N` (digits) stands for `.N` (`features_3`,
 * `layer2_0`, `conv_0_1`; a part `_0` alone for `0`), and one trailing `_` is dropped (`relu_`). A `repeat=` use's
 * own numbering (`layer3.2`) is left as it is: torchvision's numbering after a stage's first block.
 */
export function torchName(cnnName: string): string {
  return cnnName
    .split('.')
    .map((part) => {
      const [head, ...rest] = part.split('_');
      let name = head + rest.map((p) => (/^\d+$/.test(p) ? `.${p}` : `_${p}`)).join('');
      if (name.startsWith('.')) name = name.slice(1);
      return name.endsWith('_') && !name.endsWith('__') ? name.slice(0, -1) : name;
    })
    .join('.');
}

/** Far above what any zoo network needs: the shapes are the subject here, not the run limit (see below). */
const NO_LIMIT = 2 ** 40;

/**
 * The strided 1×1 projection of torchvision's ResNets reads one input pixel in four: the checker says so
 * (`conv-remainder`), at the body's `downsample_0` line and at the uses of that block. Nothing else is reported.
 */
const STRIDED_PROJECTION = new Set(['resnet18', 'resnet50', 'se_resnet18']);

/**
 * The networks whose sample run is over the default 1 GiB in float64, an error the language defines (`too-large`;
 * at a `sample size=`, a `bad-value` there; examples/zoo/README.md): VGG-16's parameters and gradients alone take
 * 2.2 GB at any size, and U-Net has no smaller sample size than its 572×572. With the limit raised they check clean.
 */
const OVER_RUN_LIMIT = new Set(['vgg16', 'unet']);

/** The networks whose size a `sample size=` cannot shrink, and why (examples/zoo/README.md). */
const NO_SAMPLE_SIZE: Record<string, string> = {
  lenet5: 'its dense layers fix the input at 32×32, already small',
  unet: 'its crops are written for 572×572',
  dcgan_generator: 'its input is a 100×1×1 noise vector',
};

/**
 * U-Net at 188×188, the smallest input its four levels of valid convs and 2×2 pools allow (each decoder level
 * then concatenates two 8×8 maps): the zoo's text with its input and its four crops rewritten, and the `->`
 * assertions, which are 572×572's, left out. Throws when the file no longer has the lines this rewrites.
 */
export function unetAt188(text: string): string {
  let crops = 0,
    inputs = 0;
  const small = text
    .replace(/^input 1x572x572$/m, () => (inputs++, 'input 1x188x188'))
    .replace(/\bcrop \d+x\d+/g, () => (crops++, 'crop 8x8'))
    .replace(/ +-> [\dx]+/g, '');
  if (inputs !== 1 || crops !== 4) throw new Error(`unet.cnn changed: ${inputs} input lines, ${crops} crops rewritten`);
  return small;
}

/**
 * The default gradient check (local mode, its own samples and tolerances) of every network, at batch 1, at its
 * sample size; U-Net at 188×188 (`unetAt188`). AlexNet's and VGG-16's dense heads (58 and 120 million weights) make
 * theirs the slowest (15 s and 29 s on two idle cores), and VGG-16's run takes about 3 GB.
 */

/** The layers that are not uses: the ones no other layer's full name continues. */
function leafLayers(a: Analysis): LayerInfo[] {
  const names = a.layers.map((l) => l.name);
  return a.layers.filter((l) => !names.some((n) => n.startsWith(`${l.name}.`)));
}

/** A PyTorch container's output: the layer of that name (a use), else the last layer inside it (a Sequential). */
function layerFor(a: Analysis, torch: string): LayerInfo | undefined {
  let found: LayerInfo | undefined;
  for (const l of a.layers) {
    const name = torchName(l.name);
    if (name === torch) return l;
    if (name.startsWith(`${torch}.`)) found = l;
  }
  return found;
}

describe('model zoo against PyTorch (fixtures from torch 1.13, torchvision 0.14)', () => {
  it('has one .cnn file for each network of the fixture and no other', () => {
    const files = readdirSync(zoo)
      .filter((f) => f.endsWith('.cnn'))
      .map((f) => f.slice(0, -4))
      .sort();
    assert.deepEqual(files, fixture.networks.map((n) => n.name).sort());
  });

  it('reads .cnn full names as PyTorch module names', () => {
    assert.equal(torchName('layer2_0.downsample_0'), 'layer2.0.downsample.0');
    assert.equal(torchName('layer3.2.conv1'), 'layer3.2.conv1');
    assert.equal(torchName('features_5.conv_1._0'), 'features.5.conv.1.0');
    assert.equal(torchName('inception4a.branch2_1.conv'), 'inception4a.branch2.1.conv');
    assert.equal(torchName('relu_'), 'relu');
    assert.equal(torchName('layer1_0.relu_out'), 'layer1.0.relu_out');
    assert.equal(torchName('scale_activation'), 'scale_activation');
  });

  for (const net of fixture.networks) {
    describe(`${net.name} [${net.input}] ${net.params.toLocaleString('en')} parameters`, () => {
      const text = read(net.name);
      let analysis: Analysis;
      before(() => {
        analysis = check(text, { memoryLimit: NO_LIMIT });
      });

      it('checks clean: only the documented warnings, and at the default 1 GiB the documented memory error', () => {
        const at = check(text);
        const seen = (code: string) => analysis.diagnostics.filter((d) => d.code === code);
        assert.deepEqual(
          analysis.diagnostics
            .filter((d) => d.code !== 'conv-remainder')
            .map((d) => `${d.severity} ${d.code}: ${d.message}`),
          [],
        );
        assert.equal(seen('conv-remainder').length, STRIDED_PROJECTION.has(net.name) ? 4 : 0);
        // At the default limit: the same, and for the two largest one error, that a sample run would not fit.
        const memory = at.diagnostics.filter((d) => d.code !== 'conv-remainder');
        assert.deepEqual(
          memory.map((d) => [d.severity, d.code]),
          OVER_RUN_LIMIT.has(net.name) ? [['error', net.name in NO_SAMPLE_SIZE ? 'too-large' : 'bad-value']] : [],
        );
        for (const d of memory) assert.match(d.message, /would need [\d.]+ GiB .*, over the 1\.0 GiB limit/);
        if (!STRIDED_PROJECTION.has(net.name)) return;
        // In the body and at each of the three uses of the first block of stages 2-4, naming the projection.
        for (const d of seen('conv-remainder')) {
          assert.equal(d.severity, 'warning');
          assert.match(d.message, /\blayer[234]_0\.downsample_0\b/);
        }
      });

      it(`declares its input as PyTorch's [${net.input}]`, () => {
        assert.deepEqual(analysis.input?.shape, net.input);
      });

      const leaves = net.modules.filter((m) => m.leaf).length;
      it(`has every PyTorch module (${leaves} leaves, ${net.modules.length - leaves} containers) with its output shape and parameters`, () => {
        const wrong: string[] = [];
        for (const m of net.modules) {
          const layer = layerFor(analysis, m.name);
          if (!layer) {
            wrong.push(`${m.name} (${m.kind}): no layer`);
            continue;
          }
          if (JSON.stringify(layer.output) !== JSON.stringify(m.output))
            wrong.push(`${m.name} = ${layer.name}: ${JSON.stringify(layer.output)}, torch ${JSON.stringify(m.output)}`);
          if (m.leaf && layer.paramCount !== m.params)
            wrong.push(`${m.name} = ${layer.name}: ${layer.paramCount} parameters, torch ${m.params}`);
        }
        assert.deepEqual(wrong, []);
      });

      it(`has ${net.params.toLocaleString('en')} parameters in all`, () => {
        assert.equal(
          leafLayers(analysis).reduce((n, l) => n + l.paramCount, 0),
          net.params,
        );
      });

      it('runs as PyTorch does: outputs, δs, loss and gradients within 1e-9 at its sample size', () => {
        const p = parity.networks.find((n) => n.file === `examples/zoo/${net.name}.cnn`);
        assert.ok(p, 'run /usr/bin/python3 scripts/torch/zoo_parity.py');
        assert.equal(p.pending, undefined, `${p.pending}: run /usr/bin/python3 scripts/torch/zoo_parity.py again`);
        assert.equal(parity.tolerance, 1e-9);
        const errors = [
          p.loss!,
          p.input_delta!,
          ...Object.values(p.outputs!),
          ...Object.values(p.deltas!),
          ...Object.values(p.grads!),
        ];
        assert.ok(
          errors.every((e) => e <= 1e-9),
          `largest error ${Math.max(...errors)}`,
        );
        assert.equal(p.passed, true);
        // Every PyTorch module was compared (output and δ), and every parameter's gradient.
        assert.deepEqual(Object.keys(p.deltas!).sort(), net.modules.map((m) => m.name).sort());
        assert.equal(
          Object.keys(p.grads!).length,
          leafLayers(analysis).reduce((n, l) => n + l.params.length, 0),
        );
        const at = /^sample\b.*\bsize=(\d+)x(\d+)/m.exec(text);
        assert.deepEqual(p.input!.slice(1), at ? [net.input[0], Number(at[1]), Number(at[2])] : net.input);
      });

      it(`passes the default gradient check at batch 1 at ${net.name === 'unet' ? '188×188' : 'its sample size'}`, async function () {
        this.timeout(900_000);
        const a = net.name === 'unet' ? check(unetAt188(text), { memoryLimit: NO_LIMIT }) : analysis;
        assert.deepEqual(
          a.diagnostics.filter((d) => d.severity === 'error'),
          [],
        );
        const r = await gradcheck(a, { memoryLimit: NO_LIMIT, batch: 1 });
        const failed = r.layers.flatMap((l) => [
          ...(l.delta.passed ? [] : [`${l.name} δ`]),
          ...Object.entries(l.params)
            .filter(([, c]) => !c.passed)
            .map(([p]) => `${l.name} ${p}`),
        ]);
        assert.deepEqual(failed, []);
        assert.equal(r.passed, true);
        // The δ at the input, and every layer with each of its parameters, was checked.
        assert.deepEqual(
          r.layers.map((l) => [l.name, Object.keys(l.params).length]),
          [[a.input!.name, 0], ...leafLayers(runsAt(a)).map((l) => [l.name, l.params.length])],
        );
      });

      const size = /^sample\b.*\bsize=(\d+)x(\d+)/m.exec(text);
      if (net.name in NO_SAMPLE_SIZE) {
        it(`has no sample size: ${NO_SAMPLE_SIZE[net.name]}`, () => assert.equal(size, null));
        return;
      }
      it('checks clean at its sample size, written as its input size', () => {
        assert.ok(size, 'a `sample size=`');
        const small = text
          .replace(/^sample\b.*$/m, '')
          .replace(/^input (\d+)x\d+x\d+/m, `input $1x${size[1]}x${size[2]}`);
        const a = check(small, { memoryLimit: NO_LIMIT });
        assert.deepEqual(
          a.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`),
          [],
        );
        // The same classes come out: the global or adaptive pool makes the head's input the same size.
        assert.deepEqual(a.layers.at(-1)?.output, analysis.layers.at(-1)?.output);
        assert.deepEqual(a.input?.shape, [net.input[0], Number(size[1]), Number(size[2])]);
      });
    });
  }
});
