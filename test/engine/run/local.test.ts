/**
 * The local gradient check (the default): receptive-field crops move exactly the outputs the whole layer
 * moves, correct networks pass, each injected fault is blamed on its layer by that layer's own rule check,
 * and shards assemble into the single-thread result.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '../../../engine';
import {
  assemble,
  buildModel,
  checkTensors,
  forwardPass,
  gradcheck,
  type GradcheckResult,
  layerMeta,
  withFault,
} from '../../../engine/run';
import { cropInput, cropParam } from '../../../engine/run/field';

const example = (name: string) => readFileSync(join(__dirname, `../../../examples/${name}.cnn`), 'utf8');
const SEED = example('seed');

/** Every failed tensor: `layer δ`, `layer W`, or a rule check `layer rule δ p1`. */
const failures = (r: GradcheckResult) =>
  r.layers.flatMap((l) => [
    ...(l.delta.passed ? [] : [`${l.name} δ`]),
    ...Object.entries(l.params)
      .filter(([, c]) => !c.passed)
      .map(([n]) => `${l.name} ${n}`),
    ...Object.entries(l.rules ?? {})
      .filter(([, c]) => !c.passed)
      .map(([n]) => `${l.name} rule ${n}`),
  ]);

describe('local gradient check', () => {
  // Each layer's every input and weight coordinate, moved by 1: the crop's output change must be the whole
  // layer's change at the crop's positions, and the whole layer must change nowhere else.
  for (const [name, text] of [
    [
      'conv 6 3x3 stride=2 pad=1x0x2x0 dilation=2 groups=2 on 4×9×8',
      'input 4x9x8\nc: conv 6 3x3 stride=2 pad=1x0x2x0 dilation=2 groups=2\nloss mse',
    ],
    ['conv 3 5x5 pad=same, no bias, on 2×6×6', 'input 2x6x6\nc: conv 3 5x5 pad=same bias=false\nloss mse'],
    [
      'pool mean 3x3 stride=2 pad=1 ceil=true on 2×6×7',
      'input 2x6x7\nc: pool mean 3x3 stride=2 pad=1 ceil=true\nloss mse',
    ],
    ['pool max 2x2 stride=3 on 1×8×8 (inputs no window reads)', 'input 1x8x8\nc: pool max 2x2 stride=3\nloss mse'],
    ['relu on 3×4×4', 'input 3x4x4\nc: relu\nloss mse'],
    ['batchnorm on 3×4×4', 'input 3x4x4\nc: batchnorm\nloss mse'],
    ['batchnorm on a vector of 5', 'input 5\nc: batchnorm\nloss mse'],
    [
      'concat of three, one of them twice, on 2×3×3',
      'input 2x3x3\na: relu\nb: conv 3 1x1 from=input\nc: concat a b a\nloss mse',
    ],
    ['add of two on 4', 'input 4\na: sigmoid\nc: add a input\nloss mse'],
    ['gelu on 3×4×4', 'input 3x4x4\nc: gelu\nloss mse'],
    ['hardswish on 2×3×3', 'input 2x3x3\nc: hardswish\nloss mse'],
    ['elu alpha=0.5 on 5', 'input 5\nc: elu alpha=0.5\nloss mse'],
  ] as const) {
    it(`crops move exactly what the whole layer moves: ${name}`, () => {
      const model = buildModel(check(text), { batch: 2 });
      const node = model.nodes.find((n) => n.name === 'c')!;
      const pass = forwardPass(model);
      const x = node.inputs.map((t) => pass.tensors[t]);
      const y = pass.tensors[node.index + 1];
      const run = (step: typeof node.step, xs: readonly Float64Array[]) => node.kind.forward(node.config, step, xs).y;
      const targets: [string | number, Float64Array][] = [
        ...x.map((a, j) => [j, a] as [number, Float64Array]),
        ...Object.entries(node.step.params),
      ];
      let cropped = 0;
      for (const [where, values] of targets) {
        for (let i = 0; i < values.length; i++) {
          const crop = typeof where === 'number' ? cropInput(node, x, where, i) : cropParam(node, x, where, i);
          assert.ok(crop, `${where}[${i}] has no crop`);
          const moved = values.slice();
          moved[i] += 1;
          const whole =
            typeof where === 'number'
              ? run(
                  node.step,
                  x.map((a, j) => (j === where ? moved : a)),
                )
              : run({ ...node.step, params: { ...node.step.params, [where]: moved } }, x);
          const expected = new Float64Array(y.length);
          if (crop.step) {
            cropped++;
            const base = run(crop.step, crop.x);
            const slot = crop.where;
            const target = typeof slot === 'number' ? crop.x[slot] : crop.step.params[slot];
            const copy = target.slice();
            copy[crop.at] += 1;
            const after =
              typeof slot === 'number'
                ? run(
                    crop.step,
                    crop.x.map((a, j) => (j === slot ? copy : a)),
                  )
                : run({ ...crop.step, params: { ...crop.step.params, [slot]: copy } }, crop.x);
            // The check sums over the crop's outputs, so two that land at one place add up.
            crop.out.forEach((o, k) => (expected[o] += after[k] - base[k]));
          }
          whole.forEach((v, o) =>
            assert.ok(
              Math.abs(v - y[o] - expected[o]) < 1e-12,
              `${where}[${i}] output ${o}: whole ${v - y[o]}, crop ${expected[o]}`,
            ),
          );
        }
      }
      assert.ok(cropped > 0);
    });
  }

  it('seed, residual and inception pass, and every layer has its rule checks', async () => {
    for (const name of ['seed', 'residual', 'inception']) {
      const r = await gradcheck(check(example(name)));
      assert.equal(r.mode, 'local');
      assert.deepEqual(failures(r), [], name);
    }
    const r = await gradcheck(check(SEED));
    assert.deepEqual(
      r.layers.map((l) => [l.name, Object.keys(l.rules!)]),
      [
        ['input', []],
        ['c1', ['δ input', 'W', 'b']],
        ['sigmoid1', ['δ c1']],
        ['p1', ['δ sigmoid1']],
        ['c2', ['δ p1', 'W', 'b']],
        ['sigmoid2', ['δ c2']],
        ['p2', ['δ sigmoid2']],
        ['fc', ['δ p2', 'W', 'b']],
        ['softmax1', ['δ fc']],
      ],
    );
    // A direction and 16 coordinates, or every coordinate of a tensor of at most 16 (fc b has 10).
    assert.equal(r.layers.find((l) => l.name === 'c2')!.rules!.W.checked, 17);
    assert.equal(r.layers.find((l) => l.name === 'fc')!.params.b.checked, 11);
  });

  it("a mean-pool δ without its 1/(Kh·Kw): p1's rule fails, and only p1 is blamed", async () => {
    const r = await gradcheck(check(SEED), { overrides: withFault('p1', 'mean-pool-no-divide') });
    assert.deepEqual(failures(r), ['sigmoid1 δ', 'p1 rule δ sigmoid1']);
    assert.deepEqual(
      r.layers.filter((l) => l.blame).map((l) => [l.name, l.blame]),
      [
        [
          'p1',
          "for a random δ at its output, the δ at its input sigmoid1 disagrees with its forward: p1's backward rule is wrong",
        ],
      ],
    );
    const worst = r.layers.find((l) => l.name === 'sigmoid1')!.delta.worst.find((c) => c.index.length === 4)!;
    assert.ok(Math.abs(worst.analytic / worst.numeric - 4) < 1e-3, `${worst.analytic} vs ${worst.numeric}`);
  });

  it('a conv δx without the kernel rotation is blamed on c2, a dense dW transposed on fc W', async () => {
    const conv = await gradcheck(check(SEED), { overrides: withFault('c2', 'conv-no-rotate') });
    assert.deepEqual(failures(conv), ['p1 δ', 'c2 rule δ p1']);
    assert.deepEqual(
      conv.layers.filter((l) => l.blame).map((l) => l.name),
      ['c2'],
    );
    const dense = await gradcheck(check(SEED), { overrides: withFault('fc', 'dense-dw-transposed') });
    assert.deepEqual(failures(dense), ['fc W', 'fc rule W']);
    assert.deepEqual(
      dense.layers.filter((l) => l.blame).map((l) => [l.name, l.blame]),
      [['fc', "for a random δ at its output, its gradient W disagrees with its forward: fc's backward rule is wrong"]],
    );
  });

  it('adaptive pooling has no crop and runs whole: every coordinate checked, one forward a point where it is linear', async () => {
    for (const mode of ['max', 'mean']) {
      const text = `input 1x3x3\nc: pool ${mode} global\nloss mse`;
      const model = buildModel(check(text), { batch: 2 });
      const node = model.nodes[0];
      const x = forwardPass(model).tensors[0];
      assert.deepEqual(
        [...x.keys()].filter((i) => cropInput(node, [x], 0, i) !== undefined),
        [],
      );
      const r = await gradcheck(check(text), { mode: 'local-full' });
      assert.deepEqual(failures(r), [], mode);
      // δ(input): a direction and 2·9 coordinates, one forward each for mean (linear), two for max; δ(c): a
      // direction and its 2 values, two losses each.
      assert.equal(r.evaluations, (mode === 'mean' ? 1 : 2) * 19 + 2 * 3, mode);
    }
  });

  it('local-full checks every coordinate: dense 3→2 on x=[2,3]', async () => {
    const r = await gradcheck(check('input 3\nfc: dense 2\nloss mse'), { mode: 'local-full' });
    assert.equal(r.passed, true);
    // A direction, then every coordinate: 6 δ(input), 4 δ(out), 6 W, 2 b; the rules the same for fc.
    assert.deepEqual(
      r.layers.map((l) => [
        l.name,
        l.delta.checked,
        ...Object.values(l.params).map((c) => c.checked),
        ...Object.values(l.rules!).map((c) => c.checked),
      ]),
      [
        ['input', 7],
        ['fc', 5, 7, 3, 7, 7, 3],
      ],
    );
    // One forward of fc per point of δ(input), W and b (dense is affine in each), two losses per point of δ(out).
    assert.equal(r.evaluations, 7 + 7 + 3 + 2 * 5);
  });

  it('two shards of residual check every layer once and assemble into the single-thread result', async () => {
    const text = example('residual');
    const model = buildModel(check(text));
    const parts = await Promise.all(
      [0, 1].map((index) => checkTensors(buildModel(check(text)), { shard: { index, count: 2 } })),
    );
    const layers = parts.map((p) => new Set(p.checks.map((c) => c.layer)));
    assert.ok(layers[0].size > 0 && layers[1].size > 0);
    assert.deepEqual(
      [...layers[0]].filter((l) => layers[1].has(l)),
      [],
    );
    const whole = await gradcheck(check(text));
    const joined = assemble(layerMeta(model), parts, {
      mode: 'local',
      eps: 1e-6,
      atol: 1e-5,
      rtol: 1e-3,
      batch: 2,
      seed: 1,
      ms: 0,
    });
    const verdicts = (r: GradcheckResult) =>
      r.layers.map((l) => [l.name, l.delta.checked, l.delta.passed, Object.values(l.rules!).map((c) => c.maxRelError)]);
    assert.deepEqual(verdicts(joined), verdicts(whole));
    for (const [a, b] of joined.layers.map((l, i) => [l.delta.maxRelError, whole.layers[i].delta.maxRelError]))
      assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(a, 1e-6), `${a} vs ${b}`);
    assert.equal(joined.evaluations, whole.evaluations);
  });
});
