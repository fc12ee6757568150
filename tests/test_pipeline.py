"""Pipelines: --lines and --points. Every input gets one record, in order."""

from __future__ import annotations

import csv
import io
import json
import math
import random
import signal
import subprocess
import time

import pytest
from conftest import BIN, user_env

from autodiff_cli.api import grad, parse
from autodiff_cli.compiled import compile_expression, source_of

LINES = "relu(a*b+c)\n\n# a comment\na*\nlog(x)\nx**2;\nd = a*b; d+e\nlog(-x)\n"
VALUES = ("--a", "2", "--b", "-3", "--c", "10", "--x", "3")


def test_lines_as_jsonl_one_record_per_expression_in_order(cli):
    r = cli("grad", "--lines", "-", *VALUES, "--format", "jsonl", stdin=LINES)
    assert r.returncode == 1
    records = [json.loads(line) for line in r.stdout.splitlines()]
    assert [rec["line"] for rec in records] == [1, 4, 5, 6, 7, 8]
    assert records[0] == {
        "line": 1,
        "expression": "relu(a*b+c)",
        "value": 4.0,
        "gradients": {"a": -3.0, "b": 2.0, "c": 1.0},
    }
    assert records[1]["error"]["kind"] == "syntax"
    assert records[2]["gradients"] == {"x": 1 / 3}
    assert records[4]["error"]["message"] == "missing a value for e"
    assert records[5]["error"] == {
        "kind": "undefined",
        "message": "log(-x) with -x = -3 is undefined",
        "line": 1,
        "column": 1,
        "hint": None,
    }
    assert r.stderr == (
        "autodiff: warning: 3 of 6 expressions failed: see the error records in the output\n"
    )


def test_lines_as_text_and_csv(cli):
    text = cli("grad", "--lines", "-", *VALUES, stdin=LINES).stdout
    assert text.splitlines()[:2] == [
        "1\t4\ta=-3\tb=2\tc=1",
        "4\terror\tunexpected end of the input: expected a number, a variable or '('",
    ]
    rows = list(csv.reader(io.StringIO(cli("grad", "--lines", "-", *VALUES, "--format", "csv",
                                           stdin=LINES).stdout)))  # fmt: skip
    # a column for each variable given a value, in the order given
    assert rows[0] == ["line", "expression", "value", "grad_a", "grad_b", "grad_c", "grad_x",
                       "error"]  # fmt: skip
    assert rows[1] == ["1", "relu(a*b+c)", "4.0", "-3.0", "2.0", "1.0", "", ""]
    assert rows[2][:7] == ["4", "a*", "", "", "", "", ""] and rows[2][7].startswith("unexpected")
    assert rows[3] == ["5", "log(x)", repr(math.log(3)), "", "", "", repr(1 / 3), ""]
    assert len(rows) == 7


def test_lines_all_good_exit_zero_from_a_file(cli, tmp_path):
    path = tmp_path / "exprs.txt"
    path.write_text("x*x\nsin(x)\n")
    r = cli("grad", "--lines", str(path), "--x", "0")
    assert (r.returncode, r.stdout, r.stderr) == (0, "1\t0\tx=0\n2\t0\tx=1\n", "")


POINTS = "w,x,b,z\n0.5,1,0.1,9\n1,abc,0\n,2,3\n1,2\n-1,1e999,0\n"


def test_points_csv_one_record_per_row_with_errors_in_place(cli):
    r = cli("grad", "tanh(w*x + b)**2", "--points", "-", "--b", "7", "--format", "csv",
            stdin=POINTS)  # fmt: skip
    assert r.returncode == 1
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0] == ["value", "grad_w", "grad_x", "grad_b", "error"]
    assert len(rows) == 6
    want = grad("tanh(w*x + b)**2", {"w": 0.5, "x": 1.0, "b": 0.1})
    assert [float(v) for v in rows[1][:4]] == [want.value, *want.gradients.values()]
    assert rows[2] == ["", "", "", "", "row 2: x: 'abc' is not a number"]
    assert rows[3] == ["", "", "", "", "row 3: no value for w"]
    default_b = grad("tanh(w*x + b)**2", {"w": 1.0, "x": 2.0, "b": 7.0})
    assert [float(v) for v in rows[4][:4]] == [default_b.value, *default_b.gradients.values()]
    assert rows[5][4].startswith("row 5: the gradient through w*x with w = -1, x = inf")
    assert r.stderr == (
        "autodiff: warning: column z is not used by the expression\n"
        "autodiff: warning: 3 of 5 rows failed: see the error records in the output\n"
    )


def test_points_jsonl_in_and_out(cli):
    lines = '{"w": 0.5, "x": 1, "b": 0.1}\n\n{"w": 2, "x": true}\n[1]\nnot json\n{"w": 1}\n'
    r = cli("grad", "w*x+b", "--points", "-", "--points-format", "jsonl", "--x", "3",
            "--format", "jsonl", stdin=lines)  # fmt: skip
    records = [json.loads(line) for line in r.stdout.splitlines()]
    assert records[0] == {"row": 1, "value": 0.6, "gradients": {"w": 1.0, "x": 0.5, "b": 1.0}}
    assert [rec.get("error", {}).get("message") for rec in records[1:]] == [
        "x: true is not a number",
        "not a JSON object",
        "not valid JSON",
        "no value for b",
    ]
    assert [rec["row"] for rec in records] == [1, 2, 3, 4, 5]


