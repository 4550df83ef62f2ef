/**
 * TensorFlow.js's own shape rules for the layers CNN Lens reads in tfjs code, channels-last and per sample (the
 * batch left out): an image is H×W×C, a vector N. Each rule follows tfjs-layers' `computeOutputShape`
 * (`convOutputLength` and `deconvLength` in its utils/conv_utils.ts: TensorFlow's 'same' keeps ⌈size/stride⌉),
 * not PyTorch's, because this is tfjs code. A rule gets its config already evaluated (read.ts); a value that could
 * not be evaluated is `undefined`, and then the shape is unknown, never guessed: no false errors.
 *
 * A rule returns the output shape (or undefined for unknown) and what is wrong, with the .cnn codes.
 */
import type { DiagnosticCode, Severity } from '../../engine/text';

export type Shape = readonly number[];

/** A config value as read: a number, string, boolean, null, array of them, or undefined when it could not be read. */
export type Value = number | string | boolean | null | readonly Value[] | undefined;

/**
 * A quick fix as a rule sees it: set `key` to `value` (TypeScript text) in this layer's config, or, with `input`,
 * in the config of the layer that produced that input. read.ts turns it into edits where the text allows.
 */
export interface FixHint {
  readonly title: string;
  readonly key: string;
  readonly value: string;
  readonly input?: number;
  readonly preferred?: boolean;
}

/** What a rule finds wrong; read.ts puts it at the layer's config object. */
export interface Problem {
  readonly severity: Severity;
  readonly code: DiagnosticCode | 'dense-last-axis';
  readonly message: string;
  readonly fixes?: readonly FixHint[];
}

export interface RuleResult {
  readonly output?: Shape;
  readonly params?: number;
  readonly problems?: readonly Problem[];
}

/** The config as the rule sees it: `has` tells a missing key (the default applies) from an unreadable value. */
export interface Config {
  has(key: string): boolean;
  get(key: string): Value;
}

export interface RuleInput {
  readonly label: string;
  readonly config: Config;
  /** Each input's shape; undefined where unknown. */
  readonly inputs: readonly (Shape | undefined)[];
}

const fmt = (s: Shape) => s.join('×');
const UNKNOWN: RuleResult = {};

/** A number or [h, w] (or undefined when unreadable); `fallback` when the key is absent. */
function pair(
  c: Config,
  key: string,
  fallback: readonly [number, number] | undefined,
): readonly [number, number] | undefined {
  if (!c.has(key)) return fallback;
  const v = c.get(key);
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number'))
    return [v[0] as number, v[1] as number];
  return undefined;
}

function word(c: Config, key: string, fallback: string): string | undefined {
  if (!c.has(key)) return fallback;
  const v = c.get(key);
  return typeof v === 'string' ? v : undefined;
}

function num(c: Config, key: string, fallback?: number): number | undefined {
  if (!c.has(key)) return fallback;
  const v = c.get(key);
  return typeof v === 'number' ? v : undefined;
}

/** `padding` of zeroPadding2d and `cropping` of cropping2d: n, [h, w] or [[top, bottom], [left, right]]. */
function sides(c: Config, key: string, fallback: number): readonly [number, number, number, number] | undefined {
  if (!c.has(key)) return [fallback, fallback, fallback, fallback];
  const v = c.get(key);
  if (typeof v === 'number') return [v, v, v, v];
  if (!Array.isArray(v) || v.length !== 2) return undefined;
  if (v.every((x) => typeof x === 'number')) return [v[0] as number, v[0] as number, v[1] as number, v[1] as number];
  const [h, w] = v as readonly Value[];
  if (
    Array.isArray(h) &&
    Array.isArray(w) &&
    [...h, ...w].length === 4 &&
    [...h, ...w].every((x) => typeof x === 'number')
  ) {
    return [h[0] as number, h[1] as number, w[0] as number, w[1] as number];
  }
  return undefined;
}

/** tfjs's convOutputLength. */
export function convLength(size: number, kernel: number, padding: string, stride: number, dilation = 1): number {
  const dilated = kernel + (kernel - 1) * (dilation - 1);
  const length = padding === 'same' ? size : size - dilated + 1;
  return Math.floor((length + stride - 1) / stride);
}

