"""Every operation at its singular points: PyTorch's float64 answer, bit for bit.

PyTorch's backward formulas (its tools/autograd/derivatives.yaml) divide and
mask; they are not "local derivative times upstream gradient". Each case
below is worked out by hand from the formula named beside it, with the
upstream gradient g that makes the difference (inf, NaN, 0, -0.0, tiny).
Compared bit for bit: NaN is NaN and the sign of a zero counts.
"""

from __future__ import annotations

import json
import math

import pytest

from autodiff_cli.ops import FLOAT, OPS
from autodiff_cli.value import Value, apply

INF, NAN = math.inf, math.nan

# op name -> [(inputs (the constant last for x ** n), g, value, each input's contribution)]
CASES = {
    # add: grad, grad
    "add": [
        ((-0.0, -0.0), 1.0, -0.0, (1.0, 1.0)),
        ((INF, -INF), 1.0, NAN, (1.0, 1.0)),
        ((1.0, 2.0), -0.0, 3.0, (-0.0, -0.0)),
        ((1.0, 2.0), NAN, 3.0, (NAN, NAN)),
    ],
    # sub: grad, -grad
    "sub": [
        ((INF, INF), 1.0, NAN, (1.0, -1.0)),
        ((-0.0, 0.0), -0.0, -0.0, (-0.0, 0.0)),
    ],
    # mul: grad * other, grad * self
    "mul": [
        ((1.0, -0.0), 1.0, -0.0, (-0.0, 1.0)),
        ((0.0, INF), 1.0, NAN, (INF, 0.0)),
        ((2.0, 0.0), INF, 0.0, (NAN, INF)),  # inf * 0: no mask in a product
        ((1e-200, 1e-200), 1.0, 0.0, (1e-200, 1e-200)),
    ],
    # div: grad / other, -grad * ((self / other) / other)
    "div": [
        ((1.0, 0.0), 1.0, INF, (INF, -INF)),
        ((1.0, -0.0), 1.0, -INF, (-INF, -INF)),
        ((0.0, 0.0), 1.0, NAN, (INF, NAN)),
        ((0.0, 2.0), 1.0, 0.0, (0.5, -0.0)),
        ((1e-30, 1e-310), 1e-20, 1.000000000000003e280, (1.000000000000003e290, -INF)),
        ((1.0, 1e-310), 0.0, INF, (0.0, NAN)),  # -0 * inf
    ],
    # neg: -grad
    "neg": [
        ((0.0,), 1.0, -0.0, (-1.0,)),
        ((NAN,), 1.0, NAN, (-1.0,)),
        ((1.0,), -0.0, -1.0, (0.0,)),
    ],
    # pow (tensor, number): zeros_like(self) for n == 0, else grad * (n * self.pow(n - 1)),
    # with PyTorch's own kernels for n = 0.5 (sqrt), -0.5 (rsqrt), -1, 2, 3, -2
    "pow_const": [
        ((NAN, 0.0), 1.0, 1.0, (0.0,)),
        ((3.0, 0.0), INF, 1.0, (0.0,)),  # a zero, not inf * 0
        ((0.0, 0.0), NAN, 1.0, (0.0,)),
        ((-0.0, 0.5), 1.0, -0.0, (-INF,)),  # sqrt(-0.0); 0.5 * rsqrt(-0.0)
        ((-INF, 0.5), 1.0, NAN, (NAN,)),  # sqrt(-inf), where pow(-inf, 0.5) is inf
        ((-INF, 1.5), 1.0, INF, (NAN,)),  # 1.5 * sqrt(-inf)
        ((-0.0, -0.5), 1.0, -INF, (-INF,)),  # 1 / sqrt(-0.0); -0.5 * (-0.0) ** -1.5
        ((0.0, -1.0), 1.0, INF, (-INF,)),  # -1 * (1 / (0 * 0))
        ((5e-324, 2.0), 1.0, 0.0, (1e-323,)),  # 2 * x ** 1
        ((-0.0, 3.0), 1.0, -0.0, (0.0,)),  # 3 * (x * x)
        ((-1.0, 1.5), 1.0, NAN, (NAN,)),
        ((NAN, 1.0), 1.0, NAN, (1.0,)),  # 1 * nan ** 0
        ((0.0, 2.0), INF, 0.0, (NAN,)),  # inf * (2 * 0)
    ],
    # pow (tensor, tensor):
    # self: where(exponent == 0, 0, grad * (exponent * self.pow(exponent - 1)))
    # exponent: grad * where(self == 0 & exponent >= 0, 0, result * self.log())
    "pow": [
        ((0.0, 0.0), 1.0, 1.0, (0.0, 0.0)),
        ((0.0, 2.0), 1.0, 0.0, (0.0, 0.0)),
        ((0.0, -1.0), 1.0, INF, (-INF, -INF)),  # inf * log(0)
        ((-2.0, 0.0), 1.0, 1.0, (0.0, NAN)),  # 1 * log(-2)
        ((-2.0, 0.0), INF, 1.0, (0.0, NAN)),  # the base's mask holds even for inf
        ((NAN, 0.0), 1.0, 1.0, (0.0, NAN)),
        ((0.0, 1.0), INF, 0.0, (INF, NAN)),  # the exponent's 0 is multiplied: inf * 0
        ((-8.0, 1 / 3), 1.0, NAN, (NAN, NAN)),
    ],
    # relu: threshold_backward(grad, result, 0): where(result <= 0, 0, grad)
    "relu": [
        ((-1.0,), INF, 0.0, (0.0,)),
        ((0.0,), NAN, 0.0, (0.0,)),
        ((-0.0,), 1.0, -0.0, (0.0,)),
        ((NAN,), 1.0, NAN, (1.0,)),
        ((-INF,), 1.0, 0.0, (0.0,)),
        ((2.0,), -0.0, 2.0, (-0.0,)),
    ],
    # exp: grad * result
    "exp": [
        ((1000.0,), 1.0, INF, (INF,)),
        ((1000.0,), 0.0, INF, (NAN,)),
        ((-1000.0,), 1.0, 0.0, (0.0,)),
        ((-INF,), 1.0, 0.0, (0.0,)),
    ],
    # log: grad / self
    "log": [
        ((0.0,), 1.0, -INF, (INF,)),
        ((-0.0,), 1.0, -INF, (-INF,)),
        ((-1.0,), 1.0, NAN, (-1.0,)),
        ((1e-310,), 1e-10, -713.8013788281542, (1.000000000000003e300,)),  # not (1/x) * g = inf
        ((5e-324,), 0.0, -744.4400719213812, (0.0,)),  # not 0 * inf
        ((INF,), 1.0, INF, (0.0,)),
        ((-INF,), 1.0, NAN, (-0.0,)),
    ],
    # tanh: tanh_backward(grad, result): grad * (1 - result * result)
    "tanh": [
        ((INF,), 1.0, 1.0, (0.0,)),
        ((-INF,), 1.0, -1.0, (0.0,)),
        ((-0.0,), 1.0, -0.0, (1.0,)),
        ((INF,), INF, 1.0, (NAN,)),
        ((NAN,), 1.0, NAN, (NAN,)),
    ],
    # sigmoid: sigmoid_backward(grad, result): grad * (1 - result) * result
    "sigmoid": [
        ((-INF,), 1.0, 0.0, (0.0,)),
        ((INF,), 1.0, 1.0, (0.0,)),
        ((-1000.0,), 1.0, 0.0, (0.0,)),
        ((0.0,), 1.0, 0.5, (0.25,)),
        ((INF,), INF, 1.0, (NAN,)),
    ],
    # sqrt: grad / (2 * result)
    "sqrt": [
        ((0.0,), 1.0, 0.0, (INF,)),
        ((-0.0,), 1.0, -0.0, (-INF,)),
        ((0.0,), 0.0, 0.0, (NAN,)),  # 0 / 0
        ((-1.0,), 1.0, NAN, (NAN,)),
        ((INF,), 1.0, INF, (0.0,)),
        ((1e-310,), 1e-10, 9.999999999999986e-156, (5.0000000000000076e144,)),  # g / (2 * out)
    ],
    # abs: grad * self.sgn(), with sgn(0) = 0 and sgn(nan) = 0
    "abs": [
        ((0.0,), 1.0, 0.0, (0.0,)),
        ((-0.0,), 1.0, 0.0, (0.0,)),
        ((NAN,), 1.0, NAN, (0.0,)),
        ((-INF,), 1.0, INF, (-1.0,)),
        ((0.0,), INF, 0.0, (NAN,)),
    ],
    # sin: grad * self.cos()
    "sin": [
        ((INF,), 1.0, NAN, (NAN,)),
        ((-0.0,), 1.0, -0.0, (1.0,)),
        ((0.0,), -0.0, 0.0, (-0.0,)),
    ],
    # cos: grad * -self.sin()
    "cos": [
        ((0.0,), 1.0, 1.0, (-0.0,)),
        ((-0.0,), 1.0, 1.0, (0.0,)),
        ((-INF,), 1.0, NAN, (NAN,)),
    ],
    # tan: grad * (1 + result.pow(2))
    "tan": [
        ((INF,), 1.0, NAN, (NAN,)),
        ((-0.0,), 1.0, -0.0, (1.0,)),
        ((math.pi / 2,), 1.0, 1.633123935319537e16, (2.6670937881135714e32,)),
    ],
    # The extended vocabulary (issue 14): computed with PyTorch 2.13.0, float64, and
    # checked against each formula named beside it.
    # square: pow_backward with exponent 2: grad * (2 * self)
    "square": [
        ((-0.0,), 1.0, 0.0, (-0.0,)),
        ((1e200,), 1.0, INF, (2e200,)),
        ((2.0,), INF, 4.0, (INF,)),
        ((NAN,), 1.0, NAN, (NAN,)),
    ],
    # exp2: grad * result * M_LN2
    "exp2": [
        ((1024.0,), 1.0, INF, (INF,)),
        ((-INF,), 1.0, 0.0, (0.0,)),
        ((-INF,), INF, 0.0, (NAN,)),
        ((0.5,), 1.0, 1.4142135623730951, (0.9802581434685472,)),
    ],
    # expm1: grad * (result + 1)
    "expm1": [
        ((710.0,), 1.0, INF, (INF,)),
        ((-INF,), 1.0, -1.0, (0.0,)),
        ((-0.0,), 1.0, -0.0, (1.0,)),
        ((-INF,), INF, -1.0, (NAN,)),
    ],
    # log2: grad / (self * 0.6931471805599453)
    "log2": [
        ((0.0,), 1.0, -INF, (INF,)),
        ((-0.0,), 1.0, -INF, (-INF,)),
        ((-1.0,), 1.0, NAN, (-1.4426950408889634,)),
        ((INF,), 1.0, INF, (0.0,)),
        ((8.0,), 1.0, 3.0, (0.18033688011112042,)),
    ],
    # log10: grad / (self * 2.3025850929940456)
    "log10": [
        ((0.0,), 1.0, -INF, (INF,)),
        ((-0.0,), 1.0, -INF, (-INF,)),
        ((-1.0,), 1.0, NAN, (-0.43429448190325187,)),
        ((1000.0,), 1.0, 3.0, (0.00043429448190325184,)),
    ],
    # log1p: log1p_backward: grad / (self + 1)
    "log1p": [
        ((-1.0,), 1.0, -INF, (INF,)),
        ((-2.0,), 1.0, NAN, (-1.0,)),
        ((-0.0,), 1.0, -0.0, (1.0,)),
        ((1e-300,), 1.0, 1e-300, (1.0,)),
    ],
    # erf: 2 / sqrt(pi) * exp(-self**2) * grad
    "erf": [
        ((INF,), 1.0, 1.0, (0.0,)),
        ((-0.0,), 1.0, -0.0, (1.1283791670955126,)),
        ((30.0,), INF, 1.0, (NAN,)),
        ((NAN,), 1.0, NAN, (NAN,)),
    ],
    # erfc: -2 / sqrt(pi) * exp(-self**2) * grad
    "erfc": [
        ((INF,), 1.0, 0.0, (-0.0,)),
        ((-INF,), 1.0, 2.0, (-0.0,)),
        ((30.0,), 1.0, 0.0, (-0.0,)),
        ((-0.0,), 1.0, 1.0, (-1.1283791670955126,)),
    ],
    # asin: grad * (-self * self + 1).rsqrt()
    "asin": [
        ((1.0,), 1.0, 1.5707963267948966, (INF,)),
        ((-1.0,), 1.0, -1.5707963267948966, (INF,)),
        ((2.0,), 1.0, NAN, (NAN,)),
        ((-0.0,), 1.0, -0.0, (1.0,)),
    ],
    # acos: grad * -((-self * self + 1).rsqrt())
    "acos": [
        ((1.0,), 1.0, 0.0, (-INF,)),
        ((-1.0,), 1.0, 3.141592653589793, (-INF,)),
        ((2.0,), 1.0, NAN, (NAN,)),
        ((0.0,), 1.0, 1.5707963267948966, (-1.0,)),
    ],
    # atan: grad / (self * self + 1)
    "atan": [
        ((INF,), 1.0, 1.5707963267948966, (0.0,)),
        ((1e200,), 1.0, 1.5707963267948966, (0.0,)),
        ((-0.0,), 1.0, -0.0, (1.0,)),
        ((NAN,), 1.0, NAN, (NAN,)),
    ],
    # atan2: atan2_backward: grad * other * r, grad * -self * r,
    # r = 1 / (self**2 + other**2), 0 where that is 0
    "atan2": [
        ((0.0, 0.0), 1.0, 0.0, (0.0, -0.0)),
        ((0.0, -0.0), 1.0, 3.141592653589793, (-0.0, -0.0)),
        ((1.0, 0.0), 1.0, 1.5707963267948966, (0.0, -1.0)),
        ((INF, INF), 1.0, 0.7853981633974483, (NAN, NAN)),
        ((-0.0, -1.0), 1.0, -3.141592653589793, (-1.0, 0.0)),
    ],
    # hypot: grad * self / result, grad * other / result
    "hypot": [
        ((0.0, 0.0), 1.0, 0.0, (NAN, NAN)),
        ((INF, NAN), 1.0, INF, (NAN, NAN)),
        ((3.0, 4.0), 1.0, 5.0, (0.6, 0.8)),
        ((1e300, 1e300), 1.0, 1.4142135623730952e300, (0.7071067811865475, 0.7071067811865475)),
        ((-0.0, 2.0), 1.0, 2.0, (-0.0, 1.0)),
    ],
    # sinh: grad * cosh(self)
    "sinh": [
        ((711.0,), 1.0, INF, (INF,)),
        ((-711.0,), 1.0, -INF, (INF,)),
        ((-0.0,), 1.0, -0.0, (1.0,)),
        ((1.0,), 1.0, 1.1752011936438014, (1.5430806348152437,)),
    ],
    # cosh: grad * sinh(self)
    "cosh": [
        ((711.0,), 1.0, INF, (INF,)),
        ((-711.0,), 1.0, INF, (-INF,)),
        ((0.0,), 1.0, 1.0, (0.0,)),
        ((-0.0,), INF, 1.0, (NAN,)),
    ],
    # asinh: grad * (self**2 + 1).rsqrt()
    "asinh": [
        ((INF,), 1.0, INF, (0.0,)),
        ((-0.0,), 1.0, -0.0, (1.0,)),
        ((1e200,), 1.0, 461.2101657793691, (0.0,)),
        ((1.0,), 1.0, 0.881373587019543, (0.7071067811865475,)),
    ],
    # acosh: grad * (self * self - 1).rsqrt()
    "acosh": [
        ((1.0,), 1.0, 0.0, (INF,)),
        ((0.5,), 1.0, NAN, (NAN,)),
        ((INF,), 1.0, INF, (0.0,)),
        ((2.0,), 1.0, 1.3169578969248166, (0.5773502691896258,)),
    ],
    # atanh: grad * 1 / (1 - self**2)
    "atanh": [
        ((1.0,), 1.0, INF, (INF,)),
        ((-1.0,), 1.0, -INF, (INF,)),
        ((2.0,), 1.0, NAN, (-0.3333333333333333,)),
        ((-0.0,), 1.0, -0.0, (1.0,)),
    ],
    # leaky_relu: leaky_relu_backward: self > 0 ? grad : grad * slope
    "leaky_relu": [
        ((0.0, 0.01), 1.0, 0.0, (0.01,)),
        ((-0.0, 0.01), 1.0, -0.0, (0.01,)),
        ((-2.0, 0.2), 1.0, -0.4, (0.2,)),
        ((NAN, 0.01), 1.0, NAN, (0.01,)),
        ((3.0, 0.01), NAN, 3.0, (NAN,)),
    ],
    # elu: elu_backward: self <= 0 ? grad * alpha * exp(self) : grad
    "elu": [
        ((0.0, 1.0), 1.0, 0.0, (1.0,)),
        ((-0.0, 1.5), 1.0, -0.0, (1.5,)),
        ((-INF, 1.0), 1.0, -1.0, (0.0,)),
        ((NAN, 1.0), 1.0, NAN, (1.0,)),
        ((-1.0, 1.0), INF, -0.6321205588285577, (INF,)),
    ],
    # logsigmoid: log_sigmoid_backward: grad * (max_deriv - sign * (z / (1 + z))), z = exp(-|self|)
    "logsigmoid": [
        ((0.0,), 1.0, -0.6931471805599453, (0.5,)),
        ((-1000.0,), 1.0, -1000.0, (1.0,)),
        ((1000.0,), 1.0, 0.0, (0.0,)),
        ((NAN,), 1.0, NAN, (NAN,)),
        ((-INF,), 1.0, -INF, (1.0,)),
    ],
    # softplus: softplus_backward: self > 20 ? grad : grad * z / (z + 1), z = exp(self)
    "softplus": [
        ((20.0,), 1.0, 20.000000002061153, (0.9999999979388464,)),
        ((20.000000000000004,), 1.0, 20.000000000000004, (1.0,)),
        ((-1000.0,), 1.0, 0.0, (0.0,)),
        ((800.0,), 1.0, 800.0, (1.0,)),
        ((NAN,), 1.0, NAN, (NAN,)),
        ((800.0,), NAN, 800.0, (NAN,)),
    ],
    # silu: silu_backward: grad * s * (1 + self * (1 - s)), s = sigmoid(self)
    "silu": [
        ((-1000.0,), 1.0, -0.0, (-0.0,)),
        ((1000.0,), 1.0, 1000.0, (1.0,)),
        ((NAN,), 1.0, NAN, (NAN,)),
        ((-INF,), 1.0, NAN, (NAN,)),
        ((0.0,), 1.0, 0.0, (0.5,)),
    ],
    # gelu: gelu_backward: grad * (cdf + self * pdf)
    "gelu": [
        ((-40.0,), 1.0, -0.0, (0.0,)),
        ((INF,), 1.0, INF, (NAN,)),
        ((-INF,), 1.0, NAN, (NAN,)),
        ((0.0,), 1.0, 0.0, (0.5,)),
        ((1.0,), 1.0, 0.841344746068543, (1.0833154705876864,)),
    ],
    # gelu_tanh: gelu_backward(approximate='tanh')
    "gelu_tanh": [
        ((-40.0,), 1.0, -0.0, (0.0,)),
        ((INF,), 1.0, INF, (NAN,)),
        ((0.0,), 1.0, 0.0, (0.5,)),
        ((1.0,), 1.0, 0.8411919906082768, (1.0829640838457826,)),
    ],
    # floor: zeros_like(grad)
    "floor": [
        ((-0.5,), 1.0, -1.0, (0.0,)),
        ((-0.0,), INF, -0.0, (0.0,)),
        ((INF,), NAN, INF, (0.0,)),
        ((NAN,), 1.0, NAN, (0.0,)),
    ],
    # ceil: zeros_like(grad)
    "ceil": [
        ((-0.5,), 1.0, -0.0, (0.0,)),
        ((2.5,), INF, 3.0, (0.0,)),
        ((-INF,), 1.0, -INF, (0.0,)),
    ],
    # round: zeros_like(grad)
    "round": [
        ((-0.4,), 1.0, -0.0, (0.0,)),
        ((2.5,), 1.0, 2.0, (0.0,)),
        ((-2.5,), NAN, -2.0, (0.0,)),
        ((0.5,), 1.0, 0.0, (0.0,)),
    ],
    # trunc: zeros_like(grad)
    "trunc": [
        ((-0.5,), 1.0, -0.0, (0.0,)),
        ((2.7,), INF, 2.0, (0.0,)),
        ((NAN,), 1.0, NAN, (0.0,)),
    ],
    # sign: zeros_like(grad)
    "sign": [
        ((NAN,), 1.0, 0.0, (0.0,)),
        ((-0.0,), 1.0, 0.0, (0.0,)),
        ((-3.0,), INF, -1.0, (0.0,)),
    ],
    # max: amax: (grad / count) * (self == result), count = the ties
    "max": [
        ((1.0, 1.0), 1.0, 1.0, (0.5, 0.5)),
        ((1.0, 2.0, 2.0), INF, 2.0, (NAN, INF, INF)),
        ((NAN, 1.0), 1.0, NAN, (NAN, NAN)),
        ((-INF, -INF), 1.0, -INF, (0.5, 0.5)),
        ((0.0, -0.0), 1.0, 0.0, (0.5, 0.5)),
        ((5.0,), -0.0, 5.0, (-0.0,)),
    ],
    # min: amin: as amax
    "min": [
        ((1.0, 1.0, 1.0), 1.0, 1.0, (0.3333333333333333, 0.3333333333333333, 0.3333333333333333)),
        ((2.0, 1.0), INF, 1.0, (NAN, INF)),
        ((1.0, NAN), 1.0, NAN, (NAN, NAN)),
        ((-0.0, 0.0), 1.0, -0.0, (0.5, 0.5)),
    ],
    # logsumexp: logsumexp_backward: grad * exp(self - result)
    "logsumexp": [
        ((INF, 1.0), 1.0, INF, (NAN, 0.0)),
        ((-INF, -INF), 1.0, -INF, (NAN, NAN)),
        ((1000.0, 1000.0), 1.0, 1000.6931471805599, (0.5000000000000275, 0.5000000000000275)),
        ((NAN, 0.0), 1.0, NAN, (NAN, NAN)),
        ((0.0,), 1.0, 0.0, (1.0,)),
    ],
    # sum: grad to each; the sum starts at 0.0
    "sum": [
        ((INF, -INF), 1.0, NAN, (1.0, 1.0)),
        ((1.0,), NAN, 1.0, (NAN,)),
        ((-0.0, -0.0, -0.0), 1.0, 0.0, (1.0, 1.0, 1.0)),
    ],
    # mean: grad / n to each
    "mean": [
        ((1e308, 1e308), 1.0, INF, (0.5, 0.5)),
        (
            (1.0, 2.0, 4.0),
            1.0,
            2.3333333333333335,
            (0.3333333333333333, 0.3333333333333333, 0.3333333333333333),
        ),
        ((-0.0,), INF, 0.0, (INF,)),
    ],
    # clamp: clamp_backward and clamp_backward_min_max: where(pred, grad, 0)
    "clamp": [
        ((0.5, 0.0, 1.0), 1.0, 0.5, (1.0, 0.0, 0.0)),
        ((1.0, 0.0, 1.0), 1.0, 1.0, (1.0, 0.0, 0.0)),
        ((0.0, 0.0, 1.0), 1.0, 0.0, (1.0, 0.0, 0.0)),
        ((-1.0, 0.0, 0.0), 1.0, 0.0, (0.0, 0.0, 0.0)),
        ((0.5, 1.0, 0.0), 1.0, 0.0, (0.0, 0.0, 1.0)),
        ((NAN, 0.0, 1.0), 1.0, NAN, (0.0, 0.0, 0.0)),
        ((2.0, 0.0, 1.0), INF, 1.0, (0.0, 0.0, INF)),
    ],
    # lt: no grad_fn: nothing flows
    "lt": [
        ((1.0, 1.0), NAN, 0.0, (0.0, 0.0)),
        ((NAN, 1.0), 1.0, 0.0, (0.0, 0.0)),
        ((-0.0, 0.0), 1.0, 0.0, (0.0, 0.0)),
    ],
    # le: no grad_fn
    "le": [
        ((1.0, 1.0), NAN, 1.0, (0.0, 0.0)),
        ((NAN, 1.0), 1.0, 0.0, (0.0, 0.0)),
    ],
    # gt: no grad_fn
    "gt": [
        ((2.0, 1.0), INF, 1.0, (0.0, 0.0)),
        ((NAN, NAN), 1.0, 0.0, (0.0, 0.0)),
    ],
    # ge: no grad_fn
    "ge": [
        ((1.0, 1.0), 1.0, 1.0, (0.0, 0.0)),
        ((-0.0, 0.0), 1.0, 1.0, (0.0, 0.0)),
    ],
    # eq: no grad_fn
    "eq": [
        ((-0.0, 0.0), 1.0, 1.0, (0.0, 0.0)),
        ((NAN, NAN), 1.0, 0.0, (0.0, 0.0)),
    ],
    # ne: no grad_fn
    "ne": [
        ((NAN, NAN), 1.0, 1.0, (0.0, 0.0)),
        ((1.0, 1.0), INF, 0.0, (0.0, 0.0)),
    ],
    # where: condition: non_differentiable; where(c, grad, 0), where(c, 0, grad)
    "where": [
        ((1.0, 2.0, 3.0), 1.0, 2.0, (0.0, 1.0, 0.0)),
        ((0.0, 2.0, 3.0), INF, 3.0, (0.0, 0.0, INF)),
        ((NAN, 2.0, 3.0), 1.0, 2.0, (0.0, 1.0, 0.0)),
        ((-0.0, 2.0, 3.0), 1.0, 3.0, (0.0, 0.0, 1.0)),
        ((1.0, 2.0, 3.0), NAN, 2.0, (0.0, NAN, 0.0)),
    ],
}


