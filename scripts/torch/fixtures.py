"""What the kernel fixture scripts (kernels.py, kernels_v2.py) share: seeded inputs rounded to 6 significant
digits, tensors as JSON, and the fixture file's layout (one case a line under a header of counts)."""
import json
import os
import sys
import zlib

import numpy as np
import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def r6(a):
    """Round to 6 significant digits, as float64."""
    a = np.asarray(a, dtype=np.float64)
    return np.array([float(f"{v:.6g}") for v in a.ravel()]).reshape(a.shape)


def rand(rng, *shape, scale=1.0):
    return torch.tensor(r6(rng.standard_normal(shape) * scale), dtype=torch.float64)


def T(t):
    t = t.detach() if isinstance(t, torch.Tensor) else torch.as_tensor(t)
    flat = t.reshape(-1).tolist()
    if t.dtype in (torch.float64, torch.float32):
        flat = [float(v) for v in flat]
        assert all(np.isfinite(flat))
    else:
        flat = [int(v) for v in flat]
    return {"shape": list(t.shape), "data": flat}


def leaf(t):
    return t.clone().requires_grad_(True)


def shp(v):
    return "[" + ",".join(map(str, v)) + "]"


class Cases:
    """The cases of one fixture file: `rng(name)` draws a case's numbers from [seed, crc32(name)], `emit` adds a
    case, `write` checks the names are unique and writes the file."""

    def __init__(self, seed, generator, out):
        self.seed, self.generator, self.out, self.cases = seed, generator, os.path.join(ROOT, out), []

    def rng(self, name):
        return np.random.default_rng([self.seed, zlib.crc32(name.encode())])

    def emit(self, name, op, params, tensors):
        self.cases.append({"name": name, "op": op, "params": params, "tensors": {k: T(v) for k, v in tensors.items()}})

    def write(self):
        names = [c["name"] for c in self.cases]
        assert len(set(names)) == len(names), "case names must be unique"
        counts = {}
        for c in self.cases:
            counts[c["op"]] = counts.get(c["op"], 0) + 1
        head = {"generator": self.generator, "torch": torch.__version__,
                "numpy": np.__version__, "dtype": "float64", "seed": self.seed, "counts": counts}
        text = json.dumps(head, indent=2)[:-2] + ',\n  "cases": [\n'
        text += ",\n".join("    " + json.dumps(c, separators=(",", ":")) for c in self.cases)
        text += "\n  ]\n}\n"
        json.loads(text)
        with open(self.out, "w") as f:
            f.write(text)
        print(f"wrote {os.path.relpath(self.out)}: {len(self.cases)} cases {counts}, {len(text)} bytes, "
              f"torch {torch.__version__}", file=sys.stderr)
