/**
 * Where every box and edge goes, given their sizes: a layered layout, dagre's where the graph needs it. Three
 * things make it fast enough for a 2,000-layer network (measured by `npm run bench:diagram`):
 *
 * - **Chains.** A run of layers where each is the only reader of the one before and reads nothing else
 *   (conv → batchnorm → relu → conv → batchnorm in a residual block) can only be drawn as a straight column, so
 *   it is placed as one tall box and the layers are stacked inside it afterwards, with their edges and labels
 *   drawn straight between them. A residual block's seven layers become two boxes and its eight labelled edges
 *   three: dagre's cost grows faster than its input, and every label is a node of its own to it.
 * - **Pieces.** Wherever a box is the only way from everything above it to everything below (between blocks), the
 *   graph is cut there and each piece is laid out on its own, with a copy of the cut box as its top; the piece is
 *   then moved so the copy lands on the box. dagre's ranking and ordering grow faster than the graph, and its
 *   depth-first ordering recurses once per rank, which overflows the stack near 2,000 ranks.
 * - **Forks and merges by hand.** A piece that is one box fanning out into side-by-side chains (or straight
 *   edges) that all meet in one box, which is what a residual block or an inception module becomes, has only one
 *   good drawing: it is placed directly (`diamond`), without dagre, which then lays out only what is left (long
 *   skips such as U-Net's, or nested branches). The layout of a 200-layer residual network went from about 175 ms
 *   to a few ms in Node (README, "The network diagram").
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
const NODESEP = 24;
const MARGIN = 16;

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
    // dagre aimed at the chain's centre: end the edge on the member's own box instead (an end already on it,
    // as a hand-placed piece's are, stays).
    if (points.length >= 2) {
      const [a, b] = [links[k].from, links[k].to];
      const last = points.length - 1;
      if (!onBorder(placed[a], boxes[a], points[0])) points[0] = clip(placed[a], boxes[a], points[1]);
      if (!onBorder(placed[b], boxes[b], points[last])) points[last] = clip(placed[b], boxes[b], points[last - 1]);
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

/** `p` is on the border of the box at `c` (to half a pixel). */
function onBorder(c: Point, s: Size, p: Point): boolean {
  const dx = Math.abs(p.x - c.x) - s.width / 2;
  const dy = Math.abs(p.y - c.y) - s.height / 2;
  return dx <= 0.5 && dy <= 0.5 && (Math.abs(dx) <= 0.5 || Math.abs(dy) <= 0.5);
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
  for (let i = 0; i < n; i++) {
    if (i > 0 && i < n - 1 && far <= i) cuts.push(i);
    far = Math.max(far, reach[i]);
  }
  const placed: Point[] = chains.map(() => ({ x: 0, y: 0 }));
  const routed = links.map(() => ({ points: [] as Point[], x: 0, y: 0 }));
  // Piece p runs from cut to cut, both included: its last chain is placed there, and anchors the next piece.
  const bounds = [0, ...cuts, n - 1];
  for (let p = 0; p + 1 < bounds.length; p++) {
    const first = bounds[p];
    const last = bounds[p + 1];
    const piece =
      diamond(chains, links, out, first, last, direction) ?? dagrePiece(chains, links, out, first, last, direction);
    // The first piece where it was laid out; each other one moved so its first chain lands where the piece
    // before placed it.
    const dx = p === 0 ? 0 : placed[first].x - piece.placed.get(first)!.x;
    const dy = p === 0 ? 0 : placed[first].y - piece.placed.get(first)!.y;
    for (const [i, q] of piece.placed) if (p === 0 || i !== first) placed[i] = { x: q.x + dx, y: q.y + dy };
    for (const [k, e] of piece.edges)
      routed[k] = { points: e.points.map((r) => ({ x: r.x + dx, y: r.y + dy })), x: e.x + dx, y: e.y + dy };
  }
  return normalized(chains, links, placed, routed);
}

type Piece = { placed: Map<number, Point>; edges: Map<number, { points: Point[]; x: number; y: number }> };

/** dagre on the chains first..last and the links among them. */
function dagrePiece(
  chains: readonly Chain[],
  links: readonly Link[],
  out: ReadonlyMap<number, number[]>,
  first: number,
  last: number,
  direction: Direction,
): Piece {
  const g = new graphlib.Graph({ multigraph: true });
  g.setGraph({
    rankdir: direction,
    ranker: 'longest-path',
    nodesep: NODESEP,
    ranksep: RANKSEP,
    edgesep: 12,
    marginx: MARGIN,
    marginy: MARGIN,
  });
  g.setDefaultEdgeLabel(() => ({}));
  for (let i = first; i <= last; i++) g.setNode(`${i}`, { width: chains[i].size.width, height: chains[i].size.height });
  const mine: number[] = [];
  for (let i = first; i <= last; i++) {
    for (const k of out.get(i) ?? []) {
      if (links[k].to > last) continue;
      mine.push(k);
      g.setEdge(`${i}`, `${links[k].to}`, { width: links[k].width, height: links[k].height, labelpos: 'c' }, `${k}`);
    }
  }
  dagreLayout(g);
  const placed = new Map<number, Point>();
  for (let i = first; i <= last; i++) {
    const q = g.node(`${i}`);
    placed.set(i, { x: q.x, y: q.y });
  }
  const edges: Piece['edges'] = new Map();
  for (const k of mine) {
    const q = g.edge(`${links[k].from}`, `${links[k].to}`, `${k}`);
    edges.set(k, { points: (q.points ?? []).map((r: Point) => ({ x: r.x, y: r.y })), x: q.x ?? 0, y: q.y ?? 0 });
  }
  return { placed, edges };
}

