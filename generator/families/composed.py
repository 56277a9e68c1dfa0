"""Exercises composed from building blocks within a difficulty budget, keyed by the calculus
engine (Magnus & Neudecker, Matrix Differential Calculus, ch. 9: the differential, then
identification; Matrix Cookbook eqs. (69), (81), (84), (70), (101), (102), (108), (57) for
the blocks' own derivatives).

A scalar function of a vector x or of a square matrix X is a sum of terms; a term is a block, a
scalar multiple of one, or a product of blocks (from difficulty 2), and from difficulty 4 a block
times a sum of two.  The number of blocks is the difficulty (1–5).  The blocks:

- of x: aᵀx, xᵀAx, ‖Ax − b‖², sum(σ(Wx)), wᵀtanh(x), each written in two or three ways;
- of X: tr(AX), tr(XᵀAX), log det X, aᵀXb, tr(AXB), each in one or two ways.

Names come from the natural sets (x, y, z, u, v or X, Y, Z for the variable; a, b, c, … and A, B, C,
… for constants), and every block has its own constants. The key is the engine's derivative in
numerator layout; the worked steps are its differential and identification in the sheet's layout.
The numeric form leaves out the σ and tanh blocks and products, so that its key is rational at
rational values and small enough to compute by hand. The mistakes — the transposed key, a flipped
sign and a dropped term (the key less twice or once the engine's derivative of the last term) —
are each checked to differ from the key at a point; the grader rejects them again when the
exercise is verified.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from generator.calculus import algebra as a
from generator.calculus.derivative import differentiate
from generator.calculus.simplify import simplify
from generator.calculus.steps import steps
from generator.family import Draft, Family
from generator.layout import transposed
from grader.errors import MatcalcError
from grader.evaluation import Mat, Point, evaluate
from grader.exercise_set import Form
from grader.language import nodes as n
from grader.language.declarations import Declarations
from grader.language.parser import parse, parse_declarations
from grader.language.printing import print_ascii
from grader.sampling import Regime, sample_point
from grader.verdict import Mistake

VARIABLE_VECTORS = ("x", "y", "z", "u", "v")
VARIABLE_MATRICES = ("X", "Y", "Z")
CONSTANT_VECTORS = ("a", "b", "c", "d", "p", "q", "r", "s", "w")
CONSTANT_MATRICES = ("A", "B", "C", "D", "M", "P", "Q", "R", "S", "W")


@dataclass(frozen=True)
class Block:
    """A scalar building block: its text and the constants it declares (name, dims)."""

    text: str
    constants: tuple[tuple[str, str], ...]


class _Names:
    """Fresh constant names for one exercise, so that no two blocks share a constant."""

    def __init__(self, rng: random.Random) -> None:
        self.vectors = rng.sample(CONSTANT_VECTORS, len(CONSTANT_VECTORS))
        self.matrices = rng.sample(CONSTANT_MATRICES, len(CONSTANT_MATRICES))

    def vector(self) -> str:
        return self.vectors.pop()

    def matrix(self) -> str:
        return self.matrices.pop()


def _linear(rng: random.Random, x: str, names: _Names) -> Block:
    a = names.vector()
    return Block(rng.choice((f"{a}^T {x}", f"{x}^T {a}")), ((a, "n"),))


def _quadratic(rng: random.Random, x: str, names: _Names) -> Block:
    a = names.matrix()
    return Block(rng.choice((f"{x}^T {a} {x}", f"({a} {x})^T {x}")), ((a, "n,n"),))


def _residual(rng: random.Random, x: str, names: _Names) -> Block:
    a, b = names.matrix(), names.vector()
    text = rng.choice((f"norm({a} {x} - {b})^2", f"norm({b} - {a} {x})^2",
                       f"norm({a} {x} + {b})^2"))
    return Block(text, ((a, "m,n"), (b, "m")))


def _sigmoid(rng: random.Random, x: str, names: _Names) -> Block:
    w = names.matrix()
    if rng.random() < 0.5:
        return Block(f"sum(sigma({w} {x}))", ((w, "m,n"),))
    b = names.vector()
    return Block(f"sum(sigma({w} {x} + {b}))", ((w, "m,n"), (b, "m")))


def _tanh(rng: random.Random, x: str, names: _Names) -> Block:
    w = names.vector()
    return Block(rng.choice((f"{w}^T tanh({x})", f"tanh({x})^T {w}")), ((w, "n"),))


def _trace(rng: random.Random, x: str, names: _Names) -> Block:
    a = names.matrix()
    return Block(rng.choice((f"tr({a} {x})", f"tr({x} {a})")), ((a, "n,n"),))


def _trace_quadratic(rng: random.Random, x: str, names: _Names) -> Block:
    a = names.matrix()
    return Block(rng.choice((f"tr({x}^T {a} {x})", f"tr({x} {a} {x}^T)")), ((a, "n,n"),))


def _log_det(rng: random.Random, x: str, names: _Names) -> Block:
    return Block(f"log(det({x}))", ())


def _bilinear(rng: random.Random, x: str, names: _Names) -> Block:
    a, b = names.vector(), names.vector()
    return Block(f"{a}^T {x} {b}", ((a, "n"), (b, "n")))


def _sandwich(rng: random.Random, x: str, names: _Names) -> Block:
    a, b = names.matrix(), names.matrix()
    return Block(f"tr({a} {x} {b})", ((a, "n,n"), (b, "n,n")))


_Maker = Callable[[random.Random, str, _Names], Block]
VECTOR_BLOCKS: tuple[_Maker, ...] = (_linear, _quadratic, _residual, _sigmoid, _tanh)
MATRIX_BLOCKS: tuple[_Maker, ...] = (_trace, _trace_quadratic, _log_det, _bilinear, _sandwich)


@dataclass(frozen=True)
class Term:
    """``sign coefficient factor factor…``; a factor is a block or a parenthesised sum."""

    sign: str
    coefficient: int
    factors: tuple[str, ...]

    def text(self, first: bool) -> str:
        scale = f"{self.coefficient} " if self.coefficient != 1 else ""
        many = len(self.factors) > 1
        body = " ".join(_factor(f) if many else f for f in self.factors)
        if first:
            return f"{'-' if self.sign == '-' else ''}{scale}{body}"
        return f"{self.sign} {scale}{body}"


def _factor(text: str) -> str:
    """A block as a factor of a product: parenthesised unless it is one function call."""
    if text.startswith(("log(", "tr(", "sum(")) and _closes_at_end(text):
        return text
    return f"({text})"


def _closes_at_end(text: str) -> bool:
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and ch == ")":
            return i == len(text) - 1
    return False


def _function(terms: list[Term]) -> str:
    return " ".join(term.text(i == 0) for i, term in enumerate(terms))


def _terms(rng: random.Random, difficulty: int, blocks: list[str], *, products: bool
           ) -> list[Term]:
    """Blocks grouped into terms: single blocks, products (difficulty ≥ 2) and a block times a
    sum of two (difficulty ≥ 4), each with a sign and maybe a coefficient; without
    ``products``, single blocks only."""
    terms: list[Term] = []
    left = list(blocks)
    while left:
        roll = rng.random()
        if products and difficulty >= 4 and len(left) >= 3 and roll < 0.3:
            inner = f"{left[1]} {rng.choice('+-')} {left[2]}"
            factors: tuple[str, ...] = (left[0], inner)
            left = left[3:]
        elif products and difficulty >= 2 and len(left) >= 2 and roll < 0.6:
            factors = (left[0], left[1])
            left = left[2:]
        else:
            factors = (left[0],)
            left = left[1:]
        coefficient = rng.choice((1, 1, rng.randint(2, 9)))
        terms.append(Term(rng.choice("++-"), coefficient, factors))
    return terms


def draft(rng: random.Random, difficulty: int, form: Form) -> Draft:
    matrix = rng.random() < 0.4
    x = rng.choice(VARIABLE_MATRICES if matrix else VARIABLE_VECTORS)
    makers = MATRIX_BLOCKS if matrix else VECTOR_BLOCKS
    if form == "numeric":  # its key must be rational at rational values: σ and tanh are not
        makers = tuple(m for m in makers if m not in (_sigmoid, _tanh))
    names = _Names(rng)
    # Every kind once before any twice: blocks stay varied.
    kinds = rng.sample(makers, len(makers))
    chosen = [kinds[i % len(kinds)](rng, x, names) for i in range(difficulty)]
    terms = _terms(rng, difficulty, [b.text for b in chosen], products=form != "numeric")
    constants = [c for b in chosen for c in b.constants]
    given = ", ".join([f"{x}[n,n]" if matrix else f"{x}[n]"]
                      + [f"{name}[{dims}]" for name, dims in constants])
    declarations = parse_declarations(given)
    function = _function(terms)
    tree = parse(function, declarations)
    numerator = differentiate(tree, x, declarations, "numerator")
    key = numerator.result
    # The denominator-layout result is the transpose: the same differential, read off as a
    # column (or in X's shape), so the engine need not run again.
    denominator = dataclasses.replace(
        numerator, layout="denominator",
        result=parse(print_ascii(transposed(key)), declarations))
    return Draft(
        given, x, function, print_ascii(key), numerator.kind,
        tuple(steps(tree, numerator, declarations)),
        _mistakes(terms, key, x, declarations, matrix),
        tuple(steps(tree, denominator, declarations)),
    )


def _mistakes(terms: list[Term], key: n.Node, x: str, declarations: Declarations,
              matrix: bool) -> tuple[Mistake, ...]:
    """The transposed key, a flipped sign and a dropped term, kept when the grader rejects
    them."""
    candidates = [Mistake(
        print_ascii(transposed(key)), "transpose" if matrix else "layout",
        "The layouts differ by a transpose: check which one this sheet asks for."
        if matrix else "That is the column form: this sheet's layout asks for the row.")]
    if len(terms) > 1:
        # f = g + t: flipping t's sign gives f' - 2 t', dropping t gives f' - t'.
        last = _derived(_function([Term("+", *dataclasses.astuple(terms[-1])[1:])]), x,
                        declarations)
        for factor, note, feedback in (
                (-2, "sign", "Each term keeps its sign: check the sign of the last term's "
                             "derivative."),
                (-1, "missing_term", "Every term depends on the variable: the last one "
                                     "contributes too.")):
            sign = 1 if terms[-1].sign == "+" else -1
            slipped = simplify(a.add(key, a.mul(a.number(factor * sign), last)), declarations)
            candidates.append(Mistake(print_ascii(slipped), note, feedback))
    else:
        candidates.append(Mistake(print_ascii(a.neg(key)), "sign", "Check the sign."))
    return tuple(m for m in candidates if m.answer and _wrong(key, m.answer, declarations))


def _derived(function: str, x: str, declarations: Declarations) -> n.Node:
    tree = parse(function, declarations)
    return differentiate(tree, x, declarations, "numerator").result


def _wrong(key: n.Node, answer: str, declarations: Declarations) -> bool:
    """Whether ``answer`` differs from the key: by shape, or in value at a point of entries in
    [-1, 1] (so σ and tanh are far from saturated) where square matrices are diagonally
    dominant (so log det and inverses are defined).  One point is
    enough to tell a different function; the grader checks again when the exercise is
    verified."""
    tree = parse(answer, declarations)
    if tree.typed_shape != key.typed_shape:
        return True
    sizes = {s: 3 + i for i, s in enumerate(declarations.dim_symbols)}
    near_zero = Regime(exact=False, centers=(Fraction(0),), spread=Fraction(1))
    drawn = sample_point(declarations, sizes, near_zero, random.Random(0))
    point = Point(sizes, {name: _dominant(value) for name, value in drawn.values.items()})
    try:
        expected = evaluate(key, point, exact=False)
        given = evaluate(tree, point, exact=False)
    except (MatcalcError, ArithmeticError):
        return False
    size = max(abs(v) for v in expected.data)
    return any(abs(p - q) > 1e-9 * (1 + size) for p, q in zip(expected.data, given.data,
                                                               strict=True))


def _dominant(value: Mat) -> Mat:
    if value.rows != value.cols or value.rows == 1:
        return value
    data = list(value.data)
    for i in range(value.rows):
        data[i * value.cols + i] += 4 * value.rows
    return Mat(value.rows, value.cols, tuple(data))


FAMILY = Family(
    name="composed",
    title="Composed scalar functions",
    source="Magnus & Neudecker, Matrix Differential Calculus, ch. 9 (differentials and "
           "identification); Matrix Cookbook eqs. (69), (81), (84) (aᵀx, xᵀBx, ‖Ax − b‖²), "
           "(70), (101), (102), (108) (aᵀXb, tr(XA), tr(AXB), tr(XᵀBX)), (57) (log det X); "
           "Parr & Howard §4.2 (element-wise σ and tanh)",
    difficulties=(1, 2, 3, 4, 5),
    forms=("symbolic", "numeric"),
    draft=draft,
)
