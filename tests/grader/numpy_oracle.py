"""An independent float64 oracle for the grader: evaluates typed trees with numpy.

Written from the node definitions in :mod:`grader.language.nodes` only (nothing from
``grader.evaluation``), so that a disagreement between :func:`oracle_equal` and ``grader.check``
points at a bug in one of the two.

Both trees are evaluated at :data:`POINTS` random points at each of the value scales
:data:`SCALES` (sizes: distinct, from :data:`SIZES`; values: independent uniform, so matrices are
non-symmetric) and compared with ``numpy.allclose(rtol=1e-9, atol=1e-9)``.

Float64 can't decide everything the grader decides, so the oracle says ``None`` (undecidable)
rather than guess when a point is numerically untrustworthy:

* any intermediate value that is not finite (log of a negative, division by 0, overflow) or
  larger than :data:`MAGNITUDE_CAP` (cancellation there would cost more than the tolerance), and
  any inverse of a matrix with condition number above :data:`CONDITION_CAP`, is a *domain
  problem*: the point is redrawn, after a few signed failures from positive values only;
* every value is also computed at two copies of the point with inputs and literals perturbed by
  a relative :data:`JITTER`; if those disagree beyond :data:`STABILITY_TOL` the evaluation is
  ill-conditioned there (``sign`` of a rounding error, a near-singular matrix), a domain problem
  too;
* a mismatch smaller than :data:`GRAY_TOL` (but over the 1e-9 tolerance) is undecidable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from grader.language import nodes as n
from grader.language.declarations import Declarations
from grader.language.shapes import Dim, Shape

#: Test points at which both trees must agree, at each value scale.
POINTS = 5
#: Points drawn at most per scale (domain problems are redrawn).
MAX_TRIES = 20
#: Signed draws that hit a domain problem before switching to positive values.
SIGNED_FAILURES = 3
#: Sizes drawn for a dim symbol.
SIZES = (2, 3, 4, 5)
#: Values are drawn from ±scale, :data:`POINTS` points at each scale where the domain allows:
#: small values see kinks near 0 (``relu(x - x.^2)``), large ones thresholds (``max(59, x)``).
SCALES = (2.0, 20.0, 200.0)
#: Comparison tolerance (``numpy.allclose``, relative and absolute).
TOL = 1e-9
#: Mismatches below this (and above TOL) are too small for float64 to call.
GRAY_TOL = 1e-6
#: Largest intermediate magnitude trusted.
MAGNITUDE_CAP = 1e6
#: Largest condition number of an inverted matrix trusted.
CONDITION_CAP = 1e8
#: Relative perturbation of the inputs for the stability check.
JITTER = 1e-13
#: Allowed change of a value under that perturbation.
STABILITY_TOL = 1e-10

Array = np.ndarray


class OracleDomainError(ArithmeticError):
    """The point is outside a function's domain, or float64 can't be trusted there."""


@dataclass(frozen=True)
class Point:
    """Sizes for the dim symbols and a float64 value (always 2-D) for every declared name."""

    sizes: dict[str, int]
    values: dict[str, Array]


# --- evaluation ---------------------------------------------------------------------------------


class NumpyEvaluator:
    """One ``eval_<Node>`` method per node type; every result is a 2-D float64 array."""

    def __init__(self, point: Point, number_scale: Callable[[], float] | None = None) -> None:
        self.point = point
        #: A factor for each literal outside exponents (the stability check's perturbation).
        self.number_scale = number_scale
        self.in_exponent = 0

    def evaluate(self, node: n.Node) -> Array:
        method: Callable[[n.Node], Array] = getattr(self, f"eval_{type(node).__name__}")
        with np.errstate(all="ignore"):
            try:
                value = np.asarray(method(node), dtype=np.float64)
            except (np.linalg.LinAlgError, ZeroDivisionError, OverflowError) as problem:
                raise OracleDomainError(str(problem)) from None
        if value.ndim != 2:
            raise AssertionError(f"{type(node).__name__} gave a {value.ndim}-D value")
        if not np.all(np.isfinite(value)):
            raise OracleDomainError(f"{type(node).__name__} is not finite")
        if value.size and np.max(np.abs(value)) > MAGNITUDE_CAP:
            raise OracleDomainError(f"{type(node).__name__} is too large for float64 comparisons")
        return value

    def size(self, dim: Dim | None) -> int:
        if dim is None:
            raise AssertionError("evaluation needs a type-checked tree")
        return dim.evaluate(self.point.sizes)

    def scalar(self, node: n.Node) -> float:
        value = self.evaluate(node)
        if value.shape != (1, 1):
            raise AssertionError(f"expected a scalar, got {value.shape}")
        return float(value[0, 0])

    def literal(self, value: float) -> float:
        if self.number_scale is None or self.in_exponent:
            return value
        return value * self.number_scale()

    def exponent(self, node: n.Node) -> Array:
        """An exponent, never perturbed; a constant one that is a whole number stays whole."""
        self.in_exponent += 1
        try:
            value = self.evaluate(node)
        finally:
            self.in_exponent -= 1
        if not _has_symbols(node):
            rounded = np.round(value)
            value = np.where(np.abs(value - rounded) < 1e-9, rounded, value)
        return value

    # --- leaves ---------------------------------------------------------------------------------

    def eval_Number(self, node: n.Number) -> Array:
        return np.array([[self.literal(float(node.value))]])

    def eval_Symbol(self, node: n.Symbol) -> Array:
        return self.point.values[node.name]

    def eval_Constant(self, node: n.Constant) -> Array:
        value = {"e": np.e, "pi": np.pi}[node.name]
        return np.array([[self.literal(value)]])

    def eval_Identity(self, node: n.Identity) -> Array:
        return np.eye(self.size(node.size))

    def eval_Ones(self, node: n.Ones) -> Array:
        return np.ones((self.size(node.size), 1))

    def eval_Zeros(self, node: n.Zeros) -> Array:
        return np.zeros((self.size(node.rows), self.size(node.cols)))

    def eval_Matrix(self, node: n.Matrix) -> Array:
        return np.array([[self.scalar(entry) for entry in row] for row in node.rows])

    # --- arithmetic -----------------------------------------------------------------------------

    def eval_Neg(self, node: n.Neg) -> Array:
        return -self.evaluate(node.arg)

    def eval_Add(self, node: n.Add) -> Array:
        total = self.evaluate(node.terms[0])
        for term in node.terms[1:]:
            total = _elementwise(total, self.evaluate(term), np.add)
        return total

    def eval_Mul(self, node: n.Mul) -> Array:
        product = self.evaluate(node.factors[0])
        for factor in node.factors[1:]:
            right = self.evaluate(factor)
            if product.shape == (1, 1):
                product = product[0, 0] * right
            elif right.shape == (1, 1):
                product = product * right[0, 0]
            else:
                if product.shape[1] != right.shape[0]:
                    raise AssertionError(f"can't multiply {product.shape} by {right.shape}")
                product = product @ right
        return product

    def eval_Div(self, node: n.Div) -> Array:
        denominator = self.scalar(node.right)
        if denominator == 0:
            raise OracleDomainError("division by zero")
        return self.evaluate(node.left) / denominator

    def eval_Hadamard(self, node: n.Hadamard) -> Array:
        return _elementwise(self.evaluate(node.left), self.evaluate(node.right), np.multiply)

    def eval_ElemDiv(self, node: n.ElemDiv) -> Array:
        return _elementwise(self.evaluate(node.left), self.evaluate(node.right), np.divide)

    def eval_Kron(self, node: n.Kron) -> Array:
        return np.kron(self.evaluate(node.left), self.evaluate(node.right))

    def eval_Max(self, node: n.Max) -> Array:
        return _elementwise(self.evaluate(node.left), self.evaluate(node.right), np.maximum)

    def eval_Pow(self, node: n.Pow) -> Array:
        base = self.evaluate(node.base)
        exponent = self.exponent(node.exponent)
        if exponent.shape != (1, 1):
            raise AssertionError("an exponent must be a scalar")
        k = float(exponent[0, 0])
        if base.shape == (1, 1):
            return np.asarray(np.power(base, k))
        if base.shape[0] != base.shape[1] or k != round(k):
            raise AssertionError("only a square matrix has (whole-number) powers")
        if k < 0:
            _check_invertible(base)
        return np.linalg.matrix_power(base, round(k))

    def eval_ElemPow(self, node: n.ElemPow) -> Array:
        return _elementwise(self.evaluate(node.base), self.exponent(node.exponent), np.power)

    def eval_Transpose(self, node: n.Transpose) -> Array:
        return self.evaluate(node.arg).T

    def eval_Inverse(self, node: n.Inverse) -> Array:
        value = self.evaluate(node.arg)
        if value.shape == (1, 1):
            if value[0, 0] == 0:
                raise OracleDomainError("inverse of 0")
            return 1.0 / value
        _check_invertible(value)
        return np.linalg.inv(value)

    def eval_Apply(self, node: n.Apply) -> Array:
        return ELEMENTWISE[node.func](self.evaluate(node.arg))

    # --- reductions and matrix functions --------------------------------------------------------

    def eval_Sum(self, node: n.Sum) -> Array:
        return np.array([[np.sum(self.evaluate(node.arg))]])

    def eval_Trace(self, node: n.Trace) -> Array:
        return np.array([[np.trace(_square(self.evaluate(node.arg)))]])

    def eval_Det(self, node: n.Det) -> Array:
        return np.array([[np.linalg.det(_square(self.evaluate(node.arg)))]])

    def eval_Norm(self, node: n.Norm) -> Array:
        value = self.evaluate(node.arg)
        if node.p == 1:
            return np.array([[np.sum(np.abs(value))]])
        if node.p == 2:
            return np.array([[np.sqrt(np.sum(value * value))]])
        raise AssertionError(f"unknown norm p={node.p}")

    def eval_Diag(self, node: n.Diag) -> Array:
        value = self.evaluate(node.arg)
        if value.shape == (1, 1):
            return value
        if 1 in value.shape:
            return np.diag(value.ravel())
        return np.diag(_square(value)).reshape(-1, 1).copy()

    def eval_Softmax(self, node: n.Softmax) -> Array:
        value = self.evaluate(node.arg)
        exps = np.exp(value - np.max(value))
        return np.asarray(exps / np.sum(exps))

    def eval_Vec(self, node: n.Vec) -> Array:
        return self.evaluate(node.arg).reshape(-1, 1, order="F")


def _elementwise(a: Array, b: Array, op: Callable[[Array, Array], Array]) -> Array:
    """``op`` entry by entry; a 1×1 operand is expanded to the other's shape."""
    if a.shape != b.shape and (1, 1) not in (a.shape, b.shape):
        raise AssertionError(f"element-wise operation on {a.shape} and {b.shape}")
    return op(a, b)


