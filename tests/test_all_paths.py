"""One answer on every path: the same expression and point give the same numbers,
bit for bit, and the same exit code through every command.

The paths: grad, trace, grad --lines, grad --points (the compiled code),
jacobian, hessian, check, grad --order 2 and plot. They are run on the 300
conformance cases, the 400 cases of the extended vocabulary and the singular
cases of issue 11, in this process.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
CONFORMANCE = [
    json.loads(line)
    for name in ("grad_cases.jsonl", "vocab_cases.jsonl")
    for line in (DATA / name).read_text().splitlines()
    if line.strip()
]

# Where PyTorch divides or masks instead of multiplying: each of these took
# one path to an error or an infinity and another to a number.
SINGULAR = [
    ("sqrt(relu(x))", {"x": -1.0}),
    ("sqrt(relu(x))", {"x": 0.0}),
    ("log(relu(x))", {"x": -1.0}),
    ("(-2)**relu(x)", {"x": -1.0}),
    ("(-2)**(x**0)", {"x": 3.0}),
    ("log(x)*1e-10", {"x": 1e-310}),
    ("x/y*1e-20", {"x": 1e-30, "y": 1e-310}),
    ("x + 0*log(x)", {"x": 5e-324}),
    ("sqrt(x)", {"x": -0.0}),
    ("x**0.5", {"x": -0.0}),
    ("x*y", {"x": 1.0, "y": -0.0}),
    ("x + sqrt(-1)**0", {"x": 1.0}),
    ("relu(-sqrt(x)) + 0*x", {"x": 0.0}),  # NaN in PyTorch too: -0.0 / (2 * 0.0)
    ("sqrt(x) - sqrt(x)", {"x": 0.0}),  # inf - inf
    ("log(x) + y", {"x": -1.0, "y": 2.0}),  # a NaN value
    ("exp(x)*0 + x", {"x": 1000.0}),
    ("y*sqrt(x)*sqrt(x)", {"x": 0.0, "y": 1.0}),  # NaN in d/dx, and in d2/dxdy only
    ("relu(-sqrt(x)) + 0*x + y", {"y": 2.0, "x": 0.0}),  # plot sweeps y: no gap
]


def number(x):
    """A number of the JSON output: non-finite ones are written as strings."""
    return {"Infinity": math.inf, "-Infinity": -math.inf, "NaN": math.nan}.get(x, x)


def bits(x: float):
    """What must be equal: NaN is NaN, and the sign of a zero counts."""
    x = float(x)
    return "nan" if math.isnan(x) else (x, math.copysign(1.0, x))


class Answer:
    """One path's answer: exit code, then the value and gradients or the error message."""

    def __init__(self, code: int, value=None, gradients=None, error=None):
        self.code, self.error = code, error
        self.value = None if value is None else bits(number(value))
        self.gradients = None
        if gradients is not None:
            self.gradients = {name: bits(number(g)) for name, g in gradients.items()}

    def __repr__(self) -> str:
        return f"Answer({self.code}, {self.value}, {self.gradients}, {self.error!r})"


def options(point, joined: bool = True):
    """--x=1.5, or --x 1.5 (both ways go through the command line's own parsing)."""
    if joined:
        return [f"--{name}={value!r}" for name, value in point.items()]
    return [word for name, value in point.items() for word in (f"--{name}", repr(value))]


def from_json(r, value="value", gradients="gradients") -> Answer:
    if r.returncode != 0 and not r.stdout.startswith('{"expression"'):
        return Answer(r.returncode, error=json.loads(r.stdout)["error"]["message"])
    obj = json.loads(r.stdout)
    return Answer(r.returncode, obj[value], obj[gradients])


def record(r, line: str) -> Answer:
    obj = json.loads(line)
    if "error" in obj:
        return Answer(r.returncode, error=obj["error"]["message"])
    return Answer(r.returncode, obj["value"], obj["gradients"])


