/** `cnn-lens check MODEL.ts`: TensorFlow.js code checked by the built dist/cli.js (and its dist/tfjs.js), in a child process. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist', 'cli.js');
const MODEL = 'examples/tfjs-model.ts';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return r;
}

/** 1-based line and column of the first occurrence of `text` in the example. */
function position(text: string): { line: number; column: number } {
  const source = readFileSync(join(ROOT, MODEL), 'utf8');
  const at = source.indexOf(text);
  assert.ok(at >= 0, text);
  const before = source.slice(0, at).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

describe('cnn-lens check on TensorFlow.js code', function () {
  this.timeout(60_000);

  it("prints each layer's channels-last shape and the diagnostics as FILE:LINE:COL, exit 1 on an error", () => {
    const r = cli('check', MODEL);
    assert.equal(r.status, 1, r.stderr);
    const dense = position("{ units: 10, activation: 'softmax' }");
    const add = position('tf.layers.add()');
    const diagnostics = r.stdout.split('\n').filter((l) => /^[^ ]+:\d+:\d+: /.test(l));
    assert.equal(diagnostics.length, 2);
    assert.match(
      diagnostics[0],
      new RegExp(
        `^${MODEL}:${dense.line}:${dense.column}: warning dense-last-axis: dense: its input is 7×7×32, not a vector: tfjs applies dense to the last axis only`,
      ),
    );
    assert.match(
      diagnostics[1],
      new RegExp(
        `^${MODEL}:${add.line}:${add.column}: error channel-mismatch: add: its inputs have 16 and 32 channels`,
      ),
    );
    assert.match(r.stdout, /^ +13 {2}conv2d +conv2d +14×14×16 +7×7×32 +4,640$/m);
    assert.match(r.stdout, /\n1 error, 1 warning\n$/);
  });

  it("--json: every layer's shape and each diagnostic's exact range, lines and columns from 1", () => {
    const r = cli('check', MODEL, '--json');
    assert.equal(r.status, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(
      out.layers.map((l: { output: number[] | null }) => l.output),
      [[28, 28, 16], [14, 14, 16], [7, 7, 32], [7, 7, 10], [32, 32, 16], [32, 32, 32], null, null],
    );
    const config = "{ units: 10, activation: 'softmax' }";
    const start = position(config);
    assert.deepEqual(
      out.diagnostics.map((d: Record<string, unknown>) => [
        d.code,
        d.severity,
        d.line,
        d.column,
        d.endLine,
        d.endColumn,
      ]),
      [
        ['dense-last-axis', 'warning', start.line, start.column, start.line, start.column + config.length],
        [
          'channel-mismatch',
          'error',
          position('tf.layers.add()').line,
          position('tf.layers.add()').column,
          position('tf.layers.add()').line,
          position('tf.layers.add()').column + 'tf.layers.add()'.length,
        ],
      ],
    );
  });

  it('a .ts file that does not import tfjs, and a clean model: exit 0', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnn-lens-tfjs-'));
    try {
      writeFileSync(join(dir, 'plain.ts'), 'export const x = 1;\n');
      const plain = cli('check', join(dir, 'plain.ts'));
      assert.equal(plain.status, 0);
      assert.match(plain.stdout, /does not import TensorFlow\.js/);
      writeFileSync(
        join(dir, 'ok.js'),
        "const tf = require('@tensorflow/tfjs-node');\nconst m = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [4, 4, 2] }), tf.layers.dense({ units: 3 })] });\n",
      );
      const ok = cli('check', join(dir, 'ok.js'));
      assert.equal(ok.status, 0, ok.stdout);
      assert.match(ok.stdout, /flatten +4×4×2 +32 +0\n.*dense +32 +3 +99\n\nno problems\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
