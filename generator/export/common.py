"""What every export returns, and what every export records about where it came from."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from grader.errors import MatcalcError


class ExportError(MatcalcError):
    """A set that can't be exported in the format asked for; the message names the exercise."""


@dataclass(frozen=True)
class Export:
    """The exported file's bytes, and notes for the instructor (what was changed and why)."""

    data: bytes
    notes: tuple[str, ...] = ()


def matcalc_version() -> str:
    """The installed version, recorded in every export so that a question can be rebuilt."""
    try:
        return version("matcalc")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"
