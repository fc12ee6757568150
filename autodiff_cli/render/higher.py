"""`check`, `hessian` and `jacobian` results: tables of numbers, as text, CSV, TSV or JSON.

Each result is one or more titled tables (`tables`); a terminal shows them
all (terminal.py), text, csv and tsv write the last one, and JSON writes the
result as an object.
"""

from __future__ import annotations

from autodiff_cli.numbers import json_number, machine
from autodiff_cli.render.dialects import cell, delimited, json_line

CHECK_HEADERS = ["variable", "autodiff", "numeric", "abs error", "rel error", "ok"]


def _check(result, number, exact: bool):
    error = machine if exact else (lambda x: f"{x:.2e}")
    rows = [
        [r.name, number(r.auto), number(r.numeric), error(r.abs_error), error(r.rel_error),
         {True: "ok", False: "FAIL", None: "unchecked"}[r.ok]]
        for r in result.rows
    ]  # fmt: skip
    return [(result.expression, [CHECK_HEADERS, *rows])]


def _hessian(result, number, exact: bool):
    first = [["", "value", "gradient"], ["output", number(result.value), ""]]
    first += [[n, number(result.point[n]), number(g)] for n, g in result.gradients.items()]
    names = list(result.point)
    matrix = [["", *names]]
    matrix += [[row, *(number(cols[col]) for col in names)] for row, cols in result.matrix.items()]
    return [(result.expression, first), ("Hessian", matrix)]


def _jacobian(result, number, exact: bool):
    table = [["output", "value", *result.variables]]
    for text, value, row in zip(result.outputs, result.values, result.rows):
        shown = cell(text) if exact else text  # csv and tsv: never a spreadsheet formula
        table.append([shown, number(value), *(number(row[n]) for n in result.variables)])
    return [(f"Jacobian of {result.expression}", table)]


_TABLES = {"check": _check, "hessian": _hessian, "jacobian": _jacobian}


def tables(result, number=machine):
    """[(title, rows)]: numbers as `number` writes them; exact (`machine`) for csv and tsv."""
    return _TABLES[result.kind](result, number, number is machine)


def text(result, style) -> str:
    rows = tables(result, style.number)[-1][1]
    return "" if rows == [[""]] else delimited(rows, "tsv")  # no variables: no matrix


def csv(result, style) -> str:
    return delimited(tables(result)[-1][1], "csv")


def tsv(result, style) -> str:
    return delimited(tables(result)[-1][1], "tsv")


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
               "rtol": result.rtol, "atol": result.atol, "ok": not result.failed,
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
