/**
 * Import from TensorFlow.js: the `.cnn` network a tfjs model builds, read from its code in place (code/read.ts)
 * and written by the mapping in importLayers.ts. One model is converted: the one asked for by name (its function,
 * variable or `name`), else the one written around `at`, else the first; the others are named in a comment.
 *
 * Every layer is written exactly or not at all: what cannot be expressed throws ImportError naming the layer,
 * and the network written is checked before it is returned, with each layer's tfjs shape (channels-first) as its
 * `-> SHAPE` assertion, so an import that disagrees with tfjs's own shapes is never handed out.
 */
import { check, LAYER_KINDS } from '../engine';
import { STATEMENT_KEYWORDS } from '../engine/parser';
import { readTfjsGraph, type TfGraph, type TfModelInput, type TfSource } from './code/read';
import { Cfg, type Fold, ImportError, type Unit } from './importConfig';
import { KINDS } from './importLayers';

export { ImportError, isImportError } from './importConfig';

export interface ImportOptions {
  /** The file's name, for the header and the reader (`.ts` or `.js`). */
  readonly fileName?: string;
  /** The model to convert: its function's or variable's name, or its `name`. */
  readonly model?: string;
  /** An offset in the text: the model written around it, when no name is given. */
  readonly at?: number;
}

/** A model the file builds: its input, its output and what to call it. */
interface Found {
  readonly input: number;
  readonly output: TfSource | undefined;
  readonly name?: string;
  readonly label: string;
  readonly start: number;
  readonly end: number;
}

const isLayer = (s: TfSource): s is { layer: number } => 'layer' in s;

function models(g: TfGraph): Found[] {
  const found: Found[] = [];
  const label = (i: TfModelInput, name?: string) => i.owner ?? name ?? i.name ?? `the model at offset ${i.range.start}`;
  // Functional models end in tf.model({ inputs, outputs }); a tf.input no tf.model uses is not a model.
  for (const m of g.models) {
    const first = m.inputs?.length === 1 ? m.inputs[0] : undefined;
    const input = first && 'input' in first ? first.input : undefined;
    if (input === undefined) {
      const why = !m.inputs ? 'its inputs cannot be read' : 'it has several inputs; a .cnn network has one';
      found.push({ input: -1, output: undefined, label: `tf.model (${why})`, start: m.range.start, end: m.range.end });
      continue;
    }
    const i = g.inputs[input];
    const output = m.outputs?.length === 1 ? m.outputs[0] : undefined;
    found.push({
      input,
      output,
      name: m.name,
      label: label(i, m.name),
      start: i.scope?.start ?? Math.min(i.range.start, m.range.start),
      end: i.scope?.end ?? m.range.end,
    });
  }
  g.inputs.forEach((i, input) => {
    if (i.kind === 'sequential')
      found.push({
        input,
        output: i.last,
        name: i.name,
        label: label(i),
        start: (i.scope ?? i.range).start,
        end: (i.scope ?? i.range).end,
      });
  });
  return found.sort((a, b) => a.start - b.start);
}

function choose(all: readonly Found[], options: ImportOptions, file: string): Found {
  if (!all.length) throw new ImportError(`${file}: no tf.sequential or tf.model found to import`);
  if (options.model !== undefined) {
    const m = all.find((f) => f.label === options.model || f.name === options.model);
    if (!m)
      throw new ImportError(
        `${file}: no model named '${options.model}'; the file builds ${all.map((f) => f.label).join(', ')}`,
      );
    return m;
  }
  const at = options.at;
  const around = at === undefined ? undefined : all.filter((f) => f.start <= at && at <= f.end).pop();
  return around ?? all[0];
}

/** The layers the output depends on, in the order they are applied; throws where the graph cannot be followed. */
function reaching(g: TfGraph, m: Found): number[] {
  const layers = g.analysis.layers;
  if (!m.output)
    throw new ImportError(
      `${m.label}: its output cannot be followed in the text (a layer applied in a loop or under a condition, or a value that is not a model's tensor)`,
    );
  const seen = new Set<number>();
  const visit = (s: TfSource, reader: string) => {
    if (!isLayer(s)) {
      if ((s as { input: number }).input !== m.input)
        throw new ImportError(`${reader}: reads a second model input; a .cnn network has one input`);
      return;
    }
    if (seen.has(s.layer)) return;
    seen.add(s.layer);
    const label = layers[s.layer].label;
    g.details[s.layer].sources.forEach((source, k) => {
      if (!source)
        throw new ImportError(
          `${label}: its input${g.details[s.layer].sources.length > 1 ? ` ${k + 1}` : ''} cannot be followed in the text (applied in a loop, under a condition, or to a value that is not a model's tensor)`,
        );
      visit(source, label);
    });
  };
  visit(m.output, m.label);
  const order = [...seen].sort((a, b) => a - b);
  // One layer object applied twice shares its weights, which .cnn layers never do.
  const byConfig = new Map<number, number>();
  for (const i of order) {
    const other = byConfig.get(layers[i].range.start);
    if (other !== undefined)
      throw new ImportError(
        `${layers[i].label}: one layer object applied twice shares its weights, which two .cnn layers cannot`,
      );
    byConfig.set(layers[i].range.start, i);
  }
  return order;
}

