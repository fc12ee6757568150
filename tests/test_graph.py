"""`autodiff graph`: the worked example's graph as a tree, DOT and Mermaid."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

WORKED = ("graph", "relu(a*b+c)", "--a", "2", "--b", "-3", "--c", "10")


def parse_dot(text: str):
    """Our DOT subset, read back: {id: (shape, label)} and the set of edges."""
    nodes = dict(
        (m[0], (m[1], m[2].replace("\\\\", "\\")))
        for m in re.findall(r'^  (\w+) \[shape=(\w+), label="((?:[^"\\]|\\.)*)"\];$', text, re.M)
    )
    edges = set(re.findall(r"^  (\w+) -> (\w+);$", text, re.M))
    return nodes, edges


def test_worked_example_as_dot(cli):
    r = cli(*WORKED, "--format", "dot")
    assert r.returncode == 0
    assert r.stdout.startswith("digraph autodiff {\n  rankdir=LR;\n")
    nodes, edges = parse_dot(r.stdout)
    assert nodes == {
        "n0": ("record", "{ a | data 2.0 | grad -3.0 }"),
        "n1": ("record", "{ b | data -3.0 | grad 2.0 }"),
        "n2": ("record", "{ d | data -6.0 | grad 1.0 }"),
        "n2_op": ("circle", "*"),
        "n3": ("record", "{ c | data 10.0 | grad 1.0 }"),
        "n4": ("record", "{ e | data 4.0 | grad 1.0 }"),
        "n4_op": ("circle", "+"),
        "n5": ("record", "{ L | data 4.0 | grad 1.0 }"),
        "n5_op": ("circle", "ReLU"),
    }
    assert edges == {
        ("n0", "n2_op"), ("n1", "n2_op"), ("n2_op", "n2"),
        ("n2", "n4_op"), ("n3", "n4_op"), ("n4_op", "n4"),
        ("n4", "n5_op"), ("n5_op", "n5"),
    }  # fmt: skip


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_dot_renders_with_graphviz(cli, tmp_path):
    source = cli(*WORKED, "--format", "dot").stdout
    svg = subprocess.run(["dot", "-Tsvg"], input=source, capture_output=True, text=True)
    assert svg.returncode == 0, svg.stderr
    assert "<svg" in svg.stdout and "ReLU" in svg.stdout and "grad &#45;3.0" in svg.stdout


MERMAID = """\
graph LR
  n0["a<br/>data 2.0<br/>grad -3.0"]
  n1["b<br/>data -3.0<br/>grad 2.0"]
  n2["d<br/>data -6.0<br/>grad 1.0"]
  n2_op(("*"))
  n0 --> n2_op
  n1 --> n2_op
  n2_op --> n2
  n3["c<br/>data 10.0<br/>grad 1.0"]
  n4["e<br/>data 4.0<br/>grad 1.0"]
  n4_op(("+"))
  n2 --> n4_op
  n3 --> n4_op
  n4_op --> n4
  n5["L<br/>data 4.0<br/>grad 1.0"]
  n5_op(("ReLU"))
  n4 --> n5_op
  n5_op --> n5
"""


def test_worked_example_as_mermaid(cli):
    assert cli(*WORKED, "--format", "mermaid").stdout == MERMAID


TREE = """\
L = relu(e)   data 4.0, grad 1.0
`-- e = d + c   data 4.0, grad 1.0
    |-- d = a * b   data -6.0, grad 1.0
    |   |-- a   data 2.0, grad -3.0
    |   `-- b   data -3.0, grad 2.0
    `-- c   data 10.0, grad 1.0
"""


def test_worked_example_as_a_tree(cli):
    assert cli(*WORKED).stdout == TREE


def test_tree_on_a_terminal_is_a_rich_tree(autodiff):
    r = autodiff(*WORKED, "--color", "always")
    assert "└── e = d + c   data 4.0, grad 1.0" in r.stdout.replace("\x1b[2m", "").replace(
        "\x1b[0m", ""
    )


def test_structure_only_without_values_and_shared_nodes_once(cli):
    r = cli("graph", "y = x*x; y + sin(y)")
    assert r.stdout == (
        "L = y + a\n|-- y = x * x\n|   |-- x\n|   `-- x\n`-- a = sin(y)\n    `-- y (shown above)\n"
    )


def test_labels_are_escaped():
    from autodiff_cli.render.graph import _dot_record, _mermaid

    assert _dot_record('a|b{c}<d>"e\\') == 'a\\|b\\{c\\}\\<d\\>\\"e\\\\'
    assert _mermaid('a"<b>&') == "a#quot;#lt;b#gt;#amp;"


def test_same_input_same_bytes(autodiff):
    runs = [autodiff(*WORKED, "--format", f).stdout for f in ("dot", "dot", "mermaid", "mermaid")]
    assert runs[0] == runs[1] and runs[2] == runs[3]


@pytest.mark.slow
def test_hundred_thousand_node_graph(cli):
    source = "+".join(f"x{i % 7}*w" for i in range(50_000))
    point = ["-D", "w=0.5", *[f"-Dx{i}={i}" for i in range(7)]]
    for fmt in ("dot", "mermaid", "tree"):
        r = cli("graph", source, *point, "--format", fmt)
        assert r.returncode == 0
        if fmt == "dot":
            nodes, edges = parse_dot(r.stdout)
            assert len(nodes) == 8 + 99_999 * 2 and len(edges) == 99_999 * 3
    assert "[depth " in r.stdout and max(len(line) for line in r.stdout.splitlines()) < 400
