/**
 * A use of a block, expanded where it stands into the layers the checker resolves one by one: its arguments bound
 * to the block's parameters, each repetition under its own name (`layer2.1`), each body layer under its full name
 * (`layer2.1.conv1`), names inside the body looked up in the use's own scope, and the use's name made to stand for
 * its output. The checker (check.ts) resolves and infers each layer as it does any other.
 */
import {
  type BlockDef,
  type Blocks,
  type Bound,
  describeUse,
  ExpandedLayer,
  expandBackward,
  type UseInfo,
} from './blocks';
import type { Layer, Producer } from './checked';
import type { Resolver } from './resolve';
import { unknownOption } from './resolve';
import { formatShape, type Shape, sameShape } from './shape';
import type { BackwardStatement, LayerStatement, Value } from './syntax';
import type { Diagnostic, LineIndex } from './text';
import { readInt, readShape } from './values';

export interface ExpandHost {
  readonly names: Resolver;
  readonly lines: LineIndex;
  /** Resolves and infers one layer of an expansion, as the checker does a layer statement. */
  addLayer(st: LayerStatement, line: number, isLast: boolean, use: UseInfo): Layer;
  addBackward(st: BackwardStatement, use: UseInfo): void;
  /** What is reported from now on arises in `use` (undefined: at the top level). */
  enter(use: UseInfo | undefined): void;
  report(d: Diagnostic): void;
}

/** The output of a use that could not be expanded: unknown, so nothing after it is checked against a guess. */
function unknownOutput(name: string, st: LayerStatement): Producer {
  return {
    name,
    nameRange: (st.name ?? st.kind).range,
    output: null,
    channelsFrom: undefined,
    consumers: 0,
    index: -1,
  };
}

export class Expander {
  constructor(
    private readonly blocks: Blocks,
    private readonly host: ExpandHost,
  ) {}

  /** A top-level statement whose kind is a block. */
  expandTop(st: LayerStatement, isLast: boolean): void {
    const { names } = this.host;
    const block = this.blocks.byName.get(st.kindText)!;
    const hasName = st.nameText !== undefined;
    const automatic = names.autoName(block.name);
    const name = hasName ? st.nameText! : automatic;
    const nameOk = !hasName || names.checkName(st.name!);
    const output = this.expand(st, block, name, isLast, undefined, undefined);
    names.alias(name, (st.name ?? st.kind).range, output, nameOk, !hasName);
    names.previous = output;
  }

  /**
   * Expands `st`, a use of `block` named `name`, and answers its output. `outer` is the use whose body `st` is in
   * (undefined at the top level), `top` the top-level use and its name.
   */
  private expand(
    st: LayerStatement,
    block: BlockDef,
    name: string,
    isLast: boolean,
    outer: UseInfo | undefined,
    top: { st: LayerStatement; name: string } | undefined,
  ): Producer {
    const { names, report } = this.host;
    const binding = this.bind(st, block, name);
    const from = binding?.from && names.lookup(binding.from, name);
    if (!binding || (binding.from && !from)) return unknownOutput(name, st);
    const { bound, repeat, repeated } = binding;
    const description = describeUse(block, bound, Math.min(st.args.length, block.params.length));
    const body = block.statement.body;
    let lastLayer = body.length - 1;
    while (lastLayer >= 0 && body[lastLayer].type !== 'layer') lastLayer--;
    const outerScope = names.scope;
    let input = from ?? names.previous;
    const outputs: Shape[] = [];
    for (let r = 1; r <= repeat; r++) {
      const prefix = repeated ? `${name}.${r}` : name;
      const use: UseInfo = {
        name: prefix,
        block: block.name,
        description,
        top: top?.st ?? st,
        topName: top?.name ?? name,
      };
      this.host.enter(use);
      if (!input) {
        // No input above: the first layer of the body says so, as a first layer at the top level would.
        names.scope = undefined;
      } else {
        names.scope = { block: block.name, prefix, input, localNames: block.localNames };
      }
      names.previous = input;
      for (let j = 0; j < body.length; j++) {
        const b = body[j];
        if (b.type === 'backward') {
          if (!b.layer) continue;
          const full = `${prefix}.${b.layer.text}`;
          if (names.get(full)) this.host.addBackward(expandBackward(b, full), use);
          else names.lookup(b.layer, 'backward');
          continue;
        }
        const full = `${prefix}.${block.localNames[j]}`;
        const last = isLast && r === repeat && j === lastLayer;
        const inner = this.blocks.byName.get(b.kindText);
        if (inner) {
          const expanded = new ExpandedLayer(b, full, bound, report);
          const out = this.blocks.recursive.has(b)
            ? unknownOutput(full, b)
            : this.expand(expanded, inner, full, last, use, top ?? { st, name });
          names.scope = input ? { block: block.name, prefix, input, localNames: block.localNames } : undefined;
          this.host.enter(use);
          names.alias(full, (b.name ?? b.kind).range, out, true, false);
          names.previous = out;
        } else {
          const line = this.host.lines.position(b.range.start).line;
          names.previous = this.host.addLayer(new ExpandedLayer(b, full, bound, report), line, last, use);
        }
      }
      input = names.previous;
      if (input?.output) outputs.push(input.output);
      if (repeated && input) {
        names.scope = outerScope;
        names.alias(prefix, (st.name ?? st.kind).range, input, true, false);
      }
    }
    names.scope = outerScope;
    this.host.enter(outer);
    const output = input ?? unknownOutput(name, st);
    if (output.output && st.assertion) this.checkAssertion(st, name, output.output, repeated ? outputs : undefined);
    return output;
  }

