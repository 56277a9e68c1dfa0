"""Determinant and inverse (Matrix Cookbook §2.1–2.2: eq. (49) det X → det(X)X⁻ᵀ, eq. (57)
log|det X| → X⁻ᵀ, eq. (63) tr(AX⁻¹B) → −(X⁻¹BAX⁻¹)ᵀ, eq. (61) aᵀX⁻¹b → −X⁻ᵀabᵀX⁻ᵀ, eq. (40)
d(X⁻¹) = −X⁻¹(dX)X⁻¹).  The matrix variable is named X, Y or S.

The Cookbook's gradients G have the shape of X; numerator layout (asked here) is their transpose,
so det X → det(X)X⁻¹, log det X → X⁻¹, tr(AX⁻¹B) → −X⁻¹BAX⁻¹, aᵀX⁻¹b → −X⁻¹baᵀX⁻¹.

Difficulty 3: c·det X, c·log det X, or log det(dX) (the scale drops out).  4: c·tr(AX⁻¹B),
c·aᵀX⁻¹b or c·tr(AX⁻¹).  5: d(X(t)⁻¹)/dt for X(t) = A + c t B (symbolic only: with integer
values A + tB can be singular), log det X + c·aᵀX⁻¹b, or c·det X + tr(AX⁻¹).  With numbers the
logarithm is written log|det X| (the values may give det X < 0; the derivative is the same).
"""

from __future__ import annotations

import random

from generator.families.writing import gradient_in_layouts, renamed
from generator.family import Draft, Family
from grader.exercise_set import Form
from grader.verdict import Mistake

_NUMERATOR = (r"For a scalar $f$ and a matrix $X$, numerator layout puts "
              r"$\partial f/\partial X_{ij}$ at position $(j, i)$: the transpose of the "
              r"Cookbook's gradient $G$ (which has the shape of $X$).")
_DENOMINATOR = (r"For a scalar $f$ and a matrix $X$, denominator layout puts "
                r"$\partial f/\partial X_{ij}$ at position $(i, j)$: the Cookbook's gradient "
                r"$G$ itself, with the shape of $X$.")
_LAYOUT = ("That is the Cookbook's gradient (the shape of X): numerator layout asks for its "
           "transpose.")
_SIGN = "d(X^-1) = -X^-1 dX X^-1: the derivative of the inverse brings a minus sign."
_SCALAR_RULE = ("Matrices don't commute: d(X^-1) = -X^-1 dX X^-1, not the scalar rule "
                "-dX/x^2 = -X^-2 dX.")


def _times(c: int, expression: str) -> str:
    """``c expression``, without a visible factor 1."""
    return expression if c == 1 else f"{c} {expression}"


def _minus(c: int, expression: str) -> str:
    """``-c expression``, without a visible factor 1."""
    return f"-{_times(c, expression)}"


def _tex(c: int) -> str:
    return "" if c == 1 else str(c)


def _log_det(argument: str, numeric: bool) -> str:
    """log det(argument); with numbers log|det(argument)|, whose derivative is the same."""
    return f"log(abs(det({argument})))" if numeric else f"log(det({argument}))"


def draft(rng: random.Random, difficulty: int, form: Form) -> Draft:
    written = gradient_in_layouts(_draft(rng, difficulty, form), _NUMERATOR, _DENOMINATOR)
    return renamed(written, {"X": rng.choice(("X", "Y", "S"))})


