"""The table of operations: the one place an operation is defined.

Every operation is one `Op` entry: its forward function on floats (from
`kernels.py`), its backward rule, and the words people read about it: its
name and aliases, arguments, group, derivative rule, kinks and trace text.
The engine, the parser's function lookup and its suggestions, the trace, the
graph, the `functions` listing and the docs all read this table, so adding an
operation means adding one entry to `OPS`.

Backward rules are PyTorch's own formulas (its `derivatives.yaml` and the
kernels it names), operation by operation: a rule takes the upstream
gradient `g` and returns each input's contribution, so it can divide (`g / x`
for log, not `(1/x) * g`) and mask (relu passes `g` or 0, never `0 * g`)
exactly where PyTorch does. That is what makes `sqrt(relu(x))` at x = -1 give
0 and not `0 * inf`. A rule is written once, against a small namespace `m` of
primitives, so it runs on floats (`FLOAT` here) and on `Value`s (the engine's
namespace, for a differentiable gradient graph). A rule takes
`(m, g, out, x, y)`: the upstream gradient, the node's output, its first input
and either its second input or its constant argument (elu's alpha); an
operation of three inputs or any number (`Op.many`) takes `(m, g, out, xs,
None)`, its inputs as a tuple.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from types import SimpleNamespace

from autodiff_cli.kernels import (
    GELU_PDF,
    GELU_TANH_BETA,
    GELU_TANH_KAPPA,
    LN2,
    LN10,
    SOFTPLUS_THRESHOLD,
    SQRT1_2,
    TWO_OVER_SQRT_PI,
    f_acos,
    f_acosh,
    f_asin,
    f_asinh,
    f_atan,
    f_atan2,
    f_atanh,
    f_ceil,
    f_clamp,
    f_cos,
    f_cosh,
    f_div,
    f_elu,
    f_eq,
    f_erf,
    f_erfc,
    f_exp,
    f_exp2,
    f_expm1,
    f_floor,
    f_ge,
    f_gelu,
    f_gelu_tanh,
    f_gt,
    f_hypot,
    f_le,
    f_leaky_relu,
    f_log,
    f_log1p,
    f_log2,
    f_log10,
    f_logsigmoid,
    f_logsumexp,
    f_lt,
    f_mask,
    f_max,
    f_mean,
    f_min,
    f_ne,
    f_pow,
    f_pow_const,
    f_relu,
    f_round,
    f_sigmoid,
    f_sign,
    f_silu,
    f_sin,
    f_sinh,
    f_softplus,
    f_sqrt,
    f_square,
    f_sum,
    f_tan,
    f_trunc,
    f_where,
)
from autodiff_cli.numbers import plain
from autodiff_cli.operation import Kinks, Masked, Op, jumps, on_or_near, points, ties


def _clamp_near(xs, y, tol):
    x, lo, hi = xs
    for bound, edge in (("lo", lo), ("hi", hi)):
        if abs(x - edge) <= tol:
            return f"is {on_or_near(x, edge)} its bound {bound} = {plain(edge)} (input {plain(x)})"
    if abs(lo - hi) <= tol:  # which bound binds switches there
        return (
            f"has its bounds lo = {plain(lo)} and hi = {plain(hi)} {on_or_near(lo, hi)} each other"
        )
    return None


def _equal_near(xs, y, tol):
    x, y = xs
    if abs(x - y) <= tol:
        return f"compares {plain(x)} with {plain(y)}: its value jumps where they are equal"
    return None


def _cut_near(y, x, tol):
    """atan2's branch cut: its value jumps from pi to -pi across y = 0 where x < 0."""
    if abs(y) <= tol and x < 0.0:
        return f"is {on_or_near(y, 0.0)} its branch cut (y = {plain(y)}, x = {plain(x)} < 0)"
    return None


def _condition_near(xs, y, tol):
    c = xs[0]
    if abs(c) <= tol:
        return f"has its condition {on_or_near(c, 0.0)} 0 (input {plain(c)}), where it switches"
    return None


def _relu_off(out: float, x: float, y) -> bool:
    return out <= 0.0  # threshold_backward; a NaN output passes g on


def _nan_output(out: float, x: float, y) -> bool:
    return out != out


def _zero_exponent(out: float, x: float, y: float) -> bool:
    return y == 0.0  # pow_backward (zeros_like) and pow_backward_self (where)


def _zero_base(out: float, x: float, y: float) -> bool:
    return x == 0.0 and y >= 0.0  # pow_backward_exponent (where)


def _not_positive(out: float, x: float, y) -> bool:
    return x <= 0.0  # elu_backward's branch (a NaN takes the other)


def _leaky(out: float, x: float, y) -> bool:
    return not x > 0.0  # leaky_relu_backward's branch (a NaN takes this one)


