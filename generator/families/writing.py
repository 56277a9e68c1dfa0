"""What the families share when they write an exercise: names drawn from a family's natural set,
and expressions of the answer language typeset for the worked steps (so that a step shows the
key exactly as the answer key prints it)."""

from __future__ import annotations

import dataclasses
import functools
import random
import re

from generator.family import Draft
from generator.layout import transposed
from grader.language.parser import parse, parse_declarations
from grader.language.printing import print_latex
from grader.language.printing.latex import latex_name
from grader.verdict import Mistake

#: Natural names: column vectors, square or rectangular matrices.
VECTORS = ("x", "y", "z", "u", "v")
MATRICES = ("A", "B", "C", "M", "P", "Q")


def names(rng: random.Random, pool: tuple[str, ...], count: int) -> list[str]:
    """``count`` distinct names from ``pool``, in a random order."""
    return rng.sample(pool, count)


def times(c: int, expression: str) -> str:
    """``c expression``, without a visible factor 1."""
    return expression if c == 1 else f"{c} {expression}"


def coefficient(c: int) -> str:
    """A coefficient as LaTeX: nothing for 1."""
    return "" if c == 1 else str(c)


@functools.lru_cache(maxsize=4096)
def tex(expression: str, given: str) -> str:
    """``expression`` (answer language, names of ``given``) as the answer key typesets it."""
    return print_latex(parse(expression, parse_declarations(given)))


def symbol(name: str, given: str) -> str:
    """A declared name as LaTeX: bold for a vector."""
    shape = parse_declarations(given).shape_of(name)
    return latex_name(name, bold=shape is not None and shape.is_vector)


def gradient_steps(given: str, x: str, opening: tuple[str, ...], row: str, column: str
                   ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The same derivation ending in each layout's form of a scalar's derivative by the vector
    ``x``: (numerator steps, denominator steps)."""
    bx = symbol(x, given)
    return ((*opening, rf"In numerator layout the derivative of a scalar by ${bx}$ is a row: "
             rf"$\partial f/\partial {bx} = {tex(row, given)}$."),
            (*opening, rf"In denominator layout the gradient is a column, like ${bx}$: "
             rf"$\partial f/\partial {bx} = {tex(column, given)}$."))


def jacobian_steps(given: str, x: str, opening: tuple[str, ...], numerator: str,
                   denominator: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The same derivation ending in each layout's form of a vector's derivative by ``x``."""
    bx = symbol(x, given)
    return ((*opening, r"In numerator layout row $i$ of the Jacobian is the derivative of "
             rf"$f_i$: $\partial\mathbf{{f}}/\partial {bx} = {tex(numerator, given)}$."),
            (*opening, r"In denominator layout column $i$ holds the gradient of $f_i$ (one row "
             rf"per entry of ${bx}$): $\partial\mathbf{{f}}/\partial {bx} = "
             rf"{tex(denominator, given)}$."))


def matrix_steps(given: str, x: str, opening: tuple[str, ...], numerator: str,
                 denominator: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The same derivation ending in each layout's form of a scalar's derivative by the matrix
    ``x``, from the matrix of the partial derivatives ∂f/∂x_ij."""
    return ((*opening, rf"Numerator layout puts $\partial f/\partial {x}_{{ij}}$ at position "
             rf"$(j, i)$, so the result has the shape of ${x}^{{\top}}$: "
             rf"$\partial f/\partial {x} = {tex(numerator, given)}$."),
            (*opening, rf"Denominator layout puts $\partial f/\partial {x}_{{ij}}$ at position "
             rf"$(i, j)$, so the result has the shape of ${x}$: "
             rf"$\partial f/\partial {x} = {tex(denominator, given)}$."))


def renamed(draft: Draft, mapping: dict[str, str]) -> Draft:
    """``draft`` with declared names replaced (``{"x": "z"}``) in every text, steps and feedback
    included.  A name is replaced where it stands alone: not inside a longer name or a LaTeX
    command, so only names that never occur as words of the prose may be mapped (a lone capital
    also inside products like AX)."""
    mapping = {old: new for old, new in mapping.items() if old != new}
    if not mapping:
        return draft
    # A capital matrix name also stands in products written without spaces (AX, dX), but never
    # before a lower-case letter (a word) or after a backslash (a command).
    capitals = [name for name in mapping if len(name) == 1 and name.isupper()]
    others = [name for name in mapping if name not in capitals]
    alternatives = []
    if others:
        alternatives.append(r"(?<![A-Za-z\\])(?:" + "|".join(map(re.escape, others))
                            + r")(?![A-Za-z])")
    if capitals:
        alternatives.append(r"(?<!\\)[" + "".join(capitals) + r"](?![a-z])")
    pattern = re.compile("|".join(alternatives))

    def sub(text: str) -> str:
        return pattern.sub(lambda m: mapping[m.group(0)], text)

    return dataclasses.replace(
        draft, given=sub(draft.given), wrt=sub(draft.wrt), function=sub(draft.function),
        answer=sub(draft.answer), steps=tuple(map(sub, draft.steps)),
        denominator_steps=tuple(map(sub, draft.denominator_steps)),
        mistakes=tuple(Mistake(sub(m.answer), m.note, sub(m.feedback)) for m in draft.mistakes))


def gradient_in_layouts(draft: Draft, numerator: str, denominator: str) -> Draft:
    """The last step, which reads the answer off in numerator layout with the sentence
    ``numerator``, read off in denominator layout too (``denominator``: the Cookbook's G
    itself)."""
    *body, last = draft.steps
    if numerator not in last:
        return draft
    given = parse_declarations(draft.given)
    column = print_latex(transposed(parse(draft.answer, given)))
    head = last[:last.index(numerator)]
    return dataclasses.replace(draft, denominator_steps=(
        *body, f"{head}{denominator} Here that is ${column}$."))
