"""Parsing speed: `autodiff_cli.api.parse` against CPython's `ast.parse`, in one run.

    python benchmarks/parsing.py            # the figures quoted in the README
    python benchmarks/parsing.py --runs 5   # fewer runs

Workload: a program of about 1 MB that both accept (the same text is valid
Python): tens of thousands of statements, one a line, mixing names, numbers,
calls, operators and parentheses (`h7 = tanh(w3*x + b5)`,
`h8 = h7*sin(h5) + 2.5*h7**2 - x/3`, ...), ending with an output expression.
`api.parse` does what the command does with it: tokens, then the graph.

The two are timed alternately in the same process. Twice, because the cyclic
garbage collector weighs differently on them: `ast.parse` runs with it on
(its nodes are tracked objects, so the collector's young passes run during
it), while `api.parse` pauses it, as the command does, since the graph it
builds has no cycles to find. So:

- as called: the collector on in the caller, each doing what it does;
- collector off: paused around both, the work alone, like for like.

Each after `gc.collect()`, the result freed after the clock stops.
Target (issue 17): autodiff no slower, ratio <= 1.0 in both.
Linearity: the same program at a quarter of the size; 4x the text should
cost about 4x the time.
"""

from __future__ import annotations

import argparse
import ast
import gc
import io
import random
import statistics
import sys
import time
import tokenize

from autodiff_cli.api import parse

LINES = [
    "h{k} = tanh(w{a}*x + b{b})",
    "h{k} = h{p}*sin(h{q}) + 2.5*h{p}**2 - x/3",
    "h{k} = (h{p} - h{q}) / (1 + exp(-h{r}))",
    "h{k} = relu(h{p}) * 0.5 + sigmoid(h{q} - 1.25e-3)",
    "h{k} = max(h{p}, h{q}) + log(1 + h{r}**2)",
    "h{k} = w{a}*h{p} + w{b}*h{q} + b{a}",
    "h{k} = sqrt(h{p}**2 + h{q}**2 + 1e-8) * (h{r} > 0)",
    "h{k} = -h{p} + cos(0.75*h{q} - h{r}/7) - 12",
]


def program(size: int) -> str:
    """About `size` characters of statements, the same for the same size."""
    rnd = random.Random(17)
    lines = ["h0 = x", "h1 = tanh(x)", "h2 = x*x"]
    total = sum(len(line) + 1 for line in lines)
    while total < size:
        k = len(lines)
        line = rnd.choice(LINES).format(
            k=k,
            a=rnd.randrange(64),
            b=rnd.randrange(64),
            p=k - 1,
            q=k - 1 - rnd.randrange(min(k - 1, 20)),
            r=rnd.randrange(k),
        )
        lines.append(line)
        total += len(line) + 1
    k = len(lines)
    lines.append(f"h{k - 1} + h{k - 2}*h{k - 3}")
    return "\n".join(lines) + "\n"


def timed(function, text: str, collector: bool) -> float:
    gc.collect()
    if not collector:
        gc.disable()
    try:
        t0 = time.perf_counter()
        result = function(text)
        elapsed = time.perf_counter() - t0
    finally:
        gc.enable()
    del result
    return elapsed


def compare(texts: dict[str, str], runs: int, collector: bool) -> dict[tuple[str, str], list]:
    times: dict[tuple[str, str], list] = {}
    for _ in range(runs):  # interleaved, so load on the machine hits all alike
        for size, text in texts.items():
            for name, function in (("ast.parse", ast.parse), ("autodiff", parse)):
                times.setdefault((name, size), []).append(timed(function, text, collector))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    full = program(1_000_000)
    texts = {"1 MB": full, "0.25 MB": program(250_000)}
    tokens = sum(1 for _ in tokenize.generate_tokens(io.StringIO(full).readline))
    expr = parse(full)
    print(
        f"program: {len(full):,} characters, {full.count(chr(10)):,} statements, "
        f"about {tokens:,} tokens; graph of {len(expr.nodes):,} nodes"
    )
    ast.parse(full)
    ok = True
    for collector, title in ((True, "as called (collector on)"), (False, "collector off")):
        times = compare(texts, args.runs, collector)
        print(f"{title}, {args.runs} runs:")
        for (name, size), ts in times.items():
            print(
                f"  {name:9} {size:7}  median {statistics.median(ts) * 1e3:7.1f} ms"
                f"  min {min(ts) * 1e3:7.1f} ms"
            )
        median = {key: statistics.median(ts) for key, ts in times.items()}
        best = {key: min(ts) for key, ts in times.items()}
        ratio = median[("autodiff", "1 MB")] / median[("ast.parse", "1 MB")]
        ratio_min = best[("autodiff", "1 MB")] / best[("ast.parse", "1 MB")]
        per_token = median[("autodiff", "1 MB")] / tokens * 1e9
        print(
            f"  autodiff / ast.parse: {ratio:.2f} (medians), {ratio_min:.2f} (minimums)"
            f"  (target <= 1.0); {per_token:.0f} ns a token"
        )
        for name in ("autodiff", "ast.parse"):
            growth = median[(name, "1 MB")] / median[(name, "0.25 MB")]
            print(f"  {name}: 4x the text, {growth:.1f}x the time")
        ok = ok and ratio <= 1.0
    print("target met" if ok else "TARGET MISSED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
