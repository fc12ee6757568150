"""`autodiff grad`: the used-by command in every format, options, errors, exit codes."""

from __future__ import annotations

import json

import pytest

USED_BY = ("grad", "relu(a*b+c)", "--a", "2", "--b", "-3", "--c", "10")


def test_used_by_command_as_text(cli):
    r = cli(*USED_BY)
    assert (r.returncode, r.stdout, r.stderr) == (0, "value\t4\na\t-3\nb\t2\nc\t1\n", "")


def test_used_by_command_as_json(cli):
    r = cli(*USED_BY, "--format", "json")
    assert r.returncode == 0
    assert r.stdout == (
        '{"expression": "relu(a*b+c)", "value": 4.0, '
        '"gradients": {"a": -3.0, "b": 2.0, "c": 1.0}}\n'
    )


@pytest.mark.parametrize(
    "fmt, expected",
    [
        ("csv", "value,grad_a,grad_b,grad_c\n4.0,-3.0,2.0,1.0\n"),
        ("tsv", "value\tgrad_a\tgrad_b\tgrad_c\n4.0\t-3.0\t2.0\t1.0\n"),
    ],
)
def test_used_by_command_as_csv_and_tsv(cli, fmt, expected):
    assert cli(*USED_BY, "--format", fmt).stdout == expected


TABLE = """\
         relu(a*b+c)         
┏━━━━━━━━┳━━━━━━━┳━━━━━━━━━━┓
┃        ┃ value ┃ gradient ┃
┡━━━━━━━━╇━━━━━━━╇━━━━━━━━━━┩
│ output │     4 │          │
├────────┼───────┼──────────┤
│ a      │     2 │       -3 │
│ b      │    -3 │        2 │
│ c      │    10 │        1 │
└────────┴───────┴──────────┘
"""  # noqa: W291


def test_used_by_command_as_a_table_in_the_installed_command(autodiff):
    r = autodiff(*USED_BY, "--format", "table", "--color", "never")
    assert (r.returncode, r.stdout, r.stderr) == (0, TABLE, "")


def test_table_names_the_programs_output(autodiff):
    r = autodiff("grad", "d = a*b; L = d + c", "--a=1", "--b=2", "--c=3", "--format", "table")
    assert "│ L │     5 │          │" in r.stdout
    assert "\x1b[" not in r.stdout  # piped, colour on auto: no escape codes


def test_color_always_never_and_no_color(autodiff):
    always = autodiff(*USED_BY, "--format", "table", "--color", "always")
    assert "\x1b[31m      -3" in always.stdout and "\x1b[32m       2" in always.stdout
    # no-color.org: NO_COLOR is the default, which an explicit flag overrides
    explicit = autodiff(*USED_BY, "--format", "table", "--color", "always", NO_COLOR="1")
    assert explicit.stdout == always.stdout
    no_color = autodiff(*USED_BY, "--format", "table", FORCE_COLOR="1", NO_COLOR="1")
    assert "\x1b[31m" not in no_color.stdout and "\x1b[32m" not in no_color.stdout
    forced = autodiff(*USED_BY, "--format", "table", FORCE_COLOR="1")
    assert "\x1b[31m      -3" in forced.stdout
    never = autodiff(*USED_BY, "--format", "table", "--color", "never", FORCE_COLOR="1")
    assert "\x1b[" not in never.stdout


def test_json_output_is_deterministic_and_valid(autodiff):
    first = autodiff(*USED_BY, "--format", "json")
    second = autodiff(*USED_BY, "--format", "json")
    assert first.stdout == second.stdout
    assert json.loads(first.stdout)["gradients"] == {"a": -3.0, "b": 2.0, "c": 1.0}


