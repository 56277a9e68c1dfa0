"""Grading a class: every submission read, attributed to its student (see
:mod:`grader.attribution`), matched to their variant and graded on the worker pool, with a report
per student written as soon as that student is done, and a gradebook row per roster student.

A run never stops for one bad submission (it gets a ``rejected`` report saying why) and never
leaves a half-written file: reports are written atomically, one student at a time, so a run that
is killed can be resumed and grades only what is missing.  A student's answers go to a worker in
one batch, and an answer checked once in a run (the same key, text and options) is not checked
again: its verdict is reused.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from grader.attribution import (
    Attribution,
    Claim,
    ClassList,
    Enrolled,
    attribute,
    path_claims,
)
from grader.checker import parse_key
from grader.errors import MatcalcError, ParseError
from grader.exercise_set import ExerciseSet, ExerciseSetError, Variant
from grader.files import TEMPORARY_SUFFIX, file_name, remove_leftovers, write_atomically
from grader.gradebook import Row, class_rows
from grader.language.parser import parse_declarations
from grader.numeric import stated_point
from grader.pool import Caps, CheckJob, GradingPool
from grader.report import QuestionResult, StudentReport, markdown
from grader.roster import Student
from grader.submission import (
    Matched,
    Submission,
    SubmissionError,
    describe,
    match,
    parse_submission,
    read_bytes,
)
from grader.verdict import CheckOptions, Verdict

if TYPE_CHECKING:
    from grader.cluster import Cluster, ClusterGrading


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
    #: Grade on this Dask cluster instead of local processes (see :mod:`grader.cluster`).
    cluster: Cluster | None = None

    def fingerprint(self) -> str:
        """What changes a verdict: the grading options (not jobs, resume or cluster)."""
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
    #: The gradebook's rows: every roster student in roster order (graded, rejected or
    #: missing), then the submissions of no roster student.
    rows: tuple[Row, ...]
    graded: int
    reused: int
    rejected: int
    #: Roster students without a submission.
    missing: int = 0


@dataclass(frozen=True)
class Gradable:
    """A submission matched to its variant, ready to grade."""

    source: str  # the file, for messages
    digest: str  # see StudentReport.digest
    student: str  # who submitted
    matched: Matched
    name: str = ""  # the student's name, from the roster


#: Called after each report is settled: (report, whether it was reused from an earlier run).
Progress = Callable[[StudentReport, bool], None]


def natural_key(text: str) -> list[str | int]:
    """Text with its numbers compared as numbers: ``hw_11`` before ``hw_103``."""
    return [int(part) if part.isdecimal() else part.casefold()
            for part in re.split(r"(\d+)", text)]


def _order(relative: Path) -> list[tuple[list[str | int], list[str | int]]]:
    """Folders and files in natural order, a name before its copies (``s003.txt``, then
    ``s003 (1).txt``)."""
    return [(natural_key(PurePosixPath(part).stem), natural_key(PurePosixPath(part).suffix))
            for part in relative.parts]


def find_submissions(paths: Sequence[Path], *, exclude: Path | None = None) -> list[Path]:
    """The files named, and the files in the folders named (recursively, hidden ones and the
    output folder left out), in natural order.  Links are listed as themselves (never
    followed, so a link to a file is not that file: both are listed)."""
    found: list[Path] = []
    excluded = exclude.resolve() if exclude is not None else None
    for path in paths:
        if path.is_dir():
            candidates = [c for c in path.rglob("*") if c.is_file() or c.is_symlink()]
            for candidate in sorted(candidates, key=lambda c: (
                    _order(c.relative_to(path)), c.as_posix())):
                relative = candidate.relative_to(path).parts
                folder = candidate.parent.resolve()
                if (not any(p.startswith(".") for p in relative)
                        and (excluded is None or not (excluded == folder
                                                      or excluded in folder.parents))):
                    found.append(candidate)
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            raise MatcalcError(f"{path}: no such file or folder")
    unique: dict[Path, Path] = {}
    for path in found:  # the same file named twice (a folder and a file in it), once
        unique.setdefault(path.parent.resolve() / path.name, path)
    return list(unique.values())


def set_digest(exercise_set: ExerciseSet) -> str:
    """SHA-256 of the set's canonical record (compact, so the C encoder does it quickly)."""
    record = json.dumps(exercise_set.to_json(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(record.encode("utf-8")).hexdigest()


def check_keys(exercise_set: ExerciseSet) -> None:
    """Every key must read before any student is graded: a broken set is the instructor's to
    fix, and finding it mid-run would waste the run."""
    seen: set[tuple[str, str, tuple[tuple[str, str], ...]]] = set()
    for variant in exercise_set.variants:
        for exercise in variant.exercises:
            if (exercise.answer, exercise.given, exercise.values) in seen:
                continue
            seen.add((exercise.answer, exercise.given, exercise.values))
            try:
                declarations = parse_declarations(exercise.given)
                parse_key(exercise.answer, declarations)
            except ParseError as problem:
                raise ExerciseSetError(f"variant {variant.id}, exercise {exercise.id}: the key "
                                       f"can't be read: {problem}") from None
            if exercise.values:
                try:
                    stated_point(exercise.values, declarations)
                except ParseError as problem:
                    raise ExerciseSetError(f"variant {variant.id}, exercise {exercise.id}: "
                                           f"{problem}") from None


def report_path(directory: Path, report: StudentReport) -> Path:
    """Where a report is written: ``ID.json``, or ``rejected/SOURCE.json``."""
    if report.status == "graded" and report.student is not None:
        return directory / f"{file_name(report.student)}.json"
    return directory / "rejected" / f"{file_name(report.source)}.json"


def class_list(exercise_set: ExerciseSet, roster: Sequence[Student] | None = None
               ) -> ClassList | None:
    """Who a run grades: the roster given, else the set's variants when it has one per student;
    ``None`` for one sheet and no roster (any student id is welcome then)."""
    variants = exercise_set.variants
    if roster is None:
        if len(variants) == 1:
            return None
        return ClassList([Enrolled(Student(v.id, v.name, v.email, v.canvas_id), v)
                          for v in variants])
    if len(variants) == 1:
        return ClassList([Enrolled(student, variants[0]) for student in roster])
    by_id: dict[str, Variant] = {}
    for each in variants:
        for key in (each.id, each.email):
            if key:
                by_id.setdefault(key.casefold(), each)
    enrolled = []
    for student in roster:
        sheet = by_id.get(student.id.casefold()) or (
            by_id.get(student.email.casefold()) if student.email else None)
        if sheet is not None and not student.canvas_id and sheet.canvas_id:
            student = dataclasses.replace(student, canvas_id=sheet.canvas_id)
        enrolled.append(Enrolled(student, sheet))
    return ClassList(enrolled)


@dataclass(frozen=True)
class _Read:
    """A submission read: ready to grade, or rejected; and whether its path named its student."""

    item: Gradable | StudentReport
    by_path: bool = False


def grade_class(
    exercise_set: ExerciseSet,
    sources: Sequence[Path],
    directory: Path,
    options: RunOptions = RunOptions(),
    *,
    root: Path | None = None,
    progress: Progress | None = None,
    roster: Sequence[Student] | None = None,
) -> RunResult:
    """Grade ``sources`` into ``directory`` (JSON and Markdown per student).

    ``roster``: the class, for a set of one sheet (a set with a variant per student is its own
    roster); it orders the rows and names the students with no submission.
    """
    check_keys(exercise_set)
    remove_leftovers(directory)
    _clear_rejected(directory / "rejected")  # rewritten below: none may be left from before
    context = set_digest(exercise_set) + options.fingerprint()
    students = class_list(exercise_set, roster)
    read = [_read(source, root, exercise_set, students, context) for source in sources]
    _settle_duplicates(read)
    settled: dict[int, StudentReport] = {}
    pending: list[tuple[int, Gradable]] = []
    reused = 0
    for index, entry in enumerate(read):
        item = entry.item
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
    sheet = max(len(v.exercises) for v in exercise_set.variants) * options.points
    on_roster = None if students is None else [
        (e.student, sheet if e.variant is None else len(e.variant.exercises) * options.points)
        for e in students.enrolled]
    rows = tuple(class_rows(reports, on_roster, sheet))
    for row in rows:  # a student with no submission now has no feedback from an earlier run
        if row.status == "missing":
            for suffix in (".json", ".md"):
                (directory / f"{file_name(row.student)}{suffix}").unlink(missing_ok=True)
    return RunResult(reports, rows, graded, reused, sum(r.status == "rejected" for r in reports),
                     sum(row.status == "missing" for row in rows))


def _settle_duplicates(read: list[_Read]) -> None:
    """One submission per student.  A file whose path names the student (the instructor's or
    the LMS's naming) beats files that only say ``student:`` with their id, which are rejected
    as not the student's; two of either kind are both rejected, on the student's row."""
    owners: dict[str, list[int]] = {}
    for index, entry in enumerate(read):
        if isinstance(entry.item, Gradable):
            owners.setdefault(entry.item.student.casefold(), []).append(index)
    for indices in owners.values():
        if len(indices) < 2:
            continue
        items = [read[i].item for i in indices]
        assert all(isinstance(item, Gradable) for item in items)
        named = [i for i in indices if read[i].by_path]
        if len(named) == 1:
            owner = read[named[0]].item
            assert isinstance(owner, Gradable)
            for i in indices:
                item = read[i].item
                if i != named[0] and isinstance(item, Gradable):
                    read[i] = _Read(_rejected(
                        item.source, item.digest,
                        f"{item.source}: the file says 'student: {item.student}', but "
                        f"{owner.student}'s submission is {owner.source} (named after them); if "
                        "this file is yours, put your own id in it"))
            continue
        names = ", ".join(item.source for item in items if isinstance(item, Gradable))
        for i in indices:
            item = read[i].item
            if isinstance(item, Gradable):
                read[i] = _Read(_rejected(
                    item.source, item.digest, f"student {item.student} has {len(indices)} "
                    f"submissions ({names}): keep one", item.student, item.matched.variant,
                    item.name), read[i].by_path)


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


def _read(source: Path, root: Path | None, exercise_set: ExerciseSet,
          students: ClassList | None, context: str) -> _Read:
    """A submission read, attributed and matched, or a rejected report that says why not (on
    its student's row when its path names them)."""
    name = _name(source, root)
    claims = path_claims(PurePosixPath(name))
    digest = hashlib.sha256(context.encode("utf-8")).hexdigest()
    try:
        data = read_bytes(source, name)
        digest = hashlib.sha256(context.encode("utf-8") + b"\0" + data).hexdigest()
        submission: Submission = parse_submission(data, name)
    except SubmissionError as problem:
        return _unreadable(name, digest, str(problem), claims, exercise_set, students)
    except Exception as problem:  # a bug here must not cost the class its run
        return _unreadable(name, digest, f"{name}: could not be read ({type(problem).__name__}); "
                                         "please report this file to matcalc's maintainers",
                           claims, exercise_set, students)
    who = attribute(name, claims, submission.student, students)
    if who.student is None:
        return _Read(_rejected(name, digest, who.failure or f"{name}: whose is this?"))
    variant, student_name = _sheet(who, exercise_set)
    if variant is None:
        return _Read(_rejected(name, digest, f"{name}: the set has no worksheet for student "
                                             f"{who.student} (the roster and the set differ)",
                               who.student, None, student_name), who.by_path)
    matched = match(submission, variant)
    if who.problems:
        matched = dataclasses.replace(matched, problems=(*who.problems, *matched.problems))
    return _Read(Gradable(name, digest, who.student, matched, student_name), who.by_path)


def _unreadable(name: str, digest: str, problem: str, claims: Sequence[Claim],
                exercise_set: ExerciseSet, students: ClassList | None) -> _Read:
    """A rejected report, on the row of the student the path names (if it names one)."""
    who = attribute(name, claims, None, students)
    variant, student_name = _sheet(who, exercise_set)
    return _Read(_rejected(name, digest, problem, who.student, variant, student_name),
                 who.by_path)


def _sheet(who: Attribution, exercise_set: ExerciseSet) -> tuple[Variant | None, str]:
    """The attributed student's variant and name."""
    if who.enrolled is not None:
        variant = who.enrolled.variant
        return variant, who.enrolled.student.name or (variant.name if variant else "")
    if who.student is not None and len(exercise_set.variants) == 1:
        return exercise_set.variants[0], exercise_set.variants[0].name
    return None, ""


def _rejected(source: str, digest: str, problem: str, student: str | None = None,
              variant: Variant | None = None, name: str = "") -> StudentReport:
    return StudentReport(source, student, name or ("" if variant is None else variant.name),
                         "rejected", (), (problem,), digest,
                         None if variant is None else variant.id)


def _previous(directory: Path, student: Gradable) -> StudentReport | None:
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


def grade_students(students: Sequence[Gradable], options: RunOptions
                   ) -> Iterator[StudentReport]:
    """Each student's report, in order, as soon as their last answer is graded.

    All answers go through one pool, or one cluster (opened only if there is an answer to
    grade), a student's answers in one batch, so a slow answer holds up only its own student's
    report.  An answer
    already checked in this run (same key, text, declarations, layout and options: the check
    is deterministic) takes the verdict it got then.
    """
    wanted = [_jobs(student, options) for student in students]
    if not any(wanted):
        yield from (_report(s, {}, options.points) for s in students)
        return
    known: dict[CheckJob, Verdict | None] = {}  # None: in a batch not yet back
    sent: deque[list[CheckJob]] = deque()

    def batches() -> Iterator[list[CheckJob]]:
        for jobs in wanted:
            fresh = []
            for job in jobs.values():
                if job not in known:
                    known[job] = None
                    fresh.append(job)
            sent.append(fresh)
            yield fresh

    with _grading(options) as pool:
        for student, jobs, verdicts in zip(students, wanted, pool.map_batches(batches()),
                                           strict=True):
            known.update(zip(sent.popleft(), verdicts, strict=True))
            results: dict[str, Verdict] = {}
            for exercise_id, job in jobs.items():
                verdict = known[job]
                assert verdict is not None  # batches come back in order
                results[exercise_id] = verdict
            yield _report(student, results, options.points)


def _grading(options: RunOptions) -> GradingPool | ClusterGrading:
    """Where the checks run: local worker processes, or a cluster's."""
    if options.cluster is None:
        return GradingPool(workers=options.jobs, caps=options.caps)
    from grader.cluster import ClusterGrading

    return ClusterGrading(options.cluster, options)


def _jobs(student: Gradable, options: RunOptions) -> dict[str, CheckJob]:
    """The checks a student's answers need, by exercise id."""
    answers = dict(student.matched.answers)
    return {exercise.id: CheckJob(exercise.answer, answer.text, exercise.given,
                                  exercise.layout,  # type: ignore[arg-type]
                                  CheckOptions(partial_credit=options.partial_credit,
                                               mistakes=exercise.mistakes,
                                               values=exercise.values))
            for exercise in student.matched.variant.exercises
            if (answer := answers[exercise.id]) is not None}


def _report(student: Gradable, verdicts: dict[str, Verdict], points: float) -> StudentReport:
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
    return StudentReport(student.source, student.student,
                         student.name or matched.variant.name, "graded", tuple(questions),
                         matched.problems, student.digest, matched.variant.id)


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
