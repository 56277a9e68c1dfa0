"""Softmax, cross-entropy, the logistic loss and binary cross-entropy (Goodfellow, Bengio &
Courville, Deep Learning §6.2.2.2 "Sigmoid units", §6.2.2.3 "Softmax units"; Bishop, Pattern
Recognition and Machine Learning §4.3.2 (logistic regression), §4.3.4 (softmax)).

Difficulty 3: the softmax Jacobian diag(s) − s sᵀ (of softmax(z) or softmax(c z)); the
cross-entropy −yᵀ log softmax(z) by z, (1ᵀy) sᵀ − yᵀ (y is not assumed one-hot, so the general
form); the logistic loss log(1 + exp(−y wᵀx)) by w; binary cross-entropy of σ(wᵀx + b) by w or b.
4: through a linear layer z = Wx: cross-entropy by W or by x, the softmax Jacobian by x, and the
summed logistic loss of a data set, sum(log(1 + exp(−y ⊙ Xw))), by w.

Names are drawn from the family's set (z or u for logits, x or h for inputs, w or v for
weights, W or M for a weight matrix).  All keys hold exp/log/σ/softmax, so the family is
symbolic only.
"""

from __future__ import annotations

import random

from generator.families.writing import renamed
from generator.family import Draft, Family
from grader.exercise_set import Form
from grader.verdict import Mistake

_SOFTMAX = (r"With $\mathbf{s} = \operatorname{softmax}(\mathbf{z})$, $s_i = e^{z_i}/\sum_j "
            r"e^{z_j}$: $\partial s_i/\partial z_j = s_i(\delta_{ij} - s_j)$, so $\partial"
            r"\mathbf{s}/\partial\mathbf{z} = \operatorname{diag}(\mathbf{s}) - \mathbf{s}"
            r"\mathbf{s}^{\top}$.")
_CE = (r"$-\mathbf{y}^{\top}\log\operatorname{softmax}(\mathbf{z}) = -\mathbf{y}^{\top}"
       r"\mathbf{z} + (\mathbf{1}^{\top}\mathbf{y})\log\sum_j e^{z_j}$; the derivative of "
       r"$\log\sum_j e^{z_j}$ by $\mathbf{z}$ is $\mathbf{s}^{\top}$, so $\partial f/\partial"
       r"\mathbf{z} = (\mathbf{1}^{\top}\mathbf{y})\,\mathbf{s}^{\top} - \mathbf{y}^{\top}$ "
       r"(it is $\mathbf{s}^{\top} - \mathbf{y}^{\top}$ only when $\mathbf{1}^{\top}\mathbf{y} "
       r"= 1$).")
#: _CE in denominator layout, where the gradient is a column like z.
_CE_COLUMN = (
    r"$-\mathbf{y}^{\top}\log\operatorname{softmax}(\mathbf{z}) = -\mathbf{y}^{\top}\mathbf{z} "
    r"+ (\mathbf{1}^{\top}\mathbf{y})\log\sum_j e^{z_j}$. In denominator layout the gradient "
    r"is a column, like $\mathbf{z}$: that of $\log\sum_j e^{z_j}$ is $\mathbf{s}$, so "
    r"$\partial f/\partial\mathbf{z} = (\mathbf{1}^{\top}\mathbf{y})\,\mathbf{s} - \mathbf{y}$ "
    r"(it is $\mathbf{s} - \mathbf{y}$ only when $\mathbf{1}^{\top}\mathbf{y} = 1$).")
_SYMMETRIC = (r"In denominator layout the Jacobian is transposed (column $i$ holds the gradient "
              r"of $s_i$); $\operatorname{diag}(\mathbf{s}) - \mathbf{s}\mathbf{s}^{\top}$ is "
              r"symmetric, so it is the same matrix.")
_CE_GENERAL = "y is not assumed to sum to 1: the general form is sum(y) softmax(z)^T - y^T."


def draft(rng: random.Random, difficulty: int, form: Form) -> Draft:
    if difficulty == 3:
        made = rng.choice([_softmax_jacobian, _cross_entropy, _logistic, _bce])(rng)
    else:
        made = rng.choice([_ce_by_weights, _ce_by_input, _softmax_layer, _logistic_data])(rng)
    return renamed(made, {"z": rng.choice(("z", "u")), "x": rng.choice(("x", "h")),
                          "w": rng.choice(("w", "v")), "W": rng.choice(("W", "M")),
                          # the labels y or t (t is taken at difficulty 3, by the BCE target)
                          "y": rng.choice(("y", "t")) if difficulty == 4 else "y"})