@pytest.mark.parametrize(
    "args",
    [
        ("grad", "relu(a*b+c)", "--a=2", "--b=-3", "--c=10"),
        ("grad", "relu(a*b+c)", "-D", "a=2", "--set", "b=-3", "-Dc=10"),
        ("grad", "--a", "2", "relu(a*b+c)", "--b", "-3", "--c", "10"),
        ("grad", "--expr", "relu(a*b+c)", "--a", "2", "--b", "-3", "--c", "10"),
        ("grad", "--", "relu(a*b+c)", "--a", "2", "--b", "-3", "--c", "10"),
        # values among the command's own options, before and after them
        (
            "grad",
            "--a",
            "2",
            "--format",
            "text",
            "relu(a*b+c)",
            "--b=-3",
            "--color=never",
            "--c",
            "10",
            "--wrt",
            "a,b,c",
        ),  # fmt: skip
        ("grad", "--precision", "17", "--a", "2", "-D", "b=-3", "relu(a*b+c)", "--c=10"),
        ("grad", "relu(a*b+c)", "--a", "2", "--b", "-3", "--", "--c", "10"),
    ],
)
def test_ways_to_give_values(cli, args):
    assert cli(*args).stdout == "value\t4\na\t-3\nb\t2\nc\t1\n"


@pytest.mark.parametrize("option", [["--format", "json"], ["--format=json"], ["-D", "y=1"]])
def test_a_value_option_before_an_option_of_the_command_needs_its_value(cli, option):
    r = cli("grad", "x+y", "--y", "2", "--x", *option)
    assert r.returncode == 2
    assert r.stderr == "autodiff: error: option --x needs a value\nhint: --x 2\n"


def test_lines_without_a_file_reads_stdin_wherever_the_values_stand(cli):
    r = cli("grad", "--lines", "--x", "3", stdin="x*x\n")
    assert (r.returncode, r.stdout) == (0, "1\t9\tx=6\n")
    r = cli("grad", "--lines", "--x", "1", "e.txt")  # e.txt is not the file of --lines
    assert r.returncode == 2
    assert r.stderr.startswith("autodiff: error: --lines reads the expressions; give no EXPR")


def test_thousands_of_variables_each_get_their_value(cli):
    k = 2000
    source = " + ".join(f"x{i}*y{i}" for i in range(k))
    values = [w for i in range(k) for w in (f"--x{i}", str(i), f"--y{i}", str(-i))]
    r = cli("grad", "-", *values, "--format", "json", stdin=source)
    gradients = json.loads(r.stdout)["gradients"]
    assert gradients == {
        name: float(g) for i in range(k) for name, g in ((f"x{i}", -i), (f"y{i}", i))
    }


def test_expression_starting_with_minus(cli):
    assert cli("grad", "--", "-x**2", "--x", "3").stdout == "value\t-9\nx\t-6\n"
    assert cli("grad", "--expr", "-x**2", "--x", "3").stdout == "value\t-9\nx\t-6\n"
    assert cli("grad", "-x**2", "--x", "3").stdout == "value\t-9\nx\t-6\n"


def test_negative_and_exponent_values(cli):
    r = cli("grad", "x*y", "--x", "-1e-3", "--y", "-.5")
    assert r.stdout == "value\t0.0005\nx\t-0.5\ny\t-0.001\n"


def test_variable_named_like_an_option_goes_through_dash_d(cli):
    r = cli("grad", "format * 2", "-D", "format=3")
    assert r.stdout == "value\t6\nformat\t2\n"


def test_expression_from_stdin(cli):
    r = cli("grad", "-", "--a", "2", "--b", "-3", "--c", "10", stdin="d = a*b\nL = relu(d + c)\n")
    assert r.stdout == "value\t4\na\t-3\nb\t2\nc\t1\n"


def test_wrt_lists_only_those_in_that_order(cli):
    r = cli(*USED_BY, "--wrt", "c,a", "--format", "json")
    assert json.loads(r.stdout)["gradients"] == {"c": 1.0, "a": -3.0}


def test_wrt_unknown_name_is_a_usage_error(cli):
    r = cli(*USED_BY, "--wrt", "a,z")
    assert r.returncode == 2
    assert r.stderr == (
        "autodiff: error: --wrt names z, which the expression does not use\n"
        "hint: its variables are a, b, c\n"
    )


