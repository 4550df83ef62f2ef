/**
 * Each tfjs layer as `.cnn` lines, exactly: TensorFlow's 'same' padding becomes the explicit pad it means (tfjs's
 * conv_utils arithmetic, with the extra row after), a layer's `activation:` a following activation line, and a
 * `zeroPadding2d`, `permute([3, 1, 2])` or `reshape` that .cnn has no kind for is folded into the one layer that
 * reads it where that is exact (the padding of a conv, the C,H,W order of a flatten, the 1×1 of a global pool).
 * What cannot be written exactly throws ImportError naming the layer; a config key that .cnn has no place for (an
 * initializer, a regularizer, a constraint) becomes a comment line saying it was dropped.
 */
import type { TfSource } from './code/read';
import type { Shape, Value } from './code/rules';
import { type Context, type Fold, ImportError, type Line, type Unit } from './importConfig';

const dims = (p: readonly [number, number]) => (p[0] === p[1] ? `${p[0]}` : `${p[0]}x${p[1]}`);
const kernel = (p: readonly [number, number]) => `${p[0]}x${p[1]}`;
const opt = (key: string, text: string | false) => (text === false ? '' : ` ${key}=${text}`);

/** TensorFlow's 'same' along one axis (tfjs-core conv_util): out = ⌈size/S⌉, the extra row after. */
export function tfSame(size: number, k: number, s: number, d = 1): { before: number; after: number; out: number } {
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + d * (k - 1) + 1 - size, 0);
  return { before: Math.floor(total / 2), after: total - Math.floor(total / 2), out };
}

/** tfjs activation names with the .cnn kind that computes the same function. */
const ACTIVATIONS: Readonly<Record<string, string>> = {
  relu: 'relu',
  relu6: 'relu6',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  linear: 'identity',
  gelu: 'gelu',
  swish: 'silu',
  elu: 'elu',
  softmax: 'softmax',
};

function activationKind(c: Context, name: Value): string {
  const kind = typeof name === 'string' ? ACTIVATIONS[name] : undefined;
  if (!kind)
    throw new ImportError(
      `${c.label}: the activation ${JSON.stringify(name)} has no .cnn kind (${Object.keys(ACTIVATIONS).join(', ')} have)`,
    );
  return kind;
}

/** A layer's `activation:` as the line after it (none for 'linear'). */
function activation(c: Context): Line[] {
  const name = c.cfg.value('activation', 'linear');
  return name === 'linear' ? [] : [{ text: activationKind(c, name) }];
}

function channelsLast(c: Context) {
  if (c.cfg.word('dataFormat', 'channelsLast') !== 'channelsLast')
    throw new ImportError(`${c.label}: dataFormat 'channelsFirst' is not read; write the model channels-last`);
}

function image(c: Context, shape: Shape = c.inputs[0]): readonly [number, number, number] {
  if (shape.length !== 3) throw new ImportError(`${c.label}: takes an H×W×C image, not ${shape.join('×')}`);
  return [shape[0], shape[1], shape[2]];
}

function unit(c: Context, lines: Line[], named = 0, sources: readonly TfSource[] = c.sources): Unit {
  return { lines, named, inputs: sources, comments: c.cfg.dropped() };
}

/** The pad text of conv: `1`, `1x2` or `top x bottom x left x right`. */
function padText([t, b, l, r]: readonly number[]): string | false {
  if (t === 0 && b === 0 && l === 0 && r === 0) return false;
  if (t === b && l === r) return t === l ? `${t}` : `${t}x${l}`;
  return `${t}x${b}x${l}x${r}`;
}

