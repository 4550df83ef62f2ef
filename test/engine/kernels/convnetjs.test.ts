/**
 * ConvNetJS as a second, float64 oracle: its layers are written directly from the definitions (no im2col), take
 * one HWC image per call, and accumulate parameter gradients across calls, so running a batch through a layer
 * image by image gives the batch-summed dW and db that ours returns.
 */
import { convAxis } from '../../../engine/geometry.js';
import {
  conv2dBackwardFilter,
  conv2dBackwardInput,
  conv2dForward,
  denseBackwardInput,
  denseBackwardParams,
  denseForward,
  maxPoolBackward,
  maxPoolForward,
} from '../../../engine/kernels/index.js';
import { convnetjs } from './peers.js';
import { assertClose, fromNHWC, poolGeom, randn64, rng, toNHWC } from './util.js';

/** One image of an NCHW batch as a ConvNetJS volume (x = column, y = row, depth = channel). */
function volume(x: Float64Array, n: number, c: number, h: number, w: number): { w: Float64Array } {
  const v = new convnetjs.Vol(w, h, c, 0);
  v.w.set(toNHWC(x.subarray(n * c * h * w, (n + 1) * c * h * w), 1, c, h, w));
  return v;
}

describe('kernels against ConvNetJS (float64, HWC, one image per call)', () => {
  const shapes = [
    { n: 2, c: 3, h: 7, w: 9, oc: 4, k: 3, s: 1, p: 0 },
    { n: 3, c: 2, h: 8, w: 8, oc: 5, k: 3, s: 2, p: 1 },
    { n: 2, c: 4, h: 6, w: 5, oc: 3, k: 5, s: 1, p: 2 },
    { n: 1, c: 3, h: 17, w: 17, oc: 6, k: 5, s: 3, p: 0 },
  ];
  const r = rng(71);
  for (const s of shapes) {
    it(`conv forward δx dW db x=[${s.n},${s.c},${s.h},${s.w}] w=[${s.oc},${s.c},${s.k},${s.k}] s=${s.s} p=${s.p}`, () => {
      const g = {
        h: convAxis(s.h, s.k, s.s, 1, s.p, s.p),
        w: convAxis(s.w, s.k, s.s, 1, s.p, s.p),
        inChannels: s.c,
        outChannels: s.oc,
        groups: 1,
        bias: true,
      };
      const oh = g.h.out,
        ow = g.w.out;
      const x = randn64(r, s.n * s.c * s.h * s.w),
        W = randn64(r, s.oc * s.c * s.k * s.k),
        b = randn64(r, s.oc);
      const dy = randn64(r, s.n * s.oc * oh * ow);
      const layer = new convnetjs.ConvLayer({
        in_sx: s.w,
        in_sy: s.h,
        in_depth: s.c,
        sx: s.k,
        filters: s.oc,
        stride: s.s,
        pad: s.p,
      });
      for (let o = 0; o < s.oc; o++) {
        layer.filters[o].w.set(toNHWC(W.subarray(o * s.c * s.k * s.k, (o + 1) * s.c * s.k * s.k), 1, s.c, s.k, s.k));
        layer.filters[o].dw.fill(0);
        layer.biases.w[o] = b[o];
      }
      layer.biases.dw.fill(0);
      const y = new Float64Array(dy.length),
        dx = new Float64Array(x.length);
      for (let n = 0; n < s.n; n++) {
        const out = layer.forward(volume(x, n, s.c, s.h, s.w));
        y.set(fromNHWC(out.w, 1, s.oc, oh, ow), n * s.oc * oh * ow);
        out.dw.set(toNHWC(dy.subarray(n * s.oc * oh * ow, (n + 1) * s.oc * oh * ow), 1, s.oc, oh, ow));
        layer.backward();
        dx.set(fromNHWC(layer.in_act.dw, 1, s.c, s.h, s.w), n * s.c * s.h * s.w);
      }
      const dW = new Float64Array(W.length);
      for (let o = 0; o < s.oc; o++) dW.set(fromNHWC(layer.filters[o].dw, 1, s.c, s.k, s.k), o * s.c * s.k * s.k);
      assertClose(conv2dForward(g, s.n, x, W, b), y, 1e-12, 'y');
      assertClose(conv2dBackwardInput(g, s.n, dy, W), dx, 1e-12, 'δx');
      const grads = conv2dBackwardFilter(g, s.n, x, dy);
      assertClose(grads.dW, dW, 1e-12, 'dW');
      assertClose(grads.db ?? [], layer.biases.dw, 1e-12, 'db');
    });
  }

  it('dense forward δx dW db x=[3,20] W=[7,20]', () => {
    const n = 3,
      I = 20,
      U = 7,
      d = { inFeatures: I, units: U, bias: true };
    const x = randn64(r, n * I),
      W = randn64(r, U * I),
      b = randn64(r, U),
      dy = randn64(r, n * U);
    const layer = new convnetjs.FullyConnLayer({ num_neurons: U, in_sx: 1, in_sy: 1, in_depth: I });
    for (let u = 0; u < U; u++) {
      layer.filters[u].w.set(W.subarray(u * I, (u + 1) * I));
      layer.filters[u].dw.fill(0);
      layer.biases.w[u] = b[u];
    }
    layer.biases.dw.fill(0);
    const y = new Float64Array(n * U),
      dx = new Float64Array(n * I);
    for (let s = 0; s < n; s++) {
      const out = layer.forward(volume(x, s, I, 1, 1));
      y.set(out.w, s * U);
      out.dw.set(dy.subarray(s * U, (s + 1) * U));
      layer.backward();
      dx.set(layer.in_act.dw, s * I);
    }
    const dW = new Float64Array(U * I);
    for (let u = 0; u < U; u++) dW.set(layer.filters[u].dw, u * I);
    assertClose(denseForward(d, n, x, W, b), y, 1e-12, 'y');
    assertClose(denseBackwardInput(d, n, dy, W), dx, 1e-12, 'δx');
    const grads = denseBackwardParams(d, n, x, dy);
    assertClose(grads.dW, dW, 1e-12, 'dW');
    assertClose(grads.db ?? [], layer.biases.dw, 1e-12, 'db');
  });

  for (const s of [
    { c: 3, h: 8, w: 6, k: 2, st: 2, p: 0 },
    { c: 2, h: 9, w: 9, k: 3, st: 2, p: 1 },
    { c: 2, h: 7, w: 10, k: 3, st: 1, p: 0 },
  ]) {
    it(`max pool forward δx x=[2,${s.c},${s.h},${s.w}] k=${s.k} s=${s.st} p=${s.p}`, () => {
      const n = 2,
        g = poolGeom('max', s.c, s.h, s.w, [s.k, s.k], [s.st, s.st], [s.p, s.p]);
      const oh = g.h.out,
        ow = g.w.out,
        x = randn64(r, n * s.c * s.h * s.w),
        dy = randn64(r, n * s.c * oh * ow);
      const layer = new convnetjs.PoolLayer({ sx: s.k, stride: s.st, pad: s.p, in_sx: s.w, in_sy: s.h, in_depth: s.c });
      const y = new Float64Array(dy.length),
        dx = new Float64Array(x.length);
      for (let k = 0; k < n; k++) {
        const out = layer.forward(volume(x, k, s.c, s.h, s.w));
        y.set(fromNHWC(out.w, 1, s.c, oh, ow), k * s.c * oh * ow);
        out.dw.set(toNHWC(dy.subarray(k * s.c * oh * ow, (k + 1) * s.c * oh * ow), 1, s.c, oh, ow));
        layer.backward();
        dx.set(fromNHWC(layer.in_act.dw, 1, s.c, s.h, s.w), k * s.c * s.h * s.w);
      }
      const fwd = maxPoolForward(g, n, x);
      assertClose(fwd.y, y, 0, 'y');
      assertClose(maxPoolBackward(g, n, dy, fwd.argmax), dx, 1e-15, 'δx');
    });
  }
});
