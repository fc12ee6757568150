"""The installed command in a real pseudo-terminal at 60 and 100 columns, and in a pipe.

What a person sees: numbers they can read (at most 12 significant digits in a
table, said in its caption), tables wrapped to the terminal and never a number
cut, no progress bar over the output, an interrupt message on a line of its own.
"""

from __future__ import annotations

import re

import pytest
from terminal import autodiff as on_terminal
from terminal import in_terminal

ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
NOTE = "rounded to 12 digits; exact: --format text"


def screen(shown: str) -> list[str]:
    """The lines as the terminal shows them, without colour codes."""
    return ESCAPES.sub("", shown).replace("\r\n", "\n").split("\n")


def words(lines: list[str]) -> str:
    """The table's text read across its wrapped lines: box characters and spaces dropped."""
    return re.sub(r"[\s│┃┏┓┗┛┡┩└┘┳╇┴━─┼├┤]+", " ", " ".join(lines))


@pytest.mark.parametrize("columns", [60, 100])
def test_a_table_rounds_what_text_keeps_exact(columns, autodiff):
    code, shown = in_terminal("grad", "sqrt(x**2+y**2)", "--x", "3", "--y", "4", columns=columns)
    lines = screen(shown)
    assert code == 0
    assert any(re.fullmatch(r"│ x +│ +3 │ +0\.6 │", line) for line in lines), lines
    assert NOTE in words(lines)
    assert max(len(line) for line in lines) <= columns
    piped = autodiff("grad", "sqrt(x**2+y**2)", "--x", "3", "--y", "4")
    assert piped.stdout == "value\t5\nx\t0.6000000000000001\ny\t0.8\n"


def test_a_table_whose_numbers_are_whole_says_nothing():
    code, shown = in_terminal("grad", "relu(a*b+c)", "--a", "2", "--b", "-3", "--c", "10")
    assert code == 0 and "rounded" not in shown


def test_precision_beats_the_terminal_default():
    code, shown = in_terminal("grad", "sqrt(x**2+y**2)", "--x", "3", "--y", "4",
                              "--precision", "17")  # fmt: skip
    assert code == 0
    assert "0.60000000000000009" in shown and "rounded" not in shown


def test_graph_rounds_on_a_terminal_and_takes_precision(autodiff):
    code, shown = in_terminal("graph", "x*0.1+0.2", "--x", "1")
    lines = screen(shown)
    assert code == 0
    assert lines[0] == "L = a + 0.2   data 0.3, grad 1.0"
    assert lines[5] == "rounded to 12 digits; exact: piped, as text"
    piped = autodiff("graph", "x*0.1+0.2", "--x", "1")
    assert piped.stdout.splitlines()[0] == "L = a + 0.2   data 0.30000000000000004, grad 1.0"
    three = autodiff("graph", "x*0.1+0.2", "--x", "1", "--precision", "3", "--format", "dot")
    assert '"{ L | data 0.3 | grad 1 }"' in three.stdout


@pytest.mark.parametrize("columns", [60, 100])
def test_the_trace_wraps_and_never_cuts_a_number(columns):
    code, shown = in_terminal("trace", "sin(x)*x", "--x", "1", columns=columns)
    lines = screen(shown)
    assert code == 0
    assert max(len(line) for line in lines) <= columns
    assert "…" not in shown
    text = words(lines)
    # sin(1) = 0.8414709848078965 and its derivative sin(1) + cos(1) = 1.3817732906760363
    assert "x.grad += (0.841470984808) * 1.0" in text
    assert "If x increases by h, L increases by 1.38177329068h" in text
    assert NOTE in text


def test_every_digit_asked_for_is_shown_even_at_40_columns():
    code, shown = in_terminal("trace", "sin(x)*x", "--x", "1", "--precision", "17", columns=40)
    assert code == 0 and "…" not in shown
    digits = re.sub(r"[^0-9.]", "", ESCAPES.sub("", shown))  # a folded number, rejoined
    assert "0.84147098480789650" in digits and "1.3817732906760363" in digits


def test_the_meaning_column_takes_the_precision(autodiff):
    r = autodiff("trace", "relu(a*b+c)*sin(a)", "--a", "2", "--b", "-3", "--c", "10",
                 "--precision", "3", "--format", "text")  # fmt: skip
    # d/da = b*sin(a) + relu(a*b+c)*cos(a) = -3*0.909... + 4*(-0.416...) = -4.39...
    assert "If a increases by h, L decreases by 4.39h" in r.stdout
    # sin(2) = 0.909297..., relu(2*-3 + 10) = 4: the action's arithmetic at 3 digits too
    assert "Mul backward: f.grad += (0.909) * 1, g.grad += (4) * 1" in r.stdout


