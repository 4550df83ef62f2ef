import assert from 'node:assert/strict';
import { dimRange, parse } from '../../engine';
import type { LayerStatement } from '../../engine';

const slice = (text: string, r: { start: number; end: number }) => text.slice(r.start, r.end);

function layer(text: string, index = 0): LayerStatement {
  const st = parse(text).statements.filter((s) => s.type === 'layer')[index];
  assert.ok(st && st.type === 'layer', 'a layer statement');
  return st;
}

describe('parser', () => {
  it('keeps a range for the name, kind, every argument, option key and value, and the assertion', () => {
    const text = 'c2: conv 96 5x5 in=64 stride = 2  -> 96x2x2 # comment';
    const st = layer(text);
    assert.equal(slice(text, st.name!.range), 'c2');
    assert.equal(slice(text, st.kind.range), 'conv');
    assert.deepEqual(
      st.args.map((a) => [a.kind, slice(text, a.range)]),
      [
        ['number', '96'],
        ['shape', '5x5'],
      ],
    );
    assert.deepEqual(st.args[1].dims, [5, 5]);
    assert.deepEqual(
      [0, 1].map((i) => slice(text, dimRange(st.args[1], i))),
      ['5', '5'],
    );
    assert.deepEqual(
      st.options.map((o) => [slice(text, o.key.range), slice(text, o.value.range), slice(text, o.range)]),
      [
        ['in', '64', 'in=64'],
        ['stride', '2', 'stride = 2'],
      ],
    );
    assert.equal(slice(text, st.assertion!.arrow), '->');
    assert.deepEqual(st.assertion!.shape.dims, [96, 2, 2]);
    assert.equal(slice(text, st.range), 'c2: conv 96 5x5 in=64 stride = 2  -> 96x2x2');
    assert.deepEqual(parse(text).diagnostics, []);
  });

  it('reads × and → as x and ->, and decimals and exponents as numbers', () => {
    const text = 'input 3×17×17\nconv 8 3×3 → 8×15×15\nbatchnorm eps=1e-5\nleaky_relu slope=.2\ndropout rate=0.5';
    const doc = parse(text);
    assert.deepEqual(doc.diagnostics, []);
    const input = doc.statements[0];
    assert.ok(input.type === 'input');
    assert.deepEqual(input.shape.dims, [3, 17, 17]);
    assert.deepEqual(layer(text, 0).assertion!.shape.dims, [8, 15, 15]);
    assert.deepEqual(layer(text, 1).options[0].value.dims, [1e-5]);
    assert.deepEqual(layer(text, 2).options[0].value.dims, [0.2]);
    assert.deepEqual(layer(text, 3).options[0].value.dims, [0.5]);
  });

  it('parses every statement kind', () => {
    const text = [
      'network net',
      'input img 1x8x8',
      'a: conv 4 3',
      'b: relu from=a',
      'add a b',
      "backward a: dx[c] = sum(k, conv2(dy[k], W[k,c], 'full'))  # rule",
      'sample batch=4 seed=7',
      'loss mse',
    ].join('\n');
    const doc = parse(text);
    assert.deepEqual(doc.diagnostics, []);
    assert.deepEqual(
      doc.statements.map((s) => s.type),
      ['network', 'input', 'layer', 'layer', 'layer', 'backward', 'sample', 'loss'],
    );
    const back = doc.statements[5];
    assert.ok(back.type === 'backward');
    assert.equal(back.layer!.text, 'a');
    assert.equal(back.rule.text, "dx[c] = sum(k, conv2(dy[k], W[k,c], 'full'))");
    const sample = doc.statements[6];
    assert.ok(sample.type === 'sample');
    assert.deepEqual(
      sample.options.map((o) => [o.key.text, o.value.dims[0]]),
      [
        ['batch', 4],
        ['seed', 7],
      ],
    );
  });

  it('treats # and // as comments and ignores blank lines, indentation, CRLF and CR', () => {
    const text = '# head\r\n\r\n   input 3x4x4 // trailing\r\n\trelu\rsigmoid # x\n';
    const doc = parse(text);
    assert.deepEqual(doc.diagnostics, []);
    assert.deepEqual(
      doc.statements.map((s) => s.type),
      ['input', 'layer', 'layer'],
    );
    assert.equal(slice(text, doc.statements[1].range), 'relu');
  });

  it('recovers per line: a bad line is reported and the lines around it still parse', () => {
    const text = 'input 3x8x8\n= 5\nconv 4 3 ) stride=2\nrelu';
    const doc = parse(text);
    assert.deepEqual(
      doc.diagnostics.map((d) => [d.code, slice(text, d.range)]),
      [
        ['syntax', '='],
        ['syntax', ')'],
      ],
    );
    assert.deepEqual(
      doc.statements.map((s) => s.type),
      ['input', 'layer', 'layer'],
    );
    // The bad token is skipped; the rest of the statement is kept.
    assert.deepEqual(
      layer(text).options.map((o) => o.key.text),
      ['stride'],
    );
  });

  it('puts a zero-width error on the character before it, and a missing value where it belongs', () => {
    const text = 'input 3x8x8\nconv 4 3 stride=';
    const doc = parse(text);
    assert.deepEqual(
      doc.diagnostics.map((d) => [d.code, slice(text, d.range), d.message]),
      [['syntax', '=', 'expected a value for stride']],
    );
    const st = layer(text);
    assert.equal(st.options[0].value.kind, 'missing');
    assert.equal(st.options[0].value.range.start, text.length);
    assert.equal(st.options[0].value.range.end, text.length);
  });

  it('reads `backward:` as a rule missing its layer, and an empty rule as an error', () => {
    const doc = parse('backward: dx = 1\nbackward c1:');
    assert.deepEqual(
      doc.statements.map((s) => s.type),
      ['backward', 'backward'],
    );
    assert.deepEqual(
      doc.diagnostics.map((d) => d.message),
      ['expected the name of the layer the rule is for', 'expected a rule such as `dx = …` after the colon'],
    );
  });

  it('reports one syntax error per line at most', () => {
    const text = 'conv ) ] }';
    assert.equal(parse(text).diagnostics.length, 1);
  });

  it('keeps a shape with letters glued on as one bad token', () => {
    const text = 'input 3x17x17\nconv 64 5x5y';
    const doc = parse(text);
    assert.deepEqual(
      doc.diagnostics.map((d) => slice(text, d.range)),
      ['5x5y'],
    );
  });

  it('parses a line that is only a name and a colon as a layer with a missing kind', () => {
    const text = 'c1:';
    const doc = parse(text);
    assert.deepEqual(
      doc.diagnostics.map((d) => [d.code, d.message, slice(text, d.range)]),
      [['syntax', "expected a layer kind after 'c1:'", ':']],
    );
    assert.equal(layer(text).kind.text, '');
  });

  it('does not split a surrogate pair when it reports an unknown character', () => {
    const text = 'input 3x8x8\n🙂 conv';
    const [d] = parse(text).diagnostics;
    assert.equal(slice(text, d.range), '🙂');
  });
});
