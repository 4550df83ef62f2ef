/** The CLI on a network with blocks: full names in `check --json`, `run --dump`, `gradcheck` and both exports. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist', 'cli.js');
const FILE = 'examples/blocks.cnn';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return r;
}

/** The full names examples/blocks.cnn expands to, in order: the uses' layers between the top-level ones. */
const BASIC = ['conv1', 'batchnorm1', 'relu1', 'conv2', 'bn2', 'add1', 'relu2'];
const DOWN = ['conv1', 'batchnorm1', 'relu1', 'conv2', 'bn2', 'pool1', 'proj', 'pbn', 'add1', 'relu2'];
const NAMES = [
  'stem',
  'stem_bn',
  'relu1',
  ...BASIC.map((l) => `layer1.1.${l}`),
  ...BASIC.map((l) => `layer1.2.${l}`),
  ...DOWN.map((l) => `layer2_1.${l}`),
  ...BASIC.map((l) => `layer2.1.${l}`),
  'head',
  'flatten1',
  'fc',
  'softmax1',
];

describe('cnn-lens on a network with blocks', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cnn-lens-blocks-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("check --json: every layer under its full name, at its line in the block body, the uses' inputs resolved", () => {
    const r = cli('check', FILE, '--json');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.diagnostics, []);
    assert.deepEqual(
      out.layers.map((l: { name: string }) => l.name),
      NAMES,
    );
    // Multiply-adds are the kinds' own business, tested elsewhere.
    const byName = new Map(out.layers.map(({ macs: _, ...l }: { name: string; macs: number }) => [l.name, l]));
    assert.deepEqual(byName.get('layer1.2.add1'), {
      name: 'layer1.2.add1',
      kind: 'add',
      inputs: ['layer1.2.bn2', 'layer1.1.relu2'],
      output: [16, 32, 32],
      params: 0,
      line: 12,
    });
    assert.deepEqual(byName.get('layer2_1.pool1'), {
      name: 'layer2_1.pool1',
      kind: 'pool',
      inputs: ['layer1.2.relu2'],
      output: [16, 16, 16],
      params: 0,
      line: 23,
    });
    assert.deepEqual(byName.get('head'), {
      name: 'head',
      kind: 'pool',
      inputs: ['layer2.1.relu2'],
      output: [32, 1, 1],
      params: 0,
      line: 37,
    });
  });

  it('run --dump: params, outputs and deltas keyed by full names', () => {
    const out = join(dir, 'dump.json');
    const r = cli('run', FILE, '--dump', out, '--batch', '2');
    assert.equal(r.status, 0, r.stderr);
    const dump = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(Object.keys(dump.outputs), NAMES);
    assert.deepEqual(dump.params['layer2_1.proj'].W.shape, [32, 16, 1, 1]);
    assert.deepEqual(Object.keys(dump.params['layer1.1.bn2']), ['gamma', 'beta']);
    assert.deepEqual(dump.deltas['layer1.2.relu2'].shape, [2, 16, 32, 32]);
  });

  it('gradcheck --json: passes, each layer under its full name (the same blocks at 3×6×6)', () => {
    const small = join(dir, 'small.cnn');
    const text = readFileSync(join(ROOT, FILE), 'utf8')
      .replace('input 3x32x32', 'input 3x6x6')
      .replace(/ -> \S+/g, '')
      .replace('pool mean 16x16', 'pool mean 3x3');
    writeFileSync(small, text);
    const r = cli('gradcheck', small, '--json', '--batch', '2');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.passed, true);
    assert.deepEqual(
      out.layers.map((l: { name: string }) => l.name),
      ['input', ...NAMES],
    );
  });

  it('export writes a network with blocks: a PyTorch class and a tfjs function per block, layers under full names', () => {
    const py = cli('export', FILE, '--to', 'pytorch');
    assert.equal(py.status, 0, py.stderr);
    assert.match(py.stdout, /^class Basic\(nn\.Module\):$/m);
    assert.match(py.stdout, /^ {8}self\.layer2_1 = Down\(16, 32\) {2}# -> 32×16×16$/m);
    const ts = cli('export', FILE, '--to', 'tfjs');
    assert.equal(ts.status, 0, ts.stderr);
    assert.match(
      ts.stdout,
      /^function basic\(x: tf\.SymbolicTensor, name: string, c: number\): tf\.SymbolicTensor \{$/m,
    );
    assert.match(ts.stdout, /^ {2}const layer2_1 = down\(layer1, 'layer2_1', 32\); \/\/ 16×16×32$/m);
  });
});
