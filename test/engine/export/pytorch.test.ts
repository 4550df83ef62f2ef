/**
 * PyTorch export against real PyTorch: scripts/torch/export_parity.py exported every example and fixture network,
 * loaded a `run --dump`'s parameters into it by name and compared outputs, loss, gradients and the input's δ
 * (test/fixtures/torch/export.json). These tests hold the export to that run: the text must hash to what PyTorch
 * checked (run the script again after changing the export), every network must have passed at 1e-9, and the
 * state_dict keys PyTorch reported must be DSL.md's `LAYER.weight` / `LAYER.bias`.
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
      ...readdirSync(join(ROOT, 'test/fixtures/torch/networks')).map((f) => `test/fixtures/torch/networks/${f}`),
    ].filter((f) => f.endsWith('.cnn'));
    assert.deepEqual(fixture.networks.map((n) => n.file).sort(), onDisk.sort());
    assert.equal(fixture.tolerance, 1e-9);
  });

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
      const torchName = { W: 'weight', b: 'bias', gamma: 'weight', beta: 'bias' } as const;
      assert.deepEqual(
        n.state_dict,
        analysis.layers.flatMap((l) => l.params.map((p) => `${l.name}.${torchName[p.name]}`)),
      );
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

  it('a network with errors is refused with its first error', () => {
    assert.throws(
      () => exportPytorch(check('input 3x4x4\nconv 2 9x9\n')),
      (e) => e instanceof ExportError && /the network has 1 error \(line 2: .*\)/.test(e.message),
    );
  });
});
