"""Layout translation (Parr & Howard §4.1 and their notes on layout; the Matrix Cookbook's
gradients, eqs. (69)–(71), (81), (102), are in denominator layout).

A known result is quoted in one layout (the Matrix Cookbook's, denominator layout: the gradient
has the shape of the variable; or Parr & Howard's numerator Jacobian) and the exercise asks for
the derivative in the stated layout.  The answer is the transpose between P&H rows and G
columns; the typical mistake is to copy the quoted form unchanged.

Difficulty 1 only: one of aᵀx, xᵀx, xᵀAx, ‖x − a‖², ‖Ax − b‖², aᵀX b, tr(AX), uᵀ(W x + b) by W,
or the Jacobian of A x, with a random positive coefficient on some of them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from generator.family import Draft, Family
from grader.exercise_set import Form
from grader.language.parser import parse
from grader.language.printing import print_ascii, print_latex
from grader.verdict import Mistake


@dataclass(frozen=True)
class _Result:
    given: str
    wrt: str
    function: str
    numerator: str  # Parr & Howard's form
    denominator: str  # the transpose
    kind: str
    quoted: str  # which layout the known result is quoted in


def _scaled(k: int, text: str) -> str:
    return text if k == 1 else f"{k} {text}"


def _dot(k: int) -> _Result:
    return _Result("x[n], a[n]", "x", _scaled(k, "a^T x"), _scaled(k, "a^T"), _scaled(k, "a"),
                   "gradient", "denominator")


def _square(k: int) -> _Result:
    return _Result("x[n]", "x", _scaled(k, "x^T x"), f"{2 * k} x^T", f"{2 * k} x",
                   "gradient", "denominator")


def _quadratic(k: int) -> _Result:
    return _Result("x[n], A[n,n]", "x", "x^T A x", "x^T (A + A^T)", "(A + A^T) x",
                   "gradient", "denominator")


def _distance(k: int) -> _Result:
    return _Result("x[n], a[n]", "x", _scaled(k, "norm(x - a)^2"), f"{2 * k} (x - a)^T",
                   f"{2 * k} (x - a)", "gradient", "denominator")


def _least_squares(k: int) -> _Result:
    return _Result("x[n], A[m,n], b[m]", "x", "norm(A x - b)^2", "2 (A x - b)^T A",
                   "2 A^T (A x - b)", "gradient", "denominator")


def _bilinear(k: int) -> _Result:
    return _Result("a[p], X[p,q], b[q]", "X", _scaled(k, "a^T X b"), _scaled(k, "b a^T"),
                   _scaled(k, "a b^T"), "gradient", "denominator")


def _trace(k: int) -> _Result:
    return _Result("A[q,p], X[p,q]", "X", _scaled(k, "tr(A X)"), _scaled(k, "A"),
                   _scaled(k, "A^T"), "gradient", "denominator")


def _neuron(k: int) -> _Result:
    return _Result("u[m], W[m,n], x[n], b[m]", "W", "u^T (W x + b)", "x u^T", "u x^T",
                   "gradient", "denominator")


def _linear(k: int) -> _Result:
    return _Result("x[n], A[m,n]", "x", "A x", "A", "A^T", "jacobian", "numerator")


_RESULTS: tuple[Callable[[int], _Result], ...] = (
    _dot, _square, _quadratic, _distance, _least_squares, _bilinear, _trace, _neuron, _linear)


def _tex(text: str, given: str) -> str:
    return print_latex(parse(text, given))


def draft(rng: random.Random, difficulty: int, form: Form) -> Draft:
    k = rng.choice((1, 1, 2, 3, 4, 5))
    result = rng.choice(_RESULTS)(k)
    given = result.given

    def canon(text: str) -> str:
        return print_ascii(parse(text, given))

    key, other = canon(result.numerator), canon(result.denominator)
    shape = parse(key, given).typed_shape
    size = rf"${shape.rows} \times {shape.cols}$"
    variable = _tex(result.wrt, given)
    if result.quoted == "denominator":
        quoted = (r"The Matrix Cookbook works in denominator layout, where the derivative of a "
                  r"scalar has the shape of the variable: $\partial f/\partial "
                  rf"{variable} = {_tex(other, given)}$.")
        steps = (quoted, r"Numerator layout (Parr \& Howard's) is its transpose: "
                 rf"$\partial f/\partial {variable} = {_tex(key, given)}$, {size}.")
        denominator = (quoted, r"That is already this sheet's layout, so the result stands as "
                       r"quoted.")
        feedback = ("That is the result as quoted in the other layout: transpose it for this "
                    "exercise's layout.")
    else:
        quoted = (r"Parr \& Howard give the Jacobian in numerator layout (row $i$ is the "
                  rf"gradient of $f_i$): $\partial\mathbf{{f}}/\partial {variable} = "
                  rf"{_tex(key, given)}$, {size}.")
        steps = (quoted, r"That is already this sheet's layout, so the result stands as quoted.")
        denominator = (quoted, r"Denominator layout (column $i$ is the gradient of $f_i$) is "
                       rf"its transpose: ${_tex(other, given)}$.")
        feedback = ("That is the Jacobian in the other layout: numerator and denominator "
                    "layout are transposes of each other.")
    return Draft(given, result.wrt, canon(result.function), key, result.kind, steps,
                 (Mistake(other, "other_layout", feedback),), denominator)


FAMILY = Family(
    name="layout_translation",
    title="Layout translation",
    source="Parr & Howard §4.1 (numerator layout; the denominator layout is its "
           "transpose); Matrix Cookbook eqs. (69)–(71), (81), (102) (results in denominator "
           "layout)",
    difficulties=(1,),
    forms=("symbolic",),
    draft=draft,
)
