"""Norms and least squares (identity bank: ‖x‖₂ → x/‖x‖, ‖Ax−b‖² → 2Aᵀ(Ax−b), ridge, MSE; row 9).

Difficulty 1: a scaled squared norm c‖x‖².  2: one of c‖x‖₂, c‖x − a‖₂, c‖x‖₁, c‖Ax − b‖²
(the numeric form keeps the last two, whose keys are rational).  3: a regularised or averaged
loss: ridge c‖Ax − b‖² + λ‖x‖², lasso c‖Ax − b‖² + λ‖x‖₁, or the mean squared error
(1/N)‖Xw − y‖².  Answers are rows (numerator layout): 2(Ax − b)ᵀA, not 2Aᵀ(Ax − b).
"""

from __future__ import annotations

import random

from generator.family import Draft, Family
from grader.exercise_set import Form
from grader.verdict import Mistake


def _times(c: int, expression: str) -> str:
    """``c expression``, without a visible factor 1."""
    return expression if c == 1 else f"{c} {expression}"


def draft(rng: random.Random, difficulty: int, form: Form) -> Draft:
    numeric = form == "numeric"
    if difficulty == 1:
        return _squared_norm(rng.randint(2, 9))
    if difficulty == 2:
        variants = ("residual",) if numeric else ("norm", "shifted", "l1", "residual")
        variant = rng.choice(variants)
        c = rng.randint(1, 5)
        if variant == "norm":
            return _norm(c)
        if variant == "shifted":
            return _shifted(c)
        if variant == "l1":
            return _l1(c)
        return _residual(c)
    variant = rng.choice(("ridge", "mse") if numeric else ("ridge", "lasso", "mse"))
    if variant == "mse":
        # With numbers, N is the number of rows of X (a concrete size), not a free scalar.
        return _mse(str(rng.choice((2, 3, 4))) if numeric else "N")
    c = rng.randint(1, 4)
    if variant == "lasso":
        return _lasso(c)
    # With numbers, lambda is a positive literal (the framework draws declared scalars signed).
    return _ridge(c, str(rng.randint(2, 5)) if numeric else "lambda")


def _squared_norm(c: int) -> Draft:
    return Draft(
        "x[n]", "x", f"{c} norm(x)^2", f"{2 * c} x^T", "gradient",
        (r"Write $\lVert\mathbf{x}\rVert^2 = \mathbf{x}^{\top}\mathbf{x} = \sum_i x_i^2$; "
         r"by the power rule each $\partial/\partial x_k$ gives $2x_k$.",
         rf"So $\partial f/\partial\mathbf{{x}} = {c}\cdot 2\mathbf{{x}}^{{\top}} = "
         rf"{2 * c}\mathbf{{x}}^{{\top}}$, a row in numerator layout."),
        (Mistake(f"{c} x^T", "missing_factor_2",
                 "The power rule on x_i^2 brings down a factor 2."),
         Mistake(f"{2 * c} x", "layout",
                 "That is the column form: this sheet's layout asks for the row."),
         *((Mistake("2 x^T", "dropped_coefficient", f"The constant factor {c} stays."),)
           if c != 2 else ())),
    )


def _norm(c: int) -> Draft:
    return Draft(
        "x[n]", "x", _times(c, "norm(x)"), _times(c, "x^T / norm(x)"), "gradient",
        (r"Write $\lVert\mathbf{x}\rVert = \sqrt{u}$ with $u = \mathbf{x}^{\top}\mathbf{x}$ "
         r"and use the chain rule: $d\sqrt{u}/du = 1/(2\sqrt{u})$ and "
         r"$\partial u/\partial\mathbf{x} = 2\mathbf{x}^{\top}$.",
         rf"The 2s cancel: $\partial f/\partial\mathbf{{x}} = {c if c != 1 else ''}"
         r"\mathbf{x}^{\top}/\lVert\mathbf{x}\rVert$."),
        (Mistake(_times(c, "x^T / norm(x)^2"), "squared_norm",
                 "The derivative of the norm divides by the norm itself, not its square."),
         Mistake(_times(2 * c, "x^T / norm(x)"), "missing_half",
                 "d sqrt(u)/du = 1/(2 sqrt(u)): the 2 from x^T x cancels against it.")),
    )


