"""The library API from Python: every capability, result objects, and no command-line words.

A Python caller never meets an option (`--y VALUE`) or a command
(`autodiff functions`) in an error: those words are added by the command
line only (`autodiff_cli.cli.words`), which the other test files check.
"""

from __future__ import annotations

import io
import re

import pytest

from autodiff_cli import api, render
from autodiff_cli.cli.commands import autodiff
from autodiff_cli.errors import KINDS, AutodiffError

CLI_WORDS = re.compile(r"--[a-z]|-D |\bVALUE\b|\bautodiff [a-z]")


def _points(text: str, fmt: str = "csv", defaults=None, wrt=None):
    return api.run_points("x*y", io.StringIO(text), fmt, defaults or {}, wrt)


def _first_row_error(text: str, fmt: str = "csv"):
    ((_, outcome),) = list(_points(text, fmt))
    raise outcome


# Every way the API fails, one call each: (kind, call).
FAILURES = [
    ("syntax", lambda: api.parse("a*")),
    ("syntax", lambda: api.parse("a*b, a+b")),  # several outputs
    ("unknown_function", lambda: api.parse("foo(x)")),
    ("unknown_function", lambda: api.parse("x(2)")),
    ("arity", lambda: api.parse("relu(a, b)")),
    ("missing_value", lambda: api.grad("x*y + e", {"x": 1.0})),
    ("missing_value", lambda: api.sample("x*y", "x", 0.0, 1.0)),
    ("missing_value", lambda: _points("x\n1\n")),  # no column for y
    ("missing_value", lambda: _first_row_error("x,y\n1,\n")),
    ("invalid_value", lambda: _first_row_error("x,y\n1,abc\n")),
    ("usage", lambda: api.grad("x*y", {"x": 1.0, "y": 2.0}, wrt=["z"])),
    ("usage", lambda: _points("x,y\n1,2\n", wrt=["z"])),
    ("usage", lambda: api.grad("x", {"x": 1.0}, order=9)),
    ("usage", lambda: api.grad("x", {"x": 1.0}, order=0)),
    ("usage", lambda: api.sample("x", "x", 0.0, 1.0, order=4)),
    ("usage", lambda: api.sample("x**3", "x", 0.0, 1.0, samples=10**6, order=3)),
    ("usage", lambda: api.sample("x", "x", 1.0, 0.0)),
    ("usage", lambda: api.sample("x", "x", -1e308, 1e308)),
    ("usage", lambda: api.sample("x", "x", 0.0, 1.0, samples=10**9)),
    ("usage", lambda: api.sample("x", "y", 0.0, 1.0)),
    ("usage", lambda: api.sample("x", "x", 0.0, 1.0, samples=1)),
    ("input", lambda: _points("x,x\n1,2\n")),
    ("input", lambda: _first_row_error('x,y\n"1,2\n')),
    ("input", lambda: _first_row_error("{nope\n", "jsonl")),
    ("undefined", lambda: api.grad("log(x)", {"x": -1.0})),
    ("undefined", lambda: api.grad("x/x", {"x": 0.0})),
    ("undefined", lambda: api.trace("0 * log(x)", {"x": 0.0})),
    ("undefined", lambda: api.hessian("abs(x)**0.5", {"x": 0.0})),
    ("undefined", lambda: api.jacobian("x, log(x)", {"x": -1.0})),
]
ONLY_THE_COMMAND_LINE = {"io", "internal"}  # its output failed; a bug of its own


@pytest.mark.parametrize("kind, call", FAILURES)
def test_api_errors_speak_no_command_line(kind, call):
    with pytest.raises(AutodiffError) as info:
        call()
    error = info.value
    assert error.kind == kind
    for text in (error.message, error.hint or ""):
        assert not CLI_WORDS.search(text), text


def test_every_kind_the_api_can_raise_is_scanned():
    assert {kind for kind, _ in FAILURES} == set(KINDS) - ONLY_THE_COMMAND_LINE


def test_errors_carry_their_facts():
    with pytest.raises(AutodiffError) as info:
        api.grad("x*y*z", {"x": 1.0})
    assert info.value.data == {"reason": "missing_values", "names": ["y", "z"], "none_given": False}
    assert info.value.message == "missing values for y, z"
    with pytest.raises(AutodiffError) as info:
        api.sample("x", "x", 3.0, 1.0)
    assert info.value.data == {"reason": "range", "variable": "x", "lo": 3.0, "hi": 1.0}


