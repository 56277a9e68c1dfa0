"""The composed family: its blocks and combinations give many structures at every difficulty,
its keys come from the engine (checked here by finite differences, independently), and its
mistakes are wrong."""

from __future__ import annotations

import pytest

from generator.distinct import structure
from generator.families import registry
from generator.family import build
from generator.verify import verify

SEEDS = 200
FAMILY = registry()["composed"]


@pytest.mark.parametrize("difficulty", FAMILY.difficulties)
def test_at_least_30_structures_per_difficulty(difficulty: int) -> None:
    structures = {structure(build(FAMILY, seed, difficulty, "symbolic", "numerator", "q1"))
                  for seed in range(SEEDS)}
    assert len(structures) >= 30, sorted(structures)


@pytest.mark.parametrize("difficulty", FAMILY.difficulties)
def test_block_count_grows_with_difficulty(difficulty: int) -> None:
    """Difficulty d uses d blocks: the function has at least d occurrences of the variable."""
    for seed in range(20):
        exercise = build(FAMILY, seed, difficulty, "symbolic", "numerator", "q1")
        variable = exercise.wrt
        tokens = exercise.function.replace("(", " ").replace(")", " ").replace("^T", " ")
        assert tokens.split().count(variable) >= difficulty, exercise.function


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
@pytest.mark.parametrize("seed", range(4))
def test_keys_agree_with_finite_differences(seed: int, layout: str) -> None:
    for difficulty in FAMILY.difficulties:
        exercise = build(FAMILY, seed, difficulty, "symbolic", layout,  # type: ignore[arg-type]
                         "q1")
        verify(exercise, seed=seed)


def test_every_mistake_is_listed_once_and_differs_from_the_key() -> None:
    for seed in range(30):
        exercise = build(FAMILY, seed, 3, "symbolic", "numerator", "q1")
        answers = [m.answer for m in exercise.mistakes]
        assert exercise.answer not in answers
        assert len(answers) == len(set(answers))
        assert {"sign"} <= {m.note for m in exercise.mistakes}
