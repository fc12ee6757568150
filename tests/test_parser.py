"""The expression language: numbers, names, precedence, programs, errors."""

from __future__ import annotations

import math

import pytest

from autodiff_cli.api import grad, parse
from autodiff_cli.errors import AutodiffError
from autodiff_cli.ops import NAMES


def value(source: str, **point: float) -> float:
    return grad(source, point).value


@pytest.mark.parametrize(
    "source, expected",
    [
        ("2", 2.0),
        ("2.5", 2.5),
        (".5", 0.5),
        ("5.", 5.0),
        ("1e-3", 1e-3),
        ("2.5E+4", 25000.0),
        ("3E-1", 0.3),
        ("-x**2", -9.0),
        ("2**3**2", 512.0),
        ("2^3^2", 512.0),
        ("2**-1", 0.5),
        ("-2**2", -4.0),
        ("(-2)**2", 4.0),
        ("a*-b", -10.0),
        ("a - -b", 7.0),
        ("a - +b", -3.0),
        ("+a", 2.0),
        ("--a", 2.0),
        ("1 - 2 - 3", -4.0),
        ("8 / 4 / 2", 1.0),
        ("2 + 3 * 4", 14.0),
        ("(2 + 3) * 4", 20.0),
        ("2 * 3 ** 2", 18.0),
        ("-a**-b", -(2.0**-5)),
        ("x^2 + x**2", 18.0),
        ("pi", math.pi),
        ("2*pi*a", 4 * math.pi),
        ("relu(a*b+c)", 30.0),
        ("exp(log(a))", 2.0),
    ],
)
def test_numbers_and_precedence_as_in_python(source, expected):
    assert value(source, x=3.0, a=2.0, b=5.0, c=20.0) == pytest.approx(expected, rel=1e-15)


def test_every_function_and_alias_is_callable_by_name():
    for name, op in NAMES.items():
        count = 1 if op.takes_constant else len(op.params)
        x = 1.7 if op.name == "acosh" else 0.7  # inside the domain
        result = grad(f"{name}({', '.join(['x'] * count)})", {"x": x})
        expected = op.forward(x, op.default) if op.takes_constant else op.forward(*[x] * count)
        assert result.value == expected, name


def test_variables_in_order_of_first_appearance():
    assert parse("z*a + b*z + a").variables == ["z", "a", "b"]
    assert parse("learning_rate * x1 + bias").variables == ["learning_rate", "x1", "bias"]
    assert parse("θ**2 + θ").variables == ["θ"]
    assert parse("pi * r**2").variables == ["r"]
    assert parse("e**x").variables == ["e", "x"]


def test_unicode_variable():
    assert grad("sin(θ)", {"θ": 0.5}).gradients == {"θ": math.cos(0.5)}


def test_constant_exponent_uses_the_power_rule_variable_exponent_the_general_one():
    const = parse("x**(1/3)")
    out = const.nodes[const.output]
    assert out.op.name == "pow_const" and out.constant == 1 / 3
    general = parse("x**y")
    assert general.nodes[general.output].op.name == "pow"
    assert parse("2**x").nodes[-1].op.name == "pow"


def test_reused_variable_is_one_node():
    expr = parse("x*x + x")
    assert sum(1 for n in expr.nodes if n.variable) == 1
    assert grad(expr, {"x": 3.0}).gradients == {"x": 7.0}


@pytest.mark.parametrize(
    "program",
    [
        "d = a*b; e = d + c; L = relu(e)",
        "d = a*b\ne = d + c\nL = relu(e)\n",
        "# the walkthrough\nd = a*b   # multiply\n\ne = d + c;\nL = relu(e);",
        "d = a*b; e = d + c; relu(e)",
    ],
)
def test_programs_mean_the_same_as_the_expression(program):
    result = grad(program, {"a": 2.0, "b": -3.0, "c": 10.0})
    assert result.value == 4.0
    assert result.gradients == {"a": -3.0, "b": 2.0, "c": 1.0}


