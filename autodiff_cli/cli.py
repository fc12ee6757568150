"""The `autodiff` command line: parse arguments, call the API, pick a renderer."""

from __future__ import annotations

import click

from autodiff_cli import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="autodiff")
def cli() -> None:
    """Differentiate a math expression: its value and every variable's gradient."""


def main() -> None:
    cli(prog_name="autodiff")
