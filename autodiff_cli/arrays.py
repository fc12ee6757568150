"""The table of operations on whole columns of numbers, for `--points` in chunks.

A row at a time, a million points spend most of their time in the
interpreter; a column at a time, numpy does the arithmetic. The backward
rules are the table's own (`ops.py`), run against a namespace of array
primitives, so the formulas and their order are the same, and so are the
bits: `+ - * /`, `sqrt` and comparisons are exact in IEEE arithmetic, and
every other function (exp, log, tanh, pow, ...) is the table's own: the C
library's, as Python's math module calls it, through polars where polars
calls the same function (`_BY_POLARS`), else on each element. numpy's own
exp, tanh and the rest differ from the C library's in the last bit, which a
gradient such as tanh's `1 - t*t` near saturation magnifies past 1e-12.
Where a rule branches on a value (relu, pow, ...), the Python `if` cannot
see a column, so `RULES` holds the same branches written with `where`; a
rule that branches and has none there runs on each element.
"""

from __future__ import annotations

from autodiff_cli.frames import np, pl
from autodiff_cli.kernels import SOFTPLUS_THRESHOLD, f_pow, f_pow_const
from autodiff_cli.ops import FLOAT, INTERNAL, OPS, namespace


def _elementwise(fn):
    """A float function on each element: for operations with no exact array form."""

    def run(*args):
        if all(np.ndim(a) == 0 for a in args):
            return fn(*(float(a) for a in args))
        columns = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in args))
        values = map(fn, *(c.tolist() for c in columns))
        return np.fromiter(values, dtype=float, count=columns[0].size)

    return run


# Functions polars computes by the same C library call as Python's math module
# (Rust's f64 methods call it): the same bits, ten times as fast as Python's
# call per element. Each is checked on `_SAMPLE` before it is trusted; polars'
# log10 and atanh are its own and differ, so they are not here.
_BY_POLARS = {"exp": "exp", "log": "log", "log1p": "log1p", "sin": "sin", "cos": "cos",
              "tan": "tan", "asin": "arcsin", "acos": "arccos", "atan": "arctan",
              "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "asinh": "arcsinh",
              "acosh": "arccosh"}  # fmt: skip
_SAMPLE = np.array(
    [
        0.0,
        -0.0,
        5e-324,
        -1e-300,
        1e-17,
        1e-8,
        0.1,
        0.5,
        0.7,
        0.999,
        1.0,
        -1.0,
        1.5,
        2.0,
        3.14159,
        -2.5,
        7.0,
        20.0,
        22.5,
        -40.0,
        100.0,
        709.0,
        710.0,
        -745.5,
        1e15,
        1e300,
        -1e300,
        np.inf,
        -np.inf,
        np.nan,
        *np.linspace(-30.0, 30.0, 97),
    ]  # fmt: skip
)


def _by_polars(op):
    """`op`'s float function on a column: by polars if it gives the same bits on the
    sample (checked at its first use), else on each element."""
    by_element = _elementwise(op.forward)
    method = _BY_POLARS.get(op.name)
    if method is None:
        return by_element

    def by_polars(x):
        return getattr(pl.Series(x), method)().to_numpy()

    chosen = []

    def run(x):
        if np.ndim(x) == 0:
            return op.forward(float(x))
        if not chosen:
            with np.errstate(all="ignore"):
                same = _same_bits(by_polars(_SAMPLE), by_element(_SAMPLE))
            chosen.append(by_polars if same else by_element)
        return chosen[0](x)

    return run


def _same_bits(a, b) -> bool:
    return bool(np.all((np.isnan(a) & np.isnan(b)) | (a.view(np.int64) == b.view(np.int64))))


def _pow_const(x, n: float):
    # The exponent is one number, so f_pow_const's choice of kernel is made once.
    if n in (0.0, 1.0, 2.0, 3.0):
        return f_pow_const(x, n)
    return _POW_CONST[n](x, n) if n in _POW_CONST else _elementwise(f_pow)(x, n)


