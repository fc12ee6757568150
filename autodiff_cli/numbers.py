"""Numbers out: how results are written, and which of them a person should hear about."""

from __future__ import annotations

import math


def plain(x: float) -> str:
    """Shortest round-trip form, as people write it: 2.0 -> '2', 0.5 -> '0.5'."""
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


def with_precision(x: float, digits: int | None) -> str:
    """`digits` significant digits, or the shortest round-trip form when None."""
    if digits is None or not math.isfinite(x):
        return plain(x)
    return format(x, f".{digits}g")


def machine(x: float) -> str:
    """Full precision for CSV and TSV: Python's shortest round-trip repr."""
    return repr(float(x))


def json_number(x: float):
    """A JSON value: the float itself, or a string for the non-finite ones."""
    if math.isfinite(x):
        return float(x)
    if math.isnan(x):
        return "NaN"
    return "Infinity" if x > 0 else "-Infinity"


def infinities(value: float, gradients: dict[str, float], what: str = "gradient") -> list[str]:
    """An infinite value or gradient is a result, but one a person should hear about."""
    found = [f"the value is {value}"] if math.isinf(value) else []
    found += [f"the {what} with respect to {n} is {g}" for n, g in gradients.items()
              if math.isinf(g)]  # fmt: skip
    return found
