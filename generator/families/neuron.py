"""The gradient of a neuron's activation and of the MSE loss over a data set (Parr & Howard §5
"The gradient of neuron activation" and §6 "The gradient of the neural network loss function").

Difficulty 2: one neuron a = max(0, wᵀx ± b) or relu(wᵀx ± b), by w (step(wᵀx + b) xᵀ), by b
(±step(wᵀx ± b)) or by x (step(wᵀx + b) wᵀ), names drawn from the family's set.  3: the loss
C = (1/N)‖y − relu(Xw + b)‖² over the rows xᵢᵀ of a data matrix X, by w
((2/N)(relu(Xw + b) − y)ᵀ diag(step(Xw + b)) X) or by b.  4: the same loss with a
weight penalty c‖w‖², by w, or by the data X (the input gradient).  The loss is written
‖y − relu(Xw + b)‖², ‖relu(Xw + b) − y‖² or as a sum of squared errors, with relu or max(0, ·).

The language has no name that is both a dimension and a value, so the symbolic form counts the
samples with a declared scalar N (N = k, the rows of X); the numeric form fixes the number of
samples instead and writes 1/N as a number.  ReLU is not differentiable where its argument is 0:
the framework draws numeric values that keep every pre-activation nonzero.
"""

from __future__ import annotations

import random

from generator.families.writing import renamed
from generator.family import Draft, Family
from grader.exercise_set import Form
from grader.verdict import Mistake


def _neuron_step(sign: str) -> str:
    return (rf"Let $z = \mathbf{{w}}^{{\top}}\mathbf{{x}} {sign} b$: $\partial z/\partial"
            rf"\mathbf{{w}} = \mathbf{{x}}^{{\top}}$, $\partial z/\partial b = "
            rf"{'' if sign == '+' else '-'}1$ and $\partial z/\partial\mathbf{{x}} = "
            r"\mathbf{w}^{\top}$ (dot product, sum reduction).")


def _neuron_step_column(sign: str) -> str:
    return (rf"Let $z = \mathbf{{w}}^{{\top}}\mathbf{{x}} {sign} b$. In denominator layout the "
            r"gradient of a scalar is a column, like the variable: $\partial z/\partial"
            rf"\mathbf{{w}} = \mathbf{{x}}$, $\partial z/\partial b = "
            rf"{'' if sign == '+' else '-'}1$ and "
            r"$\partial z/\partial\mathbf{x} = \mathbf{w}$ (dot product, sum reduction).")


_MAX_STEP = (r"$\frac{d}{dz}\max(0, z)$ is $0$ for $z \le 0$ and $1$ for $z > 0$: "
             r"$\operatorname{step}(z)$.")


def draft(rng: random.Random, difficulty: int, form: Form) -> Draft:
    if difficulty != 2:  # the targets are y or t
        return renamed(_loss(rng, difficulty, form), {"y": rng.choice(("y", "t"))})
    return _loss(rng, difficulty, form)


