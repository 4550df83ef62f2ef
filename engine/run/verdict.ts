/**
 * The verdict on one compared coordinate (or direction) of a gradient check: the analytic value against central
 * differences of the loss. Every mode of the check asks this one module, so they all judge alike.
 *
 * - `pass`: |a − n| ≤ atol + rtol·|n| (torch.autograd.gradcheck's rule), or |a − n| within what the difference
 *   resolves (the loss's rounding over the step): at a loss of 1e6 that is about 7e-3, and a miss that small is the
 *   loss's own rounding, which no verdict can pin on a rule.
 * - `zero`: a and n are both below what a central difference can resolve (the loss's rounding over the step): a
 *   gradient that is zero in exact arithmetic, like a conv bias followed by batchnorm. It passes; its relative
 *   error, rounding noise over rounding noise, means nothing and is not reported.
 * - `kink`: the ±ε pair changed a non-differentiable choice downstream (a ReLU's sign, a max-pool winner) or left
 *   the loss's domain: the difference says nothing. Inconclusive.
 * - `curvature`: the difference missed at ε but the miss shrinks as ε²: with the step halved it is a quarter,
 *   and the two steps extrapolated (Richardson: (4·n(ε/2) − n(ε))/3, free of the ε² term) agree with the
 *   analytic value. That is the step's error on a strongly curved loss (δ = −1/p at a tiny probability), not a
 *   wrong rule, whose miss stays the same at every step. Inconclusive, never a failure. The step is halved
 *   until the two tell (at most MAX_HALVINGS times); a wrong rule shows at the first halving.
 * - `fail`: anything else.
 */

export type Verdict = 'pass' | 'fail' | 'kink' | 'curvature' | 'zero';

export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

/** One central difference: (f(θ + εv) − f(θ − εv)) / 2ε, and whether the pair straddled a kink. */
export interface Difference {
  readonly numeric: number;
  readonly kink: boolean;
}

/** How far past the tolerance: > 1 fails. */
export function excess(analytic: number, numeric: number, tol: Tolerance): number {
  return Math.abs(analytic - numeric) / (tol.atol + tol.rtol * Math.abs(numeric));
}

/** |a − n| / (|a| + |n|), in [0, 1]. */
export function relError(analytic: number, numeric: number): number {
  return Math.abs(analytic - numeric) / Math.max(Math.abs(analytic) + Math.abs(numeric), 1e-12);
}

/**
 * The smallest gradient a central difference of step `eps` resolves at this loss: 64 units in the last place
 * of the loss (its rounding, with room for the reruns' own), over 2ε. About 7e-9 at a loss near 1 and ε = 1e-6.
 */
export function roundingFloor(loss: number, eps: number): number {
  return (64 * Number.EPSILON * Math.max(Math.abs(loss), 1)) / (2 * eps);
}

/** An ε² error, halved step: a quarter. Allow for the next term and for rounding: between 1/8 and 1/2. */
const CURVATURE_RATIO: readonly [number, number] = [0.125, 0.5];
/** A miss that changes by less than this fraction as the step halves is the rule's: no smaller step will help. */
const STEADY = 0.25;
/** Steps tried at most after ε: ε/2 … ε/256. */
export const MAX_HALVINGS = 8;

/**
 * The verdict from the differences at ε, ε/2, ε/4, … (`steps[k]` at ε/2^k). Returns `halve` when it needs the
 * next step: the caller computes it and asks again. Two consecutive steps decide curvature when the miss
 * shrinks as ε² and their extrapolation agrees; a miss that stays the same fails at once. Far from the ε²
 * regime (a step near the size of a tiny probability) the ratio says nothing yet, and the step is halved again.
 */
export function verdict(
  analytic: number,
  steps: readonly Difference[],
  floor: number,
  tol: Tolerance,
): Verdict | 'halve' {
  const [at] = steps;
  if (at.kink) return 'kink';
  if (Math.abs(analytic) <= floor && Math.abs(at.numeric) <= floor) return 'zero';
  if (excess(analytic, at.numeric, tol) <= 1 || Math.abs(analytic - at.numeric) <= floor) return 'pass';
  for (let k = 1; k < steps.length; k++) {
    if (steps[k].kink) return 'kink';
    const ratio = (analytic - steps[k].numeric) / (analytic - steps[k - 1].numeric);
    const extrapolated = (4 * steps[k].numeric - steps[k - 1].numeric) / 3;
    if (ratio >= CURVATURE_RATIO[0] && ratio <= CURVATURE_RATIO[1] && excess(analytic, extrapolated, tol) <= 1)
      return 'curvature';
    if (Math.abs(ratio - 1) <= STEADY) return 'fail';
  }
  return steps.length > MAX_HALVINGS ? 'fail' : 'halve';
}

/** Whether a verdict leaves the coordinate out of pass and fail. */
export const inconclusive = (v: Verdict): boolean => v === 'kink' || v === 'curvature';