  /** The use's arguments bound to the block's parameters, its `repeat=` and `from=`; undefined after an error. */
  private bind(
    st: LayerStatement,
    block: BlockDef,
    name: string,
  ): { bound: Bound; repeat: number; repeated: boolean; from?: Value } | undefined {
    const { report } = this.host;
    const params = block.params;
    const signature = `block ${block.name}${params.map((p) => ` ${p.name.text}${p.default ? `=${p.default.text}` : ''}`).join('')}`;
    const bound = new Map<string, Value>();
    let ok = true;
    st.args.forEach((v, i) => {
      if (i < params.length) {
        bound.set(params[i].name.text, v);
      } else if (i === params.length) {
        ok = false;
        report({
          severity: 'error',
          code: 'syntax',
          message: `${name}: ${signature} takes ${params.length === 0 ? 'no arguments' : params.length === 1 ? 'one argument' : `${params.length} arguments`}; '${v.text}' is one too many`,
          range: v.range,
        });
      }
    });
    let repeat = 1;
    let repeated = false;
    let from: Value | undefined;
    const seen = new Set<string>();
    for (const o of st.options) {
      const key = o.key.text;
      if (seen.has(key) || (bound.has(key) && params.findIndex((p) => p.name.text === key) < st.args.length)) {
        report({
          severity: 'error',
          code: 'syntax',
          message: `${name}: ${key} is given twice${seen.has(key) ? '' : ' (by position and by name)'}`,
          range: o.key.range,
        });
        ok = false;
        continue;
      }
      seen.add(key);
      if (key === 'repeat') {
        const n = readInt(o.value, `${name}: repeat`, 1, report);
        if (n === undefined) ok = false;
        else [repeat, repeated] = [n, true];
      } else if (key === 'from') {
        if (o.value.kind === 'word') from = o.value;
        else {
          if (o.value.kind !== 'missing')
            report({
              severity: 'error',
              code: 'bad-value',
              message: `from= takes a layer name, not '${o.value.text}'`,
              range: o.value.range,
            });
          ok = false;
        }
      } else if (params.some((p) => p.name.text === key)) {
        bound.set(key, o.value);
      } else {
        unknownOption(o.key, [...params.map((p) => p.name.text), 'repeat', 'from'], `${name} (${signature})`, report);
        ok = false;
      }
    }
    for (const p of params) {
      if (bound.has(p.name.text)) continue;
      if (p.default) {
        bound.set(p.name.text, p.default);
      } else {
        ok = false;
        report({
          severity: 'error',
          code: 'syntax',
          message: `${name}: ${p.name.text} is missing; ${signature} needs it`,
          range: st.kind.range,
        });
      }
    }
    return ok ? { bound, repeat, repeated, ...(from && { from }) } : undefined;
  }

  private checkAssertion(
    st: LayerStatement,
    name: string,
    output: Shape,
    repetitions: readonly Shape[] | undefined,
  ): void {
    const { report } = this.host;
    const asserted = readShape(st.assertion!.shape, `${name}: the asserted shape`, report);
    if (!asserted || sameShape(asserted, output)) return;
    const written = formatShape(output).replace(/×/g, 'x');
    const changing = repetitions && repetitions.length > 1 && repetitions.some((s) => !sameShape(s, repetitions[0]));
    report({
      severity: 'error',
      code: 'shape-assertion',
      message:
        `${name}: the output is ${formatShape(output)}, not ${formatShape(asserted)} as asserted` +
        (changing
          ? ` (each repetition reads the previous one's output: ${repetitions.map((s, i) => `${name}.${i + 1} gives ${formatShape(s)}`).join(', ')}; a use that changes the shape, such as a stride of 2 in a stage's first block only, goes on its own line before the repeated ones)`
          : ''),
      range: st.assertion!.shape.range,
      fixes: [
        {
          title: `Change the assertion to ${written}`,
          edits: [{ range: st.assertion!.shape.range, newText: written }],
          preferred: !changing,
        },
      ],
    });
  }
}
