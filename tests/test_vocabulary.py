"""The extended vocabulary (issue 14): PyTorch's functions, aliases, several
arguments, comparisons and `where`, against 400 independent reference cases
(tests/data/vocab_cases.jsonl, computed with PyTorch float64 and checked with
high-precision arithmetic; see tests/data/vocab_README.md), and the messages a
user meets on the way.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_ops import away_from_kinks, point_strategy

from autodiff_cli import api
from autodiff_cli.compiled import compile_expression
from autodiff_cli.errors import AutodiffError
from autodiff_cli.names import OTHERWISE, distance, hint_for
from autodiff_cli.ops import GROUPS, NAMES, OPS

DATA = Path(__file__).parent / "data" / "vocab_cases.jsonl"
CASES = [json.loads(line) for line in DATA.read_text().splitlines() if line.strip()]
IDS = [f"{i}: {c['expression']}" for i, c in enumerate(CASES)]


def number(x) -> float:
    return float(x)  # "NaN", "Infinity", "-Infinity" as well as numbers


def agrees(got: float, want) -> bool:
    """The README's tolerance; a non-finite reference is matched exactly."""
    want = number(want)
    if not math.isfinite(want):
        return (got != got) if want != want else got == want
    return abs(got - want) <= 1e-9 * max(1.0, abs(want))


def test_there_are_400_cases_and_they_use_every_new_function():
    assert len(CASES) == 400
    used = {name.strip() for c in CASES for name in c["note"].split("| uses")[-1].split(",")}
    old = {"relu", "tanh", "exp", "log", "sigmoid", "sqrt", "abs", "sin", "cos", "tan"}
    new = {op.name for op in OPS if op.function and op.name not in old} - {"pow"}
    assert new - used == set()


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_reference_case_through_the_library(case):
    """Value and every gradient, NaN values included (the API's evaluation, not `grad`,
    which refuses a NaN): PyTorch's gradient outside a domain is its formula there."""
    expr = api.parse(case["expression"])
    evaluation = expr.evaluate(case["point"])
    assert agrees(evaluation.value, case["value"]), evaluation.value
    gradients = evaluation.gradients()
    assert list(gradients) == list(case["gradients"])  # order of first appearance
    for name, want in case["gradients"].items():
        assert agrees(gradients[name], want), (name, gradients[name], want)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_compiled_points_path_gives_the_same_bits(case):
    """`--points` runs generated code with the same rules: the same numbers, bit for bit."""
    expr = api.parse(case["expression"])
    evaluation = expr.evaluate(case["point"])
    run = compile_expression(expr)
    got = run(*(case["point"][name] for name in expr.variables))
    want = (evaluation.value, *evaluation.gradients().values())
    assert [repr(x) for x in got] == [repr(x) for x in want]


def _finite(case) -> bool:
    numbers = [case["value"], *case["gradients"].values()]
    return all(math.isfinite(number(x)) for x in numbers)


SAMPLE = [c for c in CASES if _finite(c)][::20]
UNDEFINED = [c for c in CASES if number(c["value"]) != number(c["value"])][:3]


@pytest.mark.slow
@pytest.mark.parametrize("case", SAMPLE, ids=[c["expression"] for c in SAMPLE])
def test_reference_case_through_the_installed_command(autodiff, case):
    args = [f"--{name}={value!r}" for name, value in case["point"].items()]
    r = autodiff("grad", "--expr", case["expression"], *args, "--format", "json")
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert agrees(got["value"], case["value"])
    assert list(got["gradients"]) == list(case["gradients"])
    assert all(agrees(got["gradients"][k], w) for k, w in case["gradients"].items())
    # The same through --points, whose code is compiled.
    header = ",".join(case["point"])
    row = ",".join(repr(v) for v in case["point"].values())
    r = autodiff("grad", "--expr", case["expression"], "--points", "-", "--format", "jsonl",
                 stdin=f"{header}\n{row}\n")  # fmt: skip
    record = json.loads(r.stdout)
    assert (r.returncode, record["value"], record["gradients"]) == (
        0, got["value"], got["gradients"])  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("case", UNDEFINED, ids=[c["expression"] for c in UNDEFINED])
def test_a_nan_value_is_an_error_through_the_installed_command(autodiff, case):
    args = [f"--{name}={value!r}" for name, value in case["point"].items()]
    r = autodiff("grad", "--expr", case["expression"], *args)
    assert r.returncode == 1
    assert r.stderr.startswith("autodiff: error: ") and " is undefined" in r.stderr


