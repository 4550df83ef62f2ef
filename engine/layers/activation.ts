/**
 * Elementwise activations: relu, leaky_relu, sigmoid, tanh, identity. Shape unchanged; δx = δy ⊙ f′(x), with
 * f′ written in terms of what a sample run keeps (x for relu's step, y for sigmoid and tanh).
 */
import type { TfCall } from '../export/target';
import { str } from '../export/tfjsCalls';
import { type Activation as Kernel, activationBackward, activationForward } from '../kernels';
import { formatShape } from '../shape';
import { readNumber } from '../values';
import { elementCrop } from './crops';
import { expectArgs, type LayerKind, type Nothing } from './kind';

interface Activation {
  readonly kind: string;
  readonly summary: string;
  /** f′ as a rule shows it, with `x` (the input) and `y` (the output) named after the layers. */
  derivative(x: string, y: string, slope: number): string;
  /** The standard rule in the rule language, with the layer's slope. */
  standard(slope: number): string;
  /** Whether f is affine (identity): a one-sided difference is then exact for the local check. */
  readonly affine?: boolean;
  /** The diagram's short rule (`⊙ step`). */
  readonly short: string;
  /** The PyTorch module, with the layer's slope. */
  torch(slope: number): string;
  /** The one tfjs call, with the layer's slope. */
  tfjs(slope: number): TfCall;
}

/** tfjs's `activation` layer with one of its named functions. */
const tfActivation = (name: string) => (): TfCall => ({ fn: 'activation', config: { activation: str(name) } });

/** `slope` reads the slope option where there is one; a layer without it gets `defaultSlope`. */
function activation<O>(
  a: Activation,
  options: LayerKind<O, { slope: number }>['options'],
  slope: (o: Partial<O>) => number | undefined,
  defaultSlope: number,
): LayerKind<O, { slope: number }> {
  const kernel = (c: { slope: number }) => ({ kind: a.kind, slope: c.slope }) as Kernel;
  const kinked = a.kind === 'relu' || a.kind === 'leaky_relu';
  // Layers that set no slope share one configuration (configurations are never changed).
  const byDefault = { slope: defaultSlope };
  return {
    kind: a.kind,
    summary: a.summary,
    usage: a.kind,
    ...(kinked && { rectifies: true }),
    options,
    configure(args, o, cx) {
      if (!expectArgs(args, [], cx)) return undefined;
      const s = slope(o);
      return s === undefined ? byDefault : { slope: s };
    },
    infer: (_c, [input]) => ({ output: input.shape }),
    rule(c, [input], cx) {
      const shape = formatShape(input.shape);
      return `${cx.deltaOf(input.name)} ${shape} = δ(${cx.layer}) ${shape} ⊙ ${a.derivative(input.name, cx.layer, c.slope)}`;
    },
    standardRules: (c) => ({ dx: a.standard(c.slope) }),
    forward: (c, _step, [x]) => ({ y: activationForward(kernel(c), x) }),
    backward: (c, _step, [x], f, dy) => ({ dx: [activationBackward(kernel(c), x, f.y, dy)] }),
    // The ReLUs' choice is which side of 0 each input is on.
    ...(kinked && {
      decisions: (_c: unknown, _s: unknown, [x]: readonly Float64Array[]) => x.map((v) => (v > 0 ? 1 : 0)),
    }),
    cropInput: elementCrop,
    cropSize: () => 'element',
    ...(a.affine && { affineIn: () => true }),
    label: () => a.kind,
    roughRule: a.short,
    torch: ({ config: c }) => ({ module: a.torch(c.slope) }),
    tfjs: ({ config: c }) => [a.tfjs(c.slope)],
  };
}

const none = (a: Activation) => activation<Nothing>(a, {}, () => undefined, 0);

export const relu = none({
  kind: 'relu',
  summary: 'max(0, x), elementwise',
  derivative: (x) => `step(${x}) (1 where ${x} > 0, else 0)`,
  standard: () => 'dx = dy .* step(x)',
  short: '⊙ step',
  torch: () => 'nn.ReLU()',
  tfjs: tfActivation('relu'),
});
export const sigmoid = none({
  kind: 'sigmoid',
  summary: '1 / (1 + e^−x), elementwise',
  derivative: (_x, y) => `${y}(1 − ${y}) (σ′ = σ(1 − σ))`,
  standard: () => 'dx = dy .* y .* (1 - y)',
  short: '⊙ σ(1 − σ)',
  torch: () => 'nn.Sigmoid()',
  tfjs: tfActivation('sigmoid'),
});
export const tanh = none({
  kind: 'tanh',
  summary: 'tanh(x), elementwise',
  derivative: (_x, y) => `(1 − ${y}²)`,
  standard: () => 'dx = dy .* (1 - y .* y)',
  short: '⊙ (1 − tanh²)',
  torch: () => 'nn.Tanh()',
  tfjs: tfActivation('tanh'),
});
export const identity = none({
  kind: 'identity',
  summary: 'passes its input through unchanged',
  derivative: () => '1',
  standard: () => 'dx = dy',
  short: 'copy',
  affine: true,
  torch: () => 'nn.Identity()',
  tfjs: tfActivation('linear'),
});
export const leakyRelu = activation<{ slope: number }>(
  {
    kind: 'leaky_relu',
    summary: 'x where x > 0, else slope·x',
    derivative: (x, _y, s) => `(1 where ${x} > 0, else ${s})`,
    standard: (s) => `dx = dy .* (${s} + ${1 - s} * step(x))`,
    short: '⊙ (1 or slope)',
    torch: (s) => `nn.LeakyReLU(negative_slope=${s})`,
    tfjs: (s) => ({ fn: 'leakyReLU', config: { alpha: `${s}` } }),
  },
  {
    slope: {
      doc: 'slope: the gradient for negative inputs',
      default: '0.01',
      read: (v, report) => readNumber(v, 'slope', () => true, 'a number', report),
    },
  },
  (o) => o.slope,
  0.01,
);
