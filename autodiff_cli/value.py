"""The walkthrough's scalar reverse-mode autograd engine (`Value`), hardened.

It keeps the walkthrough's interface and meaning (`data`, `grad`, `_prev`,
`_op`, `_backward`, `backward()`, the operators) and departs from its code
where that code breaks:

- `backward()` never recurses: the topological sort is an explicit-stack
  depth-first search, so a chain of a million operations works.
- Children are kept in operand order (a tuple, not a set), so the order is
  deterministic and is the walkthrough's: `[a, b, d, c, e, L]`.
- No per-node closure: each node points at its row of the table of
  operations (`ops.OPS`), whose backward rule the backward pass applies.
  That makes nodes smaller and faster, and `_backward` is built on demand.
- Backward rules are PyTorch's formulas, not "local derivative times
  upstream gradient": they divide and mask where PyTorch does, so a relu
  that is off passes 0 even when the gradient above it is inf.
- A node's gradient is the sum of what it receives, the first contribution
  kept as it is (as PyTorch does), so a gradient of -0.0 stays -0.0.
- Arithmetic is IEEE 754 like PyTorch's float64 autograd: no Python
  exception on 1/0, log(-1) or overflow; NaN and inf instead.
- Subtraction, division and negation are operations of their own (exact
  IEEE results, fewer nodes) rather than compositions of `+`, `*` and `**`.
- Calling `backward()` again accumulates into leaves, as PyTorch does;
  interior nodes hold the gradient of the latest pass.
"""

from __future__ import annotations

import itertools
import math

from autodiff_cli.kernels import f_mask, f_sign
from autodiff_cli.ops import BY_NAME, FLOAT, OPS, Op, namespace

_ADD, _SUB, _MUL, _DIV, _NEG, _POW_CONST, _POW = (
    BY_NAME[name] for name in ("add", "sub", "mul", "div", "neg", "pow_const", "pow")
)
_POST = object()  # marks "children done" on the sort's stack


def _to_float(x) -> float:
    if isinstance(x, Value):
        raise TypeError("Value(...) takes a number, not a Value")
    try:
        return float(x)
    except OverflowError:  # an int too large for a double
        return math.inf if x > 0 else -math.inf


