"""Hostile input: every failure is a message and an exit code, never a traceback.

Property-based (hypothesis) runs of the commands in this process, thousands
of cases in all, plus a sample through the installed command; then each
hostile case the README lists, and a scan that no input can reach code.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import math
import subprocess
import time
from pathlib import Path

import pytest
from conftest import BIN, REPO, user_env
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autodiff_cli import grammar
from autodiff_cli.api import grad, parse
from autodiff_cli.builder import Builder
from autodiff_cli.errors import AutodiffError
from autodiff_cli.ops import FUNCTIONS

FUZZ = settings(
    max_examples=300,
    deadline=5000,  # ms: each run ends within a bound
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_clean(r, wants_json: bool = False) -> None:
    assert r.returncode in (0, 1, 2), (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr
    if wants_json and r.stdout.strip():
        # JSON Lines ends records with "\n" only: str.splitlines would also cut
        # at U+0085 or U+2028, which a JSON string may hold as they are.
        for line in r.stdout.rstrip("\n").split("\n"):
            json.loads(line)


# Expressions from the grammar, then mutated.
NAMES = st.sampled_from(["x", "y", "a1", "θ", "pi", "e", "__import__", "os", "exec"])
NUMBERS = st.sampled_from(["0", "1", "2.5", ".5", "1e-3", "1e308", "9", "0.0"])
expressions = st.recursive(
    st.one_of(NAMES, NUMBERS),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**", "^"]), inner).map(
            lambda t: f"{t[0]} {t[1]} {t[2]}"
        ),
        st.tuples(st.sampled_from(sorted(FUNCTIONS)), inner).map(lambda t: f"{t[0]}({t[1]})"),
        inner.map(lambda s: f"({s})"),
        inner.map(lambda s: f"-{s}"),
    ),
    max_leaves=12,
)


@st.composite
def mutated(draw):
    text = draw(expressions)
    if not text:
        return text
    k = draw(st.integers(0, len(text) - 1))
    how = draw(st.sampled_from(["delete", "duplicate", "swap", "keep"]))
    if how == "delete":
        return text[:k] + text[k + 1 :]
    if how == "duplicate":
        return text[: k + 1] + text[k:]
    if how == "swap" and k + 1 < len(text):
        return text[:k] + text[k + 1] + text[k] + text[k + 2 :]
    return text


VALUES = ["--x", "0.5", "--y", "-2", "-D", "a1=3", "--θ", "1", "-De=2", "--exec=1", "--os", "4"]
COMMANDS = [
    ("grad", "--format", "json"),
    ("trace", "--format", "json"),
    ("graph", "--format", "dot"),
    ("check", "--format", "json"),
    ("hessian", "--format", "json"),
    ("jacobian", "--format", "json"),
]


@pytest.mark.slow
@FUZZ
@given(text=st.text(max_size=120))
def test_arbitrary_text_in_every_command(cli, text):
    for command in COMMANDS:
        r = cli(command[0], "--expr", text, *VALUES, *command[1:])
        assert_clean(r, wants_json=command[-1] == "json")


@pytest.mark.slow
@FUZZ
@given(source=mutated())
def test_mutated_grammar_expressions(cli, source):
    for command in COMMANDS:
        r = cli(command[0], "--expr", source, *VALUES, *command[1:])
        assert_clean(r, wants_json=command[-1] == "json")
    r = cli("plot", "--expr", source, "--x", "-1:1", "--y", "2", "--samples", "9",
            "--format", "csv")  # fmt: skip
    assert_clean(r)


@pytest.mark.slow
@FUZZ
@given(data=st.binary(max_size=200))
def test_arbitrary_bytes_on_stdin(cli, data):
    assert_clean(cli("grad", "-", *VALUES, "--format", "json", stdin=data), wants_json=True)
    assert_clean(cli("grad", "--lines", "-", *VALUES, "--format", "jsonl", stdin=data), True)
    assert_clean(cli("grad", "x*y", "--points", "-", "--format", "jsonl", stdin=data), True)
    assert_clean(cli("grad", "x*y", "--points", "-", "--points-format", "jsonl", stdin=data))


# Stream rows made of what breaks CSV and JSON Lines readers: quotes, separators,
# tabs, NUL, a byte order mark; rows joined by new lines, so each is one physical line.
def rows_of(pieces):
    row = st.lists(st.sampled_from(pieces), max_size=12).map("".join)
    return st.lists(row, max_size=8)


CSV_PIECES = ["1", "2.5", "-", "e", "x", ",", '"', " ", "\t", "\r", "\0", "\ufeff", "nan", ""]
JSON_PIECES = ["{", "}", '"x"', '"y"', ":", "1", ",", " ", "\t", "\r", "[", "]", '"', "\ufeff"]


@pytest.mark.slow
@FUZZ
@given(rows=rows_of(CSV_PIECES))
def test_csv_points_give_one_record_per_physical_row(cli, rows):
    stream = "x,y\n" + "".join(row + "\n" for row in rows)
    r = cli("grad", "x*y", "--points", "-", "--format", "csv", stdin=stream.encode())
    assert_clean(r)
    assert r.returncode in (0, 1) and len(list(csv.reader(io.StringIO(r.stdout)))) == len(rows) + 1


@pytest.mark.slow
@FUZZ
@given(rows=rows_of(JSON_PIECES))
def test_jsonl_points_give_one_record_per_line_that_is_not_blank(cli, rows):
    stream = "".join(row + "\n" for row in rows)
    r = cli("grad", "x*y", "--points", "-", "--points-format", "jsonl", "--format", "jsonl",
            stdin=stream.encode())  # fmt: skip
    assert_clean(r, wants_json=True)
    rows = [rows[0].removeprefix("\ufeff"), *rows[1:]] if rows else rows  # the input's BOM
    records = r.stdout.rstrip("\n").split("\n") if r.stdout else []
    assert len(records) == sum(1 for row in rows if row.strip())


@pytest.mark.slow
@FUZZ
@given(rows=rows_of(["x", "*", "(", ")", "\t", "\r", "#", "1", ";", "=", " ", "\ufeff", '"', ","]))
def test_lines_give_one_text_record_of_three_or_more_fields_per_expression(cli, rows):
    stream = "".join(row + "\n" for row in rows)
    r = cli("grad", "--lines", "-", "--x", "2", stdin=stream.encode())
    assert_clean(r)
    rows = [rows[0].removeprefix("\ufeff"), *rows[1:]] if rows else rows  # the input's BOM
    wanted = [row.strip() for row in rows]
    records = r.stdout.rstrip("\n").split("\n") if r.stdout else []
    assert len(records) == sum(1 for row in wanted if row and not row.startswith("#"))
    for record in records:  # line, then "error" and its message, or the value and gradients
        line, first, *rest = record.split("\t")
        assert int(line) >= 1
        if first == "error":
            assert len(rest) == 1 and "\t" not in rest[0] and "\r" not in rest[0]
        else:
            float(first)
            assert all(name == "x" and float(g) == float(g) for name, g in
                       (field.split("=") for field in rest))  # fmt: skip


OPTION_WORDS = [
    "--format", "json", "jsonl", "csv", "table", "markdown", "xml", "--wrt", "x", "x,z", "",
    "--precision", "3", "0", "--color", "always", "-D", "x=1", "x", "--trace", "--order", "2",
    "--lines", "--points", "-", "--", "--x", "1e999", "nan", "-inf", "0x10", "1,5", "--expr",
    "x*x", "relu(", "--help", "-h", "--points-format", "--samples", "--rtol", "--atol",
]  # fmt: skip


@pytest.mark.slow
@FUZZ
@given(words=st.lists(st.sampled_from(OPTION_WORDS), max_size=10))
def test_random_option_lists(cli, words):
    for command in ("grad", "trace", "graph", "check", "hessian", "jacobian", "plot"):
        r = cli(command, *words, stdin="x\n1\n")
        wants_json = "json" in words and "--help" not in words and "-h" not in words
        assert_clean(r, wants_json=wants_json and r.returncode != 2 and "--format" in words)


# An argument cannot hold NUL, nor a lone surrogate that is not an escaped byte.
ARGUMENT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(data=st.binary(max_size=100), text=ARGUMENT)
def test_installed_command_with_hostile_input(data, text):
    for args, stdin in ((["grad", "-", "--x", "1"], data), (["grad", "--expr", text], b"")):
        r = subprocess.run(
            [str(BIN / "autodiff"), *args], input=stdin, capture_output=True, timeout=30,
            env=user_env(),
        )  # fmt: skip
        assert r.returncode in (0, 1, 2)
        assert b"Traceback" not in r.stderr


def test_argument_bytes_that_are_not_utf8():
    r = subprocess.run(
        [str(BIN / "autodiff"), "grad", b"x\xff+1", "--x", "1", "--format", "json"],
        capture_output=True,
        env=user_env(),
    )
    assert r.returncode == 2
    assert json.loads(r.stdout)["error"]["message"] == "the input is not valid UTF-8 here"
    assert b"Traceback" not in r.stderr


# The hostile cases of the README, one by one.
@pytest.mark.parametrize(
    "source, value",
    [
        ("9**9**9**9", math.inf),
        ("exp(exp(exp(10)))", math.inf),
        ("x**1e308", math.inf),
        ("1/0", math.inf),
        ("log(0)", -math.inf),
    ],
)
def test_huge_and_infinite_results_are_fast_and_infinite(source, value):
    t0 = time.perf_counter()
    assert grad(source, {"x": 2.0}).value == value
    assert time.perf_counter() - t0 < 5  # no big-integer arithmetic: a loose bound, not a benchmark


@pytest.mark.parametrize(
    "source, message",
    [
        ("0/0", "0/0 is undefined"),
        ("sqrt(-1)", "sqrt(-1) is undefined"),
        ("(-8)**(1/3)", "(-8)**(1/3) is undefined"),
    ],
)
def test_undefined_results_exit_1(cli, source, message):
    r = cli("grad", source)
    assert r.returncode == 1
    assert r.stderr.startswith(f"autodiff: error: {message}\n")


@pytest.mark.parametrize(
    "value, outcome",
    [
        ("nan", (1, "autodiff: error: the value of x is NaN\n")),
        ("inf", (0, "value\tinf\nx\t1\n")),
        ("-inf", (0, "value\t-inf\nx\t1\n")),
        ("1e999", (0, "value\tinf\nx\t1\n")),
        ("0x10", (2, "autodiff: error: invalid value for --x: '0x10' is not a number\n")),
        ("1,5", (2, "autodiff: error: invalid value for --x: '1,5' is not a number\n")),
        ("", (2, "autodiff: error: invalid value for --x: an empty string is not a number\n")),
    ],
)
def test_values_on_the_command_line(cli, value, outcome):
    r = cli("grad", "x", f"--x={value}")
    code, text = outcome
    assert r.returncode == code
    assert (r.stdout if code == 0 else r.stderr.split("hint:")[0].split("  x")[0]) == text


@pytest.mark.parametrize("name", ["__import__", "os", "eval", "exec", "__class__"])
def test_names_that_look_like_code_are_unknown_functions_or_variables(name):
    with pytest.raises(AutodiffError) as info:
        parse(f"{name}(1)")
    assert info.value.kind == "unknown_function"
    result = grad(f"{name} * 2", {name: 3.0})
    assert result.gradients == {name: 2.0}


def test_ten_thousand_character_identifier_and_a_10_mb_expression():
    name = "v" * 10_000
    assert grad(f"{name}**2", {name: 3.0}).gradients == {name: 6.0}
    names = [f"{'w' * 9_995}{k:05d}" for k in range(1_000)]
    source = "+".join(names)  # 10 MB in 1,999 tokens
    assert len(source) > 10_000_000
    result = grad(source, dict.fromkeys(names, 1.0))
    assert result.value == 1000.0 and set(result.gradients.values()) == {1.0}


@pytest.mark.slow
def test_program_of_a_hundred_thousand_statements():
    lines = ["s0 = x"] + [f"s{k} = s{k - 1} + x" for k in range(1, 100_000)]
    result = grad("\n".join(lines), {"x": 1.0})
    assert result.value == 100_000.0 and result.gradients == {"x": 100_000.0}


def test_input_over_the_size_limit_is_refused_with_a_message(cli, monkeypatch):
    from autodiff_cli import parser

    monkeypatch.setattr(parser, "MAX_SOURCE", 100)
    r = cli("grad", "--expr", "x+" * 60 + "x", "--x", "1")
    assert r.returncode == 2
    assert r.stderr == "autodiff: error: the expression is 121 characters; the limit is 100\n"


# No path from input to code.
def test_eval_exec_compile_only_in_the_one_reviewed_place():
    calls = []
    for path in sorted((REPO / "autodiff_cli").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id in ("eval", "exec", "compile", "__import__"):
                    calls.append((path.name, node.func.id))
    assert calls == [("compiled.py", "compile"), ("compiled.py", "exec")]


def test_tables_are_read_only_from_the_package(monkeypatch, tmp_path):
    import builtins
    import tempfile

    planted = Path(tempfile.gettempdir()) / ".lark_cache_planted.tmp"
    planted.write_text("not tables")
    (tmp_path / "expr.lalr.json").write_text('{"fingerprint": "x"}')
    (tmp_path / "grammars").mkdir()
    (tmp_path / "grammars" / "expr.lark").write_text("start: NOTHING\\nNOTHING: /x/\\n")
    monkeypatch.chdir(tmp_path)
    opened = []
    real_open = builtins.open
    monkeypatch.setattr(
        builtins, "open", lambda f, *a, **k: opened.append(str(f)) or real_open(f, *a, **k)
    )
    parser = grammar.load(Builder())
    planted.unlink()
    assert opened and all(Path(f).parent == Path(grammar.grammar_dir()) for f in opened)
    assert parser.parse is not None


def test_review_findings_stay_fixed(cli):
    # A NaN gradient from inf - inf is an error, not a printed NaN.
    r = cli("grad", "sqrt(x) - sqrt(x)", "--x", "0")
    assert r.returncode == 1 and r.stdout == ""
    assert "the gradient with respect to x is undefined" in r.stderr
    # A variable only a dead statement uses does not break the trace.
    r = cli("trace", "y = x*2; z", "--x", "1", "--z", "3")
    assert r.returncode == 0 and "x     1.0   0.0" in r.stdout
    # A negative base with a fractional exponent is NaN even when it overflows.
    assert cli("grad", "(-10)**400.5").returncode == 1
    # x**y at x = y = 0 has gradient 0 for the base, as x**0 does.
    assert cli("grad", "x**y", "--x", "0", "--y", "0").stdout == "value\t1\nx\t0\ny\t0\n"
    # Absurd JSON nesting and huge CSV cells are records or messages, not tracebacks.
    r = cli("grad", "x", "--points", "-", "--points-format", "jsonl", stdin="[" * 100_000 + "\n")
    assert r.returncode == 1 and "not valid JSON" in r.stdout
    r = cli("grad", "x", "--points", "-", stdin="x\n" + "1" * 200_000 + "\n")
    assert r.returncode == 0 and r.stdout.startswith("value\tgrad_x\n")
    assert cli("check", "x", "--x", "1", "--rtol", "-1").returncode == 2