@pytest.mark.parametrize("columns", [60, 100])
def test_no_progress_bar_over_output_on_the_same_terminal(tmp_path, columns):
    points = tmp_path / "pts.csv"
    points.write_text("w,x,b\n" + "0.5,1,0.1\n" * 20000)
    code, shown = in_terminal("grad", "tanh(w*x+b)", "--points", str(points), cwd=tmp_path,
                              columns=columns)  # fmt: skip
    lines = screen(shown)
    assert code == 0
    assert lines[0] == "value\tgrad_w\tgrad_x\tgrad_b"
    assert len([line for line in lines if line.startswith("0.5370495669980353\t")]) == 20000
    assert "━" not in shown and "points" not in shown


@pytest.mark.parametrize("columns", [60, 100])
def test_ctrl_c_says_so_on_a_line_of_its_own(columns):
    session = on_terminal(["grad", "--lines", "-", "--x", "2"], columns=columns)
    session.type("x**2\n")
    session.read_until("1\t4\tx=4")
    session.type("\x03")
    code, shown = session.finish()
    assert code == 130
    assert "\nautodiff: interrupted\r\n" in shown.replace("\r\n", "\n", shown.count("\r\n") - 1)
    assert screen(shown)[-2] == "autodiff: interrupted"


@pytest.mark.parametrize("columns", [60, 100])
def test_the_bar_shows_when_records_go_to_a_file_and_goes_before_ctrl_c(tmp_path, columns):
    points = tmp_path / "pts.csv"
    points.write_text("w,x,b\n" + "0.5,1,0.1\n" * 3_000_000)
    out = tmp_path / "out.csv"
    session = on_terminal(["grad", "tanh(w*x+b)", "--points", str(points)], columns=columns,
                          stdout=str(out))  # fmt: skip
    assert "points ━" in ESCAPES.sub("", session.read_until("━"))
    session.read_until("0:00:")  # a time left: rows have been read, the bar moved
    session.type("\x03")
    code, shown = session.finish()
    assert code == 130
    # On its own line, after the bar was taken down (Rich's transient bar ends by
    # moving up a line and erasing it: cursor up, erase line).
    assert shown.endswith("\x1b[1A\x1b[2K\r\nautodiff: interrupted\r\n"), shown[-300:]
    assert out.read_text().startswith("value\tgrad_w\tgrad_x\tgrad_b\n0.5370495669980353\t")


def test_rounding_never_drops_whole_digits_nor_touches_what_was_typed(autodiff):
    code, shown = in_terminal("grad", "x*y", "--x", "123456789012345", "--y", "0.1")
    lines = screen(shown)
    assert code == 0
    # 123456789012345 * 0.1 = 12345678901234.5 (exactly 12345678901234.502 in doubles)
    assert any(re.fullmatch(r"│ output │ 1\.23456789012e\+13 │ +│", line) for line in lines)
    assert any(re.fullmatch(r"│ x +│ +123456789012345 │ +0\.1 │", line) for line in lines)
    assert any(re.fullmatch(r"│ y +│ +0\.1 │ 1\.23456789012e\+14 │", line) for line in lines)


def test_a_table_too_wide_for_the_terminal_takes_fewer_digits_not_folded_numbers():
    code, shown = in_terminal("check", "x**3*y + sin(x*y)", "--x", "1.2", "--y", "-0.7",
                              columns=60)  # fmt: skip
    lines = screen(shown)
    assert code == 0 and max(len(line) for line in lines) <= 60
    # d/dx = 3x**2*y + y*cos(xy) = -3.4912239780...: 6 digits fit, each number on one line
    assert any(re.fullmatch(r" x +-3\.49122 +-3\.49122 +3\.96e-11 +1\.13e-11 +ok ", line)
               for line in lines), lines  # fmt: skip
    assert "rounded to 6 digits; exact: --format text" in lines


def test_the_trace_keeps_a_constants_name_when_its_numbers_are_shortened(autodiff):
    r = autodiff("trace", "3.14159*x + 1e-7", "--x", "2", "--precision", "2", "--format", "text")
    assert "Mul backward: 3.14159.grad += (2) * 1, x.grad += (3.1) * 1" in r.stdout
    assert "Add backward: a.grad += 1, 1e-7.grad += 1" in r.stdout


@pytest.mark.parametrize("command", [["diff", "gelu_tanh(w*x+b)*logsumexp(w,x,b)", "--steps"],
                                     ["functions"]])  # fmt: skip
def test_no_table_cuts_its_text_at_60_columns(command):
    code, shown = in_terminal(*command, columns=60)
    assert code == 0 and "…" not in shown
    assert max(len(line) for line in screen(shown)) <= 60
