"""Norms and least squares (Matrix Cookbook §2.6.1, eqs. (129) ∂‖x − a‖₂/∂x and (131) ∂‖x‖₂²/∂x;
§2.4.2 for ‖Ax − b‖²; the ridge and lasso penalties and the mean squared error of regression).

Names come from the family's natural set (x or w for the unknown, A or X for the data matrix, b or
y for the targets).  Difficulty 1: a scaled squared norm, c‖x‖², c xᵀx, c‖x − a‖² or
c(x − a)ᵀ(x − a).  2: one of c‖x‖₂, c‖x − a‖₂, c‖x‖₁, c‖Ax − b‖²
(the numeric form keeps the last two, whose keys are rational).  3: a regularised or averaged
loss: ridge c‖Ax − b‖² + λ‖x‖², lasso c‖Ax − b‖² + λ‖x‖₁, or the mean squared error
(1/N)‖Xw − y‖², with the residual written Ax − b or b − Ax.  Answers are rows in numerator layout,
2(Ax − b)ᵀA, and columns in denominator layout, 2Aᵀ(Ax − b); the steps are worked in the sheet's.
"""

from __future__ import annotations

import random

from generator.families.writing import gradient_steps
from generator.family import Draft, Family
from grader.exercise_set import Form
from grader.verdict import Mistake


def _times(c: int, expression: str) -> str:
    """``c expression``, without a visible factor 1."""
    return expression if c == 1 else f"{c} {expression}"


def _c(c: int) -> str:
    return "" if c == 1 else str(c)


_ROW = "That is the column form: this sheet's layout asks for the row."


def draft(rng: random.Random, difficulty: int, form: Form) -> Draft:
    numeric = form == "numeric"
    if difficulty == 1:
        return _squared_norm(rng.randint(2, 9),
                             rng.choice(("norm", "inner", "shifted", "shifted_inner")))
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
        return _residual(c, flipped=rng.random() < 0.5)
    variant = rng.choice(("ridge", "mse") if numeric else ("ridge", "lasso", "mse"))
    flipped = rng.random() < 0.5
    if variant == "mse":
        # With numbers, N is the number of rows of X (a concrete size), not a free scalar.
        return _mse(str(rng.choice((2, 3, 4))) if numeric else "N", flipped)
    c = rng.randint(1, 6)
    if variant == "lasso":
        return _lasso(c, flipped)
    # With numbers, lambda is a positive literal (the framework draws declared scalars signed).
    return _ridge(c, str(rng.randint(2, 5)) if numeric else "lambda", flipped)


def _residual_text(flipped: bool, a: str = "A", x: str = "x", b: str = "b") -> str:
    return f"{b} - {a} {x}" if flipped else f"{a} {x} - {b}"


def _squared_norm(c: int, variant: str) -> Draft:
    shifted = variant.startswith("shifted")
    u, tu = ("x - a", r"\mathbf{x} - \mathbf{a}") if shifted else ("x", r"\mathbf{x}")
    function = {"norm": f"{c} norm(x)^2", "inner": f"{c} x^T x",
                "shifted": f"{c} norm(x - a)^2",
                "shifted_inner": f"{c} (x - a)^T (x - a)"}[variant]
    row = f"{2 * c} ({u})^T" if shifted else f"{2 * c} x^T"
    column = f"{2 * c} ({u})" if shifted else f"{2 * c} x"
    opening = (
        (rf"Let $\mathbf{{d}} = {tu}$, so $\partial\mathbf{{d}}/\partial\mathbf{{x}} = I$; "
         if shifted else "")
        + rf"${'f' if variant.endswith('inner') else 'The squared norm'} = "
        rf"{c}\,\sum_i {'d' if shifted else 'x'}_i^2$ and by the power rule each "
        rf"$\partial/\partial {'d' if shifted else 'x'}_k$ gives "
        rf"$2\cdot{c}\,{'d' if shifted else 'x'}_k = {2 * c}\,{'d' if shifted else 'x'}_k$.",)
    steps, denominator = gradient_steps(
        "x[n], a[n]" if shifted else "x[n]", "x", opening, row, column)
    given = "x[n], a[n]" if shifted else "x[n]"
    inner = f"({u})" if shifted else "x"
    return Draft(
        given, "x", function, row, "gradient", steps,
        (Mistake(f"{c} {inner}^T", "missing_factor_2",
                 "The power rule on a square brings down a factor 2."),
         Mistake(column, "layout", _ROW),
         *((Mistake(f"2 {inner}^T", "dropped_coefficient", f"The constant factor {c} stays."),)
           if c != 2 else ()),
         *((Mistake(f"{2 * c} (a - x)^T", "sign",
                    "d(x - a)/dx = I: the sign stays positive."),) if shifted else ())),
        denominator,
    )