def _loss(rng: random.Random, difficulty: int, form: Form) -> Draft:
    if difficulty == 2:
        made = _neuron(rng)
        return renamed(made, {"x": rng.choice(("x", "h", "z")), "w": rng.choice(("w", "v"))})
    if form == "numeric":
        count = rng.choice([3, 4, 5])
        given, scale = f"X[{count},n], y[{count}], w[n], b", f"{count}"
        twice = f"2/{count}"
    else:
        given, scale, twice = "X[k,n], y[k], w[n], b, N", "N", "2/N"
    act = rng.choice(("relu(X w + b)", "max(0, X w + b)"))
    loss = f"(1/{scale}) " + rng.choice((f"norm(y - {act})^2", f"norm({act} - y)^2",
                                         f"sum(({act} - y) .^ 2)"))
    error = "(relu(X w + b) - y)"
    mask = "step(X w + b)"
    setup = (rf"Write $\mathbf{{e}} = \operatorname{{relu}}(X\mathbf{{w}} + b) - \mathbf{{y}}$ "
             r"(one error per sample, row $\mathbf{x}_i^{\top}$ of $X$) and $C = "
             rf"\frac{{1}}{{{scale}}}\,\mathbf{{e}}^{{\top}}\mathbf{{e}}$"
             + (r", where $N = k$ is the number of samples." if scale == "N" else "."))
    chain_column = (
        r"In denominator layout the gradient of a scalar is a column: $\partial C/\partial"
        rf"\mathbf{{e}} = \frac{{2}}{{{scale}}}\mathbf{{e}}$. By the element-wise diagonal "
        r"condition, $\partial\operatorname{relu}(X\mathbf{w} + b)/\partial(X\mathbf{w} + "
        r"b) = \operatorname{diag}(\operatorname{step}(X\mathbf{w} + b))$, a diagonal matrix "
        r"and so the same in both layouts: only the active samples count.")
    chain = (r"By the vector chain rule, $\partial C/\partial\mathbf{e} = "
             rf"\frac{{2}}{{{scale}}}\mathbf{{e}}^{{\top}}$ and, by the element-wise diagonal "
             r"condition, $\partial\operatorname{relu}(X\mathbf{w} + b)/\partial(X\mathbf{w} + "
             r"b) = \operatorname{diag}(\operatorname{step}(X\mathbf{w} + b))$: only the active "
             r"samples count.")
    if difficulty == 3:
        if rng.random() < 0.5:
            return Draft(
                given, "w", loss, f"({twice}) {error}^T diag({mask}) X", "gradient",
                (setup, chain,
                 r"$\partial(X\mathbf{w} + b)/\partial\mathbf{w} = X$, so $\partial C/\partial"
                 rf"\mathbf{{w}} = \frac{{2}}{{{scale}}}\mathbf{{e}}^{{\top}}\operatorname{{diag}}"
                 r"(\operatorname{step}(X\mathbf{w} + b))\,X = "
                 rf"\frac{{2}}{{{scale}}}\sum_{{\text{{active}}}}"
                 r"e_i\mathbf{x}_i^{\top}$."),
                (Mistake(f"({twice}) (y - relu(X w + b))^T diag({mask}) X", "sign_of_error",
                         "C is a function of y - relu(Xw + b), whose derivative by w carries a "
                         "minus sign: the error is relu(Xw + b) - y."),
                 Mistake(f"{error}^T diag({mask}) X", "missing_two_over_n",
                         f"Keep the factor {twice}: 2 from the square, 1/N from the mean."),
                 Mistake(f"({twice}) {error}^T X", "inactive_samples_counted",
                         "Samples with Xw + b <= 0 have zero slope through the ReLU: multiply "
                         "by diag(step(Xw + b))."),
                 Mistake(f"({twice}) (X w + b - y)^T X", "relu_ignored",
                         "The ReLU stays: the error is relu(Xw + b) - y and only the active "
                         "samples count.")),
                (setup, chain_column,
                 r"$\partial(X\mathbf{w} + b)/\partial\mathbf{w} = X^{\top}$ in denominator "
                 r"layout, and the chain rule multiplies the factors from the variable outwards: "
                 r"$\partial C/\partial\mathbf{w} = X^{\top}\operatorname{diag}"
                 r"(\operatorname{step}(X\mathbf{w} + b))\,"
                 rf"\frac{{2}}{{{scale}}}\mathbf{{e}} = \frac{{2}}{{{scale}}}"
                 r"\sum_{\text{active}} e_i\mathbf{x}_i$, a column like $\mathbf{w}$."),
            )
        return Draft(
            given, "b", loss, f"({twice}) sum({error} .* {mask})", "derivative",
            (setup, chain,
             r"$\partial(X\mathbf{w} + b)/\partial b = \mathbf{1}$ (scalar expansion), so "
             rf"$\partial C/\partial b = \frac{{2}}{{{scale}}}\,\mathbf{{e}}^{{\top}}"
             r"\operatorname{diag}(\operatorname{step}(X\mathbf{w} + b))\mathbf{1} = "
             rf"\frac{{2}}{{{scale}}}\sum_{{\text{{active}}}} e_i$."),
            (Mistake(f"({twice}) sum((y - relu(X w + b)) .* {mask})", "sign_of_error",
                     "The error is relu(Xw + b) - y: differentiating y - relu(Xw + b) brings a "
                     "minus sign."),
             Mistake(f"sum({error} .* {mask})", "missing_two_over_n",
                     f"Keep the factor {twice}: 2 from the square, 1/N from the mean."),
             Mistake(f"({twice}) sum{error}", "inactive_samples_counted",
                     "Samples with Xw + b <= 0 have zero slope through the ReLU: only the "
                     "active samples count.")),
            (setup, chain_column,
             r"$\partial(X\mathbf{w} + b)/\partial b = \mathbf{1}^{\top}$ in denominator layout "
             r"(scalar expansion; one row for the scalar $b$), and the chain rule multiplies the "
             r"factors from the variable outwards: $\partial C/\partial b = \mathbf{1}^{\top}"
             r"\operatorname{diag}(\operatorname{step}(X\mathbf{w} + b))\,"
             rf"\frac{{2}}{{{scale}}}\mathbf{{e}} = \frac{{2}}{{{scale}}}"
             r"\sum_{\text{active}} e_i$, a scalar."),
        )
    c = rng.choice([1, 2, 3, 5])
    if rng.random() < 0.5:
        penalty = "norm(w)^2" if c == 1 else f"{c} norm(w)^2"
        penalty_slope = "" if c == 1 else f"{c} "
        penalty_tex = "" if c == 1 else rf"{c}\,"
        return Draft(
            given, "w", f"{loss} + {penalty}",
            f"({twice}) {error}^T diag({mask}) X + {2 * c} w^T", "gradient",
            (setup, chain,
             r"The derivative of a sum is the sum of the derivatives: the loss term gives "
             rf"$\frac{{2}}{{{scale}}}\mathbf{{e}}^{{\top}}\operatorname{{diag}}"
             r"(\operatorname{step}(X\mathbf{w} + b))\,X$.",
             rf"The penalty ${penalty_tex}\mathbf{{w}}^{{\top}}\mathbf{{w}}$ gives ${2 * c}\,"
             r"\mathbf{w}^{\top}$."),
            (Mistake(f"({twice}) (y - relu(X w + b))^T diag({mask}) X + {2 * c} w^T",
                     "sign_of_error", "The error is relu(Xw + b) - y, not y - relu(Xw + b)."),
             Mistake(f"({twice}) {error}^T X + {2 * c} w^T", "inactive_samples_counted",
                     "Samples with Xw + b <= 0 have zero slope through the ReLU: multiply by "
                     "diag(step(Xw + b))."),
             Mistake(f"({twice}) {error}^T diag({mask}) X + {penalty_slope}w^T",
                     "penalty_missing_two",
                     f"The derivative of {c} w^T w is {2 * c} w^T."),
             Mistake(f"{error}^T diag({mask}) X + {2 * c} w^T", "missing_two_over_n",
                     f"Keep the factor {twice} on the loss term.")),
            (setup, chain_column,
             r"The derivative of a sum is the sum of the derivatives. In denominator layout "
             r"$\partial(X\mathbf{w} + b)/\partial\mathbf{w} = X^{\top}$ and the chain rule "
             r"multiplies the factors from the variable outwards, so the loss term gives "
             rf"$\frac{{2}}{{{scale}}}X^{{\top}}\operatorname{{diag}}(\operatorname{{step}}"
             r"(X\mathbf{w} + b))\,\mathbf{e}$.",
             rf"The penalty ${penalty_tex}\mathbf{{w}}^{{\top}}\mathbf{{w}}$ gives ${2 * c}\,"
             r"\mathbf{w}$, a column like $\mathbf{w}$."),
        )
    return Draft(
        given, "X", loss, f"({twice}) w ({error} .* {mask})^T", "gradient",
        (setup, chain,
         r"Entry $(i, j)$ of $X$ enters only sample $i$: $\partial C/\partial X_{ij} = "
         rf"\frac{{2}}{{{scale}}}\,e_i\operatorname{{step}}"
         r"(\mathbf{x}_i^{\top}\mathbf{w} + b)\,w_j$.",
         rf"So the gradient (shape of $X$) is $\frac{{2}}{{{scale}}}(\mathbf{{e}}\odot"
         r"\operatorname{step}"
         r"(X\mathbf{w} + b))\mathbf{w}^{\top}$; in numerator layout it is its transpose "
         r"(the variable is $k\times n$, the derivative $n\times k$)."),
        (Mistake(f"({twice}) w ((y - relu(X w + b)) .* {mask})^T", "sign_of_error",
                 "The error is relu(Xw + b) - y, not y - relu(Xw + b)."),
         Mistake(f"({twice}) w {error}^T", "inactive_samples_counted",
                 "Samples with Xw + b <= 0 have zero slope through the ReLU: multiply by "
                 "step(Xw + b) element-wise."),
         Mistake(f"w ({error} .* {mask})^T", "missing_two_over_n",
                 f"Keep the factor {twice}: 2 from the square, 1/N from the mean.")),
        (setup, chain_column,
         r"Entry $(i, j)$ of $X$ enters only sample $i$: $\partial C/\partial X_{ij} = "
         rf"\frac{{2}}{{{scale}}}\,e_i\operatorname{{step}}"
         r"(\mathbf{x}_i^{\top}\mathbf{w} + b)\,w_j$.",
         r"Denominator layout puts $\partial C/\partial X_{ij}$ at position $(i, j)$, so the "
         rf"result has the shape of $X$: $\frac{{2}}{{{scale}}}(\mathbf{{e}}\odot"
         r"\operatorname{step}(X\mathbf{w} + b))\mathbf{w}^{\top}$."),
    )