# Conventions at kinks, ties and edges, each by itself: (expression, point, value, gradients).
CONVENTIONS = [
    ("max(x, y, z)", {"x": 2.0, "y": 2.0, "z": 1.0}, 2.0, {"x": 0.5, "y": 0.5, "z": 0.0}),
    ("max(x, x, y)", {"x": 1.0, "y": 1.0}, 1.0, {"x": 2 / 3, "y": 1 / 3}),
    ("max(x, x)", {"x": 3.0}, 3.0, {"x": 1.0}),
    ("min(x, y)", {"x": -1.0, "y": -1.0}, -1.0, {"x": 0.5, "y": 0.5}),
    ("clamp(x, lo, hi)", {"x": 1.0, "lo": 0.0, "hi": 1.0}, 1.0, {"x": 1.0, "lo": 0.0, "hi": 0.0}),
    ("clamp(x, lo, hi)", {"x": -1.0, "lo": 0.0, "hi": 1.0}, 0.0, {"x": 0.0, "lo": 1.0, "hi": 0.0}),
    ("clamp(x, lo, hi)", {"x": -1.0, "lo": 0.0, "hi": 0.0}, 0.0, {"x": 0.0, "lo": 0.0, "hi": 0.0}),
    ("clamp(x, lo, hi)", {"x": 0.5, "lo": 1.0, "hi": 0.0}, 0.0, {"x": 0.0, "lo": 0.0, "hi": 1.0}),
    ("leaky_relu(x)", {"x": 0.0}, 0.0, {"x": 0.01}),
    ("leaky_relu(x, 0.2)", {"x": -2.0}, -0.4, {"x": 0.2}),
    ("elu(x)", {"x": 0.0}, 0.0, {"x": 1.0}),
    ("elu(x, 1.5)", {"x": 0.0}, 0.0, {"x": 1.5}),
    ("softplus(x)", {"x": 800.0}, 800.0, {"x": 1.0}),
    ("softplus(x)", {"x": 20.0}, math.log1p(math.exp(20.0)), {"x": 0.9999999979388463}),
    ("round(x) + round(y) + round(z)", {"x": 0.5, "y": 1.5, "z": -2.5}, 0.0,
     {"x": 0.0, "y": 0.0, "z": 0.0}),
    ("sign(x) + floor(x) + ceil(x) + trunc(x)", {"x": -1.5}, -5.0, {"x": 0.0}),
    ("(x < y) + (x <= y) + (x > y) + (x >= y) + (x == y) + (x != y)", {"x": 1.0, "y": 1.0},
     3.0, {"x": 0.0, "y": 0.0}),
    ("where(x > 0, x*y, -y)", {"x": 2.0, "y": 3.0}, 6.0, {"x": 3.0, "y": 2.0}),
    ("where(x > 0, x*y, -y)", {"x": -2.0, "y": 3.0}, -3.0, {"x": 0.0, "y": -1.0}),
    ("where(c, a, b)", {"c": math.nan, "a": 1.0, "b": 2.0}, 1.0, {"c": 0.0, "a": 1.0, "b": 0.0}),
    ("asin(x)", {"x": 1.0}, math.pi / 2, {"x": math.inf}),
    ("acos(x)", {"x": -1.0}, math.pi, {"x": -math.inf}),
    ("acosh(x)", {"x": 1.0}, 0.0, {"x": math.inf}),
    ("log1p(x)", {"x": -1.0}, -math.inf, {"x": math.inf}),
    ("atanh(x)", {"x": -1.0}, -math.inf, {"x": math.inf}),
    ("atan2(y, x)", {"y": 0.0, "x": 0.0}, 0.0, {"y": 0.0, "x": -0.0}),
    ("logsumexp(x, y)", {"x": 1000.0, "y": 1000.0}, 1000.0 + math.log(2.0), {"x": 0.5, "y": 0.5}),
    ("mean(x, y, x)", {"x": 1.0, "y": 4.0}, 2.0, {"x": 2 / 3, "y": 1 / 3}),
    ("sum(x, y, x)", {"x": 1.0, "y": 4.0}, 6.0, {"x": 2.0, "y": 1.0}),
    ("pow(x, 3) - x**3 + pow(x, y) - x**y", {"x": 2.0, "y": 0.5}, 0.0, {"x": 0.0, "y": 0.0}),
]  # fmt: skip


