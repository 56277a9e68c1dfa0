"""Evaluating typed trees at concrete points: exactly over the rationals, or in 50-digit floats.

Exact evaluation (Python ints, and ``Fraction`` once something divides) is used whenever every
operation in both trees is rational: polynomials, products, inverses, det, trace, diag, Hadamard,
abs/max/step on rationals.  Anything
transcendental (exp, log, trig, sqrt, sigma, softmax, the 2-norm, e, pi, non-integer powers) is
evaluated with mpmath at :data:`FLOAT_DIGITS` significant digits.  A point outside a function's
domain raises :class:`DomainError`; the caller resamples.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath

from grader.language import nodes as n
from grader.language.printing.base import Printer
from grader.language.shapes import Dim

FLOAT_DIGITS = 50
Number = Any  # int or Fraction in exact mode, mpmath.mpf in float mode

_TRANSCENDENTAL = frozenset({"exp", "log", "sin", "cos", "tan", "tanh", "sqrt", "sigma"})


class DomainError(ArithmeticError):
    """The point is outside the domain of some operation (log of a negative, singular inverse)."""


@dataclass(frozen=True)
class Mat:
    """A dense matrix of numbers, row-major; a scalar is 1×1."""

    rows: int
    cols: int
    data: tuple[Number, ...]

    @staticmethod
    def scalar(value: Number) -> Mat:
        return Mat(1, 1, (value,))

    @staticmethod
    def build(rows: int, cols: int, entry: Callable[[int, int], Number]) -> Mat:
        return Mat(rows, cols, tuple(entry(i, j) for i in range(rows) for j in range(cols)))

    def at(self, i: int, j: int) -> Number:
        return self.data[i * self.cols + j]

    @property
    def is_scalar(self) -> bool:
        return self.rows == 1 and self.cols == 1

    @property
    def value(self) -> Number:
        return self.data[0]

    def map(self, function: Callable[[Number], Number]) -> Mat:
        return Mat(self.rows, self.cols, tuple(function(v) for v in self.data))

    def transpose(self) -> Mat:
        return Mat.build(self.cols, self.rows, lambda i, j: self.at(j, i))

    def entries(self) -> list[list[Number]]:
        return [list(self.data[i * self.cols : (i + 1) * self.cols]) for i in range(self.rows)]


@dataclass(frozen=True)
class Point:
    """Concrete sizes for the dim symbols and an exact value for every declared name."""

    sizes: dict[str, int]
    values: dict[str, Mat]


def working_digits(*trees: n.Node) -> int:
    """Float precision for these trees: FLOAT_DIGITS, plus the digits a tiny constant such as
    ``10^-40`` or ``0.000…01`` needs to be seen (at most 300 more)."""
    extra = 0
    for node in n.walk(*trees):
        if isinstance(node, n.Number) and node.value:
            extra = max(extra, len(str(node.value.denominator)))
        if isinstance(node, n.Pow) and isinstance(node.base, n.Number) and node.base.value > 1 \
                and isinstance(node.exponent, n.Neg) and _integer_constant(node.exponent):
            k = node.exponent.arg.value if isinstance(node.exponent.arg, n.Number) else 0
            extra = max(extra, int(k * math.log10(node.base.value)) + 1)
    return FLOAT_DIGITS + min(extra, 300)


PIECEWISE = frozenset({"abs", "sign", "relu", "step"})


def break_arguments(*trees: n.Node) -> list[n.Node]:
    """The expressions whose sign picks a piece: u in abs(u), relu(u), step(u), sign(u), the
    1-norm; l - r in max(l, r).  Sampling covers both signs of each."""
    found: list[n.Node] = []
    for node in n.walk(*trees):
        if (isinstance(node, n.Apply) and node.func in PIECEWISE) or (
            isinstance(node, n.Norm) and node.p == 1
        ):
            found.append(node.arg)
        elif isinstance(node, n.Max):
            found.append(n.Add((node.left, n.Neg(node.right))))
    return list(dict.fromkeys(found))  # relu(u) and step(u) share the break u = 0


def is_exact(*trees: n.Node) -> bool:
    """True when every operation in the trees is rational (exact evaluation is possible)."""
    for node in n.walk(*trees):
        if isinstance(node, (n.Constant, n.Softmax)):
            return False
        if isinstance(node, n.Apply) and node.func in _TRANSCENDENTAL:
            return False
        if isinstance(node, n.Norm) and node.p == 2:
            return False
        if isinstance(node, (n.Pow, n.ElemPow)) and not _integer_constant(node.exponent):
            return False
    return True


def _integer_constant(node: n.Node) -> bool:
    if isinstance(node, n.Number):
        return node.value.denominator == 1
    if isinstance(node, n.Neg):
        return _integer_constant(node.arg)
    return False


class Evaluator(Printer[Mat]):
    """One ``_print_<Node>`` method per node type, as for the printers; the result is a Mat."""

    def __init__(self, point: Point, exact: bool) -> None:
        self.point = point
        self.exact = exact
        self.converted: dict[str, Mat] = {}

    def evaluate(self, node: n.Node) -> Mat:
        return self._print(node)

    # --- numbers ---------------------------------------------------------------------------

    def number(self, value: Fraction | int) -> Number:
        if isinstance(value, mpmath.mpf):
            return value
        if self.exact:
            return value.numerator if value.denominator == 1 else value
        return mpmath.mpf(value.numerator) / value.denominator

    def size(self, dim: Dim | None) -> int:
        assert dim is not None, "evaluation needs a type-checked tree"
        return dim.evaluate(self.point.sizes)

    def zero(self) -> Number:
        return 0 if self.exact else mpmath.mpf(0)

    def one(self) -> Number:
        return 1 if self.exact else mpmath.mpf(1)

    # --- leaves ----------------------------------------------------------------------------

    def _print_Number(self, node: n.Number) -> Mat:
        return Mat.scalar(self.number(node.value))

    def _print_Symbol(self, node: n.Symbol) -> Mat:
        value = self.point.values[node.name]
        if self.exact:
            return value
        if node.name not in self.converted:
            self.converted[node.name] = value.map(self.number)
        return self.converted[node.name]

    def _print_Constant(self, node: n.Constant) -> Mat:
        return Mat.scalar(+mpmath.e if node.name == "e" else +mpmath.pi)

    def _print_Identity(self, node: n.Identity) -> Mat:
        size = self.size(node.size)
        one, zero = self.one(), self.zero()
        return Mat.build(size, size, lambda i, j: one if i == j else zero)

    def _print_Ones(self, node: n.Ones) -> Mat:
        size = self.size(node.size)
        return Mat(size, 1, (self.one(),) * size)

    def _print_Zeros(self, node: n.Zeros) -> Mat:
        rows, cols = self.size(node.rows), self.size(node.cols)
        return Mat(rows, cols, (self.zero(),) * (rows * cols))

    def _print_Matrix(self, node: n.Matrix) -> Mat:
        values = tuple(self.evaluate(entry).value for row in node.rows for entry in row)
        return Mat(len(node.rows), len(node.rows[0]), values)

    # --- arithmetic ------------------------------------------------------------------------

    def _print_Neg(self, node: n.Neg) -> Mat:
        return self.evaluate(node.arg).map(lambda v: -v)

    def _print_Add(self, node: n.Add) -> Mat:
        total = self.evaluate(node.terms[0])
        for term in node.terms[1:]:
            total = elementwise(total, self.evaluate(term), lambda a, b: a + b)
        return total

    def _print_Mul(self, node: n.Mul) -> Mat:
        product = self.evaluate(node.factors[0])
        for factor in node.factors[1:]:
            product = matmul(product, self.evaluate(factor))
        return product

    def _print_Div(self, node: n.Div) -> Mat:
        denominator = self.evaluate(node.right).value
        if denominator == 0:
            raise DomainError("division by zero")
        return self.evaluate(node.left).map(lambda v: quotient(v, denominator))

    def _print_Hadamard(self, node: n.Hadamard) -> Mat:
        return elementwise(self.evaluate(node.left), self.evaluate(node.right), lambda a, b: a * b)

    def _print_ElemDiv(self, node: n.ElemDiv) -> Mat:
        return elementwise(self.evaluate(node.left), self.evaluate(node.right), _divide)

    def _print_Max(self, node: n.Max) -> Mat:
        return elementwise(self.evaluate(node.left), self.evaluate(node.right), max)

    def _print_Kron(self, node: n.Kron) -> Mat:
        a, b = self.evaluate(node.left), self.evaluate(node.right)
        return Mat.build(
            a.rows * b.rows, a.cols * b.cols,
            lambda i, j: a.at(i // b.rows, j // b.cols) * b.at(i % b.rows, j % b.cols),
        )

    def _print_Pow(self, node: n.Pow) -> Mat:
        base = self.evaluate(node.base)
        exponent = self.evaluate(node.exponent).value
        if base.is_scalar:
            return Mat.scalar(self.power(base.value, exponent))
        k = int(exponent)
        _square(base)
        if k < 0:
            base, k = inverse(base), -k
        return matrix_power(base, k, self.one(), self.zero())

    def _print_ElemPow(self, node: n.ElemPow) -> Mat:
        return elementwise(self.evaluate(node.base), self.evaluate(node.exponent), self.power)

    def power(self, base: Number, exponent: Number) -> Number:
        if self.exact:
            assert exponent.denominator == 1
            k = int(exponent)
            if base == 0 and k < 0:
                raise DomainError("0 to a negative power")
            return base**k if k >= 0 else Fraction(base) ** k
        if mpmath.isint(exponent):
            if base == 0 and exponent < 0:
                raise DomainError("0 to a negative power")
            return mpmath.power(base, int(exponent))
        if base <= 0:
            raise DomainError("a non-integer power of a non-positive number")
        return mpmath.power(base, exponent)

    def _print_Transpose(self, node: n.Transpose) -> Mat:
        return self.evaluate(node.arg).transpose()

    def _print_Inverse(self, node: n.Inverse) -> Mat:
        return inverse(self.evaluate(node.arg))

    def _print_Apply(self, node: n.Apply) -> Mat:
        function = self.exact_function(node.func) if self.exact else _FLOAT_FUNCTIONS[node.func]
        return self.evaluate(node.arg).map(function)

    def exact_function(self, name: str) -> Callable[[Number], Number]:
        return _EXACT_FUNCTIONS[name]

    # --- reductions ------------------------------------------------------------------------

    def _print_Sum(self, node: n.Sum) -> Mat:
        return Mat.scalar(sum(self.evaluate(node.arg).data, self.zero()))

    def _print_Trace(self, node: n.Trace) -> Mat:
        m = _square(self.evaluate(node.arg))
        return Mat.scalar(sum((m.at(i, i) for i in range(m.rows)), self.zero()))

    def _print_Det(self, node: n.Det) -> Mat:
        return Mat.scalar(determinant(_square(self.evaluate(node.arg))))

    def _print_Norm(self, node: n.Norm) -> Mat:
        m = self.evaluate(node.arg)
        if node.p == 1:
            return Mat.scalar(sum((abs(v) for v in m.data), self.zero()))
        return Mat.scalar(mpmath.sqrt(mpmath.fsum(v * v for v in m.data)))

    def _print_Diag(self, node: n.Diag) -> Mat:
        m = self.evaluate(node.arg)
        zero = self.zero()
        if m.is_scalar:
            return m
        if m.rows == 1 or m.cols == 1:
            size = len(m.data)
            return Mat.build(size, size, lambda i, j: m.data[i] if i == j else zero)
        return Mat(m.rows, 1, tuple(m.at(i, i) for i in range(m.rows)))

    def _print_Softmax(self, node: n.Softmax) -> Mat:
        m = self.evaluate(node.arg)
        top = max(m.data)
        exps = [mpmath.exp(v - top) for v in m.data]
        total = mpmath.fsum(exps)
        return Mat(m.rows, m.cols, tuple(v / total for v in exps))

    def _print_Vec(self, node: n.Vec) -> Mat:
        m = self.evaluate(node.arg)
        return Mat(m.rows * m.cols, 1, tuple(m.at(i, j) for j in range(m.cols)
                                               for i in range(m.rows)))


# --- matrix arithmetic ---------------------------------------------------------------------


def _square(m: Mat) -> Mat:
    """Diagnosis evaluates rewritten trees that need not type-check: refuse non-square input."""
    if m.rows != m.cols:
        raise ValueError(f"{m.rows}×{m.cols} is not square")
    return m


def elementwise(a: Mat, b: Mat, op: Callable[[Number, Number], Number]) -> Mat:
    """``op`` entry by entry, a 1×1 operand expanded to the other's shape."""
    if a.is_scalar and not b.is_scalar:
        return b.map(lambda v: op(a.value, v))
    if b.is_scalar and not a.is_scalar:
        return a.map(lambda v: op(v, b.value))
    if (a.rows, a.cols) != (b.rows, b.cols):
        raise ValueError(f"shapes {a.rows}×{a.cols} and {b.rows}×{b.cols} differ")
    return Mat(a.rows, a.cols, tuple(op(x, y) for x, y in zip(a.data, b.data, strict=True)))


