"""`autodiff diff`: an expression's derivatives as formulas, and how they were found."""

from __future__ import annotations

from autodiff_cli.errors import AutodiffError
from autodiff_cli.expression import Expression
from autodiff_cli.ops import NAMES
from autodiff_cli.symbolic.algebra import Algebra, Term
from autodiff_cli.symbolic.derive import Differentiator, Step, derivation, from_expression
from autodiff_cli.symbolic.formula import program, shared


class Derivatives:
    """Each derivative asked for: `paths` are the variables differentiated by, in order
    (('x',) is d/dx, ('x', 'y') is d2/dxdy), `terms` and `texts` the formulas."""

    def __init__(self, expr: Expression, wrt: list[str], order: int, steps: bool) -> None:
        if order > 2 and len(wrt) > 1:
            raise AutodiffError(
                "usage",
                f"--order {order} is for one variable; the expression has {', '.join(wrt)}",
                hint=f"pass --wrt {wrt[0]}, or --order 2 for the matrix of second partials",
            )
        algebra = Algebra()
        d = Differentiator(algebra)
        self.function = from_expression(algebra, expr)
        self.paths: list[tuple[str, ...]] = []
        self.terms: dict[tuple[str, ...], Term] = {}
        self.steps: list[Step] = []
        self.matrix = order == 2 and len(wrt) > 1  # the second partials of each pair
        if self.matrix:
            wanted = [(a, b) for a in wrt for b in wrt]
        else:
            wanted = [(x,) * order for x in wrt]
        done: dict[tuple[str, ...], Term] = {(): self.function}
        for path in wanted:
            for k in range(1, len(path) + 1):
                if path[:k] not in done:
                    before = done[path[: k - 1]]
                    if steps:
                        self.steps += derivation(d, before, path[:k])
                    done[path[:k]] = d(before, path[k - 1])
            self.paths.append(path)
            self.terms[path] = done[path]
        taken = _taken(expr)
        self.names = {path: shared(term, taken) for path, term in self.terms.items()}
        self.texts = {path: program(self.terms[path], self.names[path]) for path in self.paths}

    def latex(self, path: tuple[str, ...]) -> list[str]:
        """The derivative as LaTeX lines: the named terms' definitions, then it."""
        from autodiff_cli.symbolic.latex import LatexPrinter, fraction, name

        term, names = self.terms[path], self.names[path]
        printer = LatexPrinter(names)
        lines = [f"{name(n)} = {printer.body(t)}" for t, n in names.items()]
        return lines + [f"{fraction(path)} = {printer.text(term)}"]


def label(path: tuple[str, ...]) -> str:
    """d/dx, d2/dx2, d2/dxdy: how a derivative is named in text and tables."""
    n = len(path)
    if len(set(path)) == 1:
        x = path[0]
        return f"d/d{x}" if n == 1 else f"d{n}/d{x}{n}"
    return f"d{n}/" + "".join(f"d{x}" for x in path)


def simplified(expr: Expression) -> str:
    """The expression itself in normal form, written as `diff` writes a formula."""
    term = from_expression(Algebra(), expr)
    return program(term, shared(term, _taken(expr)))


def _taken(expr: Expression) -> set[str]:
    """Names a formula's own names may not be: variables, functions, pi."""
    return set(expr.variables) | set(NAMES) | {"pi"}