def _norm(c: int) -> Draft:
    opening = (r"Write $\lVert\mathbf{x}\rVert = \sqrt{u}$ with $u = \mathbf{x}^{\top}\mathbf{x}$ "
               r"and use the chain rule: $d\sqrt{u}/du = 1/(2\sqrt{u})$, and $u$ changes by "
               r"$2\mathbf{x}^{\top}d\mathbf{x}$.",
               r"The 2s cancel, and the constant factor stays.")
    steps, denominator = gradient_steps("x[n]", "x", opening, _times(c, "x^T / norm(x)"),
                                        _times(c, "x / norm(x)"))
    return Draft(
        "x[n]", "x", _times(c, "norm(x)"), _times(c, "x^T / norm(x)"), "gradient", steps,
        (Mistake(_times(c, "x^T / norm(x)^2"), "squared_norm",
                 "The derivative of the norm divides by the norm itself, not its square."),
         Mistake(_times(2 * c, "x^T / norm(x)"), "missing_half",
                 "d sqrt(u)/du = 1/(2 sqrt(u)): the 2 from x^T x cancels against it.")),
        denominator,
    )


def _shifted(c: int) -> Draft:
    opening = (r"Let $\mathbf{u} = \mathbf{x} - \mathbf{a}$; then $\partial\mathbf{u}/"
               r"\partial\mathbf{x} = I$, and $\lVert\mathbf{u}\rVert$ changes by "
               r"$\mathbf{u}^{\top}d\mathbf{u}/\lVert\mathbf{u}\rVert$ "
               r"(Matrix Cookbook eq. (129)).",)
    steps, denominator = gradient_steps(
        "x[n], a[n]", "x", opening, _times(c, "(x - a)^T / norm(x - a)"),
        _times(c, "(x - a) / norm(x - a)"))
    return Draft(
        "x[n], a[n]", "x", _times(c, "norm(x - a)"), _times(c, "(x - a)^T / norm(x - a)"),
        "gradient", steps,
        (Mistake(_times(c, "(a - x)^T / norm(x - a)"), "sign",
                 "d(x - a)/dx = I, not -I: the sign stays positive."),
         Mistake(_times(c, "(x - a)^T / norm(x - a)^2"), "squared_norm",
                 "The derivative of the norm divides by the norm itself, not its square.")),
        denominator,
    )


def _l1(c: int) -> Draft:
    opening = (r"$\lVert\mathbf{x}\rVert_1 = \sum_i |x_i|$ is a sum reduction of $|x_i|$, and "
               r"$d|x_i|/dx_i = \operatorname{sign}(x_i)$ away from 0.",)
    steps, denominator = gradient_steps("x[n]", "x", opening, _times(c, "sign(x)^T"),
                                        _times(c, "sign(x)"))
    return Draft(
        "x[n]", "x", _times(c, "norm(x, 1)"), _times(c, "sign(x)^T"), "gradient", steps,
        (Mistake(_times(c, "ones(n)^T"), "dropped_sign",
                 "d|x_i|/dx_i is sign(x_i), which is -1 for negative x_i."),
         Mistake(_times(c, "sign(x)"), "layout", _ROW)),
        denominator,
    )


