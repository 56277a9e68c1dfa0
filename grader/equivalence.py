"""Deciding whether two typed trees are the same function, by identity testing.

Both trees are evaluated at random points (several sizes for each dim symbol, random
non-symmetric values) exactly where every operation is rational, else in certified ball
arithmetic at 50 digits.  One mismatch rejects; agreement at ``points`` points accepts.  For the
rational part the Schwartz–Zippel lemma bounds a false accept by (d/|S|)^k for a wrong answer of
degree ≤ d, values from a set S and k points.  Points are drawn where the key is defined; when
the usual ones are too few, sizes and regions of values are searched for
(:meth:`PointSet.search_domain`).  A point where a value is past the evaluation caps counts
neither way.  ``simplify`` is never called: it is slow and fails on matrix expressions.
"""

from __future__ import annotations

import decimal
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath

from grader.evaluation import (
    FLOAT_DIGITS,
    DomainError,
    EvaluationLimitError,
    Mat,
    Point,
    break_arguments,
    evaluate,
    is_exact,
    working_digits,
)
from grader.language import nodes as n
from grader.language.declarations import Declarations
from grader.sampling import (
    EXACT_RANGE,
    Regime,
    sample_point,
    size_assignments,
    size_orderings,
    value_regimes,
)

#: Scales of the fine points drawn for expressions with breaks (wide points come in between).
_SCALES = (0, 1, 6, 1, 40, 1, 2, 1000)

#: Halvings when locating a break between two points: probes land within 2^-30 of the segment,
#: itself short (points of the smallest values are paired first).
_BISECTIONS = 30

#: Points in a row that must find no new piece before sampling of breaks stops.
_STALE_POINTS = 10

#: Float agreement required: all but this many of the significant digits computed.
GUARD_DIGITS = 15

#: Tries given to each candidate (sizes, or a value region) while searching for a domain, and
#: the search's whole budget as a multiple of ``max_tries``.
_BATCH = 4
_SEARCH_TRIES = 8