/** tfjs's deconvLength. */
export function deconvLength(size: number, stride: number, kernel: number, padding: string): number {
  return padding === 'valid' ? size * stride + Math.max(kernel - stride, 0) : size * stride;
}

/** One image input (H×W×C), or why not; undefined while unknown. */
function image(i: RuleInput): { shape?: Shape; problems?: Problem[] } {
  const s = i.inputs[0];
  if (!s) return {};
  if (s.length !== 3) {
    return {
      problems: [
        {
          severity: 'error',
          code: 'rank-mismatch',
          message: `${i.label}: takes an H×W×C image; its input is ${fmt(s)}`,
        },
      ],
    };
  }
  return { shape: s };
}

/** conv2d, maxPooling2d and averagePooling2d: sliding windows with TensorFlow's padding. */
function windows(
  i: RuleInput,
  kernel: readonly [number, number],
  strides: readonly [number, number],
  padding: string,
  dilation: readonly [number, number],
  what: string,
  kernelKey: string,
) {
  const { shape, problems } = image(i);
  if (!shape) return { problems };
  const [h, w, c] = shape;
  if (padding !== 'valid' && padding !== 'same') return {};
  if (padding === 'valid') {
    const dh = kernel[0] + (kernel[0] - 1) * (dilation[0] - 1);
    const dw = kernel[1] + (kernel[1] - 1) * (dilation[1] - 1);
    if (dh > h || dw > w) {
      const dilated = dilation[0] > 1 || dilation[1] > 1 ? ` (dilated ${dh}×${dw})` : '';
      // The largest window that fits: k with k + (k − 1)(d − 1) ≤ size.
      const fit = (size: number, k: number, d: number) => Math.min(k, Math.floor((size - 1) / d) + 1);
      const [kh, kw] = [fit(h, kernel[0], dilation[0]), fit(w, kernel[1], dilation[1])];
      const fixes: FixHint[] = [
        {
          title: `padding: 'same' (output ${convLength(h, kernel[0], 'same', strides[0])}×${convLength(w, kernel[1], 'same', strides[1])})`,
          key: 'padding',
          value: "'same'",
          preferred: true,
        },
        {
          title: `${kernelKey}: ${kh === kw ? kh : `[${kh}, ${kw}]`} (the largest that fits ${h}×${w})`,
          key: kernelKey,
          value: kh === kw ? `${kh}` : `[${kh}, ${kw}]`,
        },
      ];
      return {
        problems: [
          {
            severity: 'error' as const,
            code: 'empty-output' as const,
            message: `${i.label}: the ${kernel[0]}×${kernel[1]} ${what}${dilated} is larger than its ${h}×${w} input with 'valid' padding`,
            fixes,
          },
        ],
      };
    }
  }
  return {
    hw: [
      convLength(h, kernel[0], padding, strides[0], dilation[0]),
      convLength(w, kernel[1], padding, strides[1], dilation[1]),
    ] as const,
    c,
  };
}

const same = (i: RuleInput): RuleResult => (i.inputs[0] ? { output: i.inputs[0], params: 0 } : UNKNOWN);

function conv2d(i: RuleInput): RuleResult {
  const filters = num(i.config, 'filters');
  const kernel = pair(i.config, 'kernelSize', undefined);
  const strides = pair(i.config, 'strides', [1, 1]);
  const dilation = pair(i.config, 'dilationRate', [1, 1]);
  const padding = word(i.config, 'padding', 'valid');
  const format = word(i.config, 'dataFormat', 'channelsLast');
  if (filters === undefined || !kernel || !strides || !dilation || padding === undefined || format !== 'channelsLast')
    return image(i);
  const r = windows(i, kernel, strides, padding, dilation, 'kernel', 'kernelSize');
  if (!('hw' in r) || !r.hw) return r;
  const bias = i.config.has('useBias') && i.config.get('useBias') === false ? 0 : filters;
  return { output: [r.hw[0], r.hw[1], filters], params: kernel[0] * kernel[1] * r.c * filters + bias };
}