@pytest.mark.parametrize(
    "source, point, value, gradients", CONVENTIONS, ids=[c[0] for c in CONVENTIONS]
)
def test_convention_at_a_kink_tie_or_edge(source, point, value, gradients):
    evaluation = api.parse(source).evaluate(point)
    assert evaluation.value == pytest.approx(value, rel=1e-15) or evaluation.value == value
    got = evaluation.gradients()
    for name, want in gradients.items():
        same = got[name] == pytest.approx(want, rel=1e-15) or got[name] == want
        assert same and math.copysign(1, got[name]) == math.copysign(1, want), (name, got)


def test_softplus_does_not_overflow_where_its_formula_does(cli):
    r = cli("grad", "softplus(a)", "--a", "800", "--format", "json")
    assert json.loads(r.stdout) == {"expression": "softplus(a)", "value": 800.0,
                                    "gradients": {"a": 1.0}}  # fmt: skip
    r = cli("grad", "log(1+exp(a))", "--a", "800")
    assert r.returncode == 1  # exp(800) is inf, and its gradient inf * 0


ARGUMENTS = {"atan2": "x, 0.5", "clamp": "x, 0, 0.5"}


@pytest.mark.parametrize("alias, name", [(a, op.name) for op in OPS for a in op.aliases])
def test_an_alias_is_exactly_its_function(alias, name):
    x = 1.5 if name == "acosh" else 0.25
    args = ARGUMENTS.get(name, "x")
    a = api.parse(f"{alias}({args})")
    b = api.parse(f"{name}({args})")
    assert a.nodes[a.output].op is b.nodes[b.output].op
    a, b = a.evaluate({"x": x}), b.evaluate({"x": x})
    assert (a.value, a.gradients()) == (b.value, b.gradients())


def test_the_issue_aliases_are_there():
    expected = {
        "ln": "log",
        "arcsin": "asin",
        "arccos": "acos",
        "arctan": "atan",
        "arcsinh": "asinh",
        "arccosh": "acosh",
        "arctanh": "atanh",
        "swish": "silu",
    }
    assert {alias: NAMES[alias].name for alias in expected} == expected


def error_of(source: str) -> AutodiffError:
    with pytest.raises(AutodiffError) as caught:
        api.parse(source)
    return caught.value


@pytest.mark.parametrize(
    "source, message, column, hint",
    [
        ("atan2(y)", "atan2 takes 2 arguments (y, x), got 1", 1, "write atan2(y, x)"),
        ("hypot(x, y, z)", "hypot takes 2 arguments (x, y), got 3", 1, "write hypot(x, y)"),
        ("sin(x, y)", "sin takes 1 argument (x), got 2", 1, "write sin(x)"),
        ("2 + elu(x, 1, 2)", "elu takes 1 or 2 arguments (x, alpha), got 3", 5,
         "write elu(x[, alpha])"),
        ("max()", "max takes 1 or more arguments, got 0", 1, "write max(x, ...)"),
        ("clamp(x, 0)", "clamp takes 3 arguments (x, lo, hi), got 2", 1,
         "write clamp(x, lo, hi)"),
        ("where(x > 0, x)", "where takes 3 arguments (c, a, b), got 2", 1,
         "write where(c, a, b)"),
        ("arctan(x, y)", "arctan takes 1 argument (x), got 2", 1, "write atan(x)"),
        ("elu(x, y)", "elu's alpha must be a number, not the variable y", 8,
         "no gradient is taken with respect to alpha; write a number, as in elu(x, 1)"),
        ("leaky_relu(x, 2*s + t)", "leaky_relu's slope must be a number: 2*s + t depends on s, t",
         15, "no gradient is taken with respect to slope; write a number, "
         "as in leaky_relu(x, 0.01)"),
        ("log(x, 2)", "log takes 1 argument (x), got 2", 1,
         "for a logarithm to base b, write log(x) / log(b); log2 and log10 are built in"),
        ("a < b < c", "comparisons cannot be chained", 7,
         "to ask for both, multiply them: (a < b) * (b < c)"),
        ("x <= 1 == y", "comparisons cannot be chained", 8,
         "to ask for both, multiply them: (x <= 1) * (1 == y)"),
    ],
)  # fmt: skip
def test_arity_and_constant_messages(source, message, column, hint):
    error = error_of(source)
    assert (error.message, error.line_column[1], error.hint) == (message, column, hint)
    assert error.exit_code == 2


