"""The edges of input and output: extreme plot ranges, unwritable or closed
output, endless input, malformed and overlong stream rows, byte order marks,
tabs in records, signals. Each through the installed command, as it happens
to a user; the bounded reader also in this process, against an endless stream.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import tracemalloc

import pytest
from conftest import BIN, user_env

from autodiff_cli import reading
from autodiff_cli.cli.commands import autodiff
from autodiff_cli.cli.words import option_names
from autodiff_cli.render.plot import _ticks

AUTODIFF = str(BIN / "autodiff")


def run(args, stdin: bytes | str = b"", **kw) -> subprocess.CompletedProcess:
    if isinstance(stdin, str):
        stdin = stdin.encode()
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kw}
    return subprocess.run([AUTODIFF, *args], input=stdin, env=user_env(), timeout=60, **streams)


def text(r) -> tuple[int, str, str]:
    return r.returncode, r.stdout.decode(), r.stderr.decode()


# 1. plot over extreme ranges


@pytest.mark.parametrize(
    "args",
    [
        ["exp(x)", "--x", "700:710"],
        ["x", "--x", "0:1e-310"],
        ["x", "--x", "1e307:1e308"],
        ["x", "--x", "-1e307:1e307"],
        ["x", "--x", "1:1.0000000000001"],
    ],
)
def test_plot_draws_any_finite_range(args):
    code, out, err = text(run(["plot", *args, "--color", "never"]))
    assert (code, err) == (0, "")
    assert f"{args[0]} and its derivative" in out


def test_plot_ticks_are_round_exact_and_distinct_however_narrow_or_wide():
    at, labels = _ticks(-3.0, 3.0)
    assert labels == ["-3", "-2", "-1", "0", "1", "2", "3"] and at[0] == 0.0 and at[-1] == 1.0
    assert _ticks(700.0, 710.0)[1] == ["700", "702", "704", "706", "708", "710"]
    assert _ticks(0.1, 0.35)[1] == [
        "0.1",
        "0.15",
        "0.2",
        "0.25",
        "0.3",
    ]  # never 0.30000000000000004
    assert _ticks(1.0, 1.0000000000001)[1] == [
        "1", "1.00000000000002", "1.00000000000004", "1.00000000000006", "1.00000000000008",
    ]  # fmt: skip
    assert _ticks(1e307, 1e308)[1] == ["2e+307", "4e+307", "6e+307", "8e+307", "1e+308"]
    assert _ticks(-1.7976931348623157e308, 1.7976931348623157e308)[1] == [
        "-1.5e+308", "-1e+308", "-5e+307", "0", "5e+307", "1e+308", "1.5e+308",
    ]  # fmt: skip
    assert _ticks(0.0, 1e-310)[1] == ["0", "2e-311", "4e-311", "6e-311", "8e-311", "1e-310"]
    assert _ticks(1e16, 1e16 + 2)[1] == ["1e+16", "1.0000000000000002e+16"]  # two doubles
    assert _ticks(5.0, 5.0) == ([0.5], ["5"])


def test_plot_refuses_a_range_wider_than_the_largest_double():
    message = "--x -1e308:1e308: the range is wider than the largest double, 1.8e308"
    code, out, err = text(run(["plot", "x", "--x", "-1e308:1e308", "--format", "json"]))
    assert code == 2 and err == f"autodiff: error: {message}\n"
    assert json.loads(out)["error"]["message"] == message
    assert text(run(["plot", "x", "--x", "-1e308:1e308", "--format", "csv", "--samples", "3"]))[
        :2
    ] == (2, "")


def test_plot_samples_are_finite_and_overflow_is_a_gap():
    code, out, _ = text(
        run(["plot", "x", "--x", "1e307:1e308", "--format", "csv", "--samples", "3"])
    )
    assert (code, out) == (0, "x,value,derivative\n1e+307,1e+307,1.0\n5.5e+307,5.5e+307,1.0\n"
                              "1e+308,1e+308,1.0\n")  # fmt: skip
    code, out, _ = text(
        run(["plot", "exp(x)", "--x", "700:710", "--samples", "3", "--format", "json"])
    )
    points = json.loads(out)["points"]
    assert code == 0 and points[-1] == {"x": 710.0, "value": None, "derivative": None}
    assert points[1]["value"] == 1.505253833063194e306


@pytest.mark.parametrize(
    ("terms", "operations", "most"), [(8000, "32,000", 250), (4000, "16,000", 5000)]
)  # past compiled.LIMIT an operation counts ten times: Value graphs
def test_plot_bounds_its_work_and_says_how_many_samples_fit(cli, terms, operations, most):
    source = "+".join(f"sin(x*{k})" for k in range(terms))
    r = cli("plot", "--expr", source, "--x", "0:1", "--samples", "1000000")
    assert r.returncode == 2
    assert r.stderr == (
        f"autodiff: error: --samples 1000000 is more work than plot takes for {operations} "
        f"operations (about 20 s at most)\nhint: at most --samples {most} for this expression\n"
    )


def test_plot_with_nothing_to_draw_says_so(cli):
    r = cli("plot", "sqrt(x)", "--x", "-3:-1", "--format", "csv", "--samples", "2")
    assert (r.returncode, r.stdout) == (0, "x,value,derivative\n-3.0,nan,nan\n-1.0,nan,nan\n")
    assert r.stderr == (
        "autodiff: warning: nothing to draw: the value and the derivative are undefined or "
        "infinite over all of --x -3:-1\n"
    )


# 2. check's tolerances


@pytest.mark.parametrize("option", ["--rtol", "--atol"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1"])
def test_check_refuses_a_tolerance_that_is_not_a_finite_number_at_least_0(option, value):
    code, out, err = text(run(["check", "x*x", "--x", "1", option, value, "--format", "json"]))
    message = f"invalid value for {option}: {value} is not a finite number >= 0"
    assert (code, err) == (2, f"autodiff: error: {message}\n")
    assert json.loads(out)["error"] == {
        "kind": "invalid_value", "message": message, "line": None, "column": None, "hint": None,
    }  # fmt: skip


# 3-6. output that cannot be written


def closed_pipe():
    """The write end of a pipe whose reader has already gone."""
    read, write = os.pipe()
    os.close(read)
    return write


def test_a_json_error_to_a_full_disk_is_exit_2_with_a_message():
    with open("/dev/full", "wb") as full:
        r = run(["grad", "x+", "--format", "json"], stdout=full, stderr=subprocess.PIPE)
    assert r.returncode == 2
    assert r.stderr.decode() == (
        "autodiff: error: cannot write the output: No space left on device\n"
        "autodiff: error: unexpected end of the input: expected a number, a variable or '('\n"
        "  x+\n    ^\n"
    )


BROKEN_PIPE_COMMANDS = [
    ["grad", "x+", "--format", "json"],
    ["grad", "0/0", "--format", "json"],
    ["grad", "x", "--x", "1", "--format", "table"],
    ["trace", "x", "--x", "1", "--format", "table"],
    ["hessian", "x*x", "--x", "1", "--format", "table"],
    ["check", "x*x", "--x", "1", "--format", "table"],
    ["jacobian", "x, x*x", "--x", "1", "--format", "table"],
    ["graph", "x*x", "--x", "1", "--color", "always"],
    ["functions", "--format", "table"],
    ["--help"],
    ["grad", "--help"],
    ["--version"],
]


@pytest.mark.slow
@pytest.mark.parametrize("args", BROKEN_PIPE_COMMANDS, ids=" ".join)
def test_a_closed_pipe_is_a_quiet_141_for_every_output(args):
    pipe = closed_pipe()
    try:
        r = run(args, stdout=pipe, stderr=subprocess.PIPE)
    finally:
        os.close(pipe)
    assert (r.returncode, r.stderr) == (141, b"")


def test_a_large_output_cut_short_by_its_reader_is_still_141():
    source = "+".join(f"tanh(w{k}*x)" for k in range(300))
    values = [f"-Dw{k}=0.5" for k in range(300)]
    for form in ("text", "json"):  # one write of about 240 KB, more than a pipe holds
        proc = subprocess.Popen(
            [AUTODIFF, "trace", source, "--x", "1", *values, "--format", form],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=user_env(),
        )  # fmt: skip
        assert len(proc.stdout.read(10)) == 10
        proc.stdout.close()  # as `| head -c 10` does, part way through the write
        assert (proc.wait(timeout=60), proc.stderr.read()) == (141, b"")


def test_closed_stdout_is_exit_2_with_a_message():
    r = subprocess.run(
        f"{AUTODIFF} grad x --x 1 >&-", shell=True, capture_output=True, text=True, env=user_env()
    )
    assert r.returncode == 2
    assert r.stderr == "autodiff: error: cannot write the output: standard output is closed\n"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [(["grad", "x+"], 2, "autodiff: error: unexpected end of the input: expected a number, "
      "a variable or '('\n  x+\n    ^\n"),
     (["grad", "log(x)", "--x", "-1"], 1, "autodiff: error: log(x) with x = -1 is undefined\n"
      "  log(x)\n  ^^^^^^\n")],
)  # fmt: skip
def test_an_error_found_before_any_output_is_itself_with_no_output(args, code, message):
    closed = subprocess.run(
        [AUTODIFF, *args], capture_output=True, text=True, env=user_env(),
        preexec_fn=lambda: os.close(1),
    )  # fmt: skip
    assert (closed.returncode, closed.stderr) == (code, message)
    with open("/dev/full", "wb") as full:
        r = run(args, stdout=full)
    assert (r.returncode, r.stderr.decode()) == (code, message)


def test_closed_stdin_is_a_message():
    r = subprocess.run(
        f"{AUTODIFF} grad - <&-", shell=True, capture_output=True, text=True, env=user_env()
    )
    assert (r.returncode, r.stderr) == (
        2,
        "autodiff: error: cannot read standard input: it is closed\n",
    )


def test_an_unwritable_stderr_loses_a_warning_never_a_result():
    with open("/dev/full", "wb") as full:
        ok = run(["grad", "1/0"], stderr=full, stdout=subprocess.PIPE)
        bad = run(["grad", "x+"], stderr=full, stdout=subprocess.PIPE)
        closed = subprocess.run(
            f"{AUTODIFF} grad x --x 1 2>&-", shell=True, capture_output=True, env=user_env()
        )
    assert (ok.returncode, ok.stdout) == (0, b"value\tinf\n")
    assert (bad.returncode, bad.stdout) == (2, b"")
    assert (closed.returncode, closed.stdout) == (0, b"value\t1\nx\t1\n")


# 7. endless and overlong input


class Endless(io.RawIOBase):
    """`size` NUL bytes, then a few lines: an endless input, as far as a reader can tell."""

    def __init__(self, size: int, tail: bytes) -> None:
        self.left, self.tail = size, tail

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.left > 0:
            n = min(len(buffer), self.left)
            buffer[:n] = b"\0" * n
            self.left -= n
            return n
        n = min(len(buffer), len(self.tail))
        buffer[:n], self.tail = self.tail[:n], self.tail[n:]
        return n


def test_a_line_past_its_limit_is_read_in_pieces_and_the_stream_goes_on():
    size = 50 * reading.RECORD_LIMIT  # 52 M characters, never held at once
    stream = io.TextIOWrapper(io.BufferedReader(Endless(size, b"\n1,2\n")), newline="")
    tracemalloc.start()
    got = list(reading.lines(stream, reading.RECORD_LIMIT))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    overlong, after = got
    assert isinstance(overlong, reading.Overlong)
    assert (overlong.length, overlong.head, after) == (size, "\0" * 200, "1,2\n")
    assert peak < 4 * reading.RECORD_LIMIT * 4  # a few lines' worth, not the 52 M


def test_an_expression_is_refused_as_soon_as_it_passes_the_limit():
    stream = io.TextIOWrapper(io.BufferedReader(Endless(10**12, b"")))
    with pytest.raises(reading.AutodiffError) as caught:
        reading.read_expression(stream)
    assert str(caught.value) == ("the expression is longer than the limit of 16,777,216 characters")


# A parent that outlives Ctrl-C to report its one child's exit code and peak memory.
PEAK = (
    "import resource, signal, subprocess, sys; "
    "signal.signal(signal.SIGINT, signal.SIG_IGN); "
    "default = lambda: signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "child = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, preexec_fn=default); "
    "print(child.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def peak_of(shell: str, seconds: float | None = None) -> tuple[int, int, str]:
    """Exit code, peak memory (KiB) and stderr of `shell`, interrupted after `seconds`."""
    proc = subprocess.Popen(
        [sys.executable, "-c", PEAK, "bash", "-c", f"exec {shell}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=user_env(),
        start_new_session=True,
    )  # fmt: skip
    if seconds is not None:
        time.sleep(seconds)
        started = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C does: the whole foreground group
        out, err = proc.communicate(timeout=30)
        assert time.monotonic() - started < 1.0, "Ctrl-C answered within a second"
    else:
        out, err = proc.communicate(timeout=120)
    code, peak = map(int, out.split()[-2:])
    return code, peak, err


def test_an_endless_expression_is_refused_with_bounded_memory():
    code, peak, err = peak_of(f"{AUTODIFF} grad - < /dev/zero")
    assert (code, err) == (
        2, "autodiff: error: the expression is longer than the limit of 16,777,216 characters\n"
    )  # fmt: skip
    assert peak < 200 * 1024


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "first"),
    [(["--lines", "-", "--x", "1"], ""), (["x", "--points", "-"], r"x\n1\n"),
     (["x", "--points", "-", "--points-format", "jsonl"], "")],
    ids=["lines", "csv", "jsonl"],
)  # fmt: skip
def test_an_endless_stream_line_keeps_memory_bounded_and_ctrl_c_answers(args, first):
    shell = f"{AUTODIFF} grad {' '.join(args)} < <(printf '{first}'; cat /dev/zero)"
    code, peak, err = peak_of(shell, seconds=3)
    assert (code, err) == (130, "autodiff: interrupted\n")
    assert peak < 200 * 1024


def test_an_endless_csv_header_is_refused_at_its_limit():
    code, peak, err = peak_of(f"{AUTODIFF} grad x --points - < /dev/zero")
    assert (code, err) == (2, "autodiff: error: the header of the points is longer than the "
                              "limit of 1,048,576 characters\n")  # fmt: skip
    assert peak < 200 * 1024


def overlong_stream(header: str, good: str, size: int) -> bytes:
    return f"{header}{good}".encode() + b"7" * size + f"\n{good}".encode()


@pytest.mark.parametrize(
    ("args", "stream", "limit"),
    [
        (["x", "--points", "-"], overlong_stream("x\n", "2\n", 3_000_000), "1,048,576"),
        (["x", "--points", "-", "--points-format", "jsonl"],
         overlong_stream("", '{"x": 2}\n', 3_000_000), "1,048,576"),
    ],
    ids=["csv", "jsonl"],
)  # fmt: skip
def test_an_overlong_row_is_one_error_record_and_the_stream_goes_on(args, stream, limit):
    code, out, err = text(run(["grad", *args, "--format", "jsonl"], stdin=stream))
    what = "row" if "jsonl" not in args else "record"
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and [r.get("value") for r in records] == [2.0, None, 2.0]
    assert records[1]["error"]["message"] == (
        f"the {what} is 3,000,000 characters; the limit is {limit}"
    )


def test_an_overlong_expression_line_quotes_only_its_start():
    stream = b"x+1\n" + b"x" * 17_000_000 + b"\nx*2\n"
    code, out, _ = text(
        run(["grad", "--lines", "-", "--x", "1", "--format", "jsonl"], stdin=stream)
    )
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and [r.get("value") for r in records] == [2.0, None, 2.0]
    assert records[1]["expression"] == "x" * 200 + "..."
    assert records[1]["error"]["message"] == (
        "the line is 17,000,000 characters; the limit is 16,777,216"
    )


def test_an_error_record_never_repeats_a_huge_input():
    stream = b"x y" + b"y" * 5000 + b"\n"
    out = run(["grad", "--lines", "-", "--x", "1", "--format", "jsonl"], stdin=stream).stdout
    (record,) = map(json.loads, out.decode().splitlines())
    assert record["expression"] == "x y" + "y" * 197 + "..."
    assert len(record["error"]["message"]) <= 1003 and len(record["error"]["hint"]) <= 1003


# 8. malformed CSV rows


def test_a_stray_quote_is_one_error_record_and_swallows_nothing():
    code, out, _ = text(
        run(["grad", "x*y", "--points", "-", "--format", "csv"], stdin='x,y\n"1,3\n5,6\n7,8\n')
    )
    assert (code, out) == (1, (
        "value,grad_x,grad_y,error\n"
        ",,,row 1: a quoted cell is not closed on its line (a cell cannot span lines)\n"
        "30.0,6.0,5.0,\n56.0,8.0,7.0,\n"
    ))  # fmt: skip


def test_a_cell_over_the_csv_module_field_limit_is_one_error_record():
    big = '"' + "9" * 200_000 + 'z"'
    code, out, _ = text(run(["grad", "x", "--points", "-", "--format", "csv"],
                            stdin=f"x\n{big}\n3\n"))  # fmt: skip
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 1 and len(rows) == 3 and rows[2] == ["3.0", "1.0", ""]
    assert rows[1][2] == "row 1: x: '" + "9" * 199 + "... is not a number"  # its start only


def test_every_physical_row_has_a_record_so_paste_lines_up(tmp_path):
    points = tmp_path / "p.csv"
    points.write_text("x\n1\n\n2\n")
    r = subprocess.run(
        f"{AUTODIFF} grad 'x**3' --points p.csv --format csv | paste -d, p.csv -",
        shell=True, cwd=tmp_path, capture_output=True, text=True, env=user_env(),
    )  # fmt: skip
    assert r.stdout == "x,value,grad_x,error\n1,1.0,3.0,\n,,,row 2: no value for x\n2,8.0,12.0,\n"
    r = run(["grad", "x**3", "--points", "-", "-D", "x=5"], stdin="x\n1\n\n")
    assert r.stdout == b"value\tgrad_x\n1\t3\n125\t75\n"  # a blank row: every cell empty


def test_a_duplicate_column_is_an_error():
    code, out, err = text(run(["grad", "x*y", "--points", "-"], stdin="x,x,y\n1,2,3\n"))
    assert (code, out) == (2, "")
    assert err == (
        "autodiff: error: the points' header names x twice\nhint: give each column its own name\n"
    )


# 9. a byte order mark


@pytest.mark.parametrize(
    ("args", "stream", "out"),
    [
        (["x*y", "--points", "-", "--format", "csv"], "x,y\n2,3\n",
         "value,grad_x,grad_y,error\n6.0,3.0,2.0,\n"),
        (["x*y", "--points", "-", "--points-format", "jsonl", "--format", "csv"],
         '{"x": 2, "y": 3}\n', "value,grad_x,grad_y,error\n6.0,3.0,2.0,\n"),
        (["--lines", "-", "--x", "2"], "x*x\n", "1\t4\tx=4\n"),
        (["-", "--x", "2"], "x*x\n", "value\t4\nx\t4\n"),
    ],
    ids=["csv", "jsonl", "lines", "expression"],
)  # fmt: skip
def test_a_byte_order_mark_is_skipped(args, stream, out, tmp_path):
    assert text(run(["grad", *args], stdin=b"\xef\xbb\xbf" + stream.encode())) == (0, out, "")
    path = tmp_path / "input"
    path.write_bytes(b"\xef\xbb\xbf" + stream.encode())
    from_file = [str(path) if word == "-" else word for word in args]
    if from_file != args and args[0] != "-":
        assert text(run(["grad", *from_file])) == (0, out, "")


# 10. tabs in text records


def test_text_and_tsv_fields_never_hold_the_separator():
    r = run(["grad", "--lines", "-", "--x", "-1"], stdin="log(\tx)\n")
    assert r.stdout == b"1\terror\tlog(\\tx) with x = -1 is undefined\n"
    r = run(["grad", "--expr", "log(\tx)", "--points", "-"], stdin="x\n-1\n")
    assert r.stdout == b"value\tgrad_x\nerror\trow 1: log(\\tx) with x = -1 is undefined\n"
    r = run(["grad", "--lines", "-", "--x", "-1", "--format", "tsv"], stdin="log(\tx)\\1\n")
    fields = r.stdout.decode().splitlines()[1].split("\t")
    assert fields[:2] == ["1", "log(\\tx)\\\\1"] and len(fields) == 5


# 11. smaller edges


def test_an_expression_after_the_double_dash_leaves_the_options_after_it_options():
    r = run(["grad", "--", "-x**2", "--x", "3", "--format", "json", "--wrt", "x"])
    assert text(r) == (0, '{"expression": "-x**2", "value": -9.0, "gradients": {"x": -6.0}}\n', "")
    r = run(["grad", "--", "-x**", "--x", "3", "--format", "json"])
    assert r.returncode == 2 and json.loads(r.stdout)["error"]["kind"] == "syntax"


def test_an_expression_repeated_in_csv_never_reads_as_a_formula():
    r = run(["grad", "--lines", "-", "--x", "1", "--format", "csv"], stdin="-x\n+x\nx\n")
    assert r.stdout == (
        b"line,expression,value,grad_x,error\n1,'-x,-1.0,-1.0,\n2,'+x,1.0,1.0,\n3,x,1.0,1.0,\n"
    )
    r = run(["grad", "--lines", "-", "--x", "1", "--format", "tsv"], stdin="=1+x\n@x\n")
    assert [line.split("\t")[1] for line in r.stdout.decode().splitlines()[1:]] == ["'=1+x", "'@x"]
    r = run(["grad", "--lines", "-", "--x", "inf", "--format", "csv"], stdin="-x - -x\n")
    assert r.stdout.decode().splitlines()[1] == (
        "1,'-x - -x,,,'-x - -x with -x = -inf is undefined"  # each input named once
    )
    for form, sep in (("csv", ","), ("tsv", "\t")):
        r = run(["jacobian", "-x, +x", "--x", "2", "--format", form])
        rows = [line.split(sep) for line in r.stdout.decode().splitlines()]
        assert [row[0] for row in rows] == ["output", "'-x", "'+x"]
    r = run(["jacobian", "-x, +x", "--x", "2", "--format", "text"])
    assert [line.split("\t")[0] for line in r.stdout.decode().splitlines()] == [
        "output",
        "-x",
        "+x",
    ]


@pytest.mark.parametrize(
    ("source", "column", "hint"),
    [("x²", 2, "for a power, write x**2"), ("3*t²³", 4, "for a power, write t**23"),
     ("y₁+1", 2, "a variable's name is letters, digits and _, as in x1 or x_1")],
)  # fmt: skip
def test_a_variable_no_option_could_give_a_value_is_refused(cli, source, column, hint):
    r = cli("grad", source)
    name = source.split("*")[-1].split("+")[0]
    bad = name[1]
    assert r.returncode == 2
    assert r.stderr == (
        f"autodiff: error: {name} cannot be a variable's name: {bad!r} is not a letter, "
        f"a digit or _\n  {source}\n  {' ' * (column - 1)}^\nhint: {hint}\n"
    )


def test_the_option_names_are_those_every_command_s_help_lists(cli):
    listed = set()
    for command in ("grad", "trace", "graph", "plot", "check", "hessian", "jacobian", "diff"):
        options = re.findall(r"^  (?:-\w, )?--([a-z]+)\b(?!-)", cli(command, "--help").stdout, re.M)
        listed |= set(options)
    assert listed == option_names(autodiff)


@pytest.mark.parametrize("name", sorted(option_names(autodiff)))
def test_a_variable_named_like_an_option_is_given_with_d(cli, name):
    r = cli("grad", f"{name}*2")
    hint = f"hint: pass -D {name}=VALUE, or use autodiff diff for the formula\n"
    assert r.returncode == 2 and r.stderr.endswith(hint)
    assert cli("grad", f"{name}*2", "-D", f"{name}=3").stdout == f"value\t6\n{name}\t2\n"


def test_help_stays_the_help_option_even_with_a_variable_named_help(cli):
    r = cli("grad", "help*2", "--help", "2")
    assert r.returncode == 0 and r.stdout.startswith("Usage: autodiff grad")


def test_a_name_assigned_twice_is_primed_in_the_trace_and_no_update_is_lost(cli):
    r = cli("trace", "a = x*2; c = a; a = x*3; a*c", "--x", "1", "--format", "json")
    trace = json.loads(r.stdout)
    assert [n["name"] for n in trace["nodes"]] == ["x", "3", "a'", "2", "a", "L"]
    assert trace["steps"][1]["updates"] == {"a'": 2.0, "a": 3.0}
    assert trace["gradients"] == {"x": 12.0}


def buffered_env() -> dict[str, str]:
    """A user's environment with Python's own output buffering, whatever the caller's."""
    return {k: v for k, v in user_env().items() if k != "PYTHONUNBUFFERED"}


