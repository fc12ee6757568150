"""Errors as data: raised where they are found, rendered in one place.

An `AutodiffError` says what kind of failure it is, in words, where in the
source it sits (a span of character offsets) and what might help (a hint).
`autodiff_cli.render.errors` turns it into a caret line for people or an
object for JSON; the kind decides the exit code.
"""

from __future__ import annotations

EXIT_OK = 0
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
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown error kind {kind!r}")
        super().__init__(message)
        self.kind, self.message, self.span, self.hint = kind, message, span, hint
        self.source = source
        self.from_stdin = False  # read from standard input: show line numbers

    def __str__(self) -> str:
        return self.message

    @property
    def exit_code(self) -> int:
        return KINDS[self.kind]

    def located(self, source: str) -> AutodiffError:
        """This error, tied to the source text its span points into."""
        self.source = source
        return self

    @property
    def line_column(self) -> tuple[int, int] | None:
        """1-based line and column of the span's start, when there is one."""
        if self.span is None or self.source is None:
            return None
        start = min(self.span[0], len(self.source))
        line = self.source.count("\n", 0, start) + 1
        column = start - (self.source.rfind("\n", 0, start) + 1) + 1
        return line, column
