"""The library API: what the command line and the tests both call.

>>> from autodiff_cli.api import parse, grad
>>> result = grad("relu(a*b+c)", {"a": 2, "b": -3, "c": 10})
>>> result.value, result.gradients
(4.0, {'a': -3.0, 'b': 2.0, 'c': 1.0})
"""

from __future__ import annotations

from collections.abc import Mapping

from autodiff_cli.diagnose import undefined
from autodiff_cli.errors import AutodiffError
from autodiff_cli.expression import Evaluation, Expression
from autodiff_cli.parser import parse
from autodiff_cli.trace import Recorder, Trace, build

__all__ = [
    "AutodiffError",
    "Evaluation",
    "Expression",
    "GradResult",
    "Trace",
    "grad",
    "parse",
    "trace",
]


class GradResult:
    def __init__(
        self,
        expression: str,
        value: float,
        gradients: dict[str, float],  # d(value)/d(variable), in order of first appearance
        point: dict[str, float],  # the variables' values, in the same order
        evaluation: Evaluation,
    ) -> None:
        self.expression, self.value, self.gradients = expression, value, gradients
        self.point, self.evaluation = point, evaluation
        self.order = 1  # 2: `gradients` holds second derivatives d2/dx2


def _evaluate(source, point, wrt, on_step=None):
    """Parse, check `wrt`, evaluate, and raise on a NaN: (expression, evaluation, gradients)."""
    expr = parse(source) if isinstance(source, str) else source
    if wrt is not None:
        unknown = [name for name in wrt if name not in expr.leaves]
        if unknown:
            raise AutodiffError(
                "usage",
                f"--wrt names {', '.join(unknown)}, which the expression does not use",
                hint=f"its variables are {', '.join(expr.variables) or 'none'}",
            )
    evaluation = expr.evaluate(point, on_step)
    gradients = evaluation.gradients(wrt)
    error = undefined(evaluation, gradients)
    if error is not None:
        raise error
    return expr, evaluation, gradients


def grad(
    source: str | Expression,
    point: Mapping[str, float],
    wrt: list[str] | None = None,
) -> GradResult:
    """Value and gradients of an expression at a point.

    Raises AutodiffError: invalid expression, missing values, an unknown
    `wrt` name, or (kind "undefined") a NaN in the value or a gradient.
    """
    expr, evaluation, gradients = _evaluate(source, point, wrt)
    return GradResult(
        expression=expr.source,
        value=evaluation.value,
        gradients=gradients,
        point={name: evaluation.variable_value(name) for name in expr.variables},
        evaluation=evaluation,
    )


def trace(
    source: str | Expression,
    point: Mapping[str, float],
    wrt: list[str] | None = None,
) -> Trace:
    """Every node and every backward step of the evaluation at `point`.

    The steps are recorded during the backward pass that computes the
    gradients; errors as for `grad`.
    """
    recorder = Recorder()
    expr, evaluation, gradients = _evaluate(source, point, wrt, recorder)
    return build(expr, evaluation.values, recorder, gradients)
