/**
 * Property-based robustness of `check`: over generated networks (every layer kind and option of docs/language.md, names
 * that are and are not defined, comments, CRLF/CR/LF, tabs, ×/→/emoji) and mutations of them (characters and
 * lines deleted, duplicated, swapped; NULs, lone surrogates and huge numbers spliced in), check never throws,
 * keeps every range inside the document and off the middle of a surrogate pair, survives its own fixes, is
 * deterministic, and never infers a dimension that is not a positive safe integer.
 *
 * A synchronous infinite loop cannot be interrupted by mocha's timeout, so everything that might hang runs in a
 * worker thread (this same file, see the bottom) with a deadline; a hang then fails with the input that caused
 * it instead of freezing the suite. FUZZ_SEED and FUZZ_RUNS (a multiplier) widen the search locally.
 */
import assert from 'node:assert/strict';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { rng } from '../random';
import { check, type Analysis, type TextRange } from '../../engine';

// ---------------------------------------------------------------------------------------------- generators

type Arb = fc.Arbitrary<string>;

const NAMES = ['a', 'b', 'c1', 'c2', 'p1', 'r1', 'skip', 'fc', 'out', 'x_2'];
const name = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom(...NAMES) },
  { weight: 1, arbitrary: fc.constantFrom('input', 'conv', 'relu1', 'conv1', 'add1', 'Wé') }, // keywords, unnamed layers' names, not a name
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/) },
);

/** The numbers each slot of a statement draws from: mostly valid, so most layers have shapes to get wrong. */
interface Numbers {
  readonly count: Arb; // filters, units, channels
  readonly size: Arb; // H and W of the input
  readonly kernel: Arb;
  readonly step: Arb; // stride, dilation, padding, groups
  readonly real: Arb; // rate, eps, slope
}
const BAD = fc.constantFrom(
  '0',
  '-1',
  '-3',
  '0.5',
  '2.0',
  '.5',
  '1e-5',
  '1e3',
  '007',
  '-0',
  '1.5',
  '1e',
  '3x',
  'x3',
  'same',
);
/** Past 2^53, past a double, and just inside the safe integers, where sizes multiply out of range. */
const HUGE = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('9007199254740991', '4294967297', '99999999999', '1000001', '65537') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '99999999999999999999',
      '9007199254740992',
      '9007199254740993',
      '1e308',
      '1e400',
      `1${'0'.repeat(330)}`,
      '99999999999999999999x99999999999',
    ),
  },
);
const ints = (min: number, max: number) => fc.integer({ min, max }).map(String);
const mostly = (good: Arb, bad: Arb, badWeight = 1): Arb =>
  fc.oneof({ weight: 30, arbitrary: good }, { weight: badWeight, arbitrary: bad });
const MODERATE: Numbers = {
  count: mostly(fc.oneof(ints(1, 16), ints(17, 300)), BAD),
  size: mostly(ints(1, 64), BAD),
  kernel: mostly(ints(1, 7), BAD),
  step: mostly(ints(1, 3), BAD),
  real: mostly(fc.constantFrom('0.5', '0.1', '0.01', '1e-5', '0.99'), BAD),
};
const withHuge = (a: Arb) => mostly(a, HUGE, 8);
const HUGE_NUMBERS: Numbers = {
  count: withHuge(MODERATE.count),
  size: withHuge(MODERATE.size),
  kernel: withHuge(MODERATE.kernel),
  step: withHuge(MODERATE.step),
  real: withHuge(MODERATE.real),
};

const join = (parts: readonly string[]) => parts.filter((p) => p !== '').join(' ');
const oneOf = (...arbs: Arb[]): Arb => fc.oneof(...arbs);
const weighted = (...pairs: [number, Arb][]): Arb =>
  fc.oneof(...pairs.map(([weight, arbitrary]) => ({ weight, arbitrary })));
/** Each option present with probability 1/5, in a random order. */
const options = (...arbs: Arb[]): Arb =>
  fc
    .tuple(...arbs.map((a) => fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: a })))
    .chain((xs) => fc.shuffledSubarray(xs, { minLength: xs.length }))
    .map(join);
const times = weighted([40, fc.constant('x')], [8, fc.constant('×')], [1, fc.constant('X')]);
const dims = (...parts: Arb[]): Arb =>
  fc
    .tuple(fc.tuple(...parts), fc.tuple(...parts.map(() => times)))
    .map(([ds, ts]) => ds.map((d, i) => (i ? ts[i] : '') + d).join(''));