/** The `.cnn` text of the model; throws ImportError naming what cannot be written exactly. */
export function importTfjs(text: string, options: ImportOptions = {}): string {
  const file = options.fileName?.replace(/^.*[\\/]/, '') ?? 'model.ts';
  const g = readTfjsGraph(text, file);
  if (!g.analysis.importsTfjs)
    throw new ImportError(`${file}: does not import TensorFlow.js (@tensorflow/tfjs, -node or -layers)`);
  const all = models(g);
  const m = choose(all, options, file);
  if (m.input < 0) throw new ImportError(`${file}: cannot import ${m.label}`);
  const order = reaching(g, m);
  const error = g.analysis.diagnostics.find(
    (d) => d.severity === 'error' && order.some((i) => g.analysis.layers[i].range.start === d.range.start),
  );
  if (error) throw new ImportError(`the model has errors; the first: ${error.message}`);
  const input = g.inputs[m.input];
  const body = writeUnits(g, order, input);
  const others = all.filter((f) => f !== m);
  const header = [
    `# Imported by CNN Lens from ${file}${m.label ? ` (${m.label})` : ''}. TensorFlow.js is channels-last: an H×W×C`,
    '# map there is C×H×W here. Each layer asserts the shape tfjs gives it.',
    ...(others.length
      ? [`# The file builds ${all.length} models; the others (${others.map((f) => f.label).join(', ')}) are not here.`]
      : []),
  ];
  const networkName = m.name;
  const network =
    networkName && /^[A-Za-z_]\w*$/.test(networkName) && !KEYWORDS.has(networkName) ? [`network ${networkName}`] : [];
  const cnn = [...header, ...network, ...body.lines, ''].join('\n');
  // The network must check clean with every shape tfjs's. What the checker refuses (a softmax before the last
  // layer) is refused for the tfjs layer that wrote the line.
  const problem = check(cnn).diagnostics.find((d) => d.severity === 'error');
  if (problem) {
    const line = cnn.slice(0, problem.range.start).split('\n').length - 1 - header.length - network.length;
    const layer = body.layers[line];
    throw new ImportError(`${layer ?? 'the input'}: .cnn cannot write it here (${problem.code}: ${problem.message})`);
  }
  return cnn;
}

const KEYWORDS = new Set<string>([...LAYER_KINDS.keys(), ...STATEMENT_KEYWORDS]);

/** A tfjs name as a .cnn name: its own where it is one, else with `_` for what a .cnn name cannot hold. */
function cnnName(name: string): string {
  let n = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (/^[0-9]/.test(n)) n = `_${n}`;
  return KEYWORDS.has(n) ? `${n}_` : n;
}

const shapeText = (s: readonly number[]) => (s.length === 3 ? `${s[2]}x${s[0]}x${s[1]}` : s.join('x'));

/** The model's layers as `.cnn` lines, from its input to its output, each with the tfjs layer it writes. */
function writeUnits(g: TfGraph, order: readonly number[], input: TfModelInput): Written {
  const layers = g.analysis.layers;
  if (!input.shape || (input.shape.length !== 3 && input.shape.length !== 1))
    throw new ImportError(
      input.shape
        ? `the input is ${input.shape.join('×')}; a .cnn input is an H×W×C image (C×H×W here) or a vector`
        : 'the input shape cannot be read (inputShape or shape: a literal, a const or arithmetic on them)',
    );
  const inOrder = new Set(order);
  const readers = new Map<number, number[]>();
  for (const i of order)
    for (const s of g.details[i].sources)
      if (s && 'layer' in s && inOrder.has(s.layer)) readers.set(s.layer, [...(readers.get(s.layer) ?? []), i]);
  const folds = new Map<number, Fold>();
  const units = new Map<number, Unit>();
  for (const i of order) {
    const l = layers[i];
    const map = KINDS[l.fn];
    if (!map) throw new ImportError(`${l.label}: tf.layers.${l.fn} has no .cnn equivalent in this version`);
    if (!l.output || l.inputs.some((s) => !s))
      throw new ImportError(
        `${l.label}: its shape cannot be read (a value that is not a literal, a const or arithmetic on them)`,
      );
    const sources = g.details[i].sources as TfSource[];
    const result = map({
      g,
      index: i,
      fn: l.fn,
      label: l.label,
      cfg: new Cfg(g.details[i], l.label),
      inputs: l.inputs as number[][],
      output: l.output,
      sources,
      readers: readers.get(i) ?? [],
      fold: (k) => {
        const s = sources[k];
        return 'layer' in s ? folds.get(s.layer) : undefined;
      },
    });
    if ('lines' in result) units.set(i, result);
    else folds.set(i, result);
  }
  return render(g, order, input, units);
}