@pytest.mark.parametrize(
    "name, hint",
    [
        ("rleu", "did you mean relu?"),
        ("sigmod", "did you mean sigmoid?"),
        ("softpuls", "did you mean softplus?"),
        ("leakyrelu", "did you mean leaky_relu?"),
        ("gelu_tahn", "did you mean gelu_tanh?"),
        ("arctn", "did you mean arctan?"),
        ("sinn", "did you mean sign, sin or sinh?"),
        ("cot", "cot is not built in; write 1 / tan(x)"),
        ("selu", "selu is not built in; write 1.0507009873554805 * elu(x, 1.6732632423543772)"),
        ("maximum", "maximum is not built in; write max(x, y)"),
        ("lgamma", None),
        ("coth", "coth is not built in; write 1 / tanh(x)"),
        ("prelu", "prelu is not built in; write where(x > 0, x, a * x), with a number for a"),
        (
            "fmax",
            "fmax is not built in; write max(x, y); fmax ignores a NaN argument, max returns NaN",
        ),
        (
            "relu6",
            "relu6 is not built in; write clamp(x, 0, 6); at the bounds clamp passes "
            "the gradient, relu6 passes 0",
        ),
        ("sec", "sec is not built in; write 1 / cos(x)"),
        ("Sin", "did you mean sin?"),
        ("ATAN2", "did you mean atan2?"),
        ("pi", "pi is a constant: write pi, without parentheses"),
        ("foo", None),  # three letters: no guess
        ("quux", None),
        ("sinusoidal", None),
    ],
)
def test_did_you_mean_only_when_close_and_never_a_lookalike(name, hint):
    error = error_of(f"{name}(x)")
    assert (error.message, error.hint) == (f"unknown function {name!r}", hint)


def test_a_pytorch_name_written_otherwise_never_shadows_a_function():
    assert not set(OTHERWISE) & set(NAMES)
    for written in OTHERWISE.values():
        if written is not None and "..." not in written:
            expression = written.split("; ")[0].split(", with")[0]
            api.parse(expression.replace("alpha", "2"))  # each is written in the language


OTHER_NAMES = [
    line for line in (DATA.parent / "other_names.txt").read_text().splitlines()
    if line and not line.startswith("#")
]  # fmt: skip


def test_no_function_of_pytorch_or_math_is_answered_with_a_lookalike():
    assert len(OTHER_NAMES) > 700 and not set(OTHER_NAMES) & set(NAMES)
    guessed = {}
    for name in OTHER_NAMES:
        hint = hint_for(name)
        if hint is not None and hint.startswith("did you mean"):
            guessed[name] = hint
    assert guessed == {}


def test_an_enormous_unknown_name_is_answered_at_once():
    assert hint_for("a" * 1_000_000) is None  # too long to be near any name: nothing counted


def test_edit_distance_counts_a_swap_as_one():
    assert [distance(a, b) for a, b in [("rleu", "relu"), ("tanhh", "tanh"), ("abc", "abc"),
            ("sin", "sinh"), ("cot", "cos"), ("", "ab")]] == [1, 1, 0, 1, 1, 2]  # fmt: skip


def test_the_command_line_says_how_to_list_when_nothing_is_close(cli):
    r = cli("grad", "quux(x)", "--x", "1")
    assert (r.returncode, r.stderr) == (
        2,
        "autodiff: error: unknown function 'quux'\n  quux(x)\n  ^^^^\n"
        "hint: autodiff functions lists them all\n",
    )


def test_comparisons_sit_below_plus_and_minus_as_in_python():
    e = api.parse("a + 1 < b * 2 - 1")
    assert e.evaluate({"a": 1.0, "b": 1.5}).value == 0.0  # 2 < 2
    assert e.evaluate({"a": 0.5, "b": 1.5}).value == 1.0
    assert api.parse("-a < b").evaluate({"a": 1.0, "b": -0.5}).value == 1.0
    assert api.parse("(a < b) * 3").evaluate({"a": 1.0, "b": 2.0}).value == 3.0
    assert api.parse("x = a >= b; x + 1").evaluate({"a": 1.0, "b": 1.0}).value == 2.0


