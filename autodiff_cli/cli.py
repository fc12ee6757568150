"""The `autodiff` command line: parse arguments, call the API, pick a renderer.

Imports are kept to what each path needs: start-up time is a product target,
so Rich loads only for tables and the API only when a command runs.
"""

from __future__ import annotations

import gc
import sys
from contextlib import contextmanager

import click

from autodiff_cli import __version__
from autodiff_cli.errors import AutodiffError
from autodiff_cli.process import run, warn

FORMATS = ("table", "text", "json", "jsonl", "csv", "tsv", "markdown")
BATCH_FORMATS = ("text", "json", "jsonl", "csv", "tsv")
TRACE_FORMATS = ("table", "text", "json", "markdown")
EXIT_CODES = """\b
Exit codes: 0 success (an infinite result is a warning); 1 the evaluation
failed: NaN in the value or in a gradient asked for (every one, or those of
--wrt), a gradient check that disagrees, or any failed input of --lines or
--points; 2 a usage error, an invalid expression, or output that cannot be
written; 130 Ctrl-C; 141 the reader of the output went away; 143 SIGTERM."""


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=EXIT_CODES,
)
@click.version_option(__version__, "-V", "--version", prog_name="autodiff")
def cli() -> None:
    """Differentiate a math expression: its value and every variable's gradient.

    \b
    Examples:
      autodiff grad "relu(a*b+c)" --a 2 --b -3 --c 10
      autodiff grad "sin(x)*exp(-x**2)" --x 0.5 --format json
      autodiff functions
    """


def _split_values(args: tuple[str, ...], sets: tuple[str, ...]):
    """Positional words, and variable values: --NAME VALUE, --NAME=VALUE, -D NAME=VALUE."""
    positional: list[str] = []
    given: dict[str, tuple[str, str]] = {}  # name -> (text, how it was given)
    i = 0
    while i < len(args):
        word = args[i]
        name = word[2:].split("=", 1)[0]
        if word.startswith("--") and name.isidentifier():
            if "=" in word:
                given[name] = (word.split("=", 1)[1], f"--{name}")
            elif i + 1 < len(args):
                given[name] = (args[i + 1], f"--{name}")
                i += 1
            else:
                raise AutodiffError("usage", f"option --{name} needs a value", hint=f"--{name} 2")
        elif word.startswith("--") and len(word) > 2:
            raise AutodiffError("usage", f"no such option: {word}")
        else:
            positional.append(word)
        i += 1
    for item in sets:
        name, eq, text = item.partition("=")
        if not eq or not name.strip().isidentifier():
            raise AutodiffError(
                "usage", f"-D takes NAME=VALUE, got {item!r}", hint="-D learning_rate=0.1"
            )
        given[name.strip()] = (text.strip(), f"-D {name.strip()}")
    return positional, given


def _read_source(positional: list[str], expr: str | None) -> tuple[str, bool]:
    if expr is not None:
        positional = [expr, *positional]
    if not positional:
        raise AutodiffError(
            "usage", "no expression given", hint='autodiff grad "relu(a*b+c)" --a 2 --b -3 --c 10'
        )
    if len(positional) > 1:
        extra = " ".join(positional[1:])
        raise AutodiffError(
            "usage",
            f"one expression only, but also got: {extra}",
            hint="quote the expression, and give values as --NAME VALUE",
        )
    if positional[0] == "-":
        from autodiff_cli.reading import open_input, read_expression

        return read_expression(open_input("-")), True
    return positional[0], False


@contextmanager
def _source_from_stdin(from_stdin: bool):
    """Errors raised inside point into a source read from stdin: show line numbers."""
    try:
        yield
    except AutodiffError as error:
        error.from_stdin = from_stdin
        raise


def _expression_and_point(args, sets, expr, swept: str | None = None):
    """The parsed expression, the values given (less a swept range), stdin or not."""
    from autodiff_cli import api
    from autodiff_cli.numbers import parse_number

    positional, given = _split_values(args, sets)
    source, from_stdin = _read_source(positional, expr)
    with _source_from_stdin(from_stdin):
        expression = api.parse(source)
        point = {n: parse_number(t, how) for n, (t, how) in given.items() if n != swept}
        _check_unused(expression, given)
    return expression, point, from_stdin


