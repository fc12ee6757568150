"""The library API: every capability of autodiff, what the command line and the tests call.

>>> from autodiff_cli.api import grad
>>> result = grad("relu(a*b+c)", {"a": 2, "b": -3, "c": 10})
>>> result.value, result.gradients
(4.0, {'a': -3.0, 'b': 2.0, 'c': 1.0})

Each function takes an expression (source text, or one `parse` returned)
and returns a result object; the command line renders these
(`autodiff_cli.render`). Failures raise `AutodiffError`, whose message and
hint are in the library's words and whose `data` holds the facts (the
missing names, the range refused). Beyond the parser, modules are
imported when a function needs them: loading this one stays cheap.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from autodiff_cli.errors import AutodiffError, quoted
from autodiff_cli.expression import Evaluation, Expression
from autodiff_cli.numbers import infinities
from autodiff_cli.parser import parse
from autodiff_cli.steps import Trace

__all__ = [
    "AutodiffError",
    "CheckResult",
    "Evaluation",
    "Expression",
    "Functions",
    "GradResult",
    "Graph",
    "HessianResult",
    "JacobianResult",
    "Result",
    "Samples",
    "Trace",
    "check",
    "check_bounds",
    "diff",
    "DiffResult",
    "functions",
    "grad",
    "graph",
    "hessian",
    "jacobian",
    "parse",
    "run_lines",
    "run_points",
    "sample",
    "simplify",
    "trace",
]


def _expression(source, many: bool = False) -> Expression:
    return parse(source, many) if isinstance(source, str) else source


class Result:
    """What every result has: the kind it is rendered as (`autodiff_cli.render`), and
    warnings: what a person should hear about, though the result stands."""

    kind = ""
    warnings: tuple[str, ...] | list[str] = ()


NO_VARIABLES = "the expression has no variables: there is nothing to differentiate"


def _no_variables(variables) -> list[str]:
    return [] if variables else [NO_VARIABLES]


class GradResult(Result):
    kind = "grad"

    def __init__(
        self,
        evaluation: Evaluation,
        gradients: dict[str, float],  # d(value)/d(variable), in order of first appearance
        order: int = 1,  # N > 1: `gradients` holds the Nth derivatives dN/dxN
    ) -> None:
        expr = evaluation.expression
        self.evaluation, self.gradients, self.order = evaluation, gradients, order
        self.expression = expr.source
        self.value = evaluation.value
        # the variables' values, in the same order
        self.point = {name: evaluation.variable_value(name) for name in expr.variables}
        self.output = expr.nodes[expr.output].name or "output"  # how tables name the value

    @property
    def warnings(self) -> list[str]:
        from autodiff_cli.orders import derivative

        return infinities(self.value, self.gradients, derivative(self.order))


def _evaluate(expr: Expression, point, wrt, on_step=None):
    """Check `wrt`, evaluate, and raise on a NaN: (evaluation, gradients)."""
    from autodiff_cli.diagnose import require_defined

    expr.check_wrt(wrt)
    evaluation = expr.evaluate(point, on_step)
    gradients = evaluation.gradients(wrt)
    require_defined(evaluation, gradients)
    return evaluation, gradients


def grad(source, point: Mapping[str, float], wrt: list[str] | None = None, order: int = 1):
    """Value and gradients of an expression at a point; with `order=N` (up to
    `orders.MAX_ORDER`), the Nth derivatives dN/dxN instead.

    Raises AutodiffError: invalid expression, missing values, an unknown
    `wrt` name, an order out of range, or (kind "undefined") a NaN in the
    value, a gradient or an Nth derivative.
    """
    from autodiff_cli.orders import MAX_ORDER

    _check_order(order, MAX_ORDER)
    expr = _expression(source)
    evaluation, gradients = _evaluate(expr, point, wrt)
    if order > 1:
        from autodiff_cli.higher import derivatives
        from autodiff_cli.orders import ordinal

        found = derivatives(expr, point, list(gradients), order)
        gradients = {name: found[name][-1] for name in gradients}
        for name, d in gradients.items():
            if d != d:
                raise AutodiffError("undefined", f"the {ordinal(order)} derivative with "
                                    f"respect to {name} is undefined here")  # fmt: skip
    return GradResult(evaluation, gradients, order)


def _check_order(order: int, most: int) -> None:
    if not 1 <= order <= most:
        raise AutodiffError("usage", f"order {order}: the order is from 1 to {most}",
                            reason="order", order=order, most=most)  # fmt: skip


def trace(source, point: Mapping[str, float], wrt: list[str] | None = None) -> Trace:
    """Every node and every backward step of the evaluation at `point`.

    The steps are recorded during the backward pass that computes the
    gradients; errors as for `grad`.
    """
    from autodiff_cli.steps import Recorder, build

    expr = _expression(source)
    recorder = Recorder()
    evaluation, gradients = _evaluate(expr, point, wrt, recorder)
    return build(expr, evaluation.values, recorder, gradients)


class CheckResult(Result):
    kind = "check"

    def __init__(self, grad: GradResult, rows, rtol: float, atol: float, warnings) -> None:
        self.expression, self.value = grad.expression, grad.value
        self.rows = rows  # `higher.CheckRow`s, one a variable
        self.rtol, self.atol = rtol, atol
        # kinks near the point, where the two may legitimately differ; variables not checked
        unchecked = [r.unchecked for r in rows if r.unchecked]
        self.warnings = _no_variables(rows) + warnings + unchecked

    @property
    def failed(self) -> list[str]:
        return [r.name for r in self.rows if r.ok is False]

    @property
    def ok(self) -> bool | None:
        """False if a gradient disagrees, None if one could not be checked, else True."""
        if self.failed:
            return False
        return None if any(r.ok is None for r in self.rows) else True


def check(source, point: Mapping[str, float], rtol: float = 1e-5, atol: float = 1e-6):
    """Each gradient beside a central finite difference, within atol + rtol * scale."""
    from autodiff_cli.higher import gradcheck, kink_warnings

    expr = _expression(source)
    result = grad(expr, point)
    rows = gradcheck(expr, point, result.gradients, rtol, atol)
    return CheckResult(result, rows, rtol, atol, kink_warnings(expr, result.evaluation.values))


class HessianResult(Result):
    kind = "hessian"

    def __init__(self, grad: GradResult, matrix: dict[str, dict[str, float]]) -> None:
        self.expression, self.value = grad.expression, grad.value
        self.point, self.gradients = grad.point, grad.gradients
        self.matrix = matrix  # {row: {column: d2/(drow dcolumn)}}
        entries = {f"{row} and {col}": e for row, cols in matrix.items() for col, e in cols.items()}
        self.warnings = _no_variables(self.point) + infinities(self.value, self.gradients)
        self.warnings += infinities(0.0, entries, "second derivative")


def hessian(source, point: Mapping[str, float]) -> HessianResult:
    """Value, gradient and the matrix of second derivatives."""
    from autodiff_cli import higher

    expr = _expression(source)
    return HessianResult(grad(expr, point), higher.hessian(expr, point))


class JacobianResult(Result):
    kind = "jacobian"

    def __init__(self, expr: Expression, values: list[float], rows) -> None:
        self.expression = expr.source
        self.outputs = [expr.source[a:b] for a, b in expr.output_spans]  # as written
        self.values = values
        self.rows = rows  # per output, {variable: gradient}
        self.variables = expr.variables
        self.warnings = _no_variables(self.variables)
        for output, value, row in zip(self.outputs, values, rows):
            self.warnings += [f"{quoted(output, 40)}: {found}" for found in infinities(value, row)]


def jacobian(source, point: Mapping[str, float]) -> JacobianResult:
    """Several outputs (`a*b, a+b`): their values and one gradient row each."""
    from autodiff_cli import higher

    expr = _expression(source, many=True)
    return JacobianResult(expr, *higher.jacobian(expr, point))


class Graph(Result):
    kind = "graph"

    def __init__(self, nodes) -> None:
        self.nodes = nodes  # `steps.GraphNode`s in topological order, the output last


def graph(source, point: Mapping[str, float] | None = None) -> Graph:
    """The computational graph; with a point, every node's data and grad too."""
    from autodiff_cli.steps import graph_nodes

    expr = _expression(source)
    return Graph(graph_nodes(expr, expr.evaluate(point).values if point else None))


