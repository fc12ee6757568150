"""Pipeline output: one record per input expression or point, in one format.

Formats: text, jsonl (json is the same: JSON Lines), csv, tsv. A failed input
gives an error record in the same stream, so every input has exactly one
output record, in input order. Fields go through `render.dialects` (escaped
separators, no spreadsheet formulas).
"""

from __future__ import annotations

from autodiff_cli.errors import AutodiffError
from autodiff_cli.numbers import json_number, machine, with_precision
from autodiff_cli.render import errors
from autodiff_cli.render.dialects import Rows, cell, field, json_line


class Writer:
    def __init__(self, stream, fmt: str, style) -> None:
        self.stream, self.fmt, self.precision = stream, fmt, style.precision
        self.delimited = fmt in ("csv", "tsv")
        if self.delimited:
            rows = Rows(stream, fmt)
            self.row, self.text_row = rows.row, rows.text_row  # text_row: input text in it

    def flush(self) -> None:
        self.stream.flush()

    def _json(self, obj: dict) -> None:
        self.stream.write(json_line(obj))

    def _number(self, x: float) -> str:
        return with_precision(x, self.precision)


class LinesWriter(Writer):
    """Records for `--lines`: one per expression, keyed by its line number.

    In csv and tsv, one `grad_<name>` column for each of `names`, fixed before
    the first line is read, so no record waits: every variable a line can
    have a gradient for is one given a value (or asked for) beforehand. A
    line's expression that does not use a name leaves its cell empty.
    """

    def __init__(self, stream, fmt: str, style, names: list[str] = ()) -> None:
        super().__init__(stream, fmt, style)
        self.names = list(names)

    def header(self) -> None:
        if self.delimited:
            grads = [f"grad_{name}" for name in self.names]
            self.row(["line", "expression", "value", *grads, "error"])

    def record(self, line: int, expression: str, value: float, gradients: dict) -> None:
        if self.fmt == "text":
            grads = "".join(f"\t{k}={self._number(g)}" for k, g in gradients.items())
            self.stream.write(f"{line}\t{self._number(value)}{grads}\n")
        elif self.delimited:
            grads = [machine(gradients[n]) if n in gradients else "" for n in self.names]
            self.text_row([line, cell(expression), machine(value), *grads, ""])
        else:
            self._json(
                {
                    "line": line,
                    "expression": expression,
                    "value": json_number(value),
                    "gradients": {k: json_number(g) for k, g in gradients.items()},
                }
            )

    def error(self, line: int, expression: str, error: AutodiffError) -> None:
        if self.fmt == "text":
            self.stream.write(f"{line}\terror\t{field(errors.capped(error.message))}\n")
        elif self.delimited:
            empty = [""] * (len(self.names) + 1)
            self.text_row([line, cell(expression), *empty, cell(errors.capped(error.message))])
        else:
            self._json({"line": line, "expression": expression, **errors.as_json(error)})


class PointsWriter(Writer):
    """Records for `--points`: one per row, the value then each gradient."""

    def __init__(self, stream, fmt, style, names: list[str]) -> None:
        super().__init__(stream, fmt, style)
        self.names = names  # the variables whose gradients are written

    def header(self) -> None:
        columns = ["value", *(f"grad_{name}" for name in self.names)]
        if self.delimited:
            self.row([*columns, "error"])
        elif self.fmt == "text":
            self.stream.write("\t".join(columns) + "\n")

    def record(self, row: int, numbers: tuple, read=None) -> None:
        """`read`: the row as read, for a writer that keeps it (`kept.py`)."""
        if self.delimited:
            self.row((*numbers, ""))  # floats as repr: full precision
        elif self.fmt == "text":
            self.stream.write("\t".join(self._number(x) for x in numbers) + "\n")
        else:
            grads = {n: json_number(g) for n, g in zip(self.names, numbers[1:])}
            self._json({"row": row, "value": json_number(numbers[0]), "gradients": grads})

    def error(self, row: int, error: AutodiffError, read=None) -> None:
        message = f"row {row}: {errors.capped(error.message)}"
        if self.delimited:
            self.row([""] * (len(self.names) + 1) + [message])
        elif self.fmt == "text":
            self.stream.write(f"error\t{field(message)}\n")
        else:
            self._json({"row": row, **errors.as_json(error)})
