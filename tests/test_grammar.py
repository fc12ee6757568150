"""The grammar: LALR without conflicts, shipped tables in step, inside the wheel."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import zipfile
from pathlib import Path

import lark
import pytest
from conftest import REPO, user_env

from autodiff_cli import grammar
from autodiff_cli.builder import Builder
from autodiff_cli.parser import parse


def test_grammar_has_no_lalr_conflicts(caplog):
    caplog.set_level(logging.DEBUG, logger="lark")
    grammar.load(Builder(), debug=True)
    conflicts = [r.getMessage() for r in caplog.records if "conflict" in r.getMessage().lower()]
    assert conflicts == []


def test_shipped_tables_match_the_grammar():
    # If this fails after editing grammars/expr.lark: python -m autodiff_cli.grammar
    saved = json.loads((REPO / "grammars" / "expr.lalr.json").read_text(encoding="utf-8"))
    source = (REPO / "grammars" / "expr.lark").read_text(encoding="utf-8")
    assert saved["fingerprint"] == grammar._fingerprint(source)


SAMPLES = ["relu(a*b+c)", "-x**2^y", "d = a/b; e = -d - +c\nL = tanh(e) # c", "2**3**2*(x)"]


def _shape(parser, builder, source):
    builder.reset()
    expr = parser.parse(source)
    return [(n.op.name if n.op else n.name, n.inputs, n.constant, n.span) for n in expr.nodes]


def test_tables_load_without_building_and_parse_like_a_fresh_build(monkeypatch):
    builds = []
    real = lark.Lark.__init__
    monkeypatch.setattr(lark.Lark, "__init__", lambda *a, **k: builds.append(1) or real(*a, **k))
    b1, b2 = Builder(), Builder()
    loaded = grammar.load(b1)
    assert builds == []
    fresh = grammar.load(b2, debug=True)
    assert builds == [1]
    for source in SAMPLES:
        assert _shape(loaded, b1, source) == _shape(fresh, b2, source)


def test_stale_tables_are_ignored_and_the_grammar_is_built(monkeypatch):
    builds = []
    real = lark.Lark.__init__
    monkeypatch.setattr(lark.Lark, "__init__", lambda *a, **k: builds.append(1) or real(*a, **k))
    monkeypatch.setattr(grammar, "_fingerprint", lambda source: "not the saved one")
    builder = Builder()
    parser = grammar.load(builder)
    assert builds == [1]
    saved = Builder()
    assert _shape(parser, builder, SAMPLES[2]) == _shape(grammar.load(saved), saved, SAMPLES[2])


def test_stale_tables_without_lark_say_how_to_rebuild_them(monkeypatch):
    monkeypatch.setattr(grammar, "_fingerprint", lambda source: "not the saved one")
    monkeypatch.setitem(sys.modules, "autodiff_cli.tables", None)  # as if Lark were missing
    with pytest.raises(RuntimeError, match=r"`python -m autodiff_cli.grammar` \(needs lark"):
        grammar.load(Builder())


def test_installed_package_finds_its_grammar_from_any_directory(tmp_path):
    code = "from autodiff_cli import grammar; print(grammar.grammar_dir())"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=user_env()
    )
    assert out.returncode == 0, out.stderr
    found = Path(out.stdout.strip())
    assert (found / "expr.lark").read_text() == (REPO / "grammars" / "expr.lark").read_text()


def test_source_checkout_finds_the_repository_grammar(tmp_path):
    # An editable install imports the package from the repository, like this.
    code = (
        "from autodiff_cli import grammar, api; print(grammar.grammar_dir()); "
        "print(api.grad('x*x', {'x': 3}).gradients)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=user_env(PYTHONPATH=str(REPO)),
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [str(REPO / "grammars"), "{'x': 6.0}"]


@pytest.mark.slow
def test_built_wheel_contains_the_grammar_and_its_tables(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        env=user_env(),
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("autodiff_cli-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "autodiff_cli/grammars/expr.lark" in names
    assert "autodiff_cli/grammars/expr.lalr.json" in names
    assert "autodiff_cli/render/terminal.py" in names


def test_parse_is_not_a_tree():
    expr = parse("relu(a*b+c)")
    names = [n.op.name if n.op else n.name for n in expr.nodes]
    assert names == ["a", "b", "mul", "c", "add", "relu"]
