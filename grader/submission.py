"""Student submission files, read without trusting them, and matched to a variant of a set.

Two formats (README, "Submitting answers"):

* plain text, one answer per question, ``q1: x^T (A + A^T)``; ``#`` starts a comment; a line
  that does not start with ``id:`` continues the answer above it (for multi-line matrices);
  ``student: ID`` names the student;
* JSON, ``{"student": ID, "answers": {"q1": "..."}}`` (an answer may be a list of lines).

A file that can't be read at all (not UTF-8, too large, binary, malformed JSON) raises
:class:`SubmissionError`, naming the place.  Everything else (unknown or repeated question ids,
stray lines, unanswered questions) is recorded with the submission so that grading goes on and
the student is told.
"""

from __future__ import annotations

import json
import os
import re
import stat
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from grader.errors import MatcalcError
from grader.exercise_set import Exercise, ExerciseSet, Variant

#: A class's submissions are read whole; no honest one comes near this (10 answers of the
#: language's 2,000-character maximum are 20 kB).
MAX_BYTES = 256 * 1024
#: Answers per file beyond which it is junk, not a submission.
MAX_ANSWERS = 500

_KEY = re.compile(r"^\s*([A-Za-z][\w.-]{0,63})\s*:(.*)$")
_STUDENT_KEYS = frozenset({"student", "id", "student_id"})


class SubmissionError(MatcalcError):
    """A submission that can't be read or matched to a student; the message names the place."""


@dataclass(frozen=True)
class Answer:
    question: str  # the id as the student wrote it
    text: str
    line: int  # where the answer starts (1-based; 0 in JSON)

    def place(self) -> str:
        return f"line {self.line}" if self.line else f'"{self.question}"'


@dataclass(frozen=True)
class Submission:
    source: str  # file name, for messages
    student: str | None
    answers: tuple[Answer, ...]
    #: Things the student should fix that don't stop grading (stray lines).
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Matched:
    """A submission assigned to its variant: one answer per exercise (or why there is none)."""

    variant: Variant
    #: Per exercise id: the answer to grade, or ``None`` (see ``unanswered``).
    answers: tuple[tuple[str, Answer | None], ...]
    #: Per exercise id without a gradable answer: ``"missing"`` or ``"duplicate"`` with lines.
    unanswered: tuple[tuple[str, str], ...]
    problems: tuple[str, ...]


#: What students upload instead of their answers, by the bytes a file starts with.
_NOT_TEXT = (
    (b"%PDF-", "a PDF file"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a Word or Excel document"),
    (b"{\\rtf", "an RTF document"),
)
#: Documents that are ZIP archives inside, named by their extension.
_ZIPPED_DOCUMENTS = {".docx": "a Word document", ".xlsx": "an Excel workbook",
                     ".pptx": "a PowerPoint file", ".odt": "an OpenDocument text",
                     ".ods": "an OpenDocument spreadsheet", ".pages": "a Pages document",
                     ".ipynb": "a Jupyter notebook"}


def not_text(data: bytes, source: str) -> str | None:
    """What a file is when it is not a text of answers (a PDF, an image, an archive), or
    ``None``."""
    head = data[:16]
    for magic, kind in _NOT_TEXT:
        if head.startswith(magic):
            if kind == "a ZIP archive":
                return _ZIPPED_DOCUMENTS.get(PurePosixPath(source).suffix.lower(), kind)
            return kind
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1") or (
            head.startswith(b"RIFF") and head[8:12] == b"WEBP"):
        return "an image"
    if data.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        return "a web page (HTML)"
    return None


