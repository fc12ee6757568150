"""`--points` in chunks (numpy, polars) against the row-at-a-time path (`--exact`).

The chunked path promises the same bits as `grad` and the same records,
errors included, in the same order; these tests hold it to that on the
conformance cases, on every operation of the table at special values, on
every kind of bad row, and at chunk boundaries (made small here).
"""

from __future__ import annotations

import json
import math
import select
import signal
import subprocess
import sys

import numpy as np
import polars as pl
import pytest
from conftest import BIN, REPO, user_env
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autodiff_cli import api, arrays, chunked
from autodiff_cli.compiled import compile_expression
from autodiff_cli.errors import AutodiffError
from autodiff_cli.ops import OPS
from autodiff_cli.reading import open_input

CASES = [
    json.loads(line)
    for name in ("grad_cases.jsonl", "vocab_cases.jsonl")
    for line in (REPO / "tests" / "data" / name).read_text().splitlines()
]
FORMATS = ("csv", "tsv", "text", "jsonl")
SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.5, 3.7, 20.0, -20.0, 1e-300, -1e-300,
           5e-324, 1e300, -1e300, 710.5, -710.5, math.inf, -math.inf, math.nan]  # fmt: skip


def same_bits(a, b) -> bool:
    """Equal to the last bit and the sign of zero; any NaN equals any NaN."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    both_nan = np.isnan(a) & np.isnan(b)
    return bool(np.all(both_nan | (a.view(np.int64) == b.view(np.int64))))


def by_rows(expr, columns: list[list[float]]) -> list[tuple]:
    run = compile_expression(expr)
    return [run(*row) for row in zip(*columns)]


def by_columns(expr, columns: list[list[float]]) -> list[np.ndarray]:
    size = len(columns[0])
    return arrays.evaluate(expr, [np.array(c, dtype=float) for c in columns], size)


def check_same(expr, columns):
    rows = by_rows(expr, columns)
    for k, column in enumerate(by_columns(expr, columns)):
        assert same_bits(column, [row[k] for row in rows]), (expr.source, k)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case["expression"])
def test_conformance_cases_column_for_row_bit_for_bit(case):
    expr = api.parse(case["expression"])
    values = [float(case["point"].get(name, 0.5)) for name in expr.variables]
    # Three rows each, one nudged: the columns' branches (where), not a single row's.
    check_same(expr, [[x, x, x + 0.25] for x in values])


def _call(op, names: list[str], constant=None) -> str:
    """An expression applying `op` to the variables `names` (and a constant)."""
    if op.name == "neg":
        return f"-{names[0]}"
    if op.name == "pow_const":
        return f"{names[0]} ** {constant!r}"
    if not op.function:
        return f"{names[0]} {op.label} {names[1]}"
    args = [*names, *([repr(constant)] if constant is not None else [])]
    return f"{op.name}({', '.join(args)})"


def _grid(n: int) -> list[list[float]]:
    """Every combination of the special values for n inputs (a sample of them for three)."""
    points = [()]
    for _ in range(n):
        points = [(*p, x) for p in points for x in SPECIAL]
    if n == 3:
        points = points[::7]
    return [list(column) for column in zip(*points)]


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
def test_every_operation_column_for_row_at_special_values(op):
    n = 3 if op.arity is None else op.arity
    names = ["x", "y", "z"][:n]
    constants = [None]
    if op.name == "pow_const":
        constants = [0.0, 1.0, 2.0, 3.0, 0.5, -0.5, -1.0, -2.0, 2.5, -3.0]
    elif op.takes_constant:
        constants = [0.3, -1.5]
    for constant in constants:
        expr = api.parse(_call(op, names, constant))
        check_same(expr, _grid(len(expr.variables)))


def _outcomes(path, chunked_: bool, expression: str, defaults=None, wrt=None):
    """Each row's number and outcome: numbers, or (kind, message) of an error."""
    stream = open_input(str(path))
    points = api.run_points(expression, stream, "csv", defaults or {}, wrt, chunked=chunked_)
    assert isinstance(points, chunked.ChunkedPoints) == chunked_
    found = []
    for number, outcome in points:
        if isinstance(outcome, AutodiffError):
            found.append((number, outcome.kind, outcome.message))
        else:
            found.append((number, *(float(x) for x in outcome)))
    return found


