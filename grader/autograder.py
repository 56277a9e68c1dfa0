"""Grading one submission inside a Gradescope autograder container.

Gradescope unpacks the exported zip into ``ROOT/source``, puts the student's files in
``ROOT/submission`` and their account in ``ROOT/submission_metadata.json``, and shows the
student ``ROOT/results/results.json``.  The student's variant is chosen from their account (never
from what the file claims, which would let a student pick someone else's sheet).  Whatever
happens, a valid ``results.json`` is written: a failure becomes a failed test with a message.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.errors import MatcalcError
from grader.exercise_set import ExerciseSet, Variant
from grader.files import write_atomically
from grader.grading_run import RunOptions, Student, check_keys, grade_students
from grader.pool import Caps
from grader.report import StudentReport, plain, question_markdown
from grader.submission import (
    SubmissionError,
    describe,
    match,
    parse_submission,
    read_bytes,
)

ROOT_VARIABLE = "MATCALC_AUTOGRADER_ROOT"
DEFAULT_ROOT = Path("/autograder")
#: Names a submission file is looked for under, when the student uploaded several files.
PREFERRED = ("answers.txt", "answers.json")
UPLOAD_HINT = ("Upload one file, answers.txt (one answer per line, q1: ...) or answers.json; "
               "check it first with matcalc validate.")


@dataclass(frozen=True)
class AutograderOptions:
    partial_credit: bool = False
    points: float = 1.0
    caps: Caps = field(default_factory=Caps)

    @staticmethod
    def from_json(record: dict[str, Any]) -> AutograderOptions:
        timeout = float(record.get("timeout", 2.0))
        return AutograderOptions(bool(record.get("partial_credit", False)),
                                 float(record.get("points", 1.0)),
                                 Caps(wall_seconds=timeout, cpu_seconds=timeout))

    def to_json(self) -> dict[str, Any]:
        return {"partial_credit": self.partial_credit, "points": self.points,
                "timeout": self.caps.wall_seconds}


def default_root() -> Path:
    return Path(os.environ.get(ROOT_VARIABLE) or DEFAULT_ROOT)


def run(root: Path, set_path: Path | None = None,
        options: AutograderOptions | None = None) -> dict[str, Any]:
    """Grade ``ROOT/submission`` and write ``ROOT/results/results.json``; return the results."""
    started = time.monotonic()
    source = root / "source"
    total = 0.0
    try:
        if options is None:
            options = _options(source / "autograder.json")
        exercise_set = _load(set_path or source / "set.json")
        check_keys(exercise_set)
        total = options.points * max(len(v.exercises) for v in exercise_set.variants)
        results = _grade(root, exercise_set, options)
    except Exception as problem:  # the student must always get a results.json
        results = failure(f"The autograder failed ({type(problem).__name__}: {problem}), so "
                          "your submission was not graded. Please tell your instructor.", total)
    results["execution_time"] = round(time.monotonic() - started, 3)
    write_atomically(root / "results" / "results.json",
                     json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    return results


def failure(message: str, max_score: float = 0.0) -> dict[str, Any]:
    """Results for a submission that could not be graded at all."""
    return {"score": 0.0, "output": message, "output_format": "text",
            "stdout_visibility": "hidden",
            "tests": [{"name": "Autograder", "score": 0.0, "max_score": max_score,
                       "status": "failed", "output": message, "output_format": "text",
                       "visibility": "visible"}]}


def _options(path: Path) -> AutograderOptions:
    if not path.exists():
        return AutograderOptions()
    return AutograderOptions.from_json(json.loads(path.read_text("utf-8")))


def _load(path: Path) -> ExerciseSet:
    return ExerciseSet.loads(path.read_text("utf-8"), path.name)


def _grade(root: Path, exercise_set: ExerciseSet, options: AutograderOptions
           ) -> dict[str, Any]:
    metadata = _metadata(root / "submission_metadata.json")
    variant, who = _variant(exercise_set, metadata)
    if variant is None:
        return failure(f"{who} is not on this assignment's roster, so there is no worksheet to "
                       "grade against. Please tell your instructor.",
                       options.points * len(exercise_set.variants[0].exercises))
    problems: list[str] = []
    try:
        path = _submission_file(root / "submission")
        data = read_bytes(path, path.name)
        submission = parse_submission(data, path.name)
        if submission.student is not None and len(exercise_set.variants) > 1 and \
                submission.student.casefold() not in (variant.id.casefold(),
                                                      variant.email.casefold()):
            problems.append(f"the file names student {submission.student!r}, but it was graded "
                            f"as {who} (your account), against your own worksheet")
    except SubmissionError as problem:
        return _unreadable(variant, str(problem), options)
    matched = match(submission, variant)
    student = Student(path.name, "", variant.id, matched)
    run_options = RunOptions(partial_credit=options.partial_credit, points=options.points,
                             caps=options.caps)
    report = next(grade_students([student], run_options))
    return _results(report, problems)


def _metadata(path: Path) -> dict[str, Any]:
    try:
        record = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


#: Fields of a Gradescope user that may name a roster entry, most trusted first.  Gradescope's
#: own numeric ``id`` is not one of them: it could equal another student's roster id.
_USER_KEYS = ("email", "sid", "student_id")


def _variant(exercise_set: ExerciseSet, metadata: dict[str, Any]) -> tuple[Variant | None, str]:
    """The variant of the submitting account: by e-mail, then by the student id Gradescope
    holds (``sid``), matched against the roster's e-mail and id."""
    users = [u for u in metadata.get("users") or [] if isinstance(u, dict)]
    who = ", ".join(str(u.get("email") or u.get("name") or u.get("id")) for u in users) \
        or "this submission's account"
    if len(exercise_set.variants) == 1:
        return exercise_set.variants[0], who
    for key in _USER_KEYS:
        for user in users:
            value = str(user.get(key) or "").strip().casefold()
            if not value:
                continue
            for variant in exercise_set.variants:
                if value in (variant.id.casefold(), variant.email.casefold()):
                    return variant, who
    return None, who


