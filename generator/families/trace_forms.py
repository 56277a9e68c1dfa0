"""Trace forms (Matrix Cookbook §2.5: eqs. (101) tr(XA) → Aᵀ, (102) tr(AXB) → AᵀBᵀ, (104)
tr(XᵀA) → A; §2.5.2 for tr(XᵀBX) → BX + BᵀX and the power rule for tr(Xᵏ); eqs. (70)–(71)
for aᵀXb and aᵀXᵀb).  The matrix variable is named X, Y or W.

The Cookbook's gradients G have the shape of X (p×q); this family asks for numerator layout, where
∂f/∂X is the q×p transpose Gᵀ: tr(AX) → A, tr(XᵀA) → Aᵀ, tr(AXB) → BA, tr(XᵀAX) → Xᵀ(A+Aᵀ),
tr(XAXᵀ) → (A+Aᵀ)Xᵀ, tr(Xᵏ) → kXᵏ⁻¹, aᵀXb → baᵀ, aᵀXᵀb → abᵀ.  X is p×q (non-square) unless the
form needs a square X.

Difficulty 2: one linear form (tr(AX), tr(XᵀA), aᵀXb, aᵀXᵀb) with a coefficient.  3: tr(AXB),
tr(XᵀAX), tr(XAXᵀ) or tr(Xᵏ), k = 2..4.  4: a sum of two forms, or tr(AXB) with square
matrices, where the order of A and B can go wrong.
"""

from __future__ import annotations

import random

from generator.families.writing import gradient_in_layouts, renamed
from generator.family import Draft, Family
from grader.exercise_set import Form
from grader.verdict import Mistake

_NUMERATOR = (r"For a scalar $f$ and $X \in \mathbb{R}^{p\times q}$, numerator layout puts "
              r"$\partial f/\partial X_{ij}$ at position $(j, i)$: the $q\times p$ transpose of "
              r"the Cookbook's gradient $G$ (which has the shape of $X$).")
_DENOMINATOR = (r"For a scalar $f$ and $X \in \mathbb{R}^{p\times q}$, denominator layout puts "
                r"$\partial f/\partial X_{ij}$ at position $(i, j)$: the Cookbook's gradient "
                r"$G$ itself, $p\times q$ like $X$.")
_LAYOUT = ("That is the Cookbook's gradient (the shape of X): numerator layout asks for its "
           "transpose.")


def _times(c: int, expression: str) -> str:
    """``c expression``, without a visible factor 1."""
    return expression if c == 1 else f"{c} {expression}"


def _tex(c: int) -> str:
    return "" if c == 1 else str(c)


def _power(k: int) -> str:
    """X^(k-1) as text: ``X`` for k = 2."""
    return "X" if k == 2 else f"X^{k - 1}"


def _power_t(k: int) -> str:
    """(X^(k-1))^T as text: ``X^T`` for k = 2."""
    return "X^T" if k == 2 else f"(X^{k - 1})^T"


def draft(rng: random.Random, difficulty: int, form: Form) -> Draft:
    written = gradient_in_layouts(_draft(rng, difficulty, form), _NUMERATOR, _DENOMINATOR)
    return renamed(written, {"X": rng.choice(("X", "Y", "W"))})


def _draft(rng: random.Random, difficulty: int, form: Form) -> Draft:
    c = rng.randint(1, 5)
    if difficulty == 2:
        variant = rng.choice(("tr_AX", "tr_XtA", "aXb", "aXtb"))
        if variant == "tr_AX":
            return _tr_ax(c)
        if variant == "tr_XtA":
            return _tr_xta(c)
        return _axb(c) if variant == "aXb" else _axtb(c)
    if difficulty == 3:
        variant = rng.choice(("tr_AXB", "tr_XtAX", "tr_XAXt", "tr_Xk"))
        if variant == "tr_AXB":
            return _tr_axb(c)
        if variant == "tr_XtAX":
            return _tr_xtax()
        return _tr_xaxt() if variant == "tr_XAXt" else _tr_xk(rng.randint(2, 4))
    variant = rng.choice(("sum_AXB_aXb", "sum_XtAX_BX", "square_AXB", "sum_Xk_aXb"))
    d = rng.randint(2, 5)
    if variant == "sum_AXB_aXb":
        return _sum_axb_axb(c, d)
    if variant == "sum_XtAX_BX":
        return _sum_xtax_bx(d)
    if variant == "square_AXB":
        return _square_axb(d)
    return _sum_xk_axb(rng.randint(2, 4), d)


