"""Our LALR driver against Lark itself: the same tokens, outcomes, children and graphs."""

from __future__ import annotations

import subprocess
import sys

import lark
import pytest
from conftest import REPO, user_env
from hypothesis import given, settings
from hypothesis import strategies as st

from autodiff_cli import grammar, lalr, tables
from autodiff_cli.builder import Builder
from autodiff_cli.errors import AutodiffError

GRAMMAR = (REPO / "grammars" / "expr.lark").read_text(encoding="utf-8")
LARK = lark.Lark(GRAMMAR, parser="lalr", lexer="basic")

# The grammar's alphabet, and a few characters beside it: a letter and a
# superscript that only \w knows, a character no terminal matches, \r and \f.
ALPHABET = "ab_x19.eE+-*/^<>=!(),;#\n\r\t\f ²é$"
TEXTS = st.text(alphabet=ALPHABET, max_size=40)
# Texts that parse more often: tokens glued with spaces or nothing.
PIECES = ["a", "b1", "2", ".5", "1e3", "2e", "x²", "+", "-", "*", "/", "**", "^", "<=", "==", ">"]
PIECES += ["(", ")", ",", "=", ";", "\n", "relu(", "max(", "pi", "# c\n", "\r\n"]
PROGRAMS = st.lists(
    st.tuples(st.sampled_from(PIECES), st.sampled_from(["", " ", "\t"])), max_size=25
).map(lambda parts: "".join(a + b for a, b in parts))


def _ours(builder) -> lalr.Parser:
    return grammar.load(builder)


def _tokens(tokens) -> list:
    return [(t.type, t.value, t.start_pos, t.end_pos) for t in tokens]


def _lex_ours(text: str):
    out = []
    try:
        for token in _ours(Recorder()).lex(text):
            out.append(token)
    except lalr.UnexpectedCharacters as error:
        return _tokens(out), error.pos_in_stream
    return _tokens(out), None


def _lex_lark(text: str):
    out = []
    try:
        for token in LARK.lex(text):
            out.append(token)
    except lark.exceptions.UnexpectedCharacters as error:
        return _tokens(out), error.pos_in_stream
    return _tokens(out), None


class Recorder:
    """Callbacks that return what they were given, so two parses can be compared."""

    def __getattr__(self, name: str):
        if name.startswith("_") or not name.islower():  # Lark's inlined rules, its token hooks
            raise AttributeError(name)
        return lambda children: (name, [_plain(c) for c in children])


def _plain(child):
    if hasattr(child, "start_pos"):
        return (child.type, child.value, child.start_pos, child.end_pos)
    return child


def _outcome(parse, text: str):
    try:
        return "accepted", parse(text)
    except (lalr.UnexpectedToken, lark.exceptions.UnexpectedToken) as error:
        token = error.token
        where = (token.type,) if token.type == "$END" else _plain(token)
        return "unexpected token", where, set(error.expected)
    except (lalr.UnexpectedCharacters, lark.exceptions.UnexpectedCharacters) as error:
        return "unexpected character", error.pos_in_stream


LARK_RECORDING = lark.Lark(GRAMMAR, parser="lalr", lexer="basic", transformer=Recorder())
OURS_RECORDING = grammar.load(Recorder())


@settings(max_examples=400, deadline=None)
@given(st.one_of(TEXTS, PROGRAMS))
def test_tokens_are_lark_basic_lexers(text):
    assert _lex_ours(text) == _lex_lark(text)


@settings(max_examples=400, deadline=None)
@given(st.one_of(TEXTS, PROGRAMS))
def test_parse_outcome_and_callback_children_are_larks(text):
    assert _outcome(OURS_RECORDING.parse, text) == _outcome(LARK_RECORDING.parse, text)


def test_the_samples_reach_every_outcome():
    # The property tests above mean something only if texts like theirs parse.
    outcomes = {
        _outcome(OURS_RECORDING.parse, t)[0] for t in ["a*(b+1)", "a b", "a $", "x = 2\ny, x"]
    }
    assert outcomes == {"accepted", "unexpected token", "unexpected character"}


def _graph(parser, builder, text):
    builder.reset(text)
    try:
        expr = parser.parse(text)
    except AutodiffError as error:
        return "error", error.message, error.span, error.hint
    except (lalr.UnexpectedInput, lark.exceptions.UnexpectedInput):
        return "syntax"
    nodes = [
        (n.op.name if n.op else None, n.inputs, n.constant, n.name, n.span, n.variable)
        for n in expr.nodes
    ]
    return nodes, expr.outputs, expr.output_spans, expr.variables, expr.live


LARK_BUILDER = Builder()
LARK_BUILDING = lark.Lark(GRAMMAR, parser="lalr", lexer="basic", transformer=LARK_BUILDER)
OUR_BUILDER = Builder()
OURS_BUILDING = grammar.load(OUR_BUILDER)

SAMPLES = [
    "relu(a*b+c)",
    "-x**2^y",
    "d = a/b; e = -d - +c\nL = tanh(e) # c",
    "2**3**2*(x)",
    "a < b",
    "a < b <= c",
    "max(a, b, 2) + elu(x, 0.5) + pow(x, 2) + where(x > 0, x, -x)",
    "y = x*x\n\n;;z = y + 1; y, z",
    "y, z; w",
    "f(x)",
    "relu()",
    "x² + 1",
    "-3 + -(2) + --x",
    "elu(x, y)",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_the_two_parsers_build_identical_graphs(text):
    ours = _graph(OURS_BUILDING, OUR_BUILDER, text)
    assert ours == _graph(LARK_BUILDING, LARK_BUILDER, text)
    assert ours != "syntax"


@settings(max_examples=300, deadline=None)
@given(PROGRAMS)
def test_the_two_parsers_build_identical_graphs_of_generated_programs(text):
    assert _graph(OURS_BUILDING, OUR_BUILDER, text) == _graph(LARK_BUILDING, LARK_BUILDER, text)


def test_shipped_tables_are_what_lark_builds_from_the_grammar():
    # If this fails after editing grammars/expr.lark or tables.py: python -m autodiff_cli.grammar
    import json

    saved = json.loads((REPO / "grammars" / "expr.lalr.json").read_text(encoding="utf-8"))
    assert saved["fingerprint"] == [grammar.FORMAT, GRAMMAR]
    assert saved["tables"] == tables.build(GRAMMAR)


@pytest.mark.parametrize(
    "args",
    [
        ["grad", "relu(a*b+c)", "--a", "2", "--b", "-3", "--c", "10", "--format", "json"],
        ["grad", "a*(b+"],
        ["grad", "a $ b"],
        ["grad", "2x"],
        ["grad", "f(x)"],
    ],
)
def test_a_run_never_imports_lark(args):
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "autodiff_cli", *args],
        capture_output=True,
        text=True,
        env=user_env(),
        cwd=REPO,
    )
    assert "autodiff_cli.lalr" in out.stderr  # importtime's listing is there
    assert "lark" not in out.stderr.replace("autodiff_cli.lalr", "")