class Value:
    """A scalar that records the operations applied to it, for backward()."""

    # Two input slots instead of a children tuple: almost every operation
    # takes one or two nodes, and one object less per node is less memory
    # and GC work. An operation of more inputs, or any number (`Op.many`:
    # max, clamp, where), keeps them all as a tuple in `_arg`, the first
    # also in `_a` (so it is not taken for a leaf).
    __slots__ = ("data", "grad", "_a", "_b", "_fn", "_arg", "_mark")

    def __init__(self, data, _children=(), _op: Op | None = None, _arg=None):
        self.data = _to_float(data)
        self.grad = 0.0
        children = tuple(_children)
        many = _op is not None and _op.many
        if len(children) > 2 and not many:
            raise ValueError("a node has at most two inputs, but for max, clamp and the like")
        self._a = children[0] if children else None
        self._b = children[1] if len(children) == 2 and not many else None
        self._fn = _op
        self._arg = children if many else _arg
        self._mark = 0

    # The walkthrough's attributes, derived from the compact fields.
    @property
    def _children(self) -> tuple[Value, ...]:
        """The inputs, in operand order."""
        a, b = self._a, self._b
        if a is None:
            return ()
        if self._fn.many:
            return self._arg
        return (a,) if b is None else (a, b)

    @property
    def _prev(self) -> set:
        return set(self._children)

    @property
    def _op(self) -> str:
        return "" if self._fn is None else self._fn.label_for(self._arg)

    @property
    def _backward(self):
        if self._fn is None:
            return lambda: None
        return lambda: _propagate(self, FLOAT)

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"

    # Operators, in operand order. Constants become leaves, as in the walkthrough.
    def __add__(self, other):
        if not isinstance(other, Value):
            other = _leaf(other)
        return _node(_ADD.forward(self.data, other.data), _ADD, self, other)

    def __radd__(self, other):
        return _apply(_ADD, _leaf(other), self)

    def __sub__(self, other):
        if not isinstance(other, Value):
            other = _leaf(other)
        return _node(_SUB.forward(self.data, other.data), _SUB, self, other)

    def __rsub__(self, other):
        return _apply(_SUB, _leaf(other), self)

    def __mul__(self, other):
        if not isinstance(other, Value):
            other = _leaf(other)
        return _node(_MUL.forward(self.data, other.data), _MUL, self, other)

    def __rmul__(self, other):
        return _apply(_MUL, _leaf(other), self)

    def __truediv__(self, other):
        return _apply(_DIV, self, _lift(other))

    def __rtruediv__(self, other):
        return _apply(_DIV, _leaf(other), self)

    def __neg__(self):
        return _node(-self.data, _NEG, self)

    def __pos__(self):
        return self

    def __abs__(self):
        return self.abs()

    def __pow__(self, other):
        """`x ** 2` is the walkthrough's power rule; `x ** y` the general one."""
        if isinstance(other, Value):
            return _apply(_POW, self, other)
        n = _to_float(other)
        return _node(_POW_CONST.forward(self.data, n), _POW_CONST, self, arg=n)

    def __rpow__(self, other):
        return _apply(_POW, _leaf(other), self)

    # Graph walks.
    def topological_order(self, differentiable: bool = False) -> list[Value]:
        """Nodes with every input before its users, as the walkthrough's DFS.

        An explicit stack replaces the recursion; children are visited in
        operand order, so the result is the recursive version's, exactly.
        With `differentiable`, the nodes a backward pass visits, in the same
        order: not those reached only through an input that receives no
        gradient (`Op.cut`: below a comparison).
        """
        topo, cut = self._depth_first()
        return _reached(self, topo) if differentiable and cut else topo

    def _depth_first(self) -> tuple[list[Value], bool]:
        """The topological order, and whether an input is cut somewhere in it."""
        topo: list[Value] = []
        cut = False
        mark = _stamp()  # visited <=> v._mark == mark: no big set to hash into
        stack: list = [self]
        push, pop, emit = stack.append, stack.pop, topo.append
        while stack:
            v = pop()
            if v is _POST:
                emit(pop())
                continue
            if v._mark == mark:
                continue
            v._mark = mark
            a = v._a
            if a is None:
                emit(v)
                continue
            push(v)
            push(_POST)
            if v._fn.many:
                cut = cut or bool(v._fn.cut)
                for c in reversed(v._arg):
                    if c._mark != mark:
                        push(c)
                continue
            b = v._b
            if b is not None and b._mark != mark:
                push(b)
            if a._mark != mark:
                push(a)
        return topo, cut

    def backward(self, create_graph: bool = False, on_step=None, order=None) -> None:
        """Fill in `grad` of every node: d(self)/d(node).

        Leaves accumulate across calls (as in PyTorch; see `zero_grad`);
        interior nodes are reset first, so they hold this pass's gradient.
        With `create_graph=True` the gradients are `Value`s with a graph of
        their own, built from the same backward rules, so they can be
        differentiated again. `on_step(node, contributions)` is called
        after each node's step, in backward order (None for a leaf): the
        trace mode records the real pass through it. `order`, if given, is
        `self.topological_order(differentiable=True)` already known (a parsed
        expression's).

        This is the one backward pass: `_propagate` is its step, and the
        loop at the end is the same step written inline, its fast path.
        """
        topo = self.topological_order(differentiable=True) if order is None else order
        # Sums start at -0.0, the identity of IEEE addition: a node's gradient
        # is exactly what it receives (PyTorch keeps the first contribution
        # as it is), so -0.0 stays -0.0. A leaf with no gradient yet (0.0)
        # starts there too; every node of `topo` receives something.
        for v in topo:
            if v._fn is not None or v.grad == 0.0:
                v.grad = -0.0
        self.grad = 1.0 if self._fn is not None else self.grad + 1.0
        if create_graph or on_step is not None:
            m = VALUE if create_graph else FLOAT
            for v in reversed(topo):
                contributions = None if v._fn is None else _propagate(v, m)
                if on_step is not None:
                    on_step(v, contributions)
            return
        for v in reversed(topo):  # the fast path: _propagate(v, FLOAT), inlined
            fn = v._fn
            if fn is None:
                continue
            if fn.many:
                _propagate(v, FLOAT)
                continue
            a, b = v._a, v._b
            if b is not None:
                da, db = fn.backward(FLOAT, v.grad, v.data, a.data, b.data)
                a.grad += da
                b.grad += db
            else:
                a.grad += fn.backward(FLOAT, v.grad, v.data, a.data, v._arg)[0]

    def zero_grad(self) -> None:
        """Reset the gradient of every node of this graph to 0."""
        for v in self.topological_order():
            v.grad = 0.0


