"""Pipeline throughput and memory: autodiff --points against a bare CSV loop.

    python benchmarks/pipeline.py              # 1,000,000 rows: the README's figures
    python benchmarks/pipeline.py --rows 100000

Targets (issue 5), in one run on the same CSV of three columns w, x, b:
  autodiff grad "tanh(w*x + b)**2" --points FILE --format csv
    >= 0.5 x the rows per second of a bare Python loop (csv.reader, float()
    of each field, csv.writer of four numbers a row), and < 100 MB peak memory.
A PyTorch script doing the same job (read, one vectorised backward, write) is
timed too when torch is installed.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

EXPR = "tanh(w*x + b)**2"

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
import csv, sys, torch
with open(sys.argv[1], newline="") as f:
    reader = csv.reader(f)
    next(reader)
    cols = list(zip(*((float(a), float(b), float(c)) for a, b, c in reader)))
w, x, b = (torch.tensor(c, dtype=torch.float64, requires_grad=True) for c in cols)
value = torch.tanh(w * x + b) ** 2
value.sum().backward()
with open(sys.argv[2], "w", newline="") as out:
    writer = csv.writer(out)
    writer.writerow(["value", "grad_w", "grad_x", "grad_b"])
    writer.writerows(zip(value.tolist(), w.grad.tolist(), x.grad.tolist(), b.grad.tolist()))
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
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True)
    elapsed, peak, code = out.stdout.split()
    if code != "0":
        raise SystemExit(f"failed: {' '.join(cmd)}\n{out.stderr}")
    return float(elapsed), int(peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    autodiff = shutil.which("autodiff") or "autodiff"
    with tempfile.TemporaryDirectory() as tmp:
        points, result = Path(tmp) / "points.csv", Path(tmp) / "out.csv"
        rng = random.Random(5)
        with points.open("w") as f:
            f.write("w,x,b\n")
            for _ in range(args.rows):
                f.write(f"{rng.uniform(-2, 2)!r},{rng.uniform(-2, 2)!r},{rng.uniform(-2, 2)!r}\n")
        runs = {
            "bare csv loop": [sys.executable, "-c", BARE, str(points), str(result)],
            "autodiff --points": [
                "sh",
                "-c",
                f'"{autodiff}" grad "{EXPR}" --points "{points}" --format csv > "{result}"',
            ],
        }
        if importlib.util.find_spec("torch"):
            runs["PyTorch script"] = [sys.executable, "-c", TORCH, str(points), str(result)]
        best: dict[str, tuple[float, int]] = {}
        for _ in range(args.repeats):  # interleaved; best of the repeats
            for name, cmd in runs.items():
                t, peak = measure(cmd)
                if name not in best or t < best[name][0]:
                    best[name] = (t, peak)
    print(f"{args.rows:,} rows of {EXPR}, best of {args.repeats}:")
    for name, (t, peak) in best.items():
        print(f"  {name:18} {t:7.2f} s  {args.rows / t:10,.0f} rows/s  peak {peak / 2**20:6.1f} MB")
    ratio = best["bare csv loop"][0] / best["autodiff --points"][0]
    peak = best["autodiff --points"][1] / 2**20
    print(f"autodiff: {ratio:.2f} x the bare loop's throughput (target >= 0.5), "
          f"peak {peak:.1f} MB (target < 100)")  # fmt: skip
    ok = ratio >= 0.5 and peak < 100
    print("all targets met" if ok else "TARGET MISSED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