function conv2d(c: Context): Unit {
  channelsLast(c);
  const [h, w] = image(c);
  const filters = c.cfg.number('filters');
  const k = c.cfg.pair('kernelSize');
  const s = c.cfg.pair('strides', [1, 1]);
  const d = c.cfg.pair('dilationRate', [1, 1]);
  const padding = c.cfg.word('padding', 'valid');
  const bias = c.cfg.flag('useBias', true);
  if (padding !== 'valid' && padding !== 'same') throw new ImportError(`${c.label}: padding '${padding}' is not read`);
  const fold = c.fold(0);
  const pad = [...(fold?.pad ?? [0, 0, 0, 0])];
  if (padding === 'same') {
    const [sh, sw] = [tfSame(h, k[0], s[0], d[0]), tfSame(w, k[1], s[1], d[1])];
    [pad[0], pad[1], pad[2], pad[3]] = [pad[0] + sh.before, pad[1] + sh.after, pad[2] + sw.before, pad[3] + sw.after];
  }
  const text =
    `conv ${filters} ${kernel(k)}` +
    opt('stride', s[0] !== 1 || s[1] !== 1 ? dims(s) : false) +
    opt('pad', padText(pad)) +
    opt('dilation', d[0] !== 1 || d[1] !== 1 ? dims(d) : false) +
    opt('bias', !bias && 'false');
  return unit(c, [{ text }, ...activation(c)], 0, [fold?.source ?? c.sources[0]]);
}

/**
 * tfjs crops a transposed conv's full output (H−1)·S + K as TensorFlow pads the conv it transposes: 'valid' keeps
 * it (padded to H·S with zeros where K < S), 'same' crops it to H·S, ⌊(K−S)/2⌋ above and the rest below, which
 * .cnn's one pad per axis (PyTorch's) writes only where K − S is even, or K < S (out_pad S − K).
 */
function conv2dTranspose(c: Context): Unit {
  channelsLast(c);
  image(c);
  const filters = c.cfg.number('filters');
  const k = c.cfg.pair('kernelSize');
  const s = c.cfg.pair('strides', [1, 1]);
  const d = c.cfg.pair('dilationRate', [1, 1]);
  const padding = c.cfg.word('padding', 'valid');
  const bias = c.cfg.flag('useBias', true);
  if (d[0] !== 1 || d[1] !== 1) throw new ImportError(`${c.label}: a dilated conv2dTranspose is not read`);
  const axis = (k: number, s: number): [number, number] => {
    if (padding === 'valid' || k < s) return [0, Math.max(s - k, 0)];
    if ((k - s) % 2 === 0) return [(k - s) / 2, 0];
    throw new ImportError(
      `${c.label}: TensorFlow's 'same' crops ${Math.floor((k - s) / 2)} above and ${Math.ceil((k - s) / 2)} below a ${k}×${k} transposed conv at stride ${s}; .cnn's deconv crops the same on both sides`,
    );
  };
  if (padding !== 'valid' && padding !== 'same') throw new ImportError(`${c.label}: padding '${padding}' is not read`);
  const [ph, oh] = axis(k[0], s[0]);
  const [pw, ow] = axis(k[1], s[1]);
  const text =
    `deconv ${filters} ${kernel(k)}` +
    opt('stride', s[0] !== 1 || s[1] !== 1 ? dims(s) : false) +
    opt('pad', ph || pw ? dims([ph, pw]) : false) +
    opt('out_pad', oh || ow ? dims([oh, ow]) : false) +
    opt('bias', !bias && 'false');
  return unit(c, [{ text }, ...activation(c)]);
}

/** The .cnn pool for TensorFlow's 'same' max pooling: its pad before, with ceil mode where the pad after needs it. */
function samePool(c: Context, h: number, w: number, k: readonly [number, number], s: readonly [number, number]) {
  const [sh, sw] = [tfSame(h, k[0], s[0]), tfSame(w, k[1], s[1])];
  const outs = (ceil: boolean, size: number, k: number, s: number, p: number) => {
    if (!ceil) return Math.floor((size + 2 * p - k) / s) + 1;
    const o = Math.ceil((size + 2 * p - k) / s) + 1;
    return (o - 1) * s >= size + p ? o - 1 : o;
  };
  const fits = (ceil: boolean) =>
    outs(ceil, h, k[0], s[0], sh.before) === sh.out && outs(ceil, w, k[1], s[1], sw.before) === sw.out;
  const ceil = fits(false) ? false : fits(true) ? true : undefined;
  if (ceil === undefined || 2 * sh.before > k[0] || 2 * sw.before > k[1])
    throw new ImportError(
      `${c.label}: TensorFlow's 'same' pads ${sh.before} before and ${sh.after} after in height, ${sw.before} and ${sw.after} in width, which .cnn's max pooling cannot start its windows alike with`,
    );
  return opt('pad', sh.before || sw.before ? dims([sh.before, sw.before]) : false) + opt('ceil', ceil && 'true');
}

