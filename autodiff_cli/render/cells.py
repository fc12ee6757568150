"""Text inside delimited output: a field never holds its separator, a cell is never a formula.

In text and tsv, a backslash, tab, carriage return or new line in a field is
written `\\\\`, `\\t`, `\\r`, `\\n` (csv quotes instead, as CSV does). Text that
repeats the user's input in csv or tsv (an expression, a message that starts
with one) and starts with `=`, `+`, `-` or `@` gets a leading `'`, so a
spreadsheet never runs it as a formula (OWASP's "CSV injection").
"""

from __future__ import annotations

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\r": "\\r", "\n": "\\n"})


def field(text: str) -> str:
    """Text for one tab-separated field: the separator and line ends escaped."""
    return text.translate(_ESCAPES)


def cell(expression: str) -> str:
    """An expression in a spreadsheet's cell, never read as a formula (OWASP's convention)."""
    return "'" + expression if expression.startswith(("=", "+", "-", "@")) else expression
