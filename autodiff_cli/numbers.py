"""Numbers in and out: what a value option accepts, how results are written."""

from __future__ import annotations

import math

from autodiff_cli.errors import AutodiffError


def parse_number(text: str, option: str) -> float:
    """A value given on the command line; a usage error naming `option` if it is not one.

    Decimal numbers as in the expression language, with a sign, and inf, -inf,
    nan: what float() reads, less its digit separators and surrounding spaces.
    """
    if "_" not in text and text == text.strip():
        try:
            return float(text)
        except ValueError:
            pass
    shown = repr(text) if text else "an empty string"
    raise AutodiffError(
        "invalid_value",
        f"invalid value for {option}: {shown} is not a number",
        hint="write a decimal number such as 2, -3.5 or 1e-3 (or inf, -inf, nan)",
    )


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
