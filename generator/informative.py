"""Numbers worth asking about: the rules every numeric instance of an exercise keeps.

A numeric key is only a test of the calculus if a wrong method gives a different number, and it
is only fair if it can be worked out by hand.  So values are drawn, and redrawn, until

* the key is not all zeros, and every entry is either zero for all values (structurally, like
  the off-diagonal of a diag) or at least :data:`SMALLEST` in magnitude; where the key has a
  piece-wise part (relu, step, abs, max) an entry may be zero because its unit is inactive, and
  units that can take both signs at once are mixed, some active, some not;
* an exact key holds integers or fractions whose numerator and denominator are at most
  :data:`LIMIT`; an irrational one has entries at most :data:`LIMIT` in magnitude;
* σ and tanh arguments lie within :data:`FLAT` of 0, where the derivative is not flat, and a
  softmax's arguments within :data:`SPREAD` of each other.

Square matrices are drawn as a unimodular matrix with one row scaled by a small determinant
(:data:`DETERMINANTS`), so that inverses have small integer or half or third entries.  All
randomness comes from the ``random.Random`` handed in.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

import mpmath

from grader.errors import MatcalcError
from grader.evaluation import (
    DomainError,
    Mat,
    Number,
    Point,
    break_arguments,
    evaluate,
    is_exact,
    working_digits,
)
from grader.language import nodes as n
from grader.language.declarations import Declarations

#: Largest numerator or denominator of an exact key entry (and magnitude of an irrational one).
LIMIT = 1000
#: Smallest magnitude of a key entry that is not structurally zero.
SMALLEST = Fraction(1, 100)
#: Largest |argument| of σ or tanh (σ'(3) ≈ 0.045, tanh'(3) ≈ 0.0099).
FLAT = 3
#: Largest spread (max − min) of a softmax's arguments.
SPREAD = 4
#: Determinants a drawn square matrix may have (up to sign).
DETERMINANTS = (1, 1, 2, 3)
#: Draws of a square matrix while one of its entries is 0.
SQUARE_TRIES = 60
#: Values drawn for the generic points that find structural zeros.
GENERIC = 20
#: Generic points tried; an entry zero at all of them is structurally zero.
GENERIC_POINTS = 4


@dataclass(frozen=True)
class Regime:
    """How values are drawn: largest magnitude, and positive only (log, sqrt) or signed."""

    magnitude: int
    positive: bool


def regimes(tries: int, signed_tries: int) -> Iterator[Regime]:
    """Signed values of shrinking size; after ``signed_tries``, positive ones (for log, sqrt,
    log det) in turn with signed ones."""
    for attempt in range(tries):
        yield Regime((5, 3, 2, 1)[attempt // 2 % 4],
                     positive=attempt >= signed_tries and attempt % 2 == 1)


def draw(declarations: Declarations, sizes: dict[str, int], rng: random.Random,
         regime: Regime) -> dict[str, Mat]:
    """Nonzero integers in ±magnitude; square matrices with a small nonzero determinant."""
    values: dict[str, Mat] = {}
    for name, shape in declarations.entries:
        rows, cols = shape.rows.evaluate(sizes), shape.cols.evaluate(sizes)
        if rows == cols and rows > 1:
            values[name] = square(rows, rng, positive=regime.positive)
            continue
        data = tuple(_entry(rng, regime) for _ in range(rows * cols))
        values[name] = Mat(rows, cols, data)
    return values


def square(size: int, rng: random.Random, *, positive: bool) -> Mat:
    """P·L·U with unit triangular L and U (small entries, positive when asked), one row scaled
    by a determinant from DETERMINANTS: invertible, with a small inverse.  Drawn again (a few
    times) while an entry is 0, so that no entry of a key vanishes by accident."""
    for attempt in range(SQUARE_TRIES):
        choices = (1, 2) if positive else (-1, 1) if attempt < SQUARE_TRIES // 2 else (
            -2, -1, 1, 2)
        lower = [[1 if i == j else rng.choice(choices) if j < i else 0 for j in range(size)]
                 for i in range(size)]
        upper = [[1 if i == j else rng.choice(choices) if j > i else 0 for j in range(size)]
                 for i in range(size)]
        product = [[sum(lower[i][k] * upper[k][j] for k in range(size)) for j in range(size)]
                   for i in range(size)]
        if all(v for row in product for v in row):
            break
    order = list(range(size))
    if not positive:
        rng.shuffle(order)
    rows = [product[i] for i in order]
    scale = rng.choice(DETERMINANTS) * (1 if positive or rng.random() < 0.5 else -1)
    scaled = rng.randrange(size)
    rows[scaled] = [scale * v for v in rows[scaled]]
    return Mat(size, size, tuple(v for row in rows for v in row))


def _entry(rng: random.Random, regime: Regime) -> int:
    magnitude = rng.randint(1, regime.magnitude)
    return magnitude if regime.positive or rng.random() < 0.5 else -magnitude


def value(tree: n.Node, point: Point) -> Mat | None:
    """The tree's value at the point (exact where it can be), or None off its domain."""
    try:
        if is_exact(tree):
            return evaluate(tree, point, exact=True)
        return evaluate(tree, point, exact=False, digits=working_digits(tree))
    except (DomainError, MatcalcError, ZeroDivisionError, ValueError, OverflowError):
        return None


