"""The session's line editor on a terminal: editing, history, completion and brackets.

prompt_toolkit draws it (see the README for why that library); only
`autodiff repl` at a terminal imports this module. History is a file under
the user's state directory, never in the current one.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import Completer, Completion
from prompt_toolkit.history import FileHistory, InMemoryHistory
from prompt_toolkit.layout.processors import HighlightMatchingBracketProcessor
from prompt_toolkit.lexers import Lexer
from prompt_toolkit.styles import Style

from autodiff_cli.builder import CONSTANTS
from autodiff_cli.cli.process import warn
from autodiff_cli.ops import NAMES

PROMPT = "autodiff> "
STYLE = Style.from_dict(
    {
        "bracket.unmatched": "fg:ansired bold",  # a ( never closed, a ) never opened
        "matching-bracket.cursor": "bold",
        "matching-bracket.other": "fg:ansiblack bg:ansicyan",
    }
)
_NAME = re.compile(r"[^\W\d]\w*$")


def history_path() -> Path:
    """$XDG_STATE_HOME/autodiff/history; ~/.local/state when it is unset or not absolute
    (as the XDG Base Directory specification says); %LOCALAPPDATA% on Windows."""
    base = os.environ.get("XDG_STATE_HOME", "")
    if not os.path.isabs(base):
        local = os.environ.get("LOCALAPPDATA", "") if os.name == "nt" else ""
        base = local or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "autodiff" / "history"


def _history():
    """The history file, made if need be; in memory only, with a warning, if it cannot be."""
    path = history_path()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(path, "ab"):
            pass
    except OSError as error:
        warn(f"history is not kept: cannot write {path}: {error.strerror or error}")
        return InMemoryHistory()
    return FileHistory(str(path))


def unmatched(text: str) -> set[int]:
    """Where the brackets of `text` that have no partner are."""
    opened, lone = [], set()
    for i, ch in enumerate(text):
        if ch == "(":
            opened.append(i)
        elif ch == ")":
            if opened:
                opened.pop()
            else:
                lone.add(i)
    return lone | set(opened)


class _Brackets(Lexer):
    """A bracket without a partner, in red as it is typed."""

    def lex_document(self, document):
        lines = document.lines

        def line(number: int):
            text = lines[number]
            lone = unmatched(text)
            unmatched_style = "class:bracket.unmatched"
            return [(unmatched_style if i in lone else "", ch) for i, ch in enumerate(text)]

        return line


class _Completer(Completer):
    """Commands at the start, : commands, a command's --options, then names: the
    session's values and definitions, functions and constants."""

    def __init__(self, session, commands: dict, meta: tuple[str, ...]) -> None:
        self.session, self.commands, self.meta = session, commands, meta

    def get_completions(self, document, complete_event):
        before = document.text_before_cursor
        head = before.lstrip()
        word = before.split()[-1] if before.strip() and not before[-1].isspace() else ""
        if head.startswith(":") and " " not in head:
            yield from _offer(head, self.meta, "session")
        elif word.startswith("--") and head.split()[0] in self.commands:
            yield from _offer(word, self.commands[head.split()[0]], "option")
        else:
            match = _NAME.search(before)
            typed = match.group() if match else ""
            if head == typed:
                yield from _offer(typed, sorted(self.commands), "command")
            yield from _offer(typed, self.session.values, "value")
            yield from _offer(typed, self.session.definitions, "definition")
            yield from _offer(typed, sorted({*NAMES, *CONSTANTS}), "function")


def _offer(typed: str, candidates, what: str):
    for candidate in candidates:
        if candidate.startswith(typed) and candidate != typed:
            shown = "constant" if candidate in CONSTANTS else what
            yield Completion(candidate, start_position=-len(typed), display_meta=shown)


class Editor:
    def __init__(self, session, commands, meta: tuple[str, ...]) -> None:
        """`commands`: {name: the click command}, whose options are offered after it."""
        options = {
            name: sorted({o for p in command.params for o in p.opts if o.startswith("--")})
            for name, command in commands.items()
        }
        self.prompt = PromptSession(
            history=_history(),
            completer=_Completer(session, options, meta),
            complete_while_typing=False,
            lexer=_Brackets(),
            input_processors=[HighlightMatchingBracketProcessor(chars="()")],
            style=STYLE,
        )

    def lines(self):
        """Each line typed; Ctrl-C drops the line, Ctrl-D (on an empty line) ends."""
        while True:
            try:
                yield self.prompt.prompt(PROMPT)
            except KeyboardInterrupt:
                continue
            except EOFError:
                return
