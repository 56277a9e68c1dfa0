"""Random test points for identity testing: sizes for dim symbols, values for declared names.

Sizes are never 1 (a 1×n row would hide a transpose) and differ between dim symbols within a
point and between points.  Matrices get independent entries, so they are non-symmetric unless a
symbol is asked to be symmetric (the "assumed A symmetric" diagnosis).  Exact points draw integers
from ``[-EXACT_RANGE, EXACT_RANGE]``; float points draw non-integer rationals (so ``sin(pi x)`` is
not 0 there), signed or, for functions like log and sqrt, positive.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

from grader.evaluation import Mat, Point
from grader.language.declarations import Declarations

#: Exact points take integer values in [-EXACT_RANGE, EXACT_RANGE]: |S| = 2·EXACT_RANGE + 1.
EXACT_RANGE = 10**6
_DENOMINATORS = (97, 101, 103, 107, 109)


@dataclass(frozen=True)
class Regime:
    """How values are drawn: exactly or as floats; signed or positive only."""

    exact: bool
    positive: bool = False
    symmetric: tuple[str, ...] = ()


def size_assignments(symbols: tuple[str, ...], count: int) -> list[dict[str, int]]:
    """``count`` size assignments: within one, symbols get distinct sizes ≥ 2; across them,
    each symbol takes different sizes."""
    base = list(range(2, 2 + max(len(symbols), 2) + 1))  # e.g. 2, 3, 4 for up to two symbols
    assignments = []
    for index in range(count):
        shift = index % len(base)
        rotated = base[shift:] + base[:shift]
        assignments.append({symbol: rotated[i] for i, symbol in enumerate(symbols)})
    return assignments


def sample_point(
    declarations: Declarations, sizes: dict[str, int], regime: Regime, rng: random.Random
) -> Point:
    values: dict[str, Mat] = {}
    for name, shape in declarations.entries:
        rows, cols = shape.rows.evaluate(sizes), shape.cols.evaluate(sizes)
        if name in regime.symmetric and rows == cols:
            values[name] = _symmetric(rows, regime, rng)
        else:
            values[name] = Mat.build(rows, cols, lambda i, j: _value(regime, rng))
    return Point(dict(sizes), values)


def _symmetric(size: int, regime: Regime, rng: random.Random) -> Mat:
    upper = {(i, j): _value(regime, rng) for i in range(size) for j in range(i, size)}
    return Mat.build(size, size, lambda i, j: upper[(min(i, j), max(i, j))])


def _value(regime: Regime, rng: random.Random) -> Fraction | int:
    if regime.exact:
        return rng.randint(1 if regime.positive else -EXACT_RANGE, EXACT_RANGE)
    denominator = rng.choice(_DENOMINATORS)
    while True:
        numerator = rng.randint(1 if regime.positive else -4 * denominator, 4 * denominator)
        if numerator % denominator:  # never an integer
            break
    return Fraction(numerator, denominator)
