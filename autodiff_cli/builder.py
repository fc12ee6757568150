"""The graph builder: the LALR driver (`lalr.py`) calls these methods while it parses.

Each method receives what its grammar rule matched and returns a `Ref` to a
node of the expression graph, so the graph is built during the parse, with
no tree and no recursion. The method names are the grammar's rule aliases
(`grammars/expr.lark`).
"""

from __future__ import annotations

import math

from autodiff_cli.errors import AutodiffError
from autodiff_cli.expression import Expression, Node
from autodiff_cli.lalr import Token
from autodiff_cli.ops import BY_NAME, NAMES, OPS

CONSTANTS = {"pi": math.pi}
BINARY = {
    "PLUS": BY_NAME["add"],
    "MINUS": BY_NAME["sub"],
    "STAR": BY_NAME["mul"],
    "SLASH": BY_NAME["div"],
    "POW": BY_NAME["pow"],
}
POW = BY_NAME["pow"]
POW_CONST = BY_NAME["pow_const"]
NEG = BY_NAME["neg"]
COMPARISONS = {op.label: op for op in OPS if op.cut and not op.function}  # '<': lt, ...


# A node, and where this mention of it is written: (index, start, end). A
# tuple, not a class: one is made for every leaf and operation, and a tuple
# costs a third of an instance to make.
Ref = tuple[int, int, int]
INDEX, START, END = 0, 1, 2


def _span(token: Token) -> tuple[int, int]:
    return token.start_pos, token.end_pos


def _unnamable(name: str, span: tuple[int, int]) -> AutodiffError:
    """A name the grammar reads but no --NAME VALUE could give a value (x², x₁)."""
    import unicodedata  # only on this error: not at start-up

    at = next(i for i in range(len(name)) if not name[: i + 1].isidentifier())
    run = name[at:]
    raised = len(run) - len(run.lstrip("⁰¹²³⁴⁵⁶⁷⁸⁹"))
    if at and raised == len(run):  # x², x²³: a power, written the other way
        power = "".join(str(unicodedata.digit(ch)) for ch in run[:raised])
        hint = f"for a power, write {name[:at]}**{power}"
    else:
        hint = "a variable's name is letters, digits and _, as in x1 or x_1"
    return AutodiffError(
        "syntax",
        f"{name} cannot be a variable's name: {name[at]!r} is not a letter, a digit or _",
        span=(span[0] + at, span[0] + at + 1),
        hint=hint,
    )