def _square(value: Array) -> Array:
    if value.shape[0] != value.shape[1]:
        raise AssertionError(f"{value.shape} is not square")
    return value


def _check_invertible(value: Array) -> None:
    if np.linalg.cond(_square(value)) > CONDITION_CAP:
        raise OracleDomainError("singular or ill-conditioned matrix")


def _sigma(v: Array) -> Array:
    return np.asarray(1.0 / (1.0 + np.exp(-v)))


ELEMENTWISE: dict[str, Callable[[Array], Array]] = {
    "exp": np.exp,
    "log": np.log,  # non-positive entries give nan/-inf: a domain problem
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "tanh": np.tanh,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "sign": np.sign,
    "sigma": _sigma,
    "relu": lambda v: np.maximum(v, 0.0),
    "step": lambda v: (v > 0).astype(np.float64),  # step(0) = 0
}


def _walk(node: n.Node) -> Iterator[n.Node]:
    yield node
    for child in node.children():
        yield from _walk(child)


def _has_symbols(node: n.Node) -> bool:
    return any(isinstance(part, n.Symbol) for part in _walk(node))


def evaluate(node: n.Node, point: Point) -> Array:
    """The float64 value of a type-checked tree; raises OracleDomainError off the domain."""
    return NumpyEvaluator(point).evaluate(node)


