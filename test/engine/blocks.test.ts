/** Blocks: parsing with exact ranges, expansion into full names, arithmetic, and diagnostics inside blocks. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, parse } from '../../engine';
import { backpropSteps } from '../../engine/editor/walkthrough';
import {
  blockUseAt,
  blockUseMarkdown,
  completionsAt,
  definitionOf,
  occurrenceAt,
  outline,
  renameEdits,
  shapeHints,
} from '../../engine/editor';
import type { BlockStatement } from '../../engine/syntax';
import { gradcheck, withFault } from '../../engine/run';
import { sampleNetworks } from '../networks';
import { diagnose, seen } from './util';

/** A residual block with its projection, and one without: the ResNet stages' two blocks. */
const BLOCKS = `block basic c stride=1
    conv c 3x3 stride=stride pad=1 bias=false
    batchnorm
    relu
    conv c 3x3 pad=1 bias=false
    bn2: batchnorm
    add bn2 input
    relu
end
block down c stride=2
    conv c 3x3 stride=stride pad=1 bias=false
    bn1: batchnorm
    relu
    conv c 3x3 pad=1 bias=false
    bn2: batchnorm
    proj: conv c 1x1 stride=stride bias=false from=input
    pbn: batchnorm
    add bn2 pbn
    relu
end
`;

const at = (text: string, needle: string, nth = 0) => {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = text.indexOf(needle, i + 1);
  return { start: i, end: i + needle.length };
};

