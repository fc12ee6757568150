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
import operator

from autodiff_cli.kernels import f_mask, f_sign
from autodiff_cli.ops import BY_NAME, FLOAT, OPS, Op, namespace

_ADD, _SUB, _MUL, _DIV, _NEG, _POW_CONST, _POW = (
    BY_NAME[name] for name in ("add", "sub", "mul", "div", "neg", "pow_const", "pow")
)


def _to_float(x) -> float:
    if isinstance(x, Value):
        raise TypeError("Value(...) takes a number, not a Value")
    try:
        return float(x)
    except OverflowError:  # an int too large for a double
        return math.inf if x > 0 else -math.inf


def _inline(arithmetic, fn: Op):
    """`self <op> other` building its node in place, with no call per node but the
    arithmetic: a call less is a fifth of the forward pass. The arithmetic is
    `operator.add` (and sub, mul): on two floats it runs the table's own forward
    function (`float.__add__` is CPython's float_add, which operator.add calls
    too) at a fifth of the cost of calling `float.__add__`. Not `a + b`: the
    interpreter's inlined float addition may return the other operand's NaN
    (another sign bit), and the numbers must be the table's to the bit."""

    def method(self, other):
        if not isinstance(other, Value):
            other = _leaf(other)
        v = _new(Value)
        v.data = arithmetic(self.data, other.data)
        v.grad = 0.0
        v._a = self
        v._b = other
        v._fn = fn
        v._mark = 0
        return v

    method.__name__ = f"__{fn.name}__"
    method.__qualname__ = f"Value.__{fn.name}__"
    return method


