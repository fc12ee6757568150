"""The 300 conformance cases (values and gradients computed independently by
PyTorch in float64, see tests/data/README.md) through the command's JSON output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CASES = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "grad_cases.jsonl").read_text().splitlines()
    if line.strip()
]


def close(got: float, want: float) -> bool:
    return abs(got - want) <= 1e-9 * max(1.0, abs(want))


def args_for(case) -> list[str]:
    args = ["grad", "--expr", case["expression"], "--format", "json"]
    for name, value in case["point"].items():
        args.append(f"--{name}={value!r}")
    return args


def check(case, stdout: str) -> None:
    got = json.loads(stdout)
    assert got["expression"] == case["expression"]
    assert close(got["value"], case["value"]), (got["value"], case["value"])
    assert list(got["gradients"]) == list(case["gradients"])  # order of first appearance
    for name, want in case["gradients"].items():
        assert close(got["gradients"][name], want), (name, got["gradients"][name], want)


def test_there_are_300_cases():
    assert len(CASES) == 300


@pytest.mark.parametrize("case", CASES, ids=[c["expression"] for c in CASES])
def test_conformance_case(cli, case):
    r = cli(*args_for(case))
    assert r.returncode == 0, r.stderr
    check(case, r.stdout)


@pytest.mark.parametrize("case", CASES[::25], ids=[c["expression"] for c in CASES[::25]])
def test_conformance_case_through_the_installed_command(autodiff, case):
    r = autodiff(*args_for(case))
    assert r.returncode == 0, r.stderr
    check(case, r.stdout)