def _above_threshold(out: float, x: float, y) -> bool:
    return x > SOFTPLUS_THRESHOLD  # softplus_backward: the gradient passes as it is


def _below_zero(out: float, x: float, y) -> bool:
    return x < 0.0  # log_sigmoid_backward's branch


def _not_extreme(out: float, xs: tuple, k: int) -> bool:
    return xs[k] != out  # amax/amin backward: (g / count) * mask, mask 0 here


def _clamp_x_off(out: float, xs: tuple, k: int) -> bool:
    x, lo, hi = xs
    return not lo <= x <= hi


def _clamp_lo_on(out: float, xs: tuple, k: int) -> bool:
    x, lo, hi = xs
    return x < lo < hi


def _clamp_hi_on(out: float, xs: tuple, k: int) -> bool:
    x, lo, hi = xs
    return x > hi or hi < lo


def _nonzero(out: float, x: float, y) -> bool:
    return x != 0.0


def _origin(out: float, y: float, x: float) -> bool:
    return y * y + x * x == 0.0  # atan2_backward's mask


_ORIGIN = " (the sum of the squares is 0 in doubles: atan2 passes 0 there)"


def _took_b(out: float, xs: tuple, k: int) -> bool:
    return xs[0] == 0.0  # where(c, a, b) took b


def _took_a(out: float, xs: tuple, k: int) -> bool:
    return xs[0] != 0.0


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


def _rsqrt(m, x):
    return m.div(1.0, m.sqrt(x))  # rsqrt, as PyTorch's CPU kernel computes it: 1 / sqrt(x)


def _softplus_rule(m, g, out, x, y):
    xv = m.val(x)
    if _above_threshold(None, xv, None):
        return (g,)
    # At the threshold itself softplus_double_backward masks (x < 20): z is a number there.
    z = f_exp(xv) if xv == SOFTPLUS_THRESHOLD else m.exp(x)
    return (m.div(g * z, z + 1.0),)


def _silu_rule(m, g, out, x, y):
    s = m.sigmoid(x)  # 1 / (1 + exp(-x)), as silu_backward; a node whose own rule is stable
    return (g * s * (1.0 + x * (1.0 - s)),)


def _gelu_rule(m, g, out, x, y):
    cdf = 0.5 * (1.0 + m.erf(x * SQRT1_2))
    pdf = GELU_PDF * m.exp(x * x * -0.5)
    return (g * (cdf + x * pdf),)


def _gelu_tanh_rule(m, g, out, x, y):
    x_sq = x * x
    t = m.tanh(GELU_TANH_BETA * (x + GELU_TANH_KAPPA * (x_sq * x)))
    left, right = 0.5 * x, 1.0 + t
    inner_derivative = GELU_TANH_BETA * (1.0 + 3.0 * GELU_TANH_KAPPA * x_sq)
    return (g * (0.5 * right + left * (1.0 - t * t) * inner_derivative),)


def _logsigmoid_rule(m, g, out, x, y):
    negative = _below_zero(None, m.val(x), None)
    z = m.exp(x) if negative else m.exp(-x)  # exp(-|x|), written so its derivative is smooth at 0
    share = m.div(z, 1.0 + z)
    return (g * ((1.0 - share) if negative else share),)


def _elu_rule(m, g, out, x, alpha):
    xv = m.val(x)
    if xv == 0.0:  # exp(0) is 1; and elu_double_backward masks x < 0 strictly: no x here
        return (g * alpha,)
    if _not_positive(None, xv, None):
        return (g * alpha * m.exp(x),)
    return (g,)


def _leaky_relu_rule(m, g, out, x, slope):
    return (g * slope if _leaky(None, m.val(x), None) else g,)


def _atan2_rule(m, g, out, y, x):
    # atan2_backward: 1 / (y**2 + x**2), but 0 where that sum is 0 (at the origin,
    # or where the squares underflow), so the gradient there is 0 and not NaN.
    squares = y * y + x * x
    recip = m.mask(m.div(1.0, squares), _nonzero(None, m.val(squares), None))
    return (g * x * recip, g * -y * recip)


def _extreme_rule(m, g, out, xs, y):
    top = m.val(out)
    hits = [m.val(x) == top for x in xs]
    share = m.div(g, float(sum(hits)))  # no tie hit (a NaN): g / 0, then * 0 is NaN
    return tuple(share * (1.0 if hit else 0.0) for hit in hits)


def _logsumexp_rule(m, g, out, xs, y):
    return tuple(g * m.exp(x - out) for x in xs)


def _mean_rule(m, g, out, xs, y):
    return (m.div(g, float(len(xs))),) * len(xs)