@dataclass
class PointSet:
    """Test points shared by every comparison of one check, drawn on demand."""

    declarations: Declarations
    exact: bool
    rng: random.Random
    wanted: int
    max_tries: int
    symmetric: tuple[str, ...] = ()
    digits: int = FLOAT_DIGITS
    #: Break arguments (see break_arguments): sampling goes on until each has been seen
    #: positive and negative, or the tries run out.
    breaks: list[n.Node] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    signs: dict[int, set[int]] = field(default_factory=dict)
    #: Joint sign patterns of the break arguments seen (the pieces visited), and how many
    #: points in a row found no new one.
    patterns: set[tuple[int, ...]] = field(default_factory=set)
    stale: int = 0
    tries: int = 0
    positive: bool = False
    #: Whether too few points may start a search for the domain (diagnosis's extra point sets
    #: don't), and whether it has run.
    search: bool = True
    searched: bool = False
    #: Sizes the points are drawn with, and the region of values once a search chose one.
    symbols: tuple[str, ...] = ()
    assignments: list[dict[str, int]] | None = None
    region: Regime | None = None
    #: Where searched points were found, for the method line.
    regions: set[str] = field(default_factory=set)
    #: Tries that found no point, and those of them past the evaluation caps.
    failures: int = 0
    limited: int = 0
    #: Values already computed, by id of the tree: fill() evaluates what values() returns.
    cache: dict[int, tuple[n.Node, list[Mat | None]]] = field(default_factory=dict)

    def fill(self, trees: Sequence[n.Node]) -> bool:
        """Draw points until ``wanted`` of them are in the domain of every tree; if the usual
        sizes and values give too few, search (once) for sizes and a region that do."""
        if self.assignments is None:
            self.symbols = _dim_symbols(self.declarations, trees)
            self.assignments = size_assignments(self.symbols, 3, self.rng)
        self.sample(trees, self.max_tries)
        if self.search and not self.searched and (
                len(self.points) < self.wanted or not self.varied()):
            self.searched = True
            self.search_domain(trees)
        if self.breaks:
            self.probe_breaks(trees)
        # A tree's cached values are only complete if it was evaluated at every point.
        self.cache = {k: v for k, v in self.cache.items() if len(v[1]) == len(self.points)}
        return len(self.points) >= self.wanted

    def sample(self, trees: Sequence[n.Node], budget: int) -> None:
        """Draw with the current sizes and region until enough points or ``budget`` tries."""
        assert self.assignments is not None
        # Past the points wanted, breaks may add as many again while they find new pieces.
        while (len(self.points) < self.wanted or (
                not self.covered() and len(self.points) < 2 * self.wanted)) and \
                self.tries < budget:
            self.tries += 1
            sizes = self.assignments[(len(self.points) + self.failures) % len(self.assignments)]
            scale = _SCALES[len(self.points) % len(_SCALES)] if self.breaks else 0
            regime = Regime(self.exact, self.positive, self.symmetric, scale)
            if self.region is not None:
                regime = Regime(False, self.region.positive, self.symmetric, 0,
                                self.region.centers, self.region.spread)
            if not self.draw(trees, sizes, regime) and self.failures - self.limited >= 3 \
                    and self.region is None:
                self.positive = True  # log, sqrt...: sample the positive orthant instead

    def varied(self) -> bool:
        """Whether every dim symbol took two sizes at least (else some sizes failed: search
        the others)."""
        return all(len({point.sizes[symbol] for point in self.points}) > 1
                   for symbol in self.symbols)

    def draw(self, trees: Sequence[n.Node], sizes: dict[str, int], regime: Regime) -> bool:
        """One point: kept if every tree is defined there and computable."""
        point = sample_point(self.declarations, sizes, regime, self.rng)
        try:
            found = [evaluate(tree, point, exact=self.exact, digits=self.digits)
                     for tree in trees]
        except EvaluationLimitError:
            self.failures += 1
            self.limited += 1
            return False
        except DomainError:
            self.failures += 1
            return False
        self.points.append(point)
        if regime.spread is not None:
            self.regions.add(regime.describe())
        self.note_signs(point)
        for tree, value in zip(trees, found, strict=True):
            self.cache.setdefault(id(tree), (tree, []))[1].append(value)
        return True

    def search_domain(self, trees: Sequence[n.Node]) -> None:
        """Search for sizes, then (for float points) values, where the trees are defined.

        Sizes: every ordering of the dim symbols (``log(det(X^T X))`` needs X tall).  Values:
        wider and narrower regions around 0 and around the constants of the trees
        (``sqrt(x - 40)``).  Each candidate gets a few tries; one that yields points is kept
        and sampled from.  Everything is drawn from the point set's seeded generator.
        """
        assert self.assignments is not None
        budget = self.tries + _SEARCH_TRIES * self.max_tries
        if self.symbols:
            candidates = list(self.assignments)
            for sizes in size_orderings(self.symbols, self.rng):
                if sizes not in candidates:
                    candidates.append(sizes)
            productive = [sizes for sizes in candidates
                          if self.tries < budget and self.attempt(trees, [sizes], None, budget)]
            self.assignments = productive or candidates
            if productive:
                self.sample(trees, budget)
        if self.exact or len(self.points) >= self.wanted:
            return  # exact points keep their values (the error bound depends on them)
        constants = _constants(trees)
        for positive in (False, True):
            for region in value_regimes(constants, positive):
                if self.tries >= budget or len(self.points) >= self.wanted:
                    return
                if self.attempt(trees, self.assignments, region, budget):
                    self.region = region
                    self.sample(trees, budget)

    def attempt(self, trees: Sequence[n.Node], assignments: list[dict[str, int]],
                region: Regime | None, budget: int) -> bool:
        """Whether a few tries with these sizes and values (None: the usual ones) find a
        point; the point found is kept."""
        for index in range(max(_BATCH, min(len(assignments), 3 * _BATCH))):
            if self.tries >= budget:
                break
            self.tries += 1
            regime = Regime(self.exact, self.positive, self.symmetric) if region is None else \
                Regime(False, region.positive, self.symmetric, 0, region.centers, region.spread)
            if self.draw(trees, assignments[index % len(assignments)], regime):
                return True
        return False

    def probe_breaks(self, trees: Sequence[n.Node]) -> None:
        """For each break argument seen with both signs, bisect between a point where it is
        positive and one where it is negative, and add the points just either side of where it
        crosses zero: the pieces next to every break are visited, however narrow."""
        probed = list(self.points)
        for argument in self.breaks:
            found = _opposite_points(argument, probed, self)
            if found is None:
                continue
            near, far, entry = found
            for t in _crossing(argument, near, far, entry, self):
                point = _between(near, far, t)
                try:
                    values = [evaluate(tree, point, exact=self.exact, digits=self.digits)
                              for tree in trees]
                except (DomainError, ValueError):
                    continue
                self.points.append(point)
                for tree, value in zip(trees, values, strict=True):
                    self.cache.setdefault(id(tree), (tree, []))[1].append(value)

    def covered(self) -> bool:
        """Every break argument seen on both sides, and no new piece in the last points."""
        return not self.breaks or (
            all(len(self.signs.get(i, ())) == 2 for i in range(len(self.breaks)))
            and self.stale >= _STALE_POINTS)

    def note_signs(self, point: Point) -> None:
        pattern: list[int] = []
        for index, argument in enumerate(self.breaks):
            try:
                value = evaluate(argument, point, exact=self.exact, digits=self.digits)
            except (DomainError, ValueError):
                pattern.append(0)
                continue
            seen = self.signs.setdefault(index, set())
            seen.update(1 if v > 0 else -1 for v in value.data if v != 0)
            pattern.append(1 if value.data[0] > 0 else -1)
        if tuple(pattern) in self.patterns:
            self.stale += 1
        else:
            self.patterns.add(tuple(pattern))
            self.stale = 0

    def values(self, tree: n.Node) -> list[Mat | None]:
        """The tree's value at each point (None outside its domain, past the evaluation caps,
        or on a size mismatch)."""
        return self.evaluations(tree)[0]

    def evaluations(self, tree: n.Node) -> tuple[list[Mat | None], set[int]]:
        """The values, and the indices of the points where the tree could not be computed
        (past the caps: unknown there, not undefined)."""
        cached = self.cache.get(id(tree))
        if cached is not None and cached[0] is tree:
            return cached[1], set()
        out: list[Mat | None] = []
        limited: set[int] = set()
        for index, point in enumerate(self.points):
            try:
                out.append(evaluate(tree, point, exact=self.exact, digits=self.digits))
            except EvaluationLimitError:
                out.append(None)
                limited.add(index)
            except (DomainError, ValueError, IndexError):  # rewritten trees may not type-check
                out.append(None)
        return out, limited