def whole_records(written: str, total: int) -> None:
    assert written.endswith("\n")
    rows = [json.loads(line)["row"] for line in written.splitlines()]
    assert rows == list(range(1, len(rows) + 1)) and 0 < len(rows) < total


def test_sigterm_exits_143_and_leaves_only_whole_records_in_a_file(tmp_path):
    points = tmp_path / "p.csv"
    points.write_text("x\n" + "0.25\n" * 2_000_000)
    out = tmp_path / "out.jsonl"
    with open(out, "wb") as sink:
        proc = subprocess.Popen(
            [AUTODIFF, "grad", "tanh(x)**2", "--points", str(points), "--format", "jsonl"],
            stdout=sink, stderr=subprocess.PIPE, env=buffered_env(),
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while out.stat().st_size < 100_000 and proc.poll() is None:  # running, records written
            assert time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 143
    assert proc.stderr.read() == b"autodiff: terminated\n"
    whole_records(out.read_text(), 2_000_000)


@pytest.mark.slow
def test_sigterm_while_a_slow_reader_holds_a_write_still_ends_at_a_record(tmp_path):
    points = tmp_path / "p.csv"
    points.write_text("x\n" + "0.25\n" * 2_000_000)
    read, write = os.pipe()
    proc = subprocess.Popen(
        [AUTODIFF, "grad", "tanh(x)", "--points", str(points), "--format", "jsonl"],
        stdout=write, stderr=subprocess.PIPE, env=buffered_env(),
    )  # fmt: skip
    os.close(write)
    time.sleep(1.5)  # the pipe is full: the writer is blocked in a write
    start = os.read(read, 4096)  # a page free: the write goes on part way, and blocks again
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    rest = b""
    while chunk := os.read(read, 1 << 16):  # the reader reads on: the write is finished
        rest += chunk
    os.close(read)
    assert proc.wait(timeout=30) == 143
    assert proc.stderr.read() == b"autodiff: terminated\n"
    whole_records((start + rest).decode(), 2_000_000)
