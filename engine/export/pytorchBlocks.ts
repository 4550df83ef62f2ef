/**
 * Blocks in the PyTorch export: one `nn.Module` class per block definition, whose constructor takes the channels
 * arriving (`in_channels`, where a layer needs them) and the block's parameters, as torchvision's `BasicBlock`
 * takes `inplanes, planes, stride`. Its layers are named as in the block, so a use's state_dict keys are the
 * layers' full names (`layer2.1.conv1.weight`); a `repeat=` is an `nn.ModuleDict` keyed "1", "2", ….
 *
 * The layers' modules are the kinds' hooks run on every expansion, made one text by blocks.ts (`unify`): a number
 * that differs between uses is written as the parameter expression, or the channel count, that gives it in each.
 */
import type { BlockDef } from '../blocks';
import { formatShape } from '../shape';
import type { Value } from '../syntax';
import type { Candidate, Item, Scope, Syntax, Use } from './blocks';
import { cannotUnify, itemOutput, reader, statementCandidates, statementLiterals, unify } from './blocks';
import { assign, KEYWORDS, local, moduleRef, param, torchLayer } from './pytorchNames';
import { ExportError } from './target';

/** Values as Python writes them: numbers as the kinds' hooks print them, shapes as tuples, booleans. */
const PYTHON: Syntax = {
  param,
  literal(v: Value) {
    if (v.kind === 'number') return `${v.dims[0] ?? Number(v.text)}`;
    if (v.kind === 'shape') return `(${v.dims.join(', ')})`;
    if (v.kind === 'word' && (v.text === 'true' || v.text === 'false')) return v.text === 'true' ? 'True' : 'False';
    return undefined;
  },
  arithmetic: (text) =>
    text
      .replace(/\s+/g, '')
      .replace(/[A-Za-z_]\w*/g, param)
      .replace(/([+\-*/])/g, ' $1 ')
      .replace(/ \/ /g, ' // '),
};

/** A written class: its name, and whether its constructor takes the channels arriving. */
export interface BlockClass {
  readonly name: string;
  readonly block: BlockDef;
  readonly takesChannels: boolean;
}

/** A value of a use as the constructor's argument: a parameter of the enclosing block, its arithmetic, a literal. */
function argument(v: Value, params: ReadonlySet<string>): string {
  if (v.kind === 'word' && params.has(v.text)) return param(v.text);
  if (v.kind === 'expr') return PYTHON.arithmetic(v.text);
  return PYTHON.literal(v) ?? JSON.stringify(v.text);
}

/**
 * A use's module: its class built with the use's arguments as written, or for a `repeat=` an nn.ModuleDict of one
 * instance per repetition. `channels[r]` is what arrives at repetition r (an expression in a block, or a number).
 */
export function useModule(
  cls: BlockClass,
  use: Use,
  channels: readonly string[],
  params: ReadonlySet<string>,
): string[] {
  const st = use.statement;
  const args = [
    ...st.args.map((v) => argument(v, params)),
    ...st.options
      .filter((o) => o.key.text !== 'repeat' && o.key.text !== 'from')
      .map((o) => `${param(o.key.text)}=${argument(o.value, params)}`),
  ];
  const build = (c: string) => `${cls.name}(${[...(cls.takesChannels ? [c] : []), ...args].join(', ')})`;
  if (!use.repeated) return [build(channels[0])];
  return ['nn.ModuleDict({', ...channels.map((c, r) => `    "${r + 1}": ${build(c)},`), '})'];
}

/** A use's lines in forward: one call, or for a `repeat=` a loop over its repetitions in order. */
export function useCall(use: Use, m: string, target: string, input: string, comment: string): string[] {
  if (!use.repeated) return [`${target} = ${m}(${input})  ${comment}`];
  return [`${target} = ${input}`, `for block in ${m}.values():`, `    ${target} = block(${target})  ${comment}`];
}

/** The classes of a network's blocks, written innermost first (blocks.ts's order). */
export class BlockClasses {
  readonly written: string[] = [];
  readonly helpers: string[] = [];
  private readonly classes = new Map<BlockDef, BlockClass>();
  private readonly names = new Set<string>();

  constructor(
    blocks: ReadonlyMap<BlockDef, Scope[]>,
    private readonly shapeOf: (producer: string) => readonly number[],
  ) {
    for (const [block, scopes] of blocks) this.classes.set(block, this.write(block, scopes));
  }

  get(block: BlockDef): BlockClass {
    return this.classes.get(block)!;
  }

