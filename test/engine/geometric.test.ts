/**
 * The geometric kinds of the language's version 2: deconv, upsample, crop, and pool … global / out=HxW. Shapes and
 * parameter layouts by PyTorch's formulas (worked out here by hand), δ rules, every diagnostic with its exact
 * range, and the fixes that solve for a size. Their numbers against PyTorch are in run/torch.test.ts (the
 * fixture networks deconv_unet, deconv_options, upsample, adaptive_pool and crop).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '../../engine';
import { layerLabel, shortRule } from '../../engine/editor/diagram';
import { applyEdits, diagnose, only, shapes } from './util';

const layer = (text: string, name: string) => check(text).layers.find((l) => l.name === name)!;
/** The diagnostics other than unused-layer (each test's last layer reaches no loss on purpose). */
const errors = (text: string) => diagnose(text).filter((d) => d.code !== 'unused-layer');

describe('deconv', () => {
  it('output (H−1)·S − 2P + D(K−1) + out_pad + 1, W as C × FILTERS/groups × Kh × Kw, multiply-adds per input tap', () => {
    const d = layer('input 4x5x6\nd: deconv 6 3x2 stride=2x3 pad=1 out_pad=1x2 groups=2', 'd');
    // H: 4·2 − 2 + 2 + 1 + 1 = 10; W: 5·3 − 2 + 1 + 2 + 1 = 17.
    assert.deepEqual(d.output, [6, 10, 17]);
    assert.deepEqual(d.params, [
      { name: 'W', shape: [4, 3, 3, 2] },
      { name: 'b', shape: [6] },
    ]);
    assert.equal(d.paramCount, 4 * 3 * 3 * 2 + 6);
    assert.equal(d.macs, 4 * 5 * 6 * 3 * 3 * 2);
  });

  it("the DCGAN generator's first two layers: 100×1×1 → 512×4×4 → 256×8×8", () => {
    const text = 'input 100x1x1\ng1: deconv 512 4x4 bias=false\ng2: deconv 256 4 stride=2 pad=1';
    assert.deepEqual(shapes(text), { g1: [512, 4, 4], g2: [256, 8, 8] });
    assert.deepEqual(layer(text, 'g1').params, [{ name: 'W', shape: [100, 512, 4, 4] }]);
  });

  it('δ rule: the strided correlation of the padded δ with W, and dW with the input dilated by the stride', () => {
    const d = layer('input 4x5x6\nd: deconv 6 3x2 stride=2x3 pad=1 out_pad=1x2 groups=2', 'd');
    assert.equal(
      d.rule,
      "δ(input) 4×5×6: for each of the 4 channels c, Σ over the 3 filters k of c's group (groups=2) of valid_corr(pad(δ(d)[k] 10×17, 1) 12×19, W[c,k] 3×2), read every 2×3 (the stride) = 5×6 (the forward pass of the conv this layer transposes)",
    );
    assert.deepEqual(d.paramRules, [
      'dW 4×3×3×2: dW[c,k] = Σ over the batch of valid_corr(pad(δ(d)[k] 10×17, 1), dilate(x[c] 5×6, 2×3)) = 3×2',
      'db 6: db[k] = Σ over the batch and the 10×17 positions of δ(d)[k]',
    ]);
    assert.deepEqual(d.standardRules, {}, 'a stride the rule language cannot write');
  });

  it('standard rules at stride 1: correlations of δ padded by the padding', () => {
    assert.deepEqual(layer('input 2x5x5\nd: deconv 3 3 pad=1', 'd').standardRules, {
      dx: "dx[c] = sum(k, xcorr2(padarray(dy[k], [1 1], 'both'), W[c,k], 'valid'))",
      dW: "dW[c,k] = xcorr2(padarray(dy[k], [1 1], 'both'), x[c], 'valid')",
      db: 'db[k] = ones(1, 5) * dy[k] * ones(5, 1)',
    });
  });

  it('bad-value at out_pad when it is not below the stride or the dilation (PyTorch allows it below either)', () => {
    const { d } = only('input 1x4x4\ndeconv 1 3 stride=2 out_pad=2', 'bad-value');
    assert.equal(
      d.message,
      'deconv1: out_pad=2 must be less than the stride (2) or the dilation (1), as PyTorch requires',
    );
    assert.deepEqual(errors('input 1x4x4\ndeconv 1 3 stride=2 out_pad=2'), [
      { code: 'bad-value', severity: 'error', line: 2, text: '2' },
    ]);
    assert.deepEqual(errors('input 1x4x4\ndeconv 1 3 stride=2 out_pad=2 dilation=3'), []);
    assert.deepEqual(shapes('input 1x4x4\nd: deconv 1 3 stride=2 out_pad=2 dilation=3'), { d: [1, 15, 15] });
  });

  it('channel-mismatch at in= (with its fix) and at groups; empty-output at pad', () => {
    const { d } = only('input 3x4x4\ndeconv 4 3 in=2', 'channel-mismatch');
    assert.equal(d.message, 'deconv1: in=2 but input gives 3 channels (3×4×4)');
    assert.equal(applyEdits('input 3x4x4\ndeconv 4 3 in=2', d.fixes![0].edits), 'input 3x4x4\ndeconv 4 3 in=3');
    assert.deepEqual(errors('input 3x4x4\ndeconv 4 3 groups=2'), [
      { code: 'channel-mismatch', severity: 'error', line: 2, text: '2' },
    ]);
    const empty = only('input 1x1x1\ndeconv 1 1 pad=1', 'empty-output').d;
    assert.equal(
      empty.message,
      'deconv1: pad=1 removes 2×2 from an output of 1×1 (input gives 1×1×1); the output would be empty',
    );
    assert.deepEqual(errors('input 1x1x1\ndeconv 1 1 pad=1'), [
      { code: 'empty-output', severity: 'error', line: 2, text: '1' },
    ]);
  });
});

