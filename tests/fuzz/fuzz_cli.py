"""Coverage-guided fuzzing of the parser and evaluator with atheris (optional).

Not part of the default test run. To run it:

    pip install atheris
    python tests/fuzz/fuzz_cli.py -atheris_runs=100000

Any exception other than AutodiffError is a crash atheris reports, with the
input that caused it.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from autodiff_cli.api import grad, parse
    from autodiff_cli.errors import AutodiffError


def one_input(data: bytes) -> None:
    source = data.decode("utf-8", errors="replace")
    try:
        expr = parse(source)
        grad(expr, {name: 0.5 for name in expr.variables})
    except AutodiffError:
        pass


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
