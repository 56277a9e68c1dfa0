"""vec and Kronecker products (identity bank: ∂vec(AXB)/∂vec X = Bᵀ⊗A, ∂vec(X⁻¹)/∂vec X =
−(X⁻ᵀ⊗X⁻¹); row 16).

The Jacobian of a matrix function F(X) by a matrix X is ∂vec(F)/∂vec(X), with vec stacking
columns (column-major), in numerator layout (one row per entry of vec F).  The rule behind every
answer is vec(AXB) = (Bᵀ⊗A) vec(X).

Difficulty 4: F = AX (→ I⊗A) or F = XB (→ Bᵀ⊗I).  5: F = AXB (→ Bᵀ⊗A), F = X⁻¹
(→ −X⁻ᵀ⊗X⁻¹), F = AX⁻¹B (→ −BᵀX⁻ᵀ⊗AX⁻¹) or the Sylvester map F = AX + cXC
(→ I⊗A + c Cᵀ⊗I).  The numeric form keeps the inverse-free ones (numeric inverses of n²×n²
Kronecker products are too long to print).  Two dim symbols at most, so test sizes stay ≤ 4 and
the Kronecker products small.

The function is written F (a matrix), not vec(F): the SymPy printer has no form for vec of a
symbolic-size matrix, and the property test can't evaluate vec of a product of concrete-size
symbols.
"""

from __future__ import annotations

import random

from generator.family import Draft, Family
from grader.exercise_set import Form
from grader.verdict import Mistake

_VEC = (r"The Jacobian of a matrix function $F$ by a matrix $X$ is "
        r"$\partial\operatorname{vec}(F)/\partial\operatorname{vec}(X)$, where $\operatorname{vec}$"
        r" stacks the columns; the key identity is "
        r"$\operatorname{vec}(AXB) = (B^{\top}\otimes A)\operatorname{vec}(X)$.")
_ORDER = ("vec stacks columns: vec(A X B) = (B^T ⊗ A) vec(X); the other order is what stacking "
          "rows (row-major vec) would give.")
_LAYOUT = ("That is the transpose (denominator layout): numerator layout has one row per entry "
           "of vec(F).")
_SIGN = "d(X^-1) = -X^-1 dX X^-1: the derivative of the inverse brings a minus sign."


def _times(c: int, expression: str) -> str:
    """``c expression``, without a visible factor 1."""
    return expression if c == 1 else f"{c} {expression}"


def draft(rng: random.Random, difficulty: int, form: Form) -> Draft:
    if difficulty == 4:
        return _ax() if rng.random() < 0.5 else _xb()
    variants = ("AXB", "sylvester") if form == "numeric" else ("AXB", "Xinv", "AXinvB",
                                                               "sylvester")
    variant = rng.choice(variants)
    if variant == "AXB":
        return _axb()
    if variant == "Xinv":
        return _x_inverse()
    if variant == "AXinvB":
        return _a_x_inverse_b()
    return _sylvester(rng.randint(1, 4))


def _ax() -> Draft:
    return Draft(
        "A[m,n], X[n,m]", "X", "A X", "kron(I_m, A)", "jacobian",
        (_VEC,
         r"$AX = AXI_m$, so $\operatorname{vec}(AX) = (I_m\otimes A)\operatorname{vec}(X)$: "
         r"column $j$ of $AX$ is $A$ times column $j$ of $X$, one diagonal block per column.",
         r"The map is linear, so its Jacobian is the matrix itself: $I_m\otimes A$ "
         r"($m^2\times nm$)."),
        (Mistake("kron(A, I_m)", "kronecker_order", _ORDER),
         Mistake("kron(I_m, A^T)", "layout", _LAYOUT)),
    )


def _xb() -> Draft:
    return Draft(
        "X[n,m], B[m,n]", "X", "X B", "kron(B^T, I_n)", "jacobian",
        (_VEC,
         r"$XB = I_nXB$, so $\operatorname{vec}(XB) = (B^{\top}\otimes I_n)"
         r"\operatorname{vec}(X)$.",
         r"The map is linear, so its Jacobian is the matrix itself: $B^{\top}\otimes I_n$ "
         r"($n^2\times nm$)."),
        (Mistake("kron(I_n, B^T)", "kronecker_order", _ORDER),
         Mistake("kron(B, I_n)", "missing_transpose",
                 "vec(X B) = (B^T ⊗ I) vec(X): B enters transposed.")),
    )