def test_precision_in_text_and_table_only(cli):
    args = ("grad", "sin(x)", "--x", "1")
    assert cli(*args, "--precision", "3").stdout == "value\t0.841\nx\t0.54\n"
    assert cli(*args).stdout == "value\t0.8414709848078965\nx\t0.5403023058681398\n"
    full = json.loads(cli(*args, "--precision", "3", "--format", "json").stdout)
    assert full["value"] == 0.8414709848078965


def test_infinite_value_is_printed_with_a_warning(cli):
    r = cli("grad", "1/x", "--x", "0")
    assert r.returncode == 0
    assert r.stdout == "value\tinf\nx\t-inf\n"
    assert r.stderr == (
        "autodiff: warning: the value is inf\n"
        "autodiff: warning: the gradient with respect to x is -inf\n"
    )
    j = json.loads(cli("grad", "1/x", "--x", "0", "--format", "json").stdout)
    assert j == {"expression": "1/x", "value": "Infinity", "gradients": {"x": "-Infinity"}}


# Errors: exact message, exit code, nothing on stdout unless JSON was asked for.
@pytest.mark.parametrize(
    "args, code, stderr",
    [
        (
            ("grad", "a*", "--a", "1"),
            2,
            "autodiff: error: unexpected end of the input: expected a number, a variable or '('\n"
            "  a*\n"
            "    ^\n",
        ),
        (
            ("grad", "relu(a*b+c", "--a", "1"),
            2,
            "autodiff: error: unexpected end of the input: expected ')' or ','\n"
            "  relu(a*b+c\n"
            "            ^\n"
            "hint: the '(' at column 5 is not closed\n",
        ),
        (
            ("grad", "rleu(x)", "--x", "1"),
            2,
            "autodiff: error: unknown function 'rleu'\n  rleu(x)\n  ^^^^\n"
            "hint: did you mean relu?\n",
        ),
        (
            ("grad", "e**x", "--x", "1"),
            2,
            "autodiff: error: missing a value for e\n  e**x\n  ^\n"
            "hint: pass --e VALUE; for Euler's number write exp(1), and exp(x) for e**x\n",
        ),
        (
            ("grad", "relu(a*b+c)", "--a", "2"),
            2,
            "autodiff: error: missing values for b, c\n  relu(a*b+c)\n         ^\n"
            "hint: pass --b VALUE --c VALUE\n",
        ),
        (
            ("grad", "a*b", "--a", "2", "--b", "x"),
            2,
            "autodiff: error: invalid value for --b: 'x' is not a number\n"
            "hint: write a decimal number such as 2, -3.5 or 1e-3 (or inf, -inf, nan)\n",
        ),
        (
            ("grad", "a", "-D", "a=1,5"),
            2,
            "autodiff: error: invalid value for -D a: '1,5' is not a number\n"
            "hint: write a decimal number such as 2, -3.5 or 1e-3 (or inf, -inf, nan)\n",
        ),
        (
            ("grad", "log(x)", "--x", "-1"),
            1,
            "autodiff: error: log(x) with x = -1 is undefined\n  log(x)\n  ^^^^^^\n",
        ),
        (
            ("grad", "2x", "--x", "1"),
            2,
            "autodiff: error: implicit multiplication is not supported\n  2x\n   ^\n"
            "hint: write 2*x instead of 2x\n",
        ),
        (
            ("grad",),
            2,
            "autodiff: error: no expression given\n"
            'hint: autodiff grad "relu(a*b+c)" --a 2 --b -3 --c 10\n',
        ),
        (
            ("grad", "a*b", "c"),
            2,
            "autodiff: error: one expression only, but also got: c\n"
            "hint: quote the expression, and give values as --NAME VALUE\n",
        ),
        (
            ("grad", "a", "--a"),
            2,
            "autodiff: error: option --a needs a value\nhint: --a 2\n",
        ),
        (
            ("grad", "a", "--a", "1", "--precision", "zero"),
            2,
            "autodiff: error: invalid value for '--precision': 'zero' is not a valid integer"
            " range.\n",
        ),
    ],
)
def test_errors(cli, args, code, stderr):
    r = cli(*args)
    assert (r.returncode, r.stdout, r.stderr) == (code, "", stderr)


