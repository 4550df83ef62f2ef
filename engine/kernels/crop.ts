/**
 * Centre crop of every plane from Hin×Win to H×W (H ≤ Hin, W ≤ Win), U-Net's copy-and-crop: in PyTorch, the slice
 * x[:, :, t:t+H, l:l+W] with t = ⌊(Hin − H)/2⌋, l = ⌊(Win − W)/2⌋, so an odd row or column left over goes to the
 * bottom or right. (torchvision's center_crop rounds half to even instead, which differs when Hin − H ≡ 3 mod 4;
 * DSL.md's ⌊⌋ is the contract.) Backward: δx is δy in the kept window and zero elsewhere.
 */
import { type Floats, alloc } from './specialize.js';

export interface CropGeometry {
  readonly channels: number;
  readonly Hin: number;
  readonly Win: number;
  readonly H: number;
  readonly W: number;
}

/** Top-left corner of the kept window: [⌊(Hin − H)/2⌋, ⌊(Win − W)/2⌋]. */
export function cropOffset(g: CropGeometry): [number, number] {
  if (g.H > g.Hin || g.W > g.Win || g.H < 0 || g.W < 0)
    throw new Error(`crop: ${g.H}×${g.W} does not fit in ${g.Hin}×${g.Win}`);
  return [Math.floor((g.Hin - g.H) / 2), Math.floor((g.Win - g.W) / 2)];
}

function need(a: Floats, n: number, what: string): void {
  if (a.length !== n) throw new Error(`crop: ${what} has ${a.length} elements, expected ${n}`);
}

export function cropForward<A extends Floats>(g: CropGeometry, batch: number, x: A): A {
  const [top, left] = cropOffset(g),
    planes = batch * g.channels;
  need(x, planes * g.Hin * g.Win, 'x');
  const y = alloc(x, planes * g.H * g.W);
  for (let p = 0, o = 0; p < planes; p++) {
    for (let r = 0; r < g.H; r++, o += g.W) {
      const i = (p * g.Hin + top + r) * g.Win + left;
      y.set(x.subarray(i, i + g.W), o);
    }
  }
  return y;
}

export function cropBackward<A extends Floats>(g: CropGeometry, batch: number, dy: A): A {
  const [top, left] = cropOffset(g),
    planes = batch * g.channels;
  need(dy, planes * g.H * g.W, 'δy');
  const dx = alloc(dy, planes * g.Hin * g.Win);
  for (let p = 0, o = 0; p < planes; p++) {
    for (let r = 0; r < g.H; r++, o += g.W) dx.set(dy.subarray(o, o + g.W), (p * g.Hin + top + r) * g.Win + left);
  }
  return dx;
}
