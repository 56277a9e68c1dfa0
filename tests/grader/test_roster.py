"""Rosters as instructors have them, read from real files: spreadsheets' CSV in its regional
dialects, and the roster and gradebook exports of Canvas, Moodle and Gradescope with their own
header rows.  Each case writes the file's bytes and reads it back with ``read_roster``."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from grader.exercise_set import ExerciseSetError
from grader.roster import KNOWN, Student, name_key, parse_roster, read_roster


def roster(tmp_path: Path, data: bytes | str, name: str = "class.csv") -> list[Student]:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return read_roster(path)


def refused(tmp_path: Path, data: bytes | str) -> str:
    with pytest.raises(ExerciseSetError) as problem:
        roster(tmp_path, data)
    return str(problem.value)


# --- spreadsheets ----------------------------------------------------------------------------


def test_a_semicolon_roster_with_bom_and_crlf(tmp_path: Path) -> None:
    """What a spreadsheet saves as "CSV UTF-8" where the comma is the decimal separator (most of
    Europe): semicolons, a byte-order mark, CRLF line ends, and a name quoted for its comma."""
    data = ("\ufeffStudent ID;Name;Email;Section\r\n"
            's0000;"Müller, Anna";anna.mueller@uni.example;A\r\n'
            "s0001;Zoë Ñúñez-O'Brien;zoe@uni.example;B\r\n").encode()
    assert roster(tmp_path, data) == [
        Student("s0000", "Müller, Anna", "anna.mueller@uni.example"),
        Student("s0001", "Zoë Ñúñez-O'Brien", "zoe@uni.example"),
    ]


def test_a_tab_separated_roster(tmp_path: Path) -> None:
    data = "id\tname\temail\ns1\tAnn Lee\tann@uni.example\ns2\tBo Chen\tbo@uni.example\n"
    assert roster(tmp_path, data) == [Student("s1", "Ann Lee", "ann@uni.example"),
                                      Student("s2", "Bo Chen", "bo@uni.example")]


def test_utf16_unicode_text_from_a_spreadsheet(tmp_path: Path) -> None:
    """A spreadsheet's "Unicode text": UTF-16 with its byte-order mark, tab-separated."""
    data = codecs.BOM_UTF16_LE + "Student ID\tName\r\ns1\tŁucja Wąs\r\n".encode("utf-16-le")
    assert roster(tmp_path, data) == [Student("s1", "Łucja Wąs")]


def test_columns_are_found_by_name_in_any_order(tmp_path: Path) -> None:
    data = "name,id,email\nAnn Lee,s1,ann@uni.example\n"
    assert roster(tmp_path, data) == [Student("s1", "Ann Lee", "ann@uni.example")]


def test_a_quoted_header_cell_with_a_comma(tmp_path: Path) -> None:
    data = '"Student, ID",Name\ns1,Ann Lee\n'
    assert roster(tmp_path, data) == [Student("s1", "Ann Lee")]


def test_extra_columns_are_ignored_not_refused(tmp_path: Path) -> None:
    data = "Student number,First name,Last name,E-mail address,Section,Tutor\n" \
           "20231234,Ann,Lee,ann@uni.example,Tue 10:00,Dr Who\n"
    assert roster(tmp_path, data) == [Student("20231234", "Ann Lee", "ann@uni.example")]


def test_a_headerless_roster_is_id_name_email(tmp_path: Path) -> None:
    data = "# class of 2026\ns1,Ann Lee,ann@uni.example\n\ns2,Bo Chen\ns3,Cy,,ignored\n"
    assert roster(tmp_path, data) == [Student("s1", "Ann Lee", "ann@uni.example"),
                                      Student("s2", "Bo Chen"), Student("s3", "Cy")]


def test_a_first_row_that_is_neither_header_nor_student_asks_for_a_header(
        tmp_path: Path) -> None:
    message = refused(tmp_path, "Matrikel Nr;Vorname;Nachname\n1234;Ann;Lee\n")
    assert "class.csv, line 1: the first row is neither a header" in message
    assert "add a header row" in message
    message = refused(tmp_path, "Kennung,Person,Gruppe\nk1,Ann,G1\n")
    assert "line 1: the first row is neither" in message and "'Gruppe'" in message


