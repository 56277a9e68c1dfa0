"""Whose a submission is, on real folders as instructors get them: files named by hand (any
case, a browser's copies), a folder per student, a copied template naming someone else, links,
PDFs and archives, and the bulk downloads of Canvas and Moodle with the rosters those LMSs
export.  Every case is a real grading run over real files."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path, PurePosixPath

import pytest
from click.testing import CliRunner

from generator.cli import root as cli
from grader.attribution import path_claims, without_copy_number
from grader.exercise_set import ExerciseSet, Variant
from grader.grading_run import RunOptions, RunResult, find_submissions, grade_class
from grader.roster import Student, read_roster
from tests.grader.classes import class_set, one_sheet, right_answers, sheet, submission_text
from tests.grader.test_roster import CANVAS_EXPORT, MOODLE_EXPORT

OPTIONS = RunOptions(jobs=2)


def run(folder: Path, exercise_set: ExerciseSet, tmp_path: Path,
        roster: list[Student] | None = None) -> RunResult:
    return grade_class(exercise_set, find_submissions([folder]), tmp_path / "out", OPTIONS,
                       root=folder, roster=roster)


def write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)


def right(k: int, student: str | None = None) -> str:
    return submission_text(student, right_answers(k))


def row(result: RunResult, student: str) -> tuple[str, float, tuple[str, ...], tuple[str, ...]]:
    (found,) = [r for r in result.rows if r.student == student]
    return found.status, found.score, found.sources, found.problems


# --- file names ------------------------------------------------------------------------------


def test_a_file_name_in_capitals_is_its_student(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write(folder / "S012.TXT", right(14))  # s012 has k = 14
    result = run(folder, class_set(13), tmp_path)
    assert row(result, "s012") == ("graded", 3.0, ("S012.TXT",), ())


def test_a_browsers_copy_is_its_student(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write(folder / "s003 (1).txt", right(5))
    result = run(folder, class_set(4), tmp_path)
    assert row(result, "s003") == ("graded", 3.0, ("s003 (1).txt",), ())


def test_a_file_and_its_browser_copy_are_two_submissions_on_the_students_row(
        tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write(folder / "s003.txt", right(5))
    write(folder / "s003 (1).txt", right(5))
    result = run(folder, class_set(4), tmp_path)
    status, score, sources, problems = row(result, "s003")
    assert (status, score, sources) == ("rejected", 0.0, ("s003.txt", "s003 (1).txt"))
    assert problems == ("student s003 has 2 submissions (s003.txt, s003 (1).txt): keep one",)
    assert len(result.rows) == 4  # nothing else: both files are on s003's row


def test_a_copied_template_naming_another_student_harms_nobody(tmp_path: Path) -> None:
    """s001's folder holds a file saying "student: s002" (a template copied from s002); s002's
    own file is graded as s002's, and s001's as s001's, with the disagreement reported."""
    folder = tmp_path / "in"
    write(folder / "s001" / "answers.txt", right(3, "s002"))
    write(folder / "s002.txt", right(4, "s002"))
    result = run(folder, class_set(3), tmp_path)
    status, score, sources, problems = row(result, "s001")
    assert (status, score, sources) == ("graded", 3.0, ("s001/answers.txt",))
    assert problems == ("the file says 'student: s002' (s002's id), but its folder s001 names "
                        "s001: it was graded as s001's",)
    assert row(result, "s002") == ("graded", 3.0, ("s002.txt",), ())
    report = json.loads((tmp_path / "out" / "s001.json").read_text("utf-8"))
    assert report["problems"] == list(problems)  # the student is told too


