"""Every input read in bounded pieces, so no input can take more memory than its limit.

An expression is read up to its limit and refused past it, without reading
the rest. A stream is read a physical line at a time: a line past its limit
is read on to its end in small pieces and dropped, so the stream goes on with
the next line however long (or endless) this one is. Reading is plain Python
between pieces, so Ctrl-C and SIGTERM are answered at once. A line ends at
a new line only (a `\r` before it is part of the line end, one anywhere else
part of the line), as `wc -l` and `paste` count them. A UTF-8 byte order mark
at the start of any input is skipped; bytes that are not UTF-8 become U+FFFD,
never an exception.
"""

from __future__ import annotations

import io
import os
import stat
import sys

from autodiff_cli.errors import QUOTED, AutodiffError
from autodiff_cli.parser import MAX_SOURCE

EXPRESSION_LIMIT = MAX_SOURCE  # characters of an expression, or of one --lines line
RECORD_LIMIT = 2**20  # characters of one CSV row or JSON Lines record: numbers only
PIECE = 2**16  # characters read at a time past a limit


def open_input(path: str):
    """A text stream of FILE, or of standard input for '-'."""
    if path != "-":
        try:
            return open(path, encoding="utf-8-sig", errors="replace", newline="\n")  # noqa: SIM115
        except OSError as error:
            raise AutodiffError("input", f"cannot read {path}: {error.strerror}") from None
    stdin = sys.stdin
    if stdin is None:  # started with standard input closed (`<&-`)
        raise AutodiffError("input", "cannot read standard input: it is closed")
    buffer = getattr(stdin, "buffer", None)
    if buffer is None:  # already text (tests, embedding)
        return stdin
    return io.TextIOWrapper(buffer, encoding="utf-8-sig", errors="replace", newline="\n")


def _unreadable(error: OSError) -> AutodiffError:
    return AutodiffError("input", f"cannot read the input: {error.strerror or error}")


def read_expression(stream) -> str:
    """The whole stream, refused as soon as it passes the expression limit."""
    pieces: list[str] = []
    size = 0
    while piece := guarded(stream.read, PIECE):
        size += len(piece)
        if size > EXPRESSION_LIMIT:
            raise AutodiffError(
                "input",
                f"the expression is longer than the limit of {EXPRESSION_LIMIT:,} characters",
            )
        pieces.append(piece)
    return "".join(pieces)


class Overlong:
    """A line past its limit: all that is kept of it, its start and its length."""

    def __init__(self, head: str, length: int, limit: int, first: str | None) -> None:
        self.head, self.length, self.limit = head, length, limit
        self.first = first  # its first character that is not white space; None: blank

    @property
    def shown(self) -> str:
        return self.head + "..."

    def grown(self, more: str) -> None:
        """The same line, `more` characters longer; only its start is kept."""
        self.length += len(more)
        self.first = self.first or more.lstrip()[:1] or None

    def error(self, what: str) -> AutodiffError:
        return AutodiffError(
            "input", f"{what} is {self.length:,} characters; the limit is {self.limit:,}"
        )


def first_line(stream, limit: int, what: str) -> str:
    """The first line, refused (not read on) past `limit`: nothing can follow an overlong one.

    From a stream of bytes (`.buffer`), its text as `open_input` would read it.
    """
    if isinstance(stream, io.BufferedIOBase):
        line = guarded(stream.readline, 4 * limit + 2)  # UTF-8: up to 4 bytes a character
        line = line.decode("utf-8-sig", errors="replace")
    else:
        line = guarded(stream.readline, limit + 2)
    if len(line.rstrip("\r\n")) > limit:
        raise AutodiffError("input", f"{what} is longer than the limit of {limit:,} characters")
    return line


def lines(stream, limit: int):
    """Each line of `stream` (its line end kept), or an `Overlong` for one past `limit`."""
    readline, most = stream.readline, limit + 2  # room for the line end, \r\n
    try:
        while line := readline(most):
            if len(line) <= limit:  # within the limit, line end and all: the usual case
                yield line
            elif line.endswith("\n") or len(line) < most:  # all of the line
                yield within(line, limit)
            else:  # past the limit: read on to its end, keeping only its start
                over = _overlong(line, len(line), limit)
                del line
                while (rest := readline(PIECE)) and not rest.endswith("\n"):
                    over.grown(rest)
                over.grown(rest.rstrip("\r\n"))
                yield over
    except OSError as error:
        raise _unreadable(error) from None


def within(line: str, limit: int):
    """A whole line, or an `Overlong` if it is past `limit` (its line end not counted)."""
    length = len(line.rstrip("\r\n"))
    return line if length <= limit else _overlong(line, length, limit)


def _overlong(start: str, length: int, limit: int) -> Overlong:
    return Overlong(start[:QUOTED], length, limit, start.lstrip()[:1] or None)


def guarded(read, size: int):
    """`read(size)`, its OSError said as an AutodiffError."""
    try:
        return read(size)
    except OSError as error:
        raise _unreadable(error) from None


def is_streaming(stream) -> bool:
    """Input from a pipe or a terminal: it may never end, so each record goes out at once."""
    try:
        return not stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):
        return True
