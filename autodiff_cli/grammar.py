"""Find the grammar and load its LALR tables without rebuilding them.

Building the LALR tables from `expr.lark` takes longer than the rest of a
run, so they are built once, by `python -m autodiff_cli.grammar`, and shipped
beside the grammar as JSON (`expr.lalr.json`). JSON, not pickle: loading it
runs no code. The file is read only from the package itself, never from a
cache directory another user could write to. When it does not match the
grammar or the installed Lark, the tables are built in memory instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys

import lark
from lark import Lark

OPTIONS = {"parser": "lalr", "lexer": "basic"}
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


def _fingerprint(grammar: str) -> str:
    key = json.dumps([grammar, OPTIONS, lark.__version__], sort_keys=True)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def load(transformer, debug: bool = False) -> Lark:
    """The expression parser, calling `transformer` while it parses."""
    grammar = _read("expr.lark")
    if not debug:
        try:
            saved = json.loads(_read("expr.lalr.json"), object_hook=_decode)
            if saved["fingerprint"] == _fingerprint(grammar):
                return Lark._load_from_dict(saved["data"], saved["memo"], transformer=transformer)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass  # missing, stale or from another Lark: build the tables below
    return Lark(grammar, transformer=transformer, debug=debug, **OPTIONS)


def write_tables() -> str:
    """Build the tables from the grammar and save them beside it."""
    grammar = _read("expr.lark")
    parser = Lark(grammar, **OPTIONS)
    data, memo = parser.memo_serialize([lark.lexer.TerminalDef, lark.grammar.Rule])
    saved = {"fingerprint": _fingerprint(grammar), "data": _encode(data), "memo": _encode(memo)}
    path = os.path.join(grammar_dir(), "expr.lalr.json")
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(saved, sort_keys=True, indent=0) + "\n")
    return path


# JSON keeps only string keys; Lark's tables have integer and tuple keys.
def _encode(obj):
    if isinstance(obj, dict):
        if all(isinstance(k, str) for k in obj):
            return {k: _encode(v) for k, v in obj.items()}
        return {"#pairs": [[_encode(k), _encode(v)] for k, v in obj.items()]}
    if isinstance(obj, (list, tuple)):
        return [_encode(x) for x in obj]
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    raise TypeError(f"cannot save {type(obj).__name__} in the LALR tables")


def _decode(obj: dict):
    if len(obj) == 1 and "#pairs" in obj:
        return {tuple(k) if isinstance(k, list) else k: v for k, v in obj["#pairs"]}
    return obj


if __name__ == "__main__":
    print(f"wrote {write_tables()}", file=sys.stderr)
