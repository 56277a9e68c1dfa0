"""What the families share when they write an exercise: names drawn from a family's natural set,
and expressions of the answer language typeset for the worked steps (so that a step shows the
key exactly as the answer key prints it)."""

from __future__ import annotations

import functools
import random

from grader.language.parser import parse, parse_declarations
from grader.language.printing import print_latex
from grader.language.printing.latex import latex_name

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
