"""Start-up of `autodiff repl`: from launch to a prompt ready for typing, on a terminal.

    python benchmarks/repl.py             # the figures quoted in the README
    python benchmarks/repl.py --runs 11   # fewer runs

Target (issue 18): `autodiff` alone at a terminal shows its prompt in under 0.5 s.

Each program runs on a pseudo-terminal of 100x50 that answers cursor-position
requests as a terminal does. "Ready" is the moment prompt_toolkit turns on
bracketed paste (ESC [ ? 2004 h), which it does once the prompt is drawn and
it reads keys. Timed, interleaved, medians of wall time:
  - autodiff (no arguments): to ready; then to the answer of `x = 1; sin(x)`;
  - the floor: a bare prompt_toolkit prompt (`python -c "...prompt('> ')"`), to ready;
  - replayed: `printf 'x = 1; sin(x)\\n' | autodiff repl`, the whole process.
Every file is read once before the timed runs: the figures are a warm
cache's, the state of a machine in use. `--cold N` adds N runs of each
program with the page cache dropped before each (root on Linux only:
/proc/sys/vm/drop_caches), the first launch after a reboot.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time

AUTODIFF = shutil.which("autodiff") or "autodiff"
READY = b"\x1b[?2004h"
FLOOR = "from prompt_toolkit import prompt; prompt('> ')"


def on_terminal(argv: list[str], env: dict, answer: bytes | None = None):
    """Seconds from launch to ready, and to `answer` after typing a line (if given)."""
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 100, 0, 0))
        os.execve(argv[0], argv, env)
    shown, answered, ready, answered_at = b"", 0, None, None
    try:
        while time.perf_counter() - start < 30:
            if not select.select([fd], [], [], 0.05)[0]:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            shown += chunk
            while answered < shown.count(b"\x1b[6n"):  # where is the cursor? top left
                os.write(fd, b"\x1b[1;1R")
                answered += 1
            if ready is None and READY in shown:
                ready = time.perf_counter() - start
                if answer is None:
                    break
                typed_at, mark = time.perf_counter(), len(shown)
                os.write(fd, b"x = 1; sin(x)\r")
            elif ready is not None and answer in shown[mark:]:
                answered_at = time.perf_counter() - typed_at
                break
    finally:
        os.write(fd, b"\x04")
        os.close(fd)
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    if ready is None:
        sys.exit(f"{argv}: no prompt within 30 s:\n{shown.decode(errors='replace')}")
    return ready, answered_at


def replayed() -> float:
    start = time.perf_counter()
    subprocess.run([AUTODIFF, "repl"], input=b"x = 1; sin(x)\n", check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--cold", type=int, default=0, metavar="N")
    args = parser.parse_args()
    state = tempfile.mkdtemp()
    env = dict(os.environ, TERM="xterm-256color", XDG_STATE_HOME=state)
    env.pop("NO_COLOR", None)
    times: dict[str, list[float]] = {
        "autodiff: launch to prompt": [],
        "autodiff: `x = 1; sin(x)` typed to its answer": [],
        "floor: bare prompt_toolkit, launch to prompt": [],
        "autodiff repl < one line (whole process)": [],
    }
    for _ in range(2):  # read every file once: warm cache
        on_terminal([AUTODIFF], env, b"0.841470984808")
        on_terminal([sys.executable, "-c", FLOOR], env)
        replayed()
    for _ in range(args.runs):  # interleaved, so load on the machine hits all alike
        ready, answer = on_terminal([AUTODIFF], env, b"0.841470984808")
        times["autodiff: launch to prompt"].append(ready)
        times["autodiff: `x = 1; sin(x)` typed to its answer"].append(answer)
        times["floor: bare prompt_toolkit, launch to prompt"].append(
            on_terminal([sys.executable, "-c", FLOOR], env)[0]
        )
        times["autodiff repl < one line (whole process)"].append(replayed())
    programs = {"autodiff": [AUTODIFF], "bare prompt_toolkit": [sys.executable, "-c", FLOOR]}
    cold: dict[str, list[float]] = {name: [] for name in programs}
    for _ in range(args.cold):
        for name, argv in programs.items():
            subprocess.run(["sync"], check=True)
            with open("/proc/sys/vm/drop_caches", "w") as caches:
                caches.write("3\n")
            cold[name].append(on_terminal(argv, env)[0])
    shutil.rmtree(state)
    for name, ts in cold.items():
        if ts:
            spread = f"({min(ts) * 1e3:.0f}-{max(ts) * 1e3:.0f})"
            print(f"cold cache, {len(ts)} runs: {statistics.median(ts) * 1e3:7.1f} ms "
                  f"{spread}  {name}: launch to prompt")  # fmt: skip
    print(f"{args.runs} runs each, medians (min-max):")
    for name, ts in times.items():
        print(f"  {statistics.median(ts) * 1e3:7.1f} ms  ({min(ts) * 1e3:.0f}-"
              f"{max(ts) * 1e3:.0f})  {name}")  # fmt: skip
    ready = statistics.median(times["autodiff: launch to prompt"])
    floor = statistics.median(times["floor: bare prompt_toolkit, launch to prompt"])
    verdict = "met" if ready < 0.5 else "NOT met"
    print(f"launch to prompt: {ready:.3f} s, {ready / floor:.2f}x the bare prompt "
          f"(target < 0.5 s: {verdict})")  # fmt: skip


if __name__ == "__main__":
    main()