describe('upsample', () => {
  it('C × H·Fh × W·Fw, nearest by default, no parameters', () => {
    const text = 'input 3x5x7\nu1: upsample 2\nu2: upsample 2x3 mode=bilinear from=input';
    assert.deepEqual(shapes(text), { u1: [3, 10, 14], u2: [3, 10, 21] });
    assert.equal(layer(text, 'u1').paramCount, 0);
  });

  it('δ rules: block sums for nearest, the interpolation weights transposed for bilinear', () => {
    const text = 'input 3x5x7\nu1: upsample 2\nu2: upsample 2x3 mode=bilinear\n';
    assert.equal(
      layer(text, 'u1').rule,
      'δ(input) 3×5×7: for each of the 3 channels c, each element gets the sum of the 2×2 block of δ(u1)[c] 10×14 it was copied to',
    );
    assert.equal(
      layer(text, 'u2').rule,
      'δ(u1) 3×10×14: for each of the 3 channels c, each value of δ(u2)[c] 20×42 goes back to the two rows and two columns of u1 it interpolated (output o reads source coordinate max(0, (o + ½)/F − ½), F = 2 down, 3 across), with the same weights, adding up',
    );
  });

  it('bad-value for a factor below 1, a fraction and an unknown mode (with a suggestion); rank-mismatch on a vector', () => {
    assert.deepEqual(errors('input 1x4x4\nupsample 0\nupsample 0.5 from=input\nupsample 2 mode=bilinar from=input'), [
      { code: 'bad-value', severity: 'error', line: 2, text: '0' },
      { code: 'bad-value', severity: 'error', line: 3, text: '0.5' },
      { code: 'bad-value', severity: 'error', line: 4, text: 'bilinar' },
    ]);
    assert.match(only('input 1x4x4\nupsample 2 mode=bilinar', 'bad-value').d.message, /did you mean 'bilinear'\?$/);
    assert.deepEqual(errors('input 10\nupsample 2'), [
      { code: 'rank-mismatch', severity: 'error', line: 2, text: 'upsample' },
    ]);
  });
});

