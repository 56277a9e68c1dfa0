"""Evaluating typed trees at concrete points: exactly over the rationals, or in certified balls.

Exact evaluation (Python ints, and ``Fraction`` once something divides) is used whenever every
operation in both trees is rational: polynomials, products, inverses, det, trace, diag, Hadamard,
abs/max/step on rationals.  Anything transcendental (exp, log, trig, sqrt, sigma, softmax, the
2-norm, e, pi, non-integer powers) is evaluated in ball arithmetic (Arb, through python-flint): each
number carries a rigorous error bound, so a value is returned only when it is known to
``digits - CERTIFIED_LOSS`` significant digits, a branch (the sign in ``log``, ``sqrt``, ``step``, a
zero divisor, a singular matrix) is taken only when it is certain, and the precision is raised
until both hold.  Cancellation such as ``exp(1000 a^2) + a - exp(1000 a^2)`` therefore never yields
a confident wrong value.

A point outside a function's domain raises :class:`DomainError`; a value that cannot be computed
within the caps (too many bits in an exact number, too many entries, more precision than
:data:`MAX_PRECISION_BITS`) raises :class:`EvaluationLimitError`, which says nothing about the
domain.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
from flint import arb, arb_mat, ctx, fmpq

from grader.language import nodes as n
from grader.language.printing.ascii import print_ascii
from grader.language.printing.base import Printer
from grader.language.shapes import Dim

FLOAT_DIGITS = 50
Number = Any  # int or Fraction in exact mode, mpmath.mpf in results of float mode, arb inside

#: Significant digits of ``digits`` that a float result may lose: values are certified to
#: ``digits - CERTIFIED_LOSS`` digits (relative to max(1, |value|)).
CERTIFIED_LOSS = 5

#: Working precision is raised up to this many bits (about 4,900 digits) before giving up.
MAX_PRECISION_BITS = 1 << 14

#: Bits an exact number may take (numerator and denominator together): ``((x^100)^100)`` at
#: ``x`` near 10^6 would need 1.3 million.
MAX_EXACT_BITS = 1 << 16

#: Entries of any matrix computed on the way (``kron(kron(A, A), kron(A, A))`` has n^8).
MAX_ENTRIES = 4096

_TRANSCENDENTAL = frozenset({"exp", "log", "sin", "cos", "tan", "tanh", "sqrt", "sigma"})


class DomainError(ArithmeticError):
    """The point is outside the domain of some operation (log of a negative, singular inverse).

    ``where`` names the condition in the tree's own terms (``k / m < 0``, ``X is singular``).
    """

    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(message)
        self.where = where


class EvaluationLimitError(DomainError):
    """The value could not be computed within the caps: not evidence about the domain.

    A subclass of DomainError so that callers that only resample a point keep working; the
    grader tells the two apart.
    """


class _StraddleError(Exception):
    """A ball straddles a branch point (a sign, a zero) at the current precision."""


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
    """Exact evaluation: one ``_print_<Node>`` method per node type, as for the printers.

    Growth is bounded before it happens: a power, det or inverse whose entries would pass
    :data:`MAX_EXACT_BITS`, or a matrix of more than :data:`MAX_ENTRIES`, raises
    :class:`EvaluationLimitError`.
    """

    exact = True

    def __init__(self, point: Point) -> None:
        self.point = point
        self.converted: dict[str, Mat] = {}

    def evaluate(self, node: n.Node) -> Mat:
        return self._print(node)

    # --- numbers ---------------------------------------------------------------------------

    def number(self, value: Any) -> Number:
        if isinstance(value, Fraction) and value.denominator == 1:
            return value.numerator
        return value

    def size(self, dim: Dim | None) -> int:
        assert dim is not None, "evaluation needs a type-checked tree"
        return dim.evaluate(self.point.sizes)

    def zero(self) -> Number:
        return 0

    def one(self) -> Number:
        return 1

    def constant(self, name: str) -> Number:
        raise ValueError(f"{name} has no exact value")

    # --- leaves ----------------------------------------------------------------------------

    def _print_Number(self, node: n.Number) -> Mat:
        return Mat.scalar(self.number(node.value))

    def _print_Symbol(self, node: n.Symbol) -> Mat:
        return self.point.values[node.name]

    def _print_Constant(self, node: n.Constant) -> Mat:
        return Mat.scalar(self.constant(node.name))

    def _print_Identity(self, node: n.Identity) -> Mat:
        size = self.size(node.size)
        _room(size, size)
        one, zero = self.one(), self.zero()
        return Mat.build(size, size, lambda i, j: one if i == j else zero)

    def _print_Ones(self, node: n.Ones) -> Mat:
        size = self.size(node.size)
        _room(size, 1)
        return Mat(size, 1, (self.one(),) * size)

    def _print_Zeros(self, node: n.Zeros) -> Mat:
        rows, cols = self.size(node.rows), self.size(node.cols)
        _room(rows, cols)
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
        if not self.nonzero(denominator, node.right, 0):
            raise DomainError("division by zero", f"{print_ascii(node.right)} = 0")
        return self.evaluate(node.left).map(lambda v: quotient(v, denominator))

    def _print_Hadamard(self, node: n.Hadamard) -> Mat:
        return elementwise(self.evaluate(node.left), self.evaluate(node.right), lambda a, b: a * b)

    def _print_ElemDiv(self, node: n.ElemDiv) -> Mat:
        right = self.evaluate(node.right)
        for index, value in enumerate(right.data):
            if not self.nonzero(value, node.right, index):
                raise DomainError("division by zero", f"an entry of {print_ascii(node.right)} = 0")
        return elementwise(self.evaluate(node.left), right, quotient)

    def _print_Max(self, node: n.Max) -> Mat:
        return elementwise(self.evaluate(node.left), self.evaluate(node.right), self.maximum)

    def maximum(self, a: Number, b: Number) -> Number:
        return max(a, b)

    def _print_Kron(self, node: n.Kron) -> Mat:
        a, b = self.evaluate(node.left), self.evaluate(node.right)
        _room(a.rows * b.rows, a.cols * b.cols)
        return Mat.build(
            a.rows * b.rows, a.cols * b.cols,
            lambda i, j: a.at(i // b.rows, j // b.cols) * b.at(i % b.rows, j % b.cols),
        )

    def _print_Pow(self, node: n.Pow) -> Mat:
        base = self.evaluate(node.base)
        exponent = self.evaluate(node.exponent).value
        if base.is_scalar:
            return Mat.scalar(self.power(base.value, exponent, node.base, 0))
        k = self.integer(exponent)
        _square(base)
        self.grows(base.data, abs(k) * (base.rows.bit_length() + 1))
        if k < 0:
            base, k = self.inverse(base, node.base), -k
        return matrix_power(base, k, self.one(), self.zero())

    def _print_ElemPow(self, node: n.ElemPow) -> Mat:
        base, exponent = self.evaluate(node.base), self.evaluate(node.exponent)
        if base.is_scalar and not exponent.is_scalar:
            return exponent.map(lambda e: self.power(base.value, e, node.base, 0))
        if exponent.is_scalar:
            return Mat(base.rows, base.cols, tuple(
                self.power(v, exponent.value, node.base, index)
                for index, v in enumerate(base.data)))
        if (base.rows, base.cols) != (exponent.rows, exponent.cols):
            raise ValueError(f"shapes {base.rows}×{base.cols} and {exponent.rows}×"
                             f"{exponent.cols} differ")
        return Mat(base.rows, base.cols, tuple(
            self.power(v, e, node.base, index)
            for index, (v, e) in enumerate(zip(base.data, exponent.data, strict=True))))

    def integer(self, value: Number) -> int:
        assert value.denominator == 1
        return int(value)

    def power(self, base: Number, exponent: Number, where: n.Node, index: int) -> Number:
        k = self.integer(exponent)
        if k < 0 and not self.nonzero(base, where, index):
            raise DomainError("0 to a negative power", f"{print_ascii(where)} = 0")
        self.grows((base,), abs(k))
        return base**k if k >= 0 else Fraction(base) ** k

    def _print_Transpose(self, node: n.Transpose) -> Mat:
        return self.evaluate(node.arg).transpose()

    def _print_Inverse(self, node: n.Inverse) -> Mat:
        return self.inverse(self.evaluate(node.arg), node.arg)

    def inverse(self, m: Mat, where: n.Node) -> Mat:
        self.grows(_square(m).data, 2 * m.rows)
        try:
            return inverse(m)
        except DomainError:
            raise DomainError("singular matrix", _singular(where)) from None

    def _print_Apply(self, node: n.Apply) -> Mat:
        return self.evaluate(node.arg).map(_EXACT_FUNCTIONS[node.func])

    # --- reductions ------------------------------------------------------------------------

    def _print_Sum(self, node: n.Sum) -> Mat:
        return Mat.scalar(sum(self.evaluate(node.arg).data, self.zero()))

    def _print_Trace(self, node: n.Trace) -> Mat:
        m = _square(self.evaluate(node.arg))
        return Mat.scalar(sum((m.at(i, i) for i in range(m.rows)), self.zero()))

    def _print_Det(self, node: n.Det) -> Mat:
        m = _square(self.evaluate(node.arg))
        self.grows(m.data, m.rows)
        return Mat.scalar(self.determinant(m))

    def determinant(self, m: Mat) -> Number:
        return determinant(m)

    def _print_Norm(self, node: n.Norm) -> Mat:
        m = self.evaluate(node.arg)
        if node.p != 1:
            raise ValueError("the 2-norm has no exact value")
        return Mat.scalar(sum((abs(v) for v in m.data), self.zero()))

    def _print_Diag(self, node: n.Diag) -> Mat:
        m = self.evaluate(node.arg)
        zero = self.zero()
        if m.is_scalar:
            return m
        if m.rows == 1 or m.cols == 1:
            size = len(m.data)
            _room(size, size)
            return Mat.build(size, size, lambda i, j: m.data[i] if i == j else zero)
        return Mat(m.rows, 1, tuple(m.at(i, i) for i in range(m.rows)))

    def _print_Softmax(self, node: n.Softmax) -> Mat:
        raise ValueError("softmax has no exact value")

    def _print_Vec(self, node: n.Vec) -> Mat:
        m = self.evaluate(node.arg)
        return Mat(m.rows * m.cols, 1, tuple(m.at(i, j) for j in range(m.cols)
                                               for i in range(m.rows)))

    # --- guards ----------------------------------------------------------------------------

    def nonzero(self, value: Number, where: n.Node, index: int) -> bool:
        return bool(value != 0)

    def grows(self, values: Sequence[Number], factor: int) -> None:
        """Refuse an operation that multiplies the bit length of ``values`` by ``factor``."""
        if factor > 1 and factor * max((_bits(v) for v in values), default=0) > MAX_EXACT_BITS:
            raise EvaluationLimitError("an exact value would be too large")


class BallEvaluator(Evaluator):
    """Float evaluation in Arb balls at ``flint.ctx.prec`` bits.

    A branch that a ball cannot decide raises :class:`_StraddleError` (the caller raises the
    precision), unless the subtree deciding it is rational: then its exact value at the point
    decides (``inv(x x^T)`` is singular, ``step(x - x)`` is 0).
    """

    exact = False

    def __init__(self, point: Point) -> None:
        super().__init__(point)
        self.rational = all(isinstance(v, (int, Fraction))
                            for value in point.values.values() for v in value.data)
        self.exact_values: dict[int, Mat] = {}

    def number(self, value: Any) -> Number:
        if isinstance(value, arb):
            return value
        if isinstance(value, Fraction):
            return arb(fmpq(value.numerator, value.denominator))
        return arb(value)

    def zero(self) -> Number:
        return arb(0)

    def one(self) -> Number:
        return arb(1)

    def constant(self, name: str) -> Number:
        return arb.const_e() if name == "e" else arb.pi()

    def _print_Symbol(self, node: n.Symbol) -> Mat:
        if node.name not in self.converted:
            self.converted[node.name] = self.point.values[node.name].map(self.number)
        return self.converted[node.name]

    def maximum(self, a: Number, b: Number) -> Number:
        return a.max(b)

    def integer(self, value: Number) -> int:
        k = value.unique_fmpz() if value.is_exact() else None
        if k is None:
            raise ValueError("not an integer exponent")
        return int(k)

    def power(self, base: Number, exponent: Number, where: n.Node, index: int) -> Number:
        if exponent.is_exact() and exponent.is_integer():
            k = int(exponent.unique_fmpz())
            if k < 0 and not self.nonzero(base, where, index):
                raise DomainError("0 to a negative power", f"{print_ascii(where)} = 0")
            return base**k
        if not base > 0:
            if not base < 0 and not base.is_zero() and self.exact_entry(where, index) > 0:
                raise _StraddleError  # tiny but positive: more precision decides
            raise DomainError("a non-integer power of a non-positive number",
                              f"{print_ascii(where)} ≤ 0")
        return base**exponent

    def inverse(self, m: Mat, where: n.Node) -> Mat:
        if _square(m).is_scalar:
            if not self.nonzero(m.value, where, 0):
                raise DomainError("inverse of 0", f"{print_ascii(where)} = 0")
            return Mat.scalar(1 / m.value)
        matrix = arb_mat(m.rows, m.cols, list(m.data))
        if matrix.det().contains(0):
            if not self.rational or not is_exact(where) or \
                    determinant(self.exact_mat(where)) != 0:
                raise _StraddleError
            raise DomainError("singular matrix", _singular(where))
        try:
            inv = matrix.inv()
        except ZeroDivisionError:
            raise _StraddleError from None
        return Mat(m.rows, m.cols, tuple(inv.entries()))

    def determinant(self, m: Mat) -> Number:
        if m.is_scalar:
            return m.value
        return arb_mat(m.rows, m.cols, list(m.data)).det()

    def _print_Apply(self, node: n.Apply) -> Mat:
        arg = self.evaluate(node.arg)
        function = _BALL_FUNCTIONS[node.func]
        out = []
        for index, value in enumerate(arg.data):
            try:
                out.append(function(value))
            except _StraddleError:
                out.append(self.branch(node, index))
            except DomainError as problem:
                raise DomainError(str(problem), _outside(node)) from None
        return Mat(arg.rows, arg.cols, tuple(out))

    def branch(self, node: n.Apply, index: int) -> Number:
        """``node``'s value where the ball of its argument straddles the branch point at 0."""
        if node.func == "tan":
            raise _StraddleError  # a pole is never at a rational point: precision decides
        value = self.exact_entry(node.arg, index)
        if node.func == "sign":
            return arb((value > 0) - (value < 0))
        if node.func == "step":
            return arb(1 if value > 0 else 0)
        if value < 0 or (value == 0 and node.func == "log"):
            raise DomainError(f"{node.func} outside its domain", _outside(node))
        if value == 0:
            return arb(0)  # sqrt
        raise _StraddleError  # log or sqrt of a tiny positive value: more precision decides

    def _print_Norm(self, node: n.Norm) -> Mat:
        m = self.evaluate(node.arg)
        if node.p == 1:
            return Mat.scalar(sum((abs(v) for v in m.data), self.zero()))
        total = sum((abs(v) ** 2 for v in m.data), self.zero())
        return Mat.scalar(total.nonnegative_part().sqrt())

    def _print_Softmax(self, node: n.Softmax) -> Mat:
        m = self.evaluate(node.arg)
        top = max(v.mid() for v in m.data)
        exps = [(v - top).exp() for v in m.data]
        total = sum(exps, self.zero())
        return Mat(m.rows, m.cols, tuple(v / total for v in exps))

    def nonzero(self, value: Number, where: n.Node, index: int) -> bool:
        if not value.contains(0):
            return True
        if not value.is_zero() and self.exact_entry(where, index) != 0:
            raise _StraddleError  # tiny but not 0: more precision decides
        return False

    def exact_entry(self, node: n.Node, index: int) -> Number:
        """Entry ``index`` of the subtree's exact value at this point, which settles a sign
        the ball cannot when the subtree is rational; else the straddle stands."""
        if not self.rational or not is_exact(node):
            raise _StraddleError
        m = self.exact_mat(node)
        return m.value if m.is_scalar else m.data[index]

    def exact_mat(self, node: n.Node) -> Mat:
        if id(node) not in self.exact_values:
            self.exact_values[id(node)] = evaluate(node, self.point, exact=True)
        return self.exact_values[id(node)]