class Value:
    """A scalar that records the operations applied to it, for backward()."""

    # Two input slots instead of a children tuple: almost every operation
    # takes one or two nodes, and one object less per node is less memory
    # and GC work (the collector visits every slot of every young node).
    # `_b` is the second input; for an operation of one input and a
    # constant (`Op.takes_constant`: x ** 2, elu) the constant; for one of
    # more inputs, or any number (`Op.many`: max, clamp, where), all of
    # them as a tuple, the first also in `_a` (so it is not taken for a leaf).
    __slots__ = ("data", "grad", "_a", "_b", "_fn", "_mark")

    def __init__(self, data, _children=(), _op: Op | None = None, _arg=None):
        self.data = _to_float(data)
        self.grad = 0.0
        children = tuple(_children)
        many = _op is not None and _op.many
        if len(children) > 2 and not many:
            raise ValueError("a node has at most two inputs, but for max, clamp and the like")
        self._a = children[0] if children else None
        if many:
            self._b = children
        elif _op is not None and _op.takes_constant:
            self._b = _arg
        else:
            self._b = children[1] if len(children) == 2 else None
        self._fn = _op
        self._mark = 0

    # The walkthrough's attributes, derived from the compact fields.
    @property
    def _children(self) -> tuple[Value, ...]:
        """The inputs, in operand order."""
        a, b = self._a, self._b
        if a is None:
            return ()
        fn = self._fn
        if fn.many:
            return b
        return (a,) if b is None or fn.takes_constant else (a, b)

    @property
    def _arg(self):
        """The constant (`Op.takes_constant`), or all the inputs (`Op.many`)."""
        fn = self._fn
        return self._b if fn is not None and (fn.many or fn.takes_constant) else None

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
    # `+`, `-` and `*` build their node inline (`_inline`): they are most of any graph.
    __add__ = _inline(operator.add, _ADD)
    __sub__ = _inline(operator.sub, _SUB)
    __mul__ = _inline(operator.mul, _MUL)

    def __radd__(self, other):
        return _apply(_ADD, _leaf(other), self)

    def __rsub__(self, other):
        return _apply(_SUB, _leaf(other), self)

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
        return _node(_POW_CONST.forward(self.data, n), _POW_CONST, self, n)

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

    def _depth_first(self, reset: bool = False) -> tuple[list[Value], bool]:
        """The topological order, and whether an input is cut somewhere in it.

        With `reset`, each node's gradient is reset for a backward pass as
        it is emitted (see `backward`), while no cut has been met: till then
        every node emitted is one the pass reaches.
        """
        topo: list[Value] = []
        cut = False
        live = reset  # resetting, till a cut is met
        # No big set to hash into: a node is marked `enter` when it is pushed
        # to be emitted after its inputs (it stays on the stack, below them)
        # and `done` once emitted; any older mark is a node not met yet. A
        # node is never on the stack above itself (that would be a cycle), so
        # popping an `enter` node means its inputs are done. Shortcuts that
        # keep the order and save pushes: the first input is visited at once,
        # not pushed; a node whose inputs are done is emitted at once, and so
        # is a leaf where it is met.
        enter = _stamp()
        done = _stamp()
        stack: list[Value] = []
        push, pop, emit = stack.append, stack.pop, topo.append
        v = self
        while True:
            while True:  # down: v is unvisited
                a = v._a
                if a is None:  # a leaf
                    v._mark = done
                    emit(v)
                    if live and v.grad == 0.0:
                        v.grad = -0.0
                    break
                b = v._b
                if type(b) is Value and a._mark >= enter:  # two inputs, the first done
                    if b._mark >= enter:  # both: v follows at once
                        v._mark = done
                        emit(v)
                        if live:
                            v.grad = -0.0
                        break
                    if b._a is None:  # the second a leaf not yet met: it, then v
                        b._mark = v._mark = done
                        emit(b)
                        if live and b.grad == 0.0:
                            b.grad = -0.0
                        emit(v)
                        if live:
                            v.grad = -0.0
                        break
                    v._mark = enter
                    push(v)
                    v = b
                    continue
                v._mark = enter
                push(v)
                if type(b) is Value:  # two inputs, the common case
                    if b._mark < enter:
                        push(b)
                elif b is not None:
                    fn = v._fn
                    if fn.many:
                        if fn.cut:
                            cut, live = True, False
                        for c in reversed(b):
                            if c._mark < enter:
                                push(c)
                        break
                    if not fn.takes_constant and b._mark < enter:
                        push(b)  # a Value of a subclass
                if a._mark >= enter:
                    break
                v = a
            while stack:  # up: emit the nodes whose inputs are done, to the next unvisited
                v = pop()
                mark = v._mark
                if mark == enter:
                    v._mark = done
                    emit(v)
                    if live:
                        v.grad = -0.0
                elif mark < enter:
                    if v._a is not None:
                        break  # down from it
                    v._mark = done  # a leaf: no need to go down
                    emit(v)
                    if live and v.grad == 0.0:
                        v.grad = -0.0
            else:
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
        # Sums start at -0.0, the identity of IEEE addition: a node's gradient
        # is exactly what it receives (PyTorch keeps the first contribution
        # as it is), so -0.0 stays -0.0. A leaf with no gradient yet (0.0)
        # starts there too; every node of `topo` receives something. The
        # sort resets the nodes it can (all, when no input is cut).
        if order is None:
            topo, cut = self._depth_first(reset=True)
            if cut:
                topo = _reached(self, topo)
        else:
            topo, cut = order, True
        if cut:
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
        # The fast path: _propagate(v, FLOAT), inlined, and for `*`, `+` and
        # `-` (most nodes of any graph) their rules too, as the table writes
        # them: without a call per node the pass takes half the time.
        # tests/test_engine_paths.py holds this path to `_propagate`'s, to the bit.
        for v in reversed(topo):
            fn = v._fn
            if fn is _MUL:
                a, b, g = v._a, v._b, v.grad
                a.grad += g * b.data
                b.grad += g * a.data
                continue
            if fn is _ADD:
                g = v.grad
                v._a.grad += g
                v._b.grad += g
                continue
            if fn is None:
                continue
            if fn is _SUB:
                g = v.grad
                v._a.grad += g
                v._b.grad += -g
                continue
            if fn.many:
                _propagate(v, FLOAT)
                continue
            a, b = v._a, v._b
            if b is None or fn.takes_constant:
                a.grad += fn.backward(FLOAT, v.grad, v.data, a.data, b)[0]
            else:
                da, db = fn.backward(FLOAT, v.grad, v.data, a.data, b.data)
                a.grad += da
                b.grad += db

    def zero_grad(self) -> None:
        """Reset the gradient of every node of this graph to 0."""
        for v in self.topological_order():
            v.grad = 0.0


_new = object.__new__
_stamps = itertools.count(1)
_stamp = _stamps.__next__


def _node(data: float, fn: Op, a: Value, b=None) -> Value:
    """A node: `b` its second input, its constant, or all its inputs (see `Value._b`)."""
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    v._a = a
    v._b = b
    v._fn = fn
    v._mark = 0
    return v


def _leaf(x) -> Value:
    v = _new(Value)
    v.data = x if x.__class__ is float else _to_float(x)
    v.grad = 0.0
    v._a = None
    v._b = None
    v._fn = None
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
        return _node(fn.forward(x.data, constant), fn, x, constant)
    data = fn.forward(*(v.data for v in inputs))
    if fn.many:
        return _node(data, fn, inputs[0], tuple(inputs))
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
    arg = v._b if fn.takes_constant else None
    if m is FLOAT:
        out = v.data
        x, y = fn.operands([c.data for c in children], arg)
    else:
        out = v
        x, y = fn.operands(children, arg)
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
    elif fn.arity == 1:  # relu, exp, ...: one input, the common case, with no checks to make
        forward = fn.forward

        def method(self: Value, *others) -> Value:
            if others:
                raise TypeError(f"{fn.name} takes {fn.takes()}, got {1 + len(others)}")
            v = _new(Value)
            v.data = forward(self.data)
            v.grad = 0.0
            v._a = self
            v._b = None
            v._fn = fn
            v._mark = 0
            return v
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