def test_points_format_from_the_file_name(cli, tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"x": 2}\n')
    assert cli("grad", "x*x", "--points", str(path)).stdout == "value\tgrad_x\n4\t4\n"


def test_points_wrt_and_text(cli):
    r = cli("grad", "a*b", "--points", "-", "--wrt", "b", stdin="a,b\n2,3\n")
    assert r.stdout == "value\tgrad_b\n6\t2\n"


def test_points_missing_column_is_a_usage_error(cli):
    r = cli("grad", "a*b + c", "--points", "-", stdin="a,b\n1,2\n")
    assert r.returncode == 2
    assert r.stderr == (
        "autodiff: error: the points have no column for c\n"
        "hint: add the column, or give a default: --c VALUE\n"
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (("grad", "x", "--lines", "-", "--points", "-"), "--lines and --points do not go together"),
        (("grad", "x", "--lines", "-"), "--lines reads the expressions; give no EXPR"),
        (("grad", "x", "--points", "-", "--trace"), "--trace shows one evaluation, not a pipeline"),
        (("grad", "x", "--points", "-", "--format", "table"),
         "a pipeline cannot be written as table"),
        (("grad", "x", "--points", "/no/such/file"),
         "cannot read /no/such/file: No such file or directory"),
    ],
)  # fmt: skip
def test_pipeline_usage_errors(cli, args, message):
    r = cli(*args)
    assert r.returncode == 2
    assert r.stderr.startswith(f"autodiff: error: {message}\n")


def test_generated_code_has_no_text_from_the_user():
    hostile = "__import__ * exec + os / x0 - v1 ** g2 + 1e308 * sin(k3)"
    plain = "a * b + c / d - e ** f + 2 * sin(g)"
    assert source_of(parse(hostile)) == source_of(parse(plain))
    for word in ("__import__", "exec", "os", "1e308", "k3("):
        assert word not in source_of(parse(hostile)).replace("exec(", "")
    expr = parse(hostile)
    point = {name: 0.5 + k / 10 for k, name in enumerate(expr.variables)}
    run = compile_expression(expr)
    want = grad(expr, point)
    assert run(*point.values()) == (want.value, *want.gradients.values())


@pytest.mark.parametrize("case", range(0, 300, 7))
def test_compiled_equals_grad_bit_for_bit(case):
    from test_conformance import CASES

    c = CASES[case]
    expr = parse(c["expression"])
    want = grad(expr, c["point"])
    out = compile_expression(expr)(*(c["point"][v] for v in expr.variables))
    assert out == (want.value, *want.gradients.values())


def run_installed(args, **kw):
    return subprocess.Popen(
        [str(BIN / "autodiff"), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=user_env(),
        **kw,
    )


def test_lines_are_flushed_as_produced_and_ctrl_c_exits_130():
    proc = run_installed(["grad", "--lines", "-", "--x", "2"])
    proc.stdin.write("x*x\n")
    proc.stdin.flush()
    assert proc.stdout.readline() == "1\t4\tx=4\n"  # before the input ends
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 130
    assert proc.stderr.read() == "autodiff: interrupted\n"


def test_broken_pipe_exits_quietly(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("x\n" + "1.5\n" * 200_000)
    proc = run_installed(["grad", "x*x", "--points", str(path)])
    assert proc.stdout.readline() == "value\tgrad_x\n"
    proc.stdout.close()
    assert proc.wait(timeout=60) == 141
    assert proc.stderr.read() == ""


@pytest.mark.slow
def test_hundred_thousand_rows_through_the_installed_command(autodiff, tmp_path):
    rng = random.Random(7)
    rows = [(rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(-2, 2)) for _ in range(100_000)]
    path = tmp_path / "points.csv"
    path.write_text("w,x,b\n" + "".join(f"{w!r},{x!r},{b!r}\n" for w, x, b in rows))
    t0 = time.perf_counter()
    r = autodiff("grad", "tanh(w*x + b)**2", "--points", str(path), "--format", "csv")
    assert r.returncode == 0 and r.stderr == ""
    out = list(csv.reader(io.StringIO(r.stdout)))
    assert len(out) == 100_001
    expr = parse("tanh(w*x + b)**2")
    for k in range(0, 100_000, 997):
        w, x, b = rows[k]
        want = grad(expr, {"w": w, "x": x, "b": b})
        assert [float(v) for v in out[k + 1][:4]] == [want.value, *want.gradients.values()]
    assert time.perf_counter() - t0 > 0  # (timing is measured in benchmarks/, not here)


@pytest.mark.slow
def test_progress_bar_goes_to_a_terminal_stderr_only(tmp_path):
    import os
    import pty

    path = tmp_path / "p.csv"
    path.write_text("x\n" + "0.5\n" * 50_000)
    master, slave = pty.openpty()
    with open(tmp_path / "out.csv", "w") as out:
        proc = subprocess.Popen(
            [str(BIN / "autodiff"), "grad", "x*x", "--points", str(path), "--format", "csv"],
            stdout=out,
            stderr=slave,
            env=user_env(),
        )
        os.close(slave)
        shown = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        assert proc.wait(timeout=60) == 0
    os.close(master)
    assert b"points" in shown and b"%" in shown  # the bar, on the terminal
    lines = (tmp_path / "out.csv").read_text().splitlines()
    assert lines[0] == "value,grad_x,error" and lines[1:] == ["0.25,1.0,"] * 50_000