  taken(name: string): boolean {
    return this.names.has(name);
  }

  private className(block: BlockDef): string {
    const camel = block.name
      .split('_')
      .filter(Boolean)
      .map((p) => p[0].toUpperCase() + p.slice(1))
      .join('');
    let name = /^[A-Za-z]/.test(camel) && !['Add', 'Concat', 'Crop', 'Mul'].includes(camel) ? camel : `Block${camel}`;
    while (this.names.has(name) || KEYWORDS.has(name)) name = `${name}_`;
    this.names.add(name);
    return name;
  }

  private write(block: BlockDef, scopes: readonly Scope[]): BlockClass {
    const params = new Set(block.params.map((p) => p.name.text));
    const bounds = scopes.map((s) => s.bound);
    const arriving: Candidate = { expr: 'in_channels', values: scopes.map((s) => this.channels(s.input)) };
    const readers = scopes.map(reader);
    const channels = new Map<number, Candidate | undefined>();
    const init: string[] = [];
    const forward: string[] = [];
    scopes[0].items.forEach((item, j) => {
      const items = scopes.map((s) => s.items[j]);
      const candidates = statementCandidates(item.statement, bounds, params, PYTHON);
      const literals = statementLiterals(item.statement);
      const sources = (item.type === 'layer' ? item.layer.inputs : [item.use.scopes[0].input]).map((p) => {
        const from = readers[0](p);
        return from === 'input' ? -1 : scopes[0].items.indexOf(from);
      });
      const channelsOf = (source: number) => (source < 0 ? arriving : channels.get(source));
      const inChannels = channelsOf(sources[0]);
      const vars = sources.map((s) => (s < 0 ? 'x' : local(scopes[0].items[s].local)));
      const m = moduleRef(item.local);
      const outputs = items.map((it) => this.channels(itemOutput(it)));
      const sum = sources.map(channelsOf);
      const summed: Candidate[] =
        sum.length > 1 && sum.every(Boolean)
          ? [
              {
                expr: sum.map((c) => c!.expr).join(' + '),
                values: outputs.map((_, i) => `${sum.reduce((t, c) => t + Number(c!.values[i]), 0)}`),
              },
            ]
          : [];
      const own = pick(outputs, [...candidates, ...(inChannels ? [inChannels] : []), ...summed]);
      const shapes = this.shapeNote(scopes, items);
      if (item.type === 'layer') {
        const pys = items.map((it) => torchLayer((it as typeof item).layer, it.local));
        const modules = withDefaults(pys.map((py) => py.module));
        const texts = pys.map((py, i) => `${modules[i]}\n${py.call ? py.call(m, vars) : `${m}(${vars[0]})`}`);
        const text = unify(texts, [...(inChannels ? [inChannels] : []), ...candidates], literals);
        if (text === undefined)
          throw cannotUnify(
            block,
            item.local,
            pys.map((p) => p.module),
            'PyTorch',
          );
        const [module, call] = text.split('\n');
        init.push(`        ${assign(item.local, module)}${pys[0].comment ? `  # ${pys[0].comment}` : ''}`);
        forward.push(`        ${local(item.local)} = ${call}  ${shapes}`);
        this.helpers.push(...(pys[0].helpers ?? []));
      } else {
        const inner = this.get(item.use.block);
        const arrivals = item.use.scopes.map((_, r) => {
          const values = items.map((it) => this.channels((it as typeof item).use.scopes[r].input));
          const expr = pick(values, [
            ...(inChannels ? [inChannels] : []),
            ...(r > 0 && own ? [own] : []),
            ...candidates,
          ]);
          if (expr === undefined)
            throw new ExportError(
              `block ${block.name}: the channels arriving at its use ${item.local} differ between uses, and no parameter of the block gives them`,
              item.local,
            );
          return expr.expr;
        });
        const lines = useModule(inner, item.use, arrivals, params);
        init.push(`        ${assign(item.local, lines[0])}`, ...lines.slice(1).map((l) => `        ${l}`));
        forward.push(...useCall(item.use, m, local(item.local), vars[0], shapes).map((l) => `        ${l}`));
      }
      channels.set(j, own);
    });
    const takesChannels = init.some((l) => /\bin_channels\b/.test(l));
    const signature = [
      'self',
      ...(takesChannels ? ['in_channels'] : []),
      ...block.params.map((p) =>
        p.default ? `${param(p.name.text)}=${argument(p.default, new Set())}` : param(p.name.text),
      ),
    ];
    const header = `block ${block.name}${block.params.map((p) => ` ${p.name.text}${p.default ? `=${p.default.text}` : ''}`).join('')}`;
    const uses = scopes.map((s) => s.prefix);
    const name = this.className(block);
    const last = scopes[0].items[scopes[0].items.length - 1];
    this.written.push(
      [
        `class ${name}(nn.Module):`,
        `    """The .cnn ${header}, used as ${uses.slice(0, 4).join(', ')}${uses.length > 4 ? ` and ${uses.length - 4} more` : ''}."""`,
        '',
        `    def __init__(${signature.join(', ')}):`,
        '        super().__init__()',
        ...init,
        '',
        '    def forward(self, x):',
        ...forward,
        `        return ${local(last.local)}`,
      ].join('\n'),
    );
    return { name, block, takesChannels };
  }

  /** The channels of a producer's output (a vector's length). */
  private channels(producer: string): string {
    return `${this.shapeOf(producer)[0]}`;
  }

  /** `# N×64×56×56`, or where uses differ the first two with where they are. */
  private shapeNote(scopes: readonly Scope[], items: readonly Item[]): string {
    const seen = new Map<string, string>();
    items.forEach((it, i) => {
      const shape = `N×${formatShape(this.shapeOf(itemOutput(it)))}`;
      if (!seen.has(shape)) seen.set(shape, scopes[i].prefix);
    });
    if (seen.size === 1) return `# ${[...seen.keys()][0]}`;
    const listed = [...seen].slice(0, 2).map(([shape, where]) => `${shape} in ${where}`);
    return `# ${listed.join(', ')}${seen.size > 2 ? ', …' : ''}`;
  }
}

/** The first candidate whose value is each expansion's, else the number all share; undefined otherwise. */
function pick(values: readonly string[], candidates: readonly Candidate[]): Candidate | undefined {
  const fit = candidates.find((c) => c.values.every((v, i) => v === values[i]));
  if (fit) return fit;
  return values.every((v) => v === values[0]) ? { expr: values[0], values } : undefined;
}

/** PyTorch's defaults for the arguments the kinds' hooks leave out when they have them (torch 1.13). */
const DEFAULTS: Readonly<Record<string, string>> = {
  stride: '(1, 1)',
  padding: '(0, 0)',
  output_padding: '(0, 0)',
  dilation: '(1, 1)',
  groups: '1',
  bias: 'True',
  ceil_mode: 'False',
  eps: '0.00001',
  negative_slope: '0.01',
  alpha: '1',
};

/**
 * The modules of one body layer with every keyword argument that one of them writes written in all, at its
 * default where a hook left it out (`stride=(1, 1)` beside a use's `stride=(2, 2)`), so their texts line up.
 */
function withDefaults(modules: readonly string[]): readonly string[] {
  const calls = modules.map(parseCall);
  if (calls.some((c) => !c || c.head !== calls[0]!.head)) return modules;
  const order: string[] = [];
  for (const c of calls)
    c!.keywords.forEach(([k], i) => {
      if (order.includes(k)) return;
      const before = i > 0 ? order.indexOf(c!.keywords[i - 1][0]) : -1;
      order.splice(before + 1, 0, k);
    });
  if (order.some((k) => !calls.every((c) => c!.keywords.some(([key]) => key === k)) && !(k in DEFAULTS)))
    return modules;
  return calls.map((c) => {
    const given = new Map(c!.keywords);
    const args = [...c!.positional, ...order.map((k) => `${k}=${given.get(k) ?? DEFAULTS[k]}`)];
    return `${c!.head}(${args.join(', ')})`;
  });
}

/** `nn.Conv2d(3, 64, kernel_size=(5, 5))`: the callee, the positional arguments and the keywords, in order. */
function parseCall(text: string): { head: string; positional: string[]; keywords: [string, string][] } | undefined {
  const open = text.indexOf('(');
  if (open < 0 || !text.endsWith(')')) return undefined;
  const parts: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = start; i < text.length - 1; i++) {
    const ch = text[i];
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (text.slice(start, -1).trim()) parts.push(text.slice(start, -1).trim());
  const keyword = /^([A-Za-z_]\w*)=(.*)$/s;
  return {
    head: text.slice(0, open),
    positional: parts.filter((p) => !keyword.test(p)),
    keywords: parts.filter((p) => keyword.test(p)).map((p) => p.match(keyword)!.slice(1, 3) as [string, string]),
  };
}
