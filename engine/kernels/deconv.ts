/**
 * Transposed convolution as PyTorch defines it (nn.ConvTranspose2d / F.conv_transpose2d): input x [N, C, H, W],
 * weights [C, F/groups, kh, kw], bias [F], output [N, F, Ho, Wo] with, per axis,
 *   Ho = (H − 1)·stride − 2·pad + dilation·(kh − 1) + out_pad + 1,
 * and out_pad < stride or out_pad < dilation (PyTorch's condition, checked here too).
 *
 * It is the adjoint of a conv: the conv from [N, F, Ho, Wo] to [N, C, H, W] with the same stride, pad and dilation,
 * weights [C, F/groups, kh, kw] read as conv weights [outC = C, inC/groups = F/groups, kh, kw] (the same array, no
 * copy). So every pass is a pass of conv.ts, with its routing (Winograd, direct strips, implicit GEMM, im2col):
 *   forward  y  = conv δx pass of x, plus b per output channel
 *   δx          = conv forward pass of δy (no bias)
 *   dW          = conv dW pass with the roles swapped: conv input δy, conv upstream gradient x
 *   db          = Σ δy per output channel.
 * The conv pads its input (the deconv's output) by `pad` on both sides; out_pad adds output rows and columns at the
 * bottom and right, which only taps reaching past the last input row write (zero where none does). The conv's
 * window count is pinned to H: convAxis gives exactly that whenever out_pad < stride, and one more window when
 * out_pad ≥ stride (allowed with a larger dilation), which the deconv does not have.
 */
import { type Axis, type ConvGeometry, convAxis } from '../geometry.js';
import { conv2dBackwardFilter, conv2dBackwardInput, conv2dForward } from './conv.js';
import { type Floats, alloc } from './specialize.js';

/** One spatial axis of a transposed conv, in the deconv's own terms. */
export interface DeconvAxis {
  /** Input length (the conv's output length). */
  readonly size: number;
  readonly kernel: number;
  readonly stride: number;
  readonly pad: number;
  readonly outPad: number;
  readonly dilation: number;
}

export interface DeconvGeometry {
  readonly h: DeconvAxis;
  readonly w: DeconvAxis;
  /** C, the input's channels. */
  readonly inChannels: number;
  /** F, the output's channels (FILTERS). */
  readonly outChannels: number;
  readonly groups: number;
  readonly bias: boolean;
}

/** Output length: (size − 1)·stride − 2·pad + dilation·(kernel − 1) + outPad + 1 (may be < 1: empty). */
export function deconvOut(a: DeconvAxis): number {
  return (a.size - 1) * a.stride - 2 * a.pad + a.dilation * (a.kernel - 1) + a.outPad + 1;
}

function convAxisOf(a: DeconvAxis): Axis {
  if (a.outPad < 0 || (a.outPad >= a.stride && a.outPad >= a.dilation)) {
    throw new Error(`deconv: out_pad ${a.outPad} must be smaller than stride ${a.stride} or dilation ${a.dilation}`);
  }
  const out = deconvOut(a);
  if (out < 1) throw new Error(`deconv: output length ${out} is not positive`);
  return { ...convAxis(out, a.kernel, a.stride, a.dilation, a.pad, a.pad), out: a.size };
}

/** The conv whose δx pass is this deconv's forward pass: from [F, Ho, Wo] to [C, H, W]. */
export function deconvAsConv(g: DeconvGeometry): ConvGeometry {
  return {
    h: convAxisOf(g.h),
    w: convAxisOf(g.w),
    inChannels: g.outChannels,
    outChannels: g.inChannels,
    groups: g.groups,
    bias: false,
  };
}

/** y = conv_transpose2d(x, W) + b. `bias` may be omitted or null: it then counts as zero. */
export function deconv2dForward<A extends Floats>(
  g: DeconvGeometry,
  batch: number,
  x: A,
  weights: A,
  bias?: A | null,
): A {
  const cg = deconvAsConv(g),
    y = conv2dBackwardInput(cg, batch, x, weights);
  if (bias) {
    if (bias.length !== g.outChannels)
      throw new Error(`deconv: b has ${bias.length} elements, expected ${g.outChannels}`);
    const P = cg.h.size * cg.w.size;
    for (let n = 0, o = 0; n < batch; n++) {
      for (let f = 0; f < g.outChannels; f++) {
        const b = bias[f];
        for (let e = o + P; o < e; o++) y[o] += b;
      }
    }
  }
  return y;
}

/** δx = conv2d(δy, W): each input position gathers the δy its taps spread to. */
export function deconv2dBackwardInput<A extends Floats>(g: DeconvGeometry, batch: number, dy: A, weights: A): A {
  return conv2dForward(deconvAsConv(g), batch, dy, weights, null);
}

/** dW [C, F/groups, kh, kw] summed over the batch; db = Σ δy per output channel (null without a bias). */
export function deconv2dBackwardFilter<A extends Floats>(
  g: DeconvGeometry,
  batch: number,
  x: A,
  dy: A,
): { readonly dW: A; readonly db: A | null } {
  const cg = deconvAsConv(g),
    { dW } = conv2dBackwardFilter(cg, batch, dy, x);
  if (!g.bias) return { dW, db: null };
  const P = cg.h.size * cg.w.size,
    db = alloc(dy, g.outChannels);
  for (let n = 0, o = 0; n < batch; n++) {
    for (let f = 0; f < g.outChannels; f++) {
      let s = 0;
      for (let e = o + P; o < e; o++) s += dy[o];
      db[f] += s;
    }
  }
  return { dW, db };
}
