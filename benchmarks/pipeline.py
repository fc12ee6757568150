"""Pipeline throughput and memory: autodiff --points against a hand-written script.

    python benchmarks/pipeline.py                  # 1,000,000 rows: the README's figures
    python benchmarks/pipeline.py --rows 4000000   # memory stays flat with the file's size

Targets (issue 17), in one run, interleaved, on the same CSV of three
columns w, x, b:
  autodiff grad "tanh(w*x + b)**2" --points FILE --format csv
    >= 0.8 x the rows per second of what a user would write instead: polars
    to read, numpy for the value and gradients, polars to write (`HAND`),
    and < 200 MB peak memory.
Timed too, for reference: `--exact` (a row at a time, as before issue 17),
a bare Python CSV loop (the target of issue 5), and a PyTorch script when
torch is installed. Each command's time is the whole process's, start-up
included; the median of the runs is the figure, the best is printed beside.
Every output is checked against `--exact`'s, number for number.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

EXPR = "tanh(w*x + b)**2"

HAND = """
import sys
import numpy as np
import polars as pl
df = pl.read_csv(sys.argv[1])
w, x, b = (df[c].to_numpy() for c in ("w", "x", "b"))
t = np.tanh(w * x + b)
value = t * t
d = 2 * t * (1 - t * t)
pl.DataFrame({"value": value, "grad_w": d * x, "grad_x": d * w, "grad_b": d}).write_csv(sys.argv[2])
"""

BARE = """
import csv, sys
with open(sys.argv[1], newline="") as f, open(sys.argv[2], "w", newline="") as out:
    reader, writer = csv.reader(f), csv.writer(out)
    next(reader)
    writer.writerow(["value", "grad_w", "grad_x", "grad_b"])
    for row in reader:
        w, x, b = float(row[0]), float(row[1]), float(row[2])
        writer.writerow((w, x, b, w + x))
"""

TORCH = """
import sys, numpy as np, polars as pl, torch
df = pl.read_csv(sys.argv[1])
w, x, b = (torch.tensor(df[c].to_numpy(), requires_grad=True) for c in ("w", "x", "b"))
value = torch.tanh(w * x + b) ** 2
value.sum().backward()
pl.DataFrame({"value": value.detach().numpy(), "grad_w": w.grad.numpy(),
              "grad_x": x.grad.numpy(), "grad_b": b.grad.numpy()}).write_csv(sys.argv[2])
"""

MEASURE = """
import resource, subprocess, sys, time
t0 = time.perf_counter()
code = subprocess.run(sys.argv[1:]).returncode
elapsed = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(elapsed, peak * 1024, code)
"""


def measure(cmd: list[str]) -> tuple[float, int]:
    """Wall time and peak memory (of the largest process) of one run."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True)
    elapsed, peak, code = out.stdout.split()
    if code != "0":
        raise SystemExit(f"failed: {' '.join(cmd)}\n{out.stderr}")
    return float(elapsed), int(peak)


def numbers(path: Path) -> list[list[float]]:
    rows = path.read_text().splitlines()[1:]
    return [[float(v) for v in row.split(",")[:4]] for row in rows]


def check(result: Path, exact: Path, same_text: bool) -> str:
    """How `result` compares with `--exact`'s output."""
    if same_text:
        return "same bytes" if result.read_bytes() == exact.read_bytes() else "DIFFERENT BYTES"
    worst = 0.0
    for got, want in zip(numbers(result), numbers(exact)):
        for a, b in zip(got, want):
            if a != b:
                worst = max(worst, abs(a - b) / max(abs(a), abs(b)))
    return f"largest relative difference {worst:.1e}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-exact", action="store_true", help="skip the slow --exact runs")
    args = parser.parse_args()
    autodiff = shutil.which("autodiff") or "autodiff"
    with tempfile.TemporaryDirectory() as tmp:
        points = Path(tmp) / "points.csv"
        rng = random.Random(5)
        with points.open("w") as f:
            f.write("w,x,b\n")
            for _ in range(args.rows):
                f.write(f"{rng.uniform(-2, 2)!r},{rng.uniform(-2, 2)!r},{rng.uniform(-2, 2)!r}\n")

        def out(name: str) -> Path:
            return Path(tmp) / f"{name.split()[0]}.csv"

        def autodiff_cmd(name: str, *extra: str) -> list[str]:
            line = f'"{autodiff}" grad "{EXPR}" --points "{points}" --format csv {" ".join(extra)}'
            return ["sh", "-c", f'{line} > "{out(name)}"']

        runs = {
            "hand-written script": [sys.executable, "-c", HAND, str(points), str(out("hand"))],
            "autodiff --points": autodiff_cmd("autodiff"),
        }
        if not args.no_exact:
            runs["autodiff --exact"] = autodiff_cmd("exact", "--exact")
            runs["bare csv loop"] = [sys.executable, "-c", BARE, str(points), str(out("bare"))]
        if importlib.util.find_spec("torch"):
            runs["PyTorch script"] = [sys.executable, "-c", TORCH, str(points), str(out("torch"))]
        times: dict[str, list[float]] = {name: [] for name in runs}
        peaks: dict[str, int] = {name: 0 for name in runs}
        for _ in range(args.repeats):  # interleaved
            for name, cmd in runs.items():
                t, peak = measure(cmd)
                times[name].append(t)
                peaks[name] = max(peaks[name], peak)
        if not args.no_exact:
            agree = {
                "autodiff --points": check(out("autodiff"), out("exact"), same_text=True),
                "hand-written script": check(out("hand"), out("exact"), same_text=False),
            }
            if "PyTorch script" in runs:
                agree["PyTorch script"] = check(out("torch"), out("exact"), same_text=False)
        else:
            agree = {}
    print(f"{args.rows:,} rows of {EXPR}, median (best) of {args.repeats} interleaved runs:")
    for name in runs:
        t, best = statistics.median(times[name]), min(times[name])
        print(f"  {name:20} {t:7.2f} s ({best:.2f})  {args.rows / t:11,.0f} rows/s  "
              f"peak {peaks[name] / 2**20:6.1f} MB  {agree.get(name, '')}")  # fmt: skip
    hand, ours = (
        statistics.median(times["hand-written script"]),
        statistics.median(times["autodiff --points"]),
    )
    ratio, peak = hand / ours, peaks["autodiff --points"] / 2**20
    best = min(times["hand-written script"]) / min(times["autodiff --points"])
    print(f"autodiff --points: {ratio:.2f} x the hand-written script's throughput (best runs: "
          f"{best:.2f}; target >= 0.8), peak {peak:.1f} MB (target < 200)")  # fmt: skip
    ok = ratio >= 0.8 and peak < 200
    print("all targets met" if ok else "TARGET MISSED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
