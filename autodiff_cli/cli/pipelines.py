"""`grad --lines` and `grad --points`: the library yields records, written here as they come.

One record per input, failures as records in place, exit 1 if any failed.
A record goes out as soon as it is known when the input may never end (a
pipe, a terminal), so `tail -f | autodiff` works.
"""

from __future__ import annotations

import gc
import sys

import click

from autodiff_cli import api, render
from autodiff_cli.cli import inputs, words
from autodiff_cli.cli.options import format_for
from autodiff_cli.cli.process import warn
from autodiff_cli.errors import AutodiffError
from autodiff_cli.reading import is_streaming, open_input


def run(args, expr, sets, wrt, fmt, precision, show_trace, lines, points, points_format) -> None:
    gc.enable()  # a stream may never end: what it drops must be collected
    if lines is not None and points is not None:
        raise AutodiffError("usage", "--lines and --points do not go together")
    if show_trace:
        raise AutodiffError("usage", "--trace shows one evaluation, not a pipeline")
    kind = "lines" if lines is not None else "points"
    fmt = format_for(kind, fmt, "a pipeline") or render.default_format(kind)
    positional, given = inputs.split_values(args, sets)
    defaults, wanted = inputs.numbers(given), inputs.names(wrt)
    make_writer = render.writer(kind, fmt)
    style = render.Style(precision)
    if lines is not None:
        if positional or expr:
            raise AutodiffError(
                "usage", "--lines reads the expressions; give no EXPR", hint="--lines FILE"
            )
        writer = make_writer(sys.stdout, fmt, style)
        failed, total = _lines(open_input(lines), writer, defaults, wanted)
        what = "expressions"
    else:
        source, origin = inputs.read_source(positional, expr)
        if origin == "-" and points == "-":
            raise AutodiffError("usage", "the expression and the points cannot both be stdin")
        expression = api.parse(source, origin=origin)
        inputs.check_unused(expression, given)
        expression.check_wrt(wanted)  # before the points are opened, as the values were read
        stream = open_input(points)
        rows = api.run_points(
            expression, stream, inputs.points_format(points, points_format), defaults, wanted
        )
        if len(rows.unused) == 1:
            warn(f"column {rows.unused[0]} is not used by the expression")
        elif rows.unused:
            warn(f"columns {', '.join(rows.unused)} are not used by the expression")
        writer = make_writer(sys.stdout, fmt, style, rows.names)
        failed, total = _points(rows, stream, writer)
        what = "rows"
    if failed:
        warn(f"{failed} of {total} {what} failed: see the error records in the output")
        click.get_current_context().exit(1)


def _lines(stream, writer, point, wrt) -> tuple[int, int]:
    """(failed, expressions)."""
    failed = count = 0
    writer.header()
    writer.flush()
    for number, source, outcome in api.run_lines(stream, point, wrt):
        count += 1
        if isinstance(outcome, AutodiffError):
            failed += 1
            writer.error(number, source, words.for_command_line(outcome))
        else:
            writer.record(number, source, outcome.value, outcome.gradients)
        writer.flush()  # a record as soon as it is known: `tail -f | autodiff` works
    return failed, count


def _points(rows, stream, writer) -> tuple[int, int]:
    """(failed, rows), with a progress bar on a terminal while a file is read."""
    streaming = is_streaming(stream)
    progress = None
    if sys.stderr.isatty() and not streaming:
        from autodiff_cli.render.terminal import progress_bar

        progress = progress_bar(stream)
    writer.header()
    record, flush = writer.record, writer.flush
    failed = number = 0
    for number, outcome in rows:
        if progress is not None and number % 4096 == 0:
            progress()
        if outcome.__class__ is tuple:  # the numbers: by far the most common
            record(number, outcome)
        else:
            failed += 1
            writer.error(number, words.for_command_line(outcome))
        if streaming:
            flush()
    return failed, number
