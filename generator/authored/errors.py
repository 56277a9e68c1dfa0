"""The error of an authored exercise file: its message starts with the place (file, line, entry)."""

from __future__ import annotations

from generator.family import GenerationError


class AuthoringError(GenerationError):
    """An exercise file that can't be read, or an exercise in it that can't be made."""