function conv2dTranspose(i: RuleInput): RuleResult {
  const filters = num(i.config, 'filters');
  const kernel = pair(i.config, 'kernelSize', undefined);
  const strides = pair(i.config, 'strides', [1, 1]);
  const padding = word(i.config, 'padding', 'valid');
  const format = word(i.config, 'dataFormat', 'channelsLast');
  const { shape, problems } = image(i);
  if (
    !shape ||
    filters === undefined ||
    !kernel ||
    !strides ||
    (padding !== 'valid' && padding !== 'same') ||
    format !== 'channelsLast'
  )
    return { problems };
  const [h, w, c] = shape;
  const bias = i.config.has('useBias') && i.config.get('useBias') === false ? 0 : filters;
  return {
    output: [deconvLength(h, strides[0], kernel[0], padding), deconvLength(w, strides[1], kernel[1], padding), filters],
    params: kernel[0] * kernel[1] * c * filters + bias,
  };
}

function pooling(i: RuleInput): RuleResult {
  const pool = pair(i.config, 'poolSize', [2, 2]);
  const strides = i.config.has('strides') ? pair(i.config, 'strides', undefined) : pool;
  const padding = word(i.config, 'padding', 'valid');
  if (!pool || !strides || padding === undefined || word(i.config, 'dataFormat', 'channelsLast') !== 'channelsLast')
    return image(i);
  const r = windows(i, pool, strides, padding, [1, 1], 'pooling window', 'poolSize');
  if (!('hw' in r) || !r.hw) return r;
  return { output: [r.hw[0], r.hw[1], r.c], params: 0 };
}

function globalPooling(i: RuleInput): RuleResult {
  const { shape, problems } = image(i);
  return shape ? { output: [shape[2]], params: 0 } : { problems };
}

function upSampling2d(i: RuleInput): RuleResult {
  const size = pair(i.config, 'size', [2, 2]);
  const { shape, problems } = image(i);
  if (!shape || !size) return { problems };
  return { output: [shape[0] * size[0], shape[1] * size[1], shape[2]], params: 0 };
}

function dense(i: RuleInput): RuleResult {
  const units = num(i.config, 'units');
  const s = i.inputs[0];
  if (!s || units === undefined) return UNKNOWN;
  const bias = i.config.has('useBias') && i.config.get('useBias') === false ? 0 : units;
  const params = s[s.length - 1] * units + bias;
  if (s.length === 1) return { output: [units], params };
  return {
    output: [...s.slice(0, -1), units],
    params,
    problems: [
      {
        severity: 'warning',
        code: 'dense-last-axis',
        message: `${i.label}: its input is ${fmt(s)}, not a vector: tfjs applies dense to the last axis only (${s[s.length - 1]} → ${units} at each of ${fmt(s.slice(0, -1))} positions), giving ${fmt([...s.slice(0, -1), units])}; add tf.layers.flatten() before it to connect every value`,
      },
    ],
  };
}

function flatten(i: RuleInput): RuleResult {
  const s = i.inputs[0];
  return s ? { output: [s.reduce((a, b) => a * b, 1)], params: 0 } : UNKNOWN;
}

function batchNormalization(i: RuleInput): RuleResult {
  const s = i.inputs[0];
  const axis = num(i.config, 'axis', -1);
  if (!s || axis !== -1) return s && axis !== undefined ? { output: s } : UNKNOWN;
  // gamma, beta and the two moving statistics, as tfjs counts them (countParams).
  return { output: s, params: 4 * s[s.length - 1] };
}

