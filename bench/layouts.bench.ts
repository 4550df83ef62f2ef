/**
 * Which layout library draws the diagram: @dagrejs/dagre against elkjs (ELK's layered algorithm), on the same
 * graphs with the same box and edge-label sizes. Not a test: it prints numbers and never fails.
 *
 *   node --import tsx bench/layouts.bench.ts
 *
 * - size: each library bundled alone by esbuild for the browser, minified, and gzipped;
 * - quality on examples/inception.cnn and residual.cnn (branches and merges): edge crossings (segments of two
 *   edges with no end in common that cross), bends, total edge length and the drawing's area, forward view, top
 *   to bottom;
 * - speed: layout of generated residual networks of 200 and 2,000 layers, the two libraries interleaved round by
 *   round, medians and the same-run ratio.
 */
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { graphlib, layout as dagreLayout } from '@dagrejs/dagre';
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkNode } from 'elkjs/lib/elk-api';
import { check } from '../engine';
import { type DiagramModel, diagramModel } from '../engine/editor/diagram';
import { CHAR_WIDTH, edgeText, layoutDiagram, LINE_HEIGHT, NODE_PAD, nodeLines } from '../webview/diagram/layout';
import { residualNetwork } from './check.bench';
import { median } from './timing';

type Point = { x: number; y: number };
interface Drawn {
  nodes: Map<string, { x: number; y: number; w: number; h: number }>;
  edges: { from: string; to: string; points: Point[] }[];
  width: number;
  height: number;
}

function boxes(m: DiagramModel) {
  return {
    nodes: m.nodes.map((n) => {
      const lines = nodeLines(n, 'forward');
      return {
        id: n.id,
        w: Math.max(...lines.map((l) => l.length)) * CHAR_WIDTH + 2 * NODE_PAD,
        h: lines.length * LINE_HEIGHT + 2 * NODE_PAD,
      };
    }),
    edges: m.edges.map((e, i) => ({
      id: `e${i}`,
      from: e.from,
      to: e.to,
      w: edgeText(e, 'forward').length * CHAR_WIDTH + 8,
      h: LINE_HEIGHT,
    })),
  };
}

function withDagre(m: DiagramModel): Drawn {
  const b = boxes(m);
  const g = new graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 28, edgesep: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of b.nodes) g.setNode(n.id, { width: n.w, height: n.h });
  for (const e of b.edges) g.setEdge(e.from, e.to, { width: e.w, height: e.h, labelpos: 'c' }, e.id);
  dagreLayout(g);
  const nodes = new Map(
    b.nodes.map((n) => [n.id, { x: g.node(n.id).x - n.w / 2, y: g.node(n.id).y - n.h / 2, w: n.w, h: n.h }]),
  );
  const edges = b.edges.map((e) => ({
    from: e.from,
    to: e.to,
    points: (g.edge(e.from, e.to, e.id).points ?? []) as Point[],
  }));
  return { nodes, edges, width: g.graph().width ?? 0, height: g.graph().height ?? 0 };
}

const elk = new ELK();
async function withElk(m: DiagramModel): Promise<Drawn> {
  const b = boxes(m);
  const input: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.spacing.nodeNode': '24',
      'elk.layered.spacing.nodeNodeBetweenLayers': '28',
      'elk.edgeLabels.placement': 'CENTER',
    },
    children: b.nodes.map((n) => ({ id: n.id, width: n.w, height: n.h })),
    edges: b.edges.map((e) => ({
      id: e.id,
      sources: [e.from],
      targets: [e.to],
      labels: [{ text: 'x', width: e.w, height: e.h }],
    })),
  };
  const graph = await elk.layout(input);
  const nodes = new Map(
    (graph.children ?? []).map((n) => [n.id, { x: n.x ?? 0, y: n.y ?? 0, w: n.width ?? 0, h: n.height ?? 0 }]),
  );
  const edges = (graph.edges ?? []).map((e) => {
    const s = e.sections?.[0];
    const points = s ? [s.startPoint, ...(s.bendPoints ?? []), s.endPoint] : [];
    return { from: e.sources[0], to: e.targets[0], points };
  });
  return { nodes, edges, width: graph.width ?? 0, height: graph.height ?? 0 };
}

