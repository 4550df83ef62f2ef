#!/usr/bin/python3
"""Float64 forward/backward fixtures for the kernels of DSL.md version 2, computed by PyTorch autograd.

Run with Debian's interpreter (python3-torch), from the repository root:

    /usr/bin/python3 scripts/torch/kernels_v2.py   # writes test/fixtures/torch/kernels-v2.json

Same conventions as kernels.py: every case draws its inputs, parameters and a NON-uniform upstream gradient dy
from numpy.random.default_rng([SEED, crc32(case name)]), rounded to 6 significant digits, runs the op in float64
and back-propagates dy with autograd; values are written at full float64 precision. Besides torch's numbers the
script re-derives the adaptive windows and the crop offsets in plain Python and asserts agreement.

Schema of kernels-v2.json
-------------------------
{ "generator": "scripts/torch/kernels_v2.py", "torch": "<version>", "numpy": "<version>", "dtype": "float64",
  "seed": SEED, "counts": { "<op>": N, ... }, "cases": [ CASE, ... ] }
CASE = { "name": str, "op": str, "params": {...}, "tensors": { NAME: TENSOR, ... } }
TENSOR = { "shape": [d0, ...], "data": [flat row-major numbers] }
Layouts are PyTorch's, batch N = 2; pairs in params are [height, width]; "dy" is the gradient of the loss with
respect to "y", and every "d<T>" the gradient with respect to "<T>".

op "conv_transpose2d"  params: stride, padding, output_padding, dilation (pairs), groups, bias (bool)
                       tensors: x [N,C,H,W], W [C, F/groups, kh, kw], b [F] (if bias), dy, y, dx, dW, db (if bias)
op "upsample"          params: mode "nearest" | "bilinear" (align_corners=False), scale [sh, sw] (integers)
                       tensors: x, dy, y, dx
op "adaptive_max_pool2d" params: out [OH, OW]      tensors: x (integer-valued: many ties), dy, y, dx, indices
                       (flat h*W+w within the plane, PyTorch's return_indices)
op "adaptive_avg_pool2d" params: out [OH, OW]      tensors: x, dy, y, dx
op "relu6" | "gelu" | "silu" | "hardswish" | "hardsigmoid" | "elu"
                       params: alpha (elu), approximate "none" (gelu)
                       tensors: x (includes the kink points exactly), dy, y, dx
op "erf"               tensors: x, y (torch.erf), yc (torch.erfc)
op "group_norm"        params: groups, eps     tensors: x, gamma, beta, dy, y, dx, dgamma, dbeta
op "mul"               params: broadcast "none" | "Cx1x1" | "vector" (the second operand s is [N,C] viewed
                       as [N,C,1,1])     tensors: x, s, dy, y, dx, ds
op "crop"              params: size [H, W], offset [top, left]     tensors: x, dy, y, dx
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

from fixtures import Cases, leaf, r6, rand, shp

SEED = 20261203
CASES = Cases(SEED, "scripts/torch/kernels_v2.py", "test/fixtures/torch/kernels-v2.json")
N = 2


def pair(v):
    return list(v) if isinstance(v, (list, tuple)) else [v, v]


def fmt(v):
    v = pair(v)
    return str(v[0]) if v[0] == v[1] else f"{v[0]}x{v[1]}"


# ------------------------------------------------------------- deconv ----

def deconv(xshape, wshape, stride=1, padding=0, output_padding=0, dilation=1, groups=1, bias=True, label=""):
    s, p, op, d = pair(stride), pair(padding), pair(output_padding), pair(dilation)
    name = (f"deconv x={shp(xshape)} w={shp(wshape)} s={fmt(s)} p={fmt(p)} op={fmt(op)}"
            f"{' d=' + fmt(d) if d != [1, 1] else ''}{' g=' + str(groups) if groups != 1 else ''}"
            f"{'' if bias else ' bias=false'}{label}")
    rng = CASES.rng(name)
    x, W = rand(rng, *xshape), rand(rng, *wshape, scale=0.5)
    b = rand(rng, wshape[1] * groups, scale=0.5) if bias else None
    xl, Wl = leaf(x), leaf(W)
    bl = leaf(b) if bias else None
    y = F.conv_transpose2d(xl, Wl, bl, s, p, op, groups, d)
    for a in range(2):
        assert y.shape[2 + a] == (xshape[2 + a] - 1) * s[a] - 2 * p[a] + d[a] * (wshape[2 + a] - 1) + op[a] + 1
    dy = rand(rng, *y.shape)
    y.backward(dy)
    tensors = {"x": x, "W": W}
    if bias:
        tensors["b"] = b
    tensors.update({"dy": dy, "y": y, "dx": xl.grad, "dW": Wl.grad})
    if bias:
        tensors["db"] = bl.grad
    CASES.emit(name, "conv_transpose2d", {"stride": s, "padding": p, "output_padding": op, "dilation": d,
                                    "groups": groups, "bias": bias}, tensors)


def deconv_cases():
    deconv((N, 3, 4, 4), (3, 2, 3, 3))                                          # plain
    deconv((N, 3, 4, 5), (3, 4, 3, 3), stride=2, padding=1, output_padding=1)  # the U-Net/decoder x2
    deconv((N, 2, 3, 3), (2, 3, 4, 4), stride=2, padding=1)                    # DCGAN's k4 s2 p1
    deconv((N, 4, 1, 1), (4, 3, 4, 4))                                          # DCGAN's first layer, 1x1 -> 4x4
    deconv((N, 2, 4, 3), (2, 3, 3, 2), stride=(2, 1), padding=(1, 0), output_padding=(1, 0))
    deconv((N, 2, 3, 4), (2, 2, 3, 3), stride=3, padding=2, output_padding=2)  # out_pad 2 < stride 3
    deconv((N, 2, 4, 4), (2, 2, 3, 3), dilation=2, padding=1)                  # dilation
    deconv((N, 2, 4, 4), (2, 2, 3, 3), dilation=2, output_padding=1)           # out_pad >= stride, < dilation
    deconv((N, 4, 3, 3), (4, 3, 3, 3), stride=2, groups=2, padding=1)          # groups 2: W [4, 3, ...], F = 6
    deconv((N, 3, 4, 4), (3, 1, 3, 3), groups=3, padding=1)                    # depthwise
    deconv((N, 3, 3, 3), (3, 2, 2, 2), stride=2, bias=False)                   # bias false, k = s
    deconv((N, 2, 5, 5), (2, 2, 3, 3), padding=3)                              # pad past the kernel: 5 -> 1
    deconv((N, 3, 5, 4), (3, 2, 3, 3), stride=(2, 3), padding=(1, 2), output_padding=(0, 1),
           dilation=(1, 2), label=" combo")
    # Shapes whose conv passes take the engine's special kernels (Winograd, direct strips, implicit GEMM):
    deconv((N, 16, 8, 8), (16, 16, 3, 3), padding=1)
    deconv((N, 6, 10, 12), (6, 2, 5, 5), padding=2)
    deconv((N, 8, 9, 9), (8, 6, 3, 3), stride=2, padding=1, output_padding=1)


# ----------------------------------------------------------- upsample ----

def upsample(mode, xshape, scale):
    sc = pair(scale)
    name = f"upsample {mode} x={shp(xshape)} scale={fmt(sc)}"
    rng = CASES.rng(name)
    x = rand(rng, *xshape)
    xl = leaf(x)
    kw = {"align_corners": False} if mode == "bilinear" else {}
    y = F.interpolate(xl, scale_factor=tuple(float(v) for v in sc), mode=mode, **kw)
    assert list(y.shape[2:]) == [xshape[2] * sc[0], xshape[3] * sc[1]]
    dy = rand(rng, *y.shape)
    y.backward(dy)
    CASES.emit(name, "upsample", {"mode": mode, "scale": sc}, {"x": x, "dy": dy, "y": y, "dx": xl.grad})


def upsample_cases():
    for mode in ("nearest", "bilinear"):
        upsample(mode, (N, 2, 3, 4), 2)
        upsample(mode, (N, 2, 4, 3), (3, 2))
        upsample(mode, (N, 3, 2, 5), (1, 3))
        upsample(mode, (N, 1, 1, 3), 4)             # a single row: every weight on it
        upsample(mode, (N, 2, 5, 5), 1)             # factor 1: the identity


# ------------------------------------------------------- adaptive pool ----

def window(size, out, o):
    return (o * size) // out, -((-(o + 1) * size) // out)


def adaptive(mode, xshape, out):
    out = pair(out)
    op = "adaptive_max_pool2d" if mode == "max" else "adaptive_avg_pool2d"
    name = f"{op} x={shp(xshape)} out={fmt(out)}"
    rng = CASES.rng(name)
    # Max gets small integers, so windows tie; mean gets plain normals.
    x = torch.tensor(rng.integers(-3, 4, xshape), dtype=torch.float64) if mode == "max" else rand(rng, *xshape)
    xl = leaf(x)
    tensors = {"x": x}
    if mode == "max":
        y, ind = F.adaptive_max_pool2d(xl, out, return_indices=True)
    else:
        y = F.adaptive_avg_pool2d(xl, out)
    # The windows, re-derived: y is the max / mean over [floor(o*H/out), ceil((o+1)*H/out)).
    H, W = xshape[2], xshape[3]
    for oy in range(out[0]):
        for ox in range(out[1]):
            (h0, h1), (w0, w1) = window(H, out[0], oy), window(W, out[1], ox)
            win = x[:, :, h0:h1, w0:w1]
            ref = win.amax(dim=(2, 3)) if mode == "max" else win.mean(dim=(2, 3))
            assert torch.allclose(y.detach()[:, :, oy, ox], ref, rtol=0, atol=1e-12)
            if mode == "max":   # the first maximum in row-major order wins
                flat = win.reshape(N, xshape[1], -1)
                first = flat.argmax(dim=2)  # torch.argmax returns the first maximal index
                fh, fw = h0 + first // (w1 - w0), w0 + first % (w1 - w0)
                assert torch.equal(ind[:, :, oy, ox], fh * W + fw)
    dy = rand(rng, *y.shape)
    y.backward(dy)
    tensors.update({"dy": dy, "y": y, "dx": xl.grad})
    if mode == "max":
        tensors["indices"] = ind
    CASES.emit(name, op, {"out": out}, tensors)


def adaptive_cases():
    for mode in ("max", "mean"):
        adaptive(mode, (N, 2, 7, 7), 3)          # 7 -> 3: windows [0,3) [2,5) [4,7) overlap
        adaptive(mode, (N, 3, 5, 6), (3, 4))     # overlapping on both axes, unequal lengths
        adaptive(mode, (N, 2, 6, 5), 1)          # global
        adaptive(mode, (N, 2, 4, 4), 4)          # identity
        adaptive(mode, (N, 2, 3, 2), (5, 3))     # out > size: windows repeat elements
        adaptive(mode, (N, 2, 8, 6), (4, 3))     # dividing: plain pool 2x2


# --------------------------------------------------------- activations ----

def activation(op, fn, params, kinks):
    name = f"{op} x=[{N},3,4,5]{' alpha=' + str(params['alpha']) if 'alpha' in params else ''}"
    rng = CASES.rng(name)
    x = rand(rng, N, 3, 4, 5, scale=3.0).reshape(-1)
    x[: len(kinks)] = torch.tensor(kinks, dtype=torch.float64)
    x = x.reshape(N, 3, 4, 5)
    xl = leaf(x)
    y = fn(xl)
    dy = rand(rng, *y.shape)
    y.backward(dy)
    CASES.emit(name, op, params, {"x": x, "dy": dy, "y": y, "dx": xl.grad})


def activation_cases():
    activation("relu6", F.relu6, {}, [0.0, 6.0, -0.0, 5.999999, 6.000001, 1e-300])
    activation("gelu", lambda t: F.gelu(t, approximate="none"), {"approximate": "none"},
               [0.0, -3.0, 3.0, -7.5, 7.5, -12.0, 1e-8, -0.5])
    activation("silu", F.silu, {}, [0.0, -30.0, 30.0, -800.0, 1e-8])
    activation("hardswish", F.hardswish, {}, [-3.0, 3.0, 0.0, -2.999999, 3.000001])
    activation("hardsigmoid", F.hardsigmoid, {}, [-3.0, 3.0, 0.0, -2.999999, 3.000001])
    activation("elu", lambda t: F.elu(t, 1.0), {"alpha": 1.0}, [0.0, -1e-9, -20.0, 1e-9])
    activation("elu", lambda t: F.elu(t, 0.3), {"alpha": 0.3}, [0.0, -1e-9, -20.0, 1e-9])


def erf_case():
    xs = [i / 16 for i in range(-112, 113)] + [1e-10, -1e-300, 2.0000001, 2.999999, 3.000001, 5.99, 6.01, 0.47,
                                                 -0.47, 1.9999999, 26.5, -27.5]
    x = torch.tensor(xs, dtype=torch.float64)
    y, yc = torch.erf(x), torch.erfc(x)
    for v, a, b in zip(xs, y.tolist(), yc.tolist()):
        assert abs(a - math.erf(v)) <= 1e-15 * max(abs(a), 1e-300) + 1e-300
    CASES.emit("erf", "erf", {}, {"x": x, "y": y, "yc": yc})


# ---------------------------------------------------------- groupnorm ----

def groupnorm(xshape, groups, eps=1e-5):
    name = f"group_norm x={shp(xshape)} groups={groups}{'' if eps == 1e-5 else ' eps=' + str(eps)}"
    rng = CASES.rng(name)
    C = xshape[1]
    x = rand(rng, *xshape, scale=2.0) + 0.5
    gamma, beta = rand(rng, C) + 1.0, rand(rng, C)
    xl, gl, bl = leaf(x), leaf(gamma), leaf(beta)
    y = F.group_norm(xl, groups, gl, bl, eps)
    dy = rand(rng, *y.shape)
    y.backward(dy)
    CASES.emit(name, "group_norm", {"groups": groups, "eps": eps},
         {"x": x, "gamma": gamma, "beta": beta, "dy": dy, "y": y, "dx": xl.grad, "dgamma": gl.grad, "dbeta": bl.grad})


def groupnorm_cases():
    groupnorm((N, 4, 3, 3), 2)
    groupnorm((N, 6, 2, 3), 1)        # one group: layer norm over C, H, W
    groupnorm((N, 3, 4, 2), 3)        # one channel per group: instance norm
    groupnorm((N, 8, 5, 5), 4, eps=1e-3)
    groupnorm((N, 6), 3)              # a vector input


# ---------------------------------------------------------- mul, crop ----

def mul(xshape, broadcast):
    name = f"mul x={shp(xshape)} {broadcast}"
    rng = CASES.rng(name)
    n, c = xshape[0], xshape[1]
    x = rand(rng, *xshape)
    s = rand(rng, *xshape) if broadcast == "none" else rand(rng, n, c, 1, 1) if broadcast == "Cx1x1" else rand(rng, n, c)
    xl, sl = leaf(x), leaf(s)
    y = xl * (sl.view(n, c, 1, 1) if broadcast == "vector" else sl)
    dy = rand(rng, *y.shape)
    y.backward(dy)
    CASES.emit(name, "mul", {"broadcast": broadcast}, {"x": x, "s": s, "dy": dy, "y": y, "dx": xl.grad, "ds": sl.grad})


def crop(xshape, size):
    name = f"crop x={shp(xshape)} to={fmt(size)}"
    rng = CASES.rng(name)
    x = rand(rng, *xshape)
    xl = leaf(x)
    H, W = size
    top, left = (xshape[2] - H) // 2, (xshape[3] - W) // 2
    y = xl[:, :, top:top + H, left:left + W]
    dy = rand(rng, *y.shape)
    y.backward(dy)
    CASES.emit(name, "crop", {"size": [H, W], "offset": [top, left]}, {"x": x, "dy": dy, "y": y, "dx": xl.grad})


def other_cases():
    mul((N, 3, 4, 5), "none")
    mul((N, 3, 4, 5), "Cx1x1")
    mul((N, 4, 3, 3), "vector")
    crop((N, 2, 7, 8), (4, 5))       # odd leftovers: one more row / column at the bottom / right
    crop((N, 2, 6, 6), (6, 6))       # the identity
    crop((N, 3, 9, 9), (2, 3))
    crop((N, 1, 17, 16), (9, 12))    # odd row leftover, even column leftover


def main():
    torch.manual_seed(SEED)
    deconv_cases()
    upsample_cases()
    adaptive_cases()
    activation_cases()
    erf_case()
    groupnorm_cases()
    other_cases()
    CASES.write()


if __name__ == "__main__":
    main()
