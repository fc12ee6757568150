"""The table of operations: the one place an operation is defined.

Every operation is one `Op` entry: its forward function on floats, its
backward rule, and the words people read about it. The engine, the parser's
function lookup, the `functions` listing and the docs all read this table, so
adding an operation means adding one entry to `OPS`.

Forward functions follow IEEE 754 doubles as PyTorch's float64 kernels do:
they never raise (no ZeroDivisionError, ValueError, OverflowError) and never
return a complex number; undefined results are NaN, overflow is +-inf.

Backward rules are PyTorch's own formulas (its `derivatives.yaml`), operation
by operation: a rule takes the upstream gradient `g` and returns each input's
contribution, so it can divide (`g / x` for log, not `(1/x) * g`) and mask
(relu passes `g` or 0, never `0 * g`) exactly where PyTorch does. That is what
makes `sqrt(relu(x))` at x = -1 give 0 and not `0 * inf`. A rule is written
once, against a small namespace `m` of primitives, so it runs on floats
(`FLOAT` here) and on `Value`s (the engine's namespace, for a differentiable
gradient graph). A rule takes `(m, g, out, x, y)`: the upstream gradient, the
node's output, its first input and either its second input or its constant
argument.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from types import SimpleNamespace

from autodiff_cli.numbers import plain

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


def f_pow_const(x: float, n: float) -> float:
    """`torch.pow(tensor, number)`: some exponents take kernels of their own.

    They round differently from `pow` and differ at signed zeros and
    infinities: `(-0.0) ** 0.5` is `sqrt(-0.0)`, -0.0; `(-inf) ** 0.5` is NaN.
    """
    if n == 0.0:
        return 1.0  # also for NaN
    if n == 1.0:
        return x
    if n == 0.5:
        return f_sqrt(x)
    if n == -0.5:
        return f_div(1.0, f_sqrt(x))
    if n == -1.0:
        return f_div(1.0, x)
    if n == 2.0:
        return x * x
    if n == 3.0:
        return x * x * x
    if n == -2.0:
        return f_div(1.0, x * x)
    return f_pow(x, n)


def f_sigmoid(x: float) -> float:
    return 1.0 / (1.0 + f_exp(-x))  # never 1/0: the denominator is at least 1


def f_relu(x: float) -> float:
    return 0.0 if x < 0.0 else x  # -0.0 and NaN pass through, as in PyTorch


def f_sign(x: float) -> float:
    return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)


class Masked:
    """Trace texts for an input that PyTorch's formula can mask.

    Where a mask holds the input receives 0 (or `g * 0`), not the product the
    usual text shows, so the trace says that instead: `cases` are pairs
    (when(out, x, y), text), the first that holds is shown, else `text`.
    """

    __slots__ = ("text", "cases")

    def __init__(self, text: str, *cases: tuple[Callable[..., bool], str]) -> None:
        self.text, self.cases = text, cases

    def pick(self, out: float, x: float, y) -> str:
        return next((text for when, text in self.cases if when(out, x, y)), self.text)


class Op:
    """One operation: how to compute it, differentiate it and describe it.

    A plain class, not a dataclass: it is built at every start-up.
    """

    __slots__ = (
        "name", "label", "arity", "forward", "backward", "rule", "description",
        "trace", "function", "takes_constant", "syntax", "kinks",
    )  # fmt: skip

    def __init__(
        self,
        name: str,  # method name, and the function name in expressions
        label: str,  # the walkthrough's `_op` label ('+', '*', 'ReLU')
        arity: int,  # inputs that are nodes (a constant exponent is not one)
        forward: Callable[..., float],
        backward: Callable[..., tuple],  # (m, g, out, x, y) -> each input's contribution
        rule: str,  # the derivative rule, as people write it
        description: str,
        # The trace's action text: a title, then what each input receives, as
        # the backward rule computes it, with {g} (the upstream gradient),
        # {x}, {y}, {n} (the constant) and {out} filled in by `step_text`;
        # a `Masked` text where the formula masks.
        trace: tuple[str | Masked, ...],
        function: bool = True,  # callable by name in expressions
        takes_constant: bool = False,  # second operand is a plain number
        syntax: str = "",  # how it is written; functions are name(x)
        kinks: tuple[float, ...] = (),  # inputs where the derivative jumps (autodiff check warns)
    ) -> None:
        self.name, self.label, self.arity = name, label, arity
        self.forward, self.backward = forward, backward
        self.rule, self.description, self.trace = rule, description, trace
        self.function, self.takes_constant, self.syntax = function, takes_constant, syntax
        self.kinks = kinks

    @property
    def usage(self) -> str:
        return self.syntax or f"{self.name}(x)"

    def step_text(self, k: int, g: float, out: float, x: float, y) -> str:
        """The arithmetic of input k's contribution: '(4.0 > 0) * 1.0'."""
        template = self.trace[k + 1]
        if isinstance(template, Masked):
            template = template.pick(out, x, y)
        n = plain(y) if self.takes_constant else ""
        y = repr(y) if self.arity == 2 else ""
        return template.format(g=repr(g), out=repr(out), x=repr(x), y=y, n=n)

    def __repr__(self) -> str:
        return f"Op({self.name!r})"