def _opposite_points(argument: n.Node, points: Sequence[Point], pointset: PointSet
                     ) -> tuple[Point, Point, int] | None:
    """Two points of the same sizes where one entry of ``argument`` has opposite signs, taken
    among the points of smallest values first (a short segment locates the break closely)."""
    signed: dict[tuple[tuple[str, int], ...], list[tuple[Point, tuple[int, ...]]]] = {}
    for point in sorted(points, key=_magnitude):
        try:
            value = evaluate(argument, point, exact=pointset.exact, digits=pointset.digits)
        except (DomainError, ValueError):
            continue
        key = tuple(sorted(point.sizes.items()))
        signs = tuple(1 if v > 0 else -1 if v < 0 else 0 for v in value.data)
        for other, other_signs in signed.get(key, []):
            for entry, (a, b) in enumerate(zip(signs, other_signs, strict=True)):
                if a * b < 0:
                    return point, other, entry
        signed.setdefault(key, []).append((point, signs))
    return None


def _magnitude(point: Point) -> Any:
    return max((abs(v) for value in point.values.values() for v in value.data), default=0)


def _crossing(argument: n.Node, near: Point, far: Point, entry: int, pointset: PointSet
              ) -> list[Fraction]:
    """Parameters t just either side of a zero of the entry on the segment near → far."""
    low, high = Fraction(0), Fraction(1)

    def sign(t: Fraction) -> int:
        value = evaluate(argument, _between(near, far, t), exact=pointset.exact,
                         digits=pointset.digits).data[entry]
        return 1 if value > 0 else -1 if value < 0 else 0

    start = sign(low)
    for _ in range(_BISECTIONS):
        middle = (low + high) / 2
        try:
            side = sign(middle)
        except (DomainError, ValueError):
            return []
        if side == 0:
            step = (high - low) / 4
            return [middle - step, middle + step]
        if side == start:
            low = middle
        else:
            high = middle
    return [low, high]


def _between(near: Point, far: Point, t: Fraction) -> Point:
    values = {}
    for name, a in near.values.items():
        b = far.values[name]
        values[name] = Mat(a.rows, a.cols, tuple(x + (y - x) * t
                                                 for x, y in zip(a.data, b.data, strict=True)))
    return Point(near.sizes, values)


def same_values(a: Sequence[Mat | None], b: Sequence[Mat | None], exact: bool,
                digits: int = FLOAT_DIGITS) -> bool:
    """Equal at every point where both are defined, and defined at one point at least."""
    compared = 0
    for x, y in zip(a, b, strict=True):
        if x is None or y is None:
            continue
        if not close(x, y, exact, digits):
            return False
        compared += 1
    return compared > 0


