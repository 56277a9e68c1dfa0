"""A student's attempts at an assignment: reading them back, and taking a new one into the
grading queue under the assignment's policy.  Plain functions on a database connection; no HTTP.

Taking an attempt is one transaction that first write-locks the student's row (a no-op UPDATE:
a row lock on PostgreSQL, the write lock on SQLite), so two submissions of one student sent at
once are checked one after the other and can't both slip past the attempt limit or the rate
limit.  The caller acknowledges only after the transaction has committed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, Row, func, insert, select, update

from grader.errors import MatcalcError
from grader.language.limits import DEFAULT_LIMITS
from web.database import aware
from web.policy import Attempt, Policy, refusal
from web.schema import students, submissions

#: Longest answer taken: the answer language's own input cap, so nothing longer is stored.
MAX_ANSWER = DEFAULT_LIMITS.max_length

Reason = Literal["question", "empty", "length", "policy", "rate"]


class SubmissionRefusedError(MatcalcError):
    """An attempt that is not taken (nothing is stored); ``reason`` says which rule refused it."""

    def __init__(self, message: str, reason: Reason) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class StoredAttempt:
    """One stored submission as the student's page shows it."""

    id: int
    question_id: str
    answer: str
    submitted_at: datetime
    state: str                       # pending, grading or graded
    status: str | None
    score: float | None
    verdict: dict[str, Any] | None   # Verdict.to_json() once graded

    @property
    def attempt(self) -> Attempt:
        graded = self.state == "graded"
        return Attempt(self.answer, self.status if graded else None,
                       self.score if graded else None)


def attempts_of(connection: Connection, student_id: int) -> dict[str, list[StoredAttempt]]:
    """Every stored attempt of a student by question, oldest first."""
    result: dict[str, list[StoredAttempt]] = defaultdict(list)
    for row in connection.execute(select(submissions).where(
            submissions.c.student_id == student_id).order_by(submissions.c.id)):
        result[row.question_id].append(_stored(row))
    return result


def _stored(row: Row[Any]) -> StoredAttempt:
    submitted = aware(row.submitted_at)
    assert submitted is not None  # the column is NOT NULL
    return StoredAttempt(row.id, row.question_id, row.answer, submitted, row.state,
                         row.status, row.score,
                         json.loads(row.verdict_json) if row.verdict_json else None)


def take(connection: Connection, student: Row[Any], policy: Policy, question_ids: set[str],
         question_id: str, answer: str, moment: datetime, per_minute: int) -> int:
    """Store an attempt as pending and return its id, or raise
    :class:`SubmissionRefusedError`.  Run it inside a transaction the caller commits."""
    if question_id not in question_ids:
        raise SubmissionRefusedError(f"this assignment has no question {question_id[:64]!r}",
                                     "question")
    if not answer.strip():
        raise SubmissionRefusedError("the answer is empty: type an answer first", "empty")
    if len(answer) > MAX_ANSWER:
        raise SubmissionRefusedError(
            f"the answer is {len(answer)} characters long; at most {MAX_ANSWER} are taken",
            "length")
    connection.execute(update(students).where(students.c.id == student.id).values(
        token=students.c.token))  # the lock described above
    recent = connection.execute(select(func.count()).select_from(submissions).where(
        submissions.c.student_id == student.id,
        submissions.c.submitted_at > moment - timedelta(minutes=1))).scalar_one()
    if recent >= per_minute:
        raise SubmissionRefusedError(
            f"{recent} answers in the last minute: at most {per_minute} are graded per "
            "minute; wait a moment and submit again", "rate")
    earlier = [stored.attempt for stored in attempts_of(connection, student.id)[question_id]]
    why = refusal(policy, earlier, answer, moment, aware(student.extension_until))
    if why is not None:
        raise SubmissionRefusedError(why, "policy")
    submission_id: int = connection.execute(insert(submissions).values(
        student_id=student.id, question_id=question_id, answer=answer, submitted_at=moment,
        state="pending").returning(submissions.c.id)).scalar_one()
    return submission_id


#: Columns of an attempts export, in order.
EXPORT_COLUMNS = ("assignment", "student", "name", "question", "answer", "submitted_at",
                  "state", "status", "score", "note", "feedback", "graded_at")


def export_rows(connection: Connection, assignment_id: int) -> list[dict[str, Any]]:
    """Every stored attempt of an assignment's students, in the order they arrived."""
    rows = connection.execute(
        select(submissions, students.c.student_key, students.c.name)
        .join(students, students.c.id == submissions.c.student_id)
        .where(students.c.assignment_id == assignment_id)
        .order_by(submissions.c.id))
    result = []
    for row in rows:
        verdict = json.loads(row.verdict_json) if row.verdict_json else {}
        graded_at = aware(row.graded_at)
        result.append({
            "assignment": assignment_id, "student": row.student_key, "name": row.name or "",
            "question": row.question_id, "answer": row.answer,
            "submitted_at": _iso(aware(row.submitted_at)), "state": row.state,
            "status": row.status, "score": row.score, "note": verdict.get("note"),
            "feedback": verdict.get("feedback"),
            "graded_at": _iso(graded_at) if graded_at else None,
        })
    return result


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
