"""Terms written in autodiff's own language, so that `grad` can read them back.

Parentheses only where the grammar's precedence needs them; numbers first
in a product, a negative coefficient as a minus sign, negative exponents as
a division. A term used several times is written once, named, when that
makes the text shorter: the result is then a program, `u = tanh(w*x + b);
x*(1 - u**2)`, and a derivative grows with its expression and not
exponentially.
"""

from __future__ import annotations

import math

from autodiff_cli.numbers import plain
from autodiff_cli.symbolic.algebra import ADD, COMPARISONS, MUL, NUM, VAR, Term, post_order

# Precedence, loosest first, as in grammars/expr.lark.
COMPARE, SUM, PRODUCT, UNARY, POWER, ATOM = range(6)
SYMBOLS = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!="}
_NAMES = ("u", "v", "w", "p", "q", "r", "s", "t")


def number(x: float) -> tuple[str, int]:
    """A number as the language writes it: pi by name, infinities and NaN as divisions."""
    if x == math.pi:
        return "pi", ATOM
    if math.isnan(x):
        return "0/0", PRODUCT
    if math.isinf(x):
        return ("1/0" if x > 0 else "-1/0"), PRODUCT
    return plain(x), (UNARY if x < 0 or plain(x).startswith("-") else ATOM)


def split_product(coefficient: float, pairs, power, written):
    """(sign, factors above, factors below) of coefficient * b1**e1 * ..., as both
    notations write a product: |coefficient| first unless 1 (`written(k)`), then each
    factor (`power(base, exponent)`), a negative exponent's below, made positive."""
    top = [power(b, e) for b, e in pairs if not e < 0]  # a NaN exponent too
    below = [power(b, -e) for b, e in pairs if e < 0]
    k = abs(coefficient)
    if k != 1.0:
        top.insert(0, written(k))
    return ("-" if coefficient < 0 else ""), top, below


def write_sum(term: Term, product, group) -> str:
    """A sum as people write it, in either notation: `product(coefficient, pairs)`
    writes one term as (text, precedence), `group(text)` parenthesises.

    A positive term first (x**2 - 1, 1 - x**2, not -x**2 + 1); the constant
    last, unless the first term is negative.
    """
    items = [(c * t.number, t.args) if t.kind == MUL else (c, ((t, 1.0),)) for t, c in term.args]
    first = next((i for i, (c, _) in enumerate(items) if c > 0), None)
    if first:
        items.insert(0, items.pop(first))
    if term.number != 0.0:
        constant = (term.number, ())
        items = [constant] + items if items[0][0] < 0 else items + [constant]
    text, precedence = product(*items[0])
    out = text if precedence > COMPARE else group(text)
    for c, pairs in items[1:]:
        text, precedence = product(abs(c), pairs)
        out += (" - " if c < 0 else " + ") + (text if precedence >= PRODUCT else group(text))
    return out


