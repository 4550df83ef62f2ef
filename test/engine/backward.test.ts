/**
 * Hand-written backward rules (docs/language.md, "`backward`"): the checker's diagnostics with their
 * exact codes, ranges and messages, the standard rules its quick fixes offer (checked clean and computed equal
 * to the built-in backward on every example network), the evaluator's MATLAB semantics on hand-worked cases,
 * and gradient checks that use a rule in place of the built-in one.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '../../engine';
import { type Tensor, evaluateRule, parseRule, standardRules } from '../../engine/backward';
import { gradcheck, sampleRun } from '../../engine/run';
import { SEED, applyEdits, diagnose, only } from './util';

const backward = (text: string) =>
  diagnose(text).filter((d) => d.code.startsWith('backward') || d.code === 'syntax' || d.code === 'duplicate-name');

describe('backward rules: the checker', () => {
  it("accepts docs/language.md's right rule and flags its wrong one: dx is 12×12 per channel; the input is 13×13", () => {
    const text = `${SEED}backward c2: dx[c] = sum(k, conv2(dy[k], W[k,c], 'full'))   # right: 64 maps of 6×6
backward p1: dx[c] = kron(dy[c], ones(2)) / 4   # 12×12 against 13×13
`;
    const { a, d } = only(text, 'backward-shape');
    assert.equal(text.slice(d.range.start, d.range.end), 'kron(dy[c], ones(2)) / 4');
    assert.equal(d.message, 'p1: dx is 12×12 per channel; the input is 13×13');
    assert.equal(d.severity, 'error');
    // The quick fix writes p1's standard rule over the rule, not over the comment.
    const fix = d.fixes![0];
    assert.equal(fix.title, "Use p1's standard rule: dx[c] = padarray(kron(dy[c], ones(2, 2)) / 4, [1 1], 'post')");
    const fixed = applyEdits(text, fix.edits);
    assert.ok(
      fixed.includes(
        "backward p1: dx[c] = padarray(kron(dy[c], ones(2, 2)) / 4, [1 1], 'post')   # 12×12 against 13×13",
      ),
    );
    assert.deepEqual(backward(fixed), []);
    assert.equal(a.diagnostics.filter((x) => x.code.startsWith('backward')).length, 1);
  });

  // [rule line, code, the text the diagnostic covers, its message]
  const cases: [string, string, string, string][] = [
    ["backward c2: dx = W' * dy", 'backward-type', "W'", "c2: W' needs a matrix; W is 96×64×5×5"],
    [
      'backward fc: dx = W * dy',
      'backward-type',
      'W * dy',
      'fc: W * dy: inner dimensions 96 and 10 differ (W is 10×96, dy is 10); for an elementwise product write .*',
    ],
    ['backward sigmoid2: dx = dy[1]', 'backward-shape', 'dy[1]', 'sigmoid2: dx is 2×2; the input is 96×2×2'],
    [
      'backward sigmoid1: dx = dy .* ones(2)',
      'backward-type',
      'dy .* ones(2)',
      'sigmoid1: .* needs equal shapes or a scalar: dy is 64×13×13, ones(2) is 2×2',
    ],
    [
      "backward c2: dx[c] = sum(k, conv2(dy[k], W[c,k], 'full'))",
      'backward-type',
      'c',
      "c2: 'c' ranges over dx's 64 channels (dx[c]), but W[c,k] uses it for a dimension of 96 (W is 96×64×5×5)",
    ],
    [
      "backward c2: dx[c] = sum(k, conv2(dy[k], W[k,c], 'ful'))",
      'backward-type',
      "'ful'",
      "c2: conv2's last argument is 'full', 'valid', 'same'",
    ],
    [
      'backward sigmoid1: dx = max(dy, ones(2))',
      'backward-type',
      'max(dy, ones(2))',
      'sigmoid1: max needs equal shapes or a scalar: dy is 64×13×13, ones(2) is 2×2',
    ],
    [
      'backward p1: dx = dy .* ones(max(2, 3))',
      'backward-type',
      'dy .* ones(max(2, 3))',
      'p1: .* needs equal shapes or a scalar: dy is 64×6×6, ones(max(2, 3)) is 3×3',
    ],
    [
      'backward sigmoid1: dx = dy .* stp(x)',
      'backward-unknown',
      'stp',
      "sigmoid1: no function 'stp' in backward rules; did you mean 'step'?",
    ],
    [
      'backward sigmoid1: dx = dy .* z',
      'backward-unknown',
      'z',
      "sigmoid1: 'z' is not defined; a rule of sigmoid1 can use x, y, dy",
    ],
    [
      'backward sigmoid1: dx = dy .* step',
      'backward-type',
      'step',
      "sigmoid1: 'step' is a function: call it, as in step(…)",
    ],
    [
      'backward sigmoid1: dx = W',
      'backward-unknown',
      'W',
      'sigmoid1: sigmoid1 (sigmoid) has no W; a rule of sigmoid1 can use x, y, dy',
    ],
    [
      'backward c1: dz = dy',
      'backward-unknown',
      'dz',
      "c1: 'dz' is not a target of c1: dx, dW, db; did you mean 'dx'?",
    ],
    [
      'backward p1: dx[c] = dy[k]',
      'backward-unknown',
      'k',
      "p1: index variable 'k' is not bound: bind it in the target, as in dx[k], or with sum(k, …)",
    ],
    [
      'backward p1: dx = sum(k, dy)',
      'backward-type',
      'k',
      "p1: 'k' indexes nothing in the sum, so its range is unknown",
    ],
    ['backward p1: dx = dy[1,2,3,4]', 'backward-type', 'dy[1,2,3,4]', 'p1: dy is 64×6×6: 4 indices are too many'],
    ['backward p1: dx = dy[70]', 'backward-type', '70', "p1: dy's dimension 1 runs 1…64; 70 is outside it"],
    [
      "backward p1: dx[c] = conv2(dy[c], ones(7), 'valid')",
      'backward-type',
      "conv2(dy[c], ones(7), 'valid')",
      "p1: conv2(…, 'valid') needs the second matrix to fit in the first: 7×7 in 6×6",
    ],
    [
      'backward p1: dx = reshape(dy, 5, 5)',
      'backward-type',
      'reshape(dy, 5, 5)',
      'p1: reshape keeps the element count: dy is 64×6×6 (2304), 5×5 is 25',
    ],
    [
      'backward p1: dx = dy / dy',
      'backward-type',
      'dy / dy',
      'p1: dy / dy divides by 64×6×6; / divides by a scalar, ./ elementwise',
    ],
    ['backward p1: dx = (dy', 'syntax', '', "p1: expected ')'"],
    ['backward p1: dx dy', 'syntax', 'dy', "p1: expected '=' after dx"],
    ["backward p1: dx = kron(dy, 'x)", 'syntax', "'x)", 'p1: this string has no closing quote'],
    ['backward p1: dx = dy 😀', 'syntax', '😀', "p1: '😀' has no meaning in a backward rule"],
    [
      'backward sigmoid1: dx = dy .* y .* (1 - y)\nbackward sigmoid1: dx = dy',
      'duplicate-name',
      'dx = dy',
      "sigmoid1's dx already has a rule, on line 11; a target takes one",
    ],
    ['backward data: dx = 1', 'backward-unknown', 'data', "'data' is the input; a backward rule belongs to a layer"],
    [
      'backward softmax1: dx = dy',
      'backward-unknown',
      'softmax1',
      "softmax1 is fused with the cross-entropy loss: the δ at its input is (p − onehot)/N, part of the loss's rule, and takes no rule of its own",
    ],
  ];
  for (const [rule, code, covered, message] of cases) {
    it(`${code}: ${rule.split('\n').pop()}`, () => {
      const text = `${SEED.replace('input 3x17x17', 'input data 3x17x17')}${rule}\n`;
      const found = backward(text);
      assert.equal(found.length, 1, JSON.stringify(found));
      const [d] = found;
      assert.deepEqual([d.code, d.text], [code, covered]);
      const a = check(text);
      assert.equal(a.diagnostics.find((x) => x.code === code)!.message, message);
    });
  }

  it('a layer with several inputs takes no dx rule: this version cannot say which input it is for', () => {
    const text = 'input 4x6x6\na: conv 4 3 pad=1\nb: conv 4 3 pad=1 from=input\ns: add a b\nbackward s: dx = dy\n';
    assert.deepEqual(
      backward(text).map((d) => [d.code, d.text]),
      [['backward-unknown', 'dx']],
    );
  });

  it('offers no quick fix where the layer has no standard rule in this notation (max pooling needs the argmax)', () => {
    const { d } = only(
      'input 2x8x8\np: pool max 2x2\nbackward p: dx[c] = kron(dy[c], ones(2))\n'.replace(
        'kron(dy[c], ones(2))',
        'dy[c]',
      ),
      'backward-shape',
    );
    assert.equal(d.fixes, undefined);
  });
});

/** Every example network and every network of the PyTorch fixtures that checks clean and has no rules of its own. */
function networks(): [string, string][] {
  const dirs = [join(__dirname, '../../examples'), join(__dirname, '../fixtures/torch/networks')];
  return dirs
    .flatMap((dir) =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.cnn'))
        .map((f): [string, string] => [f, readFileSync(join(dir, f), 'utf8')]),
    )
    .filter(([, text]) => {
      const a = check(text);
      return a.backward.length === 0 && !a.diagnostics.some((d) => d.severity === 'error');
    });
}