describe('crop', () => {
  it('the centre window, an odd row or column left over cut at the bottom or right; δ placed back, zeros around', () => {
    const k = layer('input 2x10x11\nk: crop 5x4', 'k');
    assert.deepEqual(k.output, [2, 5, 4]);
    assert.equal(
      k.rule,
      'δ(input) 2×10×11: for each of the 2 channels c, δ(k)[c] 5×4 placed at row 3, column 4, zeros elsewhere',
    );
    assert.deepEqual(k.standardRules, { dx: "dx[c] = padarray(padarray(dy[c], [2 3], 'pre'), [3 4], 'post')" });
  });

  it('empty-output at the size when the crop is larger than its input', () => {
    const { d } = only('input 2x10x11\ncrop 12x4', 'empty-output');
    assert.equal(d.message, 'crop1: the 12×4 crop is larger than its input 10×11 (input gives 2×10×11)');
    assert.deepEqual(errors('input 2x10x11\ncrop 12x4'), [
      { code: 'empty-output', severity: 'error', line: 2, text: '12x4' },
    ]);
    assert.deepEqual(errors('input 2x10x11\ncrop 10x11'), []);
  });
});

describe('pool … global and pool … out=HxW (adaptive pooling)', () => {
  const text =
    'input 8x7x9\ng: pool mean global\nm: pool max out=3x4 from=input\na: pool avg out=2 from=input\nx: pool max global from=input';

  it('C×1×1 and C × out, whatever the input size', () => {
    assert.deepEqual(shapes(text), { g: [8, 1, 1], m: [8, 3, 4], a: [8, 2, 2], x: [8, 1, 1] });
  });

  it("δ rules name each axis's windows, ⌊o·size/out⌋ to ⌈(o+1)·size/out⌉, and say where they overlap", () => {
    assert.equal(
      layer(text, 'g').rule,
      "g's share of δ(input) 8×7×9: for each of the 8 channels c, δ(g)[c] / 63 (7×9) at every position",
    );
    assert.equal(
      layer(text, 'm').rule,
      "m's share of δ(input) 8×7×9: for each of the 8 channels c, each value of δ(m)[c] 3×4 goes to the position of its window's maximum (the first on ties), the rest get 0, adding up where windows overlap; windows rows 1–3, 3–5, 5–7 by columns 1–3, 3–5, 5–7, 7–9",
    );
    assert.equal(
      layer(text, 'a').rule,
      "a's share of δ(input) 8×7×9: for each of the 8 channels c, each value of δ(a)[c] 2×2, divided by its window's area, is spread over its window, adding up where windows overlap; windows rows 1–4, 4–7 by columns 1–5, 5–9",
    );
    assert.deepEqual(layer(text, 'g').standardRules, { dx: 'dx[c] = ones(7, 1) * dy[c] * ones(1, 9) / 63' });
    assert.deepEqual(layer(text, 'm').standardRules, {});
  });

  it('the coverage of adaptive windows is whole: no remainder warning, whatever the sizes', () => {
    assert.deepEqual(errors('input 1x7x7\npool max out=3\npool mean global'), []);
  });

  it('bad-value for options of windowed pooling and for out= with global; syntax for a kernel beside global or out=', () => {
    assert.deepEqual(
      errors(
        'input 1x8x8\npool max global stride=2\npool max global 3 from=input\npool max 2 out=3 from=input\npool max global out=2 from=input\npool mean out=0 from=input',
      ),
      [
        { code: 'bad-value', severity: 'error', line: 2, text: '2' },
        { code: 'syntax', severity: 'error', line: 3, text: '3' },
        { code: 'syntax', severity: 'error', line: 4, text: '2' },
        { code: 'bad-value', severity: 'error', line: 5, text: '2' },
        { code: 'bad-value', severity: 'error', line: 6, text: '0' },
      ],
    );
    assert.equal(only('input 1x8x8\npool max global out=2', 'bad-value').d.message, 'pool1: global is out=1x1 already');
  });

  it('windowed pooling is unchanged beside them', () => {
    assert.deepEqual(shapes('input 1x8x8\np: pool max 2\nq: pool mean 3 stride=2 pad=1 from=input'), {
      p: [1, 4, 4],
      q: [1, 4, 4],
    });
  });
});

