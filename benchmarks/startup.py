"""Start-up time of the used-by command against bare imports, in one run.

    python benchmarks/startup.py            # the figures quoted in the README
    python benchmarks/startup.py --runs 11  # fewer runs

Targets (issue 3), medians of wall time over interleaved runs:
  autodiff grad ... --format json   <= 1.25 x  python -c "import click"
  autodiff grad ... --format table  <= 1.25 x  python -c "import click, rich.console, rich.table"
  autodiff diff ... --format json   about grad's json path (issue 15), reported
Lark is in neither baseline: since issue 17 a run does not import it (the
parser runs the shipped LALR tables with its own driver).
SymPy's and PyTorch's one-liners for the same job are timed too when installed.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import statistics
import subprocess
import sys
import time

PY = sys.executable
AUTODIFF = shutil.which("autodiff") or "autodiff"
USED_BY = ["grad", "relu(a*b+c)", "--a", "2", "--b", "-3", "--c", "10"]

SYMPY = (
    "import sympy as s; a, b, c = s.symbols('a b c'); L = s.Max(0, a*b + c); "
    "p = {a: 2, b: -3, c: 10}; print(L.subs(p), [s.diff(L, v).subs(p) for v in (a, b, c)])"
)
TORCH = (
    "import torch; a, b, c = (torch.tensor(v, dtype=torch.float64, requires_grad=True) "
    "for v in (2.0, -3.0, 10.0)); L = (a*b + c).relu(); L.backward(); "
    "print(L.item(), a.grad.item(), b.grad.item(), c.grad.item())"
)


def commands() -> dict[str, list[str]]:
    cmds = {
        "python -c 'import click'": [PY, "-c", "import click"],
        "autodiff grad ... --format json": [AUTODIFF, *USED_BY, "--format", "json"],
        "python -c 'import click, rich.console, rich.table'": [
            PY,
            "-c",
            "import click, rich.console, rich.table",
        ],
        "autodiff grad ... --format table": [AUTODIFF, *USED_BY, "--format", "table"],
        "autodiff diff 'x**2*sin(x)' --format json": [
            AUTODIFF,
            "diff",
            "x**2*sin(x)",
            "--format",
            "json",
        ],
    }
    if importlib.util.find_spec("sympy"):
        cmds["SymPy one-liner"] = [PY, "-c", SYMPY]
    if importlib.util.find_spec("torch"):
        cmds["PyTorch one-liner"] = [PY, "-c", TORCH]
    return cmds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=31)
    args = parser.parse_args()
    cmds = commands()
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for cmd in cmds.values():  # warm the file cache once
        subprocess.run(cmd, check=True, capture_output=True)
    for _ in range(args.runs):  # interleaved, so load on the machine hits all alike
        for name, cmd in cmds.items():
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            times[name].append(time.perf_counter() - t0)
    median = {name: statistics.median(ts) for name, ts in times.items()}
    for name, t in median.items():
        print(f"  {t * 1e3:7.1f} ms  {name}")
    names = list(cmds)
    json_ratio = median[names[1]] / median[names[0]]
    table_ratio = median[names[3]] / median[names[2]]
    print(f"json path:  {json_ratio:.2f}x the bare imports (target <= 1.25)")
    print(f"table path: {table_ratio:.2f}x the bare imports (target <= 1.25)")
    diff_ratio = median[names[4]] / median[names[1]]
    print(f"diff:       {diff_ratio:.2f}x grad's json path (issue 15: as fast as grad)")
    ok = json_ratio <= 1.25 and table_ratio <= 1.25
    print("all targets met" if ok else "TARGET MISSED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
