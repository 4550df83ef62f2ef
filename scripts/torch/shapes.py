#!/usr/bin/python3
"""Output-shape reference fixtures, computed by running real PyTorch.

Run with Debian's interpreter (python3-torch), from the repository root:

    /usr/bin/python3 scripts/torch/shapes.py   # writes test/fixtures/torch/shapes.json

Every output below comes from actually calling torch.nn.functional.conv2d /
max_pool2d / avg_pool2d on a float64 zero tensor of batch 1 and reading the
result's shape (or catching the exception torch raises). Nothing is computed
from a formula except the metadata fields marked "derived".  The sweep is
deterministic (fixed lists plus a random.Random(SEED) sample of grids), so
re-running the script with the same torch version reproduces the file exactly.

Schema of shapes.json
---------------------
{
  "generator": "scripts/torch/shapes.py",
  "torch": "<torch.__version__>",
  "dtype": "float64",
  "counts": { "conv": N, "pool": N, "errors": N },
  "cases": [ CASE, ... ]
}

All pairs are [height, width]; all shapes are [C, H, W] (the batch of 1 is
left out).

conv CASE:
  "op":        "conv"
  "input":     [C, H, W]
  "filters":   number of output channels F
  "kernel":    [kh, kw]
  "stride":    [sh, sw]
  "dilation":  [dh, dw]
  "groups":    g  (weight is [F, C/g, kh, kw]; depthwise is g == C)
  "padding":   [top, bottom, left, right], the zero padding actually applied,
               or null when torch rejected the padding spec itself
  "padding_spec": how the padding was given to torch:
      "symmetric"  F.conv2d(padding=(ph, pw))          (top == bottom, left == right)
      "asymmetric" F.pad(x, (left, right, top, bottom)) then F.conv2d(padding=0)
      "same"       F.conv2d(padding='same'), odd dilated kernel d*(k-1)+1;
                   torch pads d*(k-1)/2 on each side
      "same-even"  F.conv2d(padding='same') with an even dilated kernel: torch
                   accepts it and puts the extra row/column at the bottom/right
                   (total d*(k-1), top = total // 2).  The .cnn language rejects
                   `pad=same` here; these cases only document torch.
      "full"       F.conv2d(padding=(dh*(kh-1), dw*(kw-1)))
  "output":    [F, Ho, Wo]                     (absent when "error" is present)
  "error":     torch's exception message (first line)   (absent on success)
  "error_kind" (derived, errors only): "empty-output" (kernel larger than the
               padded input), "channel-mismatch" (groups does not divide C or F),
               "same-strided" (padding='same' with stride > 1), "bad-value"
               (negative padding, zero stride)

pool CASE:
  "op":        "pool"
  "mode":      "max" (F.max_pool2d) | "mean" (F.avg_pool2d, count_include_pad=True)
  "input":     [C, H, W]
  "kernel":    [kh, kw]
  "stride":    [sh, sw]     (always explicit; the .cnn default is the kernel)
  "padding":   [ph, pw]     (symmetric, each side)
  "ceil_mode": true | false
  "output":    [C, Ho, Wo]                     (absent when "error" is present)
  "ceil_dropped": [bool, bool]  (derived, ceil-mode successes only): true where
               torch's size is one less than ceil((H+2p-k)/s)+1, i.e. the last
               window would have started in the right/bottom padding (or past
               it) and torch dropped it
  "error", "error_kind": as for conv; pool kinds are "empty-output" (output size
               would be <= 0), "pool-pad-too-large" (pad > kernel/2),
               "bad-value"
"""
import itertools
import json
import math
import os
import random
import sys
import warnings

import torch
import torch.nn.functional as F

SEED = 20240531
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "test", "fixtures", "torch", "shapes.json")

torch.set_default_dtype(torch.float64)
# padding='same' with an even extent warns that torch copies the input; expected.
warnings.filterwarnings("ignore", message="Using padding='same'")


def pair(v):
    return [v, v] if isinstance(v, int) else list(v)


def zeros(c, h, w):
    return torch.zeros(1, c, h, w, dtype=torch.float64)


def short(e):
    return str(e).strip().splitlines()[0]


