"""Cost against the number of variables: nothing may be quadratic in it.

    python benchmarks/variables.py                  # the figures quoted in the README
    python benchmarks/variables.py --sizes 1000,3000 --runs 1

The expression is x1*y1 + x2*y2 + ... + xK*yK (2K variables), read from
standard input (an argument of 30,000 terms would pass the kernel's 128 KiB
limit for one argument), with every value given as --xk V --yk V on the
command line, as a user or a script would give them. Each command is run as a
whole process, `--runs` times, interleaved; the minimum wall time is kept.

Target (issue 11): K = 30,000 costs at most 12x K = 3,000, for `grad`,
`trace --format json` and `graph --format dot`.

Two readings, as CPython's cyclic garbage collector is part of the cost: the
command as shipped (the collector off while one evaluation runs), and the same
command with the collector left on (`gc.disable` made a no-op before `main`).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time

COMMANDS = {
    "grad --format json": ["grad", "--format", "json"],
    "trace --format json": ["trace", "--format", "json"],
    "graph --format dot": ["graph", "--format", "dot"],
}
SHIPPED = "from autodiff_cli.cli import main; main()"
COLLECTOR_ON = "import gc; gc.disable = lambda: None\n" + SHIPPED
OUTSIDE = tempfile.gettempdir()


def problem(k: int) -> tuple[str, list[str]]:
    source = " + ".join(f"x{i}*y{i}" for i in range(1, k + 1))
    values = []
    for i in range(1, k + 1):
        values += [f"--x{i}", repr(i % 7 + 0.5), f"--y{i}", repr(i % 5 - 1.5)]
    return source, values


def timed(python: str, code: str, command: list[str], source: str, values: list[str]) -> float:
    argv = [python, "-c", code, *command, "-", *values]
    t0 = time.perf_counter()
    # From another directory: `python -c` would import a checkout in the current one.
    done = subprocess.run(argv, input=source, capture_output=True, text=True, cwd=OUTSIDE)
    elapsed = time.perf_counter() - t0
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}: {done.stderr.strip()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,3000,10000,30000", help="values of K")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--python", default=sys.executable, help="the interpreter to run")
    args = parser.parse_args()
    sizes = [int(k) for k in args.sizes.split(",")]
    problems = {k: problem(k) for k in sizes}
    readings = {"shipped": SHIPPED, "collector on": COLLECTOR_ON}
    best: dict[tuple, float] = {}
    for _ in range(args.runs):
        for k in sizes:
            for name, command in COMMANDS.items():
                for reading, code in readings.items():
                    t = timed(args.python, code, command, *problems[k])
                    key = (reading, name, k)
                    best[key] = min(best.get(key, t), t)
    ok = True
    for reading in readings:
        print(f"{reading}:")
        print(f"  {'command':22}" + "".join(f"{f'K={k}':>10}" for k in sizes) + "   30k/3k")
        for name in COMMANDS:
            row = "".join(f"{best[(reading, name, k)]:9.2f}s" for k in sizes)
            ratio = ""
            if 3000 in sizes and 30000 in sizes:
                r = best[(reading, name, 30000)] / best[(reading, name, 3000)]
                ratio = f"{r:8.1f}x"
                ok = ok and (r <= 12 or reading != "shipped")
            print(f"  {name:22}{row}{ratio}")
    if 3000 in sizes and 30000 in sizes:
        print("target met: K=30k <= 12x K=3k (shipped)" if ok else "TARGET MISSED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
