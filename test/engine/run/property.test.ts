/**
 * The gradient check passes on random valid networks (test/networks.ts: every kind and option, branches,
 * merges of earlier layers, both losses, batch 1–4), in every mode. A network where it failed is a false blame
 * (the engine's backward agrees with PyTorch: torch.test.ts), kept below as a named regression test.
 *
 * PROPERTY_RUNS (default 600, about 30 s) and PROPERTY_SEED widen the search locally, e.g. PROPERTY_RUNS=3000.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { check } from '../../../engine';
import { gradcheck, type GradcheckMode, type GradcheckResult } from '../../../engine/run';
import { build, plans } from '../../networks';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 600);
const SEED = Number(process.env.PROPERTY_SEED ?? 20261203);
const MODES: readonly (GradcheckMode | undefined)[] = [
  undefined,
  'local-full',
  'baseline',
  'directional',
  'sampled',
  'full',
];

/** Each failing tensor with its worst coordinate, to read in a failure message. */
const failures = (r: GradcheckResult) =>
  r.layers.flatMap((l) =>
    [
      ['δ', l.delta] as const,
      ...Object.entries(l.params),
      ...Object.entries(l.rules ?? {}).map(([k, c]) => [`rule ${k}`, c] as const),
    ]
      .filter(([, c]) => !c.passed)
      .map(
        ([t, c]) =>
          `${l.name} ${t}: ${c.worst
            .slice(0, 2)
            .map((w) => `[${w.index.join(',')}] a=${w.analytic} n=${w.numeric}`)
            .join('; ')}`,
      ),
  );

async function passesEveryMode(source: string, batch: number, seed: number): Promise<void> {
  for (const mode of MODES) {
    const r = await gradcheck(check(source), { batch, seed, ...(mode && { mode }) });
    assert.ok(
      r.passed,
      `${mode ?? 'default'} mode, batch ${batch} seed ${seed}:\n${source}\n${failures(r).join('\n')}`,
    );
  }
}

describe('gradient check on random networks', () => {
  it(`passes on ${RUNS} random valid networks in every mode (seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(plans, async (plan) => passesEveryMode(build(plan), plan.batch, plan.seed)),
      { seed: SEED, numRuns: RUNS, endOnFailure: false },
    );
  }).timeout(600_000);

  /** Networks the property once failed on, each with what it taught. */
  const REGRESSIONS: readonly { name: string; source: string; batch: number; seed: number }[] = [
    {
      // Logits 9·x: a label probability of 1.16e-6, the size of ε; δ = −1/p needed ε/8 to show its curvature.
      name: 'softmax δ at a probability the size of the step',
      source: 'input 6\nl1: add input input input\nl2: add l1 input input\nsoftmax',
      batch: 1,
      seed: 87233,
    },
    {
      // A 3×1×3 softmax over 12 label positions: probabilities of 2.4e-6 and 2.9e-5, two coordinates of curvature.
      name: 'softmax δ over a map, batch 4, probabilities near ε',
      source:
        'input 1x2x3\nl1: add input input\nl2: leaky_relu slope=0.1\nl3: relu\nl4: conv 1 1 from=l1\nl5: conv 3 2x1\nl6: pool max 1\nsoftmax',
      batch: 4,
      seed: 801747,
    },
    {
      // x¹⁶ of a conv: a loss of 4.0e7, whose rounding over the step (64 ulps / 2ε ≈ 0.28) is larger than the
      // tolerance of moderate gradients; sampled and full mode failed misses that were that rounding.
      name: 'an unbounded product, a loss of 4e7',
      source:
        'input 2x5x5\nc1: conv 4 3x3 pad=1\nm1: mul c1 c1\nm2: mul m1 m1\nm3: mul m2 m2\nm4: mul m3 m3\nflatten\nfc: dense 3\nsoftmax',
      batch: 2,
      seed: 4,
    },
  ];
  for (const r of REGRESSIONS) it(`regression: ${r.name}`, () => passesEveryMode(r.source, r.batch, r.seed));
});
