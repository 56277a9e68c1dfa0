"""Practice variants: fixed by the address, fresh ones drawn from a handed-down generator."""

from __future__ import annotations

import random

import pytest

from web.student.variants import PracticeError, choice_from, exercise, fresh


def test_a_seed_fixes_the_exercise() -> None:
    choice = choice_from("quadratic", {"difficulty": "1", "seed": "42"})
    assert exercise(choice) == exercise(choice_from("quadratic", {"seed": "42",
                                                                  "difficulty": "1"}))
    assert choice.form == "symbolic" and choice.layout == "numerator"


def test_fresh_variants_differ_and_come_from_the_generator_given() -> None:
    choice = choice_from("quadratic", {})
    first, second = fresh(choice, random.Random(1)), fresh(choice, random.Random(2))
    assert first.seed != second.seed
    assert fresh(choice, random.Random(1)) == first
    assert exercise(first).family == "quadratic"


@pytest.mark.parametrize(("family", "arguments", "says"), [
    ("nope", {}, "there is no family"),
    ("quadratic", {"difficulty": "9"}, "difficulties"),
    ("quadratic", {"layout": "sideways"}, "layout"),
    ("quadratic", {"seed": "-1"}, "whole number"),
    ("quadratic", {"seed": "9" * 30}, "whole number"),
    ("explicit_jacobian", {"form": "symbolic"}, "forms"),
])
def test_bad_addresses_are_refused_clearly(family: str, arguments: dict[str, str],
                                           says: str) -> None:
    with pytest.raises(PracticeError, match=says):
        choice_from(family, arguments)
