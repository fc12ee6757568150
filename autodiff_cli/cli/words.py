"""The command line's words for the library's errors, where the remedy is an option.

The library says "give the point a value for each"; on the command line that
is `--y VALUE`. Each rewording reads the facts the error carries
(`error.data`) and, for a range, how the person wrote it.
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


def value_option(name: str) -> str:
    """How to give `name` a value on the command line, whatever the command (run now)."""
    group = click.get_current_context().find_root().command
    return f"-D {name}=VALUE" if name in option_names(group) else f"--{name} VALUE"


def _missing_values(error, data, written):
    hint = "pass " + " ".join(value_option(name) for name in data["names"])
    if data.get("none_given"):
        hint += ", or use autodiff diff for the formula"
    if "e" in data["names"]:
        hint += "; for Euler's number write exp(1), and exp(x) for e**x"
    return error.message, hint


def _missing_columns(error, data, written):
    if data.get("one_column"):
        return error.message, f"{error.hint} (--points-format csv, tsv or jsonl)"
    return error.message, f"add the column, or give a default: {value_option(data['names'][0])}"


def _unknown_function(error, data, written):
    return error.message, error.hint or "autodiff functions lists them all"


def _several_outputs(error, data, written):
    return (
        "several outputs, separated by ',', are for autodiff jacobian",
        "one expression here; autodiff jacobian differentiates several",
    )


def _wrt(error, data, written):
    return f"--wrt names {', '.join(data['names'])}, which the expression does not use", error.hint


def _typed_range(data, written) -> str:
    """--x 3:1, as it was typed."""
    variable = data["variable"]
    typed = written.get(variable) or f"{plain(data['lo'])}:{plain(data['hi'])}"
    return f"--{variable} {typed}"


def _range(error, data, written):
    return f"{_typed_range(data, written)}: the range needs LO < HI, both finite", error.hint


def _range_width(error, data, written):
    message = f"{_typed_range(data, written)}: the range is wider than the largest double"
    return f"{message}, 1.8e308", error.hint


def _samples(error, data, written):
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
    "samples": _samples,
}


def for_command_line(error: AutodiffError, written: Mapping[str, str] | None = None):
    """`error` as the command line says it; `written`: each value's text as it was typed
    (what a message about a range quotes)."""
    reword = _BY_REASON.get(error.data.get("reason"))
    if reword is None:
        return error
    return error.reworded(*reword(error, error.data, written or {}))