/** Names and inputs: a line reads the line above unless it says `from=`; merges name theirs. */
function render(g: TfGraph, order: readonly number[], input: TfModelInput, units: ReadonlyMap<number, Unit>): Written {
  const layers = g.analysis.layers;
  const kept = order.filter((i) => units.has(i));
  const inputName =
    input.kind === 'input' &&
    input.name &&
    input.name !== 'input' &&
    !KEYWORDS.has(input.name) &&
    /^[A-Za-z_]\w*$/.test(input.name)
      ? input.name
      : 'input';
  // Each line's name: the layer's own (where the code names it) on its named line.
  const names = new Map<number, (string | undefined)[]>();
  const renamed: string[] = [];
  for (const i of kept) {
    const u = units.get(i)!;
    const own = g.details[i].named ? cnnName(layers[i].label) : undefined;
    if (own && own !== layers[i].label) renamed.push(`# ${layers[i].label} is named ${own} here`);
    names.set(
      i,
      u.lines.map((_, k) => (k === u.named ? own : undefined)),
    );
  }
  // A layer read by anything but the line after it is referred to by its last line's name.
  const taken = new Set([inputName, ...[...names.values()].flat().filter((n) => n !== undefined)]);
  const fresh = (base: string) => {
    let name = base;
    for (let k = 2; taken.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    return name;
  };
  const counts = new Map<string, number>();
  const ref = (s: TfSource): string => {
    if (!('layer' in s)) return inputName;
    const list = names.get(s.layer)!;
    const last = list.length - 1;
    if (!list[last]) {
      // Named on another line (a conv before its activation): the last line takes the name with its kind.
      const own = list.find((n) => n);
      const kind = units.get(s.layer)!.lines[last].text.split(' ')[0];
      const fn = layers[s.layer].fn;
      counts.set(fn, (counts.get(fn) ?? 0) + 1);
      list[last] = fresh(own ? `${own}_${kind}` : `${fn}_${counts.get(fn)}`);
    }
    return list[last]!;
  };
  const reads: string[][] = kept.map((i, p) => {
    const u = units.get(i)!;
    const prev = p === 0 ? undefined : kept[p - 1];
    const linear =
      !u.merge && u.inputs.length === 1 && ('layer' in u.inputs[0] ? u.inputs[0].layer === prev : prev === undefined);
    return linear ? [] : u.inputs.map(ref);
  });
  const lines: { name?: string; text: string; layer?: string }[] = [];
  const comments = kept.map((i) => units.get(i)!.comments);
  kept.forEach((i, p) => {
    const u = units.get(i)!;
    const list = names.get(i)!;
    for (const c of comments[p]) lines.push({ text: c });
    u.lines.forEach((line, k) => {
      let text = line.text;
      if (k === 0 && reads[p].length) text = u.merge ? `${text} ${reads[p].join(', ')}` : `${text} from=${reads[p][0]}`;
      if (k === u.named) text = `${text} -> ${shapeText(layers[i].output!)}`;
      lines.push({ name: list[k], text, layer: layers[i].label });
    });
  });
  const width = Math.max(0, ...lines.map((l) => (l.name ? l.name.length + 2 : 0)));
  return {
    lines: [
      ...renamed,
      `input ${inputName === 'input' ? '' : `${inputName} `}${shapeText(input.shape!)}`,
      ...lines.map((l) =>
        l.text.startsWith('#') ? l.text : `${(l.name ? `${l.name}: ` : '').padEnd(width)}${l.text}`.trimEnd(),
      ),
    ],
    layers: [...renamed.map(() => undefined), undefined, ...lines.map((l) => l.layer)],
  };
}

/** `.cnn` lines, and the tfjs layer each writes (undefined for the input and notes). */
interface Written {
  readonly lines: readonly string[];
  readonly layers: readonly (string | undefined)[];
}