function crosses(p: Point, q: Point, r: Point, s: Point): boolean {
  const d = (a: Point, b: Point, c: Point) => (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
  const d1 = d(r, s, p);
  const d2 = d(r, s, q);
  const d3 = d(p, q, r);
  const d4 = d(p, q, s);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

function quality(d: Drawn) {
  let crossings = 0;
  let bends = 0;
  let length = 0;
  for (const e of d.edges) {
    bends += Math.max(0, e.points.length - 2);
    for (let i = 1; i < e.points.length; i++)
      length += Math.hypot(e.points[i].x - e.points[i - 1].x, e.points[i].y - e.points[i - 1].y);
  }
  for (let a = 0; a < d.edges.length; a++) {
    for (let b = a + 1; b < d.edges.length; b++) {
      const e = d.edges[a];
      const f = d.edges[b];
      if (e.from === f.from || e.to === f.to || e.from === f.to || e.to === f.from) continue;
      let x = false;
      for (let i = 1; i < e.points.length && !x; i++)
        for (let j = 1; j < f.points.length && !x; j++)
          x = crosses(e.points[i - 1], e.points[i], f.points[j - 1], f.points[j]);
      if (x) crossings++;
    }
  }
  const ns = [...d.nodes.values()];
  let overlaps = 0;
  for (let i = 0; i < ns.length; i++)
    for (let j = i + 1; j < ns.length; j++)
      if (
        ns[i].x < ns[j].x + ns[j].w &&
        ns[j].x < ns[i].x + ns[i].w &&
        ns[i].y < ns[j].y + ns[j].h &&
        ns[j].y < ns[i].y + ns[i].h
      )
        overlaps++;
  return {
    crossings,
    bends,
    length: Math.round(length),
    area: `${Math.round(d.width)}×${Math.round(d.height)}`,
    overlaps,
  };
}

async function bundleSize(entry: string): Promise<{ min: number; gz: number }> {
  const r = await esbuild.build({
    stdin: { contents: entry, resolveDir: process.cwd() },
    bundle: true,
    minify: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    logLevel: 'silent',
  });
  const code = r.outputFiles[0].contents;
  return { min: code.length, gz: gzipSync(code).length };
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

async function main(): Promise<void> {
  const dagreSize = await bundleSize(
    `import { layout, graphlib } from '@dagrejs/dagre'; globalThis.x = [layout, graphlib];`,
  );
  const elkSize = await bundleSize(`import ELK from 'elkjs/lib/elk.bundled.js'; globalThis.x = ELK;`);
  console.log(
    `size (minified / gzipped): dagre ${kib(dagreSize.min)} / ${kib(dagreSize.gz)}, elkjs ${kib(elkSize.min)} / ${kib(elkSize.gz)}`,
  );

  for (const file of ['inception.cnn', 'residual.cnn']) {
    const m = diagramModel(check(readFileSync(join(__dirname, '..', 'examples', file), 'utf8')));
    console.log(
      `${file} (${m.nodes.length} nodes, ${m.edges.length} edges): dagre ${JSON.stringify(quality(withDagre(m)))}; elkjs ${JSON.stringify(quality(await withElk(m)))}`,
    );
  }

  for (const [layers, rounds] of [
    [200, 15],
    [2000, 5],
  ] as const) {
    const m = diagramModel(check(residualNetwork({ layers }, [3, 32, 32], [16, 32, 64, 128])));
    // What the view runs: dagre over the graph cut into pieces (webview/diagram/layout.ts), no cache between calls.
    const pieces = () => layoutDiagram(m, { view: 'forward', direction: 'TB', fresh: true });
    const whole = () => {
      try {
        withDagre(m);
        return true;
      } catch (e) {
        return `fails: ${(e as Error).message}`;
      }
    };
    const wholeOk = whole();
    pieces();
    await withElk(m);
    const times: Record<string, number[]> = { pieces: [], whole: [], elk: [] };
    const ratios: Record<string, number[]> = { whole: [], elk: [] };
    for (let r = 0; r < rounds; r++) {
      let t = performance.now();
      pieces();
      const a = performance.now() - t;
      times.pieces.push(a);
      if (wholeOk === true) {
        t = performance.now();
        withDagre(m);
        times.whole.push(performance.now() - t);
        ratios.whole.push(times.whole[r] / a);
      }
      t = performance.now();
      await withElk(m);
      times.elk.push(performance.now() - t);
      ratios.elk.push(times.elk[r] / a);
    }
    const whole_ =
      wholeOk === true
        ? `dagre in one piece ${median(times.whole).toFixed(1)} ms (${median(ratios.whole).toFixed(2)}×)`
        : `dagre in one piece ${wholeOk}`;
    console.log(
      `${m.nodes.length} nodes, ${rounds} interleaved rounds, medians (ratio to pieces): dagre in pieces ${median(times.pieces).toFixed(1)} ms; ${whole_}; elkjs ${median(times.elk).toFixed(1)} ms (${median(ratios.elk).toFixed(2)}×)`,
    );
  }
}

void main();
