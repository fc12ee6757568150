"""What a new user meets in the first ten minutes: a mistyped option, a check at the
edge of a domain, the help, and the small inconsistencies between commands."""

from __future__ import annotations

import math

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
        (["diff", "x", "--fromat", "json"], "fromat", "--format"),
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
        (["hessian", "x", "--x", "1", "--wrt", "x"], "wrt", "hessian", "grad and trace and diff"),
        (["grad", "samples", "--samples", "2"], "samples", "grad", "plot"),
        (["jacobian", "x", "--x", "1", "--rtol", "1"], "rtol", "jacobian", "check"),
        (["diff", "x", "--points", "-"], "points", "diff", "grad"),
    ],
)
def test_another_commands_option_is_refused_by_name(cli, args, option, command, owners):
    r = cli(*args)
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == (
        f"autodiff: error: --{option} is not an option of {command}\n"
        f"hint: it is an option of {owners}; a variable named {option} takes -D {option}=VALUE\n"
    )


def test_a_variable_named_like_an_option_takes_d(cli):
    r = cli("grad", "samples*2", "-D", "samples=3")
    assert (r.returncode, r.stdout) == (0, "value\t6\nsamples\t2\n")


def test_click_messages_are_lower_case_like_ours(autodiff):
    r = autodiff("grad", "x", "--x", "1", "--format", "xml")
    assert r.returncode == 2
    assert r.stderr.startswith("autodiff: error: invalid value for '--format': 'xml' is not one of")


# check at the edge of a domain: never a false FAIL


def test_check_near_the_edge_takes_a_step_inside_the_domain(cli):
    r = cli("check", "sqrt(x)", "--x", "1e-12", "--format", "json")
    assert r.returncode == 0 and r.stderr == ""
    import json

    (row,) = json.loads(r.stdout)["variables"]
    assert row["autodiff"] == 0.5 / math.sqrt(1e-12) and row["ok"] is True
    assert abs(row["numeric"] - 500000) < 1e-5 * 500000


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
        f"x - h = {-(2.220446049250313e-16 ** (1 / 3))!r}\n"
    )


def test_check_of_a_subnormal_says_no_step_fits(cli):
    r = cli("check", "sqrt(x)", "--x", "1e-320")
    assert r.returncode == 0
    assert r.stdout.splitlines()[1].endswith("\tnan\tnan\tnan\tunchecked")
    assert (
        r.stderr == "autodiff: warning: cannot check x here: 1e-320 is too close to 0 for a step\n"
    )


def test_check_still_fails_a_wrong_gradient_near_an_edge(cli):
    # A real disagreement is still FAIL: abs has a kink, so check warns and compares.
    r = cli("check", "abs(x)", "--x", "1e-12")
    assert r.returncode == 1 and "\tFAIL" in r.stdout


# help


def test_top_level_help_shows_each_kind_of_use(autodiff):
    r = autodiff("--help")
    examples = r.stdout.split("Examples:")[1].split("Options:")[0]
    for command in ("autodiff grad ", "autodiff trace ", "--points -", "autodiff plot "):
        assert command in examples


@pytest.mark.parametrize("command", ["grad", "trace", "graph", "plot", "check", "hessian",
                                     "jacobian", "diff", "functions"])  # fmt: skip
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
    text = r.stdout.replace("\n", " ")
    for fmt in lacking:
        assert fmt not in text, fmt


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
