"""Whose a submission file is: from where it lies (its folder, its name, the names Canvas's and
Moodle's bulk downloads give) and from the ``student:`` line inside it.

The path is what the instructor or the LMS chose, the ``student:`` line what the student typed
(or copied from a template), so with a roster the path decides when it names a roster student,
and a ``student:`` line that disagrees is reported on that submission.  Ids and e-mails match
ignoring case.  Download names understood:

* a browser's copy of a file, ``s003 (1).txt``;
* Canvas's "Download Submissions": ``<sortable name>[_LATE]_<user id>_<file id>_<file name>``
  (and ``..._<user id>_text.html`` for text entries), matched through the roster's Canvas user
  ID;
* Moodle's "Download all submissions": a folder ``<Full Name>_<participant id>_assignsubmission_
  file[_]/`` (or, without folders, that prefix on each file name), matched through the name on
  the roster, which must belong to one student only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

from grader.exercise_set import Variant
from grader.roster import Student, name_key

_COPY = re.compile(r"^(?P<stem>.+?) ?\(\d{1,3}\)$")
_CANVAS = re.compile(r"^(?P<name>\w*?)(?:_LATE)?_(?P<user>\d+)_(?:\d+_.+|text\.html|link\.html)$")
_MOODLE_FILE = re.compile(r"^(?P<name>.+?)_\d+_assignsubmission_[a-z]+_.+$")
_MOODLE_FOLDER = re.compile(r"^(?P<name>.+)_\d+_assignsubmission_[a-z]+_?$")


@dataclass(frozen=True)
class Claim:
    """What a file's path says about whose it is."""

    kind: Literal["id", "canvas", "name"]
    value: str
    #: How the path says it, for messages ("its folder s001").
    how: str
    #: The student's id when there is no roster to look it up in.
    label: str


def without_copy_number(stem: str) -> str:
    """``s003 (1)`` → ``s003``: the name a browser gives a second download of a file."""
    match = _COPY.match(stem)
    return match.group("stem") if match else stem


def path_claims(relative: PurePosixPath) -> list[Claim]:
    """What the path of a file (below the folder given to grade) says, most specific first."""
    claims: list[Claim] = []
    name, folders = relative.name, relative.parts[:-1]
    canvas = _CANVAS.match(name)
    if canvas:
        user = canvas.group("user")
        claims.append(Claim("canvas", user, f"its Canvas download name (Canvas user {user})",
                            f"{canvas.group('name')}_{user}".lstrip("_")))
    moodle = _MOODLE_FILE.match(name)
    if moodle:
        person = moodle.group("name")
        claims.append(Claim("name", person, f"its Moodle download name ({person})", person))
    for folder in reversed(folders):
        moodle = _MOODLE_FOLDER.match(folder)
        if moodle:
            person = moodle.group("name")
            claims.append(Claim("name", person, f"its Moodle download folder ({person})",
                                person))
            break
    if folders:
        folder = without_copy_number(folders[0])
        claims.append(Claim("id", folder, f"its folder {folders[0]}", folder))
    stem = without_copy_number(PurePosixPath(name).stem)
    if stem:
        claims.append(Claim("id", stem, f"its name {name}", stem))
    return claims


@dataclass(frozen=True)
class Enrolled:
    """A roster student in a grading run, with their worksheet (``None``: the set has none)."""

    student: Student
    variant: Variant | None


class ClassList:
    """The students a run grades, looked up by id or e-mail, Canvas user ID and name."""

    def __init__(self, enrolled: Sequence[Enrolled]) -> None:
        self.enrolled = tuple(enrolled)
        self._ids: dict[str, Enrolled] = {}
        self._canvas: dict[str, Enrolled] = {}
        self._names: dict[str, list[Enrolled]] = {}
        for entry in self.enrolled:
            student = entry.student
            self._ids.setdefault(student.id.casefold(), entry)
            if student.email:
                self._ids.setdefault(student.email.casefold(), entry)
            if student.canvas_id:
                self._canvas.setdefault(student.canvas_id, entry)
            if student.name:
                self._names.setdefault(name_key(student.name), []).append(entry)

    def by_id(self, text: str) -> Enrolled | None:
        """The student with this id or e-mail, ignoring case."""
        return self._ids.get(text.strip().casefold())

    def find(self, claim: Claim) -> tuple[Enrolled | None, str | None]:
        """The student a claim names, or why none: (student, None) or (None, reason)."""
        if claim.kind == "id":
            return self.by_id(claim.value), None
        if claim.kind == "canvas":
            found = self._canvas.get(claim.value)
            if found is None:
                known = "" if self._canvas else (
                    "; the roster has no Canvas IDs: grade with --roster and the Canvas "
                    "gradebook export to match Canvas's downloads")
                return None, f"Canvas user {claim.value} is not on the roster{known}"
            return found, None
        named = self._names.get(name_key(claim.value), [])
        if len(named) == 1:
            return named[0], None
        if not named:
            return None, f"no student on the roster is named {claim.value!r}"
        ids = ", ".join(e.student.id for e in named)
        return None, (f"{len(named)} students on the roster are named {claim.value!r} ({ids}), "
                      "so the name can't tell whose this is")


@dataclass(frozen=True)
class Attribution:
    """Whose a submission is, or why that can't be told."""

    #: The student's id for reports (a roster id, or without a roster what the file says).
    student: str | None
    enrolled: Enrolled | None
    #: Told by the path (the instructor's or the LMS's naming), not only by the student's text.
    by_path: bool
    #: Disagreements that don't stop grading, for the student's report.
    problems: tuple[str, ...] = ()
    #: Why nobody could be named (then ``student`` is ``None``).
    failure: str | None = None


def attribute(source: str, claims: Sequence[Claim], line: str | None,
              class_list: ClassList | None) -> Attribution:
    """Whose the file ``source`` is, from its path's ``claims`` and its ``student:`` ``line``
    (``None`` if it has none or could not be read)."""
    if class_list is None:  # one sheet and no roster: any id will do, the file's own first
        if line:
            return Attribution(line, None, False)
        if claims:
            return Attribution(claims[0].label, None, True)
        return Attribution(None, None, False, failure=f"{source}: no student id; add a line "
                                                      "'student: YOUR-ID'")
    reasons: list[str] = []
    for claim in claims:
        found, reason = class_list.find(claim)
        if reason is not None:
            reasons.append(reason)
        if found is None:
            continue
        problems: tuple[str, ...] = ()
        said = class_list.by_id(line) if line else None
        if line and said is not found:
            whose = "not on the roster" if said is None else f"{said.student.id}'s id"
            problems = (f"the file says 'student: {_shown(line)}' ({whose}), but "
                        f"{claim.how} names {found.student.id}: it was graded as "
                        f"{found.student.id}'s",)
        return Attribution(found.student.id, found, True, problems)
    if line:
        said = class_list.by_id(line)
        if said is not None:
            return Attribution(said.student.id, said, False)
        failure = f"{source}: unknown student id {_shown(line)!r} (not on the roster)"
    else:
        failure = f"{source}: no student id; add a line 'student: YOUR-ID'"
    if reasons:
        failure += f" ({'; '.join(reasons)})"
    return Attribution(None, None, False, failure=failure)


def _shown(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."
