"""`check`, `hessian` and `jacobian` results as text, JSON, CSV or Rich tables."""

from __future__ import annotations

import csv
import io
import json

from autodiff_cli.numbers import json_number, machine, with_precision
from autodiff_cli.render.cells import field


def _delimited(rows: list[list], delimiter: str) -> str:
    if delimiter == "\t":
        return "".join("\t".join(field(str(x)) for x in row) + "\n" for row in rows)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _json(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, allow_nan=False) + "\n"


# check
CHECK_HEADERS = ["variable", "autodiff", "numeric", "abs error", "rel error", "ok"]


def check_rows(rows, number) -> list[list[str]]:
    return [
        [r.name, number(r.auto), number(r.numeric), f"{r.abs_error:.2e}", f"{r.rel_error:.2e}",
         "ok" if r.ok else "FAIL"]
        for r in rows
    ]  # fmt: skip


def check_text(rows, precision=None) -> str:
    table = [CHECK_HEADERS, *check_rows(rows, lambda x: with_precision(x, precision))]
    return "".join("\t".join(r) + "\n" for r in table)


def check_json(expression, value, rows, rtol, atol, warnings) -> str:
    return _json(
        {
            "expression": expression,
            "value": json_number(value),
            "rtol": rtol,
            "atol": atol,
            "ok": all(r.ok for r in rows),
            "variables": [
                {
                    "name": r.name,
                    "autodiff": json_number(r.auto),
                    "numeric": json_number(r.numeric),
                    "abs_error": json_number(r.abs_error),
                    "rel_error": json_number(r.rel_error),
                    "ok": r.ok,
                }
                for r in rows
            ],
            "warnings": warnings,
        }
    )


def check_csv(rows, delimiter) -> str:
    body = [[r.name, machine(r.auto), machine(r.numeric), machine(r.abs_error),
             machine(r.rel_error), "ok" if r.ok else "FAIL"] for r in rows]  # fmt: skip
    return _delimited([CHECK_HEADERS, *body], delimiter)


# hessian: a square matrix, variables on both axes
def matrix_rows(matrix: dict, names: list[str], number) -> list[list[str]]:
    return [["", *names]] + [[row, *(number(matrix[row][col]) for col in names)] for row in matrix]


def hessian_json(expression, value, gradients, matrix) -> str:
    return _json(
        {
            "expression": expression,
            "value": json_number(value),
            "gradients": {k: json_number(g) for k, g in gradients.items()},
            "hessian": {
                r: {c: json_number(x) for c, x in cols.items()} for r, cols in matrix.items()
            },
        }
    )


# jacobian: outputs as rows, variables as columns
def jacobian_rows(outputs, values, rows, names, number) -> list[list[str]]:
    table = [["output", "value", *names]]
    for text, value, row in zip(outputs, values, rows):
        table.append([text, number(value), *(number(row[n]) for n in names)])
    return table


def jacobian_json(expression, outputs, values, rows) -> str:
    return _json(
        {
            "expression": expression,
            "outputs": outputs,
            "values": [json_number(v) for v in values],
            "jacobian": [{k: json_number(g) for k, g in row.items()} for row in rows],
        }
    )


def delimited(table: list[list[str]], fmt: str) -> str:
    return _delimited(table, "," if fmt == "csv" else "\t")


def rich_table(table: list[list[str]], title: str, caption: str | None = None):
    from rich.table import Table
    from rich.text import Text

    out = Table(title=Text(title), title_style="bold", caption=caption)
    for k, header in enumerate(table[0]):
        out.add_column(
            header, justify="left" if k == 0 else "right", style="bold" if k == 0 else None
        )
    for row in table[1:]:
        out.add_row(*(Text(cell) for cell in row))
    return out
