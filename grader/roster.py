"""Class rosters as instructors have them: a spreadsheet saved as CSV, or the roster and gradebook
exports of Canvas, Moodle and Gradescope, read as they come.

* Comma, semicolon or tab separated (whichever splits the rows into the same number of columns,
  the most of them); a byte-order mark; CRLF line ends; quoted fields (``"Lee, Ann"``); UTF-8,
  or UTF-16 with its byte-order mark (a spreadsheet's "Unicode text").
* A first row whose cells are known column names is the header, and columns are found by name in
  their common spellings (below), in any order; other columns are ignored, never refused.
  Without a header, rows are ``id,name[,email]`` and further cells are ignored.  A first row
  that is neither (a header this reader doesn't know, say) is an error asking for a header row:
  it never becomes a student.
* A student's id is the first non-empty id column (in the order below), else the e-mail.  In a
  Canvas export, *SIS User ID* is the id (Canvas's gradebook import matches on it) and Canvas's
  own *ID* is kept apart: it names the files of Canvas's "Download Submissions".
* A row that can't be a student (no id, a duplicate id or e-mail, an id with a space or a slash)
  is an error naming its line.  Ids are compared ignoring case.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.exercise_set import ExerciseSetError

#: Rosters are small; anything larger is not one (and is not read whole).
MAX_BYTES = 20 * 1024 * 1024
DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Student:
    """One roster row."""

    id: str
    name: str = ""
    email: str = ""
    #: Canvas's own user ID (the ``ID`` column of a Canvas gradebook export), which Canvas's
    #: bulk download puts in every file name; empty for other rosters.
    canvas_id: str = ""


def _key(cell: str) -> str:
    """A header cell as compared: case, spaces and punctuation ignored (``E-mail address`` is
    ``emailaddress``)."""
    return "".join(c for c in unicodedata.normalize("NFKC", cell).casefold() if c.isalnum())


#: Id columns, most specific first: the first non-empty one in a row is the student's id.
ID_COLUMNS = ("sisuserid", "studentid", "studentnumber", "studentno", "idnumber", "sid",
              "matriculationnumber", "id", "username", "login", "loginid", "sisloginid", "user")
NAME_COLUMNS = ("name", "fullname", "studentname", "displayname", "sortablename")
FIRST_COLUMNS = ("firstname", "givenname", "first", "forename")
LAST_COLUMNS = ("lastname", "surname", "familyname", "last")
EMAIL_COLUMNS = ("email", "emailaddress", "mail", "sisemail")
#: Columns of the LMS exports that are known but not used (so that their header is recognised).
OTHER_COLUMNS = ("section", "sections", "role", "group", "groups", "institution", "department",
                 "integrationid", "rootaccount", "student")
KNOWN = frozenset(ID_COLUMNS + NAME_COLUMNS + FIRST_COLUMNS + LAST_COLUMNS + EMAIL_COLUMNS
                  + OTHER_COLUMNS)
#: Canvas's gradebook export: ``Student, ID, SIS User ID, SIS Login ID, Section, ...``.
_CANVAS_MARK = "sisuserid"
#: The row under a Canvas export's header that holds each column's points, not a student.
_POINTS_POSSIBLE = "pointspossible"


def read_roster(path: Path) -> list[Student]:
    """The students of a roster file, in its order; raises :class:`ExerciseSetError`."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as problem:
        raise ExerciseSetError(f"{path}: can't read the roster ({problem.strerror})") from None
    if len(data) > MAX_BYTES:
        raise ExerciseSetError(f"{path}: over {MAX_BYTES >> 20} MB: not a roster")
    return parse_roster(decode(data, str(path)), str(path))


