/**
 * Blocks for the export targets: the tree of uses the checker flattened (each use's repetitions, each one's body
 * layers and nested uses, with the arguments bound), and the one text per body layer that serves every use.
 *
 * A block is written once, as a PyTorch class or a tfjs function whose arguments are the block's parameters. Its
 * layers' modules and calls are the kinds' own hooks (engine/layers/), which take concrete numbers: each body
 * layer's hook is run for every expansion in the network, and the numbers that differ between expansions become
 * expressions of the parameters, found among the texts the body writes in that statement (`c*expand`, `stride`)
 * and the channels arriving. Every expression is checked against every expansion's number, so the text written
 * computes each use's layers exactly; what no expression fits is refused, naming the block and its layer.
 */
import type { Analysis, LayerInfo } from '../analysis';
import { type BlockDef, type Bound, collectBlocks, substitute } from '../blocks';
import type { LayerStatement, Value } from '../syntax';
import { ExportError } from './target';

/** One body element of a scope: a layer of the kinds, or a use of a block. */
export type Item =
  | { readonly type: 'layer'; readonly local: string; readonly statement: LayerStatement; readonly layer: LayerInfo }
  | { readonly type: 'use'; readonly local: string; readonly statement: LayerStatement; readonly use: Use };

/** One repetition of one use (or the network's top level, with no prefix and nothing bound). */
export interface Scope {
  /** The full name the items' names are under (`layer2.1`); '' at the top level. */
  readonly prefix: string;
  readonly bound: Bound;
  readonly items: readonly Item[];
  /** The producer of the scope's input: the network's input at the top level. */
  readonly input: string;
  /** The producer of the scope's output: its last item's output. */
  readonly output: string;
}

/** A use of a block: one scope per repetition, in order. */
export interface Use {
  readonly block: BlockDef;
  /** The use as written (in a block's body, or at the top level). */
  readonly statement: LayerStatement;
  readonly name: string;
  readonly repeated: boolean;
  readonly scopes: readonly Scope[];
  /** Its last repetition's output: what the use's name stands for. */
  readonly output: string;
}

/** The network as scopes: its top level, and every block that is used with each of its expansions. */
export interface UseTree {
  readonly top: Scope;
  /** Each used block's expansions, innermost blocks first (a block before the blocks that use it). */
  readonly blocks: ReadonlyMap<BlockDef, Scope[]>;
}

const REPEAT_OR_FROM = new Set(['repeat', 'from']);

/** A use's arguments bound to its block's parameters, as the checker binds them (expand.ts); the network is clean. */
export function bind(st: LayerStatement, block: BlockDef, outer: Bound): Bound {
  const bound = new Map<string, Value>();
  const value = (v: Value) => substitute(v, outer, () => {});
  st.args.forEach((v, i) => i < block.params.length && bound.set(block.params[i].name.text, value(v)));
  for (const o of st.options) if (!REPEAT_OR_FROM.has(o.key.text)) bound.set(o.key.text, value(o.value));
  for (const p of block.params) if (!bound.has(p.name.text) && p.default) bound.set(p.name.text, p.default);
  return bound;
}

