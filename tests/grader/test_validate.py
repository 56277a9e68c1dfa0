"""``matcalc validate``: how each answer was read, what is missing or unknown, and nothing about
whether an answer is right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import root
from tests.grader.classes import class_set, right_answers, submission_text


@pytest.fixture()
def set_path(tmp_path: Path) -> Path:
    path = tmp_path / "set.json"
    path.write_text(class_set(3).dumps(), "utf-8")
    return path


def validate(set_path: Path, text: str, *args: str, name: str = "answers.txt") -> Result:
    answers = set_path.parent / name
    answers.write_text(text, "utf-8")
    return CliRunner().invoke(root, ["validate", str(set_path), str(answers), *args])


def test_every_answer_is_echoed_with_its_shape(set_path: Path) -> None:
    done = validate(set_path, submission_text("s001", right_answers(3)))
    assert done.exit_code == 0, done.output
    assert "q1:\n  read as: (A^T x + A x)^T\n" in done.output
    assert "shape:   1×n (row vector)" in done.output
    assert "latex:   \\begin{bmatrix} 2 x y & x^{2} \\end{bmatrix}" in done.output
    assert "All 3 answers can be read." in done.output


def test_nothing_is_revealed_about_correctness(set_path: Path) -> None:
    right = validate(set_path, submission_text("s001", right_answers(3)), "--json")
    wrong = validate(set_path, submission_text("s001", right_answers(9)), "--json")
    assert right.exit_code == wrong.exit_code == 0
    first, second = json.loads(right.output), json.loads(wrong.output)
    assert first.keys() == second.keys()
    for a, b in zip(first["questions"], second["questions"], strict=True):
        assert a.keys() == b.keys() and a["valid"] == b["valid"] and a["shape"] == b["shape"]
    for word in ("correct", "score", "wrong", "expected", "mistake"):
        assert word not in right.output.lower() and word not in wrong.output.lower()


def test_unreadable_missing_and_unknown_questions_exit_1(set_path: Path) -> None:
    done = validate(set_path, "student: s001\nq1: x^T (A +\nq7: x\n")
    assert done.exit_code == 1
    assert "q1:\n  unreadable:" in done.output and "^" in done.output
    assert "q2:\n  no answer: no answer" in done.output
    assert "problem: line 3: no question 'q7' (this sheet has q1, q2, q3)" in done.output


def test_the_student_comes_from_the_option_or_the_file_name(set_path: Path) -> None:
    text = submission_text(None, right_answers(3))
    assert validate(set_path, text, "--student", "s002@uni.example").exit_code == 0
    named = validate(set_path, text, name="s001.txt")
    assert named.exit_code == 0 and "student: s001 (Student 1)" in named.output
    anonymous = validate(set_path, text)
    assert anonymous.exit_code == 2
    assert "no student id; add a line 'student: YOUR-ID'" in anonymous.output


def test_a_file_that_is_not_text_is_a_usage_error(set_path: Path) -> None:
    path = set_path.parent / "a.txt"
    path.write_bytes(b"q1: \xff\n")
    done = CliRunner().invoke(root, ["validate", str(set_path), str(path)])
    assert done.exit_code == 2 and "not UTF-8 text" in done.output


def test_standard_input(set_path: Path) -> None:
    done = CliRunner().invoke(root, ["validate", str(set_path), "-", "--student", "s000"],
                              input=submission_text(None, right_answers(2)))
    assert done.exit_code == 0, done.output


def test_readings_that_may_not_be_meant_are_flagged(set_path: Path) -> None:
    text = "student: s001\nq1: $x^TA^T + x^TA$\nq2: 3 x'\nq3: [2 x y x^2]\n"
    done = validate(set_path, text)
    assert done.exit_code == 0, done.output
    assert "note:    ignored the math delimiters $ … $" in done.output
    assert "note:    read '[2 x y x^2]' as products" in done.output
    as_json = json.loads(validate(set_path, text, "--json").output)
    notes = [question["notes"] for question in as_json["questions"]]
    assert len(notes[0]) == 1 and notes[1] == [] and len(notes[2]) == 1


@pytest.mark.parametrize("name", ["S001.TXT", "s001 (1).txt", "S001@UNI.EXAMPLE.txt"])
def test_a_file_named_after_the_student_in_any_case_or_copy_finds_their_sheet(
        set_path: Path, name: str) -> None:
    done = validate(set_path, submission_text(None, right_answers(3)), name=name)
    assert done.exit_code == 0, done.output
    assert done.output.startswith("student: s001 (Student 1)\n")


def test_a_pdf_is_named_as_one(set_path: Path) -> None:
    answers = set_path.parent / "answers.pdf"
    answers.write_bytes(b"%PDF-1.7\n" + bytes(64))
    done = CliRunner().invoke(root, ["validate", str(set_path), str(answers)])
    assert done.exit_code == 2
    assert "answers.pdf: this is a PDF file: submit answers.txt" in done.output