function pooling(c: Context): Unit {
  channelsLast(c);
  const [h, w] = image(c);
  const max = /^max/.test(c.fn);
  const k = c.cfg.pair('poolSize', [2, 2]);
  const s = c.cfg.has('strides') ? c.cfg.pair('strides') : k;
  const padding = c.cfg.word('padding', 'valid');
  if (padding !== 'valid' && padding !== 'same') throw new ImportError(`${c.label}: padding '${padding}' is not read`);
  const fold = c.fold(0);
  let pad = '';
  if (fold?.pad) {
    const [t, b, l, r] = fold.pad;
    pad = opt('pad', dims([t, l]));
    if (t !== b || l !== r || 2 * t > k[0] || 2 * l > k[1])
      throw new ImportError(
        `${c.label}: .cnn's mean pooling pads the same on both sides, at most half the window, not [[${t}, ${b}], [${l}, ${r}]]`,
      );
  } else if (padding === 'same') {
    const [sh, sw] = [tfSame(h, k[0], s[0]), tfSame(w, k[1], s[1])];
    if (max) pad = samePool(c, h, w, k, s);
    else if (sh.before + sh.after + sw.before + sw.after > 0)
      throw new ImportError(
        `${c.label}: TensorFlow's 'same' average pooling leaves its padding out of each mean; .cnn's mean pooling counts it (PyTorch's count_include_pad)`,
      );
  }
  const stride = s[0] !== k[0] || s[1] !== k[1] ? opt('stride', dims(s)) : '';
  return unit(c, [{ text: `pool ${max ? 'max' : 'mean'} ${kernel(k)}${stride}${pad}` }], 0, [
    fold?.source ?? c.sources[0],
  ]);
}

function zeroPadding2d(c: Context): Fold {
  channelsLast(c);
  image(c);
  const v = c.cfg.value('padding', 1);
  const p =
    typeof v === 'number'
      ? [v, v, v, v]
      : Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')
        ? [v[0], v[0], v[1], v[1]]
        : Array.isArray(v) && v.length === 2 && v.every((x) => Array.isArray(x) && x.length === 2)
          ? (v as number[][]).flat()
          : undefined;
  if (!p) throw new ImportError(`${c.label}: padding needs n, [h, w] or [[top, bottom], [left, right]]`);
  const reader = c.readers.length === 1 ? c.g.analysis.layers[c.readers[0]] : undefined;
  const readerPadding = reader && c.g.details[c.readers[0]].config.padding?.value;
  const ok =
    reader &&
    (reader.fn === 'conv2d' ||
      (/^av/.test(reader.fn) && (readerPadding ?? 'valid') === 'valid' && p[0] === p[1] && p[2] === p[3]));
  if (!ok)
    throw new ImportError(
      `${c.label}: .cnn has no padding layer; a zeroPadding2d is read as the padding of the one conv2d (or, even on both sides, the one 'valid' averagePooling2d) that reads it`,
    );
  return { source: c.sources[0], pad: p as unknown as [number, number, number, number] };
}

