"""A parsed expression compiled to one Python function of floats, for many points.

Building a `Value` graph per point costs microseconds a node; a pipeline of a
million points wants the forward and backward pass as straight-line code.
This module is the one reviewed place where autodiff generates source and
hands it to `exec`. No text from the user reaches that source: variables are
arguments named by position (`x0`, `x1`), nodes are `v3`, gradients `g3`,
numbers and the table's functions are passed in by name (`k3`, `f3`, `b3`) as
values of the namespace. Two expressions of the same shape give the same
source, whatever their names and numbers (a test checks it).

The backward pass visits nodes in `Value.backward`'s order, starts each sum
at -0.0 as it does and applies the same backward rules from the table, so the
numbers are the same, bit for bit, as `grad` prints.
"""

from __future__ import annotations

from autodiff_cli.expression import Expression
from autodiff_cli.ops import FLOAT


def source_of(expr: Expression, backward: bool = True) -> str:
    """The generated function `run(x0, x1, ...) -> (value, d/dx0, d/dx1, ...)`.

    With `backward=False`, `run(x0, x1, ...) -> value` (for finite differences).
    """
    nodes = expr.nodes
    args = {name: f"x{k}" for k, name in enumerate(expr.variables)}
    order = expr.topological_order()
    lines = [f"def run({', '.join(args.values())}):"]
    for i in sorted(order):  # forward, in creation order: inputs come first
        node = nodes[i]
        if node.variable:
            lines.append(f"    v{i} = {args[node.name]}")
        elif node.op is None:
            lines.append(f"    v{i} = k{i}")
        elif node.op.takes_constant:
            lines.append(f"    v{i} = f{i}(v{node.inputs[0]}, k{i})")
        else:
            lines.append(f"    v{i} = f{i}({', '.join(f'v{j}' for j in node.inputs)})")
    if not backward:
        lines.append(f"    return v{expr.output}")
        return "\n".join(lines) + "\n"
    order = expr.topological_order(backward=True)  # not below a comparison
    lines += [f"    g{i} = {'1.0' if i == expr.output else '-0.0'}" for i in order]
    for i in reversed(order):
        node = nodes[i]
        if node.op is None or len(node.op.cut) == len(node.inputs):
            continue  # a leaf, or a comparison: nothing to send back
        if node.op.many:  # (m, g, out, xs, None): the inputs as a tuple
            x, second = f"({''.join(f'v{j}, ' for j in node.inputs)})", "None"
        elif node.op.takes_constant:
            x, second = f"v{node.inputs[0]}", f"k{i}"
        else:
            x = f"v{node.inputs[0]}"
            second = f"v{node.inputs[1]}" if len(node.inputs) == 2 else "None"
        received = ", ".join(f"c{k}" for k in range(len(node.inputs)))
        lines.append(f"    {received}, = b{i}(F, g{i}, v{i}, {x}, {second})")
        for k, j in enumerate(node.inputs):
            if k not in node.op.cut:
                lines.append(f"    g{j} += c{k}")
    leaf = expr.leaves
    reached = set(order)  # a variable only a dead statement uses has gradient 0
    grads = [f"g{leaf[name]}" if leaf[name] in reached else "0.0" for name in expr.variables]
    lines.append(f"    return ({', '.join([f'v{expr.output}', *grads])},)")
    return "\n".join(lines) + "\n"


def namespace_of(expr: Expression) -> dict:
    """The values the generated source refers to by name."""
    space: dict = {"F": FLOAT, "__builtins__": {}}
    for i, node in enumerate(expr.nodes):
        if node.op is not None:
            space[f"f{i}"] = node.op.forward
            space[f"b{i}"] = node.op.backward
        if node.constant is not None:
            space[f"k{i}"] = node.constant
    return space


LIMIT = 20_000  # nodes; a larger expression is evaluated through Value graphs instead


def compile_expression(expr: Expression, backward: bool = True):
    """`run(*values) -> (value, *gradients)`, values in `expr.variables` order.

    With `backward=False`, `run(*values) -> value`.
    """
    if len(expr.live) > LIMIT:
        return _by_values(expr, backward)
    space = namespace_of(expr)
    code = compile(source_of(expr, backward), "<autodiff compiled expression>", "exec")
    exec(code, space)  # noqa: S102 - the reviewed place: source built from templates only
    return space["run"]


def _by_values(expr: Expression, backward: bool):
    """The same function for a huge expression, through `Expression.evaluate`."""
    names = expr.variables

    def run(*values):
        if not backward:
            return expr.forward(dict(zip(names, values)))[expr.output].data
        evaluation = expr.evaluate(dict(zip(names, values)))
        return (evaluation.value, *evaluation.gradients().values())

    return run
