"""Shell completion: the script `autodiff completion SHELL` prints, and the answers to it.

The script calls `autodiff` back on each TAB with _AUTODIFF_COMPLETE set and
the words typed so far; click offers the commands, the options and the
choices of --format and the like. Beside those, a command that reads
--NAME VALUE offers --NAME for each variable of the expression already typed
that has no value yet (`variables`), and an option whose value is a FILE
completes file names, as the shell would without a script.

Loaded only when completing (or printing the script): never at start-up.
"""

from __future__ import annotations

import click

PROG, VARIABLE = "autodiff", "_AUTODIFF_COMPLETE"


def completer(shell: str):
    """Click's completion for `shell`, with autodiff's additions; None for a shell click lacks."""
    from click.shell_completion import get_completion_class

    from autodiff_cli.cli.commands import autodiff

    shell_class = get_completion_class(shell)
    if shell_class is None:
        return None
    return type(shell_class.__name__, (_Completions, shell_class), {})(autodiff, {}, PROG, VARIABLE)


def script(shell: str) -> str:
    """The script to source: the one click writes for _AUTODIFF_COMPLETE={shell}_source."""
    return completer(shell).source()


def respond(instruction: str) -> int:
    """Answer _AUTODIFF_COMPLETE=`instruction` (bash_source, zsh_complete, ...) as click would.

    A command line that cannot be read (a quote left open, an invalid
    expression, an option of ours refusing it) offers nothing: completion
    never prints an error.
    """
    shell, _, action = instruction.partition("_")
    comp = completer(shell)
    if comp is None or action not in ("source", "complete"):
        return 1
    if action == "source":
        text = comp.source()
    else:
        try:
            text = comp.complete() + "\n"
        except Exception:  # noqa: BLE001 - a half-typed line: nothing to offer, no message
            text = "\n"
    click.echo(text.encode(), nl=False)  # bytes: no newline translation (click does the same)
    return 0


class _Completions:
    """What autodiff adds to each shell's completion (mixed in before click's class)."""

    cli: click.Group

    def get_completions(self, args: list[str], incomplete: str):
        from click.shell_completion import CompletionItem

        args = _dashes_read(self.cli, args)
        items = super().get_completions(args, incomplete)  # click's, next in the MRO
        if not items and _wants_file(self.cli, args, incomplete):
            typed = incomplete.partition("=")[2] if incomplete.startswith("--") else incomplete
            return [CompletionItem(typed, type="file")]
        return items


def _command(cli: click.Group, args: list[str]) -> click.Command | None:
    return cli.commands.get(args[0]) if args else None


def _dashes_read(cli: click.Group, args: list[str]) -> list[str]:
    """`-- WORD` as a --NAME VALUE command reads it: the one word after, options after that.

    Click offers no option after a `--`; written as --expr WORD or -D NAME=VALUE,
    the options and variables that may still follow are offered.
    """
    from autodiff_cli.cli.options import ValuesCommand

    if "--" not in args or not isinstance(_command(cli, args), ValuesCommand):
        return args
    out: list[str] = []
    i = 0
    while i < len(args):
        word, after = args[i], args[i + 1 : i + 3]
        if word != "--" or not after:
            out.append(word)
            i += 1
        elif not after[0].startswith("--"):
            out += ["--expr", after[0]]
            i += 2
        elif "=" in after[0]:
            out += ["-D", after[0][2:]]
            i += 2
        elif len(after) == 2:
            out += ["-D", f"{after[0][2:]}={after[1]}"]
            i += 3
        else:  # `-- --NAME` and its value being typed: nothing to offer
            out += args[i:]
            break
    return out


def _wants_file(cli: click.Group, args: list[str], incomplete: str) -> bool:
    """The word being typed is the value of an option that names a FILE."""
    command = _command(cli, args)
    if command is None:
        return False
    if incomplete.startswith("--") and "=" in incomplete:
        name = incomplete.partition("=")[0]
    elif len(args) > 1:
        name = args[-1]
    else:
        return False
    return any(
        isinstance(param, click.Option)
        and not param.is_flag
        and name in param.opts
        and "FILE" in (param.metavar or "")
        for param in command.params
    )


def variables(ctx: click.Context, incomplete: str) -> list:
    """--NAME for each variable of the expression typed that has no value yet.

    Only the parse (no evaluation, never standard input); an expression that
    does not parse offers nothing. A variable named like an option of any
    command is left out: it takes -D NAME=VALUE.
    """
    from click.shell_completion import CompletionItem

    if not incomplete.startswith("-"):
        return []
    try:
        names = _unvalued(ctx)
    except Exception:  # noqa: BLE001 - an expression half typed: nothing to add
        return []
    return [
        CompletionItem(f"--{name}", help=f"The value of {name}.")
        for name in names
        if f"--{name}".startswith(incomplete)
    ]


def _unvalued(ctx: click.Context) -> list[str]:
    given = {item.partition("=")[0].strip() for item in ctx.params.get("sets") or ()}
    positional: list[str] = []
    words = list(ctx.params.get("args") or ())
    i = 0
    while i < len(words):
        word = words[i]
        if word.startswith("--") and len(word) > 2:  # --NAME VALUE or --NAME=VALUE
            name, eq, _ = word[2:].partition("=")
            given.add(name)
            i += 1 if eq else 2
        else:
            positional.append(word)
            i += 1
    source = ctx.params.get("expr") or (positional[0] if positional else None)
    if source is None or source == "-":  # standard input is the terminal: never read it
        return []
    from autodiff_cli.cli.words import option_names
    from autodiff_cli.parser import parse

    expression = parse(source, many=True)  # a Jacobian's outputs, too
    options = option_names(ctx.find_root().command)  # any command's: they take -D
    return [name for name in expression.variables if name not in given and name not in options]
