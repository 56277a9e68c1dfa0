"""Deciding whether two typed trees are the same function, by identity testing.

Both trees are evaluated at random points (several sizes for each dim symbol, random
non-symmetric values) exactly where every operation is rational, else at 50 digits.  One mismatch
rejects; agreement at ``points`` points accepts.  For the rational part the Schwartz–Zippel lemma
bounds a false accept by (d/|S|)^k for a wrong answer of degree ≤ d, values from a set S and k
points.  ``simplify`` is never called: it is slow and fails on matrix expressions.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath

from grader.evaluation import FLOAT_DIGITS, DomainError, Mat, Point, evaluate, is_exact
from grader.language import nodes as n
from grader.language.declarations import Declarations
from grader.sampling import EXACT_RANGE, Regime, sample_point, size_assignments

#: Float agreement required: this many significant digits (of FLOAT_DIGITS computed).
AGREEMENT_DIGITS = 35


@dataclass
class PointSet:
    """Test points shared by every comparison of one check, drawn on demand."""

    declarations: Declarations
    exact: bool
    rng: random.Random
    wanted: int
    max_tries: int
    symmetric: tuple[str, ...] = ()
    points: list[Point] = field(default_factory=list)
    tries: int = 0
    positive: bool = False
    #: Values already computed, by id of the tree: fill() evaluates what values() returns.
    cache: dict[int, tuple[n.Node, list[Mat | None]]] = field(default_factory=dict)

    def fill(self, trees: Sequence[n.Node]) -> bool:
        """Draw points until ``wanted`` of them are in the domain of every tree."""
        symbols = _dim_symbols(self.declarations, trees)
        assignments = size_assignments(symbols, 3)
        signed_failures = 0
        while len(self.points) < self.wanted and self.tries < self.max_tries:
            self.tries += 1
            sizes = assignments[len(self.points) % len(assignments)]
            regime = Regime(self.exact, self.positive, self.symmetric)
            point = sample_point(self.declarations, sizes, regime, self.rng)
            try:
                found = [evaluate(tree, point, exact=self.exact) for tree in trees]
            except DomainError:
                signed_failures += not self.positive
                if signed_failures >= 3:  # log, sqrt...: sample the positive orthant instead
                    self.positive = True
                continue
            self.points.append(point)
            for tree, value in zip(trees, found, strict=True):
                self.cache.setdefault(id(tree), (tree, []))[1].append(value)
        # A tree's cached values are only complete if it was evaluated at every point.
        self.cache = {k: v for k, v in self.cache.items() if len(v[1]) == len(self.points)}
        return len(self.points) >= self.wanted

    def values(self, tree: n.Node) -> list[Mat | None]:
        """The tree's value at each point (None outside its domain or on a size mismatch)."""
        cached = self.cache.get(id(tree))
        if cached is not None and cached[0] is tree:
            return cached[1]
        out: list[Mat | None] = []
        for point in self.points:
            try:
                out.append(evaluate(tree, point, exact=self.exact))
            except (DomainError, ValueError):
                out.append(None)
        return out


def same_values(a: Sequence[Mat | None], b: Sequence[Mat | None], exact: bool) -> bool:
    """Equal at every point where both are defined, and defined at one point at least."""
    compared = 0
    for x, y in zip(a, b, strict=True):
        if x is None or y is None:
            continue
        if not close(x, y, exact):
            return False
        compared += 1
    return compared > 0


def close(a: Mat, b: Mat, exact: bool) -> bool:
    if (a.rows, a.cols) != (b.rows, b.cols):
        return False
    if exact:
        return a.data == b.data
    with mpmath.workdps(FLOAT_DIGITS):
        tolerance = mpmath.mpf(10) ** -AGREEMENT_DIGITS
        return all(abs(x - y) <= tolerance * max(1, abs(x), abs(y))
                   for x, y in zip(a.data, b.data, strict=True))


def _dim_symbols(declarations: Declarations, trees: Sequence[n.Node]) -> tuple[str, ...]:
    symbols = set(declarations.dim_symbols)
    for tree in trees:
        stack = [tree]
        while stack:
            node = stack.pop()
            if node.shape is not None:
                symbols.update(node.shape.rows.symbols)
                symbols.update(node.shape.cols.symbols)
            stack.extend(node.children())
    return tuple(sorted(symbols))


@dataclass(frozen=True)
class Outcome:
    equal: bool | None  # None: not enough points inside the domains
    method: str


def describe_method(exact: bool, points: int, degree: int) -> str:
    if exact:
        size = 2 * EXACT_RANGE + 1
        bound = (Fraction(degree, size)) ** points
        return (
            f"exact rational identity test at {points} random points (integer values in "
            f"±{EXACT_RANGE:,}, several sizes per dimension); a wrong answer of degree ≤ {degree} "
            f"passes with probability ≤ ({degree}/{size:,})^{points} ≈ {float(bound):.1e} "
            "(Schwartz–Zippel)"
        )
    return (
        f"{FLOAT_DIGITS}-digit evaluation at {points} random non-integer points (several sizes "
        f"per dimension), agreeing to {AGREEMENT_DIGITS} significant digits"
    )


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
    """Compare two trees; also return the points and values for diagnosis."""
    exact = is_exact(key, answer)
    pointset = PointSet(declarations, exact, random.Random(seed), points, max_tries)
    if not pointset.fill([key, answer]):
        # Not enough points where both are defined: judge at points where the key is.
        pointset = PointSet(declarations, exact, random.Random(seed), points, max_tries)
        pointset.fill([key])
        key_values = pointset.values(key)
        answer_values = pointset.values(answer)
        defined = [a for a in answer_values if a is not None]
        if pointset.points and not defined:
            return Outcome(False, "the answer is undefined at every test point where the key "
                           "is defined"), pointset, key_values, answer_values
        if defined and not same_values(key_values, answer_values, exact):
            return Outcome(False, describe_method(exact, len(defined), 1)), \
                pointset, key_values, answer_values
        return Outcome(None, "too few test points inside the domain of both expressions"), \
            pointset, key_values, answer_values
    key_values = pointset.values(key)
    answer_values = pointset.values(answer)
    equal = same_values(key_values, answer_values, exact)
    biggest = max((max(p.sizes.values(), default=2) for p in pointset.points), default=2)
    d = max(1, degree(key, biggest) + degree(answer, biggest))
    return Outcome(equal, describe_method(exact, points, d)), pointset, key_values, answer_values