def _draft(rng: random.Random, difficulty: int, form: Form) -> Draft:
    numeric = form == "numeric"
    c = rng.randint(1, 5)
    if difficulty == 3:
        variant = rng.choice(("det", "log_det", "log_det_scaled"))
        if variant == "det":
            return _det(c)
        if variant == "log_det":
            return _log_det_draft(c, numeric)
        return _log_det_scaled(rng.randint(2, 5), numeric)
    if difficulty == 4:
        variant = rng.choice(("tr_AXiB", "aXib", "tr_AXi"))
        if variant == "tr_AXiB":
            return _tr_axib(c)
        return _axib(c) if variant == "aXib" else _tr_axi(c)
    variants = ("log_det_aXib", "det_tr_AXi") if numeric else ("dt", "log_det_aXib",
                                                              "det_tr_AXi")
    variant = rng.choice(variants)
    if variant == "dt":
        return _inverse_by_t(c)
    d = rng.randint(2, 5)
    return _log_det_axib(d, numeric) if variant == "log_det_aXib" else _det_tr_axi(d)


def _det(c: int) -> Draft:
    return Draft(
        "X[n,n]", "X", _times(c, "det(X)"), _times(c, "det(X) X^-1"), "gradient",
        (r"Jacobi's formula: $d\det X = \det(X)\operatorname{tr}(X^{-1}dX)$, so "
         r"$\partial\det X/\partial X_{ij} = \det(X)(X^{-1})_{ji}$: the Cookbook's "
         r"$G = \det(X)X^{-\top}$ (the cofactor matrix).",
         _NUMERATOR + " Here that is $" + _tex(c) + r"\det(X)X^{-1}$."),
        (Mistake(_times(c, "det(X) X^-T"), "layout", _LAYOUT),
         Mistake(_times(c, "X^-1"), "det_rule_confusion",
                 "X^-1 is the derivative of log det X; det X itself gives det(X) X^-1.")),
    )


def _log_det_draft(c: int, numeric: bool) -> Draft:
    return Draft(
        "X[n,n]", "X", _times(c, _log_det("X", numeric)), _times(c, "X^-1"), "gradient",
        (r"Chain rule with Jacobi's formula: $d\log\det X = d\det X/\det X = "
         r"\operatorname{tr}(X^{-1}dX)$ (the same for $\log|\det X|$).",
         r"So the Cookbook's $G = X^{-\top}$. " + _NUMERATOR + " Here that is $"
         + _tex(c) + "X^{-1}$."),
        (Mistake(_times(c, "X^-T"), "layout", _LAYOUT),
         Mistake(_times(c, "X^-1 / det(X)"), "chain_rule_factor",
                 "d det X = det(X) tr(X^-1 dX): the det(X) cancels against 1/det X."),
         Mistake(_times(c, "det(X) X^-1"), "det_rule_confusion",
                 "det(X) X^-1 is the derivative of det X; the logarithm divides it by det X.")),
    )


def _log_det_scaled(d: int, numeric: bool) -> Draft:
    return Draft(
        "X[n,n]", "X", _log_det(f"{d} X", numeric), "X^-1", "gradient",
        (rf"$\det({d}X) = {d}^n\det X$, so $\log\det({d}X) = n\log {d} + \log\det X$: the "
         r"constant drops out.",
         r"$d\log\det X = \operatorname{tr}(X^{-1}dX)$, so the Cookbook's $G = X^{-\top}$. "
         + _NUMERATOR + " Here that is $X^{-1}$."),
        (Mistake("X^-T", "layout", _LAYOUT),
         Mistake(f"{d} X^-1", "kept_scale",
                 f"det({d} X) = {d}^n det X: the scale only adds a constant, which differentiates "
                 "to 0."),
         Mistake(f"(1/{d}) X^-1", "missing_chain_factor",
                 f"({d} X)^-1 = X^-1/{d}, and the chain rule multiplies by {d} again.")),
    )


