"""`check`, `hessian` and `jacobian` results: tables of numbers, as text, CSV, TSV or JSON.

Each result is one or more titled tables (`tables`); a terminal shows them
all (terminal.py), text, csv and tsv write the last one, and JSON writes the
result as an object.
"""

from __future__ import annotations

from autodiff_cli.numbers import json_number, machine
from autodiff_cli.render.dialects import cell, delimited, json_line

CHECK_HEADERS = ["variable", "autodiff", "numeric", "abs error", "rel error", "ok"]


class _Exact:
    """csv and tsv: every number exact (`machine`), the inputs too."""

    number = given = staticmethod(machine)


EXACT = _Exact()


def _check(result, style):
    number = style.number
    error = machine if style is EXACT else (lambda x: f"{x:.2e}")
    rows = [
        [r.name, number(r.auto), number(r.numeric), error(r.abs_error), error(r.rel_error),
         {True: "ok", False: "FAIL", None: "unchecked"}[r.ok]]
        for r in result.rows
    ]  # fmt: skip
    return [(result.expression, [CHECK_HEADERS, *rows])]


def _hessian(result, style):
    number = style.number
    first = [["", "value", "gradient"], ["output", number(result.value), ""]]
    first += [[n, style.given(result.point[n]), number(g)] for n, g in result.gradients.items()]
    names = list(result.point)
    if not names:  # no variables: no matrix to show
        return [(result.expression, first)]
    matrix = [["", *names]]
    matrix += [[row, *(number(cols[col]) for col in names)] for row, cols in result.matrix.items()]
    return [(result.expression, first), ("Hessian", matrix)]


def _jacobian(result, style):
    number = style.number
    table = [["output", "value", *result.variables]]
    for text, value, row in zip(result.outputs, result.values, result.rows):
        shown = cell(text) if style is EXACT else text  # csv, tsv: never a spreadsheet formula
        table.append([shown, number(value), *(number(row[n]) for n in result.variables)])
    return [(f"Jacobian of {result.expression}", table)]


_TABLES = {"check": _check, "hessian": _hessian, "jacobian": _jacobian}


def tables(result, style=EXACT):
    """[(title, rows)]: numbers as `style` writes them; EXACT for csv and tsv."""
    return _TABLES[result.kind](result, style)


def _written(result, style, fmt: str) -> str:
    """The last table, which text, csv and tsv write (a Hessian's matrix; none without
    variables)."""
    if result.kind == "hessian" and not result.point:
        return ""
    return delimited(tables(result, style)[-1][1], fmt)


def text(result, style) -> str:
    return _written(result, style, "tsv")


def csv(result, style) -> str:
    return _written(result, EXACT, "csv")


def tsv(result, style) -> str:
    return _written(result, EXACT, "tsv")


def _numbers(mapping: dict) -> dict:
    return {k: json_number(x) for k, x in mapping.items()}


def as_json(result, style) -> str:
    if result.kind == "check":
        variables = [
            {"name": r.name, "autodiff": json_number(r.auto), "numeric": json_number(r.numeric),
             "abs_error": json_number(r.abs_error), "rel_error": json_number(r.rel_error),
             "ok": r.ok}
            for r in result.rows
        ]  # fmt: skip
        obj = {"expression": result.expression, "value": json_number(result.value),
               "rtol": result.rtol, "atol": result.atol, "ok": result.ok,
               "variables": variables, "warnings": result.warnings}  # fmt: skip
    elif result.kind == "hessian":
        obj = {"expression": result.expression, "value": json_number(result.value),
               "gradients": _numbers(result.gradients),
               "hessian": {r: _numbers(cols) for r, cols in result.matrix.items()}}  # fmt: skip
    else:
        obj = {"expression": result.expression, "outputs": result.outputs,
               "values": [json_number(v) for v in result.values],
               "jacobian": [_numbers(row) for row in result.rows]}  # fmt: skip
    return json_line(obj)
