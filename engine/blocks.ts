/**
 * Blocks: `block NAME PARAM… [PARAM=DEFAULT…]` … `end`, written once and used like a layer kind. A use is expanded
 * into the flat layer list the rest of the engine reads, each layer under its full name (`layer2.1.conv1`): the
 * body's statements are not parsed again, they are read through a thin view (`ExpandedLayer`) that puts the use's
 * arguments where the body names its parameters and evaluates the body's integer arithmetic. So a block used a
 * thousand times costs a thousand small views of its statements, about what a thousand copies of its text would.
 *
 * What is static (a block's name, its arithmetic's names, recursion) is checked once per block here; what depends
 * on the arguments is checked per use by the checker, on the expanded layers, and `BlockDiagnostics` folds what
 * several uses say about one place in a body into one diagnostic that names the uses.
 */
import type { UseInfo } from './analysis';
import type { Producer } from './checked';

export type { UseInfo } from './analysis';
import { LAYER_KINDS } from './layers';
import { STATEMENT_KEYWORDS } from './parser';
import type {
  BackwardStatement,
  BlockParam,
  BlockStatement,
  Expr,
  LayerStatement,
  OptionNode,
  ParsedDocument,
  Value,
  Word,
} from './syntax';
import type { Diagnostic, TextRange } from './text';

export interface BlockDef {
  readonly statement: BlockStatement;
  readonly name: string;
  readonly params: readonly BlockParam[];
  /** Each body statement's name inside the block (explicit, or its kind and count there: `conv1`); '' for a rule. */
  readonly localNames: readonly string[];
}

export interface Blocks {
  readonly byName: ReadonlyMap<string, BlockDef>;
  /** Uses inside bodies that close a loop of blocks: reported once, never expanded. */
  readonly recursive: ReadonlySet<LayerStatement>;
}

const RESERVED = new Set<string>([...LAYER_KINDS.keys(), ...STATEMENT_KEYWORDS]);

/** The document's blocks, with what can be checked without a use: names, arithmetic, recursion, unused blocks. */
export function collectBlocks(document: ParsedDocument, report: (d: Diagnostic) => void): Blocks {
  const byName = new Map<string, BlockDef>();
  const statements: BlockStatement[] = [];
  for (const st of document.statements) if (st.type === 'block') statements.push(st);
  if (statements.length === 0) return { byName, recursive: new Set() };
  for (const st of statements) {
    if (!st.name) continue;
    const name = st.name.text;
    if (RESERVED.has(name)) {
      report({
        severity: 'error',
        code: 'syntax',
        message: `'${name}' is a ${LAYER_KINDS.has(name) ? 'layer kind' : 'keyword'} and cannot name a block`,
        range: st.name.range,
      });
      continue;
    }
    const first = byName.get(name);
    if (first) {
      report({
        severity: 'error',
        code: 'duplicate-name',
        message: `block '${name}' is already defined`,
        range: st.name.range,
        related: [{ range: first.statement.name!.range, message: `block '${name}' is first defined here` }],
      });
      continue;
    }
    byName.set(name, { statement: st, name, params: st.params, localNames: localNames(st) });
    for (const b of st.body) {
      if (b.type === 'layer' && b.nameText?.includes('.'))
        report({
          severity: 'error',
          code: 'syntax',
          message: `'${b.nameText}': a name has no '.'; inside a block, names are its own`,
          range: b.name!.range,
        });
    }
  }
  for (const block of byName.values()) checkArithmetic(block, report);
  const recursive = findLoops(byName, report);
  // A block nothing uses: faded, as an unused layer is.
  const used = new Set<string>();
  for (const st of document.statements) {
    if (st.type === 'layer') used.add(st.kindText);
    else if (st.type === 'block') for (const b of st.body) if (b.type === 'layer') used.add(b.kindText);
  }
  for (const block of byName.values()) {
    if (used.has(block.name)) continue;
    report({
      severity: 'hint',
      code: 'unused-layer',
      message: `block ${block.name} is never used: no layer statement names it as its kind`,
      range: block.statement.range,
      tags: ['unnecessary'],
    });
  }
  return { byName, recursive };
}

/** Names inside a body, as at the top level: explicit, or the kind's (or block's) name and its count so far. */
function localNames(st: BlockStatement): string[] {
  const counts = new Map<string, number>();
  return st.body.map((b) => {
    if (b.type !== 'layer') return '';
    const kind = LAYER_KINDS.get(b.kindText)?.kind ?? b.kindText;
    const count = (counts.get(kind) ?? 0) + 1;
    counts.set(kind, count);
    return b.nameText ?? `${kind}${count}`;
  });
}

