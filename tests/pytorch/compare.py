"""autodiff against PyTorch float64, where the two are most likely to part: run by hand.

    pip install torch==2.13.0      # beside autodiff, in a development environment
    python tests/pytorch/compare.py [--expressions 4000] [--seed 0]

Not part of the test suite (it needs PyTorch); the suite's own cases in
tests/test_singular.py were worked out from PyTorch's formulas and checked here.
Three comparisons, each printed with its counts:

1. every operation of the table at special inputs (signed zeros, subnormals,
   infinities, NaN) and special gradients from above: value and each input's
   contribution, bit for bit;
2. random expressions at such points, through `autodiff_cli.api.grad`: the
   exit status (NaN in the value or a gradient) must be PyTorch's, and the
   numbers equal (bit for bit, or within 1e-9 where the two libraries round
   exp, sin, tanh and the like differently in the last bits);
3. Hessians of random expressions (`autodiff_cli.higher.hessian`).
"""

from __future__ import annotations

import argparse
import itertools
import math
import random

import torch
import torch.nn.functional as F  # noqa: N812

from autodiff_cli import api
from autodiff_cli.errors import AutodiffError
from autodiff_cli.higher import hessian
from autodiff_cli.ops import FLOAT, OPS

F64 = torch.float64
TORCH = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "neg": lambda a: -a,
    "pow": torch.pow,
    "relu": torch.relu,
    "exp": torch.exp,
    "log": torch.log,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "sqrt": torch.sqrt,
    "abs": torch.abs,
    "sin": torch.sin,
    "cos": torch.cos,
    "tan": torch.tan,
    "square": torch.square,
    "exp2": torch.exp2,
    "expm1": torch.expm1,
    "log2": torch.log2,
    "log10": torch.log10,
    "log1p": torch.log1p,
    "erf": torch.erf,
    "erfc": torch.erfc,
    "asin": torch.asin,
    "acos": torch.acos,
    "atan": torch.atan,
    "atan2": torch.atan2,
    "hypot": torch.hypot,
    "sinh": torch.sinh,
    "cosh": torch.cosh,
    "asinh": torch.asinh,
    "acosh": torch.acosh,
    "atanh": torch.atanh,
    "leaky_relu": F.leaky_relu,
    "elu": F.elu,
    "logsigmoid": F.logsigmoid,
    "softplus": F.softplus,
    "silu": F.silu,
    "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "floor": torch.floor,
    "ceil": torch.ceil,
    "round": torch.round,
    "trunc": torch.trunc,
    "sign": torch.sign,
    # The reference cases' forms (tests/data/vocab_README.md): reductions of a stack.
    "max": lambda *xs: torch.stack(xs).amax(0),
    "min": lambda *xs: torch.stack(xs).amin(0),
    "logsumexp": lambda *xs: torch.logsumexp(torch.stack(xs), 0),
    "sum": lambda *xs: torch.stack(xs).sum(0),
    "mean": lambda *xs: torch.stack(xs).mean(0),
    "clamp": lambda x, lo, hi: torch.clamp(x, min=lo, max=hi),
    "lt": lambda a, b: (a < b).double(),
    "le": lambda a, b: (a <= b).double(),
    "gt": lambda a, b: (a > b).double(),
    "ge": lambda a, b: (a >= b).double(),
    "eq": lambda a, b: (a == b).double(),
    "ne": lambda a, b: (a != b).double(),
    "where": lambda c, a, b: torch.where(c != 0, a, b),
}
INF, NAN = math.inf, math.nan
INPUTS = [-INF, -1e308, -3.0, -2.0, -1.0, -0.5, -1e-310, -5e-324, -0.0, 0.0, 5e-324, 1e-310,
          1e-300, 0.5, 0.7, 1.0, 2.0, 3.0, 1e308, INF, NAN]  # fmt: skip
GRADIENTS = [1.0, -1.0, 0.0, -0.0, 1e-10, INF, -INF, NAN]
EXPONENTS = [0.0, -0.0, 1.0, 2.0, 3.0, -1.0, -2.0, 0.5, -0.5, 1.5, -1.5, 2.5, 1 / 3, 400.0]
CONSTANTS = [0.01, 0.2, 1.0, 1.5, 0.0, -1.0]  # elu's alpha, leaky_relu's slope
FEW = [-INF, -1.0, -0.0, 0.0, 5e-324, 0.5, 1.0, 2.0, INF, NAN]  # for three inputs


