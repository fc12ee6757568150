"""Parse an expression or program into an `Expression`, or say in words why not."""

from __future__ import annotations

import threading

from autodiff_cli import grammar
from autodiff_cli.builder import Builder
from autodiff_cli.errors import AutodiffError, quoted
from autodiff_cli.expression import Expression, no_cyclic_gc
from autodiff_cli.lalr import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from autodiff_cli.ops import NAMES

# What each terminal is, in words, in the order messages list them.
WORDS = {
    "NUMBER": "a number",
    "NAME": "a variable",
    "LPAR": "'('",
    "MINUS": "'-'",
    "PLUS": "'+'",
    "RPAR": "')'",
    "STAR": "'*'",
    "SLASH": "'/'",
    "POW": "'**'",
    "COMPARE": "a comparison",  # listed as part of "an operator", quoted when found
    "COMMA": "','",
    "EQUAL": "'='",
    "_SEMICOLON": "';'",
    "_NL": "a new line",
    "$END": "the end of the input",
}
MISWRITTEN = {"=>": ">=", "=<": "<=", "<>": "!="}  # comparisons written otherwise
OPERATORS = {"PLUS", "MINUS", "STAR", "SLASH", "POW", "COMPARE"}
OPERANDS = {"NUMBER", "NAME", "LPAR"}

MAX_SOURCE = 16 * 2**20  # characters: a bound on memory, far above any real expression
_builder = Builder()
_parser = None
_lock = threading.Lock()  # one builder, so one parse at a time


def _get_parser():
    global _parser
    if _parser is None:
        _parser = grammar.load(_builder)
    return _parser


def parse(source: str, many: bool = False, origin: str | None = None) -> Expression:
    """The expression graph of `source`; raises AutodiffError when it is invalid.

    Several outputs (`a*b, a+b`) only when `many` (a Jacobian's rows).
    `origin` says where the source was read from ("-": standard input), so
    errors that quote it can say so (with line numbers).
    """
    if len(source) > MAX_SOURCE:
        raise AutodiffError(
            "input",
            f"the expression is {len(source):,} characters; the limit is {MAX_SOURCE:,}",
        )
    if not any(line.split("#", 1)[0].strip() for line in source.splitlines()):
        raise AutodiffError("syntax", "the expression is empty", hint="relu(a*b+c)")
    with _lock, no_cyclic_gc():  # the graph has no cycles: the collector's passes are waste
        parser = _get_parser()
        _builder.reset(source)
        try:
            expression = parser.parse(source)
        except AutodiffError as error:
            raise error.located(source, origin) from None
        except UnexpectedInput as error:
            raise syntax_error(source, error).located(source, origin) from None
        finally:
            _builder.reset()
    expression.source, expression.origin = source, origin
    if len(expression.outputs) > 1 and not many:
        start = expression.output_spans[0][1]
        raise AutodiffError(
            "syntax",
            "several outputs, separated by ',', are for a Jacobian",
            span=(start, start + 1),
            hint="one expression here; a Jacobian (parse with many=True) takes several",
            reason="several_outputs",
        ).located(source, origin)
    return expression


def _expected_words(expected: set[str]) -> str:
    # Signs (+ -) are listed only as part of "an operator", and separators never.
    hidden = OPERATORS | {"_SEMICOLON", "_NL"}
    names = [WORDS[t] for t in WORDS if t in expected and t not in hidden]
    if expected & {"STAR", "SLASH", "POW"}:
        names.insert(0, "an operator")
    if len(names) <= 1:
        return "".join(names) or "something else"
    return ", ".join(names[:-1]) + " or " + names[-1]


def _previous_token(source: str, position: int):
    previous = None
    try:
        for token in _get_parser().lex(source[:position]):
            previous = token
    except UnexpectedInput:
        return None
    return previous


def _unclosed_paren(source: str, end: int) -> int | None:
    opened: list[int] = []
    in_comment = False
    for i, ch in enumerate(source[:end]):
        if ch == "#":
            in_comment = True
        elif ch == "\n":
            in_comment = False
        elif in_comment:
            continue
        elif ch == "(":
            opened.append(i)
        elif ch == ")" and opened:
            opened.pop()
    return opened[-1] if opened else None


def syntax_error(source: str, error: UnexpectedInput) -> AutodiffError:
    if isinstance(error, UnexpectedCharacters):
        pos = error.pos_in_stream
        char = source[pos]
        message = f"unexpected character {char!r}"
        hint = None
        if char == "\ufffd" or "\ud800" <= char <= "\udfff":
            message = "the input is not valid UTF-8 here"
        if char == "=":
            hint = "an assignment is written name = expression"
        return AutodiffError("syntax", message, span=(pos, pos + 1), hint=hint).located(source)

    assert isinstance(error, UnexpectedToken)
    token = error.token
    expected = set(error.expected)
    if token.type == "$END":
        pos = len(source.rstrip())
        found = "unexpected end of the input"
        span = (pos, pos + 1)
    else:
        pos = token.start_pos
        words = WORDS.get(token.type, repr(token.type))
        found = (
            f"unexpected {words}"
            if words.startswith("'")
            else f"unexpected {quoted(str(token))!r}"
            if token.type == "COMPARE"
            else f"unexpected {words} {quoted(str(token))}"
        )
        if token.type == "_NL":
            found = "unexpected end of the line"
        span = (pos, max(token.end_pos, pos + 1))
    message = f"{found}: expected {_expected_words(expected)}"
    hint = None
    lone = pos == 1 or (pos > 1 and source[pos - 2] not in "<>=!")  # not <=> or ==<
    if token.type == "COMPARE" and pos > 0 and lone:
        meant = MISWRITTEN.get(source[pos - 1] + str(token))  # => for >=, <> for !=
        if meant is not None:
            hint = f"write {meant} for {quoted(source[pos - 1 : token.end_pos])}"

    previous = _previous_token(source, pos) if token.type != "$END" else None
    if (
        previous is not None
        and token.type in OPERANDS
        and previous.type
        in (
            "NUMBER",
            "NAME",
            "RPAR",
        )
    ):
        glued = previous.end_pos == token.start_pos
        if previous.type == "NUMBER" and token.type == "NAME" and glued and token[0] in "eE":
            message = f"{previous}{token} is not a number: an exponent needs digits, as in 2e3"
            hint = f"to multiply, write {previous}*{token}"
            span = (previous.start_pos, token.end_pos)
        elif previous.type == "NAME" and str(previous) in NAMES:
            message = f"{previous} is a function: its argument goes in parentheses"
            hint = f"write {previous}({token})"
            span = (token.start_pos, token.start_pos + 1)
        else:
            message = "implicit multiplication is not supported"
            written = quoted(source[previous.start_pos : token.end_pos])
            hint = f"write {quoted(str(previous))}*{quoted(str(token))} instead of {written}"
            span = (token.start_pos, token.start_pos + 1)
    elif "RPAR" in expected:
        opened = _unclosed_paren(source, pos)
        if opened is not None:
            hint = f"the '(' at column {opened - source.rfind(chr(10), 0, opened)} is not closed"
    return AutodiffError("syntax", message, span=span, hint=hint).located(source)