function permute(c: Context): Fold {
  const d = c.cfg.value('dims');
  const reader = c.readers.length === 1 ? c.g.analysis.layers[c.readers[0]] : undefined;
  if (!(Array.isArray(d) && d.join() === '3,1,2' && reader?.fn === 'flatten' && c.inputs[0].length === 3))
    throw new ImportError(
      `${c.label}: .cnn has no permute layer; only permute([3, 1, 2]) before a flatten (C,H,W order, as .cnn flattens) is read`,
    );
  return { source: c.sources[0], chw: true };
}

function flatten(c: Context): Unit | Fold {
  const fold = c.fold(0);
  const source = fold?.source ?? c.sources[0];
  const reader = c.readers.length === 1 ? c.g.analysis.layers[c.readers[0]] : undefined;
  if (fold?.chw && reader?.fn === 'dense' && c.label === `${reader.label}_flat`) return { source, flat: true };
  c.cfg.value('dataFormat');
  const u = unit(c, [{ text: 'flatten' }], 0, [source]);
  if (c.inputs[0].length === 3 && !fold?.chw)
    return {
      ...u,
      comments: [
        ...u.comments,
        `# ${c.label}: tfjs flattens H×W×C in H,W,C order, .cnn in C,H,W order: the same values in another order`,
      ],
    };
  return u;
}

function dense(c: Context): Unit {
  const fold = c.fold(0);
  if (!fold?.flat && c.inputs[0].length !== 1)
    throw new ImportError(
      `${c.label}: tfjs applies dense to the last axis of its ${c.inputs[0].join('×')} input, which .cnn's dense (it connects every value) cannot; flatten first`,
    );
  const units = c.cfg.number('units');
  const bias = c.cfg.flag('useBias', true);
  return unit(c, [{ text: `dense ${units}${opt('bias', !bias && 'false')}` }, ...activation(c)], 0, [
    fold?.source ?? c.sources[0],
  ]);
}

function globalPooling(c: Context): Unit | Fold {
  channelsLast(c);
  image(c);
  const mode = /Max/.test(c.fn) ? 'max' : 'mean';
  const reader = c.readers.length === 1 ? c.readers[0] : undefined;
  const target = reader !== undefined && c.g.details[reader].config.targetShape?.value;
  if (reader !== undefined && c.g.analysis.layers[reader].fn === 'reshape' && Array.isArray(target))
    if (target.join() === `1,1,${c.output[0]}`) return { source: c.sources[0], global: mode };
  // tfjs pools to a vector of C; .cnn's global pool keeps C×1×1, which the flatten after it makes that vector.
  return unit(c, [{ text: `pool ${mode} global` }, { text: 'flatten' }], 1);
}

function reshape(c: Context): Unit {
  const fold = c.fold(0);
  c.cfg.value('targetShape');
  if (!fold?.global)
    throw new ImportError(
      `${c.label}: .cnn has no reshape layer; only the reshape to 1×1×C after a global pool (C×1×1 here) is read`,
    );
  return unit(c, [{ text: `pool ${fold.global} global` }], 0, [fold.source]);
}

function upSampling2d(c: Context): Unit {
  channelsLast(c);
  const [h, w] = image(c);
  const size = c.cfg.pair('size', [2, 2]);
  if (c.cfg.word('interpolation', 'nearest') !== 'nearest')
    throw new ImportError(
      `${c.label}: tfjs's bilinear upSampling2d samples at o/F, not at (o + ½)/F − ½ as .cnn's (PyTorch's) bilinear upsample`,
    );
  // tfjs reads input ⌊o·(H/OH)⌋ in floating point, which is ⌊o/F⌋ unless rounding moves an index.
  const agrees = (n: number, f: number) => {
    for (let o = 0; o < n * f; o++)
      if (Math.min(n - 1, Math.floor(o * (n / (n * f)))) !== Math.floor(o / f)) return false;
    return true;
  };
  if (!agrees(h, size[0]) || !agrees(w, size[1]))
    throw new ImportError(`${c.label}: tfjs's nearest upSampling2d rounds some indices differently here`);
  return unit(c, [{ text: `upsample ${dims(size)}` }]);
}

