/**
 * PyTorch export against real PyTorch: scripts/torch/export_parity.py exported every example, model-zoo and
 * fixture network, loaded a `run --dump`'s parameters into it by name and compared outputs, loss, gradients and
 * the input's δ (test/fixtures/torch/export.json). These tests hold the export to that run: the text must hash to
 * what PyTorch checked (run the script again after changing the export), every network must have passed at 1e-9,
 * and the state_dict keys PyTorch reported must be DSL.md's `LAYER.weight` / `LAYER.bias`, LAYER a block's
 * layer's full name (`layer2.1.conv1`).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { check } from '../../../engine';
import { ExportError, isExportError } from '../../../engine/export/common';
import { exportPytorch } from '../../../engine/export/pytorch';

const ROOT = join(__dirname, '..', '..', '..');

interface Parity {
  readonly file: string;
  readonly refused?: string;
  readonly sha256?: string;
  readonly state_dict?: string[];
  readonly outputs?: Record<string, number>;
  readonly grads?: Record<string, number>;
  readonly loss?: number;
  readonly input_delta?: number;
  readonly max_error?: number;
  readonly passed?: boolean;
}
const fixture = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/torch/export.json'), 'utf8')) as {
  tolerance: number;
  networks: Parity[];
};

function exported(file: string): string {
  return exportPytorch(check(readFileSync(join(ROOT, file), 'utf8')), basename(file));
}

describe('PyTorch export', () => {
  it('the parity fixture covers every example and fixture network', () => {
    const onDisk = [
      ...readdirSync(join(ROOT, 'examples')).map((f) => `examples/${f}`),
      ...readdirSync(join(ROOT, 'examples/zoo')).map((f) => `examples/zoo/${f}`),
      ...readdirSync(join(ROOT, 'test/fixtures/torch/networks')).map((f) => `test/fixtures/torch/networks/${f}`),
    ].filter((f) => f.endsWith('.cnn'));
    assert.deepEqual(fixture.networks.map((n) => n.file).sort(), onDisk.sort());
    assert.equal(fixture.tolerance, 1e-9);
  });

  const torchName = { W: 'weight', b: 'bias', gamma: 'weight', beta: 'bias' } as const;
  const stateDict = (file: string) =>
    check(readFileSync(join(ROOT, file), 'utf8')).layers.flatMap((l) =>
      l.params.map((p) => `${l.name}.${torchName[p.name]}`),
    );
  for (const n of fixture.networks) {
    if (n.refused) {
      it(`${n.file} is refused as PyTorch saw it refused`, () => {
        assert.throws(
          () => exported(n.file),
          (e) => isExportError(e) && n.refused === `${n.file}: cannot export to pytorch: ${e.message}`,
        );
      });
      continue;
    }
    it(`${n.file}: the export PyTorch ran, outputs, loss, gradients and δx within 1e-9`, () => {
      const text = exported(n.file);
      assert.equal(
        createHash('sha256').update(text).digest('hex'),
        n.sha256,
        'the export changed: run /usr/bin/python3 scripts/torch/export_parity.py again',
      );
      const errors = [n.loss!, n.input_delta!, ...Object.values(n.outputs!), ...Object.values(n.grads!)];
      assert.ok(
        errors.every((e) => e <= 1e-9),
        `largest error ${Math.max(...errors)}`,
      );
      assert.equal(n.passed, true);
      // Every layer's output was compared, not only the last.
      const analysis = check(readFileSync(join(ROOT, n.file), 'utf8'));
      assert.deepEqual(Object.keys(n.outputs!).sort(), analysis.layers.map((l) => l.name).sort());
      assert.deepEqual(n.state_dict, stateDict(n.file));
    });
  }

  it('a layer named after an nn.Module attribute is refused, naming the layer', () => {
    assert.throws(
      () => exportPytorch(check('input 3x4x4\nforward: conv 2 3x3\nrelu\n')),
      (e) =>
        e instanceof ExportError &&
        e.layer === 'forward' &&
        /nn\.Module already has an attribute 'forward'/.test(e.message),
    );
  });

  it('a layer named with a Python keyword keeps its name as the state_dict key through setattr', () => {
    const text = exportPytorch(check('input 3x4x4\npass: conv 2 3x3\nrelu\n'));
    assert.match(text, /^ {8}setattr\(self, "pass", nn\.Conv2d\(3, 2, kernel_size=\(3, 3\)\)\)/m);
    assert.match(text, /^ {8}pass_ = getattr\(self, "pass"\)\(x\)/m);
    assert.match(text, /^ {8}relu1 = self\.relu1\(pass_\)/m);
  });

  it('blocks: one class per block, its parameters as constructor arguments, a repeat an nn.ModuleDict keyed "1", "2"', () => {
    const text = exported('examples/blocks.cnn');
    assert.equal(text.match(/^class Basic\(nn\.Module\):$/gm)?.length, 1);
    assert.match(text, /^ {4}def __init__\(self, in_channels, c\):$/m);
    assert.match(
      text,
      /^ {8}self\.conv1 = nn\.Conv2d\(in_channels, c, kernel_size=\(3, 3\), padding=\(1, 1\), bias=False\)$/m,
    );
    assert.match(text, /^ {4}def __init__\(self, in_channels, c, stride=2\):$/m);
    assert.match(text, /^ {8}self\.pool1 = nn\.AvgPool2d\(kernel_size=\(stride, stride\), stride=\(stride, stride\)/m);
    assert.match(
      text,
      /^ {8}self\.layer1 = nn\.ModuleDict\(\{\n {12}"1": Basic\(16, 16\),\n {12}"2": Basic\(16, 16\),\n {8}\}\)/m,
    );
    assert.match(text, /^ {8}self\.layer2_1 = Down\(16, 32\) {2}# -> 32×16×16$/m);
    assert.match(text, /^ {8}for block in self\.layer1\.values\(\):\n {12}layer1 = block\(layer1\) {2}# N×16×32×32$/m);
  });

  it('nested blocks: a use inside a block is built from the enclosing parameters and the channels arriving', () => {
    const text = exported('examples/zoo/mobilenet_v3_small.cnn');
    assert.match(text, /^ {4}def __init__\(self, in_channels, e, c, s, stride=1\):$/m);
    assert.match(text, /^ {8}self\.block_1 = ConvBnHs\(e, e, 5, stride=stride, groups=e\)$/m);
    assert.match(text, /^ {8}self\.block_2 = SqueezeExcite\(e, e, s\)$/m);
    assert.match(
      text,
      /^ {8}self\._0 = nn\.Conv2d\(in_channels, c, kernel_size=\(k, k\), stride=\(stride, stride\), padding=\(\(k - 1\) \/\/ 2, \(k - 1\) \/\/ 2\), groups=groups, bias=False\)$/m,
    );
  });

  it('a block whose uses differ in what no parameter gives is refused, naming the block and its layer', () => {
    const src = 'block p m\n    pool m 2x2\nend\ninput 3x8x8\na: p max\nb: p mean\nflatten\ndense 2\n';
    assert.throws(
      () => exportPytorch(check(src)),
      (e) =>
        isExportError(e) &&
        e.layer === 'pool1' &&
        /^block p: its layer pool1 is nn\.MaxPool2d\(.*\) in one use and nn\.AvgPool2d\(/.test(e.message),
    );
  });

  it('a layer inside a use read from outside it is refused, naming it', () => {
    const src =
      'block b c\n    conv1: conv c 3x3 pad=1\n    relu\nend\ninput 3x8x8\nu: b 4\nv: conv 4 1x1 from=u.conv1\n';
    assert.throws(
      () => exportPytorch(check(src)),
      (e) =>
        isExportError(e) &&
        e.layer === 'u.conv1' &&
        /only the use's own name \(its output\) can be read/.test(e.message),
    );
  });

  it('a network with errors is refused with its first error', () => {
    assert.throws(
      () => exportPytorch(check('input 3x4x4\nconv 2 9x9\n')),
      (e) => e instanceof ExportError && /the network has 1 error \(line 2: .*\)/.test(e.message),
    );
  });
});