def _tr_axib(c: int) -> Draft:
    return Draft(
        "X[n,n], A[m,n], B[n,m]", "X", _times(c, "tr(A X^-1 B)"),
        _minus(c, "X^-1 B A X^-1"), "gradient",
        (r"$d(X^{-1}) = -X^{-1}\,dX\,X^{-1}$, so $d\operatorname{tr}(AX^{-1}B) = "
         r"-\operatorname{tr}(AX^{-1}\,dX\,X^{-1}B) = -\operatorname{tr}(X^{-1}BAX^{-1}\,dX)$ "
         r"(cycle the trace).",
         r"So the Cookbook's $G = -(X^{-1}BAX^{-1})^{\top}$. " + _NUMERATOR
         + " Here that is $-" + _tex(c) + r"X^{-1}BAX^{-1}$."),
        (Mistake(_times(c, "X^-1 B A X^-1"), "sign", _SIGN),
         Mistake(_minus(c, "X^-T A^T B^T X^-T"), "layout", _LAYOUT),
         Mistake(_minus(c, "X^-2 B A"), "scalar_rule", _SCALAR_RULE)),
    )


def _axib(c: int) -> Draft:
    return Draft(
        "X[n,n], a[n], b[n]", "X", _times(c, "a^T X^-1 b"), _minus(c, "X^-1 b a^T X^-1"),
        "gradient",
        (r"$d(\mathbf{a}^{\top}X^{-1}\mathbf{b}) = -\mathbf{a}^{\top}X^{-1}\,dX\,X^{-1}\mathbf{b}"
         r" = -\operatorname{tr}(X^{-1}\mathbf{b}\mathbf{a}^{\top}X^{-1}\,dX)$.",
         r"So the Cookbook's $G = -X^{-\top}\mathbf{a}\mathbf{b}^{\top}X^{-\top}$. " + _NUMERATOR
         + " Here that is $-" + _tex(c) + r"X^{-1}\mathbf{b}\mathbf{a}^{\top}X^{-1}$."),
        (Mistake(_times(c, "X^-1 b a^T X^-1"), "sign", _SIGN),
         Mistake(_minus(c, "X^-T a b^T X^-T"), "layout", _LAYOUT),
         Mistake(_minus(c, "X^-2 b a^T"), "scalar_rule", _SCALAR_RULE)),
    )


def _tr_axi(c: int) -> Draft:
    return Draft(
        "X[n,n], A[n,n]", "X", _times(c, "tr(A X^-1)"), _minus(c, "X^-1 A X^-1"), "gradient",
        (r"$d\operatorname{tr}(AX^{-1}) = -\operatorname{tr}(AX^{-1}\,dX\,X^{-1}) = "
         r"-\operatorname{tr}(X^{-1}AX^{-1}\,dX)$ (cycle the trace).",
         r"So the Cookbook's $G = -(X^{-1}AX^{-1})^{\top}$. " + _NUMERATOR
         + " Here that is $-" + _tex(c) + r"X^{-1}AX^{-1}$."),
        (Mistake(_times(c, "X^-1 A X^-1"), "sign", _SIGN),
         Mistake(_minus(c, "X^-T A^T X^-T"), "layout", _LAYOUT),
         Mistake(_minus(c, "A X^-2"), "scalar_rule", _SCALAR_RULE)),
    )


