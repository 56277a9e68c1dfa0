"""When two exercises are the same exercise: a sheet never asks the same question twice.

Two exercises are the same when their ``given``, ``wrt`` and ``function`` agree once every digit
is masked (``3 x^T A x`` and ``7 x^T A x`` ask one thing).  Their *structure* is the same when
they also agree once every declared name and dim symbol is masked, by order of first appearance
(``x^T A x`` and ``y^T B y`` are one structure): renaming alone does not make a new exercise.
"""

from __future__ import annotations

import re

from grader.exercise_set import Exercise
from grader.language.parser import parse_declarations

_DIGITS = re.compile(r"[0-9]+")
_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]+")


def signature(exercise: Exercise) -> str:
    """``given | wrt | function`` with every run of digits replaced by ``#``."""
    return text_signature(exercise.given, exercise.wrt, exercise.function)


def text_signature(given: str, wrt: str, function: str, *, sizes_masked: bool = False) -> str:
    """The signature of an exercise given by its texts; with ``sizes_masked`` the dim symbols
    of ``given`` count as digits too (as they become in a numeric exercise)."""
    if sizes_masked:
        symbols = set(parse_declarations(given).dim_symbols)
        given = _TOKEN.sub(lambda m: "0" if m.group(0) in symbols else m.group(0), given)
    return _DIGITS.sub("#", f"{given} | {wrt} | {function}")


def structure(exercise: Exercise) -> str:
    """The signature with declared names and dim symbols also masked (``N1``, ``N2``... by
    order of first appearance), so that renamed exercises share a structure."""
    declarations = parse_declarations(exercise.given)
    masked = set(declarations.names) | set(declarations.dim_symbols)
    numbering: dict[str, str] = {}

    def mask(match: re.Match[str]) -> str:
        token = match.group(0)
        if token.isdigit():
            return "#"
        if token not in masked:
            return _DIGITS.sub("#", token)
        return numbering.setdefault(token, f"N{len(numbering) + 1}")

    return _TOKEN.sub(mask, _joined(exercise))


def _joined(exercise: Exercise) -> str:
    return f"{exercise.given} | {exercise.wrt} | {exercise.function}"