_new = object.__new__
_stamps = itertools.count(1)
_stamp = _stamps.__next__


def _node(data: float, fn: Op, a: Value, b: Value | None = None, arg=None) -> Value:
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    v._a = a
    v._b = b
    v._fn = fn
    v._arg = arg
    v._mark = 0
    return v


def _leaf(x) -> Value:
    v = _new(Value)
    v.data = _to_float(x)
    v.grad = 0.0
    v._a = None
    v._b = None
    v._fn = None
    v._arg = None
    v._mark = 0
    return v


def _negative(x: float) -> bool:
    return math.copysign(1.0, x) < 0.0


def _lift(x) -> Value:
    return x if isinstance(x, Value) else _leaf(x)


def _apply(fn: Op, x: Value, y: Value) -> Value:
    return _node(fn.forward(x.data, y.data), fn, x, y)


def apply(fn: Op, inputs: tuple[Value, ...], constant: float | None = None) -> Value:
    """A new node for any operation of the table, on `Value` inputs."""
    if fn.takes_constant:
        (x,) = inputs
        return _node(fn.forward(x.data, constant), fn, x, arg=constant)
    data = fn.forward(*(v.data for v in inputs))
    if fn.many:
        return _node(data, fn, inputs[0], arg=tuple(inputs))
    return _node(data, fn, *inputs)


def _reached(output: Value, topo: list[Value]) -> list[Value]:
    """The nodes of `topo` that gradients reach from `output`, in the same order."""
    mark = _stamp()
    output._mark = mark
    for v in reversed(topo):  # users before their inputs
        if v._mark == mark and v._fn is not None:
            cut = v._fn.cut
            for k, c in enumerate(v._children):
                if k not in cut:
                    c._mark = mark
    return [v for v in topo if v._mark == mark]


def _propagate(v: Value, m) -> tuple:
    """One node's backward step: each input receives its contribution."""
    children = v._children
    fn = v._fn
    if m is FLOAT:
        out = v.data
        x, y = fn.operands([c.data for c in children], v._arg)
    else:
        out = v
        x, y = fn.operands(children, v._arg)
    contributions = fn.backward(m, v.grad, out, x, y)
    cut = fn.cut
    for k, (child, d) in enumerate(zip(children, contributions)):
        if k in cut:
            continue  # no gradient at all, as PyTorch sends none
        g = child.grad
        if d.__class__ is Value and g.__class__ is float and g == 0.0 and _negative(g):
            child.grad = d  # nothing received yet: `-0.0 + d` is d, and no node for it
        else:
            child.grad = g + d
    return contributions


def _method(fn: Op):
    if fn.takes_constant:

        def method(self: Value, constant: float = fn.default) -> Value:
            return apply(fn, (self,), _to_float(constant))
    else:

        def method(self: Value, *others) -> Value:
            if not fn.accepts(1 + len(others)):
                raise TypeError(f"{fn.name} takes {fn.takes()}, got {1 + len(others)}")
            return apply(fn, (self, *map(_lift, others)))

    method.__name__ = fn.name
    method.__doc__ = f"{fn.description}; {fn.rule}"
    return method


# A method's receiver is its first input, so not where's condition (PyTorch's
# `a.where(c, b)` would read the other way round): where is `apply` only.
for _fn in OPS:
    if _fn.function and 0 not in _fn.cut:
        setattr(Value, _fn.name, _method(_fn))


# Rules on Values: the primitives build nodes, so gradients get a graph.
# A sign is a new leaf: its derivative is no gradient at all (PyTorch's
# efficient zero tensor), not a 0 that flows on.
_MASK = BY_NAME["mask"]
VALUE = namespace(
    lambda fn: lambda *xs: apply(fn, tuple(_lift(x) for x in xs)),
    div=lambda x, y: _lift(x) / y,
    pow=lambda x, y: _lift(x) ** y,
    pow_const=lambda x, n: _lift(x) ** n,
    mask=lambda x, keep: (
        apply(_MASK, (x,), 1.0 if keep else 0.0) if isinstance(x, Value) else f_mask(x, keep)
    ),
    val=lambda x: x.data if isinstance(x, Value) else float(x),
    sign=lambda x: Value(f_sign(x.data)),
)

__all__ = ["Value", "apply"]