def _tr_ax(c: int) -> Draft:
    return Draft(
        "X[p,q], A[q,p]", "X", _times(c, "tr(A X)"), _times(c, "A"), "gradient",
        (r"$\operatorname{tr}(AX) = \sum_{i,j} A_{ji} X_{ij}$, so "
         r"$\partial f/\partial X_{ij} = " + _tex(c) + r"A_{ji}$: the Cookbook's $G = "
         + _tex(c) + r"A^{\top}$.",
         _NUMERATOR + " Here that is $" + _tex(c) + "A$."),
        (Mistake(_times(c, "A^T"), "layout", _LAYOUT),),
    )


def _tr_xta(c: int) -> Draft:
    return Draft(
        "X[p,q], A[p,q]", "X", _times(c, "tr(X^T A)"), _times(c, "A^T"), "gradient",
        (r"$\operatorname{tr}(X^{\top}A) = \sum_{i,j} X_{ij} A_{ij}$, so "
         r"$\partial f/\partial X_{ij} = " + _tex(c) + r"A_{ij}$: the Cookbook's $G = "
         + _tex(c) + r"A$.",
         _NUMERATOR + " Here that is $" + _tex(c) + r"A^{\top}$."),
        (Mistake(_times(c, "A"), "layout", _LAYOUT),),
    )


def _axb(c: int) -> Draft:
    return Draft(
        "X[p,q], a[p], b[q]", "X", _times(c, "a^T X b"), _times(c, "b a^T"), "gradient",
        (r"$\mathbf{a}^{\top}X\mathbf{b} = \sum_{i,j} a_i X_{ij} b_j$, so "
         r"$\partial f/\partial X_{ij} = " + _tex(c) + r"a_i b_j$: the Cookbook's $G = "
         + _tex(c) + r"\mathbf{a}\mathbf{b}^{\top}$.",
         _NUMERATOR + " Here that is $" + _tex(c) + r"\mathbf{b}\mathbf{a}^{\top}$."),
        (Mistake(_times(c, "a b^T"), "layout", _LAYOUT),),
    )


def _axtb(c: int) -> Draft:
    return Draft(
        "X[p,q], a[q], b[p]", "X", _times(c, "a^T X^T b"), _times(c, "a b^T"), "gradient",
        (r"$\mathbf{a}^{\top}X^{\top}\mathbf{b} = \mathbf{b}^{\top}X\mathbf{a} = "
         r"\sum_{i,j} b_i X_{ij} a_j$, so the Cookbook's $G = " + _tex(c)
         + r"\mathbf{b}\mathbf{a}^{\top}$.",
         _NUMERATOR + " Here that is $" + _tex(c) + r"\mathbf{a}\mathbf{b}^{\top}$."),
        (Mistake(_times(c, "b a^T"), "layout", _LAYOUT),),
    )


def _tr_axb(c: int) -> Draft:
    return Draft(
        "X[p,q], A[m,p], B[q,m]", "X", _times(c, "tr(A X B)"), _times(c, "B A"), "gradient",
        (r"Cycle the trace: $\operatorname{tr}(AXB) = \operatorname{tr}(BAX)$, which is "
         r"$\operatorname{tr}(MX)$ with $M = BA$ ($q\times p$).",
         r"$\partial\operatorname{tr}(MX)/\partial X_{ij} = M_{ji}$, so the Cookbook's "
         r"$G = " + _tex(c) + r"M^{\top} = " + _tex(c) + r"A^{\top}B^{\top}$.",
         _NUMERATOR + " Here that is $" + _tex(c) + "BA$."),
        (Mistake(_times(c, "A^T B^T"), "layout", _LAYOUT),),
    )