describe('fixes that solve for the size a merge needs', () => {
  const UNET = 'input 1x9x9\ne: conv 2 3x3 pad=1\np: pool max 3x3 stride=2\nu: deconv 2 2x2 stride=2\ncat: concat u e';

  it("a U-Net level on an odd size: out_pad=1 on the deconv restores the encoder's 9×9 (preferred), or a new crop of the encoder", () => {
    const { d } = only(UNET, 'spatial-mismatch');
    assert.equal(UNET.slice(d.range.start, d.range.end), 'e');
    assert.deepEqual(
      d.fixes!.map((f) => [f.title, f.preferred ?? false]),
      [
        ['Crop e to its centre 8×8, as u (a new layer e_crop)', false],
        ['Set out_pad=1 on u (output 2×9×9, as e)', true],
      ],
    );
    const padded = applyEdits(UNET, d.fixes![1].edits);
    assert.equal(padded.split('\n')[3], 'u: deconv 2 2x2 stride=2 out_pad=1');
    assert.deepEqual(diagnose(padded), []);
    assert.deepEqual(shapes(padded).cat, [4, 9, 9]);
    const cropped = applyEdits(UNET, d.fixes![0].edits);
    assert.deepEqual(cropped.split('\n').slice(4), ['e_crop: crop 8x8 from=e', 'cat: concat u e_crop']);
    assert.deepEqual(diagnose(cropped), []);
    assert.deepEqual(shapes(cropped).cat, [4, 8, 8]);
  });

  it('the out_pad fix keeps an -> assertion on the deconv true, and is not offered where no out_pad below the stride reaches', () => {
    const text = UNET.replace('2x2 stride=2\n', '2x2 stride=2 -> 2x8x8\n');
    const fix = only(text, 'spatial-mismatch').d.fixes!.find((f) => f.preferred)!;
    assert.equal(applyEdits(text, fix.edits).split('\n')[3], 'u: deconv 2 2x2 stride=2 out_pad=1 -> 2x9x9');
    // 4×4 → 8×8 against 10×10 would need out_pad=2 at stride 2: only the crop is offered.
    const near =
      'input 1x10x10\ne: conv 2 3x3 pad=1\np: pool max 3x3 stride=2\nu: deconv 2 2x2 stride=2\ncat: concat u e';
    assert.deepEqual(shapes(near).u, [2, 8, 8]);
    assert.deepEqual(
      only(near, 'spatial-mismatch').d.fixes!.map((f) => f.title),
      ['Crop e to its centre 8×8, as u (a new layer e_crop)'],
    );
  });

  it('a crop that is already there gets the size the add needs, up to what it crops', () => {
    const text =
      'input 1x9x9\ne: conv 2 3x3 pad=1\nk: crop 7x7 from=e\np: pool max 3x3 stride=2 from=e\nu: deconv 2 2x2 stride=2\ns: add k u';
    const { d } = only(text, 'spatial-mismatch');
    assert.deepEqual(
      d.fixes!.map((f) => f.title),
      ['Crop u to its centre 7×7, as k (a new layer u_crop)', 'Crop k to its centre 8×8, as u'],
    );
    const grown = applyEdits(text, d.fixes![1].edits);
    assert.equal(grown.split('\n')[2], 'k: crop 8x8 from=e');
    assert.deepEqual(diagnose(grown), []);
  });
});

