"""A function and its derivatives along one variable's range: what `plot` draws.

The range is checked here, so any caller gets the same refusals: it must be
finite, ordered and no wider than the largest double (the samples are
`lo + width * (i / (n - 1))`, so they never overflow), and the work is
bounded (samples x operations).
"""

from __future__ import annotations

import math

from autodiff_cli.compiled import LIMIT, compile_expression
from autodiff_cli.errors import AutodiffError
from autodiff_cli.expression import Expression, missing_values
from autodiff_cli.orders import beyond

# samples x operations, about 20 s on the development machine; an operation of an
# expression too large to compile (compiled.LIMIT) counts ten times (Value graphs).
WORK = 80_000_000


def cost(nodes: int, order: int = 1) -> int:
    """The work of one sample, in units of one compiled operation.

    An order past the first adds a `Value` graph (10 an operation) that each
    further order grows threefold: 30 an operation for f'' (18 to 26 measured
    on the development machine), 90 for f''' (37 to 54 measured).
    """
    per = 10 if nodes > LIMIT else 1
    if order > 1:
        per += 10 * 3 ** (order - 1)
    return nodes * per


def check_bounds(variable: str, lo: float, hi: float) -> None:
    """A range that can be swept: finite, lo < hi, its width a double (an AutodiffError if not).

    Needing no expression, it can be checked as soon as the range is read.
    """
    facts = {"variable": variable, "lo": lo, "hi": hi}
    if not (lo < hi) or not (abs(lo) < math.inf and abs(hi) < math.inf):
        raise AutodiffError(
            "usage", f"the range of {variable} needs lo < hi, both finite", reason="range", **facts
        )
    if hi - lo == math.inf:
        raise AutodiffError(
            "usage",
            f"the range of {variable} is wider than the largest double, 1.8e308",
            reason="range_width",
            **facts,
        )


def check_range(
    expr: Expression, variable: str, lo: float, hi: float, point, samples: int, order: int = 1
):
    """Refuse what cannot be sampled, before any work: an AutodiffError says why."""
    if samples < 2:
        raise AutodiffError(
            "usage", f"{samples} samples: at least 2", reason="too_few_samples", samples=samples
        )
    check_bounds(variable, lo, hi)
    if variable not in expr.variables:
        raise AutodiffError("usage", f"the expression does not use {variable}")
    missing = [n for n in expr.variables if n != variable and n not in point]
    if missing:
        raise missing_values(expr, missing)
    nodes = len(expr.live)
    each = cost(nodes, order)
    if samples * each > WORK:
        most = max(WORK // each, 2)
        raise AutodiffError(
            "usage",
            f"{samples} samples are more work than sampling takes for {nodes:,} operations"
            f"{beyond(order)} (about 20 s at most)",
            hint=f"at most {most} samples for this expression",
            reason="samples",
            samples=samples,
            operations=nodes,
            most=most,
            order=order,
        )


def sweep(expr: Expression, variable: str, lo: float, hi: float, point, n: int, order: int = 1):
    """[(x, value, derivative, ...)] at n evenly spaced x, the other variables held at
    `point`: the value and d/dx from the compiled function (as `grad` gives them), and
    from there to the `order`th from `higher.derivatives` (create_graph).
    """
    check_range(expr, variable, lo, hi, point, n, order)
    run = compile_expression(expr)
    names = expr.variables
    k = names.index(variable)
    values = [point.get(name, 0.0) for name in names]
    at = dict(zip(names, values))
    rows = []
    for i in range(n):
        # The ends are LO and HI exactly (-0.0 stays -0.0, no rounding at HI).
        x = lo if i == 0 else hi if i == n - 1 else lo + (hi - lo) * (i / (n - 1))
        values[k] = at[variable] = x
        out = run(*values)
        # Where the function is undefined, so are its derivatives (the rule may say 1/x).
        if out[0] != out[0]:
            rows.append((x, out[0], *[math.nan] * order))
        elif order == 1:
            rows.append((x, out[0], out[1 + k]))
        else:
            rows.append((x, out[0], out[1 + k], *_higher(expr, at, variable, order)))
    return rows


def _higher(expr: Expression, at: dict, variable: str, order: int) -> list[float]:
    """d2/dx2 up to the `order`th derivative at one point."""
    from autodiff_cli.higher import derivatives

    return derivatives(expr, at, [variable], order)[variable][1:]
