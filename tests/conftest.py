"""Shared helpers: run the installed `autodiff` command as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parent.parent


def user_env(**extra: str) -> dict[str, str]:
    """The environment of a user whose PATH starts with this Python's scripts."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "100"
    env.update(extra)
    return env


def run_shell(command: str, cwd: Path, stdin: str | None = None, **env: str):
    return subprocess.run(
        command,
        shell=True,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=user_env(**env),
        timeout=120,
    )


@pytest.fixture
def autodiff(tmp_path):
    """Run the installed `autodiff` with arguments, from a directory outside the repo."""

    def run(*args: str, stdin: str | None = None, **env: str):
        return subprocess.run(
            [str(BIN / "autodiff"), *args],
            cwd=tmp_path,
            input=stdin,
            capture_output=True,
            text=True,
            env=user_env(**env),
            timeout=120,
        )

    return run


class Ran:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def cli(monkeypatch, capsys):
    """Run `autodiff` in this process (fast): its exit code, stdout and stderr."""
    import io

    from autodiff_cli.cli import main

    def run(*args: str, stdin: str | bytes = "") -> Ran:
        monkeypatch.setattr(sys, "argv", ["autodiff", *args])
        if isinstance(stdin, bytes):  # like a real stdin: text over a byte buffer
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        else:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as exit:
            code = exit.code
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run
