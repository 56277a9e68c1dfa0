"""Submission files: both formats, every kind of bad file named at its place, and matching to a
variant.  Arbitrary bytes only ever give a submission or a SubmissionError."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.submission import (
    Submission,
    SubmissionError,
    find_variant,
    match,
    parse_submission,
    read_submission,
)
from tests.grader.classes import class_set, one_sheet


def read(text: str, name: str = "answers.txt") -> Submission:
    return parse_submission(text.encode("utf-8"), name)


def test_text_format_with_comments_and_a_multi_line_matrix() -> None:
    submission = read("# my answers\nstudent: s001\nq1: x^T (A + A^T)   # the gradient\n"
                      "\nq3: [2 x y,\n     x^2]\nq2: 3 x^T\n")
    assert submission.student == "s001"
    assert [(a.question, a.text, a.line) for a in submission.answers] == [
        ("q1", "x^T (A + A^T)", 3), ("q3", "[2 x y,\n     x^2]", 5), ("q2", "3 x^T", 7)]
    assert submission.problems == ()


def test_latex_matrix_over_several_lines() -> None:
    submission = read("q3: \\begin{bmatrix} 2xy \\\\\n  x^2 \\end{bmatrix}\n")
    assert submission.answers[0].text == "\\begin{bmatrix} 2xy \\\\\n  x^2 \\end{bmatrix}"


def test_stray_text_before_the_first_answer_is_a_problem_with_its_line() -> None:
    submission = read("hello\nq1: x\n")
    assert submission.problems == ("line 1: text outside an answer (write it as q1: ...)",)
    assert [a.question for a in submission.answers] == ["q1"]


def test_two_student_ids_are_refused() -> None:
    with pytest.raises(SubmissionError, match="line 3: a second student id"):
        read("student: a\nq1: x\nstudent: b\n")


def test_json_format_and_list_of_lines() -> None:
    text = json.dumps({"student": "s002", "answers": {"q1": "x^T A", "q3": ["[2xy,", "x^2]"]}})
    submission = read(text, "answers.json")
    assert submission.student == "s002"
    assert [(a.question, a.text) for a in submission.answers] == [
        ("q1", "x^T A"), ("q3", "[2xy,\nx^2]")]


def test_json_repeated_keys_are_kept_as_duplicates() -> None:
    submission = read('{"answers": {"q1": "x", "q1": "y"}}', "a.json")
    matched = match(submission, one_sheet().variants[0])
    assert dict(matched.answers)["q1"] is None
    assert "answered more than once" in dict(matched.unanswered)["q1"]


@pytest.mark.parametrize("text, message", [
    ("{not json", "line 1: not valid JSON"),
    ('{"answers": ["q1"]}', 'expected {"student": ID'),
    ('{"student": {"a": 1}, "answers": {}}', '"student" must be a string'),
    ("[" * 100_000, "not valid JSON"),
])
def test_bad_json_is_named(text: str, message: str) -> None:
    with pytest.raises(SubmissionError, match=message.replace("{", r"\{").replace("[", r"\[")):
        read(text, "a.json")


def test_invalid_utf8_names_line_and_byte() -> None:
    with pytest.raises(SubmissionError, match=r"a.txt, line 2: not UTF-8 text \(byte 0xff\)"):
        parse_submission(b"q1: x\nq2: \xff\n", "a.txt")


def test_binary_file_is_refused() -> None:
    with pytest.raises(SubmissionError, match="control character U\\+0000"):
        parse_submission(b"q1: x\x00\x01", "a.txt")


def test_a_bom_is_allowed() -> None:
    assert parse_submission(b"\xef\xbb\xbfq1: x\n", "a.txt").answers[0].text == "x"


def test_ten_megabytes_of_junk_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_bytes(b"q1: " + b"x" * (10 << 20))
    with pytest.raises(SubmissionError, match=r"junk.txt: 10,485,764 bytes is too large"):
        read_submission(junk)


def test_matching_unknown_duplicate_and_missing_questions() -> None:
    submission = read("q1: x^T A\nQ2: 3 x^T\nq9: x\nq1: 2 x^T A\n")
    matched = match(submission, one_sheet().variants[0])
    answers = dict(matched.answers)
    assert answers["q1"] is None and answers["q3"] is None
    assert answers["q2"] is not None and answers["q2"].text == "3 x^T"  # ids ignore case
    unanswered = dict(matched.unanswered)
    assert unanswered["q1"] == ("answered more than once (line 1 and line 4): give one answer "
                                "per question")
    assert unanswered["q3"] == "no answer"
    assert matched.problems == ("line 3: no question 'q9' (this sheet has q1, q2, q3)",)


def test_variant_by_id_email_or_file_name() -> None:
    exercise_set = class_set(3)
    assert find_variant(exercise_set, "s001", "a").id == "s001"
    assert find_variant(exercise_set, "S002@UNI.example", "a").id == "s002"
    assert find_variant(exercise_set, None, "a", fallback="s000").id == "s000"
    with pytest.raises(SubmissionError, match="a: unknown student id 'zed'"):
        find_variant(exercise_set, "zed", "a")
    with pytest.raises(SubmissionError, match="no student id; add a line 'student: YOUR-ID'"):
        find_variant(exercise_set, None, "a", fallback="nobody")
    assert find_variant(one_sheet(), None, "a").id == "v1"


@given(st.binary(max_size=2000))
def test_any_bytes_give_a_submission_or_a_clear_error(data: bytes) -> None:
    for name in ("a.txt", "a.json"):
        try:
            submission = parse_submission(data, name)
        except SubmissionError as problem:
            assert str(problem).startswith(name)
        else:
            assert all(isinstance(a.text, str) for a in submission.answers)


@given(st.dictionaries(st.from_regex(r"q[1-9][0-9]?", fullmatch=True),
                       st.from_regex(r"[a-zA-Z0-9 ^+*()\[\],;'-]{1,40}", fullmatch=True)
                       .map(str.strip).filter(bool), max_size=8))
def test_answers_written_one_per_line_read_back(answers: dict[str, str]) -> None:
    text = "".join(f"{q}: {a}\n" for q, a in answers.items())
    assert {a.question: a.text for a in read(text).answers} == answers
    as_json = json.dumps({"answers": answers})
    assert {a.question: a.text for a in read(as_json, "s.json").answers} == answers


@pytest.mark.parametrize("text, message", [
    ('{"n": ' + "1" * 5001 + ', "answers": {}}', "too deep or too large"),
    ('{"student": "a", "student": "b", "answers": {}}', "'student' is given more than once"),
])
def test_crafted_json_is_refused(text: str, message: str) -> None:
    with pytest.raises(SubmissionError, match=message):
        read(text, "a.json")


def test_a_key_like_an_internal_marker_is_only_a_bad_answer() -> None:
    submission = read('{"answers": {"\\u0000repeated": 5, "q1": "x"}}', "a.json")
    assert submission.problems == ('"\x00repeated": an answer must be a string',)
    assert [a.question for a in submission.answers] == ["q1"]


def test_links_and_pipes_are_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("q1: top secret\n", "utf-8")
    link = tmp_path / "s001.txt"
    link.symlink_to(secret)
    with pytest.raises(SubmissionError, match=r"s001\.txt: a symbolic link"):
        read_submission(link)
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    with pytest.raises(SubmissionError, match=r"pipe\.txt: not a regular file"):
        read_submission(pipe)
