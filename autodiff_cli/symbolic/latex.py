"""Terms as LaTeX math: functions as operators, division as fractions, braces balanced.

Every brace and \\left( is written in the same call as its closing pair, so
the output balances by construction; the tests parse it with a real LaTeX
math parser.
"""

from __future__ import annotations

import math

from autodiff_cli.numbers import plain
from autodiff_cli.symbolic.algebra import ADD, CALL, COMPARISONS, MUL, NUM, VAR, Term, post_order
from autodiff_cli.symbolic.formula import (
    ATOM,
    COMPARE,
    POWER,
    PRODUCT,
    SUM,
    UNARY,
    split_product,
    write_sum,
)

# Functions LaTeX has an operator for; the rest are \operatorname{name}.
OPERATORS = {
    "sin": r"\sin", "cos": r"\cos", "tan": r"\tan", "sinh": r"\sinh", "cosh": r"\cosh",
    "tanh": r"\tanh", "exp": r"\exp", "log": r"\log", "asin": r"\arcsin",
    "acos": r"\arccos", "atan": r"\arctan", "log2": r"\log_{2}", "log10": r"\log_{10}",
    "max": r"\max", "min": r"\min",
}  # fmt: skip
RELATIONS = {"lt": "<", "le": r"\leq", "gt": ">", "ge": r"\geq", "eq": "=", "ne": r"\neq"}


def name(variable: str) -> str:
    """x as x, x1 as x_{1}, rate as \\mathit{rate}, w_in as \\mathit{w\\_in}."""
    if len(variable) == 1:
        return variable
    head = variable.rstrip("0123456789")
    if len(head) == 1 and head != variable:
        return f"{head}_{{{variable[1:]}}}"
    return r"\mathit{" + variable.replace("_", r"\_") + "}"


def _number(x: float) -> tuple[str, int]:
    if x == math.pi:
        return r"\pi", ATOM
    if math.isnan(x):
        return r"\mathrm{NaN}", ATOM
    if math.isinf(x):
        return (r"\infty" if x > 0 else r"-\infty"), (ATOM if x > 0 else UNARY)
    text = plain(x)
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa} \\cdot 10^{{{int(exponent)}}}"
        return text, PRODUCT
    return text, (UNARY if x < 0 else ATOM)


def _group(text: str) -> str:
    return r"\left(" + text + r"\right)"


class LatexPrinter:
    def __init__(self, names: dict[Term, str] | None = None) -> None:
        self.names = names or {}
        self._done: dict[Term, tuple[str, int]] = {}

    def text(self, term: Term) -> str:
        for t in post_order(term, self._done):
            self._done[t] = self._write(t)
        return self._get(term)[0]

    def body(self, term: Term) -> str:
        """A named term's own formula."""
        self.text(term)
        return self._done[term][0]

    def _get(self, term: Term) -> tuple[str, int]:
        if term in self.names:
            return name(self.names[term]), ATOM
        return self._done[term]

    def _at(self, term: Term, level: int) -> str:
        text, precedence = self._get(term)
        return text if precedence >= level else _group(text)

    def _write(self, t: Term) -> tuple[str, int]:
        if t.kind == NUM:
            return _number(t.number)
        if t.kind == VAR:
            return name(t.name), ATOM
        if t.kind == ADD:
            return write_sum(t, self._product, _group), SUM
        if t.kind == MUL:
            return self._product(t.number, t.args)
        return self._call(t)

    def _product(self, coefficient: float, pairs) -> tuple[str, int]:
        if not pairs:
            return _number(coefficient)
        sign, top, below = split_product(coefficient, pairs, self._power, lambda k: _number(k)[0])
        # A number before a factor that starts with a digit needs a dot: 2 \cdot 3^{x}.
        numerator = top[0] if top else ""
        for factor in top[1:]:
            numerator += (r" \cdot " if factor[:1].isdigit() else " ") + factor
        if below:
            return f"{sign}\\frac{{{numerator or '1'}}}{{{' '.join(below)}}}", PRODUCT
        if len(top) > 1:
            return sign + numerator, PRODUCT
        return sign + numerator, (UNARY if sign else POWER if pairs[0][1] != 1.0 else ATOM)

    def _power(self, base: Term, e: float) -> str:
        if e == 1.0:
            return self._at(base, UNARY)
        exponent = _number(e)[0]
        if e == 0.5:
            return r"\sqrt{" + self._get(base)[0] + "}"
        if base.kind == CALL and base.name in OPERATORS and base not in self.names:
            # \sin^{2}\left(x\right), as it is typeset
            arguments = ", ".join(self._get(a)[0] for a in base.args)
            return f"{OPERATORS[base.name]}^{{{exponent}}}{_group(arguments)}"
        return f"{self._at(base, ATOM)}^{{{exponent}}}"

    def _call(self, t: Term) -> tuple[str, int]:
        args = t.args
        if t.name in COMPARISONS:
            left, right = (self._at(a, SUM) for a in args)
            return f"{left} {RELATIONS[t.name]} {right}", COMPARE
        if t.name == "pow":
            return f"{self._at(args[0], ATOM)}^{{{self._get(args[1])[0]}}}", POWER
        if t.name == "sqrt":
            return r"\sqrt{" + self._get(args[0])[0] + "}", ATOM
        if t.name == "abs":
            return r"\left|" + self._get(args[0])[0] + r"\right|", ATOM
        texts = [self._get(a)[0] for a in args]
        if t.number is not None:
            texts.append(_number(t.number)[0])
        operator = OPERATORS.get(t.name, r"\operatorname{" + t.name.replace("_", r"\_") + "}")
        return operator + _group(", ".join(texts)), ATOM


def fraction(path: tuple[str, ...]) -> str:
    """\\frac{\\partial f}{\\partial x}, \\frac{\\partial^{2} f}{\\partial x \\partial y}."""
    n = len(path)
    top = r"\partial f" if n == 1 else rf"\partial^{{{n}}} f"
    if len(set(path)) == 1 and n > 1:
        bottom = rf"\partial {name(path[0])}^{{{n}}}"
    else:
        bottom = " ".join(rf"\partial {name(x)}" for x in path)
    return rf"\frac{{{top}}}{{{bottom}}}"