/** Every name in a body's arithmetic must be one of the block's parameters. */
function checkArithmetic(block: BlockDef, report: (d: Diagnostic) => void): void {
  const params = block.params.map((p) => p.name.text);
  const visit = (e: Expr): void => {
    if (e.op === 'name') {
      if (!params.includes(e.name))
        report({
          severity: 'error',
          code: 'bad-value',
          message: `'${e.name}' is not a parameter of block ${block.name}; its arithmetic can use ${params.join(', ') || 'no names (it has no parameters)'}`,
          range: e.range,
        });
    } else if (e.op !== 'number') {
      visit(e.left);
      visit(e.right);
    }
  };
  for (const st of block.statement.body) {
    if (st.type !== 'layer') continue;
    for (const v of st.args) if (v.expr) visit(v.expr);
    for (const o of st.options) if (o.value.expr) visit(o.value.expr);
  }
}

/**
 * Loops of blocks using blocks, found depth-first in the order blocks are written: the use that closes a loop
 * (the one that leads back to a block being expanded) is the error.
 */
function findLoops(byName: ReadonlyMap<string, BlockDef>, report: (d: Diagnostic) => void): Set<LayerStatement> {
  const recursive = new Set<LayerStatement>();
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (block: BlockDef): void => {
    state.set(block.name, 'open');
    path.push(block.name);
    for (const st of block.statement.body) {
      if (st.type !== 'layer') continue;
      const used = byName.get(st.kindText);
      if (!used) continue;
      if (state.get(used.name) === 'open') {
        const loop = [...path.slice(path.indexOf(used.name)), used.name];
        recursive.add(st);
        report({
          severity: 'error',
          code: 'recursive-block',
          message:
            loop.length === 2
              ? `block ${block.name} uses itself; a block cannot contain itself`
              : `block ${block.name} uses ${used.name}, which leads back to ${block.name} (${loop.join(' → ')}); a block cannot contain itself, directly or not`,
          range: st.kind.range,
          related: [{ range: used.statement.name!.range, message: `block ${used.name} is defined here` }],
        });
      } else if (!state.has(used.name)) {
        visit(used);
      }
    }
    path.pop();
    state.set(block.name, 'done');
  };
  for (const block of byName.values()) if (!state.has(block.name)) visit(block);
  return recursive;
}

/** A use's arguments, bound to the block's parameters: each a value as written at the use or as its default. */
export type Bound = ReadonlyMap<string, Value>;

/** A value put in place of a parameter or of arithmetic: what the body's checker reads instead of the body's text. */
class Substituted implements Value {
  constructor(
    readonly kind: Value['kind'],
    readonly text: string,
    readonly range: TextRange,
    readonly dims: readonly number[],
  ) {}
}

const MISSING_DIMS: readonly number[] = Object.freeze([]);

/**
 * A value of the body as a use sees it: a parameter becomes the argument as written at the use (its range there,
 * so a value of the wrong kind is reported where it was written), arithmetic becomes its number (at the
 * arithmetic's text in the body). Undefined when the arithmetic cannot be worked out, after reporting why.
 */
export function substitute(v: Value, bound: Bound, report: (d: Diagnostic) => void): Value {
  if (v.kind === 'word') return bound.get(v.text) ?? v;
  if (v.kind !== 'expr' || !v.expr) return v;
  const n = evaluate(v.expr, bound, v.text, report);
  return n === undefined
    ? new Substituted('missing', '', v.range, MISSING_DIMS)
    : new Substituted('number', String(n), v.range, [n]);
}

function evaluate(e: Expr, bound: Bound, whole: string, report: (d: Diagnostic) => void): number | undefined {
  if (e.op === 'number') return e.value;
  if (e.op === 'name') {
    const v = bound.get(e.name);
    if (!v) return undefined; // not a parameter: reported once for the block
    if (v.kind === 'number' && v.dims.length === 1 && Number.isSafeInteger(v.dims[0])) return v.dims[0];
    if (v.kind !== 'missing')
      report({
        severity: 'error',
        code: 'bad-value',
        message: `${e.name} is used in arithmetic (${whole}), so it takes a whole number, not '${v.text}'`,
        range: v.range,
      });
    return undefined;
  }
  const a = evaluate(e.left, bound, whole, report);
  const b = a === undefined ? undefined : evaluate(e.right, bound, whole, report);
  if (a === undefined || b === undefined) return undefined;
  switch (e.op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      if (b === 0 || a % b !== 0) {
        report({
          severity: 'error',
          code: 'bad-value',
          message: `${whole} is ${a}/${b} here, ${b === 0 ? 'a division by zero' : 'which is not a whole number'}: a block's arithmetic divides exactly`,
          range: e.range,
        });
        return undefined;
      }
      return a / b;
  }
}

/** A body's layer statement as one use sees it, under its full name; its ranges are the body's. */
export class ExpandedLayer implements LayerStatement {
  readonly args: readonly Value[];
  readonly options: readonly OptionNode[];
  readonly assertion: LayerStatement['assertion'];