def _softmax_jacobian(rng: random.Random) -> Draft:
    c = rng.choice([1, 2, 3, 5])
    arg = "z" if c == 1 else f"{c} z"
    s = f"softmax({arg})"
    scale = "" if c == 1 else f"{c} "
    key = f"{scale}(diag({s}) - {s} {s}^T)" if c != 1 else f"diag({s}) - {s} {s}^T"
    steps = [_SOFTMAX.replace(r"\operatorname{softmax}(\mathbf{z})",
                              rf"\operatorname{{softmax}}({scale}\mathbf{{z}})")]
    denominator = [*steps]
    if c != 1:
        denominator.append(
            rf"Vector chain rule, in denominator layout the factors from the variable "
            rf"outwards: $\partial({c}\mathbf{{z}})/\partial\mathbf{{z}} = {c}I$, so the "
            rf"Jacobian is ${c}I\,(\operatorname{{diag}}(\mathbf{{s}}) - "
            r"\mathbf{s}\mathbf{s}^{\top})^{\top} = "
            rf"{c}(\operatorname{{diag}}(\mathbf{{s}}) - \mathbf{{s}}\mathbf{{s}}^{{\top}})$: "
            r"the matrix is symmetric, so transposing it changes nothing.")
    else:
        denominator.append(_SYMMETRIC)
    if c != 1:
        steps.append(rf"Vector chain rule: $\partial({c}\mathbf{{z}})/\partial\mathbf{{z}} = "
                     rf"{c}I$, so the Jacobian is ${c}(\operatorname{{diag}}(\mathbf{{s}}) - "
                     r"\mathbf{s}\mathbf{s}^{\top})$.")
    mistakes = [
        Mistake(f"{scale}diag({s})", "diag_only",
                "Every s_i depends on every z_j through the normalisation: subtract s s^T."),
        Mistake(f"{scale}diag({s} .* (1 - {s}))", "sigmoid_confusion",
                "s(1 - s) is only the diagonal: the off-diagonal entries are -s_i s_j."),
        Mistake(f"{scale}({s} {s}^T - diag({s}))" if c != 1 else f"{s} {s}^T - diag({s})",
                "sign",
                "The diagonal entries are s_i(1 - s_i) >= 0: the Jacobian is diag(s) - s s^T."),
    ]
    if c != 1:
        mistakes.append(Mistake(f"diag({s}) - {s} {s}^T", "missing_inner_derivative",
                                f"The chain rule brings the factor {c} from softmax({c} z)."))
    return Draft("z[n]", "z", s, key, "jacobian", tuple(steps), tuple(mistakes),
                 tuple(denominator))


def _cross_entropy(rng: random.Random) -> Draft:
    s = "softmax(z)"
    return Draft(
        "z[n], y[n]", "z", f"-y^T log({s})", f"sum(y) {s}^T - y^T", "gradient",
        (_CE,),
        (Mistake(f"{s}^T - y^T", "assumed_one_hot", _CE_GENERAL),
         Mistake(f"y^T - sum(y) {s}^T", "sign", "The sign is s - y: the loss falls as z_i "
                 "grows for the labelled classes."),
         Mistake(f"-y^T (diag({s}) - {s} {s}^T)", "chain_through_log_dropped",
                 "The derivative of log s_i is (1/s_i) ∂s_i: the 1/s cancels the diag(s).")),
        (_CE_COLUMN,),
    )