def _check_unused(expression, given: dict) -> None:
    for name, (_text, how) in given.items():
        if name not in expression.leaves:
            from difflib import get_close_matches

            from autodiff_cli.expression import value_option

            close = get_close_matches(name, expression.variables, n=1, cutoff=0.6)
            hint = (
                f" (did you mean {value_option(close[0]).removesuffix(' VALUE')}?)" if close else ""
            )
            warn(f"{how} is not used by the expression{hint}")


def _warn_infinite(result, what: str = "gradient") -> None:
    if result.value in (float("inf"), float("-inf")):
        warn(f"the value is {result.value}")
    for name, g in result.gradients.items():
        if g in (float("inf"), float("-inf")):
            warn(f"the {what} with respect to {name} is {g}")


def _options(*decorators):
    """Apply click decorators in the order listed."""

    def decorate(command):
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return decorate


def _inputs(metavar: str = "EXPR [--VAR VALUE]..."):
    """The expression and its values: what every command that evaluates takes."""
    return [
        click.argument("args", nargs=-1, type=click.UNPROCESSED, metavar=metavar),
        click.option("--expr", "expr", metavar="EXPR",
                     help="The expression, when it starts with '-'."),
        click.option("-D", "--set", "sets", multiple=True, metavar="NAME=VALUE",
                     help="A variable's value."),
    ]  # fmt: skip


def _color(what: str = "tables"):
    return click.option("--color", type=click.Choice(("auto", "always", "never")),
                        default="auto", show_default=True,
                        help=f"Colour in {what}; NO_COLOR is honoured.")  # fmt: skip


PRECISION = click.option(
    "--precision",
    type=click.IntRange(1, 17),
    metavar="N",
    help="Significant digits in table, text and markdown (default: exact).",
)


def _grad_options(formats: tuple[str, ...]):
    """The arguments and options `grad` and `trace` share."""
    return _options(
        *_inputs(),
        click.option("--wrt", metavar="A,B", help="Only these gradients, in this order."),
        click.option("--format", "fmt", type=click.Choice(formats),
                     help="Output format. Default: table on a terminal, text otherwise. "
                          "A trace: table, text, json or markdown."),
        PRECISION,
        _color(),
    )  # fmt: skip


GRAD_SETTINGS = {"ignore_unknown_options": True, "allow_interspersed_args": True}


