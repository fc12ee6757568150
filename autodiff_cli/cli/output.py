"""Standard output for the life of one command: every write whole, every failure named.

- A write or a flush finishes before Ctrl-C or SIGTERM is acted on, so the
  output ends where a write ended (a record is one write): the signal's
  exception is raised where the program stands, or as soon as the write
  under way is done. A second signal of the same kind ends the process at
  once (a reader that never reads cannot hold it).
- Into a pipe, writes go 8 KiB at a time. One large write into a pipe whose
  reader goes away part way returns a short count, and CPython 3.11's
  buffered writer then drops the rest without an error (`trace ... | head
  -1` exited 0 with its output cut); in pieces, the next write fails, as it
  should.
- A write that fails raises `Unwritable` (a closed pipe stays
  `BrokenPipeError`), so no other `OSError` is ever taken for the output's.
- Standard output closed before the start (`>&-`) fails at the first write,
  so an error found before any output is still reported as itself.
"""

from __future__ import annotations

import errno
import io
import os
import signal
import stat
import sys
from contextlib import contextmanager


class Terminated(BaseException):  # noqa: N818 - a signal, like KeyboardInterrupt
    """SIGTERM, raised where the program stands (or after the write under way)."""


class Unwritable(Exception):  # noqa: N818 - a condition of the output, reported as such
    def __init__(self, error: OSError) -> None:
        super().__init__(error.strerror or str(error))
        self.reason = error.strerror or str(error)


_RAISES = {signal.SIGINT: KeyboardInterrupt, signal.SIGTERM: Terminated}


class _State:
    writing = False
    pending: int | None = None  # a signal that came during a write


def _on_signal(signum, frame) -> None:
    signal.signal(signum, signal.SIG_DFL)  # a second one ends the process at once
    if _State.writing:
        _State.pending = signum
    else:
        raise _RAISES[signum]


def _whole(call, *args):
    """`call(*args)`, a write or a flush, finished before a signal is acted on."""
    _State.writing = True
    try:
        return call(*args)
    except BrokenPipeError:
        raise
    except OSError as error:
        raise Unwritable(error) from None
    finally:
        _State.writing = False
        if _State.pending is not None:
            signum, _State.pending = _State.pending, None
            raise _RAISES[signum]  # noqa: B012 - the signal wins over what the call did


class _Whole:
    """Standard output whose writes and flushes finish before a signal is acted on."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return _whole(self._stream.write, text)

    def flush(self) -> None:
        _whole(self._stream.flush)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


class _Closed(io.TextIOBase):
    """Standard output that was closed before the process started: every write fails."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")


class _InPieces:
    """A binary stream written at most PIECE bytes at a time (see the module's docstring)."""

    PIECE = 8192

    def __init__(self, buffer) -> None:
        self._buffer = buffer

    def write(self, data) -> int:
        view = memoryview(data)
        for start in range(0, len(view), self.PIECE):
            self._buffer.write(view[start : start + self.PIECE])
        return len(view)

    def __getattr__(self, name: str):
        return getattr(self._buffer, name)


def _is_pipe(stream) -> bool:
    try:
        return stat.S_ISFIFO(os.fstat(stream.fileno()).st_mode) and hasattr(stream, "buffer")
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return False


@contextmanager
def guarded():
    """Standard output and the signal handlers as above, for one command; as they were after."""
    original = sys.stdout
    stream = _Closed() if original is None else original
    piped = _is_pipe(stream)
    if piped:
        stream = io.TextIOWrapper(
            _InPieces(stream.buffer), encoding=stream.encoding, errors=stream.errors
        )
    sys.stdout = _Whole(stream)
    previous = {signum: signal.signal(signum, _on_signal) for signum in _RAISES}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _State.writing, _State.pending = False, None
        sys.stdout = original
        if piped:
            try:
                stream.detach()  # flushed, and never closing the real standard output
            except (OSError, ValueError):
                pass


def silence(stream) -> None:
    """Send what is left of `stream` to /dev/null, so flushing it at exit cannot fail again."""
    try:
        fileno = stream.fileno()
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fileno)
        os.close(devnull)
    except OSError:
        pass