describe('blocks', () => {
  describe('parsing', () => {
    it('a block: its name, parameters with defaults, body and end, each with its range', () => {
      const text = 'block bottleneck c stride=1 expand=4\n  conv c 1x1\n  conv c*expand 1x1\nend\ninput 3x8x8\n';
      const doc = parse(text);
      assert.deepEqual(doc.diagnostics, []);
      const b = doc.statements[0] as BlockStatement;
      assert.equal(b.type, 'block');
      assert.deepEqual(b.name!.range, at(text, 'bottleneck'));
      assert.deepEqual(
        b.params.map((p) => [p.name.text, p.default?.text]),
        [
          ['c', undefined],
          ['stride', '1'],
          ['expand', '4'],
        ],
      );
      assert.deepEqual(b.params[2].default!.range, at(text, '4'));
      assert.equal(b.body.length, 2);
      assert.deepEqual(b.end, at(text, 'end'));
      assert.deepEqual(b.range, { start: 0, end: at(text, 'end').end });
      assert.deepEqual(b.header, at(text, 'block bottleneck c stride=1 expand=4'));
      // The arithmetic is one value, its range the whole expression.
      const arg = b.body[1].type === 'layer' ? b.body[1].args[0] : undefined;
      assert.equal(arg?.kind, 'expr');
      assert.deepEqual(arg?.range, at(text, 'c*expand'));
      assert.equal(doc.statements[1].type, 'input');
    });

    it('a missing end at the end of the file is reported at `block NAME`; the block keeps its body', () => {
      const text = 'input 3x8x8\nblock b c\n  conv c 3x3\n';
      const doc = parse(text);
      assert.deepEqual(
        doc.diagnostics.map((d) => [d.code, text.slice(d.range.start, d.range.end), d.message]),
        [['syntax', 'block b', 'block b has no `end` before the end of the file']],
      );
      assert.equal((doc.statements[1] as BlockStatement).body.length, 1);
    });

    it('a missing end before the next block ends the first block there', () => {
      const text = 'block a c\n  conv c 3x3\nblock b c\n  relu\nend\n';
      const doc = parse(text);
      assert.deepEqual(
        doc.diagnostics.map((d) => [text.slice(d.range.start, d.range.end), d.message]),
        [['block a', 'block a has no `end` before the next block, on line 3']],
      );
      assert.deepEqual(
        doc.statements.map((s) => (s as BlockStatement).body.length),
        [1, 1],
      );
    });

    it('a stray end and a forbidden statement inside a block are syntax errors at their keyword', () => {
      const text = 'end\nblock b\n  relu\n  input 3x8x8\nend\n';
      assert.deepEqual(
        diagnose(text).filter((d) => d.code === 'syntax'),
        [
          { code: 'syntax', severity: 'error', line: 1, text: 'end' },
          { code: 'syntax', severity: 'error', line: 4, text: 'input' },
        ],
      );
      const doc = parse(text);
      assert.match(doc.diagnostics[1].message, /`input` cannot be inside a block \(block b, line 2\)/);
      // The input is kept, at the top level.
      assert.equal(doc.statements.filter((s) => s.type === 'input').length, 1);
    });

    it('a parameter without a default after one with a default, and arithmetic that stops short, are syntax errors', () => {
      assert.deepEqual(
        diagnose('block b s=1 c\nend\n')
          .filter((d) => d.code === 'syntax')
          .map((d) => d.text),
        ['c'],
      );
      assert.deepEqual(
        diagnose('block b c\n  conv (c+1 3x3\nend\n')
          .filter((d) => d.code === 'syntax')
          .map((d) => d.text),
        ['3x3'],
      );
    });

    it('outside a block, arithmetic is not a value', () => {
      assert.deepEqual(
        diagnose('input 3x8x8\nconv 2*4 3x3\n').map((d) => [d.code, d.text]),
        [['syntax', '*']],
      );
    });
  });

  describe('expansion', () => {
    it("repeat=2 names each use U.i and its layers U.i.L; `input` is each use's input; a use's name is its output", () => {
      const text = `${BLOCKS}input 3x8x8\nstem: conv 4 3x3 pad=1\nlayer1: basic 4 repeat=2 -> 4x8x8\nfc: dense 10 from=layer1\n`;
      const a = check(text);
      assert.deepEqual(
        a.diagnostics.map((d) => [d.severity, d.message]),
        [['hint', 'block down is never used: no layer statement names it as its kind']],
      );
      const names = a.layers.map((l) => l.name);
      assert.deepEqual(names.slice(0, 8), [
        'stem',
        'layer1.1.conv1',
        'layer1.1.batchnorm1',
        'layer1.1.relu1',
        'layer1.1.conv2',
        'layer1.1.bn2',
        'layer1.1.add1',
        'layer1.1.relu2',
      ]);
      assert.equal(names[8], 'layer1.2.conv1');
      const byName = new Map(a.layers.map((l) => [l.name, l]));
      assert.deepEqual(byName.get('layer1.1.add1')!.inputs, ['layer1.1.bn2', 'stem']);
      assert.deepEqual(byName.get('layer1.2.add1')!.inputs, ['layer1.2.bn2', 'layer1.1.relu2']);
      assert.deepEqual(byName.get('layer1.2.conv1')!.inputs, ['layer1.1.relu2']);
      assert.deepEqual(byName.get('fc')!.inputs, ['layer1.2.relu2']);
      assert.equal(byName.get('layer1.1.conv1')!.paramCount, 4 * 4 * 9);
      assert.deepEqual(byName.get('layer1.2.relu2')!.output, [4, 8, 8]);
      // Each layer is where its statement is written: the block's body.
      assert.equal(byName.get('layer1.2.bn2')!.line, 6);
      assert.deepEqual(byName.get('layer1.2.bn2')!.use, {
        name: 'layer1.2',
        block: 'basic',
        description: 'basic 4',
        top: byName.get('layer1.2.bn2')!.use!.top,
        topName: 'layer1',
      });
    });

    it("names from outside reach into a use (from=layer2.1.bn2), and a repetition's name is its output", () => {
      const text = `${BLOCKS}input 3x8x8\nlayer2: down 8 repeat=2\nx: conv 5 1x1 from=layer2.1.bn2\ny: conv 5 1x1 from=layer2.1\nadd x y\n`;
      const a = check(text);
      assert.deepEqual(
        a.diagnostics.filter((d) => d.severity === 'error'),
        [],
      );
      const byName = new Map(a.layers.map((l) => [l.name, l]));
      assert.deepEqual(byName.get('x')!.inputs, ['layer2.1.bn2']);
      assert.deepEqual(byName.get('x')!.output, [5, 4, 4]);
      assert.deepEqual(byName.get('y')!.inputs, ['layer2.1.relu2']);
      assert.deepEqual(byName.get('layer2.2.proj')!.inputs, ['layer2.1.relu2']);
      assert.deepEqual(byName.get('layer2.2.relu2')!.output, [8, 2, 2]);
    });

    it('an unnamed use is named like a layer (basic1), and top-level layers keep their own count', () => {
      const text = `${BLOCKS}input 4x8x8\nbasic 4\nconv 4 1x1\nbasic 4\n`;
      const names = check(text).layers.map((l) => l.name);
      assert.deepEqual([names[0], names[7], names[8]], ['basic1.conv1', 'conv1', 'basic2.conv1']);
    });

    it('integer arithmetic: + − * / and parentheses, defaults and named arguments', () => {
      const text =
        'block b c k=2 expand=4\n  conv c*expand 1x1\n  conv (c+1)*k 1x1\n  conv c-1 1x1\n  conv c/k+c 1x1\nend\ninput 3x4x4\nu: b 6 expand=3\n';
      const a = check(text);
      assert.deepEqual(a.diagnostics, []);
      assert.deepEqual(
        a.layers.map((l) => l.output![0]),
        [18, 14, 5, 9],
      );
    });

    it('blocks use blocks: full names nest, and arguments flow through', () => {
      const text =
        'block pair c\n  conv c 1x1\n  relu\nend\nblock quad c\n  first: pair c\n  second: pair c*2\nend\ninput 3x4x4\nq: quad 5\n';
      const a = check(text);
      assert.deepEqual(a.diagnostics, []);
      assert.deepEqual(
        a.layers.map((l) => [l.name, l.output![0]]),
        [
          ['q.first.conv1', 5],
          ['q.first.relu1', 5],
          ['q.second.conv1', 10],
          ['q.second.relu1', 10],
        ],
      );
    });

    it("backward rules inside a block hold in every use, under each layer's full name", () => {
      const text = 'block b c\n  r: relu\n  backward r: dx = dy .* step(x)\nend\ninput 3x4x4\nu: b 1 repeat=3\n';
      const a = check(text);
      assert.deepEqual(a.diagnostics, []);
      assert.deepEqual(
        a.rules.map((r) => [r.layer, r.target]),
        [
          ['u.1.r', 'dx'],
          ['u.2.r', 'dx'],
          ['u.3.r', 'dx'],
        ],
      );
    });
  });

  describe('diagnostics', () => {
    it('an error inside a block used three times: one diagnostic at the body naming the uses, one at each use', () => {
      const text =
        'block res c\n  conv c 3x3 pad=1\n  add conv1 input\nend\ninput 8x6x6\nu1: res 16 from=input\nu2: res 16 from=input\nu3: res 32 from=input\nconcat u1 u2 u3\n';
      const a = check(text);
      const found = a.diagnostics.filter((d) => d.code === 'channel-mismatch');
      assert.deepEqual(
        found.map((d) => seen(a, d)),
        [
          { code: 'channel-mismatch', severity: 'error', line: 3, text: 'input' },
          { code: 'channel-mismatch', severity: 'error', line: 6, text: 'res' },
          { code: 'channel-mismatch', severity: 'error', line: 7, text: 'res' },
          { code: 'channel-mismatch', severity: 'error', line: 8, text: 'res' },
        ],
      );
      const body = found[0];
      assert.equal(
        body.message,
        'u1.add1 (res 16): input is 8×6×6 but u1.conv1 is 16×6×6; add needs the same channels; the same in u2.add1 (res 16), u3.add1 (res 32)',
      );
      assert.deepEqual(
        body.related!.slice(-3).map((r) => text.slice(r.range.start, r.range.end)),
        ['u1: res 16 from=input', 'u2: res 16 from=input', 'u3: res 32 from=input'],
      );
      assert.equal(
        found[3].message,
        'u3: a problem inside block res: u3.add1 (res 32): input is 8×6×6 but u3.conv1 is 32×6×6; add needs the same channels',
      );
      assert.deepEqual(
        found[3].related!.map((r) => text.slice(r.range.start, r.range.end)),
        ['input'],
      );
      assert.equal(a.diagnostics.length, 4);
    });

    it('the message names the use and its arguments: layer2.1.conv1 (bottleneck 128 stride=2)', () => {
      const text =
        'block bottleneck c stride=1\n  conv c 9x9 stride=stride\nend\ninput 3x8x8\nlayer2: bottleneck 128 stride=2 repeat=2\n';
      const a = check(text);
      const [body, use] = a.diagnostics;
      assert.deepEqual(seen(a, body), { code: 'empty-output', severity: 'error', line: 2, text: '9x9' });
      assert.match(body.message, /^layer2\.1\.conv1 \(bottleneck 128 stride=2\): /);
      assert.deepEqual(seen(a, use), { code: 'empty-output', severity: 'error', line: 5, text: 'bottleneck' });
      assert.equal(a.diagnostics.length, 2);
    });

    it('a wrong argument is reported at the use: missing, unknown (did you mean), one too many, the wrong kind', () => {
      const blocks = 'block b c stride=1\n  conv c 3x3 stride=stride\n  conv c*2 1x1\nend\ninput 3x8x8\n';
      assert.deepEqual(
        diagnose(`${blocks}u: b\n`).filter((d) => d.severity === 'error'),
        [{ code: 'syntax', severity: 'error', line: 6, text: 'b' }],
      );
      const unknown = check(`${blocks}u: b 4 strid=2\n`).diagnostics.filter((d) => d.severity === 'error');
      assert.deepEqual(
        unknown.map((d) => [d.code, d.message]),
        [['unknown-option', "u (block b c stride=1) has no option 'strid'; did you mean 'stride'?"]],
      );
      assert.deepEqual(unknown[0].fixes![0].edits[0].newText, 'stride');
      assert.deepEqual(
        diagnose(`${blocks}u: b 4 2 9\n`).filter((d) => d.severity === 'error'),
        [{ code: 'syntax', severity: 'error', line: 6, text: '9' }],
      );
      // c goes into arithmetic, so a kernel-like 3x3 is the wrong kind of value: at the use, where it is written.
      const wrong = check(`${blocks}u: b 3x3\n`);
      assert.deepEqual(
        wrong.diagnostics.filter((d) => d.severity === 'error').map((d) => seen(wrong, d)),
        [
          { code: 'bad-value', severity: 'error', line: 6, text: '3x3' },
          { code: 'bad-value', severity: 'error', line: 6, text: '3x3' },
        ],
      );
      assert.match(
        wrong.diagnostics[1].message,
        /c is used in arithmetic \(c\*2\), so it takes a whole number, not '3x3'/,
      );
    });

    it('a recursive pair of blocks: an error at the use that closes the loop', () => {
      const text = 'block a c\n  b c\nend\nblock b c\n  a c\nend\ninput 3x4x4\na 2\n';
      const a = check(text);
      assert.deepEqual(
        a.diagnostics.map((d) => seen(a, d)),
        [{ code: 'recursive-block', severity: 'error', line: 5, text: 'a' }],
      );
      assert.equal(
        a.diagnostics[0].message,
        'block b uses a, which leads back to b (a → b → a); a block cannot contain itself, directly or not',
      );
      const self = check('block s\n  s\nend\ninput 3x4x4\ns\n');
      assert.deepEqual(
        self.diagnostics.map((d) => [seen(self, d).text, d.message]),
        [['s', 'block s uses itself; a block cannot contain itself']],
      );
    });

    it("repeat= where the shape changes in the first use only: the assertion names each repetition's shape", () => {
      const text = `${BLOCKS}input 4x8x8\nlayer2: down 8 repeat=2 -> 8x4x4\n`;
      const a = check(text);
      const errors = a.diagnostics.filter((d) => d.severity === 'error');
      assert.deepEqual(
        errors.map((d) => seen(a, d)),
        [{ code: 'shape-assertion', severity: 'error', line: 22, text: '8x4x4' }],
      );
      assert.match(
        errors[0].message,
        /^layer2: the output is 8×2×2, not 8×4×4 as asserted \(each repetition reads the previous one's output: layer2\.1 gives 8×4×4, layer2\.2 gives 8×2×2; /,
      );
      // The stage written as the language has it: the first use on its own, then the repeated ones.
      assert.deepEqual(
        check(`${BLOCKS}input 4x8x8\nlayer2_1: down 8\nlayer2: basic 8 repeat=3 -> 8x4x4\n`).diagnostics.filter(
          (d) => d.severity === 'error',
        ),
        [],
      );
    });

    it('arithmetic that does not divide is bad-value at the arithmetic, naming the use', () => {
      const text = 'block b c\n  conv c/3 1x1\nend\ninput 3x4x4\nu: b 16\n';
      const a = check(text);
      assert.deepEqual(
        a.diagnostics.map((d) => seen(a, d)),
        [
          { code: 'bad-value', severity: 'error', line: 2, text: 'c/3' },
          { code: 'bad-value', severity: 'error', line: 5, text: 'b' },
        ],
      );
      assert.equal(
        a.diagnostics[0].message,
        "u (b 16): c/3 is 16/3 here, which is not a whole number: a block's arithmetic divides exactly",
      );
      // A name in the arithmetic that is no parameter: once, at the block, whatever its uses.
      assert.deepEqual(
        diagnose('block b c\n  conv c*k 1x1\nend\ninput 3x4x4\nb 2\nb 3\n').map((d) => [d.code, d.line, d.text]),
        [['bad-value', 2, 'k']],
      );
    });

    it('inside a block names are its own: an outside name is undefined-layer at the body', () => {
      const text = 'block b\n  add stem input\nend\ninput 3x4x4\nstem: relu\nb\n';
      const a = check(text);
      const [d] = a.diagnostics.filter((x) => x.code === 'undefined-layer');
      assert.deepEqual(seen(a, d), { code: 'undefined-layer', severity: 'error', line: 2, text: 'stem' });
      assert.match(d.message, /block b has no layer named 'stem' above this line; inside a block, names are its own/);
    });

    it('an unused block is an unused-layer hint, faded; a name with a dot is not a name', () => {
      const a = check('block b\n  relu\nend\ninput 3x4x4\nrelu\n');
      assert.deepEqual(
        a.diagnostics.map((d) => [d.severity, d.code, d.tags]),
        [['hint', 'unused-layer', ['unnecessary']]],
      );
      assert.deepEqual(diagnose('input 3x4x4\na.b: relu\n'), [
        { code: 'syntax', severity: 'error', line: 2, text: 'a.b' },
      ]);
    });

    it('a block named after a layer kind, or defined twice, is an error at its name', () => {
      assert.deepEqual(
        diagnose('input 3x4x4\nblock conv\nend\nblock b\nend\nblock b\nend\n')
          .filter((d) => d.severity === 'error')
          .map((d) => [d.code, d.line]),
        [
          ['syntax', 2],
          ['duplicate-name', 6],
        ],
      );
    });
  });
});

/** docs/language.md's examples of blocks (its "Blocks" section and `recursive-block`), held to what they say. */
describe("docs/language.md's block examples", () => {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'language.md'), 'utf8');
  const section = (from: string, to: string) =>
    doc.slice(doc.indexOf(from), doc.indexOf(to, doc.indexOf(from) + from.length));
  const text = section('\n## Blocks\n', '\n## ') + section('\n### `recursive-block`\n', '\n### ');
  const examples = [...text.matchAll(/```cnn\n([\s\S]*?)```\n(?:```console\n([\s\S]*?)```)?/g)];

  it('has the examples: two clean, three with their diagnostics', () => {
    assert.equal(examples.length, 5);
    assert.equal(examples.filter((m) => m[2]?.includes('net.cnn:')).length, 3);
  });

  examples.forEach(([, cnn, console_], i) => {
    it(`example ${i + 1} (${cnn.split('\n')[0]}): its diagnostics are the ones shown, each at its line and column`, () => {
      const a = check(cnn);
      const printed = a.diagnostics
        .filter((d) => d.severity !== 'hint')
        .map((d) => {
          const { line, column } = a.lines.position(d.range.start);
          return `net.cnn:${line}:${column}: ${d.severity} ${d.code}: ${d.message}`;
        });
      const shown = (console_ ?? '').split('\n').filter((l) => l.startsWith('net.cnn:'));
      assert.deepEqual(printed, shown);
      const exit = /^exit (\d)$/m.exec(console_ ?? '');
      if (exit) assert.equal(exit[1], a.diagnostics.some((d) => d.severity === 'error') ? '1' : '0');
    });
  });

  it("the first example's table rows are the check's layers (name, kind, inputs, output)", () => {
    const [, cnn, console_] = examples[0];
    const rows = console_.split('\n').filter((l) => /^\w+(\.\w+)*\s+(conv|relu|add)\s/.test(l));
    const layers = new Map(check(cnn).layers.map((l) => [l.name, l]));
    for (const row of rows) {
      const [name, kind] = row.split(/\s+/);
      const layer = layers.get(name)!;
      assert.equal(layer.kind, kind);
      assert.ok(row.includes(` ${layer.inputs.join(', ')} `), row);
      assert.ok(row.includes(` ${layer.output!.join('×')} `), row);
    }
    assert.equal(rows.length, 4);
  });
});

