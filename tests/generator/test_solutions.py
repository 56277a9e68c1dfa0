"""Prompts and worked solutions read like a textbook: every convention stated, no placeholders or
private jargon, public references only, and denominator-layout solutions worked in that layout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.families import registry
from generator.family import build

ROOT = Path(__file__).resolve().parents[2]
SEEDS = 12
#: Families whose denominator-layout solutions are written in that layout throughout.
#: Every family: each works its denominator-layout solutions in that layout.
IN_LAYOUT = tuple(sorted(registry()))
_PUBLIC = re.compile(r"Parr & Howard|Matrix Cookbook|Goodfellow|Bishop|Magnus")


def _exercises(name: str, layout: str = "numerator"):  # type: ignore[no-untyped-def]
    family = registry()[name]
    for difficulty in family.difficulties:
        for form in family.forms:
            for seed in range(SEEDS):
                yield build(family, seed, difficulty, form, layout, "q1")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", list(registry()))
def test_no_placeholders_or_private_names(name: str) -> None:
    for layout in ("numerator", "denominator"):
        for exercise in _exercises(name, layout):
            texts = (exercise.prompt_latex, *exercise.steps_latex,
                     *(m.feedback for m in exercise.mistakes))
            for text in texts:
                assert "identity bank" not in text and "identities" + ".md" not in text, text
                assert "inner factor $k$" not in text, text


@pytest.mark.parametrize("name", list(registry()))
def test_sources_are_public(name: str) -> None:
    source = registry()[name].source
    assert _PUBLIC.search(source), source
    assert "identities" not in source and "row " not in source, source


def test_kronecker_prompts_state_vec_and_column_stacking() -> None:
    for layout in ("numerator", "denominator"):
        for exercise in _exercises("kronecker", layout):
            assert r"\operatorname{vec}" in exercise.prompt_latex
            assert "stacks the columns" in exercise.prompt_latex


def test_a_derivative_by_a_matrix_states_its_shape() -> None:
    for exercise in _exercises("trace_forms", "denominator"):
        assert "In denominator layout" in exercise.prompt_latex
        assert "has the shape of" in exercise.prompt_latex


def test_every_intermediate_the_total_derivative_uses_is_defined() -> None:
    """The total-derivative chain rule names u; a solution that uses u says what u is."""
    family = registry()["chain_rules"]
    for seed in range(60):
        exercise = build(family, seed, 2, "explicit", "numerator", "q1")
        steps = " ".join(exercise.steps_latex)
        uses = re.search(r"\\partial u|du/dx|\\frac\{du\}", steps)
        if uses:
            assert re.search(r"u = ", steps), steps


def test_the_chain_rule_step_shows_its_inner_function() -> None:
    family = registry()["scalar_rules"]
    for seed in range(40):
        exercise = build(family, seed, 2, "explicit", "numerator", "q1")
        steps = " ".join(exercise.steps_latex)
        assert "$k$" not in steps
        assert "Chain rule" in steps or "rules for" in steps, steps


@pytest.mark.parametrize("name", IN_LAYOUT)
def test_denominator_solutions_are_worked_in_that_layout(name: str) -> None:
    for exercise in _exercises(name, "denominator"):
        if exercise.kind == "hessian":
            continue
        steps = " ".join(exercise.steps_latex)
        assert "the result is the transpose" not in steps, steps
        if name != "layout_translation":  # whose exercise is the translation itself
            assert "numerator layout" not in steps.lower(), steps
        assert "denominator layout" in steps.lower() or "this sheet's layout" in steps, steps
    for exercise in _exercises(name, "numerator"):
        steps = " ".join(exercise.steps_latex)
        assert "denominator layout" not in steps.lower() or name == "layout_translation", steps


#: Families whose denominator-layout solutions show the key exactly as the answer key prints it.
ENDS_AT_KEY = ("activations", "chain_rules", "elementwise_binary", "explicit_jacobian")


@pytest.mark.parametrize("name", ENDS_AT_KEY)
def test_denominator_solutions_arrive_at_the_key_as_printed(name: str) -> None:
    """The transposed key is written out in the steps, not left to the reader."""
    for exercise in _exercises(name, "denominator"):
        if exercise.form != "numeric":
            assert exercise.answer_latex in " ".join(exercise.steps_latex), exercise.steps_latex


def test_nothing_cites_a_file_the_project_does_not_contain() -> None:
    private = ("identities" + ".md", "/work/" + "shared")
    for path in ROOT.rglob("*"):
        if (path.suffix not in (".py", ".md", ".toml", ".tex", ".html") or ".venv" in path.parts
                or ".git" in path.parts or "egg-info" in str(path)):
            continue
        text = path.read_text("utf-8", errors="replace")
        assert not any(name in text for name in private), path
