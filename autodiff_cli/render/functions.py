"""The operations an expression may use, grouped: text, Markdown (the README's list) and JSON."""

from __future__ import annotations

from autodiff_cli.render.dialects import field, json_line

HEADER = ("group", "write", "derivative", "kinks", "what it is")


def cells(op) -> tuple[str, str, str, str]:
    """write, derivative, kinks, what it is: one row of every format."""
    described = op.description
    if op.aliases:
        described += f"; also written {', '.join(op.aliases)}"
    return op.usage, op.rule, op.kinks.text if op.kinks else "", described


def text(listing, style) -> str:
    rows = [HEADER] + [(group, *cells(op)) for group, ops in listing.groups for op in ops]
    return "".join("\t".join(field(c) for c in row) + "\n" for row in rows)


def markdown(listing, style) -> str:
    out = []
    for group, ops in listing.groups:
        out += [f"**{group}**", "", "| " + " | ".join(HEADER[1:]) + " |"]
        out.append("| --- | --- | --- | --- |")
        for op in ops:
            usage, rule, kinks, described = (c.replace("|", "\\|") for c in cells(op))
            out.append(f"| `{usage}` | {rule} | {kinks} | {described} |")
        out.append("")
    return "\n".join(out)


def as_json(listing, style) -> str:
    groups = []
    for group, ops in listing.groups:
        rows = []
        for op in ops:
            usage, rule, kinks, _ = cells(op)
            rows.append({
                "name": op.name, "write": usage, "arguments": list(op.params),
                "defaults": {} if op.default is None else {op.params[-1]: op.default},
                "variadic": op.arity is None, "aliases": list(op.aliases), "derivative": rule,
                "kinks": kinks or None, "description": op.description,
            })  # fmt: skip
        groups.append({"group": group, "functions": rows})
    return json_line({"groups": groups})
