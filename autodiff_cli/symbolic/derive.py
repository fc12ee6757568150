"""Derivatives of terms, and the derivation a person would write down.

Sums and products have their rules here (sum, product, power, quotient);
every operation of the table brings its own partial derivatives
(`Op.derivative`), and the chain rule joins them. Each term's derivative is
made once and kept, so a shared subexpression is differentiated once: a
program's derivative grows with the program.
"""

from __future__ import annotations

from autodiff_cli.expression import Expression
from autodiff_cli.ops import Op
from autodiff_cli.symbolic.algebra import ADD, CALL, MUL, NUM, VAR, Algebra, Term, post_order
from autodiff_cli.symbolic.formula import inline, number

_templates: dict[str, Expression] = {}


def from_expression(
    algebra: Algebra, expr: Expression, output: int | None = None, bindings=None
) -> Term:
    """The term of a parsed expression (or program): its graph's nodes in order."""
    output = expr.output if output is None else output
    bindings = bindings or {}
    terms: dict[int, Term] = {}
    for i in expr.topological_order(output):
        node = expr.nodes[i]
        if node.op is None:
            if node.variable:
                terms[i] = bindings.get(node.name) or algebra.var(node.name)
            else:
                terms[i] = algebra.num(node.constant)
            continue
        args = tuple(terms[j] for j in node.inputs)
        terms[i] = apply(algebra, node.op, args, node.constant)
    return terms[output]


def apply(s: Algebra, op: Op, args: tuple[Term, ...], constant=None) -> Term:
    """An operation of the table on terms."""
    name = op.name
    if name == "add":
        return s.add(*args)
    if name == "sub":
        return s.sub(*args)
    if name == "mul":
        return s.mul(*args)
    if name == "div":
        return s.div(*args)
    if name == "neg":
        return s.neg(args[0])
    if name == "pow_const":
        return s.power(args[0], constant)
    return s.call(name, args, constant)


def partials(s: Algebra, term: Term) -> tuple[Term, ...]:
    """d term / d argument, for each argument of a call: the row's formulas."""
    op = term.op
    if callable(op.derivative):
        return op.derivative(s, term.args)
    bindings = dict(zip(op.params, term.args))
    if op.takes_constant:
        value = op.default if term.number is None else term.number
        bindings[op.params[-1]] = s.num(value)
    found = []
    for text in op.derivative:
        template = _templates.get(text)
        if template is None:
            from autodiff_cli.parser import parse

            template = _templates[text] = parse(text)
        found.append(from_expression(s, template, bindings=bindings))
    return tuple(found)


class Differentiator:
    """d/d(variable) of terms, each made once and kept."""

    def __init__(self, algebra: Algebra) -> None:
        self.s = algebra
        self._done: dict[str, dict[Term, Term]] = {}  # variable -> term -> its derivative
        self._has: dict[str, dict[Term, bool]] = {}  # variable -> term -> whether it has it
        self.zero, self.one = algebra.num(0.0), algebra.num(1.0)

    def __call__(self, term: Term, wrt: str) -> Term:
        done = self._done.setdefault(wrt, {})
        for t in post_order(term, done):  # inputs first: no recursion
            done[t] = self._rule(t, wrt)
        return done[term]

    def _d(self, term: Term, wrt: str) -> Term:
        return self._done[wrt][term]

    def _rule(self, t: Term, wrt: str) -> Term:
        s = self.s
        if t.kind == NUM:
            return self.zero
        if t.kind == VAR:
            return self.one if t.name == wrt else self.zero
        if t.kind == ADD:  # terms without the variable add nothing (not inf * 0)
            parts = [(self._d(u, wrt), c) for u, c in t.args]
            return s.combine([(d, c) for d, c in parts if not d.is_number(0.0)])
        if t.kind == MUL:
            terms = []
            for i, (base, e) in enumerate(t.args):
                d = self._d(base, wrt)
                if d.is_number(0.0):
                    continue
                rest = [s.power(b, f) for j, (b, f) in enumerate(t.args) if j != i]
                terms.append(s.mul(s.num(t.number * e), s.power(base, e - 1.0), d, *rest))
            return s.add(*terms)
        ds = [self._d(a, wrt) for a in t.args]
        cut = t.op.cut
        if all(d.is_number(0.0) for k, d in enumerate(ds) if k not in cut):
            return self.zero
        ps = partials(s, t)
        return s.add(*(s.mul(p, d) for k, (p, d) in enumerate(zip(ps, ds)) if k not in cut))

    def depends(self, term: Term, wrt: str) -> bool:
        """Whether the term has `wrt` in it (its derivative may still simplify to 0)."""
        has = self._has.setdefault(wrt, {})
        for t in post_order(term, has):
            has[t] = t.name == wrt if t.kind == VAR else any(has[c] for c in t.children())
        return has[term]


