"""Vector sum reduction and the dot product (Parr & Howard §4.4 "Vector sum reduction"; names
drawn from the family's set: x, u or v; w or y; z or t).

y = sum(f(x)) gives ∂y/∂x = [Σᵢ ∂fᵢ/∂x₁, …, Σᵢ ∂fᵢ/∂xₙ] (a row in numerator layout).
Difficulty 1: c·sum(x) → c·1ᵀ, and w·x (written wᵀx or sum(w ⊗ x)) by x → wᵀ or by w → xᵀ.
2: sum(c x z) for a scalar z, by x → c z 1ᵀ or by z → c sum(x) (not n z), and w·x + c·sum(x).
3: sum(f(x)) for an element-wise f (powers, w ⊗ x², exp, sin, tanh): the row f′(x)ᵀ, not the
diagonal Jacobian diag(f′(x)).  The numeric form keeps the rational draws.
"""

from __future__ import annotations

import random

from generator.families.writing import renamed
from generator.family import Draft, Family
from generator.layout import transposed
from grader.exercise_set import Form
from grader.language.parser import parse
from grader.language.printing import print_ascii, print_latex
from grader.verdict import Mistake

#: Every name any draft uses: for printing LaTeX and layouts.
_GIVEN = "x[n], w[n], z"

def _tex(text: str) -> str:
    return print_latex(parse(text, _GIVEN))


def _column(row: str) -> str:
    """The LaTeX of the denominator-layout column for a numerator-layout row ``row``."""
    return print_latex(transposed(parse(row, _GIVEN)))


def _in_column(x: str, derivative: str, row: str) -> str:
    """The closing step of a denominator-layout solution: the gradient by ``x`` as a column."""
    return (rf"In denominator layout the gradient is a column, like $\mathbf{{{x}}}$: "
            rf"${derivative} = {_column(row)}$.")


def _scaled(c: int, text: str) -> str:
    return text if c == 1 else f"{c} {text}"


def _layout(answer: str) -> Mistake:
    """The column form of a numerator-layout row ``answer``."""
    column = print_ascii(transposed(parse(answer, _GIVEN)))
    return Mistake(column, "layout",
                   "That is the gradient laid out as a column: check the layout of this sheet.")


def _level1(rng: random.Random) -> Draft:
    choice = rng.choice(("sum", "dot_x", "dot_w"))
    if choice == "sum":
        c = rng.randint(1, 6)
        key = _scaled(c, "ones(n)^T")
        first = (r"$\operatorname{sum}(\mathbf{x}) = \sum_i x_i$, so $\partial/\partial x_j$ of "
                 r"it is 1 for every $j$ (sum reduction).")
        return Draft(
            "x[n]", "x", _scaled(c, "sum(x)"), key, "gradient",
            (first, f"As a row: ${_tex(key)}$."),
            (_layout(key),
             Mistake(str(c), "scalar_instead_of_row",
                     "Each partial derivative is " + str(c) + ", but the gradient is the row "
                     "of all n of them."),
             Mistake(_scaled(c, "sum(ones(n))"), "summed_partials",
                     "The partials are not added up: the gradient lists them, one per x_j.")),
            (first, _in_column("x", r"\partial y/\partial\mathbf{x}", key)),
        )
    dot = rng.choice(("w^T x", "sum(w .* x)", "x^T w"))
    by, other = ("x", "w") if choice == "dot_x" else ("w", "x")
    key = f"{other}^T"
    first = (rf"$\mathbf{{w}} \cdot \mathbf{{x}} = \operatorname{{sum}}(\mathbf{{w}} \odot "
             rf"\mathbf{{x}}) = \sum_i w_i x_i$, so $\partial/\partial {by}_j$ of it is "
             rf"${other}_j$ (sum reduction of the element-wise product).")
    return Draft(
        "w[n], x[n]", by, dot, key, "gradient",
        (first,
         rf"As a row: $\partial(\mathbf{{w}} \cdot \mathbf{{x}})/\partial\mathbf{{{by}}} = "
         rf"\mathbf{{1}}^{{\top}} \operatorname{{diag}}(\mathbf{{{other}}}) = "
         rf"\mathbf{{{other}}}^{{\top}}$."),
        (_layout(key),
         Mistake(f"{by}^T", "wrong_variable",
                 f"Differentiating by {by} leaves the other factor, {other}."),
         Mistake(f"diag({other})", "jacobian_of_product",
                 f"diag({other}) is the Jacobian of the element-wise product {other} ⊗ {by}; "
                 "the sum reduction turns it into the row 1^T diag(" + other + ")")),
        (first,
         rf"In denominator layout the gradient is a column, like $\mathbf{{{by}}}$: "
         rf"$\partial(\mathbf{{w}} \cdot \mathbf{{x}})/\partial\mathbf{{{by}}} = "
         rf"\operatorname{{diag}}(\mathbf{{{other}}})\,\mathbf{{1}} = \mathbf{{{other}}}$."),
    )


