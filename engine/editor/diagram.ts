/**
 * The network as a graph for the diagram view: one node per layer (and the input, and the loss where backprop
 * starts), one edge per input a layer reads, each labelled with the tensor it carries forward and with the δ it
 * carries back and the short form of the rule that makes it (`96 × full_corr 2×2 ⋆ rot180 5×5 → 64×6×6`).
 * Built from the Analysis the diagnostics come from, so the picture can never disagree with the squiggles.
 * No layout here: the webview lays the graph out (webview/diagram/layout.ts).
 */
import type { Analysis, LayerInfo } from '../check';
import type { UseInfo } from '../analysis';
import { LAYER_KINDS } from '../layers';
import { knownLayer } from '../layers/known';
import { elementCount, formatShape, type Shape } from '../shape';
import type { Severity } from '../text';

export interface DiagramNode {
  /** The layer's name (the input's, or `loss`): unique among the nodes. */
  readonly id: string;
  /** `input`, `loss` or the layer's kind. */
  readonly kind: string;
  /** The kind and its key arguments: `conv 64 5×5 s2 p1`. */
  readonly label: string;
  /** Output shape (= δ shape at the output), `?` where unknown. */
  readonly shape: string;
  readonly params: number;
  readonly macs: number;
  /** Output elements per sample, float32: what the activation costs to keep for backprop. */
  readonly memoryBytes: number;
  /** 1-based line of the statement; absent for an implicit loss. */
  readonly line?: number;
  /** The worst diagnostic on the node's statements (its own and its `backward` rules), with every message. */
  readonly severity?: Severity;
  readonly messages: readonly string[];
  /** Its shape is unknown though everything it reads is known: where the `?`s start. */
  readonly unknownStart: boolean;
}

export interface DiagramEdge {
  /** Producer → reader, in the forward direction; the backward view reverses it. */
  readonly from: string;
  readonly to: string;
  /** Which of the reader's inputs it is. */
  readonly index: number;
  /** The tensor's shape, `?` where unknown: also the shape of the δ sent back along it. */
  readonly shape: string;
  /** How the reader turns its δ into this δ, ending in its shape: `⊙ step → 16×32×32`. */
  readonly rule: string;
}

/**
 * A use of a block at the top level (one per repetition of a `repeat=` use): drawn as a frame around its layers,
 * or collapsed into one node that shows what the use gives (its output shape, its parameters).
 */
export interface DiagramGroup {
  /** The use's full name, with its repetition: `layer2.1`, `layer2_0`. Never a node's id. */
  readonly id: string;
  readonly block: string;
  /** The block and its arguments as evaluated: `bottleneck 128 stride=2`. */
  readonly description: string;
  /** Its layers' node ids, in order; the last one's output is the use's. */
  readonly members: readonly string[];
  /** Written with `repeat=`: collapsed until the user expands it. */
  readonly repeated: boolean;
  /** 1-based line of the use's statement. */
  readonly line: number;
}

export interface DiagramModel {
  readonly network?: string;
  readonly nodes: readonly DiagramNode[];
  readonly edges: readonly DiagramEdge[];
  readonly groups: readonly DiagramGroup[];
  readonly totals: { readonly params: number; readonly macs: number; readonly memoryBytes: number };
}

const LOSS = 'loss';
const shapeText = (s: Shape | null | undefined) => (s ? formatShape(s) : '?');
const SEVERITY_RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1, hint: 0 };

export function diagramModel(a: Analysis): DiagramModel {
  const nodes: DiagramNode[] = [];
  const edges: DiagramEdge[] = [];
  const byStatement: { start: number; end: number; id: string }[] = [];
  const known = new Map<string, boolean>();
  const taken = new Set<string>();
  /** A name is unique; a duplicate (already an error) gets a suffix so the picture still has every statement. */
  const unique = (name: string) => {
    let id = name;
    for (let i = 2; taken.has(id); i++) id = `${name}#${i}`;
    taken.add(id);
    return id;
  };
  const ids = new Map<string, string>();
  const groups = new Map<string, { -readonly [K in keyof DiagramGroup]: DiagramGroup[K] } & { members: string[] }>();

  if (a.input) {
    const id = unique(a.input.name);
    ids.set(a.input.name, id);
    known.set(id, a.input.shape !== null);
    const r = a.input.statement.range;
    byStatement.push({ start: r.start, end: r.end, id });
    nodes.push({
      id,
      kind: 'input',
      label: 'input',
      shape: shapeText(a.input.shape),
      params: 0,
      macs: 0,
      memoryBytes: a.input.shape ? 4 * elementCount(a.input.shape) : 0,
      line: a.lines.position(r.start).line,
      messages: [],
      unknownStart: false,
    });
  }
  for (const l of a.layers) {
    const id = unique(l.name);
    const from = l.inputs.map((n) => ids.get(n));
    ids.set(l.name, id);
    known.set(id, l.output !== null);
    byStatement.push({ start: l.statement.range.start, end: l.statement.range.end, id });
    const readsKnown = from.every((f, j) => f !== undefined && known.get(f) && l.inputShapes[j]);
    nodes.push({
      id,
      kind: l.kind,
      label: layerLabel(l),
      shape: shapeText(l.output),
      params: l.paramCount,
      macs: l.macs,
      memoryBytes: l.output ? 4 * elementCount(l.output) : 0,
      line: l.line,
      messages: [],
      unknownStart: l.output === null && readsKnown,
    });
    if (l.use) {
      const { gid, repeated } = topUse(l.use);
      const g = groups.get(gid);
      if (g) g.members.push(id);
      else
        groups.set(gid, {
          id: gid,
          block: l.use.block,
          description: l.use.description,
          members: [id],
          repeated,
          line: a.lines.position(l.use.top.range.start).line,
        });
    }
    from.forEach((f, j) => {
      if (f !== undefined)
        edges.push({ from: f, to: id, index: j, shape: shapeText(l.inputShapes[j]), rule: shortRule(l, j) });
    });
  }
  const last = a.layers[a.layers.length - 1];
  if (last) {
    const statement = a.document.statements.find((s) => s.type === 'loss');
    const id = unique(LOSS);
    if (statement) byStatement.push({ start: statement.range.start, end: statement.range.end, id });
    nodes.push({
      id,
      kind: LOSS,
      label: a.loss,
      shape: '1',
      params: 0,
      macs: 0,
      memoryBytes: 0,
      ...(statement && { line: a.lines.position(statement.range.start).line }),
      messages: [],
      unknownStart: false,
    });
    edges.push({
      from: ids.get(last.name)!,
      to: id,
      index: 0,
      shape: shapeText(last.output),
      rule: `∂L/∂${last.name} → ${shapeText(last.output)}`,
    });
  }
  for (const b of a.backward) {
    const id = b.layer && ids.get(b.layer.text);
    if (id) byStatement.push({ start: b.range.start, end: b.range.end, id });
  }
  return {
    ...(a.network && { network: a.network }),
    nodes: paintDiagnostics(a, nodes, byStatement),
    edges,
    // A group whose id is also a node's (a duplicate name, an error already) would be ambiguous: left ungrouped.
    groups: [...groups.values()].filter((g) => !taken.has(g.id)),
    totals: totals(nodes),
  };
}

