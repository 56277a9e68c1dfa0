"""What an assignment's stored attempts say, for the instructor: per question the share of
students who got it right, the commonest diagnoses (with answers that earned them) and the
commonest unreadable inputs (with the reader's message); per student every attempt.

Plain functions on a database connection; no HTTP.  Counts come from graded attempts only:
an attempt waiting in the queue has no verdict yet and is counted as ``pending``.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, select

from web.assignments import policy_for, variant_of
from web.database import aware
from web.policy import Attempt, charged, worth
from web.schema import students, submissions

#: Diagnoses and unreadable inputs listed per question, and example answers per diagnosis.
TOP = 5
EXAMPLES = 3

K = TypeVar("K")


@dataclass(frozen=True)
class Diagnosis:
    """A diagnosis (a verdict's ``note``) some attempts earned, with the status it came with."""

    note: str
    status: str
    attempts: int
    #: Distinct answers that earned it, the commonest first.
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Unreadable:
    """An answer the reader refused, as typed (blanks collapsed), and how often."""

    answer: str
    message: str
    attempts: int


@dataclass(frozen=True)
class QuestionStatistics:
    question_id: str
    #: Students whose variant has the question.
    enrolled: int
    #: The families the students' exercises in this place come from, with how many students
    #: got each (variants differ: ``q1`` is a place on the sheet, not one exercise).
    families: tuple[tuple[str, int], ...]
    #: Students with at least one graded attempt at the question.
    answered: int
    #: Of those, the students with a correct attempt.
    correct: int
    attempts: int
    pending: int
    #: Graded attempts per verdict status, the commonest first.
    statuses: tuple[tuple[str, int], ...]
    diagnoses: tuple[Diagnosis, ...]
    unreadable: tuple[Unreadable, ...]

    @property
    def share_correct(self) -> float | None:
        """Correct students over students who answered; None when nobody has."""
        return self.correct / self.answered if self.answered else None


@dataclass(frozen=True)
class AttemptRecord:
    """One stored attempt, as the instructor sees it."""

    id: int
    question_id: str
    number: int             # 1, 2, ... per question
    answer: str
    submitted_at: datetime
    state: str              # pending, grading, graded
    status: str | None
    score: float | None
    #: What the attempt earns under the assignment's penalty (None until graded).
    worth: float | None
    #: Whether it used up one of the allowed attempts (unreadable and repeated ones don't).
    charged: bool
    note: str | None
    feedback: str | None
    reading: str | None     # how the answer was read (ASCII), when it could be


def _same(answer: str) -> str:
    return " ".join(answer.split())


def _verdict(row: Any) -> dict[str, Any]:
    if row.state != "graded" or not row.verdict_json:
        return {}
    loaded = json.loads(row.verdict_json)
    return loaded if isinstance(loaded, dict) else {}


def _submission_rows(connection: Connection, assignment_id: int) -> Iterable[Any]:
    return connection.execute(
        select(submissions).join(students, students.c.id == submissions.c.student_id)
        .where(students.c.assignment_id == assignment_id)
        .order_by(submissions.c.id))


def question_statistics(connection: Connection, assignment_id: int, *, top: int = TOP,
                        examples: int = EXAMPLES) -> list[QuestionStatistics]:
    """Statistics per question id, in the order of the questions of the students' variants
    (ids answered that no variant has, after them)."""
    order: dict[str, None] = {}
    families: dict[str, Counter[str]] = defaultdict(Counter)
    for row in connection.execute(select(students).where(
            students.c.assignment_id == assignment_id).order_by(students.c.id)):
        for exercise in variant_of(row).exercises:
            order.setdefault(exercise.id)
            families[exercise.id][exercise.family] += 1
    answered: dict[str, set[int]] = defaultdict(set)
    correct: dict[str, set[int]] = defaultdict(set)
    attempts: Counter[str] = Counter()
    pending: Counter[str] = Counter()
    statuses: dict[str, Counter[str]] = defaultdict(Counter)
    notes: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    noted_answers: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
    unreadable: dict[str, Counter[str]] = defaultdict(Counter)
    messages: dict[tuple[str, str], str] = {}
    for row in _submission_rows(connection, assignment_id):
        question = row.question_id
        order.setdefault(question)
        attempts[question] += 1
        if row.state != "graded" or row.status is None:
            pending[question] += 1
            continue
        answered[question].add(row.student_id)
        statuses[question][row.status] += 1
        answer = _same(row.answer)
        if row.status == "correct":
            correct[question].add(row.student_id)
        elif row.status == "invalid":
            unreadable[question][answer] += 1
            messages.setdefault((question, answer), str(_verdict(row).get("feedback") or ""))
        else:
            note = _verdict(row).get("note")
            if note:
                notes[question][(str(note), row.status)] += 1
                noted_answers[(question, str(note), row.status)][answer] += 1
    result = []
    for question in order:
        diagnoses = tuple(
            Diagnosis(note, status, count, tuple(
                answer for answer, _ in
                noted_answers[(question, note, status)].most_common(examples)))
            for (note, status), count in _commonest(notes[question], top))
        refused = tuple(Unreadable(answer, messages[(question, answer)], count)
                        for answer, count in _commonest(unreadable[question], top))
        result.append(QuestionStatistics(
            question, sum(families[question].values()),
            tuple(_commonest(families[question], len(families[question]))),
            len(answered[question]), len(correct[question]), attempts[question],
            pending[question], tuple(_commonest(statuses[question], len(statuses[question]))),
            diagnoses, refused))
    return result


def _commonest(counter: Counter[K], top: int) -> list[tuple[K, int]]:
    """The ``top`` commonest, ties in order of first appearance (Counter keeps it)."""
    return sorted(counter.items(), key=lambda item: -item[1])[:top]


def student_attempts(connection: Connection, student_id: int) -> list[AttemptRecord]:
    """Every attempt of a student, by question in the order of their variant, then in the order
    submitted; each with what it earns under the assignment's policy."""
    student = connection.execute(select(students).where(students.c.id == student_id)).one()
    policy = policy_for(connection, student.assignment_id)
    by_question: dict[str, list[Any]] = {exercise.id: []
                                         for exercise in variant_of(student).exercises}
    for row in connection.execute(select(submissions).where(
            submissions.c.student_id == student_id).order_by(submissions.c.id)):
        by_question.setdefault(row.question_id, []).append(row)
    records = []
    for question, rows in by_question.items():
        stated = [Attempt(row.answer, row.status if row.state == "graded" else None,
                          row.score if row.state == "graded" else None) for row in rows]
        for number, (row, earned, counts) in enumerate(
                zip(rows, worth(policy, stated), charged(stated), strict=True), start=1):
            verdict = _verdict(row)
            reading = verdict.get("interpreted_as") or {}
            graded = row.state == "graded"
            records.append(AttemptRecord(
                row.id, question, number, row.answer, aware(row.submitted_at) or row.submitted_at,
                row.state, row.status if graded else None, row.score if graded else None,
                earned if graded else None, counts, verdict.get("note"),
                verdict.get("feedback"), reading.get("ascii")))
    return records