def _shifted(c: int) -> Draft:
    return Draft(
        "x[n], a[n]", "x", _times(c, "norm(x - a)"), _times(c, "(x - a)^T / norm(x - a)"),
        "gradient",
        (r"Let $\mathbf{u} = \mathbf{x} - \mathbf{a}$; then $\partial\mathbf{u}/\partial\mathbf{x}"
         r" = I$ and $\partial\lVert\mathbf{u}\rVert/\partial\mathbf{u} = "
         r"\mathbf{u}^{\top}/\lVert\mathbf{u}\rVert$.",
         r"By the vector chain rule $\partial f/\partial\mathbf{x} = "
         rf"{c if c != 1 else ''}(\mathbf{{x}} - \mathbf{{a}})^{{\top}}/"
         r"\lVert\mathbf{x} - \mathbf{a}\rVert$."),
        (Mistake(_times(c, "(a - x)^T / norm(x - a)"), "sign",
                 "d(x - a)/dx = I, not -I: the sign stays positive."),
         Mistake(_times(c, "(x - a)^T / norm(x - a)^2"), "squared_norm",
                 "The derivative of the norm divides by the norm itself, not its square.")),
    )


def _l1(c: int) -> Draft:
    return Draft(
        "x[n]", "x", _times(c, "norm(x, 1)"), _times(c, "sign(x)^T"), "gradient",
        (r"$\lVert\mathbf{x}\rVert_1 = \sum_i |x_i|$ is a sum reduction of $|x_i|$, and "
         r"$d|x_i|/dx_i = \operatorname{sign}(x_i)$ away from 0.",
         rf"So $\partial f/\partial\mathbf{{x}} = {c if c != 1 else ''}"
         r"\operatorname{sign}(\mathbf{x})^{\top}$."),
        (Mistake(_times(c, "ones(n)^T"), "dropped_sign",
                 "d|x_i|/dx_i is sign(x_i), which is -1 for negative x_i."),
         Mistake(_times(c, "sign(x)"), "layout",
                 "That is the column form: this sheet's layout asks for the row.")),
    )


def _residual(c: int) -> Draft:
    return Draft(
        "x[n], A[m,n], b[m]", "x", _times(c, "norm(A x - b)^2"),
        f"{2 * c} (A x - b)^T A", "gradient",
        (r"Let $\mathbf{r} = A\mathbf{x} - \mathbf{b}$, so $\partial\mathbf{r}/\partial\mathbf{x}"
         r" = A$ and $\partial\lVert\mathbf{r}\rVert^2/\partial\mathbf{r} = 2\mathbf{r}^{\top}$.",
         rf"Vector chain rule: $\partial f/\partial\mathbf{{x}} = {2 * c}"
         r"(A\mathbf{x} - \mathbf{b})^{\top}A$ (the column form is "
         rf"${2 * c}A^{{\top}}(A\mathbf{{x}} - \mathbf{{b}})$)."),
        (Mistake(_times(c, "(A x - b)^T A"), "missing_factor_2",
                 "The derivative of a squared norm brings down a factor 2."),
         Mistake(f"{2 * c} (A x - b)^T", "missing_inner_jacobian",
                 "The chain rule multiplies by d(Ax - b)/dx = A."),
         Mistake(f"{2 * c} (b - A x)^T A", "sign",
                 "d(Ax - b)/dx = A, with a plus sign: the residual is Ax - b."),
         Mistake(f"{2 * c} A^T (A x - b)", "layout",
                 "That is the column form: this sheet's layout asks for the row.")),
    )


