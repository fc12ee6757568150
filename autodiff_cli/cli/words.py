"""The command line's words for the library's errors, where the remedy is typed.

The library says "give the point a value for each"; on the command line that
is `--y VALUE`, in a session (`autodiff repl`) `y = 1`. Each rewording reads
the facts the error carries (`error.data`) and, for a range, how the person
wrote it; a `Dialect` says how each remedy is typed where the person is.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import click

from autodiff_cli.errors import AutodiffError
from autodiff_cli.numbers import plain
from autodiff_cli.orders import beyond


@functools.cache
def option_names(group: click.Group) -> frozenset[str]:
    """The long options of the group's commands, read from the commands themselves.

    A variable of one of these names is given its value as -D NAME=VALUE, as
    --NAME would be the option.
    """
    # Each command's declared options and the help option (not `get_params`, which
    # makes a help option per command: click's gettext lookup for each, on every run).
    opts = [opt for command in group.commands.values() for p in command.params for opt in p.opts]
    opts += click.Context(group).help_option_names
    return frozenset(opt[2:] for opt in opts if opt.startswith("--") and opt[2:].isidentifier())


class Dialect:
    """How a remedy is typed on the command line."""

    def values(self, names: list[str], formula: bool) -> str:
        """How to give `names` values; `formula`: none was given, so a formula may be meant."""
        return self.give(names) + (f", or use {self.command('diff')} for the formula" * formula)

    def give(self, names: list[str]) -> str:
        return "pass " + " ".join(value_option(name) for name in names)

    def range(self, name: str, text: str) -> str:
        return f"--{name} {text}"

    def command(self, name: str) -> str:
        return f"autodiff {name}"

    functions = "autodiff functions"
    sweep = 'autodiff plot "tanh(x)" --x -3:3'


class SessionDialect(Dialect):
    """How a remedy is typed in a session: `y = 1`, `diff`, `:functions`."""

    def values(self, names: list[str], formula: bool) -> str:
        if names == ["ans"]:
            return "ans is the value of the last expression evaluated, and there is none yet"
        return super().values(names, formula)

    def give(self, names: list[str]) -> str:
        them = "it" if len(names) == 1 else "them"
        return f"set {them} first, as in " + "; ".join(f"{name} = 1" for name in names)

    def range(self, name: str, text: str) -> str:
        return f"{name}={text}"

    def command(self, name: str) -> str:
        return name

    functions = ":functions"
    sweep = "plot tanh(x) x=-3:3"


COMMAND_LINE, SESSION = Dialect(), SessionDialect()


def value_option(name: str) -> str:
    """How to give `name` a value on the command line, whatever the command (run now)."""
    group = click.get_current_context().find_root().command
    return f"-D {name}=VALUE" if name in option_names(group) else f"--{name} VALUE"


def _missing_values(error, data, written, said):
    hint = said.values(data["names"], bool(data.get("none_given")))
    if "e" in data["names"]:
        hint += "; for Euler's number write exp(1), and exp(x) for e**x"
    return error.message, hint


def _missing_columns(error, data, written, said):
    if data.get("one_column"):
        return error.message, f"{error.hint} (--points-format csv, tsv or jsonl)"
    return error.message, f"add the column, or give a default: {value_option(data['names'][0])}"


def _unknown_function(error, data, written, said):
    return error.message, error.hint or f"{said.functions} lists them all"


def _several_outputs(error, data, written, said):
    jacobian = said.command("jacobian")
    return (
        f"several outputs, separated by ',', are for {jacobian}",
        f"one expression here; {jacobian} differentiates several",
    )


def _wrt(error, data, written, said):
    return f"--wrt names {', '.join(data['names'])}, which the expression does not use", error.hint


def _typed_range(data, written, said) -> str:
    """--x 3:1, as it was typed."""
    variable = data["variable"]
    return said.range(variable, written.get(variable) or f"{plain(data['lo'])}:{plain(data['hi'])}")


def _range(error, data, written, said):
    return f"{_typed_range(data, written, said)}: the range needs LO < HI, both finite", error.hint


def _range_width(error, data, written, said):
    message = f"{_typed_range(data, written, said)}: the range is wider than the largest double"
    return f"{message}, 1.8e308", error.hint


def _sweep(error, data, written, said):
    return error.message, said.sweep


def _samples(error, data, written, said):
    return (
        f"--samples {data['samples']} is more work than plot takes for "
        f"{data['operations']:,} operations{beyond(data.get('order', 1))} (about 20 s at most)",
        f"at most --samples {data['most']} for this expression",
    )


_BY_REASON = {
    "missing_values": _missing_values,
    "missing_columns": _missing_columns,
    "unknown_function": _unknown_function,
    "several_outputs": _several_outputs,
    "wrt": _wrt,
    "range": _range,
    "range_width": _range_width,
    "sweep": _sweep,
    "samples": _samples,
}


def for_command_line(
    error: AutodiffError, written: Mapping[str, str] | None = None, said: Dialect = COMMAND_LINE
) -> AutodiffError:
    """`error` as the command line (or, `said`, a session) says it; `written`: each
    value's text as it was typed (what a message about a range quotes)."""
    reword = _BY_REASON.get(error.data.get("reason"))
    if reword is None:
        return error
    return error.reworded(*reword(error, error.data, written or {}, said))


def in_session(error: AutodiffError, written: Mapping[str, str] | None = None) -> AutodiffError:
    return for_command_line(error, written, SESSION)