class _ValuesCommand(click.Command):
    """A command whose unknown options are variables' values: --NAME VALUE.

    They are set apart before click parses, as plain arguments after a `--`:
    click would try each one as an option first, and its "no such option"
    path costs about 0.2 ms, seconds for a sum of 30,000 products.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        own: dict[str, click.Option] = {}
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                own.update(dict.fromkeys(param.opts + param.secondary_opts, param))
        kept: list[str] = []
        values: list[str] = []
        i = 0
        while i < len(args):
            word = args[i]
            name = word.split("=", 1)[0]
            following = args[i + 1] if i + 1 < len(args) else None
            if word == "--":  # the next word is not an option: the expression, or --NAME VALUE
                after = args[i + 1 : i + 2]
                taken = 2 if after and after[0].startswith("--") and "=" not in after[0] else 1
                values += args[i + 1 : i + 1 + taken]
                i += 1 + taken
                continue
            option = own.get(name)
            if option is not None and not option.is_flag and "=" not in word:
                if getattr(option, "_flag_needs_value", False) and (
                    following is None or (following.startswith("-") and len(following) > 1)
                ):  # an optional value, left out (click's rule): say so where it stands
                    kept.append(f"{word}={option.flag_value}")
                    i += 1
                    continue
                kept += args[i : i + 2]
                i += 2
            elif option is not None or not (word.startswith("--") and name[2:].isidentifier()):
                kept.append(word)
                i += 1
            elif "=" in word or following is None or following.split("=", 1)[0] in own:
                values.append(word)  # a variable's value, or a variable missing its value
                i += 1
            else:
                values += args[i : i + 2]
                i += 2
        return super().parse_args(ctx, [*kept, "--", *values] if values else kept)


@cli.command(cls=_ValuesCommand, context_settings=GRAD_SETTINGS, epilog=EXIT_CODES)
@_grad_options(FORMATS)
@click.option("--trace", "show_trace", is_flag=True, help="Show every step of backpropagation.")
@click.option(
    "--order",
    type=click.IntRange(1, 2),
    default=1,
    show_default=True,
    help="2: second derivatives d2/dx2 of the --wrt variables (all by default).",
)
@click.option(
    "--lines",
    "lines",
    is_flag=False,
    flag_value="-",
    metavar="[FILE|-]",
    help="Many expressions: one a line, from FILE or standard input.",
)
@click.option("--points", metavar="FILE|-", help="Many points: a CSV or JSON Lines file.")
@click.option(
    "--points-format",
    type=click.Choice(("csv", "jsonl")),
    help="Format of --points (default: from the file name, else csv).",
)
def grad(
    args, expr, sets, wrt, fmt, precision, color, show_trace, order, lines, points, points_format
) -> None:
    """Value and gradients of EXPR at a point.

    \b
    Examples:
      autodiff grad "relu(a*b+c)" --a 2 --b -3 --c 10
      autodiff grad "relu(a*b+c)" --a 2 --b -3 --c 10 --trace
      autodiff grad "x**2 + 3*x" --x 1.5 --format json
      autodiff grad -- "-x**2" --x 3
      autodiff grad "tanh(w*x + b)" -D w=0.5 -D x=2 -D b=-1 --wrt w,b
      echo "d = a*b; L = relu(d + c)" | autodiff grad - --a 2 --b -3 --c 10

    Give each variable's value as --NAME VALUE, --NAME=VALUE or -D NAME=VALUE
    (-D never collides with the options below). EXPR may be a program:
    statements NAME = EXPR separated by ';' or new lines, the last one the
    output. EXPR '-' reads it from standard input.
    """
    if order == 2 and (show_trace or lines is not None or points is not None):
        raise AutodiffError("usage", "--order 2 goes with one evaluation, without --trace")
    if lines is not None or points is not None:
        run_batch(args, expr, sets, wrt, fmt, precision, show_trace, lines, points, points_format)
    else:
        run_grad(args, expr, sets, wrt, fmt, precision, color, show_trace, order)


@cli.command(cls=_ValuesCommand, context_settings=GRAD_SETTINGS, epilog=EXIT_CODES)
@_grad_options(TRACE_FORMATS)
def trace(args, expr, sets, wrt, fmt, precision, color) -> None:
    """The same as grad --trace: the forward pass, the graph, the topological
    order, every backward step with its arithmetic, and the final gradients.

    \b
    Example:
      autodiff trace "relu(a*b+c)" --a 2 --b -3 --c 10 --format markdown
    """
    run_grad(args, expr, sets, wrt, fmt, precision, color, True)


def run_grad(args, expr, sets, wrt, fmt, precision, color, show_trace, order=1) -> None:
    from autodiff_cli import api

    if show_trace and fmt is not None and fmt not in TRACE_FORMATS:
        raise AutodiffError(
            "usage",
            f"a trace cannot be written as {fmt}",
            hint=f"--format {', '.join(TRACE_FORMATS)}",
        )
    expression, point, from_stdin = _expression_and_point(args, sets, expr)
    wanted = [w.strip() for w in wrt.split(",") if w.strip()] if wrt else None
    with _source_from_stdin(from_stdin):
        result = (api.trace if show_trace else api.grad)(expression, point, wanted)
        if order == 2:
            from autodiff_cli.higher import hessian

            rows = hessian(expression, point, list(result.gradients), diagonal=True)
            result.gradients = {name: rows[name][name] for name in result.gradients}
            result.order = 2
    _warn_infinite(result, "second derivative" if order == 2 else "gradient")
    fmt = fmt or ("table" if sys.stdout.isatty() else "text")
    _emit(result, fmt, precision, color, show_trace)


def run_batch(args, expr, sets, wrt, fmt, precision, show_trace, lines, points, points_format):
    """--lines and --points: one record per input, failures as records, exit 1 if any."""
    from autodiff_cli import api, batch
    from autodiff_cli.numbers import parse_number
    from autodiff_cli.reading import open_input
    from autodiff_cli.render.records import LinesWriter, PointsWriter

    gc.enable()  # a stream may never end: what it drops must be collected
    fmt = fmt or "text"
    if lines is not None and points is not None:
        raise AutodiffError("usage", "--lines and --points do not go together")
    if show_trace:
        raise AutodiffError("usage", "--trace shows one evaluation, not a pipeline")
    if fmt not in BATCH_FORMATS:
        hint = f"--format {', '.join(BATCH_FORMATS)}"
        raise AutodiffError("usage", f"a pipeline cannot be written as {fmt}", hint=hint)
    positional, given = _split_values(args, sets)
    defaults = {name: parse_number(text, how) for name, (text, how) in given.items()}
    wanted = [w.strip() for w in wrt.split(",") if w.strip()] if wrt else None
    if lines is not None:
        if positional or expr:
            raise AutodiffError(
                "usage", "--lines reads the expressions; give no EXPR", hint="--lines FILE"
            )
        failed, total = batch.run_lines(
            open_input(lines), LinesWriter(sys.stdout, fmt, precision), defaults, wanted
        )
        what = "expressions"
    else:
        source, from_stdin = _read_source(positional, expr)
        if from_stdin and points == "-":
            raise AutodiffError("usage", "the expression and the points cannot both be stdin")
        expression = api.parse(source)
        _check_unused(expression, given)
        unknown = [w for w in wanted or [] if w not in expression.leaves]
        if unknown:
            raise AutodiffError(
                "usage", f"--wrt names {', '.join(unknown)}, which the expression does not use"
            )
        stream = open_input(points)
        streaming = batch.is_streaming(stream)
        progress = _progress_bar(stream) if sys.stderr.isatty() and not streaming else None
        failed, total = batch.run_points(
            expression,
            stream,
            batch.points_format(points, points_format),
            lambda names: PointsWriter(sys.stdout, fmt, precision, names),
            defaults,
            wanted,
            streaming,
            warn,
            progress,
        )
        what = "rows"
    if failed:
        warn(f"{failed} of {total} {what} failed: see the error records in the output")
        click.get_current_context().exit(1)


def _progress_bar(stream):
    """A Rich progress bar on standard error, by bytes read of the points file."""
    import atexit
    import os

    from rich.console import Console
    from rich.progress import Progress

    size = os.fstat(stream.fileno()).st_size
    bar = Progress(
        transient=True, console=Console(stderr=True), redirect_stdout=False, redirect_stderr=False
    )
    task = bar.add_task("points", total=size)
    bar.start()
    atexit.register(bar.stop)
    return lambda: bar.update(task, completed=stream.buffer.tell())


def _emit(result, fmt: str, precision: int | None, color: str, show_trace: bool) -> None:
    """Pick the renderer: Rich for tables, else the grad or trace module's format."""
    if fmt == "table":
        from autodiff_cli.render.rich_table import console

        if show_trace:
            from autodiff_cli.render.rich_trace import render as table
        else:
            from autodiff_cli.render.rich_table import grad_table as table
        console(color).print(table(result, precision))
        return
    if show_trace:
        from autodiff_cli.render import trace as render
    else:
        from autodiff_cli.render import grad as render
    if fmt in ("json", "jsonl"):
        sys.stdout.write(render.as_json(result))
    elif fmt in ("csv", "tsv"):
        sys.stdout.write(render.delimited(result, "," if fmt == "csv" else "\t"))
    else:  # text, markdown
        sys.stdout.write(getattr(render, fmt)(result, precision))


