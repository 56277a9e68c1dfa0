"""Keys and listed mistakes typed back as students type them: as the answer key typesets them
(their LaTeX without the spaces LaTeX ignores) and as compact ASCII (spaces left out wherever
the reading is unchanged).  Every family × difficulty × form × layout, over several seeds: the
key in each form reads as the key and is accepted; each mistake reads as itself and is refused.
"""

from __future__ import annotations

import pytest

from generator.families import registry
from generator.family import build
from generator.layout import LAYOUTS
from grader import check, parse, parse_declarations, print_latex
from tests.grader.language.compact import compact_ascii, compact_latex

SEEDS = 6

CASES = [
    pytest.param(family.name, difficulty, form, layout,
                 id=f"{family.name}-d{difficulty}-{form}-{layout}")
    for family in registry().values()
    for difficulty in family.difficulties
    for form in family.forms
    for layout in LAYOUTS
]


@pytest.mark.parametrize(("name", "difficulty", "form", "layout"), CASES)
def test_keys_and_mistakes_typed_compactly(name: str, difficulty: int, form: str,
                                           layout: str) -> None:
    family = registry()[name]
    for seed in range(SEEDS):
        exercise = build(family, 7919 * seed + difficulty, difficulty, form,  # type: ignore[arg-type]
                         layout, "q1")  # type: ignore[arg-type]
        declarations = parse_declarations(exercise.given)
        key = parse(exercise.answer, declarations)
        for text in _typed(exercise.answer_latex, exercise.answer, declarations):
            assert parse(text, declarations, expected=key.typed_shape) == key, (name, text)
        # One full check per exercise: the grader accepts the compact forms, not just reads them.
        for text in _typed(exercise.answer_latex, exercise.answer, declarations):
            verdict = check(exercise.answer, text, declarations, layout=exercise.layout)
            assert verdict.status == "correct", (name, text, verdict.feedback)
        for mistake in exercise.mistakes:
            wrong = parse(mistake.answer, declarations)
            for text in _typed(print_latex(wrong), mistake.answer, declarations):
                assert parse(text, declarations) == wrong, (name, text)
                verdict = check(exercise.answer, text, declarations, layout=exercise.layout)
                assert verdict.status != "correct", (name, text)


def _typed(latex: str, ascii: str, declarations: object) -> list[str]:
    forms = [compact_latex(latex), compact_ascii(ascii, declarations)]  # type: ignore[arg-type]
    return list(dict.fromkeys(forms))
