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
from grader.grading_run import Gradable, RunOptions, check_keys, grade_students
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
    sheet = options.points * len(exercise_set.variants[0].exercises)
    variant, owner, refusal = _variant(exercise_set, root / "submission_metadata.json")
    if variant is None:
        return failure(refusal or "There is no worksheet to grade against.", sheet)
    problems: list[str] = []
    try:
        path = _submission_file(root / "submission")
        data = read_bytes(path, path.name)
        submission = parse_submission(data, path.name)
        claimed = (submission.student or "").casefold()
        if claimed and len(exercise_set.variants) > 1 and \
                claimed not in (variant.id.casefold(), variant.email.casefold()):
            problems.append(f"the file says 'student: {submission.student}', but it was graded "
                            f"against the worksheet of {owner}")
    except SubmissionError as problem:
        return _unreadable(variant, str(problem), options)
    matched = match(submission, variant)
    student = Gradable(path.name, "", variant.id, matched)
    run_options = RunOptions(partial_credit=options.partial_credit, points=options.points,
                             caps=options.caps)
    report = next(grade_students([student], run_options))
    return _results(report, problems)


def _metadata(path: Path) -> dict[str, Any] | None:
    """Gradescope's record of the submission, or ``None`` if there is none to read."""
    try:
        record = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


#: Fields of a Gradescope user that may name a roster entry, most trusted first.  Gradescope's
#: own numeric ``id`` is not one of them: it could equal another student's roster id.
_USER_KEYS = ("email", "sid", "student_id")


def _variant(exercise_set: ExerciseSet, metadata_path: Path
             ) -> tuple[Variant | None, str, str | None]:
    """The worksheet to grade against, whose it is (for messages), and why there is none.

    Each account of the submission is found by e-mail, then by the student id Gradescope holds
    (``sid``), against the roster's e-mail and id.  A group submission (several accounts) is
    graded when all its members share one worksheet: Gradescope takes one result per group.
    """
    variants = exercise_set.variants
    metadata = _metadata(metadata_path)
    users = [u for u in (metadata or {}).get("users") or [] if isinstance(u, dict)]
    labels = [_label(u) for u in users]
    if len(variants) == 1:
        return variants[0], _owner(labels), None
    if metadata is None:
        return None, "", (f"{metadata_path.name} is missing or unreadable, so the submitting "
                          "account, and its worksheet, is unknown. Please tell your instructor.")
    found = [_account_variant(variants, user) for user in users]
    if not users:
        return None, "", ("The submission names no account, so there is no worksheet to grade "
                          "against. Please tell your instructor.")
    strangers = [label for label, variant in zip(labels, found, strict=True) if variant is None]
    if strangers and len(users) == 1:
        return None, "", (f"{strangers[0]} is not on this assignment's roster, so there is no "
                          "worksheet to grade against. Please tell your instructor.")
    if strangers:
        return None, "", (f"This group submission can't be graded: {', '.join(strangers)} "
                          f"{'is' if len(strangers) == 1 else 'are'} not on this assignment's "
                          "roster, so there is no worksheet for them. Please tell your "
                          "instructor.")
    sheets = {variant.id for variant in found if variant is not None}
    if len(sheets) > 1:
        whose = "; ".join(f"{label} has {variant.id}'s"
                          for label, variant in zip(labels, found, strict=True)
                          if variant is not None)
        return None, "", ("This group submission can't be graded: its members have different "
                          f"worksheets ({whose}). Gradescope records one result for the whole "
                          "group, so a group is graded only when all its members share one "
                          "worksheet: submit on your own, or ask your instructor.")
    return found[0], _owner(labels), None


def _account_variant(variants: tuple[Variant, ...], user: dict[str, Any]) -> Variant | None:
    for key in _USER_KEYS:
        value = str(user.get(key) or "").strip().casefold()
        if not value:
            continue
        for variant in variants:
            if value in (variant.id.casefold(), variant.email.casefold()):
                return variant
    return None


def _label(user: dict[str, Any]) -> str:
    """An account as messages name it: ``Ann Lee (ann@uni.example)``."""
    name, email = str(user.get("name") or "").strip(), str(user.get("email") or "").strip()
    if name and email:
        return f"{name} ({email})"
    return name or email or str(user.get("sid") or user.get("id") or "an account")


def _owner(labels: list[str]) -> str:
    if len(labels) > 1:
        return f"your group ({', '.join(labels)}), which all its members share"
    return f"your account ({labels[0]})" if labels else "your account"


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
