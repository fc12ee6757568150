"""Errors as data: raised where they are found, rendered in one place.

An `AutodiffError` says what kind of failure it is, in words, where in the
source it sits (a span of character offsets) and what might help (a hint),
and carries the facts behind the words (`data`: the missing names, the range
refused). Its words are the library's: they name no command or option, so a
Python caller never meets one. The command line re-words the few errors whose
remedy is an option (`autodiff_cli.cli.words`), and
`autodiff_cli.render.errors` turns any error into a caret line for people or
an object for JSON; the kind decides the exit code.
"""

from __future__ import annotations

EXIT_EVALUATION = 1  # the evaluation failed: NaN in the value or a gradient
EXIT_USAGE = 2  # a usage error or an invalid expression

# kind -> exit code; every kind an AutodiffError may carry is listed here.
KINDS = {
    "syntax": EXIT_USAGE,
    "unknown_function": EXIT_USAGE,
    "arity": EXIT_USAGE,
    "missing_value": EXIT_USAGE,
    "invalid_value": EXIT_USAGE,
    "usage": EXIT_USAGE,
    "input": EXIT_USAGE,
    "io": EXIT_USAGE,
    "internal": EXIT_USAGE,  # a bug of autodiff's own, reported without a traceback
    "undefined": EXIT_EVALUATION,
}


QUOTED = 200  # characters of an input an error message or record repeats, at most


def quoted(text: str, most: int = QUOTED) -> str:
    """At most `most` characters of `text`, for a message that repeats an input."""
    return text if len(text) <= most else text[:most] + "..."


class AutodiffError(Exception):
    def __init__(
        self,
        kind: str,
        message: str,
        span: tuple[int, int] | None = None,  # character offsets in `source`
        hint: str | None = None,
        source: str | None = None,
        **data,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown error kind {kind!r}")
        super().__init__(message)
        self.kind, self.message, self.span, self.hint = kind, message, span, hint
        self.source = source
        self.origin: str | None = None  # where `source` was read from ("-": standard input)
        # The facts behind the message: `reason` names the failure for code
        # that words it again; the rest are its particulars (names, numbers).
        self.data = data

    def __str__(self) -> str:
        return self.message

    @property
    def exit_code(self) -> int:
        return KINDS[self.kind]

    def located(self, source: str, origin: str | None = None) -> AutodiffError:
        """This error, tied to the source text its span points into (and where it came from)."""
        self.source, self.origin = source, origin
        return self

    def moved(self, by: int, source: str) -> AutodiffError:
        """The same error in a text that holds its source `by` characters on (a session's
        line, or a program's lines), its span moved with it."""
        other = self.reworded(self.message, self.hint)
        if self.span is not None:
            other.span = (self.span[0] + by, self.span[1] + by)
        return other.located(source)

    def reworded(self, message: str, hint: str | None) -> AutodiffError:
        """The same failure in other words (the command line's), the rest unchanged."""
        other = AutodiffError(self.kind, message, self.span, hint, self.source, **self.data)
        other.origin = self.origin
        return other

    @property
    def line_column(self) -> tuple[int, int] | None:
        """1-based line and column of the span's start, when there is one."""
        if self.span is None or self.source is None:
            return None
        start = min(self.span[0], len(self.source))
        line = self.source.count("\n", 0, start) + 1
        column = start - (self.source.rfind("\n", 0, start) + 1) + 1
        return line, column
