"""Reading ahead and writing behind on threads of their own, for `--points` in chunks.

Polars and numpy let go of the interpreter while they parse, compute and
format, so reading the next chunk and writing the last one overlap with the
work on this one. Both queues are bounded (memory stays flat) and ordered;
an error on either thread is raised on the main one, where it is said. Reading
ahead is for a named file only: a thread blocked reading standard input would
hold its lock when the process ends, and CPython then aborts.
"""

from __future__ import annotations

import queue
import signal
import threading
from contextlib import contextmanager

_DONE = object()
_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@contextmanager
def signals_blocked():
    """Threads started meanwhile never take Ctrl-C or SIGTERM, and the handlers stay ours.

    A process's signal goes to any thread not blocking it; taken by another
    thread, it does not interrupt the main thread's wait for input, so Ctrl-C
    would wait for the next line. A thread inherits the mask of the thread
    that starts it: polars' worker threads start on first use, so start them
    in here (`frames`). Polars' import also installs a SIGINT handler of its
    own that restarts the main thread's read: ours are put back after.
    """
    mask = getattr(signal, "pthread_sigmask", None)  # POSIX only
    previous = mask(signal.SIG_BLOCK, _SIGNALS) if mask else None
    handlers = {signum: signal.getsignal(signum) for signum in _SIGNALS}
    try:
        yield
    finally:
        if threading.current_thread() is threading.main_thread():
            for signum, handler in handlers.items():
                if handler is not None:
                    signal.signal(signum, handler)
        if mask:
            mask(signal.SIG_SETMASK, previous)


def ahead(items, depth: int = 2):
    """`items`, made by a thread of their own up to `depth` ahead."""
    out: queue.Queue = queue.Queue(depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if not _put(out, (item, None), stop):
                    return
            _put(out, (_DONE, None), stop)
        except BaseException as error:  # noqa: BLE001 - raised on the main thread
            _put(out, (_DONE, error), stop)

    thread = threading.Thread(target=produce, name="autodiff-read-ahead", daemon=True)
    with signals_blocked():
        thread.start()
    try:
        while True:
            item, error = out.get()
            if error is not None:
                raise error
            if item is _DONE:
                return
            yield item
    finally:  # the consumer left early: the producer stops at its next item
        stop.set()
        thread.join()


def _put(out: queue.Queue, item, stop: threading.Event) -> bool:
    """Put `item`, unless the consumer has gone; False then."""
    while not stop.is_set():
        try:
            out.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


class Behind:
    """Calls run in order by a thread of its own, at most `depth` waiting."""

    def __init__(self, depth: int = 2) -> None:
        self._calls: queue.Queue = queue.Queue(depth)
        self._error: BaseException | None = None
        self._dropping = False
        self._thread = threading.Thread(target=self._work, name="autodiff-write-behind",
                                        daemon=True)  # fmt: skip
        with signals_blocked():
            self._thread.start()

    def __call__(self, fn, *args) -> None:
        self._raise()
        self._calls.put((fn, args))

    def wait(self) -> None:
        """Wait until every call made is done (the caller may then write itself)."""
        self._calls.join()
        self._raise()

    def close(self) -> None:
        """Wait for every call made; raise the first error one of them had."""
        self._calls.put(None)
        self._thread.join()
        self._raise()

    def abandon(self) -> None:
        """Drop the calls not begun; wait for the one under way (a write ends whole)."""
        self._dropping = True
        self._calls.put(None)
        self._thread.join()

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _work(self) -> None:
        while (call := self._calls.get()) is not None:
            if self._error is None and not self._dropping:  # else calls are dropped
                try:
                    call[0](*call[1])
                except BaseException as error:  # noqa: BLE001 - raised on the main thread
                    self._error = error
            self._calls.task_done()