@cli.command(cls=_ValuesCommand, context_settings=GRAD_SETTINGS, epilog=EXIT_CODES)
@_options(*_inputs())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("tree", "dot", "mermaid")),
    default="tree",
    show_default=True,
    help="A tree to read, Graphviz DOT source, or a Mermaid block.",
)
@_color("the tree")
def graph(args, expr, sets, fmt, color) -> None:
    """The computational graph of EXPR, with every node's data and grad.

    Without values, the structure only. DOT renders with Graphviz, Mermaid on
    GitHub; autodiff only writes the text.

    \b
    Examples:
      autodiff graph "relu(a*b+c)" --a 2 --b -3 --c 10
      autodiff graph "relu(a*b+c)" --a 2 --b -3 --c 10 --format dot | dot -Tsvg > g.svg
      autodiff graph "tanh(w*x + b)" --format mermaid
    """
    from autodiff_cli.render import graph as render
    from autodiff_cli.trace import graph_nodes

    expression, point, from_stdin = _expression_and_point(args, sets, expr)
    with _source_from_stdin(from_stdin):
        values = expression.evaluate(point).values if point else None
    nodes = graph_nodes(expression, values)
    if fmt == "dot":
        sys.stdout.write(render.dot(nodes))
    elif fmt == "mermaid":
        sys.stdout.write(render.mermaid(nodes))
    elif len(nodes) <= RICH_TREE_LIMIT and (sys.stdout.isatty() or color == "always"):
        from autodiff_cli.render.rich_table import console
        from autodiff_cli.render.rich_trace import rich_tree
        from autodiff_cli.render.trace import tree

        console(color).print(rich_tree(tree(nodes, render.tree_label, limit=None)))
    else:
        sys.stdout.write(render.text_tree(nodes))


