"""The gradebook of a grading run as CSV: one row per submission, one column per question."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from grader.exercise_set import ExerciseSet
from grader.report import StudentReport

FORMATS = ("plain",)


def question_ids(exercise_set: ExerciseSet) -> list[str]:
    """Every exercise id of the set, in sheet order (variants usually share them)."""
    ids: dict[str, None] = {}
    for variant in exercise_set.variants:
        for exercise in variant.exercises:
            ids.setdefault(exercise.id)
    return list(ids)


def gradebook_csv(reports: Sequence[StudentReport], exercise_set: ExerciseSet,
                  csv_format: str = "plain") -> str:
    """``plain``: student, name, submission, a column per question, total, max_score, status,
    problems. Rejected submissions get a row too, with the reason."""
    if csv_format not in FORMATS:
        raise ValueError(f"unknown gradebook format {csv_format!r}")
    ids = question_ids(exercise_set)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "name", "submission", *ids, "total", "max_score", "status",
                     "problems"])
    for report in reports:
        scores = {q.id: number(q.score) for q in report.questions}
        writer.writerow([cell(report.student or ""), cell(report.name), cell(report.source),
                         *(scores.get(i, "") for i in ids), number(report.score),
                         number(report.max_score), report.status,
                         cell("; ".join(report.problems))])
    return out.getvalue()


def number(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def cell(text: str) -> str:
    """Text a spreadsheet could take for a formula gets a leading quote (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
