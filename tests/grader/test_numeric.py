"""Numeric exercises: answers judged at the stated values, exact numbers and decimals within the
stated tolerance, expressions evaluated there, and the values carried through a grading run and
``matcalc check``."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.cli import root
from generator.sets import SetOptions, make_set
from grader.checker import check
from grader.errors import ParseError
from grader.evaluation import evaluate
from grader.exercise_set import ExerciseSet, ExerciseSetError, Variant
from grader.grading_run import RunOptions, check_keys, find_submissions, grade_class
from grader.language.parser import parse, parse_declarations
from grader.numeric import (
    NUMERIC_RELATIVE_TOLERANCE,
    margin,
    stated_point,
    tolerance_percent,
    tolerance_text,
)
from grader.verdict import CheckOptions
from tests.grader.classes import exercise, submission_text

#: A 2×2 matrix and the value of det(X) X^-1 there, worked out by the adjugate formula
#: [d, -b; -c, a] of [a, b; c, d] (not by the grader's inverse).
X = ((-9, -2), (1, -14))
ADJUGATE = ((X[1][1], -X[0][1]), (-X[1][0], X[0][0]))
GIVEN = "X[2,2]"
VALUES = (("X", "[-9, -2; 1, -14]"),)
KEY = "[" + "; ".join(", ".join(str(v) for v in row) for row in ADJUGATE) + "]"
AT_X = CheckOptions(values=VALUES)
SCALAR = CheckOptions(values=(("a", "1"),))


def numeric(answer: str, key: str = KEY, given: str = GIVEN,
            options: CheckOptions = AT_X) -> tuple[str, str | None, str]:
    verdict = check(key, answer, given, options=options)
    return verdict.status, verdict.note, verdict.feedback


# --- expressions are evaluated at the stated values ------------------------------------------


@pytest.mark.parametrize("answer", [
    "det(X) X^-1", "det(X) inv(X)", "X^-1 det(X)", KEY, "[-14, 2; -1, -9]",
    "[-14.0000, 2.0; -1, -9.00001]",
])
def test_an_expression_or_the_numbers_at_the_stated_values_is_right(answer: str) -> None:
    assert numeric(answer)[0] == "correct"


def test_without_the_values_an_expression_is_not_the_numbers() -> None:
    assert check(KEY, "det(X) X^-1", GIVEN).status == "incorrect"


@pytest.mark.parametrize(("answer", "note", "words"), [
    ("-det(X) X^-1", "sign", "wrong sign"),
    ("det(X) X^-T", "transpose", "transpose"),
    ("3 det(X) X^-1", "scalar_multiple", "3 times"),
    ("[-14, 2; -1, 9]", "wrong_entries", "entry at (2, 2) is wrong"),
    ("inv(X - X)", "domain", "undefined at the stated values, where X - X is singular"),
])
def test_a_wrong_answer_at_the_stated_values_is_diagnosed(answer: str, note: str,
                                                          words: str) -> None:
    status, found, feedback = numeric(answer)
    assert (status, found) == ("incorrect", note), feedback
    assert words in feedback


def test_the_method_says_how() -> None:
    verdict = check(KEY, "det(X) X^-1", GIVEN, options=AT_X)
    assert verdict.method == ("evaluated at the stated values exactly; each entry right when "
                              "within 0.01% of the exact value")


def test_a_transcendental_answer_is_evaluated_in_balls() -> None:
    options = CheckOptions(values=(("a", "1"),))
    assert check("exp(a)", "2.71828", "a", options=options).status == "correct"
    assert check("exp(a)", "exp(1)", "a", options=options).status == "correct"
    assert check("exp(a)", "2.71", "a", options=options).status == "incorrect"


# --- exact fractions and decimals -------------------------------------------------------------


@pytest.mark.parametrize(("answer", "status"), [
    ("262/3", "correct"), ("87 + 1/3", "correct"), ("87.33333333", "correct"),
    ("87.333", "correct"), ("87.33", "correct"),  # 0.0038% off
    ("87.3", "incorrect"), ("87", "incorrect"), ("-87.333", "incorrect"),
])
def test_fractions_exactly_decimals_within_the_tolerance(answer: str, status: str) -> None:
    assert numeric(answer, "262/3", "a", SCALAR)[0] == status


def test_one_number_is_never_called_a_multiple_of_another() -> None:
    assert numeric("87.3", "262/3", "a", SCALAR)[1] is None
    assert numeric("-262/3", "262/3", "a", SCALAR)[1] == "sign"


def test_a_zero_entry_must_be_zero() -> None:
    status, note, feedback = numeric("[87.333, 0.00001]", "[262/3, 0]", "a", SCALAR)
    assert (status, note) == ("incorrect", "wrong_entries")
    assert "entry at (1, 2) is wrong" in feedback
    assert numeric("[87.333, 0.0]", "[262/3, 0]", "a", SCALAR)[0] == "correct"


def test_a_whole_number_never_accepts_its_neighbour() -> None:
    assert numeric("20001", "20000", "a", SCALAR)[0] == "incorrect"
    assert numeric("20000.4", "20000", "a", SCALAR)[0] == "correct"
    assert margin(Fraction(20000)) == Fraction(49, 100) < NUMERIC_RELATIVE_TOLERANCE * 20000


@settings(max_examples=60, deadline=None)
@given(st.fractions(min_value=-1000, max_value=1000, max_denominator=1000)
       .filter(lambda v: v != 0))
def test_five_significant_figures_pass_and_a_larger_error_fails(value: Fraction) -> None:
    key = f"{value.numerator}/{value.denominator}"
    five = format(Decimal(f"{float(value):.4e}"), "f")  # 5 significant figures: 87.333
    assert check(key, five, "a", options=SCALAR).status == "correct"
    off = value * (1 + 3 * NUMERIC_RELATIVE_TOLERANCE)
    assert check(key, f"{off.numerator}/{off.denominator}", "a",
                 options=SCALAR).status == "incorrect"
    assert check(key, "0", "a", options=SCALAR).status == "incorrect"


def test_the_tolerance_is_stated_in_words() -> None:
    assert tolerance_percent() == "0.01%"
    assert "0.01% of its exact value" in tolerance_text() and "262/3" in tolerance_text()


# --- the stated values --------------------------------------------------------------------------


@pytest.mark.parametrize(("values", "message"), [
    ((("Y", "[1, 2; 3, 4]"),), "names nothing declared"),
    ((("X", "[1, 2, 3]"),), "is 1×3, but X is declared 2×2"),
    ((("X", "[1, 2; 3"),), "can't be read"),
    ((), "no value is stated for y"),
])
def test_bad_stated_values_are_the_authors_error(values: tuple[tuple[str, str], ...],
                                                 message: str) -> None:
    if not values:
        values = (("X", "[1, 2; 3, 4]"),)
        given = "X[2,2], y"
    else:
        given = GIVEN
    with pytest.raises(ParseError, match=message.replace("(", r"\(")):
        stated_point(values, parse_declarations(given))


def test_stated_values_need_concrete_sizes() -> None:
    with pytest.raises(ParseError, match=r"declare concrete sizes \(x\[3,1\]\)"):
        stated_point((("x", "[1; 2; 3]"),), parse_declarations("x[n]"))


# --- grading runs and matcalc check pass the values --------------------------------------------


def numeric_set() -> ExerciseSet:
    question = dataclasses.replace(
        exercise("q1", GIVEN, "X", "det(X)", KEY, ("2", "2"), form="numeric"), values=VALUES)
    return ExerciseSet(seed=1, layout="numerator", variants=(Variant("v1", 1, (question,)),))


def test_a_grading_run_judges_at_the_stated_values(tmp_path: Path) -> None:
    folder = tmp_path / "submissions"
    folder.mkdir()
    (folder / "a.txt").write_text(submission_text("s1", {"q1": "det(X) X^-1"}), "utf-8")
    (folder / "b.txt").write_text(submission_text("s2", {"q1": "[-14.00001, 2; -1, -9]"}),
                                  "utf-8")
    result = grade_class(numeric_set(), find_submissions([folder]), tmp_path / "out",
                         RunOptions(jobs=1))
    assert {r.student: r.questions[0].status for r in result.reports} == {
        "s1": "correct", "s2": "correct"}


def test_a_set_with_bad_values_stops_before_grading() -> None:
    broken = numeric_set()
    question = dataclasses.replace(broken.variants[0].exercises[0], values=(("X", "[1, 2]"),))
    broken = dataclasses.replace(broken, variants=(Variant("v1", 1, (question,)),))
    with pytest.raises(ExerciseSetError, match="variant v1, exercise q1: the stated value of X"):
        check_keys(broken)


def test_check_takes_the_values() -> None:
    result = CliRunner().invoke(root, ["check", "--given", GIVEN, "--value",
                                       "X=[-9, -2; 1, -14]", KEY, "det(X) X^-1"])
    assert result.exit_code == 0, result.output
    assert "evaluated at the stated values" in result.output
    result = CliRunner().invoke(root, ["check", "--given", "a", "--value", "a=1", "262/3",
                                       "87.333"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("value", "message"), [
    ("X", "write NAME=MATRIX"), ("Y=[1]", "names nothing declared"),
    ("X=[1, 2]", "is 1×2, but X is declared 2×2"),
])
def test_check_refuses_bad_values_naming_the_option(value: str, message: str) -> None:
    result = CliRunner().invoke(root, ["check", "--given", GIVEN, "--value", value, KEY, "X"])
    assert result.exit_code == 2
    assert "--value" in result.output and message in result.output


def _decimals(key: str, given: str, values: tuple[tuple[str, str], ...],
              change: Fraction = Fraction(1)) -> str:
    """The key's entries as students type them: decimals of five significant figures (the
    first one scaled by ``change``)."""
    value = evaluate(parse(key, given), stated_point(values, parse_declarations(given)),
                     exact=True)
    entries = [Fraction(v) for v in value.data]
    entries[0] *= change
    text = [format(Decimal(f"{float(v):.4e}"), "f") for v in entries]
    rows = [", ".join(text[i * value.cols:(i + 1) * value.cols]) for i in range(value.rows)]
    return "[" + "; ".join(rows) + "]"


def test_generated_numeric_exercises_take_five_significant_figures() -> None:
    exercise_set = make_set(SetOptions(form="numeric", count=12, seed=3))
    checked = 0
    for question in exercise_set.variants[0].exercises:
        options = CheckOptions(values=question.values)
        typed = _decimals(question.answer, question.given, question.values)
        verdict = check(question.answer, typed, question.given, options=options)
        assert verdict.status == "correct", (question.family, typed, verdict.feedback)
        off = _decimals(question.answer, question.given, question.values, Fraction(101, 100))
        if off != typed:  # the first entry is not 0
            assert check(question.answer, off, question.given,
                         options=options).status == "incorrect", (question.family, off)
            checked += 1
    assert checked >= 6
