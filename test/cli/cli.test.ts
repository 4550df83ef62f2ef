/**
 * `cnn-lens check` as users run it: the built dist/cli.js in a child process, on files in a temp folder. Exit
 * status (0 warnings only, 1 errors, 2 bad usage or an unreadable file), where the output goes, docs/language.md's JSON
 * contract with exact values for examples/seed.cnn, the human report's table and `FILE:LINE:COL:` lines.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { rng } from '../random';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist', 'cli.js');
const SEED = join(ROOT, 'examples', 'seed.cnn');
const SEED_TEXT = readFileSync(SEED, 'utf8');

interface Result {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(...args: string[]): Result {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface JsonLayer {
  name: string;
  kind: string;
  inputs: string[];
  output: number[] | null;
  params: number;
  line: number;
}
interface JsonDiagnostic {
  severity: string;
  code: string;
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}
interface CheckJson {
  network: string | null;
  input: number[] | null;
  layers: JsonLayer[];
  diagnostics: JsonDiagnostic[];
}

/** `check --json`: exactly one JSON object on stdout and nothing on stderr. */
function checkJson(file: string, ...flags: string[]): { status: number | null; json: CheckJson } {
  const r = cli('check', file, '--json', ...flags);
  assert.equal(r.stderr, '');
  assert.ok(r.stdout.endsWith('}\n'), `stdout is not one JSON object: ${r.stdout.slice(0, 200)}`);
  return { status: r.status, json: JSON.parse(r.stdout) as CheckJson };
}

/** The text a diagnostic's 1-based, end-exclusive line/column range covers, when it stays on one line. */
function covered(text: string, d: JsonDiagnostic): string {
  assert.equal(d.endLine, d.line);
  return text.split(/\r\n|\r|\n/)[d.line - 1].slice(d.column - 1, d.endColumn - 1);
}

const DIAGNOSTIC_LINE = /^(.+):(\d+):(\d+): (error|warning|info) ([a-z-]+): (.+)$/;

