"""What every export returns, and what every export records about where it came from."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal
from fractions import Fraction
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


def decimal_text(value: Fraction, digits: int, rounding: str = ROUND_HALF_EVEN) -> str:
    """A number as an LMS reads it: plain notation (no exponent), a whole number exactly, any
    other rounded to ``digits`` significant digits in the direction ``rounding`` asks."""
    if value.denominator == 1:
        return str(value.numerator)
    context = Context(prec=digits, rounding=rounding)
    text = format(context.divide(Decimal(value.numerator), Decimal(value.denominator)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
