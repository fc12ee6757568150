"""The dialects of machine-readable output, written here only: JSON lines, CSV and TSV.

A field never holds its separator, a cell is never a formula.

In text and tsv, a backslash, tab, carriage return or new line in a field is
written `\\\\`, `\\t`, `\\r`, `\\n` (csv quotes instead, as CSV does). Text that
repeats the user's input in csv or tsv (an expression, a message that starts
with one, a kept input cell that is not a number) and starts with `=`, `+`,
`-` or `@` gets a leading `'`, so a spreadsheet never runs it as a formula
(OWASP's "CSV injection").
"""

from __future__ import annotations

import json

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\r": "\\r", "\n": "\\n"})


def field(text: str) -> str:
    """Text for one tab-separated field: the separator and line ends escaped."""
    return text.translate(_ESCAPES)


def cell(expression: str) -> str:
    """An expression in a spreadsheet's cell, never read as a formula (OWASP's convention)."""
    return "'" + expression if expression.startswith(("=", "+", "-", "@")) else expression


def input_cell(text: str) -> str:
    """A cell of the input repeated: a number stays itself (`-1`), other text as `cell`."""
    if text.startswith(("=", "+", "-", "@")):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def json_line(obj) -> str:
    """One JSON document on one line: UTF-8 as it is, and never NaN (JSON has none)."""
    return json.dumps(obj, ensure_ascii=False, allow_nan=False) + "\n"


class Rows:
    """CSV or TSV rows into a stream: csv quotes what needs it, tsv escapes (see `field`)."""

    def __init__(self, stream, fmt: str) -> None:
        self.stream, self.fmt = stream, fmt
        if fmt == "csv":
            import csv

            self.row = csv.writer(stream, lineterminator="\n").writerow
        else:
            self.row = self._tsv_row

    def _tsv_row(self, fields) -> None:
        self.stream.write("\t".join(field(str(f)) for f in fields) + "\n")

    def text_row(self, fields) -> None:
        """A row that repeats input text: in csv, a lone `\\r` in it is quoted too
        (Python's csv module leaves it bare, and readers take it for a line end)."""
        if self.fmt == "csv" and any(isinstance(f, str) and "\r" in f for f in fields):
            self.stream.write(",".join(_quoted(str(f)) for f in fields) + "\n")
        else:
            self.row(fields)


def _quoted(text: str) -> str:
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def delimited(rows, fmt: str) -> str:
    """Rows as one CSV or TSV text."""
    import io

    out = io.StringIO()
    writer = Rows(out, fmt)
    for row in rows:
        writer.row(row)
    return out.getvalue()
