"""Downloads of an assignment: its gradebook in the formats of ``grader.gradebook`` (made from
the same rows a grading run makes, so the columns are those the LMS imports expect) and every
attempt as CSV (the columns of ``matcalc assignment export``).  Plain functions on a database
connection; no HTTP."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import Connection, select

from grader.exercise_set import ExerciseSet
from grader.gradebook import cell, class_rows, gradebook_csv
from grader.report import QuestionResult, StudentReport
from grader.roster import Student
from web.assignments import assignment, variant_of
from web.attempts import EXPORT_COLUMNS, export_rows
from web.schema import students
from web.scores import Total, student_total

#: What a gradebook's "submission" column names for answers given on the web.
SOURCE = "web"


def _report(row: Any, total: Total) -> StudentReport | None:
    """A grading run's report for one student: a question per exercise with the score that
    counts (best attempt after penalties, or the override); None if they did nothing."""
    if not any(q.attempts or q.overridden for q in total.questions):
        return None
    questions = tuple(QuestionResult(
        q.question_id, q.question_id, None,
        q.status if q.status is not None else "missing",  # type: ignore[arg-type]
        q.score, 1.0, "") for q in total.questions)
    problems = () if total.graded else ("some attempts are still being graded",)
    return StudentReport(SOURCE, row.student_key, row.name or "", "graded", questions, problems,
                         "")


def _class(connection: Connection, assignment_id: int
           ) -> tuple[list[tuple[Student, float]], list[StudentReport], ExerciseSet]:
    record = assignment(connection, assignment_id)
    roster: list[tuple[Student, float]] = []
    reports: list[StudentReport] = []
    variants = []
    for row in connection.execute(select(students).where(
            students.c.assignment_id == assignment_id).order_by(students.c.id)):
        variant = variant_of(row)
        variants.append(variant)
        total = student_total(connection, row.id)
        roster.append((Student(row.student_key, row.name or "", row.email or "",
                               variant.canvas_id), total.maximum))
        report = _report(row, total)
        if report is not None:
            reports.append(report)
    recorded = ExerciseSet.loads(record.set_json, f"assignment {assignment_id}")
    exercise_set = ExerciseSet(recorded.seed, recorded.layout, tuple(variants), record.title)
    return roster, reports, exercise_set


def gradebook(connection: Connection, assignment_id: int, csv_format: str) -> str:
    """The assignment's gradebook as CSV text in one of ``grader.gradebook.FORMATS``."""
    roster, reports, exercise_set = _class(connection, assignment_id)
    worth = max((points for _, points in roster), default=0.0)
    return gradebook_csv(class_rows(reports, roster, worth), exercise_set, csv_format)


def attempts_csv(connection: Connection, assignment_id: int) -> str:
    """Every attempt of every student, one row each: the columns of ``matcalc assignment
    export`` (``web.attempts.EXPORT_COLUMNS``), the answers as typed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for row in export_rows(connection, assignment_id):
        writer.writerow(["" if row[name] is None else
                         cell(row[name]) if isinstance(row[name], str) else row[name]
                         for name in EXPORT_COLUMNS])
    return out.getvalue()
