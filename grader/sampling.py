"""Random test points for identity testing: sizes for dim symbols, values for declared names.

Sizes are never 1 (a 1×n row would hide a transpose) and differ between dim symbols within a
point and between points.  Matrices get independent entries, so they are non-symmetric unless a
symbol is asked to be symmetric (the "assumed A symmetric" diagnosis).  Exact points draw integers
from ``[-EXACT_RANGE, EXACT_RANGE]``; float points draw non-integer rationals (so ``sin(pi x)`` is
not 0 there), signed or, for functions like log and sqrt, positive.

When an expression is defined only on part of that region (``sqrt(x - 10)``, ``log(det(X^T X))``
for a tall X only), :func:`value_regimes` and :func:`size_orderings` list the places to search
next, in a fixed order: every search is reproducible from the seed.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

from grader.evaluation import Mat, Point
from grader.language.declarations import Declarations

#: Exact points take integer values in [-EXACT_RANGE, EXACT_RANGE]: |S| = 2·EXACT_RANGE + 1.
EXACT_RANGE = 10**6



@dataclass(frozen=True)
class Regime:
    """How values are drawn: exactly or as floats; signed or positive only."""

    exact: bool
    positive: bool = False
    symmetric: tuple[str, ...] = ()
    #: If set, exact values are fractions p/q (q ≤ 12) in [-scale, scale] instead of wide
    #: integers, so that a break between two integers (|x - x²| on (0, 1)) can be reached.
    scale: int = 0
    #: Float values only: each entry is one of ``centers`` plus a non-integer in
    #: [-spread, spread] (or (0, spread] when positive).  Unset: [-4, 4] around 0.
    centers: tuple[Fraction, ...] = ()
    spread: Fraction | None = None

    def describe(self) -> str:
        """Where the values lie, for the method line."""
        around = ", ".join(str(c) for c in self.centers) if self.centers else "0"
        spread = self.spread or self.scale or 4
        if self.positive:
            return f"values up to {spread} above {around}"
        return f"values within {spread} of {around}"


def size_assignments(symbols: tuple[str, ...], count: int,
                     rng: random.Random | None = None) -> list[dict[str, int]]:
    """``count`` size assignments: within one, symbols get distinct sizes ≥ 2; across them,
    each symbol takes different sizes.  With ``rng`` the sizes are drawn from 2–5 (so an
    answer right only for n = 2, 3, 4 is not safe); without, they rotate through 2, 3, 4…"""
    base = list(range(2, 2 + max(len(symbols), 2) + 1))  # e.g. 2, 3, 4 for up to two symbols
    if rng is not None:
        base = rng.sample(range(2, 5 + len(symbols)), len(base))
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
        elif regime.exact and not regime.scale:  # the common case, drawn in one call
            low = 1 if regime.positive else -EXACT_RANGE
            values[name] = Mat(rows, cols, tuple(rng.choices(_RANGES[low], k=rows * cols)))
        else:
            values[name] = Mat.build(rows, cols, lambda i, j: _value(regime, rng))
    return Point(dict(sizes), values)


_RANGES = {low: range(low, EXACT_RANGE + 1) for low in (1, -EXACT_RANGE)}


def _symmetric(size: int, regime: Regime, rng: random.Random) -> Mat:
    upper = {(i, j): _value(regime, rng) for i in range(size) for j in range(i, size)}
    return Mat.build(size, size, lambda i, j: upper[(min(i, j), max(i, j))])


def _value(regime: Regime, rng: random.Random) -> Fraction | int:
    if regime.exact and regime.scale:
        denominator = rng.randint(2, 12)
        top = regime.scale * denominator
        numerator = rng.randint(1 if regime.positive else -top, top)
        return Fraction(numerator, denominator) or Fraction(1, denominator)
    if regime.exact:
        return rng.randint(1 if regime.positive else -EXACT_RANGE, EXACT_RANGE)
    denominator = rng.randint(1_000, 1_000_000)  # unpredictable: sin(97 pi x) is not 0 here
    if regime.spread is not None:
        return _searched(regime, regime.spread, denominator, rng)
    top = (regime.scale or 4) * denominator
    while True:
        numerator = rng.randint(1 if regime.positive else -top, top)
        if numerator % denominator:  # never an integer
            break
    return Fraction(numerator, denominator)


def _searched(regime: Regime, spread: Fraction, denominator: int, rng: random.Random) -> Fraction:
    center = rng.choice(regime.centers) if regime.centers else Fraction(0)
    while True:
        numerator = rng.randint(1 if regime.positive else -denominator, denominator)
        value = center + spread * Fraction(numerator, denominator)
        if value.denominator != 1:
            return value


#: Spreads tried by the value search, wide and narrow alternately: 16, 1, 64, 1/4, … 4^10, 4^-5.
SPREADS = tuple(Fraction(4) ** k for pair in itertools.zip_longest(range(2, 11), range(0, -6, -1))
                for k in pair if k is not None)


def value_regimes(constants: tuple[Fraction, ...], positive: bool) -> Iterator[Regime]:
    """Float regimes to search when the usual values miss an expression's domain: each spread
    of :data:`SPREADS` around 0, around each constant of the expression (``x - 40`` suggests
    40 and -40), then around all of them at once (each entry picks its own)."""
    centers = [Fraction(0)]
    for c in sorted({abs(c) for c in constants if c}, reverse=True)[:4]:
        centers += [c, -c]
    for spread in SPREADS:
        for center in centers:
            yield Regime(False, positive, (), 0, (center,), spread)
        if len(centers) > 1:
            yield Regime(False, positive, (), 0, tuple(centers), spread)


def size_orderings(symbols: tuple[str, ...], rng: random.Random, per_ordering: int = 2
                   ) -> list[dict[str, int]]:
    """Size assignments covering every ordering of the dim symbols by size (``per_ordering``
    each, every symbol a different size in each), for expressions defined only when, say,
    p > q.  At most 24 orderings."""
    found: list[dict[str, int]] = []
    for ordering in itertools.islice(itertools.permutations(symbols), 24):
        sizes = sorted(rng.sample(range(2, 5 + len(symbols)), len(symbols)))
        for shift in range(per_ordering):
            assignment = {symbol: size + shift for symbol, size in zip(ordering, sizes,
                                                                      strict=True)}
            if assignment not in found:
                found.append(assignment)
    return found
