/**
 * The editor on blocks: a use's hover (its expansion's shapes and parameter count), the shape hints inside a body
 * (the first use's, and `…` when there are more), the outline (blocks with their layers, uses with their
 * repetitions and layers), and the names inside blocks for go to definition and rename.
 */
import type { Analysis, LayerInfo } from '../analysis';
import { LAYER_KINDS } from '../layers';
import { formatShape, type Shape } from '../shape';
import type { BlockStatement, LayerStatement } from '../syntax';
import type { TextRange } from '../text';

const shape = (s: Shape | null | undefined) => (s ? formatShape(s) : '?');
const count = (n: number) => n.toLocaleString('en-US');

export function blockStatements(a: Analysis): BlockStatement[] {
  const blocks: BlockStatement[] = [];
  for (const st of a.document.statements) if (st.type === 'block') blocks.push(st);
  return blocks;
}

/** The top-level statements that use a block, each with the layers of its expansion, in order. */
export function blockUses(a: Analysis): Map<LayerStatement, LayerInfo[]> {
  const uses = new Map<LayerStatement, LayerInfo[]>();
  for (const l of a.layers) {
    if (!l.use) continue;
    const list = uses.get(l.use.top);
    if (list) list.push(l);
    else uses.set(l.use.top, [l]);
  }
  return uses;
}

/** The use whose statement contains `offset`, with its expansion. */
export function blockUseAt(
  a: Analysis,
  offset: number,
): { statement: LayerStatement; layers: LayerInfo[] } | undefined {
  for (const [statement, layers] of blockUses(a))
    if (statement.range.start <= offset && offset <= statement.range.end) return { statement, layers };
  return undefined;
}

/** Markdown for a hover on a use: the block and its arguments, input → output, the expansion's layers and parameters. */
export function blockUseMarkdown(layers: readonly LayerInfo[]): string {
  const first = layers[0],
    last = layers[layers.length - 1];
  const use = first.use!;
  const params = layers.reduce((n, l) => n + l.paramCount, 0);
  const macs = layers.reduce((n, l) => n + l.macs, 0);
  const repetitions = new Set(layers.map((l) => l.use!.name)).size;
  const lines = [
    `**${use.topName}** · block \`${use.block}\` (${use.description})${repetitions > 1 ? ` × ${repetitions}` : ''}`,
    '',
    `${first.inputs.map((n, i) => `${n} ${shape(first.inputShapes[i])}`).join(', ')} → **${shape(last.output)}**`,
    '',
    `${count(layers.length)} layers · ${count(params)} parameters · ${count(macs)} multiply-adds per sample`,
    '',
    '| layer | kind | output | params |',
    '| --- | --- | --- | ---: |',
  ];
  const shown = layers.length > 40 ? layers.slice(0, 40) : layers;
  for (const l of shown) lines.push(`| ${l.name} | ${l.kind} | ${shape(l.output)} | ${count(l.paramCount)} |`);
  if (shown.length < layers.length) lines.push(`| … ${count(layers.length - shown.length)} more | | | |`);
  return lines.join('\n');
}

/** One hint per statement: where it goes (the statement's end), the output and δ labels, and a tooltip. */
export interface ShapeHint {
  readonly at: number;
  readonly output: string;
  readonly delta: string;
  readonly tooltip: string;
}

/**
 * The shape hints: a top-level layer's output after its line; a use's output after the use; inside a block's
 * body, each layer's shape in the first use, followed by `…` when the block is used (or repeated) more than once.
 */
