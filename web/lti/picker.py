"""The deep-linking picker: what the instructor may choose, and their choice checked and turned
into a resource link's custom parameters.  A choice is checked by making one variant from it, so
an impossible one (a difficulty a family lacks, an exercise file that fails) is refused here, not
at a student's first launch."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from werkzeug.datastructures import FileStorage

from generator.authored.draws import family_of
from generator.authored.loading import sources
from generator.authored.reading import read_text
from generator.families import registry
from generator.family import GenerationError
from generator.sets import SetOptions, make_variant
from grader.errors import MatcalcError
from grader.exercise_set import ExerciseSet
from grader.roster import Student
from web.assignments import assignment, create_assignment
from web.lti.launches import TEMPLATE
from web.lti.options import FORMS, LAYOUTS, MAX_COUNT, custom_from_options, options_from_custom

#: Largest exercise file accepted (the request cap applies too).
MAX_FILE_BYTES = 48 * 1024


class PickerError(MatcalcError):
    """The picker's form does not make an exercise set; the message says which field."""


@dataclass(frozen=True)
class FamilyChoice:
    name: str
    title: str
    difficulties: tuple[int, ...]


@dataclass(frozen=True)
class Choices:
    families: tuple[FamilyChoice, ...]
    layouts: tuple[str, ...] = LAYOUTS
    forms: tuple[str, ...] = FORMS
    max_count: int = MAX_COUNT


@dataclass(frozen=True)
class Choice:
    title: str
    custom: dict[str, str]
    score_maximum: int


def choices() -> Choices:
    return Choices(tuple(FamilyChoice(f.name, f.title, f.difficulties)
                         for f in registry().values()))


def read_choice(connection: Connection, form: Mapping[str, Any],
                files: Mapping[str, FileStorage]) -> Choice:
    """The picker's form, checked: families, difficulty, layout, form and count, or an
    exercise file (TOML) stored as a template the link names."""
    title = str(form.get("title") or "").strip()[:200] or "Matrix calculus"
    upload = files.get("exercises")
    custom = {key: str(form.get(key) or "") for key in ("difficulty", "layout", "form", "count")}
    custom["families"] = ",".join(form.getlist("families") if hasattr(form, "getlist")
                                  else [])
    try:
        options = options_from_custom(custom, seed_from="picker", title=title)
    except MatcalcError as problem:
        raise PickerError(str(problem).replace("custom parameter ", "")) from None
    if upload is not None and upload.filename:
        return _authored_choice(connection, upload, options, title)
    _check(options, None)
    return Choice(title, custom_from_options(options), options.count)


def _authored_choice(connection: Connection, upload: FileStorage, options: SetOptions,
                     title: str) -> Choice:
    data = upload.read(MAX_FILE_BYTES + 1)
    name = upload.filename or "exercises.toml"
    if len(data) > MAX_FILE_BYTES:
        raise PickerError(f"{name}: larger than {MAX_FILE_BYTES // 1024} KB")
    try:
        exercises = read_text(data.decode("utf-8"), name)
    except UnicodeDecodeError:
        raise PickerError(f"{name}: not UTF-8 text") from None
    except GenerationError as problem:
        raise PickerError(str(problem)) from None
    families = tuple(family_of(exercise) for exercise in exercises)
    options = SetOptions(families=(), difficulty=options.difficulty, form=options.form,
                         count=options.count, seed=options.seed, layout=options.layout,
                         title=title, authored=families)
    recorded = ExerciseSet(options.seed, options.layout, (), title,
                           authored=sources(exercises, {e.id for e in exercises}))
    _check(options, recorded)
    template = create_assignment(connection, title=title, exercise_set=recorded,
                                 options=options,
                                 context_key="lti-template:" + secrets.token_urlsafe(12))
    slug = assignment(connection, template).slug
    return Choice(title, {**custom_from_options(options), TEMPLATE: slug}, options.count)


def _check(options: SetOptions, recorded: ExerciseSet | None) -> None:
    try:
        make_variant(options, Student("picker-check", "", ""))
    except MatcalcError as problem:
        raise PickerError(str(problem)) from None
