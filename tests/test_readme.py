"""The README's examples are real: each one is run and its output checked.

- A ```console block holds `$ command` lines, each followed by the exact lines
  it prints on standard output. A leading `pip install ... &&` is dropped, and
  a bare `pip install` line skipped: the test run has the project installed.
  The test commands themselves (`pytest ...`) are not run from inside the test run.
- A ```python block is run as a script; a `print(...)  # text` line says what
  that print writes, in order.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import REPO, run_shell, user_env

README = (REPO / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```(console|python)\n(.*?)^```", README, re.S | re.M)


def console_examples():
    for kind, body in BLOCKS:
        if kind != "console":
            continue
        command, expected = None, []
        for line in body.splitlines() + ["$ "]:
            if line.startswith("$ "):
                if command and command.split()[0] != "pytest":
                    yield command, expected
                command = re.sub(r"^pip install \S+( && )?", "", line[2:])
                expected = []
            else:
                expected.append(line)


CONSOLE = list(console_examples())
PYTHON = [body for kind, body in BLOCKS if kind == "python"]


def test_readme_has_examples():
    assert len(CONSOLE) >= 1 and len(PYTHON) >= 1


@pytest.mark.slow
@pytest.mark.parametrize("command, expected", CONSOLE, ids=[c for c, _ in CONSOLE])
def test_console_example(command, expected, tmp_path):
    result = run_shell(command, cwd=tmp_path)
    assert result.stdout.splitlines() == expected, result.stderr


@pytest.mark.parametrize("source", PYTHON, ids=[f"python-{i}" for i in range(len(PYTHON))])
def test_python_example(source, tmp_path):
    expected = re.findall(r"^\s*print\(.*\)\s+# (.*)$", source, re.M)
    result = subprocess.run(
        [sys.executable, "-c", source],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=user_env(),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    printed = result.stdout.splitlines()
    assert printed == expected
