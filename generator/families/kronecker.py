"""vec and Kronecker products (Matrix Cookbook eq. (520), vec(AXB) = (Bᵀ⊗A)vec(X), and §2.2 for
the differential of the inverse, d(X⁻¹) = −X⁻¹ dX X⁻¹).

The Jacobian of a matrix function F(X) by a matrix X is ∂vec(F)/∂vec(X), with vec stacking
columns (column-major), in numerator layout (one row per entry of vec F).  The rule behind every
answer is vec(AXB) = (Bᵀ⊗A) vec(X).

Difficulty 4: F = cAX (→ c I⊗A) or F = cXB (→ c Bᵀ⊗I), alone or plus a constant matrix C.
5: F = cAXB (→ c Bᵀ⊗A), F = cX⁻¹ (→ −c X⁻ᵀ⊗X⁻¹), F = cAX⁻¹B (→ −c BᵀX⁻ᵀ⊗AX⁻¹) or the
Sylvester map F = AX + cXC (→ I⊗A + c Cᵀ⊗I); c is often 1.  The sheet states the convention:
∂F/∂X means ∂vec(F)/∂vec(X), vec stacking columns.  The numeric form keeps the inverse-free
ones (numeric inverses of n²×n² Kronecker products are too long to print).  Two dim symbols at
most, so test sizes stay ≤ 4 and the Kronecker products small.

The function is written F (a matrix), not vec(F): the SymPy printer has no form for vec of a
symbolic-size matrix, and the property test can't evaluate vec of a product of concrete-size
symbols.
"""

from __future__ import annotations

import random
from dataclasses import replace

from generator.family import Draft, Family
from generator.layout import transposed
from grader.exercise_set import Form
from grader.language.parser import parse, parse_declarations
from grader.language.printing import print_latex
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
    return _identified(_draft(rng, difficulty, form))


def _identified(draft: Draft) -> Draft:
    """The last step in each layout: reading the derivative off vec(dF) = M vec(dX)."""
    given = parse_declarations(draft.given)
    key = parse(draft.answer, given)
    m = print_latex(key)
    return replace(draft, steps=(
        *draft.steps,
        rf"In numerator layout the derivative has one row per entry of "
        rf"$\operatorname{{vec}}(F)$: it is the matrix $M$ of "
        rf"$\operatorname{{vec}}(dF) = M\operatorname{{vec}}(dX)$, here ${m}$."),
        denominator_steps=(
        *draft.steps,
        rf"Write this as $\operatorname{{vec}}(dF) = M\operatorname{{vec}}(dX)$. In denominator "
        rf"layout the derivative has one row per entry of $\operatorname{{vec}}(X)$: from "
        rf"$\operatorname{{vec}}(dF)^{{\top}} = \operatorname{{vec}}(dX)^{{\top}}M^{{\top}}$ "
        rf"it is $M^{{\top}}$, and "
        r"$(P\otimes Q)^{\top} = P^{\top}\otimes Q^{\top}$ gives "
        rf"${print_latex(transposed(key))}$."))


def _draft(rng: random.Random, difficulty: int, form: Form) -> Draft:
    if difficulty == 4:
        c, shifted = rng.choice((1, 1, 2, 3, 4, 5)), rng.random() < 0.5
        return _scaled(_ax() if rng.random() < 0.5 else _xb(), c, shifted)
    variants = ("AXB", "sylvester") if form == "numeric" else ("AXB", "Xinv", "AXinvB",
                                                               "sylvester")
    variant = rng.choice(variants)
    c = rng.choice((1, 1, 2, 3, 4, 5))
    if variant == "AXB":
        return _scaled(_axb(), c)
    if variant == "Xinv":
        return _scaled(_x_inverse(), c)
    if variant == "AXinvB":
        return _scaled(_a_x_inverse_b(), c)
    return _sylvester(rng.randint(1, 6))


