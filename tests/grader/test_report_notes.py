"""A student's feedback shows how the answer was read, with every choice the reader made."""

from __future__ import annotations

from grader import check
from grader.report import QuestionResult, question_markdown


def test_feedback_lists_the_readings_notes() -> None:
    answer = "$\\cos 2x$."
    verdict = check("cos(2 x)", answer, "x")
    text = question_markdown(QuestionResult.graded("q1", "Q1", answer, verdict))
    assert "Read as: `cos(2 x)`" in text
    assert "Note: ignored the math delimiters $ … $" in text
    assert "Note: ignored the trailing '.'" in text
    assert "cos 2x' as cos(2 x)" in text


def test_feedback_without_choices_has_no_notes() -> None:
    verdict = check("cos(2 x)", "cos(2 x)", "x")
    text = question_markdown(QuestionResult.graded("q1", "Q1", "cos(2 x)", verdict))
    assert "Note:" not in text
