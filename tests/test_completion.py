"""Shell completion: `autodiff completion SHELL`, the protocol the scripts speak, and bash itself.

The protocol tests run the installed command as the scripts do: with
_AUTODIFF_COMPLETE=bash_complete (or zsh_, fish_) and the words typed in
COMP_WORDS and COMP_CWORD. The last test types into an interactive bash
through a pseudo-terminal and reads what the terminal shows.
"""

from __future__ import annotations

import os
import shlex
import shutil

import pytest
from conftest import BIN
from terminal import Session

from autodiff_cli import render

SHELLS = ("bash", "zsh", "fish")
COMMANDS = ["check", "completion", "diff", "functions", "grad", "graph", "hessian", "jacobian",
            "plot", "repl", "trace"]  # fmt: skip
HESSIAN_OPTIONS = ["--expr", "--set", "--format", "--precision", "--color", "--help"]
DIFF_OPTIONS = ["--expr", "--wrt", "--order", "--steps", "--format", "--color", "--help"]


@pytest.mark.parametrize("shell", SHELLS)
def test_completion_prints_clicks_script(autodiff, shell):
    from click.shell_completion import get_completion_class

    from autodiff_cli.cli.commands import autodiff as group

    printed = autodiff("completion", shell)
    by_variable = autodiff(_AUTODIFF_COMPLETE=f"{shell}_source")
    clicks = get_completion_class(shell)(group, {}, "autodiff", "_AUTODIFF_COMPLETE").source()
    assert (printed.returncode, printed.stderr) == (0, "")
    assert printed.stdout == by_variable.stdout == clicks
    assert f"_AUTODIFF_COMPLETE={shell}_complete" in printed.stdout


def test_completion_of_an_unknown_shell_is_a_usage_error(autodiff):
    result = autodiff("completion", "tcsh")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "autodiff: error: invalid value for 'SHELL': 'tcsh' is not one of 'bash', 'zsh', 'fish'.\n"
    )


def test_completion_help_says_how_to_install(autodiff):
    result = autodiff("completion", "--help")
    assert result.returncode == 0
    assert """echo 'eval "$(autodiff completion bash)"' >> ~/.bashrc""" in result.stdout
    assert """echo 'eval "$(autodiff completion zsh)"' >> ~/.zshrc""" in result.stdout
    assert "autodiff completion fish > ~/.config/fish/completions/autodiff.fish" in result.stdout


def _complete(autodiff, line: str, shell: str = "bash", stdin: str | None = None) -> list[str]:
    """What the script receives for `line` typed with the cursor at its end: one item a line."""
    words = shlex.split(line + ('"' if line.count('"') % 2 else ""))
    if shell == "fish":  # the line, and the word being typed
        env = {"COMP_WORDS": line, "COMP_CWORD": "" if line.endswith(" ") else words[-1]}
    else:
        env = {"COMP_WORDS": line, "COMP_CWORD": str(len(words) - (not line.endswith(" ")))}
    result = autodiff(stdin=stdin, _AUTODIFF_COMPLETE=f"{shell}_complete", **env)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    return [item for item in result.stdout.splitlines() if item]  # none: one empty line


def offered(autodiff, line: str, stdin: str | None = None) -> list[str]:
    """The plain words bash offers for `line`."""
    items = _complete(autodiff, line, stdin=stdin)
    assert all(item.startswith("plain,") for item in items), items
    return [item.removeprefix("plain,") for item in items]


