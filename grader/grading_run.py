"""Grading a class: every submission read, matched to its variant and graded on the worker pool,
with a report per student written as soon as that student is done.

A run never stops for one bad submission (it gets a ``rejected`` report saying why) and never
leaves a half-written file: reports are written atomically, one student at a time, so a run that
is killed can be resumed and grades only what is missing.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from grader.checker import parse_key
from grader.errors import MatcalcError, ParseError
from grader.exercise_set import ExerciseSet, ExerciseSetError, Variant
from grader.files import TEMPORARY_SUFFIX, file_name, remove_leftovers, write_atomically
from grader.language.parser import parse_declarations
from grader.pool import Caps, CheckJob, GradingPool
from grader.report import QuestionResult, StudentReport, markdown
from grader.submission import (
    Matched,
    Submission,
    SubmissionError,
    describe,
    find_variant,
    match,
    parse_submission,
    read_bytes,
)
from grader.verdict import CheckOptions, Verdict


@dataclass(frozen=True)
class RunOptions:
    #: Worker processes (``None``: one per core).
    jobs: int | None = None
    #: Reuse the reports of a previous run where set, options and submission are unchanged.
    resume: bool = False
    #: Explicit matrices score the fraction of entries right.
    partial_credit: bool = False
    #: Points per question.
    points: float = 1.0
    caps: Caps = field(default_factory=Caps)

    def fingerprint(self) -> str:
        """What changes a verdict: the grading options (not jobs or resume)."""
        return json.dumps({"matcalc": _version(), "partial_credit": self.partial_credit,
                           "points": self.points,
                           "caps": [self.caps.wall_seconds, self.caps.cpu_seconds,
                                    self.caps.memory_mb]}, sort_keys=True)


def _version() -> str:
    """The grader's version: a new one may decide differently, so resumed runs regrade."""
    try:
        return version("matcalc")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


@dataclass(frozen=True)
class RunResult:
    reports: tuple[StudentReport, ...]  # in the order of the submissions
    graded: int
    reused: int
    rejected: int


@dataclass(frozen=True)
class Student:
    """A submission matched to its variant, ready to grade."""

    source: str  # the file, for messages
    digest: str  # see StudentReport.digest
    student: str  # who submitted
    matched: Matched


#: Called after each report is settled: (report, whether it was reused from an earlier run).
Progress = Callable[[StudentReport, bool], None]


