/**
 * `cnn-lens gradcheck` before a long run: it says on stderr how many evaluations and about how long, and
 * --json's stdout stays one JSON object. The count is checked against one made from `check --json`'s shapes
 * and parameter counts: full mode is two evaluations per coordinate of every activation and parameter.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist', 'cli.js');
const INCEPTION = join(ROOT, 'examples', 'inception.cnn');

/** The first line the CLI writes to stderr; the process is killed then, not left to run for hours. */
function firstStderrLine(...args: string[]): Promise<{ line: string; stdout: string }> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT });
    let err = '';
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill();
      fail(new Error(`no stderr line within 30 s: ${err}`));
    }, 30_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      err += d;
      const end = err.indexOf('\n');
      if (end < 0) return;
      clearTimeout(timer);
      child.kill();
      ok({ line: err.slice(0, end), stdout });
    });
    child.on('error', fail);
  });
}

describe('cnn-lens gradcheck (dist/cli.js)', function () {
  this.timeout(60_000);

  it('inception --mode full --json: says the evaluations (2 per coordinate, batch 2) and about how long, on stderr, before starting', async () => {
    const shapes = JSON.parse(
      spawnSync(process.execPath, [CLI, 'check', INCEPTION, '--json'], { encoding: 'utf8' }).stdout,
    ) as {
      input: number[];
      layers: { output: number[]; params: number }[];
    };
    const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
    const coordinates =
      2 * (size(shapes.input) + shapes.layers.reduce((n, l) => n + size(l.output), 0)) +
      shapes.layers.reduce((n, l) => n + l.params, 0);
    const { line, stdout } = await firstStderrLine('gradcheck', INCEPTION, '--mode', 'full', '--json');
    const m = /^gradcheck: ([\d,]+) evaluations, about ([\d.]+) (s|min|h) \(Ctrl\+C stops it\)$/.exec(line);
    assert.ok(m, line);
    assert.equal(Number(m[1].replaceAll(',', '')), 2 * coordinates);
    // Minutes at least: millions of reruns of a network whose forward pass takes milliseconds.
    assert.ok(m[3] !== 's', line);
    assert.equal(stdout, '');
  });

  it('seed, default (local) mode --json: 315 evaluations, one layer each, and the result passes', () => {
    const r = spawnSync(process.execPath, [CLI, 'gradcheck', join(ROOT, 'examples', 'seed.cnn'), '--json'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 0);
    const result = JSON.parse(r.stdout);
    // A direction and 16 coordinates per checked tensor, one evaluation each where the layer is affine in it, two
    // elsewhere: c1 δx, W, b 3·17; sigmoid 34; p1 15 (2 of its coordinates lie in row or column 13, which no
    // window reads); c2 3·17; sigmoid 34; p2 17; fc δx 17, W 17, b 11 (10 coordinates); softmax's input 34;
    // the output's δ against the loss 34.
    assert.equal(result.evaluations, 51 + 34 + 15 + 51 + 34 + 17 + 45 + 34 + 34);
    assert.equal(result.mode, 'local');
    assert.equal(result.passed, true);
  });

  it('seed, baseline mode --json: stdout is the result alone; stderr has at most the estimate, of 498 evaluations', () => {
    const r = spawnSync(
      process.execPath,
      [CLI, 'gradcheck', join(ROOT, 'examples', 'seed.cnn'), '--mode', 'baseline', '--json'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(r.status, 0);
    // Seed's check takes about a second, so says nothing; on a loaded machine its measured forward pass can be
    // slow enough to pass the 5 s mark, and then the line has the exact count.
    assert.match(r.stderr, /^(gradcheck: 498 evaluations, about [\d.]+ (s|min) \(Ctrl\+C stops it\)\n)?$/);
    assert.equal(JSON.parse(r.stdout).evaluations, 498);
  });
});
