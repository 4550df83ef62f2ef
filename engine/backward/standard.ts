/** The standard backward rules, written in the rule language, that the checker offers as quick fixes. */
import type { LayerInfo } from '../check';
import { type ConvGeometry, type PoolGeometry, dilatedKernel } from '../geometry';
import type { Shape } from '../shape';

/**
 * The layer's standard rule for each target this notation can write, as whole rules (`dx[c] = …`), by target:
 * conv with one group (stride and dilation equal along both axes, padding within the kernel's reach), mean
 * pooling with stride = window and no padding, dense, the activations, flatten, dropout and identity. Max pooling
 * (it needs the argmax), batchnorm (batch statistics), softmax (fused with the loss) and the merges have none.
 */
export function standardRules(layer: LayerInfo): Partial<Record<string, string>> {
  const x = layer.inputShapes.length === 1 ? layer.inputShapes[0] : null;
  const y = layer.output;
  if (!x || !y || layer.config === undefined) return {};
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const cfg = layer.config as any;
  switch (layer.kind) {
    case 'relu':
      return { dx: 'dx = dy .* step(x)' };
    case 'leaky_relu':
      return { dx: `dx = dy .* (${cfg.slope} + ${1 - cfg.slope} * step(x))` };
    case 'sigmoid':
      return { dx: 'dx = dy .* y .* (1 - y)' };
    case 'tanh':
      return { dx: 'dx = dy .* (1 - y .* y)' };
    case 'identity':
    case 'dropout':
      return { dx: 'dx = dy' };
    case 'flatten':
      return { dx: `dx = reshape(dy, ${x.join(', ')})` };
    case 'dense': {
      const flat = x.length === 1, n = x.reduce((a, d) => a * d, 1);
      return {
        dx: flat ? "dx = W' * dy" : `dx = reshape(W' * dy, ${x.join(', ')})`,
        dW: flat ? "dW = dy * x'" : `dW = dy * reshape(x, ${n}, 1)'`,
        ...(cfg.bias && { db: 'db = dy' }),
      };
    }
    case 'pool': {
      const g = layer.geometry as PoolGeometry;
      if (g.mode !== 'mean' || g.h.padBefore || g.w.padBefore || g.h.stride !== g.h.kernel || g.w.stride !== g.w.kernel) return {};
      const h = g.h.kernel, w = g.w.kernel, rest = [x[1] - y[1] * h, x[2] - y[2] * w];
      if (rest[0] < 0 || rest[1] < 0) return {}; // a ceil-mode window past the edge
      return { dx: `dx[c] = ${padded(`kron(dy[c], ones(${h}, ${w})) / ${h * w}`, [0, 0], rest)}` };
    }
    case 'conv':
      return convRules(layer.geometry as ConvGeometry, x, y);
    default:
      return {};
  }
}

function convRules(g: ConvGeometry, x: Shape, y: Shape): Record<string, string> {
  const { h, w } = g;
  if (g.groups !== 1 || h.stride !== w.stride || h.dilation !== w.dilation) return {};
  const s = h.stride, d = h.dilation, kh = dilatedKernel(h), kw = dilatedKernel(w);
  // Rows and columns of the padded input no window reaches (the stride's remainder), at the bottom and right.
  const rh = x[1] + h.padBefore + h.padAfter - kh - (y[1] - 1) * s, rw = x[2] + w.padBefore + w.padAfter - kw - (y[2] - 1) * s;
  const wk = d > 1 ? `dilate(W[k,c], ${d})` : 'W[k,c]', dyk = s > 1 ? `dilate(dy[k], ${s})` : 'dy[k]';
  const rules: Record<string, string> = {};
  // δx: the full convolution of δy (dilated by the stride) with W, cropped to the input by padding δy less.
  const pre = [kh - 1 - h.padBefore, kw - 1 - w.padBefore], post = [kh - 1 - h.padAfter + rh, kw - 1 - w.padAfter + rw];
  if ([...pre, ...post].every((v) => v >= 0)) {
    const full = pre[0] === kh - 1 && pre[1] === kw - 1 && post[0] === kh - 1 && post[1] === kw - 1;
    rules.dx = full ? `dx[c] = sum(k, conv2(${dyk}, ${wk}, 'full'))` : `dx[c] = sum(k, conv2(${padded(dyk, pre, post)}, ${wk}, 'valid'))`;
  }
  // dW: the valid correlation of the padded input with δy (dilated by the stride), less what no window reaches.
  if (d === 1 && h.padAfter >= rh && w.padAfter >= rw) {
    rules.dW = `dW[k,c] = xcorr2(${padded('x[c]', [h.padBefore, w.padBefore], [h.padAfter - rh, w.padAfter - rw])}, ${dyk}, 'valid')`;
  }
  if (g.bias) rules.db = `db[k] = ones(1, ${y[1]}) * dy[k] * ones(${y[2]}, 1)`;
  return rules;
}

/** padarray calls adding `pre` = [rows, columns] before and `post` after, as few as it takes. */
function padded(e: string, pre: readonly number[], post: readonly number[]): string {
  const zero = (v: readonly number[]) => v[0] === 0 && v[1] === 0;
  if (zero(pre) && zero(post)) return e;
  if (pre[0] === post[0] && pre[1] === post[1]) return `padarray(${e}, [${pre[0]} ${pre[1]}], 'both')`;
  const withPre = zero(pre) ? e : `padarray(${e}, [${pre[0]} ${pre[1]}], 'pre')`;
  return zero(post) ? withPre : `padarray(${withPre}, [${post[0]} ${post[1]}], 'post')`;
}
