"""The gradebook of a grading run as CSV, in the columns each gradebook import expects.

* ``plain``: every submission (rejected ones too, with the reason), a column per question;
* ``canvas``: Canvas's Grades › Import: ``Student, ID, SIS User ID, SIS Login ID, Section``,
  then one assignment column (the set's title) holding the total, after a ``Points Possible``
  row.  Students are matched on SIS User ID (the roster id) or SIS Login ID (the e-mail);
* ``moodle``: Moodle's Grades › Import › CSV file: ``ID number, Email address, Full name``,
  the total under the set's title and a feedback column, mapped to a grade item at import
  ("Identify user from": ID number or Email address).

Rejected submissions can't be imported: the LMS formats leave them out (the run lists them).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from grader.exercise_set import ExerciseSet
from grader.report import StudentReport

FORMATS = ("plain", "canvas", "moodle")


def question_ids(exercise_set: ExerciseSet) -> list[str]:
    """Every exercise id of the set, in sheet order (variants usually share them)."""
    ids: dict[str, None] = {}
    for variant in exercise_set.variants:
        for exercise in variant.exercises:
            ids.setdefault(exercise.id)
    return list(ids)


def gradebook_csv(reports: Sequence[StudentReport], exercise_set: ExerciseSet,
                  csv_format: str = "plain") -> str:
    """The gradebook as CSV text in ``csv_format`` (one of :data:`FORMATS`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if csv_format == "plain":
        _plain(writer, reports, exercise_set)
    elif csv_format == "canvas":
        _canvas(writer, reports, exercise_set)
    elif csv_format == "moodle":
        _moodle(writer, reports, exercise_set)
    else:
        raise ValueError(f"unknown gradebook format {csv_format!r}")
    return out.getvalue()


def _plain(writer: Any, reports: Sequence[StudentReport], exercise_set: ExerciseSet) -> None:
    ids = question_ids(exercise_set)
    writer.writerow(["student", "name", "submission", *ids, "total", "max_score", "status",
                     "problems"])
    for report in reports:
        scores = {q.id: number(q.score) for q in report.questions}
        writer.writerow([cell(report.student or ""), cell(report.name), cell(report.source),
                         *(scores.get(i, "") for i in ids), number(report.score),
                         number(report.max_score), report.status,
                         cell("; ".join(report.problems))])


def _canvas(writer: Any, reports: Sequence[StudentReport], exercise_set: ExerciseSet) -> None:
    graded = [r for r in reports if r.status == "graded"]
    column = f"{exercise_set.title} (matcalc)"
    writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", cell(column)])
    possible = max((r.max_score for r in graded), default=0.0)
    writer.writerow(["Points Possible", "", "", "", "", number(possible)])
    for report in graded:
        writer.writerow([cell(report.name or report.student or ""), "",
                         cell(report.student or ""), cell(_email(report, exercise_set)), "",
                         number(report.score)])


def _moodle(writer: Any, reports: Sequence[StudentReport], exercise_set: ExerciseSet) -> None:
    writer.writerow(["ID number", "Email address", "Full name", cell(exercise_set.title),
                     "Feedback"])
    for report in reports:
        if report.status != "graded":
            continue
        right = sum(q.status == "correct" for q in report.questions)
        feedback = (f"{number(report.score)} / {number(report.max_score)}: {right} of "
                    f"{len(report.questions)} right")
        writer.writerow([cell(report.student or ""), cell(_email(report, exercise_set)),
                         cell(report.name), number(report.score), cell(feedback)])


def _email(report: StudentReport, exercise_set: ExerciseSet) -> str:
    """The roster's e-mail for the student (a one-sheet class: the id, if it is one)."""
    for variant in exercise_set.variants:
        if variant.id == report.variant and variant.email and len(exercise_set.variants) > 1:
            return variant.email
    student = report.student or ""
    return student if "@" in student else ""


def number(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def cell(text: str) -> str:
    """Text a spreadsheet could take for a formula gets a leading quote (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
