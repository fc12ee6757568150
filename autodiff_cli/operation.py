"""What an operation is: how it is computed, differentiated, described and traced.

`Op` is one row of the table of operations (`ops.py`): its fields are what
every part of autodiff reads (the engine its forward and backward, the parser
its names and arguments, the trace its texts, `check` its kinks, the listing
its words). `Masked` and `Kinks` are the two kinds of field that need code:
a trace text that depends on where PyTorch's formula masks, and where a
derivative jumps.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from autodiff_cli.numbers import plain


class Masked:
    """Trace texts for an input that PyTorch's formula can mask.

    Where a mask holds the input receives 0 (or `g * 0`), not the product the
    usual text shows, so the trace says that instead: `cases` are pairs
    (when(out, x, y), text), the first that holds is shown, else `text`. For
    an operation of several inputs (`Op.many`) a case is when(out, xs, k):
    the output, every input, and which input's text this is.
    """

    __slots__ = ("text", "cases")

    def __init__(self, text: str, *cases: tuple[Callable[..., bool], str]) -> None:
        self.text, self.cases = text, cases

    def pick(self, out: float, x, y) -> str:
        return next((text for when, text in self.cases if when(out, x, y)), self.text)


class Kinks:
    """Where an operation's derivative (or value) jumps: words for the `functions`
    listing, and `near(x, y, tol)`, a phrase when the operands (as a rule
    receives them) are within `tol` of a jump, for `autodiff check`'s warnings."""

    __slots__ = ("text", "near")

    def __init__(self, text: str, near: Callable[..., str | None]) -> None:
        self.text, self.near = text, near


def on_or_near(x: float, at: float) -> str:
    return "on" if x == at else "near"


def points(*where: float) -> Kinks:
    """Kinks of a function of one input at fixed points (relu at 0)."""

    def near(x, y, tol):
        for p in where:
            if abs(x - p) <= tol:
                return f"is {on_or_near(x, p)} its kink at {plain(p)} (input {plain(x)})"
        return None

    return Kinks(", ".join(f"x = {plain(p)}" for p in where), near)


def jumps(text: str, offset: float = 0.0, but_zero: bool = False) -> Kinks:
    """A value that jumps at every integer (+ offset): floor, ceil, round, trunc."""

    def near(x, y, tol):
        if not math.isfinite(x):
            return None
        k = math.floor(x - offset + 0.5) + offset
        if abs(x - k) <= tol and not (but_zero and k == 0.0):
            return f"is {on_or_near(x, k)} a jump at {plain(k)} (input {plain(x)})"
        return None

    return Kinks(text, near)


def ties(largest: bool) -> Kinks:
    which = "largest" if largest else "smallest"

    def near(xs, y, tol):
        if len(xs) < 2 or any(x != x for x in xs):
            return None
        first, second = sorted(xs, reverse=largest)[:2]
        if abs(first - second) <= tol:
            return f"has a tie: its two {which} arguments are {plain(first)} and {plain(second)}"
        return None

    return Kinks(f"ties (two {which} arguments equal)", near)


# Compiled on first use by `re`'s own cache: only a trace needs it, start-up does not.
_NEGATIVE_BASE = r"(?<![\w.)])(-(?:\d+(?:\.\d*)?(?:e[+-]?\d+)?|inf|nan))\*\*"