def _data_term(c: int, flipped: bool, given: str = "x[n], A[m,n], b[m]"
               ) -> tuple[str, str]:
    """The opening step for c‖r‖² with r the residual: its text and the residual's TeX."""
    r = r"\mathbf{b} - A\mathbf{x}" if flipped else r"A\mathbf{x} - \mathbf{b}"
    jac = "-A" if flipped else "A"
    return (rf"Let $\mathbf{{r}} = {r}$, so $d\mathbf{{r}} = {jac}\,d\mathbf{{x}}$, and "
            rf"${_c(c)}\lVert\mathbf{{r}}\rVert^2$ changes by ${2 * c}\mathbf{{r}}^{{\top}}"
            rf"d\mathbf{{r}} = {2 * c}(A\mathbf{{x}} - \mathbf{{b}})^{{\top}}A\,d\mathbf{{x}}$"
            + (" (the two minus signs cancel)." if flipped else "."), r)


def _residual(c: int, *, flipped: bool) -> Draft:
    given = "x[n], A[m,n], b[m]"
    opening = (_data_term(c, flipped)[0],)
    row, column = f"{2 * c} (A x - b)^T A", f"{2 * c} A^T (A x - b)"
    steps, denominator = gradient_steps(given, "x", opening, row, column)
    return Draft(
        given, "x", _times(c, f"norm({_residual_text(flipped)})^2"), row, "gradient", steps,
        (Mistake(_times(c, "(A x - b)^T A"), "missing_factor_2",
                 "The derivative of a squared norm brings down a factor 2."),
         Mistake(f"{2 * c} (A x - b)^T", "missing_inner_jacobian",
                 "The chain rule multiplies by the Jacobian of the residual, ±A."),
         Mistake(f"{2 * c} (b - A x)^T A", "sign",
                 "The residual's sign does not matter in a square: the gradient is "
                 "2c (Ax - b)^T A."),
         Mistake(column, "layout", _ROW)),
        denominator,
    )


def _ridge(c: int, lam: str, flipped: bool) -> Draft:
    """``lam`` is ``lambda`` (declared) or, for numbers, a positive integer."""
    twice = f"{2 * int(lam)}" if lam.isdigit() else f"2 {lam}"
    lam_tex = lam if lam.isdigit() else r"\lambda"
    twice_tex = twice if lam.isdigit() else r"2\lambda"
    data = f"{2 * c} (A x - b)^T A"
    given = "x[n], A[m,n], b[m]" + ("" if lam.isdigit() else f", {lam}")
    opening = (r"The derivative of a sum is the sum of the derivatives.",
               _data_term(c, flipped)[0],
               rf"The penalty ${lam_tex}\,\mathbf{{x}}^{{\top}}\mathbf{{x}}$ changes by "
               rf"${twice_tex}\,\mathbf{{x}}^{{\top}}d\mathbf{{x}}$.")
    steps, denominator = gradient_steps(given, "x", opening, f"{data} + {twice} x^T",
                                        f"{2 * c} A^T (A x - b) + {twice} x")
    return Draft(
        given, "x", f"{_times(c, f'norm({_residual_text(flipped)})^2')} + {lam} norm(x)^2",
        f"{data} + {twice} x^T", "gradient", steps,
        (Mistake(f"{data} + {lam} x^T", "penalty_missing_2",
                 "lambda ||x||^2 differentiates to 2 lambda x^T, not lambda x^T."),
         Mistake(f"{_times(c, '(A x - b)^T A')} + {lam} x^T", "missing_factor_2",
                 "Both squared norms bring down a factor 2."),
         Mistake(f"{2 * c} (b - A x)^T A + {twice} x^T", "sign",
                 "Mind the residual's sign: the data term gives 2c (Ax - b)^T A."),
         Mistake(f"{2 * c} A^T (A x - b) + {twice} x", "layout", _ROW)),
        denominator,
    )