/**
 * The top-level use a layer of an expansion belongs to: `layer2.1` for the first repetition of `layer2: … repeat=N`
 * (its layers are `layer2.1.conv1`, and inside a nested block `layer2.1.inner.conv1`), else the use's own name.
 */
function topUse(use: UseInfo): { gid: string; repeated: boolean } {
  const rest = use.name.startsWith(`${use.topName}.`) ? use.name.slice(use.topName.length + 1) : '';
  const repetition = /^\d+(?=\.|$)/.exec(rest)?.[0];
  return repetition ? { gid: `${use.topName}.${repetition}`, repeated: true } : { gid: use.topName, repeated: false };
}

/** Each node with the diagnostics whose range starts inside one of its statements. */
function paintDiagnostics(
  a: Analysis,
  nodes: DiagramNode[],
  byStatement: readonly { start: number; end: number; id: string }[],
): DiagramNode[] {
  const found = new Map<string, { severity: Severity; messages: string[] }>();
  for (const d of a.diagnostics) {
    const s = byStatement.find((s) => s.start <= d.range.start && d.range.start <= s.end);
    if (!s) continue;
    const f = found.get(s.id) ?? { severity: d.severity, messages: [] };
    if (SEVERITY_RANK[d.severity] > SEVERITY_RANK[f.severity]) f.severity = d.severity;
    f.messages.push(`${d.severity} ${d.code}: ${d.message}`);
    found.set(s.id, f);
  }
  return nodes.map((n) => {
    const f = found.get(n.id);
    return f ? { ...n, severity: f.severity, messages: f.messages } : n;
  });
}

function totals(nodes: readonly DiagramNode[]) {
  let params = 0;
  let macs = 0;
  let memoryBytes = 0;
  for (const n of nodes) {
    params += n.params;
    macs += n.macs;
    memoryBytes += n.memoryBytes;
  }
  return { params, macs, memoryBytes };
}

/** `conv 64 5×5 s2 p1`, `pool max 3×3 s1 p1`, `dense 10`, `relu`: the kind and the arguments that differ from the defaults. */
export function layerLabel(l: LayerInfo): string {
  const kind = LAYER_KINDS.get(l.kind);
  if (kind?.label && l.config !== undefined && (l.geometry !== undefined || !kind.geometry))
    return kind.label(l.config, l.geometry);
  // Not configured yet (an error upstream or in the options): the arguments as written, where they are arguments
  // rather than input names, and the bare keyword for a kind that takes none (or is unknown).
  const takesArgs = kind && !kind.namedInputs && kind.usage !== kind.kind;
  const args = takesArgs ? l.statement.args.map((v) => v.text.replace(/x/g, '×')).join(' ') : '';
  return args ? `${l.kind} ${args}` : l.kind;
}

/** The δ rule from `l`'s output to its input `j`, in a few symbols, ending in the δ's shape. */
export function shortRule(l: LayerInfo, j: number): string {
  const to = shapeText(l.inputShapes[j]);
  const known = knownLayer(l);
  if (known?.kind.shortRule) return `${known.kind.shortRule(known.layer, j)} → ${to}`;
  return `${LAYER_KINDS.get(l.kind)?.roughRule ?? `${l.kind}′`} → ${to}`;
}

/** The node whose statement holds `offset` (the cursor), by id. */
export function diagramNodeAt(a: Analysis, offset: number): string | undefined {
  if (a.input && a.input.statement.range.start <= offset && offset <= a.input.statement.range.end) return a.input.name;
  return a.layers.find((l) => l.statement.range.start <= offset && offset <= l.statement.range.end)?.name;
}