def test_nan_from_a_gradient_names_the_step(cli):
    r = cli("grad", "relu(-sqrt(x)) + 0*x", "--x", "0")
    assert r.returncode == 1
    assert r.stderr == (
        "autodiff: error: the gradient through sqrt(x) with x = 0 is undefined:"
        " x.grad += -0.0 / (2 * 0.0) is NaN\n"
        "  relu(-sqrt(x)) + 0*x\n"
        "        ^^^^^^^\n"
    )


def test_syntax_error_in_stdin_program_has_its_line_number(cli):
    r = cli("grad", "-", stdin="d = a*b\ne = d + c\nL = relu(e\n")
    assert r.returncode == 2
    assert r.stderr == (
        "autodiff: error: unexpected end of the line: expected ')' or ','\n"
        "  line 3: L = relu(e\n"
        "                    ^\n"
        "hint: the '(' at column 9 is not closed\n"
    )


def test_unused_value_warns_with_the_nearest_variable(cli):
    r = cli("grad", "rate*x", "--rate", "2", "--x", "3", "--rat", "1", "--q", "1")
    assert r.returncode == 0
    assert r.stderr == (
        "autodiff: warning: --rat is not used by the expression (did you mean --rate?)\n"
        "autodiff: warning: --q is not used by the expression\n"
    )


@pytest.mark.parametrize(
    "args, kind, line, column",
    [
        (("grad", "relu(a*b+c", "--format", "json"), "syntax", 1, 11),
        (("grad", "log(x)", "--x", "-1", "--format", "json"), "undefined", 1, 1),
        (("grad", "a*b", "--a", "1", "--format=json"), "missing_value", 1, 3),
        (("grad", "a", "--a", "one", "--format", "json"), "invalid_value", None, None),
    ],
)
def test_errors_as_json_on_stdout(cli, args, kind, line, column):
    r = cli(*args)
    assert r.returncode in (1, 2)
    error = json.loads(r.stdout)["error"]
    assert (error["kind"], error["line"], error["column"]) == (kind, line, column)
    assert r.stderr.startswith(f"autodiff: error: {error['message']}\n")


def test_help_opens_with_examples_and_exit_codes(autodiff):
    r = autodiff("grad", "--help")
    assert r.returncode == 0
    assert r.stdout.startswith(
        "Usage: autodiff grad [OPTIONS] EXPR [--VAR VALUE]...\n\n"
        "  Value and gradients of EXPR at a point.\n\n"
        "  Examples:\n"
        '    autodiff grad "relu(a*b+c)" --a 2 --b -3 --c 10\n'
    )
    assert "Exit codes: 0 success (an infinite result is a warning); 1 the evaluation" in r.stdout
    assert "(every one, or those of\n  --wrt), a gradient check that disagrees" in r.stdout


def test_installed_command_end_to_end(autodiff):
    r = autodiff(*USED_BY)
    assert (r.returncode, r.stdout, r.stderr) == (0, "value\t4\na\t-3\nb\t2\nc\t1\n", "")
    err = autodiff("grad", "log(x)", "--x", "-1")
    assert (err.returncode, err.stdout) == (1, "")
    assert "Traceback" not in err.stderr


def test_installed_command_reads_stdin(autodiff):
    r = autodiff("grad", "-", "--x", "2", stdin="y = x**3\ny + 1\n")
    assert r.stdout == "value\t9\nx\t12\n"


def test_output_that_cannot_be_written_is_a_clean_error(tmp_path):
    import subprocess

    from conftest import BIN, user_env

    with open("/dev/full", "w") as full:
        r = subprocess.run(
            [str(BIN / "autodiff"), *USED_BY, "--format", "json"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=user_env(),
        )
    assert r.returncode == 2
    assert r.stderr == "autodiff: error: cannot write the output: No space left on device\n"


def test_trace_help_lists_only_trace_formats(autodiff):
    out = autodiff("trace", "--help").stdout
    assert "--format [table|text|json|markdown]" in out
