/**
 * Random valid networks, small enough to check in full: every layer kind and option of docs/language.md,
 * branches (`from=`), merges (`add`, `concat`, `mul`) of earlier layers whose shape fits, and both losses. A plan is
 * drawn by fast-check (so it shrinks) and built line by line: a line the checker rejects is left out, so every
 * network built is valid and every kind that can follow is tried.
 */
import fc from 'fast-check';
import { check } from '../engine';

type Line = (at: Place) => string | undefined;

/** What a line can read: the layers above, with their shapes. */
interface Place {
  readonly names: readonly string[];
  readonly shapes: readonly (readonly number[])[];
  /** Their kinds (`input` for the input). */
  readonly kinds: readonly string[];
  /** Index into names of what the line reads by default (the line above). */
  readonly last: number;
}

const pair = (a: number, b: number) => (a === b ? `${a}` : `${a}x${b}`);
const opt = (key: string, value: string | number | undefined) => (value === undefined ? '' : `${key}=${value}`);
const words = (...parts: string[]) => parts.filter((p) => p !== '').join(' ');
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });

const conv: fc.Arbitrary<Line> = fc
  .record({
    filters: fc.integer({ min: 1, max: 4 }),
    kernel: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    stride: maybe(fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }))),
    pad: maybe(fc.oneof(fc.constantFrom('valid', 'same', 'full', '1', '2', '1x0', '0x1x2x1'))),
    dilation: maybe(fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }))),
    groups: maybe(fc.integer({ min: 1, max: 3 })),
    bias: maybe(fc.boolean()),
  })
  .map(
    (o) => () =>
      words(
        'conv',
        `${o.filters}`,
        pair(...o.kernel),
        opt('stride', o.stride && pair(...o.stride)),
        opt('pad', o.pad),
        opt('dilation', o.dilation && pair(...o.dilation)),
        opt('groups', o.groups),
        opt('bias', o.bias?.toString()),
      ),
  );

const pool: fc.Arbitrary<Line> = fc
  .record({
    mode: fc.constantFrom('max', 'mean', 'avg'),
    kernel: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    stride: maybe(fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }))),
    pad: maybe(fc.integer({ min: 0, max: 1 })),
    ceil: maybe(fc.boolean()),
  })
  .map(
    (o) => () =>
      words(
        'pool',
        o.mode,
        pair(...o.kernel),
        opt('stride', o.stride && pair(...o.stride)),
        opt('pad', o.pad),
        opt('ceil', o.ceil?.toString()),
      ),
  );

const dense: fc.Arbitrary<Line> = fc
  .record({ units: fc.integer({ min: 1, max: 6 }), bias: maybe(fc.boolean()) })
  .map((o) => () => words('dense', `${o.units}`, opt('bias', o.bias?.toString())));

const simple: fc.Arbitrary<Line> = fc
  .oneof(
    fc.constantFrom('relu', 'sigmoid', 'tanh', 'identity', 'flatten', 'dropout', 'batchnorm', 'leaky_relu'),
    fc.constantFrom(0.2, 0.5).map((r) => `dropout rate=${r}`),
    fc.constantFrom(0.1, -0.5, 2).map((s) => `leaky_relu slope=${s}`),
    fc.constantFrom(1e-3, 0.1).map((e) => `batchnorm eps=${e}`),
    fc.constantFrom('relu6', 'gelu', 'silu', 'hardswish', 'hardsigmoid', 'elu'),
    fc.constantFrom(0.5, 2).map((a) => `elu alpha=${a}`),
  )
  .map((text) => () => text);

/** The geometric kinds of version 2: deconv, upsample, crop (to a size drawn within the input), adaptive pooling. */
const geometric: fc.Arbitrary<Line> = fc.oneof(
  fc
    .record({
      filters: fc.integer({ min: 1, max: 3 }),
      kernel: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      stride: maybe(fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }))),
      pad: maybe(fc.constantFrom('1', '1x0')),
      outPad: maybe(fc.constantFrom('1', '0x1')),
      dilation: maybe(fc.constantFrom('2', '1x2')),
      groups: maybe(fc.integer({ min: 1, max: 2 })),
      bias: maybe(fc.boolean()),
    })
    .map(
      (o) => () =>
        words(
          'deconv',
          `${o.filters}`,
          pair(...o.kernel),
          opt('stride', o.stride && pair(...o.stride)),
          opt('pad', o.pad),
          opt('out_pad', o.outPad),
          opt('dilation', o.dilation),
          opt('groups', o.groups),
          opt('bias', o.bias?.toString()),
        ),
    ),
  fc
    .record({ factor: fc.constantFrom('1', '2', '1x2', '2x1'), mode: maybe(fc.constantFrom('nearest', 'bilinear')) })
    .map((o) => () => words('upsample', o.factor, opt('mode', o.mode))),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]): Line => (at) => {
    const s = at.shapes[at.last];
    return s.length === 3 ? `crop ${1 + (a % s[1])}x${1 + (b % s[2])}` : undefined;
  }),
  fc
    .record({ mode: fc.constantFrom('max', 'mean'), out: maybe(fc.constantFrom('1', '2', '3x2', '4')) })
    .map((o) => () => (o.out ? `pool ${o.mode} out=${o.out}` : `pool ${o.mode} global`)),
);
/** `groupnorm` with a number of groups that divides the channels of the line above, `pick` choosing which. */
const groupnorm: fc.Arbitrary<Line> = fc
  .record({ pick: fc.nat(), eps: maybe(fc.constantFrom(1e-3, 0.1)) })
  .map(({ pick, eps }) => (at) => {
    const C = at.shapes[at.last][0];
    const divisors = Array.from({ length: C }, (_, i) => i + 1).filter((d) => C % d === 0);
    return words('groupnorm', `${divisors[pick % divisors.length]}`, opt('eps', eps));
  });