def same(got: float, want: float) -> bool:
    if math.isnan(want):
        return isinstance(got, float) and math.isnan(got)
    return got == want and math.copysign(1.0, got) == math.copysign(1.0, want)


CASE_LIST = [
    pytest.param(op, inputs, g, value, received, id=f"{op.name}{inputs} g={g}")
    for op in OPS
    for inputs, g, value, received in CASES.get(op.name, [])
]


def split(op, inputs):
    """Node inputs and the constant (x ** n's exponent)."""
    if op.takes_constant:
        return inputs[:-1], inputs[-1]
    return inputs, None


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
def test_every_operation_has_singular_cases(op):
    assert CASES.get(op.name), f"add {op.name}'s singular points to CASES"


@pytest.mark.parametrize("op, inputs, g, value, received", CASE_LIST)
def test_backward_rule_is_pytorchs_formula(op, inputs, g, value, received):
    nodes, constant = split(op, inputs)
    out = op.forward(*nodes, constant) if op.takes_constant else op.forward(*nodes)
    assert same(out, value), out
    got = op.backward(FLOAT, g, out, *op.operands(nodes, constant))
    assert len(got) == len(received)
    assert all(same(float(d), want) for d, want in zip(got, received)), got


@pytest.mark.parametrize("op, inputs, g, value, received", CASE_LIST)
def test_the_engine_gives_the_same_on_every_path(op, inputs, g, value, received):
    """Value.backward, its create_graph form (Hessians) and its traced form agree with the rule."""
    nodes, constant = split(op, inputs)
    for mode in ("fast", "create_graph", "traced"):
        leaves = [Value(x) for x in nodes]
        out = apply(op, tuple(leaves), constant)
        # Seed with g: backward() of out * g, whose mul step hands out exactly g.
        seeded = out * Value(g)
        if mode == "fast":
            seeded.backward()
        elif mode == "create_graph":
            seeded.backward(create_graph=True)
        else:
            seeded.backward(on_step=lambda v, contributions: None)
        assert same(out.data, value)
        for leaf, want in zip(leaves, received):
            grad = leaf.grad.data if isinstance(leaf.grad, Value) else leaf.grad
            assert same(grad, want), (mode, leaf.grad)


