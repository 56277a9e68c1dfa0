"""Quadratic forms and their Hessians (Matrix Cookbook eq. (81) ∂xᵀBx/∂x = (B + Bᵀ)x, §2.4.2 for
the Mahalanobis form; Parr & Howard §4.2 for the product rule behind them).

Each difficulty draws its structure as well as its names (vectors from x, y, z, u, v; matrices
from A, B, C, M, P, Q):

1. ∂/∂x of xᵀAx, written as xᵀAx, (Ax)ᵀx or xᵀAᵀx, or scaled, c·xᵀAx.
2. a quadratic plus a linear term, xᵀAx ± bᵀx (or ± xᵀb), with or without a constant term.
3. two matrices: xᵀ(A ± cB)x, xᵀAx + c·xᵀBx, or the product xᵀABx.
4. the Mahalanobis form (x − μ)ᵀS⁻¹(x − μ) or (μ − x)ᵀS⁻¹(μ − x), by μ or by x, with a
   covariance (S⁻¹) or a precision matrix (S), alone or as a Gaussian exponent ±½(…).
5. the Hessian of xᵀAx + bᵀx, xᵀAx + c·xᵀBx, xᵀAx + c‖x‖² or ‖Ax + b‖².

A stays non-symmetric, so 2Ax is wrong, as students often write.  Numerator layout writes the
gradient as a row xᵀ(A + Aᵀ); denominator layout as a column (A + Aᵀ)x, and the steps are worked
in the sheet's layout.
"""

from __future__ import annotations

import random

from generator.families.writing import (
    MATRICES,
    VECTORS,
    gradient_steps,
    names,
    symbol,
    tex,
    times,
)
from generator.family import Draft, Family
from grader.exercise_set import Form
from grader.verdict import Mistake

_ROW = "That is the column form: this sheet's layout asks for the row."


def draft(rng: random.Random, difficulty: int, form: Form) -> Draft:
    x, b = names(rng, VECTORS, 2)
    a, m = names(rng, MATRICES, 2)
    c = rng.randint(2, 9)
    if difficulty == 1:
        return _plain(rng.choice(("plain", "product", "transposed", "scaled")), x, a, c)
    if difficulty == 2:
        return _linear(x, a, b, c, sign=rng.choice("+-"), flipped=rng.random() < 0.5,
                       constant=rng.random() < 0.5)
    if difficulty == 3:
        return _two_matrices(rng.choice(("sum", "difference", "split", "product")), x, a, m, c)
    if difficulty == 4:
        mu = rng.choice(("mu", "m"))
        s = rng.choice(("Sigma", "S", "P"))
        return _mahalanobis(x, mu, s, by_mean=rng.random() < 0.5, reversed_=rng.random() < 0.5,
                            inverse=rng.random() < 0.5, scale=rng.choice(("", "1/2", "-1/2")))
    return _hessian(rng.choice(("linear", "two", "ridge", "residual")), x, a, m, b, c)