@pytest.mark.parametrize(("text", "message"), [
    ("id,name\ns1,Ann\nS1,Bob\n", "line 3: duplicate id 'S1' (first on line 2)"),
    ("id,name,email\ns1,Ann,a@x.org\ns2,Bob,A@X.org\n", "line 3: duplicate e-mail 'A@X.org'"),
    ("id,name\ns1,Ann\n,Bob\n", "line 3: no id and no e-mail for Bob"),
    ("id,name\nAnn Lee,s1\n", "line 2: the id 'Ann Lee' can't contain a space"),
    ("s1,Ann\n../etc,Mallory\n", "line 2: the id '../etc' can't contain a space, / or \\"),
    ("s1,Ann\ns2,Bo,Tuesday\n", "line 2: 'Tuesday' in the third column is not an e-mail"),
    ("id,name,email\ns1,Ann,Tuesday\n", "line 2: 'Tuesday' is not an e-mail address"),
    ("id,name\ns1,Ann,Lee\n", "line 2: 3 cells but the header has 2"),
    ("name,section\nAnn,A\n", "line 1: no id or e-mail column"),
    ("id,name\n", "no students"),
    ("", "no students"),
])
def test_a_bad_row_is_an_error_naming_its_line(tmp_path: Path, text: str, message: str) -> None:
    assert message in refused(tmp_path, text)


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    data = "id,name\ns1,Ann\ns2,M\xfcller\n".encode("latin-1")
    assert "class.csv, line 3: not UTF-8 text (byte 0xfc)" in refused(tmp_path, data)


def test_multi_line_quoted_fields_keep_line_numbers(tmp_path: Path) -> None:
    data = 'id,name\ns1,"Ann\nLee"\ns1,Bob\n'
    assert "line 4: duplicate id 's1' (first on line 2)" in refused(tmp_path, data)


# --- LMS exports -----------------------------------------------------------------------------


CANVAS_EXPORT = (
    # Canvas: Grades › Export › Export Entire Gradebook.  The columns are Student, ID, SIS User
    # ID, SIS Login ID, Section, then one per assignment; the row under the header holds each
    # assignment's "Points Possible" (Canvas Instructor Guide, "How do I export grades in the
    # Gradebook?", https://community.canvaslms.com/t5/Instructor-Guide/tkb-p/Instructor; the
    # same columns are what "How do I import grades in the Gradebook?" asks for).
    "\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,Week 3 (48213),Current Points,"
    "Final Points\r\n"
    "    Points Possible,,,,,10.00,(read only),(read only)\r\n"
    '"Lee, Ann",40122,S1001,alee,MATH 210 01,9.00,9.00,9.00\r\n'
    '"Nguyễn, Văn An",40123,S1002,vnguyen,MATH 210 01,,0.00,0.00\r\n'
    '"Student, Test",40999,,a7c3e9d1f0,MATH 210 01,,0.00,0.00\r\n'
)


def test_a_canvas_gradebook_export(tmp_path: Path) -> None:
    """SIS User ID is the id (Canvas's gradebook import matches on it), Canvas's own ID is kept
    for its downloads, the Points Possible row is not a student, and a student without an SIS
    id (Canvas's Test Student) is known by their login."""
    assert roster(tmp_path, CANVAS_EXPORT) == [
        Student("S1001", "Lee, Ann", "", "40122"),
        Student("S1002", "Nguyễn, Văn An", "", "40123"),
        Student("a7c3e9d1f0", "Student, Test", "", "40999"),
    ]


