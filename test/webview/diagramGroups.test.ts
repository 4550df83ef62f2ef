/**
 * Blocks as groups in the diagram, on the zoo's ResNets: a use of a block is a frame around exactly its layers
 * when open and one node when collapsed (uses written with `repeat=` start collapsed); the node counts, that no
 * two nodes and no two frames overlap, that a frame holds its layers and nothing else, and that the edges into
 * and out of a collapsed use carry the checker's shapes. Expected values come from the checker's LayerInfo
 * (`use`, `inputShapes`, `output`, `paramCount`), not from the diagram's model.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '../../engine';
import { diagramModel } from '../../engine/editor/diagram';
import { formatShape } from '../../engine/shape';
import { isDiagramState, isToDiagram } from '../../extension/diagram/protocol';
import { type Direction, type Layout, layoutDiagram, type View } from '../../webview/diagram/layout';
import { edgeTips, renderSvg } from '../../webview/diagram/render';

const ZOO = join(__dirname, '../../examples/zoo');
const analyse = (file: string) => check(readFileSync(join(ZOO, file), 'utf8'));

type Box = { x: number; y: number; width: number; height: number };
const overlap = (a: Box, b: Box) =>
  Math.abs(a.x - b.x) < (a.width + b.width) / 2 && Math.abs(a.y - b.y) < (a.height + b.height) / 2;

function pairsOverlapping(boxes: readonly (Box & { id: string })[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++)
      if (overlap(boxes[i], boxes[j])) found.push(`${boxes[i].id}/${boxes[j].id}`);
  return found;
}

/** No two nodes overlap, no two frames, and each frame holds exactly its own layers' nodes. */
function assertClean(l: Layout): void {
  assert.deepEqual(pairsOverlapping(l.nodes.map((n) => ({ ...n, id: n.node.id }))), []);
  assert.deepEqual(pairsOverlapping(l.groups.map((g) => ({ ...g, id: g.group.id }))), []);
  for (const g of l.groups) {
    const inside = l.nodes.filter((n) => overlap(n, g)).map((n) => n.node.id);
    assert.deepEqual(inside, g.group.members, `${g.group.id}'s frame holds its layers only`);
    for (const n of l.nodes.filter((x) => g.group.members.includes(x.node.id))) {
      assert.ok(n.x - n.width / 2 >= g.x - g.width / 2 && n.x + n.width / 2 <= g.x + g.width / 2, n.node.id);
      assert.ok(n.y - n.height / 2 >= g.y - g.height / 2 && n.y + n.height / 2 <= g.y + g.height / 2, n.node.id);
    }
  }
}

/** Each top-level use's id (`layer2.1` for a repetition) by layer name, from the checker's UseInfo. */
function usesOf(a: ReturnType<typeof check>): Map<string, { id: string; repeated: boolean }> {
  const uses = new Map<string, { id: string; repeated: boolean }>();
  for (const l of a.layers) {
    if (!l.use) continue;
    const repeated = l.use.name !== l.use.topName && l.name.startsWith(`${l.use.topName}.`);
    const id = repeated ? l.name.split('.').slice(0, 2).join('.') : l.use.topName;
    uses.set(l.name, { id, repeated });
  }
  return uses;
}

/** The nodes and edges the diagram must draw with the uses in `closed` collapsed, from the checker alone. */
function expected(a: ReturnType<typeof check>, closed: (use: string, repeated: boolean) => boolean) {
  const uses = usesOf(a);
  const shown = (name: string) => {
    const u = uses.get(name);
    return u && closed(u.id, u.repeated) ? u.id : name;
  };
  const nodes: string[] = [a.input!.name];
  const edges: string[] = [];
  for (const l of a.layers) {
    const id = shown(l.name);
    if (!nodes.includes(id)) nodes.push(id);
    l.inputs.forEach((from, j) => {
      const e = `${shown(from)}>${id} ${formatShape(l.inputShapes[j]!)}`;
      if (shown(from) !== id && !edges.includes(e)) edges.push(e);
    });
  }
  const last = a.layers[a.layers.length - 1];
  return { nodes: [...nodes, 'loss'], edges: [...edges, `${shown(last.name)}>loss ${formatShape(last.output!)}`] };
}