def matmul(a: Mat, b: Mat) -> Mat:
    """Matrix product; a 1×1 operand scales the other."""
    if a.is_scalar:
        return b.map(lambda v: a.value * v)
    if b.is_scalar:
        return a.map(lambda v: v * b.value)
    if a.cols != b.rows:
        raise ValueError(f"can't multiply {a.rows}×{a.cols} by {b.rows}×{b.cols}")
    columns = [b.data[j :: b.cols] for j in range(b.cols)]
    data = []
    for i in range(a.rows):
        row = a.data[i * a.cols : (i + 1) * a.cols]
        for column in columns:
            total = row[0] * column[0]
            for x, y in zip(row[1:], column[1:], strict=True):
                total += x * y
            data.append(total)
    return Mat(a.rows, b.cols, tuple(data))


def matrix_power(base: Mat, k: int, one: Number, zero: Number) -> Mat:
    result = Mat.build(base.rows, base.cols, lambda i, j: one if i == j else zero)
    while k:
        if k & 1:
            result = matmul(result, base)
        base = matmul(base, base)
        k >>= 1
    return result


def _eliminate(m: Mat) -> tuple[list[list[Number]], list[list[Number]], Number]:
    """Gauss-Jordan on [m | I] with partial pivoting: (reduced rows, inverse rows, det)."""
    size = m.rows
    if m.rows != m.cols:
        raise ValueError("not square")
    rows = m.entries()
    zero, one = m.data[0] * 0, m.data[0] * 0 + 1
    inv = [[one if i == j else zero for j in range(size)] for i in range(size)]
    det = one
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(rows[r][col]))
        if _is_zero(rows[pivot][col], rows):
            return rows, inv, zero
        if pivot != col:
            rows[col], rows[pivot] = rows[pivot], rows[col]
            inv[col], inv[pivot] = inv[pivot], inv[col]
            det = -det
        p = rows[col][col]
        det *= p
        rows[col] = [quotient(v, p) for v in rows[col]]
        inv[col] = [quotient(v, p) for v in inv[col]]
        for r in range(size):
            factor = rows[r][col]
            if r != col and factor != 0:
                rows[r] = [v - factor * w for v, w in zip(rows[r], rows[col], strict=True)]
                inv[r] = [v - factor * w for v, w in zip(inv[r], inv[col], strict=True)]
    return rows, inv, det