describe('cnn-lens check (dist/cli.js)', function () {
  this.timeout(120_000);
  let dir: string;
  const file = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  before(() => {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, `build failed: ${build.stderr}`);
    dir = mkdtempSync(join(tmpdir(), 'cnn-lens-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('--json on examples/seed.cnn', () => {
    it('has the exact network, input, layers (name, kind, inputs, output, params, line) of docs/language.md', () => {
      const { status, json } = checkJson(SEED);
      assert.equal(status, 0);
      assert.equal(json.network, 'seed');
      assert.deepEqual(json.input, [3, 17, 17]);
      const names = ['c1', 'sigmoid1', 'p1', 'c2', 'sigmoid2', 'p2', 'fc', 'softmax1'];
      assert.deepEqual(
        json.layers.map((l) => ({
          name: l.name,
          kind: l.kind,
          inputs: l.inputs,
          output: l.output,
          params: l.params,
          line: l.line,
        })),
        [
          { name: 'c1', kind: 'conv', inputs: ['input'], output: [64, 13, 13], params: 4864, line: 5 },
          { name: 'sigmoid1', kind: 'sigmoid', inputs: ['c1'], output: [64, 13, 13], params: 0, line: 6 },
          { name: 'p1', kind: 'pool', inputs: ['sigmoid1'], output: [64, 6, 6], params: 0, line: 7 },
          { name: 'c2', kind: 'conv', inputs: ['p1'], output: [96, 2, 2], params: 153696, line: 8 },
          { name: 'sigmoid2', kind: 'sigmoid', inputs: ['c2'], output: [96, 2, 2], params: 0, line: 9 },
          { name: 'p2', kind: 'pool', inputs: ['sigmoid2'], output: [96, 1, 1], params: 0, line: 10 },
          { name: 'fc', kind: 'dense', inputs: ['p2'], output: [10], params: 970, line: 11 },
          { name: 'softmax1', kind: 'softmax', inputs: ['fc'], output: [10], params: 0, line: 12 },
        ],
      );
      assert.deepEqual(
        json.layers.map((l) => l.name),
        names,
      );
    });

    it("has one diagnostic, the pool-remainder warning on p1's kernel: line 7, columns 15 to 18 (one past the last character)", () => {
      const { json } = checkJson(SEED);
      assert.equal(json.diagnostics.length, 1);
      const [d] = json.diagnostics;
      assert.deepEqual(
        { ...d, message: '' },
        { severity: 'warning', code: 'pool-remainder', message: '', line: 7, column: 15, endLine: 7, endColumn: 18 },
      );
      assert.equal(covered(SEED_TEXT, d), '2x2');
      for (const part of ['p1', '12×12', '13×13'])
        assert.ok(d.message.includes(part), `the message names ${part}: ${d.message}`);
    });

    it('gives the same lines and columns for CRLF and CR line endings as for LF', () => {
      const lf = checkJson(SEED).json;
      assert.deepEqual(checkJson(file('crlf.cnn', SEED_TEXT.replace(/\n/g, '\r\n'))).json, lf);
      assert.deepEqual(checkJson(file('cr.cnn', SEED_TEXT.replace(/\n/g, '\r'))).json, lf);
    });
  });

  describe('human output on examples/seed.cnn', () => {
    it('exits 0 with only a warning, nothing on stderr', () => {
      const r = cli('check', SEED);
      assert.equal(r.status, 0);
      assert.equal(r.stderr, '');
    });

    it('has a table with one row per layer, each row its name, kind and output', () => {
      const { json } = checkJson(SEED);
      const lines = cli('check', SEED).stdout.split('\n');
      const rules = lines.flatMap((l, i) => (/^─+$/.test(l) ? [i] : []));
      assert.equal(rules.length, 2, 'a rule above and below the rows');
      const rows = lines.slice(rules[0] + 1, rules[1]);
      assert.equal(rows.length, json.layers.length);
      rows.forEach((row, i) => {
        const l = json.layers[i];
        assert.deepEqual(row.split(/\s+/).slice(0, 2), [l.name, l.kind]);
        assert.ok(row.includes(l.output!.join('×')), `row ${row} shows ${l.output!.join('×')}`);
      });
    });

    it('prints each diagnostic as FILE:LINE:COL: severity code: message, matching --json', () => {
      const { json } = checkJson(SEED);
      const printed = cli('check', SEED)
        .stdout.split('\n')
        .filter((l) => DIAGNOSTIC_LINE.test(l));
      assert.deepEqual(
        printed.map((l) => DIAGNOSTIC_LINE.exec(l)!.slice(1)),
        json.diagnostics.map((d) => [SEED, `${d.line}`, `${d.column}`, d.severity, d.code, d.message]),
      );
    });
  });

  describe('exit status', () => {
    const mismatch = () => file('mismatch.cnn', SEED_TEXT.replace('in=64', 'in=32'));

    it('exits 1 on an error, with its range and unknown shapes downstream in --json', () => {
      const path = mismatch();
      const { status, json } = checkJson(path);
      assert.equal(status, 1);
      const errors = json.diagnostics.filter((d) => d.severity === 'error');
      assert.deepEqual(
        errors.map((d) => [d.code, d.line]),
        [['channel-mismatch', 8]],
      );
      assert.equal(covered(readFileSync(path, 'utf8'), errors[0]), '32');
      assert.deepEqual(
        json.layers.map((l) => l.output),
        [[64, 13, 13], [64, 13, 13], [64, 6, 6], null, null, null, null, null],
      );
    });

    it('exits 1 on an error in human output too, the error printed at its line and column', () => {
      const path = mismatch();
      const r = cli('check', path);
      assert.equal(r.status, 1);
      assert.equal(r.stderr, '');
      const column = readFileSync(path, 'utf8').split('\n')[7].indexOf('32') + 1;
      assert.ok(
        r.stdout.split('\n').some((l) => l.startsWith(`${path}:8:${column}: error channel-mismatch: `)),
        r.stdout,
      );
    });

    it('--memory-limit 1000 makes seed.cnn too large: exit 1 with a too-large error', () => {
      for (const flags of [['--memory-limit', '1000'], ['--memory-limit=1000']]) {
        const { status, json } = checkJson(SEED, ...flags);
        assert.equal(status, 1);
        assert.deepEqual(
          json.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code),
          ['too-large'],
        );
      }
    });

    const usage: [string, () => string[], RegExp][] = [
      ['no arguments at all', () => [], /usage/],
      ['an unknown command', () => ['frob', SEED], /frob/],
      ['an unknown flag', () => ['check', SEED, '--frob'], /--frob/],
      ['no FILE', () => ['check'], /FILE/],
      ['two files', () => ['check', SEED, SEED], /file/],
      ['a file that does not exist', () => ['check', join(dir, 'nope.cnn')], /nope\.cnn/],
      ['a directory', () => ['check', dir], /director/],
      ['--memory-limit without a value', () => ['check', SEED, '--memory-limit'], /--memory-limit/],
      ['--memory-limit that is not a number', () => ['check', SEED, '--memory-limit', 'lots'], /--memory-limit/],
      ['--json with a value', () => ['check', SEED, '--json=yes'], /--json/],
    ];
    for (const [what, args, reason] of usage) {
      it(`exits 2 on ${what}, saying why on stderr and nothing on stdout`, () => {
        const r = cli(...args());
        assert.equal(r.status, 2);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, reason);
        assert.ok(r.stderr.startsWith('cnn-lens: '), r.stderr);
      });
    }

    it('a binary or non-UTF-8 file is checked, not refused: exit 0 or 1, columns inside the file, nothing on stderr', () => {
      const next = rng(11);
      const random = Buffer.from(Array.from({ length: 64 * 1024 }, () => (next() * 256) | 0));
      const files = {
        random,
        invalidUtf8: Buffer.from([
          0x69, 0x6e, 0x70, 0x75, 0x74, 0x20, 0xc3, 0x28, 0x0a, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0x0a, 0xf0, 0x9f, 0x98,
        ]),
        utf16le: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SEED_TEXT, 'utf16le')]),
      };
      for (const [name, content] of Object.entries(files)) {
        const path = file(`${name}.cnn`, content);
        const { status, json } = checkJson(path);
        assert.ok(status === 0 || status === 1, `${name}: exit ${status}`);
        const lineCount = readFileSync(path, 'utf8').split(/\r\n|\r|\n/).length;
        for (const d of json.diagnostics) {
          assert.ok(
            d.line >= 1 && d.endLine >= d.line && d.endLine <= lineCount && d.column >= 1 && d.endColumn >= 1,
            `${name}: ${JSON.stringify(d)}`,
          );
        }
        const human = cli('check', path);
        assert.equal(human.status, status);
        assert.equal(human.stderr, '');
      }
    });
  });

  it("npx cnn-lens check examples/seed.cnn runs the package's own bin from the repo root", () => {
    const r = spawnSync('npx', ['--no-install', 'cnn-lens', 'check', 'examples/seed.cnn'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, cli('check', 'examples/seed.cnn').stdout);
  });
});