const drawn = (l: Layout) => ({
  nodes: l.nodes.map((n) => n.node.id),
  edges: l.edges.map((e) => `${e.edge.from}>${e.edge.to} ${e.edge.shape}`),
});

describe('diagram: blocks as groups', () => {
  for (const [file, counts] of [
    // input, conv1, bn1, relu_, maxpool, the uses' layers, avgpool, fc, softmax, loss.
    ['resnet18.cnn', { uses: 8, repeated: 0, open: 71, closed: 17, byDefault: 71 }],
    ['resnet50.cnn', { uses: 16, repeated: 12, open: 177, closed: 25, byDefault: 69 }],
  ] as const) {
    for (const direction of ['TB', 'LR'] as Direction[]) {
      it(`${file} ${direction}: ${counts.open} nodes open, ${counts.closed} collapsed, ${counts.byDefault} by default (repeated uses collapsed); no overlaps`, () => {
        const a = analyse(file);
        const m = diagramModel(a);
        assert.equal(m.groups.length, counts.uses);
        assert.equal(m.groups.filter((g) => g.repeated).length, counts.repeated);
        const all = (open: boolean) => Object.fromEntries(m.groups.map((g) => [g.id, open]));
        for (const [open, count, frames, closed] of [
          [all(true), counts.open, counts.uses, () => false],
          [all(false), counts.closed, 0, () => true],
          [undefined, counts.byDefault, counts.uses - counts.repeated, (_: string, repeated: boolean) => repeated],
        ] as const) {
          const l = layoutDiagram(m, { view: 'forward', direction, fresh: true, ...(open && { open }) });
          assert.equal(l.nodes.length, count);
          assert.deepEqual(drawn(l), expected(a, closed));
          assert.equal(l.groups.length, frames);
          assert.equal(l.nodes.filter((n) => n.group).length, counts.uses - frames);
          assertClean(l);
        }
      });
    }
  }

  it("a collapsed use shows its output shape and its layers' parameters: resnet50's layer3.2 is 1024×4×4, 1,117,184 params", () => {
    const a = analyse('resnet50.cnn');
    const m = diagramModel(a);
    const l = layoutDiagram(m, { view: 'forward', direction: 'TB', fresh: true });
    const node = l.nodes.find((n) => n.node.id === 'layer3.2')!;
    const layers = a.layers.filter((x) => x.name.startsWith('layer3.2.'));
    assert.equal(layers.length, 10);
    assert.equal(node.group?.block, 'bottleneck');
    assert.equal(node.node.shape, formatShape(layers[layers.length - 1].output!));
    assert.equal(
      node.node.params,
      layers.reduce((s, x) => s + x.paramCount, 0),
    );
    assert.deepEqual(node.lines, ['▸ layer3.2', 'bottleneck 256', `${node.node.shape} · 1,117,184 params`]);
    // Backward, the two δs its input sends back (to conv1 and to the shortcut) arrive as one, summed.
    const back = layoutDiagram(m, { view: 'backward', direction: 'TB', fresh: true });
    const into = back.edges.find((e) => e.edge.from === 'layer3.1' && e.edge.to === 'layer3.2')!;
    assert.equal(into.label.text, `Σ of 2 δs → ${into.edge.shape}`);
  });

  it("the cost overlay and the edge tips are of the nodes drawn: a collapsed use's sum, its readers", () => {
    const a = analyse('resnet50.cnn');
    const m = diagramModel(a);
    const l = layoutDiagram(m, { view: 'forward', direction: 'TB', fresh: true });
    const svg = renderSvg(m, l, { view: 'forward', overlay: 'params', current: null, file: true });
    // Each drawn node's shade, by its id: the most parameters drawn (a collapsed layer4 use) is the darkest.
    const shade = new Map(
      [...svg.matchAll(/data-name="([^"]+)"[^>]*>(?:(?!<\/g>).)*?class="cost"[^>]*fill-opacity="([\d.]+)"/g)].map(
        ([, id, o]) => [id, Number(o)],
      ),
    );
    const most = l.nodes.reduce((best, n) => (n.node.params > best.node.params ? n : best));
    assert.ok(most.group, `${most.node.id} is a collapsed use`);
    assert.equal(shade.get(most.node.id), Math.max(...shade.values()));
    assert.equal(shade.get(most.node.id), 0.6);
    // The edge out of layer3.2 is read by the next use, and made by layer3.2 with its line and block.
    const out = l.edges.find((e) => e.edge.from === 'layer3.2')!;
    const tip = edgeTips(l, 'forward')(out.edge).split('\n');
    assert.match(tip[1], /^made by layer3\.2 \(line \d+\): bottleneck 256$/);
    assert.equal(tip[2], 'read by layer3.3 (line ' + tip[1].match(/line (\d+)/)![1] + ')');
  });

  it('an open use is a frame titled with its full name and block; opening a use lays out again', () => {
    const m = diagramModel(analyse('resnet50.cnn'));
    const closed = layoutDiagram(m, { view: 'forward', direction: 'TB', fresh: true });
    const frame = closed.groups.find((g) => g.group.id === 'layer2_0')!;
    assert.equal(frame.title, '▾ layer2_0 · bottleneck_down 128');
    const svg = renderSvg(m, closed, { view: 'forward', overlay: 'none', current: null });
    assert.match(svg, /<g class="frame" data-group="layer2_0" aria-expanded="true"/);
    assert.match(svg, /<g class="node block" data-name="layer2.1" data-group="layer2.1" aria-expanded="false"/);
    assert.match(svg, /<text class="frame-title"[^>]*>▾ layer2_0 · bottleneck_down 128<\/text>/);
    const opened = layoutDiagram(m, { view: 'forward', direction: 'TB', open: { 'layer2.1': true } });
    assert.equal(opened.reused, false);
    assert.equal(opened.nodes.length, closed.nodes.length - 1 + 10);
    assert.ok(opened.groups.some((g) => g.group.id === 'layer2.1'));
    const again = layoutDiagram(m, { view: 'forward', direction: 'TB', open: { 'layer2.1': true } });
    assert.equal(again.reused, true);
  });

  for (const view of ['forward', 'backward'] as View[])
    it(`edges into and out of an open use end on its layers (${view})`, () => {
      const m = diagramModel(analyse('resnet18.cnn'));
      const l = layoutDiagram(m, { view, direction: 'TB', fresh: true });
      const at = new Map(l.nodes.map((n) => [n.node.id, n]));
      const near = (p: { x: number; y: number }, id: string) => {
        const n = at.get(id)!;
        return Math.abs(p.x - n.x) <= n.width / 2 + 0.5 && Math.abs(p.y - n.y) <= n.height / 2 + 0.5;
      };
      for (const e of l.edges) {
        const [first, last] = [e.points[0], e.points[e.points.length - 1]];
        const [start, end] = view === 'forward' ? [e.edge.from, e.edge.to] : [e.edge.to, e.edge.from];
        assert.ok(near(first, start) && near(last, end), `${e.edge.from}→${e.edge.to} runs ${start} to ${end}`);
      }
    });

  it('the protocol carries the groups and the state keeps which uses are open', () => {
    const model = JSON.parse(JSON.stringify(diagramModel(analyse('resnet18.cnn'))));
    const message = { type: 'model', file: 'resnet18.cnn', model, current: null, verdicts: [] };
    assert.equal(isToDiagram(message), true);
    const groups = model.groups as { id: string; members: string[] }[];
    const withGroups = (g: unknown[]) => ({ ...message, model: { ...model, groups: g } });
    assert.equal(isToDiagram(withGroups([{ ...groups[0], members: ['nowhere'] }])), false, 'a member that is no node');
    assert.equal(isToDiagram(withGroups([{ ...groups[0], id: 'conv1' }])), false, "a group with a node's id");
    assert.equal(isToDiagram(withGroups([groups[0], groups[0]])), false, 'a group twice');
    assert.equal(isToDiagram({ ...message, model: { ...model, groups: undefined } }), false);
    const state = { view: 'forward', direction: 'TB', overlay: 'none' };
    assert.equal(isDiagramState({ ...state, open: { 'layer2.1': true, layer1_0: false } }), true);
    assert.equal(isDiagramState({ ...state, open: { 'layer2.1': 'yes' } }), false);
  });
});