def test_where_trap_names_the_nan_and_shows_the_remedy(cli):
    r = cli("grad", "where(x > 0, sqrt(x), 0)", "--x", "-1")
    assert (r.returncode, r.stderr) == (
        1,
        "autodiff: error: the gradient through sqrt(x) with x = -1 is undefined: "
        "x.grad += 0.0 / (2 * nan) is NaN\n"
        "  where(x > 0, sqrt(x), 0)\n"
        "               ^^^^^^^\n"
        "hint: where(x > 0, ...) does not take sqrt(x), but a zero gradient still goes "
        "through it (as in PyTorch); write sqrt(where(x > 0, x, 1)) in its place\n",
    )
    # The remedy works, and agrees with the function where it is defined.
    remedied = "where(x > 0, sqrt(where(x > 0, x, 1)), 0)"
    for x, value, gradient in (("-1", 0.0, 0.0), ("4", 2.0, 0.25)):
        r = cli("grad", remedied, "--x", x, "--format", "json")
        assert json.loads(r.stdout) == {"expression": remedied, "value": value,
                                        "gradients": {"x": gradient}}  # fmt: skip
    r = cli("grad", "where(x > 0, sqrt(x), 0)", "--x", "4", "--format", "json")
    assert json.loads(r.stdout) == {"expression": "where(x > 0, sqrt(x), 0)", "value": 2.0,
                                    "gradients": {"x": 0.25}}  # fmt: skip


def test_the_remedy_picks_an_input_inside_the_domain(cli):
    r = cli("grad", "where(x > 0, acosh(x), 0)", "--x", "-1")
    assert r.stderr.endswith("write acosh(where(x > 0, x, 2)) in its place\n")
    r = cli("grad", "where(x > 1, 0, asin(x))", "--x", "3")  # in the second branch
    assert r.stderr.endswith("write asin(where(x > 1, 0, x)) in its place\n")


@pytest.mark.parametrize(
    "source, point, warning",
    [
        ("floor(x)", {"x": 2.0}, "floor(x) is on a jump at 2 (input 2)"),
        ("round(x)", {"x": 0.50001}, "round(x) is near a jump at 0.5 (input 0.50001)"),
        ("max(x, y)", {"x": 1.0, "y": 1.0}, "max(x, y) has a tie: its two largest arguments "
         "are 1 and 1"),
        ("clamp(x, 0, 1)", {"x": 1.0}, "clamp(x, 0, 1) is on its bound hi = 1 (input 1)"),
        ("x < y", {"x": 1.0, "y": 1.0}, "x < y compares 1 with 1: its value jumps where they "
         "are equal"),
        ("leaky_relu(x)", {"x": 0.0}, "leaky_relu(x) is on its kink at 0 (input 0)"),
    ],
)  # fmt: skip
def test_check_warns_at_every_new_kind_of_kink(source, point, warning):
    result = api.check(api.parse(source), point)
    assert f"{warning}: the two derivatives may legitimately differ there" in result.warnings


def test_the_listing_has_every_row_of_the_table_once_in_its_group(cli):
    r = cli("functions", "--format", "json")
    groups = json.loads(r.stdout)["groups"]
    assert [g["group"] for g in groups] == list(GROUPS)
    listed = [(g["group"], f["name"]) for g in groups for f in g["functions"]]
    assert sorted(listed) == sorted((op.group, op.name) for op in OPS)
    atan2 = next(f for g in groups for f in g["functions"] if f["name"] == "atan2")
    assert atan2 == {"name": "atan2", "write": "atan2(y, x)", "arguments": ["y", "x"],
                     "defaults": {}, "variadic": False, "aliases": ["arctan2"],
                     "derivative": "d atan2(y, x) = (x dy - y dx)/(x**2 + y**2)",
                     "kinks": "y = 0 with x < 0 (the branch cut)",
                     "description": "the angle of the point (x, y), in [-pi, pi]"}  # fmt: skip


def test_the_text_listing_is_the_table_row_by_row(cli):
    lines = cli("functions").stdout.splitlines()
    assert lines[0] == "group\twrite\tderivative\tkinks\twhat it is"
    rows = [line.split("\t") for line in lines[1:]]
    by_group = {g: [op for op in OPS if op.group == g] for g in GROUPS}
    assert [(r[0], r[1]) for r in rows] == [(g, op.usage) for g in GROUPS for op in by_group[g]]
    relu = next(r for r in rows if r[1] == "relu(x)")
    assert relu == ["activations", "relu(x)", "relu'(x) = 1 if x > 0 else 0", "x = 0",
                    "rectified linear unit, max(0, x)"]  # fmt: skip