def _room(rows: int, cols: int) -> None:
    if rows * cols > MAX_ENTRIES:
        raise EvaluationLimitError(f"a {rows}×{cols} matrix is too large to compute")


def _bits(value: Number) -> int:
    if isinstance(value, int):
        return value.bit_length()
    if isinstance(value, Fraction):
        return value.numerator.bit_length() + value.denominator.bit_length()
    return 0


def _singular(where: n.Node) -> str:
    return f"{print_ascii(where)} is singular" if where.shape is None or not \
        where.shape.is_scalar else f"{print_ascii(where)} = 0"


def _outside(node: n.Apply) -> str:
    """Where an element-wise function is undefined, in the tree's terms."""
    arg = print_ascii(node.arg)
    if node.func == "log":
        return f"{arg} ≤ 0"
    if node.func == "sqrt":
        return f"{arg} < 0"
    if node.func == "tan":
        return f"cos({arg}) = 0"
    return f"{node.func} is undefined at {arg}"


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
    _room(a.rows, b.cols)
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
        k >>= 1
        if k:
            base = matmul(base, base)
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


def _sign(v: Number) -> Number:
    return (v > 0) - (v < 0) + v * 0


_EXACT_FUNCTIONS: dict[str, Callable[[Number], Number]] = {
    "abs": abs,
    "sign": _sign,
    "relu": lambda v: v if v > 0 else v * 0,
    "step": lambda v: v * 0 + (1 if v > 0 else 0),
}