# Where PyTorch's formulas mask, on the numbers (out, x, y): the rules and the
# trace's `Masked` texts ask the same question.
def _relu_off(out: float, x: float, y) -> bool:
    return out <= 0.0  # threshold_backward; a NaN output passes g on


def _nan_output(out: float, x: float, y) -> bool:
    return out != out


def _zero_exponent(out: float, x: float, y: float) -> bool:
    return y == 0.0  # pow_backward (zeros_like) and pow_backward_self (where)


def _zero_base(out: float, x: float, y: float) -> bool:
    return x == 0.0 and y >= 0.0  # pow_backward_exponent (where)


def _pow_const_rule(m, g, out, x, n):
    # zeros_like(x) for n == 0: a zero, not g * 0, so an inf or NaN g stops here.
    if _zero_exponent(None, None, n):
        return (0.0,)
    return (g * (n * m.pow_const(x, n - 1.0)),)


def _pow_rule(m, g, out, x, y):
    # The base's contribution is masked; the exponent's is g times a masked factor.
    xv, yv = m.val(x), m.val(y)
    dx = m.mask(g * (y * m.pow(x, y - 1.0)), not _zero_exponent(None, xv, yv))
    dy = g * m.mask(out * m.log(x), not _zero_base(None, xv, yv))
    return (dx, dy)


def _relu_rule(m, g, out, x, y):
    return (m.mask(g, not _relu_off(m.val(out), None, None)),)


def f_mask(x: float, keep) -> float:
    return x if keep else 0.0