  constructor(
    readonly body: LayerStatement,
    readonly nameText: string,
    bound: Bound,
    report: (d: Diagnostic) => void,
  ) {
    this.args = body.args.length ? body.args.map((v) => substitute(v, bound, report)) : body.args;
    this.options = body.options.length
      ? body.options.map((o) => ({ key: o.key, value: substitute(o.value, bound, report), range: o.range }))
      : body.options;
    this.assertion = body.assertion && {
      arrow: body.assertion.arrow,
      shape: substitute(body.assertion.shape, bound, report),
    };
  }

  get type(): 'layer' {
    return 'layer';
  }
  get kindText(): string {
    return this.body.kindText;
  }
  get kind(): Word {
    return this.body.kind;
  }
  get keyword(): Word {
    return this.body.kind;
  }
  get range(): TextRange {
    return this.body.range;
  }
  /** The full name, at the body's name (or kind, for an unnamed layer). */
  get name(): Word {
    return { text: this.nameText, range: (this.body.name ?? this.body.kind).range };
  }
}

/** A body's backward rule for one use: the same rule, for the layer's full name. */
export function expandBackward(st: BackwardStatement, fullName: string): BackwardStatement {
  return { ...st, layer: st.layer && { text: fullName, range: st.layer.range } };
}

/** `bottleneck 128 stride=2`: a use's block and arguments as evaluated, defaults left out. */
export function describeUse(block: BlockDef, bound: Bound, positional: number): string {
  const parts = [block.name];
  block.params.forEach((p, i) => {
    const v = bound.get(p.name.text);
    if (!v || v === p.default) return;
    parts.push(i < positional ? v.text : `${p.name.text}=${v.text}`);
  });
  return parts.join(' ');
}

/** A use's own name, standing for its output: the name table holds this, lookups answer its target. */
export class Alias implements Producer {
  consumers = 0;
  constructor(
    readonly name: string,
    readonly nameRange: TextRange,
    readonly target: Producer,
  ) {}
  get output() {
    return this.target.output;
  }
  get channelsFrom() {
    return this.target.channelsFrom;
  }
  get index() {
    return this.target.index;
  }
}

/**
 * What several uses report about one place in a body, folded into one diagnostic per place and code that names
 * the uses, plus one at each top-level use, pointing at the places in its body.
 */
export class BlockDiagnostics {
  private readonly byPlace = new Map<
    string,
    { first: Diagnostic; uses: UseInfo[]; prefixes: string[]; messages: string[] }
  >();
  private readonly byTop = new Map<LayerStatement, { use: UseInfo; found: Diagnostic[] }>();

  /** Whether `range` lies in one of the document's blocks (its header, body or end). */
  constructor(private readonly blocks: readonly BlockStatement[]) {}

  inBlock(range: TextRange): boolean {
    for (const b of this.blocks) if (range.start >= b.range.start && range.end <= b.range.end) return true;
    return false;
  }

  /** A diagnostic from `use`'s expansion, its message already naming the use. */
  add(d: Diagnostic, use: UseInfo, prefix: string, bare: string): void {
    const key = `${d.range.start}:${d.range.end}:${d.code}`;
    const place = this.byPlace.get(key);
    if (place) {
      if (!place.prefixes.includes(prefix)) {
        place.uses.push(use);
        place.prefixes.push(prefix);
        place.messages.push(bare);
      }
    } else {
      this.byPlace.set(key, { first: d, uses: [use], prefixes: [prefix], messages: [bare] });
    }
    const top = this.byTop.get(use.top);
    if (top) top.found.push(d);
    else this.byTop.set(use.top, { use, found: [d] });
  }

  /** The folded diagnostics. */
  flush(report: (d: Diagnostic) => void): void {
    for (const { first, uses, prefixes, messages } of this.byPlace.values()) {
      if (uses.length === 1) {
        report(first);
        continue;
      }
      const same = messages.every((m) => m === messages[0]);
      const message = same
        ? `${prefixes.join(', ')}: ${messages[0]}`
        : `${first.message}; the same in ${prefixes.slice(1).join(', ')}`;
      const { fixes, ...rest } = first;
      report({
        ...rest,
        message,
        ...(same && fixes && { fixes }),
        related: [
          ...(first.related ?? []),
          ...uses.map((u, i) => ({ range: u.top.range, message: `used here: ${prefixes[i]}` })),
        ],
      });
    }
    const rank = { error: 0, warning: 1, info: 2, hint: 3 } as const;
    for (const { use, found } of this.byTop.values()) {
      const worst = [...found].sort((a, b) => rank[a.severity] - rank[b.severity])[0];
      const places = new Set(found.map((d) => `${d.range.start}:${d.range.end}`)).size;
      report({
        severity: worst.severity,
        code: worst.code,
        message: `${use.topName}: ${places === 1 ? 'a problem' : `${places} problems`} inside block ${use.block}: ${worst.message}`,
        range: use.top.kind.range,
        related: found.map((d) => ({ range: d.range, message: d.message })),
      });
    }
  }
}
