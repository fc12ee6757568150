"""`grad` results as plain text, JSON, CSV and TSV (the table is in rich_table.py)."""

from __future__ import annotations

import io
import json

from autodiff_cli.numbers import json_number, machine, with_precision


def text(result, precision: int | None = None) -> str:
    """`value<TAB>number`, then one `variable<TAB>gradient` line per variable."""
    lines = [f"value\t{with_precision(result.value, precision)}"]
    lines += [f"{name}\t{with_precision(g, precision)}" for name, g in result.gradients.items()]
    return "\n".join(lines) + "\n"


def as_json(result) -> str:
    key = "gradients" if result.order == 1 else "second_derivatives"
    obj = {
        "expression": result.expression,
        "value": json_number(result.value),
        key: {name: json_number(g) for name, g in result.gradients.items()},
    }
    return json.dumps(obj, ensure_ascii=False, allow_nan=False) + "\n"


def delimited(result, delimiter: str) -> str:
    """A header line (`value,grad_a,...`) and one row, at full precision."""
    import csv  # only this format needs it

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    prefix = "grad" if result.order == 1 else "d2"
    writer.writerow(["value", *(f"{prefix}_{name}" for name in result.gradients)])
    writer.writerow([machine(result.value), *(machine(g) for g in result.gradients.values())])
    return out.getvalue()


def markdown(result, precision: int | None = None) -> str:
    """A Markdown table: the value, then each variable's value and gradient."""
    expr = result.evaluation.expression
    name = expr.nodes[expr.output].name or "output"
    lines = [
        f"`{result.expression}`".replace("|", "\\|"),
        "",
        f"| | value | {'gradient' if result.order == 1 else 'second derivative'} |",
        "|---|---:|---:|",
        f"| {name} | {with_precision(result.value, precision)} | |",
    ]
    for var, g in result.gradients.items():
        shown = with_precision(result.point[var], precision), with_precision(g, precision)
        lines.append(f"| {var} | {shown[0]} | {shown[1]} |")
    return "\n".join(lines) + "\n"
