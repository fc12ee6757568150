"""`diff` results: the formulas as text, JSON, Markdown and LaTeX, and the derivation's steps.

The Rich table is in terminal.py. Text with one derivative is the formula
alone, so that `grad` can read it back; with several, `d/dx = ...` a line.
"""

from __future__ import annotations

from autodiff_cli.render.dialects import json_line
from autodiff_cli.symbolic.diff import label


def _step_line(i: int, step) -> str:
    line = f"{i}. {step.rule}: d/d{step.wrt}({step.expression}) = {step.applied}"
    return line if step.applied == step.result else f"{line} = {step.result}"


def text(result, style) -> str:
    lines = [_step_line(i, s) for i, s in enumerate(result.steps, 1)]
    formulas = result.formulas
    if len(formulas) == 1 and not lines:
        return "".join(f"{f}\n" for f in formulas.values())
    if lines:
        lines.append("")
    lines += [f"{label(path)} = {f}" for path, f in formulas.items()]
    return "".join(f"{line}\n" for line in lines)


def _nested(result) -> dict:
    """{"x": "..."}; for a matrix of second partials, {"x": {"x": "...", "y": "..."}}."""
    out: dict = {}
    for path, formula in result.formulas.items():
        if result.derivatives.matrix:
            out.setdefault(path[0], {})[path[1]] = formula
        else:
            out[path[0]] = formula
    return out


def as_json(result, style) -> str:
    obj = {"expression": result.expression, "derivatives": _nested(result)}
    if result.order != 1:
        obj["order"] = result.order
    if result.show_steps:
        obj["steps"] = [
            {"derivative": label(s.path), "rule": s.rule, "expression": s.expression,
             "applied": s.applied, "result": s.result}
            for s in result.steps
        ]  # fmt: skip
    return json_line(obj)


def _cell(text: str) -> str:
    return f"`{text}`".replace("|", "\\|")


def markdown(result, style) -> str:
    lines = [_cell(result.expression), ""]
    if result.steps:
        lines += ["| # | derivative | rule | of | by the rule | simplified |",
                  "|---:|---|---|---|---|---|"]  # fmt: skip
        for i, s in enumerate(result.steps, 1):
            cells = (label(s.path), s.rule, _cell(s.expression), _cell(s.applied), _cell(s.result))
            lines.append(f"| {i} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += ["| derivative | formula |", "|---|---|"]
    lines += [f"| {label(p)} | {_cell(f)} |" for p, f in result.formulas.items()]
    return "\n".join(lines) + "\n"


def latex(result, style) -> str:
    lines = []
    for path in result.formulas:
        lines += result.derivatives.latex(path)
    return "".join(f"{line}\n" for line in lines)
