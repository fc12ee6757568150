"""What a new user meets in the first ten minutes: a mistyped option, a check at the
edge of a domain, the help, and the small inconsistencies between commands."""

from __future__ import annotations

import json
import math
import re

import pytest

HINT_VARIABLE = "hint: a variable named {0} takes -D {0}=VALUE\n"


@pytest.mark.parametrize(
    "args, option, meant",
    [
        (["grad", "x*y", "--x", "1", "--y", "2", "--fromat", "json"], "fromat", "--format"),
        (["grad", "x*y", "--x", "1", "--y", "2", "--json"], "json", "--format json"),
        (["grad", "x*y", "--json", "--x", "1", "--y", "2"], "json", "--format json"),
        (["grad", "x", "--x", "1", "--precison", "3"], "precison", "--precision"),
        (["grad", "x", "--x", "1", "--wrtt", "x"], "wrtt", "--wrt"),
        (["check", "x", "--x", "1", "--csv"], "csv", "--format csv"),
        (["hessian", "x", "--x", "1", "--colour", "never"], "colour", "--color"),
        (["trace", "x", "--x", "1", "--markdown"], "markdown", "--format markdown"),
        (["graph", "x", "--dot"], "dot", "--format dot"),
        (["plot", "x", "--x", "0:1", "--sample", "9"], "sample", "--samples"),
        (["grad", "--lines", "-", "--fromat", "json"], "fromat", "--format"),
        (["grad", "x", "--points", "-", "--fromat", "json"], "fromat", "--format"),
    ],
)
def test_a_mistyped_option_is_named_not_read_as_a_value(cli, args, option, meant):
    r = cli(*args)
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == (
        f"autodiff: error: no option --{option}: did you mean {meant}?\n"
        + HINT_VARIABLE.format(option)
    )


def test_a_variable_of_that_name_is_still_a_value(cli):
    r = cli("grad", "fromat*json", "--fromat", "3", "--json", "2")
    assert (r.returncode, r.stdout, r.stderr) == (0, "value\t6\nfromat\t2\njson\t3\n", "")


def test_a_name_nearer_a_variable_than_an_option_warns_as_unused(cli):
    r = cli("grad", "rate*x", "--rate", "2", "--x", "3", "--rat", "1")
    assert r.returncode == 0
    assert (
        r.stderr
        == "autodiff: warning: --rat is not used by the expression (did you mean --rate?)\n"
    )


@pytest.mark.parametrize(
    "args, option, command, owners",
    [
        (["hessian", "x^3", "--x", "1", "--points", "-"], "points", "hessian", "grad"),
        (["plot", "x^2", "--x", "0:1", "--trace"], "trace", "plot", "grad"),
        (["hessian", "x", "--x", "1", "--wrt", "x"], "wrt", "hessian", "grad, trace and diff"),
        (["grad", "samples", "--samples", "2"], "samples", "grad", "plot"),
        (["jacobian", "x", "--x", "1", "--rtol", "1"], "rtol", "jacobian", "check"),
    ],
)
def test_another_commands_option_is_refused_by_name(cli, args, option, command, owners):
    r = cli(*args)
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == (
        f"autodiff: error: --{option} is not an option of {command}\n"
        f"hint: it is an option of {owners}; a variable named {option} takes -D {option}=VALUE\n"
    )


@pytest.mark.parametrize(
    "args, option, meant",
    [
        (["diff", "x", "--fromat", "json"], "--fromat", "--format"),
        (["functions", "--json"], "--json", "--format json"),
        (["functions", "--fromat", "text"], "--fromat", "--format"),
    ],
)
def test_a_command_without_values_names_the_option_and_no_variable(cli, args, option, meant):
    r = cli(*args)
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == f"autodiff: error: no option {option}: did you mean {meant}?\n"


def test_an_unknown_option_of_a_command_without_values_points_to_its_help(cli):
    r = cli("functions", "--zzz")
    assert (r.returncode, r.stderr) == (
        2,
        "autodiff: error: no option --zzz\nhint: autodiff functions --help lists the options\n",
    )


def test_a_value_left_out_is_said_once_the_expression_is_known(cli):
    # csv is a variable here: not a misspelt --format csv, but a value missing
    r = cli("grad", "x*csv", "--x", "1", "--csv")
    assert (r.returncode, r.stderr) == (
        2,
        "autodiff: error: option --csv needs a value\nhint: --csv 2\n",
    )


@pytest.mark.parametrize("option", ["--color", "--order", "--wrt", "--precision"])
def test_an_option_of_the_command_left_without_its_value(cli, option):
    r = cli("grad", "x", "--x", "1", option)
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == f"autodiff: error: option {option} needs a value\n"


@pytest.mark.parametrize("values", [["--x", "1"], ["--x"], ["-D", "x=1"]])
def test_diff_refuses_values_however_given(cli, values):
    r = cli("diff", "x*y", *values)
    assert (r.returncode, r.stderr) == (
        2,
        "autodiff: error: diff takes no values: the formula holds for every point\n"
        "hint: autodiff grad evaluates it at a point\n",
    )


