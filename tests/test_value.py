"""The engine against the walkthrough: worked example, PyTorch section, rules."""

from __future__ import annotations

import math

import pytest

from autodiff_cli import Value


def worked_example():
    a, b, c = Value(2.0), Value(-3.0), Value(10.0)
    d = a * b
    e = d + c
    L = e.relu()
    return dict(a=a, b=b, c=c, d=d, e=e, L=L)


def test_worked_example_forward_values():
    n = worked_example()
    assert [n[k].data for k in "abcdeL"] == [2.0, -3.0, 10.0, -6.0, 4.0, 4.0]
    assert all(n[k].grad == 0 for k in "abcdeL")


def test_worked_example_gradients_node_by_node():
    n = worked_example()
    n["L"].backward()
    grads = {k: n[k].grad for k in "abcdeL"}
    assert grads == {"a": -3.0, "b": 2.0, "c": 1.0, "d": 1.0, "e": 1.0, "L": 1.0}


def test_worked_example_topological_order_is_the_walkthroughs():
    n = worked_example()
    name = {id(v): k for k, v in n.items()}
    order = [name[id(v)] for v in n["L"].topological_order()]
    assert order == ["a", "b", "d", "c", "e", "L"]
    assert order[::-1] == ["L", "e", "c", "d", "b", "a"]


def test_walkthrough_manual_steps_with_backward_closures():
    # The walkthrough's own loop: seed, then v._backward() in reverse order.
    n = worked_example()
    L = n["L"]
    L.grad = 1.0
    for v in reversed(L.topological_order()):
        v._backward()
    assert (n["a"].grad, n["b"].grad, n["c"].grad) == (-3.0, 2.0, 1.0)


def test_pytorch_section():
    a, b, c = Value(2.0), Value(-3.0), Value(10.0)
    L = (a * b + c).relu()
    L.backward()
    assert (a.grad, b.grad, c.grad) == (-3.0, 2.0, 1.0)


def test_walkthrough_attributes():
    n = worked_example()
    assert n["d"]._prev == {n["a"], n["b"]}
    assert n["a"]._prev == set()
    assert (n["d"]._op, n["e"]._op, n["L"]._op, n["a"]._op) == ("*", "+", "ReLU", "")
    assert (n["a"] ** 2)._op == "**2"
    assert (n["a"] ** 0.5)._op == "**0.5"
    assert repr(n["a"]) == "Value(data=2.0, grad=0.0)"
    n["L"].backward()
    assert repr(n["a"]) == "Value(data=2.0, grad=-3.0)"


def test_the_walkthroughs_simple_graph_order():
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    ab = a * b
    L = ab + c
    assert L.topological_order() == [a, b, ab, c, L]


@pytest.mark.parametrize(
    "build, expected",
    [
        (lambda x: x * x, 6.0),
        (lambda x: x + x, 2.0),
        (lambda x: x * x * x, 27.0),
        (lambda x: (x + 1) * (x + 2) + x, 5.0 + 4.0 + 1.0),
        (lambda x: x / x, 0.0),
        (lambda x: x - x, 0.0),
    ],
)
def test_reused_nodes_accumulate(build, expected):
    x = Value(3.0)
    build(x).backward()
    assert x.grad == pytest.approx(expected, rel=1e-15)


def test_diamond_shares_the_intermediate_node():
    x = Value(2.0)
    y = x * 3
    z = y * y + y  # dz/dx = (2y + 1) * 3
    z.backward()
    assert x.grad == (2 * 6.0 + 1) * 3
    assert y.grad == 13.0


def test_convenience_operators_match_the_walkthrough_meaning():
    x, y = Value(3.0), Value(-2.0)
    cases = [
        (-x, -3.0, {x: -1.0}),
        (2 + x, 5.0, {x: 1.0}),
        (x - y, 5.0, {x: 1.0, y: -1.0}),
        (2 - x, -1.0, {x: -1.0}),
        (2 * x, 6.0, {x: 2.0}),
        (x / y, -1.5, {x: -0.5, y: -0.75}),
        (2 / x, 2 / 3, {x: -2 / 9}),
        (x**2, 9.0, {x: 6.0}),
        (2**y, 0.25, {y: 0.25 * math.log(2)}),
        (x**y, 3.0**-2, {x: -2 * 3.0**-3, y: 3.0**-2 * math.log(3)}),
    ]
    for out, value, grads in cases:
        x.grad = y.grad = 0.0
        out.backward()
        assert out.data == pytest.approx(value, rel=1e-15)
        for var, g in grads.items():
            assert var.grad == pytest.approx(g, rel=1e-15)


def test_constants_become_leaves_in_operand_order():
    x = Value(3.0)
    out = 2 - x
    assert [c.data for c in out._children] == [2.0, 3.0]
    assert out._children[1] is x


def test_backward_twice_accumulates_in_leaves_only():
    n = worked_example()
    n["L"].backward()
    n["L"].backward()
    assert (n["a"].grad, n["b"].grad, n["c"].grad) == (-6.0, 4.0, 2.0)
    assert (n["d"].grad, n["e"].grad, n["L"].grad) == (1.0, 1.0, 1.0)
    n["L"].zero_grad()
    n["L"].backward()
    assert (n["a"].grad, n["b"].grad, n["c"].grad) == (-3.0, 2.0, 1.0)


def test_backward_of_a_leaf():
    x = Value(5.0)
    x.backward()
    assert x.grad == 1.0


@pytest.mark.slow
def test_million_deep_chain_runs_forward_and_backward():
    x = Value(1.5)
    y = x
    for _ in range(1_000_000):
        y = -y
    y.backward()
    assert y.data == 1.5 and x.grad == 1.0
    order = y.topological_order()
    assert len(order) == 1_000_001 and order[0] is x and order[-1] is y
    del order, y  # freeing a deep chain must not crash either


def test_create_graph_gives_differentiable_gradients():
    x = Value(1.3)
    (x**3 + x.sin()).backward(create_graph=True)
    first = x.grad
    assert isinstance(first, Value)
    assert first.data == pytest.approx(3 * 1.3**2 + math.cos(1.3), rel=1e-15)
    x.grad = 0.0
    first.backward()
    assert x.grad == pytest.approx(6 * 1.3 - math.sin(1.3), rel=1e-14)


def test_value_of_huge_int_is_infinite_not_an_error():
    assert Value(10**400).data == math.inf
    assert Value(-(10**400)).data == -math.inf
    with pytest.raises(TypeError):
        Value(Value(1.0))


@pytest.mark.parametrize("build", [lambda x, y: x**0 + x * y, lambda x, y: x * y + x**0])
def test_signed_zero_gradients_are_the_same_with_create_graph(build):
    # x receives a plain 0.0 (from x**0) and -0.0 (from x*y at y = -0.0): 0.0 + -0.0 is 0.0.
    grads = []
    for create_graph in (False, True):
        x, y = Value(2.0), Value(-0.0)
        build(x, y).backward(create_graph=create_graph)
        g = x.grad.data if isinstance(x.grad, Value) else x.grad
        grads.append((g, math.copysign(1.0, g)))
    assert grads == [(0.0, 1.0), (0.0, 1.0)]