@pytest.mark.parametrize(
    "line, expected",
    [
        ("autodiff ", COMMANDS),
        ("autodiff gr", ["grad", "graph"]),
        ("autodiff completion ", list(SHELLS)),
        ("autodiff completion z", ["zsh"]),
        ('autodiff plot "x" --x 0:1 --format ', ["plot", "csv", "json"]),
        ('autodiff grad "x" --format=j', ["json", "jsonl"]),
        ('autodiff hessian "x*y" --', ["--x", "--y", *HESSIAN_OPTIONS]),
        ('autodiff hessian "x*y" --x 1 --', ["--y", *HESSIAN_OPTIONS]),
        ('autodiff hessian "x*y" --x=1 -D y=2 --', HESSIAN_OPTIONS),
        (
            'autodiff hessian "x*y" --y 2 --format text --',
            ["--x", *HESSIAN_OPTIONS[:2], *HESSIAN_OPTIONS[3:]],
        ),
        ('autodiff grad "x*y+zeta" -D y=2 --z', ["--zeta"]),
        ('autodiff grad "x*y" --x 1 --y', ["--y"]),
        ('autodiff grad "x*y" --x 1 --w', ["--wrt"]),
        ('autodiff jacobian "a*b, a+b, c" --', ["--a", "--b", "--c", *HESSIAN_OPTIONS]),
        ('autodiff hessian -- "-x*y" --y 2 --', ["--x", "--set", *HESSIAN_OPTIONS[2:]]),
        ('autodiff hessian -- --x 1 "x*y" --', ["--y", "--expr", *HESSIAN_OPTIONS[1:]]),
        ('autodiff hessian --expr "-x*y" --', ["--x", "--y", *HESSIAN_OPTIONS[1:]]),
        # the option, once: a variable named format is given by -D format=VALUE
        ('autodiff hessian "format*x" --fo', ["--format"]),
        ('autodiff diff "x*y" --s', ["--steps"]),  # diff takes no values: no -D/--set
        ('autodiff diff "x*y" --', DIFF_OPTIONS),
        # another command's option is no variable's either: -D points=VALUE
        ('autodiff hessian "points*x" --', ["--x", *HESSIAN_OPTIONS]),
    ],
)
def test_completion_offers(autodiff, line, expected):
    assert offered(autodiff, line) == expected


def test_completion_offers_a_programs_inputs_not_its_names(autodiff):
    got = offered(autodiff, 'autodiff grad "d = a*b; L = relu(d + c)" --a 2 --b -3 --')
    assert got[0] == "--c"
    assert not {"--a", "--b", "--d", "--L"} & set(got)


def test_plot_offers_the_variables_not_swept(autodiff):
    got = offered(autodiff, 'autodiff plot "sin(w*x)" --x 0:6.3 --')
    assert got[0] == "--w" and "--x" not in got


def test_grad_offers_its_formats(autodiff):
    assert offered(autodiff, 'autodiff grad "x" --format ') == list(render.formats("grad"))
    assert {"table", "text", "json", "csv", "tsv", "markdown"} <= set(render.formats("grad"))


def test_completion_offers_variables_before_the_commands_options(autodiff):
    got = offered(autodiff, 'autodiff grad "x*y+z" --y 2 --')
    assert got[:2] == ["--x", "--z"]
    assert {"--format", "--wrt", "--points", "--help", "--set"} <= set(got[2:])
    assert not {"--y", "--x", "--z"} & set(got[2:])


@pytest.mark.parametrize(
    "line",
    [
        'autodiff grad "x*" --',  # invalid expression
        'autodiff grad "sin(" --',
        'autodiff grad "x*y --',  # a quote left open
        'autodiff grad "x*y" -D --',  # -D waiting for NAME=VALUE
        'autodiff grad "" --',
        "autodiff grad --",  # no expression yet
        "autodiff grad - --",  # standard input: never read while completing
        'autodiff nosuch "x*y" --',
    ],
)
def test_completion_of_a_line_that_does_not_read_offers_no_variables(autodiff, line):
    got = offered(autodiff, line, stdin="x*y")  # stdin would give --x, --y if it were read
    assert "--x" not in got and "--y" not in got


def test_completion_of_a_bad_expression_still_offers_options(autodiff):
    assert offered(autodiff, 'autodiff hessian "x*" --') == HESSIAN_OPTIONS
    assert offered(autodiff, 'autodiff hessian "x*y --') == []  # the quote swallows the rest


