"""A session's memory: values, lazy definitions and `ans`, and the programs they make.

`x = 2` keeps a number. `f = x**2*sin(x)` keeps its source and is read again
each time it is used, so a new x gives a new f. An expression typed in the
session becomes a program: the definitions it uses (and the ones those use),
each a statement, then the expression itself, evaluated at the session's
values. An assignment whose right side uses its own name (`x = x + 1`) or
`ans` is evaluated at once: it means the number now, not a formula.

No command line here (the REPL, `autodiff_cli.cli.repl`, reads and prints):
these are the rules, callable from a test.
"""

from __future__ import annotations

import math
import re

from autodiff_cli.builder import CONSTANTS
from autodiff_cli.errors import AutodiffError
from autodiff_cli.parser import parse

ANS = "ans"  # the value of the last expression evaluated
SEPARATOR = "; "  # between a program's statements: on one line, as titles show it
_ASSIGNMENT = re.compile(r"\s*([^\W\d]\w*)\s*=(?!=)")


class Definition:
    def __init__(self, name: str, source: str, names: list[str]) -> None:
        self.name, self.source = name, source  # the right side, as typed
        self.names = names  # the names it uses, in order


class Statement:
    """One statement of a typed line: an assignment (`name` set) or an expression."""

    def __init__(self, text: str, offset: int, name: str | None, right: int) -> None:
        self.text, self.offset = text, offset  # where it starts in the line
        self.name = name
        self.right = right  # where its expression starts in `text`

    @property
    def expression(self) -> str:
        return self.text[self.right :]


def statements(line: str) -> list[Statement]:
    """The statements of `line`, once the whole line has parsed as a program.

    ';' separates statements and `#` starts a comment: neither occurs
    anywhere else in the language, so the split is the parser's.
    """
    try:
        parse(line, many=True)
    except AutodiffError as error:
        if error.data.get("reason") != "several_outputs":
            raise
    code = line.split("#", 1)[0]
    found, start = [], 0
    for part in code.split(";"):
        if part.strip():
            offset = start + len(part) - len(part.lstrip())
            text = part.strip()
            match = _ASSIGNMENT.match(text)
            name, right = (match.group(1), match.end()) if match else (None, 0)
            right += len(text[right:]) - len(text[right:].lstrip())
            found.append(Statement(text, offset, name, right))
        start += len(part) + 1
    return found


class Program:
    """An expression with the definitions it needs before it, and how to point back.

    `pieces`: (start in `source`, the text shown for it, where it starts in
    that text); an error in a definition shows the definition, one in the
    expression shows the line as typed.
    """

    def __init__(self, source: str, pieces: list[tuple[int, str, int]], point: dict) -> None:
        self.source, self.pieces, self.point = source, pieces, point

    def locate(self, error: AutodiffError) -> AutodiffError:
        """`error` pointing into what the person typed, if it pointed into `source`."""
        if error.span is None or error.source != self.source:
            return error
        for at, shown, offset in reversed(self.pieces):
            if error.span[0] >= at:
                return error.moved(offset - at, shown)
        return error