def _logistic(rng: random.Random) -> Draft:
    margin = "-y w^T x"
    return Draft(
        "x[n], w[n], y", "w", f"log(1 + exp({margin}))", f"-y sigma({margin}) x^T", "gradient",
        (r"Let $u = -y\,\mathbf{w}^{\top}\mathbf{x}$; $\frac{d}{du}\log(1 + e^{u}) = "
         r"\frac{e^{u}}{1 + e^{u}} = \sigma(u)$.",
         r"$\partial u/\partial\mathbf{w} = -y\,\mathbf{x}^{\top}$ (dot product), so "
         r"$\partial f/\partial\mathbf{w} = -y\,\sigma(-y\,\mathbf{w}^{\top}\mathbf{x})\,"
         r"\mathbf{x}^{\top}$."),
        (Mistake(f"y sigma({margin}) x^T", "sign",
                 "∂(-y w^T x)/∂w = -y x^T: keep the minus sign."),
         Mistake("-y sigma(y w^T x) x^T", "sigma_argument",
                 "d log(1 + e^u)/du = sigma(u) at u = -y w^T x, not at y w^T x."),
         Mistake(f"-sigma({margin}) x^T", "missing_label",
                 "The chain rule through u = -y w^T x brings the factor -y, not just -1."),
         Mistake(f"-y sigma({margin}) (1 - sigma({margin})) x^T", "sigmoid_confusion",
                 "d log(1 + e^u)/du is sigma(u) itself, not sigma'(u).")),
        (r"Let $u = -y\,\mathbf{w}^{\top}\mathbf{x}$; $\frac{d}{du}\log(1 + e^{u}) = "
         r"\frac{e^{u}}{1 + e^{u}} = \sigma(u)$.",
         r"In denominator layout the gradient is a column, like $\mathbf{w}$: $\partial u/"
         r"\partial\mathbf{w} = -y\,\mathbf{x}$, and the chain rule multiplies the factors "
         r"from the variable outwards: $\partial f/\partial\mathbf{w} = (\partial u/\partial"
         r"\mathbf{w})\,\sigma(u) = -y\,\sigma(-y\,\mathbf{w}^{\top}\mathbf{x})\,"
         r"\mathbf{x}$."),
    )


def _bce(rng: random.Random) -> Draft:
    z = "w^T x + b"
    p = f"sigma({z})"
    function = f"-(t log({p}) + (1 - t) log(1 - {p}))"
    first = (r"Let $z = \mathbf{w}^{\top}\mathbf{x} + b$ and $p = \sigma(z)$, with $\sigma' = "
             r"\sigma(1 - \sigma)$: $\frac{d}{dz}\log p = 1 - p$ and $\frac{d}{dz}\log(1 - p) "
             r"= -p$.")
    second = r"So $\partial f/\partial z = -(t(1 - p) - (1 - t)p) = p - t$."
    if rng.random() < 0.5:
        return Draft(
            "x[n], w[n], b, t", "w", function, f"({p} - t) x^T", "gradient",
            (first, second, r"$\partial z/\partial\mathbf{w} = \mathbf{x}^{\top}$: "
             r"$\partial f/\partial\mathbf{w} = (\sigma(z) - t)\,\mathbf{x}^{\top}$."),
            (Mistake(f"(t - {p}) x^T", "sign", "The gradient is (prediction - target) x^T."),
             Mistake(f"{p} (1 - {p}) ({p} - t) x^T", "sigmoid_derivative_kept",
                     "sigma'(z) = p(1 - p) cancels against the 1/p and 1/(1 - p) from the logs."),
             Mistake(f"({p} - t) w^T", "wrong_factor", "∂(w^T x + b)/∂w is x^T, not w^T.")),
            (first, second,
             r"In denominator layout the gradient is a column, like $\mathbf{w}$: $\partial z/"
             r"\partial\mathbf{w} = \mathbf{x}$, and the chain rule multiplies the factors from "
             r"the variable outwards: $\partial f/\partial\mathbf{w} = \mathbf{x}\,(\sigma(z) "
             r"- t)$."),
        )
    return Draft(
        "x[n], w[n], b, t", "b", function, f"{p} - t", "derivative",
        (first, second, r"$\partial z/\partial b = 1$: $\partial f/\partial b = \sigma(z) - t$."),
        (Mistake(f"t - {p}", "sign", "The derivative is prediction - target, sigma(z) - t."),
         Mistake(f"{p} (1 - {p}) ({p} - t)", "sigmoid_derivative_kept",
                 "sigma'(z) = p(1 - p) cancels against the 1/p and 1/(1 - p) from the logs.")),
        (first, second,
         r"$\partial z/\partial b = 1$: $\partial f/\partial b = \sigma(z) - t$. Both $f$ and "
         r"$b$ are scalars, so this is the derivative in denominator layout too."),
    )


