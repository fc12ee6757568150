"""`autodiff repl`: a session's lines read, each run as the command line would run it.

A line is a statement (`x = 2`, `f = x**2*sin(x)`, `f`), a command with the
command line's words (`grad f --wrt x`, `plot f x=-3:3`), or a `:` command of
the session's own (`:vars`). A command runs the real command (`main.invoke`)
on a program the session writes (`autodiff_cli.session`), so its output,
options and errors are the command line's; each line is one run of
`process.run`, so an error, Ctrl-C or a bad value ends the line, not the
session. On a terminal, lines come from the line editor (`editor`); from a
file or a pipe, one by one, without prompts or colour.
"""

from __future__ import annotations

import functools
import gc
import re
import shlex
import sys
from functools import partial

import click

from autodiff_cli import __version__
from autodiff_cli.cli import words
from autodiff_cli.cli.commands import autodiff
from autodiff_cli.cli.main import invoke, wants_json
from autodiff_cli.cli.options import ValuesCommand
from autodiff_cli.cli.process import (
    BROKEN_PIPE,
    INTERRUPTED,
    TERMINATED,
    isatty,
    report,
    usage_error,
)
from autodiff_cli.cli.process import run as run_line
from autodiff_cli.errors import AutodiffError
from autodiff_cli.numbers import plain
from autodiff_cli.reading import Overlong
from autodiff_cli.session import ANS, Session, statements

# The commands that take an expression, each as the command line has it: a new one is here too.
COMMANDS = tuple(name for name, c in autodiff.commands.items() if isinstance(c, ValuesCommand))
QUIT = (":quit", ":q", ":exit")
RESERVED = (*COMMANDS, "quit", "exit")  # words a line starts with: not names to set
META = (":vars", ":del", ":functions", ":help", *QUIT)
HELP = """\
Type an expression to see its value and gradients at the session's values.
  x = 2                 a value
  f = x**2*sin(x)       a definition, read again when used: a new x, a new f
  x = x + 0.5           uses its own name (or ans): computed now, a value
  f                     value and gradients of f; ans is the last value
  x = 1; w = 2; f       several statements, separated by ';'
Commands, as on the command line, at the session's values:
  grad EXPR  trace EXPR  diff EXPR  graph EXPR  check EXPR  hessian EXPR
  jacobian EXPR, EXPR   plot EXPR x=-3:3
  options follow the expression: diff f --wrt x, grad f --format json, and
  a bare expression takes grad's (f --format text); NAME=VALUE gives a value
  for that command only; grad --help lists grad's options
Session:
  :vars                 values and definitions
  :del NAME...          forget them
  :functions            the functions an expression may use
  :help                 this
  :quit                 the end (or :q, quit, Ctrl-D); Ctrl-C cancels a line or a
                        computation
"""
_WORD = re.compile(r"\S+")
_VALUE = re.compile(r"[^\W\d]\w*=(?!=)")  # NAME=VALUE after an expression
# A value after an expression, a number or a range (a statement, u = x*2; ..., is not one):
_NUMBER = r"(?=[-+]?(?:\.?\d|inf\b|nan\b))"
_GIVEN = re.compile(r"(?<!\S)([^\W\d]\w*)\s*=(?!=)\s*" + _NUMBER)  # NAME = VALUE
_DASHED = re.compile(r"(?<!\S)--([^\W\d]\w*)(?:=|\s+)" + _NUMBER)  # --NAME VALUE


