"""Programs in a real pseudo-terminal of a given size, as a person runs them.

Standard input, output and error are the terminal (so isatty() is true and
Rich measures it), and the program leads its own session with the terminal as
its controlling terminal (so Ctrl-C typed as the byte 0x03 is SIGINT from the
line discipline, as at a keyboard).
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import termios
import time

from conftest import BIN, user_env


class Session:
    """A program running on a terminal: type into it, read what it shows."""

    def __init__(self, argv: list[str], env: dict, columns: int, rows: int = 50, cwd=None,
                 stdout=None, stdin=None) -> None:  # fmt: skip
        """`stdout`, `stdin`: files instead of the terminal (`> out.csv`, `< session.txt`)."""
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: size the terminal before anything reads it
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
            if cwd is not None:
                os.chdir(cwd)
            if stdout is not None:
                os.dup2(os.open(stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 1)
            if stdin is not None:
                os.dup2(os.open(stdin, os.O_RDONLY), 0)
            os.execve(argv[0], argv, env)
        self.shown = b""  # everything shown so far
        self._unread = 0  # where the next read_until starts
        self._answered = 0  # cursor position requests answered, as a terminal answers them

    def read_until(self, text: str, timeout: float = 30) -> str:
        """What the terminal showed since the last call, up to and including `text`; all
        it showed if `text` never came (the program ended, or `timeout` seconds passed)."""
        wanted, end = text.encode(), time.monotonic() + timeout
        while wanted not in self.shown[self._unread :] and time.monotonic() < end:
            if select.select([self.fd], [], [], 0.1)[0]:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:  # the program has gone, and with it the terminal
                    break
                if not chunk:
                    break
                self.shown += chunk
                self._answer_position_requests()
        found = self.shown.find(wanted, self._unread)
        cut = len(self.shown) if found < 0 else found + len(wanted)
        shown, self._unread = self.shown[self._unread : cut], cut
        return shown.decode("utf-8", "replace")

    def _answer_position_requests(self) -> None:
        """ESC [ 6 n asks where the cursor is (prompt_toolkit asks): a terminal answers at
        once; so does this one, with the top left corner (the program only lays out below)."""
        asked = self.shown.count(b"\x1b[6n")
        while self._answered < asked:
            os.write(self.fd, b"\x1b[1;1R")
            self._answered += 1

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def finish(self, timeout: float = 60) -> tuple[int, str]:
        """Its exit code, and everything it showed, once it has ended."""
        self.read_until("\0never\0", timeout)
        _pid, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status), self.shown.decode("utf-8", "replace")

    def close(self) -> None:
        """End it now (an interactive shell does not end by itself); nothing if it has."""
        for step in (lambda: os.close(self.fd), lambda: os.kill(self.pid, signal.SIGKILL),
                     lambda: os.waitpid(self.pid, 0)):  # fmt: skip
            try:
                step()
            except OSError:  # closed, ended or collected already (finish)
                pass


def autodiff(args, columns: int, cwd=None, stdout=None, stdin=None, **env: str) -> Session:
    """The installed `autodiff` on a terminal, in a user's environment."""
    environment = user_env(**env)
    environment.pop("COLUMNS", None)  # the terminal's own size, not the tests' default
    environment["TERM"] = "xterm-256color"
    argv = [str(BIN / "autodiff"), *args]
    return Session(argv, environment, columns, cwd=cwd, stdout=stdout, stdin=stdin)


def in_terminal(*args: str, columns: int = 100, cwd=None, **env: str) -> tuple[int, str]:
    """(exit code, what the terminal showed: standard output and error, with \\r\\n)."""
    return autodiff(args, columns, cwd=cwd, **env).finish()
