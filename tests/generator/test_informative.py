"""Informative numeric instances: no all-zero key, no tiny entries, nothing a student can't
compute by hand, relu units mixed, σ arguments off the flat tails; square matrices with small
determinants.  Stated values are read back and checked with numpy, not with the evaluator."""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import informative
from generator.export.common import ExportError
from generator.export.instances import numeric_instance
from generator.families import registry
from generator.family import build
from grader.exercise_set import Exercise
from tests.generator.test_instances import exercise, read_matrix, stated

NUMERIC = [f for f in registry().values() if "numeric" in f.forms]


def _entries(answer: tuple[tuple[Fraction, ...], ...]) -> list[Fraction]:
    return [v for row in answer for v in row]


def _hand_computable(values: list[Fraction], exact: bool) -> None:
    assert any(v != 0 for v in values), values  # the all-zero answer is never right
    for v in values:
        assert v == 0 or abs(v) >= Fraction(1, 100), v
        if exact:
            assert abs(v.numerator) <= 1000 and v.denominator <= 1000, v
        else:
            assert abs(v) <= 1000, v


@pytest.mark.parametrize("family", NUMERIC, ids=[f.name for f in NUMERIC])
def test_numeric_keys_are_informative_and_computable_by_hand(family: object) -> None:
    for seed in range(12):
        difficulty = family.difficulties[seed % len(family.difficulties)]  # type: ignore[attr-defined]
        for layout in ("numerator", "denominator"):
            made = build(family, seed, difficulty, "numeric", layout, "q1")  # type: ignore[arg-type]
            instance = numeric_instance(made)
            _hand_computable(_entries(instance.answer), instance.exact)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 4), st.integers(0, 10**6), st.booleans())
def test_square_matrices_have_small_determinants_and_small_inverses(size: int, seed: int,
                                                                    positive: bool) -> None:
    matrix = informative.square(size, random.Random(seed), positive=positive)
    array = np.array(matrix.entries(), dtype=float)
    determinant = round(np.linalg.det(array))
    assert abs(determinant) in {1, 2, 3}
    assert abs(np.linalg.det(array) - determinant) < 1e-6
    scaled = np.linalg.inv(array) * determinant  # the adjugate: whole numbers
    assert np.allclose(scaled, np.round(scaled), atol=1e-6)
    if positive:
        assert (array > 0).all() and determinant > 0


def test_inverse_keys_are_small_fractions() -> None:
    for seed in range(20):
        instance = numeric_instance(exercise("X[n,n], a[n], b[n]", "X", "a^T X^-1 b",
                                             "-X^-1 b a^T X^-1", seed=seed))
        _hand_computable(_entries(instance.answer), instance.exact)


def test_relu_layers_mix_active_and_inactive_units() -> None:
    for seed in range(20):
        instance = numeric_instance(exercise(
            "W[k,n], x[n], b[k]", "x", "relu(W x + b)", "diag(step(W x + b)) W", seed=seed,
            kind="jacobian"))
        values = stated(instance)
        pre = values["W"] @ values["x"] + values["b"]
        assert (pre > 0).any() and (pre < 0).any(), pre
        _hand_computable(_entries(instance.answer), instance.exact)


def test_units_that_can_never_mix_are_not_asked_to() -> None:
    for seed in range(5):  # w^2 + 1 > sin(x) everywhere: every unit takes the first argument
        instance = numeric_instance(exercise(
            "w[n], x[n]", "w", "max(w .^ 2 + 1, sin(x))",
            "diag(2 step((w .^ 2 + 1) - sin(x)) .* w)", seed=seed, kind="jacobian"))
        _hand_computable(_entries(instance.answer), instance.exact)


def test_a_single_relu_unit_is_active() -> None:
    for seed in range(20):
        instance = numeric_instance(exercise("w[n], x[n], b", "w", "max(0, w^T x + b)",
                                             "step(w^T x + b) x^T", seed=seed))
        values = stated(instance)
        assert (values["w"].T @ values["x"] + values["b"]).item() > 0


def test_sigma_arguments_stay_where_the_derivative_is_not_flat() -> None:
    for seed in range(20):
        instance = numeric_instance(exercise(
            "w[n], x[n]", "w", "sigma(w^T x)",
            "sigma(w^T x) (1 - sigma(w^T x)) x^T", seed=seed))
        values = stated(instance)
        assert abs((values["w"].T @ values["x"]).item()) <= informative.FLAT
        assert not instance.exact
        _hand_computable(_entries(instance.answer), instance.exact)


def test_structural_zeros_are_kept_and_chance_zeros_are_not() -> None:
    for seed in range(10):
        instance = numeric_instance(exercise("w[n], x[n]", "w", "w ./ x", "diag(1 ./ x)",
                                             seed=seed, kind="jacobian"))
        answer = np.array([[float(v) for v in row] for row in instance.answer])
        off = answer[~np.eye(len(answer), dtype=bool)]
        assert (off == 0).all() and (np.diag(answer) != 0).all()


def test_a_key_that_is_always_zero_is_an_error_that_says_so() -> None:
    always_zero: Exercise = exercise("x[n]", "x", "x^T x - x^T x", "x^T - x^T")
    with pytest.raises(ExportError, match=r"q1 .*informative key.*all zeros"):
        numeric_instance(always_zero)


def test_stated_values_read_back() -> None:
    instance = numeric_instance(exercise("x[n], A[n,n]", "x", "x^T A x", "x^T (A + A^T)"))
    values = stated(instance)
    key = values["x"].T @ (values["A"] + values["A"].T)
    assert np.allclose(key, [[float(v) for v in row] for row in instance.answer])
    assert read_matrix("[1; 2]").shape == (2, 1)
