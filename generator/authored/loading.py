"""Exercise files named on the command line (files, or folders searched for ``*.toml``), and
the record a set keeps of them: each exercise's source text and SHA-256, from which the same
exercises are read again to rebuild the set."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from generator.authored.draws import family_of
from generator.authored.errors import AuthoringError
from generator.authored.reading import AuthoredExercise, read_block, read_file
from generator.families import registry
from generator.family import Family
from grader.exercise_set import AuthoredSource, ExerciseSet


def files(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.rglob("*.toml")))
        elif path.is_file():
            found.append(path)
        else:
            raise AuthoringError(f"{path}: no such file or folder")
    return found


def load(paths: Iterable[Path]) -> tuple[AuthoredExercise, ...]:
    """Every exercise of every file; ids must be unique and differ from the families' names."""
    exercises: list[AuthoredExercise] = []
    seen: dict[str, str] = {}
    for path in files(paths):
        for exercise in read_file(path):
            _claim(exercise, seen)
            exercises.append(exercise)
    return tuple(exercises)


def _claim(exercise: AuthoredExercise, seen: dict[str, str]) -> None:
    if exercise.id in registry():
        raise AuthoringError(f"{exercise.place()}: {exercise.id!r} is the name of a built-in "
                             "family; choose another id")
    if exercise.id in seen:
        raise AuthoringError(f"{exercise.place()}: id {exercise.id!r} is also used at "
                             f"{seen[exercise.id]}")
    seen[exercise.id] = exercise.place()


def families(exercises: Iterable[AuthoredExercise]) -> tuple[Family, ...]:
    return tuple(family_of(e) for e in exercises)


def sources(exercises: Iterable[AuthoredExercise], used: set[str]) -> tuple[AuthoredSource, ...]:
    """The records a set keeps of the authored exercises it uses (ids in ``used``)."""
    return tuple(AuthoredSource(e.id, e.digest, e.source, e.path)
                 for e in exercises if e.id in used)


def from_set(exercise_set: ExerciseSet) -> tuple[AuthoredExercise, ...]:
    """The authored exercises a set records, read again from their recorded source text."""
    exercises = []
    for record in exercise_set.authored:
        if hashlib.sha256(record.source.encode("utf-8")).hexdigest() != record.sha256:
            raise AuthoringError(f"the set's record of {record.id!r} does not match its "
                                 "SHA-256: the source text was changed")
        exercise = read_block(record.source, record.file)
        if exercise.id != record.id:
            raise AuthoringError(f"the set's record of {record.id!r} holds {exercise.id!r}")
        exercises.append(exercise)
    return tuple(exercises)
