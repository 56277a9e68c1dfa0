"""A student's graded assignment, opened through their personal link ``/a/<id>/<token>``:
their variant's questions with an answer box each, attempts left, the due date, and past
attempts with verdicts when the assignment's feedback policy releases them.

Views stay thin: the attempt rules are :mod:`web.policy`, taking an attempt is
:mod:`web.attempts`.  A submission is acknowledged (303 back to the page) only after its row
has been committed; the grading thread is woken to grade it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from flask import Response, current_app, jsonify, redirect, render_template, request, url_for
from sqlalchemy import Connection, Engine, Row, select
from werkzeug.wrappers import Response as BaseResponse

from grader.exercise_set import Exercise
from web.assignments import POLICY_COLUMNS, policy_for, policy_of, variant_of
from web.assignments import student_by_link as _student_by_link
from web.attempts import MAX_ANSWER, StoredAttempt, SubmissionRefusedError, attempts_of, take
from web.config import ServeConfig
from web.database import aware, now
from web.policy import Policy, attempts_left, deadline, feedback_released, worth
from web.schema import assignments
from web.scores import Total, student_total
from web.student import blueprint
from web.student.verdicts import VerdictView, view

#: The HTTP status of each refusal: a rule of the assignment (409), too many at once (429), a
#: malformed request (400).
REFUSAL_STATUS = {"policy": 409, "rate": 429, "question": 400, "empty": 400, "length": 400}

R = TypeVar("R", bound=BaseResponse)

#: Longest token accepted in a link (tokens are 32 characters); longer ones are not looked up.
MAX_TOKEN = 100


@dataclass(frozen=True)
class ShownAttempt:
    stored: StoredAttempt
    number: int
    worth: float | None      # what it earns after penalties, when feedback is released
    #: The verdict as the page shows it, once graded and released (as practice shows it).
    verdict: VerdictView | None = None


@dataclass(frozen=True)
class Question:
    exercise: Exercise
    number: int
    attempts: tuple[ShownAttempt, ...]
    attempts_left: int | None
    score: float | None      # the question's score so far, when feedback is released
    pending: bool
    overridden: bool = False  # the score is the instructor's


def _engine() -> Engine:
    engine: Engine = current_app.extensions["matcalc.engine"]
    return engine


def _config() -> ServeConfig:
    config: ServeConfig = current_app.extensions["matcalc.config"]
    return config


def _student(connection: Connection, student_id: int, token: str) -> Row[Any] | None:
    if len(token) > MAX_TOKEN:
        return None
    return _student_by_link(connection, student_id, token)


def _not_found() -> tuple[str, int]:
    return render_template("assignment_missing.html"), 404


def _private(response: R) -> R:
    """A page reached through a secret link: never cached, never sent on as a referrer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _questions(connection: Connection, student: Row[Any], policy: Policy,
               released: bool) -> tuple[list[Question], Total | None]:
    """The questions as the page shows them, and the student's total when it may be shown
    (the gradebook's: penalties, best attempts and the instructor's overrides)."""
    stored = attempts_of(connection, student.id)
    total = student_total(connection, student.id) if released else None
    totals = {item.question_id: item for item in total.questions} if total else {}
    questions = []
    for number, exercise in enumerate(variant_of(student).exercises, start=1):
        mine = stored.get(exercise.id, [])
        attempts = [item.attempt for item in mine]
        values = worth(policy, attempts)
        shown = tuple(ShownAttempt(
            item, index, values[index - 1] if released else None,
            view(item.verdict, item.answer, exercise.given)
            if released and item.state == "graded" and item.verdict else None)
            for index, item in enumerate(mine, start=1))
        counted = totals.get(exercise.id)
        questions.append(Question(
            exercise, number, shown, attempts_left(policy, attempts),
            counted.score if counted is not None and (mine or counted.overridden) else None,
            any(item.state != "graded" for item in mine),
            counted is not None and counted.overridden))
    return questions, total


def _page(connection: Connection, student: Row[Any], refused: str | None = None,
          status: int = 200, answer: tuple[str, str] | None = None) -> Response:
    row = connection.execute(select(assignments.c.title, *POLICY_COLUMNS).where(
        assignments.c.id == student.assignment_id)).one()
    policy = policy_of(row)
    moment = now()
    extension = aware(student.extension_until)
    released = feedback_released(policy, moment, extension)
    due = deadline(policy, extension)
    questions, total = _questions(connection, student, policy, released)
    html = render_template(
        "assignment.html",
        assignment=row, student=student, policy=policy, questions=questions, total=total,
        released=released, due=due, extended=due is not None and due != policy.due_at,
        closed=due is not None and moment > due, refused=refused, answer=answer,
        link=url_for("student.assignment_page", student_id=student.id, token=student.token),
        shape=_shape, max_answer=MAX_ANSWER)
    return _private(Response(html, status=status, mimetype="text/html"))


def _shape(shape: Any) -> str:
    """``["n", "1"]`` or ``("n", "1")`` as ``n×1``."""
    if not shape:
        return "?"
    return "×".join(str(part) for part in shape)


@blueprint.get("/a/<int:student_id>/<token>")
def assignment_page(student_id: int, token: str) -> Response | tuple[str, int]:
    with _engine().connect() as connection:
        student = _student(connection, student_id, token)
        if student is None:
            return _not_found()
        return _page(connection, student)


@blueprint.post("/a/<int:student_id>/<token>/submit")
def submit(student_id: int, token: str) -> BaseResponse | tuple[str, int]:
    """One question's answer per request (fields ``question`` and ``answer``); one database
    connection for the request, the attempt committed before the acknowledgement."""
    question_id = request.form.get("question", "")
    answer = request.form.get("answer", "")
    config = _config()
    with _engine().connect() as connection:
        student = _student(connection, student_id, token)
        if student is None:
            return _not_found()
        try:
            policy = policy_for(connection, student.assignment_id)
            questions = {exercise.id for exercise in variant_of(student).exercises}
            take(connection, student, policy, questions, question_id, answer, now(),
                 config.submissions_per_minute)
            connection.commit()
        except SubmissionRefusedError as refused:
            connection.rollback()
            response = _page(connection, student, str(refused),
                             REFUSAL_STATUS[refused.reason], (question_id, answer))
            if refused.reason == "rate":
                response.headers["Retry-After"] = "60"
            return response
    current_app.extensions["matcalc.grading"].wake()
    target = url_for("student.assignment_page", student_id=student.id, token=student.token,
                     _anchor=f"question-{question_id}")
    return _private(redirect(target, code=303))


@blueprint.get("/a/<int:student_id>/<token>/status")
def status(student_id: int, token: str) -> Response | tuple[Response, int]:
    """For the page's polling: how many of the student's attempts wait for a verdict, and
    each attempt's state (its status only when feedback is released)."""
    with _engine().connect() as connection:
        student = _student(connection, student_id, token)
        if student is None:
            return jsonify({"error": "no such link"}), 404
        policy = policy_for(connection, student.assignment_id)
        stored = attempts_of(connection, student.id)
    released = feedback_released(policy, now(), aware(student.extension_until))
    rows: list[dict[str, Any]] = []
    for question_id, items in stored.items():
        for item in items:
            rows.append({"id": item.id, "question": question_id, "state": item.state,
                         "status": item.status if released and item.state == "graded"
                         else None})
    pending = sum(row["state"] != "graded" for row in rows)
    return _private(jsonify({"pending": pending, "released": released,
                             "attempts": sorted(rows, key=lambda row: row["id"]),
                             "checked_at": _iso(now())}))


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