class Printer:
    """Writes terms, each once: `names` are terms written by a name instead."""

    def __init__(self, names: dict[Term, str] | None = None) -> None:
        self.names = names if names is not None else {}
        self._bodies: dict[Term, tuple[str, int]] = {}

    def text(self, term: Term) -> str:
        return self._text(term)[0]

    def _text(self, term: Term) -> tuple[str, int]:
        name = self.names.get(term)
        return (name, ATOM) if name is not None else self.body(term)

    def body(self, term: Term) -> tuple[str, int]:
        """The term itself (never its name), its inputs by name where they have one."""
        found = self._bodies.get(term)
        if found is None:
            for t in post_order(term, self._bodies):  # inputs first: no recursion below
                self._bodies[t] = self._write(t)
            found = self._bodies[term]
        return found

    def _at(self, term: Term, level: int) -> str:
        text, precedence = self._text(term)
        return text if precedence >= level else f"({text})"

    def _write(self, term: Term) -> tuple[str, int]:
        kind = term.kind
        if kind == NUM:
            return number(term.number)
        if kind == VAR:
            return term.name, ATOM
        if kind == ADD:
            return self._sum(term), SUM
        if kind == MUL:
            return self.product(term.number, term.args)
        return self._call(term)

    def _sum(self, term: Term) -> str:
        return write_sum(term, self.product, lambda text: f"({text})")

    def product(self, coefficient: float, pairs) -> tuple[str, int]:
        """coefficient * b1**e1 * ...: negative exponents below a division."""
        if not pairs:
            return number(coefficient)
        sign, top, below = split_product(coefficient, pairs, self._power, self._coefficient)
        if below:
            # a/(b*c), but a/(x < y)/c where a factor masks: read back, (x < y)*c
            # would be a where, and this product is not one.
            masking = any(b.masks for b, e in pairs if e < 0)
            if len(below) == 1 or masking:
                return f"{sign}{'*'.join(top) or '1'}/{'/'.join(below)}", PRODUCT
            return f"{sign}{'*'.join(top) or '1'}/({'*'.join(below)})", PRODUCT
        if len(top) > 1:
            return sign + "*".join(top), PRODUCT
        if sign:
            return sign + top[0], UNARY
        if pairs[0][1] != 1.0:
            return top[0], POWER
        precedence = self._text(pairs[0][0])[1]
        return top[0], (precedence if precedence >= UNARY else ATOM)

    def _coefficient(self, k: float) -> str:
        text, precedence = number(k)
        return text if precedence >= UNARY else f"({text})"

    def _power(self, base: Term, e: float) -> str:
        if e == 1.0:
            return self._at(base, UNARY)
        exponent, precedence = number(e)
        return f"{self._at(base, ATOM)}**{exponent if precedence >= UNARY else f'({exponent})'}"

    def _call(self, term: Term) -> tuple[str, int]:
        name, args = term.name, term.args
        if name in COMPARISONS:
            left, right = (self._at(a, SUM) for a in args)
            return f"{left} {SYMBOLS[name]} {right}", COMPARE
        if name == "pow":
            return f"{self._at(args[0], ATOM)}**{self._at(args[1], UNARY)}", POWER
        texts = [self.text(a) for a in args]
        if term.number is not None:
            texts.append(number(term.number)[0])
        return f"{name}({', '.join(texts)})", ATOM


def inline(term: Term) -> str:
    """The term written out in full, no names: for a step of a derivation."""
    return Printer().text(term)


def shared(term: Term, taken: set[str]) -> dict[Term, str]:
    """Names for the terms used more than once, where naming them shortens the text.

    `taken`: names not to use (the expression's variables, the functions).
    """
    order = post_order(term)
    uses = _uses(order, term, {})
    printer = Printer()
    for t in order:  # inputs first: a name shortens its users' texts
        n = uses[t]
        if t.kind in (NUM, VAR) or t is term or n < 2:
            continue
        size = len(printer.body(t)[0])
        if n * size > n * 2 + 2 + size + 5:  # a name of ~2 characters, and "u = ...; "
            printer.names[t] = "?"
    named = _pruned(order, term, set(printer.names))
    fresh = _fresh_names(taken)
    return {t: next(fresh) for t in order if t in named}


def definitions(term: Term, names: dict[Term, str], printer) -> list[tuple[str, str]]:
    """(name, its formula) for each named term, in the order they are defined."""
    return [(names[t], printer.body(t)[0]) for t in post_order(term) if t in names]


def program(term: Term, names: dict[Term, str]) -> str:
    """The term as a program when some terms are named (`shared`): `u = ...; ...`."""
    printer = Printer(names)
    lines = [f"{n} = {body}" for n, body in definitions(term, names, printer)]
    return "; ".join(lines + [printer.text(term)])


def _uses(order: list[Term], root: Term, named) -> dict[Term, int]:
    """How often each term is written: in the root's text and once in each named term's."""
    uses = dict.fromkeys(order, 0)
    uses[root] = 1
    for t in reversed(order):  # users before their inputs
        weight = min(uses[t], 1) if t in named else uses[t]
        for c in t.children():
            uses[c] += weight
    return uses


def _pruned(order: list[Term], root: Term, named: set[Term]) -> set[Term]:
    """Named terms that end up written once are written in place instead."""
    while True:
        uses = _uses(order, root, named)
        once = {t for t in named if uses[t] < 2}
        if not once:
            return named
        named -= once


def _fresh_names(taken: set[str]):
    for name in _NAMES:
        if name not in taken:
            yield name
    i = 1
    while True:
        for name in _NAMES:
            if f"{name}{i}" not in taken:
                yield f"{name}{i}"
        i += 1
