"""`grad` results as plain text, JSON, CSV, TSV and Markdown (the table is in terminal.py)."""

from __future__ import annotations

from autodiff_cli.numbers import json_number, machine, with_precision
from autodiff_cli.render.dialects import delimited, json_line


def text(result, style) -> str:
    """`value<TAB>number`, then one `variable<TAB>gradient` line per variable."""
    precision = style.precision
    lines = [f"value\t{with_precision(result.value, precision)}"]
    lines += [f"{name}\t{with_precision(g, precision)}" for name, g in result.gradients.items()]
    return "\n".join(lines) + "\n"


def as_json(result, style) -> str:
    key = "gradients" if result.order == 1 else "second_derivatives"
    obj = {
        "expression": result.expression,
        "value": json_number(result.value),
        key: {name: json_number(g) for name, g in result.gradients.items()},
    }
    return json_line(obj)


def _rows(result) -> list[list[str]]:
    """A header (`value,grad_a,...`) and one row, at full precision."""
    prefix = "grad" if result.order == 1 else "d2"
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
        f"| | value | {'gradient' if result.order == 1 else 'second derivative'} |",
        "|---|---:|---:|",
        f"| {result.output} | {with_precision(result.value, precision)} | |",
    ]
    for var, g in result.gradients.items():
        shown = with_precision(result.point[var], precision), with_precision(g, precision)
        lines.append(f"| {var} | {shown[0]} | {shown[1]} |")
    return "\n".join(lines) + "\n"
