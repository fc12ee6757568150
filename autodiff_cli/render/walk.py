"""Trace mode as plain text, Markdown and JSON (Rich tables are in terminal.py).

The four sections of the walkthrough's worked example: the forward pass (with
a picture of the graph), the topological order, the backward steps and the
final gradients. `sections()` says what they hold; each renderer says how.
"""

from __future__ import annotations

import re

from autodiff_cli.numbers import json_number
from autodiff_cli.render.dialects import json_line
from autodiff_cli.steps import Trace, meaning

TREE_LIMIT = 200  # larger graphs are not drawn: the forward pass lists every node


class Section:
    def __init__(self, title: str, headers: list[str], rows: list[list]) -> None:
        self.title, self.headers, self.rows = title, headers, rows


class Action:
    """An action cell: a title and code fragments (backticks in Markdown)."""

    def __init__(self, title: str, fragments: list[str]) -> None:
        self.title, self.fragments = title, fragments

    def text(self, code: str = "") -> str:
        if not self.fragments:
            return self.title
        return f"{self.title}: " + ", ".join(f"{code}{f}{code}" for f in self.fragments)


# A number in an action's arithmetic, as `repr` wrote it (not part of a name like x1).
_NUMBER = re.compile(r"(?<![\w.])(?:\d+\.\d*(?:e[+-]?\d+)?|\d+e[+-]?\d+)")
_RECEIVES = " += "  # what comes after it is arithmetic; before it, a node's name (2.5.grad)


def number_format(style):
    """repr, as the walkthrough prints floats (4.0, -3.0), at the style's precision."""
    return lambda x: style.number(x, repr)


def _action(step, style) -> Action:
    """The step's arithmetic, its numbers at the style's precision."""
    if style.precision is None and not style.rounded:
        return Action(step.title, step.fragments)
    number = number_format(style)

    def shown(fragment: str) -> str:
        name, receives, arithmetic = fragment.partition(_RECEIVES)
        return name + receives + _NUMBER.sub(lambda m: number(float(m.group())), arithmetic)

    return Action(step.title, [shown(f) for f in step.fragments])


def sections(trace: Trace, style) -> list[Section]:
    number = number_format(style)
    forward = Section(
        "Forward pass",
        ["Node", "Operation", "data"],
        [[n.name, n.formula, number(n.data)] for n in trace.nodes],
    )
    steps = []
    for s in trace.steps:
        result = ", ".join(f"{k}.grad = {number(g)}" for k, g in s.updates.items()) or "--"
        steps.append([str(s.step), s.node, _action(s, style), result])
    backward = Section("Backward pass", ["Step", "Node", "Action", "Result"], steps)
    final = Section(
        "Final gradients",
        ["Node", "data", "grad", "Meaning"],
        [
            [
                name,
                number(trace.variable_data(name)),
                number(g),
                meaning(name, g, trace.output, style.number),
            ]
            for name, g in trace.gradients.items()
        ],
    )
    return [forward, backward, final]


def orders(trace: Trace) -> tuple[str, str]:
    """The topological order, and the reversed order the backward pass takes."""
    return f"[{', '.join(trace.order)}]", f"[{', '.join(reversed(trace.reached))}]" + left_out(
        trace
    )


def left_out(trace: Trace) -> str:
    if len(trace.reached) == len(trace.order):
        return ""
    return "  (without what lies only below a comparison: it gets no gradient)"


def trace_label(number):
    """The walkthrough's way to label a node in the picture: `d = a * b = -6.0`."""

    def label(node) -> str:
        if node.kind == "operation":
            return f"{node.name} = {node.formula} = {number(node.data)}"
        return f"{node.name} = {number(node.data)}"

    return label


