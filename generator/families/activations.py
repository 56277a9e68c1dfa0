"""Element-wise activations (Parr & Howard §4.2 "Derivatives of vector element-wise binary
operators" for the diagonal Jacobian, §4.5.3 for the vector chain rule, §5 for the neuron).

An activation f applied element-wise has the diagonal Jacobian diag(f′(z)); through an affine
layer the vector chain rule gives ∂f(W x + b)/∂x = diag(f′(W x + b)) W (numerator layout: the
outer Jacobian on the left; denominator layout writes the transposed factors in reverse order,
Wᵀ diag(f′(W x + b)), and its worked solutions are written that way).  f ∈ {σ, tanh, ReLU, exp,
softplus = log(1 + exp(z))}, with σ′ = σ(1 − σ), tanh′ = 1 − tanh², ReLU′ = step, exp′ = exp,
softplus′ = σ.

Difficulty 2: f(z), f(z + a) or f(z − a) by z.
Difficulty 3: f(W x + b), f(b + W x), f(W x − b) or f(W x) by x (diag(f′) W), or by b (±diag(f′)).
Difficulty 4: a second layer: V f(W x + b) or uᵀ f(W x + b) by x.
Names come from the family's set (z, x, u or h for the argument; x or v and W, M or A in a layer).

Only ReLU has a rational key, so the numeric form always uses ReLU.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from generator.families.writing import renamed
from generator.family import Draft, Family
from grader.exercise_set import Form
from grader.language.parser import parse
from grader.language.printing import print_latex
from grader.verdict import Mistake


@dataclass(frozen=True)
class _Activation:
    """Templates over ``{a}``, the argument: the function, its derivative, a wrong derivative."""

    name: str
    function: str
    derivative: str
    rule: str  # LaTeX: the scalar derivative
    wrong: str | None
    wrong_note: str
    wrong_feedback: str


_ACTIVATIONS = (
    _Activation("sigma", "sigma({a})", "sigma({a}) .* (1 - sigma({a}))",
                r"$\sigma'(z) = \sigma(z)(1 - \sigma(z))$",
                "sigma({a})", "sigma_derivative_is_sigma",
                "The logistic function is not its own derivative: σ' = σ(1 - σ)."),
    _Activation("tanh", "tanh({a})", "1 - tanh({a}) .^ 2",
                r"$\tanh'(z) = 1 - \tanh^2(z)$",
                "1 - tanh({a})", "tanh_derivative_unsquared",
                "tanh' = 1 - tanh^2: the tanh is squared."),
    _Activation("relu", "relu({a})", "step({a})",
                r"$\operatorname{relu}'(z) = 1$ for $z > 0$ and $0$ for $z \le 0$, that is "
                r"$\operatorname{step}(z)$",
                "relu({a})", "relu_derivative_is_relu",
                "The slope of max(0, z) is 1 where z > 0 and 0 elsewhere: step(z), not relu(z)."),
    _Activation("exp", "exp({a})", "exp({a})", r"$\exp'(z) = \exp(z)$",
                None, "", ""),
    _Activation("softplus", "log(1 + exp({a}))", "sigma({a})",
                r"$\bigl(\log(1 + e^{z})\bigr)' = \frac{e^{z}}{1 + e^{z}} = \sigma(z)$",
                "1 ./ (1 + exp({a}))", "missing_inner_derivative",
                "The chain rule through log(1 + exp(z)) multiplies 1/(1 + exp(z)) by exp(z), "
                "giving sigma(z)."),
)
_RELU = _ACTIVATIONS[2]

_VECTOR = Mistake("", "vector_instead_of_diag",
                  "An element-wise activation has a diagonal Jacobian: write diag(f'(z)), an "
                  "n×n matrix, not the vector f'(z).")
_ORDER = Mistake("", "chain_rule_order",
                 "In numerator layout the vector chain rule puts the outer Jacobian on the left: "
                 "diag(f'(W x + b)) W, not W^T diag(...).")
_MISSING_W = Mistake("", "missing_inner_jacobian",
                     "The chain rule multiplies by the inner Jacobian ∂(W x + b)/∂x = W.")
_MISSING_DIAG = Mistake("", "missing_activation_derivative",
                        "Between the two layers the chain rule multiplies by the activation's "
                        "Jacobian diag(f'(W x + b)).")


def _like(template: Mistake, answer: str) -> Mistake:
    return Mistake(answer, template.note, template.feedback)


def _wrong(act: _Activation, argument: str, wrap: str) -> list[Mistake]:
    if act.wrong is None:
        return []
    return [Mistake(wrap.format(d=f"diag({act.wrong.format(a=argument)})"), act.wrong_note,
                    act.wrong_feedback)]


#: What a helper returns: given, wrt, function, key, numerator steps, denominator steps, mistakes.
_Parts = tuple[str, str, str, str, tuple[str, ...], tuple[str, ...], list[Mistake]]


def _single(rng: random.Random, act: _Activation) -> _Parts:
    """Difficulty 2: f(z), f(z + a) or f(z - a) by z."""
    argument = rng.choice(("z", "z + a", "z - a"))
    given = "z[n]" if argument == "z" else "z[n], a[n]"
    derivative = act.derivative.format(a=argument)
    key = f"diag({derivative})"
    opening = (
        r"Element-wise diagonal condition: $f_i$ depends only on $z_i$"
        + ("" if argument == "z" else rf" (through ${_tex(argument, given)}$ entry $i$, at "
           r"rate 1)")
        + r", so the Jacobian is the $n \times n$ matrix with $f'$ of entry $i$ of the "
        r"argument on its diagonal.",
        f"Scalar rule: {act.rule}.",
    )
    steps = (*opening,
             rf"So $\partial\mathbf{{f}}/\partial\mathbf{{z}} = {_tex(key, given)}$, a diagonal "
             r"matrix and so the same in both layouts.")
    denominator = (*opening, _diagonal_in_denominator("z", key, given))
    mistakes = [_like(_VECTOR, derivative), *_wrong(act, argument, "{d}")]
    return given, "z", act.function.format(a=argument), key, steps, denominator, mistakes


def _layer(rng: random.Random, act: _Activation) -> _Parts:
    """Difficulty 3: f(W x + b) by x or by b."""
    inner = rng.choice(("W x + b", "b + W x", "W x - b", "W x"))
    given = "x[n], W[m,n]" + ("" if inner == "W x" else ", b[m]")
    diag = f"diag({act.derivative.format(a=inner)})"
    function = act.function.format(a=inner)
    first = (rf"Let $\mathbf{{z}} = {_tex(inner, given)}$; element-wise, "
             r"$\partial\mathbf{f}/\partial\mathbf{z} = \operatorname{diag}(f'(\mathbf{z}))$, "
             rf"with {act.rule}.")
    steps: tuple[str, ...]
    denominator: tuple[str, ...]
    if inner != "W x" and rng.random() < 0.3:
        minus = "-" if inner == "W x - b" else ""
        steps = (
            first,
            rf"$\partial\mathbf{{z}}/\partial\mathbf{{b}} = {minus}I$, so by the vector chain "
            rf"rule $\partial\mathbf{{f}}/\partial\mathbf{{b}} = {_tex(minus + diag, given)}$, "
            r"a diagonal matrix and so the same in both layouts.",
        )
        denominator = (
            first,
            rf"$\partial\mathbf{{z}}/\partial\mathbf{{b}} = {minus}I$; in denominator layout "
            r"the vector chain rule multiplies the Jacobians inner first, "
            r"$\partial\mathbf{f}/\partial\mathbf{b} = "
            r"(\partial\mathbf{z}/\partial\mathbf{b})(\partial\mathbf{f}/\partial\mathbf{z})$, "
            rf"so $\partial\mathbf{{f}}/\partial\mathbf{{b}} = {_tex(minus + diag, given)}$, "
            r"a diagonal matrix (its own transpose).",
        )
        mistakes = [_like(_VECTOR, minus + act.derivative.format(a=inner)),
                    *(_wrong(act, inner, minus + "{d}")),
                    *((Mistake(diag, "sign", "b enters with a minus sign: dz/db = -I."),)
                      if minus else ())]
        return given, "b", function, minus + diag, steps, denominator, mistakes
    key = f"{diag} W"
    steps = (
        first,
        r"$\partial\mathbf{z}/\partial\mathbf{x} = W$; the vector chain rule multiplies the "
        r"Jacobians outer first: $\partial\mathbf{f}/\partial\mathbf{x} = "
        r"(\partial\mathbf{f}/\partial\mathbf{z})(\partial\mathbf{z}/\partial\mathbf{x})$.",
        rf"So $\partial\mathbf{{f}}/\partial\mathbf{{x}} = {_tex(key, given)}$, an "
        r"$m \times n$ matrix.",
    )
    denominator = (
        first,
        r"In denominator layout $\partial\mathbf{z}/\partial\mathbf{x} = W^{\top}$, one row per "
        r"entry of $\mathbf{x}$ ($\operatorname{diag}(f'(\mathbf{z}))$ is its own transpose); the "
        r"vector chain rule multiplies the Jacobians inner first: "
        r"$\partial\mathbf{f}/\partial\mathbf{x} = "
        r"(\partial\mathbf{z}/\partial\mathbf{x})(\partial\mathbf{f}/\partial\mathbf{z})$.",
        rf"So $\partial\mathbf{{f}}/\partial\mathbf{{x}} = {_tex(f'W^T {diag}', given)}$, an "
        r"$n \times m$ matrix.",
    )
    mistakes = [_like(_ORDER, f"W^T {diag}"), _like(_MISSING_W, diag),
                *_wrong(act, inner, "{d} W")]
    return given, "x", function, key, steps, denominator, mistakes


def _two_layers(rng: random.Random, act: _Activation) -> _Parts:
    """Difficulty 4: V f(W x + b) or uᵀ f(W x + b) by x."""
    inner = "W x + b"
    diag = f"diag({act.derivative.format(a=inner)})"
    hidden = act.function.format(a=inner)
    if rng.random() < 0.5:
        given = "x[n], W[m,n], b[m], V[k,m]"
        outer, outer_tex = "V", "V"
        function = f"V {hidden}"
        column = None
        what = r"a $k \times n$ Jacobian"
        flipped, flipped_tex = f"W^T {diag} V^T", r"V^{\top}"
        flipped_what = r"an $n \times k$ matrix, one row per entry of $\mathbf{x}$"
    else:
        given = "x[n], W[m,n], b[m], u[m]"
        outer, outer_tex = "u^T", r"\mathbf{u}^{\top}"
        function = f"u^T {hidden}"
        column = f"W^T {diag} u"
        what = r"a $1 \times n$ row (numerator layout)"
        flipped, flipped_tex = column, r"\mathbf{u}"
        flipped_what = r"an $n \times 1$ column, like $\mathbf{x}$"
    key = f"{outer} {diag} W"
    steps = (
        r"Let $\mathbf{z} = W\mathbf{x} + \mathbf{b}$ and $\mathbf{h} = f(\mathbf{z})$ "
        rf"element-wise, with {act.rule}.",
        rf"The Jacobians are $\partial({outer_tex}\mathbf{{h}})/\partial\mathbf{{h}} = "
        rf"{outer_tex}$, $\partial\mathbf{{h}}/\partial\mathbf{{z}} = "
        r"\operatorname{diag}(f'(\mathbf{z}))$ and $\partial\mathbf{z}/\partial\mathbf{x} = W$.",
        r"The vector chain rule multiplies them outer first: "
        rf"${_tex(key, given)}$, {what}.",
    )
    denominator = (
        steps[0],
        r"In denominator layout the Jacobians are transposed: "
        rf"$\partial({outer_tex}\mathbf{{h}})/\partial\mathbf{{h}} = {flipped_tex}$, "
        r"$\partial\mathbf{h}/\partial\mathbf{z} = \operatorname{diag}(f'(\mathbf{z}))$ "
        r"(diagonal, so its own transpose) and $\partial\mathbf{z}/\partial\mathbf{x} = "
        r"W^{\top}$.",
        r"The vector chain rule in denominator layout multiplies them inner first: "
        rf"$\partial f/\partial\mathbf{{x}} = {_tex(flipped, given)}$, {flipped_what}.",
    )
    mistakes = [_like(_MISSING_DIAG, f"{outer} W"),
                *_wrong(act, inner, f"{outer} {{d}} W")]
    if column is not None:
        mistakes.insert(0, Mistake(column, "layout",
                                   "That is the column (denominator layout) form: in numerator "
                                   "layout the derivative of a scalar by x is a row."))
    else:
        mistakes.insert(0, _like(_ORDER, f"W^T {diag} V^T"))
    return given, "x", function, key, steps, denominator, mistakes


def _tex(text: str, given: str) -> str:
    return print_latex(parse(text, given))


def _diagonal_in_denominator(z: str, key: str, given: str) -> str:
    """The last step of a diagonal Jacobian, read in denominator layout."""
    return (r"In denominator layout entry $(i, j)$ is $\partial f_j/\partial "
            rf"{z}_i$; only the diagonal is nonzero, so "
            rf"$\partial\mathbf{{f}}/\partial\mathbf{{{z}}} = {_tex(key, given)}$ (a "
            r"diagonal matrix is its own transpose).")


def draft(rng: random.Random, difficulty: int, form: Form) -> Draft:
    act = _RELU if form == "numeric" else rng.choice(_ACTIVATIONS)
    if difficulty == 2:
        given, wrt, function, answer, steps, denominator, mistakes = _single(rng, act)
    elif difficulty == 3:
        given, wrt, function, answer, steps, denominator, mistakes = _layer(rng, act)
    else:
        given, wrt, function, answer, steps, denominator, mistakes = _two_layers(rng, act)
    kind = "gradient" if function.startswith("u^T") else "jacobian"
    made = Draft(given, wrt, function, answer, kind, steps, tuple(mistakes), denominator)
    if difficulty == 2:
        return renamed(made, {"z": rng.choice(("z", "x", "u", "h"))})
    return renamed(made, {"x": rng.choice(("x", "v")), "W": rng.choice(("W", "M", "A"))})


FAMILY = Family(
    name="activations",
    title="Element-wise activations",
    source="Parr & Howard §4.2 (element-wise diagonal condition), §4.5.3 (vector chain rule), "
           "§5 (the gradient of neuron activation)",
    difficulties=(2, 3, 4),
    forms=("symbolic", "numeric"),
    draft=draft,
)