/**
 * A piece that is a fork and a merge with nothing between but single chains (a residual block: the chain of
 * convs beside the shortcut, or an identity edge; an inception module's branches), or one link: placed by hand,
 * without dagre, as dagre would draw it. The branches stand side by side in lanes as wide as their boxes and
 * labels, in the order the fork's links were written; every edge leaves the fork, turns into its lane half a gap
 * below, runs straight down it, and turns into the merge. null when the piece is anything else.
 */
function diamond(
  chains: readonly Chain[],
  links: readonly Link[],
  out: ReadonlyMap<number, number[]>,
  first: number,
  last: number,
  direction: Direction,
): Piece | null {
  const lanes = out.get(first) ?? [];
  const middles = lanes.map((k) => links[k].to).filter((m) => m !== last);
  if (!lanes.length || middles.length !== last - first - 1 || lanes.some((k) => links[k].to > last)) return null;
  const outOf = middles.map((m) => out.get(m) ?? []);
  if (outOf.some((o) => o.length !== 1 || links[o[0]].to !== last)) return null;
  if (new Set(middles).size !== middles.length) return null;
  for (let i = first + 1; i < last; i++) if (!middles.includes(i)) return null;
  const tb = direction === 'TB';
  const length = (s: Size) => (tb ? s.height : s.width);
  const across = (s: Size) => (tb ? s.width : s.height);
  const at = (r: number, c: number): Point => (tb ? { x: c, y: r } : { x: r, y: c });
  // Along the rank axis r (down, or right for LR) and across it, c.
  const lane = lanes.map((k) => {
    const m = links[k].to === last ? undefined : links[k].to;
    const exit = m === undefined ? undefined : out.get(m)![0];
    const width = Math.max(
      across(links[k]),
      m === undefined ? 0 : across(chains[m].size),
      exit === undefined ? 0 : across(links[exit]),
    );
    return { k, m, exit, width };
  });
  const inLabel = Math.max(...lane.map((l) => length(links[l.k])));
  const outLabel = Math.max(0, ...lane.map((l) => (l.exit === undefined ? 0 : length(links[l.exit]))));
  const band = Math.max(0, ...lane.map((l) => (l.m === undefined ? 0 : length(chains[l.m].size))));
  const forkEnd = length(chains[first].size);
  const bandTop = forkEnd + RANKSEP + inLabel;
  const bandEnd = bandTop + band;
  const mergeTop = bandEnd + (outLabel ? RANKSEP + outLabel : lane.some((l) => l.m !== undefined) ? RANKSEP : 0);
  const total = lane.reduce((s, l) => s + l.width, 0) + NODESEP * (lane.length - 1);
  const placed = new Map<number, Point>([
    [first, at(forkEnd / 2, 0)],
    [last, at(mergeTop + length(chains[last].size) / 2, 0)],
  ]);
  const edges: Piece['edges'] = new Map();
  const turnIn = forkEnd + RANKSEP / 2;
  const turnOut = mergeTop - RANKSEP / 2;
  // Where lane i leaves the fork and enters the merge: spread along their borders in lane order, so the arrows
  // neither cross nor meet in one point.
  const spread = (box: Size, i: number) => (lane.length === 1 ? 0 : ((i + 1) / (lane.length + 1) - 0.5) * across(box));
  let c = -total / 2;
  for (const [i, l] of lane.entries()) {
    const x = c + l.width / 2;
    c += l.width + NODESEP;
    const from = spread(chains[first].size, i);
    const to = spread(chains[last].size, i);
    const labelAt = turnIn + length(links[l.k]) / 2;
    if (l.m === undefined) {
      edges.set(l.k, {
        points: [at(forkEnd, from), at(turnIn, x), at(turnOut, x), at(mergeTop, to)],
        ...at(labelAt, x),
      });
      continue;
    }
    const size = length(chains[l.m].size);
    placed.set(l.m, at(bandTop + size / 2, x));
    edges.set(l.k, { points: [at(forkEnd, from), at(turnIn, x), at(bandTop, x)], ...at(labelAt, x) });
    const end = bandTop + size;
    const outAt = (end + turnOut) / 2;
    edges.set(l.exit!, { points: [at(end, x), at(turnOut, x), at(mergeTop, to)], ...at(outAt, x) });
  }
  return { placed, edges };
}

/** Everything moved so the drawing starts MARGIN from the top left, with its size. */
function normalized(
  chains: readonly Chain[],
  links: readonly Link[],
  placed: Point[],
  edges: Placement['edges'],
): Placement {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  const grow = (x: number, y: number, w = 0, h = 0) => {
    x0 = Math.min(x0, x - w / 2);
    y0 = Math.min(y0, y - h / 2);
    x1 = Math.max(x1, x + w / 2);
    y1 = Math.max(y1, y + h / 2);
  };
  placed.forEach((p, i) => grow(p.x, p.y, chains[i].size.width, chains[i].size.height));
  edges.forEach((e, k) => {
    for (const p of e.points) grow(p.x, p.y);
    grow(e.x, e.y, links[k].width, links[k].height);
  });
  const dx = MARGIN - x0;
  const dy = MARGIN - y0;
  return {
    width: x1 - x0 + 2 * MARGIN,
    height: y1 - y0 + 2 * MARGIN,
    placed: placed.map((p) => ({ x: p.x + dx, y: p.y + dy })),
    edges: edges.map((e) => ({
      points: e.points.map((p) => ({ x: p.x + dx, y: p.y + dy })),
      x: e.x + dx,
      y: e.y + dy,
    })),
  };
}
