"""Exercise sets: per-student variants from a roster (read by :mod:`grader.roster`), seeds, and
choosing exercises.

A variant's seed derives from the set seed and the student id alone (SHA-256, not Python's
``hash``), so one student's sheet can be rebuilt without the rest of the class, on any machine.
The options are kept in a canonical form (families sorted, each once), so that the same options
in any order make the same set, and the set records them (:meth:`SetOptions.record`) with the
matcalc version, for :mod:`generator.rebuild`.

A sheet never asks the same exercise twice (:func:`generator.distinct.signature`): an exercise
like one already on the sheet is drawn again from the next seed, at most :data:`REDRAWS` times;
when a family at a difficulty can't give as many distinct exercises as the sheet needs from it,
the error says how many it can.
"""

from __future__ import annotations

import functools
import hashlib
import random
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, fields
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from generator.distinct import signature, text_signature
from generator.families import get, registry
from generator.family import Family, build
from generator.layout import LAYOUTS, Layout
from generator.verify import verify
from grader.exercise_set import (
    FORMS,
    Exercise,
    ExerciseSet,
    ExerciseSetError,
    Form,
    Variant,
)
from grader.language.parser import parse, parse_declarations
from grader.language.printing import print_ascii
from grader.roster import Student as Student  # the sets' input: importable from here too

#: Draws of an exercise while it is like one already on the sheet.
REDRAWS = 40
#: Seeds tried to count how many distinct exercises a family gives at a difficulty.
CAPACITY_SEEDS = 200


@dataclass(frozen=True)
class SetOptions:
    """What makes a set; with a roster and the matcalc version, all that rebuilds it."""

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

    def __post_init__(self) -> None:
        # canonical: --family b --family a makes the set --family a --family b makes
        object.__setattr__(self, "families", tuple(sorted(set(self.families))))

    def record(self) -> tuple[tuple[str, Any], ...]:
        """The options as ``(name, JSON value)`` pairs, with the matcalc version that used
        them: what ``set.json`` keeps under ``options``."""
        pairs = [(f.name, getattr(self, f.name)) for f in fields(self)
                 if f.name != "authored"]  # recorded by content, as the set's ``authored``
        return tuple(sorted([*pairs, ("matcalc", matcalc_version())]))

    @staticmethod
    def from_record(record: dict[str, Any], where: str) -> SetOptions:
        """The options a set recorded; ExerciseSetError naming ``where`` if they can't be
        read."""
        known = {f.name: f for f in fields(SetOptions)}
        unknown = sorted(set(record) - set(known) - {"matcalc", "authored"})
        if unknown:
            raise ExerciseSetError(f"{where}: unknown options {', '.join(unknown)} (made by "
                                   f"matcalc {record.get('matcalc', '?')})")
        values: dict[str, Any] = {}
        for name, value in record.items():
            if name == "matcalc":
                continue
            if name == "families":
                if not isinstance(value, list | tuple) or not all(
                        isinstance(v, str) for v in value):
                    raise ExerciseSetError(f"{where}: options.families is not a list of names")
                value = tuple(value)
            elif name in ("count", "seed") and (not isinstance(value, int)
                                                or isinstance(value, bool)):
                raise ExerciseSetError(f"{where}: options.{name} is not a whole number")
            elif name == "difficulty" and value is not None and (
                    not isinstance(value, int) or isinstance(value, bool)):
                raise ExerciseSetError(f"{where}: options.difficulty is not a whole number")
            elif name in ("form", "layout", "title") and not isinstance(value, str):
                raise ExerciseSetError(f"{where}: options.{name} is not text")
            allowed: tuple[str, ...] = {"form": FORMS, "layout": LAYOUTS}.get(name, ())
            if allowed and value not in allowed:
                raise ExerciseSetError(f"{where}: options.{name} {value!r} is none of "
                                       f"{', '.join(allowed)}")
            values[name] = tuple(value) if isinstance(value, list) else value
        return SetOptions(**values)


def matcalc_version() -> str:
    """The installed matcalc version (a set records it: another may make other exercises)."""
    try:
        return version("matcalc")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


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
    slots: list[tuple[Family, int]] = []
    for index in range(options.count):
        family, levels = pool[order[index % len(order)]]
        slots.append((family, levels[index // len(order) % len(levels)]))
    exercises: list[Exercise] = []
    seen: set[str] = set()
    drafted: set[str] = set()  # the same, from drafts: a repeat is skipped before it is built
    for index, (family, difficulty) in enumerate(slots):
        for redraw in range(REDRAWS):
            parts: tuple[object, ...] = (seed, index, family.name) + ((redraw,) if redraw else ())
            exercise_seed = derived_seed(*parts)
            draft = draft_signature(family, exercise_seed, difficulty, options.form)
            if draft in drafted:
                continue
            exercise = build(family, exercise_seed, difficulty, options.form, options.layout,
                             f"q{index + 1}")
            if signature(exercise) not in seen:
                drafted.add(draft)
                break
        else:
            needed = slots.count((family, difficulty))
            can = (capacity(family.name, difficulty, options.form) if family.name in registry()
                   else distinct_drafts(family, difficulty, options.form))
            raise ExerciseSetError(
                f"family {family.name} at difficulty {difficulty} ({options.form}) gives only "
                f"{can} distinct exercise{'s' if can != 1 else ''} over "
                f"{CAPACITY_SEEDS} seeds, and this sheet needs {needed} from it: ask for "
                "fewer exercises (--count), or more families or difficulties")
        seen.add(signature(exercise))
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
    return ExerciseSet(options.seed, options.layout, tuple(variants), options.title,
                       options=options.record())


@functools.lru_cache(maxsize=256)
def capacity(family_name: str, difficulty: int, form: Form) -> int:
    """How many distinct exercises (digits masked) the family gives at this difficulty and form
    over CAPACITY_SEEDS seeds: its drafts counted, in canonical text, without building them."""
    return distinct_drafts(get(family_name), difficulty, form)


def distinct_drafts(family: Family, difficulty: int, form: Form) -> int:
    """The count :func:`capacity` caches, for any family (one read from a file too)."""
    return len({draft_signature(family, seed, difficulty, form)
                for seed in range(CAPACITY_SEEDS)})


def draft_signature(family: Family, seed: int, difficulty: int, form: Form) -> str:
    """The signature the exercise of this seed will have (digits masked), from its draft alone:
    cheaper than building it, and for a numeric exercise before any values are drawn."""
    draft = family.draft(random.Random(seed), difficulty, form)
    function = print_ascii(parse(draft.function, parse_declarations(draft.given)))
    return text_signature(draft.given, draft.wrt, function, sizes_masked=form == "numeric")


def _variant_job(job: tuple[SetOptions, Student, bool]) -> Variant:
    options, student, check = job
    return make_variant(options, student, check=check)
