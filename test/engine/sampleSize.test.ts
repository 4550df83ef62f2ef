/**
 * `sample size=HxW` (docs/language.md, "`sample`"): read with exact ranges; a network that breaks at the size
 * is a `bad-value` at it naming the first layer that breaks and why; `check` keeps the declared shapes; runs
 * and gradient checks run at the size, and their numbers are those of the network declared at that size. The
 * CLI says the size it ran at (text and JSON).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { check, runsAt } from '../../engine';
import { gradcheck, sampleRun } from '../../engine/run';
import { diagnose, only, shapes } from './util';

const NET = `input 3x32x32
c1: conv 4 3x3 pad=1
    relu6
p: pool max 2
c2: conv 6 3x3 pad=1
    silu
g: pool mean 2
flatten
fc: dense 5
loss mse
`;
const AT_8 = `sample size=8x8\n${NET}`;

describe('sample size=', () => {
  it('is read as H×W (N as N×N); check keeps the declared shapes', () => {
    const a = check(AT_8);
    assert.deepEqual(a.diagnostics, []);
    assert.deepEqual(a.sample.size, [8, 8]);
    assert.deepEqual(check(`sample size=12\n${NET}`).sample.size, [12, 12]);
    const s = shapes(AT_8);
    assert.deepEqual([s.c1, s.p, s.g, s.fc], [[4, 32, 32], [4, 16, 16], [6, 8, 8], [5]]);
  });

  it('bad values at their exact ranges: a zero (at the dimension), three numbers, a word, given twice, an unknown option', () => {
    assert.deepEqual(diagnose(`sample size=0x8\n${NET}`), [
      { code: 'bad-value', severity: 'error', line: 1, text: '0' },
    ]);
    assert.deepEqual(diagnose(`sample size=8x8x8\n${NET}`), [
      { code: 'bad-value', severity: 'error', line: 1, text: '8x8x8' },
    ]);
    assert.deepEqual(diagnose(`sample size=big\n${NET}`), [
      { code: 'bad-value', severity: 'error', line: 1, text: 'big' },
    ]);
    assert.deepEqual(diagnose(`sample size=8 size=16\n${NET}`), [
      { code: 'syntax', severity: 'error', line: 1, text: 'size' },
    ]);
    assert.equal(
      only(`sample sise=8\n${NET}`, 'unknown-option').d.message,
      "sample has no option 'sise'; did you mean 'size'?",
    );
    assert.equal(
      only(`sample depth=8\n${NET}`, 'unknown-option').d.message,
      "sample has no option 'depth'; it takes batch, seed, size",
    );
  });

  it('a vector input has no H×W: bad-value at the size', () => {
    const text = 'sample size=4x4\ninput 10\nfc: dense 2\nloss mse\n';
    const { d } = only(text, 'bad-value');
    assert.equal(text.slice(d.range.start, d.range.end), '4x4');
    assert.equal(d.message, "sample size=4x4: the size is a C×H×W input's H×W, but the input is a vector of 10");
  });

  it('a network that breaks at the size: bad-value at the size naming the first layer that breaks and why, related to it', () => {
    const text = `sample size=2x2\n${NET}`;
    const { a, d } = only(text, 'bad-value');
    assert.equal(text.slice(d.range.start, d.range.end), '2x2');
    assert.equal(a.lines.position(d.range.start).line, 1);
    assert.equal(
      d.message,
      'sample size=2x2: at 3×2×2 the network does not check; g: the 2×2 window is larger than its padded input 1×1 (silu1 gives 6×1×1); the output would be empty',
    );
    assert.equal(text.slice(d.related![0].range.start, d.related![0].range.end), '2');
    assert.equal(a.lines.position(d.related![0].range.start).line, 8);
    assert.equal(a.sample.size, undefined);
    // The declared network's shapes are unaffected.
    assert.deepEqual(shapes(text).fc, [5]);
  });

  it('says nothing about the size of a network that does not check at its own size', () => {
    const broken = `sample size=2x2\n${NET.replace('c2: conv 6 3x3 pad=1', 'c2: conv 6 3x3 pad=1 in=5')}`;
    assert.deepEqual(
      diagnose(broken).map((d) => d.code),
      ['channel-mismatch'],
    );
  });

  it('judges memory at the size runs use: too large at the declared size but not at the sample size is clean', () => {
    // At 3×512×512 a batch-2 run needs about 51 MB; at 8×8 about 0.03 MB.
    const big = NET.replace('3x32x32', '3x512x512');
    const limit = 16 * 2 ** 20;
    assert.deepEqual(
      check(big, { memoryLimit: limit }).diagnostics.map((d) => d.code),
      ['too-large'],
    );
    assert.deepEqual(check(`sample size=8x8\n${big}`, { memoryLimit: limit }).diagnostics, []);
    // Too large at the sample size as well: one bad-value at the size, not a second too-large for the declared size.
    const atSize = check(`sample size=256x256\n${big}`, { memoryLimit: limit }).diagnostics;
    assert.deepEqual(
      atSize.map((d) => d.code),
      ['bad-value'],
    );
    assert.match(
      atSize[0].message,
      /^sample size=256x256: at 3×256×256 the network does not check; a sample run of batch 2 would need /,
    );
  });

  it('runs at the size: every number equals a run of the network declared at that size', () => {
    const atSize = sampleRun(check(AT_8), { batch: 2, seed: 3 });
    const declared = sampleRun(check(NET.replace('3x32x32', '3x8x8')), { batch: 2, seed: 3 });
    assert.deepEqual(atSize.input.shape, [2, 3, 8, 8]);
    assert.deepEqual(atSize, declared);
    assert.deepEqual(
      runsAt(check(AT_8)).layers.map((l) => l.output),
      check(NET.replace('3x32x32', '3x8x8')).layers.map((l) => l.output),
    );
  });

  it('gradient checks run at the size and say so; without one, at the declared size', async () => {
    const r = await gradcheck(check(AT_8));
    assert.equal(r.passed, true);
    assert.deepEqual(r.input, [3, 8, 8]);
    assert.deepEqual((await gradcheck(check('input 2x3x3\nc: conv 1 3\nloss mse\n'))).input, [2, 3, 3]);
  });
});

describe('sample size= in docs/language.md', () => {
  const doc = readFileSync(resolve(__dirname, '../../docs/language.md'), 'utf8');
  const section = doc.slice(doc.indexOf('**`size=HxW`**'), doc.indexOf('### `backward`'));

  it("the example is this test's network, and the quoted message is the checker's", () => {
    assert.equal(/```cnn\n([^]*?)```/.exec(section)![1], AT_8);
    const { d } = only(`sample size=2x2\n${NET}`, 'bad-value');
    assert.ok(section.replace(/\n/g, ' ').includes(`(\`${d.message}\`)`), d.message);
  });
});

describe('sample size= in the CLI (dist/cli.js)', function () {
  this.timeout(60_000);
  const ROOT = resolve(__dirname, '../..');
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
  const dir = mkdtempSync(join(tmpdir(), 'cnn-lens-size-'));
  const file = join(dir, 'net.cnn');
  writeFileSync(file, AT_8);

  it('run and gradcheck say the input size they ran at, in text and JSON; check reports the declared shapes', () => {
    const dump = join(dir, 'net.json');
    const run = cli('run', file, '--dump', dump);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /: batch 2, seed 1, input 3×8×8, loss /);
    assert.deepEqual(JSON.parse(readFileSync(dump, 'utf8')).input.shape, [2, 3, 8, 8]);
    const text = cli('gradcheck', file);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout.split('\n')[0], /gradient check passed \(.*batch 2, seed 1, input 3×8×8; loss /);
    const json = cli('gradcheck', file, '--json');
    assert.deepEqual(JSON.parse(json.stdout).input, [3, 8, 8]);
    const checked = JSON.parse(cli('check', file, '--json').stdout);
    assert.deepEqual(checked.layers.find((l: { name: string }) => l.name === 'c1').output, [4, 32, 32]);
  });
});
