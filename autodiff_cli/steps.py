"""Trace mode's data: every node named, the forward pass, the backward steps.

The graph a trace names is also what `graph()` returns (`graph_nodes`).

The steps are recorded while the real backward pass runs (`Value.backward`'s
`on_step`), so a trace cannot disagree with the gradients it reports. The
words of each step come from the table of operations (`Op.trace`).
"""

from __future__ import annotations

import itertools

from autodiff_cli.expression import Expression
from autodiff_cli.numbers import infinities, plain


def node_names(expr: Expression) -> dict[int, str]:
    """A name for every node the output needs, as the walkthrough names them.

    Variables keep their names, constants show their value, nodes a program
    named keep that name; the output is L (or L1, L2, ... if L is taken) and
    the other nodes get the first free letters in creation order: so
    relu(a*b+c) names d = a*b, e = d + c, L = relu(e). Names are unique: a
    name a program assigns again is primed (a, a'), so no step is lost.
    """
    nodes = expr.nodes
    taken = {n.name for n in nodes if n.name is not None}
    out = nodes[expr.output]
    output_name = out.name
    if output_name is None:
        output_name = next(c for c in _candidates("L") if c not in taken)
        taken.add(output_name)
    fresh = (c for c in _candidates(*"abcdefghijklmnopqrstuvwxyz") if c not in taken)
    names = {}
    given = {output_name}  # a name a program assigns twice is a' the second time (then a'')
    for i in expr.live:
        node = nodes[i]
        if i == expr.output:
            names[i] = output_name
        elif node.name is not None:
            name = node.name
            while name in given:
                name += "'"
            names[i] = name
            given.add(name)
        elif node.op is None:
            start, end = node.span
            text = expr.source[start:end] or plain(node.constant)
            # (-2) ** a, (-2).grad: as the language reads it, not -(2 ** a)
            names[i] = f"({text})" if text.startswith("-") else text
        else:
            names[i] = next(fresh)
    return names


def _candidates(*letters: str):
    for suffix in itertools.count():
        for letter in letters:
            yield f"{letter}{suffix or ''}"


class GraphNode:
    def __init__(self, id, name, kind, op, formula, inputs, input_ids, data, grad):
        self.id = id  # the node's index in the expression: unique, where names may repeat
        self.name = name
        self.kind = kind  # "input", "constant" or "operation"
        self.op = op  # the walkthrough's `_op` label, None for a leaf
        self.formula = formula  # "a * b", "relu(e)"; "input" or "constant" for leaves
        self.inputs, self.input_ids = inputs, input_ids  # names and ids, in operand order
        self.data, self.grad = data, grad  # None when no point was given


def graph_nodes(expr: Expression, values=None) -> list[GraphNode]:
    """Every node the output needs, in topological order, with data and grad if evaluated.

    What `autodiff graph` draws and the forward pass of a trace lists.
    """
    names = node_names(expr)
    nodes = []
    for i in expr.topological_order():
        node = expr.nodes[i]
        inputs = [names[j] for j in node.inputs]
        if node.op is None:
            kind = formula = "input" if node.variable else "constant"
            label = None
        else:
            kind, formula = "operation", _formula(node.op, inputs, node.constant)
            label = node.op.label_for(node.constant)
        v = values[i] if values is not None else None
        data, grad = (v.data, v.grad) if v is not None else (None, None)
        nodes.append(GraphNode(i, names[i], kind, label, formula, inputs, node.inputs, data, grad))
    return nodes


class Step:
    def __init__(self, step, node, title, fragments, updates):
        self.step, self.node = step, node
        self.title = title  # "Seed", "Mul backward", "Leaf node, no-op"
        self.fragments = fragments  # ["a.grad += (-3.0) * 1.0", ...]
        self.updates = updates  # {input name: its grad after this step}

    @property
    def action(self) -> str:
        return f"{self.title}: {', '.join(self.fragments)}" if self.fragments else self.title