def test_completion_of_a_file_option_completes_file_names(autodiff):
    assert _complete(autodiff, 'autodiff grad "x" --points ') == ["file,"]
    assert _complete(autodiff, 'autodiff grad "x" --points da') == ["file,da"]
    assert _complete(autodiff, "autodiff grad --points=da") == ["file,da"]
    assert _complete(autodiff, "autodiff grad --lines ") == ["file,"]
    assert _complete(autodiff, 'autodiff grad "x" --wrt ') == []  # not a file


def test_zsh_and_fish_get_the_variables_with_a_description(autodiff):
    zsh = _complete(autodiff, 'autodiff hessian "x*y" --x 1 --', shell="zsh")
    assert zsh[:6] == ["plain", "--y", "The value of y.", "plain", "--expr",
                       "The expression, when it starts with '-'."]  # fmt: skip
    fish = _complete(autodiff, 'autodiff hessian "x*y" --x 1 --', shell="fish")
    assert fish[:2] == [
        "plain,--y\tThe value of y.",
        "plain,--expr\tThe expression, when it starts with '-'.",
    ]


class Terminal:
    """An interactive bash on a pseudo-terminal, without the user's start-up files."""

    PROMPT = "READY$ "

    def __init__(self, home, columns: int) -> None:
        env = {
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOME": str(home),
            "TERM": "dumb",
            "PS1": self.PROMPT,
            "INPUTRC": os.devnull,
            "HISTFILE": os.devnull,
            "LANG": "C.UTF-8",
        }
        bash = shutil.which("bash")
        self.session = Session([bash, "--norc", "--noprofile", "-i"], env, columns, rows=24)
        self.type, self.close = self.session.type, self.session.close

    def read_until(self, text: str, timeout: float = 20) -> str:
        """What the terminal shows up to and including `text`; fails after `timeout` s."""
        shown = self.session.read_until(text, timeout)
        if not shown.endswith(text):
            pytest.fail(f"the terminal never showed {text!r}; it showed:\n{shown}")
        return shown


@pytest.fixture
def terminal(tmp_path, request):
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    term = Terminal(tmp_path, request.param)
    try:
        term.read_until(Terminal.PROMPT)
        term.type('eval "$(autodiff completion bash)"; echo INSTALLED\n')  # the README's line
        term.read_until(f"INSTALLED\r\n{Terminal.PROMPT}")
        yield term
    finally:
        term.close()


@pytest.mark.parametrize("terminal", [100, 60], indirect=True, ids=["100-columns", "60-columns"])
def test_bash_lists_the_variables_of_the_expression_typed(terminal):
    line = 'autodiff grad "x*y" --x 1 --'
    terminal.type(line)
    terminal.read_until(line)
    terminal.type("\t\t")  # the first rings the bell (many choices), the second lists them
    listing = terminal.read_until(Terminal.PROMPT + line)  # the list, then the line again
    shown = listing.removesuffix(Terminal.PROMPT + line).split()
    assert "--y" in shown
    assert {"--format", "--wrt", "--points-format", "--help"} <= set(shown)
    assert "--x" not in shown  # given a value already
    assert "error" not in listing and "Traceback" not in listing


@pytest.mark.parametrize("terminal", [100], indirect=True, ids=["100-columns"])
def test_bash_completes_a_variable_and_the_command_runs(terminal):
    terminal.type('autodiff grad "x*y + zeta" --format json --x 1 --y 2 --ze\t')
    terminal.read_until("--zeta ")  # the one choice, completed, and a space after it
    terminal.type("3\n")
    shown = terminal.read_until(Terminal.PROMPT)
    assert (
        '{"expression": "x*y + zeta", "value": 5.0, "gradients": {"x": 2.0, "y": 1.0, "zeta": 1.0}}'
        in shown
    )