describe('backward rules: the standard rules the quick fixes offer', () => {
  const all = networks();
  it('exist for conv (strides, padding, dilation), mean pooling, dense (flat and flattening), the activations (gelu too), flatten and nearest upsampling', () => {
    const rules = all.flatMap(([, text]) => check(text).layers.flatMap((l) => Object.values(standardRules(l))));
    for (const re of [
      /dilate\(dy\[k\], 2\)/,
      /dilate\(W\[k,c\], 2\)/,
      /padarray\(dy\[k\], \[1 1\], 'both'\)/,
      /'pre'\), \[\d+ \d+\], 'post'\)/,
      /kron\(dy\[c\], ones\(2, 2\)\) \/ 4/,
      /reshape\(W' \* dy/,
      /^dW = dy \* x'$/,
      /step\(x\)/,
      /y \.\* \(1 - y\)/,
      /^dx = reshape\(dy, /,
      /^dx = dy \.\* \(normcdf\(x\) \+ x \.\* normpdf\(x\)\)$/,
      /^dx\[c\] = kron\(eye\(3\), ones\(1, 2\)\) \* dy\[c\] \* kron\(eye\(4\), ones\(2, 1\)\)$/,
    ]) {
      assert.ok(
        rules.some((r) => re.test(r!)),
        `no standard rule matches ${re}`,
      );
    }
  });

  for (const [file, text] of all) {
    it(`check clean and compute the built-in backward: ${file}`, () => {
      const layers = check(text).layers;
      const extra = layers.flatMap((l) => Object.values(standardRules(l)).map((r) => `backward ${l.name}: ${r}`));
      const withRules = check(`${text}\n${extra.join('\n')}\n`);
      assert.deepEqual(
        withRules.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
        [],
      );
      const plain = sampleRun(check(text), { batch: 2 }),
        ruled = sampleRun(withRules, { batch: 2 });
      const close = (got: readonly number[], want: readonly number[], what: string) => {
        const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        got.forEach((v, i) =>
          assert.ok(
            Math.abs(v - want[i]) <= 1e-12 * scale + 1e-14,
            `${what}[${i}]: ${v} against the built-in ${want[i]}`,
          ),
        );
      };
      for (const name of Object.keys(plain.deltas))
        close(ruled.deltas[name].data, plain.deltas[name].data, `δ ${name}`);
      for (const [layer, grads] of Object.entries(plain.grads)) {
        for (const [p, g] of Object.entries(grads)) close(ruled.grads[layer][p].data, g.data, `${layer} d${p}`);
      }
    });
  }
});