# Issue 11's table: each row through the installed command, exactly.
ROWS = [
    (["sqrt(relu(x))", "--x", "-1"], 0.0, {"x": 0.0}, ""),
    (["sqrt(relu(x))", "--x", "0"], 0.0, {"x": 0.0}, ""),
    (["log(relu(x))", "--x", "-1"], -INF, {"x": 0.0}, "autodiff: warning: the value is -inf\n"),
    (["(-2)**relu(x)", "--x", "-1"], 1.0, {"x": 0.0}, ""),
    (["(-2)**(x**0)", "--x", "3"], -2.0, {"x": 0.0}, ""),
    (["log(x)*1e-10", "--x", "1e-310"], -7.138013788281542e-08, {"x": 1.000000000000003e300}, ""),
    (
        ["x/y*1e-20", "--x", "1e-30", "--y", "1e-310"],
        1.000000000000003e260,
        {"x": 1.000000000000003e290, "y": -INF},
        "autodiff: warning: the gradient with respect to y is -inf\n",
    ),
    (["x + 0*log(x)", "--x", "5e-324"], 5e-324, {"x": 1.0}, ""),
    (
        ["sqrt(x)", "--x", "-0.0"],
        -0.0,
        {"x": -INF},
        "autodiff: warning: the gradient with respect to x is -inf\n",
    ),  # fmt: skip
    (
        ["x**0.5", "--x", "-0.0"],
        -0.0,
        {"x": -INF},
        "autodiff: warning: the gradient with respect to x is -inf\n",
    ),  # fmt: skip
    (["x*y", "--x", "1", "--y", "-0.0"], -0.0, {"x": -0.0, "y": 1.0}, ""),
    (["x + sqrt(-1)**0", "--x", "1"], 2.0, {"x": 1.0}, ""),
]


