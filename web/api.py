"""Two small interfaces for scripts and for the answer page: health and live reading."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from grader.errors import ParseError
from grader.language import Declarations, parse_declarations
from grader.language.echo import echo, parse_shape

blueprint = Blueprint("api", __name__)

#: Longest ``given`` accepted: declarations of an exercise are a few dozen characters.
MAX_GIVEN = 500


@blueprint.get("/healthz")
def healthz() -> Response:
    return Response("ok", mimetype="text/plain")


@blueprint.post("/api/parse")
def parse() -> tuple[Response, int]:
    """``{"given", "text", "expected"?}`` → the fields of ``matcalc parse --json``.  An answer
    that can't be read is a 200 with ``valid: false``: only a malformed request is a 400."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _refuse('send JSON: {"given": "x[n], A[n,n]", "text": "x^T (A + A^T)"}')
    given, text, expected = body.get("given", ""), body.get("text"), body.get("expected")
    if not isinstance(given, str) or not isinstance(text, str):
        return _refuse('"given" and "text" must be strings')
    if len(given) > MAX_GIVEN:
        return _refuse(f'"given" is longer than {MAX_GIVEN} characters')
    try:
        declarations: Declarations = parse_declarations(given)
        shape = None
        if expected is not None:
            if not isinstance(expected, str | list) or (
                    isinstance(expected, list) and not all(isinstance(d, str) for d in expected)):
                return _refuse('"expected" must be a shape such as "n,1" or ["n", "1"]')
            shape = parse_shape(expected)
    except ParseError as problem:
        return _refuse(str(problem))
    result: dict[str, Any] = echo(text, declarations, shape)
    return jsonify(result), 200


def _refuse(message: str) -> tuple[Response, int]:
    return jsonify({"error": message}), 400
