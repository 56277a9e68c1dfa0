"""The gradebook of a grading run: a row per roster student, in roster order, whether they were
graded, their files were rejected or they submitted nothing; then the submissions of no roster
student.  As CSV in the columns each gradebook import expects:

* ``plain``: every row, a column per question, the status (``graded``, ``rejected``,
  ``missing``) and what went wrong;
* ``canvas``: Canvas's Grades › Import: ``Student, ID, SIS User ID, SIS Login ID, Section``,
  then one assignment column (the set's title) holding the total, after a ``Points Possible``
  row.  Students are matched on ID (Canvas's user ID, when the roster came from Canvas), SIS
  User ID (the roster id) or SIS Login ID (the e-mail);
* ``moodle``: Moodle's Grades › Import › CSV file: ``ID number, Email address, Full name``,
  the total under the set's title and a feedback column, mapped to a grade item at import
  ("Identify user from": ID number or Email address).

The LMS formats hold every roster student (missing and rejected ones with 0 and a word on why);
submissions that are no roster student's are left out of them (the run lists them).  Without a
roster (one sheet for the class), they hold the students graded.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from grader.exercise_set import ExerciseSet
from grader.report import StudentReport
from grader.roster import Student

FORMATS = ("plain", "canvas", "moodle")
RowStatus = Literal["graded", "rejected", "missing"]


@dataclass(frozen=True)
class Row:
    """One student's line of the gradebook (or one unattributed submission's)."""

    student: str  # the id ("" when no student could be told)
    name: str
    email: str
    canvas_id: str
    status: RowStatus
    score: float
    max_score: float
    #: The submission files that were this student's (or claimed to be).
    sources: tuple[str, ...]
    problems: tuple[str, ...]
    #: The graded report (per-question scores), if any.
    report: StudentReport | None
    on_roster: bool


def class_rows(reports: Sequence[StudentReport],
               roster: Sequence[tuple[Student, float]] | None,
               max_score: float) -> list[Row]:
    """The rows of a run: for each roster student (with the points their sheet is worth) the
    reports that are theirs, then the rest in the order of the submissions.  ``max_score`` is
    what a sheet is worth where no report says."""
    mine: dict[str, list[StudentReport]] = {}
    for report in reports:
        if report.student is not None:
            mine.setdefault(report.student.casefold(), []).append(report)
    rows = []
    for student, worth in roster or ():
        rows.append(_row(student, mine.pop(student.id.casefold(), []), worth, True))
    done: set[str] = set()
    for report in reports:
        if report.student is None:
            rows.append(_row(Student(""), [report], max_score, False))
            continue
        key = report.student.casefold()
        if key in mine and key not in done:
            done.add(key)
            email = report.student if "@" in report.student else ""
            rows.append(_row(Student(report.student, report.name, email), mine[key], max_score,
                             False))
    return rows


def _row(student: Student, reports: Sequence[StudentReport], worth: float, on_roster: bool
         ) -> Row:
    sources = tuple(r.source for r in reports)
    graded = [r for r in reports if r.status == "graded"]
    name = student.name or next((r.name for r in reports if r.name), "")
    if graded:
        report = graded[0]
        problems = [*report.problems, *(
            "also submitted " + (p if p.startswith(f"{r.source}:") else f"{r.source}: {p}")
            for r in reports if r is not report for p in r.problems)]
        return Row(student.id, name, student.email, student.canvas_id, "graded", report.score,
                   report.max_score, sources, tuple(problems), report, on_roster)
    if reports:
        problems = list(dict.fromkeys(p for r in reports for p in r.problems))
        return Row(student.id, name, student.email, student.canvas_id, "rejected", 0.0, worth,
                   sources, tuple(problems), None, on_roster)
    return Row(student.id, name, student.email, student.canvas_id, "missing", 0.0, worth, (),
               (), None, on_roster)


def question_ids(exercise_set: ExerciseSet) -> list[str]:
    """Every exercise id of the set, in sheet order (variants usually share them)."""
    ids: dict[str, None] = {}
    for variant in exercise_set.variants:
        for exercise in variant.exercises:
            ids.setdefault(exercise.id)
    return list(ids)


def gradebook_csv(rows: Sequence[Row], exercise_set: ExerciseSet,
                  csv_format: str = "plain") -> str:
    """The gradebook as CSV text in ``csv_format`` (one of :data:`FORMATS`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if csv_format == "plain":
        _plain(writer, rows, exercise_set)
    elif csv_format == "canvas":
        _canvas(writer, rows, exercise_set)
    elif csv_format == "moodle":
        _moodle(writer, rows, exercise_set)
    else:
        raise ValueError(f"unknown gradebook format {csv_format!r}")
    return out.getvalue()


def _plain(writer: Any, rows: Sequence[Row], exercise_set: ExerciseSet) -> None:
    ids = question_ids(exercise_set)
    writer.writerow(["student", "name", "submission", *ids, "total", "max_score", "status",
                     "problems"])
    for row in rows:
        scores = {q.id: number(q.score) for q in row.report.questions} if row.report else {}
        writer.writerow([cell(row.student), cell(row.name), cell("; ".join(row.sources)),
                         *(scores.get(i, "") for i in ids), number(row.score),
                         number(row.max_score), row.status, cell("; ".join(row.problems))])


def _known(rows: Sequence[Row]) -> list[Row]:
    """The rows an LMS can match to a student: every roster student; without a roster, the
    students graded (an id taken from the name of a file that could not be read is a guess)."""
    if any(row.on_roster for row in rows):
        return [row for row in rows if row.on_roster]
    return [row for row in rows if row.student and row.status == "graded"]


def _canvas(writer: Any, rows: Sequence[Row], exercise_set: ExerciseSet) -> None:
    known = _known(rows)
    column = f"{exercise_set.title} (matcalc)"
    writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", cell(column)])
    possible = max((r.max_score for r in known), default=0.0)
    writer.writerow(["Points Possible", "", "", "", "", number(possible)])
    for row in known:
        writer.writerow([cell(row.name or row.student), cell(row.canvas_id), cell(row.student),
                         cell(row.email), "", number(row.score)])


def _moodle(writer: Any, rows: Sequence[Row], exercise_set: ExerciseSet) -> None:
    writer.writerow(["ID number", "Email address", "Full name", cell(exercise_set.title),
                     "Feedback"])
    for row in _known(rows):
        if row.status == "graded" and row.report is not None:
            right = sum(q.status == "correct" for q in row.report.questions)
            feedback = (f"{number(row.score)} / {number(row.max_score)}: {right} of "
                        f"{len(row.report.questions)} right")
        elif row.status == "rejected":
            feedback = "Not graded: " + "; ".join(row.problems)
        else:
            feedback = "No submission"
        writer.writerow([cell(row.student), cell(row.email), cell(row.name),
                         number(row.score), cell(feedback)])


def number(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def cell(text: str) -> str:
    """Text a spreadsheet could take for a formula gets a leading quote (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
