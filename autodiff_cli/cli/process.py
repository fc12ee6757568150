"""How the process ends: whatever fails, reading or writing, is a message and an exit code.

The command runs with click's own handlers out of the way (the CLI invokes
it directly), so every way out is decided here, in one place:

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
  ends at the end of a record (`autodiff_cli.cli.output`).
"""

from __future__ import annotations

import os
import sys

import click

from autodiff_cli.cli.output import Terminated, Unwritable, guarded, silence
from autodiff_cli.errors import EXIT_USAGE, AutodiffError

INTERRUPTED, BROKEN_PIPE, TERMINATED = 130, 141, 143  # 128 + SIGINT, SIGPIPE, SIGTERM


def say(text: str) -> None:
    """A line on standard error, or nothing if it cannot be written."""
    try:  # what was written before comes first, as it happened (`2>&1`)
        sys.stdout.flush()
    except (OSError, ValueError, AttributeError, Unwritable):
        pass  # the output's own failure is reported where it is written
    try:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        silence(sys.stderr)


def warn(message: str) -> None:
    say(f"autodiff: warning: {message}")


def _write_output(text: str) -> int | None:
    """Write and flush standard output: None if it worked, else the exit code it earns."""
    try:
        if text:  # even an empty write fails on a full disk
            sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        silence(sys.stdout)
        return BROKEN_PIPE
    except Unwritable as error:
        return _cannot_write(error)
    return None


def _cannot_write(error: Unwritable) -> int:
    silence(sys.stdout)
    return report(AutodiffError("io", f"cannot write the output: {error.reason}"), False)


def report(error: AutodiffError, wants_json: bool) -> int:
    """Render an error in the one place errors are rendered; its exit code."""
    from autodiff_cli.render.dialects import json_line
    from autodiff_cli.render.errors import as_json, for_people

    if wants_json:
        failed = _write_output(json_line(as_json(error)))
        if failed == BROKEN_PIPE:
            return failed
        say(for_people(error))
        return failed or error.exit_code
    say(for_people(error))
    return error.exit_code


def isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (OSError, ValueError, AttributeError):
        return False


def run(invoke, wants_json: bool, said=(INTERRUPTED, TERMINATED)) -> int:
    """Run `invoke()` (the command) and turn however it ends into an exit code.

    `said`: the signals' codes whose word this run says (a session's line
    leaves the word to the session's end, when the signal ends it)."""
    if sys.stderr is None:  # started with standard error closed (`2>&-`)
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process
    with guarded():
        try:
            code = _outcome(invoke, wants_json)
        except KeyboardInterrupt:  # a signal while an error was being reported
            code = INTERRUPTED
        except Terminated:
            code = TERMINATED
        if code != BROKEN_PIPE:
            try:  # what was written, whole, even when stopped
                code = _write_output("") or code
            except KeyboardInterrupt:
                code = INTERRUPTED
            except Terminated:
                code = TERMINATED
    if code == INTERRUPTED and code in said:  # after the ^C a terminal echoed: a line of its own
        say(("\n" if isatty(sys.stderr) else "") + "autodiff: interrupted")
    elif code == TERMINATED and code in said:
        say("autodiff: terminated")
    return code


def usage_error(error: click.ClickException) -> AutodiffError:
    """Click's refusal (a bad --format, an extra argument) as ours, in lower case as every
    other message."""
    message = error.format_message()
    return AutodiffError("usage", message[:1].lower() + message[1:])


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
        return report(usage_error(error), wants_json)
    except (KeyboardInterrupt, click.exceptions.Abort):
        return INTERRUPTED
    except Terminated:
        return TERMINATED
    except BrokenPipeError:
        silence(sys.stdout)
        return BROKEN_PIPE
    except Unwritable as error:  # a full disk, a closed output: no traceback either
        return _cannot_write(error)
    except Exception as error:  # noqa: BLE001 - a bug of ours: still a message, not a traceback
        message = f"internal error, please report it: {type(error).__name__}: {error}"
        return report(AutodiffError("internal", message), wants_json)