def _tr_xtax() -> Draft:
    return Draft(
        "X[p,q], A[p,p]", "X", "tr(X^T A X)", "X^T (A + A^T)", "gradient",
        (r"Product rule: $d\operatorname{tr}(X^{\top}AX) = \operatorname{tr}(dX^{\top}AX) + "
         r"\operatorname{tr}(X^{\top}A\,dX) = "
         r"\operatorname{tr}\big(X^{\top}(A^{\top} + A)\,dX\big)$.",
         r"So the Cookbook's $G = (A + A^{\top})X$ ($p\times q$).",
         _NUMERATOR + r" Here that is $X^{\top}(A + A^{\top})$."),
        (Mistake("2 X^T A", "assumed_symmetric",
                 "A is not symmetric: the two product-rule terms give A + A^T, not 2A."),
         Mistake("X^T A", "half_of_the_product_rule",
                 "X appears twice in X^T A X: the product rule gives two terms."),
         Mistake("(A + A^T) X", "layout", _LAYOUT)),
    )


def _tr_xaxt() -> Draft:
    return Draft(
        "X[p,q], A[q,q]", "X", "tr(X A X^T)", "(A + A^T) X^T", "gradient",
        (r"Product rule: $d\operatorname{tr}(XAX^{\top}) = \operatorname{tr}(dX\,AX^{\top}) + "
         r"\operatorname{tr}(XA\,dX^{\top}) = "
         r"\operatorname{tr}\big((A + A^{\top})X^{\top}dX\big)$.",
         r"So the Cookbook's $G = X(A + A^{\top})$ ($p\times q$).",
         _NUMERATOR + r" Here that is $(A + A^{\top})X^{\top}$."),
        (Mistake("2 A X^T", "assumed_symmetric",
                 "A is not symmetric: the two product-rule terms give A + A^T, not 2A."),
         Mistake("A X^T", "half_of_the_product_rule",
                 "X appears twice in X A X^T: the product rule gives two terms."),
         Mistake("X (A + A^T)", "layout", _LAYOUT)),
    )


def _tr_xk(k: int) -> Draft:
    power_tex = "X" if k == 2 else f"X^{{{k - 1}}}"
    return Draft(
        "X[n,n]", "X", f"tr(X^{k})", f"{k} {_power(k)}", "gradient",
        (rf"Product rule over the {k} factors: $d\operatorname{{tr}}(X^{{{k}}}) = "
         rf"\sum_i \operatorname{{tr}}(X^{{i}}\,dX\,X^{{{k - 1}-i}}) = "
         rf"{k}\operatorname{{tr}}({power_tex}\,dX)$ by cycling the trace.",
         rf"So the Cookbook's $G = {k}({power_tex})^{{\top}}$.",
         _NUMERATOR + f" Here that is ${k}{power_tex}$."),
        (Mistake(f"{k} {_power_t(k)}", "layout", _LAYOUT),
         Mistake(_power(k), "power_rule_factor",
                 f"Each of the {k} factors of X contributes: the factor {k} stays.")),
    )


def _sum_axb_axb(c: int, d: int) -> Draft:
    return Draft(
        "X[p,q], A[m,p], B[q,m], a[p], b[q]", "X",
        f"{_times(c, 'tr(A X B)')} + {d} a^T X b", f"{_times(c, 'B A')} + {d} b a^T", "gradient",
        (r"The derivative of a sum is the sum of the derivatives.",
         r"$\operatorname{tr}(AXB) = \operatorname{tr}(BAX)$ gives the Cookbook's "
         r"$A^{\top}B^{\top}$; $\mathbf{a}^{\top}X\mathbf{b}$ gives "
         r"$\mathbf{a}\mathbf{b}^{\top}$.",
         _NUMERATOR + " Here that is $" + _tex(c)
         + rf"BA + {d}\mathbf{{b}}\mathbf{{a}}^{{\top}}$."),
        (Mistake(f"{_times(c, 'A^T B^T')} + {d} a b^T", "layout", _LAYOUT),
         Mistake(_times(c, "B A"), "missing_term",
                 f"The term {d} a^T X b contributes {d} b a^T.")),
    )


