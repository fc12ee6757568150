"""The LALR(1) driver: runs the shipped tables of `grammars/expr.lark`, calling the builder.

Lark builds the tables (`tables.py`); this small driver runs them, so that a
run never imports Lark (24 ms of start-up) and parses faster than CPython's
`ast.parse` (benchmarks/parsing.py). It does what Lark's basic lexer and
LALR parser do with these tables: the first alternative of the terminals, in
Lark's order, that matches at a position is the token; callbacks receive the
children Lark would pass them. A loop over a stack: no recursion.
"""

from __future__ import annotations

import re
import sys

# An action: a state to shift to (>= 0), or the rule to reduce by (-1 - rule);
# reducing by the rule after the last is an error.
PASS, CALL_ALL, CALL_FILTER, INLINE, ERROR, NOTHING, SPLICE = range(7)
KINDS = {"pass": PASS, "all": CALL_ALL, "filter": CALL_FILTER, "inline": INLINE}


class Token:
    """A terminal as the builder sees it: what Lark's Token offers, for what it uses."""

    __slots__ = ("type", "value", "start_pos", "end_pos")

    def __init__(self, type: str, value: str, start_pos: int, end_pos: int) -> None:  # noqa: A002
        self.type, self.value, self.start_pos, self.end_pos = type, value, start_pos, end_pos

    def __str__(self) -> str:
        return self.value

    def __float__(self) -> float:
        return float(self.value)

    def __getitem__(self, index):
        return self.value[index]

    def __eq__(self, other) -> bool:
        return self.value == other

    __hash__ = None

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {self.value!r}, {self.start_pos}, {self.end_pos})"


class UnexpectedInput(Exception):
    """The input is not in the language."""


class UnexpectedCharacters(UnexpectedInput):
    """No terminal matches at `pos_in_stream`."""

    def __init__(self, pos_in_stream: int) -> None:
        super().__init__(f"no terminal matches at {pos_in_stream}")
        self.pos_in_stream = pos_in_stream


class UnexpectedToken(UnexpectedInput):
    """`token` cannot follow what precedes it; `expected` are the terminals that could."""

    def __init__(self, token: Token, expected: set[str]) -> None:
        super().__init__(f"unexpected {token!r}; expected one of {sorted(expected)}")
        self.token, self.expected = token, expected