def _clamp_rule(m, g, out, xs, y):
    numbers = tuple(m.val(v) for v in xs)
    return tuple(
        m.mask(g, keep)
        for keep in (
            not _clamp_x_off(None, numbers, 0),
            _clamp_lo_on(None, numbers, 1),
            _clamp_hi_on(None, numbers, 2),
        )
    )


def _where_rule(m, g, out, xs, y):
    took_a = _took_a(None, tuple(m.val(v) for v in xs), 0)
    return (0.0, m.mask(g, took_a), m.mask(g, not took_a))


def _no_gradient(m, g, out, x, y):
    return (0.0,)


def _no_gradients(m, g, out, xs, y):
    return (0.0, 0.0)  # never added: both inputs are cut


# The partial derivatives of several-input operations, as formulas (see `Op.derivative`).
def _extreme_partials(s, xs, name: str) -> tuple:
    if len(xs) == 2:  # ties share: 0.5 each
        x, y = xs
        ahead = s.call("gt" if name == "max" else "lt", (x, y))
        behind = s.call("lt" if name == "max" else "gt", (x, y))
        tie = s.call("eq", (x, y))
        return (s.where(tie, s.num(0.5), ahead), s.where(tie, s.num(0.5), behind))
    top = s.call(name, tuple(xs))
    hits = [s.call("eq", (x, top)) for x in xs]
    share = s.power(s.add(*hits), -1.0)
    return tuple(s.where(hit, share, s.num(0.0)) for hit in hits)


def _logsumexp_partials(s, xs) -> tuple:
    total = s.call("logsumexp", tuple(xs))
    return tuple(s.call("exp", (s.sub(x, total),)) for x in xs)


def _sum_partials(s, xs) -> tuple:
    return (s.num(1.0),) * len(xs)


def _mean_partials(s, xs) -> tuple:
    return (s.num(1.0 / len(xs)),) * len(xs)


def _where_partials(s, xs) -> tuple:
    c = xs[0]
    return (s.num(0.0), s.where(c, s.num(1.0), s.num(0.0)), s.where(c, s.num(0.0), s.num(1.0)))


_GELU_TANH_T = f"tanh({GELU_TANH_BETA!r}*(x + {GELU_TANH_KAPPA!r}*x**3))"
_GELU_TANH_DERIVATIVE = (
    f"0.5*(1 + {_GELU_TANH_T}) + 0.5*x*(1 - {_GELU_TANH_T}**2)*{GELU_TANH_BETA!r}"
    f"*(1 + {3.0 * GELU_TANH_KAPPA!r}*x**2)",
)

ARITHMETIC = "arithmetic"
EXPONENTIAL = "exponential and logarithm"
TRIGONOMETRIC = "trigonometric"
HYPERBOLIC = "hyperbolic"
ACTIVATIONS = "activations"
ROUNDING = "rounding"
SEVERAL = "several arguments"
COMPARISONS = "comparisons and selection"
GROUPS = (ARITHMETIC, EXPONENTIAL, TRIGONOMETRIC, HYPERBOLIC, ACTIVATIONS, ROUNDING, SEVERAL,
          COMPARISONS)  # fmt: skip
_XY = ("x", "y")
_ZERO = "0 (no gradient: the derivative is 0 everywhere)"
_COMPARED = "gets no gradient (a comparison passes none)"  # the text of a cut input


_TANH_INNER = f"tanh({GELU_TANH_BETA!r} * ({{x}} + {GELU_TANH_KAPPA!r} * ({{x}} * {{x}} * {{x}})))"
_GELU_TANH_TEXT = (
    f"{{g}} * (0.5 * (1 + {_TANH_INNER}) + 0.5 * {{x}} * (1 - {_TANH_INNER}**2) "
    f"* ({GELU_TANH_BETA!r} * (1 + {3.0 * GELU_TANH_KAPPA!r} * ({{x}} * {{x}}))))"
)


def _rounding_op(name: str, label: str, forward, description: str, kinks: Kinks) -> Op:
    return Op(name, name, 1, forward, _no_gradient, f"{name}'(x) = 0", description,
              trace=(label, _ZERO), group=ROUNDING, kinks=kinks, derivative=("0",))  # fmt: skip


def _extreme(name: str, forward, which: str, torch_name: str) -> Op:
    return Op(name, name, None, forward, _extreme_rule,
              f"d {name} = dx of the {which} (k tied: each gets 1/k)",
              f"the {which} argument (NaN if any is), as {torch_name}",
              trace=(name.capitalize(), Masked("{g} / {count}", (
                  _not_extreme, f"{{g}} / {{count}} * 0 ({{x}} is not the {which})"))),
              group=SEVERAL, kinks=ties(which == "largest"),
              derivative=lambda s, xs: _extreme_partials(s, xs, name))  # fmt: skip


