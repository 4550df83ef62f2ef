/**
 * Blocks in the TensorFlow.js export: one function per block definition, `basic(x, name, c, stride = 1)`, that
 * applies the block's layers to `x` and names each `${name}.conv1`, so every tfjs layer has its full name (tfjs
 * layer names are flat and unique). The layers' calls are the kinds' hooks run on every expansion, made one text
 * by engine/export/blocks.ts (`unify`): a number that differs between uses becomes the parameter expression that
 * gives it in each. A block whose uses need different tfjs layers (TensorFlow's 'same' at one stride, an explicit
 * zeroPadding2d at another) has no such function: its uses are written out layer by layer, under the same names.
 */
import type { BlockDef } from '../engine/blocks';
import {
  itemOutput,
  reader,
  type Scope,
  statementCandidates,
  statementLiterals,
  type Syntax,
  unify,
  type Use,
} from '../engine/export/blocks';
import { knownLayer } from '../engine/layers/known';
import type { TfCall } from '../engine/export/target';
import { ExportError } from '../engine/export/target';
import { zeroPadding } from '../engine/export/tfjsCalls';
import type { LayerInfo } from '../engine';
import type { Value } from '../engine/syntax';

/** JavaScript's reserved words and the module's own names: a variable or parameter takes a `_` after them. */
export const RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await arguments eval tf model x name'.split(
    ' ',
  ),
);

const param = (name: string) => (RESERVED.has(name) ? `${name}_` : name);

const TS: Syntax = {
  param,
  literal(v: Value) {
    if (v.kind === 'number') return `${v.dims[0] ?? Number(v.text)}`;
    if (v.kind === 'shape') return `[${v.dims.join(', ')}]`;
    if (v.kind === 'word' && (v.text === 'true' || v.text === 'false')) return v.text;
    return undefined;
  },
  arithmetic: (text) =>
    text
      .replace(/\s+/g, '')
      .replace(/[A-Za-z_]\w*/g, param)
      .replace(/([+\-*/])/g, ' $1 '),
};

/** tfjs's defaults for the config properties the kinds' hooks leave out when they have them. */
const DEFAULTS: Readonly<Record<string, string>> = { strides: '[1, 1]', dilationRate: '[1, 1]', useBias: 'true' };

/** A layer's tfjs calls, refused where its kind has none. */
export function tfCalls(l: LayerInfo): readonly TfCall[] {
  const known = knownLayer(l);
  if (!known?.kind.tfjs)
    throw new ExportError(`${l.name}: TensorFlow.js export does not know the layer kind '${l.kind}'`, l.name);
  return known.kind.tfjs(known.layer);
}

/** One call as a statement: `const conv1 = tf.layers.conv2d({ name: …, … }).apply(x) as tf.SymbolicTensor;`. */
export function callLine(call: TfCall, target: string, name: string, x: string): string {
  const config = Object.entries({ name, ...call.config }).map(([k, v]) => `${k}: ${v}`);
  return `const ${target} = tf.layers.${call.fn}({ ${config.join(', ')} }).apply(${x}) as tf.SymbolicTensor;`;
}

/** The functions written for a network's blocks; a block missing here is written out at each use. */
export class BlockFunctions {
  readonly written: string[] = [];
  private readonly names = new Map<BlockDef, string>();
  private readonly used = new Set<string>();

  constructor(
    blocks: ReadonlyMap<BlockDef, Scope[]>,
    taken: ReadonlySet<string>,
    private readonly shape: (producer: string) => string,
  ) {
    for (const n of taken) this.used.add(n);
    for (const [block, scopes] of blocks) {
      const text = this.write(block, scopes);
      if (text) this.written.push(text);
    }
  }

  /** The function's name, when the block has one. */
  name(block: BlockDef): string | undefined {
    return this.names.get(block);
  }

  /** A use's statements: a call, or for a repeat a loop of calls, assigning `target`. */
  call(use: Use, target: string, input: string, name: string, args: string, comment: string): string[] {
    const fn = this.names.get(use.block)!;
    if (!use.repeated) return [`const ${target} = ${fn}(${input}, ${name}${args});${comment}`];
    // `name` is a literal, 'layer1' or `${name}.block_0`: repetition i is named after it with `.i`.
    const each = `\`${name.slice(1, -1)}.\${i}\``;
    return [
      `let ${target} = ${input};`,
      `for (let i = 1; i <= ${use.scopes.length}; i++) ${target} = ${fn}(${target}, ${each}${args});${comment}`,
    ];
  }