# samples x operations, about 20 s on the development machine; an operation of an
# expression too large to compile (compiled.LIMIT) counts ten times (Value graphs).
PLOT_WORK = 80_000_000


@cli.command(cls=_ValuesCommand, context_settings=GRAD_SETTINGS, epilog=EXIT_CODES)
@_options(*_inputs("EXPR --VAR LO:HI [--VAR VALUE]..."))
@click.option("--samples", type=click.IntRange(2, 1_000_000), default=200, show_default=True,
              help="How many points to evaluate.")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(("plot", "csv", "json")), default="plot",
              show_default=True, help="The picture, or the sampled table.")  # fmt: skip
@_color("the plot")
def plot(args, expr, sets, samples, fmt, color) -> None:
    """Plot EXPR and its derivative as one variable sweeps a range.

    The swept variable is the one given a range LO:HI; the others keep their
    values. Undefined points are gaps.

    \b
    Examples:
      autodiff plot "tanh(x)" --x -3:3
      autodiff plot "sin(w*x)" --x 0:6.3 --w 2 --format csv
    """
    import math
    import os
    import shutil

    from autodiff_cli.compiled import LIMIT, compile_expression
    from autodiff_cli.expression import missing_values
    from autodiff_cli.numbers import parse_number
    from autodiff_cli.render import plot as render

    positional, given = _split_values(args, sets)
    ranges = {name: text for name, (text, _how) in given.items() if ":" in text}
    if len(ranges) != 1:
        raise AutodiffError(
            "usage",
            "give one variable a range to sweep" if not ranges else "only one range at a time",
            hint='autodiff plot "tanh(x)" --x -3:3',
        )
    ((variable, text),) = ranges.items()
    lo_text, _, hi_text = text.partition(":")
    lo, hi = parse_number(lo_text, f"--{variable}"), parse_number(hi_text, f"--{variable}")
    if not (lo < hi) or not (abs(lo) < float("inf") and abs(hi) < float("inf")):
        raise AutodiffError("usage", f"--{variable} {text}: the range needs LO < HI, both finite")
    if hi - lo == float("inf"):
        raise AutodiffError(
            "usage", f"--{variable} {text}: the range is wider than the largest double, 1.8e308"
        )
    expression, fixed, from_stdin = _expression_and_point(args, sets, expr, swept=variable)
    with _source_from_stdin(from_stdin):
        if variable not in expression.variables:
            raise AutodiffError("usage", f"the expression does not use {variable}")
        missing = [n for n in expression.variables if n != variable and n not in fixed]
        if missing:
            raise missing_values(expression, missing)
    nodes = len(expression.live)
    cost = nodes * (10 if nodes > LIMIT else 1)
    if samples * cost > PLOT_WORK:
        raise AutodiffError(
            "usage",
            f"--samples {samples} is more work than plot takes for {nodes:,} operations "
            "(about 20 s at most)",
            hint=f"at most --samples {max(PLOT_WORK // cost, 2)} for this expression",
        )
    run = compile_expression(expression)
    rows = render.sample(run, expression.variables, fixed, variable, lo, hi, samples)
    if not any(math.isfinite(y) for row in rows for y in row[1:]):
        what = "the value and the derivative are undefined or infinite"
        warn(f"nothing to draw: {what} over all of --{variable} {text}")
    if fmt == "csv":
        sys.stdout.write(render.as_csv(rows))
    elif fmt == "json":
        sys.stdout.write(render.as_json(expression.source, variable, rows))
    else:
        size = shutil.get_terminal_size((80, 24))
        wants_color = not os.environ.get("NO_COLOR") and (
            color == "always" or (color == "auto" and sys.stdout.isatty())
        )
        height = min(max(size.lines - 4, 10), 30)
        picture = render.picture(
            expression.source, variable, rows, size.columns, height, wants_color
        )
        sys.stdout.write(picture)


MATRIX_FORMATS = ("table", "text", "json", "csv", "tsv")


_matrix_options = _options(
    *_inputs(),
    click.option("--format", "fmt", type=click.Choice(MATRIX_FORMATS),
                 help="Output format. Default: table on a terminal, text otherwise."),
    PRECISION,
    _color(),
)  # fmt: skip


