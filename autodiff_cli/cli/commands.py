"""The commands: each reads its options, calls the library API and hands the result on.

The math is in `autodiff_cli.api`, the formats in `autodiff_cli.render`, the
reading of EXPR and --NAME VALUE in `inputs`. A new command is one API
function, one renderer entry and one short function here.
"""

from __future__ import annotations

import click

from autodiff_cli import __version__, orders, render
from autodiff_cli.cli import inputs
from autodiff_cli.cli.options import (
    EXIT_CODES,
    PRECISION,
    ValuesCommand,
    color_option,
    expression_options,
    format_for,
    numbers_out,
    options,
    output_format,
    tolerance,
)
from autodiff_cli.cli.process import warn
from autodiff_cli.errors import AutodiffError
from autodiff_cli.render import Style, write

MAX_ORDER = 20  # diff --order: past it, formulas grow past reading


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES)
@click.version_option(__version__, "-V", "--version", prog_name="autodiff")
def autodiff() -> None:
    """Differentiate a math expression: its value and every variable's gradient.

    \b
    Examples:
      autodiff grad "relu(a*b+c)" --a 2 --b -3 --c 10
      autodiff trace "relu(a*b+c)" --a 2 --b -3 --c 10
      printf 'x\\n1\\n2\\n' | autodiff grad "x**2" --points - --format csv
      autodiff plot "tanh(x)" --x -3:3
      autodiff diff "x**2*sin(x)"
      autodiff functions
      autodiff repl

    autodiff alone, at a terminal, opens a session (autodiff repl).

    autodiff COMMAND --help shows a command's options and more examples.
    """


def _api():
    """The library, loaded when a command runs (not for --help)."""
    from autodiff_cli import api

    return api


def _show(result, fmt: str | None, precision: int | None = None, color: str = "auto") -> None:
    """Warnings first (they flush what came before), then the result in its format;
    a session running the command (`repl`) hears of it too."""
    for warning in result.warnings:
        warn(warning)
    write(result, fmt, Style(precision, color))
    heard = click.get_current_context().obj
    if heard is not None:
        heard(result)


_TRACE = render.formats("trace")
GRAD_FORMAT = "Output format. Default: table on a terminal, text otherwise. " \
              f"A trace: {', '.join(_TRACE[:-1])} or {_TRACE[-1]}."  # fmt: skip


def _grad_options(kind: str):
    """The arguments and options `grad` and `trace` share."""
    wrt = click.option("--wrt", metavar="A,B", help="Only these gradients, in this order.")
    fmt = output_format(kind, GRAD_FORMAT)
    return options(*expression_options(), wrt, fmt, PRECISION, color_option())


@autodiff.command(cls=ValuesCommand)
@_grad_options("grad")
@click.option("--trace", "show_trace", is_flag=True, help="Show every step of backpropagation.")
@click.option(
    "--order",
    type=click.IntRange(1, orders.MAX_ORDER),
    default=1,
    show_default=True,
    help="N > 1: the Nth derivatives dN/dxN of the --wrt variables (all by default).",
)
@click.option(
    "--lines",
    "lines",
    is_flag=False,
    flag_value="-",
    metavar="[FILE|-]",
    help="Many expressions: one a line, from FILE or standard input.",
)
@click.option("--points", metavar="FILE|-", help="Many points: a CSV, TSV or JSON Lines file.")
@click.option("--points-format", type=click.Choice(("csv", "tsv", "jsonl")),
              help="Format of --points (default: from the file name, else csv).")  # fmt: skip
@click.option("--keep-input", is_flag=True, help="Start each --points record with its row.")
@click.option("--exact", is_flag=True,
              help="--points a row at a time, as before chunks: slower.")  # fmt: skip
