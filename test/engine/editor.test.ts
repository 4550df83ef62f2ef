/** The editor services over an analysis: names, rename, completion and the texts hovers and hints show. */
import assert from 'node:assert/strict';
import { check } from '../../engine';
import {
  completionsAt,
  deltaLabel,
  layerAt,
  layerMarkdown,
  occurrenceAt,
  outputLabel,
  referencesTo,
  renameEdits,
  ruleFunctionAt,
  useMarkdown,
} from '../../engine/editor';
import { applyEdits } from './util';

const NET =
  'input 3x8x8\nstem: conv 4 3 pad=1\nrelu\nskip: identity from=stem\nsum: add relu1 skip\nbackward stem: dx = 0 * x\n';
const at = (text: string, needle: string, nth = 0) => {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = text.indexOf(needle, i + 1);
  return i;
};

describe('editor services', () => {
  it('finds every definition and use of a name, from=, add and backward included', () => {
    const a = check(NET);
    const refs = referencesTo(a, 'stem', true).map((o) => [a.lines.position(o.range.start).line, o.definition]);
    assert.deepEqual(refs, [
      [2, true],
      [4, false],
      [6, false],
    ]);
    assert.deepEqual(
      referencesTo(a, 'relu1', false).map((o) => NET.slice(o.range.start, o.range.end)),
      ['relu1'],
    );
    assert.equal(occurrenceAt(a, at(NET, 'stem', 1) + 2)?.name, 'stem');
  });

  it('renames a layer everywhere, and writes a name for an automatic one', () => {
    const a = check(NET);
    const edits = renameEdits(a, at(NET, 'stem'), 'trunk');
    assert.ok(Array.isArray(edits));
    assert.equal(applyEdits(NET, edits), NET.replace(/stem/g, 'trunk'));
    const auto = renameEdits(a, at(NET, 'relu1'), 'act');
    assert.ok(Array.isArray(auto));
    const renamed = applyEdits(NET, auto);
    assert.equal(renamed, NET.replace('\nrelu\n', '\nact: relu\n').replace('add relu1', 'add act'));
    assert.deepEqual(check(renamed).diagnostics, []);
  });

  it('refuses a rename to a keyword, a taken name or a non-name', () => {
    const a = check(NET);
    assert.equal(renameEdits(a, at(NET, 'stem'), 'conv'), "'conv' is a keyword");
    assert.equal(renameEdits(a, at(NET, 'stem'), 'skip'), "'skip' is already a layer");
    assert.equal(
      renameEdits(a, at(NET, 'stem'), '2x'),
      "'2x' is not a name: use letters, digits and _, not starting with a digit",
    );
  });

  it("completes a backward rule: the layers above, the layer's targets, then its arrays with shapes and the functions", () => {
    const text =
      "input 3x8x8\nc1: conv 4 3\nbackward \nbackward c1: \nbackward c1: dx[c] = sum(k, conv2(dy[k], W[k,c], 'fu\nbackward c1: dW = x.\nbackward c1: dW = st\n";
    const a = check(text);
    const labels = (line: number) => completionsAt(a, a.lines.lineStart(line - 1) + text.split('\n')[line - 1].length);
    assert.deepEqual(
      labels(3).map((c) => c.label),
      ['c1'],
    );
    assert.deepEqual(
      labels(4).map((c) => [c.label, c.detail]),
      [
        ['dx', 'δ at the input, 3×8×8'],
        ['dW', 'gradient of W, 4×3×3×3'],
        ['db', 'gradient of b, 4'],
      ],
    );
    assert.deepEqual(labels(5), [], 'inside a string');
    assert.deepEqual(labels(6), [], "after '.'");
    const items = labels(7);
    assert.deepEqual(
      items.filter((c) => c.kind === 'name').map((c) => `${c.label} ${c.detail}`),
      ['x 3×8×8', 'y 4×6×6', 'dy 4×6×6', 'W 4×3×3×3', 'b 4'],
    );
    assert.ok(
      items.some((c) => c.kind === 'function' && c.label === 'step' && c.detail === 'step(A): 1 where A > 0, else 0'),
    );
  });

  it('completes kinds at the start of a statement, options with defaults after a kind, names after from= and add', () => {
    const text = 'input 3x8x8\nc1: conv 4 3\nc2: \nconv 8 3 \nrelu from=\nadd \npool \nconv 4 3 pad=\n';
    const a = check(text);
    const labels = (offset: number) => completionsAt(a, offset).map((c) => c.label);
    const line = (n: number) => a.lines.lineStart(n - 1);
    assert.ok(labels(line(3) + 4).includes('conv') && !labels(line(3) + 4).includes('input'));
    assert.ok(labels(line(9)).includes('input'));
    const options = completionsAt(a, line(4) + 9);
    assert.deepEqual(
      options.map((c) => c.label),
      ['stride', 'pad', 'dilation', 'groups', 'bias', 'in', 'from'],
    );
    assert.equal(options[0].detail, 'default 1');
    assert.equal(options[0].insertText, 'stride=');
    assert.deepEqual(labels(line(5) + 10), ['input', 'c1', 'c2', 'conv2']);
    assert.deepEqual(labels(line(6) + 4), ['input', 'c1', 'c2', 'conv2', 'relu1']);
    assert.deepEqual(labels(line(7) + 5), ['max', 'mean']);
    assert.deepEqual(labels(line(8) + 13), ['same', 'full', 'valid']);
    assert.deepEqual(
      completionsAt(check('input 3 # c'), 11).map((c) => c.label),
      [],
    );
  });

  it('describes a layer: hover markdown with the δ rule, hint labels, uses', () => {
    const seed = 'input 3x17x17\nc1: conv 64 5x5\nsigmoid\np1: pool mean 2x2\nc2: conv 96 5x5 in=64\n';
    const a = check(seed);
    const c2 = layerAt(a, at(seed, 'c2'))!;
    assert.equal(c2.name, 'c2');
    assert.equal(outputLabel(c2), '96×2×2');
    assert.equal(deltaLabel(c2), 'δ 64×6×6');
    const md = layerMarkdown(c2);
    assert.match(md, /p1 64×6×6 → \*\*96×2×2\*\*/);
    assert.match(md, /δ: 96×2×2 at the output → 64×6×6 at the input/);
    assert.match(md, /153,696 parameters \(W 96×64×5×5, b 96\) · 614,400 multiply-adds per sample/);
    assert.match(md, /Σ over the 96 filters k of full_corr\(δ\(c2\)\[k\] 2×2, rot180\(W\[k,c\] 5×5\)\) = 6×6/);
    assert.ok(
      md.endsWith(
        "**As backward rules** (the notation of `backward`)\n\n`backward c2: dx[c] = sum(k, conv2(dy[k], W[k,c], 'full'))`  \n" +
          "`backward c2: dW[k,c] = xcorr2(x[c], dy[k], 'valid')`  \n`backward c2: db[k] = ones(1, 2) * dy[k] * ones(2, 1)`",
      ),
      md,
    );
    assert.equal(useMarkdown(a, 'p1'), '**p1** · `pool` → 64×6×6 (line 4)');
  });

  it("hovers on a backward rule's function with its one documentation, the one completion offers", () => {
    const text = "input 3x8x8\nc1: conv 4 3\nbackward c1: dx[c] = sum(k, conv2(dy[k], W[k,c], 'full'))\n";
    const a = check(text);
    const hover = ruleFunctionAt(a, at(text, 'conv2') + 2);
    assert.deepEqual(hover?.range, { start: at(text, 'conv2'), end: at(text, 'conv2') + 5 });
    assert.equal(hover?.markdown, "`conv2(A, B, 'full'|'valid'|'same'): 2-D convolution, B flipped`");
    const offered = completionsAt(a, at(text, 'conv2')).find((c) => c.label === 'conv2');
    assert.equal(`\`${offered?.detail}\``, hover?.markdown);
    // Not a function where it is not called: `dy` is an array, the `c` of dx[c] an index.
    assert.equal(ruleFunctionAt(a, at(text, 'dy[k]') + 1), undefined);
    assert.equal(ruleFunctionAt(a, at(text, 'c1:') + 1), undefined);
  });
});
