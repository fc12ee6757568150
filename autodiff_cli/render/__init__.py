"""Renderers behind one door: for each kind of result, its formats and a writer for each.

`WRITERS` is the registry. A writer is `module:function` in this package,
imported only when its format is asked for (Rich and plotext cost start-up
time), and called as `writer(result, style)`. It returns text, written as
it is, or a Rich renderable, printed by `render.terminal`. The first format
of a kind is its default, except that a kind with a `table` shows one on a
terminal and `text` elsewhere (`default_format`). Commands take their
`--format` choices from here, so `--help` lists what is written.

A new format: one writer per kind of result it applies to, and its name in
that kind's entry. A new kind of result: one entry.
"""

from __future__ import annotations

import math
import sys
from importlib import import_module

from autodiff_cli.numbers import plain, with_precision


def _tables() -> dict[str, str]:
    """The formats of a result that is tables of numbers (its own copy, to extend)."""
    return {"table": "terminal:matrix", "text": "higher:text", "json": "higher:as_json",
            "csv": "higher:csv", "tsv": "higher:tsv"}  # fmt: skip


WRITERS: dict[str, dict[str, str]] = {
    "grad": {"table": "terminal:grad_table", "text": "grad:text", "json": "grad:as_json",
             "jsonl": "grad:as_json", "csv": "grad:csv", "tsv": "grad:tsv",
             "markdown": "grad:markdown"},
    "trace": {"table": "terminal:trace", "text": "walk:text", "json": "walk:as_json",
              "markdown": "walk:markdown"},
    "check": _tables(),
    "hessian": _tables(),
    "jacobian": _tables(),
    "graph": {"tree": "graph:tree", "dot": "graph:dot", "mermaid": "graph:mermaid"},
    "plot": {"plot": "plot:picture", "csv": "plot:as_csv", "json": "plot:as_json"},
    "diff": {"table": "terminal:diff", "text": "diff:text", "json": "diff:as_json",
             "markdown": "diff:markdown", "latex": "diff:latex"},
    "functions": {"table": "terminal:functions", "text": "functions:text",
                  "markdown": "functions:markdown", "json": "functions:as_json"},
    # Streams of records (--lines, --points): a writer class, made with the stream.
    "lines": dict.fromkeys(("text", "json", "jsonl", "csv", "tsv"), "records:LinesWriter"),
    "points": dict.fromkeys(("text", "json", "jsonl", "csv", "tsv"), "records:PointsWriter"),
}  # fmt: skip


def formats(kind: str) -> tuple[str, ...]:
    return tuple(WRITERS[kind])


def default_format(kind: str) -> str:
    """A table on a terminal and text elsewhere, where the kind has both; else its first."""
    if "table" in WRITERS[kind]:
        return "table" if sys.stdout.isatty() else "text"
    return formats(kind)[0]


TERMINAL_DIGITS = 12  # a table's numbers, unless --precision says otherwise


class Style:
    """How the person asked for it: significant digits (None: exact) and colour.

    A table or a tree drawn for a person (`rounded`) shows at most
    TERMINAL_DIGITS significant digits when no precision was asked for: 0.6,
    not 0.6000000000000001. `shortened` records that a number lost digits, so
    the table can say so; text, JSON and CSV for programs stay exact.
    """

    def __init__(self, precision: int | None = None, color: str = "auto") -> None:
        self.precision, self.color = precision, color
        self.rounded = self.shortened = False
        self.digits = TERMINAL_DIGITS  # fewer where a table would not fit the terminal

    def number(self, x: float, exact=plain) -> str:
        """`x` at the precision asked for; else `exact(x)` (plain: 2, repr: 2.0), rounded
        to `digits` in a table: 1.23456789012e+14 when that drops whole digits,
        never a wrong number that looks exact."""
        if self.precision is not None:
            return with_precision(x, self.precision)
        if self.rounded and math.isfinite(x):
            short = format(x, f".{self.digits}g")
            if float(short) != x:
                self.shortened = True
                digits_only = short.lstrip("-").isdigit()
                return short + ".0" if digits_only and exact is repr else short
        return exact(x)

    def given(self, x: float) -> str:
        """A value the person typed: at the precision asked for, else as typed, never rounded."""
        return plain(x) if self.precision is None else with_precision(x, self.precision)

    def note(self, exact: str = "--format text") -> str | None:
        """What a table says under it when a number was rounded; `exact`: how to see them all."""
        if not self.shortened:
            return None
        return f"rounded to {self.digits} digits; exact: {exact}"


def writer(kind: str, fmt: str):
    module, name = WRITERS[kind][fmt].split(":")
    return getattr(import_module(f"{__name__}.{module}"), name)


def write(result, fmt: str | None, style: Style) -> None:
    """Render `result` as `fmt` (its kind's default if None) on standard output."""
    kind = result.kind
    fmt = fmt or default_format(kind)
    style.rounded = fmt == "table"
    out = writer(kind, fmt)(result, style)
    if isinstance(out, str):
        sys.stdout.write(out)
    else:
        from autodiff_cli.render.terminal import console

        console(style.color).print(out)
