"""Many points (`--points`): one expression at every row of a CSV or JSON Lines stream.

Each row gives exactly one record, in input order, yielded as soon as it
is known; a bad row gives its error in place and the stream goes on.
Nothing is held but the current record, so memory stays flat however long
the input. The caller writes the records (`autodiff_cli.render.records`).
"""

from __future__ import annotations

import csv
import json
import math

from autodiff_cli.compiled import compile_expression
from autodiff_cli.diagnose import require_defined
from autodiff_cli.errors import AutodiffError, quoted
from autodiff_cli.reading import RECORD_LIMIT, Overlong, first_line, lines

csv.field_size_limit(max(csv.field_size_limit(), RECORD_LIMIT))  # a cell as long as a row


def _cells(line: str) -> list[str]:
    """The cells of one CSV line: a quoted cell cannot span lines, so no row can swallow others."""
    line = line.rstrip("\r\n")
    return line.split(",") if '"' not in line else _quoted_cells(line)


def _quoted_cells(line: str) -> list[str]:
    try:
        return next(csv.reader([line], strict=True), [])
    except csv.Error as error:
        if str(error) == "unexpected end of data":
            message = "a quoted cell is not closed on its line (a cell cannot span lines)"
        else:
            message = f"not readable CSV: {error}"
        raise AutodiffError("input", message) from None


def _csv_rows(stream):
    """The header's columns, and (row number, cells or the row's error) for each line after it.

    Every physical line is a row, a blank one too (all its cells empty), so
    row N is line N + 1 of the file, whatever the line holds.
    """
    header = first_line(stream, RECORD_LIMIT, "the header of the points")
    if not header:
        return [], iter(())
    columns = [h.strip() for h in _cells(header)]
    seen = set()
    for name in columns:
        if name and name in seen:
            raise AutodiffError(
                "input",
                f"the points' header names {name} twice",
                hint="give each column its own name",
            )
        seen.add(name)

    def rows():
        for number, line in enumerate(lines(stream, RECORD_LIMIT), start=1):
            if isinstance(line, Overlong):
                yield number, line.error("the row")
                continue
            text = line.rstrip("\r\n")
            if '"' not in text:  # no quoting: the cells are what lies between commas
                yield number, text.split(",")
                continue
            try:
                yield number, _quoted_cells(text)
            except AutodiffError as error:
                yield number, error

    return columns, rows()


class Points:
    """The value and gradients of an expression at every row of a stream of points.

    Made, it has read the header (CSV): an error there is raised at once, and
    `unused` names the columns the expression does not use. Iterated, it
    yields (row number, (value, *gradients) or the row's error), in order.
    """

    def __init__(self, expr, stream, input_format: str, defaults, wrt: list[str] | None) -> None:
        expr.check_wrt(wrt)
        self.expr, self.wrt = expr, wrt
        self.run = compile_expression(expr)  # parsed and prepared once, not per row
        names = expr.variables
        position = {name: k for k, name in enumerate(names)}
        self.chosen = [position[w] for w in wrt] if wrt else list(range(len(names)))
        self.names = [names[k] for k in self.chosen]  # whose gradients are given, in order
        self.unused: list[str] = []
        if input_format == "csv":
            columns, self._rows = _csv_rows(stream)
            self.lookup = _csv_lookup(columns, names, defaults)
            used = set(names)
            self.unused = [c for c in columns if c and c not in used]  # unnamed: nothing to say
        else:
            self._rows = _jsonl_rows(stream)
            self.lookup = _jsonl_lookup(names, defaults)

    def __iter__(self):
        run, lookup, wrt = self.run, self.lookup, self.wrt
        pick = [0, *(k + 1 for k in self.chosen)]
        for number, row in self._rows:
            try:
                values = lookup(row)
                out = run(*values)
                if wrt:
                    out = tuple(out[k] for k in pick)
                if math.isnan(sum(out)):  # rare: find which, and why, the slow way
                    _check(self.expr, values, wrt)
            except AutodiffError as error:
                yield number, error
            else:
                yield number, out


def _csv_lookup(columns: list[str], names: list[str], defaults: dict):
    index = {name: k for k, name in enumerate(columns)}
    missing = [n for n in names if n not in index and n not in defaults]
    if missing:
        raise AutodiffError(
            "missing_value",
            f"the points have no column for {', '.join(missing)}",
            hint=f"add the column, or give a default value for {missing[0]}",
            reason="missing_columns",
            names=missing,
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
                raise _not_a_number(name, repr(text)) from None
        return values

    return lookup


def _not_a_number(name: str, shown: str) -> AutodiffError:
    """`shown`: the value as its input writes it (CSV text quoted, JSON as JSON)."""
    return AutodiffError("invalid_value", f"{name}: {quoted(shown)} is not a number")


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
            value = obj.get(name, defaults.get(name))
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
