"""Every built-in exercise (all families, symbolic and explicit forms, both layouts), with the
engine's derivative of its function: shared by the equivalence test, the length test and
bench/diff.py."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from generator.calculus.derivative import differentiate
from generator.families import registry
from generator.family import build
from generator.layout import LAYOUTS
from grader.exercise_set import Exercise
from grader.language.parser import parse, parse_declarations
from grader.language.printing import print_ascii


@dataclass(frozen=True)
class Derived:
    exercise: Exercise
    derivative: str


def exercises(seeds: int) -> Iterator[Exercise]:
    for family in registry().values():
        for difficulty in family.difficulties:
            for form in family.forms:
                if form == "numeric":
                    continue
                for layout in LAYOUTS:
                    for seed in range(seeds):
                        yield build(family, seed, difficulty, form, layout,
                                    f"{family.name}-{difficulty}-{form}-{layout}-{seed}")


def derive(exercise: Exercise) -> Derived:
    declarations = parse_declarations(exercise.given)
    function = parse(exercise.function, declarations)
    derivation = differentiate(function, exercise.wrt, declarations, exercise.layout,
                               hessian=exercise.kind == "hessian")
    return Derived(exercise, print_ascii(derivation.result))
