/**
 * Lays the diagram out with dagre's layered (Sugiyama) layout: ranks top to bottom or left to right, crossings
 * reduced, edge labels placed as their own dummy nodes so no label sits on a node. Pure (no DOM), so the node
 * tests and the benchmark run exactly what the webview runs. Why dagre and not elkjs: README, "The diagram".
 *
 * Text is set in the editor's monospace font, so a line's width is its length in characters times one advance:
 * the layout needs no measuring, and is the same in Node and in the browser.
 *
 * The backward view keeps the forward arrangement (the loss at the bottom, the input at the top) and reverses
 * only the arrows, so toggling does not make the user find every layer again; its edge labels are the δ rules.
 */
import { graphlib, layout as dagreLayout } from '@dagrejs/dagre';
import type { DiagramEdge, DiagramModel, DiagramNode } from '../../engine/editor/diagram';

export type View = 'forward' | 'backward';
export type Direction = 'TB' | 'LR';

/** The font the diagram is drawn in, and its metrics: monospace, so width = characters × CHAR_WIDTH. */
export const FONT_SIZE = 12;
export const CHAR_WIDTH = FONT_SIZE * 0.6;
export const LINE_HEIGHT = 16;
export const NODE_PAD = 8;

/** A gradient check's verdict on one node. */
export interface Verdict {
  readonly passed: boolean;
  /** The largest relative error over the node's δ and parameters. */
  readonly maxError: number;
  /** The check pins a wrong backward rule on this node. */
  readonly blamed: boolean;
}

export interface PlacedNode {
  readonly node: DiagramNode;
  /** Centre. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** The text lines, top to bottom: name, label, shape, and the verdict after a check. */
  readonly lines: readonly string[];
}

export interface PlacedEdge {
  readonly edge: DiagramEdge;
  /** Start to end in the direction drawn (the backward view's run from the reader to the producer). */
  readonly points: readonly { readonly x: number; readonly y: number }[];
  readonly label: { readonly x: number; readonly y: number; readonly width: number; readonly height: number; readonly text: string };
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
}

export interface LayoutOptions {
  readonly view: View;
  readonly direction: Direction;
  readonly verdicts?: ReadonlyMap<string, Verdict>;
  /** Lay out again even when the last layout fits (for the benchmark). */
  readonly fresh?: boolean;
}

const fmtInt = (n: number) => n.toLocaleString('en-US');
const fmtError = (e: number) => (e === 0 ? '0' : e.toExponential(0).replace('e', 'e'));

/** What a node says, line by line. */
export function nodeLines(n: DiagramNode, view: View, verdict?: Verdict): string[] {
  const title = n.unknownStart ? `${n.id}  ? starts here` : n.id;
  const lines = [title, n.label];
  if (view === 'forward') lines.push(n.kind === 'loss' ? 'scalar' : n.params ? `${n.shape} · ${fmtInt(n.params)} params` : n.shape);
  else lines.push(n.kind === 'loss' ? 'δ starts here' : `δ ${n.shape}`);
  if (verdict) lines.push(`${verdict.passed ? '✓' : '✗'} ${fmtError(verdict.maxError)}${verdict.blamed ? ' · its rule is wrong' : ''}`);
  return lines;
}

export function edgeText(e: DiagramEdge, view: View): string {
  return view === 'forward' ? e.shape : e.rule;
}

/** Rounded up to a few characters, so that a small edit to a label keeps the box and the layout with it. */
const textWidth = (chars: number) => Math.ceil(chars / 4) * 4 * CHAR_WIDTH;
const longest = (lines: readonly string[]) => Math.max(...lines.map((l) => l.length));

/** Sizes of everything to place: the layout's whole input. Two equal keys give the same layout. */
function sizes(model: DiagramModel, o: LayoutOptions) {
  const nodes = model.nodes.map((n) => {
    const lines = nodeLines(n, o.view, o.verdicts?.get(n.id));
    return { node: n, lines, width: textWidth(longest(lines)) + 2 * NODE_PAD, height: lines.length * LINE_HEIGHT + 2 * NODE_PAD };
  });
  const edges = model.edges.map((e) => {
    const text = edgeText(e, o.view);
    return { edge: e, text, width: textWidth(text.length) + 8, height: LINE_HEIGHT };
  });
  const key = [o.direction, ...nodes.map((n) => `${n.node.id}:${n.width}:${n.height}`), ...edges.map((e) => `${e.edge.from}>${e.edge.to}:${e.width}`)].join('|');
  return { nodes, edges, key };
}

let last: { key: string; placed: { x: number; y: number }[]; edges: { points: { x: number; y: number }[]; x: number; y: number }[]; width: number; height: number } | undefined;

