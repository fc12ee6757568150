"""Formulas as terms in a normal form: building one is simplifying it.

A term is a number, a variable, a sum `c + a1*t1 + a2*t2 ...`, a product
`k * b1**e1 * b2**e2 ...` (numeric exponents) or a call of an operation of
the table (`sin(t)`, `x ** y` with a variable exponent, `where(c, a, b)`,
a comparison). Every term is made by an `Algebra`, which keeps one copy of
each (so equal subexpressions are one object, a DAG and not a tree) and
normalises as it builds: numbers folded, like terms and like factors
collected (`x + x` is `2*x`, `x*x` is `x**2`), zeros and ones dropped,
`-(a - b)` written `b - a`. A normal form is what makes simplifying a
simplified formula change nothing.

The rewrites are those of exact algebra, so on doubles a formula can differ
from the graph it came from in the last bits, and where the graph makes an
infinity or a NaN (`x*0` is 0, `x/x` is 1): see the README's "Formulas".
"""

from __future__ import annotations

from autodiff_cli.kernels import f_pow_const, f_where
from autodiff_cli.ops import BY_NAME, Op

NUM, VAR, ADD, MUL, CALL = "num", "var", "add", "mul", "call"
# A product of more factors than this stays whole inside another product, so
# that a chain like a2 = a1*sin(a1); a3 = a2*sin(a2) ... keeps its links and
# its derivative grows with it, not with the square of its length.
FLAT = 8
COMPARISONS = frozenset(("lt", "le", "gt", "ge", "eq", "ne"))


class Term:
    """One formula, kept once per `Algebra`: compare terms with `is`.

    `args`: a sum's (term, coefficient) pairs, a product's (base, exponent)
    pairs, a call's argument terms. `number`: a number's value, a sum's
    constant, a product's coefficient, a call's constant argument (elu's
    alpha) or None. `rank` orders the terms of a sum and the factors of a
    product, from their structure alone, so that the same formula is always
    written the same way: numbers, products, variables by name, calls, sums.
    """

    __slots__ = ("kind", "name", "args", "number", "id", "rank", "masks", "constant")

    def __init__(self, kind: str, name: str | None, args: tuple, number, id: int) -> None:
        self.kind, self.name, self.args, self.number, self.id = kind, name, args, number, id
        self.rank = _rank(self)
        self.masks = _masks(self)
        # No variable below: a number, though written as a formula (log(2))
        self.constant = kind == NUM or (kind != VAR and all(c.constant for c in self.children()))

    @property
    def op(self) -> Op:
        return BY_NAME[self.name]

    def children(self) -> list[Term]:
        if self.kind in (ADD, MUL):
            return [t for t, _ in self.args]
        return list(self.args) if self.kind == CALL else []

    def is_number(self, value: float | None = None) -> bool:
        return self.kind == NUM and (value is None or self.number == value)

    def __repr__(self) -> str:  # for a person debugging: the formula itself
        from autodiff_cli.symbolic.formula import inline

        return f"Term({inline(self)!r})"


def _key(x: float) -> str:
    return repr(x)  # tells -0.0 from 0.0, and NaN from itself


