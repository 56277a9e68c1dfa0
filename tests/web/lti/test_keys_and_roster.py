"""The tool's key rotation as a platform sees it, the roster service, and the commands."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select, update

from generator.cli import root
from tests.web.lti.platform import DL, INSTRUCTOR, LEARNER, Browser, Message, TestPlatform, form_of
from tests.web.lti.test_scores import wait_for
from web.database import now
from web.lti import keys
from web.lti.roster import fetch_roster
from web.schema import lti_keys, lti_members, lti_resource_links, students


def test_what_the_old_key_signed_is_accepted_until_it_expires(
        browser: Browser, platform: TestPlatform, engine: Engine) -> None:
    page = browser.launch(Message(sub="t-1", roles=INSTRUCTOR, deep_linking=True))
    action, fields = form_of(page.text)
    reply = browser.session.post(platform.tool_url + action, data=fields, timeout=120)
    back, returned = form_of(reply.text)
    old_kid = jwt.get_unverified_header(returned["JWT"])["kid"]
    with engine.begin() as connection:
        new, retired = keys.rotate(connection)
    assert retired == [old_kid] and new.kid != old_kid
    # signed before the rotation, delivered after it: still accepted
    assert browser.session.post(back, data=returned, timeout=30).status_code == 200
    jwks = browser.session.get(platform.tool_url + "/lti/jwks.json", timeout=10).json()
    assert [key["kid"] for key in jwks["keys"]] == [new.kid, old_kid]
    # once the grace has passed (every token the old key signed has expired) it is gone
    with engine.begin() as connection:
        connection.execute(update(lti_keys).where(lti_keys.c.kid == old_kid).values(
            retired_at=now() - keys.GRACE - timedelta(seconds=1)))
    assert browser.session.post(back, data=returned, timeout=30).status_code == 400
    jwks = browser.session.get(platform.tool_url + "/lti/jwks.json", timeout=10).json()
    assert [key["kid"] for key in jwks["keys"]] == [new.kid]
    # and new responses are signed with the new key
    page = browser.launch(Message(sub="t-1", roles=INSTRUCTOR, deep_linking=True))
    action, fields = form_of(page.text)
    reply = browser.session.post(platform.tool_url + action, data=fields, timeout=120)
    back, returned = form_of(reply.text)
    assert jwt.get_unverified_header(returned["JWT"])["kid"] == new.kid
    assert browser.session.post(back, data=returned, timeout=30).status_code == 200
    assert len(platform.deep_link_returns) == 2
    assert platform.deep_link_returns[-1][DL + "content_items"]


def test_the_roster_makes_variants_ahead_of_first_launch(
        browser: Browser, platform: TestPlatform, engine: Engine) -> None:
    platform.members = [
        {"user_id": "s-1", "name": "Ada", "roles": LEARNER, "status": "Active"},
        {"user_id": "s-2", "name": "Grace", "roles": LEARNER, "status": "Active"},
        {"user_id": "s-3", "roles": LEARNER, "status": "Inactive"},
        {"user_id": "t-1", "roles": INSTRUCTOR, "status": "Active"},
    ]
    assert browser.launch(Message(sub="t-1", roles=INSTRUCTOR)).status_code == 303

    def enrolled() -> int:
        with engine.begin() as connection:
            return int(connection.execute(select(func.count()).select_from(students)).scalar())

    wait_for(lambda: enrolled() == 2)        # fetched in the background at the staff launch
    with engine.begin() as connection:
        link_id = connection.execute(select(lti_resource_links.c.id)).scalar_one()
    assert fetch_roster(engine, link_id) == 2   # again: nobody enrolled twice
    assert enrolled() == 2
    with engine.begin() as connection:
        names = connection.execute(select(students.c.name).order_by(students.c.name)).scalars()
        assert list(names) == ["Ada", "Grace"]
        subs = connection.execute(select(lti_members.c.sub)).scalars().all()
    assert sorted(subs) == ["s-1", "s-2"]
    assert any("contextmembership.readonly" in r.form.get("scope", "")
               for r in platform.records("/token"))
    # a learner on the roster opens the variant made for them; one who joined later gets one
    with engine.begin() as connection:
        before = connection.execute(select(func.count()).select_from(students)).scalar()
    assert browser.launch(Message(sub="s-1")).status_code == 303
    assert browser.launch(Message(sub="s-4")).status_code == 303
    with engine.begin() as connection:
        after = connection.execute(select(func.count()).select_from(students)).scalar()
    assert (before, after) == (2, 3)


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MATCALC_DATA", str(tmp_path))
    return tmp_path


def test_the_commands_register_show_and_rotate(data: Path) -> None:
    runner = CliRunner()
    added = runner.invoke(root, [
        "lti", "add-platform", "--issuer", "https://moodle.example.edu", "--client-id", "AbC",
        "--deployment-id", "1", "--auth-url", "https://moodle.example.edu/mod/lti/auth.php",
        "--token-url", "https://moodle.example.edu/mod/lti/token.php",
        "--jwks-url", "https://moodle.example.edu/mod/lti/certs.php"])
    assert added.exit_code == 0 and "deployment 1 added" in added.output
    shown = runner.invoke(root, ["lti", "show-config", "--url", "https://mc.example.edu/",
                                 "--json"])
    config = json.loads(shown.output)
    assert config["login_url"] == "https://mc.example.edu/lti/login"
    assert config["jwks_url"] == "https://mc.example.edu/lti/jwks.json"
    assert config["platforms"] == [{"issuer": "https://moodle.example.edu", "client_id": "AbC",
                                    "deployments": ["1"]}]
    first = config["jwks"]["keys"][0]["kid"]
    rotated = runner.invoke(root, ["lti", "rotate-key"])
    assert rotated.exit_code == 0 and f"retired {first}" in rotated.output
    again = json.loads(runner.invoke(root, ["lti", "show-config", "--json"]).output)
    assert len(again["jwks"]["keys"]) == 2 and again["jwks"]["keys"][1]["kid"] == first


def test_a_bad_registration_is_a_message_not_a_traceback(data: Path) -> None:
    result = CliRunner().invoke(root, [
        "lti", "add-platform", "--issuer", "moodle", "--client-id", "AbC",
        "--deployment-id", "1", "--auth-url", "https://m/auth", "--token-url", "https://m/t",
        "--jwks-url", "https://m/k"])
    assert result.exit_code == 1 and "--issuer: 'moodle' is not an http(s) URL" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
