"""Login and launch against the test platform: learners get their own variant, staff the
dashboard, and every spoiled launch is refused with a page while nothing is stored."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from sqlalchemy import Engine, func, select

from tests.web.lti.platform import INSTRUCTOR, Browser, Message, TestPlatform, form_of, new_key
from tests.web.servers import LiveServer
from web.lti.platforms import add_platform
from web.schema import (
    assignments,
    lti_members,
    lti_nonces,
    lti_resource_links,
    students,
)

STORED = (assignments, students, lti_resource_links, lti_members, lti_nonces)


def counts(engine: Engine) -> dict[str, int]:
    with engine.begin() as connection:
        return {table.name: connection.execute(select(func.count()).select_from(table))
                .scalar_one() for table in STORED}


def test_a_learner_opens_their_own_variant(browser: Browser, platform: TestPlatform,
                                           engine: Engine) -> None:
    reply = browser.launch(Message(sub="s-1"))
    assert reply.status_code == 303, reply.text
    path = reply.headers["Location"]
    assert path.startswith("/a/")
    again = Browser(platform).launch(Message(sub="s-1"))
    assert again.headers["Location"] == path          # the same variant, a new browser
    other = browser.launch(Message(sub="s-2"))
    assert other.headers["Location"] != path
    with engine.begin() as connection:
        rows = connection.execute(select(students.c.student_key, students.c.variant_json)).all()
    assert len(rows) == 2 and rows[0].variant_json != rows[1].variant_json
    assert all(row.student_key.startswith("lti:") for row in rows)
    assert all("s-1" not in row.student_key for row in rows)   # the key is a digest


def test_login_by_get_and_the_authentication_request(browser: Browser,
                                                     platform: TestPlatform) -> None:
    reply = browser.launch(Message(sub="s-1"), method="GET")
    assert reply.status_code == 303
    auth = platform.records("/auth")[-1]
    assert auth.method == "GET"   # the platform checked scope, response type, redirect URI


def test_staff_open_the_dashboard_of_the_link(browser: Browser, engine: Engine,
                                              server: LiveServer) -> None:
    reply = browser.launch(Message(sub="t-1", roles=INSTRUCTOR))
    assert reply.status_code == 303
    with engine.begin() as connection:
        assignment_id = connection.execute(select(assignments.c.id)).scalar_one()
        assert connection.execute(select(func.count()).select_from(students)).scalar() == 0
    assert reply.headers["Location"] == f"/instructor/assignments/{assignment_id}"
    signer = server.app.session_interface.get_signing_serializer(server.app)  # type: ignore[attr-defined]
    session = signer.loads(browser.session.cookies["session"])
    assert session["lti_instructor_assignments"] == [assignment_id]
    ta = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
    assert browser.launch(Message(sub="t-2", roles=[ta])).headers["Location"] == \
        f"/instructor/assignments/{assignment_id}"


def test_courses_links_and_deployments_are_kept_apart(browser: Browser, engine: Engine,
                                                      platform: TestPlatform) -> None:
    with engine.begin() as connection:
        add_platform(connection, issuer=platform.issuer, client_id=platform.client_id,
                     deployment_id="deployment-2", auth_url=platform.auth_url,
                     token_url=platform.token_url, jwks_url=platform.jwks_url)
    first = browser.launch(Message(sub="s-1", context_id="course-1"))
    copied = browser.launch(Message(sub="s-1", context_id="course-1-copy"))
    other_link = browser.launch(Message(sub="s-1", resource_link_id="link-2"))
    other_deployment = browser.launch(Message(sub="s-1", deployment_id="deployment-2"))
    assert len({first.headers["Location"], copied.headers["Location"],
                other_link.headers["Location"], other_deployment.headers["Location"]}) == 4
    with engine.begin() as connection:
        keys = connection.execute(select(assignments.c.context_key)).scalars().all()
        variants = connection.execute(select(students.c.variant_json)).scalars().all()
    assert len(set(keys)) == 4
    assert len(set(variants)) == 4      # each link seeds its own variants


def _spoiled(platform: TestPlatform, browser: Browser, how: str) -> Any:
    message = Message(sub="s-1")
    if how == "bad signature":
        message.signing_key = new_key()[0]
    elif how == "wrong audience":
        message.aud = "someone-else"
    elif how == "expired token":
        message.expires_in = -120
    elif how == "unknown deployment":
        message.deployment_id = "deployment-404"
    elif how == "wrong issuer":
        message.iss = "https://lms.invalid"
    elif how == "nonce not issued":
        message.nonce = "made-up-nonce"
    spoil: dict[str, Any] = {}
    if how == "missing state":
        spoil = {"state": None}
    elif how == "other state":
        spoil = {"state": "state-" + "0" * 36}
    return browser.launch(message, spoil=spoil)


@pytest.mark.parametrize("how", ["bad signature", "wrong audience", "expired token",
                                 "unknown deployment", "wrong issuer", "missing state",
                                 "other state", "nonce not issued"])
def test_a_spoiled_launch_is_refused_and_nothing_stored(
        how: str, platform: TestPlatform, browser: Browser, engine: Engine) -> None:
    before = counts(engine)
    reply = _spoiled(platform, browser, how)
    assert reply.status_code == 400, reply.text
    assert "Launch refused" in reply.text and "Nothing was recorded" in reply.text
    assert counts(engine) == before == {name: 0 for name in before}


def test_refusals_say_why(platform: TestPlatform, browser: Browser) -> None:
    assert "Signature verification failed" in _spoiled(platform, browser, "bad signature").text
    assert "expired" in _spoiled(platform, browser, "expired token").text
    assert "deployment-404" in _spoiled(platform, browser, "unknown deployment").text
    assert "not a platform registered" in _spoiled(platform, browser, "wrong issuer").text
    assert "state" in _spoiled(platform, browser, "missing state").text


def test_a_replayed_id_token_is_refused(platform: TestPlatform, browser: Browser,
                                       engine: Engine) -> None:
    assert browser.launch(Message(sub="s-1")).status_code == 303
    after_first = counts(engine)
    replay = browser.post("/lti/launch", platform.last_id_token)   # same browser, same state
    assert replay.status_code == 400 and "used before" in replay.text
    assert counts(engine) == after_first


def test_a_launch_without_the_cookie_offers_a_new_window(platform: TestPlatform,
                                                         browser: Browser) -> None:
    page = browser.login(Message(sub="s-1"))
    browser.session.cookies.clear()
    action, fields = form_of(page.text)
    reply = browser.post(action, fields)
    assert reply.status_code == 400 and "new window" in reply.text


def test_an_unregistered_platform_cannot_log_in(platform: TestPlatform,
                                                browser: Browser) -> None:
    reply = browser.session.post(platform.tool_url + "/lti/login", data={
        "iss": "https://lms.invalid", "login_hint": "x", "client_id": "c",
        "target_link_uri": platform.tool_url + "/lti/launch"}, timeout=10)
    assert reply.status_code == 400 and "matcalc lti add-platform" in reply.text
    elsewhere = browser.session.post(platform.tool_url + "/lti/login", data={
        "iss": platform.issuer, "login_hint": "x", "client_id": platform.client_id,
        "target_link_uri": "https://evil.invalid/lti/launch"}, timeout=10)
    assert elsewhere.status_code == 400 and "not on this server" in elsewhere.text


def test_the_platform_may_rotate_its_key(platform: TestPlatform, browser: Browser) -> None:
    assert browser.launch(Message(sub="s-1")).status_code == 303
    platform.rotate_key()
    assert browser.launch(Message(sub="s-1")).status_code == 303


def test_id_token_lifetime_is_checked_by_the_library() -> None:
    # the expired case above relies on PyJWT's exp check, which pylti1p3 leaves on
    key, _ = new_key()
    token = jwt.encode({"exp": int(time.time()) - 60}, key, algorithm="RS256")
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(token, key.public_key(), algorithms=["RS256"])
