/**
 * Names in a network: where each layer (or the input) is defined and where it is used, for go to definition,
 * find references, rename and hovers on a use. Pure: the editor only converts ranges.
 */
import type { Analysis } from '../check';
import { LAYER_KINDS } from '../layers';
import { STATEMENT_KEYWORDS } from '../parser';
import type { TextEdit, TextRange } from '../text';

export interface Occurrence {
  readonly name: string;
  readonly range: TextRange;
  /** The `NAME:` (or `input NAME`) that defines it, or an automatic name's kind word. */
  readonly definition: boolean;
  /** A definition by an automatic name (`conv1`): its range is the kind, which a rename does not replace. */
  readonly automatic?: boolean;
  /** The definition is the input statement. */
  readonly input?: boolean;
}

export function occurrences(a: Analysis): Occurrence[] {
  const found: Occurrence[] = [];
  if (a.input) {
    const st = a.input.statement;
    found.push({ name: a.input.name, range: st.name?.range ?? st.keyword.range, definition: true, input: true, ...(!st.name && { automatic: true }) });
  }
  for (const l of a.layers) {
    const st = l.statement;
    found.push(st.name ? { name: l.name, range: st.name.range, definition: true } : { name: l.name, range: st.kind.range, definition: true, automatic: true });
    for (const o of st.options) if (o.key.text === 'from' && o.value.kind === 'word') found.push({ name: o.value.text, range: o.value.range, definition: false });
    if (LAYER_KINDS.get(st.kind.text)?.namedInputs) {
      for (const arg of st.args) if (arg.kind === 'word') found.push({ name: arg.text, range: arg.range, definition: false });
    }
  }
  for (const b of a.backward) if (b.layer) found.push({ name: b.layer.text, range: b.layer.range, definition: false });
  return found.sort((x, y) => x.range.start - y.range.start);
}

/** The name at `offset` (inside or just after it, as an editor cursor sits). */
export function occurrenceAt(a: Analysis, offset: number): Occurrence | undefined {
  return occurrences(a).find((o) => o.range.start <= offset && offset <= o.range.end);
}

export function definitionOf(a: Analysis, name: string): Occurrence | undefined {
  return occurrences(a).find((o) => o.definition && o.name === name);
}

export function referencesTo(a: Analysis, name: string, includeDefinition: boolean): Occurrence[] {
  return occurrences(a).filter((o) => o.name === name && (includeDefinition || !o.definition));
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set<string>([...LAYER_KINDS.keys(), ...STATEMENT_KEYWORDS]);

/**
 * The edits that rename the layer at `offset` everywhere, or why it cannot be renamed. A name that was never
 * written (`conv1`, or the input's default) gets written: `NEW: conv …`, `input NEW 3x32x32`.
 */
export function renameEdits(a: Analysis, offset: number, newName: string): TextEdit[] | string {
  const at = occurrenceAt(a, offset);
  if (!at) return 'put the cursor on a layer name to rename it';
  if (!NAME.test(newName)) return `'${newName}' is not a name: use letters, digits and _, not starting with a digit`;
  if (RESERVED.has(newName)) return `'${newName}' is a keyword`;
  if (newName !== at.name && occurrences(a).some((o) => o.definition && o.name === newName)) return `'${newName}' is already a layer`;
  return referencesTo(a, at.name, true).map((o) => {
    if (!o.automatic) return { range: o.range, newText: newName };
    return o.input ? { range: { start: o.range.end, end: o.range.end }, newText: ` ${newName}` } : { range: { start: o.range.start, end: o.range.start }, newText: `${newName}: ` };
  });
}
