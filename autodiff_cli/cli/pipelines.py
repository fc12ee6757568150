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
from autodiff_cli.cli import inputs, slips, words
from autodiff_cli.cli.options import format_for
from autodiff_cli.cli.output import Unwritable
from autodiff_cli.cli.process import warn
from autodiff_cli.errors import AutodiffError
from autodiff_cli.reading import is_streaming, open_input


def run(
    args, expr, sets, wrt, fmt, precision, show_trace, lines, points, points_format,
    keep_input=False, color="auto", exact=False,
) -> None:  # fmt: skip
    if lines is not None and points is not None:
        raise AutodiffError("usage", "--lines and --points do not go together")
    if keep_input and points is None:
        raise AutodiffError(
            "usage",
            "--keep-input keeps the rows of --points",
            hint="--lines records hold their expression already"
            if lines is not None
            else 'autodiff grad "x**2" --points p.csv --keep-input',
        )
    if exact and points is None:
        raise AutodiffError(
            "usage",
            "--exact is for --points: one evaluation, and --lines, are always exact",
            hint='autodiff grad "x**2" --points p.csv --exact',
        )
    if show_trace:
        raise AutodiffError("usage", "--trace shows one evaluation, not a pipeline")
    kind = "lines" if lines is not None else "points"
    fmt = format_for(kind, fmt, "a pipeline") or render.default_format(kind)
    positional, given = inputs.split_values(args, sets)
    if lines is not None:
        slips.refuse_misspelt(given, ())  # each line has its own variables: none is known
    else:
        source, origin = inputs.read_source(positional, expr)
        if origin == "-" and points == "-":
            raise AutodiffError("usage", "the expression and the points cannot both be stdin")
        expression = api.parse(source, origin=origin)
        slips.refuse_misspelt(given, expression.leaves)
    defaults, wanted = inputs.numbers(given), inputs.names(wrt)
    make_writer = render.writer(kind, fmt)
    style = render.Style(precision, color)
    if lines is not None:
        if positional or expr:
            raise AutodiffError(
                "usage", "--lines reads the expressions; give no EXPR", hint="--lines FILE"
            )
        # every variable a line can have a gradient for: a csv column each
        writer = make_writer(sys.stdout, fmt, style, wanted or list(defaults))
        gc.enable()  # a stream may never end: what it drops must be collected
        failed, total = _lines(open_input(lines), writer, defaults, wanted)
        what = "expressions"
    else:
        inputs.check_unused(expression, given)
        expression.check_wrt(wanted)  # before the points are opened, as the values were read
        stream = open_input(points)
        # In chunks, unless the row as read or --precision's rounding is written.
        chunked = not (exact or keep_input or (precision is not None and fmt == "text"))
        rows = api.run_points(
            expression,
            stream,
            inputs.points_format(points, points_format),
            defaults,
            wanted,
            chunked,
        )
        if keep_input:  # the columns not used are kept: nothing to warn of
            writer = _kept_writer(rows, expression, fmt, style)
        else:
            if len(rows.unused) == 1:
                warn(f"column {rows.unused[0]} is not used by the expression")
            elif rows.unused:
                warn(f"columns {', '.join(rows.unused)} are not used by the expression")
            writer = make_writer(sys.stdout, fmt, style, rows.names)
            if hasattr(rows, "chunks"):
                from autodiff_cli.render.columns import ColumnsWriter

                writer = ColumnsWriter(writer, behind=not is_streaming(stream))
        gc.enable()  # after the imports (numpy, polars), which leave nothing to collect
        failed, total = _points(rows, stream, writer, color)
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


def _kept_writer(rows, expression, fmt: str, style):
    """A writer that repeats each row before its results, under names no result column has."""
    from autodiff_cli.render.kept import KeptPointsWriter

    from_json = rows.columns is None
    columns = expression.variables if from_json else rows.columns
    if fmt not in ("json", "jsonl"):  # there the row goes under "input"
        results = {"value", "error", *(f"grad_{name}" for name in rows.names)}
        clash = next((name for name in columns if name in results), None)
        if clash is not None:
            raise AutodiffError(
                "usage",
                f"--keep-input cannot keep the column {clash}: a result column has that name",
                hint='rename it in the input, or write --format jsonl (the row goes under "input")',
            )
    return KeptPointsWriter(sys.stdout, fmt, style, rows.names, list(columns), from_json)


def _points(rows, stream, writer, color="auto") -> tuple[int, int]:
    """(failed, rows), with a progress bar on standard error while a file is read, when
    that is a terminal and the records go elsewhere (not drawn over each other)."""
    streaming = is_streaming(stream)
    bar = None
    if sys.stderr.isatty() and not sys.stdout.isatty() and not streaming:
        from autodiff_cli.render.terminal import ProgressBar

        bar = ProgressBar(stream, color)
    record, error, flush = writer.record, writer.error, writer.flush
    failed = number = 0
    try:  # each row also as it was read, which --keep-input's writer repeats
        if bar is not None:
            bar.start()
        writer.header()
        for item in rows.chunks() if hasattr(rows, "chunks") else rows.with_input():
            if item.__class__ is not tuple:  # a chunked.Run: rows all numbers, in one go
                writer.run(item)
                number = item.first + len(item) - 1
                if bar is not None:
                    bar.update()
                if streaming:
                    flush()
                continue
            number, outcome, read = item
            if bar is not None and number % 4096 == 0:
                bar.update()
            if outcome.__class__ is tuple:  # the numbers: by far the most common
                record(number, outcome, read)
            else:
                failed += 1
                error(number, words.for_command_line(outcome), read)
            if streaming:
                flush()
        _close(writer)  # everything written before the summary
    except AutodiffError:
        _close(writer)  # the records before a failed read, then its message
        raise
    except OSError as error:  # the chunks' writer writes beneath `output`'s standard output
        _close(writer, whole=False)
        if isinstance(error, BrokenPipeError):
            raise
        raise Unwritable(error) from None
    except BaseException:
        _close(writer, whole=False)  # Ctrl-C: the record under way ends whole, then stop
        raise
    finally:  # gone before anything else is said, even Ctrl-C's message
        if bar is not None:
            bar.stop()
    return failed, number


def _close(writer, whole: bool = True) -> None:
    """The chunks' writer writes on a thread of its own (`render.columns`): wait for it."""
    if hasattr(writer, "close"):
        writer.close(whole)
