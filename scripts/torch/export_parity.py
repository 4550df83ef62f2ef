#!/usr/bin/python3
"""Parity of `cnn-lens export --to pytorch` with CNN Lens's own runs, computed by PyTorch.

For every example network (examples/*.cnn), model-zoo network (examples/zoo/*.cnn) and fixture network
(test/fixtures/torch/networks/*.cnn):

  1. `node dist/cli.js export FILE --to pytorch -o NET.py` (a network with errors is refused: recorded as such);
  2. `python3 -m py_compile NET.py`: the export is valid Python;
  3. `node dist/cli.js run FILE --dump NET.json`: CNN Lens's float64 sample run, at the file's `sample size=`.
     The zoo's runs are too large for one JSON text, so for them the same run is written as raw tensors by
     scripts/torch/zoo-dump.ts (its header says how), with the memory limit raised;
  4. imports NET.py, loads the dump's parameters into the module with load_state_dict(strict=True) by name
     (W -> LAYER.weight, b -> LAYER.bias, gamma -> LAYER.weight, beta -> LAYER.bias, LAYER the full name: a
     block's layers are in nested modules, `layer2.1.conv1.weight`), in float64, train() mode with every
     nn.Dropout's p set to 0 (CNN Lens runs dropout as the identity), runs the dump's input through it with a
     forward hook on every module (named by its full name), computes the loss (F.cross_entropy on forward's
     logits with the dump's labels, or F.mse_loss against its targets), backpropagates, and compares every
     layer's output (a fused softmax as torch.softmax(logits, dim=1)), the loss, every parameter gradient and the
     δ at the input with the dump's.

U-Net has no sample size (its crops are written for 572x572): its run is a batch of 1, not 2 (BATCH below),
which halves the 9.9 GiB a float64 run of 2 needs.

Errors are |torch - dump| / max(1, |dump|), the largest over every element; a network passes at <= 1e-9.
Writes test/fixtures/torch/export.json, with the sha256 of each exported text: test/engine/export/pytorch.test.ts
fails when the export changes and this script was not run again. Run from anywhere, after `npm run build`:

    /usr/bin/python3 scripts/torch/export_parity.py [FILE.cnn ...]   # with files: only their entries are redone

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
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CLI = os.path.join(ROOT, "dist", "cli.js")
OUT = os.path.join(ROOT, "test", "fixtures", "torch", "export.json")
TOLERANCE = 1e-9
PARAM_NAMES = {"W": "weight", "b": "bias", "gamma": "weight", "beta": "bias"}
MEMORY_LIMIT = 2 ** 36  # for zoo-dump.ts, as zoo_parity.py: VGG-16's run is 2.1 GiB in float64
BATCH = {"examples/zoo/unet.cnn": 1}  # zoo-dump.ts --batch: what this machine holds


def tensor(t, dtype=torch.float64, directory=None):
    if "file" in t:  # zoo-dump.ts: raw little-endian float64
        data = np.fromfile(os.path.join(directory, t["file"]), dtype="<f8").reshape(t["shape"])
        return torch.from_numpy(data).to(dtype)
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
    """The network's nn.Module: the last class the export defines (helpers and blocks' classes come before it)."""
    classes = [c for n, c in vars(module).items()
               if isinstance(c, type) and issubclass(c, nn.Module) and c.__module__ == module.__name__]
    return classes[-1]


def sample_run(rel, work, stem):
    """The run's dump (JSON) and where its tensors are: `run --dump`, or zoo-dump.ts's raw tensors for the zoo."""
    if rel.startswith("examples/zoo/"):
        out = os.path.join(work, stem)
        batch = ["--batch", str(BATCH[rel])] if rel in BATCH else []
        ran = subprocess.run(["node", "--import", "tsx", "scripts/torch/zoo-dump.ts", rel, out, "--memory-limit",
                              str(MEMORY_LIMIT), *batch], cwd=ROOT, capture_output=True, text=True)
        assert ran.returncode == 0, ran.stderr
        with open(os.path.join(out, "index.json")) as f:
            return json.load(f), out
    dump_path = os.path.join(work, stem + ".json")
    ran = node("run", rel, "--dump", dump_path)
    assert ran.returncode == 0, ran.stderr
    with open(dump_path) as f:
        return json.load(f), None


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
    model = network_class(load_module(py, stem))().double()
    dump, directory = sample_run(rel, work, stem)

    def tensor_(t, dtype=torch.float64):
        return tensor(t, dtype, directory)

    state = {f"{layer}.{PARAM_NAMES[p]}": tensor_(t) for layer, ps in dump["params"].items() for p, t in ps.items()}
    model.load_state_dict(state, strict=True)
    del state
    model.train()
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.0
    seen = {}
    wanted = set(dump["outputs"])
    for name, m in model.named_modules():  # full names: `layer2.1.conv1` inside the use layer2's ModuleDict
        if name in wanted:
            m.register_forward_hook(lambda _m, _i, y, name=name: seen.__setitem__(name, y.detach()))

    x = tensor_(dump["input"]).requires_grad_()
    logits = model(x)
    if "labels" in dump:
        loss = F.cross_entropy(logits, tensor_(dump["labels"], torch.long))
    else:
        loss = F.mse_loss(logits, tensor_(dump["targets"]))
    loss.backward()

    outputs = {}
    for layer, want in dump["outputs"].items():
        got = seen.get(layer)
        if got is None:  # the fused softmax, left out of forward
            got = torch.softmax(logits, dim=1)
        outputs[layer] = error(got, tensor_(want))
    params = dict(model.named_parameters())
    grads = {f"{layer}.{PARAM_NAMES[p]}": error(params[f"{layer}.{PARAM_NAMES[p]}"].grad, tensor_(t))
             for layer, ps in dump["grads"].items() for p, t in ps.items()}
    input_name = dump.get("input_name") or next(n for n in dump["deltas"] if n not in dump["outputs"])
    input_delta = error(x.grad, tensor_(dump["deltas"][input_name]))
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
    patterns = ("examples/*.cnn", "examples/zoo/*.cnn", "test/fixtures/torch/networks/*.cnn")
    files = sorted(os.path.relpath(f, ROOT) for pattern in patterns for f in glob.glob(os.path.join(ROOT, pattern)))
    if len(sys.argv) > 1:  # only these files' entries are made again; the others are kept from the last run
        files = [f for f in files if f in sys.argv[1:]]
    kept = {}
    if len(sys.argv) > 1 and os.path.exists(OUT):
        with open(OUT) as f:
            kept = {n["file"]: n for n in json.load(f)["networks"]}
    with tempfile.TemporaryDirectory() as work:
        for f in files:
            print(f, flush=True)
            kept[f] = parity(f, work)
            shutil.rmtree(os.path.join(work, f.replace("/", "_")[:-4]), ignore_errors=True)
    results = [kept[f] for f in sorted(kept)]
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
