"""Many points (`--points`): one expression at every row of a CSV, TSV or JSON Lines stream.

Each row gives exactly one record, in input order, yielded as soon as it
is known; a bad row gives its error in place and the stream goes on.
Nothing is held but the current record, so memory stays flat however long
the input. The caller writes the records (`autodiff_cli.render.records`).

A CSV file's separator is found in its header alone (`separator`), so it is
known before the first row and no row is ever read twice.
"""

from __future__ import annotations

import csv
import json
import math
import re

from autodiff_cli.compiled import compile_expression
from autodiff_cli.diagnose import require_defined
from autodiff_cli.errors import AutodiffError, quoted
from autodiff_cli.reading import RECORD_LIMIT, Overlong, first_line, lines

csv.field_size_limit(max(csv.field_size_limit(), RECORD_LIMIT))  # a cell as long as a row


SEPARATORS = {",": "a comma", ";": "a semicolon", "\t": "a tab"}


def separator(header: str) -> str:
    """The one of `,` `;` tab that the header holds outside double quotes (`,` if none).

    Column names are words, so the character between them is the separator;
    a header holding two of them cannot say which, and is refused.
    """
    bare = re.sub(r'"[^"]*"', "", header) if '"' in header else header
    found = [s for s in SEPARATORS if s in bare]
    if len(found) > 1:
        both = " and ".join(SEPARATORS[s] for s in found[:2])
        raise AutodiffError(
            "input",
            f"the points' header has both {both}: which one separates the columns?",
            hint='put a name that holds the other in double quotes: "a;b"',
        )
    return found[0] if found else ","


def _cells(line: str, sep: str) -> list[str]:
    """The cells of one line: a quoted cell cannot span lines, so no row can swallow others."""
    line = line.rstrip("\r\n")
    return line.split(sep) if '"' not in line else _quoted_cells(line, sep)


def _quoted_cells(line: str, sep: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=sep, strict=True), [])
    except csv.Error as error:
        if str(error) == "unexpected end of data":
            message = "a quoted cell is not closed on its line (a cell cannot span lines)"
        else:
            message = f"not readable CSV: {error}"
        raise AutodiffError("input", message) from None


def header_columns(header: str, sep: str | None) -> tuple[str, list[str]]:
    """The separator (None: the header's, as `separator` finds it) and the column names."""
    sep = sep or separator(header.rstrip("\r\n"))
    columns = [h.strip() for h in _cells(header, sep)]
    seen = set()
    for name in columns:
        if name and name in seen:
            raise AutodiffError(
                "input",
                f"the points' header names {name} twice",
                hint="give each column its own name",
            )
        seen.add(name)
    return sep, columns


def row_cells(line, sep: str):
    """The cells of one row as read (a line, or an `Overlong` one), or the row's error."""
    if isinstance(line, Overlong):
        return line.error("the row")
    text = line.rstrip("\r\n")
    if '"' not in text:  # no quoting: the cells are what lies between separators
        return text.split(sep)
    try:
        return _quoted_cells(text, sep)
    except AutodiffError as error:
        return error


def _csv_rows(stream, sep: str | None):
    """The header's columns, and (row number, cells or the row's error) for each line after it.

    Every physical line is a row, a blank one too (all its cells empty), so
    row N is line N + 1 of the file, whatever the line holds.
    """
    header = first_line(stream, RECORD_LIMIT, "the header of the points")
    if not header:
        return [], iter(())
    sep, columns = header_columns(header, sep)
    rows = enumerate(lines(stream, RECORD_LIMIT), start=1)
    return columns, ((number, row_cells(line, sep)) for number, line in rows)