def _comparison(name: str, symbol: str, forward, description: str) -> Op:
    return Op(name, symbol, 2, forward, _no_gradients, "no gradient to either side",
              f"1.0 if x {symbol} y else 0.0: {description}",
              trace=(name.capitalize(), _COMPARED, _COMPARED), group=COMPARISONS, params=_XY,
              function=False, syntax=f"x {symbol} y", cut=(0, 1),
              kinks=Kinks("x = y", _equal_near), derivative=("0", "0"))  # fmt: skip


OPS: tuple[Op, ...] = (
    # arithmetic
    Op("add", "+", 2, float.__add__, lambda m, g, out, x, y: (g, g),
       "d(x+y) = dx + dy", "addition",
       trace=("Add", "{g}", "{g}"), group=ARITHMETIC, params=_XY, function=False,
       syntax="x + y"),
    Op("sub", "-", 2, float.__sub__, lambda m, g, out, x, y: (g, -g),
       "d(x-y) = dx - dy", "subtraction",
       trace=("Sub", "{g}", "(-1) * {g}"), group=ARITHMETIC, params=_XY, function=False,
       syntax="x - y"),
    Op("mul", "*", 2, float.__mul__, lambda m, g, out, x, y: (g * y, g * x),
       "d(x*y) = y dx + x dy", "multiplication",
       trace=("Mul", "({y}) * {g}", "({x}) * {g}"), group=ARITHMETIC, params=_XY,
       function=False, syntax="x * y"),
    Op("div", "/", 2, f_div, lambda m, g, out, x, y: (m.div(g, y), -g * m.div(m.div(x, y), y)),
       "d(x/y) = dx/y - (x/y) dy/y", "division",
       trace=("Div", "{g} / {y}", "-(({x} / {y}) / {y}) * {g}"), group=ARITHMETIC,
       params=_XY, function=False, syntax="x / y"),
    Op("neg", "neg", 1, float.__neg__, lambda m, g, out, x, y: (-g,),
       "d(-x) = -dx", "negation",
       trace=("Neg", "(-1) * {g}"), group=ARITHMETIC, function=False, syntax="-x"),
    Op("pow_const", "**", 1, f_pow_const, _pow_const_rule,
       "d(x**n) = n x**(n-1) dx", "power with a constant exponent",
       trace=("Pow", Masked("({n} * {x}**({n} - 1)) * {g}",
                            (_zero_exponent, "0 (the exponent is 0)"))),
       group=ARITHMETIC, params=("x", "n"), function=False, takes_constant=True,
       syntax="x ** n"),
    Op("pow", "**", 2, f_pow, _pow_rule,
       "d(x**y) = y x**(y-1) dx + x**y log(x) dy",
       "power with a variable exponent; also written x ^ y and pow(x, y)",
       trace=("Pow",
              Masked("({y} * {x}**({y} - 1)) * {g}", (_zero_exponent, "0 (the exponent is 0)")),
              Masked("({out} * log({x})) * {g}",
                     (_zero_base, "0 * {g} (the base is 0, the exponent >= 0)"))),
       derivative=("where(y != 0, y*x**(y - 1), 0)",
                   "where(x != 0, x**y*log(x), where(y >= 0, 0, x**y*log(x)))"),
       group=ARITHMETIC, params=_XY, syntax="x ** y"),
    Op("sqrt", "sqrt", 1, f_sqrt, lambda m, g, out, x, y: (m.div(g, 2.0 * out),),
       "sqrt'(x) = 1/(2 sqrt(x))", "square root",
       trace=("Sqrt", "{g} / (2 * {out})"), derivative=("1/(2*sqrt(x))",), group=ARITHMETIC),
    Op("square", "square", 1, f_square, lambda m, g, out, x, y: (g * (2.0 * x),),
       "square'(x) = 2x", "x * x, as torch.square",
       trace=("Square", "(2 * {x}) * {g}"), group=ARITHMETIC),
    Op("abs", "abs", 1, abs, lambda m, g, out, x, y: (g * m.sign(x),),
       "abs'(x) = sign(x)", "absolute value",
       trace=("Abs", "sign({x}) * {g}"),
       derivative=("sign(x)",),
       group=ARITHMETIC, kinks=points(0.0)),
    # exponential and logarithm
    Op("exp", "exp", 1, f_exp, lambda m, g, out, x, y: (g * out,),
       "exp'(x) = exp(x)", "exponential, e**x",
       trace=("Exp", "({out}) * {g}"), derivative=("exp(x)",), group=EXPONENTIAL),
    Op("exp2", "exp2", 1, f_exp2, lambda m, g, out, x, y: (g * out * LN2,),
       "exp2'(x) = 2**x log(2)", "2**x",
       trace=("Exp2", "{g} * {out} * log(2)"), derivative=("exp2(x)*log(2)",), group=EXPONENTIAL),
    Op("expm1", "expm1", 1, f_expm1, lambda m, g, out, x, y: (g * (out + 1.0),),
       "expm1'(x) = exp(x)", "exp(x) - 1, exact near 0",
       trace=("Expm1", "{g} * ({out} + 1)"), derivative=("expm1(x) + 1",), group=EXPONENTIAL),
    Op("log", "log", 1, f_log, lambda m, g, out, x, y: (m.div(g, x),),
       "log'(x) = 1/x", "natural logarithm",
       trace=("Log", "{g} / {x}"), derivative=("1/x",), group=EXPONENTIAL, aliases=("ln",)),
    Op("log2", "log2", 1, f_log2, lambda m, g, out, x, y: (m.div(g, x * LN2),),
       "log2'(x) = 1/(x log(2))", "logarithm to base 2",
       trace=("Log2", "{g} / ({x} * log(2))"), derivative=("1/(x*log(2))",), group=EXPONENTIAL),
    Op("log10", "log10", 1, f_log10, lambda m, g, out, x, y: (m.div(g, x * LN10),),
       "log10'(x) = 1/(x log(10))", "logarithm to base 10",
       trace=("Log10", "{g} / ({x} * 2.3025850929940456)"),
       derivative=("1/(x*log(10))",),
       group=EXPONENTIAL),
    Op("log1p", "log1p", 1, f_log1p, lambda m, g, out, x, y: (m.div(g, x + 1.0),),
       "log1p'(x) = 1/(1 + x)", "log(1 + x), exact near 0",
       trace=("Log1p", "{g} / ({x} + 1)"), derivative=("1/(x + 1)",), group=EXPONENTIAL),
    Op("erf", "erf", 1, f_erf,
       lambda m, g, out, x, y: (TWO_OVER_SQRT_PI * m.exp(-m.pow_const(x, 2.0)) * g,),
       "erf'(x) = 2/sqrt(pi) exp(-x**2)", "error function",
       trace=("Erf", "2 / sqrt(pi) * exp(-({x} * {x})) * {g}"),
       derivative=(f"{TWO_OVER_SQRT_PI!r}*exp(-x**2)",),
       group=EXPONENTIAL),
    Op("erfc", "erfc", 1, f_erfc,
       lambda m, g, out, x, y: (-TWO_OVER_SQRT_PI * m.exp(-m.pow_const(x, 2.0)) * g,),
       "erfc'(x) = -2/sqrt(pi) exp(-x**2)", "complementary error function, 1 - erf(x)",
       trace=("Erfc", "-2 / sqrt(pi) * exp(-({x} * {x})) * {g}"),
       derivative=(f"-{TWO_OVER_SQRT_PI!r}*exp(-x**2)",),
       group=EXPONENTIAL),
    # trigonometric
    Op("sin", "sin", 1, f_sin, lambda m, g, out, x, y: (g * m.cos(x),),
       "sin'(x) = cos(x)", "sine (radians)",
       trace=("Sin", "cos({x}) * {g}"), derivative=("cos(x)",), group=TRIGONOMETRIC),
    Op("cos", "cos", 1, f_cos, lambda m, g, out, x, y: (g * -m.sin(x),),
       "cos'(x) = -sin(x)", "cosine (radians)",
       trace=("Cos", "(-sin({x})) * {g}"), derivative=("-sin(x)",), group=TRIGONOMETRIC),
    Op("tan", "tan", 1, f_tan, lambda m, g, out, x, y: (g * (1.0 + out * out),),
       "tan'(x) = 1 + tan(x)**2", "tangent (radians)",
       trace=("Tan", "(1 + {out}**2) * {g}"), derivative=("1 + tan(x)**2",), group=TRIGONOMETRIC),
    Op("asin", "asin", 1, f_asin, lambda m, g, out, x, y: (g * _rsqrt(m, -x * x + 1.0),),
       "asin'(x) = 1/sqrt(1 - x**2)", "inverse sine, in [-pi/2, pi/2]",
       trace=("Asin", "{g} * (1 / sqrt(1 - {x}**2))"),
       derivative=("1/sqrt(1 - x**2)",),
       group=TRIGONOMETRIC, aliases=("arcsin",)),
    Op("acos", "acos", 1, f_acos, lambda m, g, out, x, y: (g * -_rsqrt(m, -x * x + 1.0),),
       "acos'(x) = -1/sqrt(1 - x**2)", "inverse cosine, in [0, pi]",
       trace=("Acos", "{g} * -(1 / sqrt(1 - {x}**2))"),
       derivative=("-1/sqrt(1 - x**2)",),
       group=TRIGONOMETRIC, aliases=("arccos",)),
    Op("atan", "atan", 1, f_atan, lambda m, g, out, x, y: (m.div(g, x * x + 1.0),),
       "atan'(x) = 1/(1 + x**2)", "inverse tangent, in (-pi/2, pi/2)",
       trace=("Atan", "{g} / ({x}**2 + 1)"),
       derivative=("1/(x**2 + 1)",),
       group=TRIGONOMETRIC, aliases=("arctan",)),
    Op("atan2", "atan2", 2, f_atan2, _atan2_rule,
       "d atan2(y, x) = (x dy - y dx)/(x**2 + y**2)",
       "the angle of the point (x, y), in [-pi, pi]",
       trace=("Atan2",
              Masked("{g} * {y} * (1 / ({x}**2 + {y}**2))", (_origin, "{g} * {y} * 0" + _ORIGIN)),
              Masked("{g} * -({x}) * (1 / ({x}**2 + {y}**2))",
                     (_origin, "{g} * -({x}) * 0" + _ORIGIN))),
       derivative=("where(y**2 + x**2 != 0, x/(y**2 + x**2), 0)",
                   "where(y**2 + x**2 != 0, -y/(y**2 + x**2), 0)"),
       group=TRIGONOMETRIC, params=("y", "x"), aliases=("arctan2",),
       kinks=Kinks("y = 0 with x < 0 (the branch cut)", _cut_near)),
    Op("hypot", "hypot", 2, f_hypot,
       lambda m, g, out, x, y: (m.div(g * x, out), m.div(g * y, out)),
       "d hypot(x, y) = (x dx + y dy)/hypot(x, y)", "sqrt(x**2 + y**2), without overflow",
       trace=("Hypot", "{g} * {x} / {out}", "{g} * {y} / {out}"),
       derivative=("x/hypot(x, y)", "y/hypot(x, y)"),
       group=TRIGONOMETRIC,
       params=_XY),
    # hyperbolic
    Op("sinh", "sinh", 1, f_sinh, lambda m, g, out, x, y: (g * m.cosh(x),),
       "sinh'(x) = cosh(x)", "hyperbolic sine",
       trace=("Sinh", "{g} * cosh({x})"), derivative=("cosh(x)",), group=HYPERBOLIC),
    Op("cosh", "cosh", 1, f_cosh, lambda m, g, out, x, y: (g * m.sinh(x),),
       "cosh'(x) = sinh(x)", "hyperbolic cosine",
       trace=("Cosh", "{g} * sinh({x})"), derivative=("sinh(x)",), group=HYPERBOLIC),
    Op("tanh", "tanh", 1, math.tanh, lambda m, g, out, x, y: (g * (1.0 - out * out),),
       "tanh'(x) = 1 - tanh(x)**2", "hyperbolic tangent",
       trace=("Tanh", "(1 - {out}**2) * {g}"), derivative=("1 - tanh(x)**2",), group=HYPERBOLIC),
    Op("asinh", "asinh", 1, f_asinh,
       lambda m, g, out, x, y: (g * _rsqrt(m, m.pow_const(x, 2.0) + 1.0),),
       "asinh'(x) = 1/sqrt(x**2 + 1)", "inverse hyperbolic sine",
       trace=("Asinh", "{g} * (1 / sqrt({x}**2 + 1))"),
       derivative=("1/sqrt(x**2 + 1)",),
       group=HYPERBOLIC, aliases=("arcsinh",)),
    Op("acosh", "acosh", 1, f_acosh, lambda m, g, out, x, y: (g * _rsqrt(m, x * x - 1.0),),
       "acosh'(x) = 1/sqrt(x**2 - 1)", "inverse hyperbolic cosine, for x >= 1",
       trace=("Acosh", "{g} * (1 / sqrt({x}**2 - 1))"),
       derivative=("1/sqrt(x**2 - 1)",),
       group=HYPERBOLIC, aliases=("arccosh",)),
    Op("atanh", "atanh", 1, f_atanh,
       lambda m, g, out, x, y: (m.div(g, 1.0 - m.pow_const(x, 2.0)),),
       "atanh'(x) = 1/(1 - x**2)", "inverse hyperbolic tangent, for -1 <= x <= 1",
       trace=("Atanh", "{g} / (1 - {x}**2)"),
       derivative=("1/(1 - x**2)",),
       group=HYPERBOLIC, aliases=("arctanh",)),
    # activations
    Op("relu", "ReLU", 1, f_relu, _relu_rule,
       "relu'(x) = 1 if x > 0 else 0", "rectified linear unit, max(0, x)",
       trace=("ReLU", Masked("({out} > 0) * {g}",
                             (_relu_off, "0 ({out} <= 0: relu passes no gradient)"),
                             (_nan_output, "{g} (relu passes the gradient of a NaN on)"))),
       derivative=("x > 0",), group=ACTIVATIONS, kinks=points(0.0)),
    Op("leaky_relu", "LeakyReLU", 1, f_leaky_relu, _leaky_relu_rule,
       "leaky_relu'(x) = 1 if x > 0 else slope", "x if x > 0 else slope * x (slope 0.01)",
       trace=("LeakyReLU", Masked("{g}", (_leaky, "{g} * {n}"))),
       derivative=("where(x > 0, 1, slope)",),
       group=ACTIVATIONS, params=("x", "slope"), takes_constant=True, default=0.01,
       kinks=points(0.0)),
    Op("elu", "ELU", 1, f_elu, _elu_rule,
       "elu'(x) = 1 if x > 0 else alpha exp(x)",
       "x if x > 0 else alpha * (exp(x) - 1) (alpha 1)",
       trace=("ELU", Masked("{g}", (_not_positive, "{g} * {n} * exp({x})"))),
       derivative=("where(x > 0, 1, alpha*exp(x))",),
       group=ACTIVATIONS, params=("x", "alpha"), takes_constant=True, default=1.0,
       kinks=points(0.0)),
    Op("sigmoid", "sigmoid", 1, f_sigmoid, lambda m, g, out, x, y: (g * (1.0 - out) * out,),
       "sigmoid'(x) = sigmoid(x) (1 - sigmoid(x))", "logistic function, 1/(1+exp(-x))",
       trace=("Sigmoid", "{g} * (1 - {out}) * {out}"),
       derivative=("sigmoid(x)*(1 - sigmoid(x))",),
       group=ACTIVATIONS),
    Op("logsigmoid", "LogSigmoid", 1, f_logsigmoid, _logsigmoid_rule,
       "logsigmoid'(x) = 1 - sigmoid(x)", "log(sigmoid(x)), without overflow",
       trace=("LogSigmoid",
              Masked("{g} * exp(-({x})) / (1 + exp(-({x})))",
                     (_below_zero, "{g} * (1 - exp({x}) / (1 + exp({x})))"))),
       derivative=("sigmoid(-x)",), group=ACTIVATIONS),
    Op("softplus", "Softplus", 1, f_softplus, _softplus_rule,
       "softplus'(x) = sigmoid(x) (1 if x > 20)",
       "log(1 + exp(x)), and x itself above 20 (torch's threshold)",
       trace=("Softplus",
              Masked("{g} * exp({x}) / (exp({x}) + 1)",
                     (_above_threshold, "{g} ({x} > 20: softplus is x there)"))),
       derivative=("where(x > 20, 1, sigmoid(x))",),
       group=ACTIVATIONS, kinks=points(SOFTPLUS_THRESHOLD)),
    Op("silu", "SiLU", 1, f_silu, _silu_rule,
       "silu'(x) = s (1 + x (1 - s)), s = sigmoid(x)", "x * sigmoid(x)",
       trace=("SiLU", "{g} * sigmoid({x}) * (1 + {x} * (1 - sigmoid({x})))"),
       derivative=("sigmoid(x)*(1 + x*(1 - sigmoid(x)))",), group=ACTIVATIONS, aliases=("swish",)),
    Op("gelu", "GELU", 1, f_gelu, _gelu_rule,
       "gelu'(x) = Phi(x) + x phi(x)", "x * Phi(x), Phi the normal distribution (erf form)",
       trace=("GELU", f"{{g}} * (0.5 * (1 + erf({{x}} * {SQRT1_2!r})) "
                      f"+ {{x}} * ({GELU_PDF!r} * exp({{x}} * {{x}} * -0.5)))"),
       derivative=(f"0.5*(1 + erf(x*{SQRT1_2!r})) + {GELU_PDF!r}*x*exp(-0.5*x**2)",),
       group=ACTIVATIONS),
    Op("gelu_tanh", "GELU(tanh)", 1, f_gelu_tanh, _gelu_tanh_rule,
       "gelu_tanh'(x) = (1 + t)/2 + x (1 - t**2) k (1 + 3c x**2)/2, t = tanh(k (x + c x**3))",
       "0.5 x (1 + tanh(k (x + c x**3))), k = sqrt(2/pi), c = 0.044715: GELU's tanh form",
       trace=("GELU(tanh)", _GELU_TANH_TEXT), derivative=_GELU_TANH_DERIVATIVE, group=ACTIVATIONS),
    # rounding
    _rounding_op("floor", "Floor", f_floor, "the largest integer <= x", jumps("every integer")),
    _rounding_op("ceil", "Ceil", f_ceil, "the smallest integer >= x", jumps("every integer")),
    _rounding_op("round", "Round", f_round, "the nearest integer, halves to even",
              jumps("every half-integer (n + 0.5)", offset=0.5)),
    _rounding_op("trunc", "Trunc", f_trunc, "x without its fraction, towards 0",
              jumps("every integer but 0", but_zero=True)),
    _rounding_op("sign", "Sign", f_sign, "1, -1 or 0 (0 for NaN, as torch.sign)", points(0.0)),
    # several arguments
    _extreme("max", f_max, "largest", "torch.amax"),
    _extreme("min", f_min, "smallest", "torch.amin"),
    Op("logsumexp", "logsumexp", None, f_logsumexp, _logsumexp_rule,
       "d logsumexp = sum of exp(x_i - logsumexp) dx_i",
       "log(exp(x) + exp(y) + ...), without overflow",
       trace=("LogSumExp", "{g} * exp({x} - {out})"),
       derivative=_logsumexp_partials,
       group=SEVERAL),
    Op("sum", "sum", None, f_sum, lambda m, g, out, xs, y: (g,) * len(xs),
       "d sum = dx + dy + ...", "x + y + ...",
       trace=("Sum", "{g}"), derivative=_sum_partials, group=SEVERAL),
    Op("mean", "mean", None, f_mean, _mean_rule,
       "d mean = (dx + dy + ...)/n", "(x + y + ...) / n",
       trace=("Mean", "{g} / {size}"), derivative=_mean_partials, group=SEVERAL),
    Op("clamp", "clamp", 3, f_clamp, _clamp_rule,
       "d clamp = dx inside [lo, hi], else d of the bound that binds",
       "min(max(x, lo), hi), as torch.clamp(x, min=lo, max=hi)",
       trace=("Clamp",
              Masked("{g}", (_clamp_x_off, "0 ({0} is outside [{1}, {2}])")),
              Masked("0 (the lower bound does not bind)",
                     (_clamp_lo_on, "{g} (the lower bound binds)")),
              Masked("0 (the upper bound does not bind)",
                     (_clamp_hi_on, "{g} (the upper bound binds)"))),
       derivative=("(lo <= x)*(x <= hi)", "(x < lo)*(lo < hi)", "where(hi < lo, 1, x > hi)"),
       group=SEVERAL, params=("x", "lo", "hi"), kinks=Kinks("x = lo, x = hi, lo = hi", _clamp_near),
       aliases=("clip",)),
    # comparisons and selection
    _comparison("lt", "<", f_lt, "less than"),
    _comparison("le", "<=", f_le, "less than or equal"),
    _comparison("gt", ">", f_gt, "greater than"),
    _comparison("ge", ">=", f_ge, "greater than or equal"),
    _comparison("eq", "==", f_eq, "equal"),
    _comparison("ne", "!=", f_ne, "not equal"),
    Op("where", "where", 3, f_where, _where_rule,
       "d where = da where c != 0, else db (c gets none)",
       "a where c != 0, else b, as torch.where(c != 0, a, b)",
       trace=("Where", "gets no gradient (a condition passes none)",
              Masked("{g}", (_took_b, "0 (the condition is 0: where takes the other branch)")),
              Masked("{g}", (_took_a, "0 (the condition is not 0: where takes the other branch)"))),
       derivative=_where_partials, group=COMPARISONS, params=("c", "a", "b"), cut=(0,),
       kinks=Kinks("c = 0", _condition_near)),
)  # fmt: skip

