#!/usr/bin/python3
"""End-to-end float64 reference for whole networks, computed by PyTorch autograd.

Step 2 of 2. Step 1 (`node --import tsx scripts/torch/networks-input.ts`) writes
test/fixtures/torch/networks-input.json: for each .cnn file in
test/fixtures/torch/networks/, its source, every statement *as written* (layer
names, kind keywords, positional arguments and options as { kind, text }) and
CNN Lens's seeded sample data (input, labels or targets, parameters). None of
CNN Lens's outputs or gradients are in it.

This script rebuilds every network in PyTorch from the statements alone,
interpreting the arguments and options itself as docs/language.md defines
them (nothing of the engine's arithmetic or option reading is reused), loads
the data, runs forward, retain_grad()s the input and every layer's output,
runs backward and writes test/fixtures/torch/networks.json:

    /usr/bin/python3 scripts/torch/networks.py [INPUT.json [OUTPUT.json]]

Interpretation (docs/language.md "Layers", "Deltas", "Statements"):
  conv FILTERS KERNEL   F.conv2d. pad: N | HxW | TOPxBOTTOMxLEFTxRIGHT | valid |
                        same | full. Symmetric padding goes to conv2d(padding=
                        (ph, pw)); TOPxBOTTOMxLEFTxRIGHT that is not symmetric is
                        F.pad(x, (left, right, top, bottom)) then padding 0;
                        same at stride 1 is torch's padding='same', at a stride
                        above 1 D(K-1)/2 on each side; full is D(K-1) on each
                        side. stride, dilation (N | HxW), groups, bias (true),
                        in= (only checked against the channels that arrive).
  pool max|mean|avg K   F.max_pool2d / F.avg_pool2d(count_include_pad=True);
                        stride defaults to the kernel; pad N | HxW; ceil_mode.
  dense UNITS           F.linear on x.reshape(N, -1) (C,H,W order); bias (true).
  flatten               x.reshape(N, -1).
  relu, sigmoid, tanh   F.relu, torch.sigmoid, torch.tanh;
  leaky_relu            F.leaky_relu(negative_slope=slope, default 0.01);
  identity, dropout     the identity (dropout as in eval mode), as x.clone() so
                        the layer's output is a tensor of its own;
  batchnorm             F.batch_norm(training=True, no running statistics,
                        eps default 1e-5): batch mean and biased variance per
                        channel, over N (vectors) or N*H*W (maps).
  add A B...            the sum; concat A B... torch.cat(dim=1).
  softmax (last only)   p = F.softmax(x, dim=1) (per position on a map).
  inputs                add/concat: their arguments; else from=NAME; else the
                        previous statement's output. Unnamed layers are named
                        KIND + count. Both are asserted equal to CNN Lens's.
  loss                  `loss` statement, else cross_entropy after a softmax
                        and mse otherwise. cross_entropy = F.cross_entropy on the
                        logits (the softmax's input, or the last layer's output
                        without a softmax), labels [N] or [N, H, W], mean over
                        N (or N*H*W). mse = F.mse_loss against the targets.
  delta at a softmax    d loss / d p with loss = nll(log p), from autograd on a
                        detached copy of p (the logits' delta comes from the
                        F.cross_entropy graph itself).

Schema of networks.json
-----------------------
{ "generator": "scripts/torch/networks.py", "torch": "<version>", "dtype": "float64",
  "networks": [ NETWORK, ... ] }
NETWORK = {
  "file": "conv_basic.cnn", "network": "conv_basic" | null, "source": "<the .cnn text>",
  "batch": N, "seed": S, "loss_kind": "cross_entropy" | "mse",
  "layers": [ { "name", "kind", "inputs": [names], "torch": "<the call used>" } ],
  "data":   { "input": T, "labels": T (ints) | "targets": T, "params": { layer: { W, b, gamma, beta: T } } },
  "torch":  { "loss": float,
              "outputs": { layer: T },                  activations, batch first
              "deltas":  { input name or layer: T },    d loss / d output (0 where no path)
              "grads":   { layer: { W, b, gamma, beta: T } } }   PyTorch layouts }
T = { "shape": [...], "data": [flat row-major numbers] }
The data is CNN Lens's seeded draw, exactly; every torch number is a float64
written with Python's shortest round-trip repr (at most 17 significant digits).
"""
import json
import os
import re
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "test", "fixtures", "torch")
IN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(FIXTURES, "networks-input.json")
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(FIXTURES, "networks.json")
DTYPE = torch.float64

torch.set_default_dtype(DTYPE)


class Bad(Exception):
    pass


