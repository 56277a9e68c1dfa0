"""Exercise sets: per-student variants from a roster (read by :mod:`grader.roster`), seeds, and
choosing exercises.

A variant's seed derives from the set seed and the student id alone (SHA-256, not Python's
``hash``), so one student's sheet can be rebuilt without the rest of the class, on any machine.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from generator.families import get, registry
from generator.family import Family, build
from generator.layout import Layout
from generator.verify import verify
from grader.exercise_set import Exercise, ExerciseSet, ExerciseSetError, Form, Variant
from grader.roster import Student as Student  # the sets' input: importable from here too


@dataclass(frozen=True)
class SetOptions:
    families: tuple[str, ...] = ()  # empty: every family
    difficulty: int | None = None   # None: each family's levels in turn
    form: Form = "symbolic"
    count: int = 8
    seed: int = 0
    layout: Layout = "numerator"
    title: str = "Matrix calculus"
    #: Exercises from files (generator.authored), selectable by id like families; with some
    #: and no ``families``, these are the pool.
    authored: tuple[Family, ...] = ()


def derived_seed(*parts: object) -> int:
    """A 63-bit seed from the parts, the same on every machine and Python version."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def eligible(options: SetOptions) -> list[tuple[Family, list[int]]]:
    """The families to draw from, each with the difficulties to use."""
    explicit = bool(options.families)
    own = {family.name: family for family in options.authored}
    families = [own.get(name) or get(name) for name in options.families] if explicit else list(
        options.authored or registry().values())
    if options.difficulty is not None and not 1 <= options.difficulty <= 5:
        raise ExerciseSetError(f"difficulty must be from 1 to 5, not {options.difficulty}")
    chosen: list[tuple[Family, list[int]]] = []
    for family in families:
        levels = list(family.difficulties)
        if options.difficulty is not None:
            levels = [options.difficulty] if options.difficulty in levels else []
        if options.form not in family.forms or not levels:
            if explicit:
                what = (f"form {options.form} (it has {', '.join(family.forms)})"
                        if options.form not in family.forms else
                        f"difficulty {options.difficulty} (it has "
                        f"{', '.join(map(str, family.difficulties))})")
                raise ExerciseSetError(f"family {family.name} has no {what}")
            continue
        chosen.append((family, levels))
    if not chosen:
        raise ExerciseSetError("no family offers that form and difficulty")
    return chosen


def make_variant(options: SetOptions, student: Student, *, check: bool = True) -> Variant:
    seed = derived_seed(options.seed, student.id)
    rng = random.Random(seed)
    pool = eligible(options)
    order = list(range(len(pool)))
    rng.shuffle(order)
    exercises: list[Exercise] = []
    for index in range(options.count):
        family, levels = pool[order[index % len(order)]]
        difficulty = levels[index // len(order) % len(levels)]
        exercise_seed = derived_seed(seed, index, family.name)
        exercise = build(family, exercise_seed, difficulty, options.form, options.layout,
                         f"q{index + 1}")
        if check:
            verify(exercise, seed=exercise_seed % 1000)
        exercises.append(exercise)
    return Variant(student.id, seed, tuple(exercises), student.name, student.email,
                   student.canvas_id)


def make_set(
    options: SetOptions,
    students: Sequence[Student] = (),
    *,
    progress: Callable[[int], None] | None = None,
    check: bool = True,
    jobs: int = 1,
) -> ExerciseSet:
    """One variant per student, or a single anonymous variant ``v1``; with ``jobs`` > 1 the
    variants are made in that many processes (each variant depends only on its own seed, so
    the set is the same either way)."""
    if options.count < 1:
        raise ExerciseSetError(f"count must be at least 1, not {options.count}")
    eligible(options)  # a bad request fails before any work
    roster = list(students) or [Student("v1")]
    variants: list[Variant] = []
    if jobs > 1 and len(roster) > 1:
        with ProcessPoolExecutor(jobs) as pool:
            for variant in pool.map(_variant_job, [(options, s, check) for s in roster],
                                    chunksize=4):
                variants.append(variant)
                if progress is not None:
                    progress(1)
    else:
        for student in roster:
            variants.append(make_variant(options, student, check=check))
            if progress is not None:
                progress(1)
    return ExerciseSet(options.seed, options.layout, tuple(variants), options.title)


def _variant_job(job: tuple[SetOptions, Student, bool]) -> Variant:
    options, student, check = job
    return make_variant(options, student, check=check)
