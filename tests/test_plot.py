"""`autodiff plot`: a function beside its derivative."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest

from autodiff_cli.api import grad


def test_csv_matches_grad_at_the_samples(cli):
    r = cli("plot", "sin(w*x)*x", "--x", "-2:3", "--w", "1.5", "--samples", "11", "--format", "csv")
    assert r.returncode == 0
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0] == ["x", "value", "derivative"]
    assert len(rows) == 12
    for k, (x, value, derivative) in enumerate(rows[1:]):
        assert float(x) == -2 + 5 * k / 10
        want = grad("sin(w*x)*x", {"x": float(x), "w": 1.5})
        assert (float(value), float(derivative)) == (want.value, want.gradients["x"])


def test_json_leaves_undefined_points_as_null(cli):
    r = cli("plot", "log(x)", "--x", "-1:3", "--samples", "5", "--format", "json")
    data = json.loads(r.stdout)
    assert data["variable"] == "x" and data["expression"] == "log(x)"
    assert data["points"][0] == {"x": -1.0, "value": None, "derivative": None}
    assert data["points"][1] == {"x": 0.0, "value": None, "derivative": None}
    assert data["points"][4]["value"] == math.log(3)


@pytest.mark.parametrize("columns", ["80", "40"])
def test_terminal_plot_has_a_legend_at_any_width(autodiff, columns):
    r = autodiff("plot", "tanh(x)", "--x", "-3:3", COLUMNS=columns)
    assert r.returncode == 0 and r.stderr == ""
    assert "tanh(x)" in r.stdout and "d/dx" in r.stdout
    assert "\x1b[" not in r.stdout  # piped: no colour
    assert max(len(line) for line in r.stdout.splitlines()) <= int(columns)


def test_plot_with_gaps_does_not_fail(autodiff):
    r = autodiff("plot", "sqrt(x)*w", "--x", "-1:3", "--w", "2", COLUMNS="60")
    assert r.returncode == 0 and "d/dx" in r.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (("plot", "tanh(x)", "--x", "1"), "give one variable a range to sweep"),
        (("plot", "x*y", "--x", "0:1", "--y", "0:1"), "only one range at a time"),
        (("plot", "tanh(x)", "--x", "3:1"), "--x 3:1: the range needs LO < HI, both finite"),
        (("plot", "tanh(x)", "--y", "0:1"), "the expression does not use y"),
        (("plot", "x*y", "--x", "0:1"), "missing a value for y"),
    ],
)
def test_plot_usage_errors(cli, args, message):
    r = cli(*args)
    assert r.returncode == 2
    assert f"autodiff: error: {message}\n" in r.stderr
