/** Every diagnostic code: severity, the exact text its range covers, what the message names, and its fixes. */
import assert from 'node:assert/strict';
import { check } from '../../engine';
import { SEED, applyEdits, diagnose, only, shapes } from './util';

describe('diagnostics', () => {
  it('seed: only the pool-remainder warning, naming row and column 13 and 12×12 against 13×13', () => {
    const { a, d } = only(SEED, 'pool-remainder');
    assert.equal(a.diagnostics.length, 1);
    assert.equal(d.severity, 'warning');
    assert.equal(SEED.slice(d.range.start, d.range.end), '2x2');
    assert.equal(a.lines.position(d.range.start).line, 5);
    assert.match(d.message, /^p1: /);
    assert.match(d.message, /row 13 and column 13/);
    assert.match(d.message, /12×12 against 13×13/);
  });

  it('pool-remainder fixes are solved for and each leaves the file free of the warning', () => {
    const { d } = only(SEED, 'pool-remainder');
    assert.deepEqual(
      d.fixes!.map((f) => f.title),
      [
        'Set ceil=true (output 64×7×7)',
        'Set pad=1 (output 64×7×7)',
        'Use a 3×3 kernel with stride 2 (output 64×6×6)',
        'Use stride 1 (output 64×12×12)',
      ],
    );
    const expected = [
      'p1: pool mean 2x2 ceil=true',
      'p1: pool mean 2x2 pad=1',
      'p1: pool mean 3x3 stride=2',
      'p1: pool mean 2x2 stride=1',
    ];
    d.fixes!.forEach((fix, i) => {
      const fixed = applyEdits(SEED, fix.edits);
      assert.equal(fixed.split('\n')[4], expected[i]);
      const after = check(fixed);
      assert.deepEqual(
        after.diagnostics.filter(
          (x) =>
            x.severity === 'error' || (x.code === 'pool-remainder' && after.lines.position(x.range.start).line === 5),
        ),
        [],
      );
    });
  });

  it('pool-remainder fixes update an -> assertion to the new output', () => {
    const text = 'input 1x5x5\npool max 2 -> 1x2x2';
    const { d } = only(text, 'pool-remainder');
    const ceil = d.fixes!.find((f) => f.title.startsWith('Set ceil'))!;
    assert.equal(applyEdits(text, ceil.edits), 'input 1x5x5\npool max 2 ceil=true -> 1x3x3');
    assert.deepEqual(check(applyEdits(text, ceil.edits)).diagnostics, []);
  });

  it('pool-remainder names gaps between windows when the stride is larger than the kernel', () => {
    const { d } = only('input 1x7x7\npool max 1 stride=3', 'pool-remainder');
    assert.match(d.message, /rows 2–3, 5–6 and columns 2–3, 5–6/);
  });

  it('channel-mismatch on in=: names both counts, points at the value, relates the 64, fixes it', () => {
    const text = SEED.replace('in=64', 'in=96');
    const { a, d } = only(text, 'channel-mismatch');
    assert.equal(text.slice(d.range.start, d.range.end), '96');
    assert.equal(a.lines.position(d.range.start).line, 6);
    assert.equal(d.message, 'c2: in=96 but p1 gives 64 channels (64×6×6)');
    assert.equal(text.slice(d.related![0].range.start, d.related![0].range.end), '64');
    assert.equal(a.lines.position(d.related![0].range.start).line, 3);
    assert.equal(d.fixes![0].preferred, true);
    assert.equal(applyEdits(text, d.fixes![0].edits), SEED);
    // No cascade: c2 and what follows are unknown, not guessed, and nothing is reported against them.
    const s = shapes(text);
    assert.deepEqual([s.c2, s.sigmoid2, s.p2, s.fc], [null, null, null, null]);
    assert.deepEqual(
      a.diagnostics.map((x) => x.code),
      ['pool-remainder', 'channel-mismatch'],
    );
  });

  it('channel-mismatch when groups do not divide the channels or the filters', () => {
    assert.deepEqual(diagnose('input 6x8x8\nconv 4 3 groups=4'), [
      { code: 'channel-mismatch', severity: 'error', line: 2, text: '4' },
    ]);
    const { d } = only('input 6x8x8\nconv 4 3 groups=3', 'channel-mismatch');
    assert.equal(d.message, 'conv1: groups=3 does not divide the 4 filters');
  });

  it('channel-mismatch and spatial-mismatch on add, and spatial-mismatch on concat, at the offending name', () => {
    const base = 'input 3x8x8\na: conv 4 3\nb: conv 8 3 from=input\n';
    assert.deepEqual(
      diagnose(`${base}add a b`).filter((d) => d.severity === 'error'),
      [{ code: 'channel-mismatch', severity: 'error', line: 4, text: 'b' }],
    );
    const spatial = 'input 3x8x8\na: conv 4 3\nb: conv 4 5 from=input\n';
    assert.deepEqual(
      diagnose(`${spatial}add a b`).filter((d) => d.severity === 'error'),
      [{ code: 'spatial-mismatch', severity: 'error', line: 4, text: 'b' }],
    );
    const { d } = only(`${spatial}concat a, b`, 'spatial-mismatch');
    assert.equal(d.message, 'concat1: b is 4×4×4 but a is 4×6×6; concat needs the same H×W');
    assert.deepEqual(shapes(`${base}concat a b`).concat1, [12, 6, 6]);
  });

  it("shape-assertion at the asserted shape, with a fix; the layer's shape still flows on", () => {
    const text = 'input 3x17x17\nc1: conv 64 5x5 -> 64x14x14\nrelu';
    const { d } = only(text, 'shape-assertion');
    assert.equal(text.slice(d.range.start, d.range.end), '64x14x14');
    assert.equal(d.message, 'c1: the output is 64×13×13, not 64×14×14 as asserted');
    assert.equal(applyEdits(text, d.fixes![0].edits), 'input 3x17x17\nc1: conv 64 5x5 -> 64x13x13\nrelu');
    assert.deepEqual(shapes(text).relu1, [64, 13, 13]);
  });

  it('empty-output at the kernel, naming the kernel and the padded input', () => {
    const { d } = only('input 64x6x6\nconv 96 5 dilation=2', 'empty-output');
    assert.equal(
      d.message,
      'conv1: the 5×5 dilated by 2 (9×9) kernel is larger than its padded input 6×6 (input gives 64×6×6); the output would be empty',
    );
    assert.deepEqual(diagnose('input 1x3x3\npool max 4'), [
      { code: 'empty-output', severity: 'error', line: 2, text: '4' },
    ]);
  });

  it('conv-remainder at the stride, naming the rows no window reads', () => {
    const text = 'input 1x8x8\nconv 1 3 stride=2';
    const { d } = only(text, 'conv-remainder');
    assert.equal(d.severity, 'warning');
    assert.equal(text.slice(d.range.start, d.range.end), '2');
    assert.equal(
      d.message,
      "conv1: with stride 2 no 3×3 window reads row 8 and column 8 of input's 8×8; they get no gradient through this layer",
    );
    assert.deepEqual(diagnose('input 1x7x7\nconv 1 3 stride=2'), []);
  });

  it('conv-remainder for a dilation that skips rows', () => {
    const { d } = only('input 1x5x5\nconv 1 2 dilation=3', 'conv-remainder');
    assert.match(d.message, /row 3 and column 3/);
  });

  it('unknown-layer and unknown-option suggest a close spelling with a preferred fix', () => {
    const text = 'input 3x8x8\nconb 4 3\nconv 4 3 strid=2\nrelu alpha=1';
    const a = check(text);
    const got = a.diagnostics.map((d) => [
      d.code,
      text.slice(d.range.start, d.range.end),
      d.message,
      d.fixes?.map((f) => f.edits[0].newText),
    ]);
    assert.deepEqual(got, [
      ['unknown-layer', 'conb', "unknown layer kind 'conb'; did you mean 'conv'?", ['conv']],
      ['unknown-option', 'strid', "conv1 (conv) has no option 'strid'; did you mean 'stride'?", ['stride']],
      ['unknown-option', 'alpha', "relu1 (relu) has no option 'alpha'; it takes from", undefined],
    ]);
  });

  it('bad-value for zero stride, negative padding, a non-number, a decimal kernel and a huge number', () => {
    const text = [
      'input 3x8x8',
      'conv 4 3 stride=0',
      'conv 4 3 pad=-1 from=input',
      'conv 4 x from=input',
      'conv 4 2.5 from=input',
      'conv 99999999999999999999 3 from=input',
      'dropout rate=1 from=input',
    ].join('\n');
    assert.deepEqual(
      diagnose(text).filter((d) => d.code !== 'unused-layer'),
      [
        { code: 'bad-value', severity: 'error', line: 2, text: '0' },
        { code: 'bad-value', severity: 'error', line: 3, text: '-1' },
        { code: 'bad-value', severity: 'error', line: 4, text: 'x' },
        { code: 'bad-value', severity: 'error', line: 5, text: '2.5' },
        { code: 'bad-value', severity: 'error', line: 6, text: '99999999999999999999' },
        { code: 'bad-value', severity: 'error', line: 7, text: '1' },
      ],
    );
  });

  it('bad-value for pool padding over half the kernel and for pad=same with an even kernel', () => {
    assert.deepEqual(diagnose('input 1x8x8\npool max 3 pad=2'), [
      { code: 'bad-value', severity: 'error', line: 2, text: '2' },
    ]);
    const { d } = only('input 1x8x8\nconv 1 4 pad=same', 'bad-value');
    assert.match(d.message, /odd/);
  });

  it('missing-input at the first layer, and for a document with no statements', () => {
    assert.deepEqual(diagnose('conv 4 3\nrelu'), [{ code: 'missing-input', severity: 'error', line: 1, text: 'conv' }]);
    assert.deepEqual(
      diagnose('# nothing here\n').map((d) => d.code),
      ['missing-input'],
    );
    const { d } = only('relu\ninput 3x4x4', 'missing-input');
    assert.equal(d.related![0].message, 'the input is defined here, after the layers');
  });

  it('duplicate-input at the second input, related to the first', () => {
    const { a, d } = only('input 3x8x8\ninput 1x8x8\nrelu', 'duplicate-input');
    assert.equal(a.lines.position(d.range.start).line, 2);
    assert.equal(a.lines.position(d.related![0].range.start).line, 1);
    assert.deepEqual(shapes('input 3x8x8\ninput 1x8x8\nrelu').relu1, [3, 8, 8]);
  });

  it('duplicate-name at the second definition; undefined-layer for a name never defined or defined below', () => {
    assert.deepEqual(diagnose('input 3x8x8\na: relu\na: relu'), [
      { code: 'duplicate-name', severity: 'error', line: 3, text: 'a' },
    ]);
    const text = 'input 3x8x8\na: relu from=b\nb: relu from=inptu';
    const a = check(text);
    // A typo in from= does not also make the layer above it unused.
    assert.deepEqual(
      diagnose('input 3x8x8\nc1: conv 4 3\nc2: conv 4 3 from=cl\nrelu').map((d) => d.code),
      ['undefined-layer'],
    );
    assert.deepEqual(
      a.diagnostics.map((d) => [d.code, text.slice(d.range.start, d.range.end), d.message]),
      [
        ['undefined-layer', 'b', "a: 'b' is defined on line 3, below this line; a layer can only use layers above it"],
        ['undefined-layer', 'inptu', "b: no layer named 'inptu' above this line; did you mean 'input'?"],
      ],
    );
  });

  it('undefined-layer for a layer that names itself as its input', () => {
    assert.deepEqual(
      diagnose('input 3x8x8\na: relu from=a').map((d) => [d.code, d.text]),
      [['undefined-layer', 'a']],
    );
    assert.deepEqual(
      diagnose('input 3x8x8\nb: add b input').map((d) => [d.code, d.text]),
      [['undefined-layer', 'b']],
    );
  });

  it('duplicate-name for an automatic name explains where it came from, and the duplicate runs nothing', () => {
    const text = 'input 3x8x8\nconv 8 3\nconv2: relu\nconv 8 3';
    const { d } = only(text, 'duplicate-name');
    assert.equal(text.slice(d.range.start, d.range.end), 'conv');
    assert.equal(check(text).layers[2].output, null);
    assert.match(d.message, /named 'conv2' automatically/);
  });

  it('syntax for a second loss or a repeated sample option, keeping the first value', () => {
    const a = check('input 10\nsample batch=8\nsample batch=0\ndense 3\nloss mse\nloss cross_entropy');
    assert.deepEqual(
      a.diagnostics.map((d) => [d.code, a.lines.position(d.range.start).line]),
      [
        ['syntax', 3],
        ['syntax', 6],
      ],
    );
    assert.equal(a.sample.batch, 8);
    assert.equal(a.loss, 'mse');
  });

  it('unknown-option suggests the option PyTorch names differently', () => {
    const { d } = only('input 3x8x8\nconv 4 3 padding=1', 'unknown-option');
    assert.equal(d.fixes![0].edits[0].newText, 'pad');
    const bad = only('input 3x8x8\nconv 4 3 pad=sam', 'bad-value').d;
    assert.equal(
      bad.message,
      "conv1: pad must be N, HxW, TOPxBOTTOMxLEFTxRIGHT, valid, same or full, not 'sam'; did you mean 'same'?",
    );
  });

  it('softmax-not-last at the kind', () => {
    assert.deepEqual(
      diagnose('input 10\nsoftmax\nrelu').filter((d) => d.severity === 'error'),
      [{ code: 'softmax-not-last', severity: 'error', line: 2, text: 'softmax' }],
    );
  });

  it('too-large, decided exactly, at the largest tensor, over the configured limit', () => {
    const text = 'input 3x99999x99999\nconv 64 3';
    const { d } = only(text, 'too-large');
    assert.equal(text.slice(d.range.start, d.range.end), 'conv 64 3');
    assert.match(d.message, /batch 2/);
    assert.match(d.message, /1\.0 GiB limit/);
    assert.deepEqual(
      diagnose(SEED, { memoryLimit: 1e6 }).map((x) => [x.code, x.line]),
      [
        ['too-large', 3],
        ['pool-remainder', 5],
      ],
    );
    assert.deepEqual(
      diagnose(SEED, { memoryLimit: 1e9 }).map((x) => x.code),
      ['pool-remainder'],
    );
  });

  it('unused-layer is a warning tagged unnecessary on a dead branch', () => {
    const text = 'input 3x8x8\nside: conv 2 3\nmain: conv 4 3 from=input\nrelu';
    const a = check(text);
    assert.deepEqual(
      a.diagnostics.map((d) => [d.code, d.severity, text.slice(d.range.start, d.range.end), d.tags]),
      [['unused-layer', 'warning', 'side: conv 2 3', ['unnecessary']]],
    );
  });

  it('rank-mismatch when a conv gets a vector', () => {
    const { d } = only('input 10\nconv 4 3', 'rank-mismatch');
    assert.equal(d.message, 'conv1: conv needs a C×H×W input, but input gives a vector of 10');
  });

  it('syntax for keyword names, repeated options, missing arguments and a late network statement', () => {
    assert.deepEqual(
      diagnose('input 3x8x8\nconv: relu').map((d) => [d.code, d.text]),
      [['syntax', 'conv']],
    );
    assert.deepEqual(
      diagnose('input 3x8x8\nconv 4 3 stride=1 stride=2').map((d) => [d.code, d.text]),
      [['syntax', 'stride']],
    );
    assert.deepEqual(
      diagnose('input 3x8x8\nconv 4').map((d) => [d.code, d.text]),
      [['syntax', '4']],
    );
    assert.deepEqual(
      diagnose('input 3x8x8\nnetwork late\nrelu').map((d) => [d.code, d.text]),
      [['syntax', 'network']],
    );
  });

  it('one syntax error for a line the parser could not read whole, and the layer runs nothing', () => {
    const text = 'input 3x8x8\nconv 4 5a\nrelu';
    assert.deepEqual(
      diagnose(text).map((d) => [d.code, d.text]),
      [['syntax', '5a']],
    );
    assert.equal(check(text).layers[1].output, null);
  });

  it('too-large judges the batch a run will use when it is given', () => {
    const text = 'input 3x64x64\nsample batch=1\nconv 64 3';
    assert.deepEqual(diagnose(text, { memoryLimit: 2 ** 24 }), []);
    assert.deepEqual(
      diagnose(text, { memoryLimit: 2 ** 24, batch: 8 }).map((d) => d.code),
      ['too-large'],
    );
  });

  it('never hides a diagnostic on another line: one per bad line, all reported', () => {
    const text = 'input 3x8x8\nconv 4 0\nconv 4 3 strde=1 from=input\nfoo\n) bad\nrelu from=nowhere';
    assert.deepEqual(
      diagnose(text)
        .filter((d) => d.code !== 'unused-layer')
        .map((d) => [d.line, d.code]),
      [
        [2, 'bad-value'],
        [3, 'unknown-option'],
        [4, 'unknown-layer'],
        [5, 'syntax'],
        [6, 'undefined-layer'],
      ],
    );
  });
});
