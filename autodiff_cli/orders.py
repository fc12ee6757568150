"""Derivatives of higher order: how far `grad` and `plot` go, and what each is called.

Each order is one more backward pass with create_graph over the graph the
pass before built, and that graph grows about threefold a pass: the cost
does too. Measured on the development machine (`api.grad`, every variable):
order 8 takes 7 ms for `sin(x)*exp(x)`, 40 ms for `tanh(w*x+b)**2`, 60 to
360 ms for expressions of 14 to 126 operations (a rational function times a
log, sums of sines and exponentials, a nest of 25 tanh); order 9 takes up to
1.4 s and order 10 up to 4.3 s for the same. So 8 is the most: such a call
stays well under a second.
Kept free of imports, so the command line reads it at start-up.
"""

from __future__ import annotations

MAX_ORDER = 8
# plot draws every order up to the one asked for on one y axis: past f''' the
# lower curves flatten into a line and the legend has more than four entries.
PLOT_MAX_ORDER = 3

_ORDINALS = ("", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def ordinal(order: int) -> str:
    """'second' for 2: how messages and keys name an order (up to MAX_ORDER)."""
    return _ORDINALS[order]


def derivative(order: int) -> str:
    """What a number of this order is, in words: 'gradient' for 1, else 'third derivative'."""
    return "gradient" if order == 1 else f"{ordinal(order)} derivative"


def label(variable: str, order: int) -> str:
    """The derivative in Leibniz's notation, as a name: d/dx, d2/dx2, d3/dy3."""
    return f"d/d{variable}" if order == 1 else f"d{order}/d{variable}{order}"


def beyond(order: int) -> str:
    """' to the second derivative': how far sampling goes, past the first."""
    return f" to the {ordinal(order)} derivative" if order > 1 else ""
