"""Numeric exercises: concrete values, exact keys, and no value on a ReLU kink."""

from __future__ import annotations

import pytest

from generator.families import registry
from generator.family import build
from grader.evaluation import Point, break_arguments, evaluate
from grader.language.parser import parse, parse_declarations

NUMERIC = [f for f in registry().values() if "numeric" in f.forms]


@pytest.mark.parametrize("family", NUMERIC, ids=[f.name for f in NUMERIC])
def test_values_keep_every_break_argument_off_zero(family: object) -> None:
    for seed in range(15):
        difficulty = family.difficulties[seed % len(family.difficulties)]  # type: ignore[attr-defined]
        exercise = build(family, seed, difficulty, "numeric", "numerator", "q1")  # type: ignore[arg-type]
        declarations = parse_declarations(exercise.given)
        values = {name: evaluate(parse(text, ""), Point({}, {}), exact=True)
                  for name, text in exercise.values}
        assert set(values) == set(declarations.names)
        point = Point({}, values)
        function = parse(exercise.function, declarations)
        for argument in break_arguments(function):
            assert all(v != 0 for v in evaluate(argument, point, exact=True).data), exercise.id
        assert all(ch not in exercise.answer for ch in "xyzAWX"), exercise.answer  # numbers only
