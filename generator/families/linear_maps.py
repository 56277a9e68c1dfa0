"""Linear and affine maps (Matrix Cookbook eqs. (69) ∂aᵀx/∂x = a, (70) ∂aᵀXb/∂X = abᵀ, (71)
∂aᵀXᵀb/∂X = baᵀ, (72) ∂aᵀXa/∂X = aaᵀ; Parr & Howard §4.1 for Jacobians and §4.5.3 for the vector
chain rule).  The Cookbook's results are in denominator layout; numerator layout transposes them.

∂(aᵀx)/∂x = aᵀ, ∂(A x)/∂x = A, ∂(W x + b)/∂x = W and ∂(W x + b)/∂b = I; for a scalar by a
p×q matrix X the numerator-layout derivative is q×p: ∂(aᵀX b)/∂X = b aᵀ, ∂(aᵀXᵀb)/∂X = a bᵀ and
∂(uᵀ(W x + b))/∂W = (u xᵀ)ᵀ = x uᵀ.  Each difficulty draws its structure:

1. k aᵀx or k xᵀa (a row); k A x or k Aᵀx (a matrix).
2. W x ± b or b + W x by x; W x ± b by b; aᵀX b, aᵀXᵀb (non-square X) or aᵀX a.
3. uᵀ(W x + b) or (W x + b)ᵀu by W, x or b; the compositions A(B x + c), A(B x + c) + d and
   Aᵀ(B x + c) by x.

Every worked solution ends in the sheet's layout.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from generator.families.writing import gradient_steps, jacobian_steps, matrix_steps, renamed
from generator.family import Draft, Family
from grader.exercise_set import Form
from grader.verdict import Mistake


def _times(k: int, text: str) -> str:
    return text if k == 1 else f"{k} {text}"


def _signed(k: int, text: str) -> str:
    return f"-{_times(-k, text)}" if k < 0 else _times(k, text)


_ROW = ("That is the column (denominator layout) form: in numerator layout the derivative of a "
        "scalar by a vector is a row.")


def _dot(rng: random.Random) -> Draft:
    k = rng.choice((1, 2, 3, 4, 5, -2, -3))
    inner = "a^T x" if rng.random() < 0.5 else "x^T a"
    answer, column = _signed(k, "a^T"), _signed(k, "a")
    mistakes = [Mistake(column, "layout", _ROW)]
    if k != 1:
        mistakes.append(Mistake("a^T", "dropped_coefficient",
                                f"The constant factor {k} stays in the derivative."))
    steps, denominator = gradient_steps(
        "x[n], a[n]", "x",
        (r"$\mathbf{a}^{\top}\mathbf{x} = \mathbf{x}^{\top}\mathbf{a} = \sum_i a_i x_i$, so "
         rf"$\partial f/\partial x_j = {'' if k == 1 else '-' if k == -1 else k}\,a_j$.",),
        answer, column)
    return Draft("x[n], a[n]", "x", _signed(k, inner), answer, "gradient", steps,
                 tuple(mistakes), denominator)


def _matrix_vector(rng: random.Random) -> Draft:
    k = rng.choice((1, 1, 2, 3, -1, -2))
    transposed = rng.random() < 0.5
    a = "A^T" if transposed else "A"
    given = "x[n], A[n,m]" if transposed else "x[n], A[m,n]"
    entry = "A_{ji}" if transposed else "A_{ij}"
    shown = r"A^{\top}" if transposed else "A"
    steps, denominator = jacobian_steps(
        given, "x",
        (rf"Component $i$ of ${shown}\mathbf{{x}}$ is "
         rf"$\sum_j {entry} x_j$, so $\partial f_i/\partial x_j = "
         rf"{'' if k == 1 else '-' if k == -1 else k}{entry}$.",),
        _signed(k, a), _signed(k, "A" if transposed else "A^T"))
    mistakes = [Mistake(_signed(k, "A" if transposed else "A^T"), "transpose",
                        "Entry (i, j) of the Jacobian is ∂f_i/∂x_j: in numerator layout the "
                        "Jacobian of M x is M, not its transpose.")]
    if k != 1:
        mistakes.append(Mistake(a, "dropped_coefficient",
                                f"The constant factor {k} stays in the derivative."))
    return Draft(given, "x", _signed(k, f"{a} x"), _signed(k, a), "jacobian", steps,
                 tuple(mistakes), denominator)


def _affine(rng: random.Random) -> Draft:
    given = "x[n], W[m,n], b[m]"
    if rng.random() < 0.6:
        function = rng.choice(("W x + b", "b + W x", "W x - b"))
        steps, denominator = jacobian_steps(
            given, "x",
            (r"The derivative of a sum is the sum of the derivatives; $\mathbf{b}$ does not "
             r"depend on $\mathbf{x}$.",
             r"Component $i$ of $W\mathbf{x}$ is $\sum_j W_{ij}x_j$, so "
             r"$\partial f_i/\partial x_j = W_{ij}$."),
            "W", "W^T")
        return Draft(
            given, "x", function, "W", "jacobian", steps,
            (Mistake("W^T", "transpose",
                     "Row i of the Jacobian is the derivative of (W x + b)_i, which is row i of "
                     "W: the answer is W, not W^T."),
             Mistake("I_m", "wrong_variable", "I is the derivative by b; by x it is W.")),
            denominator)
    sign = rng.choice(("+", "-"))
    identity = "I_m" if sign == "+" else "-I_m"
    steps, denominator = jacobian_steps(
        given, "b",
        (r"$W\mathbf{x}$ does not depend on $\mathbf{b}$, and $f_i$ changes with $b_i$ alone, "
         rf"at rate ${'1' if sign == '+' else '-1'}$.",),
        identity, identity)
    return Draft(
        given, "b", f"W x {sign} b", identity, "jacobian", steps,
        (Mistake("ones(m)" if sign == "+" else "-ones(m)", "vector_instead_of_identity",
                 "The derivative of the vector b by itself is the m×m identity, not a vector of "
                 "ones."),
         Mistake("W", "wrong_variable", "W is the derivative by x; by b it is ±I."),
         Mistake("-I_m" if sign == "+" else "I_m", "sign", "b keeps its sign.")),
        denominator)


def _bilinear(rng: random.Random) -> Draft:
    variant = rng.choice(("aXb", "aXTb", "aXa"))
    if variant == "aXa":
        given = "a[p], X[p,p]"
        steps, denominator = matrix_steps(
            given, "X",
            (r"$f = \mathbf{a}^{\top} X \mathbf{a} = \sum_{i,j} a_i X_{ij} a_j$, so "
             r"$\partial f/\partial X_{ij} = a_i a_j$, the entries of "
             r"$\mathbf{a}\mathbf{a}^{\top}$, which is symmetric.",),
            "a a^T", "a a^T")
        return Draft(given, "X", "a^T X a", "a a^T", "gradient", steps,
                     (Mistake("a^T a", "inner_for_outer",
                              "Each entry X_ij has its own derivative a_i a_j: the result is the "
                              "outer product a a^T, a matrix."),
                      Mistake("2 a a^T", "product_rule_misapplied",
                              "X enters once: there is no factor 2.")), denominator)
    if variant == "aXb":
        given = "a[p], X[p,q], b[q]"
        steps, denominator = matrix_steps(
            given, "X",
            (r"$f = \mathbf{a}^{\top} X \mathbf{b} = \sum_{i,j} a_i X_{ij} b_j$, so "
             r"$\partial f/\partial X_{ij} = a_i b_j$, the entries of "
             r"$\mathbf{a}\mathbf{b}^{\top}$.",),
            "b a^T", "a b^T")
        return Draft(
            given, "X", "a^T X b", "b a^T", "gradient", steps,
            (Mistake("a b^T", "layout",
                     "a b^T has the shape of X (denominator layout); numerator layout asks for "
                     "its transpose, b a^T."),), denominator)
    given = "a[q], X[p,q], b[p]"
    steps, denominator = matrix_steps(
        given, "X",
        (r"$f = \mathbf{a}^{\top} X^{\top} \mathbf{b} = \mathbf{b}^{\top} X \mathbf{a} = "
         r"\sum_{i,j} b_i X_{ij} a_j$, so $\partial f/\partial X_{ij} = b_i a_j$, the entries "
         r"of $\mathbf{b}\mathbf{a}^{\top}$.",),
        "a b^T", "b a^T")
    return Draft(
        given, "X", "a^T X^T b", "a b^T", "gradient", steps,
        (Mistake("b a^T", "layout",
                 "b a^T has the shape of X (denominator layout); numerator layout asks for its "
                 "transpose, a b^T."),), denominator)


def _neuron(rng: random.Random) -> Draft:
    given = "u[m], W[m,n], x[n], b[m]"
    wrt = rng.choice(("W", "W", "x", "b"))
    function = rng.choice(("u^T (W x + b)", "(W x + b)^T u"))
    first = (r"$f = \mathbf{u}^{\top}(W\mathbf{x} + \mathbf{b}) = \sum_{i,j} u_i W_{ij} x_j "
             r"+ \sum_i u_i b_i$"
             + (r" (a scalar equals its transpose)." if function.startswith("(") else "."))
    if wrt == "W":
        steps, denominator = matrix_steps(
            given, "W",
            (first, r"$\partial f/\partial W_{ij} = u_i x_j$, the entries of "
             r"$\mathbf{u}\mathbf{x}^{\top}$."),
            "x u^T", "u x^T")
        return Draft(
            given, "W", function, "x u^T", "gradient", steps,
            (Mistake("u x^T", "layout",
                     "u x^T has the shape of W (denominator layout); numerator layout asks for "
                     "its transpose, x u^T."),), denominator)
    if wrt == "x":
        steps, denominator = gradient_steps(
            given, "x",
            (first, r"$\partial f/\partial x_j = \sum_i u_i W_{ij}$, entry $j$ of "
             r"$\mathbf{u}^{\top}W$ (the chain rule through $W\mathbf{x} + \mathbf{b}$, whose "
             r"Jacobian is $W$)."),
            "u^T W", "W^T u")
        return Draft(
            given, "x", function, "u^T W", "gradient", steps,
            (Mistake("W^T u", "layout", _ROW),
             Mistake("u^T", "wrong_variable",
                     "u^T is the derivative by b; by x the chain rule brings in W.")),
            denominator)
    steps, denominator = gradient_steps(given, "b", (first, r"$\partial f/\partial b_i = u_i$."),
                                        "u^T", "u")
    return Draft(
        given, "b", function, "u^T", "gradient", steps,
        (Mistake("u", "layout", _ROW),
         Mistake("u^T W", "wrong_variable", "u^T W is the derivative by x; b enters "
                 "without W.")),
        denominator)


def _composition(rng: random.Random) -> Draft:
    variant = rng.choice(("plain", "shifted", "transposed"))
    outer = "A^T" if variant == "transposed" else "A"
    given = ("x[n], A[k,m], B[k,n], c[k]" if variant == "transposed"
             else "x[n], A[m,k], B[k,n], c[k]") + (", d[m]" if variant == "shifted" else "")
    function = f"{outer} (B x + c)" + (" + d" if variant == "shifted" else "")
    touter = r"A^{\top}" if variant == "transposed" else "A"
    key, column = f"{outer} B", ("B^T A" if variant == "transposed" else "B^T A^T")
    steps, denominator = jacobian_steps(
        given, "x",
        (r"Let $\mathbf{g} = B\mathbf{x} + \mathbf{c}$, with Jacobian $B$ ($k \times n$); "
         rf"the outer map $\mathbf{{g}} \mapsto {touter}\mathbf{{g}}$"
         + (r" $+ \mathbf{d}$" if variant == "shifted" else "")
         + rf" has Jacobian ${touter}$.",
         r"The vector chain rule multiplies the Jacobians, the outer one on the left: "
         r"$(\partial\mathbf{f}/\partial\mathbf{g})(\partial\mathbf{g}/\partial\mathbf{x})$."),
        key, column)
    return Draft(
        given, "x", function, key, "jacobian", steps,
        (Mistake(column, "transpose",
                 "That is the transpose: in numerator layout the chain rule multiplies the "
                 "outer Jacobian on the left."),
         Mistake(outer, "missing_inner_jacobian",
                 "The chain rule multiplies by the inner Jacobian ∂(Bx + c)/∂x = B.")),
        denominator)


_LEVELS: dict[int, tuple[Callable[[random.Random], Draft], ...]] = {
    1: (_dot, _matrix_vector),
    2: (_affine, _bilinear),
    3: (_neuron, _neuron, _composition),
}


def draft(rng: random.Random, difficulty: int, form: Form) -> Draft:
    made = rng.choice(_LEVELS[difficulty])(rng)
    if difficulty == 1:
        return made
    # Names from the family's set; "a", "c" and "d" stay, being words of the prose too.
    return renamed(made, {"x": rng.choice(("x", "z", "h")), "W": rng.choice(("W", "V", "M")),
                          "b": rng.choice(("b", "c")) if "c[" not in made.given else "b",
                          "u": rng.choice(("u", "v")), "X": rng.choice(("X", "Y"))})


FAMILY = Family(
    name="linear_maps",
    title="Linear and affine maps",
    source="Matrix Cookbook eqs. (69)–(72) (aᵀx, aᵀXb, aᵀXᵀb, aᵀXa); Parr & Howard §4.1 "
           "(Jacobians), §4.5.3 (vector chain rule)",
    difficulties=(1, 2, 3),
    forms=("symbolic", "numeric"),
    draft=draft,
)
