#!/usr/bin/python3
"""Parity of `cnn-lens export --to pytorch` with CNN Lens's own runs, computed by PyTorch.

For every example network (examples/*.cnn) and fixture network (test/fixtures/torch/networks/*.cnn):

  1. `node dist/cli.js export FILE --to pytorch -o NET.py` (a network with errors is refused: recorded as such);
  2. `python3 -m py_compile NET.py`: the export is valid Python;
  3. `node dist/cli.js run FILE --dump NET.json`: CNN Lens's float64 sample run;
  4. imports NET.py, loads the dump's parameters into the module with load_state_dict(strict=True) by name
     (W -> LAYER.weight, b -> LAYER.bias, gamma -> LAYER.weight, beta -> LAYER.bias), in float64, train() mode
     with every nn.Dropout's p set to 0 (CNN Lens runs dropout as the identity), runs the dump's input through
     it with a forward hook on every submodule, computes the loss (F.cross_entropy on forward's logits with the
     dump's labels, or F.mse_loss against its targets), backpropagates, and compares every layer's output
     (a fused softmax as torch.softmax(logits, dim=1)), the loss, every parameter gradient and the δ at the input with the dump's.

Errors are |torch - dump| / max(1, |dump|), the largest over every element; a network passes at <= 1e-9.
Writes test/fixtures/torch/export.json, with the sha256 of each exported text: test/engine/export/pytorch.test.ts
fails when the export changes and this script was not run again. Run from anywhere, after `npm run build`:

    /usr/bin/python3 scripts/torch/export_parity.py

Schema: { "generator", "torch", "tolerance": 1e-9, "networks": [ { "file": "examples/seed.cnn",
  "sha256": "<hex of the exported text>", "state_dict": [keys in order], "outputs": {layer: error},
  "loss": error, "grads": {"layer.weight": error}, "input_delta": error, "max_error": e, "passed": bool }
  or { "file", "refused": "<the CLI's message>" } ] }
"""
import glob
import hashlib
import importlib.util
import json
import os
import py_compile
import subprocess
import sys
import tempfile

import torch
import torch.nn.functional as F
from torch import nn

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CLI = os.path.join(ROOT, "dist", "cli.js")
OUT = os.path.join(ROOT, "test", "fixtures", "torch", "export.json")
TOLERANCE = 1e-9
PARAM_NAMES = {"W": "weight", "b": "bias", "gamma": "weight", "beta": "bias"}


def tensor(t, dtype=torch.float64):
    return torch.tensor(t["data"], dtype=dtype).reshape(t["shape"])


def error(got, want):
    if got is None:  # a parameter of a layer that reaches no loss: autograd leaves its .grad unset
        got = torch.zeros_like(want)
    got = got.detach().reshape(want.shape)
    return float(((got - want).abs() / want.abs().clamp(min=1)).max()) if want.numel() else 0.0


def node(*args):
    return subprocess.run(["node", CLI, *args], cwd=ROOT, capture_output=True, text=True)


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def network_class(module):
    """The network's nn.Module: the one class the export defines besides its helpers (Add, Concat)."""
    classes = [c for n, c in vars(module).items()
               if isinstance(c, type) and issubclass(c, nn.Module) and c.__module__ == module.__name__
               and n not in ("Add", "Concat")]
    assert len(classes) == 1, classes
    return classes[0]


def parity(rel, work):
    stem = rel.replace("/", "_")[:-4]
    py = os.path.join(work, stem + ".py")
    exported = node("export", rel, "--to", "pytorch", "-o", py)
    if exported.returncode == 1:
        return {"file": rel, "refused": exported.stderr.strip()}
    assert exported.returncode == 0, exported.stderr
    with open(py, "rb") as f:
        text = f.read()
    py_compile.compile(py, doraise=True)
    dump_path = os.path.join(work, stem + ".json")
    ran = node("run", rel, "--dump", dump_path)
    assert ran.returncode == 0, ran.stderr
    with open(dump_path) as f:
        dump = json.load(f)

    model = network_class(load_module(py, stem))().double()
    state = {f"{layer}.{PARAM_NAMES[p]}": tensor(t) for layer, ps in dump["params"].items() for p, t in ps.items()}
    model.load_state_dict(state, strict=True)
    model.train()
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.0
    seen = {}
    for name, m in model.named_children():
        m.register_forward_hook(lambda _m, _i, y, name=name: seen.__setitem__(name, y))

    x = tensor(dump["input"]).requires_grad_()
    logits = model(x)
    if "labels" in dump:
        loss = F.cross_entropy(logits, tensor(dump["labels"], torch.long))
    else:
        loss = F.mse_loss(logits, tensor(dump["targets"]))
    loss.backward()

    outputs = {}
    for layer, want in dump["outputs"].items():
        got = seen.get(layer)
        if got is None:  # the fused softmax, left out of forward
            got = torch.softmax(logits, dim=1)
        outputs[layer] = error(got, tensor(want))
    params = dict(model.named_parameters())
    grads = {f"{layer}.{PARAM_NAMES[p]}": error(params[f"{layer}.{PARAM_NAMES[p]}"].grad, tensor(t))
             for layer, ps in dump["grads"].items() for p, t in ps.items()}
    input_delta = next(error(x.grad, tensor(t)) for name, t in dump["deltas"].items() if name not in dump["outputs"])
    loss_error = abs(float(loss) - dump["loss"]) / max(1.0, abs(dump["loss"]))
    worst = max([loss_error, input_delta, *outputs.values(), *grads.values()])
    return {
        "file": rel,
        "sha256": hashlib.sha256(text).hexdigest(),
        "state_dict": list(model.state_dict().keys()),
        "outputs": outputs,
        "loss": loss_error,
        "grads": grads,
        "input_delta": input_delta,
        "max_error": worst,
        "passed": worst <= TOLERANCE,
    }


def main():
    files = sorted(os.path.relpath(f, ROOT) for pattern in ("examples/*.cnn", "test/fixtures/torch/networks/*.cnn")
                   for f in glob.glob(os.path.join(ROOT, pattern)))
    with tempfile.TemporaryDirectory() as work:
        results = []
        for f in files:
            print(f, flush=True)
            results.append(parity(f, work))
    with open(OUT, "w") as f:
        json.dump({"generator": "scripts/torch/export_parity.py", "torch": torch.__version__, "tolerance": TOLERANCE,
                   "networks": results}, f, indent=1)
        f.write("\n")
    for r in results:
        verdict = "refused" if "refused" in r else ("passed" if r["passed"] else "FAILED") + f" (max error {r['max_error']:.2e})"
        print(f"{r['file']}: {verdict}")
    failed = [r for r in results if "refused" not in r and not r["passed"]]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
