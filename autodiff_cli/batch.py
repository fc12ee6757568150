"""Pipelines: many expressions (`--lines`) or many points (`--points`), streamed.

Each input gives exactly one output record, in input order, written as soon
as it is known; a bad input gives an error record and the stream goes on.
Nothing is held but the current record, so memory stays flat however long
the input. The functions return how many inputs failed.
"""

from __future__ import annotations

import csv
import json
import math
import os
import stat

from autodiff_cli import api
from autodiff_cli.compiled import compile_expression
from autodiff_cli.errors import AutodiffError, quoted
from autodiff_cli.expression import value_option
from autodiff_cli.reading import EXPRESSION_LIMIT, RECORD_LIMIT, Overlong, first_line, lines
from autodiff_cli.render.records import LinesWriter, PointsWriter


def run_lines(stream, writer: LinesWriter, point: dict, wrt: list[str] | None):
    """One expression (or ;-program) a line; blank and # lines are skipped.

    Returns (failed, expressions).
    """
    failed = count = 0
    writer.header()
    writer.flush()
    for number, line in enumerate(lines(stream, EXPRESSION_LIMIT), start=1):
        overlong = isinstance(line, Overlong)
        source = line.shown if overlong else line.strip()
        if (line.first if overlong else source[:1]) in (None, "", "#"):
            continue  # blank, or a comment
        count += 1
        try:
            if overlong:
                raise line.error("the line")
            expr = api.parse(source)
            used = {k: v for k, v in point.items() if k in expr.leaves}
            wanted = [w for w in wrt if w in expr.leaves] if wrt else None
            result = api.grad(expr, used, wanted)
        except AutodiffError as error:
            failed += 1
            writer.error(number, quoted(source), error)
        else:
            writer.record(number, source, result.value, result.gradients)
        writer.flush()  # a record as soon as it is known: `tail -f | autodiff` works
    return failed, count


def points_format(path: str, given: str | None) -> str:
    if given:
        return given
    if path.lower().endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    return "csv"


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


def run_points(
    expr,
    stream,
    fmt_in: str,
    writer_for,
    defaults: dict[str, float],
    wrt: list[str] | None,
    streaming: bool,
    warn,
    progress=None,
) -> tuple[int, int]:
    """The value and gradients of `expr` at every row of `stream`: (failed, rows).

    `progress()`, if given, is called every few thousand rows.
    """
    run = compile_expression(expr)  # parsed and prepared once, not per row
    names = expr.variables
    position = {name: k for k, name in enumerate(names)}
    chosen = [position[w] for w in wrt] if wrt else list(range(len(names)))
    writer: PointsWriter = writer_for([names[k] for k in chosen])
    if fmt_in == "csv":
        columns, rows = _csv_rows(stream)
        lookup = _csv_lookup(columns, names, defaults, warn)
    else:
        rows = _jsonl_rows(stream)
        lookup = _jsonl_lookup(names, defaults)
    writer.header()
    failed = number = 0
    pick = [0, *(k + 1 for k in chosen)]
    for number, row in rows:
        if progress is not None and number % 4096 == 0:
            progress()
        try:
            values = lookup(row)
            out = run(*values)
            if wrt:
                out = tuple(out[k] for k in pick)
            if math.isnan(sum(out)):  # rare: find which, and why, the slow way
                _check(expr, names, values, wrt)
        except AutodiffError as error:
            failed += 1
            writer.error(number, error)
        else:
            writer.record(number, out)
        if streaming:
            writer.flush()
    return failed, number


def _csv_lookup(columns: list[str], names: list[str], defaults: dict, warn):
    index = {name: k for k, name in enumerate(columns)}
    missing = [n for n in names if n not in index and n not in defaults]
    if missing:
        raise AutodiffError(
            "missing_value",
            f"the points have no column for {', '.join(missing)}",
            hint=f"add the column, or give a default: {value_option(missing[0])}",
        )
    used = set(names)
    unused = [c for c in columns if c and c not in used]  # an unnamed column: nothing to say
    if len(unused) == 1:
        warn(f"column {unused[0]} is not used by the expression")
    elif unused:
        warn(f"columns {', '.join(unused)} are not used by the expression")
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


def _check(expr, names, values, wrt):
    """A NaN in the sum of the numbers: if one of them is NaN, `grad`'s own error.

    The sum may be NaN with no NaN in it (inf - inf): then nothing is raised.
    """
    api.grad(expr, dict(zip(names, values)), wrt)


def is_streaming(stream) -> bool:
    """Input from a pipe or a terminal: flush every record, as it may never end."""
    try:
        return not stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):
        return True
