"""The students' pages: practice and assignments."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("student", __name__)

from web.student import assignment  # noqa: E402,F401  (registers its routes)
