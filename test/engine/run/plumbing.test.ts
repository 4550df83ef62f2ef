/**
 * Faults in how a graph routes δ, each blamed on what has it, in every mode: δ not summed where a tensor feeds
 * several layers (the layers it feeds are right, each share is checked on its own), `add` handing δ to one term
 * only, `concat` cutting its channels one off. The network: stem feeds a, b and c; s = a + b; c = concat(s, stem).
 */
import assert from 'node:assert/strict';
import { check } from '../../../engine';
import {
  FANOUT_NOT_SUMMED,
  gradcheck,
  type GradcheckMode,
  type GradcheckResult,
  type RunOptions,
  withFault,
} from '../../../engine/run';

const NET =
  'input 3x6x6\nstem: conv 4 3 pad=1\na: conv 4 3 pad=1\nb: conv 4 1 from=stem\ns: add a b\nc: concat s stem\npool mean 2\nd: dense 3\nsoftmax';
/** The end-to-end modes: baseline is directional then sampled, the default before the local check. */
const MODES: readonly GradcheckMode[] = ['baseline', 'directional', 'sampled', 'full'];
/** The local modes, the default first (undefined). */
const LOCAL: readonly (GradcheckMode | undefined)[] = [undefined, 'local-full'];

const failures = (r: GradcheckResult) =>
  r.layers.flatMap((l) => [
    ...(l.delta.passed ? [] : [`${l.name} δ`]),
    ...Object.entries(l.params)
      .filter(([, c]) => !c.passed)
      .map(([n]) => `${l.name} ${n}`),
  ]);
const blames = (r: GradcheckResult) => r.layers.filter((l) => l.blame).map((l) => [l.name, l.blame]);

async function eachMode(
  options: RunOptions,
  expect: (r: GradcheckResult, mode: string) => void,
  modes: readonly (GradcheckMode | undefined)[] = MODES,
): Promise<void> {
  for (const mode of modes)
    expect(await gradcheck(check(NET), { ...options, ...(mode && { mode }) }), mode ?? 'default');
}
/** The local modes' failed rule checks, beside the δ and gradient checks. */
const ruleFailures = (r: GradcheckResult) =>
  r.layers.flatMap((l) =>
    Object.entries(l.rules ?? {})
      .filter(([, c]) => !c.passed)
      .map(([n]) => `${l.name} rule ${n}`),
  );

describe('gradient check: faults in the graph plumbing', () => {
  it('the correct network passes, with no shares checked', async () => {
    await eachMode({}, (r, mode) => {
      assert.equal(r.passed, true, mode);
      assert.equal(r.layers.find((l) => l.name === 'stem')!.delta.shares, undefined);
    });
  });

  it('δ not summed at stem, which feeds a, b and c: blamed on the fan-out at stem, not on a, b or c', async () => {
    await eachMode({ gather: FANOUT_NOT_SUMMED }, (r, mode) => {
      assert.deepEqual(failures(r), ['input δ', 'stem δ', 'stem W', 'stem b'], mode);
      assert.deepEqual(
        blames(r),
        [
          [
            'stem',
            'each layer it feeds (a, b, c) hands back a right share of its δ, but the δ is not their sum: the δ where stem fans out is not summed right',
          ],
        ],
        mode,
      );
      const shares = r.layers.find((l) => l.name === 'stem')!.delta.shares!;
      assert.deepEqual(
        Object.entries(shares).map(([n, c]) => [n, c.passed, c.checked]),
        [
          ['a', true, 17],
          ['b', true, 17],
          ['c', true, 17],
        ],
        mode,
      );
    });
  });

  it("add passing δ to its first term only: blamed on s, for its input b; stem's share from a is right", async () => {
    await eachMode({ overrides: withFault('s', 'add-one-term') }, (r, mode) => {
      assert.deepEqual(failures(r), ['input δ', 'stem δ', 'stem W', 'stem b', 'b δ', 'b W', 'b b'], mode);
      assert.deepEqual(
        blames(r),
        [['s', "the δ at its output is right but the δ at its input b is wrong: s's backward rule is wrong"]],
        mode,
      );
      const shares = r.layers.find((l) => l.name === 'stem')!.delta.shares!;
      // b's share is wrong (b was handed zeros for its δ), but so is δ(b) itself: b is not blamed, s is.
      assert.deepEqual(
        Object.entries(shares).map(([n, c]) => [n, c.passed]),
        [
          ['a', true],
          ['b', false],
          ['c', true],
        ],
        mode,
      );
    });
  });

  it('concat cutting channels one off: blamed on c, for both its inputs', async () => {
    await eachMode({ overrides: withFault('c', 'concat-off-by-one') }, (r, mode) => {
      assert.deepEqual(
        failures(r),
        ['input δ', 'stem δ', 'stem W', 'stem b', 'a δ', 'a W', 'a b', 'b δ', 'b W', 'b b', 's δ'],
        mode,
      );
      assert.deepEqual(
        blames(r),
        [
          [
            'c',
            "the δ at its output is right but the δ at its input s and the δ at its input stem are wrong: c's backward rule is wrong",
          ],
        ],
        mode,
      );
    });
  });

  describe('in the local modes (each layer against its own forward, each δ against its readers)', () => {
    it('the correct network passes', async () => {
      await eachMode({}, (r, mode) => assert.equal(r.passed, true, mode), LOCAL);
    });

    it("δ not summed at stem: stem δ alone fails, blamed on the fan-out after stem; a, b and c's rules pass", async () => {
      await eachMode(
        { gather: FANOUT_NOT_SUMMED },
        (r, mode) => {
          assert.deepEqual([...failures(r), ...ruleFailures(r)], ['stem δ'], mode);
          assert.deepEqual(
            blames(r),
            [
              [
                'stem',
                'the δ at its output is not the sum of what its readers a, b, c hand back, though their rules are right: δ is passed on wrong after stem',
              ],
            ],
            mode,
          );
        },
        LOCAL,
      );
    });

    it("add passing δ to its first term only: s's rule for its input b fails, blamed on s", async () => {
      await eachMode(
        { overrides: withFault('s', 'add-one-term') },
        (r, mode) => {
          assert.deepEqual([...failures(r), ...ruleFailures(r)], ['b δ', 's rule δ b'], mode);
          assert.deepEqual(
            blames(r),
            [
              [
                's',
                "for a random δ at its output, the δ at its input b disagrees with its forward: s's backward rule is wrong",
              ],
            ],
            mode,
          );
        },
        LOCAL,
      );
    });

    it("concat cutting channels one off: c's rules for s and stem fail, blamed on c", async () => {
      await eachMode(
        { overrides: withFault('c', 'concat-off-by-one') },
        (r, mode) => {
          assert.deepEqual(
            [...failures(r), ...ruleFailures(r)],
            ['stem δ', 's δ', 'c rule δ s', 'c rule δ stem'],
            mode,
          );
          assert.deepEqual(
            blames(r),
            [
              [
                'c',
                "for a random δ at its output, the δ at its input s and the δ at its input stem disagree with its forward: c's backward rule is wrong",
              ],
            ],
            mode,
          );
        },
        LOCAL,
      );
    });
  });
});
