"""The picker: an instructor's choice goes back to the platform as a signed ltiResourceLink
with a line item, and the link it becomes opens an assignment made from those options."""

from __future__ import annotations

import json

from sqlalchemy import Engine, select

from tests.web.lti.platform import DL, INSTRUCTOR, Browser, Message, TestPlatform, form_of
from web.schema import assignments

TOML = '''
[[exercise]]
id = "quadratic-form"
given = "x[n], A[n,n]"
wrt = "x"
function = "x^T A x"
'''


def picker(browser: Browser) -> tuple[str, dict[str, str]]:
    page = browser.launch(Message(sub="t-1", roles=INSTRUCTOR, deep_linking=True))
    assert page.status_code == 200, page.text
    assert "Choose matcalc exercises" in page.text
    return form_of(page.text)


def test_the_picker_returns_a_resource_link_with_a_line_item(
        browser: Browser, platform: TestPlatform, engine: Engine) -> None:
    action, fields = picker(browser)
    fields.update(title="Week 3", difficulty="1", layout="denominator", form="symbolic",
                  count="3")
    chosen = [*fields.items(), ("families", "chain_rules"), ("families", "composed")]
    reply = browser.session.post(platform.tool_url + action, data=chosen, timeout=120)
    assert reply.status_code == 200, reply.text
    back, returned = form_of(reply.text)
    assert back == platform.url + "/dl-return"
    assert "form-action 'self' " + platform.url in reply.headers["Content-Security-Policy"]
    answer = browser.session.post(back, data=returned, timeout=30)   # what lti.js submits
    assert answer.status_code == 200, answer.text
    claims = platform.deep_link_returns[-1]
    assert claims["aud"] == [platform.issuer] and claims[DL + "data"] == "platform-data-7"
    item = claims[DL + "content_items"][0]
    assert item["type"] == "ltiResourceLink" and item["title"] == "Week 3"
    assert item["lineItem"]["scoreMaximum"] == 3
    assert item["custom"]["layout"] == "denominator" and item["custom"]["count"] == "3"
    assert item["url"] == platform.tool_url + "/lti/launch"

    link = platform.link_from_deep_link(claims, "picked-link")
    link.sub = "s-1"
    opened = browser.launch(link)
    assert opened.status_code == 303, opened.text
    with engine.begin() as connection:
        row = connection.execute(select(assignments)).one()
    options = json.loads(row.options_json)
    assert options["layout"] == "denominator" and options["count"] == 3
    assert options["families"] == ["chain_rules", "composed"]
    assert row.title == "Week 3"


def test_an_impossible_choice_is_refused_on_the_picker(browser: Browser,
                                                       platform: TestPlatform) -> None:
    action, fields = picker(browser)
    fields.update(count="99")
    reply = browser.session.post(platform.tool_url + action, data=fields, timeout=60)
    assert reply.status_code == 400 and "count" in reply.text
    assert not platform.deep_link_returns


def test_an_exercise_file_becomes_the_link_s_exercises(browser: Browser, platform: TestPlatform,
                                                       engine: Engine) -> None:
    action, fields = picker(browser)
    fields.update(title="My own", count="1")
    reply = browser.session.post(platform.tool_url + action, data=fields, timeout=120,
                                 files={"exercises": ("mine.toml", TOML.encode())})
    assert reply.status_code == 200, reply.text
    back, returned = form_of(reply.text)
    assert browser.session.post(back, data=returned, timeout=30).status_code == 200
    link = platform.link_from_deep_link(platform.deep_link_returns[-1], "own-link")
    link.sub = "s-1"
    assert browser.launch(link).status_code == 303
    with engine.begin() as connection:
        made = connection.execute(select(assignments).where(
            assignments.c.context_key.like("lti:%"))).one()
    assert "quadratic-form" in made.set_json


def test_a_bad_exercise_file_is_named_in_the_refusal(browser: Browser,
                                                     platform: TestPlatform) -> None:
    action, fields = picker(browser)
    reply = browser.session.post(platform.tool_url + action, data=fields, timeout=60,
                                 files={"exercises": ("broken.toml", b"[[exercise]]\nid = 3\n")})
    assert reply.status_code == 400 and "broken.toml" in reply.text


def test_learners_cannot_open_the_picker(browser: Browser) -> None:
    reply = browser.launch(Message(sub="s-1", deep_linking=True))
    assert reply.status_code == 403


def test_a_link_naming_missing_exercises_is_refused(browser: Browser, engine: Engine) -> None:
    reply = browser.launch(Message(sub="s-1", custom={"matcalc_exercises": "not-here"}))
    assert reply.status_code == 400 and "not-here" in reply.text
    with engine.begin() as connection:
        assert connection.execute(select(assignments)).first() is None