def classify(msg):
    m = msg.lower()
    if "kernel size can't be greater" in m or "output size is too small" in m:
        return "empty-output"
    if "groups" in m:
        return "channel-mismatch"
    if "strided convolutions" in m:
        return "same-strided"
    if "half of kernel size" in m:
        return "pool-pad-too-large"
    if "negative" in m or "stride" in m or "non-positive" in m:
        return "bad-value"
    return "other"


# ---------------------------------------------------------------- conv ----

def conv_case(inp, filters, kernel, stride=1, dilation=1, groups=1,
              padding=0, spec=None):
    """padding: int | (ph, pw) | (t, b, l, r) | 'same' | 'full'."""
    C, H, W = inp
    kh, kw = pair(kernel)
    sh, sw = pair(stride)
    dh, dw = pair(dilation)
    case = {"op": "conv", "input": list(inp), "filters": filters,
            "kernel": [kh, kw], "stride": [sh, sw], "dilation": [dh, dw],
            "groups": groups}
    x = zeros(C, H, W)
    # A weight tensor torch accepts whenever the parameters are consistent;
    # when C % groups != 0 use C // groups so torch reports the mismatch.
    wshape = (filters, max(C // groups, 1), kh, kw)
    w = torch.zeros(*wshape, dtype=torch.float64)
    pad_arg = None
    if padding == "same":
        th, tw = dh * (kh - 1), dw * (kw - 1)
        case["padding"] = [th // 2, th - th // 2, tw // 2, tw - tw // 2]
        odd = th % 2 == 0 and tw % 2 == 0
        case["padding_spec"] = "same" if odd else "same-even"
        if sh != 1 or sw != 1:
            case["padding"] = None
        pad_arg = "same"
        run = lambda: F.conv2d(x, w, None, (sh, sw), "same", (dh, dw), groups)
    elif padding == "full":
        ph, pw = dh * (kh - 1), dw * (kw - 1)
        case["padding"] = [ph, ph, pw, pw]
        case["padding_spec"] = "full"
        run = lambda: F.conv2d(x, w, None, (sh, sw), (ph, pw), (dh, dw), groups)
    else:
        p = [padding, padding] if isinstance(padding, int) else list(padding)
        if len(p) == 2:
            case["padding"] = [p[0], p[0], p[1], p[1]]
            case["padding_spec"] = "symmetric"
            run = lambda: F.conv2d(x, w, None, (sh, sw), tuple(p), (dh, dw), groups)
        else:
            t, b, l, r = p
            case["padding"] = [t, b, l, r]
            case["padding_spec"] = "asymmetric"
            run = lambda: F.conv2d(F.pad(x, (l, r, t, b)), w, None, (sh, sw), 0,
                                   (dh, dw), groups)
    if spec:
        case["padding_spec"] = spec
    try:
        y = run()
        case["output"] = list(y.shape[1:])
        if pad_arg == "same":
            check_same_padding(case, x.shape, wshape)
    except Exception as e:  # torch's RuntimeError / ValueError
        case["error"] = short(e)
        case["error_kind"] = classify(case["error"])
    return case


def check_same_padding(case, xshape, wshape):
    """Confirm, on random values, that padding='same' equals the recorded padding."""
    g = torch.Generator().manual_seed(1)
    x = torch.randn(*xshape, generator=g)
    w = torch.randn(*wshape, generator=g)
    t, b, l, r = case["padding"]
    a = F.conv2d(x, w, None, 1, "same", case["dilation"], case["groups"])
    e = F.conv2d(F.pad(x, (l, r, t, b)), w, None, 1, 0, case["dilation"], case["groups"])
    assert a.shape == e.shape and torch.allclose(a, e, atol=1e-12), case


def conv_cases():
    cases = []
    add = lambda *a, **k: cases.append(conv_case(*a, **k))

    # Targeted: 1x1 kernels, kernel == input, non-square everything.
    add((3, 7, 7), 8, 1)
    add((3, 8, 5), 2, 1, stride=2)
    add((3, 8, 5), 2, 1, stride=(3, 2))
    add((16, 1, 1), 10, 1)
    add((3, 7, 7), 4, 7)
    add((3, 8, 5), 4, (8, 5))
    add((2, 6, 9), 3, (6, 9), stride=3)
    add((2, 5, 5), 3, 7, padding=1)              # kernel == padded input
    add((2, 4, 6), 3, (6, 8), padding=1)         # kernel == padded input, non-square
    add((3, 17, 17), 64, 5)                      # the seed network
    add((64, 6, 6), 96, 5)
    add((1, 28, 28), 6, 5, padding=2)            # LeNet / AlexNet style
    add((3, 224, 224), 64, 7, stride=2, padding=3)
    add((3, 227, 227), 96, 11, stride=4)
    add((3, 32, 32), 16, 3, stride=2, padding=1)
    add((8, 31, 31), 8, 3, stride=2, padding=1)
    add((3, 9, 14), 4, (1, 7), padding=(0, 3))
    add((3, 14, 9), 4, (7, 1), padding=(3, 0))
    add((3, 10, 6), 5, (3, 2), stride=(2, 1))
    add((3, 10, 6), 5, (2, 3), stride=(1, 3), dilation=(2, 1))
    add((4, 12, 7), 4, (3, 3), stride=(3, 2), dilation=(1, 2), padding=(2, 1))
    add((2, 13, 13), 2, 3, stride=2)             # conv-remainder: last row unused
    add((2, 8, 8), 2, 3, stride=2)
    add((2, 8, 8), 2, 2, stride=3)

    # Dilation.
    for inp, k, d, p, s in [((3, 9, 9), 3, 2, 0, 1), ((3, 9, 9), 3, 2, 2, 1),
                            ((3, 9, 9), 3, 4, 0, 1), ((2, 10, 7), 3, (2, 3), 0, 1),
                            ((2, 10, 7), (2, 3), (3, 2), 1, 1), ((2, 15, 15), 5, 3, 0, 1),
                            ((2, 15, 15), 3, 2, 1, 2), ((2, 12, 11), 2, 2, 0, 2),
                            ((1, 5, 5), 3, 2, 0, 1), ((1, 6, 20), (1, 3), (1, 8), 0, 1)]:
        add(inp, 3, k, stride=s, dilation=d, padding=p)

    # Groups, including depthwise (g == C) and depthwise multiplier (F = m*C).
    for inp, f, g, k, s, p in [((4, 8, 8), 8, 2, 3, 1, 1), ((6, 7, 9), 6, 3, 3, 1, 0),
                               ((6, 7, 9), 12, 3, (1, 3), (2, 1), (0, 1)),
                               ((4, 8, 8), 4, 4, 3, 1, 1), ((4, 8, 8), 8, 4, 3, 2, 1),
                               ((8, 10, 6), 8, 8, (3, 5), 1, (1, 2)),
                               ((3, 9, 9), 6, 3, 5, 2, 2), ((32, 14, 14), 32, 32, 3, 2, 1),
                               ((6, 5, 5), 2, 2, 5, 1, 0), ((4, 6, 6), 4, 2, 1, 1, 0)]:
        add(inp, f, k, stride=s, padding=p, groups=g)
    add((6, 9, 9), 6, 3, dilation=2, groups=6, padding=2)

    # Asymmetric padding [top, bottom, left, right] via F.pad.
    for inp, f, k, s, d, g, p in [
            ((3, 7, 7), 4, 3, 1, 1, 1, (0, 1, 0, 1)),
            ((3, 7, 7), 4, 3, 2, 1, 1, (1, 0, 1, 0)),
            ((3, 8, 8), 4, 2, 1, 1, 1, (0, 1, 0, 1)),       # TF "same" for even k
            ((3, 8, 8), 4, 4, 2, 1, 1, (1, 2, 1, 2)),
            ((3, 6, 9), 2, (2, 3), 1, 1, 1, (2, 0, 0, 3)),
            ((2, 5, 7), 2, 3, (2, 3), 1, 1, (0, 2, 1, 1)),
            ((2, 9, 9), 4, 3, 1, 2, 2, (1, 3, 2, 2)),
            ((4, 6, 6), 4, 3, 2, 1, 4, (0, 1, 1, 0)),
            ((1, 1, 1), 1, 3, 1, 1, 1, (1, 1, 1, 1)),
            ((1, 1, 4), 1, (2, 2), 1, 1, 1, (0, 1, 0, 0)),
            ((1, 3, 3), 1, 5, 1, 1, 1, (2, 0, 2, 0)),         # empty-output
            ((2, 10, 10), 3, 5, 3, 1, 1, (4, 0, 0, 4))]:
        add(inp, f, k, stride=s, dilation=d, groups=g, padding=p)

    # padding='same' (stride 1, odd dilated kernel), torch's own implementation.
    for inp, f, k, d, g in [((3, 7, 7), 4, 3, 1, 1), ((3, 8, 5), 4, 5, 1, 1),
                            ((3, 8, 5), 4, (1, 3), 1, 1), ((3, 8, 5), 4, (5, 1), 1, 1),
                            ((3, 9, 6), 2, (3, 5), (2, 1), 1), ((2, 9, 9), 2, 3, 3, 1),
                            ((2, 9, 9), 2, 2, 2, 1), ((4, 6, 11), 4, 3, 1, 4),
                            ((4, 6, 11), 8, (5, 3), (1, 2), 2), ((1, 1, 1), 1, 3, 1, 1),
                            ((1, 2, 2), 1, 7, 1, 1), ((3, 5, 5), 2, 1, 1, 1)]:
        add(inp, f, k, dilation=d, groups=g, padding="same")
    # torch also accepts even extents (DSL rejects them) and rejects stride > 1.
    for inp, f, k, d in [((2, 6, 6), 2, 2, 1), ((2, 6, 7), 2, (4, 3), 1),
                         ((2, 7, 6), 2, (3, 2), (1, 3))]:
        add(inp, f, k, dilation=d, padding="same")
    add((3, 8, 8), 4, 3, stride=2, padding="same")
    add((3, 8, 8), 4, 3, stride=(1, 2), padding="same")

    # padding 'full' = dilation*(k-1) each side.
    for inp, f, k, s, d, g in [((3, 5, 5), 2, 3, 1, 1, 1), ((96, 2, 2), 64, 5, 1, 1, 1),
                               ((2, 4, 7), 3, (2, 5), 1, 1, 1), ((2, 6, 6), 2, 3, 2, 1, 1),
                               ((2, 6, 6), 2, 3, 1, 2, 1), ((4, 3, 8), 4, (3, 4), (1, 2), (2, 1), 2),
                               ((1, 1, 1), 1, 4, 1, 1, 1), ((2, 7, 5), 2, 3, 3, 1, 2)]:
        add(inp, f, k, stride=s, dilation=d, groups=g, padding="full")

    # Errors: kernel larger than the padded input, groups, bad values.
    add((1, 2, 2), 1, 3)
    add((3, 4, 9), 2, 5)
    add((3, 9, 4), 2, (3, 5), padding=(0, 0))
    add((3, 9, 4), 2, (3, 7), padding=(0, 1))
    add((3, 9, 4), 2, (3, 7), padding=(0, 2))
    add((1, 5, 5), 1, 3, dilation=3)
    add((1, 6, 6), 1, 3, dilation=(1, 4))
    add((2, 1, 9), 2, 2)
    add((3, 5, 5), 2, 3, groups=2)
    add((4, 5, 5), 3, 3, groups=2)
    add((4, 5, 5), 6, 3, groups=8)
    add((1, 5, 5), 1, 3, padding=-1)
    add((1, 5, 5), 1, 3, stride=0)

    # Deterministic random grid.
    rng = random.Random(SEED)
    inputs = [(3, 7, 7), (2, 8, 5), (4, 6, 9), (1, 13, 10), (6, 17, 17), (2, 5, 12),
              (3, 11, 11), (4, 16, 16), (2, 3, 3), (1, 1, 9), (8, 9, 14), (2, 20, 7)]
    kernels = [(1, 1), (2, 2), (3, 3), (5, 5), (2, 3), (3, 1), (1, 4), (4, 4), (7, 7), (3, 5)]
    strides = [(1, 1), (1, 1), (2, 2), (3, 3), (2, 3), (1, 2)]
    dilations = [(1, 1), (1, 1), (1, 1), (2, 2), (1, 3), (3, 2)]
    pads = [(0, 0), (0, 0), (1, 1), (2, 2), (2, 1), (0, 3), (1, 0, 2, 1), (0, 2, 0, 1),
            (3, 1, 1, 3)]
    seen = set()
    while len(seen) < 170:
        inp = rng.choice(inputs)
        key = (inp, rng.choice(kernels), rng.choice(strides), rng.choice(dilations),
               rng.choice(pads), rng.choice([1, 1, 1, 2, "dw"]))
        if key in seen:
            continue
        seen.add(key)
        inp, k, s, d, p, g = key
        C = inp[0]
        groups = C if g == "dw" else (2 if C % 2 == 0 else 1) if g == 2 else 1
        f = rng.choice([1, 2, 4]) * groups if groups > 1 else rng.choice([1, 3, 5])
        add(inp, f, k, stride=s, dilation=d, groups=groups, padding=p)
    return cases


# ---------------------------------------------------------------- pool ----

def pool_case(mode, inp, kernel, stride=None, padding=0, ceil=False):
    C, H, W = inp
    kh, kw = pair(kernel)
    sh, sw = pair(stride if stride is not None else kernel)
    ph, pw = pair(padding)
    case = {"op": "pool", "mode": mode, "input": list(inp), "kernel": [kh, kw],
            "stride": [sh, sw], "padding": [ph, pw], "ceil_mode": ceil}
    x = zeros(C, H, W)
    try:
        if mode == "max":
            y = F.max_pool2d(x, (kh, kw), (sh, sw), (ph, pw), 1, ceil)
        else:
            y = F.avg_pool2d(x, (kh, kw), (sh, sw), (ph, pw), ceil, True)
        case["output"] = list(y.shape[1:])
        if ceil:
            naive = [math.ceil((n + 2 * p - k) / s) + 1
                     for n, p, k, s in ((H, ph, kh, sh), (W, pw, kw, sw))]
            case["ceil_dropped"] = [case["output"][1] < naive[0],
                                    case["output"][2] < naive[1]]
    except Exception as e:
        case["error"] = short(e)
        case["error_kind"] = classify(case["error"])
    return case


def pool_cases():
    params = []
    add = lambda *a, **k: params.append((a, k))
    # The seed network and its remainder cases.
    add((64, 13, 13), 2)
    add((96, 2, 2), 2)
    add((64, 13, 13), 2, ceil=True)
    add((1, 13, 13), 2, stride=2, ceil=True)
    add((1, 13, 8), 2, stride=2, ceil=True)
    # Ceil mode where the last window would start in the padding and is dropped.
    add((1, 5, 5), 2, stride=2, padding=1, ceil=True)
    add((1, 5, 5), 2, stride=2, padding=1, ceil=False)
    add((1, 6, 6), 3, stride=2, padding=1, ceil=True)
    add((1, 6, 6), 3, stride=2, padding=1, ceil=False)
    add((1, 7, 7), 3, stride=3, padding=1, ceil=True)
    add((1, 4, 4), 2, stride=2, padding=1, ceil=True)
    add((1, 8, 8), 3, stride=3, padding=1, ceil=True)
    add((1, 3, 3), 2, stride=2, padding=1, ceil=True)
    add((1, 9, 9), 4, stride=3, padding=2, ceil=True)
    add((1, 10, 10), 4, stride=4, padding=2, ceil=True)
    add((1, 11, 11), 5, stride=4, padding=2, ceil=True)
    add((1, 5, 7), (2, 3), stride=(2, 3), padding=(1, 1), ceil=True)
    add((1, 6, 5), (3, 2), stride=(2, 2), padding=(1, 1), ceil=True)
    add((1, 7, 6), (2, 4), stride=(3, 3), padding=(1, 2), ceil=True)
    add((2, 112, 112), 3, stride=2, padding=1, ceil=True)
    add((2, 112, 112), 3, stride=2, padding=1, ceil=False)
    add((2, 55, 55), 3, stride=2, ceil=True)
    add((2, 56, 56), 3, stride=2, ceil=True)
    # Ceil mode with a partial last window that is kept (starts inside the input).
    add((1, 7, 7), 2, ceil=True)
    add((1, 7, 7), 3, stride=2, ceil=True)
    add((1, 8, 8), 3, stride=2, ceil=True)
    add((1, 5, 9), (2, 4), stride=(2, 4), ceil=True)
    add((1, 6, 6), 4, stride=3, padding=1, ceil=True)
    add((1, 1, 1), 2, ceil=True)                   # kernel > input, kept in ceil mode
    add((1, 1, 1), 2, ceil=False)                  # ... rejected in floor mode
    add((1, 2, 3), 3, stride=1, ceil=True)
    add((1, 3, 3), 4, stride=2, padding=1, ceil=True)
    add((1, 3, 3), 5, stride=1, ceil=True)
    # Small-stride / overlapping, identity-ish and large windows.
    add((3, 7, 7), 1)
    add((3, 7, 7), 1, stride=2)
    add((3, 7, 7), 7)
    add((3, 7, 5), (7, 5))
    add((3, 5, 5), 3, stride=1, padding=1)
    add((3, 8, 6), (3, 2), stride=(1, 2), padding=(1, 0))
    add((3, 2, 2), 3, stride=1, padding=1)
    add((3, 2, 2), 3, stride=1, padding=1, ceil=True)
    # Errors: pad > kernel/2, output <= 0, bad values.
    add((1, 5, 5), 3, stride=2, padding=2)
    add((1, 5, 5), 2, stride=2, padding=2, ceil=True)
    add((1, 5, 5), (3, 4), stride=1, padding=(1, 3))
    add((1, 5, 5), 1, stride=1, padding=1)
    add((1, 1, 1), 3, stride=1)
    add((1, 2, 9), 3, stride=1)
    add((1, 9, 2), (2, 4), stride=2, padding=(0, 1))
    add((1, 9, 2), (2, 5), stride=2, padding=(0, 1))
    add((1, 5, 5), 2, stride=0)

    rng = random.Random(SEED + 1)
    sizes = [(1, 4, 4), (2, 5, 5), (1, 6, 6), (3, 7, 7), (2, 8, 5), (1, 9, 13), (2, 10, 10),
             (1, 11, 6), (4, 13, 13), (1, 3, 8), (2, 15, 15), (1, 16, 9), (1, 2, 2)]
    kernels = [(2, 2), (3, 3), (2, 3), (3, 2), (1, 1), (4, 4), (5, 3), (2, 2), (3, 3)]
    seen = set()
    while len(seen) < 110:
        inp, k = rng.choice(sizes), rng.choice(kernels)
        s = rng.choice([None, None, (1, 1), (2, 2), (3, 2), (2, 3), (3, 3)])
        p = (rng.randint(0, k[0] // 2), rng.randint(0, k[1] // 2))
        if rng.random() < 0.4:
            p = (0, 0)
        ceil = rng.random() < 0.5
        key = (inp, k, s, p, ceil)
        if key in seen:
            continue
        seen.add(key)
        add(inp, k, stride=s, padding=p, ceil=ceil)

    cases = []
    for a, k in params:
        for mode in ("max", "mean"):
            cases.append(pool_case(mode, *a, **k))
    return cases


def main():
    cases = conv_cases() + pool_cases()
    # Consistency of torch itself: max and mean pooling agree on every shape.
    pools = [c for c in cases if c["op"] == "pool"]
    for a, b in zip(pools[0::2], pools[1::2]):
        assert a.get("output") == b.get("output"), (a, b)
    doc = {
        "generator": "scripts/torch/shapes.py",
        "torch": torch.__version__,
        "dtype": "float64",
        "counts": {"conv": sum(c["op"] == "conv" for c in cases),
                   "pool": len(pools),
                   "errors": sum("error" in c for c in cases)},
        "cases": cases,
    }
    head = {k: v for k, v in doc.items() if k != "cases"}
    text = json.dumps(head, indent=2)[:-2] + ',\n  "cases": [\n'
    text += ",\n".join("    " + json.dumps(c) for c in cases) + "\n  ]\n}\n"
    json.loads(text)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(OUT)}: {len(cases)} cases {doc['counts']}, "
          f"{len(text)} bytes, torch {torch.__version__}", file=sys.stderr)


if __name__ == "__main__":
    main()
