"""Score passback: stored first, sent with pylti1p3's AGS client, retried with the same value and
timestamp, picked up again after a restart; the platform's final score is always matcalc's."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import Engine, insert, select

from tests.web.lti.platform import Browser, Message, TestPlatform
from tests.web.servers import LiveServer
from web.app import close_app, create_app
from web.assignments import variant_of
from web.config import ServeConfig
from web.database import now
from web.grading import requeue
from web.lti.outbox import ScoreSender, SenderSettings, queue_score
from web.schema import lti_scores, overrides, students, submissions
from web.scores import student_total

FAST = SenderSettings(poll_seconds=0.2, first_wait=0.2, longest_wait=1.0)


def wait_for(condition: Callable[[], object], seconds: float = 30.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)


@pytest.fixture
def sender(server: LiveServer) -> ScoreSender:
    made: ScoreSender = server.app.extensions["matcalc.lti.sender"]
    made.settings = FAST
    made.wake()
    return made


def learner(browser: Browser, engine: Engine, sub: str = "s-1") -> int:
    reply = browser.launch(Message(sub=sub))
    assert reply.status_code == 303, reply.text
    student_id = int(reply.headers["Location"].split("/")[2])
    return student_id


def graded(engine: Engine, student_id: int, scores: list[float]) -> None:
    """Graded attempts, one per question, as the grading service stores them."""
    with engine.begin() as connection:
        row = connection.execute(select(students).where(students.c.id == student_id)).one()
        for exercise, score in zip(variant_of(row).exercises, scores, strict=False):
            status = "correct" if score == 1 else "incorrect"
            connection.execute(insert(submissions).values(
                student_id=student_id, question_id=exercise.id, answer="x", state="graded",
                submitted_at=now(), graded_at=now(), status=status, score=score,
                verdict_json=json.dumps({"status": status})))


def platform_score(platform: TestPlatform, sub: str = "s-1") -> dict[str, object] | None:
    return platform.scores.get(("1", sub))


def matcalc_total(engine: Engine, student_id: int) -> float:
    with engine.begin() as connection:
        return student_total(connection, student_id).given


def score_posts(platform: TestPlatform) -> list[dict[str, object]]:
    return [json.loads(r.body) for r in platform.records("/lineitems/")]


def test_a_graded_total_reaches_the_gradebook(browser: Browser, platform: TestPlatform,
                                              engine: Engine, sender: ScoreSender) -> None:
    student_id = learner(browser, engine)
    graded(engine, student_id, [1.0, 0.0])
    sender.graded(student_id)
    wait_for(lambda: platform_score(platform))
    score = platform_score(platform)
    assert score is not None
    assert score["scoreGiven"] == matcalc_total(engine, student_id) == 1.0
    assert score["scoreMaximum"] == 2.0
    assert score["activityProgress"] == "Completed"
    assert score["gradingProgress"] == "FullyGraded"
    assert score["userId"] == "s-1"
    assert "incorrect" in str(score["comment"]) and "correct" in str(score["comment"])
    token = platform.records("/token")[-1]
    assert "lti-ags/scope/score" in token.form["scope"]


def test_a_refused_score_is_retried_with_the_same_value_and_timestamp(
        browser: Browser, platform: TestPlatform, engine: Engine, sender: ScoreSender) -> None:
    student_id = learner(browser, engine)
    platform.refuse_scores = 1
    graded(engine, student_id, [1.0, 1.0])
    sender.graded(student_id)
    wait_for(lambda: platform_score(platform))
    posts = score_posts(platform)
    assert len(posts) == 2
    assert posts[0] == posts[1]                       # same scoreGiven, same timestamp
    assert platform_score(platform)["scoreGiven"] == matcalc_total(engine, student_id) == 2.0
    with engine.begin() as connection:
        row = connection.execute(select(lti_scores)).one()
    assert row.state == "sent" and row.tries == 2


def test_a_lost_reply_resends_the_stored_score(browser: Browser, platform: TestPlatform,
                                               engine: Engine, sender: ScoreSender) -> None:
    student_id = learner(browser, engine)
    platform.drop_replies = 1
    graded(engine, student_id, [0.0, 1.0])
    sender.graded(student_id)

    def sent() -> bool:
        with engine.begin() as connection:
            return connection.execute(select(lti_scores.c.state)).scalar() == "sent"

    wait_for(sent)
    posts = score_posts(platform)
    assert len(posts) == 2 and posts[0] == posts[1]
    assert platform_score(platform) == posts[0]
    assert platform_score(platform)["scoreGiven"] == matcalc_total(engine, student_id)


def test_a_newer_score_replaces_the_older(browser: Browser, platform: TestPlatform,
                                          engine: Engine, sender: ScoreSender) -> None:
    student_id = learner(browser, engine)
    graded(engine, student_id, [0.0])
    sender.graded(student_id)
    wait_for(lambda: platform_score(platform))
    graded(engine, student_id, [1.0, 1.0])
    sender.graded(student_id)
    wait_for(lambda: platform_score(platform)["scoreGiven"] == 2.0)  # type: ignore[index]
    assert matcalc_total(engine, student_id) == 2.0
    first, second = score_posts(platform)
    assert str(first["timestamp"]) < str(second["timestamp"])
    sender.graded(student_id)    # nothing new: nothing sent
    time.sleep(0.5)
    assert len(score_posts(platform)) == 2


@pytest.fixture
def second_app(config: ServeConfig) -> Iterator[Callable[[], Flask]]:
    made: list[Flask] = []

    def make() -> Flask:
        app = create_app(config)
        app.extensions["matcalc.lti.sender"].settings = FAST
        made.append(app)
        return app

    yield make
    for app in made:
        close_app(app)


def test_scores_left_in_the_outbox_are_sent_after_a_restart(
        browser: Browser, platform: TestPlatform, engine: Engine, server: LiveServer,
        second_app: Callable[[], Flask]) -> None:
    server.app.extensions["matcalc.lti.sender"].stop()     # the server dies before sending
    student_id = learner(browser, engine)
    graded(engine, student_id, [1.0, 0.0])
    with engine.begin() as connection:
        assert queue_score(connection, student_id) is not None
    time.sleep(0.5)
    assert platform_score(platform) is None
    second_app()                                            # the restarted server
    wait_for(lambda: platform_score(platform))
    assert platform_score(platform)["scoreGiven"] == matcalc_total(engine, student_id)


def test_grading_and_regrading_send_scores(browser: Browser, platform: TestPlatform,
                                           engine: Engine, config: ServeConfig,
                                           server: LiveServer) -> None:
    """The real path: the grading service grades a stored submission in its capped pool and
    its listener stores and sends the total; a regrade sends the new one."""
    server.app.extensions["matcalc.lti.sender"].stop()
    student_id = learner(browser, engine)
    grading_app = create_app(dataclasses.replace(config, grading=True))
    try:
        grading_app.extensions["matcalc.lti.sender"].settings = FAST
        with engine.begin() as connection:
            row = connection.execute(select(students).where(students.c.id == student_id)).one()
            exercise = variant_of(row).exercises[0]
            connection.execute(insert(submissions).values(
                student_id=student_id, question_id=exercise.id, answer=exercise.answer,
                submitted_at=now(), state="pending"))
        grading_app.extensions["matcalc.grading"].wake()
        wait_for(lambda: platform_score(platform), 60)
        assert platform_score(platform)["scoreGiven"] == 1.0 == matcalc_total(engine,
                                                                               student_id)
        with engine.begin() as connection:   # the instructor's override, then a regrade
            connection.execute(insert(overrides).values(
                student_id=student_id, question_id=exercise.id, score=0.5, reason="late",
                created_at=now()))
            assert requeue(connection, row.assignment_id) == 1
        grading_app.extensions["matcalc.grading"].wake()
        wait_for(lambda: platform_score(platform)["scoreGiven"] == 0.5, 60)  # type: ignore[index]
        assert matcalc_total(engine, student_id) == 0.5
    finally:
        close_app(grading_app)


def test_a_student_without_a_line_item_queues_nothing(browser: Browser, engine: Engine) -> None:
    reply = browser.launch(Message(sub="s-9", lineitem=None, resource_link_id="no-grades"))
    student_id = int(reply.headers["Location"].split("/")[2])
    graded(engine, student_id, [1.0])
    with engine.begin() as connection:
        assert queue_score(connection, student_id) is None
        assert connection.execute(select(lti_scores)).first() is None
