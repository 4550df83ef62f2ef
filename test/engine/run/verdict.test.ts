/**
 * No false blame: the three ways the gradient check once failed correct networks, each as a network that
 * failed, and the verdict rule itself on numbers worked out by hand.
 */
import assert from 'node:assert/strict';
import { gradcheckText } from '../../../cli/runCommands';
import { check } from '../../../engine';
import { buildModel, forwardPass, gradcheck, type GradcheckResult, roundingFloor, verdict } from '../../../engine/run';

const layer = (r: GradcheckResult, name: string) => {
  const l = r.layers.find((x) => x.name === name);
  assert.ok(l, `no layer ${name}`);
  return l;
};
const TOL = { atol: 1e-5, rtol: 1e-3 };

describe('gradient check verdicts', () => {
  describe('the rule', () => {
    // δ = −1/p at p ≈ 2.37e-5: f‴ε²/6 puts the difference at ε = 1e-6 100 off, at ε/2 a quarter of that.
    const a = -42112.8;
    it('a miss that shrinks as ε² is curvature: 100 at ε, 25 at ε/2', () => {
      assert.equal(verdict(a, [{ numeric: a - 100, kink: false }], 1e-8, TOL), 'halve');
      assert.equal(
        verdict(
          a,
          [
            { numeric: a - 100, kink: false },
            { numeric: a - 25, kink: false },
          ],
          1e-8,
          TOL,
        ),
        'curvature',
      );
    });
    it('a miss that stays as the step halves is a wrong rule: 100 at ε and 99 at ε/2', () => {
      assert.equal(
        verdict(
          a,
          [
            { numeric: a - 100, kink: false },
            { numeric: a - 99, kink: false },
          ],
          1e-8,
          TOL,
        ),
        'fail',
      );
    });
    it('a rule off by a factor fails even where the differences carry curvature: a/2', () => {
      // A rule that gives half the true value: the misses change ε²-like, but the extrapolation is a, not a/2.
      const wrong = a / 2;
      assert.equal(
        verdict(
          wrong,
          [
            { numeric: a - 100, kink: false },
            { numeric: a - 25, kink: false },
          ],
          1e-8,
          TOL,
        ),
        'fail',
      );
    });
    it('far from the ε² regime the step is halved until it tells: −log p at p = 1.16e-6 from ε = 1e-6', () => {
      // (−log(p + h) + log(p − h)) / 2h = −atanh(h/p) / h: off by 50% at h/p = 0.86, by x²/3 + x⁴/5 as h/p → 0.
      const p = 1.16e-6;
      const diff = (h: number) => ({ numeric: -Math.atanh(h / p) / h, kink: false });
      const run = (analytic: number) => {
        const steps = [diff(1e-6)];
        let v = verdict(analytic, steps, 1e-8, TOL);
        while (v === 'halve') {
          steps.push(diff(1e-6 / 2 ** steps.length));
          v = verdict(analytic, steps, 1e-8, TOL);
        }
        return [v, steps.length];
      };
      // Ratios 0.139, 0.226, 0.246: extrapolated misses 7.5%, 1.3e-3, then 8e-5 of δ, within rtol.
      assert.deepEqual(run(-1 / p), ['curvature', 4]);
      // A rule giving half of δ: misses (0.5 + m)/p, ratios 0.57 then 0.90, steady.
      assert.deepEqual(run(-0.5 / p), ['fail', 3]);
    });
    it('a kink at either step is a kink', () => {
      assert.equal(verdict(a, [{ numeric: 0, kink: true }], 1e-8, TOL), 'kink');
      assert.equal(
        verdict(
          a,
          [
            { numeric: a - 100, kink: false },
            { numeric: a - 25, kink: true },
          ],
          1e-8,
          TOL,
        ),
        'kink',
      );
    });
    it('both sides below the rounding floor is zero; a numeric above it is not', () => {
      assert.equal(roundingFloor(1, 1e-6), (64 * 2 ** -52) / 2e-6);
      assert.equal(verdict(2.2e-16, [{ numeric: -1.1e-10, kink: false }], roundingFloor(1.6, 1e-6), TOL), 'zero');
      assert.equal(verdict(2.2e-16, [{ numeric: 1e-6, kink: false }], roundingFloor(1.6, 1e-6), TOL), 'pass');
      assert.equal(verdict(0, [{ numeric: 1e-3, kink: false }], roundingFloor(1.6, 1e-6), TOL), 'halve');
    });
    it("a miss within the loss's rounding passes, at a loss where it is larger than the tolerance", () => {
      const floor = roundingFloor(4e7, 1e-6); // ≈ 0.28, above 50's tolerance of 0.05
      assert.equal(verdict(50, [{ numeric: 50.2, kink: false }], floor, TOL), 'pass');
      assert.equal(verdict(50, [{ numeric: 50.4, kink: false }], floor, TOL), 'halve');
      assert.equal(verdict(50, [{ numeric: 50.2, kink: false }], roundingFloor(1, 1e-6), TOL), 'halve');
    });
  });

  describe('outputs that share memory with their input', () => {
    // dropout and flatten hand their input back as their output: perturbing one moved both.
    for (const [what, source, at] of [
      [
        'relu → pool mean 2 → dropout → add with the pool',
        'input 2x4x4\nl0: relu\nl1: pool mean 2\nl2: dropout\nl3: add l2 l1\nflatten\ndense 3\nsoftmax',
        'l2',
      ],
      [
        'dropout → add with the input',
        'input 2x4x4\nl0: conv 2 3 pad=1\nl2: dropout\nl3: add l2 l0\nflatten\ndense 3\nsoftmax',
        'l2',
      ],
      ['flatten of a vector → add with it', 'input 6\nd: dense 6\nf: flatten\nadd f d\ndense 2\nloss mse', 'f'],
    ] as const) {
      it(`${what}: passes in every mode, ${at} without blame`, async () => {
        for (const mode of [undefined, 'local-full', 'baseline', 'directional', 'sampled', 'full'] as const) {
          const r = await gradcheck(check(source), mode ? { mode } : {});
          assert.equal(layer(r, at).delta.passed, true, `${mode}: ${layer(r, at).delta.maxRelError}`);
          assert.ok(layer(r, at).delta.maxRelError < 1e-6, `${mode}: ${layer(r, at).delta.maxRelError}`);
          assert.deepEqual(
            r.layers.filter((l) => l.blame).map((l) => l.name),
            [],
          );
          assert.equal(r.passed, true);
        }
      });
    }
    it('a base pass keeps every tensor in its own memory', () => {
      const pass = forwardPass(
        buildModel(check('input 2x4x4\nl1: pool mean 2\nl2: dropout\nl3: flatten\nl4: add l3 l3\nloss mse')),
      );
      const buffers = new Set(pass.tensors.map((t) => t.buffer));
      assert.equal(buffers.size, pass.tensors.length);
    });
  });

  it('δ = −1/p at a label probability of 1e-5 is curvature, not a wrong rule, and the check passes', async () => {
    // Logits [0, 11.5, 0] for label 0: p₀ = 1/(2 + e^11.5) ≈ 1.0e-5, δ ≈ −98,700.
    const data = {
      input: [1, 0, 0, 0],
      labels: [0],
      params: { fc: { W: [0, 0, 0, 0, 11.5, 0, 0, 0, 0, 0, 0, 0], b: [0, 0, 0] } },
    };
    const r = await gradcheck(check('input 4\nfc: dense 3\nsoftmax'), { mode: 'full', batch: 1, data });
    const softmax = layer(r, 'softmax1').delta;
    assert.deepEqual(
      [softmax.checked, softmax.curvature, softmax.zeros, softmax.kinks, softmax.passed],
      [3, 1, 2, 0, true],
    );
    assert.equal(r.passed, true);
    // Two more reruns for the coordinate that needed the half step.
    assert.equal(r.evaluations, 2 * (4 + 3 + 12 + 3 + 3) + 2);
  });

  it('a conv bias followed by batchnorm has a zero gradient: reported as zeros, no relative error, passed', async () => {
    const r = await gradcheck(
      check('input 3x8x8\nc: conv 4 3\nbn: batchnorm\nrelu\nflatten\nd: dense 5\nbn2: batchnorm\nsoftmax'),
      { mode: 'full', batch: 3 },
    );
    for (const [l, p] of [
      ['c', 'b'],
      ['d', 'b'],
    ] as const) {
      const c = layer(r, l).params[p];
      assert.deepEqual(
        [c.checked, c.zeros, c.maxRelError, c.maxExcess, c.passed],
        [c.checked, c.checked, 0, 0, true],
        `${l}.${p}`,
      );
    }
    assert.equal(layer(r, 'c').params.W.zeros, 0);
    assert.ok(layer(r, 'c').params.W.maxRelError < 1e-5);
    assert.equal(r.passed, true);
    // The CLI's row for c: δ, W, then b as zero by structure; the Zeros column adds c's δ zeros and b's 4.
    const row = gradcheckText(r, 'n.cnn')
      .split('\n')
      .find((l) => l.startsWith('c '))!;
    const cells = row.split(/\s{2,}/);
    assert.equal(cells[4], '✓ 0 by structure');
    assert.equal(Number(cells.at(-1)), layer(r, 'c').delta.zeros + 4);
  });

  describe('in local-full mode', () => {
    it('δ = −1/p at a label probability of 1e-5: the output δ against the loss is curvature, and the check passes', async () => {
      const data = {
        input: [1, 0, 0, 0],
        labels: [0],
        params: { fc: { W: [0, 0, 0, 0, 11.5, 0, 0, 0, 0, 0, 0, 0], b: [0, 0, 0] } },
      };
      const r = await gradcheck(check('input 4\nfc: dense 3\nsoftmax'), { mode: 'local-full', batch: 1, data });
      const softmax = layer(r, 'softmax1').delta;
      // The direction and the three coordinates: the label's coordinate and the direction, which moves it too, are curvature.
      assert.deepEqual([softmax.checked, softmax.curvature, softmax.passed], [4, 2, true]);
      assert.equal(r.passed, true);
    });

    it('a conv bias followed by batchnorm: its gradient is zero by structure at every coordinate and along the direction', async () => {
      const r = await gradcheck(
        check('input 3x8x8\nc: conv 4 3\nbn: batchnorm\nrelu\nflatten\nd: dense 5\nbn2: batchnorm\nsoftmax'),
        { mode: 'local-full', batch: 3 },
      );
      for (const [l, p] of [
        ['c', 'b'],
        ['d', 'b'],
      ] as const) {
        const c = layer(r, l).params[p];
        assert.deepEqual([c.zeros, c.maxRelError, c.passed], [c.checked, 0, true], `${l}.${p}`);
        // Its rule check, for a random δ at the output, is not zero.
        assert.equal(layer(r, l).rules![p].zeros, 0, `${l}.${p} rule`);
      }
      assert.equal(layer(r, 'c').params.W.zeros, 0);
      assert.equal(r.passed, true);
    });
  });
});