def _integer_inverse(m: Mat) -> tuple[Mat | None, int]:
    """Fraction-free Gauss-Jordan (Bareiss) on [m | I] for an integer matrix: every division is
    exact, so the numbers stay integers until the single division by det at the end.
    Returns (inverse or None if singular, det)."""
    size = m.rows
    rows = [list(m.data[i * size : (i + 1) * size]) + [1 if i == j else 0 for j in range(size)]
            for i in range(size)]
    previous, sign = 1, 1
    for k in range(size):
        if rows[k][k] == 0:
            swap = next((r for r in range(k + 1, size) if rows[r][k] != 0), None)
            if swap is None:
                return None, 0
            rows[k], rows[swap] = rows[swap], rows[k]
            sign = -sign
        pivot = rows[k][k]
        for i in range(size):
            if i != k:
                factor = rows[i][k]
                rows[i] = [(pivot * a - factor * b) // previous
                           for a, b in zip(rows[i], rows[k], strict=True)]
        previous = pivot
    det = sign * previous
    scale = rows[0][0]  # every diagonal entry is now det (up to the swaps' sign)
    inverse = Mat(size, size, tuple(Fraction(rows[i][size + j], scale)
                                    for i in range(size) for j in range(size)))
    return inverse, det


def _is_zero(value: Number, rows: Sequence[Sequence[Number]]) -> bool:
    if not isinstance(value, mpmath.mpf):
        return bool(value == 0)
    scale = max((abs(v) for row in rows for v in row), default=1) or 1
    return bool(abs(value) <= scale * mpmath.mpf(10) ** (-mpmath.mp.dps + 10))