describe("backward rules: the evaluator's MATLAB semantics", () => {
  const m = (rows: number[][]): Tensor => ({
    dims: [rows.length, rows[0].length],
    data: Float64Array.from(rows.flat()),
  });
  const A = m([
    [1, 2],
    [3, 4],
  ]);
  const value = (expr: string): number[][] => {
    const { expr: e } = parseRule(`dx = ${expr}`, 0);
    const t = evaluateRule(
      { layer: 'l', target: 'dx', ranges: [], vars: [], expr: e, sums: new Map() },
      { A, v: { dims: [3], data: Float64Array.of(1, 2, 3) } },
      [],
    );
    const [r, c = 1] = t.dims;
    return Array.from({ length: r }, (_, i) => Array.from(t.data.subarray(i * c, i * c + c)));
  };
  const cases: [string, number[][]][] = [
    [
      'conv2(A, ones(2))',
      [
        [1, 3, 2],
        [4, 10, 6],
        [3, 7, 4],
      ],
    ],
    [
      "conv2(A, ones(2), 'same')",
      [
        [10, 6],
        [7, 4],
      ],
    ],
    [
      "conv2(conv2(A, ones(2)), ones(2), 'valid')",
      [
        [18, 21],
        [24, 27],
      ],
    ],
    [
      'xcorr2(A, A)',
      [
        [4, 11, 6],
        [14, 30, 14],
        [6, 11, 4],
      ],
    ],
    [
      'rot90(A)',
      [
        [2, 4],
        [1, 3],
      ],
    ],
    [
      'rot90(A, 2)',
      [
        [4, 3],
        [2, 1],
      ],
    ],
    [
      'kron(A, ones(1, 2))',
      [
        [1, 1, 2, 2],
        [3, 3, 4, 4],
      ],
    ],
    [
      "padarray(A, [1 0], 'pre')",
      [
        [0, 0],
        [1, 2],
        [3, 4],
      ],
    ],
    [
      'padarray(A, [0 1])',
      [
        [0, 1, 2, 0],
        [0, 3, 4, 0],
      ],
    ],
    [
      'dilate(A, 2)',
      [
        [1, 0, 2],
        [0, 0, 0],
        [3, 0, 4],
      ],
    ],
    [
      'upsample(A, 2) / 4',
      [
        [0.25, 0.25, 0.5, 0.5],
        [0.25, 0.25, 0.5, 0.5],
        [0.75, 0.75, 1, 1],
        [0.75, 0.75, 1, 1],
      ],
    ],
    ['reshape(A, 1, 4)', [[1, 2, 3, 4]]],
    [
      "A' * A",
      [
        [10, 14],
        [14, 20],
      ],
    ],
    [
      "v * v'",
      [
        [1, 2, 3],
        [2, 4, 6],
        [3, 6, 9],
      ],
    ],
    ["v' * v", [[14]]],
    [
      'A .* A - A ./ A + 2 * -A',
      [
        [-2, -1],
        [2, 7],
      ],
    ],
    [
      'step(A - 2) + max(A, 3)',
      [
        [3, 3],
        [4, 5],
      ],
    ],
    ['A[2, :]', [[3], [4]]],
    [
      'eye(2) * A + eye(2)',
      [
        [2, 2],
        [3, 5],
      ],
    ],
    // The block sums of upsample's standard rule: each 1×2 block of kron(A, ones(1, 2)) summed back is 2A.
    [
      'kron(eye(2), ones(1, 1)) * kron(A, ones(1, 2)) * kron(eye(2), ones(2, 1))',
      [
        [2, 4],
        [6, 8],
      ],
    ],
  ];
  for (const [expr, want] of cases) {
    it(`${expr} = ${JSON.stringify(want)}`, () => assert.deepEqual(value(expr), want));
  }
  // Φ and φ against Python's math.erfc and math.exp (Φ(x) = erfc(−x/√2)/2, φ(x) = e^(−x²/2)/√(2π)), to 2 ulp.
  const normal: [string, number[][]][] = [
    [
      'normcdf(A - 1)',
      [
        [0.5, 0.8413447460685429],
        [0.9772498680518208, 0.9986501019683699],
      ],
    ],
    [
      'normpdf(A - 3)',
      [
        [0.05399096651318806, 0.24197072451914337],
        [0.3989422804014327, 0.24197072451914337],
      ],
    ],
  ];
  for (const [expr, want] of normal) {
    it(`${expr} = ${JSON.stringify(want)} within 2 ulp`, () => {
      const got = value(expr).flat();
      want.flat().forEach((w, i) => assert.ok(Math.abs(got[i] - w) <= 4.5e-16 * w, `${got[i]} against ${w}`));
    });
  }
});

