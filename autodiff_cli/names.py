"""A function name that is not in the table: what the user most likely meant.

Three answers, in order. A function PyTorch (or Python's math module, or a
math book) has under that name: the way to write it, or no guess at all,
never a neighbour that merely looks alike (`selu` is not `elu`, `coth` is not
`cosh`; tests/data/other_names.txt holds the names this is tested on). A name
that differs from a known one only in case, or within a small edit distance
of one, the distance allowed growing with the name's length (`rleu` ->
relu, but `cot` is not `cos`). Otherwise nothing, and the caller says how to
list the functions.
"""

from __future__ import annotations

from autodiff_cli.ops import NAMES

# Names users type for functions the table has no row for, and how to write
# each with the table's functions, the expression first (with a remark after
# "; " where the two differ); None: no guess, it cannot be written with them.
_AT_BOUNDS = "; at the bounds clamp passes the gradient, {} passes 0"
OTHERWISE: dict[str, str | None] = {
    "selu": "1.0507009873554805 * elu(x, 1.6732632423543772)",
    "celu": "max(0, x) + min(0, alpha * expm1(x / alpha))",
    "relu6": "clamp(x, 0, 6)" + _AT_BOUNDS.format("relu6"),
    "hardtanh": "clamp(x, -1, 1)" + _AT_BOUNDS.format("hardtanh"),
    "hardsigmoid": "clamp(x / 6 + 0.5, 0, 1)" + _AT_BOUNDS.format("hardsigmoid"),
    "hardswish": "x * clamp(x + 3, 0, 6) / 6; its gradient at -3 and 3 differs from hardswish's",
    "prelu": "where(x > 0, x, a * x), with a number for a",
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
    "fmax": "max(x, y); fmax ignores a NaN argument, max returns NaN",
    "fmin": "min(x, y); fmin ignores a NaN argument, min returns NaN",
    "fsum": "sum(x, y, ...)",
    "isqrt": "floor(sqrt(x))",
    "amax": "max(x, y, ...)",
    "amin": "min(x, y, ...)",
    "clamp_min": "max(x, lo); at a tie max gives each half the gradient, clamp_min gives x all",
    "clamp_max": "min(x, hi); at a tie min gives each half the gradient, clamp_max gives x all",
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
    "xlogy": "x * log(y); at x = 0 and y = 0 this is NaN, xlogy is 0",
    "exp10": "10 ** x",
    "cbrt": "sign(x) * abs(x) ** (1/3)",
    "sinc": "sin(pi * x) / (pi * x); sinc(0) is 1, this is NaN there",
    "cot": "1 / tan(x)",
    "sec": "1 / cos(x)",
    "csc": "1 / sin(x)",
    "coth": "1 / tanh(x)",
    "sech": "1 / cosh(x)",
    "csch": "1 / sinh(x)",
    "acot": "atan(1 / x)",
    "arccot": "atan(1 / x)",
    "acoth": "atanh(1 / x)",
    "arccoth": "atanh(1 / x)",
    "asec": "acos(1 / x)",
    "arcsec": "acos(1 / x)",
    "acsc": "asin(1 / x)",
    "arccsc": "asin(1 / x)",
    "log3": "log(x) / log(3)",
    "deg2rad": "x * pi / 180",
    "rad2deg": "x * 180 / pi",
    "erfcx": "exp(x**2) * erfc(x)",
    "heaviside": "where(x == 0, y, x > 0)",
    "float_power": "x ** y",
    "prod": "x * y * ...",
    "norm": "sqrt(sum(x**2, y**2, ...))",
    "lgamma": None,
    "erfi": None,
    "rrelu": None,  # random
    "isin": None,  # these work on tensors
    "sort": None,
    "flip": None,
    "long": None,
    "geglu": None,
    "swiglu": None,
    "reglu": None,
    "gamma": None,
    "digamma": None,
    "polygamma": None,
    "erfinv": None,
    "i0": None,
}


# A wrong number of arguments that says what the user most likely meant.
ARITY: dict[str, str] = {
    "log": "for a logarithm to base b, write log(x) / log(b); log2 and log10 are built in",
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
    for candidate in (name.lower(), name.rstrip("_")):  # Sin, SIN; log_, in-place in PyTorch
        if candidate in NAMES:
            return [candidate]
    limit = allowed(name)
    if limit == 0:
        return []
    # A length apart by more than the limit is too far: no need to count (a name
    # can be megabytes long).
    scored = [(distance(name, known), known) for known in NAMES
              if abs(len(known) - len(name)) <= limit]  # fmt: skip
    best = min((score for score, _ in scored), default=limit + 1)
    if best > limit:
        return []
    return sorted(known for score, known in scored if score == best)[:3]


def closest(name: str, candidates, cutoff: float = 0.6) -> str | None:
    """The candidate `name` most likely meant, if one is close enough (difflib's ratio)."""
    from difflib import get_close_matches

    close = get_close_matches(name, list(candidates), n=1, cutoff=cutoff)
    return close[0] if close else None


def hint_for(name: str) -> str | None:
    """What to say about an unknown function `name`; None: nothing close."""
    if name in OTHERWISE:
        written = OTHERWISE[name]
        if written is None:
            return None  # no guess: the caller says how to list the functions
        return f"{name} is not built in; write {written}"
    close = close_names(name)
    if close:
        listed = ", ".join(close[:-1]) + " or " + close[-1] if len(close) > 1 else close[0]
        return f"did you mean {listed}?"
    return None
