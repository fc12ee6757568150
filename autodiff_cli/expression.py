"""A parsed expression: a flat graph of nodes, evaluated at points into `Value`s.

The parser builds this graph while it parses (see `builder.py`); nodes come
in creation order, so every input precedes its users and evaluation is one
loop, never a recursion. Parsing once and evaluating at many points is the
reason for this form: the `Value` graph needs numbers, the parse does not.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping
from contextlib import contextmanager

from autodiff_cli.errors import AutodiffError
from autodiff_cli.ops import Op
from autodiff_cli.value import Value, apply


# Plain classes rather than dataclasses: each dataclass costs start-up time.
class Node:
    __slots__ = ("op", "inputs", "constant", "name", "span", "variable")

    def __init__(
        self,
        op: Op | None,  # None for a leaf
        inputs: tuple[int, ...],  # indices of earlier nodes
        constant: float | None,  # a number leaf's value, or pow_const's exponent
        name: str | None,  # a variable's name, or the name a program gave the node
        span: tuple[int, int],  # where it is written in the source
        variable: bool = False,
    ) -> None:
        self.op, self.inputs, self.constant = op, inputs, constant
        self.name, self.span, self.variable = name, span, variable


class Expression:
    def __init__(
        self,
        source: str,
        nodes: list[Node],
        output: int,
        variables: list[str],  # in order of first appearance
        live: list[int],  # the nodes the output needs, and every variable
    ) -> None:
        self.source, self.nodes, self.output = source, nodes, output
        self.variables, self.live = variables, live
        self.origin: str | None = None  # where the source was read from ("-": standard input)
        # variable -> its leaf, made once here and used by everyone: every
        # lookup by name is one dict access, so nothing is quadratic in the
        # number of variables.
        self.leaves = {node.name: i for i, node in enumerate(nodes) if node.variable}
        self.outputs = [output]  # several for `a*b, a+b` (a Jacobian's rows)
        self.output_spans: list[tuple[int, int]] = []
        self._orders: dict[tuple[int, bool], list[int]] = {}  # (output, backward) -> order

    def text(self, index: int) -> str:
        """How people refer to a node: its name, else its source text."""
        node = self.nodes[index]
        if node.name is not None:
            return node.name
        start, end = node.span
        return self.source[start:end]

    def topological_order(self, output: int | None = None, backward: bool = False) -> list[int]:
        """The nodes the output (or `output`) needs, in `Value.topological_order`'s order.

        With `backward`, those a backward pass visits: not the ones reached
        only through an input that receives no gradient (a comparison's,
        where's condition). Computed once per output; every pass over this
        expression's graphs (backward, the compiled code, the trace, the
        diagnosis) uses it.
        """
        output = self.output if output is None else output
        order = self._orders.get((output, backward))
        if order is None:
            order = self._depth_first(output)
            if backward and any(
                self.nodes[i].op is not None and self.nodes[i].op.cut for i in order
            ):
                order = self._reached(output, order)
            self._orders[output, backward] = order
        return order

    def _reached(self, output: int, order: list[int]) -> list[int]:
        """The nodes of `order` that gradients reach from `output`, in the same order."""
        reached = {output}
        for i in reversed(order):  # users before their inputs
            node = self.nodes[i]
            if i in reached and node.op is not None:
                reached.update(j for k, j in enumerate(node.inputs) if k not in node.op.cut)
        return [i for i in order if i in reached]

    def _depth_first(self, output: int) -> list[int]:
        """Depth-first in operand order, with a stack: the walkthrough's order."""
        visited: set[int] = set()
        order: list[int] = []
        stack = [output]
        while stack:
            i = stack.pop()
            if i < 0:  # ~i: the children of i are done
                order.append(~i)
                continue
            if i in visited:
                continue
            visited.add(i)
            inputs = self.nodes[i].inputs
            if not inputs:
                order.append(i)
                continue
            stack.append(~i)
            stack += [j for j in reversed(inputs) if j not in visited]
        return order

    def check_wrt(self, wrt: list[str] | None) -> None:
        """Gradients asked for by name (`wrt`) must be of this expression's variables."""
        unknown = [name for name in wrt or () if name not in self.leaves]
        if unknown:
            raise AutodiffError(
                "usage",
                f"wrt names {', '.join(unknown)}, which the expression does not use",
                hint=f"its variables are {', '.join(self.variables) or 'none'}",
                reason="wrt",
                names=unknown,
            )

    def first_use(self, name: str) -> tuple[int, int]:
        """Where a variable is first written: its leaf is made there."""
        return self.nodes[self.leaves[name]].span

    def evaluate(self, point: Mapping[str, float], on_step=None) -> Evaluation:
        """Build the `Value` graph at `point` and run backward() on it.

        `on_step` is passed to `Value.backward`, to watch the pass.
        """
        values = self.forward(point)
        self.backward(values, on_step=on_step)
        return Evaluation(self, values)

    def backward(self, values, output: int | None = None, **options) -> None:
        """`Value.backward` from `output` (the expression's by default), in the order known."""
        output = self.output if output is None else output
        order = [values[i] for i in self.topological_order(output, backward=True)]
        with no_cyclic_gc():
            values[output].backward(order=order, **options)

    def forward(self, point: Mapping[str, float]) -> list[Value | None]:
        """The `Value` graph at `point`, per node (None for nodes no output needs)."""
        missing = [name for name in self.variables if name not in point]
        if missing:
            raise missing_values(self, missing)
        values: list[Value | None] = [None] * len(self.nodes)
        with no_cyclic_gc():  # the graph has no cycles; the collector only slows it
            for i in self.live:
                node = self.nodes[i]
                if node.op is None:
                    values[i] = Value(point[node.name] if node.variable else node.constant)
                else:
                    inputs = tuple(values[j] for j in node.inputs)
                    values[i] = apply(node.op, inputs, node.constant)
        return values


class Evaluation:
    def __init__(self, expression: Expression, values: list[Value | None]) -> None:
        self.expression = expression
        self.values = values  # per node; None for nodes the output does not need

    @property
    def value(self) -> float:
        return self.values[self.expression.output].data

    def gradients(self, wrt: list[str] | None = None) -> dict[str, float]:
        """d(output)/d(variable), in order of first appearance (or of `wrt`)."""
        leaves = self.expression.leaves
        grads = {}
        for name in self.expression.variables if wrt is None else wrt:
            v = self.values[leaves[name]]
            grads[name] = 0.0 if v is None else float(v.grad)
        return grads

    def variable_value(self, name: str) -> float:
        return self.values[self.expression.leaves[name]].data


def missing_values(expr: Expression, missing: list[str]) -> AutodiffError:
    names = ", ".join(missing)
    plural = "values" if len(missing) > 1 else "a value"
    hint = "give the point a value for each"
    if "e" in missing:
        hint += "; for Euler's number write exp(1), and exp(x) for e**x"
    return AutodiffError(
        "missing_value",
        f"missing {plural} for {names}",
        span=expr.first_use(missing[0]),
        hint=hint,
        reason="missing_values",
        names=missing,
        none_given=len(missing) == len(expr.variables),  # then a formula may be what is wanted
    ).located(expr.source, expr.origin)


@contextmanager
def no_cyclic_gc():
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
