"""A student's score on an assignment, from their stored attempts, the policy and any
overrides: what the dashboard, the gradebooks and LTI passback all report."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from web.assignments import assignment, policy_of, variant_of
from web.policy import Attempt, question_score
from web.schema import overrides, students, submissions


@dataclass(frozen=True)
class QuestionTotal:
    question_id: str
    score: float            # 0–1 after penalties, or the override
    attempts: int
    status: str | None      # the latest graded verdict's status; None if never graded
    note: str | None        # the latest graded verdict's diagnosis
    overridden: bool


@dataclass(frozen=True)
class Total:
    given: float            # points: one per question
    maximum: float
    questions: tuple[QuestionTotal, ...]
    #: Nothing of this student's is waiting to be graded.
    graded: bool
    comment: str            # one line per question, for gradebooks and LMS feedback


def student_total(connection: Connection, student_id: int) -> Total:
    student = connection.execute(select(students).where(students.c.id == student_id)).one()
    policy = policy_of(assignment(connection, student.assignment_id))
    variant = variant_of(student)
    attempts: dict[str, list[Attempt]] = defaultdict(list)
    latest: dict[str, dict[str, Any]] = {}
    pending = False
    for row in connection.execute(select(submissions).where(
            submissions.c.student_id == student_id).order_by(submissions.c.id)):
        graded = row.state == "graded"
        pending = pending or not graded
        attempts[row.question_id].append(
            Attempt(row.answer, row.status if graded else None, row.score if graded else None))
        if graded and row.verdict_json:
            latest[row.question_id] = json.loads(row.verdict_json)
    overridden = {row.question_id: row.score for row in connection.execute(
        select(overrides).where(overrides.c.student_id == student_id))}
    questions = []
    for exercise in variant.exercises:
        verdict = latest.get(exercise.id, {})
        questions.append(QuestionTotal(
            exercise.id,
            question_score(policy, attempts[exercise.id], overridden.get(exercise.id)),
            len(attempts[exercise.id]), verdict.get("status"), verdict.get("note"),
            exercise.id in overridden))
    given = sum(question.score for question in questions)
    return Total(round(given, 6), float(len(questions)), tuple(questions), not pending,
                 _comment(questions))


def _comment(questions: list[QuestionTotal]) -> str:
    lines = []
    for question in questions:
        if question.overridden:
            state = "set by the instructor"
        elif question.status is None:
            state = "not answered" if not question.attempts else "being graded"
        else:
            state = question.status.replace("_", " ") + (
                f" ({question.note.replace('_', ' ')})" if question.note else "")
        lines.append(f"{question.question_id}: {question.score:.2f}/1, {state}")
    return "\n".join(lines)
