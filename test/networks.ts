/**
 * Random valid networks, small enough to check in full: every layer kind and option of docs/language.md,
 * branches (`from=`), merges (`add`, `concat`) of earlier layers whose shape fits, and both losses. A plan is
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
  .map((o) => () => words('conv', `${o.filters}`, pair(...o.kernel), opt('stride', o.stride && pair(...o.stride)), opt('pad', o.pad), opt('dilation', o.dilation && pair(...o.dilation)), opt('groups', o.groups), opt('bias', o.bias?.toString())));

const pool: fc.Arbitrary<Line> = fc
  .record({
    mode: fc.constantFrom('max', 'mean', 'avg'),
    kernel: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    stride: maybe(fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }))),
    pad: maybe(fc.integer({ min: 0, max: 1 })),
    ceil: maybe(fc.boolean()),
  })
  .map((o) => () => words('pool', o.mode, pair(...o.kernel), opt('stride', o.stride && pair(...o.stride)), opt('pad', o.pad), opt('ceil', o.ceil?.toString())));

const dense: fc.Arbitrary<Line> = fc.record({ units: fc.integer({ min: 1, max: 6 }), bias: maybe(fc.boolean()) }).map((o) => () => words('dense', `${o.units}`, opt('bias', o.bias?.toString())));

const simple: fc.Arbitrary<Line> = fc
  .oneof(
    fc.constantFrom('relu', 'sigmoid', 'tanh', 'identity', 'flatten', 'dropout', 'batchnorm', 'leaky_relu'),
    fc.constantFrom(0.2, 0.5).map((r) => `dropout rate=${r}`),
    fc.constantFrom(0.1, -0.5, 2).map((s) => `leaky_relu slope=${s}`),
    fc.constantFrom(1e-3, 0.1).map((e) => `batchnorm eps=${e}`),
  )
  .map((text) => () => text);

/** `add` or `concat` of the line above and one or two earlier layers that fit, `pick` choosing which. */
const merge: fc.Arbitrary<Line> = fc.record({ kind: fc.constantFrom('add', 'concat'), picks: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }) }).map(({ kind, picks }) => (at) => {
  const last = at.shapes[at.last];
  const fits = at.names.flatMap((n, i) => {
    const s = at.shapes[i];
    const ok = kind === 'add' ? s.join() === last.join() : s.length === last.length && s.slice(1).join() === last.slice(1).join();
    return ok && i !== at.last ? [n] : [];
  });
  if (fits.length === 0) fits.push(at.names[at.last]);
  return `${kind} ${[at.names[at.last], ...picks.map((p) => fits[p % fits.length])].join(' ')}`;
});

/** A branch: the next layer reads an earlier layer, not the line above. */
const branch = fc.tuple(fc.oneof(conv, pool, dense, simple), fc.nat()).map(([line, pick]): Line => (at) => `${line(at)} from=${at.names[pick % at.names.length]}`);

export interface Plan {
  readonly input: readonly number[];
  readonly lines: readonly Line[];
  readonly head: 'softmax' | 'cross_entropy' | 'mse';
  readonly batch: number;
  readonly seed: number;
}

export const plans: fc.Arbitrary<Plan> = fc.record({
  input: fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 })) },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 8 })) },
  ),
  lines: fc.array(fc.oneof({ weight: 4, arbitrary: conv }, { weight: 3, arbitrary: pool }, { weight: 1, arbitrary: dense }, { weight: 4, arbitrary: simple }, { weight: 2, arbitrary: merge }, { weight: 1, arbitrary: branch }), { minLength: 1, maxLength: 8 }),
  head: fc.constantFrom('softmax', 'cross_entropy', 'mse'),
  batch: fc.integer({ min: 1, max: 4 }),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
});

/** Every layer named (l1, l2, …) so merges can name them. Returns the source of a network with no error. */
export function build(plan: Plan): string {
  const lines = [`input ${plan.input.join('x')}`];
  const errors = (text: string) => check(text).diagnostics.some((d) => d.severity === 'error');
  let place: Place = { names: ['input'], shapes: [plan.input], last: 0 };
  for (const line of plan.lines) {
    const name = `l${place.names.length}`;
    const text = line(place);
    const candidate = [...lines, `${name}: ${text}`];
    if (!text || errors(candidate.join('\n'))) continue;
    const a = check(candidate.join('\n'));
    const layer = a.layers[a.layers.length - 1];
    lines.push(`${name}: ${text}`);
    place = { names: [...place.names, name], shapes: [...place.shapes, layer.output!], last: place.names.length };
  }
  if (lines.length === 1) lines.push('l1: dense 2');
  // The loss reads the last line: it must be the one the checker sees last.
  const heads = plan.head === 'softmax' ? ['softmax', 'loss cross_entropy'] : plan.head === 'mse' ? ['loss mse'] : ['loss cross_entropy'];
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