def _show(tables, fmt: str, color: str) -> None:
    """Rich tables on a terminal, else the last table as text, CSV or TSV."""
    from autodiff_cli.render import higher as render

    if fmt == "table":
        from autodiff_cli.render.rich_table import console

        out = console(color)
        for title, table in tables:
            out.print(render.rich_table(table, title))
    else:
        table = tables[-1][1]
        sys.stdout.write(render.delimited(table, "tsv" if fmt == "text" else fmt))


def _numbers(fmt: str, precision):
    from autodiff_cli.numbers import machine, with_precision

    if fmt in ("csv", "tsv"):
        return machine
    return lambda x: with_precision(x, precision)


class _Tolerance(click.ParamType):
    """A tolerance: a finite number >= 0 (click's FloatRange lets nan and inf through)."""

    name = "tolerance"

    def convert(self, value, param, ctx):
        from autodiff_cli.numbers import parse_number

        number = value if isinstance(value, float) else parse_number(value, f"--{param.name}")
        if not (0 <= number < float("inf")):
            raise AutodiffError(
                "invalid_value",
                f"invalid value for --{param.name}: {value} is not a finite number >= 0",
            )
        return number


TOLERANCE = _Tolerance()


@cli.command(cls=_ValuesCommand, context_settings=GRAD_SETTINGS, epilog=EXIT_CODES)
@_matrix_options
@click.option(
    "--rtol",
    type=TOLERANCE,
    metavar="R",
    default=1e-5,
    show_default=True,
    help="Relative tolerance.",
)
@click.option(
    "--atol",
    type=TOLERANCE,
    metavar="A",
    default=1e-6,
    show_default=True,
    help="Absolute tolerance.",
)
def check(args, expr, sets, fmt, precision, color, rtol, atol) -> None:
    """Check each gradient of EXPR against a central finite difference.

    Exit 0 when every gradient agrees within atol + rtol * max(|autodiff|,
    |numeric|), 1 when one does not. A point on or near a kink (relu, abs at
    0) gets a warning: there the two may legitimately differ.

    \b
    Examples:
      autodiff check "tanh(w*x + b)**2" --w 0.5 --x 2 --b -1
      autodiff check "relu(x)" --x 0 --format json
    """
    from autodiff_cli import api
    from autodiff_cli.higher import gradcheck, kink_warnings
    from autodiff_cli.render import higher as render

    expression, point, from_stdin = _expression_and_point(args, sets, expr)
    with _source_from_stdin(from_stdin):
        result = api.grad(expression, point)
    rows = gradcheck(expression, point, result.gradients, rtol, atol)
    warnings = kink_warnings(expression, result.evaluation.values)
    for warning in warnings:
        warn(warning)
    fmt = fmt or ("table" if sys.stdout.isatty() else "text")
    if fmt == "json":
        text = render.check_json(expression.source, result.value, rows, rtol, atol, warnings)
        sys.stdout.write(text)
    elif fmt in ("csv", "tsv"):
        sys.stdout.write(render.check_csv(rows, "," if fmt == "csv" else "\t"))
    elif fmt == "text":
        sys.stdout.write(render.check_text(rows, precision))
    else:
        table = [render.CHECK_HEADERS, *render.check_rows(rows, _numbers(fmt, precision))]
        _show([(expression.source, table)], fmt, color)
    if not all(r.ok for r in rows):
        bad = ", ".join(r.name for r in rows if not r.ok)
        warn(f"the gradient disagrees with finite differences for {bad}")
        click.get_current_context().exit(1)


@cli.command(cls=_ValuesCommand, context_settings=GRAD_SETTINGS, epilog=EXIT_CODES)
@_matrix_options
def hessian(args, expr, sets, fmt, precision, color) -> None:
    """The value, the gradient and the Hessian matrix of EXPR.

    One backward pass a variable, over the gradient graph that the table's
    backward rules build (backward(create_graph=True)). text, csv and tsv
    write the matrix: a header row of variables, then one row per variable.

    \b
    Example:
      autodiff hessian "x**3*y + sin(x*y)" --x 1.2 --y -0.7
    """
    from autodiff_cli import api
    from autodiff_cli.higher import hessian as second
    from autodiff_cli.render import higher as render

    expression, point, from_stdin = _expression_and_point(args, sets, expr)
    with _source_from_stdin(from_stdin):
        result = api.grad(expression, point)
        matrix = second(expression, point)
    fmt = fmt or ("table" if sys.stdout.isatty() else "text")
    if fmt == "json":
        text = render.hessian_json(expression.source, result.value, result.gradients, matrix)
        sys.stdout.write(text)
        return
    number = _numbers(fmt, precision)
    first = [["", "value", "gradient"], ["output", number(result.value), ""]]
    first += [[n, number(result.point[n]), number(g)] for n, g in result.gradients.items()]
    table = render.matrix_rows(matrix, expression.variables, number)
    _show([(expression.source, first), ("Hessian", table)], fmt, color)