def _inverse_by_t(c: int) -> Draft:
    x = f"(A + {_times(c, 't B')})"
    x_tex = rf"(A + {_tex(c)}tB)"
    mistakes = [
        Mistake(f"{_times(c, f'{x}^-1 B {x}^-1')}", "sign", _SIGN),
        Mistake(_minus(c, f"{x}^-2 B"), "scalar_rule", _SCALAR_RULE),
        Mistake(_minus(c, f"{x}^-T B^T {x}^-T"), "layout",
                "A matrix function by a scalar keeps the function's shape in numerator "
                "layout: no transpose."),
    ]
    if c != 1:
        mistakes.append(Mistake(f"-{x}^-1 B {x}^-1", "missing_chain_factor",
                                f"dX/dt = {c} B: the factor {c} stays."))
    return Draft(
        "A[n,n], B[n,n], t", "t", f"{x}^-1", _minus(c, f"{x}^-1 B {x}^-1"), "derivative",
        (r"Differentiate $X X^{-1} = I$: $\dot X X^{-1} + X\,\frac{d(X^{-1})}{dt} = 0$, so "
         r"$\frac{d(X^{-1})}{dt} = -X^{-1}\dot X X^{-1}$ (the order matters).",
         rf"Here $X(t) = A + {_tex(c)}tB$ and $\dot X = {_tex(c)}B$, so the derivative is "
         rf"$-{_tex(c)}{x_tex}^{{-1}}B{x_tex}^{{-1}}$ (the shape of $X$, numerator layout)."),
        tuple(mistakes),
        (r"Differentiate $X X^{-1} = I$: $\dot X X^{-1} + X\,\frac{d(X^{-1})}{dt} = 0$, so "
         r"$\frac{d(X^{-1})}{dt} = -X^{-1}\dot X X^{-1}$ (the order matters).",
         rf"Here $X(t) = A + {_tex(c)}tB$ and $\dot X = {_tex(c)}B$. Denominator layout lays "
         r"the derivative of a matrix by a scalar out with the shape of $X^{\top}$ (entry "
         r"$(j, i)$ is the rate of change of $X^{-1}_{ij}$): "
         rf"$-{_tex(c)}{x_tex}^{{-\top}}B^{{\top}}{x_tex}^{{-\top}}$."),
    )


def _log_det_axib(d: int, numeric: bool) -> Draft:
    return Draft(
        "X[n,n], a[n], b[n]", "X", f"{_log_det('X', numeric)} + {d} a^T X^-1 b",
        f"X^-1 - {d} X^-1 b a^T X^-1", "gradient",
        (r"The derivative of a sum is the sum of the derivatives.",
         r"$\log\det X$ gives the Cookbook's $X^{-\top}$; $\mathbf{a}^{\top}X^{-1}\mathbf{b}$ "
         r"gives $-X^{-\top}\mathbf{a}\mathbf{b}^{\top}X^{-\top}$ (from "
         r"$d(X^{-1}) = -X^{-1}\,dX\,X^{-1}$).",
         _NUMERATOR + rf" Here that is $X^{{-1}} - {d}X^{{-1}}\mathbf{{b}}\mathbf{{a}}^{{\top}}"
         r"X^{-1}$."),
        (Mistake(f"X^-T - {d} X^-T a b^T X^-T", "layout", _LAYOUT),
         Mistake(f"X^-1 + {d} X^-1 b a^T X^-1", "sign", _SIGN),
         Mistake(f"X^-1 - {d} X^-2 b a^T", "scalar_rule", _SCALAR_RULE)),
    )


def _det_tr_axi(d: int) -> Draft:
    return Draft(
        "X[n,n], A[n,n]", "X", f"{d} det(X) + tr(A X^-1)",
        f"{d} det(X) X^-1 - X^-1 A X^-1", "gradient",
        (r"The derivative of a sum is the sum of the derivatives.",
         r"Jacobi's formula gives the Cookbook's $\det(X)X^{-\top}$ for $\det X$; "
         r"$\operatorname{tr}(AX^{-1})$ gives $-(X^{-1}AX^{-1})^{\top}$.",
         _NUMERATOR + rf" Here that is ${d}\det(X)X^{{-1}} - X^{{-1}}AX^{{-1}}$."),
        (Mistake(f"{d} det(X) X^-T - X^-T A^T X^-T", "layout", _LAYOUT),
         Mistake(f"{d} det(X) X^-1 + X^-1 A X^-1", "sign", _SIGN),
         Mistake(f"{d} X^-1 - X^-1 A X^-1", "det_rule_confusion",
                 "X^-1 is the derivative of log det X; det X itself gives det(X) X^-1.")),
    )


FAMILY = Family(
    name="determinant_inverse",
    title="Determinant and inverse",
    source="Matrix Cookbook §2.1–2.2, eqs. (40), (49), (57), (61), (63) (inverse, det, "
           "log det, aᵀX⁻¹b, tr(AX⁻¹B))",
    difficulties=(3, 4, 5),
    forms=("symbolic", "numeric"),
    draft=draft,
)