def every_path(cli, expression: str, point: dict) -> dict[str, Answer]:
    given, apart = options(point), options(point, joined=False)
    answers = {}
    answers["grad"] = from_json(cli("grad", "--expr", expression, *apart, "--format", "json"))
    answers["trace"] = from_json(cli("trace", "--expr", expression, *given, "--format", "json"))
    r = cli("grad", "--lines", "-", *given, "--format", "jsonl", stdin=expression + "\n")
    answers["--lines"] = record(r, r.stdout)
    rows = ",".join(point) + "\n" + ",".join(repr(v) for v in point.values()) + "\n"
    r = cli("grad", "--expr", expression, "--points", "-", "--format", "jsonl", stdin=rows)
    answers["--points"] = record(r, r.stdout)
    r = cli("jacobian", "--expr", expression, *given, "--format", "json")
    if r.returncode == 0:
        obj = json.loads(r.stdout)
        answers["jacobian"] = Answer(0, obj["values"][0], obj["jacobian"][0])
    else:
        answers["jacobian"] = from_json(r)
    r = cli("check", "--expr", expression, *apart, "--format", "json")
    if r.stdout.startswith('{"expression"'):
        obj = json.loads(r.stdout)
        # Exit 1 with a report: finite differences disagree, which is check's own answer.
        assert r.returncode == (1 if obj["ok"] is False else 0)  # None: some unchecked
        grads = {row["name"]: row["autodiff"] for row in obj["variables"]}
        answers["check"] = Answer(0, obj["value"], grads)
    else:
        answers["check"] = from_json(r)
    return answers


def second_order(cli, expression: str, point: dict, grad: Answer) -> None:
    """hessian prints grad's value and gradients; --order 2 its diagonal, or the same error."""
    r = cli("hessian", "--expr", expression, *options(point, False), "--format", "json")
    hessian = json.loads(r.stdout)
    r2 = cli("grad", "--expr", expression, *options(point), "--order", "2", "--format", "json")
    order2 = json.loads(r2.stdout)
    if grad.code != 0:
        assert r.returncode == r2.returncode == grad.code
        assert hessian["error"]["message"] == order2["error"]["message"] == grad.error
        return
    if r.returncode == 0:
        answer = Answer(0, hessian["value"], hessian["gradients"])
        assert (answer.value, answer.gradients) == (grad.value, grad.gradients)
        diagonal = {name: bits(number(row[name])) for name, row in hessian["hessian"].items()}
    else:  # a second derivative is undefined where the first is not
        assert r.returncode == 1 and "second derivative" in hessian["error"]["message"]
        diagonal = None
    if r2.returncode == 0:
        got = {name: bits(number(d)) for name, d in order2["second_derivatives"].items()}
        assert diagonal is None or got == diagonal
        assert "nan" not in got.values()
    else:  # only where a second derivative --order 2 prints is NaN
        assert r2.returncode == 1 and "second derivative" in order2["error"]["message"]
        assert diagonal is None or "nan" in diagonal.values()


def plotted(cli, expression: str, point: dict):
    """plot's first sample, at the point itself: (value, derivative) of the first variable.

    It differentiates the swept variable only: it answers as `grad --wrt` that one.
    """
    first, *_ = point
    lo = point[first]
    given = options({k: v for k, v in point.items() if k != first})
    r = cli("plot", "--expr", expression, f"--{first}={lo!r}:{lo + 1!r}", *given,
            "--samples", "2", "--format", "csv")  # fmt: skip
    assert r.returncode == 0, r.stderr
    x, value, derivative = r.stdout.splitlines()[1].split(",")
    assert bits(x) == bits(lo)
    return bits(value), bits(derivative)


def check_case(cli, expression: str, point: dict) -> None:
    answers = every_path(cli, expression, point)
    grad = answers["grad"]
    for path, answer in answers.items():
        assert answer.code == grad.code, (path, answer, grad)
        if grad.code == 0:
            assert (answer.value, answer.gradients) == (grad.value, grad.gradients), (path, answer)
        else:
            assert answer.error == grad.error, (path, answer.error, grad.error)
    second_order(cli, expression, point, grad)
    if all(math.isfinite(v) for v in point.values()):
        value, derivative = plotted(cli, expression, point)
        first = next(iter(point))
        r = cli("grad", "--expr", expression, *options(point), "--wrt", first, "--format", "json")
        one = from_json(r)
        if one.code == 0:
            assert (value, derivative) == (one.value, one.gradients[first])
        else:  # a gap where grad --wrt fails: the value or the derivative is NaN
            assert "nan" in (value, derivative)


@pytest.mark.parametrize("expression, point", SINGULAR, ids=[e for e, _ in SINGULAR])
def test_singular_cases_agree_on_every_path(cli, expression, point):
    check_case(cli, expression, point)


@pytest.mark.parametrize(
    "case", CONFORMANCE, ids=[f"{i}: {c['expression']}" for i, c in enumerate(CONFORMANCE)]
)
def test_conformance_cases_agree_on_every_path(cli, case):
    check_case(cli, case["expression"], case["point"])