def test_a_file_only_claiming_a_student_named_by_another_file_is_not_theirs(
        tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write(folder / "s001.txt", right(3))
    write(folder / "copy.txt", right(3, "s001"))
    result = run(folder, class_set(2), tmp_path)
    assert row(result, "s001") == ("graded", 3.0, ("s001.txt",), ())
    (stray,) = [r for r in result.rows if not r.on_roster]
    assert stray.sources == ("copy.txt",) and stray.status == "rejected"
    assert "copy.txt: the file says 'student: s001', but s001's submission is s001.txt" \
        in stray.problems[0]


def test_a_link_never_hides_the_file_it_points_to(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write(folder / "s001.txt", right(3))
    (folder / "a_link.txt").symlink_to(folder / "s001.txt")
    result = run(folder, class_set(2), tmp_path)
    assert row(result, "s001") == ("graded", 3.0, ("s001.txt",), ())
    (link,) = [r for r in result.rows if r.sources == ("a_link.txt",)]
    assert link.status == "rejected" and "a symbolic link" in link.problems[0]


@pytest.mark.parametrize(("name", "data", "kind"), [
    ("s001.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "a PDF file"),
    ("s001.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40), "a PNG image"),
    ("s001.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(40), "a JPEG image"),
    ("s001.docx", None, "a Word document"),
    ("s001.zip", None, "a ZIP archive"),
])
def test_a_pdf_image_or_archive_is_named_on_the_students_row(
        tmp_path: Path, name: str, data: bytes | None, kind: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    if data is None:  # a real archive, as zip and Word write them
        with zipfile.ZipFile(folder / name, "w") as archive:
            archive.writestr("answers.txt", right(3))
    else:
        write(folder / name, data)
    result = run(folder, class_set(2), tmp_path)
    status, _, sources, problems = row(result, "s001")
    assert (status, sources) == ("rejected", (name,))
    assert problems == (f"{name}: this is {kind}: submit answers.txt (plain text, one answer "
                        "per question: q1: ...) or answers.json",)


def test_a_pdf_beside_the_students_text_file_is_noted_on_their_graded_row(
        tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write(folder / "s001.txt", right(3))
    write(folder / "s001.pdf", b"%PDF-1.5\n" + bytes(100))
    result = run(folder, class_set(2), tmp_path)
    assert row(result, "s001") == ("graded", 3.0, ("s001.pdf", "s001.txt"), (
        "also submitted s001.pdf: this is a PDF file: submit answers.txt (plain text, one "
        "answer per question: q1: ...) or answers.json",))


# --- Canvas ----------------------------------------------------------------------------------


def roster_set(students: list[Student]) -> ExerciseSet:
    """A set with a variant per roster student, as matcalc generate --roster makes it."""
    variants = tuple(Variant(s.id, 1000 + i, sheet(i + 2), s.name, s.email, s.canvas_id)
                     for i, s in enumerate(students))
    return ExerciseSet(seed=1, layout="numerator", variants=variants, title="Week 3")


def test_canvas_bulk_download_names_find_students_by_canvas_user_id(tmp_path: Path) -> None:
    """Canvas's "Download Submissions" names each file
    ``<sortable name, lower case, letters only>[_LATE]_<user id>_<file id>_<file name>``
    (Canvas Instructor Guide, "How do I download all student submissions for an assignment?",
    https://community.canvaslms.com/t5/Instructor-Guide/tkb-p/Instructor; the name is built in
    ``ContentZipper#get_filename``, https://github.com/instructure/canvas-lms/blob/master/lib/
    content_zipper.rb).  The user id is the ID column of Canvas's gradebook export."""
    (tmp_path / "export.csv").write_text(CANVAS_EXPORT, "utf-8")
    students = read_roster(tmp_path / "export.csv")
    exercise_set = roster_set(students)
    folder = tmp_path / "submissions"
    write(folder / "leeann_40122_7781234_answers.txt", right(2))
    write(folder / "nguynvnan_LATE_40123_7781299_answers-1.txt", right(3, "someone"))
    write(folder / "studenttest_40999_text.html", "<html><body>q1: x</body></html>")
    write(folder / "otherperson_40555_7781300_answers.txt", right(2))
    result = run(folder, exercise_set, tmp_path)
    assert row(result, "S1001") == ("graded", 3.0, ("leeann_40122_7781234_answers.txt",), ())
    status, score, _, problems = row(result, "S1002")
    assert (status, score) == ("graded", 3.0)
    assert "the file says 'student: someone' (not on the roster), but its Canvas download " \
           "name (Canvas user 40123) names S1002" in problems[0]
    status, _, _, problems = row(result, "a7c3e9d1f0")
    assert status == "rejected" and "this is a web page (HTML)" in problems[0]
    (stranger,) = [r for r in result.rows if not r.on_roster]
    assert "Canvas user 40555 is not on the roster" in stranger.problems[0]
    book = tmp_path / "canvas.csv"
    (tmp_path / "set.json").write_text(exercise_set.dumps(), "utf-8")
    done = CliRunner().invoke(cli, ["grade", str(tmp_path / "set.json"), str(folder), "-o",
                                    str(tmp_path / "again"), "--csv", str(book),
                                    "--csv-format", "canvas"])
    assert done.exit_code == 0, done.output
    assert book.read_text("utf-8").splitlines()[2:] == [
        "\"Lee, Ann\",40122,S1001,,,3", "\"Nguyễn, Văn An\",40123,S1002,,,3",
        "\"Student, Test\",40999,a7c3e9d1f0,,,0"]


def test_canvas_downloads_without_canvas_ids_say_what_roster_to_give(tmp_path: Path) -> None:
    folder = tmp_path / "submissions"
    write(folder / "leeann_40122_7781234_answers.txt", right(2))
    result = run(folder, class_set(2), tmp_path)
    (stray,) = [r for r in result.rows if not r.on_roster]
    assert "Canvas user 40122 is not on the roster; the roster has no Canvas IDs: grade with " \
           "--roster and the Canvas gradebook export" in stray.problems[0]


# --- Moodle ----------------------------------------------------------------------------------


def test_moodle_bulk_download_folders_and_names_find_students_by_name(tmp_path: Path) -> None:
    """Moodle's "Download all submissions" puts each student's files in a folder
    ``<Full Name>_<participant id>_assignsubmission_file`` (``..._file_`` before Moodle 4),
    or, with "Download submissions in folders" off, prefixes each file name with it
    (https://docs.moodle.org/en/Assignment_settings; mod/assign's download code,
    https://github.com/moodle/moodle/blob/main/mod/assign/classes/local/downloader.php).  The
    participant id is not on any roster: the name is matched."""
    (tmp_path / "grades.csv").write_text(MOODLE_EXPORT.replace(
        "Bo,Chen,,,,bo.chen@uni.example,-,1764892800\n",
        "Bo,Chen,,,,bo.chen@uni.example,-,1764892800\n"
        "Cy,Young,20231003,,,cy@uni.example,-,1764892800\n"
        "Dee,Kay,20231004,,,dee1@uni.example,-,1764892800\n"
        "Dee,Kay,20231005,,,dee2@uni.example,-,1764892800\n"), "utf-8")
    students = read_roster(tmp_path / "grades.csv")
    exercise_set = roster_set(students)
    folder = tmp_path / "download"
    write(folder / "Ann Lee_1234567_assignsubmission_file_" / "answers.txt", right(2))
    write(folder / "Bo Chen_1234568_assignsubmission_file" / "answers.txt", right(3))
    write(folder / "Cy Young_1234569_assignsubmission_file_answers.txt", right(4))
    write(folder / "Dee Kay_1234570_assignsubmission_file" / "answers.txt", right(5))
    write(folder / "Dee Kay_1234571_assignsubmission_file" / "answers.txt",
          right(6, "20231005"))
    result = run(folder, exercise_set, tmp_path)
    assert [(r.student, r.status, r.score) for r in result.rows] == [
        ("20231001", "graded", 3.0), ("bo.chen@uni.example", "graded", 3.0),
        ("20231003", "graded", 3.0), ("20231004", "missing", 0.0),
        ("20231005", "graded", 3.0), ("", "rejected", 0.0)]
    assert "2 students on the roster are named 'Dee Kay' (20231004, 20231005), so the name " \
           "can't tell whose this is" in result.rows[-1].problems[0]


# --- the path's claims -----------------------------------------------------------------------


@pytest.mark.parametrize(("path", "claims"), [
    ("s003 (1).txt", [("id", "s003")]),
    ("s003(2).json", [("id", "s003")]),
    ("s001/answers.txt", [("id", "s001"), ("id", "answers")]),
    ("leeann_40122_7781234_answers.txt",
     [("canvas", "40122"), ("id", "leeann_40122_7781234_answers")]),
    ("leeann_LATE_40122_7781234_answers (1).txt",
     [("canvas", "40122"), ("id", "leeann_LATE_40122_7781234_answers")]),
    ("Ann Lee_1234567_assignsubmission_file_/sub/answers.txt",
     [("name", "Ann Lee"), ("id", "Ann Lee_1234567_assignsubmission_file_"),
      ("id", "answers")]),
])
def test_what_a_path_says(path: str, claims: list[tuple[str, str]]) -> None:
    assert [(c.kind, c.value) for c in path_claims(PurePosixPath(path))] == claims


def test_a_copy_number_is_only_a_browsers() -> None:
    assert without_copy_number("s003 (1)") == "s003"
    assert without_copy_number("(1)") == "(1)"
    assert without_copy_number("s003 (2026)") == "s003 (2026)"


# --- a whole class ---------------------------------------------------------------------------


def test_a_class_of_a_thousand_gives_a_thousand_rows_plus_the_unmatched(tmp_path: Path) -> None:
    """1,000 students: 10% submitted nothing, 2% a file of junk named after them, 1% a PDF;
    and three files that are nobody's.  The gradebook has the 1,000 roster rows in roster
    order, then the three."""
    students = 1000
    exercise_set = class_set(students)
    folder = tmp_path / "submissions"
    folder.mkdir()
    expected: list[str] = []
    for i in range(students):
        kind = i % 100
        if kind < 10:
            expected.append("missing")
        elif kind < 12:
            write(folder / f"s{i:03d}.txt", bytes(range(256)))
            expected.append("rejected")
        elif kind < 13:
            write(folder / f"s{i:03d}.pdf", b"%PDF-1.4\n" + bytes(200))
            expected.append("rejected")
        else:
            write(folder / f"s{i:03d}.txt", right(i + 2))
            expected.append("graded")
    write(folder / "Thumbs.db", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    write(folder / "notes.txt", "remember to submit\n")
    write(folder / "answers.txt", right(2))
    result = run(folder, exercise_set, tmp_path)
    assert len(result.rows) == students + 3
    assert [r.student for r in result.rows[:students]] == [f"s{i:03d}" for i in range(students)]
    assert [r.status for r in result.rows[:students]] == expected
    assert all(r.score == 3.0 for r in result.rows[:students] if r.status == "graded")
    assert [(r.sources, r.status, r.on_roster) for r in result.rows[students:]] == [
        (("answers.txt",), "rejected", False), (("notes.txt",), "rejected", False),
        (("Thumbs.db",), "rejected", False)]
    assert (result.graded, result.missing) == (870, 100)
    assert result.rejected == 30 + 3


def test_the_command_takes_a_roster_as_spreadsheets_save_it(tmp_path: Path) -> None:
    """``matcalc grade --roster`` on a one-sheet set: a semicolon roster with a byte-order mark
    and CRLF names the class; its rows come in its order, with the student who sent nothing."""
    (tmp_path / "set.json").write_text(one_sheet().dumps(), "utf-8")
    (tmp_path / "class.csv").write_bytes(
        "\ufeffStudent ID;Name;Email;Section\r\n"
        's0001;"Müller, Anna";anna@uni.example;A\r\n'
        "s0000;Bo Chen;bo@uni.example;B\r\n".encode())
    folder = tmp_path / "submissions"
    write(folder / "S0000.txt", right(3))
    write(folder / "anna@uni.example" / "answers.txt", right(3))
    out = tmp_path / "out"
    done = CliRunner().invoke(cli, ["grade", str(tmp_path / "set.json"), str(folder), "-o",
                                    str(out), "--roster", str(tmp_path / "class.csv"), "--json"])
    assert done.exit_code == 0, done.output
    students = json.loads(done.stdout)["students"]
    assert [(s["student"], s["name"], s["status"], s["score"]) for s in students] == [
        ("s0001", "Müller, Anna", "graded", 3.0), ("s0000", "Bo Chen", "graded", 3.0)]
    again = CliRunner().invoke(cli, ["grade", str(tmp_path / "set.json"), str(folder / "S0000.txt"),
                                     "-o", str(out), "--roster", str(tmp_path / "class.csv")])
    assert "missing s0001 (Müller, Anna): no submission" in again.output
    bad = tmp_path / "bad.csv"
    bad.write_text("Matrikel Nr;Vorname\n1;Ann\n", "utf-8")
    refused = CliRunner().invoke(cli, ["grade", str(tmp_path / "set.json"), str(folder), "-o",
                                       str(out), "--roster", str(bad)])
    assert refused.exit_code == 1
    assert "bad.csv, line 1: the first row is neither a header" in refused.output