class Repl:
    def __init__(self, interactive: bool) -> None:
        self.session = Session()
        self.interactive = interactive
        self.done = False
        self.written: dict[str, str] = {}  # NAME=VALUE given to the command running: {NAME: VALUE}

    # One line.
    def line(self, line, number: int) -> None:
        """Run `line`; replayed, an error says which line it was (`number`)."""
        self.written = {}
        try:
            if isinstance(line, Overlong):
                raise line.error("the line")
            self._line(line)
        except (AutodiffError, click.ClickException) as raised:
            error = raised if isinstance(raised, AutodiffError) else usage_error(raised)
            error = words.in_session(error, self.written)
            if self.interactive:
                raise error from None
            raise _numbered(error, line, number) from None

    def _line(self, line: str) -> None:
        line = line.split("#", 1)[0]  # a comment: '#' is nowhere else in the language
        text = line.strip()
        if not text:
            return
        if text.startswith(":"):
            return self.meta(text)
        first = _WORD.match(line, len(line) - len(line.lstrip()))
        word, after = first.group(), line[first.end() :].lstrip()
        if word in ("quit", "exit") and after == "" and word not in self.session.names():
            self.done = True
            return
        if word in COMMANDS and not after.startswith("="):
            return self.command(word, line, first.end())
        if any(w.split("=")[0] in _options() for w in text.split()):
            return self.command("grad", line, 0)  # f --format text: grad's options
        found = statements(line)
        for statement in found:
            if statement.name in RESERVED:
                raise AutodiffError("usage", f"{statement.name} is a command, not a name to set",
                                    span=(statement.offset, statement.offset + len(statement.name)),
                                    hint=f"choose another name, as in {statement.name}_ = ...",
                                    ).located(line)  # fmt: skip
        for statement in found:
            if statement.name is None:
                self.command("grad", line, statement.offset, statement.text)
                continue
            value = self.session.assign(statement, line)
            if value is not None:  # computed, not typed: shown
                click.echo(f"{statement.name} = {plain(value)}")

    def command(self, name: str, line: str, start: int, text: str | None = None) -> None:
        """`name` run on the expression typed from `start` (or on `text`, a statement's)."""
        command = autodiff.commands[name]
        if text is None:
            expression, start, option_words = _split(command, line, start)
        else:
            expression, option_words = text, []
        given, flags = _values(command, option_words)
        _refuse_standard_input(flags)
        if any(w.split("=")[0] == "--expr" for w in flags):
            raise AutodiffError("usage", "--expr is for the command line",
                                hint=f"type the expression after {name}: {name} -x**2")  # fmt: skip
        self.written = {n: word.split("=", 1)[1] for n, word in given.items()}
        if not expression:
            if "--help" not in flags:
                raise AutodiffError("usage", f"{name} needs an expression",
                                    hint=f"{name} f, or {name} --help")  # fmt: skip
            return invoke([name, *flags])
        program = self.session.program(expression, line, start, many=name == "jacobian")
        values = [] if not getattr(command, "values", True) else [
            f"{n}={v!r}" for n, v in program.point.items() if n not in given
        ]  # fmt: skip
        argv = [name, "--expr", program.source, *flags]
        argv += [w for value in [*values, *given.values()] for w in ("-D", value)]
        try:
            invoke(argv + self._plain(command, flags), _as_raised, self.heard)
        except AutodiffError as error:
            raise program.locate(error) from None

    def _plain(self, command: click.Command, typed: list[str]) -> list[str]:
        """--color never for a replayed session's command, unless a colour was asked for."""
        if self.interactive or not any(p.name == "color" for p in command.params):
            return []
        return [] if any(w.startswith("--color") for w in typed) else ["--color", "never"]

    def heard(self, result) -> None:
        """A result a command showed: its value is `ans`."""
        value = getattr(result, "value", None)
        if isinstance(value, float):
            self.session.values[ANS] = value
            self.session.definitions.pop(ANS, None)

    # The session's own commands.
    def meta(self, text: str) -> None:
        word, *rest = text.split()
        if rest and word not in (":del", ":functions"):
            raise AutodiffError(
                "usage", f"{word} takes nothing after it, but got: {' '.join(rest)}"
            )
        if word in QUIT:
            self.done = True
        elif word == ":vars":
            click.echo(self.variables(), nl=False)
        elif word == ":del":
            if not rest:
                raise AutodiffError("usage", ":del needs a name", hint=":del x")
            self.session.delete(rest)
        elif word == ":help":
            click.echo(HELP, nl=False)
        elif word == ":functions":
            invoke(["functions", *rest, *self._plain(autodiff.commands["functions"], rest)])
        else:
            from autodiff_cli.names import closest

            close = closest(word, META, cutoff=0.5)
            hint = f"did you mean {close}?" if close else ":help lists them"
            raise AutodiffError("usage", f"no session command {word}", hint=hint)

    def variables(self) -> str:
        """:vars: each value, then each definition with its value now (or what it needs)."""
        session = self.session
        if not session.names():
            return "nothing set yet: x = 2 sets a value, f = x**2 defines f\n"
        lines = [f"{name} = {plain(value)}" for name, value in session.values.items()]
        for name, definition in session.definitions.items():
            try:
                now = plain(session.evaluate(session.program(name, name, 0)))
            except AutodiffError as error:
                names = error.data.get("names")
                now = f"needs {', '.join(names)}" if names else "undefined here"
            lines.append(f"{name} = {definition.source}    # {now}")
        return "\n".join(lines) + "\n"


@functools.cache
def _options() -> frozenset[str]:
    """Every command's long options (--wrt, --steps): none is part of an expression, and
    one of another command's is still refused as an option, with a hint."""
    return frozenset(f"--{name}" for name in words.option_names(autodiff))


