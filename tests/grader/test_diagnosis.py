"""Diagnoses in the high-precision path: sign, scalar multiple (with c), transpose and missing
terms are named for keys with σ, exp, tanh, softmax, log and trig as they are for exact keys, at
the points' own precision; a term missing inside a function's argument is named as such, and a
product of two same-shaped factors is pointed to .*."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.checker import check

GIVEN = "x[n], w[n], z[n], b, t, W[m,n], A[n,n], a"

#: Keys evaluated in ball arithmetic (each has a function with no exact value).
FLOAT_KEYS = (
    "(sigma(w^T x + b) - t) x",
    "diag(sigma(z) .* (1 - sigma(z)))",
    "diag(1 - tanh(W x) .^ 2) W",
    "diag(softmax(z)) - softmax(z) softmax(z)^T",
    "exp(w^T x) x^T",
    "cos(a) x + sin(a) w",
    "log(a^2 + 1) A",
)


def diagnosed(key: str, answer: str) -> tuple[str, str | None, str, str]:
    verdict = check(key, answer, GIVEN)
    return verdict.status, verdict.note, verdict.feedback, verdict.method


@pytest.mark.parametrize("key", FLOAT_KEYS)
def test_the_sign_is_named_for_float_keys(key: str) -> None:
    status, note, feedback, method = diagnosed(key, f"-({key})")
    assert "ball arithmetic" in method  # the float path, not the exact one
    assert (status, note) == ("incorrect", "sign"), feedback


@pytest.mark.parametrize("key", FLOAT_KEYS)
@pytest.mark.parametrize(("c", "words"), [("2", "2 times"), ("1/2", "1/2 times"),
                                          ("-3", "-3 times")])
def test_a_scalar_multiple_is_named_with_c_for_float_keys(key: str, c: str, words: str) -> None:
    status, note, feedback, _ = diagnosed(key, f"({c}) ({key})")
    assert (status, note) == ("incorrect", "scalar_multiple"), feedback
    assert words in feedback


@pytest.mark.parametrize("key", [k for k in FLOAT_KEYS if "diag" not in k and "A" not in k])
def test_the_transpose_is_named_for_float_keys(key: str) -> None:
    status, note, feedback, _ = diagnosed(key, f"({key})^T")
    assert (status, note) == ("wrong_shape", "transpose"), feedback


@settings(max_examples=25, deadline=None)
@given(key=st.sampled_from(FLOAT_KEYS),
       c=st.fractions(min_value=-50, max_value=50, max_denominator=50).filter(
           lambda c: c not in (0, 1)))
def test_any_plausible_factor_is_found(key: str, c: Fraction) -> None:
    _, note, feedback, _ = diagnosed(key, f"({c.numerator}/{c.denominator}) ({key})")
    if c == -1:
        assert note == "sign"
    else:
        assert note == "scalar_multiple" and f"{c} times" in feedback


def test_scaling_keeps_the_digits_of_a_high_precision_key() -> None:
    """A key with a tiny constant is evaluated with more digits than usual; the sign is still
    found at those digits."""
    key = "exp(a) + 10^-40 a"
    status, note, feedback, method = diagnosed(key, f"-({key})")
    assert method.startswith("91-digit"), method
    assert (status, note) == ("incorrect", "sign"), feedback


@pytest.mark.parametrize(("key", "answer"), [
    ("(sigma(w^T x + b) - t) x", "(sigma(w^T x) - t) x"),
    ("exp(w^T x) x + x", "exp(w^T x) x"),
])
def test_a_missing_term_of_the_whole_is_named_for_float_keys(key: str, answer: str) -> None:
    status, note, feedback, _ = diagnosed(key, answer)
    if "sigma" in key:  # the bias is inside σ: not a term of the whole
        assert note == "missing_term_in_argument", feedback
    else:
        assert (status, note, feedback) == (
            "incorrect", "missing_term", "Your answer is missing a term of the sum.")


def test_a_bias_dropped_inside_sigma_is_a_term_missing_in_the_argument() -> None:
    status, note, feedback, _ = diagnosed("sigma(w^T x + b) - t", "sigma(w^T x) - t")
    assert (status, note) == ("incorrect", "missing_term_in_argument")
    assert feedback.startswith("Your answer is missing a term inside the argument of sigma")
    assert "of the sum." not in feedback


@pytest.mark.parametrize(("key", "answer", "where"), [
    ("diag(exp(W x + b)) W", "diag(exp(W x)) W", "the argument of exp"),
    ("-(A + a A^T)^-1", "-A^-1", "the inverse"),  # exact path
    ("4 a^3 / (a^4 + 3)", "4 a^3 / a^4", "a denominator"),
    ("sqrt(a^2 + 1) x", "sqrt(a^2) x", "the argument of sqrt"),
    ("det(A + a A^T) A", "det(A) A", "the determinant"),
])
def test_a_term_missing_in_an_argument_names_where(key: str, answer: str, where: str) -> None:
    status, note, feedback, _ = diagnosed(key, answer)
    assert (status, note) == ("incorrect", "missing_term_in_argument"), feedback
    assert f"inside {where}" in feedback


def test_a_missing_term_of_the_sum_stays_one() -> None:
    assert diagnosed("2 A^T (A x - x) + x", "2 A^T (A x - x)")[1] == "missing_term"
    assert diagnosed("(A + A^T) x", "A x")[1] == "missing_term"


def test_a_product_of_same_shaped_vectors_points_to_elementwise() -> None:
    status, note, feedback, _ = diagnosed("diag(sigma(z) .* (1 - sigma(z)))",
                                          "diag(sigma(z)*(1-sigma(z)))")
    assert (status, note) == ("invalid", "shape")
    assert "entry by entry, write .*" in feedback
    assert "transpose" not in feedback


def test_a_product_that_a_transpose_fixes_still_says_so() -> None:
    _, _, feedback, _ = diagnosed("x^T A", "A x^T")
    assert "may need a transpose" in feedback and ".*" not in feedback
