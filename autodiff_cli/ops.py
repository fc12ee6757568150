"""The table of operations: the one place an operation is defined.

Every operation is one `Op` entry: its forward function on floats, its local
derivative rule, and the words people read about it. The engine, the
parser's function lookup, the `functions` listing and the docs all read this
table, so adding an operation means adding one entry to `OPS`.

Forward functions follow IEEE 754 doubles as PyTorch's float64 autograd does:
they never raise (no ZeroDivisionError, ValueError, OverflowError) and never
return a complex number; undefined results are NaN, overflow is +-inf.

Derivative rules are written once, against a small namespace `m` of
primitives, so the same rule runs on floats (`FLOAT` here) and on `Value`s
(the engine's namespace) for a differentiable gradient graph. A rule takes
`(m, out, x, y)`: the node's output, its first input and either its second
input or its constant argument; it returns one local derivative per input.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from types import SimpleNamespace

INF = math.inf
NAN = math.nan


def _is_odd_integer(y: float) -> bool:
    return math.isfinite(y) and y % 2.0 == 1.0


def f_div(x: float, y: float) -> float:
    try:
        return x / y
    except ZeroDivisionError:
        if x != x or x == 0.0:
            return NAN
        return math.copysign(INF, x) * math.copysign(1.0, y)


def f_pow(x: float, y: float) -> float:
    try:
        r = x**y
    except ZeroDivisionError:  # 0 ** negative: IEEE pow gives +-inf
        return math.copysign(INF, x) if _is_odd_integer(y) else INF
    except OverflowError:
        if x < 0.0 and y != math.floor(y):
            return NAN  # negative base, fractional exponent: no real result
        return -INF if x < 0.0 and _is_odd_integer(y) else INF
    if r.__class__ is complex:  # negative base, fractional exponent
        return NAN
    return r


def f_exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return INF


def f_log(x: float) -> float:
    if x > 0.0:
        return math.log(x)
    if x == 0.0:
        return -INF
    return NAN  # negative or NaN


def f_sqrt(x: float) -> float:
    return math.sqrt(x) if x >= 0.0 else NAN


def _periodic(fn: Callable[[float], float]) -> Callable[[float], float]:
    def safe(x: float) -> float:
        try:
            return fn(x)
        except ValueError:  # +-inf
            return NAN

    safe.__name__ = f"f_{fn.__name__}"
    return safe


f_sin = _periodic(math.sin)
f_cos = _periodic(math.cos)
f_tan = _periodic(math.tan)


def f_sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = f_exp(x)
    return e / (1.0 + e)


def f_relu(x: float) -> float:
    return 0.0 if x <= 0.0 else x  # NaN passes through, as in PyTorch


def f_step(x: float) -> float:
    return 1.0 if x > 0.0 else 0.0


def f_sign(x: float) -> float:
    return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)


class Op:
    """One operation: how to compute it, differentiate it and describe it.

    A plain class, not a dataclass: it is built at every start-up.
    """

    __slots__ = (
        "name", "label", "arity", "forward", "derivative", "rule", "description",
        "trace", "function", "takes_constant", "syntax", "kinks",
    )  # fmt: skip

    def __init__(
        self,
        name: str,  # method name, and the function name in expressions
        label: str,  # the walkthrough's `_op` label ('+', '*', 'ReLU')
        arity: int,  # inputs that are nodes (a constant exponent is not one)
        forward: Callable[..., float],
        derivative: Callable[..., tuple],  # (m, out, x, y) -> local derivatives
        rule: str,  # the derivative rule, as people write it
        description: str,
        # The trace's action text: a title, then each input's local derivative
        # as shown, with {x}, {y}, {n} (the constant) and {out} filled in by
        # data; "" shows the upstream gradient alone ("d.grad += 1.0").
        trace: tuple[str, ...],
        function: bool = True,  # callable by name in expressions
        takes_constant: bool = False,  # second operand is a plain number
        syntax: str = "",  # how it is written; functions are name(x)
        kinks: tuple[float, ...] = (),  # inputs where the derivative jumps (autodiff check warns)
    ) -> None:
        self.name, self.label, self.arity = name, label, arity
        self.forward, self.derivative = forward, derivative
        self.rule, self.description, self.trace = rule, description, trace
        self.function, self.takes_constant, self.syntax = function, takes_constant, syntax
        self.kinks = kinks

    @property
    def usage(self) -> str:
        return self.syntax or f"{self.name}(x)"

    def __repr__(self) -> str:
        return f"Op({self.name!r})"


def _pow_const_rule(m, out, x, n):
    # PyTorch's convention: d/dx x**0 is 0 everywhere, also at x = 0.
    if n == 0.0:
        return (0.0,)
    return (n * m.pow(x, n - 1.0),)


def _pow_rule(m, out, x, y):
    # PyTorch's convention: the exponent's derivative is 0 where x == 0, y >= 0.
    xv, yv = m.val(x), m.val(y)
    if xv == 0.0 and yv >= 0.0:
        dy = 0.0
    else:
        dy = out * m.log(x)
    # ...and, as for x ** 0, the base's derivative is 0 where y == 0.
    dx = 0.0 if yv == 0.0 else y * m.pow(x, y - 1.0)
    return (dx, dy)


OPS: tuple[Op, ...] = (
    Op("add", "+", 2, float.__add__, lambda m, out, x, y: (1.0, 1.0),
       "d(x+y) = dx + dy", "addition",
       trace=("Add", "", ""), function=False, syntax="x + y"),
    Op("sub", "-", 2, float.__sub__, lambda m, out, x, y: (1.0, -1.0),
       "d(x-y) = dx - dy", "subtraction",
       trace=("Sub", "", "(-1)"), function=False, syntax="x - y"),
    Op("mul", "*", 2, float.__mul__, lambda m, out, x, y: (y, x),
       "d(x*y) = y dx + x dy", "multiplication",
       trace=("Mul", "({y})", "({x})"), function=False, syntax="x * y"),
    Op("div", "/", 2, f_div, lambda m, out, x, y: (m.div(1.0, y), -m.div(out, y)),
       "d(x/y) = dx/y - (x/y) dy/y", "division",
       trace=("Div", "(1 / {y})", "(-{out} / {y})"), function=False, syntax="x / y"),
    Op("neg", "neg", 1, float.__neg__, lambda m, out, x, y: (-1.0,),
       "d(-x) = -dx", "negation",
       trace=("Neg", "(-1)"), function=False, syntax="-x"),
    Op("pow_const", "**", 1, f_pow, _pow_const_rule,
       "d(x**n) = n x**(n-1) dx", "power with a constant exponent",
       trace=("Pow", "({n} * {x}**({n} - 1))"),
       function=False, takes_constant=True, syntax="x ** n"),
    Op("pow", "**", 2, f_pow, _pow_rule,
       "d(x**y) = y x**(y-1) dx + x**y log(x) dy", "power with a variable exponent",
       trace=("Pow", "({y} * {x}**({y} - 1))", "({out} * log({x}))"),
       function=False, syntax="x ** y"),
    Op("relu", "ReLU", 1, f_relu, lambda m, out, x, y: (m.step(out),),
       "relu'(x) = 1 if x > 0 else 0", "rectified linear unit, max(0, x)",
       trace=("ReLU", "({out} > 0)"), kinks=(0.0,)),
    Op("exp", "exp", 1, f_exp, lambda m, out, x, y: (out,),
       "exp'(x) = exp(x)", "exponential, e**x",
       trace=("Exp", "({out})")),
    Op("log", "log", 1, f_log, lambda m, out, x, y: (m.div(1.0, x),),
       "log'(x) = 1/x", "natural logarithm",
       trace=("Log", "(1 / {x})")),
    Op("tanh", "tanh", 1, math.tanh, lambda m, out, x, y: (1.0 - out * out,),
       "tanh'(x) = 1 - tanh(x)**2", "hyperbolic tangent",
       trace=("Tanh", "(1 - {out}**2)")),
    Op("sigmoid", "sigmoid", 1, f_sigmoid, lambda m, out, x, y: (out * (1.0 - out),),
       "sigmoid'(x) = sigmoid(x) (1 - sigmoid(x))", "logistic function, 1/(1+exp(-x))",
       trace=("Sigmoid", "({out} * (1 - {out}))")),
    Op("sqrt", "sqrt", 1, f_sqrt, lambda m, out, x, y: (m.div(0.5, out),),
       "sqrt'(x) = 1/(2 sqrt(x))", "square root",
       trace=("Sqrt", "(0.5 / {out})")),
    Op("abs", "abs", 1, abs, lambda m, out, x, y: (m.sign(x),),
       "abs'(x) = sign(x)", "absolute value",
       trace=("Abs", "sign({x})"), kinks=(0.0,)),
    Op("sin", "sin", 1, f_sin, lambda m, out, x, y: (m.cos(x),),
       "sin'(x) = cos(x)", "sine (radians)",
       trace=("Sin", "cos({x})")),
    Op("cos", "cos", 1, f_cos, lambda m, out, x, y: (-m.sin(x),),
       "cos'(x) = -sin(x)", "cosine (radians)",
       trace=("Cos", "(-sin({x}))")),
    Op("tan", "tan", 1, f_tan, lambda m, out, x, y: (1.0 + out * out,),
       "tan'(x) = 1 + tan(x)**2", "tangent (radians)",
       trace=("Tan", "(1 + {out}**2)")),
)  # fmt: skip

BY_NAME: dict[str, Op] = {op.name: op for op in OPS}
FUNCTIONS: dict[str, Op] = {op.name: op for op in OPS if op.function}


def namespace(lift: Callable[[Op], Callable], **extra) -> SimpleNamespace:
    """The primitives derivative rules are written against, one per operation."""
    prims = {op.name: lift(op) for op in OPS}
    prims.update(extra)
    return SimpleNamespace(**prims)


# Rules on plain floats: the primitives are the forward functions themselves.
FLOAT = namespace(lambda op: op.forward, val=float, step=f_step, sign=f_sign)
