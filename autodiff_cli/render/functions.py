"""The operations an expression may use, as text: one tab-separated line each."""

from __future__ import annotations


def text(listing, style) -> str:
    return "".join(f"{op.usage}\t{op.rule}\t{op.description}\n" for op in listing.ops)