def preorder(nodes, label, limit: int | None = TREE_LIMIT) -> list[tuple[int, str, bool]] | None:
    """The graph from the output down, as (depth, label, last child) in preorder.

    `nodes` in topological order (the output last). A node shared by several
    users is drawn once, then referred to. None when there are more than
    `limit` nodes. Built with a stack, not recursion.
    """
    if limit is not None and len(nodes) > limit:
        return None
    by_id = {n.id: n for n in nodes}
    entries: list[tuple[int, str, bool]] = []
    drawn: set[int] = set()
    stack = [(nodes[-1], 0, True)]
    while stack:
        node, depth, last = stack.pop()
        if node.id in drawn and node.kind == "operation":
            entries.append((depth, f"{node.name} (shown above)", last))
            continue
        drawn.add(node.id)
        entries.append((depth, label(node), last))
        children = [by_id[j] for j in node.input_ids]
        for k in range(len(children) - 1, -1, -1):
            stack.append((children[k], depth + 1, k == len(children) - 1))
    return entries


DEEPEST = 40  # deeper levels are not indented further, so a line never grows past this


def tree_text(entries: list[tuple[int, str, bool]]) -> list[str]:
    lines, open_levels = [], []  # open_levels[d]: a guide line continues at depth d
    for depth, label, last in entries:
        del open_levels[depth:]
        if depth == 0:
            lines.append(label)
        else:
            guides = "".join("|   " if more else "    " for more in open_levels[1:DEEPEST])
            deep = f"[depth {depth}] " if depth > DEEPEST else ""
            lines.append(f"{guides}{'`-- ' if last else '|-- '}{deep}{label}")
        open_levels.append(not last)
    return lines


def too_large(trace: Trace) -> str:
    return f"(a graph of {len(trace.nodes)} nodes is not drawn; the forward pass lists them all)"


def _text_table(section: Section) -> list[str]:
    rows = [[c.text() if isinstance(c, Action) else c for c in row] for row in section.rows]
    widths = [max(len(r[i]) for r in [section.headers, *rows]) for i in range(len(section.headers))]
    lines = []
    for row in [section.headers, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths)]
        lines.append("  ".join(cells).rstrip())
    return lines


def _parts(trace: Trace, style):
    """What text and Markdown both show: the sections, the orders, the picture."""
    forward, backward, final = sections(trace, style)
    entries = preorder(trace.nodes, trace_label(number_format(style)))
    picture = tree_text(entries) if entries is not None else [too_large(trace)]
    return forward, backward, final, orders(trace), picture


def text(trace: Trace, style) -> str:
    forward, backward, final, (order, reverse), picture = _parts(trace, style)
    out = [forward.title, *_text_table(forward), "", "Graph", *picture, ""]
    out += [f"Topological order: {order}", f"Reversed:          {reverse}", ""]
    out += [backward.title, *_text_table(backward), "", final.title, *_text_table(final)]
    return "\n".join(out) + "\n"


def _md_cell(cell) -> str:
    value = cell.text("`") if isinstance(cell, Action) else cell
    return value.replace("|", "\\|")


def _md_table(section: Section) -> list[str]:
    lines = [f"### {section.title}", ""]
    lines.append("| " + " | ".join(section.headers) + " |")
    lines.append("|" + "|".join("---" for _ in section.headers) + "|")
    for row in section.rows:
        lines.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
    return lines


def markdown(trace: Trace, style) -> str:
    forward, backward, final, (order, reverse), picture = _parts(trace, style)
    out = [f"## Trace of `{trace.expression}`", "", *_md_table(forward), ""]
    out += ["### Graph", "", "```", *picture, "```", ""]
    out += ["### Topological order", "", f"Topological order: `{order}`", ""]
    out += [f"Reversed: `{reverse}`", ""]
    out += [*_md_table(backward), "", *_md_table(final)]
    return "\n".join(out) + "\n"


def as_json(trace: Trace, style) -> str:
    obj = {
        "expression": trace.expression,
        "nodes": [
            {
                "name": n.name,
                "op": n.op,
                "inputs": n.inputs,
                "data": json_number(n.data),
                "grad": json_number(n.grad),
            }
            for n in trace.nodes
        ],
        "topological_order": trace.order,
        "steps": [
            {
                "step": s.step,
                "node": s.node,
                "action": s.action,
                "updates": {k: json_number(g) for k, g in s.updates.items()},
            }
            for s in trace.steps
        ],
        "value": json_number(trace.value),
        "gradients": {k: json_number(g) for k, g in trace.gradients.items()},
    }
    return json_line(obj)