def find_submissions(paths: Sequence[Path], *, exclude: Path | None = None) -> list[Path]:
    """The files named, and the files in the folders named (recursively, hidden ones and the
    output folder left out), in a stable order."""
    found: list[Path] = []
    excluded = exclude.resolve() if exclude is not None else None
    for path in paths:
        if path.is_dir():
            for candidate in sorted(path.rglob("*")):
                relative = candidate.relative_to(path).parts
                if ((candidate.is_file() or candidate.is_symlink())
                        and not any(p.startswith(".") for p in relative)
                        and (excluded is None or excluded not in candidate.resolve().parents)):
                    found.append(candidate)
        elif path.exists():
            found.append(path)
        else:
            raise MatcalcError(f"{path}: no such file or folder")
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def set_digest(exercise_set: ExerciseSet) -> str:
    """SHA-256 of the set's canonical record (compact, so the C encoder does it quickly)."""
    record = json.dumps(exercise_set.to_json(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(record.encode("utf-8")).hexdigest()


def check_keys(exercise_set: ExerciseSet) -> None:
    """Every key must read before any student is graded: a broken set is the instructor's to
    fix, and finding it mid-run would waste the run."""
    seen: set[tuple[str, str]] = set()
    for variant in exercise_set.variants:
        for exercise in variant.exercises:
            if (exercise.answer, exercise.given) in seen:
                continue
            seen.add((exercise.answer, exercise.given))
            try:
                parse_key(exercise.answer, parse_declarations(exercise.given))
            except ParseError as problem:
                raise ExerciseSetError(f"variant {variant.id}, exercise {exercise.id}: the key "
                                       f"can't be read: {problem}") from None


def report_path(directory: Path, report: StudentReport) -> Path:
    """Where a report is written: ``ID.json``, or ``rejected/SOURCE.json``."""
    if report.status == "graded" and report.student is not None:
        return directory / f"{file_name(report.student)}.json"
    return directory / "rejected" / f"{file_name(report.source)}.json"


def grade_class(
    exercise_set: ExerciseSet,
    sources: Sequence[Path],
    directory: Path,
    options: RunOptions = RunOptions(),
    *,
    root: Path | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Grade ``sources`` into ``directory`` (JSON and Markdown per student)."""
    check_keys(exercise_set)
    remove_leftovers(directory)
    _clear_rejected(directory / "rejected")  # rewritten below: none may be left from before
    context = set_digest(exercise_set) + options.fingerprint()
    read = [_read(source, root, exercise_set, context) for source in sources]
    owners: dict[str, list[int]] = {}
    for index, item in enumerate(read):
        if isinstance(item, Student):
            owners.setdefault(item.student, []).append(index)
    for student_id, indices in owners.items():
        if len(indices) > 1:
            names = ", ".join(_name(sources[i], root) for i in indices)
            for i in indices:
                item = read[i]
                assert isinstance(item, Student)
                read[i] = _rejected(item.source, item.digest,
                                    f"student {student_id} has {len(indices)} submissions "
                                    f"({names}): keep one", student_id, item.matched.variant)
    settled: dict[int, StudentReport] = {}
    pending: list[tuple[int, Student]] = []
    reused = 0
    for index, item in enumerate(read):
        if isinstance(item, StudentReport):
            _save(directory, item, exercise_set.title)
            settled[index] = item
            if progress:
                progress(item, False)
            continue
        previous = _previous(directory, item) if options.resume else None
        if previous is not None:
            settled[index] = previous
            reused += 1
            if progress:
                progress(previous, True)
            continue
        pending.append((index, item))

    graded = 0
    for (index, _), report in zip(pending, grade_students([p for _, p in pending], options),
                                  strict=True):
        _save(directory, report, exercise_set.title)
        settled[index] = report
        graded += 1
        if progress:
            progress(report, False)
    reports = tuple(settled[i] for i in sorted(settled))
    return RunResult(reports, graded, reused, sum(r.status == "rejected" for r in reports))


def _name(path: Path, root: Path | None) -> str:
    """The submission as messages and reports name it: its path below ``root``."""
    if root is not None:
        try:
            return path.absolute().relative_to(root.absolute()).as_posix()
        except ValueError:
            pass
    return path.name


def common_root(paths: Sequence[Path]) -> Path:
    """The folder that holds every file and folder named, to name submissions from."""
    folders = [p.absolute() if p.is_dir() else p.absolute().parent for p in paths]
    return Path(os.path.commonpath(folders))


def _read(source: Path, root: Path | None, exercise_set: ExerciseSet, context: str
          ) -> Student | StudentReport:
    """A submission read and matched, or a rejected report that says why not."""
    name = _name(source, root)
    try:
        data = read_bytes(source, name)
    except SubmissionError as problem:
        return _rejected(name, hashlib.sha256(context.encode()).hexdigest(), str(problem))
    digest = hashlib.sha256(context.encode("utf-8") + b"\0" + data).hexdigest()
    # a file named after its student (s001.txt), or in a folder named after them (s001/a.txt)
    relative = Path(name)
    named = relative.parts[0] if len(relative.parts) > 1 else relative.stem
    try:
        submission: Submission = parse_submission(data, name)
        variant = find_variant(exercise_set, submission.student, name, fallback=named)
    except SubmissionError as problem:
        return _rejected(name, digest, str(problem))
    except Exception as problem:  # a bug here must not cost the class its run
        return _rejected(name, digest, f"{name}: could not be read ({type(problem).__name__}); "
                                       "please report this file to matcalc's maintainers")
    # with one sheet for the whole class, the file says who it is
    one_sheet = len(exercise_set.variants) == 1
    student = (submission.student or named) if one_sheet else variant.id
    return Student(name, digest, student, match(submission, variant))


def _rejected(source: str, digest: str, problem: str, student: str | None = None,
              variant: Variant | None = None) -> StudentReport:
    return StudentReport(source, student, "" if variant is None else variant.name, "rejected",
                         (), (problem,), digest, None if variant is None else variant.id)


def _previous(directory: Path, student: Student) -> StudentReport | None:
    """The report of an earlier run for exactly this submission, set and options."""
    path = directory / f"{file_name(student.student)}.json"
    try:
        report = StudentReport.from_json(json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return report if report.digest == student.digest and report.status == "graded" else None


def _clear_rejected(folder: Path) -> None:
    if folder.is_dir():
        for path in folder.iterdir():
            if path.suffix in (".json", ".md") or path.name.endswith(TEMPORARY_SUFFIX):
                path.unlink(missing_ok=True)


def grade_students(students: Sequence[Student], options: RunOptions) -> Iterator[StudentReport]:
    """Each student's report, in order, as soon as their last answer is graded.

    All answers go through one pool (started only if there is an answer to grade), so a slow
    answer holds up only its own student's report.
    """
    answers = [dict(s.matched.answers) for s in students]
    if not any(a is not None for student in answers for a in student.values()):
        yield from (_report(s, {}, options.points) for s in students)
        return
    with GradingPool(workers=options.jobs, caps=options.caps) as pool:
        verdicts = pool.map(
            CheckJob(exercise.answer, answer.text, exercise.given,
                     exercise.layout,  # type: ignore[arg-type]
                     CheckOptions(partial_credit=options.partial_credit,
                                  mistakes=exercise.mistakes))
            for student, given in zip(students, answers, strict=True)
            for exercise in student.matched.variant.exercises
            if (answer := given[exercise.id]) is not None
        )
        for student, given in zip(students, answers, strict=True):
            results = {exercise.id: next(verdicts)
                       for exercise in student.matched.variant.exercises
                       if given[exercise.id] is not None}
            yield _report(student, results, options.points)


def _report(student: Student, verdicts: dict[str, Verdict], points: float) -> StudentReport:
    matched = student.matched
    answers = dict(matched.answers)
    unanswered = dict(matched.unanswered)
    questions = []
    for exercise in matched.variant.exercises:
        answer = answers[exercise.id]
        if answer is None:
            questions.append(QuestionResult(exercise.id, describe(exercise), None, "missing",
                                            0.0, points,
                                            f"No gradable answer: {unanswered[exercise.id]}."))
        else:
            questions.append(QuestionResult.graded(exercise.id, describe(exercise), answer.text,
                                                   verdicts[exercise.id], points))
    return StudentReport(student.source, student.student, matched.variant.name, "graded",
                         tuple(questions), matched.problems, student.digest, matched.variant.id)


def _save(directory: Path, report: StudentReport, title: str) -> None:
    """The Markdown first, then the JSON: a JSON report on disk means the student is done."""
    path = report_path(directory, report)
    if report.status == "rejected" and report.student is not None:  # no stale feedback
        for stale in (directory / f"{file_name(report.student)}.json",
                      directory / f"{file_name(report.student)}.md"):
            stale.unlink(missing_ok=True)
    write_atomically(path.with_suffix(".md"), markdown(report, title))
    # one line, by the C encoder (an indented dump is several times slower, and the parent's
    # time per report is time the workers wait); the Markdown is the human-readable copy
    write_atomically(path, json.dumps(report.to_json(), ensure_ascii=False, sort_keys=True)
                     + "\n")
