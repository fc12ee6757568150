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


def _numbers(node) -> str:
    return "" if node.data is None else f"data {node.data!r}, grad {node.grad!r}"


def tree_label(node) -> str:
    """name, operation, then data and grad when a point was given."""
    what = f"{node.name} = {node.formula}" if node.kind == "operation" else node.name
    numbers = _numbers(node)
    return f"{what}   {numbers}" if numbers else what


def text_tree(nodes) -> str:
    return "\n".join(tree_text(preorder(nodes, tree_label, limit=None))) + "\n"


def tree(graph, style):
    """A Rich tree on a terminal (or with --color always), else the same tree as text."""
    nodes = graph.nodes
    if len(nodes) <= RICH_TREE_LIMIT and (sys.stdout.isatty() or style.color == "always"):
        from autodiff_cli.render.terminal import tree_of

        return tree_of(preorder(nodes, tree_label, limit=None))
    return text_tree(nodes)


def _dot_record(text: str) -> str:
    for ch in '\\{}|<>"':
        text = text.replace(ch, "\\" + ch)
    return text


def _dot_quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def dot(graph, style) -> str:
    nodes = graph.nodes
    lines = ["digraph autodiff {", "  rankdir=LR;", '  node [fontname="monospace"];']
    for node in nodes:
        fields = [_dot_record(node.name)]
        if node.data is not None:
            fields += [_dot_record(f"data {node.data!r}"), _dot_record(f"grad {node.grad!r}")]
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
    nodes = graph.nodes
    lines = ["graph LR"]
    for node in nodes:
        label = _mermaid(node.name)
        if node.data is not None:
            label += f"<br/>data {node.data!r}<br/>grad {node.grad!r}"
        lines.append(f'  n{node.id}["{label}"]')
        if node.op is not None:
            lines.append(f'  n{node.id}_op(("{_mermaid(node.op)}"))')
            lines += [f"  n{j} --> n{node.id}_op" for j in node.input_ids]
            lines.append(f"  n{node.id}_op --> n{node.id}")
    return "\n".join(lines) + "\n"
