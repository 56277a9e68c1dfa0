"""The students' pages: practice (no login) and assignments, one blueprint."""

from __future__ import annotations

from flask import Blueprint

from grader.errors import ParseError
from grader.language.echo import parse_shape

blueprint = Blueprint("student", __name__)


@blueprint.app_template_filter("described_shape")
def described_shape(shape: str | list[str] | tuple[str, ...]) -> str:
    """``["n", "1"]`` or ``"n,1"`` as ``n×1 (column vector)`` (the text as given if unreadable)."""
    try:
        return parse_shape(shape).describe()
    except ParseError:
        return shape if isinstance(shape, str) else "×".join(shape)


# The pages of each part register their routes on ``blueprint`` when imported.
from web.student import assignment, practice  # noqa: E402

__all__ = ["assignment", "blueprint", "practice"]