/** add and multiply: inputs of one shape (tfjs broadcasts a dimension of 1). */
function elementwise(i: RuleInput): RuleResult {
  const shapes = i.inputs;
  if (shapes.length < 2 || shapes.some((s) => !s)) return UNKNOWN;
  const [first, ...rest] = shapes as Shape[];
  let out = first;
  for (const [k, s] of rest.entries()) {
    if (s.length !== out.length) {
      return {
        problems: [
          {
            severity: 'error',
            code: 'rank-mismatch',
            message: `${i.label}: its inputs are ${shapes.map((x) => fmt(x!)).join(' and ')}, of different ranks`,
          },
        ],
      };
    }
    const next: number[] = [];
    for (let d = 0; d < s.length; d++) {
      if (s[d] === out[d] || s[d] === 1 || out[d] === 1) next.push(Math.max(s[d], out[d]));
      else {
        const channels = d === s.length - 1;
        const message = channels
          ? `${i.label}: its inputs have ${out[d]} and ${s[d]} channels (${fmt(out)} and ${fmt(s)}); tfjs adds channel by channel`
          : `${i.label}: its inputs are ${fmt(out.slice(0, -1))} and ${fmt(s.slice(0, -1))} in H×W (${fmt(out)} and ${fmt(s)})`;
        // The input that differs from the first can be given its channels where its layer sets them.
        const fixes: FixHint[] = channels
          ? [
              {
                title: `filters: ${out[d]} in the layer that makes input ${k + 2} (${s[d]} channels now)`,
                key: 'filters',
                value: `${out[d]}`,
                input: k + 1,
                preferred: true,
              },
              {
                title: `units: ${out[d]} in the layer that makes input ${k + 2} (${s[d]} now)`,
                key: 'units',
                value: `${out[d]}`,
                input: k + 1,
                preferred: true,
              },
            ]
          : [];
        return {
          problems: [{ severity: 'error', code: channels ? 'channel-mismatch' : 'spatial-mismatch', message, fixes }],
        };
      }
    }
    out = next;
  }
  return { output: out, params: 0 };
}

function concatenate(i: RuleInput): RuleResult {
  const shapes = i.inputs;
  const axisValue = num(i.config, 'axis', -1);
  if (shapes.length < 2 || shapes.some((s) => !s) || axisValue === undefined) return UNKNOWN;
  const all = shapes as Shape[];
  const rank = all[0].length;
  if (all.some((s) => s.length !== rank)) {
    return {
      problems: [
        {
          severity: 'error',
          code: 'rank-mismatch',
          message: `${i.label}: its inputs are ${all.map(fmt).join(', ')}, of different ranks`,
        },
      ],
    };
  }
  // tfjs counts axis over the batched shape; -1 and rank are the last axis.
  const axis = axisValue < 0 ? rank + axisValue : axisValue - 1;
  if (axis < 0 || axis >= rank) return UNKNOWN;
  for (const s of all.slice(1)) {
    if (s.some((d, k) => k !== axis && d !== all[0][k])) {
      const spatial = axis === rank - 1 && rank === 3;
      return {
        problems: [
          {
            severity: 'error',
            code: spatial ? 'spatial-mismatch' : 'channel-mismatch',
            message: `${i.label}: its inputs ${all.map(fmt).join(' and ')} differ outside the concatenated axis${spatial ? ` (${fmt(all[0].slice(0, 2))} against ${fmt(s.slice(0, 2))} in H×W)` : ''}`,
          },
        ],
      };
    }
  }
  return { output: all[0].map((d, k) => (k === axis ? all.reduce((n, s) => n + s[k], 0) : d)), params: 0 };
}

function zeroPadding2d(i: RuleInput): RuleResult {
  const p = sides(i.config, 'padding', 1);
  const { shape, problems } = image(i);
  if (!shape || !p) return { problems };
  return { output: [shape[0] + p[0] + p[1], shape[1] + p[2] + p[3], shape[2]], params: 0 };
}

function cropping2d(i: RuleInput): RuleResult {
  const p = sides(i.config, 'cropping', 0);
  const { shape, problems } = image(i);
  if (!shape || !p) return { problems };
  const [h, w] = [shape[0] - p[0] - p[1], shape[1] - p[2] - p[3]];
  if (h <= 0 || w <= 0) {
    return {
      problems: [
        {
          severity: 'error',
          code: 'empty-output',
          message: `${i.label}: cropping ${p[0]}+${p[1]} rows and ${p[2]}+${p[3]} columns leaves nothing of its ${shape[0]}×${shape[1]} input`,
        },
      ],
    };
  }
  return { output: [h, w, shape[2]], params: 0 };
}

