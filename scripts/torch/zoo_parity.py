#!/usr/bin/python3
"""The model zoo's sample runs against PyTorch's own models, in float64.

For every network of examples/zoo/ (or the files named on the command line):

  1. `node --import tsx scripts/torch/zoo-dump.ts FILE DIR`: CNN Lens's float64 sample run at the file's
     `sample size=` (seeded input, labels or targets, parameters; every layer's output and δ; every gradient),
     as raw tensors. A file that does not check clean is recorded as `pending`, with its first error;
  2. builds the same network as scripts/torch/zoo.py does (torchvision's model, or the script's own module),
     loads the run's parameters into it by name with load_state_dict(strict=True): the `.cnn` full name read
     by the rule of examples/zoo/README.md ("Names": `layer2_0.downsample_0` is `layer2.0.downsample.0`),
     W -> .weight, b -> .bias, gamma -> .weight, beta -> .bias. strict=True fails on a parameter either side lacks;
  3. runs the run's input through it in train() mode (batchnorm with the batch's statistics, as CNN Lens
     does) with every dropout's p set to 0 (CNN Lens runs dropout as the identity), a forward hook on every
     module that clones its output (so torchvision's in-place `+=` and ReLUs cannot change it afterwards) and
     retains its gradient; computes the loss (F.cross_entropy on the logits with the run's labels, or F.mse_loss
     against its targets) and backpropagates;
  4. compares, for every PyTorch module, its (first call's) output and the δ there with those of the `.cnn`
     layer of that name, or for a container, of the last layer inside it; the fused softmax as
     torch.softmax(logits, dim=1); the loss; the δ at the input; every parameter's gradient.

Errors are |torch - run| / max(1, |run|), the largest over every element; a network passes at <= 1e-9.
Writes test/fixtures/torch/zoo-parity.json. Run from the repository root (zoo-dump.ts runs the engine from source):

    /usr/bin/python3 scripts/torch/zoo_parity.py [examples/zoo/NAME.cnn ...]

Schema: { "generator", "torch", "torchvision", "tolerance": 1e-9, "networks": [ { "file": "examples/zoo/x.cnn",
  "input": [N, C, H, W] (the size the run used), "seed", "compared": { "outputs": n, "deltas": n, "grads": n },
  "outputs": { torch module: error }, "deltas": { torch module: error }, "grads": { "name.weight": error },
  "loss": error, "input_delta": error, "max_error": e, "passed": bool }
  or { "file", "pending": "<the first error>" } ] }
The large networks need memory: VGG-16's parameters and gradients are 2.2 GB in float64 on each side, so
zoo-dump.ts runs with --memory-limit raised (MEMORY_LIMIT below); U-Net at 572x572 needs about 10 GB.
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import zoo  # noqa: E402  (the same builders as zoo.json's)

OUT = os.path.join(ROOT, "test", "fixtures", "torch", "zoo-parity.json")
TOLERANCE = 1e-9
MEMORY_LIMIT = 2 ** 36
PARAM_NAMES = {"W": "weight", "b": "bias", "gamma": "weight", "beta": "bias"}
BUILDERS = {name: build for name, _source, build, *_ in zoo.NETWORKS}


def torch_name(cnn_name):
    """examples/zoo/README.md, "Names": `_N` in a part stands for `.N`, a trailing `_` is dropped."""
    parts = []
    for part in cnn_name.split("."):
        head, *rest = part.split("_")
        name = head + "".join(f".{p}" if re.fullmatch(r"\d+", p) else f"_{p}" for p in rest)
        name = name[1:] if name.startswith(".") else name
        parts.append(name[:-1] if name.endswith("_") and not name.endswith("__") else name)
    return ".".join(parts)


def load(directory, t, dtype=torch.float64):
    data = np.fromfile(os.path.join(directory, t["file"]), dtype="<f8").reshape(t["shape"])
    return torch.from_numpy(data).to(dtype)


def error(got, want):
    if got is None:  # a parameter of a layer that reaches no loss: autograd leaves its .grad unset
        got = torch.zeros_like(want)
    got = got.detach().reshape(want.shape)
    return float(((got - want).abs() / want.abs().clamp(min=1)).max()) if want.numel() else 0.0


def parity(rel, work):
    name = os.path.basename(rel)[:-4]
    directory = os.path.join(work, name)
    ran = subprocess.run(["node", "--import", "tsx", os.path.join(HERE, "zoo-dump.ts"), rel, directory,
                          "--memory-limit", str(MEMORY_LIMIT)], cwd=ROOT, capture_output=True, text=True)
    if ran.returncode == 1:
        return {"file": rel, "pending": ran.stderr.strip().splitlines()[0]}
    assert ran.returncode == 0, ran.stderr
    with open(os.path.join(directory, "index.json")) as f:
        run = json.load(f)

    torch.manual_seed(0)
    model = BUILDERS[name]().double()
    state = {f"{torch_name(layer)}.{PARAM_NAMES[p]}": load(directory, t) for layer, ps in run["params"].items()
             for p, t in ps.items()}
    model.load_state_dict(state, strict=False)
    missing = set(model.state_dict().keys()) - set(state) - {k for k, _ in model.named_buffers()}
    unexpected = set(state) - set(model.state_dict().keys())
    assert not missing and not unexpected, f"{rel}: torch only {sorted(missing)[:5]}, .cnn only {sorted(unexpected)[:5]}"
    model.train()
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.0

    seen = {}

    def hook(module_name):
        def keep(_m, _i, y):
            y.retain_grad()
            seen.setdefault(module_name, y)  # a module called again (ResNet's relu): its first call
            return y.clone()  # later in-place operations (`out += identity`, ReLU(inplace)) change the clone
        return keep

    for n, m in model.named_modules():
        if n:
            m.register_forward_hook(hook(n))

    x = load(directory, run["input"]).requires_grad_()
    logits = model(x)
    if "labels" in run:
        loss = F.cross_entropy(logits, load(directory, run["labels"], torch.long))
    else:
        loss = F.mse_loss(logits, load(directory, run["targets"]))
    loss.backward()

    # Each PyTorch module's .cnn layer: the layer of its name, else the last layer inside it (a container).
    layers = list(run["outputs"].keys())
    cnn_of = {}
    for layer in layers:
        t = torch_name(layer)
        for prefix in [".".join(t.split(".")[:i]) for i in range(1, t.count(".") + 2)]:
            if prefix in seen and (prefix not in cnn_of or torch_name(cnn_of[prefix]) != prefix):
                cnn_of[prefix] = layer
    outputs, deltas = {}, {}
    for module_name, y in seen.items():
        layer = cnn_of.get(module_name)
        if layer is None:
            continue
        outputs[module_name] = error(y, load(directory, run["outputs"][layer]))
        deltas[module_name] = error(y.grad, load(directory, run["deltas"][layer]))
    last = layers[-1]
    if torch_name(last) not in seen:  # the fused softmax, which PyTorch leaves to F.cross_entropy
        outputs[last] = error(torch.softmax(logits, dim=1), load(directory, run["outputs"][last]))
    params = dict(model.named_parameters())
    grads = {f"{torch_name(layer)}.{PARAM_NAMES[p]}": error(params[f"{torch_name(layer)}.{PARAM_NAMES[p]}"].grad,
                                                              load(directory, t))
             for layer, ps in run["grads"].items() for p, t in ps.items()}
    input_delta = error(x.grad, load(directory, run["deltas"][run["input_name"]]))
    loss_error = abs(float(loss) - run["loss"]) / max(1.0, abs(run["loss"]))
    worst = max([loss_error, input_delta, *outputs.values(), *deltas.values(), *grads.values()])
    return {
        "file": rel, "input": run["input"]["shape"], "seed": run["seed"],
        "compared": {"outputs": len(outputs), "deltas": len(deltas), "grads": len(grads)},
        "outputs": outputs, "deltas": deltas, "grads": grads, "loss": loss_error, "input_delta": input_delta,
        "max_error": worst, "passed": worst <= TOLERANCE,
    }


def main():
    files = sys.argv[1:] or sorted(os.path.relpath(f, ROOT) for f in glob.glob(os.path.join(ROOT, "examples/zoo/*.cnn")))
    results = []
    with tempfile.TemporaryDirectory() as work:
        for f in files:
            print(f, flush=True)
            results.append(parity(f, work))
            subprocess.run(["rm", "-rf", os.path.join(work, os.path.basename(f)[:-4])])
    with open(OUT, "w") as f:
        json.dump({"generator": "scripts/torch/zoo_parity.py", "torch": torch.__version__,
                   "torchvision": torchvision.__version__, "tolerance": TOLERANCE, "networks": results}, f, indent=1)
        f.write("\n")
    for r in results:
        verdict = f"pending: {r['pending']}" if "pending" in r else \
            ("passed" if r["passed"] else "FAILED") + f" (max error {r['max_error']:.2e}, {r['compared']})"
        print(f"{r['file']}: {verdict}")
    sys.exit(1 if any("pending" not in r and not r["passed"] for r in results) else 0)


if __name__ == "__main__":
    main()