_POW_CONST = {
    0.5: lambda x, n: np.sqrt(x),
    -0.5: lambda x, n: 1.0 / np.sqrt(x),
    -1.0: lambda x, n: 1.0 / x,
    -2.0: lambda x, n: 1.0 / (x * x),
}


def _sign(x):
    return np.where(x > 0.0, 1.0, np.where(x < 0.0, -1.0, 0.0))  # 0 for NaN, as torch.sign


def _first_largest(xs, better):
    """max/min of the arguments as Python's: the first of equals (0.0 or -0.0), NaN if any."""
    top = xs[0]
    for x in xs[1:]:
        top = np.where(better(x, top), x, top)
    nan = np.zeros(np.shape(top), dtype=bool)
    for x in xs:
        nan = nan | np.isnan(x)
    return np.where(nan, np.nan, top)


def _sum(*xs):
    total = 0.0
    for x in xs:
        total = total + x
    return total


def _clamp(x, lo, hi):
    low = np.where(lo > x, lo, x)  # Python's max(x, lo): x unless lo is larger
    value = np.where(hi < low, hi, low)
    return np.where(np.isnan(x) | np.isnan(lo) | np.isnan(hi), np.nan, value)


def _compare(test):
    return lambda x, y: np.where(test(x, y), 1.0, 0.0)


KERNELS = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": np.divide,
    "neg": np.negative,
    "pow_const": _pow_const,
    "sqrt": np.sqrt,
    "square": lambda x: x * x,
    "abs": np.abs,
    "relu": lambda x: np.where(x < 0.0, 0.0, x),
    "leaky_relu": lambda x, slope: np.where(x > 0.0, x, x * slope),
    "sign": _sign,
    "floor": np.floor,
    "ceil": np.ceil,
    "trunc": np.trunc,
    "round": np.round,  # halves to even, as Python's round
    "max": lambda *xs: _first_largest(xs, np.greater),
    "min": lambda *xs: _first_largest(xs, np.less),
    "sum": _sum,
    "mean": lambda *xs: _sum(*xs) / len(xs),
    "clamp": _clamp,
    "lt": _compare(np.less),
    "le": _compare(np.less_equal),
    "gt": _compare(np.greater),
    "ge": _compare(np.greater_equal),
    "eq": _compare(np.equal),
    "ne": _compare(np.not_equal),
    "where": lambda c, a, b: np.where(c != 0.0, a, b),  # a NaN condition is != 0: a
    "mask": lambda x, keep: _mask(x, keep),
}


def _mask(x, keep):
    return np.where(keep, x, 0.0)


# The branches of the table's rules, as `where` (each mirrors its rule in ops.py).
def _pow_rule(m, g, out, x, y):
    dx = _mask(g * (y * m.pow(x, y - 1.0)), ~(y == 0.0))
    dy = g * _mask(out * m.log(x), ~((x == 0.0) & (y >= 0.0)))
    return (dx, dy)


def _softplus_rule(m, g, out, x, y):
    z = m.exp(x)
    return (np.where(x > SOFTPLUS_THRESHOLD, g, (g * z) / (z + 1.0)),)


def _elu_rule(m, g, out, x, alpha):
    return (np.where(x == 0.0, g * alpha, np.where(x <= 0.0, g * alpha * m.exp(x), g)),)


def _logsigmoid_rule(m, g, out, x, y):
    negative = x < 0.0
    z = m.exp(np.where(negative, x, -x))
    share = z / (1.0 + z)
    return (g * np.where(negative, 1.0 - share, share),)


def _extreme_rule(m, g, out, xs, y):
    hits = [np.where(x == out, 1.0, 0.0) for x in xs]
    share = g / _sum(*hits)
    return tuple(share * hit for hit in hits)


def _clamp_rule(m, g, out, xs, y):
    x, lo, hi = xs
    keeps = ((lo <= x) & (x <= hi), (x < lo) & (lo < hi), (x > hi) | (hi < lo))
    return tuple(_mask(g, keep) for keep in keeps)