def test_programs_name_their_nodes():
    expr = parse("d = a*b; e = d + c; L = relu(e)")
    assert [n.name for n in expr.nodes] == ["a", "b", "d", "c", "e", "L"]


def test_reassignment_uses_the_latest_binding():
    assert grad("y = x*2; y = y + 1; y*y", {"x": 1.0}).value == 9.0


def errors_of(source: str) -> AutodiffError:
    with pytest.raises(AutodiffError) as info:
        parse(source)
    return info.value


@pytest.mark.parametrize(
    "source, message, column, hint",
    [
        ("a*", "unexpected end of the input: expected a number, a variable or '('", 3, None),
        (
            "relu(a*b+c",
            "unexpected end of the input: expected ')' or ','",
            11,
            "the '(' at column 5 is not closed",
        ),
        ("2x", "implicit multiplication is not supported", 2, "write 2*x instead of 2x"),
        ("x y", "implicit multiplication is not supported", 3, "write x*y instead of x y"),
        ("2(x+1)", "implicit multiplication is not supported", 2, "write 2*( instead of 2("),
        ("(a)(b)", "implicit multiplication is not supported", 4, "write )*( instead of )("),
        (
            "2e",
            "2e is not a number: an exponent needs digits, as in 2e3",
            1,
            "to multiply, write 2*e",
        ),
        ("1 +* 2", "unexpected '*': expected a number, a variable or '('", 4, None),
        ("a $ b", "unexpected character '$'", 3, None),
        (
            "a )",
            "unexpected ')': expected an operator, '(', ',', '=' or the end of the input",
            3,
            None,
        ),
        ("f()", "unknown function 'f'", 1, None),
        ("rleu(x)", "unknown function 'rleu'", 1, "did you mean relu?"),
        ("tanhh(x)", "unknown function 'tanhh'", 1, "did you mean tanh?"),
        ("x(2)", "unknown function 'x'", 1, None),  # the command line names its listing
        ("relu(a, b)", "relu takes 1 argument (x), got 2", 1, "write relu(x)"),
        ("__import__(os)", "unknown function '__import__'", 1, None),
        ("sin x", "sin is a function: its argument goes in parentheses", 5, "write sin(x)"),
    ],
)
def test_invalid_expressions_say_why_and_where(source, message, column, hint):
    error = errors_of(source)
    assert error.message == message
    assert error.line_column == (1, column)
    assert error.hint == hint
    assert error.exit_code == 2


@pytest.mark.parametrize("source", ["x(2)", "__import__(os)"])
def test_the_command_line_points_at_its_listing_of_functions(cli, source):
    r = cli("grad", source, "--x", "1", "--os", "1")
    assert r.returncode == 2
    assert r.stderr.endswith("\nhint: autodiff functions lists them all\n")


def test_error_on_a_later_line_has_its_line_number():
    error = errors_of("d = a*b\ne = d +\nL = relu(e)")
    assert error.message == "unexpected end of the line: expected a number, a variable or '('"
    assert error.line_column == (2, 8)


@pytest.mark.slow
def test_hundred_thousand_nested_parentheses():
    depth = 100_000
    result = grad("(" * depth + "x*x" + ")" * depth, {"x": 3.0})
    assert (result.value, result.gradients) == (9.0, {"x": 6.0})


@pytest.mark.slow
def test_sum_of_a_million_terms():
    n = 1_000_000
    source = "+".join(f"x{i % 10}" for i in range(n))
    result = grad(source, {f"x{i}": float(i) for i in range(10)})
    assert result.value == sum(i % 10 for i in range(n))
    assert result.gradients == {f"x{i}": n / 10 for i in range(10)}


@pytest.mark.parametrize("source", ["", "   ", "# a comment only\n\n"])
def test_an_empty_expression_is_said_to_be_empty(source):
    error = errors_of(source)
    assert (error.kind, error.message, error.hint) == (
        "syntax",
        "the expression is empty",
        "relu(a*b+c)",
    )
