"""Times torch.autograd.gradcheck on examples/seed.cnn in float64, to set beside `npm run bench:gradcheck`.

    /usr/bin/python3 scripts/torch/gradcheck_timing.py [--fast-only]

The seed network as PyTorch writes it: x [2, 3, 17, 17] -> conv 64 5x5 -> sigmoid -> avg_pool 2 -> conv 96 5x5
(in 64) -> sigmoid -> avg_pool 2 -> flatten -> linear 10 -> cross_entropy against 2 labels. The function
checked is the loss of (x, W1, b1, W2, b2, Wfc, bfc), every one of them requiring grad, as CNN Lens checks
the input's δ and every parameter.

- fast_mode=True: one random direction through the whole function per input (the directional derivative
  against the analytic vector-Jacobian product), a single scalar comparison per input.
- fast_mode=False: the whole numerical Jacobian, two forward evaluations of the whole network per element
  of every input (about 161,000 elements here), compared element by element.

Prints each mode's median wall time over its runs (fast mode 7 runs after a warm-up, slow mode 1 run).
Nothing is written; the numbers go in the closing note of the change that adds the local check.
"""
import statistics
import sys
import time

import torch
import torch.nn.functional as F

torch.manual_seed(1)
torch.set_num_threads(2)
D = torch.float64


def tensors():
    def p(*shape, scale=0.1):
        return (torch.randn(*shape, dtype=D) * scale).requires_grad_()

    x = torch.randn(2, 3, 17, 17, dtype=D).requires_grad_()
    return (x, p(64, 3, 5, 5), p(64), p(96, 64, 5, 5, scale=0.02), p(96), p(10, 96), p(10))


LABELS = torch.tensor([3, 7])


def seed(x, w1, b1, w2, b2, wfc, bfc):
    h = F.avg_pool2d(torch.sigmoid(F.conv2d(x, w1, b1)), 2)
    h = F.avg_pool2d(torch.sigmoid(F.conv2d(h, w2, b2)), 2)
    return F.cross_entropy(F.linear(h.flatten(1), wfc, bfc), LABELS)


def timed(fast, runs):
    inputs = tensors()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        ok = torch.autograd.gradcheck(seed, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, fast_mode=fast)
        times.append(time.perf_counter() - t0)
        assert ok
    return statistics.median(times)


def main():
    elements = sum(t.numel() for t in tensors())
    print(f"torch {torch.__version__}, float64, {torch.get_num_threads()} threads, seed network, {elements} input elements")
    timed(True, 1)  # warm-up
    print(f"gradcheck fast_mode=True:  {1000 * timed(True, 7):.0f} ms (median of 7)")
    if "--fast-only" not in sys.argv:
        print(f"gradcheck fast_mode=False: {timed(False, 1):.1f} s (1 run)", flush=True)


if __name__ == "__main__":
    main()