def _plain(variant: str, x: str, a: str, c: int) -> Draft:
    given = f"{x}[n], {a}[n,n]"
    function = {"plain": f"{x}^T {a} {x}", "product": f"({a} {x})^T {x}",
                "transposed": f"{x}^T {a}^T {x}", "scaled": f"{c} {x}^T {a} {x}"}[variant]
    k = c if variant == "scaled" else 1
    row, column = times(k, f"{x}^T ({a} + {a}^T)"), times(k, f"({a} + {a}^T) {x}")
    bx = symbol(x, given)
    rewrite = {
        "plain": "",
        "product": rf"First, $({a}{bx})^{{\top}}{bx} = {bx}^{{\top}}{a}^{{\top}}{bx}$, a scalar "
                   rf"and so equal to its transpose ${bx}^{{\top}}{a}{bx}$. ",
        "transposed": rf"First, ${bx}^{{\top}}{a}^{{\top}}{bx}$ is a scalar, so it equals its "
                      rf"transpose ${bx}^{{\top}}{a}{bx}$. ",
        "scaled": rf"The constant factor {c} stays in front. ",
    }[variant]
    opening = (rewrite + rf"Write ${bx}^{{\top}}{a}{bx} = \sum_{{i,j}} {x}_i {a}_{{ij}} {x}_j$; "
               rf"by the product rule each ${x}_k$ appears in two places, giving "
               rf"$\partial({bx}^{{\top}}{a}{bx})/\partial {x}_k = ({a}{bx})_k + "
               rf"({a}^{{\top}}{bx})_k$.",)
    steps, denominator = gradient_steps(given, x, opening, row, column)
    return Draft(
        given, x, function, row, "gradient", steps,
        (Mistake(times(2 * k, f"{x}^T {a}"), "assumed_symmetric",
                 f"{a} is not symmetric: x^T A x differentiates to x^T (A + A^T), not 2 x^T A."),
         Mistake(times(k, f"{x}^T {a}"), "half_of_the_product_rule",
                 f"{x} appears twice in the quadratic form: the product rule gives two terms."),
         Mistake(column, "layout", _ROW)),
        denominator,
    )


def _linear(x: str, a: str, b: str, c: int, *, sign: str, flipped: bool, constant: bool
            ) -> Draft:
    given = f"{x}[n], {a}[n,n], {b}[n]" + (", c" if constant else "")
    linear = f"{x}^T {b}" if flipped else f"{b}^T {x}"
    function = f"{x}^T {a} {x} {sign} {linear}" + (f" + {c} c" if constant else "")
    row = f"{x}^T ({a} + {a}^T) {sign} {b}^T"
    column = f"({a} + {a}^T) {x} {sign} {b}"
    bx, bb = symbol(x, given), symbol(b, given)
    opening = (
        r"The derivative of a sum is the sum of the derivatives"
        + (r"; the constant term gives 0." if constant else "."),
        rf"The quadratic term gives ${tex(f'{x}^T ({a} + {a}^T)', given)}$ as a row (each "
        rf"${x}_k$ appears twice in $\sum_{{i,j}} {x}_i {a}_{{ij}} {x}_j$); the linear term "
        rf"$\sum_i {b}_i {x}_i$ gives ${sign if sign == '-' else ''}{bb}^{{\top}}$ as a row"
        + (rf" (${bx}^{{\top}}{bb} = {bb}^{{\top}}{bx}$, a dot product)." if flipped else "."))
    steps, denominator = gradient_steps(given, x, opening, row, column)
    other = "+" if sign == "-" else "-"
    return Draft(
        given, x, function, row, "gradient", steps,
        (Mistake(f"2 {x}^T {a} {sign} {b}^T", "assumed_symmetric",
                 f"{a} is not symmetric: the quadratic term gives x^T (A + A^T)."),
         *((Mistake(f"{row} + c", "constant_kept", "A constant term differentiates to 0."),)
           if constant else ()),
         Mistake(f"{x}^T ({a} + {a}^T) {other} {b}^T", "sign",
                 "The linear term keeps its sign."),
         Mistake(f"{x}^T ({a} + {a}^T)", "missing_term",
                 f"The linear term contributes {sign if sign == '-' else ''}{b}^T.")),
        denominator,
    )


