"""``matcalc author check``: every exercise of a file, over many parameter draws and both layouts.

At each draw and layout: finite differences of the function agree with the key (given or
derived; :mod:`generator.verify`), the grader accepts the key in ASCII and in LaTeX, rejects every
listed mistake, and gives every test the verdict it expects.  A failure names the file, the
entry (``bilinear.tests[0]``), its line and the draw; an entry's first failure is reported once.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace

from generator.authored.draws import Draw, draw_exercise, family_of
from generator.authored.errors import AuthoringError
from generator.authored.reading import AuthoredExercise
from generator.family import GenerationError, build
from generator.layout import LAYOUTS, Layout, transposed
from generator.verify import finite_differences, self_check
from grader.checker import check
from grader.exercise_set import Exercise
from grader.language import nodes as n
from grader.language.parser import parse, parse_declarations
from grader.language.printing import print_ascii
from grader.language.shapes import Shape
from grader.verdict import CheckOptions

DRAWS = 20


@dataclass(frozen=True)
class Failure:
    place: str  # FILE:LINE: ID.ENTRY
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


def check_exercise(exercise: AuthoredExercise, draws: int = DRAWS) -> list[Failure]:
    """Every failure of ``exercise`` (empty: it passes)."""
    failures: dict[str, Failure] = {}

    def fail(entry: str, message: str) -> None:
        failures.setdefault(entry, Failure(exercise.place(entry), message))

    try:
        family = family_of(exercise)
    except GenerationError as problem:
        return [Failure(exercise.place(), str(problem))]
    for layout in LAYOUTS:
        for index in range(draws):
            seed = index
            where = f"draw {index + 1} of {draws}"
            try:
                made = draw_exercise(exercise, random.Random(seed))
                built = build(family, seed, exercise.difficulty, "symbolic", layout,
                              exercise.id)
            except GenerationError as problem:
                fail("", f"{problem} ({where}, {layout} layout)")
                continue
            at = f"{where}: {made.described}; {layout} layout"
            _check_key(exercise, built, made, at, fail)
            _check_listed(exercise, built, made, layout, at, fail)
    return list(failures.values())


def _check_key(exercise: AuthoredExercise, built: Exercise, made: Draw, at: str,
               fail: Callable[[str, str], None]) -> None:
    entry = "answer" if exercise.answer is not None else "function"
    declarations = parse_declarations(built.given)
    try:
        finite_differences(built, declarations, parse(built.function, declarations),
                           parse(built.answer, declarations), built.seed)
        self_check(replace(built, mistakes=()))
    except GenerationError as problem:
        fail(entry, f"{_without_family(str(problem), exercise.id)} ({at})")


def _check_listed(exercise: AuthoredExercise, built: Exercise, made: Draw, layout: Layout,
                  at: str, fail: Callable[[str, str], None]) -> None:
    key_shape = made.key.typed_shape
    options = CheckOptions(diagnose=False)
    for i, (tree, _mistake) in enumerate(zip(made.mistakes, exercise.mistakes, strict=True)):
        text = print_ascii(_in_layout(tree, key_shape, layout, exercise.hessian))
        verdict = check(built.answer, text, built.given, options=options)
        if verdict.status in ("correct", "invalid", "undecided"):
            fail(f"mistakes[{i}]", f"{text!r} is {verdict.status}, but a listed mistake must "
                 f"be rejected ({verdict.feedback}) ({at})")
    for i, (test_tree, test) in enumerate(zip(made.tests, exercise.tests, strict=True)):
        text = test.answer if test_tree is None else print_ascii(
            _in_layout(test_tree, key_shape, layout, exercise.hessian))
        verdict = check(built.answer, text, built.given, options=options)
        if verdict.status != test.expect:
            fail(f"tests[{i}]", f"{text!r} is {verdict.status}, expected {test.expect} "
                 f"({verdict.feedback}) ({at})")


def _in_layout(tree: n.Node, key_shape: Shape, layout: Layout, hessian: bool) -> n.Node:
    """An answer written in numerator layout, as written for a ``layout`` sheet: transposed
    when it has the key's shape or its transpose (so a wrong shape stays wrong)."""
    if layout == "numerator" or hessian or tree.typed_shape not in (key_shape,
                                                                     key_shape.transposed):
        return tree
    return transposed(tree)


def _without_family(message: str, exercise_id: str) -> str:
    prefix = f"{exercise_id}: "
    return message[len(prefix):] if message.startswith(prefix) else message


def check_all(exercises: tuple[AuthoredExercise, ...], draws: int = DRAWS) -> list[Failure]:
    failures: list[Failure] = []
    for exercise in exercises:
        failures.extend(check_exercise(exercise, draws))
    return failures


__all__ = ["DRAWS", "AuthoringError", "Failure", "check_all", "check_exercise"]
