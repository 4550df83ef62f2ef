/** Which edge the pointer is on (webview/diagram/hover.ts): the nearest segment within the tolerance, or none. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '../../engine';
import { diagramModel } from '../../engine/editor/diagram';
import { edgeNear } from '../../webview/diagram/hover';
import { layoutDiagram } from '../../webview/diagram/layout';

describe('diagram hover', () => {
  it("finds inception's edge input → b2r 3 units beside its last segment within 5, not within 2", () => {
    const text = readFileSync(join(__dirname, '../../examples/inception.cnn'), 'utf8');
    const layout = layoutDiagram(diagramModel(check(text)), { view: 'forward', direction: 'TB', fresh: true });
    const edge = layout.edges.find((e) => e.edge.from === 'input' && e.edge.to === 'b2r')!;
    // The last segment, into b2r: a fork's first segments run close together beside the box they leave.
    const [a, b] = edge.points.slice(-2);
    const length = Math.hypot(b.x - a.x, b.y - a.y);
    // The middle of the segment, moved 3 units across it.
    const x = (a.x + b.x) / 2 - (3 * (b.y - a.y)) / length;
    const y = (a.y + b.y) / 2 + (3 * (b.x - a.x)) / length;
    const near = (tolerance: number) => edgeNear(layout, x, y, tolerance)?.edge;
    assert.equal(near(5), edge.edge);
    assert.notEqual(near(2), edge.edge);
    assert.equal(edgeNear(layout, -100, -100, 5), undefined, 'nothing outside the figure');
  });
});