class Trace:
    kind = "trace"  # how it is rendered (`autodiff_cli.render`)

    def __init__(self, expression, output, nodes, steps, value, gradients):
        self.expression = expression  # the source text
        self.output = output  # the output's name
        self.nodes = nodes  # GraphNodes in topological order
        self.steps = steps
        self.value = value
        self.gradients = gradients  # {variable: grad}, as `grad` reports them
        self.data: dict[str, float] = {}  # {variable: its value}, dead statements' too
        # The names the backward pass visits, in topological order: all of `order`
        # but what lies only below a comparison (it gets no gradient).
        self.reached: list[str] = []

    @property
    def warnings(self) -> list[str]:
        return infinities(self.value, self.gradients)

    @property
    def order(self) -> list[str]:
        return [n.name for n in self.nodes]

    def variable_data(self, name: str) -> float:
        return self.data[name]


class Recorder:
    """`on_step` for `Value.backward`: keeps each step's numbers as they happen."""

    def __init__(self) -> None:
        self.raw: list = []

    def __call__(self, v, contributions) -> None:
        cut = () if v._fn is None else v._fn.cut
        seen: dict[int, tuple] = {}
        for k, c in enumerate(v._children):  # a reused input (x*x): once, after both updates
            if k not in cut:
                seen[id(c)] = (c, c.grad)
        self.raw.append((v, v.grad, contributions, list(seen.values())))


def step_texts(v, g: float) -> list[str]:
    """What each input of node `v` received, as arithmetic: ['(4.0 > 0) * 1.0', ...]."""
    x, y = v._fn.operands([c.data for c in v._children], v._arg)
    return v._fn.step_texts(g, v.data, x, y)


def build(expr: Expression, values, recorder: Recorder, gradients: dict) -> Trace:
    """The trace of an evaluation whose backward pass `recorder` watched."""
    names = node_names(expr)
    name_of = {id(values[i]): names[i] for i in expr.live}
    output = values[expr.output]
    nodes = graph_nodes(expr, values)

    out_name = names[expr.output]
    seed = recorder.raw[0][1] if recorder.raw else output.grad
    steps = [Step(0, out_name, "Seed", [f"{out_name}.grad = {plain(seed)}"], {out_name: seed})]
    for number, (v, g, contributions, after) in enumerate(recorder.raw, start=1):
        name = name_of[id(v)]
        if contributions is None:
            steps.append(Step(number, name, "Leaf node, no-op", [], {}))
            continue
        cut, texts = v._fn.cut, step_texts(v, g)
        fragments = [
            f"{name_of[id(child)]} {v._fn.trace[k + 1]}"
            if k in cut
            else f"{name_of[id(child)]}.grad += {texts[k]}"
            for k, child in enumerate(v._children)
        ]
        updates = {name_of[id(c)]: grad for c, grad in after}
        steps.append(Step(number, name, f"{v._fn.trace[0]} backward", fragments, updates))
    trace = Trace(expr.source, out_name, nodes, steps, output.data, gradients)
    trace.data = {name: values[i].data for name, i in expr.leaves.items()}
    trace.reached = [names[i] for i in expr.topological_order(backward=True)]
    return trace


def _formula(op, inputs: list[str], constant) -> str:
    if op.function and op.takes_constant:
        return f"{op.name}({inputs[0]}, {plain(constant)})"
    if op.function and not op.syntax:
        return f"{op.name}({', '.join(inputs)})"
    if op.takes_constant:
        return f"{inputs[0]} {op.label} {plain(constant)}"
    if len(inputs) == 1:
        return f"-{inputs[0]}"
    return f"{inputs[0]} {op.label} {inputs[1]}"


def meaning(variable: str, grad: float, output: str, number=plain) -> str:
    """The walkthrough's reading of a gradient: 'If a increases by h, L decreases by 3h'."""
    if grad == 0:
        return f"If {variable} increases by h, {output} does not change (to first order)"
    direction = "increases" if grad > 0 else "decreases"
    size = abs(grad)
    amount = "h" if size == 1 else f"{number(size)}h"
    return f"If {variable} increases by h, {output} {direction} by {amount}"
