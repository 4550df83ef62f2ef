/**
 * Where every box and edge goes, given their sizes: dagre's layered layout, fed as little as the picture needs.
 * Two things make it fast enough for a 2,000-layer network (measured by `npm run bench:diagram`):
 *
 * - **Chains.** A run of layers where each is the only reader of the one before and reads nothing else
 *   (conv → batchnorm → relu → conv → batchnorm in a residual block) can only be drawn as a straight column, so
 *   dagre gets it as one tall box and the layers are stacked inside it afterwards, with their edges and labels
 *   drawn straight between them. A residual block's seven layers become two of dagre's nodes and its eight
 *   labelled edges three: dagre's cost grows faster than its input, and every label is a node of its own to it.
 * - **Pieces.** Wherever a box is the only way from everything above it to everything below, the graph is cut
 *   there and each piece is laid out on its own, with a copy of the cut box as its top; the piece is then moved so
 *   the copy lands on the box. dagre's ranking and ordering grow faster than the graph, and its depth-first
 *   ordering recurses once per rank, which overflows the stack near 2,000 ranks.
 *
 * Pure (no DOM), so the node tests and the benchmark run exactly what the webview runs.
 */
import { graphlib, layout as dagreLayout } from '@dagrejs/dagre';
import type { Direction } from './layout';

export interface Point {
  x: number;
  y: number;
}
export interface Size {
  readonly width: number;
  readonly height: number;
}
/** An edge between two boxes (indices), and its label's size. */
export interface Link extends Size {
  readonly from: number;
  readonly to: number;
}
export interface Placement {
  readonly width: number;
  readonly height: number;
  /** Centres, one per box. */
  readonly placed: Point[];
  /** One per link: its points from producer to reader, and its label's centre. */
  readonly edges: { points: Point[]; x: number; y: number }[];
}

/** dagre's gap between ranks; an edge label sits inside it, so two boxes in a chain are RANKSEP + label apart. */
const RANKSEP = 28;

/** Pieces have at least this many of dagre's nodes (chains count as one). */
export const PIECE = 48;

/** A chain: boxes stacked along the rank axis, drawn as one box by dagre. */
interface Chain {
  readonly members: number[];
  /** The links between consecutive members. */
  readonly inner: number[];
  /** Each member's centre's offset from the chain's centre along the rank axis. */
  readonly offsets: number[];
  readonly size: Size;
}

export function place(boxes: readonly Size[], links: readonly Link[], direction: Direction): Placement {
  const placed: Point[] = boxes.map(() => ({ x: 0, y: 0 }));
  const edges = links.map(() => ({ points: [] as Point[], x: 0, y: 0 }));
  if (!boxes.length) return { width: 0, height: 0, placed, edges };
  const chains = chainsOf(boxes, links, direction);
  const chainOf = new Int32Array(boxes.length);
  chains.forEach((c, i) => c.members.forEach((m) => (chainOf[m] = i)));
  const outer = links.map((_, k) => k).filter((k) => chainOf[links[k].from] !== chainOf[links[k].to]);
  const centres = placeChains(
    chains,
    outer.map((k) => ({ ...links[k], from: chainOf[links[k].from], to: chainOf[links[k].to] })),
    direction,
  );
  const along = direction === 'TB' ? 'y' : 'x';
  chains.forEach((c, i) =>
    c.members.forEach(
      (m, j) => (placed[m] = { ...centres.placed[i], [along]: centres.placed[i][along] + c.offsets[j] }),
    ),
  );
  outer.forEach((k, j) => {
    const e = centres.edges[j];
    const points = e.points.slice();
    // dagre aimed at the chain's centre: end the edge on the member's own box instead.
    if (points.length >= 2) {
      points[0] = clip(placed[links[k].from], boxes[links[k].from], points[1]);
      points[points.length - 1] = clip(placed[links[k].to], boxes[links[k].to], points[points.length - 2]);
    }
    edges[k] = { points, x: e.x, y: e.y };
  });
  for (const c of chains) {
    c.inner.forEach((k, j) => {
      const a = placed[c.members[j]];
      const b = placed[c.members[j + 1]];
      const [sa, sb] = [boxes[c.members[j]], boxes[c.members[j + 1]]];
      const start = direction === 'TB' ? { x: a.x, y: a.y + sa.height / 2 } : { x: a.x + sa.width / 2, y: a.y };
      const end = direction === 'TB' ? { x: b.x, y: b.y - sb.height / 2 } : { x: b.x - sb.width / 2, y: b.y };
      edges[k] = { points: [start, end], x: (start.x + end.x) / 2, y: (start.y + end.y) / 2 };
    });
  }
  return { width: centres.width, height: centres.height, placed, edges };
}

