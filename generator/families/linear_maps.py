"""Linear and affine maps (identities.md §2 and §5 row 7), in numerator layout.

∂(aᵀx)/∂x = aᵀ, ∂(A x)/∂x = A, ∂(W x + b)/∂x = W and ∂(W x + b)/∂b = I; for a scalar by a
p×q matrix X the numerator-layout derivative is q×p: ∂(aᵀX b)/∂X = b aᵀ, ∂(aᵀXᵀb)/∂X = a bᵀ and
∂(uᵀ(W x + b))/∂W = (u xᵀ)ᵀ = x uᵀ.

Difficulty 1: k aᵀx or k xᵀa (a row), A x (the matrix A, m×n).
Difficulty 2: W x + b by x or by b; aᵀX b or aᵀXᵀb by a non-square X.
Difficulty 3: uᵀ(W x + b) by W, x or b; the composition A(B x + c) by x.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from generator.family import Draft, Family
from grader.exercise_set import Form
from grader.language.parser import parse
from grader.language.printing import print_latex
from grader.verdict import Mistake


def _times(k: int, text: str) -> str:
    return text if k == 1 else f"{k} {text}"


def _dot(rng: random.Random) -> Draft:
    k = rng.choice((1, 2, 3, 4, 5, -2, -3))
    inner = "a^T x" if rng.random() < 0.5 else "x^T a"
    function = f"-{_times(-k, inner)}" if k < 0 else _times(k, inner)
    answer = f"-{_times(-k, 'a^T')}" if k < 0 else _times(k, "a^T")
    column = f"-{_times(-k, 'a')}" if k < 0 else _times(k, "a")
    mistakes = [Mistake(column, "layout", "That is the column (denominator layout) form: in "
                        "numerator layout the derivative of a scalar by x is a row.")]
    if k != 1:
        mistakes.append(Mistake("a^T", "dropped_coefficient",
                                f"The constant factor {k} stays in the derivative."))
    return Draft(
        "x[n], a[n]", "x", function, answer, "gradient",
        (r"$\mathbf{a}^{\top}\mathbf{x} = \mathbf{x}^{\top}\mathbf{a} = \sum_i a_i x_i$, so "
         rf"$\partial f/\partial x_j = {'' if k == 1 else '-' if k == -1 else k}\,a_j$.",
         r"In numerator layout the gradient is a row: "
         rf"$\partial f/\partial\mathbf{{x}} = {_tex(answer, 'x[n], a[n]')}$."),
        tuple(mistakes))


def _matrix_vector(rng: random.Random) -> Draft:
    given = "x[n], A[m,n]"
    return Draft(
        given, "x", "A x", "A", "jacobian",
        (r"Component $i$ of $A\mathbf{x}$ is $\sum_j A_{ij} x_j$, so "
         r"$\partial (A\mathbf{x})_i/\partial x_j = A_{ij}$.",
         r"The Jacobian (numerator layout, $m \times n$) is $A$ itself."),
        (Mistake("A^T", "transpose",
                 "The Jacobian of A x is m×n with entry (i, j) = ∂(Ax)_i/∂x_j = A_ij: it is A, "
                 "not A^T."),))


def _affine(rng: random.Random) -> Draft:
    given = "x[n], W[m,n], b[m]"
    if rng.random() < 0.5:
        return Draft(
            given, "x", "W x + b", "W", "jacobian",
            (r"The derivative of a sum is the sum of the derivatives; $\mathbf{b}$ does not "
             r"depend on $\mathbf{x}$.",
             r"$\partial (W\mathbf{x})/\partial\mathbf{x} = W$ (row $i$ of the Jacobian is "
             r"row $i$ of $W$), an $m \times n$ matrix."),
            (Mistake("W^T", "transpose",
                     "Row i of the Jacobian is the gradient of (W x + b)_i, which is row i of W: "
                     "the answer is W, not W^T."),))
    return Draft(
        given, "b", "W x + b", "I_m", "jacobian",
        (r"$W\mathbf{x}$ does not depend on $\mathbf{b}$, and "
         r"$\partial\mathbf{b}/\partial\mathbf{b} = I$.",
         r"So $\partial\mathbf{f}/\partial\mathbf{b} = I_m$, an $m \times m$ matrix."),
        (Mistake("ones(m)", "vector_instead_of_identity",
                 "The derivative of the vector b by itself is the m×m identity, not a vector of "
                 "ones."),
         Mistake("W", "wrong_variable", "W is the derivative by x; by b it is I.")))


def _bilinear(rng: random.Random) -> Draft:
    if rng.random() < 0.5:
        given = "a[p], X[p,q], b[q]"
        return Draft(
            given, "X", "a^T X b", "b a^T", "gradient",
            (r"$f = \mathbf{a}^{\top} X \mathbf{b} = \sum_{i,j} a_i X_{ij} b_j$, so "
             r"$\partial f/\partial X_{ij} = a_i b_j$: the matrix of these is "
             r"$\mathbf{a}\mathbf{b}^{\top}$ ($p \times q$, the shape of $X$).",
             r"Numerator layout puts $\partial f/\partial X_{ij}$ at position $(j, i)$: the "
             r"result is the $q \times p$ transpose, $(\mathbf{a}\mathbf{b}^{\top})^{\top} = "
             r"\mathbf{b}\mathbf{a}^{\top}$."),
            (Mistake("a b^T", "layout",
                     "a b^T has the shape of X (denominator layout); numerator layout asks for "
                     "its transpose, b a^T."),))
    given = "a[q], X[p,q], b[p]"
    return Draft(
        given, "X", "a^T X^T b", "a b^T", "gradient",
        (r"$f = \mathbf{a}^{\top} X^{\top} \mathbf{b} = \mathbf{b}^{\top} X \mathbf{a} = "
         r"\sum_{i,j} b_i X_{ij} a_j$, so $\partial f/\partial X_{ij} = b_i a_j$: the matrix of "
         r"these is $\mathbf{b}\mathbf{a}^{\top}$ ($p \times q$, the shape of $X$).",
         r"Numerator layout puts $\partial f/\partial X_{ij}$ at position $(j, i)$: the "
         r"result is the $q \times p$ transpose, $\mathbf{a}\mathbf{b}^{\top}$."),
        (Mistake("b a^T", "layout",
                 "b a^T has the shape of X (denominator layout); numerator layout asks for its "
                 "transpose, a b^T."),))


def _neuron(rng: random.Random) -> Draft:
    given = "u[m], W[m,n], x[n], b[m]"
    wrt = rng.choice(("W", "W", "x", "b"))
    first = (r"$f = \mathbf{u}^{\top}(W\mathbf{x} + \mathbf{b}) = \sum_{i,j} u_i W_{ij} x_j "
             r"+ \sum_i u_i b_i$.")
    if wrt == "W":
        return Draft(
            given, "W", "u^T (W x + b)", "x u^T", "gradient",
            (first,
             r"$\partial f/\partial W_{ij} = u_i x_j$: the matrix of these is "
             r"$\mathbf{u}\mathbf{x}^{\top}$, $m \times n$ like $W$.",
             r"Numerator layout (a scalar by an $m \times n$ matrix is $n \times m$) takes the "
             r"transpose: $(\mathbf{u}\mathbf{x}^{\top})^{\top} = \mathbf{x}\mathbf{u}^{\top}$."),
            (Mistake("u x^T", "layout",
                     "u x^T has the shape of W (denominator layout); numerator layout asks for "
                     "its transpose, x u^T."),))
    if wrt == "x":
        return Draft(
            given, "x", "u^T (W x + b)", "u^T W", "gradient",
            (first,
             r"By the chain rule, $\partial f/\partial\mathbf{x} = \mathbf{u}^{\top}\,"
             r"\partial(W\mathbf{x} + \mathbf{b})/\partial\mathbf{x} = \mathbf{u}^{\top} W$, "
             r"a $1 \times n$ row."),
            (Mistake("W^T u", "layout", "That is the column (denominator layout) form: in "
                     "numerator layout the derivative of a scalar by x is a row."),
             Mistake("u^T", "wrong_variable",
                     "u^T is the derivative by b; by x the chain rule brings in W.")))
    return Draft(
        given, "b", "u^T (W x + b)", "u^T", "gradient",
        (first, r"$\partial f/\partial b_i = u_i$: in numerator layout the row "
         r"$\mathbf{u}^{\top}$."),
        (Mistake("u", "layout", "That is the column (denominator layout) form: in numerator "
                 "layout the derivative of a scalar by b is a row."),
         Mistake("u^T W", "wrong_variable", "u^T W is the derivative by x; b enters "
                 "without W.")))


def _composition(rng: random.Random) -> Draft:
    given = "x[n], A[m,k], B[k,n], c[k]"
    return Draft(
        given, "x", "A (B x + c)", "A B", "jacobian",
        (r"Let $\mathbf{g} = B\mathbf{x} + \mathbf{c}$, with "
         r"$\partial\mathbf{g}/\partial\mathbf{x} = B$ ($k \times n$); then "
         r"$\partial (A\mathbf{g})/\partial\mathbf{g} = A$ ($m \times k$).",
         r"Vector chain rule: $\partial\mathbf{f}/\partial\mathbf{x} = "
         r"(\partial\mathbf{f}/\partial\mathbf{g})(\partial\mathbf{g}/\partial\mathbf{x}) = AB$, "
         r"an $m \times n$ matrix."),
        (Mistake("B^T A^T", "transpose",
                 "That is the transpose: in numerator layout the chain rule multiplies the "
                 "outer Jacobian on the left, AB."),
         Mistake("A", "missing_inner_jacobian",
                 "The chain rule multiplies by the inner Jacobian ∂(Bx + c)/∂x = B.")))


_LEVELS: dict[int, tuple[Callable[[random.Random], Draft], ...]] = {
    1: (_dot, _matrix_vector),
    2: (_affine, _bilinear),
    3: (_neuron, _neuron, _composition),
}


def _tex(text: str, given: str) -> str:
    return print_latex(parse(text, given))


def draft(rng: random.Random, difficulty: int, form: Form) -> Draft:
    return rng.choice(_LEVELS[difficulty])(rng)


FAMILY = Family(
    name="linear_maps",
    title="Linear and affine maps",
    source="identities.md §2 (aᵀx, Ax, Wx + b, aᵀXb, uᵀ(Wx + b)); §5 row 7",
    difficulties=(1, 2, 3),
    forms=("symbolic", "numeric"),
    draft=draft,
)
