"""Forward functions on doubles: PyTorch float64's values, and never an exception.

Each is the value of one row of the table of operations (`ops.py`). They
follow IEEE 754 as PyTorch's CPU kernels do: no ZeroDivisionError,
ValueError or OverflowError, never a complex number; undefined results are
NaN, overflow is +-inf. Where PyTorch's kernel is a formula (softplus, gelu,
logsigmoid, logsumexp), the same formula in the same order, so the values
agree to the last bit or nearly (the libraries' exp and erf may round
differently in the last bit).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable

INF = math.inf
NAN = math.nan
LN2 = 0.6931471805599453  # M_LN2, as derivatives.yaml writes it
LN10 = 2.3025850929940456
SQRT1_2 = 0.7071067811865476  # M_SQRT1_2
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)  # erf's derivative, as derivatives.yaml computes it
GELU_PDF = 1.1283791670955126 * SQRT1_2 * 0.5  # M_2_SQRTPI * M_SQRT1_2 * 0.5
GELU_TANH_BETA = 1.4142135623730951 * 1.1283791670955126 * 0.5  # M_SQRT2 * M_2_SQRTPI * 0.5
GELU_TANH_KAPPA = 0.044715
SOFTPLUS_THRESHOLD = 20.0  # torch.nn.functional.softplus's default


def _is_odd_integer(y: float) -> bool:
    return math.isfinite(y) and y % 2.0 == 1.0


def _guarded(fn: Callable[[float], float], name: str, edge: Callable[[float], float]):
    """`fn`, with `edge(x)` for the inputs where Python raises (domain, overflow)."""

    def safe(x: float) -> float:
        try:
            return fn(x)
        except (ValueError, OverflowError):
            return edge(x)

    safe.__name__ = f"f_{name}"
    return safe


def _nan(x: float) -> float:
    return NAN


def _overflow(x: float) -> float:
    return math.copysign(INF, x)


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


def f_square(x: float) -> float:
    return x * x


f_exp = _guarded(math.exp, "exp", lambda x: INF)
f_expm1 = _guarded(math.expm1, "expm1", lambda x: INF)
f_exp2 = _guarded(lambda x: 2.0**x, "exp2", lambda x: INF)


def _logarithm(fn: Callable[[float], float], name: str, edge: float = 0.0):
    """log, log2, log10 (edge 0) and log1p (edge -1): -inf at the edge, NaN below it."""

    def safe(x: float) -> float:
        if x > edge:
            return fn(x)
        if x == edge:
            return -INF
        return NAN  # below the edge, or NaN

    safe.__name__ = f"f_{name}"
    return safe


f_log = _logarithm(math.log, "log")
f_log2 = _logarithm(math.log2, "log2")
f_log10 = _logarithm(math.log10, "log10")
f_log1p = _logarithm(math.log1p, "log1p", -1.0)


def f_sqrt(x: float) -> float:
    return math.sqrt(x) if x >= 0.0 else NAN


f_sin = _guarded(math.sin, "sin", _nan)  # raises at +-inf
f_cos = _guarded(math.cos, "cos", _nan)
f_tan = _guarded(math.tan, "tan", _nan)
f_asin = _guarded(math.asin, "asin", _nan)  # raises outside [-1, 1]
f_acos = _guarded(math.acos, "acos", _nan)
f_atan = math.atan
f_sinh = _guarded(math.sinh, "sinh", _overflow)
f_cosh = _guarded(math.cosh, "cosh", lambda x: INF)
f_asinh = math.asinh
f_acosh = _guarded(math.acosh, "acosh", _nan)  # raises below 1
# atanh(+-1) is +-inf; Python raises there and beyond.
f_atanh = _guarded(math.atanh, "atanh", lambda x: math.copysign(INF, x) if abs(x) == 1.0 else NAN)
f_erf = math.erf
f_erfc = math.erfc
f_atan2 = math.atan2  # every IEEE case, atan2(0, 0) = 0 included
f_hypot = math.hypot


def f_sigmoid(x: float) -> float:
    return 1.0 / (1.0 + f_exp(-x))  # never 1/0: the denominator is at least 1


def f_relu(x: float) -> float:
    return 0.0 if x < 0.0 else x  # -0.0 and NaN pass through, as in PyTorch


def f_sign(x: float) -> float:
    return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)  # sign(nan) is 0, as torch.sign's


def f_softplus(x: float) -> float:
    return x if x > SOFTPLUS_THRESHOLD else f_log1p(f_exp(x))


def f_silu(x: float) -> float:
    return x / (1.0 + f_exp(-x))


def f_gelu(x: float) -> float:
    return x * 0.5 * (1.0 + math.erf(x * SQRT1_2))


def f_gelu_tanh(x: float) -> float:
    inner = GELU_TANH_BETA * (x + GELU_TANH_KAPPA * (x * x * x))
    return 0.5 * x * (1.0 + math.tanh(inner))


def f_logsigmoid(x: float) -> float:
    return (x if x < 0.0 else 0.0) - math.log1p(f_exp(-abs(x)))


def f_elu(x: float, alpha: float) -> float:
    return f_expm1(x) * alpha if x < 0.0 else x  # at +-0.0, x itself (its sign), as torch


def f_leaky_relu(x: float, slope: float) -> float:
    return x if x > 0.0 else x * slope


def _rounding(fn: Callable[[float], int], name: str):
    """floor, ceil, trunc, round: the integral double, with a zero's sign kept as C's is."""

    def safe(x: float) -> float:
        if not math.isfinite(x) or abs(x) >= 4503599627370496.0:  # 2**52: already integral
            return x
        r = float(fn(x))
        return math.copysign(0.0, x) if r == 0.0 else r

    safe.__name__ = f"f_{name}"
    return safe


f_floor = _rounding(math.floor, "floor")
f_ceil = _rounding(math.ceil, "ceil")
f_trunc = _rounding(math.trunc, "trunc")
f_round = _rounding(round, "round")  # Python's round is half to even, as torch.round


def f_max(*xs: float) -> float:
    """torch.amax of the arguments: NaN if any is, else the first largest."""
    if any(x != x for x in xs):
        return NAN
    return max(xs)


def f_min(*xs: float) -> float:
    if any(x != x for x in xs):
        return NAN
    return min(xs)


def f_sum(*xs: float) -> float:
    total = 0.0  # as torch.sum: the sum of -0.0s is 0.0
    for x in xs:
        total += x
    return total


def f_mean(*xs: float) -> float:
    return f_sum(*xs) / len(xs)


def f_logsumexp(*xs: float) -> float:
    """torch.logsumexp: shifted by the largest argument, unless that is infinite."""
    top = f_max(*xs)
    shift = 0.0 if abs(top) == INF else top
    if shift != shift:
        return NAN
    return f_log(f_sum(*(f_exp(x - shift) for x in xs))) + shift


def f_clamp(x: float, lo: float, hi: float) -> float:
    """torch.clamp(x, min=lo, max=hi): min(max(x, lo), hi), NaN if any is NaN."""
    if x != x or lo != lo or hi != hi:
        return NAN
    return min(max(x, lo), hi)


def f_where(c: float, a: float, b: float) -> float:
    return a if c != 0.0 else b  # a NaN condition is != 0: a


def f_mask(x: float, keep) -> float:
    return x if keep else 0.0


def _comparison(test: Callable[[float, float], bool], name: str):
    def compare(x: float, y: float) -> float:
        return 1.0 if test(x, y) else 0.0

    compare.__name__ = f"f_{name}"
    return compare


f_lt = _comparison(operator.lt, "lt")
f_le = _comparison(operator.le, "le")
f_gt = _comparison(operator.gt, "gt")
f_ge = _comparison(operator.ge, "ge")
f_eq = _comparison(operator.eq, "eq")
f_ne = _comparison(operator.ne, "ne")