/** `dims` a permutation of 1…rank (tfjs counts the batch as axis 0). */
function permute(i: RuleInput): RuleResult {
  const s = i.inputs[0];
  const dims = i.config.get('dims');
  if (!s || !Array.isArray(dims) || dims.length !== s.length) return UNKNOWN;
  if ([...dims].sort().some((d, k) => d !== k + 1)) return UNKNOWN;
  return { output: dims.map((d) => s[(d as number) - 1]), params: 0 };
}

/** `targetShape` of the same size, with at most one −1 for what is left. */
function reshape(i: RuleInput): RuleResult {
  const s = i.inputs[0];
  const target = i.config.get('targetShape');
  if (!s || !Array.isArray(target) || !target.every((d) => typeof d === 'number' && Number.isInteger(d)))
    return UNKNOWN;
  const dims = target as number[];
  const size = s.reduce((a, b) => a * b, 1);
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const free = dims.filter((d) => d === -1).length;
  if (free > 1 || (free === 0 && known !== size) || (free === 1 && size % known !== 0)) return UNKNOWN;
  return { output: dims.map((d) => (d === -1 ? size / known : d)), params: 0 };
}

/** The layers read, by their `tf.layers` function name. */
export const RULES: Readonly<Record<string, (i: RuleInput) => RuleResult>> = {
  conv2d,
  conv2dTranspose,
  maxPooling2d: pooling,
  maxPool2d: pooling,
  averagePooling2d: pooling,
  avgPool2d: pooling,
  avgPooling2d: pooling,
  globalAveragePooling2d: globalPooling,
  globalMaxPooling2d: globalPooling,
  globalMaxPool2d: globalPooling,
  upSampling2d,
  dense,
  flatten,
  activation: same,
  dropout: same,
  reLU: same,
  leakyReLU: same,
  softmax: same,
  elu: same,
  permute,
  reshape,
  batchNormalization,
  add: elementwise,
  multiply: elementwise,
  concatenate,
  zeroPadding2d,
  cropping2D: cropping2d,
  cropping2d,
};

/** δ at a layer's input, in words, for hovers: how tfjs's gradient carries it back. */
export const DELTA_RULES: Readonly<Record<string, string>> = {
  conv2d:
    'δx = Σ_f full correlation of δy[:, :, f] (dilated by the strides) with W[:, :, :, f] rotated 180°, cropped by the padding',
  conv2dTranspose: "δx = the forward conv2d of δy with W (a transposed conv's backward is a convolution)",
  maxPooling2d: "each δy value goes to its window's maximum",
  averagePooling2d:
    "each δy value, divided by the window's size (TensorFlow's 'same' counts only the inputs inside), spread over its window",
  globalAveragePooling2d: 'δy[c] / (H·W) to every position of channel c',
  globalMaxPooling2d: 'δy[c] to the maximum of channel c',
  upSampling2d: 'δx = the sum of δy over each upsampled block',
  dense: 'δx = δy Wᵀ (W is IN×UNITS)',
  flatten: "δx = δy reshaped to the input's shape",
  activation: 'δx = δy ⊙ f′(x)',
  reLU: 'δx = δy ⊙ (x > 0)',
  leakyReLU: 'δx = δy ⊙ (x > 0 ? 1 : α)',
  softmax: 'δx = p ⊙ (δy − Σ δy ⊙ p)',
  dropout: 'δx = δy ⊙ mask / (1 − rate) in training, δy otherwise',
  batchNormalization: 'δx = γ/σ · (δy − mean(δy) − x̂ · mean(δy ⊙ x̂)) in training',
  add: 'δ of each input = δy (summed over broadcast dimensions)',
  multiply: 'δa = δy ⊙ b, δb = δy ⊙ a',
  concatenate: 'δy split along the axis, each input its slice',
  zeroPadding2d: 'δx = δy with the padding cropped off',
  permute: 'δx = δy permuted back',
  reshape: "δx = δy reshaped to the input's shape",
  elu: 'δx = δy ⊙ (x > 0 ? 1 : α·eˣ)',
  cropping2d: 'δx = δy padded back with zeros where it was cropped',
};
