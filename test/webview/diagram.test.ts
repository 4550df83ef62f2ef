/**
 * The diagram's layout on every example, forward and backward, top-to-bottom and left-to-right: one node per
 * layer (and the input and the loss), one edge per input a layer reads, no two nodes overlapping, every edge
 * label equal to the checker's shape (forward) or ending in it (backward), and a big network laid out in pieces
 * without overlaps. The expected values are read from the checker's LayerInfo, not from the diagram's model.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '../../engine';
import { formatShape } from '../../engine/shape';
import { type DiagramModel, diagramModel } from '../../engine/editor/diagram';
import { type Direction, type Layout, layoutDiagram, type View } from '../../webview/diagram/layout';
import { isDiagramState, isFromDiagram, isToDiagram } from '../../extension/diagram/protocol';
import { compact, renderSvg } from '../../webview/diagram/render';
import { fitZoom, labelled } from '../../webview/diagram/viewport';
import { residualNetwork } from '../../bench/check.bench';

const EXAMPLES = join(__dirname, '../../examples');
const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.cnn'));

function overlaps(l: Layout): string[] {
  const found: string[] = [];
  for (let i = 0; i < l.nodes.length; i++) {
    for (let j = i + 1; j < l.nodes.length; j++) {
      const a = l.nodes[i];
      const b = l.nodes[j];
      if (Math.abs(a.x - b.x) < (a.width + b.width) / 2 && Math.abs(a.y - b.y) < (a.height + b.height) / 2)
        found.push(`${a.node.id}/${b.node.id}`);
    }
  }
  return found;
}

/** Every use of a block opened (true) or closed (false). */
const openAll = (m: DiagramModel, open: boolean) => Object.fromEntries(m.groups.map((g) => [g.id, open]));