describe("docs/language.md's examples of the geometric kinds", () => {
  const docs = readFileSync(join(__dirname, '../../docs/language.md'), 'utf8');
  // Each ```cnn example followed by its ```text block of δ rules, among those that use the geometric kinds.
  const examples = [...docs.matchAll(/```cnn\n([^`]*?)```\n```text\n# δ rules\n([^`]*?)```/g)]
    .map(([, cnn, rules]) => ({ cnn, rules: rules.trim().split('\n') }))
    .filter(({ cnn }) => /\b(deconv|upsample|crop)\b|global|out=/.test(cnn));

  it('are four: deconv, upsample, crop, and global and adaptive pooling', () => {
    assert.deepEqual(
      examples.map((e) => /\b(deconv|upsample|crop)\b|global/.exec(e.cnn)![0]),
      ['global', 'deconv', 'upsample', 'crop'],
    );
  });

  for (const { cnn, rules } of examples) {
    it(`check clean, with every -> assertion true, and state the δ rules they quote: ${cnn.split('\n')[1]}`, () => {
      const a = check(cnn);
      assert.deepEqual(
        a.diagnostics.filter((d) => d.code !== 'unused-layer'),
        [],
      );
      const stated = a.layers.flatMap((l) => [
        `${l.name}: ${l.rule}`,
        ...(l.paramRules ?? []).map((r) => `${l.name}: ${r}`),
      ]);
      for (const line of rules) assert.ok(stated.includes(line), `not stated: ${line}\n${stated.join('\n')}`);
    });
  }

  it("quote nearest upsampling's standard backward rule as the quick fix writes it, and bilinear's as none", () => {
    const upsample = examples.find((e) => /\bupsample\b/.test(e.cnn))!;
    const [u1, u2] = check(upsample.cnn).layers;
    const quoted = /`(dx\[c\] = kron\(eye[^`]*)` for u1 below/.exec(docs.replace(/\n/g, ' '))![1];
    assert.deepEqual(u1.standardRules, { dx: quoted });
    assert.deepEqual(u2.standardRules, {});
  });
});

describe('the geometric kinds in the diagram', () => {
  it('labels say the kind and what differs from the defaults; backward edges say the rule in a few symbols', () => {
    const a = check(
      'input 16x4x4\nu: deconv 8 3x2 stride=2 pad=1 out_pad=1\nb: upsample 2 mode=bilinear\nk: crop 5x4\ng: pool max global\nn: upsample 1x2 from=k',
    );
    assert.deepEqual(a.layers.map(layerLabel), [
      'deconv 8 3×2 s2 p1 op1',
      'upsample ×2 bilinear',
      'crop 5×4',
      'pool max global',
      'upsample ×1×2',
    ]);
    assert.deepEqual(
      a.layers.map((l) => shortRule(l, 0)),
      [
        '8 × corr pad(δ) ⋆ W 3×2 every 2 → 16×4×4',
        'bilinear weights, transposed → 8×8×7',
        'zero-padded δ → 8×16×14',
        'to each window max → 8×5×4',
        'Σ over 1×2 blocks → 8×5×4',
      ],
    );
  });
});

describe('output shapes of the geometric kinds match PyTorch (scripts/torch/shapes_geometric.py, torch 1.13)', () => {
  interface Case {
    op: 'deconv' | 'upsample' | 'adaptive';
    input: number[];
    output?: number[];
    error?: string;
    filters?: number;
    kernel?: number[];
    stride?: number[];
    padding?: number[];
    out_pad?: number[];
    dilation?: number[];
    groups?: number;
    factor?: number[];
    mode?: string;
    out?: number[];
  }
  const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/torch/shapes-geometric.json'), 'utf8')) as {
    cases: Case[];
  };
  const hw = ([h, w]: readonly number[]) => `${h}x${w}`;
  const line = (c: Case) =>
    c.op === 'deconv'
      ? `deconv ${c.filters} ${hw(c.kernel!)} stride=${hw(c.stride!)} pad=${hw(c.padding!)} out_pad=${hw(c.out_pad!)} dilation=${hw(c.dilation!)} groups=${c.groups}`
      : c.op === 'upsample'
        ? `upsample ${hw(c.factor!)} mode=${c.mode}`
        : `pool ${c.mode} out=${hw(c.out!)}`;
  /** What each of torch's refusals is here. */
  const code = (error: string) =>
    /output padding must be smaller/.test(error)
      ? 'bad-value'
      : /groups must divide/.test(error)
        ? 'channel-mismatch'
        : /Calculated output size/.test(error)
          ? 'empty-output'
          : `unmapped: ${error}`;

  it('cover deconv (with each of its errors), both upsampling modes and adaptive pooling to sizes below and above the input', () => {
    const errors = new Set(fixture.cases.filter((c) => c.error).map((c) => code(c.error!)));
    assert.deepEqual([...errors].sort(), ['bad-value', 'channel-mismatch', 'empty-output']);
    assert.ok(fixture.cases.filter((c) => c.op === 'deconv' && c.output).length > 100);
    assert.ok(fixture.cases.some((c) => c.op === 'adaptive' && c.out![0] > c.input[1]));
  });

  it('every case: the same output, or the error torch raises as its diagnostic code', () => {
    for (const c of fixture.cases) {
      const text = `input ${c.input.join('x')}\nl: ${line(c)}`;
      const a = check(text);
      const got = a.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);
      if (c.error) assert.deepEqual(got, [code(c.error)], `${text}: torch says ${c.error}`);
      else {
        assert.deepEqual(got, [], text);
        assert.deepEqual(a.layers[0].output, c.output, text);
      }
    }
  });
});