class Parser:
    """The tables (as `tables.build` returns them) with the callbacks of `builder`."""

    def __init__(self, tables: dict, builder) -> None:
        ignore = tables["ignore"]
        terms = ["$END"] + [name for name, _ in tables["terminals"] if name not in ignore]
        self.terms = terms
        term_id = {name: i for i, name in enumerate(terms)}
        # What is ignored is skipped before each token, not matched as one: a
        # third of the matches fewer. It gives Lark's tokens because no other
        # terminal can match where an ignored one does (the tests check).
        skip = "|".join(regex for name, regex in tables["terminals"] if name in ignore)
        skip = f"(?:{skip})*+" if sys.version_info >= (3, 11) else f"(?=((?:{skip})*))\\1"
        alternatives = [(n, r) for n, r in tables["terminals"] if n not in ignore]
        self.skip = re.compile(skip)
        self.regex = re.compile(
            skip + "(?:" + "|".join(f"(?P<{n}>{r})" for n, r in alternatives) + ")"
        )
        # Match.lastindex -> terminal number (the group of the matched terminal closes last).
        self.group_term = [-1] * (self.regex.groups + 1)
        for name, group in self.regex.groupindex.items():
            self.group_term[group] = term_id[name]
        self.tokens = [name in tables["tokens"] for name in terms]  # others: None on the stack

        nonterms = sorted({rule[0] for rule in tables["rules"]})
        nonterm_id = {name: i for i, name in enumerate(nonterms)}
        self.nonterms = len(nonterms)
        self.error = -1 - len(tables["rules"])  # reduce by the rule after the last: an error
        self.actions, plain = [], []
        for state in tables["states"]:
            row = [self.error] * len(terms)
            for name, action in state["actions"].items():
                row[term_id[name]] = action
            self.actions.append(row)
            plain.append({nonterm_id[name]: target for name, target in state["gotos"].items()})
        self.end_state = tables["end_state"]
        self.rules = []
        for origin, size, kind, callback, include in tables["rules"]:
            if not size:
                raise ValueError(f"rule {origin}: empty rules are not supported")
            function = getattr(builder, callback) if callback else None
            plan = tuple((i - size, bool(expand)) for i, expand in include)  # from the top
            kind = KINDS[kind]
            if kind == INLINE and not plan:
                kind = NOTHING
            elif kind == INLINE and len(plan) == 1 and plan[0][1]:
                kind = SPLICE
            self.rules.append((kind, size, nonterm_id[origin], function, plan))
        self.rules.append((ERROR, 1, None, None, ()))
        self.gotos = self._gotos(plain)

    def _gotos(self, plain: list[dict[int, int]]) -> list[list[list[int] | None]]:
        """State, rule's left side and look-ahead -> the state after the reduction.

        After any rule of one child that passes it on (`?sum: product`) too:
        they leave the value as it is, so the driver never reduces by them.
        Their reduction only moves from one state to another, and which
        depends on the state below and the look-ahead alone.
        """
        actions, rules, count = self.actions, self.rules, len(self.terms)
        passes = [any(rules[~a][0] == PASS for a in row if a < 0) for row in actions]
        same = [[target] * count for target in range(len(actions))]  # no chain to follow
        gotos = []
        for below in plain:
            row: list[list[int] | None] = [None] * self.nonterms
            for origin, target in below.items():
                if not passes[target]:
                    row[origin] = same[target]
                    continue
                row[origin] = final = []
                for term in range(count):
                    top = target
                    while (action := actions[top][term]) < 0 and rules[~action][0] == PASS:
                        top = below[rules[~action][2]]
                    final.append(top)
            gotos.append(row)
        return gotos

    def lex(self, text: str):
        """The tokens of `text`, ignored ones left out; raises UnexpectedCharacters."""
        terms, group_term = self.terms, self.group_term
        pos = 0
        for m in self.regex.finditer(text):
            group = m.lastindex
            start, end = m.span(group)
            if m.start() != pos:
                break
            pos = end
            yield Token(terms[group_term[group]], m.group(group), start, end)
        pos = self.skip.match(text, pos).end()
        if pos < len(text):
            raise UnexpectedCharacters(pos)

    def parse(self, text: str):
        """What the start rule's callback returns for `text`; raises UnexpectedInput."""
        terms, group_term, tokens = self.terms, self.group_term, self.tokens
        actions, gotos, rules, end_state = self.actions, self.gotos, self.rules, self.end_state
        states, values = [0], [None]
        push_state, push_value = states.append, values.append
        match = self.regex.scanner(text).match
        top = end = 0
        while True:
            m = match()
            if m is None:
                start = end = self.skip.match(text, end).end()
                if end < len(text):
                    raise UnexpectedCharacters(end)
                term, token = 0, None
            else:
                group = m.lastindex
                start, end = m.span(group)
                term = group_term[group]
                token = Token(terms[term], m.group(group), start, end) if tokens[term] else None
            while (action := actions[top][term]) < 0:  # reduce, until the token shifts
                kind, size, origin, function, plan = rules[~action]
                if kind == CALL_ALL:
                    value = function(values[-size:])
                elif kind == ERROR:
                    raise self._unexpected(top, term, text[start:end], start, end)
                elif kind == NOTHING:  # a separator
                    value = []
                elif kind == SPLICE:  # _seps: its one child's list
                    value = values[plan[0][0]]
                else:  # CALL_FILTER or INLINE: never PASS (see _gotos)
                    children = []
                    for i, expand in plan:
                        if not expand:
                            children.append(values[i])
                        elif children:
                            children += values[i]
                        else:
                            children = values[i]  # left recursion: grow the list in place
                    value = function(children) if kind == CALL_FILTER else children
                if size > 1:
                    del states[1 - size :]
                    del values[1 - size :]
                top = gotos[states[-2]][origin][term]
                if top == end_state and not term:
                    return value
                states[-1] = top
                values[-1] = value
            push_state(action)
            push_value(token)
            top = action

    def _unexpected(self, state: int, term: int, value: str, start: int, end: int):
        row = self.actions[state]
        expected = {self.terms[t] for t, action in enumerate(row) if action != self.error}
        return UnexpectedToken(Token(self.terms[term], value, start, end), expected)
