"""Quadratic forms and their Hessians (identity bank: xᵀAx → (A+Aᵀ)x; row 8 of the families).

Difficulty 1: ∂(xᵀAx)/∂x.  2: with a linear term, xᵀAx + bᵀx + c.  3: a scaled symmetric-looking
form with two matrices, xᵀ(A + 2B)x.  4: the Mahalanobis form (x−μ)ᵀΣ⁻¹(x−μ) by μ.  5: the Hessian
of xᵀAx + bᵀx.  A stays non-symmetric, so 2Ax is wrong, as students often write.
"""

from __future__ import annotations

import random

from generator.family import Draft, Family
from grader.exercise_set import Form
from grader.verdict import Mistake

_SYMMETRIC = Mistake("2 x^T A", "assumed_symmetric",
                     "A is not symmetric: x^T A x differentiates to x^T (A + A^T), not 2 x^T A.")
_HALF = Mistake("x^T A", "half_of_the_product_rule",
                "x appears twice in x^T A x: the product rule gives two terms.")
_COLUMN = Mistake("(A + A^T) x", "layout", "That is the column form: this sheet's layout asks "
                  "for the row.")


def draft(rng: random.Random, difficulty: int, form: Form) -> Draft:
    c = rng.randint(2, 9)
    if difficulty == 1:
        return Draft(
            "x[n], A[n,n]", "x", "x^T A x", "x^T (A + A^T)", "gradient",
            (r"Write $f = \sum_{i,j} x_i A_{ij} x_j$; by the product rule each $x_k$ appears in "
             r"two places, giving $\partial f/\partial x_k = (A\mathbf{x})_k + "
             r"(A^{\top}\mathbf{x})_k$.",
             r"As a row (numerator layout): $\mathbf{x}^{\top}(A + A^{\top})$."),
            (_SYMMETRIC, _HALF, _COLUMN),
        )
    if difficulty == 2:
        return Draft(
            "x[n], A[n,n], b[n], c", "x", f"x^T A x + b^T x + {c} c", "x^T (A + A^T) + b^T",
            "gradient",
            (r"The derivative of a sum is the sum of the derivatives.",
             r"$\partial(\mathbf{x}^{\top} A \mathbf{x})/\partial \mathbf{x} = "
             r"\mathbf{x}^{\top}(A + A^{\top})$ and $\partial(\mathbf{b}^{\top}\mathbf{x})/"
             r"\partial\mathbf{x} = \mathbf{b}^{\top}$; the constant term gives 0."),
            (Mistake("2 x^T A + b^T", "assumed_symmetric",
                     "A is not symmetric: the quadratic term gives x^T (A + A^T)."),
             Mistake("x^T (A + A^T) + b^T + c", "constant_kept",
                     "A constant term differentiates to 0."),
             Mistake("x^T (A + A^T)", "missing_term", "The linear term b^T x contributes b^T.")),
        )
    if difficulty == 3:
        return Draft(
            "x[n], A[n,n], B[n,n]", "x", f"x^T (A + {c} B) x",
            f"x^T (A + A^T + {c} B + {c} B^T)", "gradient",
            (rf"Let $M = A + {c}B$; then $f = \mathbf{{x}}^{{\top}} M \mathbf{{x}}$ and "
             r"$\partial f/\partial \mathbf{x} = \mathbf{x}^{\top}(M + M^{\top})$.",
             rf"$M^{{\top}} = A^{{\top}} + {c}B^{{\top}}$."),
            (Mistake(f"2 x^T (A + {c} B)", "assumed_symmetric",
                     "M = A + cB is not symmetric: use M + M^T, not 2M."),
             Mistake("x^T (A + A^T + B + B^T)", "dropped_coefficient",
                     f"The factor {c} on B stays."),),
        )
    if difficulty == 4:
        return Draft(
            "x[n], mu[n], Sigma[n,n]", "mu", "(x - mu)^T Sigma^-1 (x - mu)",
            "-(x - mu)^T (Sigma^-1 + Sigma^-T)", "gradient",
            (r"Let $\mathbf{u} = \mathbf{x} - \boldsymbol{\mu}$, so $\partial\mathbf{u}/"
             r"\partial\boldsymbol{\mu} = -I$ (chain rule).",
             r"$\partial(\mathbf{u}^{\top}\Sigma^{-1}\mathbf{u})/\partial\mathbf{u} = "
             r"\mathbf{u}^{\top}(\Sigma^{-1} + \Sigma^{-\top})$; multiplying by $-I$ gives the "
             r"result. For a symmetric $\Sigma$ it is $-2(\mathbf{x}-\boldsymbol{\mu})^{\top}"
             r"\Sigma^{-1}$."),
            (Mistake("(x - mu)^T (Sigma^-1 + Sigma^-T)", "sign",
                     "d(x - mu)/d mu = -I: the chain rule brings a minus sign."),
             Mistake("-2 (x - mu)^T Sigma^-1", "assumed_symmetric",
                     "Sigma is not given as symmetric here: keep Sigma^-1 + Sigma^-T.")),
        )
    return Draft(
        "x[n], A[n,n], b[n]", "x", "x^T A x + b^T x", "A + A^T", "hessian",
        (r"The gradient (as a column) is $(A + A^{\top})\mathbf{x} + \mathbf{b}$.",
         r"Differentiating it again by $\mathbf{x}$ gives the constant Hessian $A + A^{\top}$; "
         r"the linear term vanishes."),
        (Mistake("2 A", "assumed_symmetric", "A is not symmetric: the Hessian is A + A^T."),
         Mistake("A", "half_of_the_product_rule", "Both occurrences of x contribute.")),
    )


FAMILY = Family(
    name="quadratic",
    title="Quadratic forms and Hessians",
    source="identities.md §2 (xᵀAx → (A+Aᵀ)x, Mahalanobis, Hessian); §5 row 8",
    difficulties=(1, 2, 3, 4, 5),
    forms=("symbolic", "numeric"),
    draft=draft,
)