class Points:
    """The value and gradients of an expression at every row of a stream of points.

    Made, it has read the header (CSV, TSV): an error there is raised at
    once, `columns` holds its names (None for JSON Lines) and `unused` names
    the columns the expression does not use. Iterated, it yields (row
    number, (value, *gradients) or the row's error), in order; `with_input`
    adds each row as read: its cells, the JSON value, or the error that
    kept it from being read.
    """

    def __init__(self, expr, stream, input_format: str, defaults, wrt: list[str] | None) -> None:
        self._prepare(expr, wrt)
        if input_format in ("csv", "tsv"):
            self.columns, self._rows = _csv_rows(stream, "\t" if input_format == "tsv" else None)
            self._csv_columns(defaults)
        else:
            self._rows = _jsonl_rows(stream)
            self.lookup = _jsonl_lookup(self.expr.variables, defaults)

    def _prepare(self, expr, wrt: list[str] | None) -> None:
        expr.check_wrt(wrt)
        self.expr, self.wrt = expr, wrt
        self.run = compile_expression(expr)  # parsed and prepared once, not per row
        names = expr.variables
        position = {name: k for k, name in enumerate(names)}
        self.chosen = [position[w] for w in wrt] if wrt else list(range(len(names)))
        self.names = [names[k] for k in self.chosen]  # whose gradients are given, in order
        self.pick = [0, *(k + 1 for k in self.chosen)]
        self.unused: list[str] = []
        self.columns: list[str] | None = None

    def _csv_columns(self, defaults) -> None:
        self.lookup = _csv_lookup(self.columns, self.expr.variables, defaults)
        used = set(self.expr.variables)
        self.unused = [c for c in self.columns if c and c not in used]  # unnamed: no news

    def __iter__(self):
        return self._evaluated(False)

    def with_input(self):
        """(row number, outcome, the row as read), in order."""
        return self._evaluated(True)

    def _evaluated(self, keep: bool):
        outcome = self.outcome
        for number, row in self._rows:
            yield (number, outcome(row), row) if keep else (number, outcome(row))

    def outcome(self, row):
        """(value, *gradients) at one row as read, or its error."""
        try:
            values = self.lookup(row)
            out = self.run(*values)
            if self.wrt:
                out = tuple(out[k] for k in self.pick)
            if math.isnan(sum(out)):  # rare: find which, and why, the slow way
                _check(self.expr, values, self.wrt)
        except AutodiffError as error:
            out = error
        return out


def _csv_lookup(columns: list[str], names: list[str], defaults: dict):
    index = {name: k for k, name in enumerate(columns)}
    missing = [n for n in names if n not in index and n not in defaults]
    if missing:
        # One column whose name holds a separator: the file is not split as it was written.
        one = columns[0] if len(columns) == 1 and any(c in columns[0] for c in SEPARATORS) else None
        raise AutodiffError(
            "missing_value",
            f"the points have no column for {', '.join(missing)}",
            hint=f"add the column, or give a default value for {missing[0]}"
            if one is None
            else f"the header reads as one column, {one!r}: is the format the file's?",
            reason="missing_columns",
            names=missing,
            one_column=one,
        )
    plan = [(name, index.get(name), defaults.get(name)) for name in names]

    def lookup(fields: list[str] | AutodiffError) -> list[float]:
        if isinstance(fields, AutodiffError):
            raise fields
        values = []
        for name, k, default in plan:
            text = fields[k] if k is not None and k < len(fields) else ""
            if text == "" or text.isspace():
                if default is None:
                    raise AutodiffError("missing_value", f"no value for {name}")
                values.append(default)
                continue
            try:
                values.append(float(text))
            except ValueError:
                raise _not_a_number(name, repr(text), _decimal_comma(text)) from None
        return values

    return lookup


def _not_a_number(name: str, shown: str, why: str = "") -> AutodiffError:
    """`shown`: the value as its input writes it (CSV text quoted, JSON as JSON)."""
    return AutodiffError("invalid_value", f"{name}: {quoted(shown)} is not a number{why}")


def _decimal_comma(text: str) -> str:
    """What a spreadsheet's decimal comma (0,5) should be, said in the error: 0.5."""
    pointed = text.strip().replace(",", ".", 1)
    if "," not in text or "," in pointed:
        return ""
    try:
        float(pointed)
    except ValueError:
        return ""
    return f" (a decimal comma: write {pointed})"


def _jsonl_rows(stream):
    """(record number, object or the record's error); blank lines are neither read nor counted."""
    number = 0
    for line in lines(stream, RECORD_LIMIT):
        if isinstance(line, Overlong):
            if line.first is not None:
                number += 1
                yield number, line.error("the record")
            continue
        if not line.strip():
            continue
        number += 1
        try:
            yield number, json.loads(line)
        except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
            yield number, AutodiffError("input", "not valid JSON")


def _jsonl_lookup(names: list[str], defaults: dict):
    def lookup(obj) -> list[float]:
        if isinstance(obj, AutodiffError):
            raise obj
        if not isinstance(obj, dict):
            raise AutodiffError("input", "not a JSON object")
        values = []
        for name in names:
            value = obj.get(name)
            if value is None:  # left out, or null: as an empty CSV cell
                value = defaults.get(name)
            if value is None:
                raise AutodiffError("missing_value", f"no value for {name}")
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise _not_a_number(name, json.dumps(value, ensure_ascii=False))
            try:
                values.append(float(value))
            except (ValueError, OverflowError):
                raise _not_a_number(name, json.dumps(value, ensure_ascii=False)) from None
        return values

    return lookup


def _check(expr, values, wrt):
    """A NaN in the sum of the numbers: if one of them is NaN, `grad`'s own error.

    The sum may be NaN with no NaN in it (inf - inf): then nothing is raised.
    """
    evaluation = expr.evaluate(dict(zip(expr.variables, values)))
    require_defined(evaluation, evaluation.gradients(wrt))