/**
 * `mul` of the line above and an earlier layer of its shape, or of one per channel (C×1×1 or a vector of C)
 * against a map, as squeeze-and-excitation multiplies. Products may be unbounded (x·x·x·…, a loss of 1e7): the
 * check must then tell the loss's own rounding over the step from a wrong rule (verdict.ts).
 */
const mul: fc.Arbitrary<Line> = fc.record({ pick: fc.nat(), swap: fc.boolean() }).map(({ pick, swap }) => (at) => {
  const last = at.shapes[at.last];
  const scale = (s: readonly number[]) => s.length === 1 || (s[1] === 1 && s[2] === 1);
  const fits = at.names.filter((_, i) => {
    const s = at.shapes[i];
    return s.join() === last.join() || (s[0] === last[0] && s.length + last.length > 2 && (scale(s) || scale(last)));
  });
  if (fits.length === 0) return undefined;
  const other = fits[pick % fits.length];
  return swap ? `mul ${other} ${at.names[at.last]}` : `mul ${at.names[at.last]} ${other}`;
});

/** `add` or `concat` of the line above and one or two earlier layers that fit, `pick` choosing which. */
const merge: fc.Arbitrary<Line> = fc
  .record({ kind: fc.constantFrom('add', 'concat'), picks: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }) })
  .map(({ kind, picks }) => (at) => {
    const last = at.shapes[at.last];
    const fits = at.names.flatMap((n, i) => {
      const s = at.shapes[i];
      const ok =
        kind === 'add'
          ? s.join() === last.join()
          : s.length === last.length && s.slice(1).join() === last.slice(1).join();
      return ok && i !== at.last ? [n] : [];
    });
    if (fits.length === 0) fits.push(at.names[at.last]);
    return `${kind} ${[at.names[at.last], ...picks.map((p) => fits[p % fits.length])].join(' ')}`;
  });

/** A branch: the next layer reads an earlier layer, not the line above. */
const branch = fc.tuple(fc.oneof(conv, pool, dense, simple), fc.nat()).map(
  ([line, pick]): Line =>
    (at) =>
      `${line(at)} from=${at.names[pick % at.names.length]}`,
);

export interface Plan {
  readonly input: readonly number[];
  readonly lines: readonly Line[];
  readonly head: 'softmax' | 'cross_entropy' | 'mse';
  readonly batch: number;
  readonly seed: number;
}

export const plans: fc.Arbitrary<Plan> = fc.record({
  input: fc.oneof(
    {
      weight: 4,
      arbitrary: fc.tuple(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 7 }),
      ),
    },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 8 })) },
  ),
  lines: fc.array(
    fc.oneof(
      { weight: 4, arbitrary: conv },
      { weight: 3, arbitrary: pool },
      { weight: 1, arbitrary: dense },
      { weight: 4, arbitrary: simple },
      { weight: 2, arbitrary: merge },
      { weight: 1, arbitrary: branch },
      { weight: 2, arbitrary: geometric },
      { weight: 1, arbitrary: groupnorm },
      { weight: 1, arbitrary: mul },
    ),
    { minLength: 1, maxLength: 8 },
  ),
  head: fc.constantFrom('softmax', 'cross_entropy', 'mse'),
  batch: fc.integer({ min: 1, max: 4 }),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
});

/** Every layer named (l1, l2, …) so merges can name them. Returns the source of a network with no error. */
export function build(plan: Plan): string {
  const lines = [`input ${plan.input.join('x')}`];
  const errors = (text: string) => check(text).diagnostics.some((d) => d.severity === 'error');
  let place: Place = { names: ['input'], shapes: [plan.input], kinds: ['input'], last: 0 };
  for (const line of plan.lines) {
    const name = `l${place.names.length}`;
    const text = line(place);
    const candidate = [...lines, `${name}: ${text}`];
    if (!text || errors(candidate.join('\n'))) continue;
    const a = check(candidate.join('\n'));
    const layer = a.layers[a.layers.length - 1];
    lines.push(`${name}: ${text}`);
    place = {
      names: [...place.names, name],
      shapes: [...place.shapes, layer.output!],
      kinds: [...place.kinds, layer.kind],
      last: place.names.length,
    };
  }
  if (lines.length === 1) lines.push('l1: dense 2');
  // The loss reads the last line: it must be the one the checker sees last.
  const heads =
    plan.head === 'softmax'
      ? ['softmax', 'loss cross_entropy']
      : plan.head === 'mse'
        ? ['loss mse']
        : ['loss cross_entropy'];
  for (const head of heads) {
    const text = [...lines, head].join('\n');
    if (!errors(text)) return text;
  }
  return lines.join('\n');
}

/** `count` networks drawn from `seed`, reproducibly. */
export function sampleNetworks(seed: number, count: number): { source: string; batch: number; seed: number }[] {
  return fc.sample(plans, { seed, numRuns: count }).map((p) => ({ source: build(p), batch: p.batch, seed: p.seed }));
}
