/**
 * `cnn-lens gradcheck` before a long run: it says on stderr how many evaluations and about how long, and
 * --json's stdout stays one JSON object; Ctrl+C stops it with the layers it finished. The count is checked against one made from `check --json`'s shapes
 * and parameter counts: full mode is two evaluations per coordinate of every activation and parameter.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

  it('Ctrl+C in the default (local) mode: exit 130, the JSON marked cancelled with the layers finished and those not reached', async () => {
    // Every coordinate (--samples far above any tensor's size): input and c take a second, fc's 640,000 weights hours.
    const file = join(mkdtempSync(join(tmpdir(), 'cnn-lens-')), 'slow.cnn');
    writeFileSync(file, 'input 1x6x6\nc: conv 2 3x3\nr: relu\nfc: dense 20000\nsoftmax\n');
    const child = spawn(process.execPath, [CLI, 'gradcheck', file, '--samples', '1000000', '--json'], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((ok) => child.on('exit', ok));
    // The estimate is said before the check starts; input and c are done within seconds of it, even loaded.
    while (!stderr.includes('\n')) await new Promise((ok) => setTimeout(ok, 50));
    await new Promise((ok) => setTimeout(ok, 5_000));
    child.kill('SIGINT');
    assert.equal(await exited, 130);
    const result = JSON.parse(stdout);
    assert.equal(result.cancelled, true);
    assert.equal(result.mode, 'local');
    const kept = result.layers.map((l: { name: string }) => l.name);
    // r's δ waits for fc, its reader: only what every reader finished is judged.
    assert.deepEqual(kept, ['input', 'c']);
    assert.deepEqual(result.unreached, ['r', 'fc', 'softmax1']);
    assert.equal(result.passed, true);
    // Every coordinate of what was kept: input δ 2·1·6·6 and c's δ 2·2·4·4, each with the direction.
    assert.deepEqual([result.layers[0].delta.checked, result.layers[1].delta.checked], [73, 65]);
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
