/**
 * The activations of the language's version 2: relu6, gelu, silu, hardswish, hardsigmoid and elu (option
 * `alpha`). Shape unchanged; δx = δy ⊙ f′(x), each f′ as PyTorch's backward takes it, kinks included
 * (engine/kernels/activationV2.ts). A separate file from activation.ts, whose version 1 kinds read what a
 * sample run keeps differently (these all read the input x, as PyTorch's autograd saves it).
 */
import { ExportError, type TfCall } from '../export/target';
import { type ActivationV2 as Kernel, activationV2Backward, activationV2Forward } from '../kernels';
import { formatShape } from '../shape';
import { readNumber } from '../values';
import { elementCrop } from './crops';
import { expectArgs, type LayerKind, type Nothing } from './kind';

interface Spec {
  readonly kind: Kernel['kind'];
  readonly summary: string;
  /** f′ as the δ rule shows it, with the input named. */
  derivative(x: string, alpha: number): string;
  /** f′ in a few symbols, for the diagram. */
  readonly short: string;
  /** The standard rule in the rule language. */
  standard(alpha: number): string;
  /** Where each input lies against the kinks: the pieces of f′, which a central difference must not straddle. */
  piece?(v: number): number;
  readonly rectifies?: boolean;
  torch(alpha: number): string;
  /** The tfjs layer calls, or why tfjs has no exact equivalent. */
  tfjs(alpha: number): readonly TfCall[] | string;
}

interface Config {
  readonly alpha: number;
}

const str = (s: string) => `'${s}'`;

function activation<O>(
  s: Spec,
  options: LayerKind<O, Config>['options'],
  alpha: (o: Partial<O>) => number | undefined,
): LayerKind<O, Config> {
  const byDefault: Config = { alpha: 1 };
  const kernel = (c: Config): Kernel =>
    (s.kind === 'elu' ? { kind: 'elu', alpha: c.alpha } : { kind: s.kind }) as Kernel;
  const { piece } = s;
  return {
    kind: s.kind,
    summary: s.summary,
    usage: s.kind,
    ...(s.rectifies && { rectifies: true }),
    options,
    configure(args, o, cx) {
      if (!expectArgs(args, [], cx)) return undefined;
      const a = alpha(o);
      return a === undefined ? byDefault : { alpha: a };
    },
    infer: (_c, [input]) => ({ output: input.shape, macs: 0 }),
    rule(c, [input], cx) {
      const shape = formatShape(input.shape);
      return `${cx.deltaOf(input.name)} ${shape} = δ(${cx.layer}) ${shape} ⊙ ${s.derivative(input.name, c.alpha)}`;
    },
    standardRules: (c) => ({ dx: s.standard(c.alpha) }),
    forward: (c, _step, [x]) => ({ y: activationV2Forward(kernel(c), x) }),
    backward: (c, _step, [x], _f, dy) => ({ dx: [activationV2Backward(kernel(c), x, dy)] }),
    ...(piece && { decisions: (_c: Config, _s: unknown, [x]: readonly Float64Array[]) => x.map(piece) }),
    cropInput: elementCrop,
    cropSize: () => 'element',
    label: (c) => (s.kind === 'elu' && c.alpha !== 1 ? `elu α=${c.alpha}` : s.kind),
    shortRule: () => `⊙ ${s.short}`,
    torch: (l) => ({ module: s.torch(l.config.alpha) }),
    tfjs(l) {
      const calls = s.tfjs(l.config.alpha);
      if (typeof calls === 'string') throw new ExportError(`${l.name}: ${calls}`, l.name);
      return calls;
    },
  };
}

const none = (s: Spec) => activation<Nothing>(s, {}, () => undefined);
/** Which of the pieces cut at `cuts` (ascending) v lies in, a cut itself counting as its own piece. */
const pieces = (cuts: readonly number[]) => (v: number) => {
  let k = 0;
  for (const c of cuts) {
    if (v === c) return 2 * k + 1;
    if (v > c) k++;
  }
  return 2 * k;
};

