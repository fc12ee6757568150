"""Why a result is NaN: the operation where the NaN arose, in words.

Only a NaN that reaches the answer is an error: `x + sqrt(-1)**0` is 2 (as
`nan**0` is 1), and a NaN that a relu or `x**0` masks on the way back is no
gradient's business. So both searches start from the answer and follow the
NaN back to where it arose. Forward: the first node, in evaluation order, on a
NaN path into the value whose own inputs are not NaN. Backward: the first
step, in backward order, that sent a NaN towards a requested gradient while
its own upstream gradient was not NaN: the steps are watched as the one
backward pass (`Value.backward`) takes them again, never derived anew. Both
point at the source with a span.
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
        part = f"{expr.text(j)} = {plain(evaluation.values[j].data)}"
        if part not in parts:  # x/x: x once
            parts.append(part)
    return f" with {', '.join(parts)}" if parts else ""


def _error(evaluation: Evaluation, index: int, message: str, hint: str | None = None):
    expr = evaluation.expression
    error = AutodiffError("undefined", message, span=expr.nodes[index].span, hint=hint)
    return error.located(expr.source, expr.origin)


def undefined_value(evaluation: Evaluation, output: int | None = None) -> AutodiffError | None:
    """None if the value of `output` (the expression's, by default) is not NaN."""
    expr, values = evaluation.expression, evaluation.values
    output = expr.output if output is None else output
    if not math.isnan(values[output].data):
        return None
    on_path = [False] * len(expr.nodes)  # a NaN that flows into the output
    on_path[output] = True
    for i in range(output, -1, -1):  # users come after their inputs
        if on_path[i]:
            for j in expr.nodes[i].inputs:
                on_path[j] = math.isnan(values[j].data)
    for i in expr.live:
        node = expr.nodes[i]
        if not on_path[i] or any(on_path[j] for j in node.inputs):
            continue
        if node.op is None:
            return _error(evaluation, i, f"the value of {expr.text(i)} is NaN")
        text = expr.source[node.span[0] : node.span[1]]
        return _error(evaluation, i, f"{text}{_inputs(evaluation, i)} is undefined")
    return None  # not reached: the output itself is on the path


def _step(expr, values, i: int) -> tuple:
    """The numbers node i's backward step ran on: (g, out, x, y)."""
    node = expr.nodes[i]
    x, y = node.op.operands([values[j].data for j in node.inputs], node.constant)
    return values[i].grad, values[i].data, x, y


def _watched(evaluation: Evaluation, output: int) -> dict[int, tuple]:
    """The backward pass from `output` again, on the evaluation's own graph, each step's
    contributions kept. The leaves start again from 0, so every gradient ends as it was.
    """
    expr, values = evaluation.expression, evaluation.values
    index = {id(values[i]): i for i in expr.topological_order(output)}
    for i in expr.leaves.values():
        values[i].grad = 0.0
    sent: dict[int, tuple] = {}

    def keep(v, contributions) -> None:
        if contributions is not None:
            sent[index[id(v)]] = contributions

    expr.backward(values, output, on_step=keep)
    return sent


def undefined(
    evaluation: Evaluation, gradients: dict[str, float], output: int | None = None
) -> AutodiffError | None:
    """The error for a NaN in the value of `output` (the expression's, by default)
    or in one of `gradients` (the requested ones, of that output); None if none is NaN."""
    error = undefined_value(evaluation, output)
    nan = [name for name, g in gradients.items() if g != g]
    if error is None and nan:
        error = undefined_gradient(evaluation, nan, output)
        if error is None:  # no single step is NaN: inf - inf where contributions meet
            error = AutodiffError(
                "undefined",
                f"the gradient with respect to {nan[0]} is undefined: "
                "infinite contributions of opposite signs meet there",
            )
    return error


def require_defined(
    evaluation: Evaluation, gradients: dict[str, float], output: int | None = None
) -> None:
    """Raise `undefined`'s error, if there is one."""
    error = undefined(evaluation, gradients, output)
    if error is not None:
        raise error


def undefined_gradient(
    evaluation: Evaluation, names: list[str], output: int | None = None
) -> AutodiffError | None:
    """Where the NaN in the gradients of `names` arose; None if no single step made it
    (then infinite contributions of opposite signs met in a sum)."""
    expr, values = evaluation.expression, evaluation.values
    sent = _watched(evaluation, expr.output if output is None else output)
    wanted = set(names)
    leads = [False] * len(expr.nodes)  # a NaN sent here reaches a requested gradient
    for i in expr.live:  # inputs first
        node = expr.nodes[i]
        if node.variable:
            leads[i] = node.name in wanted
        elif i in sent:
            leads[i] = any(leads[j] and d != d for j, d in zip(node.inputs, sent[i]))
    for i in reversed(expr.topological_order(output)):  # backward order
        node = expr.nodes[i]
        if i not in sent or math.isnan(values[i].grad) or not leads[i]:
            continue
        for k, (j, d) in enumerate(zip(node.inputs, sent[i])):
            if not leads[j] or d == d:
                continue
            text = expr.source[node.span[0] : node.span[1]]
            arithmetic = node.op.step_texts(*_step(expr, values, i))[k]
            message = (
                f"the gradient through {text}{_inputs(evaluation, i)} is undefined: "
                f"{expr.text(j)}.grad += {arithmetic} is NaN"
            )
            return _error(evaluation, i, message, _where_remedy(evaluation, i))
    return None


SAFE = (1.0, 0.0, 2.0, 0.5)  # an input to try in the branch a `where` does not take


def _where_remedy(evaluation: Evaluation, i: int) -> str | None:
    """PyTorch's well-known trap, `where(x > 0, sqrt(x), 0)` at x = -1: the branch not
    taken receives a zero gradient, and 0 / (2 * sqrt(-1)) is NaN. If node i sits in
    such a branch, the usual remedy: give the function an input it is defined at."""
    expr, values = evaluation.expression, evaluation.values
    if values[i].grad != 0.0:
        return None
    for w in expr.live:
        node = expr.nodes[w]
        if node.op is None or node.op.name != "where":
            continue
        c, a, b = node.inputs
        in_a = values[c].data == 0.0  # where took b: the branch skipped is a
        if i in expr.topological_order(a if in_a else b, backward=True):
            return _remedy(evaluation, i, expr.text(c), in_a)
    return None


def _remedy(evaluation: Evaluation, i: int, condition: str, in_a: bool) -> str:
    expr = evaluation.expression
    node = expr.nodes[i]
    text = expr.source[node.span[0] : node.span[1]]
    taken = f"where({condition}, ...) does not take {text}"
    taken += ", but a zero gradient still goes through it"
    op = node.op
    if not op.function or op.takes_constant or op.many or len(node.inputs) != 1:
        return f"{taken} (as in PyTorch); give it an input where it is defined, inside a where"
    inner = text[text.index("(") + 1 : -1]
    safe = plain(next((x for x in SAFE if _defined(op, x)), 1.0))
    branches = f"{inner}, {safe}" if in_a else f"{safe}, {inner}"
    return f"{taken} (as in PyTorch); write {op.name}(where({condition}, {branches})) in its place"


def _defined(op, x: float) -> bool:
    out = op.forward(x)
    (d,) = op.backward(FLOAT, 0.0, out, x, None)
    return math.isfinite(out) and d == d
