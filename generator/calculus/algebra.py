"""Building typed trees: each constructor computes the node's shape and makes the local
simplifications that are always true (numbers folded, products with 1 or I dropped, scalars in
front, transposes pushed through products), so that derivatives are built small.

A product is kept as *scalar factors, then a chain* of non-scalar factors whose inner sizes match:
``x^T y W`` is the scalar ``x^T y`` times ``W``, and a chain whose product is 1×1 becomes one scalar
factor, so that flattening a product never joins factors that do not multiply.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from grader.language import nodes as n
from grader.language.shapes import ONE, SCALAR, Dim, Shape


def shape(node: n.Node) -> Shape:
    return node.typed_shape


def is_scalar(node: n.Node) -> bool:
    return node.typed_shape.is_scalar


def numel(s: Shape) -> Dim:
    return s.rows * s.cols


# --- leaves -------------------------------------------------------------------------------------


def number(value: Fraction | int) -> n.Node:
    value = Fraction(value)
    if value < 0:
        return n.Neg(number(-value), shape=SCALAR)
    if value.denominator != 1:
        return n.Div(n.Number(Fraction(value.numerator), shape=SCALAR),
                     n.Number(Fraction(value.denominator), shape=SCALAR), shape=SCALAR)
    return n.Number(value, shape=SCALAR)


def constant_value(node: n.Node) -> Fraction | None:
    """The value of a number written as a number (``3``, ``-2``, ``1 / 2``), else None."""
    if isinstance(node, n.Number):
        return node.value
    if isinstance(node, n.Neg):
        inner = constant_value(node.arg)
        return None if inner is None else -inner
    if isinstance(node, n.Div):
        top, bottom = constant_value(node.left), constant_value(node.right)
        if top is not None and bottom:
            return top / bottom
    return None


def identity(size: Dim) -> n.Node:
    if size.is_one:
        return number(1)
    return n.Identity(size, shape=Shape(size, size))


def ones(size: Dim) -> n.Node:
    if size.is_one:
        return number(1)
    return n.Ones(size, shape=Shape(size, ONE))


def zeros(s: Shape) -> n.Node:
    if s.is_scalar:
        return number(0)
    return n.Zeros(s.rows, s.cols, shape=s)


def is_zero(node: n.Node) -> bool:
    return isinstance(node, n.Zeros) or constant_value(node) == 0


def ones_like(s: Shape) -> n.Node:
    """A matrix of ones of shape ``s`` (for a scalar expanded to it)."""
    if s.is_scalar:
        return number(1)
    if s.cols.is_one:
        return ones(s.rows)
    if s.rows.is_one:
        return transpose(ones(s.cols))
    return mul(ones(s.rows), transpose(ones(s.cols)))


def matrix(rows: Sequence[Sequence[n.Node]]) -> n.Node:
    if len(rows) == 1 and len(rows[0]) == 1:
        return rows[0][0]
    return n.Matrix(tuple(tuple(row) for row in rows), shape=Shape.of(len(rows), len(rows[0])))


def unit(size: int, index: int) -> n.Node:
    """The explicit column e_index of length ``size``."""
    return matrix([[number(1 if i == index else 0)] for i in range(size)])


# --- sums ---------------------------------------------------------------------------------------


def split(node: n.Node) -> tuple[Fraction, n.Node | None]:
    """``node`` as coefficient × rest (rest None for a plain number)."""
    value = constant_value(node)
    if value is not None:
        return value, None
    if isinstance(node, n.Neg):
        c, rest = split(node.arg)
        return -c, rest
    if isinstance(node, n.Mul):
        first = constant_value(node.factors[0])
        if first is not None:
            others = node.factors[1:]
            return first, others[0] if len(others) == 1 else n.Mul(others, shape=node.shape)
    if isinstance(node, n.Div):
        bottom = constant_value(node.right)
        if bottom:
            top, remainder = split(node.left)
            return top / bottom, remainder
    return Fraction(1), node


def scaled(c: Fraction, rest: n.Node | None) -> n.Node:
    if rest is None:
        return number(c)
    if c == 1:
        return rest
    if c == -1:
        return neg(rest)
    return mul(number(c), rest)


def add(*terms: n.Node) -> n.Node:
    """A sum, flattened, with equal terms (up to a number) combined and zeros dropped."""
    flat: list[n.Node] = []
    for term in terms:
        if isinstance(term, n.Add):
            flat.extend(term.terms)
        else:
            flat.append(term)
    result_shape = next((shape(t) for t in flat if not is_scalar(t)), SCALAR)
    coefficients: dict[n.Node | None, Fraction] = {}
    for term in flat:
        if isinstance(term, n.Zeros):
            continue
        c, rest = split(term)
        coefficients[rest] = coefficients.get(rest, Fraction(0)) + c
    parts = [scaled(c, rest) for rest, c in coefficients.items() if c != 0 and rest is not None]
    constant = coefficients.get(None, Fraction(0))
    if constant:
        parts.append(number(constant))
    if not parts:
        return zeros(result_shape)
    if len(parts) == 1:
        only = parts[0]
        if shape(only) != result_shape:  # a scalar left over from an expanded sum
            return mul(only, ones_like(result_shape))
        return only
    # A leading negative term reads better later: b - a rather than -a + b.
    if isinstance(parts[0], n.Neg) and any(not isinstance(p, n.Neg) for p in parts):
        first = next(p for p in parts if not isinstance(p, n.Neg))
        parts.remove(first)
        parts.insert(0, first)
    return n.Add(tuple(parts), shape=result_shape)


def neg(node: n.Node) -> n.Node:
    if isinstance(node, n.Neg):
        return node.arg
    if isinstance(node, n.Add):
        return add(*(neg(t) for t in node.terms))
    if isinstance(node, n.Zeros):
        return node
    c, rest = split(node)
    if rest is not None and c != 1:
        return scaled(-c, rest)
    return n.Neg(node, shape=node.shape)


def subtract(a: n.Node, b: n.Node) -> n.Node:
    return add(a, neg(b))


# --- products -----------------------------------------------------------------------------------


class _Product:
    """Scalar factors and a chain of matrices, as :func:`mul` collects them."""

    def __init__(self) -> None:
        self.coefficient = Fraction(1)
        self.scalars: list[n.Node] = []
        self.chain: list[n.Node] = []
        self.identity: n.Node | None = None

    def push(self, factor: n.Node) -> None:
        value = constant_value(factor)
        if value is not None:
            self.coefficient *= value
        elif isinstance(factor, n.Neg):
            self.coefficient = -self.coefficient
            self.push(factor.arg)
        elif isinstance(factor, n.Mul) and is_scalar(factor):
            group: list[n.Node] = []
            for f in factor.factors:
                if is_scalar(f):
                    self.push(f)
                else:
                    group.append(f)
            if group:
                self.scalars.append(n.Mul(tuple(group), shape=SCALAR))
        elif isinstance(factor, n.Mul):
            for f in factor.factors:
                self.push(f)
        elif is_scalar(factor):
            self.scalars.append(factor)
        elif isinstance(factor, n.Identity):
            self.identity = factor
        else:
            self.link(factor)

    def link(self, factor: n.Node) -> None:
        if self.chain:
            last = self.chain[-1]
            if _is_diagonal_of_vector(last) and _is_diagonal_of_vector(factor):
                self.chain.pop()  # diag(u) diag(v) = diag(u .* v)
                factor = diag(hadamard(_column(last), _column(factor)))
            elif _is_diagonal_of_vector(last) and shape(factor).cols.is_one:
                self.chain.pop()  # diag(v) w = v .* w
                factor = hadamard(_column(last), factor)
            elif _is_diagonal_of_vector(factor) and shape(last).rows.is_one:
                self.chain.pop()  # w^T diag(v) = (w .* v)^T
                factor = transpose(hadamard(transpose(last), _column(factor)))
        if self.chain and shape(factor).is_square:  # X X = X^2, X^k X = X^(k+1)
            last = self.chain[-1]
            if last == factor:
                self.chain[-1] = power(factor, Fraction(2))
                return
            k = constant_value(last.exponent) if isinstance(last, n.Pow) else None
            if isinstance(last, n.Pow) and last.base == factor and k is not None \
                    and k.denominator == 1 and k > 0:
                self.chain[-1] = power(factor, k + 1)
                return
        if self.chain and shape(self.chain[0]).rows.is_one and shape(factor).cols.is_one:
            group = (*self.chain, factor)
            self.chain = []
            self.scalars.append(n.Mul(group, shape=SCALAR) if len(group) > 1 else group[0])
            return
        if not self.chain and shape(factor).rows.is_one and shape(factor).cols.is_one:
            self.scalars.append(factor)
            return
        self.chain.append(factor)

    def build(self) -> n.Node:
        chain = self.chain or ([self.identity] if self.identity is not None else [])
        if self.coefficient == 0:
            s = Shape(shape(chain[0]).rows, shape(chain[-1]).cols) if chain else SCALAR
            return zeros(s)
        self.fold_reciprocals()
        factors: list[n.Node] = []
        magnitude = abs(self.coefficient)
        if magnitude != 1 or (not self.scalars and not chain):
            factors.append(number(magnitude))
        factors.extend(self.scalars)
        factors.extend(chain)
        if len(factors) == 1:
            node = factors[0]
        else:
            s = Shape(shape(chain[0]).rows, shape(chain[-1]).cols) if chain else SCALAR
            node = n.Mul(tuple(factors), shape=s)
        return n.Neg(node, shape=node.shape) if self.coefficient < 0 else node


    def fold_reciprocals(self) -> None:
        """4 (1 / (2 x)) = 2 / x: a number moves into the one quotient among the scalars."""
        quotients = [i for i, s in enumerate(self.scalars) if isinstance(s, n.Div)
                     and constant_value(s.left) is not None]
        if len(quotients) != 1:
            return
        index = quotients[0]
        quotient = self.scalars[index]
        assert isinstance(quotient, n.Div)
        top = constant_value(quotient.left)
        bottom, rest = split(quotient.right)
        if top is None or rest is None or not bottom:
            return
        value = self.coefficient * top / bottom
        if value.denominator != 1:
            self.scalars[index] = n.Div(number(1), rest, shape=SCALAR)
            self.coefficient = value
            return
        self.coefficient = Fraction(1 if value > 0 else -1)
        self.scalars[index] = n.Div(number(abs(value)), rest, shape=SCALAR)


def _is_diagonal_of_vector(node: n.Node) -> bool:
    return isinstance(node, n.Diag) and shape(node.arg).is_vector


def _column(diagonal: n.Node) -> n.Node:
    assert isinstance(diagonal, n.Diag)
    arg = diagonal.arg
    return arg if shape(arg).cols.is_one else transpose(arg)


def mul(*factors: n.Node) -> n.Node:
    """A product (matrix product, or scaling by 1×1 factors)."""
    product = _Product()
    for factor in factors:
        if isinstance(factor, n.Zeros):
            rows = shape(factors[0]).rows if not is_scalar(factors[0]) else shape(factor).rows
            return zeros(Shape(rows, shape(factors[-1]).cols))
        product.push(factor)
    return product.build()


def div(a: n.Node, b: n.Node) -> n.Node:
    """``a / b`` for a scalar ``b``."""
    value = constant_value(b)
    if value is not None:
        if value == 1:
            return a
        return mul(number(1 / value), a)
    if isinstance(a, n.Neg):
        return neg(div(a.arg, b))
    if isinstance(a, n.Div):
        return div(a.left, mul(a.right, b))
    c, rest = split(a)
    if rest is not None and c != 1:
        return mul(number(c), div(rest, b))
    if a == b:
        return number(1)
    cancelled = _cancel(a, b)
    if cancelled is not None:
        return cancelled
    return n.Div(a, b, shape=a.shape)


def _factors(node: n.Node) -> list[n.Node]:
    return list(node.factors) if isinstance(node, n.Mul) else [node]


def _cancel(top: n.Node, bottom: n.Node) -> n.Node | None:
    """``top / bottom`` with scalar factors common to both cancelled (u v / v = u,
    u v / v^2 = u / v), or None when none are."""
    upper, lower = _factors(top), _factors(bottom)
    changed = False
    for index, factor in enumerate(list(lower)):
        base, k = factor, Fraction(1)
        if isinstance(factor, n.Pow) and constant_value(factor.exponent) is not None:
            base, k = factor.base, constant_value(factor.exponent) or Fraction(1)
        if k.denominator != 1 or k < 1 or not is_scalar(base) or base not in upper:
            continue
        upper.remove(base)
        lower[index] = power(base, k - 1)
        changed = True
    if not changed:
        return None
    numerator = mul(*upper) if upper else number(1)
    denominator = mul(*lower) if lower else number(1)
    return div(numerator, denominator)


def transpose(node: n.Node) -> n.Node:
    """``node^T``, pushed through products, negation, Kronecker products and numbers."""
    if is_scalar(node):
        return node
    flipped = shape(node).transposed
    if isinstance(node, n.Transpose):
        return node.arg
    if isinstance(node, n.Neg):
        return neg(transpose(node.arg))
    if isinstance(node, n.Add):  # (A + A^T)^T = A^T + A, but (A x - b)^T stays
        pushed = [transpose(t) for t in node.terms]
        if _transposes(pushed) <= _transposes(node.terms):
            pushed.sort(key=lambda t: isinstance(t, n.Transpose))
            return add(*pushed)
        return n.Transpose(node, shape=flipped)
    if isinstance(node, n.Mul):
        scalars = [f for f in node.factors if is_scalar(f)]
        chain = [transpose(f) for f in reversed(node.factors) if not is_scalar(f)]
        return mul(*scalars, *chain)
    if isinstance(node, n.Div):
        return div(transpose(node.left), node.right)
    if isinstance(node, n.Kron):
        return kron(transpose(node.left), transpose(node.right))
    if isinstance(node, n.Pow):  # (X^k)^T = (X^T)^k
        return power(transpose(node.base), node.exponent)
    if isinstance(node, (n.Identity,)) or (isinstance(node, n.Diag) and shape(node).is_square):
        return node
    if isinstance(node, n.Zeros):
        return zeros(flipped)
    if isinstance(node, n.Matrix):
        return n.Matrix(tuple(zip(*node.rows, strict=True)), shape=flipped)
    return n.Transpose(node, shape=flipped)


def _transposes(nodes: Sequence[n.Node]) -> int:
    return sum(isinstance(m, n.Transpose) for m in n.walk(*nodes))


def hadamard(a: n.Node, b: n.Node) -> n.Node:
    """Element-wise product; with a scalar operand it is a product."""
    if is_scalar(a) or is_scalar(b):
        return mul(a, b)
    if isinstance(a, n.Zeros) or isinstance(b, n.Zeros):
        return zeros(shape(a))
    if isinstance(a, n.Neg):
        return neg(hadamard(a.arg, b))
    if isinstance(b, n.Neg):
        return neg(hadamard(a, b.arg))
    ca, ra = split(a)
    cb, rb = split(b)
    if ra is not None and rb is not None and (ca != 1 or cb != 1):
        return mul(number(ca * cb), hadamard(ra, rb))
    if isinstance(a, n.ElemDiv) and a.right == b:  # (p ./ q) .* q = p
        return a.left
    for p, q in ((a, b), (b, a)):  # (p ./ (exp(u) + 1)) .* exp(u) = p .* sigma(u)
        if isinstance(p, n.ElemDiv) and isinstance(q, n.Apply) and q.func == "exp" \
                and isinstance(p.right, n.Add) and len(p.right.terms) == 2 \
                and q in p.right.terms and number(1) in p.right.terms:
            return hadamard(p.left, apply("sigma", q.arg))
    if isinstance(b, n.ElemDiv) and b.right == a:
        return b.left
    if ra is not None and (isinstance(ra, n.Ones) or _all_ones(ra)):
        return mul(number(ca), b)
    if rb is not None and (isinstance(rb, n.Ones) or _all_ones(rb)):
        return mul(number(cb), a)
    if isinstance(a, n.Ones) or _all_ones(a):
        return b
    if isinstance(b, n.Ones) or _all_ones(b):
        return a
    return n.Hadamard(a, b, shape=a.shape)


def _all_ones(node: n.Node) -> bool:
    return isinstance(node, n.Transpose) and isinstance(node.arg, n.Ones)


def elemdiv(a: n.Node, b: n.Node) -> n.Node:
    if is_scalar(b):
        return div(a, b)
    if isinstance(a, n.Zeros):
        return a
    if isinstance(a, n.Neg):
        return neg(elemdiv(a.arg, b))
    c, rest = split(a)
    if rest is not None and (isinstance(rest, n.Ones) or _all_ones(rest)):
        a = number(c)  # c ones(n) ./ v = c ./ v
    s = shape(b) if is_scalar(a) else shape(a)
    return n.ElemDiv(a, b, shape=s)


def power(base: n.Node, exponent: Fraction | n.Node) -> n.Node:
    """``base^k`` (scalar base, or a square matrix and an integer k)."""
    k = exponent if isinstance(exponent, Fraction) else constant_value(exponent)
    if k is not None:
        if k == 1:
            return base
        if k == 0:
            return identity(shape(base).rows) if not is_scalar(base) else number(1)
        value = constant_value(base)
        if value is not None and k.denominator == 1 and (value or k > 0):
            return number(value ** int(k))
        if isinstance(base, n.Pow) and k.denominator == 1:
            inner = constant_value(base.exponent)
            if inner is not None and inner.denominator == 1:
                return power(base.base, inner * k)
        if k == -1 and not is_scalar(base):
            return inverse(base)
        return n.Pow(base, number(k), shape=base.shape)
    assert isinstance(exponent, n.Node)
    return n.Pow(base, exponent, shape=base.shape)


def elementwise_power(base: n.Node, exponent: Fraction | n.Node) -> n.Node:
    if is_scalar(base) and (isinstance(exponent, Fraction) or is_scalar(exponent)):
        return power(base, exponent)
    k = exponent if isinstance(exponent, Fraction) else constant_value(exponent)
    if k == 1:
        return base
    node = number(k) if k is not None else exponent
    assert isinstance(node, n.Node)
    s = shape(base) if not is_scalar(base) else shape(node)
    return n.ElemPow(base, node, shape=s)


def inverse(node: n.Node) -> n.Node:
    if isinstance(node, n.Inverse):
        return node.arg
    if isinstance(node, n.Identity):
        return node
    if isinstance(node, n.Transpose):
        return transpose(inverse(node.arg))
    c, rest = split(node)
    if rest is not None and c not in (0, 1):
        return mul(number(1 / c), inverse(rest))
    if is_scalar(node):
        return div(number(1), node)
    return n.Inverse(node, shape=node.shape)


def apply(func: str, arg: n.Node) -> n.Node:
    return n.Apply(func, arg, shape=arg.shape)


def elementwise_max(a: n.Node, b: n.Node) -> n.Node:
    s = shape(b) if is_scalar(a) else shape(a)
    return n.Max(a, b, shape=s)


def total(node: n.Node) -> n.Node:
    """``sum(node)``, the sum of the entries."""
    if is_scalar(node):
        return node
    c, rest = split(node)
    if rest is not None and c != 1:
        return mul(number(c), total(rest))
    if isinstance(node, n.Add):
        return add(*(total(t) for t in node.terms))
    if isinstance(node, n.Transpose):
        return total(node.arg)
    return n.Sum(node, shape=SCALAR)


def trace(node: n.Node) -> n.Node:
    if is_scalar(node):
        return node
    c, rest = split(node)
    if rest is not None and c != 1:
        return mul(number(c), trace(rest))
    if isinstance(node, n.Add):
        return add(*(trace(t) for t in node.terms))
    if isinstance(node, n.Transpose):
        return trace(node.arg)
    if isinstance(node, n.Mul):  # tr(A B) with a vector: a scalar product
        chain = [f for f in node.factors if not is_scalar(f)]
        scalars = [f for f in node.factors if is_scalar(f)]
        if len(chain) >= 2 and shape(chain[0]).cols.is_one:
            return mul(*scalars, *chain[1:], chain[0])
    return n.Trace(node, shape=SCALAR)


def det(node: n.Node) -> n.Node:
    return n.Det(node, shape=SCALAR)


def diag(node: n.Node) -> n.Node:
    s = shape(node)
    if s.is_scalar:
        return node
    if isinstance(node, n.Ones):
        return identity(s.rows)
    if isinstance(node, n.Identity):
        return ones(s.rows)
    if isinstance(node, n.Neg):
        return neg(diag(node.arg))
    c, rest = split(node)
    if rest is not None and c != 1:
        return mul(number(c), diag(rest))
    if s.cols.is_one:
        return n.Diag(node, shape=Shape(s.rows, s.rows))
    if s.rows.is_one:
        return n.Diag(node, shape=Shape(s.cols, s.cols))
    if isinstance(node, n.Diag):
        return node.arg if shape(node.arg).cols.is_one else transpose(node.arg)
    return n.Diag(node, shape=Shape(s.rows, ONE))


def vec(node: n.Node) -> n.Node:
    s = shape(node)
    if s.cols.is_one:
        return node
    if s.rows.is_one:
        return transpose(node)
    return n.Vec(node, shape=Shape(s.rows * s.cols, ONE))


def kron(a: n.Node, b: n.Node) -> n.Node:
    if is_scalar(a) or is_scalar(b):
        return mul(a, b)
    sa, sb = shape(a), shape(b)
    return n.Kron(a, b, shape=Shape(sa.rows * sb.rows, sa.cols * sb.cols))


def softmax(node: n.Node) -> n.Node:
    return n.Softmax(node, shape=node.shape)


def norm(node: n.Node, p: int = 2) -> n.Node:
    return n.Norm(node, p, shape=SCALAR)


def inner(a: n.Node, b: n.Node) -> n.Node:
    """sum(a ⊙ b) = tr(aᵀ b), written as a textbook writes it for vectors."""
    sa = shape(a)
    for p, q in ((a, b), (b, a)):
        if isinstance(p, n.ElemDiv) and p.right == q:  # sum((u ./ v) .* v) = sum(u)
            return total(p.left)
        if isinstance(p, n.Neg):
            return neg(inner(p.arg, q))
    if sa.is_scalar or shape(b).is_scalar:
        return mul(a, b) if sa == shape(b) else total(hadamard(a, b))
    if sa.cols.is_one:
        return mul(transpose(a), b)
    if sa.rows.is_one:
        return mul(a, transpose(b))
    return trace(mul(transpose(a), b))


# --- rebuilding ---------------------------------------------------------------------------------


def rebuild(node: n.Node, leaf: Callable[[n.Node], n.Node | None] | None = None) -> n.Node | None:
    """``node`` rebuilt bottom-up through the constructors; ``leaf`` may replace a node (None:
    zero).  Zeros propagate through the operations that are linear in the replaced leaves."""
    if leaf is not None:
        replaced = leaf(node)
        if replaced is not node:
            return replaced
    build = _BUILDERS.get(type(node))
    if build is None:
        return node
    return build(node, lambda child: rebuild(child, leaf))


Rebuild = Callable[[n.Node], n.Node | None]


def _zero_if_none(value: n.Node | None, s: Shape) -> n.Node:
    return zeros(s) if value is None else value


def _needed(value: n.Node | None, what: str) -> n.Node:
    if value is None:
        raise ValueError(f"a zero inside {what}")
    return value


def _b_matrix(node: n.Matrix, r: Rebuild) -> n.Node | None:
    rows = [[r(e) for e in row] for row in node.rows]
    if all(e is None for row in rows for e in row):
        return None
    return matrix([[e if e is not None else number(0) for e in row] for row in rows])


def _b_neg(node: n.Neg, r: Rebuild) -> n.Node | None:
    arg = r(node.arg)
    return None if arg is None else neg(arg)


def _b_add(node: n.Add, r: Rebuild) -> n.Node | None:
    terms = [t for t in (r(term) for term in node.terms) if t is not None]
    if not terms:
        return None
    result = add(*terms)
    if shape(result) != node.typed_shape:
        return mul(result, ones_like(node.typed_shape))
    return result


def _b_mul(node: n.Mul, r: Rebuild) -> n.Node | None:
    factors = [r(f) for f in node.factors]
    if any(f is None for f in factors):
        return None
    return mul(*[f for f in factors if f is not None])


def _b_div(node: n.Div, r: Rebuild) -> n.Node | None:
    top = r(node.left)
    return None if top is None else div(top, _needed(r(node.right), "a denominator"))


def _b_binary(function: Callable[[n.Node, n.Node], n.Node]) -> Callable[[n.Binary, Rebuild],
                                                                         n.Node | None]:
    def build(node: n.Binary, r: Rebuild) -> n.Node | None:
        left, right = r(node.left), r(node.right)
        if left is None or right is None:
            return None
        return function(left, right)
    return build


def _b_elemdiv(node: n.ElemDiv, r: Rebuild) -> n.Node | None:
    top = r(node.left)
    return None if top is None else elemdiv(top, _needed(r(node.right), "a denominator"))


def _b_max(node: n.Max, r: Rebuild) -> n.Node | None:
    return elementwise_max(_zero_if_none(r(node.left), node.left.typed_shape),
                           _zero_if_none(r(node.right), node.right.typed_shape))


def _b_pow(node: n.Pow, r: Rebuild) -> n.Node | None:
    return power(_needed(r(node.base), "a power"), _needed(r(node.exponent), "an exponent"))


def _b_elempow(node: n.ElemPow, r: Rebuild) -> n.Node | None:
    return elementwise_power(_needed(r(node.base), "a power"),
                             _needed(r(node.exponent), "an exponent"))


def _unary(function: Callable[[n.Node], n.Node]) -> Callable[[n.Unary, Rebuild], n.Node | None]:
    def build(node: n.Unary, r: Rebuild) -> n.Node | None:
        arg = r(node.arg)
        return None if arg is None else function(arg)
    return build


def _b_apply(node: n.Apply, r: Rebuild) -> n.Node | None:
    return apply(node.func, _zero_if_none(r(node.arg), node.arg.typed_shape))


def _b_norm(node: n.Norm, r: Rebuild) -> n.Node | None:
    arg = r(node.arg)
    return None if arg is None else norm(arg, node.p)


def _b_det(node: n.Det, r: Rebuild) -> n.Node | None:
    return det(_needed(r(node.arg), "a determinant"))


def _b_inverse(node: n.Inverse, r: Rebuild) -> n.Node | None:
    return inverse(_needed(r(node.arg), "an inverse"))


def _b_softmax(node: n.Softmax, r: Rebuild) -> n.Node | None:
    return softmax(_zero_if_none(r(node.arg), node.arg.typed_shape))


_BUILDERS: dict[type, Callable[..., n.Node | None]] = {
    n.Matrix: _b_matrix, n.Neg: _b_neg, n.Add: _b_add, n.Mul: _b_mul, n.Div: _b_div,
    n.Hadamard: _b_binary(hadamard), n.ElemDiv: _b_elemdiv, n.Kron: _b_binary(kron),
    n.Max: _b_max, n.Pow: _b_pow, n.ElemPow: _b_elempow, n.Transpose: _unary(transpose),
    n.Inverse: _b_inverse, n.Apply: _b_apply, n.Sum: _unary(total), n.Trace: _unary(trace),
    n.Det: _b_det, n.Norm: _b_norm, n.Diag: _unary(diag), n.Softmax: _b_softmax,
    n.Vec: _unary(vec),
}
