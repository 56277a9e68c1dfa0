"""The method line states the Schwartz–Zippel bound with a correctly rounded mantissa."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader import check
from grader.equivalence import describe_method, scientific
from grader.sampling import EXACT_RANGE

BOUND = re.compile(r"\((\d+)/([\d,]+)\)\^(\d+) ≈ (\d)\.(\d)e([+-]?\d+) ")


def rounds_correctly(value: Fraction, text: str) -> bool:
    """``text`` is m.me±k with 1 ≤ m.m < 10 and |m.m·10^k - value| ≤ 0.05·10^k (checked in
    exact rational arithmetic, independently of how the text was made)."""
    found = re.fullmatch(r"(\d)\.(\d)e([+-]?\d+)", text)
    assert found, text
    mantissa = Fraction(int(found[1]) * 10 + int(found[2]), 10)
    scale = Fraction(10) ** int(found[3])
    return 1 <= mantissa < 10 and abs(mantissa * scale - value) <= Fraction(1, 20) * scale


def test_the_bound_just_below_a_power_of_ten_is_printed_as_one_point_zero() -> None:
    # (2/2000001)^4 = 0.99999800…e-24, which printed as "10.0e-25".
    method = check("x", "x + 10^-24", "x").method
    assert "(2/2,000,001)^4 ≈ 1.0e-24 " in method
    assert "10.0e" not in method


@pytest.mark.parametrize("value", [
    Fraction(99999, 10**29), Fraction(95, 10**26), Fraction(9949, 10**28), Fraction(9951, 10**28),
    Fraction(1, 10**24), Fraction(15, 10), Fraction(1, 3), Fraction(2, 2000001) ** 4,
    Fraction(999999, 10**6) ** 40,
])
def test_boundaries(value: Fraction) -> None:
    assert rounds_correctly(value, scientific(value))


@given(st.integers(1, 5000), st.integers(1, 40))
def test_every_stated_bound_is_rounded_correctly(degree: int, points: int) -> None:
    size = 2 * EXACT_RANGE + 1
    method = describe_method(True, points, degree)
    found = BOUND.search(method)
    assert found, method
    assert (int(found[1]), int(found[2].replace(",", "")), int(found[3])) == (degree, size, points)
    assert rounds_correctly(Fraction(degree, size) ** points,
                            f"{found[4]}.{found[5]}e{found[6]}")


def test_positive_values_state_their_own_set() -> None:
    method = describe_method(True, 4, 2, positive=True)
    assert f"1 to {EXACT_RANGE:,}" in method and f"(2/{EXACT_RANGE:,})^4" in method
