"""The set options of an LTI assignment, carried by a resource link's custom parameters (the
deep-linking picker writes them; an instructor may also type them into the LMS).  Unknown or
malformed values are refused with a message naming the parameter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.families import registry
from generator.sets import SetOptions, derived_seed
from grader.errors import MatcalcError

FORMS = ("symbolic", "explicit", "numeric")
LAYOUTS = ("numerator", "denominator")
MAX_COUNT = 30


class LinkOptionsError(MatcalcError):
    """A resource link's custom parameters don't describe an exercise set."""


def options_from_custom(custom: Mapping[str, Any], *, seed_from: str,
                        title: str) -> SetOptions:
    """The options a link's custom parameters name, with a seed of the link's own so that two
    links (or two courses) never share variants."""
    names = [n.strip() for n in str(custom.get("families", "")).split(",") if n.strip()]
    known = registry()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise LinkOptionsError(f"custom parameter families: unknown {', '.join(unknown)}; "
                               f"the families are {', '.join(known)}")
    difficulty = _integer(custom, "difficulty", 1, 5) if custom.get("difficulty") else None
    count = _integer(custom, "count", 1, MAX_COUNT) if custom.get("count") else 4
    form = str(custom.get("form") or "symbolic")
    layout = str(custom.get("layout") or "numerator")
    if form not in FORMS:
        raise LinkOptionsError(f"custom parameter form: {form!r} is not one of {FORMS}")
    if layout not in LAYOUTS:
        raise LinkOptionsError(f"custom parameter layout: {layout!r} is not one of {LAYOUTS}")
    return SetOptions(families=tuple(names), difficulty=difficulty, form=form,  # type: ignore[arg-type]
                      count=count, seed=derived_seed("lti", seed_from), layout=layout,  # type: ignore[arg-type]
                      title=title or "Matrix calculus")


def custom_from_options(options: SetOptions) -> dict[str, str]:
    """The custom parameters that make :func:`options_from_custom` give these options back
    (all but the seed, which each link gets of its own)."""
    custom = {"families": ",".join(options.families), "count": str(options.count),
              "form": options.form, "layout": options.layout}
    if options.difficulty is not None:
        custom["difficulty"] = str(options.difficulty)
    return custom


def _integer(custom: Mapping[str, Any], name: str, low: int, high: int) -> int:
    text = str(custom.get(name)).strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise LinkOptionsError(f"custom parameter {name}: {text!r} is not a whole number from "
                               f"{low} to {high}")
    return int(text)
