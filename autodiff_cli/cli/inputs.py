"""What a command is given: the expression (word, --expr or standard input) and the values.

Values come as --NAME VALUE, --NAME=VALUE or -D NAME=VALUE. How each was
typed is kept for the session (`written`), so that a message about it quotes
it as typed.
"""

from __future__ import annotations

import click

from autodiff_cli.cli.options import is_named
from autodiff_cli.cli.process import warn
from autodiff_cli.cli.slips import options_named, refuse_foreign, refuse_misspelt
from autodiff_cli.cli.words import value_option
from autodiff_cli.errors import AutodiffError

WRITTEN = "autodiff.written"  # click's `ctx.meta` key: {name: its value as typed}


def parse_number(text: str | None, option: str) -> float:
    """A value given on the command line; a usage error naming `option` if it is not one
    (None: it was left out).

    Decimal numbers as in the expression language, with a sign, and inf, -inf,
    nan: what float() reads (spaces around it too), less its digit separators.
    """
    if text is None:
        raise AutodiffError("usage", f"option {option} needs a value", hint=f"{option} 2")
    if "_" not in text:
        try:
            return float(text)  # spaces around it go, as -D NAME=VALUE's do
        except ValueError:
            pass
    shown = repr(text) if text else "an empty string"
    raise AutodiffError(
        "invalid_value",
        f"invalid value for {option}: {shown} is not a number",
        hint="write a decimal number such as 2, -3.5 or 1e-3 (or inf, -inf, nan)",
    )


def split_values(args: tuple[str, ...], sets: tuple[str, ...]):
    """Positional words, and {name: (text, how it was given)} for each value."""
    positional: list[str] = []
    given: dict[str, tuple[str, str]] = {}
    i = 0
    while i < len(args):
        word = args[i]
        name = word[2:].split("=", 1)[0]
        if word.startswith("--") and name.isidentifier():
            refuse_foreign(name)
            following = args[i + 1] if i + 1 < len(args) else None
            if "=" in word:
                given[name] = (word.split("=", 1)[1], f"--{name}")
            elif following is not None and not is_named(following):
                given[name] = (following, f"--{name}")
                i += 1
            else:  # said once the expression is known: a misspelt option, or a value left out
                given[name] = (None, f"--{name}")
        elif word.startswith("--") and len(word) > 2:
            raise AutodiffError("usage", f"no such option: {word}")
        else:
            positional.append(word)
        i += 1
    for item in sets:
        name, eq, text = item.partition("=")
        if not eq or not name.strip().isidentifier():
            raise AutodiffError(
                "usage", f"-D takes NAME=VALUE, got {item!r}", hint="-D learning_rate=0.1"
            )
        given[name.strip()] = (text.strip(), f"-D {name.strip()}")
    ctx = click.get_current_context()
    if given and not getattr(ctx.command, "values", True):
        refuse_misspelt(given, ())
        message = f"{ctx.info_name} takes no values: the formula holds for every point"
        raise AutodiffError("usage", message, hint="autodiff grad evaluates it at a point")
    ctx.meta[WRITTEN] = {name: text for name, (text, _) in given.items()}
    return positional, given


def numbers(given: dict, skip: str | None = None) -> dict[str, float]:
    """The values as numbers (all but `skip`, a swept variable)."""
    return {name: parse_number(text, how) for name, (text, how) in given.items() if name != skip}


def read_source(
    positional: list[str],
    expr: str | None,
    example: str = 'autodiff grad "relu(a*b+c)" --a 2 --b -3 --c 10',
) -> tuple[str, str | None]:
    """The expression's text, and where it came from ("-": standard input, else None).

    `example`: the command's own example, for the hint when there is none.
    """
    if expr is not None:
        positional = [expr, *positional]
    if not positional:
        raise AutodiffError("usage", "no expression given", hint=example)
    if len(positional) > 1:
        extra = " ".join(positional[1:])
        raise AutodiffError(
            "usage",
            f"one expression only, but also got: {extra}",
            hint=options_named(positional[0])
            or "quote the expression, and give values as --NAME VALUE",
        )
    if positional[0] == "-":
        from autodiff_cli.reading import open_input, read_expression

        return read_expression(open_input("-")), "-"
    return positional[0], None


def check_unused(expression, given: dict) -> None:
    """A value for a variable the expression does not use: a warning, with a likely name."""
    for name, (_text, how) in given.items():
        if name not in expression.leaves:
            from autodiff_cli.names import closest

            close = closest(name, expression.variables)
            hint = f" (did you mean {value_option(close).removesuffix(' VALUE')}?)" if close else ""
            warn(f"{how} is not used by the expression{hint}")


def expression_and_point(args, sets, expr, many: bool = False):
    """The parsed expression and the values given: what most commands start from."""
    return parsed(*split_values(args, sets), expr, many)


def parsed(positional, given, expr, many: bool = False, swept: str | None = None):
    """The expression and the values (less a swept variable's range), values checked."""
    from autodiff_cli import api

    source, origin = read_source(positional, expr)
    expression = api.parse(source, many, origin)
    refuse_misspelt(given, expression.leaves)
    point = numbers(given, skip=swept)
    check_unused(expression, given)
    return expression, point


def points_format(path: str, given: str | None) -> str:
    """--points-format, else the file name's: .jsonl, .ndjson or .json; .tsv; else csv."""
    if given:
        return given
    if path.lower().endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    return "tsv" if path.lower().endswith(".tsv") else "csv"


def names(wrt: str | None) -> list[str] | None:
    """--wrt A,B: the names, in order (None: every variable); an empty or repeated name
    is a usage error, whatever the command."""
    if wrt is None:
        return None
    listed = [w.strip() for w in wrt.split(",")]
    if "" in listed:
        raise AutodiffError(
            "usage", f"--wrt {wrt!r} has an empty name", hint="--wrt a,b: names and commas"
        )
    twice = sorted({w for w in listed if listed.count(w) > 1}, key=listed.index)
    if twice:
        raise AutodiffError("usage", f"--wrt names {', '.join(twice)} more than once")
    return listed


def swept_range(given: dict) -> tuple[str, float, float]:
    """The one variable given a range LO:HI, and its ends, checked as the library checks them."""
    from autodiff_cli import api

    ranges = {name: text for name, (text, _how) in given.items() if ":" in (text or "")}
    if len(ranges) != 1:
        raise AutodiffError(
            "usage",
            "give one variable a range to sweep" if not ranges else "only one range at a time",
            hint='autodiff plot "tanh(x)" --x -3:3',
            reason="sweep",
        )
    ((variable, text),) = ranges.items()
    lo_text, _, hi_text = text.partition(":")
    option = f"--{variable}"
    lo, hi = parse_number(lo_text, option), parse_number(hi_text, option)
    api.check_bounds(variable, lo, hi)  # before the expression is read, whatever it holds
    return variable, lo, hi