describe('backward rules in gradient checks', () => {
  const example = readFileSync(join(__dirname, '../../examples/backward.cnn'), 'utf8');

  it('examples/backward.cnn: its rules check clean, and the gradient check passes with them, marking their layers', async () => {
    assert.deepEqual(
      diagnose(example).map((d) => d.code),
      ['pool-remainder'],
    );
    const r = await gradcheck(check(example));
    assert.ok(r.passed);
    assert.deepEqual(
      r.layers.filter((l) => l.custom).map((l) => l.name),
      ['p1', 'c2', 'sigmoid2', 'p2', 'fc'],
    );
  });

  it('examples/backward.cnn: what its header promises, p1 without padarray flagged, without / 4 blamed', async () => {
    const rule = "padarray(kron(dy[c], ones(2)) / 4, [1 1], 'post')";
    assert.deepEqual(
      backward(example.replace(rule, 'kron(dy[c], ones(2)) / 4')).map((d) => d.code),
      ['backward-shape'],
    );
    const r = await gradcheck(check(example.replace(rule, "padarray(kron(dy[c], ones(2)), [1 1], 'post')")));
    assert.deepEqual(
      r.layers.filter((l) => l.blame).map((l) => l.name),
      ['p1'],
    );
  });

  it('a right rule replaces the built-in one and passes; the layer is reported as hand-written', async () => {
    const r = await gradcheck(check(`${SEED}backward c2: dx[c] = sum(k, conv2(dy[k], W[k,c], 'full'))\n`));
    assert.ok(r.passed);
    assert.deepEqual(
      r.layers.filter((l) => l.custom).map((l) => l.name),
      ['c2'],
    );
  });

  it('a wrong δ rule fails, and is blamed on its layer: mean pooling without the 1/4', async () => {
    const r = await gradcheck(check(`${SEED}backward p1: dx[c] = padarray(kron(dy[c], ones(2)), [1 1], 'post')\n`), {
      mode: 'baseline',
    });
    assert.ok(!r.passed);
    const p1 = r.layers.find((l) => l.name === 'p1')!;
    assert.ok(p1.custom && p1.delta.passed);
    assert.equal(
      p1.blame,
      "the δ at its output is right but the δ at its input sigmoid1 is wrong: p1's backward rule is wrong",
    );
  });

  it('a wrong gradient rule fails at that gradient: dW as a convolution instead of a correlation', async () => {
    const r = await gradcheck(check(`${SEED}backward c1: dW[k,c] = conv2(x[c], dy[k], 'valid')\n`), {
      mode: 'baseline',
    });
    const c1 = r.layers.find((l) => l.name === 'c1')!;
    assert.deepEqual([r.passed, c1.params.W.passed, c1.params.b.passed, c1.delta.passed], [false, false, true, true]);
    assert.equal(c1.blame, "the δ at its output is right but its gradient W is wrong: c1's backward rule is wrong");
    // The default, local: c1's own rule check for W fails, and c1 alone is blamed.
    const local = await gradcheck(check(`${SEED}backward c1: dW[k,c] = conv2(x[c], dy[k], 'valid')\n`));
    assert.deepEqual(
      local.layers.filter((l) => l.blame).map((l) => [l.name, l.blame]),
      [['c1', "for a random δ at its output, its gradient W disagrees with its forward: c1's backward rule is wrong"]],
    );
  });
});