def close(a: Mat, b: Mat, exact: bool, digits: int = FLOAT_DIGITS) -> bool:
    if (a.rows, a.cols) != (b.rows, b.cols):
        return False
    if exact:
        return a.data == b.data
    # Float values are certified relative to themselves (a 0 is exactly 0): compare relatively,
    # so that exp(-100 x^2) and exp(-101 x^2), both below 10^-100, still differ.
    with mpmath.workdps(digits):
        tolerance = mpmath.mpf(10) ** -(digits - GUARD_DIGITS)
        return all(abs(x - y) <= tolerance * max(abs(x), abs(y))
                   for x, y in zip(a.data, b.data, strict=True))


def _constants(trees: Sequence[n.Node]) -> tuple[Fraction, ...]:
    """The values of the trees' constant scalar subexpressions (``10^5`` as 100000 as well as
    10 and 5), which suggest where a domain may lie (the search centres on the largest)."""
    found: set[Fraction] = set()
    for node in n.walk(*trees):
        if isinstance(node, n.Number):
            found.add(node.value)
        elif isinstance(node, (n.Pow, n.Mul, n.Div, n.Neg)) and node.shape is not None and \
                node.shape.is_scalar and \
                not any(isinstance(inner, n.Symbol) for inner in n.walk(node)) and \
                is_exact(node):
            try:
                value = evaluate(node, Point({}, {}), exact=True).value
            except (DomainError, ValueError):
                continue
            if abs(value) < 10**12:
                found.add(Fraction(value))
    return tuple(sorted(found, key=abs))


def _dim_symbols(declarations: Declarations, trees: Sequence[n.Node]) -> tuple[str, ...]:
    symbols = set(declarations.dim_symbols)
    for node in n.walk(*trees):
        if node.shape is not None:
            symbols.update(node.shape.rows.symbols)
            symbols.update(node.shape.cols.symbols)
    return tuple(sorted(symbols))


@dataclass(frozen=True)
class Outcome:
    """``equal`` is None when undecided; ``reason`` then says why (``domain``: too few points
    in the key's domain; ``limit``: the key, or the answer at too many points, could not be
    computed within the caps).  ``witness`` is a point where the answer is undefined and the
    key is not, when that decided."""

    equal: bool | None
    method: str
    reason: str | None = None
    witness: int | None = None


def describe_method(exact: bool, points: int, degree: int, digits: int = FLOAT_DIGITS, *,
                    positive: bool = False, sizes: str = "several sizes per dimension") -> str:
    """The method line: what was evaluated where, and for exact tests the Schwartz–Zippel
    bound for the values actually drawn (integers in [1, R] once only positive ones were)."""
    where = f", {sizes}" if sizes else ""
    if exact:
        size = EXACT_RANGE if positive else 2 * EXACT_RANGE + 1
        values = f"1 to {EXACT_RANGE:,}" if positive else f"±{EXACT_RANGE:,}"
        head = (f"exact rational identity test at {points} random points (integer values in "
                f"{values}{where})")
        if degree >= size:
            return f"{head}; the expressions' degree is too high for a useful error bound"
        return (f"{head}; a wrong answer of degree ≤ {degree} passes with probability ≤ "
                f"({degree}/{size:,})^{points} ≈ {scientific(Fraction(degree, size) ** points)} "
                "(Schwartz–Zippel)")
    return (
        f"{digits}-digit evaluation in ball arithmetic (error bounds certified) at {points} "
        f"random non-integer points{f' ({sizes})' if sizes else ''}, agreeing to "
        f"{digits - GUARD_DIGITS} significant digits"
    )


def scientific(value: Fraction) -> str:
    """``value`` as ``m.me±k`` with the mantissa rounded correctly (1.0e-24, never 10.0e-25)."""
    with decimal.localcontext() as context:
        context.prec = 40
        exact = decimal.Decimal(value.numerator) / decimal.Decimal(value.denominator)
        return f"{exact:.1e}"


def sizes_clause(points: Sequence[Point]) -> str:
    """"several sizes per dimension", or the sizes each dim symbol actually took if one took
    only one; empty when there are no dim symbols."""
    seen: dict[str, set[int]] = {}
    for point in points:
        for symbol, size in point.sizes.items():
            seen.setdefault(symbol, set()).add(size)
    if not seen:
        return ""
    if all(len(sizes) > 1 for sizes in seen.values()):
        return "several sizes per dimension"
    return "sizes " + ", ".join(
        f"{symbol} ∈ {{{', '.join(str(v) for v in sorted(sizes))}}}"
        for symbol, sizes in sorted(seen.items()))