# --- sampling and comparison --------------------------------------------------------------------


def dim_symbols(declarations: Declarations, *trees: n.Node) -> tuple[str, ...]:
    """Every dim symbol of the declarations, the trees' shapes and their sized leaves."""
    dims: list[Dim | None] = []
    for _, shape in declarations.entries:
        dims += [shape.rows, shape.cols]
    for tree in trees:
        for node in _walk(tree):
            if node.shape is not None:
                dims += [node.shape.rows, node.shape.cols]
            if isinstance(node, (n.Identity, n.Ones)):
                dims.append(node.size)
            elif isinstance(node, n.Zeros):
                dims += [node.rows, node.cols]
    return tuple(sorted({s for d in dims if d is not None for s in d.symbols}))


def size_cycle(symbols: tuple[str, ...], rng: np.random.Generator) -> list[dict[str, int]]:
    """One size assignment per point index: within one, the symbols' sizes differ; over
    ``len(SIZES)`` consecutive points, each symbol takes every size in a random order."""
    if len(symbols) > len(SIZES):
        raise ValueError("more dim symbols than distinct sizes")
    order = [int(k) for k in rng.permutation(SIZES)]
    return [{s: order[(i + j) % len(order)] for j, s in enumerate(symbols)}
            for i in range(len(order))]


