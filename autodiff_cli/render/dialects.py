"""The dialects of machine-readable output, written here only: JSON lines, CSV and TSV.

A field never holds its separator, a cell is never a formula.

In text and tsv, a backslash, tab, carriage return or new line in a field is
written `\\\\`, `\\t`, `\\r`, `\\n` (csv quotes instead, as CSV does). Text that
repeats the user's input in csv or tsv (an expression, a message that starts
with one) and starts with `=`, `+`, `-` or `@` gets a leading `'`, so a
spreadsheet never runs it as a formula (OWASP's "CSV injection").
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


def json_line(obj) -> str:
    """One JSON document on one line: UTF-8 as it is, and never NaN (JSON has none)."""
    return json.dumps(obj, ensure_ascii=False, allow_nan=False) + "\n"


class Rows:
    """CSV or TSV rows into a stream: csv quotes what needs it, tsv escapes (see `field`)."""

    def __init__(self, stream, fmt: str) -> None:
        self.stream = stream
        if fmt == "csv":
            import csv

            self.row = csv.writer(stream, lineterminator="\n").writerow
        else:
            self.row = self._tsv_row

    def _tsv_row(self, fields) -> None:
        self.stream.write("\t".join(field(str(f)) for f in fields) + "\n")


def delimited(rows, fmt: str) -> str:
    """Rows as one CSV or TSV text."""
    import io

    out = io.StringIO()
    writer = Rows(out, fmt)
    for row in rows:
        writer.row(row)
    return out.getvalue()