def _ce_by_weights(rng: random.Random) -> Draft:
    s = "softmax(W x)"
    delta = f"(sum(y) {s} - y)"
    return Draft(
        "x[n], W[m,n], y[m]", "W", f"-y^T log({s})", f"x {delta}^T", "gradient",
        (r"Let $\mathbf{z} = W\mathbf{x}$. " + _CE,
         r"$z_i = \sum_j W_{ij}x_j$, so $\partial f/\partial W_{ij} = \delta_i x_j$ with "
         r"$\boldsymbol{\delta} = (\mathbf{1}^{\top}\mathbf{y})\mathbf{s} - \mathbf{y}$: the "
         r"gradient (shape of $W$) is $\boldsymbol{\delta}\mathbf{x}^{\top}$.",
         r"In numerator layout $\partial f/\partial W$ is $n\times m$: "
         r"$\mathbf{x}\boldsymbol{\delta}^{\top}$."),
        (Mistake("x (softmax(W x) - y)^T", "assumed_one_hot", _CE_GENERAL),
         Mistake(f"x (y - sum(y) {s})^T", "sign", "The sign is s - y, not y - s."),
         Mistake(f"{delta} x^T", "layout_swapped",
                 "Transposed: numerator layout gives x δᵀ (n×m), denominator layout δ xᵀ "
                 "(m×n, the shape of W).")),
        (r"Let $\mathbf{z} = W\mathbf{x}$. " + _CE_COLUMN,
         r"$z_i = \sum_j W_{ij}x_j$, so $\partial f/\partial W_{ij} = \delta_i x_j$ with "
         r"$\boldsymbol{\delta} = (\mathbf{1}^{\top}\mathbf{y})\mathbf{s} - \mathbf{y}$.",
         r"Denominator layout puts $\partial f/\partial W_{ij}$ at position $(i, j)$, so the "
         r"result has the shape of $W$ ($m\times n$): $\partial f/\partial W = "
         r"\boldsymbol{\delta}\mathbf{x}^{\top}$."),
    )


def _ce_by_input(rng: random.Random) -> Draft:
    s = "softmax(W x)"
    delta = f"(sum(y) {s} - y)"
    return Draft(
        "x[n], W[m,n], y[m]", "x", f"-y^T log({s})", f"{delta}^T W", "gradient",
        (r"Let $\mathbf{z} = W\mathbf{x}$. " + _CE,
         r"Vector chain rule: $\partial\mathbf{z}/\partial\mathbf{x} = W$, so $\partial f/"
         r"\partial\mathbf{x} = ((\mathbf{1}^{\top}\mathbf{y})\mathbf{s} - \mathbf{y})^{\top}W$."),
        (Mistake("(softmax(W x) - y)^T W", "assumed_one_hot", _CE_GENERAL),
         Mistake(f"(y - sum(y) {s})^T W", "sign", "The sign is s - y, not y - s."),
         Mistake(f"{delta}^T", "missing_chain_through_W",
                 "z = W x: the vector chain rule multiplies by ∂z/∂x = W.")),
        (r"Let $\mathbf{z} = W\mathbf{x}$. " + _CE_COLUMN,
         r"Vector chain rule in denominator layout, the factors from the variable outwards: "
         r"$\partial\mathbf{z}/\partial\mathbf{x} = W^{\top}$, so $\partial f/\partial"
         r"\mathbf{x} = W^{\top}((\mathbf{1}^{\top}\mathbf{y})\mathbf{s} - \mathbf{y})$, a "
         r"column like $\mathbf{x}$."),
    )


