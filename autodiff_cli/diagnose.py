"""Why a result is NaN: the first operation that produced it, in words.

Forward: the first node, in evaluation order, whose value is NaN while its
inputs are not. Backward: the first step, in backward order, whose
contribution (local derivative times upstream gradient) is NaN while the
upstream gradient is not. Both point at the source with a span.
"""

from __future__ import annotations

import math

from autodiff_cli.errors import AutodiffError
from autodiff_cli.expression import Evaluation
from autodiff_cli.numbers import plain
from autodiff_cli.ops import FLOAT


def _inputs(evaluation: Evaluation, index: int) -> str:
    expr = evaluation.expression
    parts = []
    for j in expr.nodes[index].inputs:
        node = expr.nodes[j]
        if node.op is None and not node.variable and node.name is None:
            continue  # a number written in the expression speaks for itself
        parts.append(f"{expr.text(j)} = {plain(evaluation.values[j].data)}")
    return f" with {', '.join(parts)}" if parts else ""


def _error(evaluation: Evaluation, index: int, message: str, hint: str | None = None):
    expr = evaluation.expression
    return AutodiffError("undefined", message, span=expr.nodes[index].span, hint=hint).located(
        expr.source
    )


def undefined_value(evaluation: Evaluation) -> AutodiffError | None:
    expr, values = evaluation.expression, evaluation.values
    for i in expr.live:
        v = values[i]
        if not math.isnan(v.data):
            continue
        node = expr.nodes[i]
        if node.op is None:
            return _error(evaluation, i, f"the value of {expr.text(i)} is NaN")
        if any(math.isnan(values[j].data) for j in node.inputs):
            continue
        text = expr.source[node.span[0] : node.span[1]]
        return _error(evaluation, i, f"{text}{_inputs(evaluation, i)} is undefined")
    return None


def undefined_gradient(evaluation: Evaluation) -> AutodiffError | None:
    expr, values = evaluation.expression, evaluation.values
    varying = [False] * len(expr.nodes)  # depends on a variable
    for i in expr.live:
        node = expr.nodes[i]
        varying[i] = node.variable or any(varying[j] for j in node.inputs)
    for i in reversed(expr.live):
        node = expr.nodes[i]
        v = values[i]
        if node.op is None or math.isnan(v.grad):
            continue
        inputs = [values[j] for j in node.inputs]
        second = inputs[1].data if len(inputs) == 2 else node.constant
        local = node.op.derivative(FLOAT, v.data, inputs[0].data, second)
        for j, d in zip(node.inputs, local):
            if not varying[j] or not math.isnan(d * v.grad):
                continue
            text = expr.source[node.span[0] : node.span[1]]
            at = _inputs(evaluation, i)
            if math.isnan(d):
                message = f"the derivative of {text}{at} is undefined"
            else:
                message = (
                    f"the gradient through {text}{at} is undefined: its derivative "
                    f"with respect to {expr.text(j)} is {plain(d)}, times a gradient of "
                    f"{plain(v.grad)}"
                )
            return _error(evaluation, i, message)
    return None