def sample_point(
    declarations: Declarations, sizes: dict[str, int], rng: np.random.Generator,
    *, scale: float = 2.0, positive: bool = False,
) -> Point:
    """Independent (so non-symmetric) uniform values in ±scale, or (scale/40, scale) when
    ``positive``."""
    values = {}
    low, high = (scale / 40, scale) if positive else (-scale, scale)
    for name, shape in declarations.entries:
        rows, cols = shape.rows.evaluate(sizes), shape.cols.evaluate(sizes)
        values[name] = rng.uniform(low, high, size=(rows, cols))
    return Point(dict(sizes), values)


def perturbed(point: Point, rng: np.random.Generator) -> Point:
    """The point with every value scaled by an independent factor 1 ± JITTER."""
    values = {name: v * (1 + JITTER * rng.uniform(-1, 1, size=v.shape))
              for name, v in point.values.items()}
    return Point(point.sizes, values)


def stable_value(node: n.Node, point: Point, rng: np.random.Generator) -> Array:
    """The value at ``point``, if two perturbed evaluations agree with it to STABILITY_TOL."""
    value = evaluate(node, point)
    for _ in range(2):
        scale: Callable[[], float] = lambda: 1 + JITTER * rng.uniform(-1, 1)  # noqa: E731
        nearby = NumpyEvaluator(perturbed(point, rng), scale).evaluate(node)
        if not np.allclose(value, nearby, rtol=STABILITY_TOL, atol=STABILITY_TOL):
            raise OracleDomainError("ill-conditioned: a tiny perturbation changes the value")
    return value


def same_shape(a: Shape, b: Shape) -> bool:
    """Shapes match (any two scalars match)."""
    return a == b or (a.is_scalar and b.is_scalar)


def oracle_equal(
    key_tree: n.Node, answer_tree: n.Node, declarations: Declarations, rng: np.random.Generator
) -> bool | None:
    """Whether two typed trees agree at :data:`POINTS` random points; None when undecidable."""
    if not same_shape(key_tree.typed_shape, answer_tree.typed_shape):
        return False
    cycle = size_cycle(dim_symbols(declarations, key_tree, answer_tree), rng)
    agreed = failures = 0
    gray = False
    for scale in SCALES:
        here = tries = 0
        while here < POINTS and tries < MAX_TRIES:
            tries += 1
            point = sample_point(declarations, cycle[here % len(cycle)], rng, scale=scale,
                                 positive=failures >= SIGNED_FAILURES)
            try:
                key = stable_value(key_tree, point, rng)
                answer = stable_value(answer_tree, point, rng)
            except OracleDomainError:
                # Only failures at the smallest scale hint at a sign-restricted domain (log,
                # sqrt); at larger ones, values are often just too large to compare in float64.
                failures += scale == SCALES[0]
                continue
            if key.shape != answer.shape:
                return False
            if np.allclose(key, answer, rtol=TOL, atol=TOL):
                here += 1
            elif np.allclose(key, answer, rtol=GRAY_TOL, atol=GRAY_TOL):
                gray = True  # a difference float64 can't tell from rounding
                here += 1
            else:
                return False
        agreed += here
    return True if agreed >= POINTS and not gray else None


# --- exact evaluation of rational scalar trees --------------------------------------------------


def exact_scalar(node: n.Node, values: dict[str, Fraction]) -> Fraction:
    """The exact value of a scalar tree of +, -, *, /, integer powers and ^-1 (for the traps
    float64 can't see, such as ``a + 10^-20``)."""
    if isinstance(node, n.Number):
        return node.value
    if isinstance(node, n.Symbol):
        return values[node.name]
    if isinstance(node, n.Neg):
        return -exact_scalar(node.arg, values)
    if isinstance(node, n.Add):
        return sum((exact_scalar(t, values) for t in node.terms), Fraction(0))
    if isinstance(node, n.Mul):
        product = Fraction(1)
        for factor in node.factors:
            product *= exact_scalar(factor, values)
        return product
    if isinstance(node, n.Div):
        return exact_scalar(node.left, values) / exact_scalar(node.right, values)
    if isinstance(node, n.Inverse):
        return 1 / exact_scalar(node.arg, values)
    if isinstance(node, n.Pow):
        exponent = exact_scalar(node.exponent, values)
        if exponent.denominator != 1:
            raise ValueError("only whole-number powers are exact")
        return exact_scalar(node.base, values) ** int(exponent)
    raise ValueError(f"{type(node).__name__} is not a rational scalar operation")