def _where_rule(m, g, out, xs, y):
    took_a = xs[0] != 0.0
    return (0.0, _mask(g, took_a), _mask(g, ~took_a))


RULES = {
    "pow": _pow_rule,
    "relu": lambda m, g, out, x, y: (_mask(g, ~(out <= 0.0)),),
    "leaky_relu": lambda m, g, out, x, slope: (np.where(~(x > 0.0), g * slope, g),),
    "elu": _elu_rule,
    "softplus": _softplus_rule,
    "logsigmoid": _logsigmoid_rule,
    "max": _extreme_rule,
    "min": _extreme_rule,
    "clamp": _clamp_rule,
    "where": _where_rule,
}

ARRAY = namespace(
    lambda op: KERNELS.get(op.name) or _by_polars(op),
    val=lambda x: x,
    sign=_sign,
)
_FORWARD = vars(ARRAY)


def _backward(op):
    """The rule on columns: its `where` form, the table's rule if it does not branch,
    else the table's rule on each element."""
    if op.name in RULES:
        return RULES[op.name]
    rule = op.backward

    def run(m, g, out, x, y):
        try:
            return rule(ARRAY, g, out, x, y)
        except (TypeError, ValueError):  # it branched on a column
            return _rule_by_element(rule, g, out, x, y, op.many)

    return run


def _rule_by_element(rule, g, out, x, y, many: bool):
    xs = tuple(x) if many else (x,)
    ys = () if many or y is None else (y,)
    columns = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (g, out, *xs, *ys)))
    rows = zip(*(c.tolist() for c in columns))
    results = []
    for g1, out1, *rest in rows:
        x1 = tuple(rest[: len(xs)]) if many else rest[0]
        y1 = rest[1] if ys else None
        results.append(rule(FLOAT, g1, out1, x1, y1))
    if not results:  # no rows
        return tuple(np.empty(0) for _ in (*xs, *ys))
    return tuple(np.array(c, dtype=float) for c in zip(*results))


_BACKWARD = {op.name: _backward(op) for op in OPS + INTERNAL}


def evaluate(expr, columns: list, size: int) -> list:
    """(value, d/d of each variable) as columns of `size`, the variables' columns in
    `expr.variables` order; in the order and with the rules of `compiled.source_of`."""
    nodes = expr.nodes
    given = dict(zip(expr.variables, columns))
    v: dict[int, object] = {}
    with np.errstate(all="ignore"):
        for i in sorted(expr.topological_order()):
            node = nodes[i]
            if node.variable:
                v[i] = given[node.name]
            elif node.op is None:
                v[i] = node.constant
            elif node.op.takes_constant:
                v[i] = _FORWARD[node.op.name](v[node.inputs[0]], node.constant)
            else:
                v[i] = _FORWARD[node.op.name](*(v[j] for j in node.inputs))
        order = expr.topological_order(backward=True)
        g: dict[int, object] = {expr.output: 1.0}
        for i in reversed(order):
            node = nodes[i]
            if node.op is None or len(node.op.cut) == len(node.inputs):
                continue
            if node.op.many:
                x, second = tuple(v[j] for j in node.inputs), None
            elif node.op.takes_constant:
                x, second = v[node.inputs[0]], node.constant
            else:
                x = v[node.inputs[0]]
                second = v[node.inputs[1]] if len(node.inputs) == 2 else None
            received = _BACKWARD[node.op.name](ARRAY, g.get(i, -0.0), v[i], x, second)
            for k, j in enumerate(node.inputs):
                if k not in node.op.cut:
                    g[j] = g[j] + received[k] if j in g else received[k]
    leaf, reached = expr.leaves, set(order)
    outputs = [v[expr.output]]
    outputs += [g.get(leaf[n], -0.0) if leaf[n] in reached else 0.0 for n in expr.variables]
    return [np.broadcast_to(np.asarray(o, dtype=float), (size,)) for o in outputs]