class Session:
    def __init__(self) -> None:
        self.values: dict[str, float] = {}
        self.definitions: dict[str, Definition] = {}

    def names(self) -> list[str]:
        """Every name the session knows, values first, each in the order it was set."""
        return [*self.values, *self.definitions]

    def assign(self, statement: Statement, line: str) -> float | None:
        """Carry out `name = expression`; the number, when it was computed (not typed)."""
        name, source = statement.name, statement.expression
        if name in CONSTANTS:
            raise AutodiffError(
                "usage",
                f"{name} is a constant and cannot be set",
                span=_span(statement, 0, len(name)),
                hint=f"choose another name, as in {name}2 = ...",
            ).located(line)
        if _literal(source):  # as the command line reads a value: 2, -0.5, inf, nan
            self.definitions.pop(name, None)
            self.values[name] = float(source)
            return None
        offset = statement.offset + statement.right
        used = _parsed(source, line, offset).variables
        if used and name not in used and ANS not in used:
            self._refuse_cycle(name, used, statement, line)
            self.values.pop(name, None)
            self.definitions[name] = Definition(name, source, used)
            return None
        try:
            value = self.evaluate(self.program(source, line, offset))
        except AutodiffError as error:
            if error.data.get("reason") == "missing_values":  # the formula is not wanted here
                error.data = {**error.data, "none_given": False}
            raise
        if math.isnan(value):
            raise AutodiffError(
                "undefined",
                f"{source} is undefined here (nan): {name} keeps "
                + ("its value" if name in self.names() else "no value"),
                span=(offset, offset + len(source)),
            ).located(line)
        self.definitions.pop(name, None)
        self.values[name] = value
        return value

    def _refuse_cycle(self, name: str, used: list[str], statement: Statement, line: str) -> None:
        """A definition that would reach itself through others (f = g where g uses f)."""
        for first in used:
            stack, seen = [first], set()
            while stack:
                current = stack.pop()
                if current == name:
                    raise AutodiffError(
                        "usage",
                        f"{name} = {statement.expression} would make {name} depend on itself "
                        f"(through {first})",
                        span=_span(statement, statement.right, len(statement.text)),
                        hint=f"set {first} to a number, or :del {first} first",
                    ).located(line)
                if current not in seen and current in self.definitions:
                    seen.add(current)
                    stack += self.definitions[current].names

    def program(self, source: str, line: str, offset: int, many: bool = False) -> Program:
        """`source` with every definition it needs before it, and the values it uses.

        `line` and `offset`: what was typed and where `source` starts in it.
        """
        used = _parsed(source, line, offset, many).variables
        needed = self._needed(used)
        texts = [f"{d.name} = {d.source}" for d in needed]
        pieces, at = [], 0
        for text in texts:
            pieces.append((at, text, 0))
            at += len(text) + len(SEPARATOR)
        pieces.append((at, line, offset))
        program = Program(SEPARATOR.join([*texts, source]), pieces, {})
        try:
            leaves = parse(program.source, many).leaves
        except AutodiffError as error:
            raise program.locate(error) from None
        program.point = {name: self.values[name] for name in leaves if name in self.values}
        return program

    def _needed(self, used: list[str]) -> list[Definition]:
        """The definitions `used` reaches, each after those it uses (no recursion)."""
        order: list[Definition] = []
        placed: set[str] = set()
        stack = [(name, False) for name in reversed(used)]
        while stack:
            name, expanded = stack.pop()
            definition = self.definitions.get(name)
            if definition is None or name in placed:
                continue
            if expanded:
                placed.add(name)
                order.append(definition)
            else:
                stack.append((name, True))
                stack += [(n, False) for n in reversed(definition.names) if n not in placed]
        return order

    def evaluate(self, program: Program) -> float:
        """The program's value at the session's values; an error where it is undefined."""
        from autodiff_cli.diagnose import require_defined

        try:
            evaluation = parse(program.source).evaluate(program.point)
            require_defined(evaluation, {})
        except AutodiffError as error:
            raise program.locate(error) from None
        return evaluation.value

    def delete(self, names: list[str]) -> None:
        for name in names:
            if name not in self.values and name not in self.definitions:
                from autodiff_cli.names import closest

                close = closest(name, self.names())
                hint = f"did you mean {close}?" if close else ":vars lists them"
                raise AutodiffError("usage", f"{name} is not set", hint=hint)
        for name in names:
            self.values.pop(name, None)
            self.definitions.pop(name, None)


def _parsed(source: str, line: str, offset: int, many: bool = False):
    """`source`, typed at `offset` in `line`, parsed; an error points into the line."""
    try:
        return parse(source, many)
    except AutodiffError as error:
        if error.span is None:
            raise
        raise error.moved(offset, line) from None


def _span(statement: Statement, start: int, end: int) -> tuple[int, int]:
    return statement.offset + start, statement.offset + end


def _literal(source: str) -> bool:
    """A number as typed (2, -0.5, 1e3, inf): nothing to compute, nor to show back."""
    try:
        float(source)
    except ValueError:
        return False
    return True