def test_diff_refuses_another_commands_option_without_a_variables_hint(cli):
    r = cli("diff", "x", "--points", "-")
    assert (r.returncode, r.stderr) == (
        2,
        "autodiff: error: --points is not an option of diff\nhint: it is an option of grad\n",
    )


def test_extra_words_after_an_option_named_like_a_variable(cli):
    r = cli("grad", "trace*x", "--x", "1", "--trace", "2")
    assert (r.returncode, r.stderr) == (
        2,
        "autodiff: error: one expression only, but also got: 2\n"
        "hint: --trace is an option; a variable named trace takes -D trace=VALUE\n",
    )


def test_a_variable_named_like_an_option_takes_d(cli):
    r = cli("grad", "samples*2", "-D", "samples=3")
    assert (r.returncode, r.stdout) == (0, "value\t6\nsamples\t2\n")


def test_click_messages_are_lower_case_like_ours(autodiff):
    r = autodiff("grad", "x", "--x", "1", "--format", "xml")
    assert r.returncode == 2
    assert r.stderr.startswith("autodiff: error: invalid value for '--format': 'xml' is not one of")


# check at the edge of a domain: never a false FAIL


@pytest.mark.parametrize(
    "expression, x, exact",
    [
        # The step shrinks until both sides are defined, then a thousandfold more.
        ("sqrt(x)", 1e-12, 0.5 / math.sqrt(1e-12)),
        ("sqrt(x)", 1e-320, 0.5 / math.sqrt(1e-320)),  # a subnormal x
        ("sqrt(x - 1)", 1.000001, 0.5 / math.sqrt(1.000001 - 1)),  # an edge away from 0
        ("sqrt(1 - x)", 0.9999999, -0.5 / math.sqrt(1 - 0.9999999)),
        ("asin(x)", 0.9999999, 1 / math.sqrt(1 - 0.9999999**2)),
        ("acosh(x)", 1.0000001, 1 / math.sqrt(1.0000001**2 - 1)),
        ("log(x)", 1e-300, 1e300),
        ("atanh(x)", 0.99999999, 1 / (1 - 0.99999999**2)),
    ],
)
def test_check_near_the_edge_takes_a_step_inside_the_domain(cli, expression, x, exact):
    r = cli("check", expression, "--x", repr(x), "--format", "json")
    assert (r.returncode, r.stderr) == (0, "")
    obj = json.loads(r.stdout)
    (row,) = obj["variables"]
    assert obj["ok"] is True and row["ok"] is True
    assert abs(row["autodiff"] - exact) < 1e-6 * abs(exact)  # the closed form
    assert abs(row["numeric"] - exact) < 1e-6 * abs(exact)  # the shrunken difference


def test_check_where_no_step_fits_says_so_and_passes(cli):
    r = cli("check", "sqrt(x)*y", "--x", "0", "--y", "2")
    assert r.returncode == 0
    assert r.stdout == (
        "variable\tautodiff\tnumeric\tabs error\trel error\tok\n"
        "x\tinf\tnan\tnan\tnan\tunchecked\n"
        "y\t0\t0\t0.00e+00\t0.00e+00\tok\n"
    )
    assert r.stderr == (
        "autodiff: warning: cannot check x here: the expression is undefined at "
        f"x - h = {-(2.220446049250313e-16 ** (1 / 3))!r}, and at every smaller step\n"
    )


def test_check_says_null_not_true_when_a_variable_is_unchecked(cli):
    r = cli("check", "sqrt(x)*y", "--x", "0", "--y", "2", "--format", "json")
    obj = json.loads(r.stdout)
    assert r.returncode == 0 and obj["ok"] is None
    assert [v["ok"] for v in obj["variables"]] == [None, True]


def test_check_of_an_infinite_point_says_no_step_moves_it(cli):
    r = cli("check", "x", "--x", "inf")
    assert r.returncode == 0
    assert r.stdout.splitlines()[1] == "x\t1\tnan\tnan\tnan\tunchecked"
    assert r.stderr == "autodiff: warning: cannot check x at inf: no step moves an infinite point\n"


def test_a_difference_across_a_kink_still_fails_with_the_kink_warned(cli):
    # abs'(1e-12) = 1, but the difference's step crosses the kink at 0: FAIL, as the
    # two legitimately differ there, and a warning says so. No NaN: no shrinking.
    r = cli("check", "abs(x)", "--x", "1e-12")
    assert r.returncode == 1 and r.stdout.splitlines()[1].endswith("\tFAIL")
    assert r.stderr.startswith("autodiff: warning: abs(x) is near its kink at 0 (input 1e-12)")


# help


def test_top_level_help_shows_each_kind_of_use(autodiff):
    r = autodiff("--help")
    examples = r.stdout.split("Examples:")[1].split("Options:")[0]
    for command in ("autodiff grad ", "autodiff trace ", "--points -", "autodiff plot "):
        assert command in examples


@pytest.mark.parametrize("command", ["grad", "trace", "graph", "plot", "check", "hessian",
                                     "jacobian", "diff", "functions", "repl"])  # fmt: skip
