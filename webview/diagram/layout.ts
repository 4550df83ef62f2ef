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
import type { DiagramEdge, DiagramGroup, DiagramModel, DiagramNode } from '../../engine/editor/diagram';
import { type Open, placeFramed, visible } from './groups';

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
  /** A layer, or a collapsed use of a block (kind `block`, its id the use's: see `group`). */
  readonly node: DiagramNode;
  /** The use this node stands for, when it is a collapsed one. */
  readonly group?: DiagramGroup;
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
  readonly label: {
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
    readonly text: string;
  };
}

/** An expanded use of a block: the frame around its layers (centre and size), its title in the top strip. */
export interface PlacedGroup {
  readonly group: DiagramGroup;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** `layer2_0 · bottleneck_down 128`: the use's full name and the block with its arguments. */
  readonly title: string;
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  /** What is drawn as a node: the layers, with each collapsed use of a block as one node. */
  readonly nodes: readonly PlacedNode[];
  /** One per edge drawn: an edge into or out of a collapsed use ends at its node. */
  readonly edges: readonly PlacedEdge[];
  /** The expanded uses of blocks, drawn as frames behind their layers. */
  readonly groups: readonly PlacedGroup[];
}

export interface LayoutOptions {
  readonly view: View;
  readonly direction: Direction;
  readonly verdicts?: ReadonlyMap<string, Verdict>;
  /** The uses of blocks the user opened or closed, by id; the others are open unless written with `repeat=`. */
  readonly open?: Open;
  /** Lay out again even when the last layout fits (for the benchmark). */
  readonly fresh?: boolean;
}

const fmtInt = (n: number) => n.toLocaleString('en-US');
const fmtError = (e: number) => (e === 0 ? '0' : e.toExponential(0).replace('e', 'e'));

/** What a node says, line by line. */
export function nodeLines(n: DiagramNode, view: View, verdict?: Verdict): string[] {
  const title = n.kind === 'block' ? `▸ ${n.id}` : n.unknownStart ? `${n.id}  ? starts here` : n.id;
  const lines = [title, n.label];
  if (view === 'forward')
    lines.push(n.kind === 'loss' ? 'scalar' : n.params ? `${n.shape} · ${fmtInt(n.params)} params` : n.shape);
  else lines.push(n.kind === 'loss' ? 'δ starts here' : `δ ${n.shape}`);
  if (verdict)
    lines.push(
      `${verdict.passed ? '✓' : '✗'} ${fmtError(verdict.maxError)}${verdict.blamed ? ' · its rule is wrong' : ''}`,
    );
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
  const v = visible(model, o.open);
  const nodes = v.nodes.map((n) => {
    const lines = nodeLines(n, o.view, o.verdicts?.get(n.id));
    return {
      node: n,
      lines,
      width: textWidth(longest(lines)) + 2 * NODE_PAD,
      height: lines.length * LINE_HEIGHT + 2 * NODE_PAD,
    };
  });
  const edges = v.edges.map((e) => {
    const text = edgeText(e, o.view);
    return { edge: e, text, width: textWidth(text.length) + 8, height: LINE_HEIGHT };
  });
  const key = [
    o.direction,
    ...nodes.map((n) => `${n.node.id}:${n.width}:${n.height}`),
    ...edges.map((e) => `${e.edge.from}>${e.edge.to}:${e.width}`),
    ...v.frames.map((f) => `[${f.members.join()}]`),
  ].join('|');
  return { nodes, edges, key, collapsed: v.collapsed, frames: v.frames };
}

/** `layer2_0 · bottleneck_down 128`, with the sign that a click closes it. */
export const frameTitle = (g: DiagramGroup) => `▾ ${g.id} · ${g.description}`;

let last:
  | {
      key: string;
      placed: { x: number; y: number }[];
      edges: { points: { x: number; y: number }[]; x: number; y: number }[];
      frames: { x: number; y: number; width: number; height: number }[];
      width: number;
      height: number;
    }
  | undefined;

/** The edges as links between node indices, for place(). */
function links(
  nodes: readonly { node: DiagramNode }[],
  edges: readonly { edge: DiagramEdge; width: number; height: number }[],
) {
  const index = new Map(nodes.map((n, i) => [n.node.id, i]));
  return edges.map((e) => ({
    from: index.get(e.edge.from)!,
    to: index.get(e.edge.to)!,
    width: e.width,
    height: e.height,
  }));
}

/**
 * Places every node and edge. When the graph and every box keep their sizes (a one-line edit that changes a
 * number but not how long a label is, a check's verdicts of the same length) the last positions are reused
 * and only the text changes: no relayout.
 */
export function layoutDiagram(model: DiagramModel, o: LayoutOptions): Layout & { readonly reused: boolean } {
  const s = sizes(model, o);
  const reused = !o.fresh && last?.key === s.key;
  if (!reused)
    last = {
      key: s.key,
      ...placeFramed(
        s.nodes,
        links(s.nodes, s.edges),
        s.frames.map((f) => f.members),
        o.direction,
      ),
    };
  const l = last!;
  return {
    width: l.width,
    height: l.height,
    reused,
    groups: s.frames.map((f, i) => ({ group: f.group, title: frameTitle(f.group), ...l.frames[i] })),
    nodes: s.nodes.map((n, i) => ({
      node: n.node,
      ...(s.collapsed.has(i) && { group: s.collapsed.get(i) }),
      lines: n.lines,
      width: n.width,
      height: n.height,
      x: l.placed[i].x,
      y: l.placed[i].y,
    })),
    edges: s.edges.map((e, i) => {
      const pe = l.edges[i];
      const points = o.view === 'backward' ? [...pe.points].reverse() : pe.points;
      return { edge: e.edge, points, label: { x: pe.x, y: pe.y, width: e.width, height: e.height, text: e.text } };
    }),
  };
}
