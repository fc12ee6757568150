"""check, Hessians, second derivatives and Jacobians, against independent numbers."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_conformance import CASES

from autodiff_cli import higher
from autodiff_cli.api import grad, parse
from autodiff_cli.higher import hessian, jacobian
from autodiff_cli.ops import BY_NAME
from autodiff_cli.value import Value


@pytest.mark.parametrize(
    "source, point, expected",
    [
        ("x**3*y + 2*x*y**2", {"x": 1.5, "y": -2.0},
         {"x": {"x": 6 * 1.5 * -2.0, "y": 3 * 1.5**2 + 4 * -2.0},
          "y": {"x": 3 * 1.5**2 + 4 * -2.0, "y": 4 * 1.5}}),
        ("exp(x*y)", {"x": 0.3, "y": 0.7},
         {"x": {"x": 0.49 * math.exp(0.21), "y": (1 + 0.21) * math.exp(0.21)},
          "y": {"x": (1 + 0.21) * math.exp(0.21), "y": 0.09 * math.exp(0.21)}}),
        ("log(x)", {"x": 2.5}, {"x": {"x": -1 / 2.5**2}}),
        ("tanh(x)", {"x": 0.4},
         {"x": {"x": -2 * math.tanh(0.4) * (1 - math.tanh(0.4) ** 2)}}),
        ("sin(x)", {"x": 1.1}, {"x": {"x": -math.sin(1.1)}}),
        ("x**y", {"x": 1.7, "y": 2.3},
         {"x": {"x": 2.3 * 1.3 * 1.7**0.3,
                "y": 1.7**1.3 * (1 + 2.3 * math.log(1.7))},
          "y": {"x": 1.7**1.3 * (1 + 2.3 * math.log(1.7)),
                "y": 1.7**2.3 * math.log(1.7) ** 2}}),
    ],
)  # fmt: skip
def test_hessians_against_hand_derived_values(source, point, expected):
    got = hessian(parse(source), point)
    for row, cols in expected.items():
        for col, want in cols.items():
            assert got[row][col] == pytest.approx(want, rel=1e-13, abs=1e-14), (row, col)


SOURCES = [
    "x**3*y + sin(x*y)",
    "exp(x)*tanh(y) - log(x*x + 1)",
    "x**y + sqrt(x*y)",
    "sigmoid(x - 2*y)**2",
]  # noqa: E501


@pytest.mark.parametrize("source", SOURCES)
@settings(max_examples=40, deadline=None)
@given(x=st.floats(0.3, 2.0), y=st.floats(0.3, 2.0))
def test_hessian_matches_finite_differences_of_gradients_and_is_symmetric(source, x, y):
    expr = parse(source)
    point = {"x": x, "y": y}
    matrix = hessian(expr, point)
    for col in ("x", "y"):
        h = 1e-5 * max(1.0, point[col])
        up, down = dict(point), dict(point)
        up[col] += h
        down[col] -= h
        gu, gd = grad(expr, up).gradients, grad(expr, down).gradients
        for row in ("x", "y"):
            numeric = (gu[row] - gd[row]) / (up[col] - down[col])
            assert matrix[row][col] == pytest.approx(numeric, rel=1e-5, abs=1e-6)
    assert matrix["x"]["y"] == pytest.approx(matrix["y"]["x"], rel=1e-12, abs=1e-15)


def test_jacobian_rows_equal_separate_grad_runs():
    source = "a*b + c, sin(a)*exp(c), relu(a-b), a"
    expr = parse(source, many=True)
    point = {"a": 0.7, "b": -1.3, "c": 0.4}
    values, rows = jacobian(expr, point)
    for k, part in enumerate(source.split(", ")):
        single = grad(part, {n: v for n, v in point.items() if n in part})
        assert values[k] == single.value
        assert {n: g for n, g in rows[k].items() if n in single.gradients} == single.gradients


def test_jacobian_is_one_forward_and_one_backward_per_output(monkeypatch):
    calls = []
    real = Value.backward
    monkeypatch.setattr(Value, "backward", lambda self, **kw: calls.append(1) or real(self, **kw))
    jacobian(parse("a*b, a+b, relu(a-b)", many=True), {"a": 2.0, "b": -3.0})
    assert len(calls) == 3


def test_check_cost_is_2n_plus_1_forward_runs_and_one_backward(monkeypatch):
    counted = {"forward": 0}
    real_compile = higher.compile_expression

    def counting(expr, backward=True):
        f = real_compile(expr, backward)

        def run(*values):
            counted["forward"] += 1
            return f(*values)

        return run

    monkeypatch.setattr(higher, "compile_expression", counting)
    names = [f"x{i}" for i in range(20)]
    expr = parse(" + ".join(f"sin({a}*{b})" for a, b in zip(names, names[1:] + names[:1])))
    point = {n: 0.1 * (k + 1) for k, n in enumerate(names)}
    result = grad(expr, point)  # the one forward and backward
    rows = higher.gradcheck(expr, point, result.gradients, 1e-5, 1e-6)
    assert counted["forward"] == 2 * 20 and all(r.ok for r in rows)


def test_hessian_is_one_backward_per_variable_over_the_gradient_graph(monkeypatch):
    calls = []
    real = Value.backward
    monkeypatch.setattr(
        Value,
        "backward",
        lambda self, **kw: calls.append(kw.get("create_graph")) or real(self, **kw),
    )
    hessian(parse("x*y*z + x**2"), {"x": 1.0, "y": 2.0, "z": 3.0})
    assert calls == [True, None, None, None]


@pytest.mark.parametrize("case", CASES[::3], ids=[c["expression"] for c in CASES[::3]])
def test_check_passes_on_conformance_cases(cli, case):
    args = ["check", "--expr", case["expression"], "--format", "json"]
    args += [f"--{n}={v!r}" for n, v in case["point"].items()]
    r = cli(*args)
    report = json.loads(r.stdout)
    assert (r.returncode, report["ok"]) == (0, True), report


def test_check_fails_on_a_wrong_derivative_rule(cli, monkeypatch):
    sin = BY_NAME["sin"]
    monkeypatch.setattr(sin, "backward", lambda m, g, out, x, y: (g * 1.01 * m.cos(x),))
    r = cli("check", "sin(x)*y", "--x", "0.5", "--y", "2")
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines[0] == "variable\tautodiff\tnumeric\tabs error\trel error\tok"
    assert lines[1].startswith("x\t") and lines[1].endswith("\tFAIL")
    assert lines[2].startswith("y\t") and lines[2].endswith("\tok")
    assert r.stderr == "autodiff: warning: the gradient disagrees with finite differences for x\n"


def test_check_warns_at_a_kink(cli):
    r = cli("check", "relu(x) + y", "--x", "0", "--y", "1", "--format", "json")
    report = json.loads(r.stdout)
    assert report["warnings"] == [
        "relu(x) is on its kink at 0 (input 0): the two derivatives may legitimately differ there"
    ]
    assert r.returncode == 1  # relu'(0) = 0 by convention, the difference says 0.5


def test_hessian_cli_json_and_text(cli):
    r = cli("hessian", "x**2*y", "--x", "3", "--y", "2", "--format", "json")
    assert json.loads(r.stdout) == {
        "expression": "x**2*y",
        "value": 18.0,
        "gradients": {"x": 12.0, "y": 9.0},
        "hessian": {"x": {"x": 4.0, "y": 6.0}, "y": {"x": 6.0, "y": 0.0}},
    }
    text = cli("hessian", "x**2*y", "--x", "3", "--y", "2").stdout
    assert text == "\tx\ty\nx\t4\t6\ny\t6\t0\n"
    csv_text = cli("hessian", "x**2*y", "--x", "3", "--y", "2", "--format", "csv").stdout
    assert csv_text == ",x,y\nx,4.0,6.0\ny,6.0,0.0\n"


def test_second_derivative_through_grad(cli):
    r = cli("grad", "x**3 + x*y", "--x", "2", "--y", "5", "--order", "2", "--wrt", "x")
    assert r.stdout == "value\t18\nd2/dx2\t12\n"
    j = json.loads(cli("grad", "x**3 + x*y", "--x", "2", "--y", "5", "--order", "2",
                       "--format", "json").stdout)  # fmt: skip
    assert j == {"expression": "x**3 + x*y", "value": 18.0,
                 "second_derivatives": {"x": 12.0, "y": 0.0}}  # fmt: skip


def test_jacobian_cli(cli):
    r = cli("jacobian", "a*b, a+b, relu(a-b)", "--a", "2", "--b", "-3", "--format", "json")
    assert json.loads(r.stdout) == {
        "expression": "a*b, a+b, relu(a-b)",
        "outputs": ["a*b", "a+b", "relu(a-b)"],
        "values": [-6.0, -1.0, 5.0],
        "jacobian": [{"a": -3.0, "b": 2.0}, {"a": 1.0, "b": 1.0}, {"a": 1.0, "b": -1.0}],
    }
    text = cli("jacobian", "a*b, a+b", "--a", "2", "--b", "-3").stdout
    assert text == "output\tvalue\ta\tb\na*b\t-6\t-3\t2\na+b\t-1\t1\t1\n"


def test_several_outputs_elsewhere_are_an_error(cli):
    r = cli("grad", "a*b, a+b", "--a", "1", "--b", "2")
    assert r.returncode == 2
    assert r.stderr == (
        "autodiff: error: several outputs, separated by ',', are for autodiff jacobian\n"
        "  a*b, a+b\n"
        "     ^\n"
        "hint: one expression here; autodiff jacobian differentiates several\n"
    )