def decode(data: bytes, where: str) -> str:
    """UTF-16 with a byte-order mark, else UTF-8 (with or without one)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ExerciseSetError(f"{where}: not valid UTF-16 text") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        line = data[: problem.start].count(b"\n") + 1
        raise ExerciseSetError(
            f"{where}, line {line}: not UTF-8 text (byte 0x{data[problem.start]:02x}); save the "
            "roster as \"CSV UTF-8\"") from None


def parse_roster(text: str, where: str = "roster") -> list[Student]:
    """The students of a roster's text (see the module's description)."""
    rows = _rows(text, delimiter(text))
    if not rows:
        raise ExerciseSetError(f"{where}: no students")
    first = rows[0][1]
    if any(_key(cell) in KNOWN for cell in first):
        students = _with_header(first, rows[1:], where)
    else:
        students = _headerless(rows, where)
    if not students:
        raise ExerciseSetError(f"{where}: no students")
    _check_unique(students, where)
    return [student for _, student in students]


def delimiter(text: str) -> str:
    """The delimiter that splits the first rows into the same number of cells, the most of them
    (a comma inside quotes or inside a name doesn't count)."""
    sample = [line for line in text.splitlines()[:50]
              if line.strip() and not line.lstrip().startswith("#")]

    def score(candidate: str) -> tuple[int, int, int]:
        widths = [len(row) for row in csv.reader(sample, delimiter=candidate,
                                                 skipinitialspace=True)]
        if not widths:
            return (0, 0, 0)
        same = sum(width == widths[0] for width in widths)
        return (widths[0] > 1, same, widths[0])

    return max(DELIMITERS, key=score)  # ties go to the comma


def _rows(text: str, separator: str) -> list[tuple[int, list[str]]]:
    """Non-blank, non-comment rows with the line each starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator,
                        skipinitialspace=True)
    rows: list[tuple[int, list[str]]] = []
    line = 1
    for row in reader:
        cells = [cell.strip() for cell in row]
        if any(cells) and not cells[0].startswith("#"):
            rows.append((line, cells))
        line = reader.line_num + 1
    return rows


def _with_header(header: list[str], rows: Sequence[tuple[int, list[str]]], where: str
                 ) -> list[tuple[int, Student]]:
    keys = [_key(cell) for cell in header]

    def column(names: Sequence[str]) -> int | None:
        for name in names:
            if name in keys:
                return keys.index(name)
        return None

    canvas = _CANVAS_MARK in keys
    id_names = [n for n in ID_COLUMNS if not (canvas and n == "id")]
    name_names = list(NAME_COLUMNS)
    if "student" in keys:  # a name beside an id column (Canvas's "Student"), else the id
        (name_names if any(n in keys for n in id_names) else id_names).append("student")
    ids = [keys.index(n) for n in id_names if n in keys]
    email = column(EMAIL_COLUMNS)
    canvas_id = keys.index("id") if canvas and "id" in keys else None
    if not ids and email is None:
        raise ExerciseSetError(
            f"{where}, line 1: no id or e-mail column in the header ({', '.join(header)}); "
            "name one of: Student ID, SIS User ID, ID number, SID, id, username, email")
    full, first, last = column(name_names), column(FIRST_COLUMNS), column(LAST_COLUMNS)
    students: list[tuple[int, Student]] = []
    for line, cells in rows:
        if len(cells) > len(header) and any(cells[len(header):]):
            raise ExerciseSetError(
                f"{where}, line {line}: {len(cells)} cells but the header has {len(header)} "
                "(a comma or quote in a name that is not quoted?)")
        cells = cells + [""] * (len(header) - len(cells))
        if canvas and (_key(cells[full if full is not None else 0]) == _POINTS_POSSIBLE
                       or not any(cells[i] for i in [*ids, full, canvas_id] if i is not None)):
            continue  # Canvas's Points Possible row (or a posting-policy row): not a student
        name = cells[full] if full is not None else ""
        if not name and (first is not None or last is not None):
            name = " ".join(cells[i] for i in (first, last) if i is not None and cells[i])
        address = cells[email] if email is not None else ""
        lms = cells[canvas_id] if canvas_id is not None else ""
        student_id = next((cells[i] for i in ids if cells[i]), "") or address or lms
        if not student_id:
            raise ExerciseSetError(f"{where}, line {line}: no id and no e-mail for "
                                   f"{name or 'this row'}")
        students.append((line, _student(student_id, name, address, lms, line, where)))
    return students


def _headerless(rows: Sequence[tuple[int, list[str]]], where: str
                ) -> list[tuple[int, Student]]:
    students: list[tuple[int, Student]] = []
    for index, (line, cells) in enumerate(rows):
        cells = [*cells, "", ""]
        student_id, name, address = cells[0], cells[1], cells[2]
        problem = _id_problem(student_id) or (
            None if not address or "@" in address else
            f"{address!r} in the third column is not an e-mail address")
        if problem is not None:
            if index == 0:
                raise ExerciseSetError(
                    f"{where}, line {line}: the first row is neither a header this reader knows "
                    f"nor a student ({problem}); add a header row naming the columns, such as "
                    "id,name,email (known names include Student ID, SIS User ID, ID number, "
                    "SID, username, Name, First name, Last name, Email)")
            raise ExerciseSetError(f"{where}, line {line}: {problem} (rows without a header "
                                   "are id,name[,email])")
        students.append((line, Student(student_id, name, address)))
    return students


def _student(student_id: str, name: str, email: str, canvas_id: str, line: int, where: str
             ) -> Student:
    problem = _id_problem(student_id)
    if problem is not None:
        raise ExerciseSetError(f"{where}, line {line}: {problem}")
    if email and "@" not in email:
        raise ExerciseSetError(f"{where}, line {line}: {email!r} is not an e-mail address")
    return Student(student_id, name, email, canvas_id)


_UNSAFE = re.compile(r"[\s/\\\x00]")


def _id_problem(student_id: str) -> str | None:
    if not student_id:
        return "the id is empty"
    if _UNSAFE.search(student_id) or student_id in (".", ".."):
        return (f"the id {student_id!r} can't contain a space, / or \\ (is it a name in the id "
                "column?)")
    return None


def _check_unique(students: Sequence[tuple[int, Student]], where: str) -> None:
    """Ids (ignoring case), e-mails and Canvas ids each name one student."""
    for field, label in (("id", "id"), ("email", "e-mail"), ("canvas_id", "Canvas ID")):
        seen: dict[str, int] = {}
        for line, student in students:
            value = getattr(student, field).casefold()
            if not value:
                continue
            if value in seen:
                raise ExerciseSetError(f"{where}, line {line}: duplicate {label} "
                                       f"{getattr(student, field)!r} (first on line "
                                       f"{seen[value]})")
            seen[value] = line


def name_key(name: str) -> str:
    """A person's name as compared: case, punctuation and word order ignored ("Lee, Ann" and
    "ann lee" are the same name: Canvas lists surnames first, Moodle's downloads don't)."""
    words = re.findall(r"\w+", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(sorted(words))
