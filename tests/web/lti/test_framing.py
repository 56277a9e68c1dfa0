"""What makes matcalc work inside an LMS's frame: the platforms' origins may frame it, cookies
are SameSite=None and Secure over HTTPS, and the login page checks cookies before leaving."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from web.app import close_app, create_app
from web.config import ServeConfig
from web.lti.platforms import add_platform

ISSUER = "https://lms.example.edu"


def register(engine: Engine) -> None:
    with engine.begin() as connection:
        add_platform(connection, issuer=ISSUER, client_id="c-1", deployment_id="d-1",
                     auth_url="https://auth.example.edu/auth", token_url=ISSUER + "/token",
                     jwks_url=ISSUER + "/jwks")


@pytest.fixture
def secure_app(config: ServeConfig) -> Iterator[Flask]:
    made = create_app(dataclasses.replace(config, secure_cookies=True, proxies=1))
    register(made.extensions["matcalc.engine"])
    yield made
    close_app(made)


def login(client: FlaskClient, **extra: str) -> object:
    return client.post("/lti/login", data={
        "iss": ISSUER, "login_hint": "u-1", "client_id": "c-1", "lti_message_hint": "m",
        "target_link_uri": "https://matcalc.example.edu/lti/launch", **extra},
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "matcalc.example.edu"})


def test_registered_platforms_may_frame_matcalc(app: Flask, client: FlaskClient) -> None:
    policy = client.get("/healthz").headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy and ISSUER not in policy
    register(app.extensions["matcalc.engine"])
    fresh = create_app(app.extensions["matcalc.config"])   # the origins are cached a minute
    try:
        framed = fresh.test_client()
        policy = framed.get("/lti/jwks.json").headers["Content-Security-Policy"]
        unframed = framed.get("/healthz").headers["Content-Security-Policy"]
    finally:
        close_app(fresh)
    assert f"frame-ancestors 'self' https://auth.example.edu {ISSUER}" in policy
    assert ISSUER not in unframed  # only the pages a launch leads to may be framed


def test_over_https_the_login_checks_cookies_first(secure_app: Flask) -> None:
    reply = login(secure_app.test_client())
    assert reply.status_code == 200                                   # type: ignore[attr-defined]
    page = reply.get_data(as_text=True)                               # type: ignore[attr-defined]
    assert 'data-auth-url="https://auth.example.edu/auth?' in page
    assert "redirect_uri=https%3A%2F%2Fmatcalc.example.edu%2Flti%2Flaunch" in page
    assert "Open matcalc in a new window" in page and "lti1p3_new_window=1" in page
    cookies = reply.headers.getlist("Set-Cookie")                     # type: ignore[attr-defined]
    state = [c for c in cookies if c.startswith("lti1p3-state-")]
    assert state and all("Secure" in c and "SameSite=None" in c and "Partitioned" in c
                         for c in state)
    again = login(secure_app.test_client(), lti1p3_new_window="1")
    assert again.status_code == 302                                   # type: ignore[attr-defined]


def test_over_https_the_session_cookie_works_in_a_frame(secure_app: Flask) -> None:
    assert secure_app.config["SESSION_COOKIE_SAMESITE"] == "None"
    assert secure_app.config["SESSION_COOKIE_SECURE"] is True


def test_over_http_login_redirects_at_once(app: Flask, client: FlaskClient) -> None:
    register(app.extensions["matcalc.engine"])
    reply = client.get("/lti/login", query_string={
        "iss": ISSUER, "login_hint": "u-1", "client_id": "c-1",
        "target_link_uri": "http://localhost/lti/launch"})
    assert reply.status_code == 302
    assert reply.headers["Location"].startswith("https://auth.example.edu/auth?")
