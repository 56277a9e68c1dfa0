"""Gradebook CSVs in each LMS's import columns, built from real grading runs."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import root
from grader.gradebook import FORMATS, gradebook_csv
from grader.grading_run import RunOptions, find_submissions, grade_class
from grader.report import StudentReport
from tests.grader.classes import class_set, one_sheet, right_answers, submission_text


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[StudentReport, ...]:
    folder = tmp_path_factory.mktemp("class")
    answers = [right_answers(2), right_answers(3) | {"q1": "2 x^T A"}, {"q1": "x^T A"}]
    for i, given in enumerate(answers):
        (folder / f"{i}.txt").write_text(submission_text(f"s{i:03d}", given), "utf-8")
    (folder / "bad.txt").write_bytes(b"\xff")
    result = grade_class(class_set(3), find_submissions([folder]), folder / "out",
                         RunOptions(jobs=1))
    return result.reports


def table(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_plain_has_a_column_per_question_and_every_submission(
        reports: tuple[StudentReport, ...]) -> None:
    rows = table(gradebook_csv(reports, class_set(3), "plain"))
    assert rows[0][:6] == ["student", "name", "submission", "q1", "q2", "q3"]
    assert [r[0] for r in rows[1:]] == ["s000", "s001", "s002", ""]
    assert rows[2][3:8] == ["0", "1", "1", "2", "3"]
    assert rows[4][8] == "rejected" and "not UTF-8" in rows[4][9]


def test_canvas_columns_points_possible_and_roster_logins(
        reports: tuple[StudentReport, ...]) -> None:
    rows = table(gradebook_csv(reports, class_set(3), "canvas"))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                       "Test class (matcalc)"]
    assert rows[1] == ["Points Possible", "", "", "", "", "3"]
    assert rows[2:] == [["Student 0", "", "s000", "s000@uni.example", "", "3"],
                        ["Student 1", "", "s001", "s001@uni.example", "", "2"],
                        ["Student 2", "", "s002", "s002@uni.example", "", "0"]]


def test_moodle_columns_with_feedback(reports: tuple[StudentReport, ...]) -> None:
    rows = table(gradebook_csv(reports, class_set(3), "moodle"))
    assert rows[0] == ["ID number", "Email address", "Full name", "Test class", "Feedback"]
    assert rows[2] == ["s001", "s001@uni.example", "Student 1", "2", "2 / 3: 2 of 3 right"]
    assert len(rows) == 4  # the unreadable file is not a student


def test_cells_that_look_like_formulas_are_quoted(reports: tuple[StudentReport, ...]) -> None:
    hostile = dataclasses.replace(reports[0], name="=HYPERLINK(\"http://x\")")
    for csv_format in FORMATS:
        text = gradebook_csv([hostile], class_set(3), csv_format)
        assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_a_one_sheet_class_uses_ids_that_are_emails(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(submission_text("ann@uni.example", right_answers(3)),
                                    "utf-8")
    result = grade_class(one_sheet(), [tmp_path / "a.txt"], tmp_path / "out", RunOptions(jobs=1))
    rows = table(gradebook_csv(result.reports, one_sheet(), "moodle"))
    assert rows[1][:2] == ["ann@uni.example", "ann@uni.example"]


def test_the_command_writes_the_format_asked_for(tmp_path: Path) -> None:
    (tmp_path / "set.json").write_text(class_set(2).dumps(), "utf-8")
    (tmp_path / "s000.txt").write_text(submission_text(None, right_answers(2)), "utf-8")
    book = tmp_path / "canvas.csv"
    done = CliRunner().invoke(root, ["grade", str(tmp_path / "set.json"),
                                     str(tmp_path / "s000.txt"), "-o", str(tmp_path / "out"),
                                     "--csv", str(book), "--csv-format", "canvas"])
    assert done.exit_code == 0, done.output
    assert table(book.read_text("utf-8"))[2] == ["Student 0", "", "s000", "s000@uni.example",
                                                 "", "3"]


def test_a_set_beside_the_submissions_is_not_one(tmp_path: Path) -> None:
    (tmp_path / "set.json").write_text(class_set(2).dumps(), "utf-8")
    (tmp_path / "s000.txt").write_text(submission_text(None, right_answers(2)), "utf-8")
    done = CliRunner().invoke(root, ["grade", str(tmp_path / "set.json"), str(tmp_path),
                                     "-o", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    assert "graded 1, reused 0 from an earlier run, rejected 0" in done.output
