"""The computational graph as a tree, Graphviz DOT or Mermaid: text, never a picture.

DOT follows micrograd's drawing: a record `{ name | data ... | grad ... }` per
value, a small node per operation, edges input -> operation -> output, left
to right. Node ids are the expression's node indices, so the same input
gives the same bytes. Labels are escaped for each format.
"""

from __future__ import annotations

import sys

from autodiff_cli.render.walk import preorder, tree_text

RICH_TREE_LIMIT = 2000  # nodes; a larger tree is written as plain text, which is faster


def _number(style):
    """As the walkthrough prints a Value's numbers (repr: 2.0), at the style's precision."""
    return lambda x: style.number(x, repr)


def tree_label(style):
    """name, operation, then data and grad when a point was given."""
    number = _number(style)

    def label(node) -> str:
        what = f"{node.name} = {node.formula}" if node.kind == "operation" else node.name
        if node.data is None:
            return what
        return f"{what}   data {number(node.data)}, grad {number(node.grad)}"

    return label


def tree(graph, style):
    """A Rich tree on a terminal (or with --color always), its numbers rounded as a
    table's are; else the same tree as text."""
    nodes = graph.nodes
    if len(nodes) <= RICH_TREE_LIMIT and (sys.stdout.isatty() or style.color == "always"):
        from rich.console import Group
        from rich.text import Text

        from autodiff_cli.render.terminal import tree_of

        style.rounded = True
        drawn = tree_of(preorder(nodes, tree_label(style), limit=None))
        note = style.note("piped, as text")
        return drawn if note is None else Group(drawn, Text(note, style="dim"))
    return "\n".join(tree_text(preorder(nodes, tree_label(style), limit=None))) + "\n"


def _dot_record(text: str) -> str:
    for ch in '\\{}|<>"':
        text = text.replace(ch, "\\" + ch)
    return text


def _dot_quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def dot(graph, style) -> str:
    nodes, number = graph.nodes, _number(style)
    lines = ["digraph autodiff {", "  rankdir=LR;", '  node [fontname="monospace"];']
    for node in nodes:
        fields = [_dot_record(node.name)]
        if node.data is not None:
            data, grad = number(node.data), number(node.grad)
            fields += [_dot_record(f"data {data}"), _dot_record(f"grad {grad}")]
        label = "{ " + " | ".join(fields) + " }"
        lines.append(f'  n{node.id} [shape=record, label="{_dot_quoted(label)}"];')
        if node.op is not None:
            lines.append(f'  n{node.id}_op [shape=circle, label="{_dot_quoted(node.op)}"];')
            lines.append(f"  n{node.id}_op -> n{node.id};")
            lines += [f"  n{j} -> n{node.id}_op;" for j in node.input_ids]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid(text: str) -> str:
    # Inside "..." Mermaid reads entity codes; quotes and angle brackets must be codes.
    for ch, code in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(ch, code)
    return text


def mermaid(graph, style) -> str:
    nodes, number = graph.nodes, _number(style)
    lines = ["graph LR"]
    for node in nodes:
        label = _mermaid(node.name)
        if node.data is not None:
            label += f"<br/>data {number(node.data)}<br/>grad {number(node.grad)}"
        lines.append(f'  n{node.id}["{label}"]')
        if node.op is not None:
            lines.append(f'  n{node.id}_op(("{_mermaid(node.op)}"))')
            lines += [f"  n{j} --> n{node.id}_op" for j in node.input_ids]
            lines.append(f"  n{node.id}_op --> n{node.id}")
    return "\n".join(lines) + "\n"