/** Maximal runs a → b where b is a's only reader and a is b's only input; every other box is a chain of one. */
function chainsOf(boxes: readonly Size[], links: readonly Link[], direction: Direction): Chain[] {
  const outs = new Int32Array(boxes.length);
  const ins = new Int32Array(boxes.length);
  const next = new Int32Array(boxes.length).fill(-1);
  for (const l of links) {
    outs[l.from]++;
    ins[l.to]++;
  }
  links.forEach((l, k) => {
    if (outs[l.from] === 1 && ins[l.to] === 1 && l.from !== l.to) next[l.from] = k;
  });
  const chained = new Uint8Array(boxes.length);
  links.forEach((l, k) => next[l.from] === k && (chained[l.to] = 1));
  const tb = direction === 'TB';
  const chains: Chain[] = [];
  for (let i = 0; i < boxes.length; i++) {
    if (chained[i]) continue;
    const members = [i];
    const inner: number[] = [];
    for (let m = i; next[m] >= 0; m = links[next[m]].to) {
      inner.push(next[m]);
      members.push(links[next[m]].to);
    }
    // Along the rank axis: boxes and, between them, a gap that holds the label as dagre would.
    const length = (s: Size) => (tb ? s.height : s.width);
    const across = (s: Size) => (tb ? s.width : s.height);
    const starts: number[] = [];
    let at = 0;
    members.forEach((m, j) => {
      if (j) at += RANKSEP + length(links[inner[j - 1]]);
      starts.push(at);
      at += length(boxes[m]);
    });
    const total = at;
    const offsets = members.map((m, j) => starts[j] + length(boxes[m]) / 2 - total / 2);
    const wide = Math.max(...members.map((m) => across(boxes[m])), ...inner.map((k) => across(links[k])));
    chains.push({
      members,
      inner,
      offsets,
      size: tb ? { width: wide, height: total } : { width: total, height: wide },
    });
  }
  return chains;
}

/** Where a line from `toward` to the centre of the box at `c` crosses the box's border. */
export function clip(c: Point, s: Size, toward: Point): Point {
  const dx = toward.x - c.x;
  const dy = toward.y - c.y;
  if (dx === 0 && dy === 0) return { x: c.x, y: c.y };
  const t = Math.min(dx ? s.width / 2 / Math.abs(dx) : Infinity, dy ? s.height / 2 / Math.abs(dy) : Infinity);
  return { x: c.x + dx * t, y: c.y + dy * t };
}

/** dagre over the chains, piece by piece (chains are in an order where every link runs forward). */
function placeChains(chains: readonly Chain[], links: readonly Link[], direction: Direction): Placement {
  const n = chains.length;
  const out = new Map<number, number[]>();
  const reach = new Int32Array(n).fill(-1);
  links.forEach((e, k) => {
    reach[e.from] = Math.max(reach[e.from], e.to);
    out.set(e.from, [...(out.get(e.from) ?? []), k]);
  });
  // Cut points: i such that every link from a chain before i ends at or before i.
  const cuts: number[] = [];
  let far = -1;
  let start = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0 && far <= i && i - start >= PIECE && n - i > PIECE / 2) {
      cuts.push(i);
      start = i;
    }
    far = Math.max(far, reach[i]);
  }
  const placed: Point[] = chains.map(() => ({ x: 0, y: 0 }));
  const routed = links.map(() => ({ points: [] as Point[], x: 0, y: 0 }));
  let width = 0;
  let height = 0;
  // Piece p runs from cut to cut, both included: its last chain is placed there, and anchors the next piece.
  const bounds = [0, ...cuts, n - 1];
  for (let p = 0; p + 1 < bounds.length; p++) {
    const first = bounds[p];
    const last = bounds[p + 1];
    const g = new graphlib.Graph({ multigraph: true });
    g.setGraph({
      rankdir: direction,
      ranker: 'longest-path',
      nodesep: 24,
      ranksep: RANKSEP,
      edgesep: 12,
      marginx: 16,
      marginy: 16,
    });
    g.setDefaultEdgeLabel(() => ({}));
    for (let i = first; i <= last; i++)
      g.setNode(`${i}`, { width: chains[i].size.width, height: chains[i].size.height });
    const mine: number[] = [];
    for (let i = first; i <= last; i++) {
      for (const k of out.get(i) ?? []) {
        if (links[k].to > last) continue;
        mine.push(k);
        g.setEdge(`${i}`, `${links[k].to}`, { width: links[k].width, height: links[k].height, labelpos: 'c' }, `${k}`);
      }
    }
    dagreLayout(g);
    const top = g.node(`${first}`);
    const dx = p === 0 ? 0 : placed[first].x - top.x;
    const dy = p === 0 ? 0 : placed[first].y - top.y;
    for (let i = p === 0 ? first : first + 1; i <= last; i++) {
      const q = g.node(`${i}`);
      placed[i] = { x: q.x + dx, y: q.y + dy };
    }
    for (const k of mine) {
      const q = g.edge(`${links[k].from}`, `${links[k].to}`, `${k}`);
      routed[k] = {
        points: (q.points ?? []).map((r: Point) => ({ x: r.x + dx, y: r.y + dy })),
        x: (q.x ?? 0) + dx,
        y: (q.y ?? 0) + dy,
      };
    }
    const graph = g.graph();
    width = Math.max(width, (graph.width ?? 0) + dx);
    height = Math.max(height, (graph.height ?? 0) + dy);
  }
  return { width, height, placed, edges: routed };
}
