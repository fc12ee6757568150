"""`autodiff repl`: the session's rules, a session replayed from a file, and a person
at a real terminal (line editing, completion, brackets, Ctrl-C, history).

Numbers are checked against `math` (the walkthrough's formulas), and a
replayed session against the same commands run one by one on the command line.
"""

from __future__ import annotations

import math
import os
import re
import signal
import subprocess
import time

import pytest
from conftest import BIN, user_env
from terminal import autodiff as on_terminal

from autodiff_cli.errors import AutodiffError
from autodiff_cli.session import Session, statements

PROMPT = "autodiff>"
DONE_WHEN = ["f = tanh(w*x + b)", "x = 1", "w = 0.5", "b = 0", "f", "trace f", "diff f",
             "x = 2", "f"]  # fmt: skip


def run(session: Session, line: str):
    """Each statement of `line`: an assignment's shown value, an expression's value."""
    out = []
    for statement in statements(line):
        if statement.name:
            out.append(session.assign(statement, line))
        else:
            program = session.program(statement.text, line, statement.offset)
            out.append(session.evaluate(program))
    return out


# The session's rules, through the library.
def test_a_definition_is_read_again_when_a_value_changes():
    s = Session()
    assert run(s, "f = tanh(w*x + b); x = 1; w = 0.5; b = 0") == [None] * 4
    assert run(s, "f") == [math.tanh(0.5)]
    run(s, "x = 2")
    assert run(s, "f") == [math.tanh(1.0)]
    assert s.values == {"x": 2.0, "w": 0.5, "b": 0.0}
    assert s.definitions["f"].source == "tanh(w*x + b)"


def test_definitions_of_definitions_come_before_the_expression_in_order():
    s = Session()
    run(s, "g = f*2; f = x**2; h = g + f; x = 3")
    program = s.program("h + 1", "h + 1", 0)
    assert program.source == "f = x**2; g = f*2; h = g + f; h + 1"
    assert program.point == {"x": 3.0}
    assert s.evaluate(program) == 3.0**2 * 2 + 3.0**2 + 1


def test_an_assignment_using_its_own_name_or_ans_is_a_number_now():
    s = Session()
    assert run(s, "x = 2") == [None]  # typed: nothing to show
    assert run(s, "x = x + 0.5") == [2.5]
    assert run(s, "y = 2*pi") == [2 * math.pi]  # computed, though it has no variable
    s.values["ans"] = 7.0
    assert run(s, "z = ans*x") == [17.5]
    assert "z" in s.values and "z" not in s.definitions


def test_a_definition_that_would_reach_itself_is_refused_and_nothing_changes():
    s = Session()
    run(s, "f = g + 1")
    with pytest.raises(AutodiffError) as info:
        run(s, "g = 3*f")
    assert info.value.message == "g = 3*f would make g depend on itself (through f)"
    assert info.value.span == (4, 7)
    assert list(s.definitions) == ["f"]


def test_an_undefined_value_leaves_the_old_one():
    s = Session()
    run(s, "x = 2")
    with pytest.raises(AutodiffError) as info:
        run(s, "x = log(-x)")
    assert info.value.kind == "undefined"
    assert s.values == {"x": 2.0}


def test_an_error_in_a_definition_points_into_the_definition():
    s = Session()
    run(s, "f = log(x) + 1; x = -1")
    with pytest.raises(AutodiffError) as info:
        run(s, "f*2")
    assert (info.value.source, info.value.span) == ("f = log(x) + 1", (4, 10))


def test_pi_cannot_be_set_and_delete_says_what_is_not_there():
    s = Session()
    with pytest.raises(AutodiffError, match="pi is a constant and cannot be set"):
        run(s, "pi = 3")
    run(s, "width = 3")
    with pytest.raises(AutodiffError) as info:
        s.delete(["widht"])
    assert (info.value.message, info.value.hint) == ("widht is not set", "did you mean width?")
    s.delete(["width"])
    assert s.names() == []


# A session replayed from standard input.
def replay(lines: list[str], tmp_path, **env: str):
    """`autodiff repl < session.txt`, the file holding `lines`."""
    script = tmp_path / "session.txt"
    script.write_text("\n".join(lines) + "\n")
    state = str(tmp_path / "state")
    with open(script) as session:
        return subprocess.run([str(BIN / "autodiff"), "repl"], stdin=session,
                              capture_output=True, text=True, cwd=tmp_path, timeout=120,
                              env=user_env(XDG_STATE_HOME=state, **env))  # fmt: skip


