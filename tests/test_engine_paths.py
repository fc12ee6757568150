"""The engine's fast paths against its general ones and the walkthrough's sort.

`Value` builds `+`, `-`, `*` nodes inline, applies their backward rules
inline, sorts without recursion and resets gradients during the sort: each
shortcut is held here to the path it stands for, to the bit.
"""

from __future__ import annotations

import math
import random
import struct

import pytest

from autodiff_cli import Value
from autodiff_cli.ops import BY_NAME
from autodiff_cli.value import apply

NAN = float("nan")
SPECIALS = (0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, math.inf, -math.inf, NAN, -NAN, 1e308, 5e-324)


def bits(x: float) -> bytes:
    return struct.pack(">d", x)


def same(x: float, y: float) -> bool:
    """Equal to the bit, signed zeros apart; any NaN is any NaN.

    A NaN's sign bit is CPython's to choose: `a * b` of two NaNs gives one
    operand's or the other's depending on whether the interpreter has
    specialized that line yet.
    """
    return (x != x and y != y) or bits(x) == bits(y)


BUILDERS = (
    lambda x, y, c: x + y,
    lambda x, y, c: x - y,
    lambda x, y, c: x * y,
    lambda x, y, c: x * c,
    lambda x, y, c: c - x,
    lambda x, y, c: x + c,
    lambda x, y, c: x / y,
    lambda x, y, c: -x,
    lambda x, y, c: x**2,
    lambda x, y, c: x.relu(),
    lambda x, y, c: x.max(y, c),
)


def random_graph(seed: int) -> list[Value]:
    """Nodes of +, -, * (and a few others) over special numbers, inputs reused."""
    rng = random.Random(seed)

    def number() -> float:
        return rng.choice(SPECIALS) if rng.random() < 0.5 else rng.uniform(-3, 3)

    pool = [Value(number()) for _ in range(5)]
    for _ in range(rng.randint(3, 40)):
        build = rng.choice(BUILDERS)
        pool.append(build(rng.choice(pool), rng.choice(pool), rng.choice(SPECIALS)))
    return pool


@pytest.mark.parametrize("seed", range(300))
def test_the_fast_backward_pass_is_the_tables_rules_to_the_bit(seed):
    # backward() applies +, -, * rules inline; with on_step every node's step
    # is `_propagate`, which calls the rule of the table of operations.
    fast, general = random_graph(seed), random_graph(seed)
    fast[-1].backward()
    general[-1].backward(on_step=lambda v, contributions: None)
    for f, g in zip(fast, general, strict=True):
        assert same(f.data, g.data) and same(f.grad, g.grad), (f, g)


@pytest.mark.parametrize(
    "name, apply_op", [("add", "__add__"), ("sub", "__sub__"), ("mul", "__mul__")]
)
def test_inline_arithmetic_is_the_tables_forward_to_the_bit(name, apply_op):
    # NaN signs included: the table's float.__add__ keeps them as the C code
    # orders the operands, which the interpreter's own `a + b` may not.
    forward = BY_NAME[name].forward
    for _ in range(3):  # past the interpreter's specialization of hot lines
        for x in SPECIALS:
            for y in SPECIALS:
                got = getattr(Value(x), apply_op)(Value(y)).data
                assert bits(got) == bits(forward(x, y)), (name, x, y)


def walkthrough_order(root: Value) -> list[Value]:
    """The walkthrough's recursive sort, inputs in operand order."""
    topo, visited = [], set()

    def build(v):
        if id(v) not in visited:
            visited.add(id(v))
            for child in v._children:
                build(child)
            topo.append(v)

    build(root)
    return topo


@pytest.mark.parametrize("seed", range(200))
def test_the_sort_is_the_walkthroughs_recursive_one(seed):
    nodes = random_graph(seed)
    rng = random.Random(seed)
    root = rng.choice(nodes[5:])
    assert root.topological_order() == walkthrough_order(root)
    again = rng.choice(nodes[5:])  # marks left by the first sort do not matter
    assert again.topological_order() == walkthrough_order(again)


def test_each_kind_of_node_shows_its_inputs_and_constant():
    x, y, z = Value(2.0), Value(-3.0), Value(0.5)
    cases = [
        (x * y, (x, y), None, "*"),
        (x.relu(), (x,), None, "ReLU"),
        (x**2, (x,), 2.0, "**2"),
        (x.elu(1.5), (x,), 1.5, "ELU"),
        (x.max(y, z), (x, y, z), (x, y, z), "max"),
        (apply(BY_NAME["where"], (z, x, y)), (z, x, y), (z, x, y), "where"),
        (x, (), None, ""),
    ]
    for node, children, arg, op in cases:
        assert node._children == children
        assert node._prev == set(children)
        assert node._arg == arg
        assert node._op == op


def test_a_node_built_by_the_constructor_is_one_built_by_an_operator():
    x, y, z = Value(2.0), Value(5.0), Value(1.0)
    square = Value(4.0, (x,), BY_NAME["pow_const"], 2.0)
    biggest = Value(5.0, (x, y, z), BY_NAME["max"])
    assert (square._children, square._arg, square._op) == ((x,), 2.0, "**2")
    assert (biggest._children, biggest._arg, biggest._op) == ((x, y, z), (x, y, z), "max")
    square.backward()
    biggest.backward()
    assert (x.grad, y.grad, z.grad) == (4.0, 1.0, 0.0)
    assert square.topological_order() == [x, square]
    assert biggest.topological_order() == [x, y, z, biggest]


class Tagged(Value):
    __slots__ = ()


def test_inputs_of_a_subclass_are_inputs():
    x, y = Tagged(3.0), Value(-2.0)
    out = (y * x + y / x - x) ** 2
    out.backward()
    # out = u**2, u = x*y + y/x - x: d/dx = 2u (y - y/x**2 - 1), d/dy = 2u (x + 1/x)
    u = -6.0 - 2.0 / 3.0 - 3.0
    assert x.grad == pytest.approx(2.0 * u * (y.data - y.data / 9.0 - 1.0), rel=1e-15)
    assert y.grad == pytest.approx(2.0 * u * (3.0 + 1.0 / 3.0), rel=1e-15)
    assert out.topological_order() == walkthrough_order(out)


@pytest.mark.parametrize("cut_first", [False, True])
def test_backward_leaves_alone_what_lies_only_below_a_comparison(cut_first):
    # The sort resets gradients as it goes while no comparison has been met;
    # what lies below one only is never reached and keeps its gradient, met
    # before the comparison or after.
    a, b, c, d = Value(2.0), Value(-3.0), Value(1.0), Value(4.0)
    below = c + d  # reached through the comparison only
    below.grad = 7.0
    chosen = apply(BY_NAME["where"], (apply(BY_NAME["gt"], (below, Value(0.0))), a, b))
    product = a * b
    out = chosen + product if cut_first else product + chosen
    out.backward()
    assert (a.grad, b.grad) == (1.0 + -3.0, 2.0)
    assert below.grad == 7.0
    assert bits(c.grad) == bits(0.0) and bits(d.grad) == bits(0.0)  # not -0.0
    out.backward()  # again: leaves accumulate, interior nodes hold the last pass
    assert (a.grad, b.grad, product.grad, below.grad) == (-4.0, 4.0, 1.0, 7.0)
