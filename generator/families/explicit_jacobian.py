"""Explicit Jacobians of vector functions of two or three scalars (Parr & Howard §4.1
"Generalization of the Jacobian").

f = [f₁; …; fₘ] of the variables x, y (and z), m, n ∈ {2, 3}; J is m×n with J_ij = ∂fᵢ/∂xⱼ: row i
is the gradient of fᵢ (numerator layout); denominator layout writes Jᵀ, n×m, whose column i is
the gradient of fᵢ, and its worked solution builds it column by column.  Difficulty 1:
polynomial components (now and then the paper's own example, f = [3x²y; 2x + y⁸],
J = [[6yx, 3x²], [2, 8y⁷]]).  2: components with sin, cos and exp factors of kx, and products:
the chain and product rules inside each entry.

Every entry is written by the scalar rules, term by term, with :mod:`scalar_rules`' terms.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from generator.families.scalar_rules import (
    Term,
    collect,
    d_sum,
    elementary,
    nonzero,
    same,
    show,
    term,
)
from generator.family import Draft, Family
from grader.exercise_set import Form
from grader.language.parser import parse
from grader.language.printing import print_latex
from grader.verdict import Mistake

_VARIABLES = ("x", "y", "z")
PAPER_FUNCTION = "[3 x^2 y; 2 x + y^8]"


def _monomial(rng: random.Random, variables: Sequence[str]) -> Term:
    chosen = rng.sample(list(variables), rng.randint(1, 2))
    return term(nonzero(rng), {v: rng.randint(1, 3) for v in chosen})


def _component(rng: random.Random, variables: Sequence[str], difficulty: int) -> list[Term]:
    terms = [_monomial(rng, variables)]
    if difficulty == 2:
        v = rng.choice(list(variables))
        powers = {u: rng.randint(1, 2) for u in rng.sample(list(variables), rng.randint(0, 1))}
        terms.insert(0, term(nonzero(rng, 1, 4), powers, [elementary(rng, v)]))
    elif rng.random() < 0.6:
        terms.append(_monomial(rng, variables))
    return terms


def _matrix(entries: Sequence[Sequence[Sequence[Term]]]) -> str:
    return "[" + "; ".join(", ".join(show(e) for e in row) for row in entries) + "]"


def _equal(a: Sequence[Sequence[Sequence[Term]]], b: Sequence[Sequence[Sequence[Term]]]) -> bool:
    return len(a) == len(b) and all(
        len(r) == len(s) and all(same(x, y) for x, y in zip(r, s, strict=True))
        for r, s in zip(a, b, strict=True))


def draft(rng: random.Random, difficulty: int, form: Form) -> Draft:
    if difficulty == 1 and rng.random() < 0.05:
        components = [[term(3, {"x": 2, "y": 1})], [term(2, {"x": 1}), term(1, {"y": 8})]]
        variables: tuple[str, ...] = ("x", "y")
    else:
        n = rng.choice((2, 3))
        m = rng.choice((2, 3))
        variables = _VARIABLES[:n]
        while True:
            components = [collect(_component(rng, variables, difficulty)) for _ in range(m)]
            used = {v for c in components for t in c for v, _ in t.powers} | {
                f.var for c in components for t in c for f in t.factors}
            if used == set(variables) and all(components):  # no column of zeros
                break
    jacobian = [[d_sum(f, v) for v in variables] for f in components]
    given = ", ".join(variables)
    function = "[" + "; ".join(show(f) for f in components) + "]"
    key = _matrix(jacobian)
    transposed = [list(col) for col in zip(*jacobian, strict=True)]
    reversed_columns = [list(reversed(row)) for row in jacobian]
    mistakes: list[Mistake] = []
    if not _equal(transposed, jacobian):
        mistakes.append(Mistake(
            _matrix(transposed), "transpose",
            "Rows and columns are swapped: this is the transpose of the Jacobian asked for; "
            "check the layout (each gradient of a component is a row in numerator layout and a "
            "column in denominator layout)."))
    if not _equal(reversed_columns, jacobian) and not _equal(reversed_columns, transposed):
        mistakes.append(Mistake(
            _matrix(reversed_columns), "variables_out_of_order",
            f"The columns follow the variables in the order {given}."))
    gradient_rows = ", ".join(
        rf"\nabla f_{{{i + 1}}} = {_tex('[' + ', '.join(show(e) for e in row) + ']', given)}"
        for i, row in enumerate(jacobian))
    rows, cols = len(components), len(variables)
    partials = (r"Each partial treats the other variables as constants"
                + (" (the chain and product rules inside each entry)" if difficulty == 2 else ""))
    gradient_columns = ", ".join(
        rf"\nabla f_{{{i + 1}}} = {_tex('[' + '; '.join(show(e) for e in row) + ']', given)}"
        for i, row in enumerate(jacobian))
    denominator = (
        r"In denominator layout the derivative stacks the gradients of the components side by "
        r"side, as columns: entry $(i, j)$ is $\partial f_j/\partial x_i$, one row per variable "
        rf"(${given}$) and one column per component, so it is ${cols} \times {rows}$.",
        rf"{partials}: ${gradient_columns}$.",
        rf"Side by side: $\partial\mathbf{{f}}/\partial({given}) = "
        rf"{_tex(_matrix(transposed), given)}$.",
    )
    steps = (
        r"The Jacobian stacks the gradients of the components: "
        r"$J_{ij} = \partial f_i/\partial x_j$, one row per component and one column per "
        rf"variable (${given}$), so it is ${len(components)} \times {len(variables)}$.",
        rf"{partials}: ${gradient_rows}$.",
    )
    return Draft(given, given, function, key, "jacobian", steps, tuple(mistakes), denominator)


def _tex(text: str, given: str) -> str:
    return print_latex(parse(text, given))


FAMILY = Family(
    name="explicit_jacobian",
    title="Explicit Jacobians",
    source="Parr & Howard §4.1 (J = [∇f₁; …; ∇fₘ]; [3x²y; 2x + y⁸])",
    difficulties=(1, 2),
    forms=("explicit",),
    draft=draft,
)
