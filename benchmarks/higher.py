"""The cost of `check` and `hessian` on an expression of 20 variables.

    python benchmarks/higher.py

Targets (issue 7): check costs at most 2n + 1 forward evaluations plus one
backward; hessian n backward passes over the gradient graph, not n**2 finite
differences. Counted here by wrapping the functions, and timed beside the
n**2-differences way a Hessian would otherwise cost.
"""

from __future__ import annotations

import statistics
import time

from autodiff_cli import higher
from autodiff_cli.api import grad, parse
from autodiff_cli.value import Value

N = 20
NAMES = [f"x{i}" for i in range(N)]
SOURCE = " + ".join(f"tanh({a}*{b}) * exp(-{a}**2)" for a, b in zip(NAMES, NAMES[1:] + NAMES[:1]))
POINT = {n: 0.05 * (k + 1) for k, n in enumerate(NAMES)}


def median_time(fn, repeats: int = 11) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    expr = parse(SOURCE)
    counts = {"forward": 0, "backward": 0}
    real_compile, real_backward = higher.compile_expression, Value.backward

    def counting_compile(e, backward=True):
        f = real_compile(e, backward)

        def run(*values):
            counts["forward"] += 1
            return f(*values)

        return run

    def counting_backward(self, **kw):
        counts["backward"] += 1
        return real_backward(self, **kw)

    higher.compile_expression, Value.backward = counting_compile, counting_backward
    result = grad(expr, POINT)
    counts["forward"] += 1  # grad's own forward, beside its backward
    higher.gradcheck(expr, POINT, result.gradients, 1e-5, 1e-6)
    check_counts = dict(counts)
    counts.update(forward=0, backward=0)
    higher.hessian(expr, POINT)
    hessian_backwards = counts["backward"] - 1  # less the create_graph pass
    higher.compile_expression, Value.backward = real_compile, real_backward

    def check():
        r = grad(expr, POINT)
        higher.gradcheck(expr, POINT, r.gradients, 1e-5, 1e-6)

    def by_differences():  # the n**2 way: a central difference of every gradient
        for name in NAMES:
            up, down = dict(POINT), dict(POINT)
            up[name] += 1e-5
            down[name] -= 1e-5
            grad(expr, up), grad(expr, down)

    t_check = median_time(check)
    t_hessian = median_time(lambda: higher.hessian(expr, POINT))
    t_diff = median_time(by_differences)
    print(f"expression of {N} variables, {len(expr.live)} nodes; medians of 11 runs")
    print(f"  check:   {check_counts['forward']} forward evaluations (target <= {2 * N + 1}), "
          f"{check_counts['backward']} backward; {t_check * 1e3:.1f} ms")  # fmt: skip
    print(f"  hessian: {hessian_backwards} backward passes over the gradient graph "
          f"(target {N}); {t_hessian * 1e3:.1f} ms")  # fmt: skip
    print(f"  (finite differences of gradients, 2n gradient runs: {t_diff * 1e3:.1f} ms)")
    ok = check_counts["forward"] <= 2 * N + 1 and check_counts["backward"] == 1
    ok = ok and hessian_backwards == N
    print("all targets met" if ok else "TARGET MISSED")


if __name__ == "__main__":
    main()
