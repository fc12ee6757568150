"""The options commands share, and the command class that reads --NAME VALUE as a value."""

from __future__ import annotations

import click

from autodiff_cli import render
from autodiff_cli.errors import AutodiffError

EXIT_CODES = """\b
Exit codes: 0 success (an infinite result is a warning); 1 the evaluation
failed: NaN in the value or in a gradient asked for (every one, or those of
--wrt), a gradient check that disagrees, or any failed input of --lines or
--points; 2 a usage error, an invalid expression, or output that cannot be
written; 130 Ctrl-C; 141 the reader of the output went away; 143 SIGTERM."""


def options(*decorators):
    """Apply click decorators in the order listed."""

    def decorate(command):
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return decorate


def expression_options(metavar: str = "EXPR [--VAR VALUE]...", values: bool = True):
    """The expression and its values: what every command that evaluates takes.

    `values`: False for a command that takes none (diff): -D is read only to
    refuse it, and neither help nor completion offers it.
    """
    return [
        click.argument("args", nargs=-1, type=click.UNPROCESSED, metavar=metavar),
        click.option("--expr", "expr", metavar="EXPR",
                     help="The expression, when it starts with '-'."),
        click.option("-D", "--set", "sets", multiple=True, metavar="NAME=VALUE",
                     help="A variable's value.", hidden=not values),
    ]  # fmt: skip


def output_format(kind: str, help: str, show_default: bool = False):
    """--format, its choices the registry's formats for `kind` (`autodiff_cli.render`).

    `show_default`: the default is one format (no table), and --help says which.
    """
    default = render.default_format(kind) if show_default else None
    return click.option("--format", "fmt", type=click.Choice(render.formats(kind)),
                        default=default, show_default=show_default, help=help)  # fmt: skip


def format_for(kind: str, fmt: str | None, what: str) -> str | None:
    """`fmt` if `kind` can be written in it (None: the default), else a usage error."""
    if fmt is not None and fmt not in render.formats(kind):
        hint = f"--format {', '.join(render.formats(kind))}"
        raise AutodiffError("usage", f"{what} cannot be written as {fmt}", hint=hint)
    return fmt


def color_option(what: str = "tables"):
    return click.option("--color", type=click.Choice(("auto", "always", "never")),
                        default="auto", show_default=True,
                        help=f"Colour in {what}; auto honours NO_COLOR.")  # fmt: skip


PRECISION = click.option(
    "--precision",
    type=click.IntRange(1, 17),
    metavar="N",
    help="Significant digits of the numbers shown (default: exact; in a table on a terminal, "
    "at most 12).",
)
DEFAULT_HELP = "Output format. Default: table on a terminal, text otherwise."


def numbers_out(kind: str, help: str = DEFAULT_HELP):
    """The input, --format, --precision and --color: what a command that prints numbers takes."""
    return options(*expression_options(), output_format(kind, help), PRECISION, color_option())


VALUES = {"ignore_unknown_options": True, "allow_interspersed_args": True}


def is_named(word: str) -> bool:
    """--NAME or --NAME=...: an option or a variable's name, never a value (no number
    starts so)."""
    return word.startswith("--") and word[2:].split("=", 1)[0].isidentifier()


class ValuesCommand(click.Command):
    """A command whose unknown options are variables' values: --NAME VALUE.

    They are set apart before click parses, as plain arguments after a `--`:
    click would try each one as an option first, and its "no such option"
    path costs about 0.2 ms, seconds for a sum of 30,000 products.
    """

    def __init__(self, *args, values: bool = True, **kwargs) -> None:
        """`values`: False for a command that refuses them (diff), read only to say so."""
        self.values = values
        kwargs.setdefault("context_settings", VALUES)
        kwargs.setdefault("epilog", EXIT_CODES)
        super().__init__(*args, **kwargs)

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
                if following is None and not ctx.resilient_parsing:  # (completion: its value
                    # is being typed) else click would take the "--" added below for it
                    raise AutodiffError("usage", f"option {word} needs a value")
                kept += args[i : i + 2]
                i += 2
            elif option is not None or not (word.startswith("--") and name[2:].isidentifier()):
                kept.append(word)
                i += 1
            elif (
                "=" in word
                or following is None
                or following.split("=", 1)[0] in own
                or is_named(following)
            ):
                values.append(word)  # a variable's value, or a variable missing its value
                i += 1
            else:
                values += args[i : i + 2]
                i += 2
        return super().parse_args(ctx, [*kept, "--", *values] if values else kept)

    def shell_complete(self, ctx: click.Context, incomplete: str):
        """Beside click's options, --NAME for the variables of the expression typed."""
        from autodiff_cli.cli.completion import variables

        offered = variables(ctx, incomplete) if self.values else []
        return offered + super().shell_complete(ctx, incomplete)


class Tolerance(click.ParamType):
    """A tolerance: a finite number >= 0 (click's FloatRange lets nan and inf through)."""

    name = "tolerance"

    def convert(self, value, param, ctx):
        from autodiff_cli.cli.inputs import parse_number

        number = value if isinstance(value, float) else parse_number(value, f"--{param.name}")
        if not (0 <= number < float("inf")):
            raise AutodiffError(
                "invalid_value",
                f"invalid value for --{param.name}: {value} is not a finite number >= 0",
            )
        return number


def tolerance(name: str, metavar: str, default: float, help: str):
    return click.option(name, type=Tolerance(), metavar=metavar, default=default,
                        show_default=True, help=help)  # fmt: skip