describe('diagram layout', () => {
  for (const file of files) {
    for (const view of ['forward', 'backward'] as View[]) {
      for (const direction of ['TB', 'LR'] as Direction[]) {
        it(`${file} ${view} ${direction}: a node per layer, an edge per input, no overlaps, labels are the checker's shapes`, () => {
          const a = check(readFileSync(join(EXAMPLES, file), 'utf8'));
          const m = diagramModel(a);
          // Every use of a block open, so every layer is a node (collapsed uses: 'blocks as groups' below).
          const l = layoutDiagram(m, { view, direction, fresh: true, open: openAll(m, true) });
          // A duplicate name (an error already) is drawn as NAME#2; a reader reads the latest definition above it.
          const ids = new Map<string, string>();
          const taken = new Set<string>();
          const idOf = (name: string) => {
            let id = name;
            for (let i = 2; taken.has(id); i++) id = `${name}#${i}`;
            taken.add(id);
            ids.set(name, id);
            return id;
          };
          const nodes = a.input ? [idOf(a.input.name)] : [];
          const expected: { from: string; to: string; shape: string }[] = [];
          for (const x of a.layers) {
            const from = x.inputs.map((n) => ids.get(n));
            const id = idOf(x.name);
            nodes.push(id);
            from.forEach(
              (f, j) =>
                f !== undefined &&
                expected.push({ from: f, to: id, shape: x.inputShapes[j] ? formatShape(x.inputShapes[j]!) : '?' }),
            );
          }
          const last = a.layers[a.layers.length - 1];
          if (last) {
            nodes.push('loss');
            expected.push({
              from: ids.get(last.name)!,
              to: 'loss',
              shape: last.output ? formatShape(last.output) : '?',
            });
          }
          assert.deepEqual(
            l.nodes.map((n) => n.node.id),
            nodes,
          );
          assert.deepEqual(
            l.edges.map((e) => ({ from: e.edge.from, to: e.edge.to, shape: e.edge.shape })),
            expected,
          );
          for (const e of l.edges) {
            if (view === 'forward') assert.equal(e.label.text, e.edge.shape);
            else assert.ok(e.label.text.endsWith(`→ ${e.edge.shape}`), `${e.edge.from}→${e.edge.to}: ${e.label.text}`);
            assert.ok(e.points.length >= 2, 'every edge is drawn');
            // Backward edges run from the reader to the producer: the first point is nearer the reader.
            const [p, q] = view === 'forward' ? [e.edge.from, e.edge.to] : [e.edge.to, e.edge.from];
            const start = l.nodes.find((n) => n.node.id === p)!;
            const end = l.nodes.find((n) => n.node.id === q)!;
            const d = (pt: { x: number; y: number }, n: { x: number; y: number }) => Math.hypot(pt.x - n.x, pt.y - n.y);
            assert.ok(d(e.points[0], start) < d(e.points[0], end), `${p}→${q} starts at ${p}`);
          }
          assert.deepEqual(overlaps(l), []);
        });
      }
    }
  }

  it("the backward view's δ rules: seed's c2 sends 96 × full_corr 2×2 ⋆ rot180 5×5 → 64×6×6 to p1", () => {
    const a = check(readFileSync(join(EXAMPLES, 'seed.cnn'), 'utf8'));
    const l = layoutDiagram(diagramModel(a), { view: 'backward', direction: 'TB', fresh: true });
    const label = (from: string, to: string) =>
      l.edges.find((e) => e.edge.from === from && e.edge.to === to)?.label.text;
    assert.equal(label('p1', 'c2'), '96 × full_corr 2×2 ⋆ rot180 5×5 → 64×6×6');
    assert.equal(label('sigmoid1', 'p1'), 'upsample 6×6 ×2 / 4 → 64×13×13');
    assert.equal(l.nodes.find((n) => n.node.id === 'c1')?.lines[1], 'conv 64 5×5');
  });

  it('marks where unknown shapes start, and every node after it shows ?', () => {
    const a = check('input 3x8x8\nc1: conv 4 3\nc2: conv 2 3 in=5\nr: relu\n');
    const m = diagramModel(a);
    assert.deepEqual(
      m.nodes.filter((n) => n.unknownStart).map((n) => n.id),
      ['c2'],
    );
    assert.deepEqual(
      m.nodes.map((n) => n.shape),
      ['3×8×8', '4×6×6', '?', '?', '1'],
    );
    assert.equal(m.nodes.find((n) => n.id === 'c2')?.severity, 'error');
  });

  it(`a ${600}-layer network is laid out piece by piece (cut between its blocks), with no overlaps`, () => {
    const m = diagramModel(check(residualNetwork({ layers: 600 }, [3, 32, 32], [16, 32])));
    const l = layoutDiagram(m, { view: 'forward', direction: 'TB', fresh: true });
    assert.equal(l.nodes.length, m.nodes.length);
    assert.deepEqual(overlaps(l), []);
    for (const e of l.edges) assert.ok(e.points.length >= 2, `${e.edge.from}→${e.edge.to} is drawn`);
  });

  it('reuses the layout when an edit keeps every box the same size', () => {
    const a = layoutDiagram(diagramModel(check('input 3x8x8\nc1: conv 4 3\nr: relu\n')), {
      view: 'forward',
      direction: 'TB',
      fresh: true,
    });
    const b = layoutDiagram(diagramModel(check('input 3x8x8\nc1: conv 5 3\nr: relu\n')), {
      view: 'forward',
      direction: 'TB',
    });
    assert.equal(b.reused, true);
    assert.deepEqual(
      b.nodes.map((n) => [n.x, n.y]),
      a.nodes.map((n) => [n.x, n.y]),
    );
    assert.equal(b.nodes[1].lines[1], 'conv 5 3×3');
    const c = layoutDiagram(diagramModel(check('input 3x8x8\nc1: conv 5 3\nr: relu\np: pool max 2\n')), {
      view: 'forward',
      direction: 'TB',
    });
    assert.equal(c.reused, false);
  });

  it("a chain of single-reader layers is one straight column: seed.cnn's edges are two-point vertical segments", () => {
    const l = layoutDiagram(diagramModel(check(readFileSync(join(EXAMPLES, 'seed.cnn'), 'utf8'))), {
      view: 'forward',
      direction: 'TB',
      fresh: true,
    });
    // Laid out by dagre, each edge would have a point at its label too; stacked as one chain, it is a straight line.
    for (const e of l.edges)
      assert.deepEqual(
        e.points.map((p) => p.x),
        [l.nodes[0].x, l.nodes[0].x],
        `${e.edge.from}→${e.edge.to}`,
      );
    const byId = new Map(l.nodes.map((n) => [n.node.id, n]));
    for (const e of l.edges) {
      const [a, b] = [byId.get(e.edge.from)!, byId.get(e.edge.to)!];
      assert.equal(e.points[0].y, a.y + a.height / 2, `${e.edge.from}→${e.edge.to} leaves ${a.node.id}'s bottom`);
      assert.equal(e.points[1].y, b.y - b.height / 2, `${e.edge.from}→${e.edge.to} enters ${b.node.id}'s top`);
      assert.ok(e.label.y > e.points[0].y && e.label.y < e.points[1].y, 'the label sits between the two boxes');
    }
  });

  it('writes the labels inside the visible rectangle only, none when too small to read, all for an export', () => {
    const m = diagramModel(check(readFileSync(join(EXAMPLES, 'seed.cnn'), 'utf8')));
    const l = layoutDiagram(m, { view: 'forward', direction: 'TB', fresh: true });
    const names = (svg: string) => [...svg.matchAll(/<text class="name"[^>]*>([^<]*)</g)].map((x) => x[1]);
    const o = { view: 'forward', overlay: 'none', current: null } as const;
    assert.deepEqual(
      names(renderSvg(m, l, o)),
      m.nodes.map((n) => n.id),
    );
    const c2 = l.nodes.find((n) => n.node.id === 'c2')!;
    assert.deepEqual(names(renderSvg(m, l, { ...o, visible: { x: c2.x - 1, y: c2.y - 1, width: 2, height: 2 } })), [
      'c2',
    ]);
    // The whole of seed.cnn in a 200×100 stage: a zoom at which 12 px text is under 4 px, so no text at all.
    const tiny = fitZoom(l, 200, 100);
    assert.ok(tiny.k * 12 < 4, `zoom ${tiny.k}`);
    assert.deepEqual(names(renderSvg(m, l, { ...o, visible: labelled(tiny, 200, 100) })), []);
    assert.doesNotMatch(renderSvg(m, l, { ...o, visible: labelled(tiny, 200, 100) }), /<text/);
    // Fitted to a big stage, every node is in view and named.
    assert.deepEqual(
      names(renderSvg(m, l, { ...o, visible: labelled(fitZoom(l, 2000, 2000), 2000, 2000) })),
      m.nodes.map((n) => n.id),
    );
  });

  it("the cost overlay's legend gives the analysis's total parameters, multiply-adds and memory", () => {
    const a = check(readFileSync(join(EXAMPLES, 'lenet5.cnn'), 'utf8'));
    const m = diagramModel(a);
    const l = layoutDiagram(m, { view: 'forward', direction: 'TB', fresh: true });
    const sum = (f: (x: (typeof a.layers)[number]) => number) => a.layers.reduce((s, x) => s + f(x), 0);
    const elements = (s: readonly number[] | null) => (s ? s.reduce((p, d) => p * d, 1) : 0);
    const totals = {
      params: sum((x) => x.paramCount),
      macs: sum((x) => x.macs),
      memory: 4 * (elements(a.input!.shape) + sum((x) => elements(x.output))),
    };
    assert.ok(totals.params > 0 && totals.macs > 0);
    for (const overlay of ['params', 'macs', 'memory'] as const) {
      const svg = renderSvg(m, l, { view: 'forward', overlay, current: null });
      const legend = /<g class="legend">.*<text[^>]*>([^<]*)<\/text><\/g>/.exec(svg)?.[1] ?? '';
      assert.ok(legend.endsWith(`total ${compact(totals[overlay], overlay)}`), `${overlay}: ${legend}`);
      // Every node with a cost is shaded, and no other.
      const shaded = [
        ...svg.matchAll(/data-name="([^"]*)"[^>]*>(?:<title>[^<]*<\/title>)?<rect[^>]*\/>(<rect class="cost")?/g),
      ]
        .filter((x) => x[2])
        .map((x) => x[1]);
      const costly = [
        ...(overlay === 'memory' ? [a.input!.name] : []),
        ...a.layers
          .filter((x) => (overlay === 'params' ? x.paramCount : overlay === 'macs' ? x.macs : elements(x.output)) > 0)
          .map((x) => x.name),
      ];
      assert.deepEqual(shaded, costly, overlay);
    }
  });

  it('the protocol rejects malformed messages', () => {
    const model = diagramModel(check(readFileSync(join(EXAMPLES, 'seed.cnn'), 'utf8')));
    const ok = JSON.parse(
      JSON.stringify({
        type: 'model',
        file: 'seed.cnn',
        model,
        current: 'c2',
        verdicts: [{ id: 'p1', passed: false, maxError: 0.5, blamed: true }],
      }),
    );
    assert.equal(isToDiagram(ok), true);
    assert.equal(isToDiagram({ ...ok, verdicts: [{ id: 'p1', passed: false, maxError: null, blamed: true }] }), false);
    assert.equal(isToDiagram({ ...ok, model: { ...ok.model, edges: [{ from: 'a', to: 'b' }] } }), false);
    assert.equal(isFromDiagram({ type: 'exported', format: 'svg', data: '<html>' }), false);
    assert.equal(isFromDiagram({ type: 'reveal', id: 3 }), false);
    assert.equal(isFromDiagram({ type: 'reveal', id: 'c2' }), true);
    // Deep: the graph must hold together, and every count be a whole number.
    const nodes = ok.model.nodes as { id: string; params: number; line?: number }[];
    const withNodes = (n: unknown[]) => ({ ...ok, model: { ...ok.model, nodes: n } });
    assert.equal(isToDiagram(withNodes([...nodes, nodes[1]])), false, 'a duplicate node id');
    assert.equal(
      isToDiagram(withNodes(nodes.map((n, i) => (i === 1 ? { ...n, params: -1 } : n)))),
      false,
      'a negative parameter count',
    );
    assert.equal(
      isToDiagram(withNodes(nodes.map((n, i) => (i === 1 ? { ...n, line: 1.5 } : n)))),
      false,
      'a fractional line',
    );
    assert.equal(
      isToDiagram({
        ...ok,
        model: { ...ok.model, edges: [...ok.model.edges, { ...ok.model.edges[0], to: 'nowhere' }] },
      }),
      false,
      'an edge to no node',
    );
    assert.equal(
      isToDiagram({ ...ok, verdicts: [{ id: 'p1', passed: false, maxError: -1, blamed: true }] }),
      false,
      'a negative error',
    );
    assert.equal(isDiagramState({ view: 'backward', direction: 'LR', overlay: 'macs' }), true);
    assert.equal(isDiagramState({ view: 'backward', direction: 'LR', overlay: 'flops' }), false);
    assert.equal(isDiagramState(undefined), false);
  });
});
