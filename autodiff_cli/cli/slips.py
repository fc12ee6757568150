"""Options typed wrong: another command's, a slip of the fingers, a flag for a format.

A word --NAME that is not an option of the command is a variable's value;
these are the exceptions, said as usage errors naming the option meant, so
that a slip is never read as a number. The hints say how a variable of such
a name takes its value (-D NAME=VALUE), where the command takes values.
"""

from __future__ import annotations

import click

from autodiff_cli.cli.words import option_names
from autodiff_cli.errors import AutodiffError


def _own_options(ctx: click.Context | None = None) -> dict[str, click.Option]:
    ctx = ctx or click.get_current_context()
    own = {}
    for param in ctx.command.get_params(ctx):
        if isinstance(param, click.Option):
            own.update(dict.fromkeys(param.opts + param.secondary_opts, param))
    return own


def refuse_foreign(name: str) -> None:
    """--NAME that is another command's option is a mistake, never a variable's value."""
    ctx = click.get_current_context()
    group = ctx.find_root().command
    if name not in option_names(group) or f"--{name}" in _own_options():
        return
    owners = [
        command
        for command, c in group.commands.items()
        if any(f"--{name}" in p.opts for p in c.get_params(ctx))
    ]
    listed = ", ".join(owners[:-1]) + " and " + owners[-1] if len(owners) > 1 else owners[0]
    raise AutodiffError(
        "usage",
        f"--{name} is not an option of {ctx.info_name}",
        hint=f"it is an option of {listed}{_named_variable(name)}",
    )


def _named_variable(name: str) -> str:
    """How a variable of that name takes its value, for a hint: where values are taken."""
    values = getattr(click.get_current_context().command, "values", True)
    return f"; a variable named {name} takes -D {name}=VALUE" if values else ""


def misspelt(name: str, variables=(), ctx: click.Context | None = None) -> str | None:
    """The option `--NAME` was likely meant for: --format json for --json, --format for
    --fromat; None if it looks like nothing of the command's, or more like a variable."""
    own = _own_options(ctx)
    choices = getattr(own.get("--format"), "type", None)
    if name in getattr(choices, "choices", ()):
        return f"--format {name}"
    from difflib import get_close_matches

    options = [o[2:] for o in own if o.startswith("--")]
    close = get_close_matches(name, [*options, *variables], 1, 0.8)
    return f"--{close[0]}" if close and close[0] in options else None


def no_such_option(error: click.NoSuchOption) -> AutodiffError:
    """Click's refusal of an option of a command that takes no values, in our words."""
    name, ctx = error.option_name, error.ctx
    meant = misspelt(name[2:], ctx=ctx) if name.startswith("--") and ctx else None
    if meant is not None:
        return AutodiffError("usage", f"no option {name}: did you mean {meant}?")
    where = f"autodiff {ctx.info_name} --help" if ctx else "autodiff --help"
    return AutodiffError("usage", f"no option {name}", hint=f"{where} lists the options")


def refuse_misspelt(given: dict, variables) -> None:
    """A --NAME given (not -D) that no variable has, close to one of the command's options:
    a usage error that names the option, before its value is read as a number."""
    for name, (_text, how) in given.items():
        if how.startswith("--") and name not in variables:
            meant = misspelt(name, variables)
            if meant is not None:
                raise AutodiffError(
                    "usage",
                    f"no option --{name}: did you mean {meant}?",
                    hint=_named_variable(name).removeprefix("; ") or None,
                )


def options_named(source: str) -> str | None:
    """A hint when the expression has a variable named like an option (trace): --trace 2
    set the option, and 2 was left over."""
    from autodiff_cli import api

    try:
        variables = api.parse(source, many=True).variables
    except AutodiffError:
        return None
    group = click.get_current_context().find_root().command
    named = [name for name in variables if name in option_names(group)]
    if not named:
        return None
    return f"--{named[0]} is an option; a variable named {named[0]} takes -D {named[0]}=VALUE"
