"""`python -m autodiff_cli` runs the `autodiff` command."""

from autodiff_cli.cli import main

main()
