"""Points files people have: `;` and tab separated, TSV, JSON Lines nulls, the input kept
beside its results, and `--lines` csv with a column per gradient (issue 16, item 7).

The numbers are exact by hand: x*y at (2, 3) is 6 with gradients 3 and 2.
"""

from __future__ import annotations

import json

import pytest
from conftest import run_shell

XY = "value,grad_x,grad_y,error\n6.0,3.0,2.0,\n20.0,5.0,4.0,\n"


# 1. The separator, found in the header


@pytest.mark.parametrize("sep", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_the_header_s_separator_splits_every_row(cli, sep):
    points = f"x{sep}y\n2{sep}3\n4{sep}5\n"
    r = cli("grad", "x*y", "--points", "-", "--format", "csv", stdin=points)
    assert (r.returncode, r.stdout, r.stderr) == (0, XY, "")


def test_a_semicolon_file_from_the_installed_command(autodiff, tmp_path):
    (tmp_path / "p.csv").write_text("w;x;b\n2;3;1\n0,5;1;0\n")
    r = autodiff("grad", "w*x + b", "--points", "p.csv", "--format", "csv")
    assert r.returncode == 1
    assert r.stdout == (  # a decimal comma is not a number: float() reads the cells
        "value,grad_w,grad_x,grad_b,error\n7.0,3.0,2.0,1.0,\n"
        ",,,,\"row 2: w: '0,5' is not a number (a decimal comma: write 0.5)\"\n"
    )
    assert (
        r.stderr == "autodiff: warning: 1 of 2 rows failed: see the error records in the output\n"
    )


def test_quoted_cells_split_on_the_header_s_separator(cli):
    r = cli("grad", "x*y", "--points", "-", "--format", "csv", stdin='"x";"y"\n"2";3\n"4";"5"\n')
    assert (r.returncode, r.stdout) == (0, XY)


def test_a_header_with_two_separators_is_refused(cli):
    r = cli("grad", "x*y", "--points", "-", stdin="x;y,z\n1;2\n")
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == (
        "autodiff: error: the points' header has both a comma and a semicolon: "
        "which one separates the columns?\n"
        'hint: put a name that holds the other in double quotes: "a;b"\n'
    )
    r = cli("grad", "x*y", "--points", "-", stdin="x\ty;z\n1\t2\n")
    assert r.returncode == 2 and "has both a semicolon and a tab" in r.stderr


def test_a_separator_inside_a_quoted_name_is_not_the_separator(cli):
    r = cli("grad", "x*y", "--points", "-", "--format", "csv", stdin='"a;b",x,y\n9,2,3\n1,4,5\n')
    assert (r.returncode, r.stdout) == (0, XY)
    assert r.stderr == "autodiff: warning: column a;b is not used by the expression\n"


def test_a_one_column_header_has_no_separator_and_reads(cli):
    r = cli("grad", "x**3", "--points", "-", stdin="x\n2\n-1\n")
    assert (r.returncode, r.stdout) == (0, "value\tgrad_x\n8\t12\n-1\t3\n")


# 2. TSV


def test_tsv_by_name_and_by_option(cli, tmp_path):
    path = tmp_path / "p.tsv"
    path.write_text("x\ty\n2\t3\n4\t5\n")
    assert cli("grad", "x*y", "--points", str(path), "--format", "csv").stdout == XY
    # explicit: a tab separates, whatever else the header holds
    r = cli("grad", "x*y", "--points", "-", "--points-format", "tsv", "--format", "csv",
            stdin="x\ty\tnote,s\n2\t3\ta,b\n4\t5\t\n")  # fmt: skip
    assert (r.returncode, r.stdout) == (0, XY)
    r = cli("grad", "x*y", "--points", "-", "--points-format", "tsv", stdin="x,y\n2,3\n")
    assert r.returncode == 2 and r.stderr.startswith(
        "autodiff: error: the points have no column for x, y\n"
    )


def test_tsv_from_the_installed_command(autodiff, tmp_path):
    (tmp_path / "p.tsv").write_text('x\ty\n2\t3\n"4"\t5\n')
    r = autodiff("grad", "x*y", "--points", "p.tsv", "--format", "tsv")
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == "value\tgrad_x\tgrad_y\terror\n6.0\t3.0\t2.0\t\n20.0\t5.0\t4.0\t\n"


# 3. JSON Lines null


def test_a_json_null_takes_the_default_as_an_empty_cell_does(cli):
    jsonl = '{"x": 2, "y": null}\n{"x": null, "y": 3}\n'
    r = cli("grad", "x*y", "--points", "-", "--points-format", "jsonl", "--y", "5", "--x", "4",
            "--format", "csv", stdin=jsonl)  # fmt: skip
    assert (r.returncode, r.stdout) == (
        0,
        "value,grad_x,grad_y,error\n10.0,5.0,2.0,\n12.0,3.0,4.0,\n",
    )
    r = cli("grad", "x*y", "--points", "-", "--points-format", "jsonl", "--format", "csv",
            stdin='{"x": 2, "y": null}\n')  # fmt: skip
    empty = cli("grad", "x*y", "--points", "-", "--format", "csv", stdin="x,y\n2,\n")
    assert r.returncode == empty.returncode == 1
    assert r.stdout == empty.stdout == "value,grad_x,grad_y,error\n,,,row 1: no value for y\n"


# 4. --keep-input

KEEP = 'id,x,y\na,2,3\n=b,abc,1\n-7,4\n"c\n'


def test_keep_input_in_csv_starts_every_record_with_its_row(cli):
    r = cli("grad", "x*y", "--points", "-", "--keep-input", "--y", "5", "--format", "csv",
            stdin=KEEP)  # fmt: skip
    assert (r.returncode, r.stderr) == (
        1, "autodiff: warning: 2 of 4 rows failed: see the error records in the output\n"
    )  # fmt: skip
    assert r.stdout == (
        "id,x,y,value,grad_x,grad_y,error\n"
        "a,2,3,6.0,3.0,2.0,\n"
        "'=b,abc,1,,,,row 2: x: 'abc' is not a number\n"  # a formula is defused, a number kept
        "-7,4,,20.0,5.0,4.0,\n"  # a short row: its missing cell is empty, the default used
        ",,,,,,row 4: a quoted cell is not closed on its line (a cell cannot span lines)\n"
    )


def test_keep_input_in_text_tsv_and_jsonl(cli):
    points = "x;note\n 2;a\tb\n3;more;cells\n"
    r = cli("grad", "x**2", "--points", "-", "--keep-input", stdin=points)
    assert (r.returncode, r.stderr) == (0, "")  # no warning for the column kept
    assert r.stdout == "x\tnote\tvalue\tgrad_x\n 2\ta\\tb\t4\t4\n3\tmore\t9\t6\n"
    r = cli("grad", "x**2", "--points", "-", "--keep-input", "--format", "tsv", stdin=points)
    assert r.stdout == "x\tnote\tvalue\tgrad_x\terror\n 2\ta\\tb\t4.0\t4.0\t\n3\tmore\t9.0\t6.0\t\n"
    r = cli("grad", "x**2", "--points", "-", "--keep-input", "--format", "jsonl", stdin=points)
    assert [json.loads(line) for line in r.stdout.splitlines()] == [
        {"row": 1, "input": {"x": " 2", "note": "a\tb"}, "value": 4.0, "gradients": {"x": 4.0}},
        {"row": 2, "input": {"x": "3", "note": "more"}, "value": 9.0, "gradients": {"x": 6.0}},
    ]


def test_keep_input_of_json_lines(cli):
    jsonl = '{"y": 3, "x": 2, "id": "a"}\n{"x": 1e999, "y": 1}\nnope\n{"x": "-4", "y": null}\n'
    r = cli("grad", "x*y", "--points", "-", "--points-format", "jsonl", "--keep-input",
            "--format", "jsonl", stdin=jsonl)  # fmt: skip
    records = [json.loads(line) for line in r.stdout.splitlines()]
    assert [rec["input"] for rec in records] == [
        {"y": 3, "x": 2, "id": "a"},  # as read, every member
        {"x": "Infinity", "y": 1},  # as results write an infinity
        None,  # not read
        {"x": "-4", "y": None},
    ]
    assert records[0]["value"] == 6.0 and records[3]["error"]["message"] == "no value for y"
    # elsewhere, a column for each of the expression's variables, as JSON writes it
    r = cli("grad", "x*y", "--points", "-", "--points-format", "jsonl", "--keep-input",
            "--format", "csv", stdin=jsonl)  # fmt: skip
    assert r.stdout == (
        "x,y,value,grad_x,grad_y,error\n2,3,6.0,3.0,2.0,\nInfinity,1,inf,1.0,inf,\n"
        ",,,,,row 3: not valid JSON\n-4,,,,,row 4: no value for y\n"
    )


@pytest.mark.parametrize(
    ("header", "clash"), [("value,x", "value"), ("x,error", "error"), ("x,grad_x", "grad_x")]
)
def test_keep_input_refuses_a_column_named_as_a_result(cli, header, clash):
    r = cli(
        "grad", "x", "--points", "-", "--keep-input", "--format", "csv", stdin=f"{header}\n3,3\n"
    )
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == (
        f"autodiff: error: --keep-input cannot keep the column {clash}: "
        "a result column has that name\n"
        'hint: rename it in the input, or write --format jsonl (the row goes under "input")\n'
    )
    r = cli("grad", "x", "--points", "-", "--keep-input", "--format", "jsonl",
            stdin=f"{header}\n3,3\n")  # fmt: skip
    assert r.returncode == 0 and json.loads(r.stdout)["value"] == 3.0


def test_keep_input_keeps_a_column_named_as_a_gradient_not_asked_for(cli):
    r = cli("grad", "x*y", "--points", "-", "--keep-input", "--wrt", "x", "--format", "csv",
            stdin="x,y,grad_y\n2,3,1\n")  # fmt: skip
    assert (r.returncode, r.stdout) == (0, "x,y,grad_y,value,grad_x,error\n2,3,1,6.0,3.0,\n")


def test_keep_input_is_only_for_points(cli):
    r = cli("grad", "x*x", "--x", "1", "--keep-input")
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == (
        "autodiff: error: --keep-input keeps the rows of --points\n"
        'hint: autodiff grad "x**2" --points p.csv --keep-input\n'
    )
    r = cli("grad", "--lines", "-", "--x", "1", "--keep-input", stdin="x\n")
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == (
        "autodiff: error: --keep-input keeps the rows of --points\n"
        "hint: --lines records hold their expression already\n"
    )


def test_keep_input_lets_sort_keep_x(tmp_path):
    r = run_shell(
        "printf 'x\\n3\\n-1\\n2\\n' | autodiff grad 'x**2 - 2*x' --points - --keep-input"
        " | tail -n +2 | sort -g -s -k2,2",
        cwd=tmp_path,
    )
    assert (r.returncode, r.stdout, r.stderr) == (0, "2\t0\t2\n3\t3\t4\n-1\t3\t-4\n", "")


# 5. --lines in csv and tsv: a column per gradient


def test_lines_csv_has_a_column_for_each_variable_given(cli):
    r = cli("grad", "--lines", "-", "--b", "3", "--a", "2", "--x", "-1", "--format", "csv",
            stdin="a*b\nx**2\nlog(x)\nq*a\n")  # fmt: skip
    assert r.returncode == 1
    assert r.stdout == (
        "line,expression,value,grad_b,grad_a,grad_x,error\n"  # in the order given
        "1,a*b,6.0,2.0,3.0,,\n"
        "2,x**2,1.0,,,-2.0,\n"
        "3,log(x),,,,,log(x) with x = -1 is undefined\n"
        "4,q*a,,,,,missing a value for q\n"  # a variable with no value: no column, an error
    )


def test_lines_tsv_with_wrt_has_its_columns_in_its_order(autodiff):
    r = autodiff("grad", "--lines", "-", "--a", "2", "--b", "3", "--x", "-1", "--wrt", "x,a",
                 "--format", "tsv", stdin="a*b\nx**2\n")  # fmt: skip
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == (
        "line\texpression\tvalue\tgrad_x\tgrad_a\terror\n1\ta*b\t6.0\t\t3.0\t\n"
        "2\tx**2\t1.0\t-2.0\t\t\n"
    )


def test_a_carriage_return_in_repeated_input_is_quoted_in_csv(cli):
    r = cli("grad", "x**2", "--points", "-", "--keep-input", "--format", "csv",
            stdin=b"x,note\n2,a\rb\n")  # fmt: skip
    assert r.stdout == 'x,note,value,grad_x,error\n2,"a\rb",4.0,4.0,\n'
    r = cli("grad", "--lines", "-", "--x", "1", "--format", "csv", stdin=b"x\r+x\n")
    assert r.stdout == 'line,expression,value,grad_x,error\n1,"x\r+x",2.0,2.0,\n'


def test_the_api_gives_the_columns_and_each_row_as_read():
    import io

    from autodiff_cli import api

    rows = api.run_points("x*y", io.StringIO("x;y\n2;3\n4;z\n"))
    assert rows.columns == ["x", "y"]
    (first, second) = list(rows.with_input())
    assert first == (1, (6.0, 3.0, 2.0), ["2", "3"])
    assert second[0] == 2 and second[1].message == "y: 'z' is not a number"
    assert second[2] == ["4", "z"]
    rows = api.run_points("x*y", io.StringIO('{"x": 2, "y": null}\n'), "jsonl", {"y": 3.0})
    assert rows.columns is None and list(rows) == [(1, (6.0, 3.0, 2.0))]