export const relu6 = none({
  kind: 'relu6',
  summary: 'min(max(0, x), 6), elementwise',
  derivative: (x) => `(1 where 0 < ${x} < 6, else 0)`,
  short: '(0 < x < 6)',
  standard: () => 'dx = dy .* step(x) .* step(6 - x)',
  piece: pieces([0, 6]),
  rectifies: true,
  torch: () => 'nn.ReLU6()',
  tfjs: () => [{ fn: 'reLU', config: { maxValue: '6' } }],
});

export const gelu = none({
  kind: 'gelu',
  summary: 'x·Φ(x), Φ the standard normal CDF (exact, with erf), elementwise',
  derivative: (x) => `(Φ(${x}) + ${x}·φ(${x})), φ the standard normal density`,
  short: '(Φ + xφ)',
  standard: () => 'dx = dy .* (normcdf(x) + x .* normpdf(x))',
  torch: () => 'nn.GELU()',
  // tfjs's 'gelu' is x·(1 + erf(x/√2))/2, the exact form, as PyTorch's default.
  tfjs: () => [{ fn: 'activation', config: { activation: str('gelu') } }],
});

export const silu = none({
  kind: 'silu',
  summary: 'x·σ(x) (swish), elementwise',
  derivative: (x) => `σ(${x})(1 + ${x}(1 − σ(${x})))`,
  short: 'σ(1 + x(1 − σ))',
  standard: () => 'dx = dy .* sigmoid(x) .* (1 + x .* (1 - sigmoid(x)))',
  torch: () => 'nn.SiLU()',
  // tfjs's 'swish' is x·σ(x) (its alpha is 1 in an activation string).
  tfjs: () => [{ fn: 'activation', config: { activation: str('swish') } }],
});

export const hardswish = none({
  kind: 'hardswish',
  summary: 'x·min(max(x + 3, 0), 6)/6, elementwise',
  derivative: (x) => `(0 where ${x} < −3, ${x}/3 + 1/2 where −3 ≤ ${x} < 3, else 1)`,
  short: '(0, x/3 + ½ or 1)',
  // step is 0 at 0: at x = −3 this gives 0 where PyTorch takes −1/2, a point a sample draw does not hit.
  standard: () => 'dx = dy .* (step(x + 3) .* step(3 - x) .* (x / 3 + 0.5) + 1 - step(3 - x))',
  piece: pieces([-3, 3]),
  torch: () => 'nn.Hardswish()',
  tfjs: () => 'tfjs has no hard-swish activation',
});

export const hardsigmoid = none({
  kind: 'hardsigmoid',
  summary: 'min(max(x + 3, 0), 6)/6, elementwise',
  derivative: (x) => `(1/6 where −3 < ${x} < 3, else 0)`,
  short: '(1/6 on −3 < x < 3)',
  // PyTorch's backward takes the slope 1/6 rounded to float32, which the engine follows.
  standard: () => `dx = dy .* step(x + 3) .* step(3 - x) * ${Math.fround(1 / 6)}`,
  piece: pieces([-3, 3]),
  torch: () => 'nn.Hardsigmoid()',
  tfjs: () => "tfjs's hardSigmoid is 0.2·x + 0.5 clipped to [0, 1], not PyTorch's x/6 + 1/2",
});

export const elu = activation<{ alpha: number }>(
  {
    kind: 'elu',
    summary: 'x where x > 0, else alpha·(eˣ − 1), elementwise',
    derivative: (x, a) => `(1 where ${x} > 0, else ${a}·e^${x})`,
    short: '(1 or αeˣ)',
    // α·eˣ = y + α where x ≤ 0: written with y so that a large x cannot overflow eˣ.
    standard: (a) => `dx = dy .* (step(x) + (1 - step(x)) .* (y + ${a}))`,
    piece: pieces([0]),
    torch: (a) => (a === 1 ? 'nn.ELU()' : `nn.ELU(alpha=${a})`),
    tfjs: (a) => (a === 1 ? [{ fn: 'elu', config: {} }] : `tfjs's ELU layer takes only alpha=1, not ${a}`),
  },
  {
    alpha: {
      doc: 'alpha: the value elu approaches for very negative inputs is −alpha',
      default: '1.0',
      read: (v, report) => readNumber(v, 'alpha', () => true, 'a number', report),
    },
  },
  (o) => o.alpha,
);
