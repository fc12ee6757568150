"""Find the grammar and load its LALR tables without building them or importing Lark.

Building the LALR tables from `expr.lark` takes longer than the rest of a
run, and importing Lark alone 24 ms, so the tables are built once, with
Lark, by `python -m autodiff_cli.grammar` (`tables.py`) and shipped beside
the grammar as JSON (`expr.lalr.json`), which our own driver (`lalr.py`)
runs. JSON, not pickle: loading it runs no code. The file is read only from
the package itself, never from a cache directory another user could write
to. Its fingerprint is the grammar's text itself with FORMAT, the version of
the tables' layout (raise it when `tables.py` or `lalr.py` changes what the
file holds): exact, and no hash to compute (hashlib alone costs 4 ms of
start-up). Not Lark's version, which a run cannot know without importing
Lark, and which matters only when the tables are built: the tests compare
the shipped tables with what the installed Lark builds, and the driver with
Lark's parser. When the file does not match the grammar (an edited grammar
in a checkout), the tables are built in memory with Lark instead.
"""

from __future__ import annotations

import json
import os
import sys

from autodiff_cli.lalr import Parser

FORMAT = 1
_HERE = os.path.dirname(os.path.abspath(__file__))  # os.path: pathlib costs start-up time


def grammar_dir() -> str:
    """`autodiff_cli/grammars` when installed; the repository's `grammars/` in a checkout."""
    for candidate in (os.path.join(_HERE, "grammars"), os.path.join(_HERE, "..", "grammars")):
        if os.path.isfile(os.path.join(candidate, "expr.lark")):
            return os.path.normpath(candidate)
    raise FileNotFoundError("the grammar expr.lark is not installed with autodiff_cli")


def _read(name: str) -> str:
    with open(os.path.join(grammar_dir(), name), encoding="utf-8") as f:
        return f.read()


def _fingerprint(grammar: str) -> list:
    return [FORMAT, grammar]


def load(builder, debug: bool = False) -> Parser:
    """The expression parser, calling `builder`'s methods while it parses.

    `debug` builds the tables afresh with Lark, which then logs any LALR conflict.
    """
    grammar = _read("expr.lark")
    if not debug:
        try:
            saved = json.loads(_read("expr.lalr.json"))
            if saved["fingerprint"] == _fingerprint(grammar):
                return Parser(saved["tables"], builder)
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            pass  # missing, stale or damaged: build the tables below
    return Parser(_build(grammar, debug), builder)


def _build(grammar: str, debug: bool = False) -> dict:
    try:
        from autodiff_cli.tables import build  # imports Lark
    except ImportError:
        raise RuntimeError(
            "grammars/expr.lalr.json does not match grammars/expr.lark; "
            "rebuild it with `python -m autodiff_cli.grammar` (needs lark: pip install lark)"
        ) from None
    return build(grammar, debug)


def write_tables() -> str:
    """Build the tables from the grammar and save them beside it."""
    grammar = _read("expr.lark")
    saved = {"fingerprint": _fingerprint(grammar), "tables": _build(grammar)}
    path = os.path.join(grammar_dir(), "expr.lalr.json")
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(saved, sort_keys=True, indent=0) + "\n")
    return path


if __name__ == "__main__":
    print(f"wrote {write_tables()}", file=sys.stderr)