export function shapeHints(a: Analysis): ShapeHint[] {
  const hints: ShapeHint[] = [];
  const inBody = new Map<LayerStatement, LayerInfo[]>();
  const useOutputs = new Map<LayerStatement, LayerInfo>();
  for (const l of a.layers) {
    const delta = `δ ${l.inputShapes.map(shape).join(', ')}`;
    if (!l.use) {
      hints.push({
        at: l.statement.range.end,
        output: shape(l.output),
        delta,
        tooltip: `${l.name}: output ${shape(l.output)}; ${delta} at the input`,
      });
      continue;
    }
    useOutputs.set(l.use.top, l);
    const body = (l.statement as { body?: LayerStatement }).body ?? l.statement;
    const list = inBody.get(body);
    if (list) list.push(l);
    else inBody.set(body, [l]);
  }
  for (const [body, layers] of inBody) {
    const [first] = layers;
    const more = layers.length > 1 ? ' …' : '';
    const delta = `δ ${first.inputShapes.map(shape).join(', ')}`;
    const tooltip =
      layers
        .slice(0, 8)
        .map((l) => `${l.name}: ${shape(l.output)}`)
        .join('\n') + (layers.length > 8 ? `\n… ${layers.length - 8} more` : '');
    hints.push({ at: body.range.end, output: `${shape(first.output)}${more}`, delta, tooltip });
  }
  for (const [use, last] of useOutputs)
    hints.push({
      at: use.range.end,
      output: shape(last.output),
      delta: '',
      tooltip: `${last.use!.topName}: output ${shape(last.output)}`,
    });
  return hints.sort((x, y) => x.at - y.at);
}

/** A node of the outline. */
export interface OutlineNode {
  readonly name: string;
  readonly detail: string;
  readonly kind: 'input' | 'layer' | 'block' | 'use';
  readonly range: TextRange;
  readonly selection: TextRange;
  readonly children: readonly OutlineNode[];
}

/** The outline: the input, top-level layers, blocks (their body's layers) and uses (their repetitions' layers). */
export function outline(a: Analysis): OutlineNode[] {
  const nodes: OutlineNode[] = [];
  if (a.input) {
    const st = a.input.statement;
    nodes.push({
      name: a.input.name,
      detail: shape(a.input.shape),
      kind: 'input',
      range: st.range,
      selection: st.name?.range ?? st.keyword.range,
      children: [],
    });
  }
  for (const b of blockStatements(a)) {
    if (!b.name) continue;
    const counts = new Map<string, number>();
    const children = b.body.flatMap((st): OutlineNode[] => {
      if (st.type !== 'layer') return [];
      const kind = LAYER_KINDS.get(st.kindText)?.kind ?? st.kindText;
      const n = (counts.get(kind) ?? 0) + 1;
      counts.set(kind, n);
      return [
        {
          name: st.nameText ?? `${kind}${n}`,
          detail: kind,
          kind: 'layer',
          range: st.range,
          selection: (st.name ?? st.kind).range,
          children: [],
        },
      ];
    });
    nodes.push({
      name: b.name.text,
      detail: `block ${b.params.map((p) => p.name.text).join(' ')}`.trim(),
      kind: 'block',
      range: b.range,
      selection: b.name.range,
      children,
    });
  }
  const uses = blockUses(a);
  for (const l of a.layers) {
    if (l.use) continue;
    nodes.push({
      name: l.name,
      detail: `${l.kind} → ${shape(l.output)}`,
      kind: 'layer',
      range: l.statement.range,
      selection: l.nameRange,
      children: [],
    });
  }
  for (const [st, layers] of uses) {
    const use = layers[0].use!;
    const selection = (st.name ?? st.kind).range;
    const leaf = (l: LayerInfo): OutlineNode => ({
      name: l.name,
      detail: `${l.kind} → ${shape(l.output)}`,
      kind: 'layer',
      range: st.range,
      selection,
      children: [],
    });
    const repetitions = new Map<string, LayerInfo[]>();
    for (const l of layers) {
      const list = repetitions.get(l.use!.name);
      if (list) list.push(l);
      else repetitions.set(l.use!.name, [l]);
    }
    const children =
      repetitions.size > 1 || ![...repetitions.keys()].every((n) => n === use.topName)
        ? [...repetitions].map(([name, ls]): OutlineNode => ({
            name,
            detail: `→ ${shape(ls[ls.length - 1].output)}`,
            kind: 'use',
            range: st.range,
            selection,
            children: ls.map(leaf),
          }))
        : layers.map(leaf);
    nodes.push({
      name: use.topName,
      detail: `${use.description} → ${shape(layers[layers.length - 1].output)}`,
      kind: 'use',
      range: st.range,
      selection,
      children,
    });
  }
  return nodes.sort((x, y) => x.range.start - y.range.start);
}
