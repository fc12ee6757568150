"""Every input read in bounded pieces, so no input can take more memory than its limit.

An expression is read up to its limit and refused past it, without reading
the rest. A stream is read a physical line at a time: a line past its limit
is read on to its end in small pieces and dropped, so the stream goes on with
the next line however long (or endless) this one is. Reading is plain Python
between pieces, so Ctrl-C and SIGTERM are answered at once. A UTF-8 byte
order mark at the start of any input is skipped; bytes that are not UTF-8
become U+FFFD, never an exception.
"""

from __future__ import annotations

import io
import sys

from autodiff_cli.errors import AutodiffError

EXPRESSION_LIMIT = 16 * 2**20  # characters of an expression, or of one --lines line
RECORD_LIMIT = 2**20  # characters of one CSV row or JSON Lines record: numbers only
PIECE = 2**16  # characters read at a time past a limit
QUOTED = 200  # characters of an overlong input an error record repeats


def open_input(path: str):
    """A text stream of FILE, or of standard input for '-'."""
    if path != "-":
        try:
            return open(path, encoding="utf-8-sig", errors="replace", newline="")  # noqa: SIM115
        except OSError as error:
            raise AutodiffError("input", f"cannot read {path}: {error.strerror}") from None
    stdin = sys.stdin
    if stdin is None:  # started with standard input closed (`<&-`)
        raise AutodiffError("input", "cannot read standard input: it is closed")
    buffer = getattr(stdin, "buffer", None)
    if buffer is None:  # already text (tests, embedding)
        return stdin
    return io.TextIOWrapper(buffer, encoding="utf-8-sig", errors="replace", newline="")


def _unreadable(error: OSError) -> AutodiffError:
    return AutodiffError("input", f"cannot read the input: {error.strerror or error}")


def read_expression(stream) -> str:
    """The whole stream, refused as soon as it passes the expression limit."""
    try:
        return _read_expression(stream)
    except OSError as error:
        raise _unreadable(error) from None


def _read_expression(stream) -> str:
    pieces: list[str] = []
    size = 0
    while piece := stream.read(PIECE):
        size += len(piece)
        if size > EXPRESSION_LIMIT:
            raise AutodiffError(
                "input",
                f"the expression is longer than the limit of {EXPRESSION_LIMIT:,} characters",
            )
        pieces.append(piece)
    return "".join(pieces)


class Overlong:
    """A line past its limit: its first characters and its length, all that is kept of it."""

    def __init__(self, head: str, length: int, limit: int) -> None:
        self.head, self.length, self.limit = head, length, limit

    def error(self, what: str) -> AutodiffError:
        return AutodiffError(
            "input", f"{what} is {self.length:,} characters; the limit is {self.limit:,}"
        )


def lines(stream, limit: int):
    """Each physical line of `stream` (its line end kept), or an `Overlong` for one past `limit`."""
    try:
        yield from _lines(stream, limit)
    except OSError as error:
        raise _unreadable(error) from None


def _lines(stream, limit: int):
    while line := stream.readline(limit + 1):
        if len(line) <= limit or line.endswith(("\n", "\r")):
            yield line
            continue
        head, length = line[:QUOTED], len(line)
        del line
        while (rest := stream.readline(PIECE)) and not rest.endswith(("\n", "\r")):
            length += len(rest)
        length += len(rest.rstrip("\r\n"))
        yield Overlong(head, length, limit)


def quoted(text: str) -> str:
    """At most QUOTED characters of an input, for an error record that repeats it."""
    return text if len(text) <= QUOTED else text[:QUOTED] + "..."
