"""Beyond one gradient: a check against finite differences, Hessians, Jacobians.

All three reuse what is there: the compiled forward function (finite
differences), `Value.backward(create_graph=True)` with the table's derivative
rules (second derivatives), and one forward graph with a backward pass per
output (Jacobians).
"""

from __future__ import annotations

import sys

from autodiff_cli.compiled import compile_expression
from autodiff_cli.diagnose import require_defined
from autodiff_cli.errors import AutodiffError, quoted
from autodiff_cli.expression import Evaluation, Expression
from autodiff_cli.value import Value

STEP = sys.float_info.epsilon ** (1 / 3)  # about 6e-6: balances truncation and rounding
NEAR_KINK = 1e-4  # an input this close to a kink (relu, abs at 0) gets a warning
KINK_WARNINGS = 10  # at most, then how many more: a nest of max() at a tie is not a flood


class CheckRow:
    def __init__(self, name, auto, numeric, rtol, atol) -> None:
        self.name, self.auto, self.numeric = name, auto, numeric
        self.abs_error = abs(auto - numeric)
        scale = max(abs(auto), abs(numeric))
        self.rel_error = self.abs_error / scale if scale > 0 else 0.0
        self.ok = self.abs_error <= atol + rtol * scale


def gradcheck(expr: Expression, point: dict, gradients: dict, rtol: float, atol: float):
    """Each reverse-mode gradient beside a central difference: 2 forward runs a variable.

    The step is scaled to the variable's magnitude, h = eps**(1/3) * max(1, |x|),
    and divided by the exact difference (x+h) - (x-h) of the two doubles.
    """
    f = compile_expression(expr, backward=False)
    names = expr.variables
    base = [float(point[name]) for name in names]
    rows = []
    for i, name in enumerate(names):
        x = base[i]
        h = STEP * max(1.0, abs(x))
        up, down = list(base), list(base)
        up[i], down[i] = x + h, x - h
        numeric = (f(*up) - f(*down)) / (up[i] - down[i])
        rows.append(CheckRow(name, gradients[name], numeric, rtol, atol))
    return rows


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


def hessian(expr: Expression, point: dict, rows: list[str] | None = None, diagonal: bool = False):
    """Second derivatives {row: {col: d2/(drow dcol)}}: one backward pass a row,
    over the gradient graph that `backward(create_graph=True)` builds.

    A NaN is an error where it is asked for: in any entry, or with `diagonal`
    (`grad --order 2`) only in d2/drow2.
    """
    values = expr.forward(point)
    leaves = [values[i] for i in expr.leaves.values()]
    expr.backward(values, create_graph=True)
    first = {name: leaf.grad for name, leaf in zip(expr.leaves, leaves)}
    matrix = {}
    for row in rows or expr.variables:
        for leaf in leaves:
            leaf.grad = 0.0
        g = first[row]
        if isinstance(g, Value):
            g.backward()
        matrix[row] = {col: float(values[expr.leaves[col]].grad) for col in expr.variables}
        for col, entry in matrix[row].items():
            if entry != entry and (col == row or not diagonal):
                raise AutodiffError(
                    "undefined",
                    f"the second derivative with respect to {row} and {col} is undefined here",
                )
    return matrix


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
