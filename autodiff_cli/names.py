"""A function name that is not in the table: what the user most likely meant.

Three answers, in order. A function PyTorch (or NumPy, or a math book) has
under that name and autodiff writes otherwise: the way to write it, never a
neighbour that merely looks alike (`selu` is not `elu`). A name within a
small edit distance of a known one, the distance allowed growing with the
name's length (`rleu` -> relu, but `cot` is not `cos`). Otherwise nothing,
and the caller says how to list the functions.
"""

from __future__ import annotations

from autodiff_cli.ops import NAMES

# Names users type for functions the table has no row for, and how to write
# each with the table's functions (None: it cannot be written with them).
OTHERWISE: dict[str, str | None] = {
    "selu": "1.0507009873554805 * elu(x, 1.6732632423543772)",
    "celu": "max(0, x) + min(0, alpha * expm1(x / alpha))",
    "relu6": "clamp(x, 0, 6)",
    "hardtanh": "clamp(x, -1, 1)",
    "hardsigmoid": "clamp(x / 6 + 0.5, 0, 1)",
    "hardswish": "x * clamp(x + 3, 0, 6) / 6",
    "mish": "x * tanh(softplus(x))",
    "softsign": "x / (1 + abs(x))",
    "tanhshrink": "x - tanh(x)",
    "softshrink": "where(x > 0.5, x - 0.5, where(x < -0.5, x + 0.5, 0))",
    "hardshrink": "where(abs(x) > 0.5, x, 0)",
    "log_sigmoid": "logsigmoid(x)",
    "softmax": "exp(x - logsumexp(x, y, ...))",
    "log_softmax": "x - logsumexp(x, y, ...)",
    "logaddexp": "logsumexp(x, y)",
    "logaddexp2": "log2(exp2(x) + exp2(y))",
    "maximum": "max(x, y)",
    "minimum": "min(x, y)",
    "amax": "max(x, y, ...)",
    "amin": "min(x, y, ...)",
    "clamp_min": "max(x, lo)",
    "clamp_max": "min(x, hi)",
    "rsqrt": "1 / sqrt(x)",
    "reciprocal": "1 / x",
    "absolute": "abs(x)",
    "fabs": "abs(x)",
    "negative": "-x",
    "sgn": "sign(x)",
    "fix": "trunc(x)",
    "frac": "x - trunc(x)",
    "fmod": "x - trunc(x / y) * y",
    "remainder": "x - floor(x / y) * y",
    "expit": "sigmoid(x)",
    "logit": "log(x / (1 - x))",
    "xlogy": "x * log(y)",
    "exp10": "10 ** x",
    "cbrt": "sign(x) * abs(x) ** (1/3)",
    "sinc": "sin(pi * x) / (pi * x)",
    "cot": "1 / tan(x)",
    "sec": "1 / cos(x)",
    "csc": "1 / sin(x)",
    "deg2rad": "x * pi / 180",
    "rad2deg": "x * 180 / pi",
    "erfcx": "exp(x**2) * erfc(x)",
    "heaviside": "where(x == 0, y, x > 0)",
    "float_power": "x ** y",
    "prod": "x * y * ...",
    "norm": "sqrt(sum(x**2, y**2, ...))",
    "lgamma": None,
    "gamma": None,
    "digamma": None,
    "polygamma": None,
    "erfinv": None,
    "i0": None,
}


def distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from a to b."""
    previous, row = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            best = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                best = min(best, previous[j - 2] + 1)
            current.append(best)
        previous, row = row, current
    return row[-1]


def allowed(name: str) -> int:
    """How many edits a suggestion may be away: none for 3 letters or fewer."""
    return 0 if len(name) <= 3 else 1 if len(name) <= 7 else 2


def close_names(name: str) -> list[str]:
    """The known names nearest to `name`, if near enough; alphabetical."""
    limit = allowed(name)
    if limit == 0:
        return []
    scored = [(distance(name, known), known) for known in NAMES]
    best = min(score for score, _ in scored)
    if best > limit:
        return []
    return sorted(known for score, known in scored if score == best)[:3]


def hint_for(name: str) -> str | None:
    """What to say about an unknown function `name`; None: nothing close."""
    if name in OTHERWISE:
        written = OTHERWISE[name]
        if written is None:
            return f"{name} is not one of autodiff's functions, and they cannot express it"
        return f"{name} is not built in; write {written}"
    close = close_names(name)
    if close:
        listed = ", ".join(close[:-1]) + " or " + close[-1] if len(close) > 1 else close[0]
        return f"did you mean {listed}?"
    return None