def grad(
    args,
    expr,
    sets,
    wrt,
    fmt,
    precision,
    color,
    show_trace,
    order,
    lines,
    points,
    points_format,
    keep_input,
    exact,
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
    if order > 1 and (show_trace or lines is not None or points is not None):
        raise AutodiffError("usage", f"--order {order} goes with one evaluation, "
                            "without --trace, --lines or --points")  # fmt: skip
    if lines is not None or points is not None or keep_input or exact:
        from autodiff_cli.cli import pipelines  # with what it reads and writes: not at start-up

        pipelines.run(args, expr, sets, wrt, fmt, precision, show_trace, lines, points,
                      points_format, keep_input, color, exact)  # fmt: skip
    elif show_trace:
        _trace(args, expr, sets, wrt, format_for("trace", fmt, "a trace"), precision, color)
    else:
        expression, point = inputs.expression_and_point(args, sets, expr)
        result = _api().grad(expression, point, inputs.names(wrt), order)
        _show(result, fmt, precision, color)


@autodiff.command(cls=ValuesCommand)
@_grad_options("trace")
def trace(args, expr, sets, wrt, fmt, precision, color) -> None:
    """The same as grad --trace: the forward pass, the graph, the topological
    order, every backward step with its arithmetic, and the final gradients.

    \b
    Example:
      autodiff trace "relu(a*b+c)" --a 2 --b -3 --c 10 --format markdown
    """
    _trace(args, expr, sets, wrt, fmt, precision, color)


def _trace(args, expr, sets, wrt, fmt, precision, color) -> None:
    expression, point = inputs.expression_and_point(args, sets, expr)
    _show(_api().trace(expression, point, inputs.names(wrt)), fmt, precision, color)


@autodiff.command(cls=ValuesCommand)
@options(*expression_options())
@output_format("graph", "A tree to read, Graphviz DOT source, or a Mermaid block.", True)
@PRECISION
@color_option("the tree")
def graph(args, expr, sets, fmt, precision, color) -> None:
    """The computational graph of EXPR, with every node's data and grad.

    Without values, the structure only. DOT renders with Graphviz, Mermaid on
    GitHub; autodiff only writes the text.

    \b
    Examples:
      autodiff graph "relu(a*b+c)" --a 2 --b -3 --c 10
      autodiff graph "relu(a*b+c)" --a 2 --b -3 --c 10 --format dot | dot -Tsvg > g.svg
      autodiff graph "tanh(w*x + b)" --format mermaid
    """
    expression, point = inputs.expression_and_point(args, sets, expr)
    _show(_api().graph(expression, point), fmt, precision, color)


@autodiff.command(cls=ValuesCommand)
@options(*expression_options("EXPR --VAR LO:HI [--VAR VALUE]..."))
@click.option("--samples", type=click.IntRange(2, 1_000_000), default=200, show_default=True,
              help="How many points to evaluate.")  # fmt: skip
@click.option("--order", type=click.IntRange(1, orders.PLOT_MAX_ORDER), default=1,
              show_default=True, help="Every derivative up to the Nth: 2 adds f''.")  # fmt: skip
@output_format("plot", "The picture, or the sampled table.", True)
@color_option("the plot")
def plot(args, expr, sets, samples, order, fmt, color) -> None:
    """Plot EXPR and its derivative as one variable sweeps a range.

    The swept variable is the one given a range LO:HI; the others keep their
    values. Undefined points are gaps.

    \b
    Examples:
      autodiff plot "tanh(x)" --x -3:3
      autodiff plot "sin(w*x)" --x 0:6.3 --w 2 --format csv
      autodiff plot "x**3 - 2*x" --x -2:2 --order 2
    """
    positional, given = inputs.split_values(args, sets)
    variable, lo, hi = inputs.swept_range(given)
    expression, point = inputs.parsed(positional, given, expr, swept=variable)
    result = _api().sample(expression, variable, lo, hi, point, samples, order)
    if not result.drawable:
        what = f"the value and the derivative{'s' if order > 1 else ''} are undefined or infinite"
        warn(f"nothing to draw: {what} over all of --{variable} {given[variable][0]}")
    _show(result, fmt, color=color)


@autodiff.command(cls=ValuesCommand)
@numbers_out("check")
@tolerance("--rtol", "R", 1e-5, "Relative tolerance.")
@tolerance("--atol", "A", 1e-6, "Absolute tolerance.")
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
    expression, point = inputs.expression_and_point(args, sets, expr)
    result = _api().check(expression, point, rtol, atol)
    _show(result, fmt, precision, color)
    if result.failed:
        warn(f"the gradient disagrees with finite differences for {', '.join(result.failed)}")
        click.get_current_context().exit(1)


@autodiff.command(cls=ValuesCommand)
@numbers_out("hessian")
def hessian(args, expr, sets, fmt, precision, color) -> None:
    """The value, the gradient and the Hessian matrix of EXPR.

    One backward pass a variable, over the gradient graph that the table's
    backward rules build (backward(create_graph=True)). text, csv and tsv
    write the matrix: a header row of variables, then one row per variable.

    \b
    Example:
      autodiff hessian "x**3*y + sin(x*y)" --x 1.2 --y -0.7
    """
    expression, point = inputs.expression_and_point(args, sets, expr)
    _show(_api().hessian(expression, point), fmt, precision, color)


@autodiff.command(cls=ValuesCommand)
@numbers_out("jacobian")
def jacobian(args, expr, sets, fmt, precision, color) -> None:
    """The Jacobian of several outputs, separated by commas: one row per output.

    One forward graph, then one backward pass per output.

    \b
    Example:
      autodiff jacobian "a*b, a+b, relu(a-b)" --a 2 --b -3
    """
    expression, point = inputs.expression_and_point(args, sets, expr, many=True)
    _show(_api().jacobian(expression, point), fmt, precision, color)


@autodiff.command(cls=ValuesCommand, values=False)
@options(*expression_options("EXPR", values=False))
@click.option("--wrt", metavar="A,B", help="Only these variables, in this order.")
@click.option(
    "--order",
    type=click.IntRange(1, MAX_ORDER),
    default=1,
    show_default=True,
    help="The Nth derivative; 2 with several variables: the matrix of second partials.",
)
@click.option("--steps", is_flag=True, help="Show the derivation: one row per rule applied.")
@output_format("diff", "Output format. Default: table on a terminal, text otherwise.")
@color_option()
def diff(args, expr, sets, wrt, order, steps, fmt, color) -> None:
    """The derivative of EXPR as a formula, simplified, in EXPR's own language.

    The formula can be fed back to grad: it gives the same gradient.
    A term used more than once may be named, making a program (u = ...; ...).

    \b
    Examples:
      autodiff diff "x^3"
      autodiff diff "x**2*sin(x)" --steps
      autodiff diff "tanh(w*x + b)" --wrt w
      autodiff diff "x**3*y" --order 2 --format json
      autodiff diff "x^2*sin(x)" --format latex
    """
    positional, _ = inputs.split_values(args, sets)  # none taken: it says so
    if steps and fmt == "latex":
        raise AutodiffError("usage", "--steps cannot be written as latex",
                            hint="--format table, text, markdown or json")  # fmt: skip
    source, origin = inputs.read_source(positional, expr, 'autodiff diff "x**2*sin(x)"')
    expression = _api().parse(source, origin=origin)
    _show(_api().diff(expression, inputs.names(wrt), order, steps), fmt, color=color)


@autodiff.command()
@output_format("functions", "Output format.")
@color_option()
def functions(fmt, color) -> None:
    """List the operations, with their derivative rules.

    \b
    Examples:
      autodiff functions
      autodiff functions --format markdown > functions.md
    """
    _show(_api().functions(), fmt, color=color)


@autodiff.command()
@click.argument("shell", type=click.Choice(("bash", "zsh", "fish")), metavar="SHELL")
def completion(shell) -> None:
    """Print the tab-completion script for SHELL: bash, zsh or fish.

    TAB then completes commands, options, --format values and, after an
    expression, --NAME for each of its variables not given a value yet.

    \b
    Install it once (bash 4.4 or newer; zsh after compinit):
      bash: echo 'eval "$(autodiff completion bash)"' >> ~/.bashrc
      zsh:  echo 'eval "$(autodiff completion zsh)"' >> ~/.zshrc
      fish: autodiff completion fish > ~/.config/fish/completions/autodiff.fish
    """
    from autodiff_cli.cli import completion  # not at start-up

    click.echo(completion.script(shell), nl=False)


@autodiff.command()
def repl() -> None:
    """An interactive session: values and definitions that persist, autodiff's
    commands inside it, line editing, completion and history.

    \b
    Inside it:
      x = 2                   a value
      f = x**2*sin(x)         a definition, read again when used: a new x, a new f
      f                       its value and gradients; ans is the last value
      grad f, trace f, diff f, graph f, check f, hessian f, jacobian f, g
      plot f x=-3:3           options as on the command line: diff f --wrt x
      :vars  :del NAME  :functions  :help  :quit (or Ctrl-D)

    History is kept in $XDG_STATE_HOME/autodiff/history (by default
    ~/.local/state/autodiff/history). With standard input not a terminal,
    the lines are run without prompts or colour, so a session replays:

    \b
      autodiff repl < session.txt
    """
    from autodiff_cli.cli import repl as session  # with its line editor: not at start-up

    return session.run()
