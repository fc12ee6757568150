"""Engine speed and memory against the walkthrough's class, in one run.

    python benchmarks/engine.py            # the figures quoted in the README
    python benchmarks/engine.py --quick    # fewer repeats

Workload: a micrograd-style MLP loss (8 inputs, 3 hidden layers of 16 ReLU
neurons, 1 linear output, a batch of 8 samples, squared error), written with
`+`, `*`, `**2` and `relu` only so both classes build the same graph shape.
Targets (issue 2): >= 2.5x faster forward+backward, <= 1/3 of the memory per
node, a 1,000,000-deep chain works, and 10x the nodes costs <= 12x the time.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from walkthrough_value import Value as Baseline  # noqa: E402

from autodiff_cli import Value  # noqa: E402

LAYERS = (8, 16, 16, 16, 1)
BATCH = 8


def mlp_loss(cls):
    """Build the loss graph with class `cls`; same seed, same shape for both."""
    rng = random.Random(1234)
    layers = []
    for nin, nout in zip(LAYERS, LAYERS[1:]):
        layers.append(
            [([cls(rng.uniform(-1, 1)) for _ in range(nin)], cls(0.0)) for _ in range(nout)]
        )
    xs = [[rng.uniform(-1, 1) for _ in range(LAYERS[0])] for _ in range(BATCH)]
    ys = [rng.uniform(-1, 1) for _ in range(BATCH)]
    loss = 0
    for x, y in zip(xs, ys):
        h = x
        for depth, layer in enumerate(layers):
            last = depth == len(layers) - 1
            out = []
            for w, b in layer:
                act = sum((wi * hi for wi, hi in zip(w, h)), b)
                out.append(act if last else act.relu())
            h = out
        loss = loss + (h[0] + (-y)) ** 2
    return loss


def count_nodes(root) -> int:
    seen, stack = {id(root)}, [root]
    while stack:
        v = stack.pop()
        for c in getattr(v, "_children", None) or v._prev:
            if id(c) not in seen:
                seen.add(id(c))
                stack.append(c)
    return len(seen)


def time_mlp(cls) -> float:
    t0 = time.perf_counter()
    mlp_loss(cls).backward()
    return time.perf_counter() - t0


def bytes_per_node(cls) -> float:
    gc.collect()
    tracemalloc.start()
    loss = mlp_loss(cls)
    loss.backward()
    gc.collect()
    used = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return used / count_nodes(loss)


def time_chain(depth: int) -> float:
    """Forward and backward through `depth` operations, one after another."""
    t0 = time.perf_counter()
    x, k, c = Value(0.5), Value(1.0000001), Value(0.25)
    y = x
    for _ in range(depth // 2):
        y = y * k + c
    y.backward()
    assert x.grad > 0.0
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    repeats = 5 if args.quick else 21

    n_ours, n_base = count_nodes(mlp_loss(Value)), count_nodes(mlp_loss(Baseline))
    assert n_ours == n_base, (n_ours, n_base)
    ours, base = [], []
    for _ in range(repeats):  # interleaved, so drift hits both alike
        base.append(time_mlp(Baseline))
        ours.append(time_mlp(Value))
    t_base, t_ours = statistics.median(base), statistics.median(ours)
    m_base, m_ours = bytes_per_node(Baseline), bytes_per_node(Value)

    print(f"MLP loss, {n_ours} nodes, forward + backward, median of {repeats}:")
    print(f"  walkthrough Value  {t_base * 1e3:8.2f} ms   {m_base:6.0f} bytes/node")
    print(f"  autodiff Value     {t_ours * 1e3:8.2f} ms   {m_ours:6.0f} bytes/node")
    speed, memory = t_base / t_ours, m_ours / m_base
    print(
        f"  speed-up {speed:.2f}x (target >= 2.5x)   memory {memory:.2f} of baseline "
        f"(target <= 0.33)"
    )

    print("Chain y = y*k + c, operations deep, forward + backward, best run:")
    ratios = {}
    for label, collect in (("GC on", True), ("GC off", False)):
        if not collect:
            gc.disable()
        small = min(time_chain(100_000) for _ in range(3 if args.quick else 5))
        big = min(time_chain(1_000_000) for _ in range(1 if args.quick else 3))
        gc.enable()
        ratios[label] = big / small
        print(
            f"  {label:6}  100,000 deep {small:6.2f} s   1,000,000 deep {big:6.2f} s"
            f"   ratio {big / small:.1f}x (target <= 12x)"
        )
    print("  (GC off shows the engine's own scaling; CPython's cyclic GC adds the rest)")
    checks = {
        "speed-up >= 2.5x": speed >= 2.5,
        "memory <= 1/3": memory <= 1 / 3,
        "10x nodes <= 12x time (GC on)": ratios["GC on"] <= 12,
    }
    missed = [name for name, ok in checks.items() if not ok]
    print("all targets met" if not missed else "TARGET MISSED: " + ", ".join(missed))
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