class Algebra:
    """Makes terms, each once, in normal form. One per formula asked for."""

    def __init__(self) -> None:
        self._terms: dict[tuple, Term] = {}

    def _make(self, kind: str, name, args: tuple, number, key: tuple) -> Term:
        term = self._terms.get(key)
        if term is None:
            term = self._terms[key] = Term(kind, name, args, number, len(self._terms))
        return term

    # Leaves.
    def num(self, value: float) -> Term:
        value = float(value)
        return self._make(NUM, None, (), value, (NUM, _key(value)))

    def var(self, name: str) -> Term:
        return self._make(VAR, name, (), None, (VAR, name))

    # Sums.
    def add(self, *terms: Term) -> Term:
        return self.combine([(t, 1.0) for t in terms])

    def sub(self, a: Term, b: Term) -> Term:
        return self.combine([(a, 1.0), (b, -1.0)])

    def combine(self, scaled: list[tuple[Term, float]]) -> Term:
        """The sum of coefficient * term: like terms collected, zeros dropped."""
        constant = 0.0
        coefficients: dict[Term, float] = {}
        todo = list(reversed(scaled))  # a stack, first term on top
        while todo:
            term, scale = todo.pop()
            if term.kind == MUL:  # k * rest: rest, scaled by k, with a product's sign rules
                full = self.product(scale * term.number, term.args)
                if full.kind == MUL:
                    term, scale = self.product(1.0, full.args), full.number
                else:
                    term, scale = full, 1.0
            if term.kind == NUM:
                constant += scale * term.number
            elif term.kind == ADD:  # -(a + b) inside a sum is -a - b; each term as above
                constant += scale * term.number
                todo += [(t, scale * c) for t, c in reversed(term.args)]
            else:
                coefficients[term] = coefficients.get(term, 0.0) + scale
        pairs = self._merge_wheres([(t, c) for t, c in coefficients.items() if c != 0.0])
        if any(c != 1.0 and t.masks for t, c in pairs):  # 2*(x > 0) is where(x > 0, 2, 0)
            pushed = [(self.mul(self.num(c), t), 1.0) if t.masks else (t, c) for t, c in pairs]
            return self.combine([*pushed, (self.num(constant), 1.0)])
        if any(t.kind in (NUM, ADD) for t, _ in pairs):  # a merged where that folded
            return self.combine([*pairs, (self.num(constant), 1.0)])
        if not pairs:
            return self.num(constant)
        if constant == 0.0 and len(pairs) == 1:
            term, c = pairs[0]
            return term if c == 1.0 else self.mul(self.num(c), term)
        pairs.sort(key=lambda p: p[0].rank)
        key = (ADD, _key(constant), tuple((t.id, _key(c)) for t, c in pairs))
        return self._make(ADD, None, tuple(pairs), constant, key)

    def _merge_wheres(self, pairs: list[tuple[Term, float]]) -> list[tuple[Term, float]]:
        """where(c, a, 0) + where(c, 0, b) is where(c, a, b): one choice, not two."""
        by_condition: dict[Term, list[int]] = {}
        for i, (t, c) in enumerate(pairs):
            if c == 1.0 and t.kind == CALL and t.name == "where":
                by_condition.setdefault(t.args[0], []).append(i)
        if all(len(found) < 2 for found in by_condition.values()):
            return pairs
        merged, dropped = list(pairs), set()
        for condition, found in by_condition.items():
            if len(found) > 1:
                firsts = self.add(*(pairs[i][0].args[1] for i in found))
                seconds = self.add(*(pairs[i][0].args[2] for i in found))
                merged[found[0]] = (self.where(condition, firsts, seconds), 1.0)
                dropped.update(found[1:])
        return [p for i, p in enumerate(merged) if i not in dropped]

    # Products.
    def mul(self, *factors: Term) -> Term:
        coefficient = 1.0
        exponents: dict[Term, float] = {}
        for f in factors:
            if f.kind == NUM:
                coefficient *= f.number
                continue
            if f.kind == MUL and len(f.args) <= FLAT:
                coefficient *= f.number
                pairs = f.args
            else:
                pairs = ((f, 1.0),)
            for base, e in pairs:
                exponents[base] = exponents.get(base, 0.0) + e
        if coefficient == 0.0:
            return self.num(0.0)
        pairs = [(b, e) for b, e in exponents.items() if e != 0.0]
        # (x**2)**1.5 * (x**2)**0.5 is x**4; a product kept whole (FLAT) stays, to the power 1
        if any(b.kind == MUL and e.is_integer() and e != 1.0 for b, e in pairs):
            powers = [self.power(b, e) if b.kind == MUL else self.product(1.0, [(b, e)])
                      for b, e in pairs]  # fmt: skip
            return self.mul(self.num(coefficient), *powers)
        # A factor that masks (a comparison, a where with a branch 0, or a sum
        # or a where with such a term) takes the rest inside: where(c, rest * a,
        # 0). As PyTorch's masked gradients, the product is 0 where the mask
        # is, even if the rest is infinite (0.5/sqrt(relu(x)) * (x > 0) at 0).
        for i, (base, e) in enumerate(pairs):
            if e == 1.0 and base.masks:
                rest = self.product(coefficient, pairs[:i] + pairs[i + 1 :])
                if base.kind == ADD:
                    scaled = [(self.mul(rest, t), c) for t, c in base.args]
                    return self.combine([*scaled, (rest, base.number)])
                condition, a, b = _branches(self, base)
                return self.where(condition, self.mul(rest, a), self.mul(rest, b))
        return self.product(coefficient, pairs)

    def product(self, coefficient: float, pairs) -> Term:
        """coefficient * b1**e1 * ... from (base, exponent) pairs, in normal form."""
        pairs = sorted(pairs, key=lambda p: p[0].rank)
        for i, (base, e) in enumerate(pairs):
            # A sum of negative terms only is a factor with its sign outside: -(a + b)*c.
            if base.kind == ADD and e == 1.0 and _all_negative(base):
                pairs[i] = (self.combine([(base, -1.0)]), 1.0)
                coefficient = -coefficient
        if coefficient == -1.0:  # -(a - b)*c is (b - a)*c, and -(a - b) is b - a
            for i, (base, e) in enumerate(pairs):
                if base.kind == ADD and e == 1.0 and _has_negative(base):  # never all negative
                    pairs[i] = (self.combine([(base, -1.0)]), 1.0)
                    coefficient = 1.0
                    break
        pairs.sort(key=lambda p: p[0].rank)
        if not pairs:
            return self.num(coefficient)
        if coefficient == 1.0 and len(pairs) == 1 and pairs[0][1] == 1.0:
            return pairs[0][0]
        key = (MUL, _key(coefficient), tuple((b.id, _key(e)) for b, e in pairs))
        return self._make(MUL, None, tuple(pairs), coefficient, key)

    def neg(self, a: Term) -> Term:
        return self.mul(self.num(-1.0), a)

    def div(self, a: Term, b: Term) -> Term:
        return self.mul(a, self.power(b, -1.0))

    def power(self, base: Term, n: float) -> Term:
        """base ** n for a number n."""
        n = float(n)
        if n == 0.0:
            return self.num(1.0)  # as torch.pow: also for a NaN base
        if n == 1.0:
            return base
        if base.kind == NUM:
            return self.num(f_pow_const(base.number, n))
        if base.kind == MUL and n.is_integer():  # (k x**e)**n is k**n x**(e n)
            factors = [self.num(f_pow_const(base.number, n))]
            factors += [self.power(b, e * n) for b, e in base.args]
            return self.mul(*factors)
        return self.product(1.0, [(base, n)])

    # Calls.
    def call(self, name: str, args: tuple[Term, ...], constant: float | None = None) -> Term:
        op = BY_NAME[name]
        if name == "square":
            return self.power(args[0], 2.0)
        if name == "pow" and args[1].constant:  # as the parser: a power with a number exponent
            return self.power(args[0], value(args[1]))
        if name == "where":
            return self.where(*args)
        if all(a.kind == NUM for a in args):
            numbers, folded = [a.number for a in args], None
            if op.takes_constant:
                folded = op.forward(numbers[0], constant)
            elif op.arity is not None or numbers:
                folded = op.forward(*numbers)
            # A function of a number is folded when that gives a whole number
            # (exp(0), sqrt(4)); log(2) stays log(2), as people write it.
            if folded is not None and (name in COMPARISONS or folded.is_integer()):
                return self.num(folded)
        if constant is not None and constant == op.default:
            constant = None
        key = (CALL, name, tuple(a.id for a in args), None if constant is None else _key(constant))
        return self._make(CALL, name, tuple(args), constant, key)

    def where(self, condition: Term, a: Term, b: Term) -> Term:
        if condition.kind == NUM:
            return a if f_where(condition.number, 1.0, 0.0) else b
        if a is b:
            return a
        if condition.kind == CALL and condition.name in COMPARISONS:
            if a.is_number(1.0) and b.is_number(0.0):
                return condition  # a comparison is 1 or 0 already
        key = (CALL, "where", (condition.id, a.id, b.id), None)
        return self._make(CALL, "where", (condition, a, b), None, key)