def cli(*args: str, tmp_path) -> str:
    r = subprocess.run([str(BIN / "autodiff"), *args], capture_output=True, text=True,
                       cwd=tmp_path, timeout=120, env=user_env())  # fmt: skip
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_the_issue_s_session_replayed_prints_what_each_command_prints(tmp_path):
    r = replay(DONE_WHEN, tmp_path)
    assert (r.returncode, r.stderr) == (0, "")
    program = "f = tanh(w*x + b); f"
    at_1 = ("-D", "x=1", "-D", "w=0.5", "-D", "b=0")
    expected = (
        cli("grad", program, *at_1, tmp_path=tmp_path)
        + cli("trace", program, *at_1, tmp_path=tmp_path)
        + cli("diff", program, tmp_path=tmp_path)
        + cli("grad", program, "-D", "x=2", "-D", "w=0.5", "-D", "b=0", tmp_path=tmp_path)
    )
    assert r.stdout == expected
    # and the numbers are tanh's: d/dw = x (1 - t**2), d/dx = w (1 - t**2), d/db = 1 - t**2
    first = r.stdout.split("Forward pass")[0]
    t = math.tanh(0.5)
    assert first == f"value\t{t!r}\nw\t{1 - t**2!r}\nx\t{0.5 * (1 - t**2)!r}\nb\t{1 - t**2!r}\n"
    t2 = math.tanh(1.0)
    assert r.stdout.endswith(f"value\t{t2!r}\nw\t{2 * (1 - t2**2)!r}\n"
                             f"x\t{0.5 * (1 - t2**2)!r}\nb\t{1 - t2**2!r}\n")  # fmt: skip
    assert "d/dw = x*(1 - tanh(w*x + b)**2)\n" in r.stdout
    assert not (tmp_path / "state").exists()  # a replay keeps no history


@pytest.mark.parametrize(
    "line, args",
    [
        ("graph f", ["graph", "f = x*y; f", "-D", "x=3", "-D", "y=-2"]),
        ("check f", ["check", "f = x*y; f", "-D", "x=3", "-D", "y=-2"]),
        ("hessian f*x", ["hessian", "f = x*y; f*x", "-D", "x=3", "-D", "y=-2"]),
        ("jacobian f, x+y", ["jacobian", "f = x*y; f, x+y", "-D", "x=3", "-D", "y=-2"]),
        (
            "plot f x=0:1 --samples 3",
            ["plot", "f = x*y; f", "-D", "x=0:1", "-D", "y=-2", "--samples", "3"],
        ),  # fmt: skip
        ("diff f --wrt y --format json", ["diff", "f = x*y; f", "--wrt", "y", "--format", "json"]),
        (
            "grad f y=10 --format csv",
            ["grad", "f = x*y; f", "-D", "x=3", "-D", "y=10", "--format", "csv"],
        ),  # fmt: skip
        (":functions", ["functions"]),
    ],
)
def test_each_command_prints_what_it_prints_on_the_command_line(tmp_path, line, args):
    r = replay(["f = x*y", "x = 3", "y = -2", line], tmp_path)
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == cli(*args, tmp_path=tmp_path)


@pytest.mark.parametrize(
    "line, args",
    [
        ("plot f x = 0:1 --samples 3  # spaces around =",
         ["plot", "f = x*y; f", "-D", "x=0:1", "-D", "y=-2", "--samples", "3"]),
        ("grad f -D y=5", ["grad", "f = x*y; f", "-D", "x=3", "-D", "y=5"]),
        ("grad f --wrt=y y = 7", ["grad", "f = x*y; f", "-D", "x=3", "-D", "y=7", "--wrt", "y"]),
        ("grad x - --y", ["grad", "x - --y", "-D", "x=3", "-D", "y=-2"]),  # --y: no option
        ("grad u = x*2; u + y", ["grad", "u = x*2; u + y", "-D", "x=3", "-D", "y=-2"]),
        ("f*2 --format json", ["grad", "f = x*y; f*2", "-D", "x=3", "-D", "y=-2", "--format",
                               "json"]),  # a bare expression takes grad's options
        ("trace f*2 --format markdown", ["trace", "f = x*y; f*2", "-D", "x=3", "-D", "y=-2",
                                         "--format", "markdown"]),
    ],
)  # fmt: skip
def test_options_follow_the_expression_and_name_value_gives_a_value(tmp_path, line, args):
    r = replay(["f = x*y", "x = 3", "y = -2", line], tmp_path)
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == cli(*args, tmp_path=tmp_path)