def _softmax_layer(rng: random.Random) -> Draft:
    s = "softmax(W x)"
    jacobian = f"(diag({s}) - {s} {s}^T)"
    return Draft(
        "x[n], W[m,n]", "x", s, f"{jacobian} W", "jacobian",
        (r"Let $\mathbf{z} = W\mathbf{x}$. " + _SOFTMAX,
         r"Vector chain rule: $\partial\mathbf{s}/\partial\mathbf{x} = (\partial\mathbf{s}/"
         r"\partial\mathbf{z})(\partial\mathbf{z}/\partial\mathbf{x}) = (\operatorname{diag}"
         r"(\mathbf{s}) - \mathbf{s}\mathbf{s}^{\top})\,W$, an $(m\times m)(m\times n)$ product."),
        (Mistake(f"diag({s}) W", "diag_only",
                 "Every s_i depends on every z_j through the normalisation: subtract s s^T."),
         Mistake(f"diag({s} .* (1 - {s})) W", "sigmoid_confusion",
                 "s(1 - s) is only the diagonal: the off-diagonal entries are -s_i s_j."),
         Mistake(jacobian, "missing_chain_through_W",
                 "z = W x: the vector chain rule multiplies by ∂z/∂x = W.")),
        (r"Let $\mathbf{z} = W\mathbf{x}$. " + _SOFTMAX,
         r"In denominator layout column $i$ of a Jacobian holds the gradient of $s_i$, and the "
         r"vector chain rule multiplies the factors from the variable outwards: $\partial"
         r"\mathbf{z}/\partial\mathbf{x} = W^{\top}$ and $\operatorname{diag}(\mathbf{s}) - "
         r"\mathbf{s}\mathbf{s}^{\top}$ is symmetric, so $\partial\mathbf{s}/\partial"
         r"\mathbf{x} = (\partial\mathbf{z}/\partial\mathbf{x})(\partial\mathbf{s}/\partial"
         r"\mathbf{z}) = W^{\top}(\operatorname{diag}(\mathbf{s}) - \mathbf{s}"
         r"\mathbf{s}^{\top})$, an $(n\times m)(m\times m)$ product."),
    )


def _logistic_data(rng: random.Random) -> Draft:
    c = rng.choice([1, 2, 3])
    margin = "-y .* (X w)"
    scale = "" if c == 1 else f"{c} "
    function = f"{scale}sum(log(1 + exp({margin})))"
    return Draft(
        "X[k,n], w[n], y[k]", "w", function, f"-{scale}(y .* sigma({margin}))^T X", "gradient",
        (r"Sum reduction: $f = " + (f"{c}" if c != 1 else "") + r"\sum_i \log(1 + e^{u_i})$ "
         r"with $\mathbf{u} = -\mathbf{y}\odot X\mathbf{w}$, and $\frac{d}{du}\log(1 + e^{u}) "
         r"= \sigma(u)$.",
         r"$\partial\mathbf{u}/\partial\mathbf{w} = -\operatorname{diag}(\mathbf{y})\,X$ "
         r"(element-wise diagonal condition, then $\partial(X\mathbf{w})/\partial\mathbf{w} = "
         r"X$), so $\partial f/\partial\mathbf{w} = -" + (f"{c}" if c != 1 else "")
         + r"(\mathbf{y}\odot\sigma(\mathbf{u}))^{\top}X$."),
        (Mistake(f"{scale}(y .* sigma({margin}))^T X", "sign",
                 "∂u/∂w = -diag(y) X: keep the minus sign."),
         Mistake(f"-{scale}(y .* sigma(y .* (X w)))^T X", "sigma_argument",
                 "d log(1 + e^u)/du = sigma(u) at u = -y ⊙ Xw."),
         Mistake(f"-{scale}sigma({margin})^T X", "missing_label",
                 "The chain rule through u = -y ⊙ Xw brings diag(y): multiply by y "
                 "element-wise.")),
        (r"Sum reduction: $f = " + (f"{c}" if c != 1 else "") + r"\sum_i \log(1 + e^{u_i})$ "
         r"with $\mathbf{u} = -\mathbf{y}\odot X\mathbf{w}$, and $\frac{d}{du}\log(1 + e^{u}) "
         r"= \sigma(u)$: in denominator layout $\partial f/\partial\mathbf{u} = "
         + (f"{c}" if c != 1 else "") + r"\sigma(\mathbf{u})$, a column.",
         r"In denominator layout $\partial\mathbf{u}/\partial\mathbf{w} = -X^{\top}"
         r"\operatorname{diag}(\mathbf{y})$, and the chain rule multiplies the factors from the "
         r"variable outwards: $\partial f/\partial\mathbf{w} = -" + (f"{c}" if c != 1 else "")
         + r"X^{\top}(\mathbf{y}\odot\sigma(\mathbf{u}))$, a column like $\mathbf{w}$."),
    )


FAMILY = Family(
    name="softmax_ce",
    title="Softmax, cross-entropy, logistic loss and BCE",
    source="Goodfellow, Bengio & Courville, Deep Learning §6.2.2.2–6.2.2.3 (sigmoid and "
           "softmax output units); Bishop, PRML §4.3.2, §4.3.4 (logistic and softmax "
           "regression)",
    difficulties=(3, 4),
    forms=("symbolic",),
    draft=draft,
)