def _scaled(draft: Draft, c: int, shifted: bool = False) -> Draft:
    """``c F`` (and ``+ C`` when shifted): the Jacobian is c times F's; a constant adds none."""
    if c == 1 and not shifted:
        return draft
    rows = "m" if draft.function.startswith("A") else "n"
    given = draft.given + (f", C[{rows},{rows}]" if shifted else "")
    function = _times(c, draft.function) + (" + C" if shifted else "")
    negative = draft.answer.startswith("-")
    bare = draft.answer[1:] if negative else draft.answer
    answer = ("-" if negative else "") + _times(c, bare)
    note = []
    if c != 1:
        note.append(rf"The constant factor {c} multiplies the differential.")
    if shifted:
        note.append(r"The constant matrix $C$ does not depend on $X$: it adds nothing.")
    return Draft(
        given, draft.wrt, function, answer, draft.kind,
        (*draft.steps, " ".join(note)),
        tuple(Mistake(("-" if m.answer.startswith("-") else "")
                      + _times(c, m.answer.lstrip("-")), m.note, m.feedback)
              for m in draft.mistakes)
        + ((Mistake(bare if not negative else draft.answer, "dropped_coefficient",
                    f"The constant factor {c} stays."),) if c != 1 else ()),
    )


def _ax() -> Draft:
    return Draft(
        "A[m,n], X[n,m]", "X", "A X", "kron(I_m, A)", "jacobian",
        (_VEC,
         r"$AX = AXI_m$, so $\operatorname{vec}(AX) = (I_m\otimes A)\operatorname{vec}(X)$: "
         r"column $j$ of $AX$ is $A$ times column $j$ of $X$, one diagonal block per column.",
         r"The map is linear: $\operatorname{vec}(dF) = (I_m\otimes A)\operatorname{vec}(dX)$."),
        (Mistake("kron(A, I_m)", "kronecker_order", _ORDER),
         Mistake("kron(I_m, A^T)", "layout", _LAYOUT)),
    )


def _xb() -> Draft:
    return Draft(
        "X[n,m], B[m,n]", "X", "X B", "kron(B^T, I_n)", "jacobian",
        (_VEC,
         r"$XB = I_nXB$, so $\operatorname{vec}(XB) = (B^{\top}\otimes I_n)"
         r"\operatorname{vec}(X)$.",
         r"The map is linear: $\operatorname{vec}(dF) = (B^{\top}\otimes I_n)"
         r"\operatorname{vec}(dX)$."),
        (Mistake("kron(I_n, B^T)", "kronecker_order", _ORDER),
         Mistake("kron(B, I_n)", "missing_transpose",
                 "vec(X B) = (B^T ⊗ I) vec(X): B enters transposed.")),
    )


def _axb() -> Draft:
    return Draft(
        "A[m,n], X[n,m], B[m,n]", "X", "A X B", "kron(B^T, A)", "jacobian",
        (_VEC,
         r"The map $X \mapsto AXB$ is linear: $\operatorname{vec}(dF) = (B^{\top}\otimes A)"
         r"\operatorname{vec}(dX)$."),
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
         r"$\operatorname{vec}(d(X^{-1})) = -(X^{-\top}\otimes X^{-1})\operatorname{vec}(dX)$."),
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
         r"transposed, $B^{\top}X^{-\top}$): $\operatorname{vec}(dF) = "
         r"-(B^{\top}X^{-\top}\otimes AX^{-1})\operatorname{vec}(dX)$."),
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
         r"Together, $\operatorname{vec}(dF) = (I_m\otimes A + "
         + ("" if c == 1 else rf"{c}\,") + r"C^{\top}\otimes I_n)\operatorname{vec}(dX)$."),
        (Mistake(f"kron(A, I_m) + {_times(c, 'kron(I_n, C^T)')}", "kronecker_order", _ORDER),
         Mistake(f"kron(I_m, A) + {_times(c, 'kron(C, I_n)')}", "missing_transpose",
                 "vec(X C) = (C^T ⊗ I) vec(X): C enters transposed."),
         Mistake(f"kron(I_m, A^T) + {_times(c, 'kron(C, I_n)')}", "layout", _LAYOUT)),
    )


FAMILY = Family(
    name="kronecker",
    title="vec and Kronecker products",
    source="Matrix Cookbook eq. (520) (vec(AXB) = (Bᵀ⊗A)vec X), §2.2 (derivative of the "
           "inverse); Magnus & Neudecker, Matrix Differential Calculus, ch. 9 (identification)",
    difficulties=(4, 5),
    forms=("symbolic", "numeric"),
    draft=draft,
)