def degree(node: n.Node, size: int) -> int:
    """A bound on the total degree of the rational function a tree computes (denominators
    cleared), used for the Schwartz–Zippel bound; ``size`` bounds every dimension."""
    if isinstance(node, n.Symbol):
        return 1
    if isinstance(node, (n.Number, n.Constant, n.Identity, n.Ones, n.Zeros)):
        return 0
    child = [degree(c, size) for c in node.children()]
    if isinstance(node, (n.Mul, n.Kron, n.Div, n.ElemDiv)):
        return sum(child)
    if isinstance(node, (n.Pow, n.ElemPow)):
        k = _constant(node.exponent) or Fraction(1)
        return int(abs(k)) * child[0]
    if isinstance(node, n.Inverse):
        return 2 * size * child[0]
    if isinstance(node, n.Det):
        return size * child[0]
    return max(child, default=0)


def _constant(node: n.Node) -> Fraction | None:
    if isinstance(node, n.Number):
        return node.value
    if isinstance(node, n.Neg):
        value = _constant(node.arg)
        return None if value is None else -value
    return None


def identity_test(
    key: n.Node, answer: n.Node, declarations: Declarations, *, points: int, max_tries: int,
    seed: int,
) -> tuple[Outcome, PointSet, list[Mat | None], list[Mat | None]]:
    """Compare two trees; also return the points and values for diagnosis.

    Points are drawn where the *key* is defined (searching for sizes and values if need be).
    An answer undefined at some of them (``log(a)`` for the key ``log(abs(a))``) is a different
    function; one such point alone may be bad luck (a removable singularity), so a second batch
    of points decides.  A point where either side is past the evaluation caps tells nothing:
    a certified mismatch elsewhere still rejects, but accepting needs ``points`` comparisons.
    """
    exact = is_exact(key, answer)
    digits = working_digits(key, answer)
    breaks = break_arguments(key, answer)
    if breaks:
        points, max_tries = 2 * points, 3 * max_tries
    pointset = PointSet(declarations, exact, random.Random(seed), points, max_tries,
                        digits=digits, breaks=breaks)
    if not pointset.fill([key]):
        limited = pointset.limited > 0 and 2 * pointset.limited >= pointset.failures
        method = ("the expected answer could not be computed within the evaluation caps at "
                  "enough test points" if limited else
                  "too few test points inside the domain of the expected answer")
        if pointset.searched:
            method += f" (searched {pointset.tries} points of several sizes and regions)"
        return Outcome(None, method, "limit" if limited else "domain"), \
            pointset, pointset.values(key), pointset.values(answer)
    answer_values, limited_at = pointset.evaluations(answer)
    if any(value is None for value in answer_values):
        pointset.wanted += points
        pointset.max_tries += max_tries
        pointset.fill([key])
        answer_values, limited_at = pointset.evaluations(answer)
    key_values = pointset.values(key)
    undefined = [i for i, value in enumerate(answer_values)
                 if value is None and i not in limited_at]
    compared = [i for i, value in enumerate(answer_values) if value is not None]
    if len(undefined) >= 2:
        return Outcome(False, "the answer is undefined at test points where the expected "
                       "answer is defined (a different domain)", witness=undefined[0]), \
            pointset, key_values, answer_values
    equal = same_values(key_values, answer_values, exact, digits) if compared else None
    used = [pointset.points[i] for i in compared]
    biggest = max((max(p.sizes.values(), default=2) for p in pointset.points), default=2)
    d = max(1, degree(key, biggest) + degree(answer, biggest))
    method = describe_method(exact, len(compared), d, digits, positive=pointset.positive,
                             sizes=sizes_clause(used))
    if pointset.regions:
        method += "; points found by a search of the domain (" + \
            "; ".join(sorted(pointset.regions)) + ")"
    if breaks:
        both = sum(len(pointset.signs.get(i, ())) == 2 for i in range(len(breaks)))
        method += (f"; {both} of {len(breaks)} break arguments (of abs, max, relu, step, "
                   f"sign) seen on both sides and {len(pointset.patterns)} pieces visited, at "
                   "fine rational points as well as wide ones")
    if equal is None or (equal and len(compared) < points):
        return Outcome(None, f"the answer could not be computed within the evaluation caps at "
                       f"{len(limited_at)} of {len(answer_values)} test points", "limit"), \
            pointset, key_values, answer_values
    return Outcome(equal, method), pointset, key_values, answer_values
