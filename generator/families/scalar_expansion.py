"""Scalar expansion (Parr & Howard §4.3 "Derivatives involving scalar expansion").

A scalar z combined with a vector x acts as the vector z·1⃗: ∂(x + z)/∂x = I and ∂(x + z)/∂z = 1⃗
(a column, numerator layout); ∂(x z)/∂x = z I and ∂(x z)/∂z = x; ∂(x/z)/∂x = I/z and
∂(x/z)/∂z = −x/z².

Difficulty 1: k x + z, x − z, k z x or x / z, by x (an n×n Jacobian) or by z (an n×1 column).
Difficulty 2: two terms, k x z + c z, x / z + c z, (x + c z) z, (x − c z)/z or z² x + c x, by x or
by z: scalar expansion plus the sum, product or quotient rule.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from generator.family import Draft, Family
from generator.layout import transposed
from grader.exercise_set import Form
from grader.language.parser import parse
from grader.language.printing import print_ascii, print_latex
from grader.verdict import Mistake

_GIVEN = "x[n], z"

_ROW = Mistake("", "row_instead_of_column",
               "That is the transpose: the derivative of a vector by a scalar has the vector's "
               "orientation (a column in numerator layout, a row in denominator layout).")
_IDENTITY = Mistake("I_n", "identity_instead_of_ones",
                    "z is a scalar: the derivative by z is a vector (the expanded z·1 "
                    "differentiates to the vector of ones), not the n×n identity.")
_VECTOR = Mistake("", "vector_instead_of_matrix",
                  "The derivative of a vector by the vector x is an n×n Jacobian, here a "
                  "multiple of I, not a vector.")


def _like(template: Mistake, answer: str) -> Mistake:
    return Mistake(answer, template.note, template.feedback)


def _tex(text: str) -> str:
    return print_latex(parse(text, _GIVEN))


def _times(k: int, text: str) -> str:
    return text if k == 1 else f"{k} {text}"


def _case_sum(rng: random.Random, by_x: bool) -> tuple[str, str, list[Mistake], str]:
    k = rng.choice((1, 1, 2, 3, 4, 5))
    function = f"{_times(k, 'x')} + z"
    if by_x:
        return (function, _times(k, "I_n"), [_like(_VECTOR, _times(k, "ones(n)"))],
                rf"$z$ does not depend on $\mathbf{{x}}$, and $\partial({_tex(_times(k, 'x'))})"
                rf"/\partial\mathbf{{x}} = {_tex(_times(k, 'I_n'))}$.")
    return (function, "ones(n)",
            [_like(_ROW, "ones(n)^T"), _IDENTITY],
            r"Scalar expansion: $\mathbf{x} + z = \mathbf{x} + z\mathbf{1}$, and "
            r"$\partial(z\mathbf{1})/\partial z = \mathbf{1}$, a column of ones.")


def _case_difference(rng: random.Random, by_x: bool) -> tuple[str, str, list[Mistake], str]:
    if by_x:
        return ("z - x", "-I_n",
                [Mistake("I_n", "sign", "x enters with a minus sign: the derivative is -I."),
                 _like(_VECTOR, "-ones(n)")],
                r"Scalar expansion: $z - \mathbf{x} = z\mathbf{1} - \mathbf{x}$, and "
                r"$\partial(-\mathbf{x})/\partial\mathbf{x} = -I$.")
    return ("x - z", "-ones(n)",
            [Mistake("ones(n)", "sign", "z enters with a minus sign: the derivative is -1."),
             _like(_ROW, "-ones(n)^T"), _like(_IDENTITY, "-I_n")],
            r"Scalar expansion: $\mathbf{x} - z = \mathbf{x} - z\mathbf{1}$, and "
            r"$\partial(-z\mathbf{1})/\partial z = -\mathbf{1}$.")


def _case_product(rng: random.Random, by_x: bool) -> tuple[str, str, list[Mistake], str]:
    k = rng.choice((1, 1, 2, 3, 4, 5))
    function = _times(k, "z x") if rng.random() < 0.5 else f"{_times(k, 'x')} z"
    if by_x:
        return (function, _times(k, "z I_n"),
                [_like(_VECTOR, _times(k, "z ones(n)")),
                 Mistake(_times(k, "I_n"), "dropped_scalar",
                         "Each x_i is multiplied by z: the diagonal is z, not 1.")],
                r"Scalar expansion: $z\mathbf{x} = (z\mathbf{1}) \odot \mathbf{x}$; by the "
                r"element-wise diagonal condition the Jacobian is "
                rf"$\operatorname{{diag}}(z\mathbf{{1}}) = {_tex(_times(k, 'z I_n'))}$.")
    return (function, _times(k, "x"),
            [_like(_ROW, _times(k, "x^T")),
             Mistake(_times(k, "z ones(n)"), "differentiated_wrong_factor",
                     "The derivative of z x by z is x: differentiate z, keep x.")],
            r"Each component is $z x_i$, whose derivative by $z$ is $x_i$: "
            rf"$\partial\mathbf{{f}}/\partial z = {_tex(_times(k, 'x'))}$, a column.")


def _case_quotient(rng: random.Random, by_x: bool) -> tuple[str, str, list[Mistake], str]:
    if by_x:
        return ("x / z", "I_n / z",
                [_like(_VECTOR, "ones(n) / z"),
                 Mistake("-I_n / z^2", "wrong_variable",
                         "-1/z^2 comes from differentiating by z; by x, x/z is (1/z) x.")],
                r"$\mathbf{x}/z = (1/z)\,\mathbf{x}$: a scalar times $\mathbf{x}$, so the "
                r"Jacobian is $I/z$.")
    return ("x / z", "-x / z^2",
            [Mistake("x / z^2", "sign", "d(1/z)/dz = -1/z^2: the sign is negative."),
             _like(_ROW, "-x^T / z^2"),
             Mistake("ones(n) / z", "quotient_rule",
                     "z is in the denominator: d(x_i/z)/dz = -x_i/z^2.")],
            r"Each component is $x_i/z$, and $d(1/z)/dz = -1/z^2$, so "
            r"$\partial\mathbf{f}/\partial z = -\mathbf{x}/z^2$, a column.")


def _level_two(rng: random.Random, by_x: bool) -> tuple[str, str, list[Mistake], str]:
    k, c = rng.randint(2, 5), rng.randint(2, 5)
    which = rng.randrange(5)
    if which == 3:
        function = f"(x - {c} z) / z"
        if by_x:
            return (function, "I_n / z",
                    [_like(_VECTOR, "ones(n) / z"),
                     Mistake(f"I_n / z - {c} I_n", "constant_term_kept",
                             f"{c} z / z = {c} does not depend on x: it contributes nothing.")],
                    rf"Scalar expansion: $f = \mathbf{{x}}/z - {c}\mathbf{{1}}$; only "
                    r"$\mathbf{x}/z$ depends on $\mathbf{x}$, with Jacobian $I/z$.")
        return (function, "-x / z^2",
                [_like(_ROW, "-x^T / z^2"),
                 Mistake(f"-(x - {c} z) / z^2", "quotient_rule_half",
                         "The numerator depends on z too: simplify first, "
                         f"(x - {c} z)/z = x/z - {c} 1, whose second term is constant."),
                 Mistake(f"-x / z^2 - {c} ones(n)", "constant_term_kept",
                         f"{c} z / z = {c} is a constant: it differentiates to 0.")],
                rf"Simplify first: $f = \mathbf{{x}}/z - {c}\mathbf{{1}}$, so "
                r"$\partial f/\partial z = -\mathbf{x}/z^2$ (the constant term gives 0).")
    if which == 4:
        function = f"z^2 x + {c} x"
        if by_x:
            return (function, f"(z^2 + {c}) I_n",
                    [_like(_VECTOR, f"(z^2 + {c}) ones(n)"),
                     Mistake("z^2 I_n", "missing_term", f"The term {c} x contributes {c} I.")],
                    rf"$f = (z^2 + {c})\,\mathbf{{x}}$: a scalar times $\mathbf{{x}}$, with "
                    rf"Jacobian $(z^2 + {c})I$.")
        return (function, "2 z x",
                [_like(_ROW, "2 z x^T"),
                 Mistake(f"2 z x + {c} ones(n)", "constant_term_kept",
                         f"{c} x does not depend on z: it contributes nothing."),
                 Mistake("z x", "missing_factor_2", "d(z^2)/dz = 2 z.")],
                r"Only $z^2\mathbf{x}$ depends on $z$: $\partial f/\partial z = "
                r"2z\,\mathbf{x}$ (a column).")
    if which == 0:
        function = f"{k} z x + {c} z"
        if by_x:
            return (function, f"{k} z I_n",
                    [_like(_VECTOR, f"{k} z ones(n)"),
                     Mistake(f"{k} z I_n + {c} I_n", "constant_term_kept",
                             f"{c} z does not depend on x: it contributes nothing.")],
                    rf"Scalar expansion: $f = {k} z\mathbf{{x}} + {c} z\mathbf{{1}}$; only the "
                    rf"first term depends on $\mathbf{{x}}$, with Jacobian ${k} z I$.")
        return (function, f"{k} x + {c} ones(n)",
                [_like(_ROW, f"{k} x^T + {c} ones(n)^T"),
                 Mistake(f"{k} x", "missing_term",
                         f"The term {c} z expands to {c} z 1, which contributes {c} 1.")],
                rf"Scalar expansion: $f = {k} z\mathbf{{x}} + {c} z\mathbf{{1}}$. By the sum "
                rf"rule, $\partial f/\partial z = {k}\mathbf{{x}} + {c}\mathbf{{1}}$ (a column).")
    if which == 1:
        function = f"x / z + {c} z"
        if by_x:
            return (function, "I_n / z",
                    [_like(_VECTOR, "ones(n) / z"),
                     Mistake(f"I_n / z + {c} I_n", "constant_term_kept",
                             f"{c} z does not depend on x: it contributes nothing.")],
                    r"Only $\mathbf{x}/z = (1/z)\,\mathbf{x}$ depends on $\mathbf{x}$: the "
                    r"Jacobian is $I/z$.")
        return (function, f"-x / z^2 + {c} ones(n)",
                [Mistake(f"x / z^2 + {c} ones(n)", "sign",
                         "d(1/z)/dz = -1/z^2: the first term is negative."),
                 _like(_ROW, f"-x^T / z^2 + {c} ones(n)^T"),
                 Mistake("-x / z^2", "missing_term",
                         f"The term {c} z expands to {c} z 1, which contributes {c} 1.")],
                rf"Sum rule: $\partial(\mathbf{{x}}/z)/\partial z = -\mathbf{{x}}/z^2$ and, by "
                rf"scalar expansion, $\partial({c} z\mathbf{{1}})/\partial z = {c}\mathbf{{1}}$.")
    function = f"(x + {c} z) z"
    if by_x:
        return (function, "z I_n",
                [_like(_VECTOR, "z ones(n)"),
                 Mistake(f"z I_n + {c} z I_n", "constant_term_kept",
                         f"{c} z^2 does not depend on x: it contributes nothing.")],
                rf"Expand: $f = z\mathbf{{x}} + {c} z^2\mathbf{{1}}$; only $z\mathbf{{x}}$ "
                r"depends on $\mathbf{x}$, with Jacobian $zI$.")
    return (function, f"x + {2 * c} z ones(n)",
            [_like(_ROW, f"x^T + {2 * c} z ones(n)^T"),
             Mistake(f"x + {c} z ones(n)", "product_rule",
                     "z appears twice (in the sum and as a factor): the product rule gives "
                     f"{2 * c} z, not {c} z, on the expanded term."),
             Mistake(f"{c} z ones(n)", "missing_term",
                     f"By the product rule the outer factor z contributes x + {c} z too.")],
            rf"Expand with scalar expansion: $f = z\mathbf{{x}} + {c} z^2\mathbf{{1}}$, so "
            rf"$\partial f/\partial z = \mathbf{{x}} + {2 * c} z\mathbf{{1}}$ (a column).")


_CASES: tuple[Callable[[random.Random, bool], tuple[str, str, list[Mistake], str]], ...] = (
    _case_sum, _case_difference, _case_product, _case_quotient)


def draft(rng: random.Random, difficulty: int, form: Form) -> Draft:
    by_x = rng.random() < 0.5
    case = rng.choice(_CASES) if difficulty == 1 else _level_two
    function, answer, mistakes, reason = case(rng, by_x)
    wrt = "x" if by_x else "z"

    def canon(text: str) -> str:
        return print_ascii(parse(text, _GIVEN))

    key = canon(answer)
    listed = {canon(m.answer): m for m in mistakes}
    if by_x:
        first = (r"The derivative of the vector $\mathbf{f}$ by the vector $\mathbf{x}$ is the "
                 r"$n \times n$ Jacobian.")
        kind = "jacobian"
    else:
        first = (r"The derivative of the vector $\mathbf{f}$ by the scalar $z$ is a vector "
                 r"(numerator layout: a column, like $\mathbf{f}$).")
        kind = "derivative"
    variable = r"\mathbf{x}" if by_x else "z"
    steps = (first, reason, rf"So $\partial\mathbf{{f}}/\partial {variable} = {_tex(key)}$.")
    flipped = print_latex(transposed(parse(key, _GIVEN)))
    if by_x:
        denominator = (first, reason, r"In denominator layout column $i$ holds the gradient of "
                       rf"$f_i$: $\partial\mathbf{{f}}/\partial\mathbf{{x}} = {flipped}$.")
    else:
        denominator = (
            r"The derivative of the vector $\mathbf{f}$ by the scalar $z$ is a vector "
            r"(denominator layout: a row, one entry per entry of $\mathbf{f}$).",
            reason.replace(" (a column)", ""),
            rf"As a row: $\partial\mathbf{{f}}/\partial z = {flipped}$.")
    return Draft(_GIVEN, wrt, canon(function), key, kind, steps,
                 tuple(Mistake(text, m.note, m.feedback) for text, m in listed.items()
                       if text != key), denominator)


FAMILY = Family(
    name="scalar_expansion",
    title="Scalar expansion",
    source="Parr & Howard §4.3 (derivatives involving scalar expansion)",
    difficulties=(1, 2),
    forms=("symbolic", "numeric"),
    draft=draft,
)
