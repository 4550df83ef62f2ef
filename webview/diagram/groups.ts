/**
 * Blocks as groups. A use of a block is either collapsed into one node (what the use gives: its output shape and
 * its parameters, the edges into and out of it keeping their shapes) or expanded into a frame around its layers,
 * titled with the use's full name and the block's. Uses written with `repeat=` start collapsed, others expanded;
 * the user's choice per use overrides that (`open`).
 *
 * An expanded frame is laid out on its own and then placed as one box in the graph around it, so nothing outside
 * can land inside it and its title never sits on an edge label. The edges from outside come in at a point at the
 * top of the frame (a port, one per producer outside) and fan out from there to the layers that read them, as a
 * block's `input` does; the edge out starts at the layer that gives the use's output.
 */
import type { DiagramEdge, DiagramGroup, DiagramModel, DiagramNode } from '../../engine/editor/diagram';
import type { Direction } from './layout';
import { clip, type Link, place, type Placement, type Point, type Size } from './place';

/** The strip at the top of a frame that holds its title. */
export const TITLE = 20;
const PORT: Size = { width: 1, height: 1 };

/** Whether the user has opened (true) or closed (false) a use; absent: the default (open unless repeated). */
export type Open = Readonly<Record<string, boolean>>;

export const isOpen = (g: DiagramGroup, open: Open | undefined) => open?.[g.id] ?? !g.repeated;

/** What is drawn: the model's nodes with each collapsed use as one node, and the expanded uses' member lists. */
export interface Visible {
  readonly nodes: readonly DiagramNode[];
  /** The collapsed use a node stands for, by node index. */
  readonly collapsed: ReadonlyMap<number, DiagramGroup>;
  readonly edges: readonly DiagramEdge[];
  readonly frames: readonly { readonly group: DiagramGroup; readonly members: readonly number[] }[];
}

const WORST = ['error', 'warning', 'info', 'hint'] as const;

/** The node a collapsed use is drawn as: its output's shape, the totals of its layers, their worst diagnostic. */
function useNode(g: DiagramGroup, members: readonly DiagramNode[]): DiagramNode {
  const sum = (f: (n: DiagramNode) => number) => members.reduce((s, n) => s + f(n), 0);
  const severity = WORST.find((s) => members.some((n) => n.severity === s));
  return {
    id: g.id,
    kind: 'block',
    label: g.description,
    shape: members[members.length - 1].shape,
    params: sum((n) => n.params),
    macs: sum((n) => n.macs),
    memoryBytes: sum((n) => n.memoryBytes),
    line: g.line,
    ...(severity && { severity }),
    messages: members.flatMap((n) => n.messages),
    unknownStart: members.some((n) => n.unknownStart),
  };
}

export function visible(model: DiagramModel, open: Open | undefined): Visible {
  const groups = model.groups ?? [];
  if (!groups.length) return { nodes: model.nodes, collapsed: new Map(), edges: model.edges, frames: [] };
  const groupOf = new Map<string, DiagramGroup>();
  for (const g of groups) for (const m of g.members) groupOf.set(m, g);
  const byId = new Map(model.nodes.map((n) => [n.id, n]));
  const nodes: DiagramNode[] = [];
  const collapsed = new Map<number, DiagramGroup>();
  const frames = new Map<DiagramGroup, number[]>();
  for (const n of model.nodes) {
    const g = groupOf.get(n.id);
    if (!g) nodes.push(n);
    else if (isOpen(g, open)) {
      const members = frames.get(g) ?? [];
      members.push(nodes.push(n) - 1);
      frames.set(g, members);
    } else if (g.members[0] === n.id) {
      collapsed.set(nodes.length, g);
      nodes.push(
        useNode(
          g,
          g.members.map((m) => byId.get(m)!),
        ),
      );
    }
  }
  // An edge into or out of a collapsed use ends at its node; the edges that become one (the use's input read by
  // two of its layers) are drawn once, and backward their δs are summed.
  const shown = (id: string) => {
    const g = groupOf.get(id);
    return g && !isOpen(g, open) ? g.id : id;
  };
  const edges: DiagramEdge[] = [];
  const seen = new Map<string, { edge: DiagramEdge; count: number; at: number }>();
  for (const e of model.edges) {
    const from = shown(e.from);
    const to = shown(e.to);
    if (from === to) continue;
    if (from === e.from && to === e.to) {
      edges.push(e);
      continue;
    }
    const key = `${from}>${to}`;
    const same = seen.get(key);
    if (same) {
      same.count++;
      edges[same.at] = { ...same.edge, rule: `Σ of ${same.count} δs → ${same.edge.shape}` };
      continue;
    }
    const edge = { ...e, from, to };
    seen.set(key, { edge, count: 1, at: edges.push(edge) - 1 });
  }
  return { nodes, collapsed, edges, frames: [...frames].map(([group, members]) => ({ group, members })) };
}

