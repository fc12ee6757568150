"""Trace mode against the walkthrough's worked example, row for row."""

from __future__ import annotations

import json
import math
import re

import pytest
from test_conformance import CASES

from autodiff_cli.api import grad, parse, trace
from autodiff_cli.errors import AutodiffError
from autodiff_cli.kernels import f_sigmoid, f_sign
from autodiff_cli.ops import OPS
from autodiff_cli.render import Style, walk
from autodiff_cli.steps import node_names

POINT = {"a": 2.0, "b": -3.0, "c": 10.0}
WORKED = ("trace", "relu(a*b+c)", "--a", "2", "--b", "-3", "--c", "10")

# The walkthrough's "Full Worked Example", section by section.
WALKTHROUGH_STEPS = [
    (0, "L", "Seed: L.grad = 1", {"L": 1.0}),
    (1, "L", "ReLU backward: e.grad += (4.0 > 0) * 1.0", {"e": 1.0}),
    (2, "e", "Add backward: d.grad += 1.0, c.grad += 1.0", {"d": 1.0, "c": 1.0}),
    (3, "c", "Leaf node, no-op", {}),
    (4, "d", "Mul backward: a.grad += (-3.0) * 1.0, b.grad += (2.0) * 1.0", {"a": -3.0, "b": 2.0}),
    (5, "b", "Leaf node, no-op", {}),
    (6, "a", "Leaf node, no-op", {}),
]


@pytest.mark.parametrize(
    "source", ["relu(a*b+c)", "d = a*b; e = d + c; L = relu(e)", "d = a*b\ne = d+c\nL = relu(e)"]
)
def test_worked_example_section_by_section(source):
    t = trace(source, POINT)
    assert [(n.name, n.formula, n.data) for n in t.nodes] == [
        ("a", "input", 2.0),
        ("b", "input", -3.0),
        ("d", "a * b", -6.0),
        ("c", "input", 10.0),
        ("e", "d + c", 4.0),
        ("L", "relu(e)", 4.0),
    ]
    assert walk.orders(t) == ("[a, b, d, c, e, L]", "[L, e, c, d, b, a]")
    assert [(s.step, s.node, s.action, s.updates) for s in t.steps] == WALKTHROUGH_STEPS
    final = walk.sections(t, Style())[2]
    assert final.rows == [
        ["a", "2.0", "-3.0", "If a increases by h, L decreases by 3h"],
        ["b", "-3.0", "2.0", "If b increases by h, L increases by 2h"],
        ["c", "10.0", "1.0", "If c increases by h, L increases by h"],
    ]


WORKED_TEXT = """\
Forward pass
Node  Operation  data
a     input      2.0
b     input      -3.0
d     a * b      -6.0
c     input      10.0
e     d + c      4.0
L     relu(e)    4.0

Graph
L = relu(e) = 4.0
`-- e = d + c = 4.0
    |-- d = a * b = -6.0
    |   |-- a = 2.0
    |   `-- b = -3.0
    `-- c = 10.0

Topological order: [a, b, d, c, e, L]
Reversed:          [L, e, c, d, b, a]

Backward pass
Step  Node  Action                                                       Result
0     L     Seed: L.grad = 1                                             L.grad = 1.0
1     L     ReLU backward: e.grad += (4.0 > 0) * 1.0                     e.grad = 1.0
2     e     Add backward: d.grad += 1.0, c.grad += 1.0                   d.grad = 1.0, c.grad = 1.0
3     c     Leaf node, no-op                                             --
4     d     Mul backward: a.grad += (-3.0) * 1.0, b.grad += (2.0) * 1.0  a.grad = -3.0, b.grad = 2.0
5     b     Leaf node, no-op                                             --
6     a     Leaf node, no-op                                             --

Final gradients
Node  data  grad  Meaning
a     2.0   -3.0  If a increases by h, L decreases by 3h
b     -3.0  2.0   If b increases by h, L increases by 2h
c     10.0  1.0   If c increases by h, L increases by h
"""

WORKED_MARKDOWN_STEPS = (
    "| Step | Node | Action | Result |\n"
    "|---|---|---|---|\n"
    "| 0 | L | Seed: `L.grad = 1` | L.grad = 1.0 |\n"
    "| 1 | L | ReLU backward: `e.grad += (4.0 > 0) * 1.0` | e.grad = 1.0 |\n"
    "| 2 | e | Add backward: `d.grad += 1.0`, `c.grad += 1.0` | d.grad = 1.0, c.grad = 1.0 |\n"
    "| 3 | c | Leaf node, no-op | -- |\n"
    "| 4 | d | Mul backward: `a.grad += (-3.0) * 1.0`, `b.grad += (2.0) * 1.0` "
    "| a.grad = -3.0, b.grad = 2.0 |\n"
    "| 5 | b | Leaf node, no-op | -- |\n"
    "| 6 | a | Leaf node, no-op | -- |\n"
)


