"""Scores on their way to the platform's gradebook.

A score is stored in ``lti_scores`` before it is sent, with its timestamp; every retry sends
the row as stored, so a platform that kept a score whose reply was lost receives the same value
and timestamp again (AGS keeps the newest timestamp, so nothing goes backwards).  A newer score
for the same student supersedes a pending older one.  Rows left pending by a stopped server are
sent by the next one: the sender claims due rows with a lease, so app processes sharing a
database send each row once at a time."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade
from requests import RequestException
from sqlalchemy import Connection, Engine, insert, or_, select, update

from web.background import Background
from web.database import now
from web.lti.platforms import platform_by_id
from web.lti.services import connector
from web.schema import lti_members, lti_resource_links, lti_scores, students
from web.scores import student_total

log = logging.getLogger(__name__)

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


@dataclass(frozen=True)
class SenderSettings:
    #: Seconds between looks at the outbox when nothing wakes the sender.
    poll_seconds: float = 5.0
    #: Wait before the first retry; doubled each failure up to ``longest_wait``.
    first_wait: float = 5.0
    longest_wait: float = 3600.0
    #: Seconds a claimed row stays claimed (a sender that died frees it after this).
    lease_seconds: float = 60.0


def queue_score(connection: Connection, student_id: int) -> int | None:
    """Store the student's current total for their LTI assignment's line item; the row id, or
    None when there is nothing to send (not an LTI student, no line item, work still being
    graded, or the same score already on its way)."""
    target = connection.execute(
        select(lti_resource_links.c.id, lti_resource_links.c.lineitem_url)
        .select_from(students.join(lti_members, lti_members.c.student_id == students.c.id)
                     .join(lti_resource_links,
                           lti_resource_links.c.assignment_id == students.c.assignment_id))
        .where(students.c.id == student_id)).first()
    if target is None or not target.lineitem_url:
        return None
    total = student_total(connection, student_id)
    if not total.graded:
        return None
    latest = connection.execute(
        select(lti_scores).where(lti_scores.c.student_id == student_id,
                                 lti_scores.c.state != "superseded")
        .order_by(lti_scores.c.id.desc()).limit(1)).first()
    if latest is not None and (latest.score_given, latest.score_maximum, latest.comment) == (
            total.given, total.maximum, total.comment):
        return None
    moment = now()
    connection.execute(update(lti_scores).where(lti_scores.c.student_id == student_id,
                                                lti_scores.c.state == "pending")
                       .values(state="superseded"))
    row_id: int = connection.execute(insert(lti_scores).values(
        student_id=student_id, link_id=target.id, score_given=total.given,
        score_maximum=total.maximum, comment=total.comment, timestamp=_timestamp(moment),
        state="pending", tries=0, next_try_at=moment, created_at=moment,
    ).returning(lti_scores.c.id)).scalar_one()
    return row_id


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _claim(engine: Engine, settings: SenderSettings) -> list[int]:
    moment = now()
    with engine.begin() as connection:
        due = [row.id for row in connection.execute(
            select(lti_scores.c.id).where(
                lti_scores.c.state == "pending", lti_scores.c.next_try_at <= moment,
                or_(lti_scores.c.lease_until.is_(None), lti_scores.c.lease_until < moment))
            .order_by(lti_scores.c.id).limit(50))]
    claimed = []
    for row_id in due:
        with engine.begin() as connection:
            done = connection.execute(update(lti_scores).where(
                lti_scores.c.id == row_id, lti_scores.c.state == "pending",
                or_(lti_scores.c.lease_until.is_(None), lti_scores.c.lease_until < moment))
                .values(lease_until=moment + timedelta(seconds=settings.lease_seconds))).rowcount
        if done:
            claimed.append(row_id)
    return claimed


def send_due(engine: Engine, settings: SenderSettings = SenderSettings()) -> int:
    """Send every due pending score once; answers how many the platform accepted."""
    accepted = 0
    for row_id in _claim(engine, settings):
        with engine.begin() as connection:
            row = connection.execute(
                select(lti_scores, lti_members.c.sub, lti_members.c.platform_id,
                       lti_resource_links.c.lineitem_url, lti_resource_links.c.ags_scopes)
                .select_from(lti_scores
                             .join(lti_members, lti_members.c.student_id
                                   == lti_scores.c.student_id)
                             .join(lti_resource_links,
                                   lti_resource_links.c.id == lti_scores.c.link_id))
                .where(lti_scores.c.id == row_id)).one()
            service = _service(connection, row)
        try:
            service.put_grade(_grade(row))
        except (LtiException, RequestException) as problem:
            _failed(engine, settings, row, str(problem))
            continue
        with engine.begin() as connection:
            connection.execute(update(lti_scores).where(lti_scores.c.id == row_id).values(
                state=_sent_state(connection, row_id), sent_at=now(), lease_until=None,
                tries=row.tries + 1, last_error=None))
        accepted += 1
    return accepted


def _sent_state(connection: Connection, row_id: int) -> str:
    """'sent', unless a newer score superseded the row while it was on its way: it stays
    'superseded' (the newer one follows)."""
    state = connection.execute(select(lti_scores.c.state).where(
        lti_scores.c.id == row_id)).scalar_one()
    return "superseded" if state == "superseded" else "sent"


def _service(connection: Connection, row: Any) -> AssignmentsGradesService:
    platform = platform_by_id(connection, row.platform_id)
    scopes: Any = (row.ags_scopes or SCORE_SCOPE).split()
    return AssignmentsGradesService(connector(connection, platform),
                                    {"scope": scopes, "lineitem": row.lineitem_url})


def _grade(row: Any) -> Grade:
    return (Grade().set_score_given(row.score_given).set_score_maximum(row.score_maximum)
            .set_comment(row.comment).set_timestamp(row.timestamp).set_user_id(row.sub)
            .set_activity_progress("Completed").set_grading_progress("FullyGraded"))


def _failed(engine: Engine, settings: SenderSettings, row: Any, problem: str) -> None:
    wait = min(settings.longest_wait, settings.first_wait * 2 ** min(row.tries, 20))
    log.warning("score %s for student %s not accepted (try %s): %s", row.id, row.student_id,
                row.tries + 1, problem)
    with engine.begin() as connection:
        connection.execute(update(lti_scores).where(lti_scores.c.id == row.id).values(
            tries=row.tries + 1, last_error=problem[:2000], lease_until=None,
            next_try_at=now() + timedelta(seconds=wait)))


class ScoreSender(Background):
    """The thread that empties the outbox: at start (rows a stopped server left), when woken
    by a new score, and every ``poll_seconds``."""

    thread_name = "matcalc-lti-scores"

    def __init__(self, engine: Engine, settings: SenderSettings = SenderSettings()) -> None:
        super().__init__()
        self.engine = engine
        self.settings = settings

    def graded(self, student_id: int) -> None:
        """The grading service's listener: store the student's new total, then send it."""
        with self.engine.begin() as connection:
            queued = queue_score(connection, student_id)
        if queued is not None:
            self.wake()

    def run(self) -> None:
        while not self.stopping:
            try:
                send_due(self.engine, self.settings)
            except Exception:  # a database hiccup must not end the sender; it is logged
                log.exception("sending scores failed")
            self.pause(self.settings.poll_seconds)
