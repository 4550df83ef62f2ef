/**
 * Hand-written backward rules in runs and gradient checks: each rule replaces the built-in δ or gradient of its
 * target for its layer; whatever the layer's rules leave out stays built-in. A rule is per sample: δ at the input
 * is the rule's value for each sample, a parameter's gradient the sum of its values over the batch.
 */
import { type CompiledRule, type Tensor, evaluateRule } from '../backward';
import type { Analysis } from '../check';
import type { Backward, BackwardOverride } from '../layers/kind';
import { elementCount, type Shape } from '../shape';

/** An override for each layer that has rules in the analysis (which must be free of errors). */
export function ruleOverrides(analysis: Analysis): Record<string, BackwardOverride> {
  const byLayer = new Map<string, CompiledRule[]>();
  for (const r of analysis.rules) byLayer.set(r.layer, [...(byLayer.get(r.layer) ?? []), r]);
  const overrides: Record<string, BackwardOverride> = {};
  for (const layer of analysis.layers) {
    const rules = byLayer.get(layer.name);
    if (rules) overrides[layer.name] = override(rules, Object.fromEntries(layer.params.map((p) => [p.name, p.shape])));
  }
  return overrides;
}

function override(rules: readonly CompiledRule[], paramShapes: Readonly<Record<string, Shape>>): BackwardOverride {
  return (step, x, forward, dy, standard) => {
    // The built-in backward, for what the rules leave out.
    const covered = new Set(rules.map((r) => r.target));
    const built =
      covered.has('dx') && Object.keys(paramShapes).every((p) => covered.has(`d${p}`)) ? undefined : standard();
    const input = step.inputShapes[0],
      inSize = elementCount(input),
      outSize = elementCount(step.output);
    const arrays: Record<string, Tensor> = {};
    for (const [name, shape] of Object.entries(paramShapes)) arrays[name] = { dims: shape, data: step.params[name] };
    const dx = built ? [...built.dx] : [];
    const grads: Record<string, Float64Array> = { ...built?.grads };
    for (const rule of rules) {
      const param = rule.target === 'dx' ? undefined : rule.target.slice(1);
      const shape = param ? paramShapes[param] : input;
      const out = new Float64Array(param ? elementCount(shape) : step.batch * inSize);
      // Each assignment of the target's index variables fills a block of the target, in row-major order.
      const blocks = rule.ranges.reduce((n, r) => n * r, 1),
        block = elementCount(shape) / blocks;
      for (let n = 0; n < step.batch; n++) {
        arrays.x = { dims: input, data: x[0].subarray(n * inSize, (n + 1) * inSize) };
        arrays.y = { dims: step.output, data: forward.y.subarray(n * outSize, (n + 1) * outSize) };
        arrays.dy = { dims: step.output, data: dy.subarray(n * outSize, (n + 1) * outSize) };
        const base = param ? 0 : n * inSize;
        for (let b = 0; b < blocks; b++) {
          const at: number[] = [];
          for (let i = rule.ranges.length - 1, rest = b; i >= 0; i--) {
            at[i] = rest % rule.ranges[i];
            rest = Math.floor(rest / rule.ranges[i]);
          }
          const value = evaluateRule(rule, arrays, at).data,
            o = base + b * block;
          if (param) for (let i = 0; i < block; i++) out[o + i] += value[i];
          else out.set(value, o);
        }
      }
      if (param) grads[param] = out;
      else dx[0] = out;
    }
    return { dx, grads } satisfies Backward;
  };
}