def _submission_file(folder: Path) -> Path:
    files = sorted(p for p in folder.rglob("*")
                   if p.is_file() and not any(part.startswith(".")
                                              for part in p.relative_to(folder).parts))
    if not files:
        raise SubmissionError(f"no file was submitted. {UPLOAD_HINT}")
    if len(files) == 1:
        return files[0]
    for name in PREFERRED:
        named = [p for p in files if p.name.lower() == name]
        if len(named) == 1:
            return named[0]
    shown = ", ".join(p.name for p in files[:5]) + (" ..." if len(files) > 5 else "")
    raise SubmissionError(f"{len(files)} files were submitted ({shown}). {UPLOAD_HINT}")


def _unreadable(variant: Variant, problem: str, options: AutograderOptions) -> dict[str, Any]:
    """Every question failed, each saying why: the student sees what the sheet asked."""
    tests = [{"name": describe(e), "number": str(i), "score": 0.0, "max_score": options.points,
              "status": "failed", "output": f"Not graded: {problem}", "output_format": "text",
              "visibility": "visible"}
             for i, e in enumerate(variant.exercises, start=1)]
    return {"score": 0.0, "output": f"Your submission could not be read: {problem}",
            "output_format": "text", "stdout_visibility": "hidden", "tests": tests}


def _results(report: StudentReport, problems: list[str]) -> dict[str, Any]:
    tests = [{"name": q.title, "number": str(i), "score": q.score, "max_score": q.max_score,
              "status": "passed" if q.score >= q.max_score else "failed",
              "output": question_markdown(q), "output_format": "md", "visibility": "visible",
              "extra_data": {"status": q.status, "note": (q.verdict or {}).get("note")}}
             for i, q in enumerate(report.questions, start=1)]
    lines = [f"Score: {report.score:g} / {report.max_score:g}."]
    notes = [*problems, *report.problems]
    if notes:
        lines += ["", "Problems with your file:", *(f"- {plain(n)}" for n in notes)]
    return {"score": report.score, "output": "\n".join(lines), "output_format": "md",
            "stdout_visibility": "hidden", "tests": tests}


def main(root: Path | None = None) -> int:
    """The entry point ``run_autograder`` calls; 0 once a results.json is written."""
    try:
        run(root or default_root())
    except (OSError, MatcalcError) as problem:  # results could not even be written
        print(f"matcalc autograde: {problem}")
        return 1
    return 0