def _same_outcomes(a, b) -> bool:
    return len(a) == len(b) and all(
        x[:1] == y[:1] and (x == y if isinstance(x[1], str) else same_bits(x[1:], y[1:]))
        for x, y in zip(a, b)
    )


def test_conformance_cases_through_the_points_api_as_row_at_a_time(tmp_path):
    for k, case in enumerate(CASES):
        expr = api.parse(case["expression"])
        if not expr.variables:
            continue
        path = tmp_path / f"{k}.csv"
        row = ",".join(repr(float(case["point"].get(n, 0.5))) for n in expr.variables)
        path.write_text(",".join(expr.variables) + "\n" + f"{row}\n" * 3)
        chunked_ = _outcomes(path, True, case["expression"])
        exact = _outcomes(path, False, case["expression"])
        assert _same_outcomes(chunked_, exact), case


# Every kind of row the row-at-a-time path reads, good and bad, under `w,x,b,note`.
ROWS = [
    "1.0,2,3,",  # fine
    ",2,3,aa,",  # no value for w
    "ab,2,3,a",  # not a number
    '"1",2,3,',  # quoted: the whole chunk row by row
    "1_0,2,3,",  # Python's float() reads 1_0; polars does not
    " 2 ,2,3,",  # spaces around
    "-1.,2,3,",  # log(-1): NaN, grad's error
    "inf,0,3,",  # inf * 0: NaN
    "1e9,2,3,",  # fine
    "0,2,3,ab",  # log(0): -inf, a number
    "nan,2,3,",  # a NaN read
    "1,2,3,\r\r",  # a lone carriage return
    "1,2,3,4,5",  # more cells than columns
    "1,2,33\n",  # fewer cells
    "        ",  # all blank
    "2,\xff,3,",  # not UTF-8
    "1,2;3,aa",  # the other separator
    "1,2,3,aaa",  # fine, longer
    "\ufeff3,2,3,",  # a byte order mark, not at the start: polars would drop it
]
EXPRESSION = "log(w)*x + sqrt(b)*w"


def _points_file(path, rows, header="w,x,b,note"):
    data = (header + "\n").encode() + b"".join(
        (row if row.endswith("\n") else row + "\n").encode("utf-8", "surrogateescape")
        if "\xff" not in row
        else row.encode("latin-1") + b"\n"
        for row in rows
    )
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("block", [9, 27, 64, 4096])
def test_every_kind_of_row_the_same_outcome_at_any_chunk_size(tmp_path, monkeypatch, block):
    monkeypatch.setattr(chunked, "BLOCK", block)
    path = _points_file(tmp_path / "p.csv", ROWS * 3)
    exact = _outcomes(path, False, EXPRESSION)
    assert len(exact) == len(ROWS) * 3
    assert sum(isinstance(o[1], str) for o in exact) > 10  # errors there are
    assert _same_outcomes(_outcomes(path, True, EXPRESSION), exact)
    with_defaults = _outcomes(path, True, EXPRESSION, {"w": 2.0, "b": 0.5}, ["b", "w"])
    assert _same_outcomes(with_defaults, _outcomes(path, False, EXPRESSION, {"w": 2.0, "b": 0.5},
                                                   ["b", "w"]))  # fmt: skip


def test_error_rows_first_and_last_in_a_chunk(tmp_path, monkeypatch):
    # Lines of 8 bytes and chunks of 24: rows 1-3, 4-6, ... each a chunk.
    monkeypatch.setattr(chunked, "BLOCK", 24)
    rows = ["ab,2,3,a", "1.0,2,3,", "1.0,2,3,", "1.0,2,3,", "1.0,2,3,", "-1.,2,3,",
            ",2,3,aa,", "1.0,2,3,", ",2,3,aa,", "1.0,2,3,"]  # fmt: skip
    path = _points_file(tmp_path / "p.csv", rows)
    got = _outcomes(path, True, EXPRESSION)
    assert [o[0] for o in got] == list(range(1, 11))
    assert [n for n, *rest in got if isinstance(rest[0], str)] == [1, 6, 7, 9]
    assert _same_outcomes(got, _outcomes(path, False, EXPRESSION))


