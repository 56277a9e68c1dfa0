"""What every response carries and what every client is held to, in one place:

- headers: a Content-Security-Policy without inline scripts; framing by matcalc only, except
  /lti/* pages, which the LMS frames (``ServeConfig.lti_frame_ancestors``);
- a per-client rate limit on live reading (POST /api/parse), answered 429 with Retry-After;
- JSON that nests too deeply is a malformed request (400), not a crash;
- errors: JSON ``{"error": ...}`` on /api/*, a short page elsewhere, never a traceback.

``create_app`` calls :func:`install` once.  Size caps are Flask's ``MAX_CONTENT_LENGTH``
(``ServeConfig.max_request_bytes``), refused here with a 413 that says the limit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, TooManyRequests
from werkzeug.sansio.response import Response as BaseResponse

from web.config import ServeConfig
from web.ratelimit import TokenBuckets

log = logging.getLogger(__name__)

#: No inline scripts and nothing from elsewhere.  Styles may be set inline because KaTeX and
#: MathLive position glyphs with style attributes.
_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
           "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
           "base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}")

#: Paths whose pages an LMS shows in an iframe.
#: Pages an LMS frames: the LTI pages, and those a launch leads to (a learner's assignment page,
#: the dashboard an instructor opens from the course).
FRAMED_PREFIXES = ("/lti/", "/a/", "/instructor/")
#: Paths answered in JSON.
API_PREFIX = "/api/"

#: ``app.extensions`` key of an optional callable giving more frame-ancestors sources for
#: /lti/* pages (the registered platforms' origins), asked at each such response.
LTI_ANCESTORS = "matcalc.lti_frame_ancestors"


def content_security_policy(frame_ancestors: Iterable[str] = ("'self'",)) -> str:
    return _POLICY.format(ancestors=" ".join(dict.fromkeys(frame_ancestors)))


CONTENT_SECURITY_POLICY = content_security_policy()

#: What each refusal says to a person (the page) and to a script (the JSON ``error``) when the
#: view gave no reason of its own.
MESSAGES = {
    400: "The request could not be read.",
    403: "You may not open this page.",
    404: "There is no page at this address.",
    405: "This address does not accept that kind of request.",
    413: "The request is larger than {limit} KB; answers are far shorter than that.",
    429: "Too many requests from your address; wait {retry} s and try again.",
    500: "Something went wrong on the server; it has been logged. Please try again.",
}
CSRF_MESSAGE = ("The form has expired or did not come from matcalc's own page: go back, reload "
                "the page and send it again.")


class GuardedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that input nested past Python's recursion limit is a ValueError
    (so ``get_json(silent=True)`` gives None, a 400) instead of a RecursionError (a 500)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def install(app: Flask, config: ServeConfig) -> None:
    """Headers, the live-reading rate limit, guarded JSON and the error answers."""
    app.json = GuardedJSONProvider(app)
    _headers(app, config)
    if config.parse_rate > 0:
        _rate_limit(app, TokenBuckets(config.parse_rate, config.parse_burst))
    _errors(app, config)


def _headers(app: Flask, config: ServeConfig) -> None:
    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        if request.path.startswith(FRAMED_PREFIXES):
            extra: Callable[[], Iterable[str]] | None = app.extensions.get(LTI_ANCESTORS)
            sources = [*config.lti_frame_ancestors, *(extra() if extra else ())]
            headers.setdefault("Content-Security-Policy", content_security_policy(sources))
        else:
            headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            # for browsers that predate frame-ancestors
            headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        if config.secure_cookies:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


def _rate_limit(app: Flask, buckets: TokenBuckets) -> None:
    @app.before_request
    def _limit_reading() -> None:
        if request.method != "POST" or request.path != "/api/parse":
            return
        wait = buckets.take(request.remote_addr or "unknown")
        if wait > 0:
            retry = max(1, int(wait + 0.999))
            raise TooManyRequests(MESSAGES[429].format(retry=retry), retry_after=retry)


def _errors(app: Flask, config: ServeConfig) -> None:
    def answer(error: HTTPException) -> BaseResponse:
        if error.response is not None:  # the view made its own answer: keep it
            return error.response
        code = error.code or 500
        if isinstance(error, CSRFError):  # the reason, then what to do
            message = f"{error.description.rstrip('.')}. {CSRF_MESSAGE}"
        elif error.description != type(error).description:  # the view's own reason
            message = str(error.description)
        else:
            message = MESSAGES.get(code, error.name).format(
                limit=config.max_request_bytes // 1024, retry=1)
        if request.path.startswith(API_PREFIX):
            response = jsonify({"error": message})
        else:
            response = Response(render_template("error.html", code=code, title=error.name,
                                                message=message), mimetype="text/html")
        response.status_code = code
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value  # Allow (405), Retry-After (429)
        return response

    @app.errorhandler(HTTPException)
    def _refused(error: HTTPException) -> BaseResponse:
        return answer(error)

    @app.errorhandler(InternalServerError)
    def _failed(error: InternalServerError) -> BaseResponse:
        # the original exception was logged by Flask; the client hears only that it happened
        return answer(InternalServerError())