def _ball_sign(v: arb) -> arb:
    if v > 0:
        return arb(1)
    if v < 0:
        return arb(-1)
    if v.is_zero():
        return arb(0)
    raise _StraddleError


def _ball_step(v: arb) -> arb:
    if v > 0:
        return arb(1)
    if v < 0 or v.is_zero():
        return arb(0)
    raise _StraddleError


def _ball_log(v: arb) -> arb:
    if v > 0:
        return v.log()
    if v < 0 or v.is_zero():
        raise DomainError("log of a non-positive number")
    raise _StraddleError


def _ball_sqrt(v: arb) -> arb:
    if v > 0 or v.is_zero():
        return v.sqrt()
    if v < 0:
        raise DomainError("square root of a negative number")
    raise _StraddleError


def _ball_tan(v: arb) -> arb:
    if v.cos().contains(0):
        raise _StraddleError  # a pole: never exactly at a rational point, so precision decides
    return v.tan()


_BALL_FUNCTIONS: dict[str, Callable[[arb], arb]] = {
    "abs": abs,
    "sign": _ball_sign,
    "relu": lambda v: v.max(0),
    "step": _ball_step,
    "exp": lambda v: v.exp(),
    "log": _ball_log,
    "sin": lambda v: v.sin(),
    "cos": lambda v: v.cos(),
    "tan": _ball_tan,
    "tanh": lambda v: v.tanh(),
    "sqrt": _ball_sqrt,
    "sigma": lambda v: 1 / (1 + (-v).exp()),
}