class Samples(Result):
    kind = "plot"

    def __init__(self, expression: str, variable: str, rows, order: int = 1) -> None:
        self.expression, self.variable, self.order = expression, variable, order
        self.rows = rows  # (x, value, derivative, ...to the order's), x from lo to hi

    @property
    def drawable(self) -> bool:
        """Something finite to draw, value or derivative."""
        return any(abs(y) < float("inf") for row in self.rows for y in row[1:])


def check_bounds(variable: str, lo: float, hi: float) -> None:
    """Refuse a range `sample` cannot sweep, before any expression is read."""
    from autodiff_cli import sampling

    sampling.check_bounds(variable, lo, hi)


def sample(
    source, variable: str, lo: float, hi: float, point=None, samples: int = 200, order: int = 1
):
    """Value and derivative at `samples` evenly spaced values of `variable` in [lo, hi];
    with `order=N` (up to `orders.PLOT_MAX_ORDER`), every derivative up to the Nth."""
    from autodiff_cli.orders import PLOT_MAX_ORDER
    from autodiff_cli.sampling import sweep

    _check_order(order, PLOT_MAX_ORDER)
    expr = _expression(source)
    rows = sweep(expr, variable, lo, hi, point or {}, samples, order)
    return Samples(expr.source, variable, rows, order)


