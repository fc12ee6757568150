"""Derivatives of any order: `grad --order N`, `plot --order N`, against closed forms."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest

from autodiff_cli import api
from autodiff_cli.errors import AutodiffError

S, C = math.sin(0.7), math.cos(0.7)


# Closed forms, n = 1..8: every one a power of two, a factorial or sin/cos, so exact.
CLOSED = [
    ("sin(x)", 0.7, lambda n: (C, -S, -C, S)[(n - 1) % 4]),
    ("x**5", 2.0, lambda n: math.perm(5, n) * 2.0 ** (5 - n) if n <= 5 else 0.0),
    ("exp(2*x)", 0.3, lambda n: 2.0**n * math.exp(0.6)),
    ("1/x", 2.0, lambda n: (-1) ** n * math.factorial(n) / 2.0 ** (n + 1)),
    ("log(x)", 2.0, lambda n: (-1) ** (n - 1) * math.factorial(n - 1) / 2.0**n),
]


@pytest.mark.parametrize("order", range(1, 9))
@pytest.mark.parametrize("source, x, nth", CLOSED)
def test_every_order_against_its_closed_form(source, x, nth, order):
    result = api.grad(source, {"x": x}, order=order)
    assert result.order == order
    assert result.gradients == {"x": nth(order)}


def test_several_variables_each_its_own_nth_derivative():
    # x**3*y**2 at (2, 3): d2/dx2 = 6xy**2, d2/dy2 = 2x**3; d3/dx3 = 6y**2, d3/dy3 = 0.
    point = {"x": 2.0, "y": 3.0}
    assert api.grad("x**3*y**2", point, order=2).gradients == {"x": 108.0, "y": 16.0}
    assert api.grad("x**3*y**2", point, order=3).gradients == {"x": 54.0, "y": 0.0}
    assert api.grad("x**3*y**2", point, ["y"], order=4).gradients == {"y": 0.0}


def test_tanh_to_the_third_against_its_closed_form():
    t = math.tanh(0.5)
    want = [1 - t * t, -2 * t * (1 - t * t), -2 * (1 - t * t) * (1 - 3 * t * t)]
    got = [api.grad("tanh(x)", {"x": 0.5}, order=n).gradients["x"] for n in (1, 2, 3)]
    assert got == pytest.approx(want, rel=1e-14)


FD_CASES = [
    ("tanh(w*x + b)**2", {"w": 0.5, "x": 2.0, "b": -0.3}),
    ("sin(x)*exp(x)", {"x": 0.7}),
    ("(x**2 + 1)/(x**3 - x + 2)*log(1 + x**2)", {"x": 0.4}),
    ("sigmoid(a*x)*cos(x*a) + x**y", {"a": 1.3, "x": 0.8, "y": 2.5}),
]


@pytest.mark.parametrize("source, point", FD_CASES)
def test_each_order_is_the_central_difference_of_the_one_before(source, point):
    """d^N/dx^N against (d^(N-1)(x+h) - d^(N-1)(x-h)) / 2h, for N = 1..8: order 1 against
    the function itself, so the whole chain rests on finite differences."""
    for name in api.parse(source).variables:
        x = point[name]
        h = 1e-5 * max(1.0, abs(x))
        up, down = {**point, name: x + h}, {**point, name: x - h}
        for n in range(1, 9):
            got = api.grad(source, point, [name], order=n).gradients[name]
            if n == 1:
                f_up, f_down = api.grad(source, up).value, api.grad(source, down).value
            else:
                f_up = api.grad(source, up, [name], order=n - 1).gradients[name]
                f_down = api.grad(source, down, [name], order=n - 1).gradients[name]
            numeric = (f_up - f_down) / ((x + h) - (x - h))
            scale = max(abs(got), abs(f_up), 1.0)
            assert abs(got - numeric) <= 1e-5 * scale, (name, n, got, numeric)


@pytest.mark.parametrize(
    "source, point",
    [("x**3*y + sin(x*y)", {"x": 1.2, "y": -0.7}), ("tanh(w*x + b)**2", FD_CASES[0][1])],
)
def test_hessian_diagonal_is_order_2_bit_for_bit(source, point):
    hessian = api.hessian(source, point).matrix
    second = api.grad(source, point, order=2).gradients
    assert second == {name: hessian[name][name] for name in second}


def test_hessian_of_sin_xy_against_its_closed_form():
    x, y = 0.9, -0.4
    m = api.hessian("sin(x*y)", {"x": x, "y": y}).matrix
    s, c = math.sin(x * y), math.cos(x * y)
    want = {"x": {"x": -y * y * s, "y": c - x * y * s}, "y": {"x": c - x * y * s, "y": -x * x * s}}
    for row in want:
        assert [m[row][k] for k in want] == pytest.approx([want[row][k] for k in want], rel=1e-15)


def test_nan_names_its_order():
    # |x|**2.5 at 0: d3 = 1.875 |x|**-0.5 sign(x), +inf on one side and -inf on the other.
    with pytest.raises(AutodiffError) as info:
        api.grad("abs(x)**2.5", {"x": 0.0}, order=3)
    assert (info.value.kind, info.value.message) == (
        "undefined",
        "the third derivative with respect to x is undefined here",
    )
    assert api.grad("abs(x)**2.5", {"x": 0.0}, order=2).gradients == {"x": 0.0}


def test_infinities_warn_with_their_order():
    # x**2.5 at 0: d3/dx3 = 1.875 x**-0.5, +inf.
    result = api.grad("x**2.5", {"x": 0.0}, order=3)
    assert result.gradients == {"x": math.inf}
    assert result.warnings == ["the third derivative with respect to x is inf"]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: api.grad("x", {"x": 1.0}, order=9), "order 9: the order is from 1 to 8"),
        (lambda: api.grad("x", {"x": 1.0}, order=0), "order 0: the order is from 1 to 8"),
        (lambda: api.sample("x", "x", 0.0, 1.0, order=4), "order 4: the order is from 1 to 3"),
    ],
)
def test_api_order_out_of_range(call, message):
    with pytest.raises(AutodiffError) as info:
        call()
    assert (info.value.kind, info.value.message) == ("usage", message)


# The command line, through the installed command.
def test_text_names_each_number(autodiff):
    r = autodiff("grad", "x**3*y", "--x", "2", "--y", "3", "--order", "3")
    assert (r.returncode, r.stdout, r.stderr) == (0, "value\t24\nd3/dx3\t18\nd3/dy3\t0\n", "")
    r = autodiff("grad", "x**5", "--x", "2", "--order", "4", "--wrt", "x")
    assert r.stdout == "value\t32\nd4/dx4\t240\n"
    r = autodiff("grad", "x**3*y", "--x", "2", "--y", "3")  # order 1: a gradient, by name
    assert r.stdout == "value\t24\nx\t36\ny\t8\n"


def test_every_format_names_the_order(cli):
    args = ("grad", "x**3*y", "--x", "2", "--y", "3", "--order", "3", "--format")
    assert json.loads(cli(*args, "json").stdout) == {
        "expression": "x**3*y",
        "value": 24.0,
        "third_derivatives": {"x": 18.0, "y": 0.0},
    }
    assert cli(*args, "csv").stdout == "value,d3_x,d3_y\n24.0,18.0,0.0\n"
    assert cli(*args, "tsv").stdout == "value\td3_x\td3_y\n24.0\t18.0\t0.0\n"
    markdown = cli(*args, "markdown").stdout.splitlines()
    assert markdown[2:] == [
        "| | value | third derivative |",
        "|---|---:|---:|",
        "| output | 24 | |",
        "| x | 2 | 18 |",
        "| y | 3 | 0 |",
    ]
    table = cli(*args, "table").stdout
    assert "third derivative" in table and "gradient" not in table
    assert "gradient" in cli("grad", "x**3*y", "--x", "2", "--y", "3", "--format", "table").stdout


def test_an_infinite_nth_derivative_warns_by_its_order(autodiff):
    r = autodiff("grad", "x**1.5", "--x", "0", "--order", "4")
    assert (r.returncode, r.stdout) == (0, "value\t0\nd4/dx4\tinf\n")
    assert r.stderr == "autodiff: warning: the fourth derivative with respect to x is inf\n"


def test_an_undefined_nth_derivative_fails_by_its_order(autodiff):
    r = autodiff("grad", "abs(x)**2.5", "--x", "0", "--order", "5")
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == "autodiff: error: the fifth derivative with respect to x is undefined here\n"


@pytest.mark.parametrize(
    "args, stderr",
    [
        (("grad", "x", "--x", "1", "--order", "9"),
         "autodiff: error: invalid value for '--order': 9 is not in the range 1<=x<=8.\n"),
        (("grad", "x", "--x", "1", "--order", "0"),
         "autodiff: error: invalid value for '--order': 0 is not in the range 1<=x<=8.\n"),
        (("plot", "x", "--x", "0:1", "--order", "4"),
         "autodiff: error: invalid value for '--order': 4 is not in the range 1<=x<=3.\n"),
        (("grad", "x", "--x", "1", "--order", "3", "--trace"),
         "autodiff: error: --order 3 goes with one evaluation, without --trace, --lines or "
         "--points\n"),
        (("grad", "x", "--order", "2", "--points", "-"),
         "autodiff: error: --order 2 goes with one evaluation, without --trace, --lines or "
         "--points\n"),
    ],
)  # fmt: skip
def test_order_out_of_range_is_a_usage_error(autodiff, args, stderr):
    r = autodiff(*args, stdin="x\n1\n")
    assert (r.returncode, r.stdout, r.stderr) == (2, "", stderr)


def test_plot_order_2_csv_against_closed_forms(autodiff):
    # x**3 - 2*x: 3x**2 - 2, then 6x.
    r = autodiff("plot", "x**3 - 2*x", "--x", "-2:2", "--samples", "5", "--order", "2",
                 "--format", "csv")  # fmt: skip
    assert (r.returncode, r.stderr) == (0, "")
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0] == ["x", "value", "derivative", "second_derivative"]
    for k, row in enumerate(rows[1:]):
        x = -2.0 + k
        assert [float(v) for v in row] == [x, x**3 - 2 * x, 3 * x * x - 2, 6 * x]
    assert len(rows) == 6


def test_plot_order_3_of_sin(cli):
    r = cli("plot", "sin(x)", "--x", "0:3", "--samples", "4", "--order", "3", "--format", "csv")
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0][2:] == ["derivative", "second_derivative", "third_derivative"]
    for row in rows[1:]:
        x = float(row[0])
        s, c = math.sin(x), math.cos(x)
        assert [float(v) for v in row[1:]] == [s, c, -s, -c]


def test_plot_order_2_keeps_the_first_derivative_bit_for_bit(cli):
    args = ("plot", "tanh(w*x)**2", "--x", "-1:2", "--w", "0.7", "--samples", "9", "--format")
    first = list(csv.reader(io.StringIO(cli(*args, "csv").stdout)))
    second = list(csv.reader(io.StringIO(cli(*args, "csv", "--order", "2").stdout)))
    assert [row[:3] for row in second] == first


def test_plot_order_2_json_leaves_undefined_points_as_null(cli):
    r = cli("plot", "log(x)", "--x", "-1:3", "--samples", "5", "--order", "2", "--format", "json")
    points = json.loads(r.stdout)["points"]
    none = {"value": None, "derivative": None, "second_derivative": None}
    assert points[0] == {"x": -1.0, **none} and points[1] == {"x": 0.0, **none}
    assert points[4] == {"x": 3.0, "value": math.log(3), "derivative": 1 / 3,
                         "second_derivative": -1 / 9}  # fmt: skip


@pytest.mark.parametrize("columns", ["100", "60"])
def test_plot_order_2_draws_three_curves(autodiff, columns):
    r = autodiff("plot", "x**3 - 2*x", "--x", "-2:2", "--order", "2", COLUMNS=columns)
    assert (r.returncode, r.stderr) == (0, "")
    lines = r.stdout.splitlines()
    assert "x**3 - 2*x and its derivatives" in lines[0]
    assert "d/dx" in r.stdout and "d2/dx2" in r.stdout and "d3/dx3" not in r.stdout
    assert max(len(line) for line in lines) <= int(columns)
    first = autodiff("plot", "x**3 - 2*x", "--x", "-2:2", COLUMNS=columns).stdout
    title = first.splitlines()[0].strip()
    assert title == "x**3 - 2*x and its derivative" and "d2/dx2" not in first


def test_plot_work_counts_the_extra_orders(autodiff):
    # x**3 is 2 operations; to the third derivative a sample costs 2 * (1 + 10 * 3**2) = 182,
    # and 80,000,000 // 182 = 439,560 samples fit.
    r = autodiff("plot", "x**3", "--x", "0:1", "--samples", "1000000", "--order", "3")
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == (
        "autodiff: error: --samples 1000000 is more work than plot takes for 2 operations "
        "to the third derivative (about 20 s at most)\n"
        "hint: at most --samples 439560 for this expression\n"
    )
