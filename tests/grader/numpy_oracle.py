"""An independent float64 oracle for the grader: evaluates typed trees with numpy.

Written from the node definitions in :mod:`grader.language.nodes` only (nothing from
``grader.evaluation``), so that a disagreement between :func:`oracle_equal` and ``grader.check``
points at a bug in one of the two.

Both trees are evaluated at :data:`POINTS` random points at each of the value scales
:data:`SCALES` (sizes: distinct, from :data:`SIZES`, every size at each scale; values:
independent uniform in ±scale, so matrices are non-symmetric).  They are *equal* if at every
point each entry agrees as ``numpy.allclose(rtol=1e-9, atol=1e-9)`` would have it, except that
the absolute tolerance is replaced by a bound on the rounding error (so 0 and 1e-13 are not
called equal, while ``(A + B) - A - B`` and ``zeros(n, n)`` are); *different* as soon as one
point disagrees by more than :data:`GRAY_TOL`; and ``None`` (undecidable) otherwise.

Float64 can't decide everything the grader decides, so the oracle says ``None`` rather than
guess:

* any value that is not finite (log of a negative, division by 0, overflow) or larger than
  :data:`MAGNITUDE_CAP`, any inverse of a matrix with condition number above
  :data:`CONDITION_CAP`, ``sign``/``step`` of a value within its error bound of 0, and any
  result whose error bound exceeds :data:`GRAY_TOL` is a *domain problem*: the point is
  redrawn (at a smaller scale; after a few failures at the smallest scale, from positive values
  only), and too few points in the domain make the pair undecidable;
* the error bound is propagated rule by rule (first order, with a safety factor), and widened
  to cover two evaluations at copies of the point with inputs and literals perturbed by a
  relative :data:`JITTER`, which must agree to :data:`STABILITY_TOL` (else the evaluation is
  ill-conditioned there, a domain problem too);
* mismatches below :data:`GRAY_TOL` that the error bounds don't explain are undecidable.
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
SCALES = (0.2, 2.0, 20.0, 200.0, 2000.0)
#: A scale where a point fails is multiplied by this for the next try.
SHRINK = 0.7
#: Comparison tolerance (relative; see :func:`compare`).
TOL = 1e-9
#: Mismatches below this (relative or absolute) are too small for float64 to call.
GRAY_TOL = 1e-6
#: Largest intermediate magnitude trusted (rounding noise stays well below GRAY_TOL).
MAGNITUDE_CAP = 1e10
#: Largest condition number of an inverted matrix trusted.
CONDITION_CAP = 1e8
#: Relative perturbation of the inputs for the stability check.
JITTER = 1e-13
#: Allowed change of a value under that perturbation.
STABILITY_TOL = 1e-10
#: The error bound is at least this many times the change under the perturbation.
NOISE_FACTOR = 1e3

Array = np.ndarray


class OracleDomainError(ArithmeticError):
    """The point is outside a function's domain, or float64 can't be trusted there."""


@dataclass(frozen=True)
class Point:
    """Sizes for the dim symbols and a float64 value (always 2-D) for every declared name."""

    sizes: dict[str, int]
    values: dict[str, Array]


# --- evaluation ---------------------------------------------------------------------------------

#: Unit roundoff of float64, times a safety factor for the rounding terms of the error bounds.
ROUNDING = 10 * float(np.finfo(np.float64).eps)


@dataclass(frozen=True)
class Value:
    """A 2-D float64 value and an entrywise bound on its rounding error (first order)."""

    v: Array
    err: Array

    @staticmethod
    def exact(v: Array) -> Value:
        v = np.asarray(v, dtype=np.float64)
        return Value(v, np.zeros_like(v))

    @property
    def abs(self) -> Array:
        return np.asarray(np.abs(self.v))

    @property
    def is_scalar(self) -> bool:
        return self.v.shape == (1, 1)


class NumpyEvaluator:
    """One ``eval_<Node>`` method per node type, each giving a :class:`Value`.

    Besides the float64 value, every rule propagates a running bound on its rounding error, so
    that results which are rounding noise (``(A + B) - A - B``, ``det(x y^T)``) can be told from
    genuinely small ones (``384^-5``).
    """

    def __init__(self, point: Point, number_scale: Callable[[], float] | None = None) -> None:
        self.point = point
        #: A factor for each literal outside exponents (the stability check's perturbation).
        self.number_scale = number_scale
        self.in_exponent = 0

    def evaluate(self, node: n.Node) -> Value:
        method: Callable[[n.Node], Value] = getattr(self, f"eval_{type(node).__name__}")
        with np.errstate(all="ignore"):
            try:
                result = method(node)
            except (np.linalg.LinAlgError, ZeroDivisionError, OverflowError) as problem:
                raise OracleDomainError(str(problem)) from None
        name = type(node).__name__
        if result.v.ndim != 2 or result.v.shape != result.err.shape:
            raise AssertionError(f"{name} gave a malformed value")
        if not (np.all(np.isfinite(result.v)) and np.all(np.isfinite(result.err))):
            raise OracleDomainError(f"{name} is not finite")
        if result.v.size and np.max(result.abs) > MAGNITUDE_CAP:
            raise OracleDomainError(f"{name} is too large for float64 comparisons")
        return result

    def size(self, dim: Dim | None) -> int:
        if dim is None:
            raise AssertionError("evaluation needs a type-checked tree")
        return dim.evaluate(self.point.sizes)

    def scalar(self, node: n.Node) -> Value:
        value = self.evaluate(node)
        if not value.is_scalar:
            raise AssertionError(f"expected a scalar, got {value.v.shape}")
        return value

    def literal(self, value: float) -> Value:
        if self.number_scale is not None and not self.in_exponent:
            value *= self.number_scale()
        return Value(np.array([[value]]), np.array([[ROUNDING * abs(value)]]))

    def exponent(self, node: n.Node) -> Value:
        """An exponent, never perturbed; a constant one that is a whole number stays whole."""
        self.in_exponent += 1
        try:
            value = self.evaluate(node)
        finally:
            self.in_exponent -= 1
        if _has_symbols(node):
            return value
        rounded = np.round(value.v)
        whole = np.abs(value.v - rounded) < 1e-9
        return Value(np.where(whole, rounded, value.v), np.where(whole, 0.0, value.err))

    # --- leaves ---------------------------------------------------------------------------------

    def eval_Number(self, node: n.Number) -> Value:
        return self.literal(float(node.value))

    def eval_Symbol(self, node: n.Symbol) -> Value:
        return Value.exact(self.point.values[node.name])

    def eval_Constant(self, node: n.Constant) -> Value:
        return self.literal({"e": np.e, "pi": np.pi}[node.name])

    def eval_Identity(self, node: n.Identity) -> Value:
        return Value.exact(np.eye(self.size(node.size)))

    def eval_Ones(self, node: n.Ones) -> Value:
        return Value.exact(np.ones((self.size(node.size), 1)))

    def eval_Zeros(self, node: n.Zeros) -> Value:
        return Value.exact(np.zeros((self.size(node.rows), self.size(node.cols))))

    def eval_Matrix(self, node: n.Matrix) -> Value:
        entries = [[self.scalar(entry) for entry in row] for row in node.rows]
        return Value(np.array([[e.v[0, 0] for e in row] for row in entries]),
                     np.array([[e.err[0, 0] for e in row] for row in entries]))

    # --- arithmetic -----------------------------------------------------------------------------

    def eval_Neg(self, node: n.Neg) -> Value:
        arg = self.evaluate(node.arg)
        return Value(-arg.v, arg.err)

    def eval_Add(self, node: n.Add) -> Value:
        terms = [self.evaluate(term) for term in node.terms]
        for term in terms[1:]:
            _check_elementwise(terms[0].v, term.v)
        total = sum((t.v for t in terms), np.zeros((1, 1)))
        size = sum((t.abs for t in terms), np.zeros((1, 1)))
        err = sum((t.err for t in terms), np.zeros((1, 1)))
        return Value(total, np.broadcast_to(err + len(terms) * ROUNDING * size, total.shape))

    def eval_Mul(self, node: n.Mul) -> Value:
        product = self.evaluate(node.factors[0])
        for factor in node.factors[1:]:
            product = _multiply(product, self.evaluate(factor))
        return product

    def eval_Div(self, node: n.Div) -> Value:
        return _divide(self.evaluate(node.left), self.scalar(node.right))

    def eval_Hadamard(self, node: n.Hadamard) -> Value:
        a, b = self.evaluate(node.left), self.evaluate(node.right)
        _check_elementwise(a.v, b.v)
        v = a.v * b.v
        return Value(v, a.abs * b.err + a.err * b.abs + ROUNDING * np.abs(v))

    def eval_ElemDiv(self, node: n.ElemDiv) -> Value:
        a, b = self.evaluate(node.left), self.evaluate(node.right)
        _check_elementwise(a.v, b.v)
        return _divide(a, b)

    def eval_Kron(self, node: n.Kron) -> Value:
        a, b = self.evaluate(node.left), self.evaluate(node.right)
        v = np.kron(a.v, b.v)
        return Value(v, np.kron(a.abs, b.err) + np.kron(a.err, b.abs) + ROUNDING * np.abs(v))

    def eval_Max(self, node: n.Max) -> Value:
        a, b = self.evaluate(node.left), self.evaluate(node.right)
        _check_elementwise(a.v, b.v)
        v = np.maximum(a.v, b.v)
        return Value(v, np.broadcast_to(np.maximum(a.err, b.err), v.shape))  # 1-Lipschitz

    def eval_Pow(self, node: n.Pow) -> Value:
        base = self.evaluate(node.base)
        exponent = self.exponent(node.exponent)
        if not exponent.is_scalar:
            raise AssertionError("an exponent must be a scalar")
        if base.is_scalar:
            return _power(base, exponent)
        k = float(exponent.v[0, 0])
        if base.v.shape[0] != base.v.shape[1] or k != round(k):
            raise AssertionError("only a square matrix has (whole-number) powers")
        factor = _inverse(base) if k < 0 else base
        bound = Value.exact(np.eye(base.v.shape[0]))
        for _ in range(abs(round(k))):
            bound = _multiply(bound, factor)  # only for the error bound
        return Value(np.linalg.matrix_power(base.v, round(k)), bound.err)

    def eval_ElemPow(self, node: n.ElemPow) -> Value:
        base, exponent = self.evaluate(node.base), self.exponent(node.exponent)
        _check_elementwise(base.v, exponent.v)
        return _power(base, exponent)

    def eval_Transpose(self, node: n.Transpose) -> Value:
        arg = self.evaluate(node.arg)
        return Value(arg.v.T, arg.err.T)

    def eval_Inverse(self, node: n.Inverse) -> Value:
        return _inverse(self.evaluate(node.arg))

    def eval_Apply(self, node: n.Apply) -> Value:
        arg = self.evaluate(node.arg)
        function, slope = ELEMENTWISE[node.func]
        v = function(arg.v)
        if slope is None:  # sign, step: exact, unless a rounding error could cross 0
            if np.any((arg.err > 0) & (np.abs(arg.v) <= arg.err)):
                raise OracleDomainError(f"{node.func} of a value within rounding of 0")
            return Value.exact(v)
        return Value(v, slope(arg.v, v) * arg.err + ROUNDING * np.abs(v))

    # --- reductions and matrix functions --------------------------------------------------------

    def eval_Sum(self, node: n.Sum) -> Value:
        arg = self.evaluate(node.arg)
        return Value(np.array([[np.sum(arg.v)]]),
                     np.array([[np.sum(arg.err) + arg.v.size * ROUNDING * np.sum(arg.abs)]]))

    def eval_Trace(self, node: n.Trace) -> Value:
        arg = self.evaluate(node.arg)
        _square(arg.v)
        size = np.trace(arg.abs)
        return Value(np.array([[np.trace(arg.v)]]),
                     np.array([[np.trace(arg.err) + arg.v.shape[0] * ROUNDING * size]]))

    def eval_Det(self, node: n.Det) -> Value:
        arg = self.evaluate(node.arg)
        size = _square(arg.v).shape[0]
        # |d det / d a_ij| is a cofactor, at most the product of the other rows' norms (Hadamard);
        # LU's backward error is about size * eps * |A|.
        norms = np.sqrt(np.sum(arg.v**2, axis=1))
        others = np.array([np.prod(np.delete(norms, i)) for i in range(size)])
        perturbation = arg.err + size * ROUNDING * arg.abs
        err = float(others @ np.sum(perturbation, axis=1))
        return Value(np.array([[np.linalg.det(arg.v)]]), np.array([[err]]))

    def eval_Norm(self, node: n.Norm) -> Value:
        arg = self.evaluate(node.arg)
        count = arg.v.size
        if node.p == 1:
            v = np.sum(arg.abs)
            return Value(np.array([[v]]), np.array([[np.sum(arg.err) + count * ROUNDING * v]]))
        if node.p == 2:
            v = np.sqrt(np.sum(arg.v * arg.v))
            err = np.sqrt(np.sum(arg.err**2)) + count * ROUNDING * v  # 1-Lipschitz
            return Value(np.array([[v]]), np.array([[err]]))
        raise AssertionError(f"unknown norm p={node.p}")

    def eval_Diag(self, node: n.Diag) -> Value:
        arg = self.evaluate(node.arg)
        if arg.is_scalar:
            return arg
        if 1 in arg.v.shape:
            return Value(np.diag(arg.v.ravel()), np.diag(arg.err.ravel()))
        _square(arg.v)
        return Value(np.diag(arg.v).reshape(-1, 1).copy(), np.diag(arg.err).reshape(-1, 1).copy())

    def eval_Softmax(self, node: n.Softmax) -> Value:
        arg = self.evaluate(node.arg)
        exps = np.exp(arg.v - np.max(arg.v))
        s = exps / np.sum(exps)
        # d s_i = s_i (d z_i - sum_j s_j d z_j); z - max(z) is rounded relative to max |z|.
        shift = arg.err + np.max(arg.err) + 2 * ROUNDING * np.max(arg.abs)
        return Value(s, s * (shift + arg.v.size * ROUNDING))

    def eval_Vec(self, node: n.Vec) -> Value:
        arg = self.evaluate(node.arg)
        return Value(arg.v.reshape(-1, 1, order="F"), arg.err.reshape(-1, 1, order="F"))


def _check_elementwise(a: Array, b: Array) -> None:
    """Element-wise operands have one shape, or one of them is 1×1 (scalar expansion)."""
    if a.shape != b.shape and (1, 1) not in (a.shape, b.shape):
        raise AssertionError(f"element-wise operation on {a.shape} and {b.shape}")


def _multiply(a: Value, b: Value) -> Value:
    """A 1×1 factor scales the other; otherwise the matrix product."""
    if a.is_scalar or b.is_scalar:
        v = a.v * b.v
        return Value(v, a.abs * b.err + a.err * b.abs + ROUNDING * np.abs(v))
    if a.v.shape[1] != b.v.shape[0]:
        raise AssertionError(f"can't multiply {a.v.shape} by {b.v.shape}")
    inner = a.v.shape[1]
    err = a.abs @ b.err + a.err @ b.abs + a.err @ b.err + inner * ROUNDING * (a.abs @ b.abs)
    return Value(a.v @ b.v, err)


def _divide(a: Value, b: Value) -> Value:
    """``a / b`` entry by entry (``b`` may be 1×1); 0 or a divisor within rounding of 0 is a
    domain problem."""
    if np.any(b.v == 0) or np.any(b.err >= np.abs(b.v) / 2):
        raise OracleDomainError("division by (nearly) zero")
    v = a.v / b.v
    return Value(v, (a.err + np.abs(v) * b.err) / np.abs(b.v) + ROUNDING * np.abs(v))


def _power(base: Value, exponent: Value) -> Value:
    """Entrywise ``base ** exponent`` (a non-whole power of a negative number gives nan)."""
    v = np.power(base.v, exponent.v)
    slope_base = np.where(base.err > 0, np.abs(exponent.v * np.power(base.v, exponent.v - 1)), 0)
    slope_exponent = np.where(exponent.err > 0, np.abs(v * np.log(np.abs(base.v))), 0)
    err = slope_base * base.err + slope_exponent * exponent.err + ROUNDING * np.abs(v)
    return Value(v, err)


def _inverse(value: Value) -> Value:
    if value.is_scalar:
        return _divide(Value.exact(np.ones((1, 1))), value)
    _square(value.v)
    if np.linalg.cond(value.v) > CONDITION_CAP:
        raise OracleDomainError("singular or ill-conditioned matrix")
    inverse = np.linalg.inv(value.v)
    size = value.v.shape[0]
    # d(A^-1) = -A^-1 dA A^-1, with inversion's own backward error of about size * eps * |A|.
    perturbation = value.err + size * ROUNDING * value.abs
    return Value(inverse, np.abs(inverse) @ perturbation @ np.abs(inverse))


def _square(value: Array) -> Array:
    if value.shape[0] != value.shape[1]:
        raise AssertionError(f"{value.shape} is not square")
    return value


def _sigma(v: Array) -> Array:
    return np.asarray(1.0 / (1.0 + np.exp(-v)))


Slope = Callable[[Array, Array], Array]
#: Each element-wise function with |f'| as a function of (argument, value); None: piecewise
#: constant.
ELEMENTWISE: dict[str, tuple[Callable[[Array], Array], Slope | None]] = {
    "exp": (np.exp, lambda x, y: np.abs(y)),
    "log": (np.log, lambda x, y: 1 / np.abs(x)),  # log of x <= 0: nan/-inf, a domain problem
    "sin": (np.sin, lambda x, y: np.ones_like(x)),
    "cos": (np.cos, lambda x, y: np.ones_like(x)),
    "tan": (np.tan, lambda x, y: 1 + y * y),
    "tanh": (np.tanh, lambda x, y: np.ones_like(x)),
    "sqrt": (np.sqrt, lambda x, y: 1 / (2 * y)),  # infinite at 0: a domain problem if inexact
    "abs": (np.abs, lambda x, y: np.ones_like(x)),
    "sign": (np.sign, None),
    "sigma": (_sigma, lambda x, y: y * (1 - y)),
    "relu": (lambda v: np.maximum(v, 0.0), lambda x, y: np.ones_like(x)),
    "step": (lambda v: (v > 0).astype(np.float64), None),  # step(0) = 0
}


def _walk(node: n.Node) -> Iterator[n.Node]:
    yield node
    for child in node.children():
        yield from _walk(child)


def _has_symbols(node: n.Node) -> bool:
    return any(isinstance(part, n.Symbol) for part in _walk(node))


def evaluate(node: n.Node, point: Point) -> Value:
    """The value of a type-checked tree; raises OracleDomainError off the domain."""
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


def stable_value(node: n.Node, point: Point, rng: np.random.Generator) -> Value:
    """The value at ``point``, with its error bound widened to cover two evaluations at
    perturbed copies of the point, which must agree with it to STABILITY_TOL.  A bound larger
    than GRAY_TOL (relative, or absolute below 1) makes the value untrustworthy."""
    value = evaluate(node, point)
    err = value.err
    for _ in range(2):
        scale: Callable[[], float] = lambda: 1 + JITTER * rng.uniform(-1, 1)  # noqa: E731
        nearby = NumpyEvaluator(perturbed(point, rng), scale).evaluate(node).v
        if not np.allclose(value.v, nearby, rtol=STABILITY_TOL, atol=STABILITY_TOL):
            raise OracleDomainError("ill-conditioned: a tiny perturbation changes the value")
        err = np.maximum(err, NOISE_FACTOR * np.abs(value.v - nearby))
    if np.any(err > GRAY_TOL * np.maximum(1.0, value.abs)):
        raise OracleDomainError("rounding errors could be larger than GRAY_TOL")
    return Value(value.v, err)


def compare(key: Value, answer: Value) -> bool | None:
    """Equal (every entry within TOL relatively, or within the error bounds), different (apart
    by more than GRAY_TOL, relatively and absolutely) or None: what float64 can't tell, such as
    0 and 1e-13, or answers apart by 1e-8."""
    if key.v.shape != answer.v.shape:
        return False
    difference = np.abs(key.v - answer.v)
    if np.all((difference <= TOL * np.maximum(key.abs, answer.abs))
              | (difference <= key.err + answer.err)):
        return True
    if np.allclose(key.v, answer.v, rtol=GRAY_TOL, atol=GRAY_TOL):
        return None
    return False


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
    for initial in SCALES:
        scale, here, tries = initial, 0, 0
        while here < POINTS and tries < MAX_TRIES:
            tries += 1
            point = sample_point(declarations, cycle[here % len(cycle)], rng, scale=scale,
                                 positive=failures >= SIGNED_FAILURES)
            try:
                key = stable_value(key_tree, point, rng)
                answer = stable_value(answer_tree, point, rng)
            except OracleDomainError:
                # Only failures at the smallest scale hint at a sign-restricted domain (log,
                # sqrt); at larger ones values are often too large: shrink the scale a little.
                failures += initial == SCALES[0]
                scale = max(scale * SHRINK, SCALES[0])
                continue
            outcome = compare(key, answer)
            if outcome is False:
                return False
            gray = gray or outcome is None
            here += 1
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