@cli.command(cls=_ValuesCommand, context_settings=GRAD_SETTINGS, epilog=EXIT_CODES)
@_matrix_options
def jacobian(args, expr, sets, fmt, precision, color) -> None:
    """The Jacobian of several outputs, separated by commas: one row per output.

    One forward graph, then one backward pass per output.

    \b
    Example:
      autodiff jacobian "a*b, a+b, relu(a-b)" --a 2 --b -3
    """
    from autodiff_cli import api
    from autodiff_cli.higher import jacobian as rows_of
    from autodiff_cli.numbers import parse_number
    from autodiff_cli.render import higher as render

    positional, given = _split_values(args, sets)
    source, from_stdin = _read_source(positional, expr)
    with _source_from_stdin(from_stdin):
        expression = api.parse(source, many=True)
        point = {n: parse_number(t, how) for n, (t, how) in given.items()}
        _check_unused(expression, given)
        values, rows = rows_of(expression, point)
    outputs = [source[a:b] for a, b in expression.output_spans]
    if fmt in ("csv", "tsv"):
        from autodiff_cli.render.cells import cell

        outputs = [cell(output) for output in outputs]
    fmt = fmt or ("table" if sys.stdout.isatty() else "text")
    if fmt == "json":
        sys.stdout.write(render.jacobian_json(source, outputs, values, rows))
        return
    table = render.jacobian_rows(
        outputs, values, rows, expression.variables, _numbers(fmt, precision)
    )
    _show([(f"Jacobian of {source}", table)], fmt, color)


RICH_TREE_LIMIT = 2000  # nodes; a larger tree is written as plain text, which is faster


@cli.command()
@click.option("--format", "fmt", type=click.Choice(("table", "text")), help="Output format.")
def functions(fmt) -> None:
    """List the operations, with their derivative rules."""
    from autodiff_cli.ops import OPS

    if (fmt or ("table" if sys.stdout.isatty() else "text")) == "table":
        from autodiff_cli.render.rich_table import console, functions_table

        console("auto").print(functions_table(OPS))
    else:
        for op in OPS:
            sys.stdout.write(f"{op.usage}\t{op.rule}\t{op.description}\n")


def _wants_json(argv: list[str]) -> bool:
    for i, word in enumerate(argv):
        if argv[i - 1 : i] == ["--"]:
            continue  # the expression, as _ValuesCommand reads it
        if word == "--format=json" or (word == "--format" and argv[i + 1 : i + 2] == ["json"]):
            return True
    return False


def main() -> None:
    """The command, with CPython's cyclic garbage collector off.

    One evaluation builds its graphs, prints and the process ends; the
    collector's full passes over a heap that grows to millions of objects
    cost more per object the larger it grows (a 30,000-variable trace runs
    about 1.5x as long with it on), and what little it would find (the cycles
    of a `create_graph` gradient graph) goes with the process. A pipeline,
    which may never end, turns it back on (`run_batch`).
    """
    argv = sys.argv[1:]
    # Arguments may hold bytes that are not UTF-8 (as lone surrogates): echo them escaped.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    collecting = gc.isenabled()
    gc.disable()
    try:
        code = run(lambda: _invoke(argv), _wants_json(argv))
    finally:  # as it was, for a caller that goes on (the tests)
        (gc.enable if collecting else gc.disable)()
    sys.exit(code)


def _invoke(argv: list[str]):
    """The command, without click's handlers: `process.run` decides every way out."""
    import os

    instruction = os.environ.get("_AUTODIFF_COMPLETE")
    if instruction:  # shell completion, as click's own main would offer it
        from click.shell_completion import shell_complete

        return shell_complete(cli, {}, "autodiff", "_AUTODIFF_COMPLETE", instruction)
    with cli.make_context("autodiff", argv) as ctx:
        return cli.invoke(ctx)
