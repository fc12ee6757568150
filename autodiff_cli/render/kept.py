"""`--points --keep-input`: each record starts with its row as it was read.

So the input travels with its results through `sort`, `grep` or a
spreadsheet. From CSV or TSV the kept columns are the header's, each cell
the text as it stood in the file; from JSON Lines, which has no header, they
are the expression's variables, each member as JSON writes it (a string as
its text; left out or null: empty). In jsonl output the row goes under
"input" instead: the JSON value as read, or {column: text}. A row that could
not be read at all (a quote not closed, an overlong line, not JSON) keeps
empty cells, or "input": null. A short row's missing cells are empty, and a
long row's cells past the header are not kept.
"""

from __future__ import annotations

import json

from autodiff_cli.errors import AutodiffError
from autodiff_cli.numbers import json_number
from autodiff_cli.render import errors
from autodiff_cli.render.dialects import field, input_cell, json_line
from autodiff_cli.render.records import PointsWriter


class KeptPointsWriter(PointsWriter):
    """`PointsWriter`'s records, each after the row it was computed from."""

    def __init__(self, stream, fmt, style, names, columns: list[str], from_json: bool) -> None:
        super().__init__(stream, fmt, style, names)
        self.columns = columns
        self.from_json = from_json
        if self.delimited:
            self.shown = lambda cells: [input_cell(c) for c in cells]
        else:
            self.shown = lambda cells: [field(c) for c in cells]

    def _cells(self, row) -> list[str]:
        width = len(self.columns)
        if self.from_json:
            if not isinstance(row, dict):
                return [""] * width
            return [_member(row.get(name)) for name in self.columns]
        if isinstance(row, AutodiffError):
            return [""] * width
        return row[:width] + [""] * (width - len(row))

    def _input(self, row):
        """The row for "input": as read (JSON), or {column: text}; None if it was not read."""
        if isinstance(row, AutodiffError):
            return None
        if self.from_json:
            return row
        return {name: text for name, text in zip(self.columns, self._cells(row)) if name}

    def _json_record(self, record: dict) -> None:
        try:
            text = json_line(record)
        except (ValueError, RecursionError):  # a NaN or inf read from JSON, or deep nesting
            try:
                record["input"] = _finite(record["input"])
                text = json_line(record)
            except (ValueError, RecursionError):
                record["input"] = None
                text = json_line(record)
        self.stream.write(text)

    def header(self) -> None:
        columns = ["value", *(f"grad_{name}" for name in self.names)]
        if self.delimited:
            self.text_row([*self.shown(self.columns), *columns, "error"])
        elif self.fmt == "text":
            self.stream.write("\t".join([*self.shown(self.columns), *columns]) + "\n")

    def record(self, row: int, numbers: tuple, read=None) -> None:
        if self.delimited:
            self.text_row((*self.shown(self._cells(read)), *numbers, ""))
        elif self.fmt == "text":
            out = [*self.shown(self._cells(read)), *(self._number(x) for x in numbers)]
            self.stream.write("\t".join(out) + "\n")
        else:
            grads = {n: json_number(g) for n, g in zip(self.names, numbers[1:])}
            self._json_record(
                {
                    "row": row,
                    "input": self._input(read),
                    "value": json_number(numbers[0]),
                    "gradients": grads,
                }  # fmt: skip
            )

    def error(self, row: int, error: AutodiffError, read=None) -> None:
        message = f"row {row}: {errors.capped(error.message)}"
        cells = self.shown(self._cells(read))
        if self.delimited:
            self.text_row([*cells, *[""] * (len(self.names) + 1), message])
        elif self.fmt == "text":
            self.stream.write("\t".join([*cells, "error", field(message)]) + "\n")
        else:
            self._json_record({"row": row, "input": self._input(read), **errors.as_json(error)})


def _member(value) -> str:
    """A JSON member as a cell: a string as its text, other values as JSON writes them."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False)
    except (ValueError, RecursionError):
        return ""


def _finite(value):
    """`value` with every NaN and infinity written as results write them ("Infinity")."""
    if isinstance(value, float):
        return json_number(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
