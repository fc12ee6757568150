"""The command line: a thin layer that reads arguments, calls `autodiff_cli.api`, renders.

- `main`: the process (arguments in, exit code out); `process` and `output`:
  every way it can end, and standard output kept whole;
- `commands`: one short function per command; `options`: what they share;
- `inputs`: EXPR, --NAME VALUE, -D and standard input; `pipelines`: --lines
  and --points; `words`: the library's errors in the command line's words.
"""

from autodiff_cli.cli.main import main

__all__ = ["main"]