def test_a_file_of_exactly_one_chunk_and_an_empty_one(tmp_path, monkeypatch):
    monkeypatch.setattr(chunked, "BLOCK", 24)
    path = _points_file(tmp_path / "p.csv", ["1.0,2,3,", "2.0,2,3,", "-1.,2,3,"])
    got = _outcomes(path, True, EXPRESSION)
    assert _same_outcomes(got, _outcomes(path, False, EXPRESSION)) and len(got) == 3
    header_only = _points_file(tmp_path / "h.csv", [])
    assert _outcomes(header_only, True, EXPRESSION) == []
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    with pytest.raises(AutodiffError, match="the points have no column for w, x, b"):
        _outcomes(empty, True, EXPRESSION)
    assert _outcomes(empty, True, EXPRESSION, {"w": 1.0, "x": 1.0, "b": 1.0}) == []


def test_a_row_past_its_limit_and_a_last_line_without_its_end(tmp_path, monkeypatch):
    monkeypatch.setattr(chunked, "BLOCK", 1 << 16)
    long_row = "1," * 600_000 + "1"  # 1.2 million characters: past the row limit
    path = _points_file(tmp_path / "p.csv", ["1.0,2,3,", long_row, "2.0,2,3,"])
    path.write_bytes(path.read_bytes() + b"3.0,1,1,")  # no line end after the last row
    got = _outcomes(path, True, EXPRESSION)
    assert got[1][1:] == ("input", "the row is 1,200,001 characters; the limit is 1,048,576")
    assert _same_outcomes(got, _outcomes(path, False, EXPRESSION)) and len(got) == 4


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_same_records_byte_for_byte_in_every_format(cli, tmp_path, monkeypatch, fmt):
    monkeypatch.setattr(chunked, "BLOCK", 64)
    # d/dx is log(w): 9.999995e-07 and 9.9995e-05, which polars spells otherwise
    rows = [*ROWS, "1.000001,2,3,", "1.0001,2,3,", "-0.0,3,1,", "1e300,1e300,4,"] * 2
    path = _points_file(tmp_path / "p.csv", rows)
    args = ["grad", EXPRESSION, "--points", str(path), "--format", fmt, "--b", "2"]
    fast, exact = cli(*args), cli(*args, "--exact")
    assert fast.returncode == exact.returncode == 1
    assert fast.stdout == exact.stdout and fast.stderr == exact.stderr
    assert fast.stdout.count("\n") == len(rows) + (fmt != "jsonl")
    assert "e-07" in fast.stdout and "e-05" in fast.stdout  # Python's spelling, not polars'


def test_exact_is_for_points_only(cli):
    r = cli("grad", "x*2", "--x", "1", "--exact")
    assert r.returncode == 2
    assert r.stderr == (
        "autodiff: error: --exact is for --points: one evaluation, and --lines, are always exact\n"
        'hint: autodiff grad "x**2" --points p.csv --exact\n'
    )


def test_a_million_rows_by_the_installed_command_as_grad_computes_them(tmp_path):
    """Chunks of 4 MiB, a dozen of them, each overlapping the next one's reading."""
    rng = np.random.default_rng(17)
    columns = rng.uniform(-4, 4, size=(3, 1_000_000))
    columns[2, ::1000] = np.nan  # an error row now and then
    path = tmp_path / "p.csv"
    text = "w,x,b\n" + "\n".join(f"{w!r},{x!r},{b!r}" for w, x, b in columns.T.tolist()) + "\n"
    path.write_text(text.replace("nan", ""))
    fast = subprocess.run([str(BIN / "autodiff"), "grad", "tanh(w*x + b)**2", "--points",
                           str(path), "--format", "csv"], capture_output=True, env=user_env(),
                          cwd=tmp_path, timeout=300)  # fmt: skip
    assert fast.returncode == 1
    warning = b"1000 of 1000000 rows failed: see the error records in the output\n"
    assert fast.stderr == b"autodiff: warning: " + warning
    lines = fast.stdout.decode().splitlines()
    assert len(lines) == 1_000_001 and lines[1001] == ",,,,row 1001: no value for b"
    expr = api.parse("tanh(w*x + b)**2")
    run = compile_expression(expr)
    for k in range(1, 1_000_000, 9973):  # rows across every chunk
        if k % 1000 == 1:
            continue
        w, x, b = columns[:, k - 1].tolist()
        assert lines[k] == ",".join(repr(v) for v in run(w, x, b)) + ","