def test_the_readme_function_list_is_the_listing(cli):
    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    listed = readme.split("<!-- functions: autodiff functions --format markdown -->\n", 1)[1]
    listed = listed.split("<!-- /functions -->", 1)[0]
    assert listed == cli("functions", "--format", "markdown").stdout


def written(op) -> tuple[str, list[str]]:
    """The operation applied to its own variables (x, y, z), as a user writes it."""
    names = ["x", "y", "z"][: 3 if op.arity is None else op.arity]
    if not op.function:
        return op.syntax, names  # x < y; the table's arithmetic rows are tested in test_ops
    return f"{op.name}({', '.join(names)}{', {n}' if op.takes_constant else ''})", names


HESSIAN_OPS = [op for op in OPS if op.function and op.name != "pow"] + [
    op for op in OPS if op.cut and not op.function
]


@pytest.mark.slow
@pytest.mark.parametrize("op", HESSIAN_OPS, ids=lambda op: op.name)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_hessian_matches_differences_of_the_gradient(op, data):
    """`autodiff hessian` of each function, against central differences of `grad`."""
    point = data.draw(point_strategy(op))
    assume(away_from_kinks(op, point))
    template, names = written(op)
    source = template.format(n=repr(point[-1])) if op.takes_constant else template
    at = dict(zip(names, point))
    matrix = api.hessian(source, at).matrix
    for j, name in enumerate(names):
        h = 1e-5 * max(1.0, abs(point[j]))
        up, down = dict(at), dict(at)
        up[name] += h
        down[name] -= h
        g_up, g_down = api.grad(source, up).gradients, api.grad(source, down).gradients
        for row in names:
            numeric = (g_up[row] - g_down[row]) / (2 * h)
            assert matrix[row][name] == pytest.approx(numeric, rel=1e-4, abs=1e-5), (row, name)


def test_nothing_below_a_comparison_is_visited(cli):
    # sqrt's backward at 0 would make 0 / 0 from a zero gradient; the comparison sends none.
    r = cli("grad", "(sqrt(x) < 1) * x + 0*y", "--x", "0", "--y", "1", "--format", "json")
    assert json.loads(r.stdout)["gradients"] == {"x": 1.0, "y": 0.0}
    r = cli("trace", "(sqrt(x) < 1) * x + 0*y", "--x", "0", "--y", "1", "--format", "text")
    assert "Reversed:          [L, d, y, 0, c, b, x]  (without what lies only below a " \
        "comparison: it gets no gradient)\n" in r.stdout  # fmt: skip
    assert "b     Lt backward: a gets no gradient (a comparison passes none), 1 gets no " \
        "gradient (a comparison passes none)" in r.stdout  # fmt: skip


def test_the_where_remedy_never_fails_for_a_function_of_several_arguments(cli):
    r = cli("grad", "where(x > 0, x, min(y))", "--x", "1", "--y", "nan")
    assert r.returncode == 1 and "internal error" not in r.stderr
    assert r.stderr.endswith("give it an input where it is defined, inside a where\n")


@pytest.mark.parametrize(
    "source, hint",
    [("x => y", "write >= for =>"), ("x =< y", "write <= for =<"), ("x <> y", "write != for <>"),
     ("x <=> y", None), ("x ==< y", None)],
)  # fmt: skip
def test_a_comparison_written_another_way_gets_its_spelling(source, hint):
    assert error_of(source).hint == hint


def test_pytorchs_in_place_names_point_at_the_function():
    assert error_of("log_(x)").hint == "did you mean log?"
    assert error_of("sigmoid_(x)").hint == "did you mean sigmoid?"


def test_check_warns_about_ten_kinks_then_counts_the_rest():
    source = "max(" * 30 + "x" + ", x)" * 30
    warnings = api.check(api.parse(source), {"x": 1.0}).warnings
    assert len(warnings) == 11 and warnings[-1] == "and 20 more operations on or near a kink"
    assert all(len(w) < 200 for w in warnings)


def test_a_trace_of_many_arguments_has_one_text_each():
    source = f"sum({', '.join(['x'] * 500)}) + max(x, x)"
    steps = api.trace(api.parse(source), {"x": 2.0}).steps
    texts = [s.fragments for s in steps if s.title == "Sum backward"][0]
    assert texts == ["x.grad += 1.0"] * 500
    texts = [s.fragments for s in steps if s.title == "Max backward"][0]
    assert texts == ["x.grad += 1.0 / 2"] * 2