def test_worked_example_as_plain_text(cli):
    r = cli(*WORKED)
    assert (r.returncode, r.stdout, r.stderr) == (0, WORKED_TEXT, "")


def test_grad_dash_dash_trace_is_the_same_as_trace(cli):
    assert cli("grad", *WORKED[1:], "--trace").stdout == WORKED_TEXT


def test_worked_example_as_markdown(cli):
    out = cli(*WORKED, "--format", "markdown").stdout
    assert out.startswith("## Trace of `relu(a*b+c)`\n\n### Forward pass\n\n")
    assert WORKED_MARKDOWN_STEPS in out
    assert "Topological order: `[a, b, d, c, e, L]`\n\nReversed: `[L, e, c, d, b, a]`" in out
    assert "| a | 2.0 | -3.0 | If a increases by h, L decreases by 3h |\n" in out


def test_worked_example_on_a_terminal_shows_tables_and_a_tree(autodiff):
    r = autodiff(*WORKED, "--format", "table", "--color", "never", COLUMNS="140")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert "└── e = d + c = 4.0" in lines
    assert "Topological order: [a, b, d, c, e, L]" in lines
    row = "│ 4    │ d    │ Mul backward: a.grad += (-3.0) * 1.0, b.grad += (2.0) * 1.0 │"
    assert any(line.startswith(row) for line in lines)
    assert "│ a    │ 2.0  │ -3.0 │ If a increases by h, L decreases by 3h │" in lines


def test_json_schema(cli):
    r = cli(*WORKED, "--format", "json")
    data = json.loads(r.stdout)
    assert list(data) == [
        "expression",
        "nodes",
        "topological_order",
        "steps",
        "value",
        "gradients",
    ]
    assert data["nodes"][2] == {
        "name": "d",
        "op": "*",
        "inputs": ["a", "b"],
        "data": -6.0,
        "grad": 1.0,
    }
    assert data["nodes"][0]["op"] is None
    assert data["topological_order"] == ["a", "b", "d", "c", "e", "L"]
    steps = [(s["step"], s["node"], s["action"], s["updates"]) for s in data["steps"]]
    assert steps == WALKTHROUGH_STEPS
    assert data["value"] == 4.0
    assert data["gradients"] == {"a": -3.0, "b": 2.0, "c": 1.0}


def test_reused_variable():
    t = trace("x*x + x", {"x": 3.0})
    assert [(s.node, s.action, s.updates) for s in t.steps] == [
        ("L", "Seed: L.grad = 1", {"L": 1.0}),
        ("L", "Add backward: a.grad += 1.0, x.grad += 1.0", {"a": 1.0, "x": 1.0}),
        ("a", "Mul backward: x.grad += (3.0) * 1.0, x.grad += (3.0) * 1.0", {"x": 7.0}),
        ("x", "Leaf node, no-op", {}),
    ]


@pytest.mark.parametrize(
    "source, action",
    [
        ("x - y", "Sub backward: x.grad += 1.0, y.grad += (-1) * 1.0"),
        ("x / y", "Div backward: x.grad += 1.0 / 4.0, y.grad += -((2.0 / 4.0) / 4.0) * 1.0"),
        ("-x", "Neg backward: x.grad += (-1) * 1.0"),
        ("x**3", "Pow backward: x.grad += (3 * 2.0**(3 - 1)) * 1.0"),
        (
            "x**y",
            "Pow backward: x.grad += (4.0 * 2.0**(4.0 - 1)) * 1.0, "
            "y.grad += (16.0 * log(2.0)) * 1.0",
        ),  # fmt: skip
        ("tanh(x)", f"Tanh backward: x.grad += (1 - {math.tanh(2.0)!r}**2) * 1.0"),
        ("exp(x)", f"Exp backward: x.grad += ({math.exp(2.0)!r}) * 1.0"),
        ("log(x)", "Log backward: x.grad += 1.0 / 2.0"),
        ("sqrt(x)", f"Sqrt backward: x.grad += 1.0 / (2 * {math.sqrt(2.0)!r})"),
        ("abs(x)", "Abs backward: x.grad += sign(2.0) * 1.0"),
        ("sin(x)", "Sin backward: x.grad += cos(2.0) * 1.0"),
        ("cos(x)", "Cos backward: x.grad += (-sin(2.0)) * 1.0"),
    ],
)
def test_action_text_of_operations(source, action):
    assert trace(source, {"x": 2.0, "y": 4.0}).steps[1].action == action


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
def test_every_operation_has_its_own_action_text(op):
    source = {
        "add": "x + y",
        "sub": "x - y",
        "mul": "x * y",
        "div": "x / y",
        "neg": "-x",
        "pow_const": "x ** 2",
        "pow": "x ** y",
    }.get(op.name)
    if source is None and not op.function:
        source = op.syntax  # x < y
    elif source is None:  # a call with as many variables as it takes nodes: f(x), atan2(x, y)
        count = 1 if op.takes_constant else len(op.params)
        source = f"{op.name}({', '.join('xyz'[:count])})"
    x = 1.5 if op.name == "acosh" else 0.5  # inside the domain
    step = trace(source, {"x": x, "y": 1.5, "z": 2.5}).steps[1]
    assert step.title == f"{op.trace[0]} backward"
    assert len(step.fragments) == len(re.findall(r"\b[xyz]\b", source))
    passed = [f for k, f in enumerate(step.fragments) if k not in op.cut]
    for k in op.cut:  # an input that gets no gradient at all says so
        assert step.fragments[k] == f"{'xyz'[k]} {op.trace[k + 1]}"
    assert all(f.startswith(("x.grad += ", "y.grad += ", "z.grad += ")) for f in passed)
    assert "{" not in step.action
    # The text is the arithmetic that ran: evaluated, it gives what the input received.
    functions = {"sign": f_sign, "sigmoid": f_sigmoid, "pi": math.pi, **vars(math)}
    for fragment, received in zip(passed, step.updates.values()):
        text = fragment.split(" += ", 1)[1].replace("True", "1").replace("False", "0")
        text = re.sub(r" \([^()]*[a-z][^()]*\)$", "", text)  # a closing remark in words
        assert eval(text, {"__builtins__": {}}, functions) == received, fragment  # noqa: S307