def bits_equal(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def close(a: float, b: float, signed: bool = True) -> bool:
    """Equal within 1e-9; a zero's sign counts too, unless not `signed` (Hessians,
    whose zeros come from formulas PyTorch writes by hand)."""
    if bits_equal(a, b) or (a == 0.0 and b == 0.0):
        return bits_equal(a, b) or not signed
    finite = math.isfinite(a) and math.isfinite(b)
    return finite and abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def tensor(x: float, grad: bool = False):
    return torch.tensor(x, dtype=F64, requires_grad=grad)


def torch_op(name: str, inputs, constant):
    if name == "pow_const":
        return inputs[0] ** constant
    if constant is not None:
        return TORCH[name](*inputs, constant)
    return TORCH[name](*inputs)


def grid_of(op):
    """(inputs, constant, g) to try: every input and gradient; three inputs from fewer."""
    if op.takes_constant:
        constants = EXPONENTS if op.name == "pow_const" else CONSTANTS
        return [((x,), n, g) for x, n, g in itertools.product(INPUTS, constants, GRADIENTS)]
    counts = [1, 2, 3] if op.arity is None else [op.arity]
    return [(xs, None, g) for count in counts
            for xs in itertools.product(INPUTS if count < 3 else FEW, repeat=count)
            for g in GRADIENTS]  # fmt: skip


def compare_operations() -> tuple[int, int, list]:
    checked, rounded, differ = 0, 0, []
    for op in OPS:
        for xs, constant, g in grid_of(op):
            leaves = [tensor(x, True) for x in xs]
            out = torch_op(op.name, leaves, constant)
            if out.requires_grad:
                grads = torch.autograd.grad(out, leaves, tensor(g), allow_unused=True)
            else:  # a comparison: no gradient flows
                grads = [None] * len(leaves)
            want = [out.item()] + [0.0 if d is None else d.item() for d in grads]
            ours = op.forward(*xs, constant) if op.takes_constant else op.forward(*xs)
            got = [ours, *op.backward(FLOAT, g, ours, *op.operands(xs, constant))]
            checked += 1
            if all(bits_equal(w, float(v)) for w, v in zip(want, got)):
                continue
            if all(close(w, float(v)) for w, v in zip(want, got)):
                rounded += 1  # an ordinary input (0.7, -3) rounded otherwise in the last bits
            else:
                differ.append((op.name, xs, constant, g, want, got))
    return checked, rounded, differ


UNARY = [op.name for op in OPS if op.function and op.arity == 1 and not op.takes_constant]
SEVERAL = ["max", "min", "logsumexp", "sum", "mean"]
NUMBERS = ["0", "1", "2", "0.5", "3", "1e-10", "1e300", "(-2)", "(-1)"]
POWERS = ["0", "1", "2", "3", "0.5", "(-1)", "(-0.5)", "(-2)", "1.5", "(x**0)"]
POINTS = [-1.0, -0.0, 0.0, 5e-324, 1e-310, 1.0, 2.0, -2.0, 0.5, INF, -INF, 1e308]


def random_expression(rng: random.Random, depth: int) -> str:
    if depth == 0 or rng.random() < 0.25:
        return rng.choice("xyz") if rng.random() < 0.7 else rng.choice(NUMBERS)
    r = rng.random()
    if r < 0.3:
        return f"{rng.choice(UNARY)}({random_expression(rng, depth - 1)})"
    if r < 0.35:
        return called(rng, depth)
    if r < 0.75:
        op = rng.choice("+-*/")
        return f"({random_expression(rng, depth - 1)} {op} {random_expression(rng, depth - 1)})"
    if r < 0.85:
        return f"({random_expression(rng, depth - 1)})**{rng.choice(POWERS)}"
    if r < 0.92:
        return f"({random_expression(rng, depth - 1)})**({random_expression(rng, depth - 1)})"
    return f"(-{random_expression(rng, depth - 1)})"


def called(rng: random.Random, depth: int) -> str:
    """A call of several arguments, a constant argument, a comparison or a where."""

    def sub() -> str:
        return random_expression(rng, depth - 1)

    kind = rng.randrange(6)
    if kind == 0:
        name = rng.choice(["atan2", "hypot", "pow"])
        return f"{name}({sub()}, {sub()})"
    if kind == 1:
        return f"{rng.choice(SEVERAL)}({', '.join(sub() for _ in range(rng.randint(1, 4)))})"
    if kind == 2:
        return f"clamp({sub()}, {sub()}, {sub()})"
    if kind == 3:
        return f"{rng.choice(['elu', 'leaky_relu'])}({sub()}, {rng.choice(CONSTANTS)})"
    if kind == 4:
        return f"({sub()} {rng.choice(['<', '<=', '>', '>=', '==', '!='])} {sub()})"
    return f"where({sub()}, {sub()}, {sub()})"


def torch_graph(expr, point):
    """The expression's nodes as PyTorch tensors: (output, {variable: leaf})."""
    tensors, leaves = [], {}
    for node in expr.nodes:
        if node.op is None and node.variable:
            t = leaves[node.name] = tensor(point[node.name], True)
        elif node.op is None:
            t = tensor(node.constant)
        else:
            t = torch_op(node.op.name, [tensors[j] for j in node.inputs], node.constant)
        tensors.append(t)
    return tensors[expr.output], leaves


def torch_gradients(out, leaves, names, create_graph=False):
    if not out.requires_grad:
        return [None] * len(names)
    return torch.autograd.grad(
        out, [leaves[n] for n in names], allow_unused=True, create_graph=create_graph
    )


def random_point(rng, expr, special: float):
    return {v: rng.choice(POINTS) if rng.random() < special else rng.uniform(-3, 3)
            for v in expr.variables}  # fmt: skip


def compare_expressions(n: int, rng: random.Random):
    exact = rounded = failed = 0
    differ = []
    for _ in range(n):
        try:
            expr = api.parse(random_expression(rng, rng.randint(1, 4)))
        except AutodiffError:
            continue
        point = random_point(rng, expr, 0.6)
        out, leaves = torch_graph(expr, point)
        grads = torch_gradients(out, leaves, expr.variables)
        want = [out.item()] + [0.0 if g is None else g.item() for g in grads]
        torch_nan = any(math.isnan(w) for w in want)
        try:
            result = api.grad(expr, point)
        except AutodiffError as error:
            if torch_nan:
                failed += 1  # both: NaN in the value or a gradient
            else:
                differ.append((expr.source, point, want, error.message))
            continue
        got = [result.value, *result.gradients.values()]
        if torch_nan:
            differ.append((expr.source, point, want, got))
        elif all(bits_equal(w, g) for w, g in zip(want, got)):
            exact += 1
        elif all(close(w, g) for w, g in zip(want, got)):
            rounded += 1
        else:
            differ.append((expr.source, point, want, got))
    return exact, rounded, failed, differ


def compare_hessians(n: int, rng: random.Random):
    compared = 0
    differ, cancelled = [], []
    for _ in range(n):
        try:
            expr = api.parse(random_expression(rng, rng.randint(1, 3)))
        except AutodiffError:
            continue
        if not expr.variables:
            continue
        point = random_point(rng, expr, 0.5)
        try:
            api.grad(expr, point)  # as the commands do: first derivatives first
        except AutodiffError:
            continue
        names = expr.variables
        out, leaves = torch_graph(expr, point)
        first = torch_gradients(out, leaves, names, create_graph=True)
        want = {}
        for row, g in zip(names, first):
            if g is None or not g.requires_grad:
                want[row] = {col: 0.0 for col in names}
                continue
            second = torch.autograd.grad(
                g, [leaves[c] for c in names], allow_unused=True, retain_graph=True
            )
            want[row] = {c: 0.0 if s is None else s.item() for c, s in zip(names, second)}
        try:
            got = hessian(expr, point)
        except AutodiffError as error:
            if not any(math.isnan(x) for r in want.values() for x in r.values()):
                differ.append((expr.source, point, want, error.message))
            continue
        compared += 1
        pairs = [(want[r][c], got[r][c]) for r in names for c in names]
        if all(close(w, g, signed=False) for w, g in pairs):
            continue
        if all(close(w, g, False) or (math.isfinite(w) and math.isfinite(g)) for w, g in pairs):
            cancelled.append((expr.source, point, want, got))  # finite, rounded otherwise
        else:
            differ.append((expr.source, point, want, got))
    return compared, cancelled, differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--expressions", type=int, default=4000)
    parser.add_argument("--hessians", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    checked, rounded, differ = compare_operations()
    print(f"operations: {checked} points, {rounded} within 1e-9 (rounding), {len(differ)} differ")
    for case in differ[:10]:
        print("   ", case)

    exact, rounded, failed, differ = compare_expressions(args.expressions, rng)
    print(
        f"expressions: {exact} bit for bit, {rounded} within 1e-9, {failed} NaN in both"
        f" (exit 1), {len(differ)} differ"
    )
    for case in differ[:10]:
        print("   ", case)

    compared, cancelled, differ = compare_hessians(args.hessians, rng)
    print(
        f"hessians: {compared} compared, {len(cancelled)} finite but apart by more than 1e-9"
        f" (cancellation of large terms, summed in another order), {len(differ)} differ"
    )
    for case in cancelled[:5] + differ[:10]:
        print("   ", case)


if __name__ == "__main__":
    main()