# An operation the backward rules use on `Value`s, never written in an
# expression: a masked gradient is a node, not a constant 0, so that a second
# backward pass still sends 0 into the graph it masks (where 0 / 0 may make a
# NaN), as PyTorch's double backward of `where` and `threshold_backward` does.
INTERNAL: tuple[Op, ...] = (
    Op("mask", "mask", 1, f_mask, lambda m, g, out, x, keep: (m.mask(g, keep),),
       "mask'(x) = 1 if kept else 0", "x where a condition holds, else 0 (torch.where)",
       trace=("Mask", "{g} if {n} else 0"), group=ARITHMETIC, function=False,
       takes_constant=True),
)  # fmt: skip

BY_NAME: dict[str, Op] = {op.name: op for op in OPS + INTERNAL}
FUNCTIONS: dict[str, Op] = {op.name: op for op in OPS if op.function}
# Every name a call may use: the functions and their aliases (exact, never a guess).
NAMES: dict[str, Op] = {**FUNCTIONS, **{alias: op for op in OPS for alias in op.aliases}}


def namespace(lift: Callable[[Op], Callable], **extra) -> SimpleNamespace:
    """The primitives backward rules are written against, one per operation."""
    prims = {op.name: lift(op) for op in OPS + INTERNAL}
    prims.update(extra)
    return SimpleNamespace(**prims)


# Rules on plain floats: the primitives are the forward functions themselves.
FLOAT = namespace(lambda op: op.forward, val=float, sign=f_sign)