class Step:
    """One rule applied: `rule` to `expression` gives `applied` (the rule as
    written, inner derivatives as d/dx(...)), then `result` once the inner
    derivatives are put in and the formula simplified."""

    __slots__ = ("path", "wrt", "rule", "expression", "applied", "result")

    def __init__(self, path: tuple[str, ...], rule: str, expression: str, applied: str,
                 result: str) -> None:  # fmt: skip
        self.path = path  # the derivative this step is part of: ('x', 'y') is d2/dxdy
        self.wrt = path[-1]
        self.rule, self.expression = rule, expression
        self.applied, self.result = applied, result


def derivation(d: Differentiator, root: Term, path: tuple[str, ...]) -> list[Step]:
    """The steps of d root / d path[-1] (root: the derivative by the rest of
    `path`), outermost rule first, each subexpression once."""
    wrt = path[-1]
    steps: list[Step] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        t = stack.pop()
        if t.id in seen:
            continue
        seen.add(t.id)
        if not d.depends(t, wrt):
            if t is root:
                steps.append(Step(path, "constant", inline(t), "0", "0"))
            continue
        if t.kind == VAR:
            if t is root:
                steps.append(Step(path, "variable", wrt, "1", "1"))
            continue
        rule, applied, inner = _rule(d, t, wrt)
        steps.append(Step(path, rule, inline(t), applied, inline(d(t, wrt))))
        stack.extend(reversed([u for u in inner if u.id not in seen]))
    return steps


def _rule(d: Differentiator, t: Term, wrt: str) -> tuple[str, str, list[Term]]:
    """The rule's name, its formula with inner derivatives as d/dx(...), the inner terms."""
    s = d.s

    def dd(u: Term) -> str:
        return "1" if u.kind == VAR and u.name == wrt else f"d/d{wrt}({inline(u)})"

    if t.kind == ADD:
        inner = [u for u, _ in t.args if d.depends(u, wrt)]
        parts = []
        for u, c in t.args:
            if u in inner:
                scale = "" if abs(c) == 1.0 else f"{number(abs(c))[0]}*"
                parts.append(("-" if c < 0 else "+", scale + dd(u)))
        return "sum", _signed(parts), inner
    if t.kind == MUL:
        factors = [s.power(b, e) for b, e in t.args]
        inner = [f for f in factors if d.depends(f, wrt)]
        k = t.number
        scale = "" if k == 1.0 else f"{number(k)[0]}*"
        others = [inline(f) for f in factors if f not in inner]
        if len(t.args) == 1:
            base, e = t.args[0]
            if e == 1.0:
                return "constant multiple", scale + dd(base), [base]
            written = inline(base) if base.kind in (VAR, CALL) else f"({inline(base)})"
            factor = f"{number(k * e)[0]}*{written}"
            chained = "" if base.kind == VAR else f"*{dd(base)}"
            return "power", f"{factor}**({number(e)[0]} - 1){chained}", [base]
        if len(inner) == 1:
            return (
                "constant multiple",
                "*".join([*([number(k)[0]] if k != 1.0 else []), *others, dd(inner[0])]),
                inner,
            )
        tops = [(b, e) for b, e in t.args if e > 0]
        bottoms = [(b, -e) for b, e in t.args if e < 0]
        if tops and bottoms:
            top, bottom = s.product(k, tops), s.product(1.0, bottoms)
            if d.depends(top, wrt) and d.depends(bottom, wrt):
                n, m = inline(top), inline(bottom)
                return "quotient", f"({dd(top)}*({m}) - ({n})*{dd(bottom)})/({m})**2", [top, bottom]
        terms = []
        for f in inner:
            written = [dd(g) if g is f else _factor(g) for g in factors]
            terms.append("*".join(w for w in written if w != "1"))
        return (
            "product",
            scale + ("(" + " + ".join(terms) + ")" if scale else " + ".join(terms)),
            inner,
        )
    op = t.op
    inner = [a for k, a in enumerate(t.args) if k not in op.cut and d.depends(a, wrt)]
    if t.name == "where":
        c, a, b = (inline(u) for u in t.args)
        da = dd(t.args[1]) if t.args[1] in inner else "0"
        db = dd(t.args[2]) if t.args[2] in inner else "0"
        return "where", f"where({c}, {da}, {db})", inner
    if not inner:
        return "constant", "0", []
    ps = partials(s, t)
    parts = []
    for p, a in zip(ps, t.args):
        if a in inner:
            text = inline(p)
            factor = dd(a)
            parts.append(text if factor == "1" else f"({text})*{factor}")
    direct = all(a.kind == VAR for a in inner)
    rule = op.name if direct else f"chain, {op.name}"
    return rule, " + ".join(parts), inner


_INFIX = {"lt", "le", "gt", "ge", "eq", "ne", "pow"}  # calls written with an operator


def _factor(term: Term) -> str:
    text = inline(term)
    return f"({text})" if term.kind == ADD or (term.kind == CALL and term.name in _INFIX) else text


def _signed(parts: list[tuple[str, str]]) -> str:
    text = ""
    for i, (sign, part) in enumerate(parts):
        if i == 0:
            text = part if sign == "+" else f"-{part}"
        else:
            text += f" {sign} {part}"
    return text