class Functions(Result):
    kind = "functions"

    def __init__(self, ops, groups: tuple[str, ...]) -> None:
        self.ops = ops  # the table of operations' rows, in its order
        # [(group, its rows)], in the order of `groups`
        self.groups = [(name, [op for op in ops if op.group == name]) for name in groups]


class DiffResult(Result):
    kind = "diff"

    def __init__(self, expression: Expression, derivatives, order: int, steps: bool) -> None:
        self.expression = expression.source
        self.variables = expression.variables
        self.order, self.show_steps = order, steps
        self.derivatives = derivatives  # `symbolic.diff.Derivatives`
        # The formulas, by the variables differentiated by: {('x',): '3*x**2'}
        self.formulas: dict[tuple[str, ...], str] = derivatives.texts
        self.steps = derivatives.steps  # when asked for: [`symbolic.derive.Step`]
        self.warnings = _no_variables(self.formulas)


def diff(source, wrt: list[str] | None = None, order: int = 1, steps: bool = False) -> DiffResult:
    """The derivatives of an expression as formulas in its own language, simplified.

    >>> diff("x**2*sin(x)").formulas
    {('x',): '2*x*sin(x) + x**2*cos(x)'}

    With `order` 2 and several variables, the matrix of second partials; with
    `steps`, the derivation, one `Step` per rule applied.
    """
    from autodiff_cli.symbolic.diff import Derivatives

    expr = _expression(source)
    expr.check_wrt(wrt)
    return DiffResult(expr, Derivatives(expr, wrt or expr.variables, order, steps), order, steps)


def simplify(source) -> str:
    """An expression simplified, as `diff` writes its formulas: `x*x + x` is `x**2 + x`."""
    from autodiff_cli.symbolic.diff import simplified

    return simplified(_expression(source))


def functions() -> Functions:
    """The operations an expression may use, grouped, with their derivative rules."""
    from autodiff_cli.ops import GROUPS, OPS

    return Functions(OPS, GROUPS)


def run_lines(
    stream: Iterable[str], point: Mapping[str, float], wrt: list[str] | None = None
) -> Iterator[tuple[int, str, GradResult | AutodiffError]]:
    """One expression (or ;-program) a line; blank and # lines are skipped.

    Yields (line number, the expression, its `GradResult` or its error), in
    order; a failed line's expression is quoted short. Each expression is
    given the values of `point` it uses, and the gradients of `wrt` it has.
    """
    from autodiff_cli.reading import EXPRESSION_LIMIT, Overlong, lines

    for number, line in enumerate(lines(stream, EXPRESSION_LIMIT), start=1):
        overlong = isinstance(line, Overlong)
        source = line.shown if overlong else line.strip()
        if (line.first if overlong else source[:1]) in (None, "", "#"):
            continue  # blank, or a comment
        try:
            if overlong:
                raise line.error("the line")
            expr = parse(source)
            used = {k: v for k, v in point.items() if k in expr.leaves}
            wanted = [w for w in wrt if w in expr.leaves] if wrt else None
            yield number, source, grad(expr, used, wanted)
        except AutodiffError as error:
            yield number, quoted(source), error


def run_points(
    source,
    stream,
    input_format: str = "csv",
    defaults: Mapping[str, float] | None = None,
    wrt: list[str] | None = None,
    chunked: bool = False,
):
    """The value and gradients at every row of a stream of points, CSV (its separator
    `,` `;` or tab, as its header has it), TSV ("tsv") or JSON Lines ("jsonl");
    `defaults` gives a value to a variable a row leaves out, or gives as null.

    Returns `batch.Points`: its `names` (whose gradients are given), `columns`
    and `unused` columns are known at once; iterated once, it yields
    (row number, (value, *gradients) or the row's error), in order, and its
    `with_input()` yields (row number, outcome, the row as read).

    `chunked`: a CSV or TSV stream of bytes, read from its start, is read a chunk at a
    time with numpy and polars (`chunked.ChunkedPoints`: `chunks()` in place of
    `with_input()`), the same numbers as a row at a time, bit for bit; without them,
    or for JSON Lines, a row at a time.
    """
    from autodiff_cli.batch import Points

    if chunked and input_format in ("csv", "tsv") and hasattr(stream, "buffer"):
        try:
            from autodiff_cli.chunked import ChunkedPoints
        except ImportError:  # numpy or polars missing: the row-at-a-time path
            pass
        else:
            return ChunkedPoints(_expression(source), stream, input_format, defaults or {}, wrt)
    return Points(_expression(source), stream, input_format, defaults or {}, wrt)
