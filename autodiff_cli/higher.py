"""Beyond one gradient: a check against finite differences, Hessians, derivatives of
higher order, Jacobians.

All reuse what is there: the compiled forward function (finite differences),
`Value.backward(create_graph=True)` with the table's derivative rules (second
derivatives, and each order past them), and one forward graph with a backward
pass per output (Jacobians).
"""

from __future__ import annotations

import math
import sys

from autodiff_cli.compiled import compile_expression
from autodiff_cli.diagnose import require_defined
from autodiff_cli.errors import AutodiffError, quoted
from autodiff_cli.expression import Evaluation, Expression, no_cyclic_gc
from autodiff_cli.numbers import plain
from autodiff_cli.value import Value

STEP = sys.float_info.epsilon ** (1 / 3)  # about 6e-6: balances truncation and rounding
NEAR_KINK = 1e-4  # an input this close to a kink (relu, abs at 0) gets a warning
KINK_WARNINGS = 10  # at most, then how many more: a nest of max() at a tie is not a flood


class CheckRow:
    """One variable's comparison; `ok` is None where no difference could be taken."""

    def __init__(self, name, auto, numeric, rtol, atol, unchecked: str | None = None) -> None:
        self.name, self.auto, self.numeric = name, auto, numeric
        self.unchecked = unchecked  # why there is no difference to compare with
        self.abs_error = abs(auto - numeric)
        scale = max(abs(auto), abs(numeric))
        self.rel_error = self.abs_error / scale if scale > 0 else 0.0
        self.ok = None if unchecked else self.abs_error <= atol + rtol * scale


def gradcheck(expr: Expression, point: dict, gradients: dict, rtol: float, atol: float):
    """Each reverse-mode gradient beside a central difference: 2 forward runs a variable.

    The step is scaled to the variable's magnitude, h = eps**(1/3) * max(1, |x|),
    and divided by the exact difference (x+h) - (x-h) of the two doubles.
    Near the edge of the domain (sqrt at 1e-12) a side is undefined: see `_inside`.
    """
    f = compile_expression(expr, backward=False)
    names = expr.variables
    base = [float(point[name]) for name in names]
    rows = []
    for i, name in enumerate(names):
        x = base[i]
        numeric, unchecked = math.nan, None
        if not math.isfinite(x):
            unchecked = f"cannot check {name} at {plain(x)}: no step moves an infinite point"
        else:
            first = sides = _sides(f, base, i, STEP * max(1.0, abs(x)))
            if not _defined(sides):
                sides = _inside(f, base, i, STEP * max(1.0, abs(x)))
            if _defined(sides):
                (up, f_up), (down, f_down) = sides
                numeric = (f_up - f_down) / (up - down)
            else:
                (up, f_up), (down, f_down) = first
                at = f"{name} + h = {plain(up)}" if f_up != f_up else f"{name} - h = {plain(down)}"
                unchecked = (f"cannot check {name} here: the expression is undefined at {at}, "
                             "and at every smaller step")  # fmt: skip
        rows.append(CheckRow(name, gradients[name], numeric, rtol, atol, unchecked))
    return rows


def _inside(f, base: list[float], i: int, h: float):
    """The sides of a step that keeps away from the domain's edge: h shrinks tenfold
    until both sides are defined, then a thousandfold more, so the edge lies at least
    1000 steps away and the difference's error (of order (h / distance)**2) stays
    near 1e-6 of the derivative. The last sides tried, if none fits.
    """
    x = base[i]
    sides = _sides(f, base, i, h)
    while not _defined(sides) and x + h / 10 != x:
        h /= 10
        sides = _sides(f, base, i, h)
    if _defined(sides) and x + h / 1000 != x - h / 1000:
        sides = _sides(f, base, i, h / 1000)
    return sides


def _sides(f, base: list[float], i: int, h: float):
    """((x + h, f there), (x - h, f there)), the other variables where they are."""
    out = []
    for x in (base[i] + h, base[i] - h):
        moved = list(base)
        moved[i] = x
        out.append((x, f(*moved)))
    return out


