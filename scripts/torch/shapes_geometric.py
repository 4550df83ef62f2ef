#!/usr/bin/python3
"""Output-shape reference fixtures for the geometric kinds of version 2, computed by running real PyTorch.

Run with Debian's interpreter (python3-torch), from the repository root:

    /usr/bin/python3 scripts/torch/shapes_geometric.py   # writes test/fixtures/torch/shapes-geometric.json

Every output comes from calling F.conv_transpose2d, F.interpolate or F.adaptive_{max,avg}_pool2d on a float64
zero tensor of batch 1 and reading the result's shape, or catching the exception torch raises. The sweep is a
fixed list plus a random.Random(SEED) sample, so the same torch version rewrites the file byte for byte.

Schema: { "generator", "torch", "dtype": "float64", "counts": {op: N}, "cases": [CASE, ...] }; pairs are
[height, width], shapes [C, H, W] (batch left out).
  deconv:   { "op": "deconv", "input", "filters", "kernel", "stride", "padding", "out_pad", "dilation", "groups",
              "output" | "error" }
  upsample: { "op": "upsample", "input", "factor", "mode", "output" }
  adaptive: { "op": "adaptive", "mode": "max" | "mean", "input", "out", "output" }
"""
import json
import os
import random

import torch
import torch.nn.functional as F

SEED = 20261203
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "fixtures", "torch",
                   "shapes-geometric.json")


def zeros(c, h, w):
    return torch.zeros(1, c, h, w, dtype=torch.float64)


def deconv_case(inp, filters, kernel, stride, padding, out_pad, dilation, groups):
    case = {"op": "deconv", "input": list(inp), "filters": filters, "kernel": list(kernel), "stride": list(stride),
            "padding": list(padding), "out_pad": list(out_pad), "dilation": list(dilation), "groups": groups}
    c = inp[0]
    try:
        if c % groups or filters % groups:
            # torch's own refusals come first (the checker reads options before it meets the input's channels).
            F.conv_transpose2d(zeros(*inp), torch.zeros(c, filters, *kernel, dtype=torch.float64), stride=tuple(stride),
                               padding=tuple(padding), output_padding=tuple(out_pad), dilation=tuple(dilation))
            raise ValueError("groups must divide the input channels and the filters")
        w = torch.zeros(c, filters // groups, *kernel, dtype=torch.float64)
        y = F.conv_transpose2d(zeros(*inp), w, stride=tuple(stride), padding=tuple(padding),
                               output_padding=tuple(out_pad), groups=groups, dilation=tuple(dilation))
        case["output"] = list(y.shape[1:])
    except (RuntimeError, ValueError) as e:
        case["error"] = str(e).split("\n")[0][:200]
    return case


def deconv_cases():
    cases = [
        deconv_case((100, 1, 1), 512, (4, 4), (1, 1), (0, 0), (0, 0), (1, 1), 1),   # DCGAN
        deconv_case((512, 4, 4), 256, (4, 4), (2, 2), (1, 1), (0, 0), (1, 1), 1),
        deconv_case((64, 4, 4), 32, (2, 2), (2, 2), (0, 0), (1, 1), (1, 1), 1),     # U-Net, odd encoder
        deconv_case((2, 4, 4), 2, (3, 3), (2, 2), (0, 0), (2, 2), (1, 1), 1),       # out_pad = stride
        deconv_case((2, 4, 4), 2, (3, 3), (2, 2), (0, 0), (2, 2), (3, 3), 1),       # allowed below dilation
        deconv_case((1, 1, 1), 1, (1, 1), (1, 1), (1, 1), (0, 0), (1, 1), 1),       # empty
        deconv_case((3, 4, 4), 4, (3, 3), (1, 1), (0, 0), (0, 0), (1, 1), 2),       # groups
    ]
    rng = random.Random(SEED)
    for _ in range(240):
        g = rng.choice([1, 1, 2, 3])
        c = g * rng.randint(1, 3) + (1 if rng.random() < 0.1 else 0)
        f = g * rng.randint(1, 3)
        s = (rng.randint(1, 3), rng.randint(1, 3))
        d = (rng.randint(1, 2), rng.randint(1, 2))
        cases.append(deconv_case((c, rng.randint(1, 9), rng.randint(1, 9)), f, (rng.randint(1, 5), rng.randint(1, 5)), s,
                                 (rng.randint(0, 2), rng.randint(0, 2)),
                                 (rng.randint(0, max(s[0], d[0])), rng.randint(0, max(s[1], d[1]))), d, g))
    return cases


def upsample_cases():
    cases = []
    for mode in ("nearest", "bilinear"):
        for inp in ((1, 1, 1), (2, 3, 4), (3, 7, 5)):
            for factor in ((1, 1), (2, 2), (2, 3), (3, 1), (4, 4)):
                kw = {} if mode == "nearest" else {"align_corners": False}
                y = F.interpolate(zeros(*inp), scale_factor=(float(factor[0]), float(factor[1])), mode=mode, **kw)
                cases.append({"op": "upsample", "input": list(inp), "factor": list(factor), "mode": mode,
                              "output": list(y.shape[1:])})
    return cases


def adaptive_cases():
    cases = []
    for mode, fn in (("max", F.adaptive_max_pool2d), ("mean", F.adaptive_avg_pool2d)):
        for inp in ((1, 1, 1), (2, 7, 9), (3, 5, 3), (4, 13, 13)):
            for out in ((1, 1), (2, 2), (3, 4), (5, 2), (7, 7), (14, 1)):
                y = fn(zeros(*inp), out)
                cases.append({"op": "adaptive", "mode": mode, "input": list(inp), "out": list(out), "output": list(y.shape[1:])})
    return cases


def main():
    cases = deconv_cases() + upsample_cases() + adaptive_cases()
    counts = {op: sum(1 for c in cases if c["op"] == op) for op in ("deconv", "upsample", "adaptive")}
    counts["errors"] = sum(1 for c in cases if "error" in c)
    head = {"generator": "scripts/torch/shapes_geometric.py", "torch": torch.__version__, "dtype": "float64", "counts": counts}
    text = json.dumps(head, indent=2)[:-2] + ',\n  "cases": [\n'
    text += ",\n".join("    " + json.dumps(c) for c in cases) + "\n  ]\n}\n"
    json.loads(text)
    with open(OUT, "w") as f:
        f.write(text)
    print(f"{len(cases)} cases ({counts}) -> {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