def test_records_stream_out_as_rows_come_in_through_a_pipe():
    proc = subprocess.Popen(
        [str(BIN / "autodiff"), "grad", "x*3", "--points", "-", "--format", "csv"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=user_env(),
    )
    proc.stdin.write("x\n2\n")
    proc.stdin.flush()
    assert proc.stdout.readline() == "value,grad_x,error\n"
    assert proc.stdout.readline() == "6.0,3.0,\n"  # before the input ends
    proc.stdin.write("oops\n")
    proc.stdin.flush()
    assert proc.stdout.readline() == ",,row 2: x: 'oops' is not a number\n"
    ready, _, _ = select.select([proc.stdout], [], [], 0.5)
    assert not ready  # nothing waits to be said
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 130
    assert proc.stderr.read() == "autodiff: interrupted\n"


def test_numpy_and_polars_are_imported_by_the_batch_path_only(tmp_path):
    (tmp_path / "p.csv").write_text("x\n1\n")
    code = (
        "import sys\n"
        "from autodiff_cli.cli import main\n"
        "sys.argv = ['autodiff', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('numpy', 'polars') if m in sys.modules), file=sys.stderr)\n"
    )
    one = subprocess.run([sys.executable, "-c", code, "grad", "x*2", "--x", "1"],
                         capture_output=True, text=True, cwd=tmp_path)  # fmt: skip
    assert one.stderr == "[]\n"
    many = subprocess.run([sys.executable, "-c", code, "grad", "x*2", "--points", "p.csv"],
                          capture_output=True, text=True, cwd=tmp_path)  # fmt: skip
    assert many.stdout == "value\tgrad_x\n2\t2\n" and many.stderr == "['numpy', 'polars']\n"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="0123456789.eE+-_ infatyINFATYxXpP\t\u0663", max_size=8),
                min_size=1, max_size=200))  # fmt: skip
def test_polars_reads_a_cell_as_float_does_or_not_at_all(cells):
    cells = [c for c in cells if c.strip()]  # an empty cell is a missing value in both
    assume(cells)
    data = "".join(f"{c}\n" for c in cells).encode()
    try:
        read = pl.read_csv(data, has_header=False, schema={"c0": pl.Float64}, eol_char="\n")
    except Exception:  # refused: the chunk goes row by row
        return
    if read.height != len(cells):
        return  # another number of rows: row by row too
    for cell, number in zip(cells, read["c0"].to_list()):
        if number is None:
            continue  # a missing value: row by row
        assert same_bits(number, float(cell)), cell


def test_standard_input_from_a_file_ends_quietly_into_head(tmp_path):
    """No thread reads standard input ahead: CPython aborts at exit if one still does."""
    path = tmp_path / "p.csv"
    path.write_text("x,y\n" + "1.5,2\n" * 300_000)
    for _ in range(5):
        r = subprocess.run(
            ["bash", "-c", f'"{BIN}/autodiff" grad "tanh(x*y)+x/y" --points - < "{path}" | head -1;'
             ' echo "${PIPESTATUS[0]}" >&2'],
            capture_output=True, text=True, env=user_env(), timeout=120,
        )  # fmt: skip
        assert (r.stdout, r.stderr) == ("value\tgrad_x\tgrad_y\n", "141\n")


@pytest.mark.parametrize("exact", [False, True])
def test_a_full_disk_is_said_as_for_every_output(tmp_path, exact):
    path = tmp_path / "p.csv"
    path.write_text("x,y\n" + "1.5,2\n" * 20_000)
    with open("/dev/full", "w") as full:
        r = subprocess.run(
            [str(BIN / "autodiff"), "grad", "x*y", "--points", str(path), "--format", "jsonl",
             *(["--exact"] if exact else [])],
            stdout=full, stderr=subprocess.PIPE, text=True, env=user_env(), timeout=120,
        )  # fmt: skip
    assert r.returncode == 2
    assert r.stderr == "autodiff: error: cannot write the output: No space left on device\n"


def test_json_keys_in_the_output_s_own_encoding(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("α,y\n" + "1.5,2\n" * 100, encoding="utf-8")
    env = user_env(PYTHONIOENCODING="latin-1:replace")
    args = [str(BIN / "autodiff"), "grad", "α*y", "--points", str(path), "--format", "jsonl"]
    fast = subprocess.run(args, capture_output=True, env=env, timeout=120)
    exact = subprocess.run([*args, "--exact"], capture_output=True, env=env, timeout=120)
    assert fast.stdout == exact.stdout and b'"\\u03b1": 2.0' in fast.stdout