def _lasso(c: int, flipped: bool) -> Draft:
    data = f"{2 * c} (A x - b)^T A"
    given = "x[n], A[m,n], b[m], lambda"
    opening = (r"The derivative of a sum is the sum of the derivatives.",
               _data_term(c, flipped)[0],
               r"The penalty $\lambda\sum_i|x_i|$ is a sum reduction whose derivative by $x_i$ "
               r"is $\lambda\operatorname{sign}(x_i)$ (away from 0).")
    steps, denominator = gradient_steps(given, "x", opening, f"{data} + lambda sign(x)^T",
                                        f"{2 * c} A^T (A x - b) + lambda sign(x)")
    return Draft(
        given, "x",
        f"{_times(c, f'norm({_residual_text(flipped)})^2')} + lambda norm(x, 1)",
        f"{data} + lambda sign(x)^T", "gradient", steps,
        (Mistake(f"{data} + 2 lambda x^T", "l1_as_squared",
                 "The 1-norm is not squared: d|x_i|/dx_i = sign(x_i)."),
         Mistake(f"{_times(c, '(A x - b)^T A')} + lambda sign(x)^T", "missing_factor_2",
                 "The squared norm brings down a factor 2."),
         Mistake(f"{2 * c} (b - A x)^T A + lambda sign(x)^T", "sign",
                 "Mind the residual's sign: the data term gives 2c (Ax - b)^T A.")),
        denominator,
    )


def _mse(count: str, flipped: bool) -> Draft:
    """``count`` is ``N`` (declared) or, for numbers, the concrete number of rows of X."""
    concrete = count.isdigit()
    given = f"w[n], X[{count},n], y[{count}]" if concrete else "w[n], X[m,n], y[m], N"
    residual = _residual_text(flipped, "X", "w", "y")
    e = r"\mathbf{y} - X\mathbf{w}" if flipped else r"X\mathbf{w} - \mathbf{y}"
    opening = (rf"Let $\mathbf{{e}} = {e}$ (the residuals), so "
               rf"$\partial\mathbf{{e}}/\partial\mathbf{{w}} = {'-X' if flipped else 'X'}$ and "
               r"$\lVert\mathbf{e}\rVert^2$ changes by $2\mathbf{e}^{\top}d\mathbf{e}$.",
               rf"The constant factor $1/{count}$ stays, and "
               + (r"the two minus signs cancel: $-\mathbf{e} = X\mathbf{w} - \mathbf{y}$."
                  if flipped else r"the chain rule multiplies by $X$."))
    steps, denominator = gradient_steps(given, "w", opening, f"(2/{count}) (X w - y)^T X",
                                        f"(2/{count}) X^T (X w - y)")
    return Draft(
        given, "w", f"(1/{count}) norm({residual})^2", f"(2/{count}) (X w - y)^T X",
        "gradient", steps,
        (Mistake("2 (X w - y)^T X", "dropped_1_over_N",
                 f"The constant factor 1/{count} stays."),
         Mistake(f"(1/{count}) (X w - y)^T X", "missing_factor_2",
                 "The squared norm brings down a factor 2."),
         Mistake(f"(2/{count}) (y - X w)^T X", "sign",
                 "Mind the residual's sign: the gradient is (2/N) (Xw - y)^T X."),
         Mistake(f"(2/{count}) X^T (X w - y)", "layout", _ROW)),
        denominator,
    )


FAMILY = Family(
    name="least_squares",
    title="Norms and least squares",
    source="Matrix Cookbook §2.6.1 eqs. (129), (131) (norms), §2.4.2 (‖Ax − b‖²); ridge, lasso "
           "and mean squared error as in Goodfellow, Bengio & Courville, Deep Learning §5.1.4, "
           "§7.1",
    difficulties=(1, 2, 3),
    forms=("symbolic", "numeric"),
    draft=draft,
)