function network(n: Numbers): Arb {
  const pair = weighted([4, n.step], [1, dims(n.step, n.step)]);
  const kernel = weighted([4, n.kernel], [2, dims(n.kernel, n.kernel)], [1, dims(n.kernel, n.kernel, n.kernel)]);
  const shape = weighted(
    [30, dims(n.count, n.size, n.size)],
    [5, n.count],
    [1, dims(n.size, n.size)],
    [1, dims(n.count, n.size, n.size, n.size)],
  );
  const opt = (key: string, value: Arb) => value.map((v) => `${key}=${v}`);
  const bool = fc.constantFrom('true', 'false', 'false', '1', 'yes');
  // A reference is mostly to a name defined above (filled in below, once the lines exist), sometimes to any name.
  const ref = weighted([6, fc.nat(99).map((k) => `\u0001${k}\u0002`)], [1, name]);
  const from = fc.oneof({ weight: 6, arbitrary: fc.constant('') }, { weight: 1, arbitrary: opt('from', ref) });
  const unknown = fc.oneof(
    { weight: 30, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: fc.constantFrom('strid=2', 'padding=1', 'rate=0.5') },
  );
  const pad = weighted(
    [3, pair],
    [2, fc.constantFrom('valid', 'same', 'full')],
    [1, dims(n.step, n.step, n.step, n.step)],
    [1, fc.constantFrom('bogus', '1x2x3')],
  );
  const conv = fc.tuple(
    n.count,
    kernel,
    options(
      opt('stride', pair),
      opt('pad', pad),
      opt('dilation', pair),
      opt('groups', n.step),
      opt('bias', bool),
      opt('in', n.count),
    ),
    from,
    unknown,
  );
  const pool = fc.tuple(
    weighted([20, fc.constantFrom('max', 'mean', 'avg')], [1, fc.constantFrom('min', '2')]),
    kernel,
    options(opt('stride', pair), opt('pad', pair), opt('ceil', bool)),
    from,
    unknown,
  );
  const simple = fc.tuple(
    weighted(
      [20, fc.constantFrom('relu', 'sigmoid', 'tanh', 'identity', 'flatten')],
      [2, fc.constant('softmax')],
      [3, opt('dropout rate', n.real)],
      [3, fc.constantFrom('batchnorm', 'dropout', 'leaky_relu')],
      [2, opt('batchnorm eps', n.real)],
      [2, opt('leaky_relu slope', n.real)],
      [4, fc.constantFrom('relu6', 'gelu', 'silu', 'hardswish', 'hardsigmoid', 'elu')],
      [1, opt('elu alpha', n.real)],
      [1, fc.constantFrom('batchnrom', 'Relu', 'pool2d')],
    ),
    from,
    unknown,
  );
  const body = weighted(
    [5, conv.map((parts) => join(['conv', ...parts]))],
    [3, pool.map((parts) => join(['pool', ...parts]))],
    [5, simple.map(join)],
    [
      1,
      fc.tuple(n.count, options(opt('bias', bool), opt('in', n.count)), from).map((parts) => join(['dense', ...parts])),
    ],
    [
      1,
      fc
        .tuple(fc.constantFrom('add', 'concat'), fc.array(ref, { minLength: 0, maxLength: 3 }))
        .map(([k, xs]) => join([k, ...xs])),
    ],
    // The geometric kinds of version 2: deconv, upsample, crop, and pool's global and out= forms.
    [
      2,
      fc
        .tuple(
          n.count,
          kernel,
          options(
            opt('stride', pair),
            opt('pad', pair),
            opt('out_pad', pair),
            opt('dilation', pair),
            opt('groups', n.step),
            opt('bias', bool),
            opt('in', n.count),
          ),
          from,
          unknown,
        )
        .map((parts) => join(['deconv', ...parts])),
    ],
    [
      1,
      fc
        .tuple(pair, options(opt('mode', fc.constantFrom('nearest', 'bilinear', 'bicubic'))), from)
        .map((parts) => join(['upsample', ...parts])),
    ],
    [1, fc.tuple(weighted([4, dims(n.size, n.size)], [1, n.size]), from).map((parts) => join(['crop', ...parts]))],
    [
      1,
      fc
        .tuple(
          fc.constantFrom('max', 'mean'),
          weighted([2, fc.constant('global')], [2, opt('out', pair)], [1, fc.constant('global out=2')]),
          options(opt('stride', pair)),
          from,
        )
        .map((parts) => join(['pool', ...parts])),
    ],
    [1, fc.tuple(n.step, options(opt('eps', n.real)), from, unknown).map((parts) => join(['groupnorm', ...parts]))],
    [1, fc.array(ref, { minLength: 0, maxLength: 3 }).map((xs) => join(['mul', ...xs]))],
  );
  // Backward rules: well-formed ones, and token soup of the rule language (operators, brackets and quotes out of
  // place, unknown names, indices out of range).
  const atom = fc.constantFrom(
    'dy',
    'x',
    'y',
    'W',
    'b',
    'gamma',
    'dy[k]',
    'dy[c]',
    'W[k,c]',
    "W'",
    'x[c]',
    'dy[1,:]',
    'dy[70]',
    '1',
    '0.25',
    'ones(2)',
    'ones(2, 3)',
    "conv2(dy[k], W[k,c], 'full')",
    "xcorr2(x[c], dy[k], 'valid')",
    'kron(dy[c], ones(2))',
    'rot90(W[k,c], 2)',
    "padarray(dy[c], [1 1], 'post')",
    'dilate(dy[k], 2)',
    'upsample(dy[c], 2)',
    'reshape(dy, 4, 4)',
    'step(x)',
    'max(x, 0)',
    'zz',
    'stp(x)',
    '[1 2]',
    "'full'",
    'sum(k, dy[k])',
    'sum(k, W[k,c])',
  );
  const piece = fc.oneof(
    atom,
    fc.constantFrom(
      ' + ',
      ' - ',
      ' * ',
      ' / ',
      ' .* ',
      ' ./ ',
      "'",
      '(',
      ')',
      '[',
      ']',
      ',',
      ':',
      ' ',
      '=',
      'sum(k, ',
      '😀',
      '×',
      ';',
    ),
  );
  const rule = fc
    .tuple(
      fc.constantFrom('dx', 'dx[c]', 'dW', 'dW[k,c]', 'db', 'db[k]', 'dgamma', 'dz', 'dx[1]', ''),
      fc.constantFrom(' = ', '=', ' '),
      fc.array(piece, { maxLength: 7 }),
    )
    .map(([t, eq, e]) => `${t}${eq}${e.join('')}`);
  const comment = fc.oneof(
    fc.constantFrom('# 64×13×13 → δ', '// ✓ 😀 note', '#', '//', '# tab\there', '# -> 3x3'),
    fc.string({ unit: 'binary', maxLength: 12 }).map((s) => `# ${s.replace(/[\r\n]/g, ' ')}`),
  );
  const assertion = fc.tuple(fc.constantFrom('->', '→', '-> '), shape).map(([arrow, s]) => arrow + s);
  const layer = fc
    .tuple(
      weighted([1, fc.constant('')], [2, name]),
      body,
      fc.option(assertion, { freq: 6, nil: '' }),
      fc.option(comment, { freq: 4, nil: '' }),
    )
    .map(([nm, b, a, c]) => join([nm && `${nm}:`, b, a, c]));
  const other = oneOf(
    fc.constantFrom('loss cross_entropy', 'loss mse', 'loss l1', 'network again', 'input 3x8x8'),
    fc.tuple(n.step, n.step).map(([b, s]) => `sample batch=${b} seed=${s}`),
    name.map((nm) => `backward ${nm}: dx[c] = sum(k, conv2(dy[k], W[k,c], 'full'))`),
    fc.tuple(name, rule).map(([nm, r]) => `backward ${nm}: ${r}`),
  );
  const indent = fc.constantFrom('', '', '', '    ', '\t', ' \t ');
  const lines = fc.array(weighted([12, layer], [1, other], [2, comment], [2, fc.constant('')]), { maxLength: 20 });
  const header = fc.tuple(
    fc.option(
      name.map((nm) => `network ${nm}`),
      { nil: '' },
    ),
    fc.option(
      fc.tuple(weighted([6, fc.constant('')], [1, name]), shape).map(([nm, s]) => join(['input', nm, s])),
      { freq: 12, nil: '' },
    ),
  );
  return fc
    .tuple(
      header,
      lines,
      fc.constantFrom('\n', '\r\n', '\r', 'mixed'),
      fc.boolean(),
      fc.infiniteStream(indent),
      fc.infiniteStream(fc.constantFrom('\n', '\r\n', '\r')),
    )
    .map(([[net, input], ls, eol, bom, indents, eols]) => {
      const defined = ['input'];
      const all = [net, input, ...ls].map((l) => {
        // eslint-disable-next-line no-control-regex -- \u0001 and \u0002 mark the name holes the generator leaves
        const resolved = l.replace(/\u0001(\d+)\u0002/g, (_, k: string) => defined[Number(k) % defined.length]);
        const definition = /^([A-Za-z_]\w*)\s*:/.exec(resolved);
        if (definition) defined.push(definition[1]);
        return resolved;
      });
      const text = all
        .map((l) => (l ? indents.next().value + l : l))
        .map((l, i) => (i < all.length - 1 ? l + (eol === 'mixed' ? eols.next().value : eol) : l))
        .join('');
      return (bom ? '\uFEFF' : '') + text;
    });
}