class Builder:
    """Callbacks for the LALR driver (Lark's parser in tests); `reset()` before each parse."""

    def reset(self, source: str = "") -> None:
        self.source = source  # for hints that quote it
        self.nodes: list[Node] = []
        self.values: list[float | None] = []  # constant value, None if it has a variable
        self.symbols: dict[str, int] = {}  # program names and variables -> node
        self.variables: list[str] = []

    def _add(self, node: Node, value: float | None) -> int:
        self.nodes.append(node)
        self.values.append(value)
        return len(self.nodes) - 1

    def _leaf(self, value: float, span: tuple[int, int], name: str | None = None) -> int:
        return self._add(Node(None, (), value, name, span), value)

    def _apply(self, op, inputs: tuple[Ref, ...], start: int, end: int, constant=None) -> Ref:
        values = self.values
        if len(inputs) == 1:  # most functions: no lists to make
            index = inputs[0][0]
            indices, x = (index,), values[index]
            if x is None:
                value = None
            else:
                value = op.forward(x, constant) if op.takes_constant else op.forward(x)
        else:
            indices = tuple([r[0] for r in inputs])
            xs = [values[i] for i in indices]
            value = None if None in xs else op.forward(*xs)  # none takes a constant and more
        self.nodes.append(Node(op, indices, constant, None, (start, end)))
        values.append(value)
        return (len(values) - 1, start, end)

    # Leaves. These, binary and call run for most tokens: written out, not via _apply.
    def number(self, children) -> Ref:
        token = children[0]
        value, start, end = float(token.value), token.start_pos, token.end_pos
        self.nodes.append(Node(None, (), value, None, (start, end)))
        self.values.append(value)
        return (len(self.values) - 1, start, end)

    def name(self, children) -> Ref:
        token = children[0]
        name = token.value
        index = self.symbols.get(name)
        if index is None and name in CONSTANTS:
            index = self._leaf(CONSTANTS[name], _span(token), name)
        elif index is None:
            if not name.isidentifier():
                raise _unnamable(name, _span(token))
            node = Node(None, (), None, name, _span(token), variable=True)
            index = self.symbols[name] = self._add(node, None)
            self.variables.append(name)
        return (index, token.start_pos, token.end_pos)

    def _text(self, ref: Ref) -> str:
        return self.source[ref[START] : ref[END]]

    # Operations.
    def binary(self, children) -> Ref:
        left, operator, right = children
        op = BINARY[operator.type]
        a, start, _ = left
        b, _, end = right
        if op is POW:
            return self._power(left, right, start, end)
        values = self.values
        x, y = values[a], values[b]
        self.nodes.append(Node(op, (a, b), None, None, (start, end)))
        values.append(None if x is None or y is None else op.forward(x, y))
        return (len(values) - 1, start, end)

    def _power(self, base: Ref, exponent: Ref, start: int, end: int) -> Ref:
        n = self.values[exponent[INDEX]]
        if n is not None:  # an exponent with no variable: the power rule
            return self._apply(POW_CONST, (base,), start, end, n)
        return self._apply(BINARY["POW"], (base, exponent), start, end)

    def compare(self, children) -> Ref:
        left, operator, right = children[:3]
        if len(children) > 3:  # a < b < c: Python's meaning is not a product of 0/1s
            second = children[3]
            triples = zip(children[0::2], children[1::2], children[2::2])
            pairs = [f"({self._text(a)} {o} {self._text(b)})" for a, o, b in triples]
            raise AutodiffError(
                "syntax",
                "comparisons cannot be chained",
                span=(second.start_pos, second.end_pos),
                hint=f"to ask for both, multiply them: {' * '.join(pairs)}",
            )
        op = COMPARISONS[operator.value]
        return self._apply(op, (left, right), left[START], right[END])

    def negate(self, children) -> Ref:
        minus, operand = children
        node = self.nodes[operand[INDEX]]
        if node.op is None and not node.variable and node.name is None:  # -3: a number
            index = self._leaf(-node.constant, (minus.start_pos, operand[END]))
            return (index, minus.start_pos, operand[END])
        return self._apply(NEG, (operand,), minus.start_pos, operand[END])

    def positive(self, children) -> Ref:
        plus, operand = children
        return (operand[INDEX], plus.start_pos, operand[END])

    def group(self, children) -> Ref:
        lpar, inner, rpar = children
        return (inner[INDEX], lpar.start_pos, rpar.end_pos)

    def arguments(self, children) -> list[Ref]:
        return children[::2]  # test, COMMA, test, ...

    def call(self, children) -> Ref:
        token, rpar = children[0], children[-1]
        args = children[2] if len(children) == 4 else []  # name() has no arguments
        name = token.value
        op = NAMES.get(name)
        if op is None:
            raise unknown_function(name, _span(token), self.symbols)
        start, end = token.start_pos, rpar.end_pos
        if not op.accepts(len(args)):
            from autodiff_cli.names import ARITY  # only on this error: not at start-up

            raise AutodiffError(
                "arity",
                f"{name} takes {op.takes()}, got {len(args)}",
                span=(start, end),
                hint=ARITY.get(op.name, f"write {op.usage}"),
            )
        if op is BINARY["POW"]:
            return self._power(args[0], args[1], start, end)
        if op.takes_constant:
            return self._apply(op, (args[0],), start, end, self._constant(op, name, args))
        return self._apply(op, tuple(args), start, end)

    def _constant(self, op, name: str, args: list[Ref]) -> float:
        """The number a function takes as its last argument (elu's alpha), or its default."""
        if len(args) < len(op.params):
            return op.default
        ref = args[-1]
        value = self.values[ref[INDEX]]
        if value is None:
            param, text = op.params[-1], self._text(ref)
            names = self._variables_below(ref[INDEX])
            if names == [text]:
                message = f"{name}'s {param} must be a number, not the variable {text}"
            else:
                message = f"{name}'s {param} must be a number: {text} depends on {', '.join(names)}"
            raise AutodiffError(
                "syntax",
                message,
                span=(ref[START], ref[END]),
                hint=f"no gradient is taken with respect to {param}; "
                f"write a number, as in {name}(x, {op.default:g})",
            )
        return value

    def _variables_below(self, index: int) -> list[str]:
        """The variables a node depends on, in order of first appearance."""
        seen, stack = set(), [index]
        while stack:
            i = stack.pop()
            if i not in seen:
                seen.add(i)
                stack += self.nodes[i].inputs
        return [self.nodes[i].name for i in sorted(seen) if self.nodes[i].variable]

    # Programs.
    def assign(self, children) -> Ref:
        token, _equal, value = children
        name = token.value
        node = self.nodes[value[INDEX]]
        if node.name is None:
            node.name = name
        self.symbols[name] = value[INDEX]
        return (value[INDEX], token.start_pos, value[END])

    def outputs(self, children) -> list[Ref]:
        return children[::2]  # test, COMMA, test, ...

    def start(self, children) -> Expression:
        for statement in children[:-1]:
            if isinstance(statement, list):  # outputs before the end would be dropped
                raise AutodiffError(
                    "syntax",
                    "outputs separated by ',' must be the last statement",
                    span=(statement[0][START], statement[-1][END]),
                    hint="give each a name (a = ...) and list them at the end: a, b",
                )
        last = children[-1]
        refs = last if isinstance(last, list) else [last]
        outputs = [r[INDEX] for r in refs]
        expr = Expression(
            source="",
            nodes=self.nodes,
            output=outputs[0],
            variables=self.variables,
            live=self._live(outputs),
        )
        expr.outputs = outputs
        expr.output_spans = [(r[START], r[END]) for r in refs]
        return expr

    def _live(self, outputs: list[int]) -> list[int]:
        """Nodes the outputs need, and every variable, in creation order."""
        keep = [node.variable for node in self.nodes]
        for output in outputs:
            keep[output] = True
        for i in range(max(outputs), -1, -1):  # inputs precede users: one backward sweep
            if keep[i]:
                for j in self.nodes[i].inputs:
                    keep[j] = True
        return [i for i, k in enumerate(keep) if k]


def unknown_function(name: str, span: tuple[int, int], symbols: dict) -> AutodiffError:
    if name in CONSTANTS:
        hint = f"{name} is a constant: write {name}, without parentheses"
    elif name in symbols:
        hint = f"{name} is a variable; to multiply, write {name}*(...)"
    else:
        from autodiff_cli.names import hint_for  # only on this error: not at start-up

        hint = hint_for(name)  # None: the command line points at its listing of them
    return AutodiffError(
        "unknown_function",
        f"unknown function {name!r}",
        span=span,
        hint=hint,
        reason="unknown_function",
        name=name,
    )