def post_order(root: Term, known=()) -> list[Term]:
    """Every term below `root`, each once, inputs before their users, with a stack.

    Terms in `known` (and what is below them) are left out: already done.
    """
    order: list[Term] = []
    seen: set[int] = set()
    stack: list[tuple[Term, bool]] = [(root, False)]
    while stack:
        term, done = stack.pop()
        if done:
            order.append(term)
        elif term.id not in seen and term not in known:
            seen.add(term.id)
            stack.append((term, True))
            stack.extend((c, False) for c in reversed(term.children()) if c.id not in seen)
    return order


def value(term: Term) -> float:
    """The number a term without variables stands for, computed as the table computes it."""
    values: dict[Term, float] = {}
    for t in post_order(term):
        if t.kind == NUM:
            values[t] = t.number
        elif t.kind == ADD:
            values[t] = sum((c * values[u] for u, c in t.args), t.number)
        elif t.kind == MUL:
            product = t.number
            for b, e in t.args:
                product *= f_pow_const(values[b], e)
            values[t] = product
        else:
            op, numbers = t.op, [values[a] for a in t.args]
            values[t] = (
                op.forward(numbers[0], t.number if t.number is not None else op.default)
                if op.takes_constant
                else op.forward(*numbers)
            )
    return values[term]


def _rank(term: Term) -> tuple:
    """A sort key from the structure alone (the inputs' ranks are made before)."""
    kind = term.kind
    if kind == NUM:
        return (0, term.number)
    if kind == MUL:  # before variables: w*x + b
        return (1, tuple((b.rank, e) for b, e in term.args), term.number)
    if kind == VAR:
        return (2, term.name)
    if kind == CALL:
        return (3, term.name, tuple(a.rank for a in term.args), term.number or 0.0)
    return (4, tuple((t.rank, c) for t, c in term.args), term.number)


def _all_negative(term: Term) -> bool:
    return term.number <= 0.0 and all(c < 0.0 for _, c in term.args)


def _has_negative(term: Term) -> bool:
    return term.number < 0.0 or any(c < 0.0 for _, c in term.args)


def _masks(term: Term) -> bool:
    """Whether a factor masks: a comparison, a where with a branch 0, or a
    where or a sum with a term that masks (its inputs' flags are set before)."""
    if term.kind == ADD:
        return any(t.masks for t, _ in term.args)
    if term.kind != CALL:
        return False
    if term.name in COMPARISONS:
        return True
    if term.name != "where":
        return False
    return any(b.is_number(0.0) or b.masks for b in term.args[1:])


def _branches(algebra: Algebra, term: Term) -> tuple[Term, Term, Term]:
    """(condition, taken, not taken) of a masking factor."""
    if term.name in COMPARISONS:
        return term, algebra.num(1.0), algebra.num(0.0)
    return term.args
