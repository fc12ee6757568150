"""Trace mode on a terminal: Rich tables and a Rich tree, abbreviated when large."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from autodiff_cli.render.trace import (
    Action,
    Section,
    number_format,
    orders,
    sections,
    too_large,
    trace_label,
    tree,
)
from autodiff_cli.trace import Trace

ROWS = 40  # rows shown of a longer table: the first and last half of this
NAMES = 30  # names shown of a longer topological order


def _table(section: Section) -> Table:
    table = Table(title=section.title, title_style="bold", title_justify="left")
    for header in section.headers:
        table.add_column(header)
    rows = section.rows
    if len(rows) > ROWS:
        note = f"... {len(rows) - ROWS} rows left out (--format json, text or markdown: all)"
        marker = [Text("...", style="dim")] * (len(section.headers) - 1)
        rows = rows[: ROWS // 2] + [[*marker, Text(note, style="dim")]] + rows[-ROWS // 2 :]
    for row in rows:
        table.add_row(*(c if isinstance(c, Text) else Text(_plain(c)) for c in row))
    return table


def _plain(cell) -> str:
    return cell.text() if isinstance(cell, Action) else cell


def _names(names: list[str]) -> str:
    if len(names) > NAMES:
        left_out = len(names) - NAMES
        names = names[: NAMES // 2] + [f"... {left_out} more ..."] + names[-NAMES // 2 :]
    return f"[{', '.join(names)}]"


def rich_tree(entries: list[tuple[int, str, bool]]) -> Tree:
    """A Rich tree from `render.trace.tree`'s (depth, label, last) entries."""
    root = Tree(Text(entries[0][1], style="bold"), guide_style="dim")
    parents = [root]  # parents[d]: the last tree node drawn at depth d
    for depth, label, _last in entries[1:]:
        del parents[depth:]
        parents.append(parents[-1].add(Text(label)))
    return root


def _tree(trace: Trace, number) -> Tree | Text:
    entries = tree(trace.nodes, trace_label(number))
    if entries is None:
        return Text(too_large(trace), style="dim")
    return rich_tree(entries)


def render(trace: Trace, precision: int | None = None) -> Group:
    number = number_format(precision)
    forward, backward, final = sections(trace, number)
    order, reverse = orders(trace)
    if len(trace.nodes) > NAMES:
        order, reverse = _names(trace.order), _names(trace.order[::-1])
    blank = Text("")
    return Group(
        _table(forward),
        blank,
        Text("Graph", style="bold"),
        _tree(trace, number),
        blank,
        Text(f"Topological order: {order}"),
        Text(f"Reversed:          {reverse}"),
        blank,
        _table(backward),
        blank,
        _table(final),
    )