function cropping2d(c: Context): Unit {
  channelsLast(c);
  const [h, w] = image(c);
  const v = c.cfg.value('cropping', 0);
  const p =
    typeof v === 'number'
      ? [v, v, v, v]
      : Array.isArray(v) && v.every((x) => typeof x === 'number')
        ? [v[0], v[0], v[1], v[1]]
        : Array.isArray(v) && v.every((x) => Array.isArray(x) && x.length === 2)
          ? (v as number[][]).flat()
          : undefined;
  if (!p || p.length !== 4)
    throw new ImportError(`${c.label}: cropping needs n, [h, w] or [[top, bottom], [left, right]]`);
  const [t, b, l, r] = p as number[];
  if (t !== Math.floor((t + b) / 2) || l !== Math.floor((l + r) / 2))
    throw new ImportError(
      `${c.label}: crops [[${t}, ${b}], [${l}, ${r}]]; .cnn's crop takes the centre (it would crop ${Math.floor((t + b) / 2)} above and ${Math.floor((l + r) / 2)} left)`,
    );
  return unit(c, [{ text: `crop ${h - t - b}x${w - l - r}` }]);
}

function batchNormalization(c: Context): Unit {
  const rank = c.inputs[0].length;
  const axis = c.cfg.number('axis', -1);
  if (axis !== -1 && axis !== rank)
    throw new ImportError(`${c.label}: normalises axis ${axis}; .cnn's batchnorm normalises the channels (axis -1)`);
  if (!c.cfg.flag('center', true) || !c.cfg.flag('scale', true))
    throw new ImportError(`${c.label}: .cnn's batchnorm always has both γ and β (center and scale)`);
  const eps = c.cfg.number('epsilon', 1e-3);
  return unit(c, [{ text: `batchnorm${eps === 1e-5 ? '' : ` eps=${eps}`}` }]);
}

function merge(c: Context): Unit {
  const rank = c.inputs[0].length;
  if (c.fn === 'concatenate') {
    const axis = c.cfg.number('axis', -1);
    if (axis !== -1 && axis !== rank)
      throw new ImportError(`${c.label}: concatenates axis ${axis}; .cnn's concat stacks channels (axis -1)`);
  }
  if (c.fn === 'multiply' && c.inputs.length !== 2)
    throw new ImportError(`${c.label}: .cnn's mul takes two inputs, not ${c.inputs.length}`);
  const kind = c.fn === 'add' ? 'add' : c.fn === 'multiply' ? 'mul' : 'concat';
  return { ...unit(c, [{ text: kind }]), merge: true };
}

const simple =
  (text: (c: Context) => string) =>
  (c: Context): Unit =>
    unit(c, [{ text: text(c) }]);

/** The tfjs layers import reads, by their `tf.layers` function. */
export const KINDS: Readonly<Record<string, (c: Context) => Unit | Fold>> = {
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
  zeroPadding2d,
  cropping2d,
  cropping2D: cropping2d,
  permute,
  reshape,
  batchNormalization,
  add: merge,
  multiply: merge,
  concatenate: merge,
  activation: simple((c) => activationKind(c, c.cfg.value('activation'))),
  reLU: simple((c) => {
    const max = c.cfg.value('maxValue', null);
    if (max === null) return 'relu';
    if (max === 6) return 'relu6';
    throw new ImportError(`${c.label}: .cnn has relu and relu6, not a ReLU capped at ${String(max)}`);
  }),
  leakyReLU: simple((c) => `leaky_relu slope=${c.cfg.number('alpha', 0.3)}`),
  elu: simple((c) => {
    const alpha = c.cfg.number('alpha', 1);
    return alpha === 1 ? 'elu' : `elu alpha=${alpha}`;
  }),
  softmax: simple((c) => {
    if (c.cfg.number('axis', -1) !== -1) throw new ImportError(`${c.label}: softmax over an axis other than the last`);
    return 'softmax';
  }),
  dropout: simple((c) => `dropout rate=${c.cfg.number('rate')}`),
};
