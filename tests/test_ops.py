"""Every operation of the table: derivative rules, conventions, no exceptions.

Parametrised over `OPS`, so a new entry in the table is tested here at once.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autodiff_cli.ops import OPS, Op
from autodiff_cli.value import Value, apply

# Where each operation is smooth; any other operation is sampled in (-3, 3).
DOMAINS = {
    "log": [(0.05, 5.0)],
    "log2": [(0.05, 5.0)],
    "log10": [(0.05, 5.0)],
    "log1p": [(-0.9, 3.0)],
    "sqrt": [(0.05, 5.0)],
    "tan": [(-1.3, 1.3)],
    "asin": [(-0.9, 0.9)],
    "acos": [(-0.9, 0.9)],
    "atanh": [(-0.9, 0.9)],
    "acosh": [(1.1, 4.0)],
    "atan2": [(0.2, 3.0), (-3.0, 3.0)],  # y > 0: away from the cut along y = 0, x < 0
    "hypot": [(0.2, 3.0), (-3.0, 3.0)],  # away from the origin
    "div": [(-3.0, 3.0), (0.3, 3.0)],
    "pow": [(0.2, 3.0), (-2.5, 2.5)],
    "pow_const": [(0.2, 3.0), (-3.0, 3.0)],
}
# PyTorch masks x**y's base derivative where y == 0, so the derivative of that
# derivative is 0 there, not the limit (tested at the singular points below).
MASKED = {"pow": lambda point: point[1] == 0.0}


def inputs(op: Op) -> int:
    """Nodes a call gives it: three for one that takes any number."""
    return 3 if op.arity is None else op.arity


def operands(op: Op) -> int:
    return inputs(op) + (1 if op.takes_constant else 0)


def away_from_kinks(op: Op, point) -> bool:
    """Not within 1e-3 of a jump of the derivative or the value (relu at 0, a tie, ...)."""
    if op.kinks is None:
        return True
    nodes, constant = point[: inputs(op)], (point[-1] if op.takes_constant else None)
    return op.kinks.near(*op.operands(nodes, constant), 1e-3) is None


def point_strategy(op: Op):
    ranges = DOMAINS.get(op.name, [(-3.0, 3.0)] * operands(op))
    return st.tuples(*(st.floats(lo, hi) for lo, hi in ranges))


def run(op: Op, point: tuple[float, ...]):
    """out = op(point) as a graph; returns (out, input leaves)."""
    leaves = tuple(Value(x) for x in point[: inputs(op)])
    constant = point[-1] if op.takes_constant else None
    return apply(op, leaves, constant), leaves


def forward(op: Op, point) -> float:
    return op.forward(*point)  # the constant, if any, is the last operand


@pytest.mark.slow
@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_derivative_matches_central_difference(op, data):
    point = data.draw(point_strategy(op))
    assume(away_from_kinks(op, point))
    out, leaves = run(op, point)
    out.backward()
    for i, leaf in enumerate(leaves):
        h = 1e-6 * max(1.0, abs(point[i]))
        up = list(point)
        down = list(point)
        up[i] += h
        down[i] -= h
        numeric = (forward(op, up) - forward(op, down)) / (2 * h)
        assert leaf.grad == pytest.approx(numeric, rel=1e-5, abs=1e-6), (op.name, point, i)


@pytest.mark.slow
@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_second_derivative_from_the_same_rules(op, data):
    point = data.draw(point_strategy(op))
    assume(away_from_kinks(op, point))
    if op.name in MASKED:
        assume(not MASKED[op.name](point))

    def first_derivatives(p):
        out, leaves = run(op, p)
        out.backward()
        return [leaf.grad for leaf in leaves]

    out, leaves = run(op, point)
    out.backward(create_graph=True)
    for i, leaf in enumerate(leaves):
        g = leaf.grad
        assert isinstance(g, (Value, float))
        if not isinstance(g, Value):
            continue  # a constant local derivative (add, sub, neg): second derivative 0
        for v in leaves:
            v.grad = 0.0
        g.backward()
        for j, other in enumerate(leaves):
            h = 1e-5 * max(1.0, abs(point[j]))
            up, down = list(point), list(point)
            up[j] += h
            down[j] -= h
            numeric = (first_derivatives(up)[i] - first_derivatives(down)[i]) / (2 * h)
            assert other.grad == pytest.approx(numeric, rel=1e-4, abs=1e-5), (op.name, i, j)


@pytest.mark.slow
@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_no_python_exception_on_any_double(op, data):
    point = data.draw(st.tuples(*[st.floats(allow_nan=True, allow_infinity=True)] * operands(op)))
    out, leaves = run(op, point)
    out.backward()
    assert type(out.data) is float
    assert all(type(leaf.grad) is float for leaf in leaves)


def leaf_op(name):
    return next(op for op in OPS if op.name == name)


@pytest.mark.parametrize(
    "name, point, value",
    [
        ("div", (1.0, 0.0), math.inf),
        ("div", (-1.0, 0.0), -math.inf),
        ("div", (1.0, -0.0), -math.inf),
        ("div", (0.0, 0.0), math.nan),
        ("pow_const", (0.0, -1.0), math.inf),
        ("pow_const", (-0.0, -1.0), -math.inf),
        ("pow_const", (0.0, -2.0), math.inf),
        ("pow_const", (-8.0, 1 / 3), math.nan),
        ("pow_const", (10.0, 400.0), math.inf),
        ("pow_const", (-10.0, 401.0), -math.inf),
        ("pow_const", (9.0, 9.0**9), math.inf),
        ("pow", (-8.0, 1 / 3), math.nan),
        ("log", (0.0,), -math.inf),
        ("log", (-1.0,), math.nan),
        ("sqrt", (-1.0,), math.nan),
        ("exp", (1000.0,), math.inf),
        ("exp", (-1000.0,), 0.0),
        ("sin", (math.inf,), math.nan),
        ("cos", (-math.inf,), math.nan),
        ("tan", (math.inf,), math.nan),
        ("sigmoid", (-1000.0,), 0.0),
        ("sigmoid", (1000.0,), 1.0),
        ("relu", (math.nan,), math.nan),
    ],
)
def test_ieee_values_like_pytorch_float64(name, point, value):
    got = leaf_op(name).forward(*point)
    if math.isnan(value):
        assert math.isnan(got)
    else:
        assert got == value and math.copysign(1, got) == math.copysign(1, value)


@pytest.mark.parametrize(
    "build, x, grad",
    [
        (lambda x: x.relu(), 0.0, 0.0),  # relu'(0) = 0
        (lambda x: x.abs(), 0.0, 0.0),  # abs'(0) = 0
        (lambda x: x.sqrt(), 0.0, math.inf),  # sqrt'(0) = +inf
        (lambda x: x**0, 0.0, 0.0),  # d/dx x**0 = 0 at x = 0
        (lambda x: x**0, 5.0, 0.0),
        (lambda x: x**2, 0.0, 0.0),
        (lambda x: x**0.5, 0.0, math.inf),
        (lambda x: x ** Value(2.0), 0.0, 0.0),
        (lambda x: Value(0.0) ** x, 2.0, 0.0),  # exponent's derivative at base 0
        (lambda x: x.log(), 0.0, math.inf),
        (lambda x: 1 / x, 0.0, -math.inf),
    ],
)
def test_conventions_at_kinks_and_edges(build, x, grad):
    v = Value(x)
    build(v).backward()
    assert v.grad == grad


def test_zero_to_the_zero_is_one_as_in_pytorch():
    assert (Value(0.0) ** 0).data == 1.0
    assert (Value(0.0) ** Value(0.0)).data == 1.0


def test_results_are_never_complex():
    out = Value(-8.0) ** (1 / 3)
    assert type(out.data) is float and math.isnan(out.data)


def test_every_function_is_a_method_with_its_rule_as_docstring():
    for op in OPS:
        if op.function and op.name != "where":
            method = getattr(Value, op.name)
            assert op.rule in method.__doc__
            others = () if op.takes_constant else [Value(0.25)] * (len(op.params) - 1)
            assert getattr(Value(0.5), op.name)(*others)._fn is op