def _level2(rng: random.Random) -> Draft:
    c = rng.randint(1, 5)
    choice = rng.choice(("by_x", "by_z", "dot_plus_sum"))
    inside = "x z" if c == 1 else f"{c} x z"
    if choice == "by_x":
        key = _scaled(c, "z ones(n)^T")
        first = (r"Scalar expansion: $\mathbf{x} z$ multiplies each $x_i$ by $z$, so "
                 r"$\operatorname{sum}(\mathbf{x} z) = z \sum_i x_i$.")
        partial = f"$\\partial/\\partial x_j$ is ${_tex(_scaled(c, 'z'))}$ for every $j$"
        return Draft(
            "x[n], z", "x", f"sum({inside})", key, "gradient",
            (first, f"{partial}: the row ${_tex(key)}$."),
            (_layout(key),
             Mistake(_scaled(c, "z"), "scalar_instead_of_row",
                     "That is one partial derivative; the gradient is the row of all n of them."),
             Mistake(_scaled(c, "sum(x) ones(n)^T"), "wrong_variable",
                     "Differentiating by x leaves the factor z, not sum(x).")),
            (first, f"{partial}. " + _in_column("x", r"\partial y/\partial\mathbf{x}", key)),
        )
    if choice == "by_z":
        key = _scaled(c, "sum(x)")
        first = (r"$\operatorname{sum}(\mathbf{x} z) = \sum_i x_i z$, and $\partial(x_i z)/"
                 r"\partial z = x_i$.")
        return Draft(
            "x[n], z", "z", f"sum({inside})", key, "derivative",
            (first, f"Adding up: $\\partial y/\\partial z = {_tex(key)}$, a scalar."),
            (Mistake(_scaled(c, "z sum(ones(n))"), "nz_instead_of_sum",
                     "Each term x_i z contributes x_i, not z: the derivative is sum(x), not n z."),
             Mistake(_scaled(c, "x"), "vector_instead_of_sum",
                     "y is a sum: its derivative by z adds up the x_i, giving a scalar."),
             Mistake(_scaled(c, "sum(ones(n))"), "nz_instead_of_sum",
                     "Each term x_i z contributes x_i, not 1: the derivative is sum(x).")),
            (first, f"Adding up: $\\partial y/\\partial z = {_tex(key)}$. Both $y$ and $z$ "
             "are scalars, so in denominator layout too the derivative is this scalar."),
        )
    key = f"w^T + {_scaled(c, 'ones(n)^T')}"
    total = r"The derivative of a sum is the sum of the derivatives."
    return Draft(
        "w[n], x[n]", "x", f"w^T x + {_scaled(c, 'sum(x)')}", key, "gradient",
        (total,
         r"$\partial(\mathbf{w}^{\top}\mathbf{x})/\partial\mathbf{x} = \mathbf{w}^{\top}$ and "
         f"$\\partial({_tex(_scaled(c, 'sum(x)'))})/\\partial\\mathbf{{x}} = "
         f"{_tex(_scaled(c, 'ones(n)^T'))}$ (sum reduction)."),
        (_layout(key),
         Mistake("w^T", "missing_term", "The sum term contributes too."),
         Mistake(f"x^T + {_scaled(c, 'ones(n)^T')}", "wrong_variable",
                 "Differentiating w^T x by x leaves w.")),
        (total,
         r"In denominator layout the gradient is a column, like $\mathbf{x}$: "
         r"$\partial(\mathbf{w}^{\top}\mathbf{x})/\partial\mathbf{x} = \mathbf{w}$ and "
         f"$\\partial({_tex(_scaled(c, 'sum(x)'))})/\\partial\\mathbf{{x}} = "
         f"{_column(_scaled(c, 'ones(n)^T'))}$ (sum reduction), so "
         f"the gradient is ${_column(key)}$."),
    )


