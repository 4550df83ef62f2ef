/**
 * mul NAME NAME: PyTorch's a * b. Two inputs of one shape multiply elementwise; one C×H×W map and one scale of
 * one value per channel (C×1×1, or a vector of C) multiply with the scale broadcast over H×W, the product of
 * squeeze-and-excitation. δ at each operand is δy times the other, summed over H×W for the broadcast scale.
 */
import { ExportError } from '../export/target';
import { channelMulBackward, channelMulForward, mulBackward, mulForward } from '../kernels';
import { elementCount, formatShape, sameShape, type Shape } from '../shape';
import type { Value } from '../syntax';
import { type InputRef, type LayerKind, type Nothing } from './kind';

export interface MulConfig {
  readonly inputs: readonly Value[];
}

/** One value per channel: a vector, or C×1×1. */
const isScale = (s: Shape) => s.length === 1 || (s.length === 3 && s[1] === 1 && s[2] === 1);

/** Which operand is the broadcast scale (0 or 1), or undefined when the shapes are equal. */
function scaleIndex(shapes: readonly Shape[]): 0 | 1 | undefined {
  const [a, b] = shapes;
  if (sameShape(a, b)) return undefined;
  // A vector against a map (C×H×W or C×1×1) is the scale; of two maps, the C×1×1 one.
  if (a.length !== b.length) return a.length === 1 ? 0 : 1;
  return isScale(b) ? 1 : 0;
}

const DEFINE_MUL = `class Mul(nn.Module):
    """The product of its two inputs (\`mul\` in the .cnn network); a vector of C is a per-channel scale over H×W."""

    def forward(self, a, b):
        if a.dim() != b.dim():
            a, b = (t.reshape(t.shape[0], t.shape[1], 1, 1) if t.dim() == 2 else t for t in (a, b))
        return a * b`;

export const mul: LayerKind<Nothing, MulConfig> = {
  kind: 'mul',
  summary:
    'elementwise product of two layers: of one shape, or a map and one scale per channel (C×1×1 or a vector of C) broadcast over H×W',
  usage: 'mul NAME NAME',
  namedInputs: true,
  options: {},
  configure(args, _o, cx) {
    const bad = args.find((a) => a.kind !== 'word');
    if (bad) {
      cx.report({
        severity: 'error',
        code: 'syntax',
        message: `mul takes layer names, not '${bad.text}'`,
        range: bad.range,
      });
      return undefined;
    }
    if (args.length !== 2) {
      const at = args.length > 2 ? args[2].range : (args[0]?.range ?? cx.node.kind.range);
      cx.report({
        severity: 'error',
        code: 'syntax',
        message: `${cx.layer}: mul takes two layer names, as in \`mul a b\``,
        range: at,
      });
      return undefined;
    }
    return { inputs: args };
  },
  infer(_c, inputs, cx) {
    const [a, b] = inputs;
    const fail = (code: 'channel-mismatch' | 'spatial-mismatch', blamed: InputRef, other: InputRef, why: string) => {
      cx.report({
        severity: 'error',
        code,
        message: `${cx.layer}: ${blamed.name} is ${formatShape(blamed.shape)} but ${other.name} is ${formatShape(other.shape)}; ${why}`,
        range: blamed.range,
        related: [{ range: other.range, message: `${other.name} is ${formatShape(other.shape)}` }],
      });
      return undefined;
    };
    if (a.shape[0] !== b.shape[0]) return fail('channel-mismatch', b, a, 'mul needs the same channels');
    if (sameShape(a.shape, b.shape)) return { output: a.shape, macs: elementCount(a.shape) };
    if (!isScale(a.shape) && !isScale(b.shape)) {
      return fail(
        'spatial-mismatch',
        b,
        a,
        'mul needs the same H×W, or one operand of one value per channel (C×1×1 or a vector of C)',
      );
    }
    if (a.shape.length === 1 && b.shape.length === 1)
      return fail('channel-mismatch', b, a, 'mul needs the same length');
    const map = inputs[1 - scaleIndex([a.shape, b.shape])!];
    return {
      output: map.shape,
      macs: elementCount(map.shape),
      ...(map.channelsFrom && { channelsFrom: map.channelsFrom }),
    };
  },
  rule(_c, inputs, cx) {
    const dy = `δ(${cx.layer})`;
    const s = scaleIndex(inputs.map((i) => i.shape));
    const [a, b] = inputs;
    if (s === undefined) {
      const shape = formatShape(a.shape);
      return `${cx.deltaOf(a.name)} ${shape} = ${dy} ⊙ ${b.name}; ${cx.deltaOf(b.name)} ${shape} = ${dy} ⊙ ${a.name}`;
    }
    const scale = inputs[s],
      map = inputs[1 - s];
    const [, H, W] = map.shape;
    return `${cx.deltaOf(map.name)} ${formatShape(map.shape)} = ${dy} ⊙ ${scale.name}[c] over each ${H}×${W} channel; ${cx.deltaOf(scale.name)} ${formatShape(scale.shape)} = Σ over the ${H}×${W} positions of ${dy} ⊙ ${map.name}`;
  },
  forward(_c, step, [a, b]) {
    const s = scaleIndex(step.inputShapes);
    if (s === undefined) return { y: mulForward(a, b) };
    const [C, H, W] = step.output;
    return {
      y: s === 1 ? channelMulForward(step.batch, C, H * W, a, b) : channelMulForward(step.batch, C, H * W, b, a),
    };
  },
  backward(_c, step, [a, b], _f, dy) {
    const s = scaleIndex(step.inputShapes);
    if (s === undefined) {
      const { da, db } = mulBackward(a, b, dy);
      return { dx: [da, db] };
    }
    const [C, H, W] = step.output;
    const [x, scale] = s === 1 ? [a, b] : [b, a];
    const { dx, ds } = channelMulBackward(step.batch, C, H * W, x, scale, dy);
    return { dx: s === 1 ? [dx, ds] : [ds, dx] };
  },
  label: () => 'mul',
  shortRule: (l, j) => {
    const s = scaleIndex(l.inputs);
    return s === undefined ? '⊙ the other' : j === s ? 'Σ over H×W of δ ⊙ the map' : '⊙ the scale';
  },
  torch: () => ({ module: 'Mul()', call: (m, xs) => `${m}(${xs.join(', ')})`, helpers: [DEFINE_MUL] }),
  tfjs(l) {
    if (l.inputs.some((s) => s.length === 1) && l.inputs.some((s) => s.length === 3)) {
      throw new ExportError(
        `${l.name}: a vector times a map needs a reshape in tfjs, which this export does not write; make the scale C×1×1`,
        l.name,
      );
    }
    return [
      {
        fn: 'multiply',
        config: {},
        ...(scaleIndex(l.inputs) !== undefined && { comment: 'the 1×1×C scale broadcasts over H×W' }),
      },
    ];
  },
};
