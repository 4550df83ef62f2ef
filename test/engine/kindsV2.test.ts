/**
 * The layer kinds of the language's version 2 made of existing kernels: relu6, gelu, silu, hardswish,
 * hardsigmoid, elu, groupnorm and mul. Their numbers are held to PyTorch by the network fixtures
 * (activations_v2.cnn, se_groupnorm.cnn in test/fixtures/torch/networks); here: shapes, parameters, diagnostics
 * at exact ranges, the kinks a gradient check must not straddle, the engine's own gradient check, and what the
 * kinds tell the exports.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '../../engine';
import { exportPytorch } from '../../engine/export/pytorch';
import { ExportError } from '../../engine/export/target';
import { LAYER_KINDS } from '../../engine/layers';
import type { Step } from '../../engine/layers/kind';
import { knownLayer } from '../../engine/layers/known';
import { gradcheck } from '../../engine/run';
import { applyEdits, diagnose, only, shapes } from './util';

const ACTIVATIONS = ['relu6', 'gelu', 'silu', 'hardswish', 'hardsigmoid', 'elu'];
const FIXTURES = join(__dirname, '../fixtures/torch/networks');

describe('version 2 kinds: shapes and parameters', () => {
  for (const kind of ACTIVATIONS) {
    it(`${kind} keeps a map's and a vector's shape and has no parameters`, () => {
      const a = check(`input 3x5x7\na: ${kind}\nflatten\nb: ${kind}\nloss mse\n`);
      assert.deepEqual(a.diagnostics, []);
      assert.deepEqual(shapes(a.document.text), { a: [3, 5, 7], flatten1: [105], b: [105] });
      assert.deepEqual(
        a.layers.map((l) => l.paramCount),
        [0, 0, 0],
      );
    });
  }

  it('relu6 rectifies (the layer before it draws He-normal weights); the others do not', () => {
    assert.deepEqual(
      ACTIVATIONS.filter((k) => LAYER_KINDS.get(k)!.rectifies),
      ['relu6'],
    );
  });

  it('groupnorm: γ and β of length C, on a map and on a vector', () => {
    const a = check('input 6x4x4\ng: groupnorm 3\nflatten\nv: groupnorm 2 eps=1e-3\nloss mse\n');
    assert.deepEqual(a.diagnostics, []);
    const g = a.layers.find((l) => l.name === 'g')!,
      v = a.layers.find((l) => l.name === 'v')!;
    assert.deepEqual(g.params, [
      { name: 'gamma', shape: [6] },
      { name: 'beta', shape: [6] },
    ]);
    assert.deepEqual([g.output, v.output, v.paramCount], [[6, 4, 4], [96], 192]);
  });

  it('mul: equal shapes, a C×1×1 scale and a vector scale on either side, and δ shapes per operand', () => {
    const base = 'input 4x6x6\nm: conv 4 3\ns: pool mean 4x4\nflatten\nv: dense 4\n';
    const s = (line: string) => shapes(`${base}${line}\nloss mse\n`).x;
    assert.deepEqual(s('x: mul m m'), [4, 4, 4]);
    assert.deepEqual(s('x: mul m s'), [4, 4, 4]);
    assert.deepEqual(s('x: mul s m'), [4, 4, 4]);
    assert.deepEqual(s('x: mul v m'), [4, 4, 4]);
    assert.deepEqual(s('x: mul s v'), [4, 1, 1]);
    const x = check(`${base}x: mul v m\nloss mse\n`).layers.find((l) => l.name === 'x')!;
    assert.deepEqual(x.inputShapes, [[4], [4, 4, 4]]);
    // m also feeds the pooling: the rule gives x's share of its δ.
    assert.equal(
      x.rule,
      "x's share of δ(m) 4×4×4 = δ(x) ⊙ v[c] over each 4×4 channel; δ(v) 4 = Σ over the 4×4 positions of δ(x) ⊙ m",
    );
  });
});

describe('version 2 kinds: diagnostics', () => {
  it('groupnorm whose GROUPS does not divide C: bad-value at GROUPS, relating the channels, fixed to the nearest divisor', () => {
    const text = 'input 3x8x8\nc: conv 16 3\ng: groupnorm 6\n';
    const { a, d } = only(text, 'bad-value');
    assert.equal(text.slice(d.range.start, d.range.end), '6');
    assert.equal(a.lines.position(d.range.start).line, 3);
    assert.equal(d.message, 'g: 6 groups do not divide the 16 channels of c (16×6×6); the nearest that does is 4');
    assert.equal(text.slice(d.related![0].range.start, d.related![0].range.end), '16');
    assert.deepEqual(
      d.fixes!.map((f) => f.title),
      ['Use 4 groups'],
    );
    const fixed = applyEdits(text, d.fixes![0].edits);
    assert.equal(fixed.split('\n')[2], 'g: groupnorm 4');
    assert.deepEqual(
      check(fixed).diagnostics.filter((x) => x.severity === 'error'),
      [],
    );
    // 5 lies between 12's divisors 4 and 6: the smaller; 7 is nearest 6.
    assert.equal(only('input 12x2x2\ngroupnorm 5\n', 'bad-value').d.fixes![0].title, 'Use 4 groups');
    assert.equal(only('input 12x2x2\ngroupnorm 7\n', 'bad-value').d.fixes![0].title, 'Use 6 groups');
    assert.equal(only('input 7x2x2\ngroupnorm 9\n', 'bad-value').d.fixes![0].title, 'Use 7 groups');
  });

  it('groupnorm: a missing GROUPS is syntax at the kind, zero groups and eps=0 are bad-value at the value', () => {
    assert.deepEqual(diagnose('input 4\ngroupnorm\n'), [
      { code: 'syntax', severity: 'error', line: 2, text: 'groupnorm' },
    ]);
    assert.deepEqual(diagnose('input 4\ngroupnorm 0\n'), [
      { code: 'bad-value', severity: 'error', line: 2, text: '0' },
    ]);
    assert.deepEqual(diagnose('input 4\ngroupnorm 2 eps=0\n'), [
      { code: 'bad-value', severity: 'error', line: 2, text: '0' },
    ]);
  });

  it('elu: alpha must be a number; the activations take no arguments', () => {
    assert.deepEqual(diagnose('input 4\nelu alpha=big\n'), [
      { code: 'bad-value', severity: 'error', line: 2, text: 'big' },
    ]);
    assert.deepEqual(diagnose('input 4\ngelu 2\n'), [{ code: 'syntax', severity: 'error', line: 2, text: '2' }]);
    assert.deepEqual(
      diagnose('input 4\nrelu6 slope=2\n').map((d) => [d.code, d.text]),
      [['unknown-option', 'slope']],
    );
  });

  it('mul operands that cannot broadcast: channel-mismatch or spatial-mismatch at the second name, related to the first', () => {
    const base = 'input 3x8x8\na: conv 4 3\nb: conv 8 3 from=input\nc: conv 4 5 from=input\ns: pool mean 6 from=b\n';
    const errors = (line: string) => diagnose(`${base}${line}\n`).filter((d) => d.severity === 'error');
    assert.deepEqual(errors('mul a b'), [{ code: 'channel-mismatch', severity: 'error', line: 6, text: 'b' }]);
    assert.deepEqual(errors('mul a c'), [{ code: 'spatial-mismatch', severity: 'error', line: 6, text: 'c' }]);
    assert.deepEqual(errors('mul a s'), [{ code: 'channel-mismatch', severity: 'error', line: 6, text: 's' }]);
    const { d } = only(`${base}m: mul a c\n`, 'spatial-mismatch');
    assert.equal(
      d.message,
      'm: c is 4×4×4 but a is 4×6×6; mul needs the same H×W, or one operand of one value per channel (C×1×1 or a vector of C)',
    );
    assert.equal(d.related![0].message, 'a is 4×6×6');
  });

  it('mul takes exactly two layer names', () => {
    assert.deepEqual(
      diagnose('input 3x8x8\na: conv 4 3\nmul a a a\n').filter((d) => d.severity === 'error'),
      [{ code: 'syntax', severity: 'error', line: 3, text: 'a' }],
    );
    assert.deepEqual(
      diagnose('input 3x8x8\na: conv 4 3\nmul a 2\n').filter((d) => d.severity === 'error'),
      [{ code: 'syntax', severity: 'error', line: 3, text: '2' }],
    );
  });
});

describe('version 2 kinds: kinks and the gradient check', () => {
  const decisions = (kind: string, xs: number[]) => {
    const k = LAYER_KINDS.get(kind)!;
    const a = check(`input ${xs.length}\n${kind}\nloss mse\n`);
    return Array.from(
      k.decisions!(a.layers[0].config, {} as Step, [Float64Array.from(xs)], { y: new Float64Array(xs.length) }),
    );
  };

  it('relu6 tells 0 and 6 from each side, hardswish and hardsigmoid ±3, elu 0; gelu and silu have no kinks', () => {
    const at = (cuts: number[]) => cuts.flatMap((c) => [c - 1e-9, c, c + 1e-9]);
    const distinct = (v: number[]) => new Set(v).size;
    assert.equal(distinct(decisions('relu6', at([0, 6]))), 5);
    assert.equal(distinct(decisions('hardswish', at([-3, 3]))), 5);
    assert.equal(distinct(decisions('hardsigmoid', at([-3, 3]))), 5);
    assert.equal(distinct(decisions('elu', at([0]))), 3);
    assert.deepEqual(decisions('relu6', [1, 2, 5.9]), [2, 2, 2]);
    assert.equal(LAYER_KINDS.get('gelu')!.decisions, undefined);
    assert.equal(LAYER_KINDS.get('silu')!.decisions, undefined);
  });

  for (const file of ['activations_v2.cnn', 'se_groupnorm.cnn']) {
    it(`the engine's gradient check passes on ${file}`, async () => {
      const r = await gradcheck(check(readFileSync(join(FIXTURES, file), 'utf8')));
      assert.equal(r.passed, true, JSON.stringify(r.layers.filter((l) => !l.delta.passed).map((l) => l.name)));
    });
  }
});

describe('version 2 kinds: diagram and export hooks', () => {
  const layer = (text: string, name: string) => knownLayer(check(text).layers.find((l) => l.name === name)!)!;
  const NET =
    'input 8x4x4\ns: pool mean 4\nflatten\nv: dense 8\na: relu6 from=input\nb: gelu\nc: silu\nd: hardswish\ne: hardsigmoid\nf: elu\ng: elu alpha=0.5\nn: groupnorm 2\no: groupnorm 4 eps=1e-3\nm: mul o s\nw: mul v o\nloss mse\n';

  it('PyTorch modules: nn.ReLU6, nn.GELU, nn.SiLU, nn.Hardswish, nn.Hardsigmoid, nn.ELU(alpha), nn.GroupNorm(G, C, eps), a Mul helper', () => {
    const torch = (n: string) => {
      const k = layer(NET, n);
      return k.kind.torch!(k.layer).module;
    };
    assert.deepEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'n', 'o', 'm'].map(torch), [
      'nn.ReLU6()',
      'nn.GELU()',
      'nn.SiLU()',
      'nn.Hardswish()',
      'nn.Hardsigmoid()',
      'nn.ELU()',
      'nn.ELU(alpha=0.5)',
      'nn.GroupNorm(2, 8)',
      'nn.GroupNorm(4, 8, eps=0.001)',
      'Mul()',
    ]);
  });

  it('tfjs: the exact equivalents, and a refusal naming the layer for hardswish, hardsigmoid, elu with another alpha, groupnorm and a vector scale', () => {
    const tfjs = (n: string) => {
      const k = layer(NET, n);
      try {
        return k.kind.tfjs!(k.layer).map((c) => `${c.fn} ${Object.values(c.config).join(' ')}`.trim());
      } catch (e) {
        assert.ok(e instanceof ExportError && e.layer === n);
        return e.message;
      }
    };
    assert.deepEqual(['a', 'b', 'c', 'f', 'm'].map(tfjs), [
      ['reLU 6'],
      ["activation 'gelu'"],
      ["activation 'swish'"],
      ['elu'],
      ['multiply'],
    ]);
    assert.equal(tfjs('g'), "g: tfjs's ELU layer takes only alpha=1, not 0.5");
    assert.equal(tfjs('d'), 'd: tfjs has no hard-swish activation');
    assert.match(tfjs('e') as string, /^e: tfjs's hardSigmoid is 0\.2·x \+ 0\.5/);
    assert.equal(tfjs('n'), 'n: tfjs has no group normalisation layer');
    assert.match(tfjs('w') as string, /^w: a vector times a map needs a reshape/);
  });

  it("a network named Mul, as the export's helper class, is exported as class Network", () => {
    const classes = (name: string) =>
      exportPytorch(check(`network ${name}\ninput 2x3x3\nc: conv 2 1\ns: pool mean 3\nm: mul c s\nloss mse\n`)).match(
        /^class \w+/gm,
      );
    assert.deepEqual(classes('Mul'), ['class Mul', 'class Network']);
    assert.deepEqual(classes('se'), ['class Mul', 'class se']);
  });

  it('labels and short rules', () => {
    const k = (n: string) => layer(NET, n);
    assert.deepEqual(
      ['a', 'g', 'o', 'm'].map((n) => k(n).kind.label!(k(n).layer.config, undefined)),
      ['relu6', 'elu α=0.5', 'groupnorm 4', 'mul'],
    );
    assert.deepEqual(
      [0, 1].map((j) => k('m').kind.shortRule!(k('m').layer, j)),
      ['⊙ the scale', 'Σ over H×W of δ ⊙ the map'],
    );
  });
});

describe('version 2 kinds: docs/language.md', () => {
  const doc = readFileSync(join(__dirname, '../../docs/language.md'), 'utf8');
  const section = doc.slice(doc.indexOf('### Activations: `relu6`'), doc.indexOf('\n## δ rules'));
  const block = (fence: string, title?: string) => {
    const re = new RegExp(`\`\`\`${fence}\\n${title ? `${title}\\n` : ''}([^]*?)\`\`\``);
    return re.exec(section)![1];
  };

  it("the example checks clean, and its δ rules and standard backward rules are the checker's, line for line", () => {
    const a = check(block('cnn'));
    assert.deepEqual(a.diagnostics, []);
    const rules = a.layers.flatMap((l) => [
      `${l.name}: ${l.rule}`,
      ...(l.paramRules ?? []).map((r) => `${l.name}: ${r}`),
    ]);
    assert.deepEqual(block('text', '# δ rules').trimEnd().split('\n'), rules);
    const standard = a.layers
      .filter((l) => l.kind !== 'pool')
      .flatMap((l) => Object.values(l.standardRules).map((r) => `${l.name}: ${r}`));
    assert.deepEqual(block('text', '# standard backward rules').trimEnd().split('\n'), standard);
  });

  it("groupnorm's documented message is the checker's", () => {
    const { d } = only('input 3x8x8\nc: conv 16 3\ng: groupnorm 6\n', 'bad-value');
    assert.ok(section.replace(/\n/g, ' ').includes(d.message), d.message);
  });
});
