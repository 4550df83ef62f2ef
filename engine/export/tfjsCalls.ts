/**
 * What several kinds' TensorFlow.js calls share (engine/layers/*.ts, `tfjs` hooks): how config values are
 * written, TensorFlow's 'same' padding arithmetic, and the permute that keeps PyTorch's flattening order. Pure
 * text and arithmetic, a leaf beside target.ts, so the kind files import it without a cycle.
 *
 * Every call a kind returns is exactly equivalent or refused with the reason (ExportError), never an
 * approximation: TensorFlow's 'same' is used only where its padding is the network's, an explicit zeroPadding2d
 * otherwise, and pooling pads only where tfjs pads the same way.
 */
import type { Axis } from '../geometry';
import type { TfCall } from './target';

/** A number list as TypeScript writes it: `[2, 2]`. */
export const list = (xs: readonly (number | string)[]) => `[${xs.join(', ')}]`;
/** A string literal: `'same'`. */
export const str = (s: string) => `'${s}'`;

/** TensorFlow's 'same' along one axis: out = ⌈size/S⌉, the padding split with the extra row after. */
export function tfSame(a: Axis): { before: number; after: number; out: number } {
  const out = Math.ceil(a.size / a.stride);
  const total = Math.max((out - 1) * a.stride + a.dilation * (a.kernel - 1) + 1 - a.size, 0);
  const before = Math.floor(total / 2);
  return { before, after: total - before, out };
}

/** Whether TensorFlow's 'same' pads this axis exactly as the layer does. */
export const isSame = (a: Axis) => {
  const s = tfSame(a);
  return s.before === a.padBefore && s.after === a.padAfter && s.out === a.out;
};
export const unpadded = (a: Axis) => a.padBefore === 0 && a.padAfter === 0;

/** The explicit padding of both axes as tfjs's zeroPadding2d writes it: `[[top, bottom], [left, right]]`. */
export const zeroPadding = (h: Axis, w: Axis) =>
  `[${list([h.padBefore, h.padAfter])}, ${list([w.padBefore, w.padAfter])}]`;

/** Channels-last maps are permuted to C×H×W before flattening, so features come in the .cnn (PyTorch) order. */
export function chw(input: readonly number[]): TfCall[] {
  return input.length === 3
    ? [
        {
          fn: 'permute',
          suffix: '_chw',
          config: { dims: '[3, 1, 2]' },
          comment: "to C×H×W, so flattening keeps PyTorch's C,H,W order",
        },
      ]
    : [];
}