def _split(command: click.Command, line: str, start: int) -> tuple[str, int, list[str]]:
    """The expression after the command's name, where it starts, and the words after it.

    The words start at the first long option of a command (--wrt), or at a
    value: NAME=VALUE (spaces around '=' allowed), --NAME VALUE or -D
    NAME=VALUE, VALUE a number or a range. None of these can be part of an
    expression, while `a --b` and `x -h` still are.
    """
    options = _options()
    cuts = [m.start() for m in _WORD.finditer(line, start) if m.group().split("=")[0] in options]
    for found in (_GIVEN.search(line, start), _DASHED.search(line, start)):
        if found and ";" not in line[found.end() :]:  # else a program's statement
            cuts.append(found.start())
    cut = min(cuts, default=len(line))
    if line[:cut].rstrip().endswith(" -D"):
        cut = line.rindex("-D", 0, cut)
    typed = line[start:cut]
    expression, begin = typed.strip(), start + len(typed) - len(typed.lstrip())

    def value(match: re.Match) -> str:  # --NAME VALUE as NAME=VALUE, an option as it was
        return match.group() if f"--{match.group(1)}" in options else f"{match.group(1)}="

    tail = _DASHED.sub(value, _GIVEN.sub(r"\1=", line[cut:]))
    try:
        return expression, begin, shlex.split(tail)
    except ValueError as error:
        raise AutodiffError("usage", f"cannot read the options: {error}") from None


def _values(command: click.Command, words: list[str]) -> tuple[dict[str, str], list[str]]:
    """NAME=VALUE words ({name: 'NAME=VALUE'}, a -D before one dropped), and the others
    (an option's value among them, whatever it looks like)."""
    valued = {o for p in command.params if not getattr(p, "is_flag", True) for o in p.opts}
    given, flags = {}, []
    for i, word in enumerate(words):
        after_option = i > 0 and words[i - 1] in valued and words[i - 1] not in ("-D", "--set")
        if _VALUE.match(word) and not after_option:
            given[word.split("=", 1)[0]] = word
        elif word not in ("-D", "--set"):
            flags.append(word)
    return given, flags


def _refuse_standard_input(flags: list[str]) -> None:
    """--lines, and '-' for a file: standard input is the session's own lines."""
    if any(w.split("=", 1)[0] == "--lines" for w in flags):
        raise AutodiffError("usage", "--lines is for the command line",
                            hint="in a session, type each expression")  # fmt: skip
    if "-" in flags or any(w.endswith("=-") for w in flags):
        raise AutodiffError("usage", "standard input is the session's own lines",
                            hint="give a file: --points data.csv")  # fmt: skip


def _as_raised(error: AutodiffError, written) -> AutodiffError:
    return error  # reworded once, for the whole line (`Repl.line`)


def _numbered(error: AutodiffError, line, number: int) -> AutodiffError:
    """A replayed line's error, saying which line it was: as a program's line when it
    quotes the line, else in its message."""
    if error.source == line and error.span is not None:
        return error.moved(number - 1, "\n" * (number - 1) + line)
    return error.reworded(f"line {number}: {error.message}", error.hint)


def _lines(interactive: bool, repl: Repl):
    """Each line typed (with the line editor) or replayed (from standard input)."""
    if interactive:
        from autodiff_cli.cli.editor import Editor

        click.echo(f"autodiff {__version__}: an expression, a command or :help; Ctrl-D ends")
        yield from Editor(repl.session, {n: autodiff.commands[n] for n in COMMANDS}, META).lines()
        return
    from autodiff_cli.reading import EXPRESSION_LIMIT, lines, open_input

    for line in lines(open_input("-"), EXPRESSION_LIMIT):
        yield line if isinstance(line, Overlong) else line.rstrip("\r\n")


def run() -> int:
    """The session: 0 at its end, or, replayed, the exit code of the first line that failed."""
    gc.enable()  # a session may last: its graphs' cycles are collected (`main` turned it off)
    interactive = isatty(sys.stdin) and isatty(sys.stdout)
    repl = Repl(interactive)
    first_failure, number, lines = 0, 0, _lines(interactive, repl)
    while not repl.done:
        try:
            line = next(lines)
        except StopIteration:
            break
        except AutodiffError as error:  # standard input could not be read
            return first_failure or report(error, False)
        number += 1
        words = [] if isinstance(line, Overlong) else line.split()
        # Ctrl-C at a terminal ends the line (said here); else a signal ends the session,
        # and the session's end says it
        said = (INTERRUPTED,) if interactive else ()
        code = run_line(partial(repl.line, line, number), wants_json(words), said)
        if code in (BROKEN_PIPE, TERMINATED) or (code == INTERRUPTED and not interactive):
            return code
        first_failure = first_failure or code
    return 0 if interactive else first_failure