def inverse(m: Mat) -> Mat:
    if m.is_scalar:
        if m.value == 0:
            raise DomainError("inverse of 0")
        return Mat.scalar(quotient(1, m.value))
    if all(type(v) is int for v in _square(m).data):
        fast, det = _integer_inverse(m)
        if fast is None:
            raise DomainError("singular matrix")
        return fast
    _, inv, det = _eliminate(m)
    if det == 0:
        raise DomainError("singular matrix")
    return Mat(m.rows, m.cols, tuple(v for row in inv for v in row))


def determinant(m: Mat) -> Number:
    if m.is_scalar:
        return m.value
    if all(type(v) is int for v in m.data):
        return _integer_inverse(m)[1]
    return _eliminate(m)[2]


def quotient(a: Number, b: Number) -> Number:
    """``a / b``, exact when both are rational (int / int is a Fraction, never a float)."""
    if isinstance(b, int) and isinstance(a, int):
        return Fraction(a, b)
    return a / b


def _divide(a: Number, b: Number) -> Number:
    if b == 0:
        raise DomainError("division by zero")
    return quotient(a, b)


def _sign(v: Number) -> Number:
    return (v > 0) - (v < 0) + v * 0


def _log(v: Number) -> Number:
    if v <= 0:
        raise DomainError("log of a non-positive number")
    return mpmath.log(v)