MOODLE_EXPORT = (
    # Moodle: Grades › Export › Plain text file.  The user columns are First name, Last name,
    # ID number, Institution, Department, Email address; grade items follow, then "Last
    # downloaded from this course" (https://docs.moodle.org/en/Grade_export).
    "First name,Last name,ID number,Institution,Department,Email address,"
    '"Assignment: Week 3 (Real)","Last downloaded from this course"\n'
    "Ann,Lee,20231001,,,ann.lee@uni.example,9.00,1764892800\n"
    "Bo,Chen,,,,bo.chen@uni.example,-,1764892800\n"
)


def test_a_moodle_grade_export(tmp_path: Path) -> None:
    """First and last name make the name; a student with no ID number is known by e-mail."""
    assert roster(tmp_path, MOODLE_EXPORT) == [
        Student("20231001", "Ann Lee", "ann.lee@uni.example"),
        Student("bo.chen@uni.example", "Bo Chen", "bo.chen@uni.example"),
    ]


GRADESCOPE_ROSTER = (
    # Gradescope: Roster › Add Students or Staff › CSV.  A header row is required; names as
    # one column or First Name and Last Name; Email; SID (optional); extra columns such as
    # sections ("Adding Students and Staff",
    # https://guides.gradescope.com/hc/en-us/articles/21926598776333-Adding-Students-and-Staff).
    "First Name,Last Name,Email,SID,Section\n"
    "Ann,Lee,ann.lee@uni.example,20231001,Lab 1\n"
    "Bo,Chen,bo.chen@uni.example,,Lab 2\n"
)


def test_a_gradescope_roster(tmp_path: Path) -> None:
    assert roster(tmp_path, GRADESCOPE_ROSTER) == [
        Student("20231001", "Ann Lee", "ann.lee@uni.example"),
        Student("bo.chen@uni.example", "Bo Chen", "bo.chen@uni.example"),
    ]


def test_a_gradescope_roster_with_full_names(tmp_path: Path) -> None:
    data = "Full Name,Email,SID\nAnn Lee,ann.lee@uni.example,20231001\n"
    assert roster(tmp_path, data) == [Student("20231001", "Ann Lee", "ann.lee@uni.example")]


# --- properties ------------------------------------------------------------------------------


ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,11}", fullmatch=True)
names = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=20).map(
    lambda s: " ".join(s.split())).filter(lambda s: not s.startswith("#"))
emails = st.builds(lambda user, host: f"{user}@{host}.example",
                   st.from_regex(r"[a-z][a-z0-9.]{0,8}", fullmatch=True),
                   st.from_regex(r"[a-z]{1,8}", fullmatch=True))


@given(st.lists(st.tuples(ids, names, emails), min_size=1, max_size=8,
                unique_by=(lambda r: r[0].casefold(), lambda r: r[2].casefold())),
       st.sampled_from([",", ";", "\t"]), st.sampled_from(["\n", "\r\n"]), st.booleans(),
       st.sampled_from([["Student ID", "Name", "Email"], ["email", "name", "id"], None]))
def test_any_roster_written_by_a_csv_writer_reads_back(
        rows: list[tuple[str, str, str]], separator: str, newline: str, bom: bool,
        header: list[str] | None) -> None:
    if header is None:  # without a header, a name holding a delimiter unquoted is ambiguous,
        # and a first row of known column names is a header
        assume(not any(c in name for _, name, _ in rows for c in ",;\t"))
        assume(not any("".join(filter(str.isalnum, cell.casefold())) in KNOWN
                       for cell in rows[0]))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator=newline)
    order = [0, 1, 2]
    if header is not None:
        order = [{"studentid": 0, "id": 0, "name": 1, "email": 2}[h.replace(" ", "").lower()]
                 for h in header]
        writer.writerow(header)
    for row in rows:
        writer.writerow([row[i] for i in order])
    text = ("\ufeff" if bom else "") + out.getvalue()
    students = parse_roster(text.encode("utf-8").decode("utf-8-sig"))
    assert students == [Student(i, n, e) for i, n, e in rows]


def test_names_compare_ignoring_order_case_and_punctuation() -> None:
    assert name_key("Lee, Ann") == name_key("ann  LEE") == name_key("Ann Lee")
    assert name_key("Ann Lee") != name_key("Ann Leer")
