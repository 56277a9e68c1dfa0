"""The evaluator's exact linear algebra agrees with an independent Fraction computation."""

from __future__ import annotations

import random
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from grader.evaluation import DomainError, Mat, determinant, inverse


def _fraction_det(rows: list[list[Fraction]]) -> Fraction:
    """Laplace expansion: slow, obviously right, independent of the elimination code."""
    if len(rows) == 1:
        return rows[0][0]
    return sum((-1) ** j * rows[0][j] * _fraction_det([r[:j] + r[j + 1:] for r in rows[1:]])
               for j in range(len(rows)))


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5).flatmap(
    lambda size: st.lists(st.integers(-9, 9), min_size=size * size, max_size=size * size)
    .map(lambda data, s=size: (s, data))))
def test_integer_det_and_inverse(case: tuple[int, list[int]]) -> None:
    size, data = case
    matrix = Mat(size, size, tuple(data))
    rows = [[Fraction(v) for v in data[i * size:(i + 1) * size]] for i in range(size)]
    det = _fraction_det(rows)
    assert determinant(matrix) == det
    if det == 0:
        try:
            inverse(matrix)
        except DomainError:
            return
        raise AssertionError("a singular matrix was inverted")
    inv = inverse(matrix)
    for i in range(size):  # m · m⁻¹ = I
        for j in range(size):
            total = sum(rows[i][k] * inv.at(k, j) for k in range(size))
            assert total == (1 if i == j else 0)


def test_fraction_matrices_use_the_general_path() -> None:
    rng = random.Random(3)
    data = tuple(Fraction(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(9))
    matrix = Mat(3, 3, data)
    if determinant(matrix) != 0:
        product = [sum(matrix.at(i, k) * inverse(matrix).at(k, j) for k in range(3))
                   for i in range(3) for j in range(3)]
        assert product == [1, 0, 0, 0, 1, 0, 0, 0, 1]