def _axb() -> Draft:
    return Draft(
        "A[m,n], X[n,m], B[m,n]", "X", "A X B", "kron(B^T, A)", "jacobian",
        (_VEC,
         r"The map $X \mapsto AXB$ is linear, so its Jacobian is the matrix "
         r"$B^{\top}\otimes A$ ($nm\times nm$)."),
        (Mistake("kron(A, B^T)", "kronecker_order", _ORDER),
         Mistake("kron(B, A^T)", "layout", _LAYOUT),
         Mistake("kron(B, A)", "missing_transpose",
                 "vec(A X B) = (B^T ⊗ A) vec(X): B enters transposed.")),
    )


def _x_inverse() -> Draft:
    return Draft(
        "X[n,n]", "X", "X^-1", "-kron(X^-T, X^-1)", "jacobian",
        (_VEC,
         r"Differentiate $XX^{-1} = I$: $d(X^{-1}) = -X^{-1}\,dX\,X^{-1}$.",
         r"By the identity with $A = X^{-1}$, $B = X^{-1}$: "
         r"$\operatorname{vec}(d(X^{-1})) = -(X^{-\top}\otimes X^{-1})\operatorname{vec}(dX)$, "
         r"so the Jacobian is $-(X^{-\top}\otimes X^{-1})$."),
        (Mistake("kron(X^-T, X^-1)", "sign", _SIGN),
         Mistake("-kron(X^-1, X^-T)", "kronecker_order", _ORDER),
         Mistake("-kron(X^-1, X^-1)", "missing_transpose",
                 "vec(X^-1 dX X^-1) = (X^-T ⊗ X^-1) vec(dX): the right factor enters "
                 "transposed.")),
    )


def _a_x_inverse_b() -> Draft:
    return Draft(
        "A[m,n], X[n,n], B[n,m]", "X", "A X^-1 B", "-kron(B^T X^-T, A X^-1)", "jacobian",
        (_VEC,
         r"$d(AX^{-1}B) = -AX^{-1}\,dX\,X^{-1}B$ (from $d(X^{-1}) = -X^{-1}\,dX\,X^{-1}$).",
         r"By the identity with left factor $AX^{-1}$ and right factor $X^{-1}B$ (which enters "
         r"transposed, $B^{\top}X^{-\top}$): the Jacobian is "
         r"$-(B^{\top}X^{-\top}\otimes AX^{-1})$ ($m^2\times n^2$)."),
        (Mistake("kron(B^T X^-T, A X^-1)", "sign", _SIGN),
         Mistake("-kron(A X^-1, B^T X^-T)", "kronecker_order", _ORDER),
         Mistake("-kron(B^T X^-1, A X^-1)", "missing_transpose",
                 "The right factor X^-1 B enters transposed: (X^-1 B)^T = B^T X^-T.")),
    )


def _sylvester(c: int) -> Draft:
    return Draft(
        "A[n,n], X[n,m], C[m,m]", "X", f"A X + {_times(c, 'X C')}",
        f"kron(I_m, A) + {_times(c, 'kron(C^T, I_n)')}", "jacobian",
        (_VEC,
         r"The derivative of a sum is the sum of the derivatives: "
         r"$\operatorname{vec}(AX) = (I_m\otimes A)\operatorname{vec}(X)$ and "
         r"$\operatorname{vec}(XC) = (C^{\top}\otimes I_n)\operatorname{vec}(X)$.",
         r"So the Jacobian is $I_m\otimes A + " + ("" if c == 1 else str(c))
         + r"\,C^{\top}\otimes I_n$ ($nm\times nm$)."),
        (Mistake(f"kron(A, I_m) + {_times(c, 'kron(I_n, C^T)')}", "kronecker_order", _ORDER),
         Mistake(f"kron(I_m, A) + {_times(c, 'kron(C, I_n)')}", "missing_transpose",
                 "vec(X C) = (C^T ⊗ I) vec(X): C enters transposed."),
         Mistake(f"kron(I_m, A^T) + {_times(c, 'kron(C, I_n)')}", "layout", _LAYOUT)),
    )


FAMILY = Family(
    name="kronecker",
    title="vec and Kronecker products",
    source="identities.md §2 (vec/Kronecker: Bᵀ⊗A, −(X⁻ᵀ⊗X⁻¹)); §5 row 16",
    difficulties=(4, 5),
    forms=("symbolic", "numeric"),
    draft=draft,
)
