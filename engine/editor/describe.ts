/** What the editor says about a layer: hover markdown, inlay hint labels and outline details. */
import { RULE_FUNCTIONS, standardRules } from '../backward';
import type { Analysis, LayerInfo } from '../analysis';
import type { TextRange } from '../text';
import { formatShape, type Shape } from '../shape';

const shape = (s: Shape | null | undefined) => (s ? formatShape(s) : '?');
const count = (n: number) => n.toLocaleString('en-US');

/** The layer whose statement contains `offset`. */
export function layerAt(a: Analysis, offset: number): LayerInfo | undefined {
  return a.layers.find((l) => l.statement.range.start <= offset && offset <= l.statement.range.end);
}

/** `64×13×13`, or `?` where unknown. */
export function outputLabel(l: LayerInfo): string {
  return shape(l.output);
}

/** `δ 64×6×6`: the δ shape at the layer's input(s). */
export function deltaLabel(l: LayerInfo): string {
  return `δ ${l.inputShapes.map(shape).join(', ')}`;
}

/** Markdown for a hover on a layer: shapes, δ shapes, counts and the δ rule in the network's own sizes. */
export function layerMarkdown(l: LayerInfo): string {
  const inputs = l.inputs.map((name, i) => `${name} ${shape(l.inputShapes[i])}`).join(', ') || '—';
  const lines = [
    `**${l.name}** · \`${l.kind}\``,
    '',
    `${inputs} → **${shape(l.output)}**`,
    '',
    `δ: ${shape(l.output)} at the output → ${l.inputShapes.map(shape).join(', ')} at the input`,
  ];
  if (l.paramCount || l.macs)
    lines.push(
      '',
      `${count(l.paramCount)} parameters${l.params.length ? ` (${l.params.map((p) => `${p.name} ${formatShape(p.shape)}`).join(', ')})` : ''} · ${count(l.macs)} multiply-adds per sample`,
    );
  if (l.rule) lines.push('', '**δ rule**', '', l.rule);
  for (const r of l.paramRules ?? []) lines.push('', r);
  const written = Object.values(standardRules(l));
  if (written.length)
    lines.push(
      '',
      '**As backward rules** (the notation of `backward`)',
      '',
      written.map((r) => `\`backward ${l.name}: ${r}\``).join('  \n'),
    );
  if (!l.output) lines.push('', '_The shape is unknown: an error in this layer or above it._');
  return lines.join('\n');
}

/** One line for a name where it is used: `p1: pool → 64×6×6`. */
export function useMarkdown(a: Analysis, name: string): string | undefined {
  if (a.input && name === a.input.name) return `**${name}** · input ${shape(a.input.shape)}`;
  const l = a.layers.find((x) => x.name === name);
  return l && `**${name}** · \`${l.kind}\` → ${shape(l.output)} (line ${l.line})`;
}

/** Markdown for a hover on a function of a backward rule (`conv2(`): how it is called and what it does. */
export function ruleFunctionAt(a: Analysis, offset: number): { range: TextRange; markdown: string } | undefined {
  const st = a.backward.find((b) => b.rule.range.start <= offset && offset <= b.rule.range.end);
  if (!st) return undefined;
  const { text } = a.document;
  let start = offset,
    end = offset;
  while (start > st.rule.range.start && /\w/.test(text[start - 1])) start--;
  while (end < st.rule.range.end && /\w/.test(text[end])) end++;
  const name = text.slice(start, end);
  if (!Object.hasOwn(RULE_FUNCTIONS, name) || !/^\s*\(/.test(text.slice(end, st.rule.range.end))) return undefined;
  return { range: { start, end }, markdown: `\`${RULE_FUNCTIONS[name].doc}\`` };
}