def _defined(sides) -> bool:
    return all(y == y for _x, y in sides)


def kink_warnings(expr: Expression, values) -> list[str]:
    """Where an input sits on or near a kink, reverse mode and differences may differ."""
    found = []
    for i in expr.live:
        node = expr.nodes[i]
        if node.op is None or node.op.kinks is None:
            continue
        x, y = node.op.operands([values[j].data for j in node.inputs], node.constant)
        phrase = node.op.kinks.near(x, y, NEAR_KINK)
        if phrase is not None:
            text = quoted(expr.source[node.span[0] : node.span[1]], 60)
            found.append(f"{text} {phrase}: the two derivatives may legitimately differ there")
    if len(found) > KINK_WARNINGS:
        more = len(found) - KINK_WARNINGS
        found = found[:KINK_WARNINGS] + [f"and {more} more operations on or near a kink"]
    return found


def hessian(expr: Expression, point: dict):
    """Second derivatives {row: {col: d2/(drow dcol)}}: one backward pass a row,
    over the gradient graph that `backward(create_graph=True)` builds.

    A NaN in any entry is an error.
    """
    values = expr.forward(point)
    leaves = [values[i] for i in expr.leaves.values()]
    expr.backward(values, create_graph=True)
    first = {name: leaf.grad for name, leaf in zip(expr.leaves, leaves)}
    matrix = {}
    for row in expr.variables:
        for leaf in leaves:
            leaf.grad = 0.0
        g = first[row]
        if isinstance(g, Value):
            g.backward()
        matrix[row] = {col: float(values[expr.leaves[col]].grad) for col in expr.variables}
        for col, entry in matrix[row].items():
            if entry != entry:
                raise AutodiffError(
                    "undefined",
                    f"the second derivative with respect to {row} and {col} is undefined here",
                )
    return matrix


def derivatives(expr: Expression, point: dict, names: list[str], order: int):
    """{name: [d/dx, d2/dx2, ..., d^order/dx^order]}: each the backward pass, with
    create_graph, of the one before, over the graph that pass built. A NaN stays.

    The first pass is shared; then each variable's chain is its own.
    """
    values = expr.forward(point)
    leaves = [values[i] for i in expr.leaves.values()]
    expr.backward(values, create_graph=order > 1)
    first = {name: values[expr.leaves[name]].grad for name in names}
    found = {}
    with no_cyclic_gc():  # the graphs grow threefold an order; they hold no cycles
        for name in names:
            leaf, g = values[expr.leaves[name]], first[name]
            found[name] = [_number(g)]
            for k in range(2, order + 1):
                g = _again(g, leaf, leaves, create_graph=k < order)
                found[name].append(_number(g))
    return found


def _again(g, leaf: Value, leaves: list[Value], create_graph: bool):
    """d(g)/d(leaf); a number that is no `Value` is a constant, whose derivative is 0."""
    if not isinstance(g, Value):
        return 0.0
    order = g.topological_order(differentiable=True)
    for v in order:
        if v._fn is None:  # the rules' constants too: else they sum Values no one reads
            v.grad = 0.0
    for v in leaves:  # a variable g does not depend on keeps 0
        v.grad = 0.0
    g.backward(create_graph=create_graph, order=order)
    return leaf.grad


def _number(g) -> float:
    return g.data if isinstance(g, Value) else float(g)


def jacobian(expr: Expression, point: dict):
    """(values, rows): one forward graph, then one backward pass per output.

    A NaN is diagnosed as `grad` diagnoses it, output by output.
    """
    values = expr.forward(point)
    evaluation = Evaluation(expr, values)
    outputs, rows = [], []
    for index in expr.outputs:
        for i in expr.leaves.values():
            values[i].grad = 0.0
        expr.backward(values, index)
        row = evaluation.gradients()
        require_defined(evaluation, row, index)
        outputs.append(values[index].data)
        rows.append(row)
    return outputs, rows
