/**
 * The quality of the diagram's placement on every example and the zoo, forward and backward, top-to-bottom and
 * left-to-right, every use of a block open: each edge starts and ends on the border of its two boxes and no edge
 * label lies on a box. The residual and inception blocks are placed by hand (place.ts, `diamond`), the rest by
 * dagre: both are held to this. And a hand-placed merge shows each arrow: no two end at one point.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '../../engine';
import { diagramModel } from '../../engine/editor/diagram';
import { type Direction, layoutDiagram, type View } from '../../webview/diagram/layout';

const EXAMPLES = join(__dirname, '../../examples');
const files = [
  ...readdirSync(EXAMPLES).filter((f) => f.endsWith('.cnn')),
  ...readdirSync(join(EXAMPLES, 'zoo'))
    .filter((f) => f.endsWith('.cnn'))
    .map((f) => `zoo/${f}`),
];

type Box = { x: number; y: number; width: number; height: number };
const onBorder = (b: Box, p: { x: number; y: number }) => {
  const dx = Math.abs(p.x - b.x) - b.width / 2;
  const dy = Math.abs(p.y - b.y) - b.height / 2;
  return dx <= 0.5 && dy <= 0.5 && (Math.abs(dx) <= 0.5 || Math.abs(dy) <= 0.5);
};
const overlap = (a: Box, b: Box) =>
  Math.abs(a.x - b.x) < (a.width + b.width) / 2 && Math.abs(a.y - b.y) < (a.height + b.height) / 2;

describe('diagram placement quality', () => {
  for (const file of files) {
    for (const direction of ['TB', 'LR'] as Direction[]) {
      it(`${file} ${direction}: edges end on their boxes, no label on a box`, () => {
        const m = diagramModel(check(readFileSync(join(EXAMPLES, file), 'utf8')));
        const open = Object.fromEntries(m.groups.map((g) => [g.id, true]));
        for (const view of ['forward', 'backward'] as View[]) {
          const l = layoutDiagram(m, { view, direction, fresh: true, open });
          const at = new Map(l.nodes.map((n) => [n.node.id, n]));
          for (const e of l.edges) {
            const [start, end] = view === 'forward' ? [e.edge.from, e.edge.to] : [e.edge.to, e.edge.from];
            const [p, q] = [e.points[0], e.points[e.points.length - 1]];
            assert.ok(onBorder(at.get(start)!, p), `${start}→${end} starts on ${start}'s border`);
            assert.ok(onBorder(at.get(end)!, q), `${start}→${end} ends on ${end}'s border`);
            const onBox = l.nodes.filter((n) => overlap(n, e.label)).map((n) => n.node.id);
            assert.deepEqual(onBox, [], `${e.edge.from}→${e.edge.to}'s label`);
          }
        }
      });
    }
  }

  for (const [file, merge] of [
    ['zoo/resnet18.cnn', 'residual'],
    ['inception.cnn', 'mix'],
  ] as const)
    for (const direction of ['TB', 'LR'] as Direction[])
      it(`${file} ${direction}: the arrows into each ${merge} end at distinct points on its border`, () => {
        const m = diagramModel(check(readFileSync(join(EXAMPLES, file), 'utf8')));
        const l = layoutDiagram(m, { view: 'forward', direction, fresh: true });
        const merges = l.nodes.filter((n) => n.node.id.endsWith(merge));
        assert.ok(merges.length > 0);
        for (const n of merges) {
          const into = l.edges.filter((e) => e.edge.to === n.node.id);
          assert.ok(into.length >= 2, n.node.id);
          const ends = into
            .map((e) => e.points[e.points.length - 1])
            .map((p) => `${Math.round(p.x)},${Math.round(p.y)}`);
          assert.equal(new Set(ends).size, into.length, `${n.node.id}: ${ends.join(' ')}`);
        }
      });
});