def _two_matrices(variant: str, x: str, a: str, m: str, c: int) -> Draft:
    given = f"{x}[n], {a}[n,n], {m}[n,n]"
    bx = symbol(x, given)
    if variant == "product":
        function = f"{x}^T {a} {m} {x}"
        row, column = f"{x}^T ({a} {m} + {m}^T {a}^T)", f"({a} {m} + {m}^T {a}^T) {x}"
        opening = (rf"Let $K = {a}{m}$; then $f = {bx}^{{\top}}K{bx}$, whose derivative is "
                   rf"${bx}^{{\top}}(K + K^{{\top}})$ as a row.",
                   rf"$K^{{\top}} = ({a}{m})^{{\top}} = {m}^{{\top}}{a}^{{\top}}$: a transposed "
                   r"product reverses its factors.")
        mistakes = (Mistake(f"2 {x}^T {a} {m}", "assumed_symmetric",
                            "AB is not symmetric: use K + K^T with K = AB, not 2K."),
                    Mistake(f"{x}^T ({a} {m} + {a}^T {m}^T)", "transpose_order",
                            "(AB)^T = B^T A^T: the factors swap."))
    else:
        s = "-" if variant == "difference" else "+"
        function = (f"{x}^T {a} {x} + {c} {x}^T {m} {x}" if variant == "split"
                    else f"{x}^T ({a} {s} {c} {m}) {x}")
        inner = f"{a} + {a}^T {s} {c} {m} {s} {c} {m}^T"
        row, column = f"{x}^T ({inner})", f"({inner}) {x}"
        if variant == "split":
            opening = (r"The derivative of a sum is the sum of the derivatives; each quadratic "
                       rf"form ${bx}^{{\top}}K{bx}$ gives ${bx}^{{\top}}(K + K^{{\top}})$ as a "
                       r"row.",
                       rf"The factor {c} stays on the second term.")
        else:
            opening = (rf"Let $K = {a} {s} {c}{m}$; then $f = {bx}^{{\top}}K{bx}$, whose "
                       rf"derivative is ${bx}^{{\top}}(K + K^{{\top}})$ as a row.",
                       rf"$K^{{\top}} = {a}^{{\top}} {s} {c}{m}^{{\top}}$.")
        mistakes = (Mistake(f"2 {x}^T ({a} {s} {c} {m})", "assumed_symmetric",
                            "K = A + cB is not symmetric: use K + K^T, not 2K."),
                    Mistake(f"{x}^T ({a} + {a}^T {s} {m} {s} {m}^T)", "dropped_coefficient",
                            f"The factor {c} on {m} stays."))
    steps, denominator = gradient_steps(given, x, opening, row, column)
    return Draft(given, x, function, row, "gradient", steps,
                 (*mistakes, Mistake(column, "layout", _ROW)), denominator)


def _mahalanobis(x: str, mu: str, s: str, *, by_mean: bool, reversed_: bool, inverse: bool,
                 scale: str) -> Draft:
    """``scale`` is "" (the squared Mahalanobis distance), "1/2" or "-1/2" (the exponent of a
    Gaussian density); ``inverse`` False writes a precision matrix instead of a covariance."""
    given = f"{x}[n], {mu}[n], {s}[n,n]"
    d = f"({mu} - {x})" if reversed_ else f"({x} - {mu})"
    w, wt = (f"{s}^-1", f"{s}^-T") if inverse else (s, f"{s}^T")
    front = {"": "", "1/2": "(1/2) ", "-1/2": "-(1/2) "}[scale]
    function = f"{front}{d}^T {w} {d}"
    wrt = mu if by_mean else x
    # d enters with a plus sign when wrt is its first term: dd/d(wrt) = I, else -I.
    plus = (wrt == mu) == reversed_
    negative = (not plus) != (scale == "-1/2")
    lead = "-" if negative else ""
    half = "(1/2) " if scale else ""
    row = f"{lead}{half}{d}^T ({w} + {wt})"
    column = f"{lead}{half}({w} + {wt}) {d}"
    bw, bu = symbol(wrt, given), tex(d, given)
    tw = tex(w, given)
    front_tex = {"": "", "1/2": r"\frac{1}{2}", "-1/2": r"-\frac{1}{2}"}[scale]
    opening = (rf"Let $\mathbf{{d}} = {bu}$, so "
               rf"$f = {front_tex}\mathbf{{d}}^{{\top}}{tw}\mathbf{{d}}$ and "
               rf"$\partial\mathbf{{d}}/\partial {bw} = {'I' if plus else '-I'}$.",
               rf"As for any quadratic form, $\mathbf{{d}}^{{\top}}{tw}\mathbf{{d}}$ changes by "
               rf"$\mathbf{{d}}^{{\top}}({tw} + {tex(wt, given)})\,d\mathbf{{d}}$; the chain "
               rf"rule puts $d\mathbf{{d}} = {'' if plus else '-'}d{bw}$"
               + (rf", and the constant factor ${front_tex}$ stays." if scale else "."))
    steps, denominator = gradient_steps(given, wrt, opening, row, column)
    flip = "" if negative else "-"
    return Draft(
        given, wrt, function, row, "gradient", steps,
        (Mistake(f"{flip}{half}{d}^T ({w} + {wt})", "sign",
                 f"d{d}/d{wrt} is {'I' if plus else '-I'}: mind the sign the chain rule "
                 "brings."),
         Mistake(f"{lead}{'' if scale else '2 '}{d}^T {w}", "assumed_symmetric",
                 f"{s} is not given as symmetric here: keep {w} + {wt}."),
         Mistake(column, "layout", _ROW)),
        denominator,
    )