/**
 * Places every node and edge. When the graph and every box keep their sizes (a one-line edit that changes a
 * number but not how long a label is, a check's verdicts of the same length) the last positions are reused
 * and only the text changes: no relayout.
 */
export function layoutDiagram(model: DiagramModel, o: LayoutOptions): Layout & { readonly reused: boolean } {
  const s = sizes(model, o);
  const reused = !o.fresh && last?.key === s.key;
  if (!reused) last = { key: s.key, ...place(s.nodes, s.edges, o.direction) };
  const l = last!;
  return {
    width: l.width,
    height: l.height,
    reused,
    nodes: s.nodes.map((n, i) => ({ node: n.node, lines: n.lines, width: n.width, height: n.height, x: l.placed[i].x, y: l.placed[i].y })),
    edges: s.edges.map((e, i) => {
      const pe = l.edges[i];
      const points = o.view === 'backward' ? [...pe.points].reverse() : pe.points;
      return { edge: e.edge, points, label: { x: pe.x, y: pe.y, width: e.width, height: e.height, text: e.text } };
    }),
  };
}

type Box = { node: DiagramNode; width: number; height: number };
type EdgeBox = { edge: DiagramEdge; width: number; height: number };
type Point = { x: number; y: number };

/**
 * Nodes per piece, at least. dagre's ranking and crossing reduction grow faster than the graph (a 200-layer
 * network took 176 ms in one piece), and its depth-first ordering recurses once per rank, which overflows the
 * stack near 2,000 layers. A CNN is a chain of blocks: wherever a node is the only way from everything above it
 * to everything below (every edge from above ends at it), the graph is cut there, each piece is laid out on
 * its own with a copy of the cut node as its top, and the piece is moved so the copy lands on the node.
 */
export const PIECE = 48;

function place(nodes: readonly Box[], edges: readonly EdgeBox[], direction: Direction) {
  const index = new Map(nodes.map((n, i) => [n.node.id, i]));
  const out = new Map<number, number[]>();
  const reach = nodes.map(() => -1);
  edges.forEach((e, k) => {
    const from = index.get(e.edge.from)!;
    reach[from] = Math.max(reach[from], index.get(e.edge.to)!);
    out.set(from, [...(out.get(from) ?? []), k]);
  });
  // Cut points: i such that every edge from a node before i ends at or before i.
  const cuts: number[] = [];
  let far = -1;
  let start = 0;
  for (let i = 0; i < nodes.length; i++) {
    if (i > 0 && far <= i && i - start >= PIECE && nodes.length - i > PIECE / 2) {
      cuts.push(i);
      start = i;
    }
    far = Math.max(far, reach[i]);
  }
  const placed: Point[] = nodes.map(() => ({ x: 0, y: 0 }));
  const routed: { points: Point[]; x: number; y: number }[] = edges.map(() => ({ points: [], x: 0, y: 0 }));
  let width = 0;
  let height = 0;
  if (!nodes.length) return { width: 0, height: 0, placed, edges: routed };
  // Piece p runs from cut to cut, both included: its last node is placed there, and anchors the next piece.
  const bounds = [0, ...cuts, nodes.length - 1];
  for (let p = 0; p + 1 < bounds.length; p++) {
    const first = bounds[p];
    const last = bounds[p + 1];
    const g = new graphlib.Graph({ multigraph: true });
    g.setGraph({ rankdir: direction, ranker: 'longest-path', nodesep: 24, ranksep: 28, edgesep: 12, marginx: 16, marginy: 16 });
    g.setDefaultEdgeLabel(() => ({}));
    for (let i = first; i <= last; i++) g.setNode(`${i}`, { width: nodes[i].width, height: nodes[i].height });
    const mine: number[] = [];
    for (let i = first; i <= last; i++) {
      for (const k of out.get(i) ?? []) {
        const to = index.get(edges[k].edge.to)!;
        if (to > last) continue;
        mine.push(k);
        g.setEdge(`${i}`, `${to}`, { width: edges[k].width, height: edges[k].height, labelpos: 'c' }, `${k}`);
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
      const q = g.edge(`${index.get(edges[k].edge.from)}`, `${index.get(edges[k].edge.to)}`, `${k}`);
      routed[k] = { points: (q.points ?? []).map((r: Point) => ({ x: r.x + dx, y: r.y + dy })), x: (q.x ?? 0) + dx, y: (q.y ?? 0) + dy };
    }
    const graph = g.graph();
    width = Math.max(width, (graph.width ?? 0) + dx);
    height = Math.max(height, (graph.height ?? 0) + dy);
  }
  return { width, height, placed, edges: routed };
}