describe('the editor on blocks', () => {
  const text = `${BLOCKS}input 4x8x8\nlayer1: basic 4 repeat=2\nlayer2: down 8\nside: conv 8 1x1 from=layer2.bn2\nadd side layer2\n`;
  const a = check(text);
  const lineOf = (offset: number) => a.lines.position(offset).line;

  it("completes block names at the start of a statement, and a use's parameters, repeat= and from=", () => {
    const head = completionsAt(a, text.indexOf('basic 4 repeat'));
    assert.deepEqual(
      head.filter((c) => c.label === 'basic' || c.label === 'down').map((c) => [c.label, c.detail]),
      [
        ['basic', 'basic c stride=1'],
        ['down', 'down c stride=2'],
      ],
    );
    const options = completionsAt(a, text.indexOf(' repeat=2'));
    assert.deepEqual(
      options.map((c) => [c.label, c.insertText, c.detail]),
      [
        ['c', 'c=', 'required'],
        ['stride', 'stride=', 'default 1'],
        ['repeat', 'repeat=', 'default 1'],
        ['from', 'from=', 'default: the line above'],
      ],
    );
  });

  it('a hover on a use gives its expansion: input → output, layers, parameters', () => {
    const use = blockUseAt(a, text.indexOf('basic 4 repeat'))!;
    const md = blockUseMarkdown(use.layers);
    const lines = md.split('\n');
    assert.equal(lines[0], '**layer1** · block `basic` (basic 4) × 2');
    assert.equal(lines[2], 'input 4×8×8 → **4×8×8**');
    assert.equal(
      lines[4],
      `14 layers · ${(2 * (2 * 144 + 2 * 8)).toLocaleString('en-US')} parameters · ${(2 * 2 * 144 * 64).toLocaleString('en-US')} multiply-adds per sample`,
    );
    assert.equal(lines[8], '| layer1.1.conv1 | conv | 4×8×8 | 144 |');
  });

  it('shape hints in a body show the first use and … when there are more; a use shows its output', () => {
    const hints = shapeHints(a);
    const at = (line: number) => hints.filter((h) => lineOf(h.at) === line).map((h) => h.output);
    assert.deepEqual(at(2), ['4×8×8 …']); // basic's first conv: layer1.1, then layer1.2
    assert.deepEqual(at(11), ['8×4×4']); // down's first conv: one use
    assert.deepEqual(at(22), ['4×8×8']);
    assert.deepEqual(at(24), ['8×4×4']);
    assert.equal(hints.filter((h) => lineOf(h.at) === 2)[0].tooltip, 'layer1.1.conv1: 4×8×8\nlayer1.2.conv1: 4×8×8');
  });

  it('the outline nests blocks (their layers) and uses (their repetitions and layers)', () => {
    const nodes = outline(a);
    assert.deepEqual(
      nodes.map((n) => [n.kind, n.name]),
      [
        ['block', 'basic'],
        ['block', 'down'],
        ['input', 'input'],
        ['use', 'layer1'],
        ['use', 'layer2'],
        ['layer', 'side'],
        ['layer', 'add1'],
      ],
    );
    assert.deepEqual(
      nodes[0].children.map((n) => n.name),
      ['conv1', 'batchnorm1', 'relu1', 'conv2', 'bn2', 'add1', 'relu2'],
    );
    assert.deepEqual(
      nodes[3].children.map((n) => [n.name, n.children.length]),
      [
        ['layer1.1', 7],
        ['layer1.2', 7],
      ],
    );
    assert.equal(nodes[4].children[5].name, 'layer2.proj');
  });

  it('the walkthrough marks each step of a use with its group, in backprop order', () => {
    const steps = backpropSteps(a);
    const grouped = steps.filter((s) => s.group).map((s) => `${s.group!.name}:${s.name}`);
    assert.equal(grouped[0], 'layer2:layer2.relu2');
    assert.equal(grouped.at(-1), 'layer1:layer1.1.conv1');
    assert.equal(grouped.length, 14 + 9);
    assert.deepEqual(steps.find((s) => s.name === 'layer1.2.bn2')!.group, { name: 'layer1', description: 'basic 4' });
    assert.equal(steps.find((s) => s.name === 'side')!.group, undefined);
  });

  it("go to definition and rename: a block's names stay in its body; a block's name at its uses; full names from outside", () => {
    // `bn2` in down's `add bn2 pbn` is down's bn2, not basic's.
    const ref = occurrenceAt(a, text.indexOf('add bn2 pbn') + 5)!;
    assert.deepEqual(definitionOf(a, ref.name, ref.scope)!.range, at(text, 'bn2', 2));
    // The block's name where it is used goes to the block.
    const kind = occurrenceAt(a, text.indexOf('down 8') + 1)!;
    assert.deepEqual(definitionOf(a, kind.name, kind.scope)!.range, at(text, 'down'));
    // A full name from outside goes into the body.
    const full = occurrenceAt(a, text.indexOf('layer2.bn2') + 1)!;
    assert.deepEqual(definitionOf(a, full.name, full.scope)!.range, at(text, 'bn2', 2));
    // Renaming basic's bn2 touches basic's body only.
    const renamed = renameEdits(a, text.indexOf('bn2: batchnorm') + 1, 'norm2');
    assert.ok(Array.isArray(renamed));
    assert.deepEqual(
      (renamed as { range: { start: number } }[]).map((e) => lineOf(e.range.start)),
      [6, 7],
    );
    // Renaming the block renames its definition and every use; renaming a use renames the first part of full names.
    assert.deepEqual(
      (renameEdits(a, text.indexOf('down 8'), 'stage') as { range: { start: number } }[]).map((e) =>
        lineOf(e.range.start),
      ),
      [10, 23],
    );
    const use = renameEdits(a, text.indexOf('layer2: down'), 'stage2') as {
      range: { start: number; end: number };
      newText: string;
    }[];
    assert.deepEqual(
      use.map((e) => text.slice(e.range.start, e.range.end)),
      ['layer2', 'layer2', 'layer2'],
    );
    const after = use.reduceRight((t, e) => t.slice(0, e.range.start) + e.newText + t.slice(e.range.end), text);
    assert.deepEqual(
      check(after).diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    assert.ok(after.includes('from=stage2.bn2') && after.includes('add side stage2'));
  });
});

describe('blocks under random networks', () => {
  it("any valid network, put in a block and used once, expands to the same layers under the use's name", () => {
    for (const { source } of sampleNetworks(13, 60)) {
      const lines = source.split('\n');
      const layers = lines.filter((l) => !/^(input|loss) /.test(l));
      const blocked = [
        `block net`,
        ...layers.map((l) => `  ${l}`),
        'end',
        lines[0],
        'u: net',
        ...lines.filter((l) => l.startsWith('loss ')),
      ].join('\n');
      const flat = check(source);
      const a = check(blocked);
      assert.deepEqual(
        a.diagnostics.filter((d) => d.severity === 'error'),
        [],
        blocked,
      );
      const expected = flat.layers.map((l) => [
        `u.${l.name}`,
        l.kind,
        l.inputs.map((n) => (n === 'input' ? n : `u.${n}`)),
        l.output,
        l.paramCount,
      ]);
      assert.deepEqual(
        a.layers.map((l) => [l.name, l.kind, l.inputs, l.output, l.paramCount]),
        expected,
        blocked,
      );
      assert.equal(a.loss, flat.loss);
      // Warnings too: each of the flat network's, at the same statement in the block.
      assert.deepEqual(
        a.diagnostics
          .filter((d) => d.severity === 'warning' && d.range.start < a.document.text.indexOf('\nend'))
          .map((d) => d.code),
        flat.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.code),
        blocked,
      );
    }
  });
});