class Op:
    """One operation: how to compute it, differentiate it and describe it.

    A plain class, not a dataclass: it is built at every start-up.
    """

    __slots__ = (
        "name", "label", "arity", "forward", "backward", "rule", "description", "trace",
        "function", "takes_constant", "syntax", "kinks", "group", "params", "default",
        "aliases", "cut", "many", "derivative",
    )  # fmt: skip

    def __init__(
        self,
        name: str,  # method name, and the function name in expressions
        label: str,  # the walkthrough's `_op` label ('+', '*', 'ReLU')
        arity: int | None,  # inputs that are nodes (not a constant); None: one or more
        forward: Callable[..., float],
        backward: Callable[..., tuple],  # (m, g, out, x, y) -> each input's contribution
        rule: str,  # the derivative rule, as people write it
        description: str,
        # The trace's action text: a title, then what each input receives, as
        # the backward rule computes it (for a `cut` input, why it gets none),
        # with {g} (the upstream gradient),
        # {x}, {y}, {n} (the constant) and {out} filled in by `step_texts`;
        # a `Masked` text where the formula masks. An operation of several
        # inputs (`many`) has {x} (this input), {size} (how many), {count}
        # (how many equal the output) and {0}, {1}, ... (each input); one
        # text serves every input of a variadic one.
        trace: tuple[str | Masked, ...],
        group: str,  # its heading in `autodiff functions`
        params: tuple[str, ...] = ("x",),  # the arguments' names, as messages show them
        function: bool = True,  # callable by name in expressions
        takes_constant: bool = False,  # the last argument is a number, not a node
        default: float | None = None,  # the constant's value when it is left out
        syntax: str = "",  # how it is written; functions are name(x)
        kinks: Kinks | None = None,  # where the derivative jumps (autodiff check warns)
        aliases: tuple[str, ...] = (),  # other names, exactly the same function
        # Inputs that receive no gradient at all, not even 0: PyTorch's
        # comparisons have no backward, and where's condition is not
        # differentiable, so the graph below them is never visited backward
        # (where 0 * inf would make a NaN). Such an operation takes the general path.
        cut: tuple[int, ...] = (),
        # Each input's partial derivative as a formula, for `autodiff diff`:
        # text in the expression language over the arguments' names (params),
        # or a function (algebra, argument terms) -> the partials, for an
        # operation of any number of inputs. None: the formula algebra has it
        # built in (+, -, *, /, **n, square).
        derivative: tuple[str, ...] | Callable[..., tuple] | None = None,
    ) -> None:
        self.name, self.label, self.arity = name, label, arity
        self.forward, self.backward = forward, backward
        self.rule, self.description, self.trace = rule, description, trace
        self.group, self.params, self.aliases = group, params, aliases
        self.function, self.takes_constant, self.syntax = function, takes_constant, syntax
        self.default, self.kinks, self.cut = default, kinks, cut
        self.derivative = derivative
        # More than two inputs, any number, or a cut: a rule and a trace text
        # get the inputs as one tuple, `(m, g, out, xs, None)`.
        self.many = arity is None or arity > 2 or bool(cut)

    @property
    def usage(self) -> str:
        if self.syntax:
            return self.syntax
        first, rest = self.params[0], self.params[1:]
        if self.arity is None:
            return f"{self.name}({first}, ...)"
        if self.default is not None:
            return f"{self.name}({first}[, {', '.join(rest)}])"
        return f"{self.name}({', '.join(self.params)})"

    def label_for(self, constant) -> str:
        """The walkthrough's `_op` label of a node: '**2' for x ** 2, 'ReLU' for relu(x)."""
        if self.takes_constant and not self.function:
            return f"{self.label}{plain(constant)}"
        return self.label

    def accepts(self, count: int) -> bool:
        """Whether a call may give `count` arguments."""
        if self.arity is None:
            return count >= 1
        fixed = len(self.params)
        return count == fixed or (self.default is not None and count == fixed - 1)

    def takes(self) -> str:
        """What a call gives it, in words: '2 arguments (y, x)'."""
        if self.arity is None:
            return "1 or more arguments"
        fixed = len(self.params)
        names = ", ".join(self.params)
        if self.default is not None:
            return f"{fixed - 1} or {fixed} arguments ({names})"
        return f"{fixed} argument{'s' if fixed > 1 else ''} ({names})"

    def operands(self, inputs, constant=None) -> tuple:
        """(x, y) as a rule receives them, from the inputs' numbers (or `Value`s)."""
        if self.many:
            return tuple(inputs), None
        if self.takes_constant:
            return inputs[0], constant
        return inputs[0], (inputs[1] if len(inputs) == 2 else None)

    def step_texts(self, g: float, out: float, x, y) -> list[str]:
        """The arithmetic of each input's contribution: ['(4.0 > 0) * 1.0', ...].

        All at once, so a call of 50,000 arguments costs 50,000 texts, not their square.
        """
        if self.many:
            reprs = [repr(v) for v in x]
            fields = {"g": repr(g), "out": repr(out), "size": len(x),
                      "count": sum(1 for v in x if v == out)}  # fmt: skip
            positional = reprs if self.arity is not None else ()  # clamp's {0}; no variadic's
            texts = []
            for k in range(len(x)):
                template = self.trace[min(k + 1, len(self.trace) - 1)]
                if isinstance(template, Masked):
                    template = template.pick(out, x, k)
                texts.append(template.format(*positional, x=reprs[k], **fields))
        else:
            n = plain(y) if self.takes_constant else ""
            y_text = repr(y) if self.arity == 2 else ""
            texts = []
            for template in self.trace[1 : 1 + self.arity]:
                if isinstance(template, Masked):
                    template = template.pick(out, x, y)
                texts.append(template.format(g=repr(g), out=repr(out), x=repr(x), y=y_text, n=n))
        return [re.sub(_NEGATIVE_BASE, r"(\1)**", text) for text in texts]  # -2.0**2: -(2.0**2)

    def __repr__(self) -> str:
        return f"Op({self.name!r})"


# Where PyTorch's formulas mask, on the numbers (out, x, y): the rules and the
# trace's `Masked` texts ask the same question.
