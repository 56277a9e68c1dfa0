"""Exercise families, one module each; a module joins the registry by defining ``FAMILY``."""

from __future__ import annotations

import functools
import importlib
import pkgutil

from generator.family import Family, GenerationError


@functools.cache
def registry() -> dict[str, Family]:
    """Every family, by name, in a stable order (the modules' names)."""
    found: dict[str, Family] = {}
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        family = getattr(importlib.import_module(f"{__name__}.{module.name}"), "FAMILY", None)
        if isinstance(family, Family):
            found[family.name] = family
    return found


def get(name: str) -> Family:
    families = registry()
    if name not in families:
        raise GenerationError(
            f"unknown family {name!r}; the families are {', '.join(families)}")
    return families[name]