# ----------------------------------------------------------- values ----

def dims(v, what):
    """The whole numbers of a value written N or AxBx... (x or ×)."""
    if v["kind"] not in ("number", "shape"):
        raise Bad(f"{what}: expected numbers, got {v['kind']} {v['text']!r}")
    parts = re.split("[x×]", v["text"])
    out = []
    for p in parts:
        if not re.fullmatch(r"[0-9]+", p):
            raise Bad(f"{what}: {v['text']!r} is not whole numbers")
        out.append(int(p))
    return out


def pair(v, what):
    d = dims(v, what)
    if len(d) == 1:
        return (d[0], d[0])
    if len(d) == 2:
        return (d[0], d[1])
    raise Bad(f"{what}: {v['text']!r} is not N or HxW")


def integer(v, what):
    d = dims(v, what)
    if len(d) != 1:
        raise Bad(f"{what}: {v['text']!r} is not one number")
    return d[0]


def number(v, what):
    if v["kind"] != "number":
        raise Bad(f"{what}: {v['text']!r} is not a number")
    return float(v["text"])


def boolean(v, what):
    if v["kind"] == "word" and v["text"] in ("true", "false"):
        return v["text"] == "true"
    raise Bad(f"{what}: {v['text']!r} is not true or false")


def word(v, what, choices):
    if v["kind"] == "word" and v["text"] in choices:
        return v["text"]
    raise Bad(f"{what}: {v['text']!r} is not one of {choices}")


ALLOWED = {
    "conv": {"stride", "pad", "dilation", "groups", "bias", "in", "from"},
    "pool": {"stride", "pad", "ceil", "from"},
    "dense": {"bias", "in", "from"},
    "flatten": {"from"}, "relu": {"from"}, "sigmoid": {"from"}, "tanh": {"from"},
    "identity": {"from"}, "softmax": {"from"},
    "leaky_relu": {"slope", "from"}, "dropout": {"rate", "from"}, "batchnorm": {"eps", "from"},
    "add": set(), "concat": set(),
}


# ------------------------------------------------------------ tensors ----

def T(t):
    t = t.detach()
    flat = t.reshape(-1).tolist()
    if t.dtype == DTYPE:
        flat = [float(v) for v in flat]
        assert all(v == v and abs(v) != float("inf") for v in flat), "non-finite value"
    else:
        flat = [int(v) for v in flat]
    return {"shape": list(t.shape), "data": flat}


def load(t, shape, what):
    if list(t["shape"]) != list(shape):
        raise Bad(f"{what}: CNN Lens gives shape {t['shape']}, the DSL says {list(shape)}")
    return torch.tensor(t["data"], dtype=DTYPE).reshape(shape)


# ------------------------------------------------------------ layers ----

