"""`grad` results as plain text, JSON, CSV, TSV and Markdown (the table is in terminal.py)."""

from __future__ import annotations

from autodiff_cli.numbers import json_number, machine, with_precision
from autodiff_cli.orders import derivative, label, ordinal
from autodiff_cli.render.dialects import delimited, json_line


def text(result, style) -> str:
    """`value<TAB>number`, then one `variable<TAB>gradient` line per variable; of a
    higher order, the derivative's name (`d2/dx2<TAB>16`): `x 16` reads as a gradient."""
    precision = style.precision
    lines = [f"value\t{with_precision(result.value, precision)}"]
    lines += [f"{_name(name, result.order)}\t{with_precision(g, precision)}"
              for name, g in result.gradients.items()]  # fmt: skip
    return "\n".join(lines) + "\n"


def _name(variable: str, order: int) -> str:
    return variable if order == 1 else label(variable, order)


def as_json(result, style) -> str:
    key = "gradients" if result.order == 1 else f"{ordinal(result.order)}_derivatives"
    obj = {
        "expression": result.expression,
        "value": json_number(result.value),
        key: {name: json_number(g) for name, g in result.gradients.items()},
    }
    return json_line(obj)


def _rows(result) -> list[list[str]]:
    """A header (`value,grad_a,...`; `value,d2_a,...` of order 2) and one row, at full precision."""
    prefix = "grad" if result.order == 1 else f"d{result.order}"
    return [
        ["value", *(f"{prefix}_{name}" for name in result.gradients)],
        [machine(result.value), *(machine(g) for g in result.gradients.values())],
    ]


def csv(result, style) -> str:
    return delimited(_rows(result), "csv")


def tsv(result, style) -> str:
    return delimited(_rows(result), "tsv")


def markdown(result, style) -> str:
    """A Markdown table: the value, then each variable's value and gradient."""
    precision = style.precision
    lines = [
        f"`{result.expression}`".replace("|", "\\|"),
        "",
        f"| | value | {derivative(result.order)} |",
        "|---|---:|---:|",
        f"| {result.output} | {with_precision(result.value, precision)} | |",
    ]
    for var, g in result.gradients.items():
        shown = with_precision(result.point[var], precision), with_precision(g, precision)
        lines.append(f"| {var} | {shown[0]} | {shown[1]} |")
    return "\n".join(lines) + "\n"
