/**
 * Names in a network: where each layer (or the input) is defined and where it is used, for go to definition,
 * find references, rename and hovers on a use. Pure: the editor only converts ranges.
 */
import type { Analysis } from '../check';
import type { LayerStatement } from '../syntax';
import { blockStatements, blockUses } from './blocks';
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
  /**
   * Where the name lives: undefined for the network's names, a block's name for the names inside its body, and
   * BLOCKS for the block names themselves (a use's kind).
   */
  readonly scope?: string;
}

/** The scope of block names. */
export const BLOCKS = '#blocks';

/** The names a layer statement uses: its `from=`, and the names of `add`/`concat`. */
function namesUsed(st: LayerStatement, scope: string | undefined, found: Occurrence[]): void {
  for (const o of st.options)
    if (o.key.text === 'from' && o.value.kind === 'word')
      found.push({ name: o.value.text, range: o.value.range, definition: false, ...(scope && { scope }) });
  if (LAYER_KINDS.get(st.kind.text)?.namedInputs) {
    for (const arg of st.args)
      if (arg.kind === 'word')
        found.push({ name: arg.text, range: arg.range, definition: false, ...(scope && { scope }) });
  }
}

export function occurrences(a: Analysis): Occurrence[] {
  const found: Occurrence[] = [];
  if (a.input) {
    const st = a.input.statement;
    found.push({
      name: a.input.name,
      range: st.name?.range ?? st.keyword.range,
      definition: true,
      input: true,
      ...(!st.name && { automatic: true }),
    });
  }
  for (const l of a.layers) {
    if (l.use) continue;
    const st = l.statement;
    found.push(
      st.name
        ? { name: l.name, range: st.name.range, definition: true }
        : { name: l.name, range: st.kind.range, definition: true, automatic: true },
    );
    namesUsed(st, undefined, found);
  }
  // Uses of blocks: the use's name, the block's name as its kind, its from=.
  for (const [st, layers] of blockUses(a)) {
    const name = layers[0].use!.topName;
    // The block's name first: at the kind, go to definition and rename are about the block (sorting keeps the order).
    found.push({ name: st.kindText, range: st.kind.range, definition: false, scope: BLOCKS });
    found.push(
      st.name
        ? { name, range: st.name.range, definition: true }
        : { name, range: { start: st.kind.range.start, end: st.kind.range.start }, definition: true, automatic: true },
    );
    namesUsed(st, undefined, found);
  }
  // Blocks: their names, and inside each body its own names.
  const blocks = blockStatements(a);
  for (const b of blocks) {
    if (!b.name) continue;
    const scope = b.name.text;
    found.push({ name: scope, range: b.name.range, definition: true, scope: BLOCKS });
    const counts = new Map<string, number>();
    for (const st of b.body) {
      if (st.type === 'backward') {
        if (st.layer) found.push({ name: st.layer.text, range: st.layer.range, definition: false, scope });
        continue;
      }
      const kind = LAYER_KINDS.get(st.kindText)?.kind ?? st.kindText;
      const n = (counts.get(kind) ?? 0) + 1;
      counts.set(kind, n);
      found.push(
        st.name
          ? { name: st.name.text, range: st.name.range, definition: true, scope }
          : { name: `${kind}${n}`, range: st.kind.range, definition: true, automatic: true, scope },
      );
      if (!LAYER_KINDS.has(st.kindText))
        found.push({ name: st.kindText, range: st.kind.range, definition: false, scope: BLOCKS });
      namesUsed(st, scope, found);
    }
  }
  const inBlock = (at: number) => blocks.some((b) => b.range.start <= at && at <= b.range.end);
  for (const b of a.backward)
    if (b.layer && !inBlock(b.layer.range.start))
      found.push({ name: b.layer.text, range: b.layer.range, definition: false });
  return found.sort((x, y) => x.range.start - y.range.start);
}

/** The name at `offset` (inside or just after it, as an editor cursor sits). */
export function occurrenceAt(a: Analysis, offset: number): Occurrence | undefined {
  return occurrences(a).find((o) => o.range.start <= offset && offset <= o.range.end);
}

/**
 * Where a name is defined. A full name from outside a block (`layer2.1.bn2`) is defined in the block's body; a
 * repetition's (`layer2.1`) by its use.
 */
export function definitionOf(a: Analysis, name: string, scope?: string): Occurrence | undefined {
  const found = occurrences(a).find((o) => o.definition && o.name === name && o.scope === scope);
  if (found || scope !== undefined || !name.includes('.')) return found;
  const layer = a.layers.find((l) => l.name === name);
  if (layer) return { name, range: layer.nameRange, definition: true };
  return definitionOf(a, name.slice(0, name.indexOf('.')));
}

/**
 * Every occurrence of a name in its scope. A top-level use's name is also the first part of the full names that
 * reach into it (`layer2` in `from=layer2.1.bn2`): that part is an occurrence too.
 */
export function referencesTo(a: Analysis, name: string, includeDefinition: boolean, scope?: string): Occurrence[] {
  return occurrences(a).flatMap((o): Occurrence[] => {
    if (o.scope !== scope || (!includeDefinition && o.definition)) return [];
    if (o.name === name) return [o];
    if (scope === undefined && o.name.startsWith(`${name}.`))
      return [{ name, range: { start: o.range.start, end: o.range.start + name.length }, definition: false }];
    return [];
  });
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
  if (newName !== at.name && occurrences(a).some((o) => o.definition && o.name === newName && o.scope === at.scope))
    return `'${newName}' is already ${at.scope === BLOCKS ? 'a block' : 'a layer'}`;
  return referencesTo(a, at.name, true, at.scope).map((o) => {
    if (!o.automatic) return { range: o.range, newText: newName };
    return o.input
      ? { range: { start: o.range.end, end: o.range.end }, newText: ` ${newName}` }
      : { range: { start: o.range.start, end: o.range.start }, newText: `${newName}: ` };
  });
}