def conv_padding(pad, k, d, s):
    """(top, bottom, left, right) or 'same' (torch's own, at stride 1)."""
    full = (d[0] * (k[0] - 1), d[1] * (k[1] - 1))
    if pad is None:
        return (0, 0, 0, 0)
    if pad["kind"] == "word":
        w = word(pad, "pad", ("valid", "same", "full"))
        if w == "valid":
            return (0, 0, 0, 0)
        if w == "full":
            return (full[0], full[0], full[1], full[1])
        if full[0] % 2 or full[1] % 2:
            raise Bad("pad=same needs an odd dilated kernel")
        if s == (1, 1):
            return "same"
        return (full[0] // 2, full[0] // 2, full[1] // 2, full[1] // 2)
    p = dims(pad, "pad")
    if len(p) == 1:
        return (p[0],) * 4
    if len(p) == 2:
        return (p[0], p[0], p[1], p[1])
    if len(p) == 4:
        return tuple(p)
    raise Bad(f"pad {pad['text']!r}")


def run_layer(layer, xs, opts, args, params, N, is_last):
    """Returns (y, description, param specs used). params maps name -> leaf tensor."""
    kind = layer["kind"]
    x = xs[0]
    if kind == "conv":
        filters = integer(args[0], "filters")
        k = pair(args[1], "kernel")
        s = pair(opts["stride"], "stride") if "stride" in opts else (1, 1)
        d = pair(opts["dilation"], "dilation") if "dilation" in opts else (1, 1)
        g = integer(opts["groups"], "groups") if "groups" in opts else 1
        bias = boolean(opts["bias"], "bias") if "bias" in opts else True
        C = x.shape[1]
        if "in" in opts and integer(opts["in"], "in") != C:
            raise Bad(f"in= differs from the {C} channels")
        W = params("W", (filters, C // g, k[0], k[1]))
        b = params("b", (filters,)) if bias else None
        pad = conv_padding(opts.get("pad"), k, d, s)
        if pad == "same":
            y = F.conv2d(x, W, b, stride=s, padding="same", dilation=d, groups=g)
            how = f"F.conv2d(stride={s}, padding='same', dilation={d}, groups={g}, bias={bias})"
        elif pad[0] == pad[1] and pad[2] == pad[3]:
            y = F.conv2d(x, W, b, stride=s, padding=(pad[0], pad[2]), dilation=d, groups=g)
            how = f"F.conv2d(stride={s}, padding={(pad[0], pad[2])}, dilation={d}, groups={g}, bias={bias})"
        else:
            t, bo, l, r = pad
            y = F.conv2d(F.pad(x, (l, r, t, bo)), W, b, stride=s, padding=0, dilation=d, groups=g)
            how = f"F.conv2d(F.pad(x, {(l, r, t, bo)}), stride={s}, dilation={d}, groups={g}, bias={bias})"
        return y, how
    if kind == "pool":
        mode = word(args[0], "mode", ("max", "mean", "avg"))
        k = pair(args[1], "kernel")
        s = pair(opts["stride"], "stride") if "stride" in opts else k
        p = pair(opts["pad"], "pad") if "pad" in opts else (0, 0)
        ceil = boolean(opts["ceil"], "ceil") if "ceil" in opts else False
        if mode == "max":
            return (F.max_pool2d(x, k, s, p, ceil_mode=ceil),
                    f"F.max_pool2d(kernel={k}, stride={s}, padding={p}, ceil_mode={ceil})")
        return (F.avg_pool2d(x, k, s, p, ceil_mode=ceil, count_include_pad=True),
                f"F.avg_pool2d(kernel={k}, stride={s}, padding={p}, ceil_mode={ceil}, count_include_pad=True)")
    if kind == "dense":
        units = integer(args[0], "units")
        bias = boolean(opts["bias"], "bias") if "bias" in opts else True
        flat = x.reshape(N, -1)
        if "in" in opts and integer(opts["in"], "in") != flat.shape[1]:
            raise Bad("in= differs from the features")
        W = params("W", (units, flat.shape[1]))
        b = params("b", (units,)) if bias else None
        return F.linear(flat, W, b), f"F.linear(x.reshape(N, -1), bias={bias})"
    if kind == "flatten":
        y = x.reshape(N, -1)
        return (y.clone() if y is x else y), "x.reshape(N, -1)"
    if kind == "relu":
        return F.relu(x), "F.relu"
    if kind == "leaky_relu":
        slope = number(opts["slope"], "slope") if "slope" in opts else 0.01
        return F.leaky_relu(x, slope), f"F.leaky_relu(negative_slope={slope!r})"
    if kind == "sigmoid":
        return torch.sigmoid(x), "torch.sigmoid"
    if kind == "tanh":
        return torch.tanh(x), "torch.tanh"
    if kind == "identity":
        return x.clone(), "identity (x.clone())"
    if kind == "dropout":
        rate = number(opts["rate"], "rate") if "rate" in opts else 0.5
        y = F.dropout(x, rate, training=False)
        return (y.clone() if y is x else y), f"F.dropout(p={rate!r}, training=False) (the identity)"
    if kind == "batchnorm":
        eps = number(opts["eps"], "eps") if "eps" in opts else 1e-5
        C = x.shape[1]
        gamma = params("gamma", (C,))
        beta = params("beta", (C,))
        return (F.batch_norm(x, None, None, gamma, beta, training=True, eps=eps),
                f"F.batch_norm(training=True, eps={eps!r})")
    if kind == "add":
        y = xs[0]
        for t in xs[1:]:
            y = y + t
        return y, "sum of the inputs"
    if kind == "concat":
        return torch.cat(xs, dim=1), "torch.cat(dim=1)"
    if kind == "softmax":
        if not is_last:
            raise Bad("softmax is not last")
        return F.softmax(x, dim=1), "F.softmax(dim=1)"
    raise Bad(f"unknown kind {kind}")


# ----------------------------------------------------------- networks ----

def statement_value(options, key):
    found = [o for o in options if o["key"] == key]
    return found[0] if found else None


def build(net):
    data = net["data"]
    N = data["batch"]
    for o in net["sample"] or []:
        want = integer(o, f"sample {o['key']}")
        if data[o["key"]] != want:
            raise Bad(f"sample {o['key']}={want} but the run used {data[o['key']]}")

    in_shape = dims(net["input"]["shape"], "input shape")
    in_name = net["input"]["name"] or "input"
    x0 = load(data["input"], [N] + in_shape, "input").requires_grad_(True)
    env = {in_name: x0}
    previous = in_name
    counts = {}
    leaves = {}
    described = []
    layers = net["layers"]
    for i, layer in enumerate(layers):
        kind = layer["kind"]
        counts[kind] = counts.get(kind, 0) + 1
        name = layer["explicitName"] or f"{kind}{counts[kind]}"
        if name != layer["name"]:
            raise Bad(f"layer {i}: named {name} by the DSL's rule, {layer['name']} by CNN Lens")
        opts = {}
        for o in layer["options"]:
            if o["key"] not in ALLOWED[kind]:
                raise Bad(f"{name}: option {o['key']} is not in docs/language.md for {kind}")
            opts[o["key"]] = o
        if kind in ("add", "concat"):
            inputs = [a["text"] for a in layer["args"]]
        elif "from" in opts:
            inputs = [opts["from"]["text"]]
        else:
            inputs = [previous]
        if inputs != layer["inputs"]:
            raise Bad(f"{name}: inputs {inputs} by the DSL's rule, {layer['inputs']} by CNN Lens")
        given = data["params"].get(name, {})
        used = {}

        def params(p, shape, given=given, used=used, name=name):
            if p not in given:
                raise Bad(f"{name}: CNN Lens has no parameter {p}")
            leaf = load(given[p], shape, f"{name}.{p}").requires_grad_(True)
            used[p] = leaf
            return leaf

        y, how = run_layer(layer, [env[n] for n in inputs], opts, layer["args"], params, N, i == len(layers) - 1)
        if set(used) != set(given):
            raise Bad(f"{name}: CNN Lens has parameters {sorted(given)}, the DSL {sorted(used)}")
        if any(y is env[n] for n in inputs):
            y = y.clone()
        y.retain_grad()
        env[name] = y
        leaves[name] = used
        previous = name
        described.append({"name": name, "kind": kind, "inputs": inputs, "torch": how})

    last = layers[-1]
    loss_kind = word(net["loss"], "loss", ("cross_entropy", "mse")) if net["loss"] else (
        "cross_entropy" if last["kind"] == "softmax" else "mse")
    y = env[last["name"]]
    softmax_dp = None
    if loss_kind == "cross_entropy":
        if "labels" not in data:
            raise Bad("cross-entropy, but CNN Lens drew no labels")
        labels = load(data["labels"], [N] + list(y.shape[2:]), "labels").to(torch.long)
        if last["kind"] == "softmax":
            logits = env[last["inputs"][0]]
            loss = F.cross_entropy(logits, labels)
            # δ at the probabilities: d nll(log p) / d p, on a copy so it does not enter the logits' graph.
            p = y.detach().clone().requires_grad_(True)
            (softmax_dp,) = torch.autograd.grad(F.nll_loss(torch.log(p), labels), p)
        else:
            loss = F.cross_entropy(y, labels)
    else:
        if "targets" not in data:
            raise Bad("mse, but CNN Lens drew no targets")
        loss = F.mse_loss(y, load(data["targets"], list(y.shape), "targets"))
    loss.backward()

    def grad_of(t):
        return t.grad if t.grad is not None else torch.zeros_like(t)

    outputs = {l["name"]: T(env[l["name"]]) for l in layers}
    deltas = {in_name: T(grad_of(x0))}
    for l in layers:
        deltas[l["name"]] = T(softmax_dp if (l is last and softmax_dp is not None) else grad_of(env[l["name"]]))
    grads = {n: {p: T(grad_of(t)) for p, t in ps.items()} for n, ps in leaves.items() if ps}
    return {
        "file": net["file"], "network": net["network"], "source": net["source"],
        "batch": N, "seed": data["seed"], "loss_kind": loss_kind, "layers": described,
        "data": data,
        "torch": {"loss": float(loss.item()), "outputs": outputs, "deltas": deltas, "grads": grads},
    }


def main():
    with open(IN) as f:
        spec = json.load(f)
    out = []
    for net in spec["networks"]:
        try:
            out.append(build(net))
        except Bad as e:
            sys.exit(f"{net['file']}: {e}")
    doc = {"generator": "scripts/torch/networks.py", "torch": torch.__version__, "dtype": "float64",
           "networks": out}
    text = json.dumps(doc, separators=(",", ":"), allow_nan=False)
    with open(OUT, "w") as f:
        f.write(text + "\n")
    print(f"{len(out)} networks -> {os.path.relpath(OUT)} ({len(text) / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
