/**
 * Completion: what may come next at a position, from the text before it on its line and the names the
 * network defines above it. Layer kinds at the start of a statement, a kind's options (with their defaults),
 * option values, layer names after `from=` and in `add`/`concat`, and in a backward rule the layer's targets,
 * then its arrays (with their shapes) and the rule language's functions.
 */
import { RULE_FUNCTIONS, environment } from '../backward';
import type { Analysis } from '../analysis';
import { LAYER_KINDS } from '../layers';
import type { OptionTable } from '../layers/kind';
import type { BlockStatement } from '../syntax';
import { blockStatements } from './blocks';

export interface Completion {
  readonly label: string;
  readonly kind: 'layer' | 'keyword' | 'option' | 'value' | 'name' | 'function';
  readonly detail?: string;
  readonly documentation?: string;
  /** Text to insert when it differs from the label (`stride=`). */
  readonly insertText?: string;
}

const STATEMENTS: readonly Completion[] = [
  {
    label: 'input',
    kind: 'keyword',
    detail: 'input SHAPE',
    documentation: 'The network input: C×H×W or a vector length; exactly one, before the layers.',
  },
  {
    label: 'network',
    kind: 'keyword',
    detail: 'network NAME',
    documentation: 'Names the network; the first statement.',
  },
  {
    label: 'loss',
    kind: 'keyword',
    detail: 'loss cross_entropy|mse',
    documentation: 'The loss; cross_entropy after softmax, else mse by default.',
  },
  {
    label: 'sample',
    kind: 'keyword',
    detail: 'sample batch=N seed=S size=HxW',
    documentation: 'Defaults for sample runs and gradient checks; size=HxW runs them at that input size.',
  },
  {
    label: 'backward',
    kind: 'keyword',
    detail: 'backward NAME: dx = …',
    documentation: 'A hand-written backward rule for a layer.',
  },
  {
    label: 'block',
    kind: 'keyword',
    detail: 'block NAME PARAM… [PARAM=DEFAULT…] … end',
    documentation: 'A named, parameterised group of layers, used like a layer kind.',
  },
];

