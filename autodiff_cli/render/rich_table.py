"""Rich tables for the terminal. Imported only when a table is asked for."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from autodiff_cli.numbers import with_precision


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """The reader has gone: say so as Python does (Rich would exit 1 itself)."""
        raise BrokenPipeError


def console(color: str) -> Console:
    """`color`: auto (Rich decides; NO_COLOR is honoured), always or never."""
    if color == "always":
        return _Console(force_terminal=True, color_system="standard", highlight=False)
    if color == "never":
        return _Console(no_color=True, highlight=False, color_system=None)
    return _Console(highlight=False)


def grad_table(result, precision: int | None = None) -> Table:
    # Text, not markup: a comment in the expression may hold brackets.
    table = Table(title=Text(result.expression), title_style="bold", show_edge=True)
    table.add_column("", style="bold")
    table.add_column("value", justify="right")
    table.add_column("gradient" if result.order == 1 else "d2/dx2", justify="right")
    output = result.evaluation.expression
    name = output.nodes[output.output].name or "output"
    table.add_row(name, with_precision(result.value, precision), "", end_section=True)
    for var, g in result.gradients.items():
        sign = "red" if g < 0 else "green" if g > 0 else "dim"  # the sign is the message
        shown = Text(with_precision(g, precision), style=sign)
        table.add_row(var, with_precision(result.point[var], precision), shown)
    return table


def functions_table(ops) -> Table:
    table = Table(title="operations", title_style="bold")
    table.add_column("write")
    table.add_column("derivative")
    table.add_column("what it is")
    for op in ops:
        table.add_row(op.usage, op.rule, op.description)
    return table