  private functionName(block: BlockDef): string {
    const [first, ...rest] = block.name.split('_').filter(Boolean);
    let name = [first, ...rest.map((p) => p[0].toUpperCase() + p.slice(1))].join('');
    if (!/^[A-Za-z]/.test(name)) name = `block${name}`;
    while (this.used.has(name) || RESERVED.has(name)) name = `${name}_`;
    this.used.add(name);
    return name;
  }

  /** The block's function, or undefined when its uses need layers one text cannot write. */
  private write(block: BlockDef, scopes: readonly Scope[]): string | undefined {
    const params = new Set(block.params.map((p) => p.name.text));
    const bounds = scopes.map((s) => s.bound);
    const read = reader(scopes[0]);
    const locals = new Map<string, string>();
    const variable = (local: string) => {
      const v = RESERVED.has(local) || params.has(local) ? `${local}_` : local;
      locals.set(local, v);
      return v;
    };
    const lines: string[] = [];
    for (const [j, item] of scopes[0].items.entries()) {
      const items = scopes.map((s) => s.items[j]);
      const candidates = statementCandidates(item.statement, bounds, params, TS);
      const inputs = item.type === 'layer' ? item.layer.inputs : [item.use.scopes[0].input];
      const xs = inputs.map((p) => {
        const from = read(p);
        return from === 'input' ? 'x' : locals.get(from.local)!;
      });
      const x = xs.length === 1 ? xs[0] : `[${xs.join(', ')}]`;
      const target = variable(item.local);
      const comment = ` // ${this.note(scopes, items.map(itemOutput))}`;
      if (item.type === 'layer') {
        const layers = items.map((it) => (it as typeof item).layer);
        const calls = withDefaults(padded(layers.map(tfCalls), layers));
        const texts = calls.map((cs) => {
          let input = x;
          return cs
            .map((c, k) => {
              const last = k === cs.length - 1;
              const out = last ? target : `${target}${c.suffix}`;
              const line = callLine(c, out, `\`\${name}.${item.local}${c.suffix ?? ''}\``, input);
              input = out;
              return line;
            })
            .join('\n');
        });
        const text = unify(texts, candidates, statementLiterals(item.statement));
        if (text === undefined) return undefined;
        // The hooks' comments name the layer by its full name in the first use: here, by its name in the block.
        const comments = calls[0].map((c) => c.comment?.split(layers[0].name).join(item.local));
        text.split('\n').forEach((line, k) => {
          if (comments[k]) lines.push(`// ${comments[k]}`);
          lines.push(k === calls[0].length - 1 ? `${line}${comment}` : line);
        });
      } else {
        if (!this.names.has(item.use.block)) return undefined;
        const args = useArguments(item.use, params);
        lines.push(...this.call(item.use, target, x, `\`\${name}.${item.local}\``, args, comment));
      }
    }
    const fn = this.functionName(block);
    this.names.set(block, fn);
    const signature = block.params.map((p) => {
      const v = bounds[0].get(p.name.text)!;
      const type =
        v.kind === 'shape' ? '[number, number]' : v.kind === 'number' ? 'number' : TS.literal(v) ? 'boolean' : 'string';
      return p.default
        ? `${param(p.name.text)}: ${type} = ${argument(p.default, new Set())}`
        : `${param(p.name.text)}: ${type}`;
    });
    const header = `block ${block.name}${block.params.map((p) => ` ${p.name.text}${p.default ? `=${p.default.text}` : ''}`).join('')}`;
    const last = scopes[0].items[scopes[0].items.length - 1];
    return [
      `/** The .cnn ${header}: applies its layers to x, each named \`\${name}.LAYER\`. */`,
      `function ${fn}(x: tf.SymbolicTensor, name: string${signature.map((s) => `, ${s}`).join('')}): tf.SymbolicTensor {`,
      ...lines.map((l) => `  ${l}`),
      `  return ${locals.get(last.local)};`,
      '}',
    ].join('\n');
  }

