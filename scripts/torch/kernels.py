#!/usr/bin/python3
"""Float64 forward/backward reference fixtures, computed by PyTorch autograd.

Run with Debian's interpreter (python3-torch), from the repository root:

    /usr/bin/python3 scripts/torch/kernels.py   # writes test/fixtures/torch/kernels.json

Every case draws its inputs, parameters and a NON-uniform upstream gradient dy
from numpy.random.default_rng(crc32(case name)), rounds them to 6 significant
digits (so the stored inputs are exactly the float64 values torch used), runs
the op in float64 and back-propagates dy with autograd.  Outputs and gradients
are written at full float64 precision (shortest round-trip repr).  Besides
writing torch's numbers the script re-derives pooling, batchnorm and
cross-entropy with plain numpy and asserts agreement, which is how the
tie-breaking rule and the avg-pool divisors recorded below were confirmed.

Schema of kernels.json
----------------------
{
  "generator": "scripts/torch/kernels.py", "torch": "<version>", "numpy": "<version>",
  "dtype": "float64", "seed": SEED,
  "counts": { "<op>": N, ... },
  "cases": [ CASE, ... ]
}
CASE = { "name": str, "op": str, "params": {...}, "tensors": { NAME: TENSOR, ... } }
TENSOR = { "shape": [d0, d1, ...], "data": [flat row-major numbers] }   (shape [] = scalar)

Layouts are PyTorch's: activations N x C x H x W (batch N = 2 throughout),
conv W [out, in/groups, kh, kw], dense W [units, in], biases / gamma / beta [C].
Pairs in params are [height, width].  "dy" is always the gradient of the loss
with respect to "y", and every "d<T>" is the gradient with respect to "<T>".

op "conv2d"     params: stride [sh,sw], padding [top,bottom,left,right],
                padding_spec "symmetric" (F.conv2d(padding=(ph,pw))) | "asymmetric"
                (F.pad then padding=0) | "same" (padding='same') | "full",
                dilation [dh,dw], groups, bias (bool)
                tensors: x, W, b (if bias), dy, y, dx, dW, db (if bias)
op "max_pool2d" params: kernel [kh,kw], stride [sh,sw], padding [ph,pw] (each side),
                ceil_mode, tie_rule
                tensors: x, dy, y, dx, indices (int; PyTorch's return_indices:
                flat h*W+w of the chosen input element within its N,C plane)
op "avg_pool2d" params: as max_pool2d plus count_include_pad (true, torch's default)
                tensors: x, dy, y, dx, divisor ([Ho, Wo], the number each window's
                sum is divided by: the window clipped to the padded input
                [-p, H+p), which is smaller than kh*kw only for ceil-mode windows
                that run past the padded input)
op "linear"     params: bias (bool), in_features, flatten "C,H,W" (x is flattened per
                sample in C,H,W order, x.reshape(N, -1))
                tensors: x, W, b (if bias), dy, y, dx (x's shape), dW, db (if bias)
op "batch_norm" params: training (true: batch statistics, no running stats), eps 1e-5,
                variance "biased (divide by the N*H*W values of a channel)"
                tensors: x, gamma, beta, dy, y, dx, dgamma, dbeta,
                mean, var (the per-channel batch mean and biased variance used)
op "cross_entropy" params: reduction "mean" (F.cross_entropy = mean over the batch
                of -log softmax(logits)[label])
                tensors: logits [N,K], labels [N] (ints), p (softmax), loss [],
                dlogits (= (p - onehot(labels)) / N)
op "mse"        params: reduction "mean" (over every element, F.mse_loss)
                tensors: x (prediction), targets, loss [], dx (= 2 (x - t) / numel)
op "relu" | "leaky_relu" | "sigmoid" | "tanh"
                params: slope (leaky_relu only), note on the derivative at 0
                tensors: x (contains exact zeros), dy, y, dx
"""
import numpy as np
import torch
import torch.nn.functional as F

from fixtures import Cases, leaf, r6, rand, shp

SEED = 20240531
CASES = Cases(SEED, "scripts/torch/kernels.py", "test/fixtures/torch/kernels.json")
N = 2
TIE_RULE = ("first maximum in row-major window order (strict >, padding is -inf "
            "and never chosen)")