# completion writes a script, repl runs a session: neither has a --format
@pytest.mark.parametrize("command", sorted(set(autodiff.commands) - {"completion", "repl"}))
def test_format_choices_are_the_registry_s(command):
    """Each command writes the kind of result named as it is, in the registry's formats."""
    (option,) = [p for p in autodiff.commands[command].params if p.name == "fmt"]
    assert tuple(option.type.choices) == render.formats(command)


@pytest.mark.parametrize("kind", ["lines", "points", "trace"])
def test_grad_can_ask_for_every_format_of_what_it_writes(kind):
    assert set(render.formats(kind)) <= set(render.formats("grad"))


@pytest.mark.parametrize(
    "kind, fmt", [(kind, fmt) for kind, table in render.WRITERS.items() for fmt in table]
)
def test_every_registered_writer_exists(kind, fmt):
    assert callable(render.writer(kind, fmt))


def test_grad_and_its_second_derivatives():
    result = api.grad("x**3*y", {"x": 2.0, "y": 3.0})
    assert (result.value, result.gradients, result.order) == (24.0, {"x": 36.0, "y": 8.0}, 1)
    second = api.grad("x**3*y", {"x": 2.0, "y": 3.0}, order=2)
    assert (second.gradients, second.order) == ({"x": 36.0, "y": 0.0}, 2)
    assert api.grad("exp(x)", {"x": 1000.0}).warnings == [
        "the value is inf",
        "the gradient with respect to x is inf",
    ]


def test_check_hessian_jacobian_graph_sample_functions():
    checked = api.check("x**2", {"x": 3.0})
    assert checked.failed == [] and checked.rows[0].auto == 6.0
    assert abs(checked.rows[0].numeric - 6.0) < 1e-8
    assert api.check("relu(x)", {"x": 0.0}).warnings == [
        "relu(x) is on its kink at 0 (input 0): the two derivatives may legitimately differ there"
    ]
    assert api.hessian("x*y", {"x": 1.0, "y": 2.0}).matrix == {
        "x": {"x": 0.0, "y": 1.0},
        "y": {"x": 1.0, "y": 0.0},
    }
    jac = api.jacobian("a*b, a+b", {"a": 2.0, "b": -3.0})
    assert (jac.outputs, jac.values) == (["a*b", "a+b"], [-6.0, -1.0])
    assert jac.rows == [{"a": -3.0, "b": 2.0}, {"a": 1.0, "b": 1.0}]
    graph = api.graph("relu(a*b+c)", {"a": 2.0, "b": -3.0, "c": 10.0})
    assert [(n.name, n.data, n.grad) for n in graph.nodes][-1] == ("L", 4.0, 1.0)
    assert [n.data for n in api.graph("a*b").nodes] == [None, None, None]
    samples = api.sample("x**2", "x", 0.0, 1.0, samples=3)
    assert samples.rows == [(0.0, 0.0, 0.0), (0.5, 0.25, 1.0), (1.0, 1.0, 2.0)]
    assert samples.drawable and not api.sample("log(x)", "x", -2.0, -1.0, samples=3).drawable
    assert [op.name for op in api.functions().ops][:3] == ["add", "sub", "mul"]


def test_streams_yield_records_in_order():
    records = list(api.run_lines(io.StringIO("x*y\n\n# no\nfoo(x)\nx\n"), {"x": 2.0, "y": 3.0}))
    assert [(n, source) for n, source, _ in records] == [(1, "x*y"), (4, "foo(x)"), (5, "x")]
    assert records[0][2].gradients == {"x": 3.0, "y": 2.0}
    assert isinstance(records[1][2], AutodiffError)
    rows = _points("x,y,z\n1,2,0\n3,\n")
    assert (rows.names, rows.unused) == (["x", "y"], ["z"])
    (one, (value, dx, dy)), (two, error) = list(rows)
    assert (one, value, dx, dy) == (1, 2.0, 2.0, 1.0)
    assert (two, error.message) == (2, "no value for y")
