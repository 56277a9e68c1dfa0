"""The instructor's dashboard: assignments, their statistics and gradebooks, every attempt
with grade overrides, extensions and regrading.  Behind a password login (or an LTI launch
as an instructor, for the assignments it opened)."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("instructor", __name__, url_prefix="/instructor")

from web.instructor import views as views  # noqa: E402  (registers the routes)
