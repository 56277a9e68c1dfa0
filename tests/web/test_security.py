"""Headers, framing, the live-reading rate limit and error answers (web/security.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from web.app import close_app, create_app
from web.config import ServeConfig
from web.security import LTI_ANCESTORS

READING = {"given": "x[n], A[n,n]", "text": "x^T A"}


def directives(policy: str) -> dict[str, str]:
    return {part.split()[0]: part.partition(" ")[2] for part in policy.split("; ")}


@pytest.fixture
def made(config: ServeConfig) -> Iterator[Flask]:
    """An app with a view that fails, on a page and under /api/, and LMS origins for /lti/*."""
    app = create_app(dataclasses.replace(
        config, lti_frame_ancestors=("'self'", "https://lms.example.edu")))

    def fail() -> str:
        raise RuntimeError("a bug, with a secret: s3cr3t")

    app.add_url_rule("/boom", "boom", fail)
    app.add_url_rule("/api/boom", "api_boom", fail)
    app.add_url_rule("/lti/page", "lti_page", lambda: "framed")
    yield app
    close_app(app)


def test_pages_carry_a_policy_without_inline_scripts(client: FlaskClient) -> None:
    for response in (client.get("/healthz"), client.get("/no-such-page"),
                     client.post("/api/parse", json=READING)):
        policy = directives(response.headers["Content-Security-Policy"])
        assert policy["script-src"] == "'self'"
        assert "unsafe-inline" not in policy["script-src"] and "default-src" in policy
        assert policy["frame-ancestors"] == "'self'"
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_only_pages_a_launch_leads_to_may_be_framed_by_the_lms(made: Flask) -> None:
    client = made.test_client()
    framed = client.get("/lti/page")
    assert directives(framed.headers["Content-Security-Policy"])["frame-ancestors"] == (
        "'self' https://lms.example.edu")
    assert "X-Frame-Options" not in framed.headers
    made.extensions[LTI_ANCESTORS] = lambda: ["https://other.example.org"]
    assert directives(client.get("/lti/page").headers["Content-Security-Policy"])[
        "frame-ancestors"] == "'self' https://lms.example.edu https://other.example.org"
    for path in ("/a/1/nothing", "/instructor/"):
        assert "https://other.example.org" in directives(client.get(path).headers[
            "Content-Security-Policy"])["frame-ancestors"]
    assert directives(client.get("/healthz").headers["Content-Security-Policy"])[
        "frame-ancestors"] == "'self'"
    assert client.get("/practice").headers["X-Frame-Options"] == "SAMEORIGIN"


def test_reading_is_rate_limited_per_client(config: ServeConfig) -> None:
    app = create_app(dataclasses.replace(config, parse_rate=0.01, parse_burst=3))
    try:
        first = app.test_client()
        answers = [first.post("/api/parse", json=READING,
                              environ_base={"REMOTE_ADDR": "10.0.0.1"}) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        refused = answers[-1]
        assert int(refused.headers["Retry-After"]) >= 1
        assert "too many" in refused.get_json()["error"].lower()
        other = first.post("/api/parse", json=READING, environ_base={"REMOTE_ADDR": "10.0.0.2"})
        assert other.status_code == 200
        assert first.get("/healthz", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200
    finally:
        close_app(app)


def test_api_errors_are_json(made: Flask) -> None:
    client = made.test_client()
    cases = [(client.get("/api/nothing"), 404), (client.get("/api/parse"), 405),
             (client.get("/api/boom"), 500),
             (client.post("/api/parse", data=b"x" * 70_000, content_type="application/json"),
              413)]
    for response, code in cases:
        assert response.status_code == code
        assert response.mimetype == "application/json"
        message = response.get_json()["error"]
        assert message and "Traceback" not in message and "s3cr3t" not in message
    assert "POST" in cases[1][0].headers["Allow"]
    assert "64 KB" in cases[3][0].get_json()["error"]


def test_other_errors_are_short_pages(made: Flask) -> None:
    client = made.test_client()
    for path, code, words in [("/no-such-page", 404, "no page"),
                              ("/boom", 500, "went wrong")]:
        response = client.get(path)
        assert response.status_code == code and response.mimetype == "text/html"
        page = response.get_data(as_text=True)
        assert words in page and "s3cr3t" not in page and "Traceback" not in page
        assert "<script" not in page
        assert directives(response.headers["Content-Security-Policy"])["script-src"] == "'self'"


def test_error_pages_escape_what_they_echo(made: Flask) -> None:
    from flask import abort

    def refuse() -> str:
        abort(400, "<script>alert(1)</script>")

    made.add_url_rule("/refuse", "refuse", refuse)
    page = made.test_client().get("/refuse").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