def test_every_command_help_opens_with_an_example(autodiff, command):
    r = autodiff(command, "--help")
    assert r.returncode == 0
    assert f"\n    autodiff {command} " in r.stdout.split("Options:")[0]


@pytest.mark.parametrize("command", ["grad", "trace", "graph", "check", "hessian", "jacobian"])
def test_help_names_no_format_the_command_lacks(autodiff, command):
    from autodiff_cli import render

    r = autodiff(command, "--help")
    kind = "graph" if command == "graph" else command
    lacking = {"markdown", "latex", "csv", "tsv", "json", "dot", "mermaid"} - set(
        render.formats(kind)
    )
    if command == "grad":
        lacking -= set(render.formats("trace"))  # grad --trace's formats
    text = r.stdout.lower()
    for fmt in lacking:
        assert not re.search(rf"\b{fmt}\b", text), fmt


# leftovers: the same rule in every command


@pytest.mark.parametrize("wrt, message", [
    ("x,x", "--wrt names x more than once"),
    ("x,y,x,y", "--wrt names x, y more than once"),
    (",", "--wrt ',' has an empty name"),
    ("x,,y", "--wrt 'x,,y' has an empty name"),
])  # fmt: skip
@pytest.mark.parametrize("how", ["grad", "points", "diff"])
def test_wrt_refuses_a_repeated_or_empty_name_everywhere(cli, wrt, message, how):
    args = {"grad": ["grad", "x*y", "--x", "1", "--y", "2"],
            "points": ["grad", "x*y", "--points", "-"],
            "diff": ["diff", "x*y"]}[how]  # fmt: skip
    r = cli(*args, "--wrt", wrt, stdin="x,y\n1,2\n")
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr.splitlines()[0] == f"autodiff: error: {message}"


def test_outputs_before_the_last_statement_are_an_error(cli):
    r = cli("grad", "a, b; c", "--a", "1", "--b", "2", "--c", "3")
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == (
        "autodiff: error: outputs separated by ',' must be the last statement\n"
        "  a, b; c\n"
        "  ^^^^\n"
        "hint: give each a name (a = ...) and list them at the end: a, b\n"
    )


@pytest.mark.parametrize("given", [["-D", "x= 2"], ["--x", " 2"], ["--x= 2 "], ["-D", "x=2 "]])
def test_spaces_around_a_value_read_the_same_however_given(cli, given):
    r = cli("grad", "x**2", *given)
    assert (r.returncode, r.stdout, r.stderr) == (0, "value\t4\nx\t4\n", "")


@pytest.mark.parametrize("command", ["hessian", "jacobian", "check"])
def test_no_variables_is_said(cli, command):
    r = cli(command, "2")
    assert r.returncode == 0
    assert r.stderr == (
        "autodiff: warning: the expression has no variables: there is nothing to differentiate\n"
    )


def test_hessian_of_no_variables_prints_no_empty_matrix(cli):
    assert cli("hessian", "2").stdout == ""


def test_hessian_and_jacobian_warn_on_infinities_like_grad(cli):
    r = cli("hessian", "1/x", "--x", "0")
    assert r.returncode == 0
    assert r.stderr == (
        "autodiff: warning: the value is inf\n"
        "autodiff: warning: the gradient with respect to x is -inf\n"
        "autodiff: warning: the second derivative with respect to x and x is inf\n"
    )
    r = cli("jacobian", "1/x, x", "--x", "0")
    assert r.returncode == 0
    assert r.stderr == (
        "autodiff: warning: 1/x: the value is inf\n"
        "autodiff: warning: 1/x: the gradient with respect to x is -inf\n"
    )


def test_an_empty_plot_warns(cli):
    r = cli("plot", "sqrt(x)", "--x", "-2:-1", "--format", "csv")
    assert r.returncode == 0
    assert r.stderr == (
        "autodiff: warning: nothing to draw: the value and the derivative are undefined or "
        "infinite over all of --x -2:-1\n"
    )


def test_functions_takes_color_like_the_other_commands(autodiff):
    never = autodiff("functions", "--format", "table", "--color", "never", FORCE_COLOR="1")
    forced = autodiff("functions", "--format", "table", FORCE_COLOR="1")
    assert never.returncode == forced.returncode == 0
    assert "\x1b[" not in never.stdout and "\x1b[" in forced.stdout


def test_a_header_read_as_one_column_says_the_format_may_be_wrong(cli):
    r = cli("grad", "x*y", "--points", "-", "--points-format", "tsv", stdin="x,y\n1,2\n")
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == (
        "autodiff: error: the points have no column for x, y\n"
        "hint: the header reads as one column, 'x,y': is the format the file's? "
        "(--points-format csv, tsv or jsonl)\n"
    )


def test_a_decimal_comma_is_named_in_its_error_record(cli):
    r = cli("grad", "x**2", "--points", "-", "--format", "csv", stdin="id;x\nA;0,5\nB;1\n")
    assert r.returncode == 1
    assert r.stdout == (
        "value,grad_x,error\n"
        ",,\"row 1: x: '0,5' is not a number (a decimal comma: write 0.5)\"\n"
        "1.0,2.0,\n"
    )
