"""How the process ends: whatever fails, reading or writing, is a message and an exit code.

The command runs with click's own handlers out of the way (`run` calls it
directly), so every way out is decided here, in one place:

- an `AutodiffError`: its message (and the JSON object when JSON was asked
  for), its kind's exit code;
- the reader of standard output gone (`| head -1`, `| true`): 141, quietly,
  whatever was being written (a table, help, an error object);
- standard output that cannot be written (a full disk, closed): 2 and
  `cannot write the output: ...` on standard error;
- standard error that cannot be written: nothing more is said there, and the
  result and exit code stand (a warning lost never loses a result);
- Ctrl-C: 130 and `autodiff: interrupted`; SIGTERM: 143 and
  `autodiff: terminated`, after what was written is flushed, so a stream
  ends at the end of a record.
"""

from __future__ import annotations

import json
import os
import signal
import sys

import click

from autodiff_cli.errors import EXIT_USAGE, AutodiffError

INTERRUPTED, BROKEN_PIPE, TERMINATED = 130, 141, 143  # 128 + SIGINT, SIGPIPE, SIGTERM


class Terminated(BaseException):  # noqa: N818 - a signal, like KeyboardInterrupt
    """SIGTERM, raised where the program stands, so that the way out flushes what was written."""


def say(text: str) -> None:
    """A line on standard error, or nothing if it cannot be written."""
    try:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        _silence(sys.stderr)


def warn(message: str) -> None:
    say(f"autodiff: warning: {message}")


def _silence(stream) -> None:
    """Send what is left of `stream` to /dev/null, so flushing it at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _write_output(text: str) -> int | None:
    """Write and flush standard output: None if it worked, else the exit code it earns."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        _silence(sys.stdout)
        return BROKEN_PIPE
    except OSError as error:
        return _cannot_write(error)
    return None


def _cannot_write(error: OSError) -> int:
    _silence(sys.stdout)
    reason = error.strerror or str(error)
    return report(AutodiffError("io", f"cannot write the output: {reason}"), wants_json=False)


def report(error: AutodiffError, wants_json: bool) -> int:
    """Render an error in the one place errors are rendered; its exit code."""
    from autodiff_cli.render.errors import as_json, for_people

    if wants_json:
        failed = _write_output(json.dumps(as_json(error), ensure_ascii=False) + "\n")
        if failed == BROKEN_PIPE:
            return failed
        say(for_people(error, error.from_stdin))
        return failed or error.exit_code
    say(for_people(error, error.from_stdin))
    return error.exit_code


def run(invoke, wants_json: bool) -> int:
    """Run `invoke()` (the command) and turn however it ends into an exit code."""
    if sys.stderr is None:  # started with standard error closed (`2>&-`)
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process
    if sys.stdout is None:  # started with standard output closed (`>&-`)
        message = "cannot write the output: standard output is closed"
        return report(AutodiffError("io", message), wants_json=False)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        code = _outcome(invoke, wants_json)
        if code != BROKEN_PIPE:
            code = _write_output("") or code  # flush: complete records, even when stopped
    finally:
        signal.signal(signal.SIGTERM, previous)
    if code == INTERRUPTED:
        say("autodiff: interrupted")
    elif code == TERMINATED:
        say("autodiff: terminated")
    return code


def _terminate(signum, frame):
    raise Terminated


def _outcome(invoke, wants_json: bool) -> int:
    try:
        return invoke() or 0
    except AutodiffError as error:
        return report(error, wants_json)
    except click.exceptions.Exit as done:  # --help, --version, or a command's own exit code
        return done.exit_code
    except click.exceptions.NoArgsIsHelpError as error:  # `autodiff` alone: help on stderr
        say(error.format_message())
        return EXIT_USAGE
    except click.ClickException as error:
        return report(AutodiffError("usage", error.format_message()), wants_json)
    except (KeyboardInterrupt, click.exceptions.Abort):
        return INTERRUPTED
    except Terminated:
        return TERMINATED
    except BrokenPipeError:
        _silence(sys.stdout)
        return BROKEN_PIPE
    except OSError as error:  # a full disk, a closed terminal: no traceback either
        return _cannot_write(error)
    except Exception as error:  # noqa: BLE001 - a bug of ours: still a message, not a traceback
        message = f"internal error, please report it: {type(error).__name__}: {error}"
        return report(AutodiffError("internal", message), wants_json)