/** The tree of the network's uses; undefined for a network without blocks. */
export function useTree(analysis: Analysis): UseTree | undefined {
  if (!analysis.layers.some((l) => l.use)) return undefined;
  const blocks = collectBlocks(analysis.document, () => {});
  const byName = new Map(analysis.layers.map((l) => [l.name, l]));
  const byStatement = new Map(analysis.layers.filter((l) => !l.use).map((l) => [l.statement, l]));
  const topNames = new Map(analysis.layers.filter((l) => l.use).map((l) => [l.use!.top, l.use!.topName]));
  const expansions = new Map<BlockDef, Scope[]>();
  const order: BlockDef[] = [];

  const use = (st: LayerStatement, name: string, block: BlockDef, outer: Bound): Use => {
    const bound = bind(st, block, outer);
    const repeatOption = st.options.find((o) => o.key.text === 'repeat');
    const repeat = repeatOption ? Number(substitute(repeatOption.value, outer, () => {}).text) : 1;
    const scopes: Scope[] = [];
    for (let r = 1; r <= repeat; r++) {
      const prefix = repeatOption ? `${name}.${r}` : name;
      const items: Item[] = [];
      block.statement.body.forEach((b, j) => {
        if (b.type !== 'layer') return;
        const local = block.localNames[j];
        const full = `${prefix}.${local}`;
        const inner = blocks.byName.get(b.kindText);
        if (inner) items.push({ type: 'use', local, statement: b, use: use(b, full, inner, bound) });
        else items.push({ type: 'layer', local, statement: b, layer: byName.get(full)! });
      });
      scopes.push(scope(prefix, bound, items));
    }
    if (!expansions.has(block)) order.push(block);
    expansions.set(block, [...(expansions.get(block) ?? []), ...scopes]);
    return { block, statement: st, name, repeated: !!repeatOption, scopes, output: scopes[scopes.length - 1].output };
  };

  const items: Item[] = [];
  for (const st of analysis.document.statements) {
    if (st.type !== 'layer') continue;
    const block = blocks.byName.get(st.kindText);
    if (block) {
      const name = topNames.get(st)!;
      items.push({ type: 'use', local: name, statement: st, use: use(st, name, block, new Map()) });
    } else {
      const layer = byStatement.get(st);
      if (layer) items.push({ type: 'layer', local: layer.name, statement: st, layer });
    }
  }
  const top: Scope = { prefix: '', bound: new Map(), items, input: analysis.input!.name, output: outputOf(items) };
  // A block's expansions are complete once its outermost use is done: order the classes innermost first.
  const sorted = order.slice().sort((a, b) => depth(a, blocks.byName) - depth(b, blocks.byName));
  return { top, blocks: new Map(sorted.map((b) => [b, expansions.get(b)!])) };
}

/** How deeply a block nests others: 0 for a block of layers only. */
function depth(block: BlockDef, byName: ReadonlyMap<string, BlockDef>): number {
  let d = 0;
  for (const b of block.statement.body) {
    const inner = b.type === 'layer' ? byName.get(b.kindText) : undefined;
    if (inner) d = Math.max(d, 1 + depth(inner, byName));
  }
  return d;
}

function outputOf(items: readonly Item[]): string {
  const last = items[items.length - 1];
  return last.type === 'layer' ? last.layer.name : last.use.output;
}

function scope(prefix: string, bound: Bound, items: readonly Item[]): Scope {
  // The body reads nothing outside but the block's input (its names are its own): the first outside name is it.
  const inside = (n: string) => n.startsWith(`${prefix}.`);
  let input = '';
  for (const item of items) {
    const first = item.type === 'layer' ? item.layer.inputs.find((n) => !inside(n)) : useInput(item.use, inside);
    if (first !== undefined) {
      input = first;
      break;
    }
  }
  return { prefix, bound, items, input, output: outputOf(items) };
}

function useInput(use: Use, inside: (n: string) => boolean): string | undefined {
  const input = use.scopes[0].input;
  return inside(input) ? undefined : input;
}

/** The producer an item's output is: its layer, or the use's last layer. */
export const itemOutput = (item: Item) => (item.type === 'layer' ? item.layer.name : item.use.output);

/** Where a scope's items read from: its input, or one of its items' outputs; else a name inside a use. */
export function reader(sc: Scope): (producer: string) => Item | 'input' {
  const outputs = new Map(sc.items.map((item) => [itemOutput(item), item]));
  return (producer) => {
    if (producer === sc.input) return 'input';
    const item = outputs.get(producer);
    if (item) return item;
    throw new ExportError(
      `${producer} is read from outside the use it is part of: an export writes a use as one module with one output, so only the use's own name (its output) can be read`,
      producer,
    );
  };
}

/** A value that may differ between a block's expansions: an expression of its parameters, with its value in each. */
export interface Candidate {
  readonly expr: string;
  readonly values: readonly string[];
}

