"""Gradebook CSVs in each LMS's import columns, built from real grading runs: a row per roster
student in roster order (graded, rejected or missing), then the submissions of nobody on it."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import root
from grader.gradebook import FORMATS, Row, gradebook_csv
from grader.grading_run import RunOptions, find_submissions, grade_class
from grader.roster import Student
from tests.grader.classes import class_set, one_sheet, right_answers, submission_text


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> tuple[Row, ...]:
    """A class of five: s000 right, s001 partly right, s002 one answer, s003's file unreadable
    (named after them), s004 nothing; and an unreadable file that names nobody."""
    folder = tmp_path_factory.mktemp("class")
    answers = [right_answers(2), right_answers(3) | {"q1": "2 x^T A"}, {"q1": "x^T A"}]
    for i, given in enumerate(answers):
        (folder / f"{i}.txt").write_text(submission_text(f"s{i:03d}", given), "utf-8")
    (folder / "s003.txt").write_bytes(b"\xff")
    (folder / "bad.txt").write_bytes(b"\xff")
    result = grade_class(class_set(5), find_submissions([folder]), folder / "out",
                         RunOptions(jobs=1))
    assert (result.graded, result.rejected, result.missing) == (3, 2, 1)
    return result.rows


def table(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_plain_has_a_row_per_roster_student_then_the_rest(rows: tuple[Row, ...]) -> None:
    lines = table(gradebook_csv(rows, class_set(5), "plain"))
    assert lines[0] == ["student", "name", "submission", "q1", "q2", "q3", "total", "max_score",
                        "status", "problems"]
    assert [line[:3] for line in lines[1:]] == [
        ["s000", "Student 0", "0.txt"], ["s001", "Student 1", "1.txt"],
        ["s002", "Student 2", "2.txt"], ["s003", "Student 3", "s003.txt"],
        ["s004", "Student 4", ""], ["", "", "bad.txt"]]
    assert lines[2][3:9] == ["0", "1", "1", "2", "3", "graded"]
    assert lines[4][6:9] == ["0", "3", "rejected"] and "not UTF-8" in lines[4][9]
    assert lines[5][3:10] == ["", "", "", "0", "3", "missing", ""]
    assert lines[6][8] == "rejected" and "bad.txt, line 1: not UTF-8" in lines[6][9]


def test_canvas_holds_every_roster_student(rows: tuple[Row, ...]) -> None:
    lines = table(gradebook_csv(rows, class_set(5), "canvas"))
    assert lines[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                        "Test class (matcalc)"]
    assert lines[1] == ["Points Possible", "", "", "", "", "3"]
    assert lines[2:] == [["Student 0", "", "s000", "s000@uni.example", "", "3"],
                         ["Student 1", "", "s001", "s001@uni.example", "", "2"],
                         ["Student 2", "", "s002", "s002@uni.example", "", "0"],
                         ["Student 3", "", "s003", "s003@uni.example", "", "0"],
                         ["Student 4", "", "s004", "s004@uni.example", "", "0"]]


def test_moodle_holds_every_roster_student_with_feedback(rows: tuple[Row, ...]) -> None:
    lines = table(gradebook_csv(rows, class_set(5), "moodle"))
    assert lines[0] == ["ID number", "Email address", "Full name", "Test class", "Feedback"]
    assert lines[2] == ["s001", "s001@uni.example", "Student 1", "2", "2 / 3: 2 of 3 right"]
    assert lines[4][:4] == ["s003", "s003@uni.example", "Student 3", "0"]
    assert lines[4][4].startswith("Not graded: s003.txt, line 1: not UTF-8")
    assert lines[5] == ["s004", "s004@uni.example", "Student 4", "0", "No submission"]
    assert len(lines) == 6  # the file that names nobody is not a student


def test_cells_that_look_like_formulas_are_quoted(rows: tuple[Row, ...]) -> None:
    hostile = dataclasses.replace(rows[0], name="=HYPERLINK(\"http://x\")")
    for csv_format in FORMATS:
        text = gradebook_csv([hostile], class_set(3), csv_format)
        assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_a_one_sheet_class_uses_ids_that_are_emails(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(submission_text("ann@uni.example", right_answers(3)),
                                    "utf-8")
    result = grade_class(one_sheet(), [tmp_path / "a.txt"], tmp_path / "out", RunOptions(jobs=1))
    lines = table(gradebook_csv(result.rows, one_sheet(), "moodle"))
    assert lines[1][:2] == ["ann@uni.example", "ann@uni.example"]


def test_without_a_roster_rows_follow_the_files_in_natural_order(tmp_path: Path) -> None:
    for name in ("hw_103.txt", "hw_11.txt", "hw_2.txt"):
        (tmp_path / name).write_text(submission_text(None, right_answers(3)), "utf-8")
    result = grade_class(one_sheet(), find_submissions([tmp_path]), tmp_path / "out",
                         RunOptions(jobs=1))
    assert [row.student for row in result.rows] == ["hw_2", "hw_11", "hw_103"]


def test_a_roster_for_a_one_sheet_class_orders_rows_and_finds_the_missing(
        tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ann.txt").write_text(submission_text(None, right_answers(3)), "utf-8")
    (folder / "zed.txt").write_text(submission_text(None, right_answers(3)), "utf-8")
    roster = [Student("cy", "Cy Young"), Student("ann", "Ann Lee", "ann@uni.example")]
    result = grade_class(one_sheet(), find_submissions([folder]), tmp_path / "out",
                         RunOptions(jobs=1), roster=roster)
    assert [(r.student, r.name, r.status, r.score, r.on_roster) for r in result.rows] == [
        ("cy", "Cy Young", "missing", 0.0, True), ("ann", "Ann Lee", "graded", 3.0, True),
        ("", "", "rejected", 0.0, False)]
    assert "zed.txt: no student id" in result.rows[2].problems[0]


def test_the_command_writes_the_format_asked_for(tmp_path: Path) -> None:
    (tmp_path / "set.json").write_text(class_set(2).dumps(), "utf-8")
    (tmp_path / "s000.txt").write_text(submission_text(None, right_answers(2)), "utf-8")
    book = tmp_path / "canvas.csv"
    done = CliRunner().invoke(root, ["grade", str(tmp_path / "set.json"),
                                     str(tmp_path / "s000.txt"), "-o", str(tmp_path / "out"),
                                     "--csv", str(book), "--csv-format", "canvas"])
    assert done.exit_code == 0, done.output
    assert "missing s001 (Student 1): no submission" in done.output
    assert table(book.read_text("utf-8"))[2:] == [
        ["Student 0", "", "s000", "s000@uni.example", "", "3"],
        ["Student 1", "", "s001", "s001@uni.example", "", "0"]]


def test_a_set_beside_the_submissions_is_not_one(tmp_path: Path) -> None:
    (tmp_path / "set.json").write_text(class_set(2).dumps(), "utf-8")
    (tmp_path / "s000.txt").write_text(submission_text(None, right_answers(2)), "utf-8")
    done = CliRunner().invoke(root, ["grade", str(tmp_path / "set.json"), str(tmp_path),
                                     "-o", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    assert "graded 1, reused 0 from an earlier run, rejected 0, missing 1" in done.output


def test_without_a_roster_the_lms_formats_hold_the_students_graded(tmp_path: Path) -> None:
    """An id taken from the name of a file that could not be read is a guess: without a roster
    it goes in the plain gradebook only."""
    (tmp_path / "ann.txt").write_text(submission_text(None, right_answers(3)), "utf-8")
    (tmp_path / "s0006.txt").write_bytes(b"\xff")
    result = grade_class(one_sheet(), find_submissions([tmp_path]), tmp_path / "out",
                         RunOptions(jobs=1))
    assert [(r.student, r.status) for r in result.rows] == [("ann", "graded"),
                                                          ("s0006", "rejected")]
    assert [line[2] for line in table(gradebook_csv(result.rows, one_sheet(), "canvas"))[2:]] \
        == ["ann"]