def decode(data: bytes, source: str) -> str:
    """Strict UTF-8 (with or without a BOM), refusing binary files and oversized ones."""
    if len(data) > MAX_BYTES:
        raise SubmissionError(f"{source}: {len(data):,} bytes is too large for a submission "
                              f"(at most {MAX_BYTES // 1024} KB)")
    kind = not_text(data, source)
    if kind is not None:
        raise SubmissionError(f"{source}: this is {kind}: submit answers.txt (plain text, one "
                              "answer per question: q1: ...) or answers.json")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        line = data[: problem.start].count(b"\n") + 1
        raise SubmissionError(f"{source}, line {line}: not UTF-8 text (byte 0x"
                              f"{data[problem.start]:02x}); save the file as UTF-8") from None
    for number, line_text in enumerate(text.splitlines(), start=1):
        bad = next((c for c in line_text
                    if unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\r\n"), None)
        if bad is not None:
            raise SubmissionError(f"{source}, line {number}: control character U+{ord(bad):04X}"
                                  " (is this a text file?)")
    return text


def read_bytes(path: Path, name: str | None = None) -> bytes:
    """A submission file's bytes, refusing (without reading them all) files over the cap."""
    name = name or path.name
    if path.is_symlink():  # it could point anywhere: an archive a student made, say
        raise SubmissionError(f"{name}: a symbolic link, not a file; it was not read")
    try:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        with os.fdopen(os.open(path, flags), "rb") as handle:
            status = os.fstat(handle.fileno())
            if not stat.S_ISREG(status.st_mode):  # a pipe or a device would never end
                raise SubmissionError(f"{name}: not a regular file; it was not read")
            data = handle.read(MAX_BYTES + 1)  # never more: the size comes from the file
            size = status.st_size
    except OSError as problem:
        raise SubmissionError(f"{name}: can't read it ({problem.strerror})") from None
    if len(data) > MAX_BYTES:
        raise SubmissionError(f"{name}: {max(size, len(data)):,} bytes is too large for a "
                              f"submission (at most {MAX_BYTES // 1024} KB)")
    return data


def read_submission(path: Path) -> Submission:
    """Read a ``.json`` or plain-text submission file."""
    return parse_submission(read_bytes(path), path.name)


def parse_submission(data: bytes, source: str) -> Submission:
    text = decode(data, source)
    if source.lower().endswith(".json") or text.lstrip().startswith("{"):
        return _parse_json(text, source)
    return _parse_text(text, source)


def _parse_text(text: str, source: str) -> Submission:
    student: str | None = None
    answers: list[Answer] = []
    problems: list[str] = []
    current: tuple[str, list[str], int] | None = None

    def finish() -> None:
        if current is not None:
            answers.append(Answer(current[0], "\n".join(current[1]).strip(), current[2]))

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        match = _KEY.match(line)
        if match and match.group(1).lower() in _STUDENT_KEYS:
            finish()
            current = None
            value = match.group(2).strip()
            if student is not None and value != student:
                raise SubmissionError(f"{source}, line {number}: a second student id "
                                      f"({value!r} after {student!r})")
            student = value or None
        elif match:
            finish()
            current = (match.group(1), [match.group(2)], number)
        elif current is not None:
            current[1].append(line)
        else:
            problems.append(f"line {number}: text outside an answer (write it as q1: ...)")
        if len(answers) > MAX_ANSWERS:
            raise SubmissionError(f"{source}: more than {MAX_ANSWERS} answers")
    finish()
    return Submission(source, student, tuple(answers), tuple(problems))


class _Object(dict[str, Any]):
    """A JSON object that remembers its repeated keys (a plain dict keeps only the last)."""

    repeated: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    record = _Object(pairs)
    if len(record) < len(pairs):
        record.repeated = tuple(k for k, count in Counter(k for k, _ in pairs).items()
                                if count > 1)
    return record


def _parse_json(text: str, source: str) -> Submission:
    try:
        record = json.loads(text, object_pairs_hook=_object)
    except json.JSONDecodeError as problem:
        raise SubmissionError(f"{source}, line {problem.lineno}: not valid JSON") from None
    except (ValueError, RecursionError):  # numbers of over 4,300 digits, nesting too deep
        raise SubmissionError(f"{source}: not valid JSON (too deep or too large)") from None
    if not isinstance(record, _Object) or not isinstance(record.get("answers"), _Object):
        raise SubmissionError(f'{source}: expected {{"student": ID, "answers": {{"q1": ...}}}}')
    if record.repeated:
        raise SubmissionError(f"{source}: {record.repeated[0]!r} is given more than once")
    student = record.get("student")
    if student is not None and not isinstance(student, (str, int)):
        raise SubmissionError(f'{source}: "student" must be a string')
    answers: list[Answer] = []
    problems: list[str] = []
    given: _Object = record["answers"]
    for repeated in given.repeated:  # a second answer: reported as a duplicate
        answers.append(Answer(repeated, "", 0))
    for question, value in given.items():
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = "\n".join(value)
        if not isinstance(value, str):
            problems.append(f'"{question}": an answer must be a string')
            continue
        answers.append(Answer(question, value.strip(), 0))
    if len(answers) > MAX_ANSWERS:
        raise SubmissionError(f"{source}: more than {MAX_ANSWERS} answers")
    return Submission(source, None if student is None else str(student).strip() or None,
                      tuple(answers), tuple(problems))


def find_variant(exercise_set: ExerciseSet, student: str | None, source: str,
                 fallback: str | None = None) -> Variant:
    """The variant for a student id (or e-mail), matched exactly and then ignoring case.

    A set with one variant serves every student.  Without an id, ``fallback`` (a file name
    stem) is tried as one, ignoring case; anything else is an error saying how to name the
    student.
    """
    variants = exercise_set.variants
    if len(variants) == 1:  # one sheet for everyone: any student id is welcome
        return variants[0]
    if student is None:
        if fallback is not None:
            for variant in variants:
                if fallback.casefold() in (variant.id.casefold(), variant.email.casefold()):
                    return variant
        raise SubmissionError(f"{source}: no student id; add a line 'student: YOUR-ID'")
    for variant in variants:
        if variant.id == student:
            return variant
    folded = student.casefold()
    matches = [v for v in variants
               if v.id.casefold() == folded or (v.email and v.email.casefold() == folded)]
    if len(matches) == 1:
        return matches[0]
    shown = student if len(student) <= 60 else student[:57] + "..."
    raise SubmissionError(f"{source}: unknown student id {shown!r} (not on this set's roster)")


def match(submission: Submission, variant: Variant) -> Matched:
    """Pair each exercise of the variant with its answer; name what doesn't fit."""
    by_id = {e.id: e for e in variant.exercises}
    folded = {e.id.casefold(): e.id for e in variant.exercises}
    found: dict[str, list[Answer]] = {}
    problems = list(submission.problems)
    for answer in submission.answers:
        exercise_id = answer.question if answer.question in by_id else folded.get(
            answer.question.casefold())
        if exercise_id is None:
            known = ", ".join(by_id)
            problems.append(f"{answer.place()}: no question {answer.question!r} "
                            f"(this sheet has {known})")
            continue
        found.setdefault(exercise_id, []).append(answer)
    answers: list[tuple[str, Answer | None]] = []
    unanswered: list[tuple[str, str]] = []
    for exercise in variant.exercises:
        given = found.get(exercise.id, [])
        if len(given) == 1 and given[0].text:
            answers.append((exercise.id, given[0]))
            continue
        answers.append((exercise.id, None))
        if len(given) > 1:
            places = " and ".join(a.place() for a in given if a.line) or "more than once"
            unanswered.append((exercise.id, f"answered more than once ({places}): give one "
                                            "answer per question"))
        else:
            unanswered.append((exercise.id, "no answer"))
    return Matched(variant, tuple(answers), tuple(unanswered), tuple(problems))


def describe(exercise: Exercise) -> str:
    """A short title for a question: what is asked, of what, with respect to what."""
    shape = "×".join(exercise.shape)
    return f"{exercise.id}: {exercise.kind} with respect to {exercise.wrt} ({shape})"
