/** `cnn-lens export` as users run it: the built dist/cli.js in a child process. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist', 'cli.js');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return r;
}

describe('cnn-lens export', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cnn-lens-export-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--to pytorch prints the module; -o writes it and says where', () => {
    const printed = cli('export', 'examples/seed.cnn', '--to', 'pytorch');
    assert.equal(printed.status, 0, printed.stderr);
    assert.match(printed.stdout, /^class seed\(nn\.Module\):$/m);
    const out = join(dir, 'seed.py');
    const written = cli('export', 'examples/seed.cnn', '--to', 'pytorch', '-o', out);
    assert.equal(written.status, 0, written.stderr);
    assert.equal(written.stdout, `examples/seed.cnn: wrote ${out}\n`);
    assert.equal(readFileSync(out, 'utf8'), printed.stdout);
  });

  it('a network with errors: exit 1, the reason on stderr, nothing written', () => {
    const out = join(dir, 'mistake.py');
    const r = cli('export', 'examples/seed-mistake.cnn', '--to', 'pytorch', '-o', out);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^examples\/seed-mistake\.cnn: cannot export to pytorch: the network has \d+ errors? \(line \d+: /,
    );
    assert.throws(() => readFileSync(out));
  });

  it('bad usage exits 2: no --to, an unknown target', () => {
    const file = join(dir, 'tiny.cnn');
    writeFileSync(file, 'input 4\ndense 2\n');
    const none = cli('export', file);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /export needs --to pytorch or --to tfjs/);
    const keras = cli('export', file, '--to', 'keras');
    assert.equal(keras.status, 2);
    assert.match(keras.stderr, /--to is pytorch or tfjs, not 'keras'/);
  });
});

describe('cnn-lens export --to tfjs', () => {
  it('prints the TypeScript module, from its own bundle (dist/tfjs.js)', () => {
    const r = cli('export', 'examples/seed.cnn', '--to', 'tfjs');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^export function buildSeed\(\): tf\.LayersModel \{$/m);
    assert.match(
      r.stdout,
      /^ {2}const c1 = tf\.layers\.conv2d\(\{ name: 'c1', filters: 64, kernelSize: \[5, 5\], padding: 'valid' \}\)\.apply\(input\) as tf\.SymbolicTensor; \/\/ 13×13×64$/m,
    );
  });

  it('refuses a layer it cannot write exactly: exit 1, the layer named', () => {
    const r = cli('export', 'examples/inception.cnn', '--to', 'tfjs');
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /^examples\/inception\.cnn: cannot export to tfjs: p: tfjs max pooling pads only as TensorFlow's 'same' does/,
    );
  });
});
