/**
 * groupnorm GROUPS: nn.GroupNorm(GROUPS, C, eps). Each sample's C channels are cut into GROUPS groups of C/GROUPS
 * consecutive channels, each normalised by its own mean and biased variance, then y = γ[c]·x̂ + β[c]. The
 * statistics never mix samples (unlike batchnorm), so the δ rule's means are per sample and group.
 */
import { ExportError } from '../export/target';
import { groupNormBackward, groupNormForward, type GroupNormSaved } from '../kernels';
import { formatShape } from '../shape';
import type { TextRange } from '../text';
import { readInt, readNumber } from '../values';
import { expectArgs, type LayerKind } from './kind';

export interface GroupNormConfig {
  readonly groups: number;
  readonly eps: number;
  /** Where GROUPS is written, for a count that does not divide C. */
  readonly at: TextRange;
}

/** Steps the search for a divisor takes at most, so that an absurd channel count cannot stall a keystroke. */
const SEARCH = 100_000;

/**
 * The divisor of C nearest to `groups`, the smaller on a tie, searching outward from `groups`; undefined when
 * none lies within SEARCH of it (only for channel counts no network has).
 */
export function nearestDivisor(C: number, groups: number): number | undefined {
  if (groups >= C) return C;
  for (let k = 0; k <= Math.min(groups - 1, SEARCH); k++) {
    if (C % (groups - k) === 0) return groups - k;
    if (C % (groups + k) === 0) return groups + k;
  }
  return undefined;
}

/** What a group's statistics are taken over. */
const over = (shape: readonly number[], groups: number) => {
  const per = shape[0] / groups;
  const where = shape.length === 3 ? ` × ${shape[1]}×${shape[2]} positions` : '';
  return `each sample's ${groups} group${groups === 1 ? '' : 's'} of ${per} channel${per === 1 ? '' : 's'}${where}`;
};

export const groupnorm: LayerKind<{ eps: number }, GroupNormConfig, undefined, GroupNormSaved> = {
  kind: 'groupnorm',
  summary:
    "normalises each sample's groups of channels with their own mean and (biased) variance, then scales by γ and shifts by β",
  usage: 'groupnorm GROUPS',
  paramAxes: { gamma: ['channel'], beta: ['channel'] },
  options: {
    eps: {
      doc: 'eps: added to the variance before the square root',
      default: '1e-5',
      read: (v, report) => readNumber(v, 'eps', (n) => n > 0, 'more than 0', report),
    },
  },
  configure(args, o, cx) {
    if (!expectArgs(args, ['GROUPS'], cx)) return undefined;
    const groups = readInt(args[0], 'GROUPS', 1, cx.report);
    if (groups === undefined) return undefined;
    return { groups, eps: o.eps ?? 1e-5, at: args[0].range };
  },
  infer(c, [input], cx) {
    const C = input.shape[0];
    if (C % c.groups !== 0) {
      const d = nearestDivisor(C, c.groups);
      cx.report({
        severity: 'error',
        code: 'bad-value',
        message: `${cx.layer}: ${c.groups} groups do not divide the ${C} channels of ${input.name} (${formatShape(input.shape)})${d === undefined ? '' : `; the nearest that does is ${d}`}`,
        range: c.at,
        ...(input.channelsFrom && { related: [{ range: input.channelsFrom, message: `${C} channels set here` }] }),
        ...(d !== undefined && {
          fixes: [{ title: `Use ${d} groups`, edits: [{ range: c.at, newText: `${d}` }], preferred: true }],
        }),
      });
      return undefined;
    }
    return { output: input.shape, macs: 0 };
  },
  params(_c, [input]) {
    const channels = [input.shape[0]];
    return [
      { name: 'gamma', shape: channels },
      { name: 'beta', shape: channels },
    ];
  },
  rule(c, [input], cx) {
    const dy = `δ(${cx.layer})`;
    return `${cx.deltaOf(input.name)} ${formatShape(input.shape)} = (1/σ) ⊙ (u − mean(u) − x̂ ⊙ mean(u ⊙ x̂)) with u = ${dy} ⊙ γ[c], σ and the means per group, over ${over(input.shape, c.groups)}`;
  },
  paramRules(_c, [input], cx) {
    const dy = `δ(${cx.layer})`;
    const where =
      input.shape.length === 3 ? `the batch and the ${input.shape[1]}×${input.shape[2]} positions` : 'the batch';
    return [
      `dgamma ${input.shape[0]} = Σ over ${where} of ${dy} ⊙ x̂`,
      `dbeta ${input.shape[0]} = Σ over ${where} of ${dy}`,
    ];
  },
  forward(c, step, [x]) {
    const { y, mean, invStd } = groupNormForward(
      step.inputShapes[0],
      c.groups,
      step.batch,
      x,
      step.params.gamma,
      step.params.beta,
      c.eps,
    );
    return { y, saved: { mean, invStd } };
  },
  backward(c, step, [x], f, dy) {
    if (!f.saved) throw new Error(`${step.name}: groupnorm's backward needs the statistics its forward saves`);
    const { dx, dgamma, dbeta } = groupNormBackward(
      step.inputShapes[0],
      c.groups,
      step.batch,
      x,
      dy,
      step.params.gamma,
      f.saved,
    );
    return { dx: [dx], grads: { gamma: dgamma, beta: dbeta } };
  },
  label: (c) => `groupnorm ${c.groups}`,
  shortRule: () => 'γ/σ ⊙ (δ − group means)',
  torch: (l) => ({
    module: `nn.GroupNorm(${l.config.groups}, ${l.inputs[0][0]}${l.config.eps === 1e-5 ? '' : `, eps=${l.config.eps}`})`,
  }),
  tfjs: (l) => {
    throw new ExportError(`${l.name}: tfjs has no group normalisation layer`, l.name);
  },
};
