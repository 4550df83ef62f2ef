/**
 * crop HxW: the centre H×W window of each channel, its top-left at (⌊(Hin−H)/2⌋, ⌊(Win−W)/2⌋), as U-Net's
 * copy-and-crop slices x[:, :, t:t+H, l:l+W]. δx is δy in the kept window and 0 elsewhere.
 */
import { cropBackward, type CropGeometry, cropForward, cropOffset } from '../kernels';
import { formatShape } from '../shape';
import { type Pair, readPair } from '../values';
import { forEach, needsMaps, padarrayText } from './common';
import { expectArgs, type KnownLayer, type LayerKind, type Nothing } from './kind';
import { ExportError } from '../export/target';

export interface CropConfig {
  readonly size: Pair;
}

const CROP_MODULE = `class Crop(nn.Module):
    """The centre h×w window, its top-left at ((H − h) // 2, (W − w) // 2) (\`crop\` in the .cnn network)."""

    def __init__(self, h, w):
        super().__init__()
        self.h, self.w = h, w

    def forward(self, x):
        top, left = (x.shape[2] - self.h) // 2, (x.shape[3] - self.w) // 2
        return x[:, :, top:top + self.h, left:left + self.w]`;

export const crop: LayerKind<Nothing, CropConfig, CropGeometry, undefined> = {
  kind: 'crop',
  summary: "the centre HxW window of each channel (U-Net's copy-and-crop)",
  usage: 'crop HxW',
  options: {},

  configure(args, _o, cx) {
    if (!expectArgs(args, ['HxW'], cx)) return undefined;
    const size = readPair(args[0], 'the crop', 1, cx.report);
    return size && { size };
  },

  infer(c, [input], cx) {
    if (!needsMaps(input, cx)) return undefined;
    const [C, H, W] = input.shape;
    if (c.size.h > H || c.size.w > W) {
      cx.report({
        severity: 'error',
        code: 'empty-output',
        message: `${cx.layer}: the ${c.size.h}×${c.size.w} crop is larger than its input ${H}×${W} (${input.name} gives ${formatShape(input.shape)})`,
        range: cx.node.args[0].range,
      });
      return undefined;
    }
    return { output: [C, c.size.h, c.size.w] };
  },

  geometry: (c, [input]) => ({
    channels: input.shape[0],
    Hin: input.shape[1],
    Win: input.shape[2],
    H: c.size.h,
    W: c.size.w,
  }),

  rule(c, [input], cx) {
    const [C, H, W] = input.shape;
    const [top, left] = cropOffset({ channels: C, Hin: H, Win: W, H: c.size.h, W: c.size.w });
    return `${cx.deltaOf(input.name)} ${C}×${H}×${W}: ${forEach(C, 'channel', 'c')}, δ(${cx.layer})[c] ${c.size.h}×${c.size.w} placed at row ${top + 1}, column ${left + 1}, zeros elsewhere`;
  },
  standardRules(c, [input]) {
    const [, H, W] = input.shape;
    const top = Math.floor((H - c.size.h) / 2),
      left = Math.floor((W - c.size.w) / 2);
    return { dx: `dx[c] = ${padarrayText('dy[c]', [top, left], [H - c.size.h - top, W - c.size.w - left])}` };
  },

  forward: (_c, step, [x]) => ({ y: cropForward(step.geometry, step.batch, x) }),
  backward: (_c, step, _x, _f, dy) => ({ dx: [cropBackward(step.geometry, step.batch, dy)] }),

  label: (c) => `crop ${c.size.h}×${c.size.w}`,
  shortRule: () => 'zero-padded δ',
  torch: (l) => ({ module: `Crop(${l.config.size.h}, ${l.config.size.w})`, helpers: [CROP_MODULE] }),
  tfjs: cropTfjs,
};

/** tfjs's cropping2d takes what to cut from each side, which the centre rule fixes. */
function cropTfjs(l: KnownLayer<CropConfig, CropGeometry>) {
  const g = l.geometry;
  if (g.H > g.Hin || g.W > g.Win) throw new ExportError(`${l.name}: the crop is larger than its input`, l.name);
  const [top, left] = cropOffset(g);
  return [
    {
      fn: 'cropping2D',
      config: { cropping: `[[${top}, ${g.Hin - g.H - top}], [${left}, ${g.Win - g.W - left}]]` },
      comment: '[[top, bottom], [left, right]]: the centre window, any odd row or column cut at the bottom or right',
    },
  ];
}