def _hessian(variant: str, x: str, a: str, m: str, b: str, c: int) -> Draft:
    given = f"{x}[n], {a}[n,n]" + (f", {b}[n]" if variant in ("linear", "residual") else "") \
        + (f", {m}[n,n]" if variant == "two" else "")
    bx = symbol(x, given)
    if variant == "residual":
        function, answer = f"norm({a} {x} + {b})^2", f"2 {a}^T {a}"
        steps = (rf"Let $\mathbf{{r}} = {a}{bx} + {symbol(b, given)}$; the gradient of "
                 rf"$\mathbf{{r}}^{{\top}}\mathbf{{r}}$ (as a column) is "
                 rf"$2{a}^{{\top}}({a}{bx} + {symbol(b, given)})$.",
                 rf"Differentiating it again by ${bx}$ gives the constant Hessian "
                 rf"$2{a}^{{\top}}{a}$.")
        mistakes = (Mistake(f"2 {a} {a}^T", "transpose_order",
                            "The inner Jacobian A multiplies on the right: 2 A^T A."),
                    Mistake(f"{a}^T {a}", "missing_factor_2",
                            "A squared norm brings down a factor 2."))
        return Draft(given, x, function, answer, "hessian", steps, mistakes)
    extra = {"linear": (f" + {b}^T {x}", "", r"the linear term vanishes"),
             "two": (f" + {c} {x}^T {m} {x}", f" + {c} ({m} + {m}^T)",
                     rf"the second quadratic form gives ${c}({m} + {m}^{{\top}})$"),
             "ridge": (f" + {c} norm({x})^2", f" + {2 * c} I_n",
                       rf"${c}\lVert{bx}\rVert^2 = {c}{bx}^{{\top}}{bx}$ gives "
                       rf"${2 * c}I$")}[variant]
    function, answer = f"{x}^T {a} {x}{extra[0]}", f"{a} + {a}^T{extra[1]}"
    steps = (rf"The gradient of ${bx}^{{\top}}{a}{bx}$ as a column is $({a} + {a}^{{\top}})"
             rf"{bx}$, a linear function of ${bx}$.",
             rf"Differentiating again by ${bx}$ gives the constant matrix ${a} + "
             rf"{a}^{{\top}}$; {extra[2]}. The Hessian is ${tex(answer, given)}$, the same in "
             r"both layouts.")
    return Draft(
        given, x, function, answer, "hessian", steps,
        (Mistake(f"2 {a}{extra[1]}", "assumed_symmetric",
                 f"{a} is not symmetric: its quadratic form has Hessian A + A^T."),
         Mistake(f"{a}{extra[1]}", "half_of_the_product_rule",
                 f"Both occurrences of {x} contribute.")),
    )


FAMILY = Family(
    name="quadratic",
    title="Quadratic forms and Hessians",
    source="Matrix Cookbook eq. (81) (xᵀBx), §2.4.2 (Mahalanobis-type forms); "
           "Parr & Howard §4.2 (product rule)",
    difficulties=(1, 2, 3, 4, 5),
    forms=("symbolic", "numeric"),
    draft=draft,
)