export function completionsAt(a: Analysis, offset: number): Completion[] {
  const text = a.document.text;
  let lineStart = offset;
  while (lineStart > 0 && text[lineStart - 1] !== '\n' && text[lineStart - 1] !== '\r') lineStart--;
  const before = text.slice(lineStart, offset);
  if (/#|\/\//.test(before)) return [];
  const names = () => namesAbove(a, lineStart);

  // `backward NAME: TARGET = EXPR`: the layers above, then the layer's targets, then what its rule may use.
  if (/^\s*backward\s+\w*$/.test(before)) return names().filter((n) => n.label !== a.input?.name);
  const rule = /^\s*backward\s+(\w+)\s*:(.*)$/.exec(before);
  if (rule) return ruleCompletions(a, rule[1], rule[2], lineStart);

  // After `from=`: the layers above; after another option, the words it takes.
  if (/\bfrom\s*=\s*\w*$/.test(before)) return names();
  const option = /\b(\w+)\s*=\s*\w*$/.exec(before);
  if (option) return optionValues(before, option[1]).map((v) => ({ label: v, kind: 'value' as const }));
  if (/^\s*loss\s+\w*$/.test(before))
    return ['cross_entropy', 'mse'].map((v) => ({ label: v, kind: 'value' as const }));

  // The start of a statement, after an optional `NAME:`.
  const head = /^\s*(?:([A-Za-z_]\w*)\s*:\s*)?(\w*)$/.exec(before);
  const blocks = blockStatements(a);
  if (head) {
    const kinds = [...LAYER_KINDS.values()].map((k): Completion => ({
      label: k.kind,
      kind: 'layer',
      detail: k.usage,
      documentation: k.summary,
    }));
    const uses = blocks.flatMap((b): Completion[] =>
      b.name
        ? [
            {
              label: b.name.text,
              kind: 'layer',
              detail: blockSignature(b),
              documentation: `block ${b.name.text}: ${b.body.length} statements`,
            },
          ]
        : [],
    );
    return head[1] ? [...kinds, ...uses] : [...kinds, ...uses, ...STATEMENTS];
  }

  const used = /^\s*(?:[A-Za-z_]\w*\s*:\s*)?([A-Za-z_]\w*)\s/.exec(before);
  const block = used && blocks.find((b) => b.name?.text === used[1]);
  if (block) return blockOptions(block);

  const statement = /^\s*(?:[A-Za-z_]\w*\s*:\s*)?([a-z_]+)\s+(.*)$/.exec(before);
  const kind = statement && LAYER_KINDS.get(statement[1]);
  if (!kind) return [];
  if (kind.namedInputs) return names();
  const args = statement[2].split(/\s+/).filter((w) => w && !w.includes('='));
  const options = Object.entries(kind.options as OptionTable<Record<string, unknown>>).map(
    ([key, spec]): Completion => ({
      label: key,
      kind: 'option',
      detail: `default ${spec.default}`,
      documentation: spec.doc,
      insertText: `${key}=`,
    }),
  );
  const from: Completion = {
    label: 'from',
    kind: 'option',
    detail: 'default: the line above',
    documentation: 'from: the layer this one reads',
    insertText: 'from=',
  };
  // A positional argument that takes words (`pool max|mean`): its words while it is being written.
  const at = /\s$/.test(before) ? args.length : args.length - 1;
  const words = kind.argValues?.[at];
  if (words) return words.map((v) => ({ label: v, kind: 'value' as const }));
  return [...options, from];
}

/** `basic c stride=1`: how a block is used. */
function blockSignature(b: BlockStatement): string {
  return [b.name!.text, ...b.params.map((p) => (p.default ? `${p.name.text}=${p.default.text}` : p.name.text))].join(
    ' ',
  );
}

/** A use's named arguments: the block's parameters, `repeat=` and `from=`. */
function blockOptions(b: BlockStatement): Completion[] {
  return [
    ...b.params.map((p): Completion => ({
      label: p.name.text,
      kind: 'option',
      detail: p.default ? `default ${p.default.text}` : 'required',
      documentation: `a parameter of ${blockSignature(b)}`,
      insertText: `${p.name.text}=`,
    })),
    {
      label: 'repeat',
      kind: 'option',
      detail: 'default 1',
      documentation: "repeat=N chains N uses, each reading the previous one's output",
      insertText: 'repeat=',
    },
    {
      label: 'from',
      kind: 'option',
      detail: 'default: the line above',
      documentation: 'from: the layer the first use reads',
      insertText: 'from=',
    },
  ];
}

/** The words option `key` takes, read from the kind of the statement being written (`pad=` of conv: same, full, valid). */
function optionValues(before: string, key: string): readonly string[] {
  const statement = /^\s*(?:[A-Za-z_]\w*\s*:\s*)?([a-z_]+)\s/.exec(before);
  const kind = statement && LAYER_KINDS.get(statement[1]);
  const spec =
    kind && Object.hasOwn(kind.options, key) ? (kind.options as OptionTable<Record<string, unknown>>)[key] : undefined;
  return spec?.values ?? [];
}

function namesAbove(a: Analysis, lineStart: number): Completion[] {
  const items: Completion[] = [];
  if (a.input && a.input.statement.range.start < lineStart)
    items.push({
      label: a.input.name,
      kind: 'name',
      detail: a.input.shape ? `input ${a.input.shape.join('×')}` : 'input',
    });
  for (const l of a.layers) {
    if (l.statement.range.start >= lineStart) break;
    items.push({ label: l.name, kind: 'name', detail: `${l.kind} → ${l.output ? l.output.join('×') : '?'}` });
  }
  return items;
}

function ruleCompletions(a: Analysis, name: string, rule: string, lineStart: number): Completion[] {
  const layer = a.layers.find((l) => l.name === name && l.statement.range.start < lineStart);
  if (!layer || (rule.split("'").length - 1) % 2 === 1) return []; // inside a string
  if (!rule.includes('=')) {
    if (!/^\s*\w*$/.test(rule)) return [];
    const shape = (s: readonly number[] | null | undefined) => (s ? s.join('×') : '?');
    return [
      { label: 'dx', kind: 'name', detail: `δ at the input, ${shape(layer.inputShapes[0])}` },
      ...layer.params.map((p): Completion => ({
        label: `d${p.name}`,
        kind: 'name',
        detail: `gradient of ${p.name}, ${shape(p.shape)}`,
      })),
    ];
  }
  if (!/(^|[^\w.'\]])\w*$/.test(rule)) return [];
  const arrays = [...environment(layer)].map(([n, s]): Completion => ({ label: n, kind: 'name', detail: s.join('×') }));
  const functions = Object.entries(RULE_FUNCTIONS).map(([f, { doc }]): Completion => ({
    label: f,
    kind: 'function',
    detail: doc,
  }));
  return [...arrays, ...functions];
}