def _json(x: float):
    return x if math.isfinite(x) else ("Infinity" if x > 0 else "-Infinity")


@pytest.mark.slow
@pytest.mark.parametrize("args, value, gradients, stderr", ROWS, ids=[r[0][0] for r in ROWS])
def test_issue_rows_through_the_installed_command(autodiff, args, value, gradients, stderr):
    r = autodiff("grad", *args, "--format", "json")
    expected = {
        "expression": args[0],
        "value": _json(value),
        "gradients": {name: _json(g) for name, g in gradients.items()},
    }
    assert (r.returncode, r.stdout, r.stderr) == (0, json.dumps(expected) + "\n", stderr)


def test_a_nan_that_reaches_no_requested_gradient_is_no_error(cli):
    # d/dx is NaN (-0.0 / (2 * 0.0) in sqrt's backward, as in PyTorch); d/dy is 1.
    source = "relu(-sqrt(x)) + 0*x + y"
    r = cli("grad", source, "--x", "0", "--y", "2", "--format", "json")
    assert r.returncode == 1
    assert json.loads(r.stdout)["error"]["message"] == (
        "the gradient through sqrt(x) with x = 0 is undefined: x.grad += -0.0 / (2 * 0.0) is NaN"
    )
    r = cli("grad", source, "--x", "0", "--y", "2", "--wrt", "y", "--format", "json")
    assert (r.returncode, json.loads(r.stdout)) == (
        0,
        {"expression": source, "value": 2.0, "gradients": {"y": 1.0}},
    )
    r = cli("grad", source, "--points", "-", "--wrt", "y", stdin="x,y\n0,2\n")
    assert (r.returncode, r.stdout) == (0, "value\tgrad_y\n2\t1\n")