def test_ans_is_the_last_value_shown_and_quit_ends_the_session(tmp_path):
    r = replay(["x = 3", "trace x**2 --format json", "ans + 1", "check ans*x", "y = ans",
                "exit", "y"], tmp_path)  # fmt: skip
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout.endswith("value\t10\nans\t1\n" + cli("check", "ans*x", "-D", "ans=10",
                             "-D", "x=3", tmp_path=tmp_path) + "y = 30\n")  # fmt: skip


def test_a_replay_goes_on_past_errors_says_their_lines_and_exits_with_the_first(tmp_path):
    r = replay(["x = 2", "y*x", "sin(x", "log(-x)", ":bogus", "x + 1"], tmp_path)
    assert r.returncode == 2
    assert r.stdout == "value\t3\nx\t1\n"
    assert r.stderr == (
        "autodiff: error: missing a value for y\n"
        "  line 2: y*x\n"
        "          ^\n"
        "hint: set it first, as in y = 1\n"
        "autodiff: error: unexpected end of the input: expected ')' or ','\n"
        "  line 3: sin(x\n"
        "               ^\n"
        "hint: the '(' at column 4 is not closed\n"
        "autodiff: error: log(-x) with -x = -2 is undefined\n"
        "  line 4: log(-x)\n"
        "          ^^^^^^^\n"
        "autodiff: error: line 5: no session command :bogus\n"
        "hint: :help lists them\n"
    )


def test_vars_lists_values_then_definitions_with_their_values_now(tmp_path):
    lines = ["f = x**2 + y", "x = 3", "g = f*z", ":vars", "y = 1", "f", ":vars", ":del f",
             ":vars", ":quit", "x"]  # fmt: skip
    r = replay(lines, tmp_path)
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == (
        "x = 3\nf = x**2 + y    # needs y\ng = f*z    # needs y, z\n"
        "value\t10\nx\t6\ny\t1\n"
        "x = 3\ny = 1\nans = 10\nf = x**2 + y    # 10\ng = f*z    # needs z\n"
        "x = 3\ny = 1\nans = 10\ng = f*z    # needs f, z\n"
    )  # and nothing after :quit


def test_words_that_look_like_options_stay_in_the_expression(tmp_path):
    """-h is minus h (help is --help), --y is minus minus y: neither is an option."""
    r = replay(["x = 1; h = 0.5", "y = x -h", "y", "grad x - --h"], tmp_path)
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == "value\t0.5\nx\t1\nh\t-1\n" * 2  # x - (-(-h)) is x - h


def test_values_as_the_command_line_reads_them(tmp_path):
    r = replay(["x = inf", "y = -1e400", "z = nan", ":vars", "grad x*2 --x 3", "grad x -D x=4"],
               tmp_path)  # fmt: skip
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == "x = inf\ny = -inf\nz = nan\nvalue\t6\nx\t2\nvalue\t4\nx\t1\n"


@pytest.mark.parametrize(
    "line, message",
    [
        ("grad x --format bogus", "line 2: invalid value for '--format': 'bogus' is not one of "
                                  "'table', 'text', 'json', 'jsonl', 'csv', 'tsv', 'markdown'."),
        (":vars now", "line 2: :vars takes nothing after it, but got: now"),
        ("grad --expr -x", "line 2: --expr is for the command line\n"
                           "hint: type the expression after grad: grad -x**2"),
        ("grad = 3", "grad is a command, not a name to set\n  line 2: grad = 3\n"
                     "          ^^^^\nhint: choose another name, as in grad_ = ..."),
        ("ans", "missing a value for ans\n  line 2: ans\n          ^^^\n"
                "hint: ans is the value of the last expression evaluated, and there is none yet"),
        ("y = y + 1", "missing a value for y\n  line 2: y = y + 1\n              ^\n"
                      "hint: set it first, as in y = 1"),  # no formula (diff) for an assignment
    ],
)  # fmt: skip
def test_usage_errors_in_a_session(tmp_path, line, message):
    r = replay(["x = 1", line, "x"], tmp_path)
    assert (r.returncode, r.stdout) == (2, "value\t1\nx\t1\n")
    assert r.stderr == f"autodiff: error: {message}\n"


@pytest.mark.parametrize("signum, code, word", [(signal.SIGINT, 130, "interrupted"),
                                                (signal.SIGTERM, 143, "terminated")])  # fmt: skip