const SPLICE = [
  '\0',
  '\uFEFF',
  '\uD83D',
  '\uDE00',
  '😀',
  '×',
  '→',
  '->',
  ':',
  '=',
  'x',
  ',',
  '"',
  "'",
  '#',
  '//',
  '\r',
  '\n',
  '\r\n',
  '\t',
  '-',
  '.',
  'e',
  'e+',
  ' add ',
  ' from=',
  'input 3x8x8\n',
];
type Mutation =
  | { op: 'delete'; at: number; len: number }
  | { op: 'dupChars'; at: number; len: number }
  | { op: 'insert'; at: number; text: string }
  | { op: 'delLine'; at: number }
  | { op: 'dupLine'; at: number }
  | { op: 'swapLines'; at: number; with: number };

function mutation(num: Arb): fc.Arbitrary<Mutation> {
  const at = fc.nat();
  const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)); // lone surrogates too
  const text = fc.oneof(
    fc.constantFrom(...SPLICE),
    num,
    fc.string({ unit: 'binary', maxLength: 4 }),
    fc.string({ unit: anyUnit, maxLength: 4 }),
  );
  return fc.oneof(
    fc.record({ op: fc.constant('delete' as const), at, len: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ op: fc.constant('dupChars' as const), at, len: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ op: fc.constant('insert' as const), at, text }),
    fc.record({ op: fc.constant('delLine' as const), at }),
    fc.record({ op: fc.constant('dupLine' as const), at }),
    fc.record({ op: fc.constant('swapLines' as const), at, with: fc.nat() }),
  );
}

