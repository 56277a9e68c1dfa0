"""Rebuilding a set from the options it recorded: the whole class, or one student's variant.

A set made by ``matcalc generate`` records its options and the matcalc version
(:meth:`generator.sets.SetOptions.record`).  The same options make the same bytes, so a rebuild
by the same version is the set itself.  Another version may draw other exercises: then the
rebuild is compared with the recorded exercises and refused, saying where they differ, unless
they are the same.
"""

from __future__ import annotations

import dataclasses

from generator.family import Family
from generator.sets import SetOptions, Student, make_set, matcalc_version
from grader.exercise_set import ExerciseSet, ExerciseSetError, Variant


def rebuild(recorded: ExerciseSet, where: str, student: str | None = None, *,
            jobs: int = 1) -> ExerciseSet:
    """The set (or, with ``student``, a set of that student's variant alone) made again from
    the options ``recorded`` holds; ExerciseSetError saying why when it can't be."""
    if not recorded.options:
        raise ExerciseSetError(f"{where}: the set records no options (it was not made by "
                               "matcalc generate, or by a matcalc older than 0.1.0)")
    options = SetOptions.from_record(dict(recorded.options), where)
    if recorded.authored:
        options = dataclasses.replace(options, authored=authored_families(recorded, where))
    variants = recorded.variants
    if student is not None:
        variants = tuple(v for v in variants if v.id == student)
        if not variants:
            known = ", ".join(v.id for v in recorded.variants[:10])
            raise ExerciseSetError(f"{where}: no student {student!r} (the set has {known}"
                                   f"{', ...' if len(recorded.variants) > 10 else ''})")
    anonymous = len(recorded.variants) == 1 and recorded.variants[0].id == "v1" and not \
        recorded.variants[0].name
    students = [] if anonymous else [_student(v) for v in variants]
    made = make_set(options, students, jobs=jobs)
    version = dict(recorded.options).get("matcalc")
    if version != matcalc_version():
        difference = _first_difference(variants, made.variants)
        if difference:
            raise ExerciseSetError(
                f"{where} was made by matcalc {version}; this is matcalc {matcalc_version()}, "
                f"which makes other exercises from the same options ({difference}): rebuild "
                f"it with matcalc {version}")
        made = ExerciseSet(made.seed, made.layout, made.variants, made.title, made.generator,
                           recorded.options)
    return dataclasses.replace(made, authored=recorded.authored)


def authored_families(recorded: ExerciseSet, where: str) -> tuple[Family, ...]:
    """The exercises the set recorded from files, read again from their recorded text."""
    from generator.authored.draws import family_of
    from generator.authored.loading import from_set
    from generator.family import GenerationError

    try:
        return tuple(family_of(exercise) for exercise in from_set(recorded))
    except GenerationError as problem:
        raise ExerciseSetError(f"{where}: {problem}") from None


def _student(variant: Variant) -> Student:
    return Student(variant.id, variant.name, variant.email, variant.canvas_id)


def _first_difference(recorded: tuple[Variant, ...], made: tuple[Variant, ...]) -> str:
    for old, new in zip(recorded, made, strict=False):
        for a, b in zip(old.exercises, new.exercises, strict=False):
            if a != b:
                return f"variant {old.id}, exercise {a.id} differs"
        if len(old.exercises) != len(new.exercises):
            return f"variant {old.id} has {len(new.exercises)} exercises, not " \
                   f"{len(old.exercises)}"
    return ""