OPS: tuple[Op, ...] = (
    Op("add", "+", 2, float.__add__, lambda m, g, out, x, y: (g, g),
       "d(x+y) = dx + dy", "addition",
       trace=("Add", "{g}", "{g}"), function=False, syntax="x + y"),
    Op("sub", "-", 2, float.__sub__, lambda m, g, out, x, y: (g, -g),
       "d(x-y) = dx - dy", "subtraction",
       trace=("Sub", "{g}", "(-1) * {g}"), function=False, syntax="x - y"),
    Op("mul", "*", 2, float.__mul__, lambda m, g, out, x, y: (g * y, g * x),
       "d(x*y) = y dx + x dy", "multiplication",
       trace=("Mul", "({y}) * {g}", "({x}) * {g}"), function=False, syntax="x * y"),
    Op("div", "/", 2, f_div, lambda m, g, out, x, y: (m.div(g, y), -g * m.div(m.div(x, y), y)),
       "d(x/y) = dx/y - (x/y) dy/y", "division",
       trace=("Div", "{g} / {y}", "-(({x} / {y}) / {y}) * {g}"), function=False, syntax="x / y"),
    Op("neg", "neg", 1, float.__neg__, lambda m, g, out, x, y: (-g,),
       "d(-x) = -dx", "negation",
       trace=("Neg", "(-1) * {g}"), function=False, syntax="-x"),
    Op("pow_const", "**", 1, f_pow_const, _pow_const_rule,
       "d(x**n) = n x**(n-1) dx", "power with a constant exponent",
       trace=("Pow", Masked("({n} * {x}**({n} - 1)) * {g}",
                            (_zero_exponent, "0 (the exponent is 0)"))),
       function=False, takes_constant=True, syntax="x ** n"),
    Op("pow", "**", 2, f_pow, _pow_rule,
       "d(x**y) = y x**(y-1) dx + x**y log(x) dy", "power with a variable exponent",
       trace=("Pow",
              Masked("({y} * {x}**({y} - 1)) * {g}", (_zero_exponent, "0 (the exponent is 0)")),
              Masked("({out} * log({x})) * {g}",
                     (_zero_base, "0 * {g} (the base is 0, the exponent >= 0)"))),
       function=False, syntax="x ** y"),
    Op("relu", "ReLU", 1, f_relu, _relu_rule,
       "relu'(x) = 1 if x > 0 else 0", "rectified linear unit, max(0, x)",
       trace=("ReLU", Masked("({out} > 0) * {g}",
                             (_relu_off, "0 ({out} <= 0: relu passes no gradient)"),
                             (_nan_output, "{g} (relu passes the gradient of a NaN on)"))),
       kinks=(0.0,)),
    Op("exp", "exp", 1, f_exp, lambda m, g, out, x, y: (g * out,),
       "exp'(x) = exp(x)", "exponential, e**x",
       trace=("Exp", "({out}) * {g}")),
    Op("log", "log", 1, f_log, lambda m, g, out, x, y: (m.div(g, x),),
       "log'(x) = 1/x", "natural logarithm",
       trace=("Log", "{g} / {x}")),
    Op("tanh", "tanh", 1, math.tanh, lambda m, g, out, x, y: (g * (1.0 - out * out),),
       "tanh'(x) = 1 - tanh(x)**2", "hyperbolic tangent",
       trace=("Tanh", "(1 - {out}**2) * {g}")),
    Op("sigmoid", "sigmoid", 1, f_sigmoid, lambda m, g, out, x, y: (g * (1.0 - out) * out,),
       "sigmoid'(x) = sigmoid(x) (1 - sigmoid(x))", "logistic function, 1/(1+exp(-x))",
       trace=("Sigmoid", "{g} * (1 - {out}) * {out}")),
    Op("sqrt", "sqrt", 1, f_sqrt, lambda m, g, out, x, y: (m.div(g, 2.0 * out),),
       "sqrt'(x) = 1/(2 sqrt(x))", "square root",
       trace=("Sqrt", "{g} / (2 * {out})")),
    Op("abs", "abs", 1, abs, lambda m, g, out, x, y: (g * m.sign(x),),
       "abs'(x) = sign(x)", "absolute value",
       trace=("Abs", "sign({x}) * {g}"), kinks=(0.0,)),
    Op("sin", "sin", 1, f_sin, lambda m, g, out, x, y: (g * m.cos(x),),
       "sin'(x) = cos(x)", "sine (radians)",
       trace=("Sin", "cos({x}) * {g}")),
    Op("cos", "cos", 1, f_cos, lambda m, g, out, x, y: (g * -m.sin(x),),
       "cos'(x) = -sin(x)", "cosine (radians)",
       trace=("Cos", "(-sin({x})) * {g}")),
    Op("tan", "tan", 1, f_tan, lambda m, g, out, x, y: (g * (1.0 + out * out),),
       "tan'(x) = 1 + tan(x)**2", "tangent (radians)",
       trace=("Tan", "(1 + {out}**2) * {g}")),
)  # fmt: skip

# An operation the backward rules use on `Value`s, never written in an
# expression: a masked gradient is a node, not a constant 0, so that a second
# backward pass still sends 0 into the graph it masks (where 0 / 0 may make a
# NaN), as PyTorch's double backward of `where` and `threshold_backward` does.
INTERNAL: tuple[Op, ...] = (
    Op("mask", "mask", 1, f_mask, lambda m, g, out, x, keep: (m.mask(g, keep),),
       "mask'(x) = 1 if kept else 0", "x where a condition holds, else 0 (torch.where)",
       trace=("Mask", "{g} if {n} else 0"), function=False, takes_constant=True),
)  # fmt: skip

BY_NAME: dict[str, Op] = {op.name: op for op in OPS + INTERNAL}
FUNCTIONS: dict[str, Op] = {op.name: op for op in OPS if op.function}


def namespace(lift: Callable[[Op], Callable], **extra) -> SimpleNamespace:
    """The primitives backward rules are written against, one per operation."""
    prims = {op.name: lift(op) for op in OPS + INTERNAL}
    prims.update(extra)
    return SimpleNamespace(**prims)


# Rules on plain floats: the primitives are the forward functions themselves.
FLOAT = namespace(lambda op: op.forward, val=float, sign=f_sign)