def test_fresh_names_skip_variables_and_the_output_avoids_a_taken_L():
    expr = parse("a*d + e*L")
    names = node_names(expr)
    assert [names[i] for i in expr.live] == ["a", "d", "b", "e", "L", "c", "L1"]


def test_constants_show_their_value():
    t = trace("2*x + -3", {"x": 1.0})
    assert t.order == ["2", "x", "a", "(-3)", "L"]
    # A negative constant reads as the language reads it: (-2) ** a, not -(2 ** a).
    t = trace("(-2)**relu(x)", {"x": -1.0})
    assert [n.formula for n in t.nodes][-1] == "(-2) ** a"


def test_last_result_of_every_node_is_its_grad():
    t = trace("d = x*y; e = d*x + sin(d); L = e*e - y", {"x": 0.3, "y": -1.7})
    last = {}
    for step in t.steps:
        last.update(step.updates)
    for node in t.nodes:
        assert last[node.name] == node.grad


@pytest.mark.parametrize("case", CASES[::10], ids=[c["expression"] for c in CASES[::10]])
def test_trace_gradients_equal_grad(case):
    t = trace(case["expression"], case["point"])
    g = grad(case["expression"], case["point"])
    assert t.gradients == g.gradients and t.value == g.value
    last = {}
    for step in t.steps:
        last.update(step.updates)
    for name, value in g.gradients.items():
        assert last.get(name, 0.0) == value


def test_a_csv_trace_is_a_usage_error(cli):
    r = cli("grad", *WORKED[1:], "--trace", "--format", "csv")
    assert r.returncode == 2
    assert r.stderr == (
        "autodiff: error: a trace cannot be written as csv\n"
        "hint: --format table, text, json, markdown\n"
    )


def test_a_nan_in_a_trace_is_the_same_error_as_in_grad(cli):
    r = cli("trace", "log(x)", "--x", "-1")
    assert r.returncode == 1
    assert r.stderr.startswith("autodiff: error: log(x) with x = -1 is undefined\n")


def big_expression() -> str:
    return "+".join(f"tanh(x{i % 50}*w)" for i in range(3400))


@pytest.mark.slow
def test_ten_thousand_node_trace(cli, tmp_path):
    point = ["-D", "w=0.5", *[f"-Dx{i}={i / 100}" for i in range(50)]]
    data = json.loads(cli("trace", big_expression(), *point, "--format", "json").stdout)
    assert len(data["nodes"]) == 10_250 and len(data["steps"]) == 10_251
    expected = grad(big_expression(), {"w": 0.5, **{f"x{i}": i / 100 for i in range(50)}})
    assert data["gradients"] == expected.gradients


@pytest.mark.slow
def test_ten_thousand_node_trace_is_abbreviated_on_a_terminal(autodiff):
    point = ["-D", "w=0.5", *[f"-Dx{i}={i / 100}" for i in range(50)]]
    r = autodiff("trace", big_expression(), *point, "--format", "table", "--color", "never")
    assert r.returncode == 0
    assert "... 10210 rows left out (--format json, text or markdown: all)" in r.stdout
    assert "(a graph of 10250 nodes is not drawn; the forward pass lists them all)" in r.stdout
    assert len(r.stdout.splitlines()) < 250


def test_trace_error_is_an_autodiff_error():
    with pytest.raises(AutodiffError):
        trace("a*", {})