def fmt(v):
    """Compact pair/quad for case names: 2 for [2, 2], 2x1 for [2, 1],
    [0,1,1,2] for an uneven [top, bottom, left, right]."""
    v = list(v) if isinstance(v, (list, tuple)) else [v]
    if len(set(v)) == 1:
        return str(v[0])
    if len(v) == 4 and v[0] == v[1] and v[2] == v[3]:
        return f"{v[0]}x{v[2]}"
    return "x".join(map(str, v)) if len(v) == 2 else "[" + ",".join(map(str, v)) + "]"


# ---------------------------------------------------------------- conv ----

def conv(xshape, wshape, stride=1, padding=0, dilation=1, groups=1, bias=True, label=""):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    kh, kw = wshape[2], wshape[3]
    if padding == "same":
        th, tw = dh * (kh - 1), dw * (kw - 1)
        pad, spec = [th // 2, th - th // 2, tw // 2, tw - tw // 2], "same"
    elif padding == "full":
        pad, spec = [dh * (kh - 1)] * 2 + [dw * (kw - 1)] * 2, "full"
    elif isinstance(padding, int):
        pad, spec = [padding] * 4, "symmetric"
    elif len(padding) == 2:
        pad, spec = [padding[0]] * 2 + [padding[1]] * 2, "symmetric"
    else:
        pad, spec = list(padding), "asymmetric"
    name = (f"conv x={shp(xshape)} w={shp(wshape)} s={fmt([sh, sw])} "
            f"p={fmt(pad)}{'(' + spec + ')' if spec != 'symmetric' else ''}"
            f"{' d=' + fmt([dh, dw]) if (dh, dw) != (1, 1) else ''}"
            f"{' g=' + str(groups) if groups != 1 else ''}{'' if bias else ' bias=false'}{label}")
    rng = CASES.rng(name)
    x, W = rand(rng, *xshape), rand(rng, *wshape, scale=0.5)
    b = rand(rng, wshape[0], scale=0.5) if bias else None
    xl, Wl = leaf(x), leaf(W)
    bl = leaf(b) if bias else None
    if spec == "same":
        y = F.conv2d(xl, Wl, bl, 1, "same", (dh, dw), groups)
    elif spec == "asymmetric":
        t, bo, l, r = pad
        y = F.conv2d(F.pad(xl, (l, r, t, bo)), Wl, bl, (sh, sw), 0, (dh, dw), groups)
    else:
        y = F.conv2d(xl, Wl, bl, (sh, sw), (pad[0], pad[2]), (dh, dw), groups)
    dy = rand(rng, *y.shape)
    y.backward(dy)
    # Sanity: recorded padding reproduces y through an explicit F.pad.
    t, bo, l, r = pad
    y2 = F.conv2d(F.pad(x, (l, r, t, bo)), W, b, (sh, sw), 0, (dh, dw), groups)
    assert torch.allclose(y.detach(), y2, rtol=0, atol=1e-12)
    tensors = {"x": x, "W": W}
    if bias:
        tensors["b"] = b
    tensors.update({"dy": dy, "y": y, "dx": xl.grad, "dW": Wl.grad})
    if bias:
        tensors["db"] = bl.grad
    CASES.emit(name, "conv2d", {"stride": [sh, sw], "padding": pad, "padding_spec": spec,
                          "dilation": [dh, dw], "groups": groups, "bias": bias}, tensors)


def conv_cases():
    conv((N, 3, 6, 6), (4, 3, 3, 3))                                   # plain
    conv((N, 3, 8, 8), (3, 3, 3, 3), stride=2)                         # stride 2, last row unused
    conv((N, 3, 7, 7), (4, 3, 3, 3), stride=2, padding=1)              # stride 2 + padding
    conv((N, 2, 5, 5), (3, 2, 3, 3), padding=1)                        # padding symmetric
    conv((N, 2, 5, 6), (3, 2, 3, 5), padding=(2, 1))                   # symmetric, ph != pw
    conv((N, 2, 6, 6), (3, 2, 3, 3), padding=(0, 1, 1, 2))             # asymmetric (F.pad)
    conv((N, 2, 6, 5), (2, 2, 2, 2), stride=2, padding=(1, 0, 0, 1))   # asymmetric + stride
    conv((N, 2, 9, 9), (3, 2, 3, 3), dilation=2)                       # dilation 2
    conv((N, 2, 8, 7), (2, 2, 3, 2), dilation=(2, 3), padding=1)       # dilation non-square
    conv((N, 4, 6, 6), (6, 2, 3, 3), groups=2, padding=1)              # groups 2
    conv((N, 3, 6, 6), (3, 1, 3, 3), groups=3, padding=1)              # depthwise
    conv((N, 3, 7, 7), (6, 1, 3, 3), groups=3, stride=2)               # depthwise x2 multiplier
    conv((N, 3, 5, 5), (2, 3, 3, 3), bias=False)                       # bias false
    conv((N, 3, 9, 7), (4, 3, 2, 3), stride=(2, 1))                    # non-square kernel+stride
    conv((N, 2, 9, 8), (3, 2, 3, 1), stride=(3, 2), padding=(1, 0))
    conv((N, 4, 5, 5), (3, 4, 1, 1))                                   # 1x1
    conv((N, 2, 5, 5), (3, 2, 5, 5))                                   # kernel == input
    conv((N, 2, 6, 5), (2, 2, 5, 3), padding="same")                   # torch padding='same'
    conv((N, 2, 7, 7), (2, 2, 3, 3), dilation=2, padding="same")
    conv((N, 2, 3, 4), (2, 2, 3, 2), padding="full")                   # full
    conv((N, 4, 7, 6), (4, 2, 3, 2), stride=(1, 2), dilation=(2, 1), groups=2,
         padding=(2, 0, 1, 1), label=" combo")                         # everything at once
    # Layers that take the engine's special conv kernels (engine/kernels/conv.ts routes by shape):
    conv((N, 1, 12, 16), (6, 1, 5, 5))                                 # direct strips, read in place
    conv((N, 3, 9, 17), (8, 3, 5, 5), padding=(1, 0, 2, 1))            # direct strips, widened copy
    conv((N, 16, 8, 8), (16, 16, 3, 3), padding=1)                     # Winograd F(2x2, 3x3)
    conv((N, 12, 7, 9), (16, 12, 5, 5), padding=(2, 1, 0, 2))          # Winograd F(2x2, 5x5), odd map
    conv((N, 2, 17, 16), (6, 2, 3, 3), stride=2, padding=(1, 0, 1, 1))  # implicit GEMM (forward, dW)


# ---------------------------------------------------------------- pool ----

def np_pool(x, mode, k, s, p, out_hw):
    """Reference pooling in numpy; returns y, argmax indices, divisor."""
    (kh, kw), (sh, sw), (ph, pw) = k, s, p
    n, c, H, W = x.shape
    Ho, Wo = out_hw
    y = np.zeros((n, c, Ho, Wo))
    idx = np.zeros((n, c, Ho, Wo), dtype=np.int64)
    div = np.zeros((Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            h0, w0 = i * sh - ph, j * sw - pw
            h1, w1 = min(h0 + kh, H + ph), min(w0 + kw, W + pw)
            div[i, j] = (h1 - h0) * (w1 - w0)
            hs, he, ws, we = max(h0, 0), min(h1, H), max(w0, 0), min(w1, W)
            for a in range(n):
                for b in range(c):
                    win = x[a, b, hs:he, ws:we]
                    if mode == "max":
                        best, bi = -np.inf, -1
                        for hh in range(hs, he):          # row-major, strict >
                            for ww in range(ws, we):
                                if x[a, b, hh, ww] > best:
                                    best, bi = x[a, b, hh, ww], hh * W + ww
                        y[a, b, i, j], idx[a, b, i, j] = best, bi
                    else:
                        y[a, b, i, j] = win.sum() / div[i, j]
    return y, idx, div


def pool(mode, xshape, k, s=None, p=0, ceil=False, x=None, label=""):
    k = [k, k] if isinstance(k, int) else list(k)
    s = k if s is None else ([s, s] if isinstance(s, int) else list(s))
    p = [p, p] if isinstance(p, int) else list(p)
    op = "max_pool2d" if mode == "max" else "avg_pool2d"
    name = (f"{op} x={shp(xshape)} k={fmt(k)} s={fmt(s)} p={fmt(p)}"
            f"{' ceil' if ceil else ''}{label}")
    rng = CASES.rng(name)
    if x is None:
        x = rand(rng, *xshape)
    xl = leaf(x)
    params = {"kernel": k, "stride": s, "padding": p, "ceil_mode": ceil}
    if mode == "max":
        y, ind = F.max_pool2d(xl, k, s, p, 1, ceil, return_indices=True)
        params["tie_rule"] = TIE_RULE
    else:
        y = F.avg_pool2d(xl, k, s, p, ceil, True)
        params["count_include_pad"] = True
    dy = rand(rng, *y.shape)
    y.backward(dy)
    ry, ridx, div = np_pool(x.numpy(), mode, k, s, p, y.shape[2:])
    assert np.allclose(ry, y.detach().numpy(), rtol=0, atol=1e-12), name
    # Reference backward: scatter dy to the argmax / spread dy/divisor.
    rdx = np.zeros(x.shape)
    n, c, H, W = x.shape
    for a in range(n):
        for b in range(c):
            for i in range(y.shape[2]):
                for j in range(y.shape[3]):
                    g = dy[a, b, i, j].item()
                    if mode == "max":
                        hh, ww = divmod(ridx[a, b, i, j], W)
                        rdx[a, b, hh, ww] += g
                    else:
                        h0, w0 = i * s[0] - p[0], j * s[1] - p[1]
                        rdx[a, b, max(h0, 0):min(h0 + k[0], H),
                            max(w0, 0):min(w0 + k[1], W)] += g / div[i, j]
    assert np.allclose(rdx, xl.grad.numpy(), rtol=0, atol=1e-12), name
    tensors = {"x": x, "dy": dy, "y": y, "dx": xl.grad}
    if mode == "max":
        assert (ind.numpy() == ridx).all(), name
        tensors["indices"] = ind
    else:
        tensors["divisor"] = torch.tensor(div)
    CASES.emit(name, op, params, tensors)


def pool_cases():
    # Ties: small integers, overlapping windows, a constant block and a
    # negative constant block next to -inf padding.
    tie = torch.tensor(np.array([
        [[1, 3, 3, 0, 2, 2], [3, 0, 3, 1, 2, 2], [2, 2, 2, 1, 1, 0],
         [0, 1, 1, 1, 1, 3], [5, 5, 0, 3, 3, 3], [5, 5, 4, 3, 3, 3]],
        [[-1, -1, -1, -1, -1, -1]] * 6,
    ], dtype=np.float64))
    tie = torch.stack([tie, torch.flip(tie, dims=[2])])          # [2, 2, 6, 6]
    for mode in ("max", "mean"):
        pool(mode, (N, 3, 6, 6), 2)                                # plain 2x2
        pool(mode, (N, 2, 7, 7), 2, label=" remainder")            # row/col 6 get 0
        pool(mode, (N, 2, 7, 7), 3, 2, 1)                          # 3x3 s2 p1
        pool(mode, (N, 2, 6, 6), 3, 2, 0, ceil=True)               # partial last window
        pool(mode, (N, 2, 6, 6), 3, 2, 1, ceil=True)               # partial, into padding
        pool(mode, (N, 1, 5, 5), 2, 2, 1, ceil=True)               # last window dropped
        pool(mode, (N, 1, 3, 3), 4, 2, 1, ceil=True)               # window past both pads
        pool(mode, (N, 2, 7, 5), (3, 2), (2, 3), (1, 1), ceil=True)  # non-square, ceil
        pool(mode, (N, 2, 8, 6), (3, 2), (1, 2), (1, 0))           # non-square, overlapping
        pool(mode, (N, 2, 6, 6), 2, 1, x=tie, label=" ties")       # ties, overlapping
        pool(mode, (N, 2, 6, 6), 3, 2, 1, ceil=True, x=tie, label=" ties")


# ---------------------------------------------------------- dense etc. ----

def linear(xshape, units, bias=True):
    fan_in = int(np.prod(xshape[1:]))
    name = f"linear x={shp(xshape)} w=[{units},{fan_in}]{'' if bias else ' bias=false'}"
    rng = CASES.rng(name)
    x, W = rand(rng, *xshape), rand(rng, units, fan_in, scale=0.3)
    b = rand(rng, units) if bias else None
    xl, Wl = leaf(x), leaf(W)
    bl = leaf(b) if bias else None
    y = F.linear(xl.reshape(xshape[0], -1), Wl, bl)
    dy = rand(rng, *y.shape)
    y.backward(dy)
    t = {"x": x, "W": W}
    if bias:
        t["b"] = b
    t.update({"dy": dy, "y": y, "dx": xl.grad, "dW": Wl.grad})
    if bias:
        t["db"] = bl.grad
    CASES.emit(name, "linear", {"bias": bias, "in_features": fan_in, "flatten": "C,H,W"}, t)


def batch_norm(xshape):
    name = f"batch_norm x={shp(xshape)} training eps=1e-5"
    rng = CASES.rng(name)
    C = xshape[1]
    x = rand(rng, *xshape, scale=2.0) + 0.5
    gamma, beta = rand(rng, C) + 1.0, rand(rng, C)
    x, gamma = torch.tensor(r6(x.numpy())), torch.tensor(r6(gamma.numpy()))
    xl, gl, bl = leaf(x), leaf(gamma), leaf(beta)
    y = F.batch_norm(xl, None, None, gl, bl, training=True, momentum=0.0, eps=1e-5)
    dy = rand(rng, *y.shape)
    y.backward(dy)
    axes = tuple(i for i in range(x.dim()) if i != 1)
    xn = x.numpy()
    mean, var = xn.mean(axis=axes), xn.var(axis=axes)       # biased
    bshape = [1, C] + [1] * (x.dim() - 2)
    ry = ((xn - mean.reshape(bshape)) / np.sqrt(var.reshape(bshape) + 1e-5)
          * gamma.numpy().reshape(bshape) + beta.numpy().reshape(bshape))
    assert np.allclose(ry, y.detach().numpy(), rtol=0, atol=1e-10), name
    CASES.emit(name, "batch_norm", {"training": True, "eps": 1e-5,
                              "variance": "biased (divide by the N*H*W values of a channel)"},
         {"x": x, "gamma": gamma, "beta": beta, "dy": dy, "y": y, "dx": xl.grad,
          "dgamma": gl.grad, "dbeta": bl.grad, "mean": torch.tensor(mean),
          "var": torch.tensor(var)})


def cross_entropy(K, scale=1.0, label=""):
    name = f"cross_entropy logits=[{N},{K}]{label}"
    rng = CASES.rng(name)
    logits = rand(rng, N, K, scale=scale)
    labels = torch.tensor(rng.integers(0, K, size=N), dtype=torch.int64)
    ll = leaf(logits)
    loss = F.cross_entropy(ll, labels)
    loss.backward()
    p = torch.softmax(logits, dim=1)
    ref = (p - F.one_hot(labels, K).double()) / N
    assert torch.allclose(ref, ll.grad, rtol=0, atol=1e-14), name
    CASES.emit(name, "cross_entropy", {"reduction": "mean"},
         {"logits": logits, "labels": labels, "p": p, "loss": loss, "dlogits": ll.grad})


def mse(shape):
    name = f"mse x={shp(shape)}"
    rng = CASES.rng(name)
    x, t = rand(rng, *shape), rand(rng, *shape)
    xl = leaf(x)
    loss = F.mse_loss(xl, t)
    loss.backward()
    assert torch.allclose(xl.grad, 2 * (x - t) / x.numel(), rtol=0, atol=1e-15)
    CASES.emit(name, "mse", {"reduction": "mean"}, {"x": x, "targets": t, "loss": loss, "dx": xl.grad})


def activation(op, fn, params, shape=(N, 3, 3, 3)):
    name = f"{op} x={shp(shape)}" + "".join(f" {k}={v}" for k, v in params.items()
                                              if k != "derivative_at_0")
    rng = CASES.rng(name)
    x = rand(rng, *shape, scale=2.0)
    flat = x.view(-1)
    flat[:: 7] = 0.0                      # exact zeros: derivative at the kink
    xl = leaf(x)
    y = fn(xl)
    dy = rand(rng, *shape)
    y.backward(dy)
    CASES.emit(name, op, params, {"x": x, "dy": dy, "y": y, "dx": xl.grad})


def other_cases():
    linear((N, 3, 2, 2), 5)
    linear((N, 2, 3, 3), 4, bias=False)
    linear((N, 6), 3)
    batch_norm((N, 3, 4, 4))
    batch_norm((N, 2, 3, 5))
    batch_norm((N, 4))
    cross_entropy(5)
    cross_entropy(10, scale=20.0, label=" large logits")
    mse((N, 3, 2, 2))
    mse((N, 5))
    activation("relu", F.relu, {"derivative_at_0": 0})
    activation("leaky_relu", lambda t: F.leaky_relu(t, 0.01),
               {"slope": 0.01, "derivative_at_0": "slope"})
    activation("leaky_relu", lambda t: F.leaky_relu(t, 0.2),
               {"slope": 0.2, "derivative_at_0": "slope"})
    activation("sigmoid", torch.sigmoid, {})
    activation("tanh", torch.tanh, {})


def main():
    torch.manual_seed(SEED)
    conv_cases()
    pool_cases()
    other_cases()
    CASES.write()


if __name__ == "__main__":
    main()