def _ridge(c: int, lam: str) -> Draft:
    """``lam`` is ``lambda`` (declared) or, for numbers, a positive integer."""
    twice = f"{2 * int(lam)}" if lam.isdigit() else f"2 {lam}"
    lam_tex = lam if lam.isdigit() else r"\lambda"
    twice_tex = twice if lam.isdigit() else r"2\lambda"
    data = f"{2 * c} (A x - b)^T A"
    given = "x[n], A[m,n], b[m]" + ("" if lam.isdigit() else f", {lam}")
    return Draft(
        given, "x", f"{_times(c, 'norm(A x - b)^2')} + {lam} norm(x)^2",
        f"{data} + {twice} x^T", "gradient",
        (r"The derivative of a sum is the sum of the derivatives.",
         rf"The data term gives ${2 * c}(A\mathbf{{x}} - \mathbf{{b}})^{{\top}}A$ (chain rule "
         rf"through $\mathbf{{r}} = A\mathbf{{x}} - \mathbf{{b}}$); the penalty "
         rf"${lam_tex}\,\mathbf{{x}}^{{\top}}\mathbf{{x}}$ gives "
         rf"${twice_tex}\,\mathbf{{x}}^{{\top}}$."),
        (Mistake(f"{data} + {lam} x^T", "penalty_missing_2",
                 "lambda ||x||^2 differentiates to 2 lambda x^T, not lambda x^T."),
         Mistake(f"{_times(c, '(A x - b)^T A')} + {lam} x^T", "missing_factor_2",
                 "Both squared norms bring down a factor 2."),
         Mistake(f"{2 * c} (b - A x)^T A + {twice} x^T", "sign",
                 "d(Ax - b)/dx = A, with a plus sign: the residual is Ax - b."),
         Mistake(f"{2 * c} A^T (A x - b) + {twice} x", "layout",
                 "That is the column form: this sheet's layout asks for the row.")),
    )


def _lasso(c: int) -> Draft:
    data = f"{2 * c} (A x - b)^T A"
    return Draft(
        "x[n], A[m,n], b[m], lambda", "x", f"{_times(c, 'norm(A x - b)^2')} + lambda norm(x, 1)",
        f"{data} + lambda sign(x)^T", "gradient",
        (r"The derivative of a sum is the sum of the derivatives.",
         rf"The data term gives ${2 * c}(A\mathbf{{x}} - \mathbf{{b}})^{{\top}}A$; the penalty "
         r"$\lambda\sum_i|x_i|$ is a sum reduction giving "
         r"$\lambda\operatorname{sign}(\mathbf{x})^{\top}$ (away from 0)."),
        (Mistake(f"{data} + 2 lambda x^T", "l1_as_squared",
                 "The 1-norm is not squared: d|x_i|/dx_i = sign(x_i)."),
         Mistake(f"{_times(c, '(A x - b)^T A')} + lambda sign(x)^T", "missing_factor_2",
                 "The squared norm brings down a factor 2."),
         Mistake(f"{2 * c} (b - A x)^T A + lambda sign(x)^T", "sign",
                 "d(Ax - b)/dx = A, with a plus sign: the residual is Ax - b.")),
    )


def _mse(count: str) -> Draft:
    """``count`` is ``N`` (declared) or, for numbers, the concrete number of rows of X."""
    concrete = count.isdigit()
    given = f"w[n], X[{count},n], y[{count}]" if concrete else "w[n], X[m,n], y[m], N"
    return Draft(
        given, "w", f"(1/{count}) norm(X w - y)^2", f"(2/{count}) (X w - y)^T X", "gradient",
        (r"Let $\mathbf{e} = X\mathbf{w} - \mathbf{y}$ (the residuals), so "
         r"$\partial\mathbf{e}/\partial\mathbf{w} = X$ and "
         r"$\partial\lVert\mathbf{e}\rVert^2/\partial\mathbf{e} = 2\mathbf{e}^{\top}$.",
         rf"The constant factor $1/{count}$ stays: $\partial f/\partial\mathbf{{w}} = "
         rf"\frac{{2}}{{{count}}}(X\mathbf{{w}} - \mathbf{{y}})^{{\top}}X$."),
        (Mistake("2 (X w - y)^T X", "dropped_1_over_N",
                 f"The constant factor 1/{count} stays."),
         Mistake(f"(1/{count}) (X w - y)^T X", "missing_factor_2",
                 "The squared norm brings down a factor 2."),
         Mistake(f"(2/{count}) (y - X w)^T X", "sign",
                 "d(Xw - y)/dw = X, with a plus sign: the residual is Xw - y."),
         Mistake(f"(2/{count}) X^T (X w - y)", "layout",
                 "That is the column form: this sheet's layout asks for the row.")),
    )


FAMILY = Family(
    name="least_squares",
    title="Norms and least squares",
    source="identities.md §2 (‖x‖₂, ‖x − a‖₂, ‖x‖₁, ‖Ax − b‖², ridge, (1/N)‖Xw − y‖²); §5 row 9",
    difficulties=(1, 2, 3),
    forms=("symbolic", "numeric"),
    draft=draft,
)
