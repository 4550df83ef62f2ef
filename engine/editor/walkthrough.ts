/**
 * The backprop walkthrough: the network read from the loss back to the input, one step per layer, each with
 * the δ that arrives at its output, the δ it sends to its input(s), and the rules (δ and parameter gradients)
 * in the network's own sizes. Layers are checked in a topological order, so its reverse is an order in which
 * every δ is complete before it is used: the order backprop runs in.
 */
import type { Analysis } from '../check';
import { formatShape, type Shape } from '../shape';
import type { TextRange } from '../text';

export interface BackpropStep {
  /** The layer's name; `loss` for the first step, the input's name for the last. */
  readonly name: string;
  readonly kind: string;
  /** 1-based line; absent when the statement is implicit (a default loss). */
  readonly line?: number;
  /** The statement: the cursor inside it selects this step. */
  readonly range?: TextRange;
  /** δ at the layer's output, `?` where unknown; empty for the loss. */
  readonly deltaOut: string;
  /** δ at each input: where this step sends the error. */
  readonly deltaIn: readonly { readonly name: string; readonly shape: string }[];
  /** How δ gets from the output to the input(s). */
  readonly rule?: string;
  /** How the parameter gradients follow from that δ. */
  readonly paramRules: readonly string[];
  /** The layer's hand-written rules (`backward NAME: …`), as written: what runs and checks use in their place. */
  readonly written: readonly string[];
  /** For a layer of a block's expansion: the use at the top level (`layer2`) and its block and arguments. */
  readonly group?: { readonly name: string; readonly description: string };
}

const shape = (s: Shape | null | undefined) => (s ? formatShape(s) : '?');

const LOSS_TEXT = {
  cross_entropy: 'cross-entropy against the labels',
  mse: 'mean squared error against the targets',
} as const;

export function backpropSteps(a: Analysis): BackpropStep[] {
  const last = a.layers[a.layers.length - 1];
  const lossStatement = a.document.statements.find((s) => s.type === 'loss');
  const steps: BackpropStep[] = [];
  if (last) {
    steps.push({
      name: 'loss',
      kind: a.loss,
      ...(lossStatement && { line: a.lines.position(lossStatement.range.start).line, range: lossStatement.range }),
      deltaOut: '',
      deltaIn: [{ name: last.name, shape: shape(last.output) }],
      rule: `L = ${LOSS_TEXT[a.loss]}, averaged over the batch; backprop starts with δ(${last.name}) = ∂L/∂${last.name}, ${shape(last.output)} per sample`,
      paramRules: [],
      written: [],
    });
  }
  for (let i = a.layers.length - 1; i >= 0; i--) {
    const l = a.layers[i];
    steps.push({
      name: l.name,
      kind: l.kind,
      line: l.line,
      range: l.statement.range,
      deltaOut: shape(l.output),
      deltaIn: l.inputs.map((name, j) => ({ name, shape: shape(l.inputShapes[j]) })),
      ...(l.rule && { rule: l.rule }),
      paramRules: l.paramRules ?? [],
      written: a.backward.filter((b) => b.layer?.text === l.name && b.rule.text.trim()).map((b) => b.rule.text.trim()),
      ...(l.use && { group: { name: l.use.topName, description: l.use.description } }),
    });
  }
  if (a.input) {
    steps.push({
      name: a.input.name,
      kind: 'input',
      line: a.lines.position(a.input.statement.range.start).line,
      range: a.input.statement.range,
      deltaOut: shape(a.input.shape),
      deltaIn: [],
      rule: `δ(${a.input.name}) ${shape(a.input.shape)} is where the error ends: the input has no parameters to update`,
      paramRules: [],
      written: [],
    });
  }
  return steps;
}

/** The step whose statement holds `offset`, if any. */
export function stepAt(steps: readonly BackpropStep[], offset: number): BackpropStep | undefined {
  return steps.find((s) => s.range && s.range.start <= offset && offset <= s.range.end);
}
