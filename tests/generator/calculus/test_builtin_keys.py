"""The engine against every hand-written key: equivalent by the grader, and about as short."""

from __future__ import annotations

import os
import statistics

import pytest

from grader.checker import check
from grader.verdict import CheckOptions
from tests.generator.calculus.builtin_keys import derive, exercises

#: Seeds per family, difficulty, form and layout (MATCALC_ENGINE_SEEDS=10 for the full run).
SEEDS = int(os.environ.get("MATCALC_ENGINE_SEEDS", "2"))


@pytest.fixture(scope="module")
def derived() -> list:
    return [derive(e) for e in exercises(SEEDS)]


def test_engine_matches_every_hand_written_key(derived: list) -> None:
    options = CheckOptions(diagnose=False)
    wrong = []
    for item in derived:
        verdict = check(item.exercise.answer, item.derivative, item.exercise.given,
                        options=options)
        if verdict.status != "correct":
            wrong.append((item.exercise.id, item.exercise.function, item.derivative,
                          item.exercise.answer, verdict.status))
    print(f"engine equivalent to the key: {len(derived) - len(wrong)}/{len(derived)}")
    assert not wrong


def test_simplified_results_are_about_as_short_as_the_keys(derived: list) -> None:
    ratios = sorted(len(item.derivative) / len(item.exercise.answer) for item in derived)
    within = sum(r <= 1.5 for r in ratios)
    print(f"ratio ≤ 1.5: {within}/{len(ratios)}; quartiles "
          f"{statistics.quantiles(ratios, n=4)}; max {ratios[-1]:.2f}")
    assert within >= 0.9 * len(ratios)
