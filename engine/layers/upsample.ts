/**
 * upsample FACTOR mode=nearest|bilinear: as torch.nn.Upsample(scale_factor=FACTOR, mode, align_corners=False), with
 * whole factors ≥ 1. Shape: C × H·Fh × W·Fw.
 * δ, nearest: each input element gets the sum of the Fh×Fw block of δy it was copied to. bilinear: each output
 * element reads two rows and two columns of the input at source coordinate max(0, (o + ½)/F − ½), so δ goes back
 * to them with the same weights (the adjoint of two separable passes).
 */
import { type UpsampleGeometry, type UpsampleMode, upsampleBackward, upsampleForward } from '../kernels';
import { type Pair, readPair, readWord } from '../values';
import { forEach, needsMaps, pairText } from './common';
import { expectArgs, type KnownLayer, type LayerKind, type OptionSpec } from './kind';
import { ExportError } from '../export/target';

interface Options {
  mode: UpsampleMode;
}

export interface UpsampleConfig {
  readonly factor: Pair;
  readonly mode: UpsampleMode;
}

const modeOption: OptionSpec<UpsampleMode> = {
  doc: 'mode: nearest (copies) or bilinear (interpolates, align_corners=False)',
  default: 'nearest',
  values: ['nearest', 'bilinear'],
  read: (v, report) => readWord(v, 'mode', ['nearest', 'bilinear'] as const, report),
};

export const upsample: LayerKind<Options, UpsampleConfig, UpsampleGeometry, undefined> = {
  kind: 'upsample',
  summary: 'upsampling by whole factors, nearest or bilinear (torch.nn.Upsample, align_corners=False)',
  usage: 'upsample FACTOR',
  options: { mode: modeOption },

  configure(args, o, cx) {
    if (!expectArgs(args, ['FACTOR'], cx)) return undefined;
    const factor = readPair(args[0], 'the factor', 1, cx.report);
    return factor && { factor, mode: o.mode ?? 'nearest' };
  },

  infer(c, [input], cx) {
    if (!needsMaps(input, cx)) return undefined;
    const [C, H, W] = input.shape;
    // Bilinear reads four inputs per output; nearest reads one.
    return {
      output: [C, H * c.factor.h, W * c.factor.w],
      macs: c.mode === 'bilinear' ? 4 * C * H * W * c.factor.h * c.factor.w : 0,
    };
  },

  geometry: (c, [input]) => ({
    mode: c.mode,
    channels: input.shape[0],
    H: input.shape[1],
    W: input.shape[2],
    sh: c.factor.h,
    sw: c.factor.w,
  }),

  rule(c, [input], cx) {
    const [C, H, W] = input.shape;
    const OH = H * c.factor.h,
      OW = W * c.factor.w;
    const dy = `δ(${cx.layer})[c] ${OH}×${OW}`;
    const head = `${cx.deltaOf(input.name)} ${C}×${H}×${W}: ${forEach(C, 'channel', 'c')}, `;
    if (c.mode === 'nearest')
      return `${head}each element gets the sum of the ${c.factor.h}×${c.factor.w} block of ${dy} it was copied to`;
    return `${head}each value of ${dy} goes back to the two rows and two columns of ${input.name} it interpolated (output o reads source coordinate max(0, (o + ½)/F − ½), F = ${c.factor.h === c.factor.w ? c.factor.h : `${c.factor.h} down, ${c.factor.w} across`}), with the same weights, adding up`;
  },

  // Nearest: each Fh rows and Fw columns of δy summed, as products with kron(eye(n), ones(…)). Bilinear has none:
  // its weights, (o + ½)/F − ½ clamped, have no function in the rule language to build them from.
  standardRules: (c, [input]) =>
    c.mode === 'nearest'
      ? {
          dx: `dx[c] = kron(eye(${input.shape[1]}), ones(1, ${c.factor.h})) * dy[c] * kron(eye(${input.shape[2]}), ones(${c.factor.w}, 1))`,
        }
      : {},

  forward: (_c, step, [x]) => ({ y: upsampleForward(step.geometry, step.batch, x) }),
  backward: (_c, step, _x, _f, dy) => ({ dx: [upsampleBackward(step.geometry, step.batch, dy)] }),

  label: (c) =>
    `upsample ×${c.factor.h === c.factor.w ? c.factor.h : `${c.factor.h}×${c.factor.w}`}${c.mode === 'bilinear' ? ' bilinear' : ''}`,
  shortRule: (l) =>
    l.config.mode === 'nearest'
      ? `Σ over ${l.config.factor.h}×${l.config.factor.w} blocks`
      : 'bilinear weights, transposed',
  torch(l) {
    const f = l.config.factor;
    const scale = f.h === f.w ? `${f.h}.0` : `(${f.h}.0, ${f.w}.0)`;
    return {
      module:
        l.config.mode === 'nearest'
          ? `nn.Upsample(scale_factor=${scale}, mode='nearest')`
          : `nn.Upsample(scale_factor=${scale}, mode='bilinear', align_corners=False)`,
    };
  },
  tfjs: upsampleTfjs,
};

/**
 * tfjs's upSampling2d resizes with alignCorners and halfPixelCenters false. For nearest that reads input
 * ⌊o·(H/OH)⌋, PyTorch's ⌊o/F⌋ wherever the rounding of H/OH does not move an index (checked here for every o); for
 * bilinear it reads source coordinate o/F, not PyTorch's (o + ½)/F − ½: a different image, so it is refused.
 */
function upsampleTfjs(l: KnownLayer<UpsampleConfig, UpsampleGeometry>) {
  const { config: c, geometry: g } = l;
  if (c.mode === 'bilinear') {
    throw new ExportError(
      `${l.name}: tfjs's bilinear upSampling2d samples at o/F (half_pixel_centers=false), not PyTorch's (o + ½)/F − ½ (align_corners=False); the outputs differ`,
      l.name,
    );
  }
  const agrees = (size: number, f: number) => {
    for (let o = 0; o < size * f; o++)
      if (Math.min(size - 1, Math.floor(o * (size / (size * f)))) !== Math.floor(o / f)) return false;
    return true;
  };
  if (!agrees(g.H, g.sh) || !agrees(g.W, g.sw))
    throw new ExportError(
      `${l.name}: tfjs's nearest upSampling2d rounds some indices differently at factor ${pairText(c.factor)}`,
      l.name,
    );
  return [{ fn: 'upSampling2d', config: { size: `[${c.factor.h}, ${c.factor.w}]`, interpolation: `'nearest'` } }];
}