def test_a_signal_ends_a_replay_once_said(tmp_path, signum, code, word):
    lines = "x = 1\nplot sin(x)*exp(cos(x)) x=0:1 --samples 1000000 --format csv\nx\n"
    process = subprocess.Popen([str(BIN / "autodiff"), "repl"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=user_env(), cwd=tmp_path)  # fmt: skip
    process.stdin.write(lines)
    process.stdin.close()
    time.sleep(1.5)  # the plot under way (it takes about 4 s)
    process.send_signal(signum)
    out, err = process.stdout.read(), process.stderr.read()
    assert (process.wait(timeout=60), err) == (code, f"autodiff: {word}\n")
    assert "value\t1" not in out  # the line after it never ran


def test_an_error_in_json_is_the_json_object_with_the_session_s_line(tmp_path):
    r = replay(["x = 1", "grad y --format json"], tmp_path)
    assert r.returncode == 2
    assert r.stdout == (
        '{"error": {"kind": "missing_value", "message": "missing a value for y", "line": 2, '
        '"column": 6, "hint": "set it first, as in y = 1, or use diff for the formula"}}\n'
    )


@pytest.mark.parametrize(
    "line, message",
    [
        ("plot x**2 x=3:1", "autodiff: error: line 2: x=3:1: the range needs LO < HI, both finite"),
        (
            "plot x**2",
            "autodiff: error: line 2: give one variable a range to sweep\n"
            "hint: plot tanh(x) x=-3:3",
        ),  # fmt: skip
        ("grad", "autodiff: error: line 2: grad needs an expression\nhint: grad f, or grad --help"),
        (
            "grad x --points -",
            "autodiff: error: line 2: standard input is the session's own "
            "lines\nhint: give a file: --points data.csv",
        ),  # fmt: skip
        (
            "x, x+1",
            "autodiff: error: several outputs, separated by ',', are for jacobian\n"
            "  line 2: x, x+1\n           ^\n"
            "hint: one expression here; jacobian differentiates several",
        ),  # fmt: skip
        (
            "grad wobble(x)",
            "autodiff: error: unknown function 'wobble'\n"
            "  line 2: grad wobble(x)\n               ^^^^^^\n"
            "hint: :functions lists them all",
        ),  # fmt: skip
    ],
)
def test_errors_are_said_in_the_session_s_words(tmp_path, line, message):
    r = replay(["x = 1", line], tmp_path)
    assert r.returncode == 2
    assert r.stderr == message + "\n"


def test_a_replay_has_no_prompt_and_no_colour_even_onto_a_terminal(tmp_path):
    """Standard input a file, standard output a terminal: tables, but plain."""
    script = tmp_path / "session.txt"
    script.write_text("x = 2\nx**2\n")
    session = on_terminal(["repl"], columns=80, stdin=script, XDG_STATE_HOME=str(tmp_path))
    code, shown = session.finish()
    assert code == 0
    assert "\x1b[" not in shown and PROMPT not in shown
    assert "│ x      │     2 │        4 │" in shown


def test_autodiff_alone_without_a_terminal_prints_its_help_as_before(autodiff, tmp_path):
    r = autodiff(stdin="")
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr.startswith("Usage: autodiff [OPTIONS] COMMAND [ARGS]...\n")
    # typed at a terminal, but its output to a file: help too, not a session
    session = on_terminal([], columns=80, stdout=str(tmp_path / "out.txt"))
    code, shown = session.finish()
    assert code == 2 and "Usage: autodiff [OPTIONS] COMMAND [ARGS]..." in shown


def test_help_lists_the_session_s_commands(tmp_path):
    r = replay([":help"], tmp_path)
    assert r.stdout.startswith("Type an expression to see its value and gradients")
    for word in (":vars", ":del NAME", ":functions", ":quit", "plot EXPR x=-3:3", "grad EXPR"):
        assert word in r.stdout


# A person at a terminal.
READY = "\x1b[?2004h"  # prompt_toolkit turns bracketed paste on as each prompt starts,
ACCEPTED = "\x1b[?2004l"  # and off as the line typed is accepted


def plain(shown: str) -> str:
    """What the terminal showed, less its control sequences."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\r", "", shown)


@pytest.fixture
def person(tmp_path):
    """`autodiff` alone, on a terminal, with its state directory in `tmp_path`."""
    sessions = []

    def start(*args: str):
        session = on_terminal(list(args), columns=100, XDG_STATE_HOME=str(tmp_path / "state"))
        sessions.append(session)
        session.read_until(READY)
        return session

    yield start
    for session in sessions:
        session.close()


def enter(session, line: str) -> str:
    """Type `line` and Enter: what was printed before the next prompt."""
    session.type(line + "\r")
    return plain(session.read_until(READY).split(ACCEPTED)[-1])


def test_the_issue_s_session_at_a_terminal(person):
    s = person()
    banner = "autodiff 0.1.0: an expression, a command or :help; Ctrl-D ends\n"
    assert plain(s.shown.decode()).startswith(banner)
    for line in DONE_WHEN[:4]:
        assert enter(s, line).strip() == ""  # an assignment shows nothing
    shown = enter(s, "f")
    assert "│ f │ 0.46211715726 │                │" in shown
    assert "│ w │           0.5 │ 0.786447732966 │" in shown
    assert "Backward pass" in enter(s, "trace f")
    assert "│ d/dw       │ x*(1 - tanh(w*x + b)**2) │" in enter(s, "diff f")
    enter(s, "x = 2")
    assert "│ f │ 0.761594155956 │" in enter(s, "f")
    s.type("\x04")  # Ctrl-D
    assert s.finish()[0] == 0


def test_every_command_at_a_terminal_at_the_session_s_values(person):
    s = person()
    enter(s, "f = tanh(w*x + b); x = 1; w = 0.5; b = 0")
    t = math.tanh(0.5)
    assert "└── c = a + b   data 0.5, grad 0.786447732966" in enter(s, "graph f")
    assert "│ w        │ 0.786447732966 │" in enter(s, "check f")
    hessian = enter(s, "hessian f")  # d2f/dw2 = -2 t (1 - t**2) x**2
    assert f"{-2 * t * (1 - t**2):.12g}"[:12] in hessian
    assert "f and its derivative" in enter(s, "plot f x=-3:3")
    assert "Jacobian of f = tanh(w*x + b); f, w*x" in enter(s, "jacobian f, w*x")


def test_an_error_then_the_prompt_again(person):
    s = person()
    shown = enter(s, "sin(x")
    assert shown.startswith(
        "autodiff: error: unexpected end of the input: expected ')' or ','\n  sin(x\n       ^\n"
    )
    assert "│ output │ 0.841470984808 │" in enter(s, "x = 1; sin(x)")


def test_ctrl_c_cancels_the_line_and_a_computation(person):
    s = person()
    s.type("x = 12345")
    s.read_until("12345")
    s.type("\x03")  # the line is dropped: x is never set
    s.read_until(READY)
    s.type("plot sin(x)*exp(cos(x)) x=0:1 --samples 1000000\r")
    s.read_until(ACCEPTED)
    time.sleep(1)  # under way (the plot takes about 4 s)
    s.type("\x03")
    assert "autodiff: interrupted" in plain(s.read_until(READY))
    assert enter(s, ":vars") == "nothing set yet: x = 2 sets a value, f = x**2 defines f\n"
    enter(s, ":quit")
    assert s.finish()[0] == 0


def test_sigterm_ends_the_session_at_a_terminal(person):
    s = person()
    s.type("plot sin(x)*exp(cos(x)) x=0:1 --samples 1000000\r")
    s.read_until(ACCEPTED)
    time.sleep(1)
    os.kill(s.pid, signal.SIGTERM)
    code, shown = s.finish()
    assert code == 143 and plain(shown).count("autodiff: terminated") == 1


def test_completion_of_functions_variables_and_session_commands(person):
    s = person()
    enter(s, "width = 3")
    s.type("y = sigm\t")
    s.read_until("sigmoid")
    s.type("(wid\t")
    s.read_until("width")
    enter(s, ")")
    s.type("hess\t")  # a command, at the start of a line
    s.read_until("hessian")
    s.type("\x03")
    s.read_until(READY)
    s.type("grad -sigm\t")  # a function after a minus: not an option
    s.read_until("sigmoid")
    s.type("\x03")
    s.read_until(READY)
    s.type(":va\t")
    s.read_until("vars")
    assert enter(s, "") == f"width = 3\ny = sigmoid(width)    # {1 / (1 + math.exp(-3))!r}\n"


def test_a_bracket_without_a_partner_shows_in_red_and_a_pair_is_marked(person):
    s = person()
    s.type("sin((x)")
    shown = s.read_until("x\x1b[0;30;46m)")  # the cursor after ')': it and its '(' marked
    assert "sin\x1b[0;31;1m(\x1b[0;30;46m(\x1b[0mx" in shown  # the first '(' unclosed: red


def test_history_is_kept_in_the_state_directory_for_the_next_session(person, tmp_path):
    s = person()
    enter(s, "x = 42")
    s.type("\x04")
    s.finish()
    history = tmp_path / "state" / "autodiff" / "history"
    assert "\n+x = 42\n" in history.read_text()
    again = person("repl")
    again.type("\x1b[A")  # the up arrow: the last line of the last session
    again.read_until("x = 42")
    enter(again, "")
    assert enter(again, ":vars") == "x = 42\n"