def _sum_xtax_bx(d: int) -> Draft:
    return Draft(
        "X[p,q], A[p,p], B[q,p]", "X", f"tr(X^T A X) + {d} tr(B X)",
        f"X^T (A + A^T) + {d} B", "gradient",
        (r"The derivative of a sum is the sum of the derivatives.",
         r"$\operatorname{tr}(X^{\top}AX)$ gives the Cookbook's $(A + A^{\top})X$ (two "
         r"product-rule terms) and $\operatorname{tr}(BX)$ gives $B^{\top}$.",
         _NUMERATOR + rf" Here that is $X^{{\top}}(A + A^{{\top}}) + {d}B$."),
        (Mistake(f"2 X^T A + {d} B", "assumed_symmetric",
                 "A is not symmetric: the quadratic term gives X^T (A + A^T), not 2 X^T A."),
         Mistake(f"(A + A^T) X + {d} B^T", "layout", _LAYOUT),
         Mistake("X^T (A + A^T)", "missing_term", f"The term {d} tr(B X) contributes {d} B.")),
    )


def _square_axb(d: int) -> Draft:
    return Draft(
        "X[n,n], A[n,n], B[n,n]", "X", f"{d} tr(A X B)", f"{d} B A", "gradient",
        (r"Cycle the trace so that $X$ comes last: $\operatorname{tr}(AXB) = "
         r"\operatorname{tr}(BAX)$ (a cyclic shift, not a swap of $A$ and $B$).",
         r"$\partial\operatorname{tr}(MX)/\partial X_{ij} = M_{ji}$ with $M = BA$, so the "
         rf"Cookbook's $G = {d}(BA)^{{\top}} = {d}A^{{\top}}B^{{\top}}$.",
         _NUMERATOR + rf" Here that is ${d}BA$."),
        (Mistake(f"{d} A B", "order",
                 "Cycling tr(A X B) gives tr(B A X): the factor is B A, not A B."),
         Mistake(f"{d} A^T B^T", "layout", _LAYOUT),
         Mistake(f"{d} B^T A^T", "order_and_transpose",
                 "Cycle the trace to tr(B A X); the numerator-layout derivative is B A.")),
    )


def _sum_xk_axb(k: int, d: int) -> Draft:
    power_tex = "X" if k == 2 else f"X^{{{k - 1}}}"
    return Draft(
        "X[n,n], a[n], b[n]", "X", f"tr(X^{k}) + {d} a^T X b",
        f"{k} {_power(k)} + {d} b a^T", "gradient",
        (r"The derivative of a sum is the sum of the derivatives.",
         rf"$\operatorname{{tr}}(X^{{{k}}})$ gives the Cookbook's ${k}({power_tex})^{{\top}}$ "
         r"(cycle each product-rule term) and $\mathbf{a}^{\top}X\mathbf{b}$ gives "
         r"$\mathbf{a}\mathbf{b}^{\top}$.",
         _NUMERATOR + rf" Here that is ${k}{power_tex} + {d}\mathbf{{b}}\mathbf{{a}}^{{\top}}$."),
        (Mistake(f"{k} {_power_t(k)} + {d} a b^T", "layout", _LAYOUT),
         Mistake(f"{k} {_power(k)} + {d} a b^T", "outer_product_order",
                 "With numerator layout the a^T X b term gives b a^T (entry (j, i) is a_i b_j)."),
         Mistake(f"{_power(k)} + {d} b a^T", "power_rule_factor",
                 f"Each of the {k} factors of X contributes: the factor {k} stays.")),
    )


FAMILY = Family(
    name="trace_forms",
    title="Trace forms",
    source="Matrix Cookbook §2.5, eqs. (101), (102), (104), §2.5.2 (second order); "
           "eqs. (70)–(71) (aᵀXb, aᵀXᵀb)",
    difficulties=(2, 3, 4),
    forms=("symbolic", "numeric"),
    draft=draft,
)