def test_a_nan_masked_on_the_way_back_is_no_error_and_the_trace_says_so(cli):
    # log(-2) is NaN in pow's exponent step; relu passes 0 whatever it receives.
    r = cli("trace", "(-2)**relu(x)", "--x", "-1", "--format", "json")
    assert r.returncode == 0
    steps = [(s["action"], s["updates"]) for s in json.loads(r.stdout)["steps"]]
    assert steps[1:3] == [
        (
            "Pow backward: (-2).grad += 0 (the exponent is 0), a.grad += (1.0 * log(-2.0)) * 1.0",
            {"(-2)": 0.0, "a": "NaN"},
        ),
        ("ReLU backward: x.grad += 0 (0.0 <= 0: relu passes no gradient)", {"x": 0.0}),
    ]


def test_a_nan_value_names_where_it_arose_on_its_way_to_the_output(cli):
    # sqrt(-1) is NaN but **0 makes it 1; log(-1) reaches the value.
    r = cli("grad", "x + sqrt(-1)**0 + log(-x)", "--x", "1")
    assert r.returncode == 1
    assert r.stderr.startswith("autodiff: error: log(-x) with -x = -1 is undefined\n")


def test_the_readme_gives_every_operations_backward_formula():
    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Gradients at singular points")[1].split("\n#")[0]
    missing = [op.usage for op in OPS if f"`{op.usage}`" not in section]
    assert not missing, f"the README's table of backward formulas lacks {missing}"


def test_order_2_checks_only_the_second_derivatives_it_prints(cli):
    # d/dx is NaN at x = 0 (0 / 0 in sqrt's backward), and so is d2/dxdy; d2/dy2 is 0.
    r = cli("grad", "y*sqrt(x)*sqrt(x)", "--x", "0", "--y", "1", "--order", "2", "--wrt", "y")
    assert (r.returncode, r.stdout) == (0, "value\t0\nd2/dy2\t0\n")
    r = cli("hessian", "y*sqrt(x)*sqrt(x)", "--x", "0", "--y", "1")
    assert r.returncode == 1