function mutate(text: string, m: Mutation): string {
  const p = text.length ? m.at % (text.length + 1) : 0;
  if (m.op === 'delete') return text.slice(0, p) + text.slice(p + m.len);
  if (m.op === 'dupChars') return text.slice(0, p + m.len) + text.slice(p, p + m.len) + text.slice(p + m.len);
  if (m.op === 'insert') return text.slice(0, p) + m.text + text.slice(p);
  const lines = text.split(/(?<=\r\n|\r(?!\n)|\n)/); // each line keeps its own break
  const i = m.at % lines.length;
  if (m.op === 'delLine') lines.splice(i, 1);
  else if (m.op === 'dupLine') lines.splice(i, 0, lines[i]);
  else {
    const j = m.with % lines.length;
    [lines[i], lines[j]] = [lines[j], lines[i]];
  }
  return lines.join('');
}

/** Generated networks, mutations of them, and now and then plain noise. */
function documents(n: Numbers): Arb {
  return fc.oneof(
    { weight: 4, arbitrary: network(n) },
    {
      weight: 5,
      arbitrary: fc
        .tuple(network(n), fc.array(mutation(oneOf(n.count, n.size, BAD, HUGE)), { minLength: 1, maxLength: 6 }))
        .map(([t, ms]) => ms.reduce(mutate, t)),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  );
}

// ---------------------------------------------------------------------------------------------- invariants

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** Why `r` is not a range of `text`, or undefined when it is. */
function rangeProblem(text: string, r: TextRange): string | undefined {
  if (!Number.isSafeInteger(r.start) || !Number.isSafeInteger(r.end)) return `non-integer offsets ${r.start}..${r.end}`;
  if (r.start < 0 || r.start > r.end || r.end > text.length) return `${r.start}..${r.end} is outside 0..${text.length}`;
  for (const at of [r.start, r.end]) {
    if (at > 0 && at < text.length && isHigh(text.charCodeAt(at - 1)) && isLow(text.charCodeAt(at)))
      return `${r.start}..${r.end} splits the surrogate pair at ${at - 1}`;
  }
  return undefined;
}

/** Every range check has: diagnostics, related information and fix edits (which must not overlap either). */
function rangeProblems(text: string, a: Analysis): string[] {
  const problems: string[] = [];
  let previous = -1;
  for (const d of a.diagnostics) {
    const where = `${d.code} "${d.message.slice(0, 80)}"`;
    const own = rangeProblem(text, d.range);
    if (own) problems.push(`${where}: ${own}`);
    if (d.range.start < previous) problems.push(`${where}: diagnostics are not sorted by position`);
    previous = d.range.start;
    for (const r of d.related ?? []) {
      const p = rangeProblem(text, r.range);
      if (p) problems.push(`${where}, related "${r.message}": ${p}`);
    }
    for (const f of d.fixes ?? []) {
      const edits = [...f.edits].sort((x, y) => x.range.start - y.range.start);
      edits.forEach((e, i) => {
        const p = rangeProblem(text, e.range);
        if (p) problems.push(`${where}, fix "${f.title}": ${p}`);
        if (i > 0 && e.range.start < edits[i - 1].range.end) problems.push(`${where}, fix "${f.title}": edits overlap`);
      });
    }
  }
  return problems;
}

function unsafeOutputs(a: Analysis): string[] {
  return a.layers
    .filter((l) => l.output && !l.output.every((d) => Number.isSafeInteger(d) && d > 0))
    .map((l) => `${l.name}: output [${l.output!.join(', ')}]`);
}

function applyFirstFix(text: string, edits: readonly { range: TextRange; newText: string }[]): string {
  return [...edits]
    .sort((x, y) => y.range.start - x.range.start)
    .reduce((t, e) => t.slice(0, e.range.start) + e.newText + t.slice(e.range.end), text);
}

const summary = (a: Analysis) => ({
  diagnostics: a.diagnostics,
  layers: a.layers.map((l) => ({
    name: l.name,
    kind: l.kind,
    inputs: l.inputs,
    output: l.output,
    params: l.paramCount,
  })),
});
const SEED_NETWORK =
  'network seed\ninput 3x17x17\nc1: conv 64 5x5\nsigmoid\np1: pool mean 2x2\nfc: dense 10\nsoftmax\n';

/** Properties by name, each a function of one document that throws on a violation. */
const PROPERTIES: Record<string, { docs: Arb; run(text: string): void }> = {
  ranges: {
    docs: documents(MODERATE),
    run(text) {
      assert.deepEqual(rangeProblems(text, check(text)), []);
    },
  },
  fixes: {
    docs: documents(MODERATE),
    run(text) {
      const before = check(text);
      for (const d of before.diagnostics) {
        if (!d.fixes?.length) continue;
        const fix = d.fixes[0];
        const fixed = applyFirstFix(text, fix.edits);
        const after = check(fixed);
        assert.deepEqual(rangeProblems(fixed, after), [], `after "${fix.title}": ${JSON.stringify(fixed)}`);
        if (!fix.preferred) continue;
        // The preferred fix is "clearly right": the diagnostic it is for is gone (what it uncovers may remain).
        const still = after.diagnostics.filter((e) => e.code === d.code && e.range.start === d.range.start);
        assert.deepEqual(
          still.map((e) => e.message),
          [],
          `"${fix.title}" left ${d.code} at ${d.range.start} in ${JSON.stringify(fixed)}`,
        );
      }
    },
  },
  deterministic: {
    docs: documents(MODERATE),
    run(text) {
      const first = summary(check(text));
      check(SEED_NETWORK); // state left behind by another document must not leak into the next
      assert.deepEqual(summary(check(text)), first);
    },
  },
  safeDims: {
    docs: documents(MODERATE),
    run(text) {
      assert.deepEqual(unsafeOutputs(check(text)), []);
    },
  },
  huge: {
    docs: documents(HUGE_NUMBERS),
    run(text) {
      const started = performance.now();
      const a = check(text);
      const ms = performance.now() - started;
      assert.ok(ms < 2000, `check took ${ms.toFixed(0)} ms on ${text.length} characters`);
      assert.deepEqual([...rangeProblems(text, a), ...unsafeOutputs(a)], []);
    },
  },
};

// ---------------------------------------------------------------------------------------------- big inputs

const MB = 1 << 20;
/** Texts too big to send comfortably between threads, built where they are checked. */
const TEXTS: Record<string, () => string> = {
  randomBytes10Mb: () => {
    const next = rng(7);
    const bytes = Buffer.alloc(10 * MB);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (next() * 256) | 0;
    return bytes.toString('utf8'); // as the CLI reads a binary file
  },
  residual10Mb: () => {
    const parts = ['network big\ninput 4x8x8\n'];
    let size = parts[0].length;
    for (let i = 0, previous = 'input'; size < 10 * MB; i++, previous = `a${i - 1}`) {
      const block = `c${i}: conv 4 3x3 pad=same   # block ${i}\n  b${i}: batchnorm\n  r${i}: relu\na${i}: add r${i} ${previous} -> 4x8x8\n`;
      parts.push(block);
      size += block.length;
    }
    return parts.join('');
  },
  // 20,000 references to a name defined nowhere: each one's did-you-mean must not scan every layer so far.
  undefinedRefs: () => `input 3\n${'relu from=qq\n'.repeat(20_000)}`,
  // 60,000 layers between 60,000 unreadable lines: no layer may look through every syntax error of the file.
  layersBetweenSyntaxErrors: () => `input 3\n${'relu\n]\n'.repeat(60_000)}`,
  poolHugeKernel: () => 'input 1x9007199254740991x1\npool max 9007199254740990x1\n',
  poolStrideGaps: () => 'input 1x9007199254740991x1\npool max 1 stride=2\n',
  convStrideGaps: () => 'input 1x9007199254740991x1\nconv 1 1 stride=2\n',
};

/** What the main thread asserts on: ranges checked here, diagnostics summarised (there may be 100,000). */
function analyse(textName: string, memoryLimit?: number) {
  const text = TEXTS[textName]();
  const a = check(text, memoryLimit === undefined ? {} : { memoryLimit });
  const codes: Record<string, number> = {};
  for (const d of a.diagnostics) codes[d.code] = (codes[d.code] ?? 0) + 1;
  return {
    length: text.length,
    lineCount: a.lines.lineCount,
    rangeProblems: rangeProblems(text, a).slice(0, 5),
    unsafeOutputs: unsafeOutputs(a).slice(0, 5),
    codes,
    layerCount: a.layers.length,
    distinctOutputs: [...new Set(a.layers.map((l) => JSON.stringify(l.output)))].slice(0, 5),
    last: a.layers.length
      ? { name: a.layers[a.layers.length - 1].name, inputs: a.layers[a.layers.length - 1].inputs }
      : null,
    longestMessage: a.diagnostics.reduce((n, d) => Math.max(n, d.message.length), 0),
  };
}

// ---------------------------------------------------------------------------------------------- worker side

type Task =
  | { kind: 'property'; name: string; seed: number; numRuns: number }
  | { kind: 'analyse'; text: string; memoryLimit?: number };

if (!isMainThread) {
  const task = workerData as Task;
  const port = parentPort!;
  if (task.kind === 'property') {
    const { docs, run } = PROPERTIES[task.name];
    const details = fc.check(
      fc.property(docs, (text) => {
        port.postMessage({ input: text }); // the last one sent is the culprit if the deadline passes
        run(text);
      }),
      { seed: task.seed, numRuns: task.numRuns },
    );
    port.postMessage({ result: details.failed ? fc.defaultReportMessage(details) : null });
  } else {
    port.postMessage({ result: analyse(task.text, task.memoryLimit) });
  }
}

// ---------------------------------------------------------------------------------------------- main side

const TSX = isMainThread ? require.resolve('tsx/cjs/api') : '';

/** Runs `task` in a worker; rejects with the last input it started on if it does not finish by `deadlineMs`. */
function inWorker<R>(task: Task, deadlineMs: number): Promise<R> {
  const worker = new Worker(`require(${JSON.stringify(TSX)}).register(); require(${JSON.stringify(__filename)});`, {
    eval: true,
    workerData: task,
  });
  let last: string | undefined;
  return new Promise<R>((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      const input =
        last === undefined
          ? ''
          : `; the last input it started on (${last.length} chars): ${JSON.stringify(last.length > 1500 ? `${last.slice(0, 1500)}…` : last)}`;
      reject(new Error(`check did not return within ${deadlineMs / 1000} s${input}`));
    }, deadlineMs);
    worker.on('message', (m: { input?: string; result?: R }) => {
      if ('input' in m) last = m.input;
      else {
        clearTimeout(timer);
        void worker.terminate();
        resolve(m.result as R);
      }
    });
    worker.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

if (isMainThread) {
  const seed = Number(process.env.FUZZ_SEED ?? 20240607);
  const scale = Number(process.env.FUZZ_RUNS ?? 1);

  describe('check under fuzzing: generated and mutated .cnn files', function () {
    this.timeout(120_000);
    const property = (title: string, name: string, numRuns: number, deadlineMs: number) =>
      it(title, async () => {
        const report = await inWorker<string | null>(
          { kind: 'property', name, seed, numRuns: Math.round(numRuns * scale) },
          deadlineMs * scale,
        );
        assert.equal(report, null, report ?? '');
      });

    property(
      'never throws, and every diagnostic, related and fix range lies in 0..length without splitting a surrogate pair',
      'ranges',
      1500,
      20_000,
    );
    property(
      "applying any diagnostic's first fix keeps every range valid, and a preferred fix removes its diagnostic",
      'fixes',
      600,
      15_000,
    );
    property(
      'is deterministic: the same text twice, another in between, gives deeply equal diagnostics and layers',
      'deterministic',
      500,
      15_000,
    );
    property('every known output has only positive safe-integer dims', 'safeDims', 500, 15_000);
    property(
      'with numbers past 2^53 and past a double (99999999999999999999x99999999999, 1e400): returns promptly, ranges hold, dims stay safe',
      'huge',
      400,
      10_000,
    );
  });

  describe('check on big and odd files', function () {
    this.timeout(120_000);
    // The deadlines catch a hang or a quadratic pass (a did-you-mean over 20,000 names is minutes), not speed: they
    // leave room for a worker that compiles this file with tsx on a machine busy with other work.
    const analyseIn = (text: string, deadlineMs: number, memoryLimit?: number) =>
      inWorker<ReturnType<typeof analyse>>(
        { kind: 'analyse', text, ...(memoryLimit !== undefined && { memoryLimit }) },
        deadlineMs,
      );

    it('10 MB of random bytes read as UTF-8: returns, with syntax errors in range and messages of bounded length', async () => {
      const r = await analyseIn('randomBytes10Mb', 60_000);
      assert.deepEqual(r.rangeProblems, []);
      assert.deepEqual(r.unsafeOutputs, []);
      assert.ok(r.codes.syntax > r.lineCount / 4, `syntax errors: ${r.codes.syntax} on ${r.lineCount} lines`);
      assert.ok(r.longestMessage < 1000, `a message of ${r.longestMessage} characters`);
    });

    it('a 10 MB residual network (conv, batchnorm, relu, add, -> assertions, comments): returns with no diagnostics and every layer 4×8×8', async () => {
      const r = await analyseIn('residual10Mb', 60_000, 2 ** 50);
      assert.ok(r.length >= 10 * MB);
      assert.deepEqual(r.codes, {});
      assert.equal(r.layerCount % 4, 0);
      assert.deepEqual(r.distinctOutputs, ['[4,8,8]']);
      const blocks = r.layerCount / 4;
      assert.deepEqual(r.last, { name: `a${blocks - 1}`, inputs: [`r${blocks - 1}`, `a${blocks - 2}`] });
    });

    it('20,000 references to an undefined name: each reported, in time linear in the file (not a did-you-mean over every layer so far)', async () => {
      const r = await analyseIn('undefinedRefs', 20_000);
      assert.equal(r.codes['undefined-layer'], 20_000);
    });

    it('60,000 layers between 60,000 syntax errors: each line judged on its own, in time linear in the file', async () => {
      const r = await analyseIn('layersBetweenSyntaxErrors', 20_000);
      assert.deepEqual(r.codes, { syntax: 60_000 });
      assert.equal(r.layerCount, 60_000);
      assert.deepEqual(r.distinctOutputs, ['[3]']);
    });

    for (const [text, what] of [
      [
        'poolHugeKernel',
        'pool max 9007199254740990x1 over 9007199254740991 rows, whose tiling fixes must be solved for, not searched',
      ],
      [
        'poolStrideGaps',
        'pool max 1 stride=2 over 9007199254740991 rows, whose uncovered rows must be counted, not walked',
      ],
      ['convStrideGaps', 'conv 1 1 stride=2 over 9007199254740991 rows, likewise for conv-remainder'],
    ]) {
      it(`returns promptly for ${what}`, async () => {
        const r = await analyseIn(text, 20_000);
        assert.deepEqual(r.rangeProblems, []);
        assert.ok(r.layerCount === 1);
      });
    }

    it('a single 1 MB line: a name, a number, a comment, a run of options, each returns with ranges inside the line', () => {
      const long = 'a'.repeat(MB);
      const named = check(`input 3x8x8\n${long}: relu`);
      assert.equal(named.layers[0].name, long);
      assert.deepEqual(named.layers[0].output, [3, 8, 8]);

      const number = check(`input 3x${'9'.repeat(MB)}x8\nrelu`);
      assert.deepEqual(
        number.diagnostics.map((d) => [d.code, d.range]),
        [['bad-value', { start: 8, end: 8 + MB }]],
      );
      assert.ok(
        number.diagnostics[0].message.length < 200,
        `a message of ${number.diagnostics[0].message.length} characters`,
      );

      const comment = check(`input 3x8x8 # ${'ü'.repeat(MB)}\nrelu`);
      assert.deepEqual(comment.diagnostics, []);

      const text = `input 3x8x8\nconv 4 3x3 ${'stride=1 '.repeat(MB / 9)}`;
      const repeated = check(text);
      assert.deepEqual(rangeProblems(text, repeated), []);
      assert.ok(repeated.diagnostics.some((d) => d.code === 'syntax' && d.message.includes('stride is given twice')));
    });

    it('a whole number past a double (1 and 400 zeros) is reported as too large, not as not whole', () => {
      const a = check(`input 3x1${'0'.repeat(400)}x8`);
      assert.deepEqual(
        a.diagnostics.map((d) => [d.code, d.range]),
        [['bad-value', { start: 8, end: 409 }]],
      );
      assert.match(a.diagnostics[0].message, /too large/);
    });

    it('a file of only NULs: one syntax error on its one line and missing-input, nothing else', () => {
      const a = check('\0'.repeat(4096));
      assert.deepEqual(a.diagnostics.map((d) => [d.code, d.range]).sort(), [
        ['missing-input', { start: 0, end: 1 }],
        ['syntax', { start: 0, end: 1 }],
      ]);
      const between = check('input 3\n\0\0\nrelu');
      assert.deepEqual(
        between.diagnostics.map((d) => [d.code, between.lines.position(d.range.start).line]),
        [['syntax', 2]],
      );
      assert.deepEqual(between.layers[0].output, [3]);
    });

    it('a BOM at the start is blank: the same layers, and the same diagnostics one offset later', () => {
      const plain = check(SEED_NETWORK);
      const bom = check(`\uFEFF${SEED_NETWORK}`);
      assert.equal(bom.network, 'seed');
      assert.deepEqual(
        bom.layers.map((l) => [l.name, l.output]),
        plain.layers.map((l) => [l.name, l.output]),
      );
      assert.deepEqual(
        bom.diagnostics.map((d) => [d.code, d.range.start - 1, d.range.end - 1]),
        plain.diagnostics.map((d) => [d.code, d.range.start, d.range.end]),
      );
      assert.ok(plain.diagnostics.length > 0, 'the network has its pool-remainder warning to compare');
    });

    it('a file that is one emoji and no input: the missing-input range does not split the surrogate pair', () => {
      const text = '😀';
      assert.deepEqual(rangeProblems(text, check(text)), []);
    });

    it('shapes past 2^53 are never inferred: flatten, dense, concat and conv pad=full of huge sizes', () => {
      for (const text of [
        'input 99999999x99999999x99999999\nflatten\n',
        'input 9007199254740991x1x1\na: relu\nb: relu\nconcat a b\n',
        'input 1x1x1\nconv 1 9007199254740991 pad=full dilation=9007199254740991\n',
      ]) {
        assert.deepEqual(unsafeOutputs(check(text)), [], JSON.stringify(text));
      }
    });

    it("a named layer's unknown kind is not offered a statement keyword: a preferred fix of `a: inptu` removes the error", () => {
      for (const kind of ['inptu', 'sampel', 'same', 'los']) {
        const text = `input 3x8x8\na: ${kind}`;
        const d = check(text).diagnostics.find((x) => x.code === 'unknown-layer');
        assert.ok(d, text);
        const fix = d.fixes?.find((f) => f.preferred);
        if (!fix) continue;
        const fixed = applyFirstFix(text, fix.edits);
        assert.deepEqual(
          check(fixed)
            .diagnostics.filter((x) => x.code === 'unknown-layer')
            .map((x) => x.message),
          [],
          `"${fix.title}" gives ${JSON.stringify(fixed)}`,
        );
      }
    });

    it('memoryLimit: Infinity means no limit rather than a throw', () => {
      const a = check('input 3x8x8\nrelu', { memoryLimit: Infinity });
      assert.deepEqual(a.diagnostics, []);
    });
  });
}
