"""The `autodiff` process: arguments in, one command run, an exit code out."""

from __future__ import annotations

import gc
import sys

import click

from autodiff_cli.cli import inputs, slips, words
from autodiff_cli.cli.commands import autodiff
from autodiff_cli.cli.process import isatty, run
from autodiff_cli.errors import AutodiffError


def main() -> None:
    """The command, with CPython's cyclic garbage collector off.

    One evaluation builds its graphs, prints and the process ends; the
    collector's full passes over a heap that grows to millions of objects
    cost more per object the larger it grows (a 30,000-variable trace runs
    about 1.5x as long with it on), and what little it would find (the cycles
    of a `create_graph` gradient graph) goes with the process. A pipeline,
    which may never end, turns it back on (`pipelines.run`).
    """
    argv = sys.argv[1:]
    if not argv and isatty(sys.stdin) and isatty(sys.stdout):
        argv = ["repl"]  # a person at a terminal: a session; else help, as before
    # Arguments may hold bytes that are not UTF-8 (as lone surrogates): echo them escaped.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    collecting = gc.isenabled()
    gc.disable()
    try:
        code = run(lambda: _invoke(argv), wants_json(argv))
    finally:  # as it was, for a caller that goes on (the tests)
        (gc.enable if collecting else gc.disable)()
    sys.exit(code)


def wants_json(argv: list[str]) -> bool:
    for i, word in enumerate(argv):
        if argv[i - 1 : i] == ["--"]:
            continue  # the expression, as `options.ValuesCommand` reads it
        if word == "--format=json" or (word == "--format" and argv[i + 1 : i + 2] == ["json"]):
            return True
    return False


def _invoke(argv: list[str]):
    """The command, without click's handlers: `process.run` decides every way out."""
    import os

    instruction = os.environ.get("_AUTODIFF_COMPLETE")
    if instruction:  # shell completion, as click's own main would offer it (and more)
        from autodiff_cli.cli import completion

        return completion.respond(instruction)
    return invoke(argv)


def invoke(argv: list[str], reword=words.for_command_line, on_result=None):
    """One command, as the process or a session (`repl`) runs it.

    The library's errors leave here reworded by `reword` (the command line's
    words by default); `on_result` is given each result the command shows.
    """
    with autodiff.make_context("autodiff", argv, obj=on_result) as ctx:
        try:
            return autodiff.invoke(ctx)
        except AutodiffError as error:
            raise reword(error, ctx.meta.get(inputs.WRITTEN, {})) from None
        except click.NoSuchOption as error:  # a command without values: functions
            raise slips.no_such_option(error) from None