def evaluate(node: n.Node, point: Point, *, exact: bool, digits: int = FLOAT_DIGITS) -> Mat:
    """The value of a type-checked tree at ``point``.

    Raises DomainError off the domain, EvaluationLimitError past the caps.  Float results are
    ``mpmath.mpf`` values known to ``digits - CERTIFIED_LOSS`` significant digits.
    """
    try:
        if exact:
            try:
                return Evaluator(point).evaluate(node)
            except ZeroDivisionError as problem:
                raise DomainError(str(problem)) from None
        return _evaluate_balls(node, point, digits)
    except (OverflowError, RecursionError) as problem:
        raise EvaluationLimitError(f"{type(problem).__name__}: {problem}") from None


def _evaluate_balls(node: n.Node, point: Point, digits: int) -> Mat:
    """Raise the precision until the result is certified, or give up at MAX_PRECISION_BITS.

    An entry whose ball excludes 0 is certified to ``digits - CERTIFIED_LOSS`` significant
    digits *relative to itself* (a tiny value such as ``exp(-100 x^2)`` keeps its digits); an
    entry whose ball still holds 0 at the highest precision is returned as exactly 0 (it is 0 to
    within 2^-MAX_PRECISION_BITS of the terms that cancelled in it).
    """
    target = _bits_for(digits - CERTIFIED_LOSS)
    precision = _bits_for(digits) + 64
    raised = False
    saved = ctx.prec
    try:
        while True:
            ctx.prec = precision
            try:
                result = BallEvaluator(point).evaluate(node)
                missing, zeros = _missing_bits(result, target)
            except _StraddleError:
                missing, zeros = math.inf, False
            except (ZeroDivisionError, ValueError) as problem:
                raise DomainError(str(problem)) from None
            if missing == 0 and (not zeros or raised):
                with mpmath.workprec(precision):
                    return result.map(lambda v: mpmath.mpf(0) if v.contains(0)
                                      else mpmath.mpf(v.mid()))
            if precision >= MAX_PRECISION_BITS:
                raise EvaluationLimitError("the value needs more than "
                                           f"{MAX_PRECISION_BITS} bits of precision")
            # A ball around 0 may hide a tiny value (exp(-100 x^2) + x - x): look again at the
            # highest precision, where what still holds 0 is 0 to thousands of digits.
            raised = True
            precision = MAX_PRECISION_BITS if missing in (0, math.inf) else \
                min(MAX_PRECISION_BITS, max(2 * precision, precision + int(missing) + 64))
    finally:
        ctx.prec = saved


def _bits_for(digits: int) -> int:
    return math.ceil(digits * math.log2(10))


def _missing_bits(result: Mat, target: int) -> tuple[float, bool]:
    """Bits by which the least accurate entry falls short of ``target`` (relative to the
    entry, or absolute for a ball holding 0), infinite for a non-finite entry; and whether
    some ball holds 0."""
    missing = 0
    zeros = False
    for value in result.data:
        if not value.is_finite():
            return math.inf, zeros
        radius = value.rad()
        if radius.is_zero():
            continue
        if value.contains(0):
            zeros = True
            missing = max(missing, _log2(radius) + target)
        else:
            missing = max(missing, _log2(radius) - _log2(value.mid()) + 1 + target)
    return missing, zeros


def _log2(value: arb) -> int:
    """About log2 |value| for an exact arb (its top bit); very negative for 0."""
    if value.is_zero():
        return -(1 << 62)
    mantissa, exponent = value.man_exp()
    return int(exponent) + abs(int(mantissa)).bit_length()
