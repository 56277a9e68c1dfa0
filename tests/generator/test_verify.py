"""The verifier catches wrong keys and accepted mistakes, and copes with domains."""

from __future__ import annotations

import random

import pytest

from generator.family import Draft, Family, build
from generator.verify import VerificationError, verify
from grader.exercise_set import Form
from grader.verdict import Mistake


def family_of(draft: Draft) -> Family:
    def make(rng: random.Random, difficulty: int, form: Form) -> Draft:
        return draft

    return Family("demo", "Demo", "a test", (1,), ("symbolic",), make)


def test_a_right_key_passes_even_off_a_functions_domain() -> None:
    exercise = build(family_of(Draft("x", "x", "log(x) + x^2", "1/x + 2 x", "derivative", ())),
                     0, 1, "symbolic", "numerator", "q1")
    verify(exercise)


def test_a_wrong_key_fails_finite_differences() -> None:
    exercise = build(family_of(Draft("x[n], A[n,n]", "x", "x^T A x", "2 x^T A", "gradient", ())),
                     0, 1, "symbolic", "numerator", "q1")
    with pytest.raises(VerificationError, match="disagrees with finite differences"):
        verify(exercise)


def test_a_wrong_layout_fails_finite_differences() -> None:
    exercise = build(family_of(Draft("x[n], a[n]", "x", "a^T x", "a^T", "gradient", ())),
                     0, 1, "symbolic", "denominator", "q1")
    verify(exercise)  # the framework transposed the key: a
    assert exercise.answer == "a"


def test_a_listed_mistake_that_is_right_is_caught() -> None:
    draft = Draft("x[n], A[n,n]", "x", "x^T A x", "x^T (A + A^T)", "gradient", (),
                  (Mistake("x^T A + x^T A^T", "not_a_mistake", "..."),))
    exercise = build(family_of(draft), 0, 1, "symbolic", "numerator", "q1")
    with pytest.raises(VerificationError, match="is accepted as correct"):
        verify(exercise)


def test_a_key_of_the_wrong_shape_is_refused_at_build() -> None:
    draft = Draft("x[n], A[n,n]", "x", "x^T A x", "(A + A^T) x", "gradient", ())
    with pytest.raises(Exception, match="the key is n×1, not 1×n"):
        build(family_of(draft), 0, 1, "symbolic", "numerator", "q1")