@dataclass(frozen=True)
class Profile:
    """What a key does for all values, seen at a few generic points."""

    #: Indices (row-major) of the entries that are zero at every generic point.
    zeros: frozenset[int]
    #: True when the piece-wise units took both signs at some generic point (they can mix:
    #: ``max(w^2 + 1, sin x)`` can't).
    mixable: bool


def profile(key: n.Node, function: n.Node, declarations: Declarations, sizes: dict[str, int],
            rng: random.Random) -> Profile:
    """The key's structural zeros and whether its piece-wise units can mix, from
    GENERIC_POINTS points with values in ±GENERIC."""
    zero: set[int] | None = None
    mixable = False
    pieces = break_arguments(function, key)
    found = 0
    for attempt in range(4 * GENERIC_POINTS):
        regime = Regime(GENERIC, positive=attempt >= 2 * GENERIC_POINTS)
        values = {name: _generic(v, rng, regime) for name, v in
                  draw(declarations, sizes, rng, regime).items()}
        point = Point(sizes, values)
        result = value(key, point)
        if result is None:
            continue
        here = {i for i, v in enumerate(_flat(result)) if _is_zero(v)}
        zero = here if zero is None else zero & here
        mixable = mixable or len(_signs(pieces, point)) == 2
        found += 1
        if found == GENERIC_POINTS:
            break
    return Profile(frozenset(zero or ()), mixable)


def _signs(pieces: list[n.Node], point: Point) -> set[bool]:
    signs: set[bool] = set()
    for argument in pieces:
        result = value(argument, point)
        if result is not None:
            signs.update(v > 0 for v in result.data if not _is_zero(v))
    return signs


def _generic(value: Mat, rng: random.Random, regime: Regime) -> Mat:
    """A drawn value made generic: square matrices get a dominant diagonal, other entries
    stay as drawn from ±GENERIC."""
    if value.rows != value.cols or value.rows == 1:
        return value
    size = value.rows
    return Mat.build(size, size, lambda i, j: _entry(rng, regime) + (
        (3 * GENERIC * size) if i == j else 0))


def rejection(key: n.Node, function: n.Node, point: Point, answer: Mat,
              known: Profile) -> str | None:
    """Why the key's value ``answer`` at ``point`` is not worth asking for, or None."""
    entries = _flat(answer)
    if all(_is_zero(v) for v in entries):
        return "the key is all zeros"
    piecewise = break_arguments(function, key)
    for index, v in enumerate(entries):
        if _is_zero(v):
            if index not in known.zeros and not piecewise:
                return "a key entry is zero at these values only"
        elif _magnitude(v) < SMALLEST:
            return f"a key entry is smaller than {SMALLEST}"
        elif isinstance(v, Fraction | int):
            v = Fraction(v)
            if abs(v.numerator) > LIMIT or v.denominator > LIMIT:
                return f"a key entry has a numerator or denominator above {LIMIT}"
        elif _magnitude(v) > LIMIT:
            return f"a key entry is larger than {LIMIT}"
    if known.mixable and len(_signs(piecewise, point)) < 2:
        return "the piece-wise units are all active or all inactive"
    for node in n.walk(function, key):
        if isinstance(node, n.Apply) and node.func in ("sigma", "tanh"):
            result = value(node.arg, point)
            if result is None or any(abs(v) > FLAT for v in result.data):
                return f"a {node.func} argument is beyond ±{FLAT}, where it is flat"
        elif isinstance(node, n.Softmax):
            result = value(node.arg, point)
            if result is None or max(result.data) - min(result.data) > SPREAD:
                return f"softmax arguments spread more than {SPREAD}"
    return None


def _flat(value: Mat) -> list[Number]:
    return [v for row in value.entries() for v in row]


def _magnitude(v: Number) -> Fraction:
    """|v| as a fraction (an mpf's to 20 significant digits), comparable with any bound."""
    if isinstance(v, Fraction | int):
        return abs(Fraction(v))
    return abs(Fraction(mpmath.nstr(v, 20, min_fixed=-1, max_fixed=-1)))


def _is_zero(v: Number) -> bool:
    if isinstance(v, Fraction | int):
        return v == 0
    return bool(abs(v) < mpmath.mpf(10) ** -20)
