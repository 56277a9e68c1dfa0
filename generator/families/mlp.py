"""A dense layer's Jacobian and back-propagation through a two-layer network (Parr & Howard §4.5.3
and §6; Goodfellow, Bengio & Courville, Deep Learning §6.5 "Back-Propagation").

The network is o = W2 φ(W1 x + b1) + b2 with x[n], W1[k,n], b1[k], W2[m,k], b2[m], y[m] and the
loss L = c‖o − y‖² (c ∈ {1/2, 1, 2, 3}); φ is relu, tanh or σ (relu only in the numeric form,
where the key must be rational).  With z₁ = W1 x + b1, h = φ(z₁), δ₂ = 2c(o − y) and
δ₁ = (W2ᵀδ₂) ⊙ φ′(z₁), the answers in numerator layout are δ₂ᵀ (b2), h δ₂ᵀ (W2), δ₁ᵀ (b1),
x δ₁ᵀ (W1) and δ₁ᵀ W1 (x): the denominator layout's G forms δ₂hᵀ and δ₁xᵀ transposed.

Difficulty 4: the dense layer φ(Wx + b) (tanh or σ) by x, diag(φ′) W, or by b; the network by b2
or W2.  5: the network by b1, W1 or x (one more step of the chain).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

from generator.family import Draft, Family
from grader.exercise_set import Form
from grader.verdict import Mistake

_GIVEN = "x[n], W1[k,n], b1[k], W2[m,k], b2[m], y[m]"


@dataclass(frozen=True)
class _Activation:
    name: str
    latex: str
    #: φ′ at an argument, as text of the answer language (a column).
    slope: str
    slope_latex: str
    #: The classic wrong slope a student writes (a column).
    wrong_slope: str
    wrong_note: str
    wrong_feedback: str

    def of(self, argument: str) -> str:
        return f"{self.name}({argument})"

    def slope_of(self, argument: str) -> str:
        return self.slope.replace("Z", argument)

    def wrong_of(self, argument: str) -> str:
        return self.wrong_slope.replace("Z", argument)


_ACTIVATIONS = {
    "relu": _Activation(
        "relu", r"\operatorname{relu}", "step(Z)", r"\operatorname{step}(z)", "relu(Z)",
        "activation_for_slope", "The slope of relu is step(z), not relu(z)."),
    "tanh": _Activation(
        "tanh", r"\tanh", "1 - tanh(Z).^2", r"1 - \tanh^2(z)", "1 - tanh(Z)",
        "tanh_slope", "tanh'(z) = 1 - tanh(z)^2, squared."),
    "sigma": _Activation(
        "sigma", r"\sigma", "sigma(Z) .* (1 - sigma(Z))", r"\sigma(z)(1 - \sigma(z))",
        "sigma(Z)", "sigma_slope", "sigma'(z) = sigma(z)(1 - sigma(z)), not sigma(z)."),
}


def draft(rng: random.Random, difficulty: int, form: Form) -> Draft:
    if difficulty == 4 and form != "numeric" and rng.random() < 0.4:
        return _dense(rng)
    activation = _ACTIVATIONS["relu" if form == "numeric" else rng.choice(list(_ACTIVATIONS))]
    c = rng.choice([Fraction(1, 2), Fraction(1), Fraction(2), Fraction(3)])
    wrt = rng.choice(["b2", "W2"] if difficulty == 4 else ["b1", "W1", "x"])
    return _network(activation, c, wrt)


def _coefficient(value: Fraction) -> str:
    if value == 1:
        return ""
    return f"{value.numerator} " if value.denominator == 1 else f"({value}) "


def _network(phi: _Activation, c: Fraction, wrt: str) -> Draft:
    z1 = "W1 x + b1"
    h = phi.of(z1)
    error = f"(W2 {h} + b2 - y)"
    slope = f"diag({phi.slope_of(z1)})"
    twice, half = _coefficient(2 * c), _coefficient(c)
    function = f"{_coefficient(c)}norm(W2 {h} + b2 - y)^2"
    forward = (r"Forward pass: $\mathbf{z}_1 = W_1\mathbf{x} + \mathbf{b}_1$, $\mathbf{h} = "
               rf"\varphi(\mathbf{{z}}_1) = {phi.latex}(\mathbf{{z}}_1)$, "
               r"$\mathbf{o} = W_2\mathbf{h} + \mathbf{b}_2$.")
    lead = "" if c == Fraction(1, 2) else f"{2 * c}"
    delta2 = (rf"$\partial L/\partial\mathbf{{o}} = {lead}(\mathbf{{o}} - \mathbf{{y}})^{{\top}}"
              r" = \boldsymbol{\delta}_2^{\top}$ (a row, numerator layout), with $\partial"
              r"\mathbf{o}/\partial\mathbf{b}_2 = I$.")
    delta1 = (r"Back through $W_2$ and the activation (vector chain rule; the activation is "
              r"element-wise, so its Jacobian is $\operatorname{diag}(" + phi.slope_latex
              + r")$ at $\mathbf{z}_1$): $\boldsymbol{\delta}_1^{\top} = \boldsymbol{\delta}_2"
              r"^{\top}W_2\operatorname{diag}(\varphi'(\mathbf{z}_1))$, i.e. $\boldsymbol{\delta}"
              r"_1 = (W_2^{\top}\boldsymbol{\delta}_2)\odot\varphi'(\mathbf{z}_1)$.")
    error_column = (rf"{lead}(\mathbf{{o}} - \mathbf{{y}})" if lead
                    else r"\mathbf{o} - \mathbf{y}")
    delta2_column = (
        r"In denominator layout the gradient is a column, like $\mathbf{o}$: $\partial L/"
        rf"\partial\mathbf{{o}} = {error_column} = \boldsymbol{{\delta}}_2$, "
        r"with $\partial\mathbf{o}/\partial\mathbf{b}_2 = I$.")
    delta1_column = (
        r"Back through $W_2$ and the activation, by the vector chain rule in denominator layout "
        r"(the factors from the variable outwards): $\partial\mathbf{o}/\partial\mathbf{h} = "
        r"W_2^{\top}$, and the activation is element-wise, so its Jacobian is the diagonal "
        r"matrix $\operatorname{diag}(" + phi.slope_latex + r")$ at $\mathbf{z}_1$, the same in "
        r"both layouts: $\boldsymbol{\delta}_1 = \partial L/\partial\mathbf{z}_1 = "
        r"\operatorname{diag}(\varphi'(\mathbf{z}_1))\,W_2^{\top}\boldsymbol{\delta}_2 = "
        r"(W_2^{\top}\boldsymbol{\delta}_2)\odot\varphi'(\mathbf{z}_1)$.")
    factor = Mistake(
        "", "missing_factor_two",
        f"The square brings a factor 2: {_coefficient(c) or '1 '}‖o - y‖² gives "
        f"{lead}(o - y).")
    sign = Mistake("", "sign", "The error is o - y: differentiating y - o brings a minus sign.")
    if wrt in ("b2", "W2"):
        row = f"{twice}{error}^T"
        if wrt == "b2":
            return Draft(_GIVEN, wrt, function, row, "gradient", (forward, delta2,
                         r"So $\partial L/\partial\mathbf{b}_2 = \boldsymbol{\delta}_2^{\top}$."),
                         (_as(factor, f"{half}{error}^T"),
                          _as(sign, f"{twice}(y - W2 {h} - b2)^T")),
                         (forward, delta2_column,
                          r"So $\partial L/\partial\mathbf{b}_2 = (\partial\mathbf{o}/\partial"
                          r"\mathbf{b}_2)(\partial L/\partial\mathbf{o}) = \boldsymbol{\delta}_2$, "
                          r"a column like $\mathbf{b}_2$."))
        return Draft(
            _GIVEN, wrt, function, f"{twice}{h} {error}^T", "gradient",
            (forward, delta2,
             r"$o_i = \sum_j (W_2)_{ij}h_j + (b_2)_i$, so $\partial L/\partial(W_2)_{ij} = "
             r"(\delta_2)_i h_j$: the gradient (shape of $W_2$) is $\boldsymbol{\delta}_2"
             r"\mathbf{h}^{\top}$.",
             r"In numerator layout $\partial L/\partial W_2$ is $k\times m$: $\mathbf{h}"
             r"\boldsymbol{\delta}_2^{\top}$."),
            (_as(factor, f"{half}{h} {error}^T"),
             _as(sign, f"{twice}{h} (y - W2 {h} - b2)^T"),
             Mistake(f"{twice}{error} {h}^T", "layout_swapped",
                     "Transposed: numerator layout gives h δ₂ᵀ (k×m), denominator layout "
                     "δ₂ hᵀ (m×k, the shape of W2).")),
            (forward, delta2_column,
             r"$o_i = \sum_j (W_2)_{ij}h_j + (b_2)_i$, so $\partial L/\partial(W_2)_{ij} = "
             r"(\delta_2)_i h_j$.",
             r"Denominator layout puts $\partial L/\partial(W_2)_{ij}$ at position $(i, j)$, so "
             r"the gradient has the shape of $W_2$ ($m\times k$): $\partial L/\partial W_2 = "
             r"\boldsymbol{\delta}_2\mathbf{h}^{\top}$."),
        )
    back = f"{twice}{error}^T W2 {slope}"
    missing = Mistake(f"{twice}{error}^T W2", "missing_activation_slope",
                      "The chain passes through the activation: multiply by "
                      f"diag({phi.slope_of('z1')}).")
    wrong = Mistake(f"{twice}{error}^T W2 diag({phi.wrong_of(z1)})", phi.wrong_note,
                    phi.wrong_feedback)
    if wrt == "b1":
        return Draft(
            _GIVEN, wrt, function, back, "gradient",
            (forward, delta2, delta1,
             r"$\partial\mathbf{z}_1/\partial\mathbf{b}_1 = I$, so $\partial L/\partial"
             r"\mathbf{b}_1 = \boldsymbol{\delta}_1^{\top}$."),
            (missing, wrong, _as(factor, f"{half}{error}^T W2 {slope}"),
             _as(sign, f"{twice}(y - W2 {h} - b2)^T W2 {slope}")),
            (forward, delta2_column, delta1_column,
             r"$\partial\mathbf{z}_1/\partial\mathbf{b}_1 = I$, so $\partial L/\partial"
             r"\mathbf{b}_1 = \boldsymbol{\delta}_1$, a column like $\mathbf{b}_1$."),
        )
    if wrt == "W1":
        return Draft(
            _GIVEN, wrt, function, f"{twice}x {error}^T W2 {slope}", "gradient",
            (forward, delta2, delta1,
             r"$(z_1)_i = \sum_j (W_1)_{ij}x_j + (b_1)_i$, so $\partial L/\partial(W_1)_{ij} "
             r"= (\delta_1)_i x_j$: the gradient (shape of $W_1$) is $\boldsymbol{\delta}_1"
             r"\mathbf{x}^{\top}$.",
             r"In numerator layout $\partial L/\partial W_1$ is $n\times k$: $\mathbf{x}"
             r"\boldsymbol{\delta}_1^{\top}$."),
            (Mistake(f"{twice}x {error}^T W2", missing.note, missing.feedback),
             Mistake(f"{twice}x {error}^T W2 diag({phi.wrong_of(z1)})", phi.wrong_note,
                     phi.wrong_feedback),
             Mistake(f"{twice}{slope} W2^T {error} x^T", "layout_swapped",
                     "Transposed: numerator layout gives x δ₁ᵀ (n×k), denominator layout "
                     "δ₁ xᵀ (k×n, the shape of W1)."),
             _as(sign, f"{twice}x (y - W2 {h} - b2)^T W2 {slope}")),
            (forward, delta2_column, delta1_column,
             r"$(z_1)_i = \sum_j (W_1)_{ij}x_j + (b_1)_i$, so $\partial L/\partial(W_1)_{ij} "
             r"= (\delta_1)_i x_j$.",
             r"Denominator layout puts $\partial L/\partial(W_1)_{ij}$ at position $(i, j)$, so "
             r"the gradient has the shape of $W_1$ ($k\times n$): $\partial L/\partial W_1 = "
             r"\boldsymbol{\delta}_1\mathbf{x}^{\top}$."),
        )
    return Draft(
        _GIVEN, wrt, function, f"{back} W1", "gradient",
        (forward, delta2, delta1,
         r"$\partial\mathbf{z}_1/\partial\mathbf{x} = W_1$, so $\partial L/\partial\mathbf{x} "
         r"= \boldsymbol{\delta}_1^{\top}W_1$ (that is $W_1^{\top}\boldsymbol{\delta}_1$ as a "
         r"column)."),
        (Mistake(f"{twice}{error}^T W2 W1", missing.note, missing.feedback),
         Mistake(f"{twice}{error}^T W2 diag({phi.wrong_of(z1)}) W1", phi.wrong_note,
                 phi.wrong_feedback),
         _as(factor, f"{half}{error}^T W2 {slope} W1"),
         _as(sign, f"{twice}(y - W2 {h} - b2)^T W2 {slope} W1")),
        (forward, delta2_column, delta1_column,
         r"$\partial\mathbf{z}_1/\partial\mathbf{x} = W_1^{\top}$ in denominator layout, so "
         r"$\partial L/\partial\mathbf{x} = (\partial\mathbf{z}_1/\partial\mathbf{x})(\partial "
         r"L/\partial\mathbf{z}_1) = W_1^{\top}\boldsymbol{\delta}_1$, a column like "
         r"$\mathbf{x}$."),
    )


def _as(template: Mistake, answer: str) -> Mistake:
    return Mistake(answer, template.note, template.feedback)


def _dense(rng: random.Random) -> Draft:
    phi = _ACTIVATIONS[rng.choice(["tanh", "sigma"])]
    z = "W x + b"
    slope = f"diag({phi.slope_of(z)})"
    wrt = rng.choice(["x", "b"])
    first = (r"Let $\mathbf{z} = W\mathbf{x} + \mathbf{b}$. The activation is element-wise "
             r"(element-wise diagonal condition), so $\partial\," + phi.latex
             + r"(\mathbf{z})/\partial\mathbf{z} = \operatorname{diag}("
             + phi.slope_latex + r")$.")
    wrong = Mistake(f"diag({phi.wrong_of(z)})", phi.wrong_note, phi.wrong_feedback)
    vector = Mistake(phi.slope_of(z), "vector_instead_of_diag",
                     "The Jacobian of an element-wise function is the diagonal matrix diag(φ′), "
                     "not the vector φ′.")
    if wrt == "x":
        return Draft(
            "x[n], W[m,n], b[m]", "x", phi.of(z), f"{slope} W", "jacobian",
            (first, r"Vector chain rule: $\partial\mathbf{z}/\partial\mathbf{x} = W$, and the "
             r"product is $(m\times m)(m\times n)$: $\operatorname{diag}(\varphi'(\mathbf{z}))"
             r"\,W$."),
            (_as(wrong, f"{wrong.answer} W"),
             Mistake(slope, "missing_chain_through_W",
                     "z = W x + b: the vector chain rule multiplies by ∂z/∂x = W.")),
            (first, r"A diagonal matrix is its own transpose, so it is the same in denominator "
             r"layout. Vector chain rule in denominator layout, the factors from the variable "
             r"outwards: $\partial\mathbf{z}/\partial\mathbf{x} = W^{\top}$, and the product "
             r"is $(n\times m)(m\times m)$: $W^{\top}\operatorname{diag}(\varphi'(\mathbf{z}))$."),
        )
    return Draft(
        "x[n], W[m,n], b[m]", "b", phi.of(z), slope, "jacobian",
        (first, r"$\partial\mathbf{z}/\partial\mathbf{b} = I$, so the Jacobian is "
         r"$\operatorname{diag}(\varphi'(\mathbf{z}))$."),
        (wrong, vector),
        (first, r"$\partial\mathbf{z}/\partial\mathbf{b} = I$, so the Jacobian is "
         r"$\operatorname{diag}(\varphi'(\mathbf{z}))$: a diagonal matrix is its own "
         r"transpose, so it is the same in denominator layout."),
    )


FAMILY = Family(
    name="mlp",
    title="Dense layer and two-layer MLP backpropagation",
    source="Parr & Howard §4.5.3 (vector chain rule), §6 (loss gradient); Goodfellow, Bengio & "
           "Courville, Deep Learning §6.5 (back-propagation)",
    difficulties=(4, 5),
    forms=("symbolic", "numeric"),
    draft=draft,
)
