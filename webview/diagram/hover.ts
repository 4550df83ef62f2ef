/**
 * Which edge the pointer is on. The lines are 1.2 px wide, too thin to hover by hand; a wider invisible path under
 * each would add an element per edge to every draw, where the labels and boxes of a big network are already most
 * of the time. Instead the segment nearest the pointer is found as it moves: a few thousand distances at most.
 * Pure, in diagram coordinates.
 */
import type { Layout, PlacedEdge } from './layout';

/** The edge with a segment within `tolerance` of (x, y), the nearest if several; undefined if none. */
export function edgeNear(layout: Layout, x: number, y: number, tolerance: number): PlacedEdge | undefined {
  let best: PlacedEdge | undefined;
  let bestDistance = tolerance * tolerance;
  for (const e of layout.edges) {
    for (let i = 1; i < e.points.length; i++) {
      const d = squaredDistance(x, y, e.points[i - 1], e.points[i]);
      if (d <= bestDistance) {
        best = e;
        bestDistance = d;
      }
    }
  }
  return best;
}

type Point = { readonly x: number; readonly y: number };

/** From (x, y) to the segment a–b, squared. */
function squaredDistance(x: number, y: number, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length = dx * dx + dy * dy;
  const t = length === 0 ? 0 : Math.max(0, Math.min(1, ((x - a.x) * dx + (y - a.y) * dy) / length));
  const px = a.x + t * dx - x;
  const py = a.y + t * dy - y;
  return px * px + py * py;
}
