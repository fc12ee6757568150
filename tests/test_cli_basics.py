"""The installed command starts, tells its version and helps."""

from __future__ import annotations

import subprocess
import sys

from conftest import user_env

from autodiff_cli import __version__


def test_version(autodiff):
    result = autodiff("--version")
    assert result.returncode == 0
    assert result.stdout == f"autodiff, version {__version__}\n"


def test_help_lists_the_commands(autodiff):
    result = autodiff("--help")
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: autodiff [OPTIONS] COMMAND [ARGS]...")


def test_python_dash_m(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "autodiff_cli", "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=user_env(),
    )
    assert result.returncode == 0
    assert result.stdout == f"autodiff, version {__version__}\n"
