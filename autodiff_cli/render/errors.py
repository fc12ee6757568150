"""The one place errors are rendered: a caret line for people, an object for JSON."""

from __future__ import annotations

from autodiff_cli.errors import AutodiffError, quoted

WINDOW = 60  # characters of a long source line shown on each side of the caret
LONGEST = 1000  # characters of a message or hint: they may quote a huge name or token


def capped(text: str | None) -> str | None:
    return None if text is None else quoted(text, LONGEST)


def _quoted_line(error: AutodiffError, numbered: bool) -> list[str]:
    line_no, column = error.line_column
    text = error.source.split("\n")[line_no - 1].rstrip("\r")
    start = column - 1
    width = max(1, min(error.span[1] - error.span[0], len(text) - start))
    left, right = "", ""
    if len(text) > 2 * WINDOW:  # a huge line: show the part around the caret
        lo, hi = max(0, start - WINDOW), min(len(text), start + WINDOW)
        left = "..." if lo > 0 else ""
        right = "..." if hi < len(text) else ""
        text, start = text[lo:hi], start - lo
        width = min(width, len(text) - start) or 1
    text = "".join(ch if ch.isprintable() or ch == "\t" else "\ufffd" for ch in text)
    prefix = f"  line {line_no}: " if numbered else "  "
    # Keep tabs under tabs so the caret lines up in a terminal.
    pad = "".join("\t" if ch == "\t" else " " for ch in text[:start])
    return [prefix + left + text + right, " " * (len(prefix) + len(left)) + pad + "^" * width]


def for_people(error: AutodiffError) -> str:
    lines = [f"autodiff: error: {capped(error.message)}"]
    if error.source is not None and error.span is not None:
        # Lines are numbered in a program, and in what came from a file or a pipe.
        numbered = error.origin is not None or "\n" in error.source.rstrip("\n")
        lines += _quoted_line(error, numbered)
    if error.hint:
        lines.append(f"hint: {capped(error.hint)}")
    return "\n".join(lines)


def as_json(error: AutodiffError) -> dict:
    line, column = error.line_column or (None, None)
    return {
        "error": {
            "kind": error.kind,
            "message": capped(error.message),
            "line": line,
            "column": column,
            "hint": capped(error.hint),
        }
    }
