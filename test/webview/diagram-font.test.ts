/**
 * The font a saved diagram embeds is a subset (scripts/diagram-font.mjs): every character any example or zoo
 * network writes, forward and backward, with verdicts and under every cost overlay, must be one it keeps, or an
 * exported figure would draw that character in whatever font the reader has. (The Chromium suite checks that
 * the embedded font has a glyph for each character of its ranges.)
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '../../engine';
import { diagramModel } from '../../engine/editor/diagram';
import { FONT_RANGES } from '../../webview/diagram/font';
import { layoutDiagram, type View } from '../../webview/diagram/layout';
import { type Overlay, renderSvg } from '../../webview/diagram/render';

const EXAMPLES = join(__dirname, '../../examples');
const files = [
  ...readdirSync(EXAMPLES).filter((f) => f.endsWith('.cnn')),
  ...readdirSync(join(EXAMPLES, 'zoo'))
    .filter((f) => f.endsWith('.cnn'))
    .map((f) => join('zoo', f)),
];

const kept = (c: string) => FONT_RANGES.some(([a, b]) => c.codePointAt(0)! >= a && c.codePointAt(0)! <= b);
const unescape = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

describe('diagram font', () => {
  it('keeps every character the examples and the zoo write, in both views, with verdicts and overlays', () => {
    const written = new Set<string>();
    for (const file of files) {
      const model = diagramModel(check(readFileSync(join(EXAMPLES, file), 'utf8')));
      const verdicts = new Map(
        model.nodes.map((n, i) => [n.id, { passed: i % 2 === 0, maxError: 1.5e-7, blamed: i === 1 }]),
      );
      for (const view of ['forward', 'backward'] as View[])
        for (const overlay of ['none', 'params', 'macs', 'memory'] as Overlay[]) {
          const layout = layoutDiagram(model, { view, direction: 'TB', verdicts, fresh: true });
          const svg = renderSvg(model, layout, { view, overlay, current: null });
          for (const m of svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)) for (const c of unescape(m[1])) written.add(c);
        }
    }
    assert.ok(
      ['δ', '⋆', '✓', '✗', '×'].every((c) => written.has(c)),
      'the δ rules and verdicts were drawn',
    );
    assert.deepEqual(
      [...written].filter((c) => !kept(c)),
      [],
    );
  });
});
