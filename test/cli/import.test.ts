/** `cnn-lens import`: the .cnn network on stdout or in `-o OUT`, refusals with exit 1, usage errors with exit 2. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { importTfjs } from '../../tfjs/import';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist', 'cli.js');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return r;
}

const MODEL = `import * as tf from '@tensorflow/tfjs';
export const model = tf.sequential({
  layers: [
    tf.layers.conv2d({ name: 'c1', inputShape: [12, 12, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
    tf.layers.maxPooling2d({ name: 'p1' }),
    tf.layers.flatten({ name: 'f' }),
    tf.layers.dense({ name: 'out', units: 2, kernelRegularizer: 'l2' }),
  ],
});
`;

describe('cnn-lens import', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cnn-lens-import-'));
    writeFileSync(join(dir, 'model.ts'), MODEL);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the network to stdout, exit 0', () => {
    const r = cli('import', join(dir, 'model.ts'));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, importTfjs(MODEL, { fileName: 'model.ts' }));
    assert.match(r.stdout, /^c1: +conv 4 3x3 pad=1 -> 4x12x12$/m);
    assert.match(r.stdout, /^# out: kernelRegularizer: 'l2' dropped \(\.cnn has no regularizers\)$/m);
  });

  it('-o writes the file, which checks clean', () => {
    const out = join(dir, 'model.cnn');
    const r = cli('import', join(dir, 'model.ts'), '-o', out);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${join(dir, 'model.ts')}: wrote ${out}\n`);
    assert.equal(readFileSync(out, 'utf8'), importTfjs(MODEL, { fileName: 'model.ts' }));
    const checked = cli('check', out);
    assert.equal(checked.status, 0, checked.stdout);
  });

  it('a model .cnn cannot express exactly: exit 1, the layer named on stderr, nothing on stdout', () => {
    const r = cli('import', 'examples/tfjs-model.ts');
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^examples\/tfjs-model\.ts: cannot import: dense: tfjs applies dense to the last axis of its 7×7×32 input/,
    );
    const named = cli('import', 'examples/tfjs-model.ts', '--model', 'nope');
    assert.equal(named.status, 1);
    assert.match(named.stderr, /no model named 'nope'; the file builds classifier, residual\n$/);
  });

  it('a .cnn file or no file: usage, exit 2', () => {
    const r = cli('import', 'examples/seed.cnn');
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /^cnn-lens: import reads TensorFlow\.js model code \(\.ts or \.js\), not examples\/seed\.cnn\n/,
    );
    assert.equal(cli('import').status, 2);
  });

  it("docs/language.md's example is what import writes for examples/tfjs-unet.ts", () => {
    const doc = readFileSync(join(ROOT, 'docs/language.md'), 'utf8');
    const block = /```console\n\$ cnn-lens import examples\/tfjs-unet\.ts\n([^`]*)```/.exec(doc);
    assert.ok(block, 'the example is in the docs');
    const r = cli('import', 'examples/tfjs-unet.ts');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, block[1]);
  });
});
