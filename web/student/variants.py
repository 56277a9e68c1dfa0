"""Practice variants: which exercise a practice page shows, chosen from the address alone.

A practice exercise is fixed by (family, difficulty, form, layout, seed), so a page can be
reloaded, shared or checked without storing anything.  A page asked for without a seed gets a
fresh one drawn from a ``random.Random`` the caller hands in.  Every exercise shown has passed
:func:`generator.verify.verify`.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Mapping
from dataclasses import dataclass

from generator.families import registry
from generator.family import Family, build
from generator.layout import LAYOUTS
from generator.verify import VerificationError, verify
from grader.errors import MatcalcError
from grader.exercise_set import Exercise

#: Seeds are 63-bit, as :func:`generator.sets.derived_seed` makes them.
SEED_LIMIT = 2**63
#: Fresh seeds tried before giving up when a family's exercise fails its check.
FRESH_TRIES = 5


class PracticeError(MatcalcError):
    """A practice address that names no exercise; the message says what is allowed."""


@dataclass(frozen=True)
class Choice:
    """What a practice page shows: everything but the seed says "an exercise like this one"."""

    family: str
    difficulty: int
    form: str
    layout: str
    seed: int | None = None
    #: Show the expected shape beside the answer's while typing.
    show_expected: bool = False

    def query(self, *, with_seed: bool = True) -> dict[str, str]:
        """The address's query parameters (without the seed: "try another like this one")."""
        query = {"difficulty": str(self.difficulty), "form": self.form, "layout": self.layout}
        if self.show_expected:
            query["expected"] = "1"
        if with_seed and self.seed is not None:
            query["seed"] = str(self.seed)
        return query


def family_of(name: str) -> Family:
    families = registry()
    if name not in families:
        raise PracticeError(f"there is no family {name!r}; the families are "
                            f"{', '.join(families)}")
    return families[name]


def default_form(family: Family) -> str:
    return "symbolic" if "symbolic" in family.forms else family.forms[0]


def choice_from(name: str, arguments: Mapping[str, str]) -> Choice:
    """The choice an address makes (missing parameters take the family's defaults)."""
    family = family_of(name)
    difficulty = _whole(arguments.get("difficulty") or str(family.difficulties[0]),
                        "difficulty", SEED_LIMIT)
    if difficulty not in family.difficulties:
        raise PracticeError(f"{family.title} comes in difficulties "
                            f"{', '.join(map(str, family.difficulties))}, not {difficulty}")
    form = arguments.get("form") or default_form(family)
    if form not in family.forms:
        raise PracticeError(f"{family.title} comes in the forms {', '.join(family.forms)}, "
                            f"not {form!r}")
    layout = arguments.get("layout") or "numerator"
    if layout not in LAYOUTS:
        raise PracticeError(f"the layout is {' or '.join(LAYOUTS)}, not {layout!r}")
    seed_text = arguments.get("seed")
    seed = None if not seed_text else _whole(seed_text, "seed", SEED_LIMIT)
    return Choice(family.name, difficulty, form, layout, seed,
                  arguments.get("expected") in ("1", "on", "true"))


def _whole(text: str, what: str, limit: int) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 19 or int(text) >= limit:
        raise PracticeError(f"the {what} must be a whole number below {limit}, not {text[:30]!r}")
    return int(text)


def fresh(choice: Choice, rng: random.Random) -> Choice:
    """The same choice with a new seed from ``rng`` whose exercise passes its checks."""
    for _ in range(FRESH_TRIES):
        seeded = Choice(choice.family, choice.difficulty, choice.form, choice.layout,
                        rng.randrange(SEED_LIMIT), choice.show_expected)
        try:
            exercise(seeded)
        except VerificationError:
            continue
        return seeded
    raise PracticeError(f"no exercise of {choice.family} at difficulty {choice.difficulty} "
                        f"passed its checks in {FRESH_TRIES} tries; try another family")


def exercise(choice: Choice) -> Exercise:
    """The verified exercise of a seeded choice (VerificationError if it fails its checks)."""
    if choice.seed is None:
        raise PracticeError("a practice exercise needs a seed")
    return _verified(choice.family, choice.difficulty, choice.form, choice.layout, choice.seed)


@functools.lru_cache(maxsize=1024)
def _verified(name: str, difficulty: int, form: str, layout: str, seed: int) -> Exercise:
    # Building and checking take milliseconds; a page is shown, then checked, then perhaps
    # checked again, so each exercise is built and verified once.
    made = build(family_of(name), seed, difficulty, form, layout,  # type: ignore[arg-type]
                 exercise_id="p1")
    verify(made, seed=seed % 1000)
    return made