def _neuron(rng: random.Random) -> Draft:
    sign = rng.choice("+-")
    z = f"w^T x {sign} b"
    given, mask = "x[n], w[n], b", f"step({z})"
    function = rng.choice((f"max(0, {z})", f"relu({z})"))
    which = rng.choice(["w", "b", "x"])
    if which == "b":
        return Draft(
            given, "b", function, mask if sign == "+" else f"-{mask}", "derivative",
            (_neuron_step(sign), _MAX_STEP,
             rf"Chain rule: $\partial a/\partial b = \operatorname{{step}}(\mathbf{{w}}^{{\top}}"
             rf"\mathbf{{x}} {sign} b)\cdot ({sign}1)$: {'' if sign == '+' else '-'}1 when the "
             r"neuron is active, 0 otherwise."),
            (Mistake("1" if sign == "+" else "-1", "inactive_counted",
                     "An inactive neuron (z <= 0) has slope 0: multiply by the step."),
             Mistake(f"max(0, {z})", "activation_for_slope",
                     "The derivative of max(0, z) is step(z), not max(0, z) itself."),
             *((Mistake(mask, "sign", "b enters with a minus sign: dz/db = -1."),)
               if sign == "-" else ())),
            (_neuron_step_column(sign), _MAX_STEP,
             rf"Chain rule: $\partial a/\partial b = ({sign}1)\cdot\operatorname{{step}}"
             rf"(\mathbf{{w}}^{{\top}}\mathbf{{x}} {sign} b)$: {'' if sign == '+' else '-'}1 when "
             r"the neuron is active, 0 otherwise. Both $a$ and $b$ are scalars, so this is the "
             r"derivative in denominator layout too."),
        )
    other = "x" if which == "w" else "w"
    bold = rf"\mathbf{{{other}}}"
    return Draft(
        given, which, function, f"{mask} {other}^T", "gradient",
        (_neuron_step(sign), _MAX_STEP,
         rf"Chain rule: $\partial a/\partial\mathbf{{{which}}} = \operatorname{{step}}"
         rf"(\mathbf{{w}}^{{\top}}\mathbf{{x}} {sign} b)\,{bold}^{{\top}}$: ${bold}^{{\top}}$ when "
         r"the neuron is active, $\mathbf{0}^{\top}$ otherwise."),
        (Mistake(f"{other}^T", "inactive_counted",
                 "An inactive neuron (z <= 0) has slope 0: multiply by the step."),
         Mistake(f"max(0, {z}) {other}^T", "activation_for_slope",
                 "The derivative of max(0, z) is step(z), not max(0, z) itself."),
         Mistake(f"{mask} {which}^T", "wrong_factor",
                 f"∂(w^T x)/∂{which} is {other}^T: the other factor of the dot product.")),
        (_neuron_step_column(sign), _MAX_STEP,
         r"Chain rule, in denominator layout the factors from the variable outwards: "
         rf"$\partial a/\partial\mathbf{{{which}}} = (\partial z/\partial\mathbf{{{which}}})"
         rf"(\partial a/\partial z) = {bold}\,\operatorname{{step}}(\mathbf{{w}}^{{\top}}"
         rf"\mathbf{{x}} {sign} b)$: ${bold}$ when the neuron is active, $\mathbf{{0}}$ "
         rf"otherwise, a column like $\mathbf{{{which}}}$."),
    )


FAMILY = Family(
    name="neuron",
    title="Neuron activation and MSE loss",
    source="Parr & Howard §5 (the gradient of neuron activation), §6 (the gradient of the "
           "neural network loss function)",
    difficulties=(2, 3, 4),
    forms=("symbolic", "numeric"),
    draft=draft,
)
