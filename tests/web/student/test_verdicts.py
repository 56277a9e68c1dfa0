"""What a student sees of a verdict, from the grader's real verdicts."""

from __future__ import annotations

from grader.checker import check
from web.student.verdicts import marked_grid, view, wrong_entries

GIVEN = "x, y"
KEY = "[2 x, 0; y, 3]"


def test_wrong_entries_come_from_the_verdict_alike_as_object_or_as_stored() -> None:
    verdict = check(KEY, "[2 x, 1; y, 4]", GIVEN)
    shown = view(verdict, "[2 x, 1; y, 4]", GIVEN)
    assert shown.status == "incorrect" and shown.wrong_entries == ((1, 2), (2, 2))
    assert shown.grid_latex is not None and shown.grid_latex.count(r"\boxed") == 2
    assert view(verdict.to_json(), "[2 x, 1; y, 4]", GIVEN) == shown


def test_a_verdict_stored_before_wrong_entries_were_named_is_read_from_its_feedback() -> None:
    stored = check(KEY, "[2 x, 1; y, 3]", GIVEN).to_json()
    del stored["wrong_entries"]
    assert view(stored, "[2 x, 1; y, 3]", GIVEN).wrong_entries == ((1, 2),)


def test_a_stored_verdict_shows_as_the_object_does() -> None:
    verdict = check("x^T A", "A^T x", "x[n], A[n,n]", layout="numerator")
    assert view(verdict.to_json(), "A^T x", "x[n], A[n,n]") == view(verdict, "A^T x",
                                                                     "x[n], A[n,n]")


def test_a_correct_answer_has_no_diagnosis_and_no_grid() -> None:
    shown = view(check(KEY, "[x + x, 0; y, 3]", GIVEN), "[x + x, 0; y, 3]", GIVEN)
    assert shown.correct and shown.diagnosis is None and shown.grid_latex is None


def test_an_unreadable_answer_keeps_its_caret_apart() -> None:
    shown = view(check(KEY, "[2 x, 0; y", GIVEN), "[2 x, 0; y", GIVEN)
    assert shown.status == "invalid" and shown.caret is not None and "^" in shown.caret
    assert "\n" not in shown.feedback and shown.diagnosis is None


def test_a_transpose_is_named_for_the_student() -> None:
    verdict = check("x^T A", "A^T x", "x[n], A[n,n]", layout="numerator")
    shown = view(verdict, "A^T x", "x[n], A[n,n]")
    assert shown.status == "wrong_shape" and shown.diagnosis == "transposed: the other layout"


def test_no_entries_named_means_none_boxed() -> None:
    assert wrong_entries("Incorrect.") == ()
    assert marked_grid("x + y", GIVEN, ((1, 1),)) is None
