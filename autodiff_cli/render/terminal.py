"""Everything drawn with Rich: tables, trees and the progress bar, for a terminal.

The one module that imports Rich, and only when a table, a tree or a bar is
asked for: Rich costs start-up time that the other formats need not pay.
"""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from autodiff_cli.orders import derivative
from autodiff_cli.render import higher
from autodiff_cli.render.walk import (
    Action,
    Section,
    left_out,
    number_format,
    orders,
    preorder,
    sections,
    too_large,
    trace_label,
)

ROWS = 40  # rows shown of a longer trace table: the first and last half of this
NAMES = 30  # names shown of a longer topological order


def _column(table: Table, header: str, **options) -> None:
    """A column that wraps on a narrow terminal and folds a word longer than its width:
    never cut with an ellipsis (a number least of all)."""
    table.add_column(header, overflow="fold", **options)


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """The reader has gone: say so as Python does (Rich would exit 1 itself)."""
        raise BrokenPipeError


def console(color: str) -> Console:
    """`color`: auto (Rich decides; NO_COLOR is honoured), always or never.

    No emoji codes: `:x:` in a name stays as typed, and Rich's table of them
    (3 ms to import) is not loaded.
    """
    if color == "always":
        return _Console(
            force_terminal=True,
            color_system="standard",
            highlight=False,
            no_color=False,
            emoji=False,
        )  # an explicit flag wins over NO_COLOR (no-color.org)
    if color == "never":
        return _Console(no_color=True, highlight=False, color_system=None, emoji=False)
    return _Console(highlight=False, emoji=False)


# diff
def diff(result, style):
    """The derivation's steps (when asked for), then a table of the formulas."""
    from autodiff_cli.symbolic.diff import label

    parts = []
    if result.steps:
        several = len(result.formulas) > 1 or result.order > 1  # which derivative: a column
        steps = Table(title="derivation", title_style="bold", show_edge=True)
        for name in ("#", "derivative", "rule", "of", "by the rule", "simplified"):
            if name != "derivative" or several:
                _column(steps, name, justify="right" if name == "#" else "left")
        for i, s in enumerate(result.steps, 1):
            cells = [Text(c) for c in (s.rule, s.expression, s.applied, s.result)]
            steps.add_row(str(i), *([label(s.path)] if several else []), *cells)
        parts.append(steps)
    table = Table(title=Text(result.expression), title_style="bold", show_edge=True)
    _column(table, "derivative", style="bold")
    _column(table, "formula")
    for path, formula in result.formulas.items():
        table.add_row(label(path), Text(formula))
    parts.append(table)
    return Group(*parts)


def _fitted(draw, style):
    """`draw()` with numbers of TERMINAL_DIGITS, or fewer (down to 6) where that is wider
    than the terminal, then without box lines: fewer digits read better than numbers
    folded over two lines."""
    width, measure = Console().width, Console(width=10_000, emoji=False).measure
    drawn = draw()
    if style.precision is None:
        for digits in (10, 8, 6):
            if measure(drawn).maximum <= width:
                break
            style.digits, style.shortened = digits, False
            drawn = draw()
    if measure(drawn).maximum > width:  # still too wide: no box lines between the columns
        for table in drawn.renderables if isinstance(drawn, Group) else [drawn]:
            table.box, table.show_edge = box.SIMPLE_HEAD, False
    return drawn


def _noted(parts: list, style) -> Group:
    """Tables, then a line saying that numbers were rounded, if they were."""
    note = style.note()
    return Group(*parts, *([Text(note, style="dim italic")] if note else []))


# grad
def grad_table(result, style) -> Table:
    return _fitted(lambda: _grad_table(result, style), style)


def _grad_table(result, style) -> Table:
    # Text, not markup: a comment in the expression may hold brackets.
    table = Table(title=Text(result.expression), title_style="bold", show_edge=True)
    _column(table, "", style="bold")
    _column(table, "value", justify="right")
    _column(table, derivative(result.order), justify="right")
    table.add_row(result.output, style.number(result.value), "", end_section=True)
    for var, g in result.gradients.items():
        sign = "red" if g < 0 else "green" if g > 0 else "dim"  # the sign is the message
        shown = Text(style.number(g), style=sign)
        table.add_row(var, style.given(result.point[var]), shown)
    table.caption = style.note()
    return table


# check, hessian, jacobian
def matrix(result, style) -> Group:
    """Each of the result's tables: the first column the names, the numbers right-aligned."""

    def draw():
        return Group(*(_numbers_table(rows, title) for title, rows in higher.tables(result, style)))

    return _noted(list(_fitted(draw, style).renderables), style)


def _numbers_table(rows: list[list[str]], title: str) -> Table:
    out = Table(title=Text(title), title_style="bold")
    for k, header in enumerate(rows[0]):
        _column(
            out, header, justify="left" if k == 0 else "right", style="bold" if k == 0 else None
        )
    for row in rows[1:]:
        out.add_row(*(Text(cell) for cell in row))
    return out


# functions
def functions(listing, style) -> Group:
    """A table a group: arithmetic, exponential and logarithm, ..."""
    from autodiff_cli.render.functions import HEADER, cells

    tables = []
    for group, ops in listing.groups:
        table = Table(title=group, title_style="bold", title_justify="left")
        for header in HEADER[1:]:
            _column(table, header)
        for op in ops:
            table.add_row(*(Text(cell) for cell in cells(op)))
        tables.append(table)
    return Group(*tables)


# trace and graph
def tree_of(entries: list[tuple[int, str, bool]]) -> Tree:
    """A Rich tree from `walk.preorder`'s (depth, label, last) entries."""
    root = Tree(Text(entries[0][1], style="bold"), guide_style="dim")
    parents = [root]  # parents[d]: the last tree node drawn at depth d
    for depth, label, _last in entries[1:]:
        del parents[depth:]
        parents.append(parents[-1].add(Text(label)))
    return root


def _trace_table(section: Section) -> Table:
    table = Table(title=section.title, title_style="bold", title_justify="left")
    for header in section.headers:
        _column(table, header)
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


def trace(result, style) -> Group:
    number = number_format(style)
    forward, backward, final = sections(result, style)
    order, reverse = orders(result)
    if len(result.nodes) > NAMES:
        order, reverse = _names(result.order), _names(result.reached[::-1]) + left_out(result)
    entries = preorder(result.nodes, trace_label(number))
    picture = Text(too_large(result), style="dim") if entries is None else tree_of(entries)
    blank = Text("")
    parts = [
        _trace_table(forward),
        blank,
        Text("Graph", style="bold"),
        picture,
        blank,
        Text(f"Topological order: {order}"),
        Text(f"Reversed:          {reverse}"),
        blank,
        _trace_table(backward),
        blank,
        _trace_table(final),
    ]
    return _noted(parts, style)


# --points
class ProgressBar:
    """A bar on standard error, by bytes read of the points file."""

    def __init__(self, stream, color: str = "auto") -> None:
        import os

        from rich.progress import Progress

        self._stream = stream
        plain = {"never": True, "always": False}.get(color)  # auto: NO_COLOR decides
        self._bar = Progress(transient=True, console=Console(stderr=True, no_color=plain),
                             redirect_stdout=False, redirect_stderr=False)  # fmt: skip
        self._task = self._bar.add_task("points", total=os.fstat(stream.fileno()).st_size)

    def start(self) -> None:
        self._bar.start()

    def update(self) -> None:
        self._bar.update(self._task, completed=self._stream.buffer.tell())

    def stop(self) -> None:
        self._bar.stop()
