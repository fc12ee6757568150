"""A function and its derivatives over a range: a terminal plot, CSV or JSON.

The terminal plot is drawn by plotext (imported here only, so no other
command pays for it). Where the value or the derivative is undefined or
infinite the curve has a gap: each defined stretch is drawn on its own.
plotext is given coordinates mapped onto [0, 1] and tick labels written
here: its own scales overflow or fail for ranges near the largest double or
narrower than a few units in the last place, which any double range may be.
"""

from __future__ import annotations

import math
import os
import shutil
import sys

from autodiff_cli.numbers import machine, plain
from autodiff_cli.orders import label, ordinal
from autodiff_cli.render.dialects import delimited, json_line


def _columns(order: int) -> list[str]:
    """x, value, derivative, then second_derivative... to the order's."""
    return ["x", "value", "derivative", *(f"{ordinal(k)}_derivative" for k in range(2, order + 1))]


def as_csv(samples, style) -> str:
    rows = [[machine(y) for y in row] for row in samples.rows]
    return delimited([_columns(samples.order), *rows], "csv")


def _finite(x: float):
    return x if math.isfinite(x) else None


def as_json(samples, style) -> str:
    keys = _columns(samples.order)
    points = [{"x": row[0], **{k: _finite(y) for k, y in zip(keys[1:], row[1:])}}
              for row in samples.rows]  # fmt: skip
    return json_line(
        {"expression": samples.expression, "variable": samples.variable, "points": points}
    )


def _stretches(xs, ys):
    """The runs of consecutive finite points: a gap wherever y is undefined."""
    run_x, run_y = [], []
    for x, y in zip(xs, ys):
        if math.isfinite(y):
            run_x.append(x)
            run_y.append(y)
        elif run_x:
            yield run_x, run_y
            run_x, run_y = [], []
    if run_x:
        yield run_x, run_y


TICKS = 7  # at most, at round numbers: 1, 2, 2.5 or 5 times a power of 10


def _unit(lo: float, hi: float):
    """The map of [lo, hi] onto [0, 1], for any finite lo <= hi: no overflow, no division by 0."""
    if lo == hi:
        return lambda v: 0.5
    if math.isfinite(hi - lo):
        return lambda v: (v - lo) / (hi - lo)
    scale = max(abs(lo), abs(hi))  # hi - lo overflows: work in units of the larger end
    a, b = lo / scale, hi / scale
    return lambda v: (v / scale - a) / (b - a)


def _ticks(lo: float, hi: float) -> tuple[list[float], list[str]]:
    """Ticks at round numbers in [lo, hi]: positions in [0, 1], and labels that are exact.

    A tick is k * M * 10**E for integers k, M and E, written as that decimal
    and read back: its label never shows a float's rounding (0.1 + 0.2).
    """
    if lo == hi:
        return [0.5], [plain(lo)]
    raw = (hi - lo) / TICKS if math.isfinite(hi - lo) else hi / TICKS - lo / TICKS
    exponent = math.floor(math.log10(raw)) - 1 if raw > 0 else -325  # raw underflows to 0
    for mantissa in (10, 20, 25, 50, 100, 200, 250, 500, 1000):
        step = float(f"{mantissa}e{exponent}")
        if step == 0:  # below the smallest double
            continue
        first, last = math.ceil(lo / step), math.floor(hi / step)
        if last - first < TICKS:
            break
    # Distinct doubles: a range a few units in the last place wide has fewer than its decimals.
    decimals = (float(f"{k * mantissa}e{exponent}") for k in range(first, last + 1))
    values = list(dict.fromkeys(v for v in decimals if lo <= v <= hi))
    to_unit = _unit(lo, hi)
    return [to_unit(v) for v in values], [plain(v) for v in values]


def picture(samples, style) -> str:
    """The plot, as large as the terminal allows (at most 30 lines high)."""
    size = shutil.get_terminal_size((80, 24))
    color = style.color == "always" or (  # an explicit flag wins over NO_COLOR
        style.color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    )
    height = min(max(size.lines - 4, 10), 30)
    return _drawn(samples, size.columns, height, color)


# Each curve's colour and marker, f first: distinct markers, so the legend still tells
# them apart without colour.
STYLES = (("blue", "braille"), ("red", "dot"), ("green", "+"), ("magenta", "x"))


def _drawn(samples, width: int, height: int, color: bool) -> str:
    import plotext as plt

    expression, variable, rows = samples.expression, samples.variable, samples.rows

    plt.clear_figure()
    plt.plotsize(max(width, 20), max(height, 8))
    plt.theme("clear")  # no background colour: it shows as a block on dark terminals
    xs = [r[0] for r in rows]
    to_x = _unit(xs[0], xs[-1])
    plt.xticks(*_ticks(xs[0], xs[-1]))
    finite = [y for r in rows for y in r[1:] if math.isfinite(y)]
    to_y = _unit(min(finite), max(finite)) if finite else _unit(0.0, 1.0)
    if finite:
        plt.yticks(*_ticks(min(finite), max(finite)))
    plt.xlim(0, 1)
    plt.ylim(0, 1)
    names = [expression, *(label(variable, k) for k in range(1, samples.order + 1))]
    for column, (name, (hue, marker)) in enumerate(zip(names, STYLES), start=1):
        ys = [r[column] for r in rows]
        for k, (sx, sy) in enumerate(_stretches(xs, ys)):
            plt.plot([to_x(x) for x in sx], [to_y(y) for y in sy],
                     label=name if k == 0 else None, color=hue, marker=marker)  # fmt: skip
    plt.xlabel(variable)
    plt.title(f"{expression} and its derivative{'s' if samples.order > 1 else ''}")
    text = plt.build()
    return (text if color else plt.uncolorize(text)).rstrip() + "\n"