describe('gradient checks through blocks', function () {
  this.timeout(60_000);
  const text =
    'block res c\n  conv c 3x3 pad=1\n  relu\n  conv c 3x3 pad=1\n  add conv2 input\n  pool mean 2x2\nend\ninput 2x8x8\nu: res 2 repeat=2\nflatten\ndense 3\nsoftmax\n';

  it('passes on a network of blocks, every layer under its full name', async () => {
    const result = await gradcheck(check(text));
    assert.equal(result.passed, true);
    assert.deepEqual(result.layers.map((l) => l.name).slice(1, 7), [
      'u.1.conv1',
      'u.1.relu1',
      'u.1.conv2',
      'u.1.add1',
      'u.1.pool1',
      'u.2.conv1',
    ]);
  });

  it("a fault in one use's layer is blamed on that use's layer, not on the same layer of the other use", async () => {
    const result = await gradcheck(check(text), { overrides: withFault('u.2.pool1', 'mean-pool-no-divide') });
    assert.equal(result.passed, false);
    const byName = new Map(result.layers.map((l) => [l.name, l]));
    assert.equal(byName.get('u.2.pool1')!.delta.passed, true);
    assert.ok(byName.get('u.1.pool1')!.delta.passed === false || byName.get('u.2.add1')!.delta.passed === false);
    assert.ok(
      result.layers.some((l) => l.blame?.includes('u.2.pool1')),
      JSON.stringify(result.layers.map((l) => [l.name, l.blame])),
    );
    assert.ok(!result.layers.some((l) => l.blame?.includes('u.1.pool1')));
  });
});