def _sqrt(v: Number) -> Number:
    if v < 0:
        raise DomainError("square root of a negative number")
    return mpmath.sqrt(v)


def _tan(v: Number) -> Number:
    if abs(mpmath.cos(v)) < mpmath.mpf(10) ** -20:
        raise DomainError("tan at a pole")
    return mpmath.tan(v)


_EXACT_FUNCTIONS: dict[str, Callable[[Number], Number]] = {
    "abs": abs,
    "sign": _sign,
    "relu": lambda v: v if v > 0 else v * 0,
    "step": lambda v: v * 0 + (1 if v > 0 else 0),
}
_FLOAT_FUNCTIONS: dict[str, Callable[[Number], Number]] = {
    **_EXACT_FUNCTIONS,
    "exp": mpmath.exp,
    "log": _log,
    "sin": mpmath.sin,
    "cos": mpmath.cos,
    "tan": _tan,
    "tanh": mpmath.tanh,
    "sqrt": _sqrt,
    "sigma": lambda v: 1 / (1 + mpmath.exp(-v)),
}


def evaluate(node: n.Node, point: Point, *, exact: bool, digits: int = FLOAT_DIGITS) -> Mat:
    """The value of a type-checked tree at ``point``; raises DomainError off the domain."""
    if exact:
        return Evaluator(point, exact=True).evaluate(node)
    with mpmath.workdps(digits):
        try:
            return Evaluator(point, exact=False).evaluate(node)
        except (ZeroDivisionError, ValueError) as problem:
            raise DomainError(str(problem)) from None