/** How a target writes values and the arithmetic of a block's parameters. */
export interface Syntax {
  /** A parameter's name in the target (a keyword or a name the module needs gets a `_`). */
  param(name: string): string;
  /** A bound value (a number, a shape, a word) as a literal, or undefined where it is not one. */
  literal(v: Value): string | undefined;
  /** `c*expand`: the block's arithmetic in the target (the parameters renamed, Python's `//` for an exact `/`). */
  arithmetic(text: string): string;
}

/** The texts of a body statement's values that depend on the block's parameters, with their value in each expansion. */
export function statementCandidates(
  body: LayerStatement,
  bounds: readonly Bound[],
  params: ReadonlySet<string>,
  syntax: Syntax,
): Candidate[] {
  const out: Candidate[] = [];
  const values = [...body.args, ...body.options.filter((o) => !REPEAT_OR_FROM.has(o.key.text)).map((o) => o.value)];
  for (const v of values) {
    if (v.kind === 'expr') {
      const vs = bounds.map((b) => substitute(v, b, () => {}).text);
      out.push({ expr: syntax.arithmetic(v.text), values: vs });
    } else if (v.kind === 'word' && params.has(v.text)) {
      const bound = bounds.map((b) => b.get(v.text)!);
      const name = syntax.param(v.text);
      if (bound.every((b) => b.kind === 'shape')) {
        for (let i = 0; i < bound[0].dims.length; i++)
          out.push({ expr: `${name}[${i}]`, values: bound.map((b) => `${b.dims[i]}`) });
      } else if (bound.every((b) => syntax.literal(b) !== undefined)) {
        out.push({ expr: name, values: bound.map((b) => syntax.literal(b)!) });
      }
    }
  }
  return out;
}

/** The literal numbers a statement writes (`3x3`, `pad=1`): a number equal to one of them is left as written. */
export function statementLiterals(body: LayerStatement): Set<string> {
  const out = new Set<string>();
  for (const v of [...body.args, ...body.options.map((o) => o.value)])
    if (v.kind === 'number' || v.kind === 'shape') for (const d of v.dims) out.add(`${d}`);
  return out;
}

/** Numbers and booleans, but not the digits of a name (`conv1`, `layer1.1`). */
const TOKEN = /(?<![\w.])(?:-?\d+(?:\.\d+)?(?:e-?\d+)?|True|False|true|false)(?![\w.])/g;

/**
 * One text for every expansion of a body statement: `texts[i]` is expansion i's, built from its numbers; where
 * the numbers differ, the candidate whose value is each expansion's number takes their place. Undefined when the
 * texts differ otherwise, or a number differs and no candidate fits it.
 */
export function unify(
  texts: readonly string[],
  candidates: readonly Candidate[],
  literals: ReadonlySet<string>,
): string | undefined {
  const skeleton = (t: string) => t.replace(TOKEN, '#');
  const tokens = texts.map((t) => t.match(TOKEN) ?? []);
  if (texts.some((t) => skeleton(t) !== skeleton(texts[0]))) return undefined;
  const used = new Set<Candidate>();
  const chosen: string[] = [];
  for (let k = 0; k < tokens[0].length; k++) {
    const values = tokens.map((ts) => ts[k]);
    const constant = values.every((v) => v === values[0]);
    if (constant && (literals.has(values[0]) || candidates.length === 0)) {
      chosen.push(values[0]);
      continue;
    }
    const fits = candidates.filter((c) => c.values.every((v, i) => v === values[i]));
    const pick = fits.find((c) => !used.has(c)) ?? fits[0];
    if (pick) {
      used.add(pick);
      chosen.push(pick.expr);
    } else if (constant) chosen.push(values[0]);
    else return undefined;
  }
  let k = 0;
  return texts[0].replace(TOKEN, () => chosen[k++]);
}

/** The refusal when a block's expansions cannot share one text. */
export function cannotUnify(block: BlockDef, local: string, texts: readonly string[], target: string): ExportError {
  const distinct = [...new Set(texts)];
  return new ExportError(
    `block ${block.name}: its layer ${local} is ${distinct.slice(0, 2).join(' in one use and ')} in another, and ${target} export writes a block once, with its parameters as arguments; no parameter of the block gives that difference`,
    local,
  );
}