def _elementwise(rng: random.Random, rational: bool) -> tuple[str, str, str, str, str]:
    """sum(f(x)): the function, the key row, the Jacobian of the element-wise map, a slipped
    row, and which f it is."""
    choices = ["power", "weighted"] if rational else ["power", "weighted", "exp", "sin", "tanh"]
    choice = rng.choice(choices)
    k = rng.randint(2, 4)
    if choice == "power":
        p = rng.randint(2, 4)
        lower = "x" if p == 2 else f"x .^ {p - 1}"
        row = "2 x^T" if p == 2 else f"{p} ({lower})^T"
        return (f"sum(x .^ {p})", row, f"{p} diag({lower})",
                f"{p} (x .^ {p})^T", "power")
    if choice == "weighted":
        return ("sum(w .* x .^ 2)", "2 (w .* x)^T", "2 diag(w .* x)", "(w .* x)^T",
                "weighted")
    if choice == "exp":
        return (f"sum(exp({k} x))", f"{k} exp({k} x)^T", f"{k} diag(exp({k} x))",
                f"exp({k} x)^T", "exp")
    if choice == "sin":
        return (f"sum(sin({k} x))", f"{k} cos({k} x)^T", f"{k} diag(cos({k} x))",
                f"cos({k} x)^T", "sin")
    return ("sum(tanh(x))", "(1 - tanh(x) .^ 2)^T", "diag(1 - tanh(x) .^ 2)",
            "(1 - tanh(x))^T", "tanh")


def _level3(rng: random.Random, rational: bool) -> Draft:
    function, key, jacobian, slip, choice = _elementwise(rng, rational)
    slip_note, slip_feedback = {
        "power": ("power_rule_off_by_one", "The power rule lowers the exponent by one."),
        "weighted": ("missing_factor_2", "Each term w_i x_i^2 differentiates to 2 w_i x_i."),
        "exp": ("missing_chain_factor", "The chain rule multiplies by the inner derivative k."),
        "sin": ("missing_chain_factor", "The chain rule multiplies by the inner derivative k."),
        "tanh": ("tanh_derivative", "d tanh(u)/du = 1 - tanh(u)^2, not 1 - tanh(u)."),
    }[choice]
    first = (r"Sum reduction: $y = \sum_i f(x_i)$, and only the term $f(x_j)$ depends on $x_j$, "
             r"so $\partial y/\partial x_j = f'(x_j)$.")
    return Draft(
        "w[n], x[n]" if choice == "weighted" else "x[n]", "x", function, key, "gradient",
        (first,
         r"The Jacobian of the element-wise map is diagonal (element-wise diagonal condition); "
         r"summing its rows, $\mathbf{1}^{\top}\operatorname{diag}(f'(\mathbf{x}))$, gives the "
         r"row $f'(\mathbf{x})^{\top}$."),
        (_layout(key),
         Mistake(jacobian, "jacobian_instead_of_gradient",
                 "diag(f'(x)) is the Jacobian of the element-wise map; the sum reduces it to "
                 "the row 1^T diag(f'(x)) = f'(x)^T."),
         Mistake(slip, slip_note, slip_feedback)),
        (first,
         r"The Jacobian of the element-wise map is diagonal (element-wise diagonal condition). "
         r"In denominator layout the gradient is a column, like $\mathbf{x}$: summing the "
         r"columns of the diagonal matrix, $\operatorname{diag}(f'(\mathbf{x}))\,\mathbf{1}$, "
         rf"gives $f'(\mathbf{{x}}) = {_column(key)}$."),
    )


def draft(rng: random.Random, difficulty: int, form: Form) -> Draft:
    if difficulty == 1:
        made = _level1(rng)
    elif difficulty == 2:
        made = _level2(rng)
    else:
        made = _level3(rng, rational=form == "numeric")
    # Names from the family's set: written with x, w, z, then renamed.
    return renamed(made, {"x": rng.choice(("x", "u", "v")), "w": rng.choice(("w", "y")),
                          "z": rng.choice(("z", "t"))})


FAMILY = Family(
    name="sum_reduction",
    title="Sum reduction and the dot product",
    source="Parr & Howard §4.4 (vector sum reduction: sum(x), sum(xz), sum(f(x))), §4.2 (the "
           "dot product w·x)",
    difficulties=(1, 2, 3),
    forms=("symbolic", "numeric"),
    draft=draft,
)
