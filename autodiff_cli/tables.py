"""Build the LALR tables of `grammars/expr.lark` with Lark, in the form `lalr.py` runs.

Only `python -m autodiff_cli.grammar`, the tests, and a checkout whose
shipped tables are stale import this module, and so Lark: a run of the
command reads the saved tables and never imports Lark (see README,
"Start-up time"). Lark decides everything here (terminal order, parse
actions, which children each callback receives); this module only writes
its decisions down, with states numbered in a fixed order so that the file
is the same byte for byte on every run.
"""

from __future__ import annotations

from lark import Lark


def build(grammar: str, debug: bool = False) -> dict:
    """The tables of `grammar`: lexer, rules and actions, as plain JSON data.

    With `debug`, Lark logs what it resolved on its own (shift/reduce conflicts).
    """
    lark = Lark(grammar, parser="lalr", lexer="basic", debug=debug)
    lexer = lark.parser.lexer
    lexer.scanner  # noqa: B018 (builds the scanner, which sets `callback`)
    if lexer.callback or lexer.user_callbacks:
        raise ValueError("terminals Lark rewrites after matching are not supported")
    ignore = set(lark.lexer_conf.ignore)
    terminals = [[t.name, t.pattern.to_regexp()] for t in lexer.terminals]  # Lark's order

    rules, kept = [], set()
    for rule in lark.rules:
        options = rule.options
        if options.empty_indices or options.keep_all_tokens or options.template_source:
            raise ValueError(f"rule {rule.origin.name}: options the driver does not support")
        include = [
            [i, int(not sym.is_term and sym.name.startswith("_"))]
            for i, sym in enumerate(rule.expansion)
            if not (sym.is_term and sym.filter_out)
        ]
        kept.update(rule.expansion[i].name for i, _ in include if rule.expansion[i].is_term)
        origin, size = rule.origin.name, len(rule.expansion)
        if origin.startswith("_"):
            kind, callback = "inline", None  # its children go into its parent's
        elif options.expand1 and not rule.alias:
            if include != [[0, 0]] or size != 1:
                raise ValueError(f"rule {origin}: ?rule of several children without an alias")
            kind, callback = "pass", None  # ?rule of one child: the child itself
        else:
            plain = include == [[i, 0] for i in range(size)]
            kind, callback = ("all" if plain else "filter"), rule.alias or origin
        rules.append([origin, size, kind, callback, include])

    table = lark.parser.parser.parser.parse_table
    rule_index = {rule: i for i, rule in enumerate(lark.rules)}
    (start,) = table.start_states.values()
    (end,) = table.end_states.values()
    order = [start]  # states numbered breadth first, symbols in name order
    number = {start: 0}
    for state in order:
        for _symbol, (action, arg) in sorted(table.states[state].items()):
            if action.name == "Shift" and arg not in number:
                number[arg] = len(order)
                order.append(arg)
    states = []
    for state in order:
        actions, gotos = {}, {}
        for symbol, (action, arg) in sorted(table.states[state].items()):
            shift = action.name == "Shift"
            if symbol.isupper():  # a terminal: as Lark tells them apart
                actions[symbol] = number[arg] if shift else -1 - rule_index[arg]
            else:
                gotos[symbol] = number[arg]
        states.append({"actions": actions, "gotos": gotos})
    return {
        "terminals": terminals,
        "ignore": sorted(ignore),
        "tokens": sorted(kept),
        "rules": rules,
        "states": states,
        "end_state": number[end],
    }