  /** `56×56×64`, or where uses differ the first two with where they are. */
  private note(scopes: readonly Scope[], producers: readonly string[]): string {
    const seen = new Map<string, string>();
    producers.forEach((p, i) => {
      const shape = this.shape(p);
      if (!seen.has(shape)) seen.set(shape, scopes[i].prefix);
    });
    if (seen.size === 1) return [...seen.keys()][0];
    const listed = [...seen].slice(0, 2).map(([shape, where]) => `${shape} in ${where}`);
    return `${listed.join(', ')}${seen.size > 2 ? ', …' : ''}`;
  }
}

/** A value of a use as the function's argument: a parameter of the enclosing block, its arithmetic, a literal. */
function argument(v: Value, params: ReadonlySet<string>): string {
  if (v.kind === 'word' && params.has(v.text)) return param(v.text);
  if (v.kind === 'expr') return TS.arithmetic(v.text);
  return TS.literal(v) ?? `'${v.text}'`;
}

/** `, 64, stride = 2`: a use's arguments after the input and the name, positional, then by name in order. */
export function useArguments(use: Use, params: ReadonlySet<string>): string {
  const st = use.statement;
  const byName = new Map(
    st.options.filter((o) => o.key.text !== 'repeat' && o.key.text !== 'from').map((o) => [o.key.text, o.value]),
  );
  // TypeScript has no keyword arguments: every parameter up to the last given one, defaults filled in.
  const values = use.block.params.map((p, i) =>
    i < st.args.length ? st.args[i] : (byName.get(p.name.text) ?? p.default),
  );
  let n = values.length;
  while (n > 0 && (!values[n - 1] || values[n - 1] === use.block.params[n - 1].default)) n--;
  return values
    .slice(0, n)
    .map((v) => `, ${argument(v!, params)}`)
    .join('');
}

/** Kinds whose tfjs layer pads with zeros ('same' included), so an explicit zeroPadding2d before it is exact. */
const ZERO_PADDED = new Set(['conv2d', 'depthwiseConv2d']);

/**
 * The calls of one body layer where some uses pad explicitly (a zeroPadding2d first) and others with 'same' or
 * 'valid': all explicitly, each with its own padding, so one text can serve them (`[[stride - 1, 1], …]`).
 */
function padded(calls: readonly (readonly TfCall[])[], layers: readonly LayerInfo[]): (readonly TfCall[])[] {
  const main = calls.map((cs) => cs[cs.length - 1]);
  const explicit = calls.findIndex((cs) => cs.length === 2 && cs[0].fn === 'zeroPadding2d');
  const differ = calls.some((cs) => cs.length !== calls[0].length || cs[0].fn !== calls[0][0].fn);
  if (!differ || !ZERO_PADDED.has(main[0].fn) || main.some((c) => c.fn !== main[0].fn)) return [...calls];
  if (calls.some((cs, i) => cs.length > (i === explicit ? 2 : 1) || !layers[i].windows)) return [...calls];
  return calls.map((cs, i) => {
    if (cs.length === 2) return cs;
    const { h, w } = layers[i].windows!;
    const pad: TfCall = {
      fn: 'zeroPadding2d',
      suffix: '_pad',
      config: { padding: zeroPadding(h, w) },
      comment: "the padding ([[top, bottom], [left, right]]), explicit: the block's uses pad differently",
    };
    return [pad, { ...cs[0], config: { ...cs[0].config, padding: "'valid'" } }];
  });
}

/** The calls of one body layer with every config property one of them writes written in all, at tfjs's default. */
function withDefaults(calls: readonly (readonly TfCall[])[]): (readonly TfCall[])[] {
  if (calls.some((cs) => cs.length !== calls[0].length || cs.some((c, k) => c.fn !== calls[0][k].fn)))
    return [...calls];
  return calls.map((cs) =>
    cs.map((c, k) => {
      const keys: string[] = [];
      for (const other of calls)
        for (const key of Object.keys(other[k].config)) if (!keys.includes(key)) keys.push(key);
      if (keys.some((key) => !(key in c.config) && !(key in DEFAULTS))) return c;
      return { ...c, config: Object.fromEntries(keys.map((key) => [key, c.config[key] ?? DEFAULTS[key]])) };
    }),
  );
}