/**
 * place(), with each frame's members laid out on their own first and the frame then placed as one box. Returns
 * the frames' rectangles (centre and size), one per frame.
 */
export function placeFramed(
  boxes: readonly Size[],
  links: readonly Link[],
  frames: readonly (readonly number[])[],
  direction: Direction,
): Placement & { frames: { x: number; y: number; width: number; height: number }[] } {
  if (!frames.length) return { ...place(boxes, links, direction), frames: [] };
  const frameOf = new Int32Array(boxes.length).fill(-1);
  frames.forEach((members, f) => members.forEach((m) => (frameOf[m] = f)));

  // Each frame alone: a port per producer outside, then its members, in order so every link runs forward.
  const inner = frames.map((members, f) => {
    const local = new Map<number, number>();
    const ports = new Map<number, number>();
    const innerLinks: Link[] = [];
    const linkOf = new Map<number, number>();
    for (const l of links) {
      if (frameOf[l.to] !== f || frameOf[l.from] === f || ports.has(l.from)) continue;
      ports.set(l.from, ports.size);
    }
    members.forEach((m, j) => local.set(m, ports.size + j));
    for (const [k, l] of links.entries()) {
      if (frameOf[l.to] !== f) continue;
      const from = frameOf[l.from] === f ? local.get(l.from)! : ports.get(l.from)!;
      linkOf.set(k, innerLinks.push({ ...l, from, to: local.get(l.to)! }) - 1);
    }
    const sizes = [...Array.from(ports.keys(), () => PORT), ...members.map((m) => boxes[m])];
    const p = place(sizes, innerLinks, direction);
    return { local, linkOf, p, size: { width: p.width, height: p.height + TITLE } };
  });

  // The graph around them: every box outside a frame, and each frame as one box where its first member was.
  const outerOf = new Int32Array(boxes.length);
  const outerBoxes: Size[] = [];
  const frameBox = new Map<number, number>();
  boxes.forEach((b, i) => {
    const f = frameOf[i];
    if (f < 0) outerOf[i] = outerBoxes.push(b) - 1;
    else {
      if (!frameBox.has(f)) frameBox.set(f, outerBoxes.push(inner[f].size) - 1);
      outerOf[i] = frameBox.get(f)!;
    }
  });
  // Links into a frame are one outer link per producer, labelled inside the frame (on the port's edges).
  const outerLinks: Link[] = [];
  const outerLinkOf = new Map<number, number>();
  const intoFrame = new Map<string, number>();
  links.forEach((l, k) => {
    const [a, b] = [outerOf[l.from], outerOf[l.to]];
    if (a === b) return;
    if (frameOf[l.to] >= 0) {
      const key = `${a}>${b}`;
      if (!intoFrame.has(key)) intoFrame.set(key, outerLinks.push({ from: a, to: b, width: 0, height: 0 }) - 1);
      outerLinkOf.set(k, intoFrame.get(key)!);
    } else outerLinkOf.set(k, outerLinks.push({ ...l, from: a, to: b }) - 1);
  });
  const outer = place(outerBoxes, outerLinks, direction);

  const origins = frames.map((_, f) => {
    const c = outer.placed[frameBox.get(f)!];
    const s = inner[f].size;
    return { x: c.x - s.width / 2, y: c.y - s.height / 2 + TITLE };
  });
  const shift = (p: Point, o: Point) => ({ x: p.x + o.x, y: p.y + o.y });
  const placed = boxes.map((_, i) => {
    const f = frameOf[i];
    return f < 0 ? outer.placed[outerOf[i]] : shift(inner[f].p.placed[inner[f].local.get(i)!], origins[f]);
  });
  const edges = links.map((l, k) => {
    const into = frameOf[l.to];
    const route = into >= 0 ? inner[into].p.edges[inner[into].linkOf.get(k)!] : undefined;
    const innerPoints = route ? route.points.map((p) => shift(p, origins[into])) : [];
    const o = outerLinkOf.get(k);
    const outerPoints = o === undefined ? [] : outer.edges[o].points.slice();
    // Leaving a frame: from the member's own border to where the edge crosses the frame's.
    if (outerPoints.length && frameOf[l.from] >= 0)
      outerPoints.unshift(clip(placed[l.from], boxes[l.from], outerPoints[0]));
    const label = route ? shift(route, origins[into]) : outer.edges[o!];
    return { points: [...outerPoints, ...innerPoints], x: label.x, y: label.y };
  });
  return {
    width: outer.width,
    height: outer.height,
    placed,
    edges,
    frames: frames.map((_, f) => ({ ...outer.placed[frameBox.get(f)!], ...inner[f].size })),
  };
}
