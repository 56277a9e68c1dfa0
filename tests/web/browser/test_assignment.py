"""A student's assignment page in a real browser: a wrong-shape answer is submitted, the page
waits for its verdict by polling, and the verdict, shapes and diagnosis come into the page in
place, while the student types in another box that keeps its text and its focus.  Text typed
and not submitted survives submitting another question."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from generator.sets import SetOptions, make_set
from grader.exercise_set import Exercise
from grader.language.echo import parse_shape
from grader.roster import Student
from tests.web.browser.conftest import axe_violations, describe
from tests.web.instructor.conftest import engine_of
from tests.web.servers import LiveServer
from web.assignments import create_assignment, student_path
from web.config import ServeConfig
from web.policy import Policy
from web.schema import students


@pytest.fixture
def config(database_url: str) -> ServeConfig:
    # Grading starts only when the test says so, so that the page is seen waiting.
    return ServeConfig(database_url=database_url, secret_key="test-secret-key-" + "z" * 32,
                       grading=False)


@pytest.fixture
def assigned(app: Flask) -> Iterator[tuple[str, tuple[Exercise, ...]]]:
    """One student's personal link (a path) and their exercises: gradients of quadratic forms
    in numerator layout, rows whose transpose is a column."""
    exercise_set = make_set(SetOptions(families=("quadratic",), difficulty=1, count=2, seed=3),
                            [Student("st1", "Ada Byron")])
    with engine_of(app).begin() as connection:
        assignment_id = create_assignment(connection, title="Week 1", policy=Policy(),
                                          exercise_set=exercise_set)
        student_id = connection.execute(students.select().where(
            students.c.assignment_id == assignment_id)).one().id
        link = student_path(connection, student_id)
    yield link, exercise_set.variants[0].exercises


def box(page: Page, number: int):  # type: ignore[no-untyped-def]
    return page.get_by_label(f"Your answer to question {number}")


def test_a_verdict_arrives_in_place_and_nothing_typed_is_lost(
        browser: Browser, server: LiveServer, assigned: tuple[str, tuple[Exercise, ...]],
        tmp_path: Path) -> None:
    link, exercises = assigned
    first = exercises[0]
    rows, columns = first.shape
    assert rows != columns, "a transpose must have another shape"
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda message: problems.append(f"console: {message.text}")
            if message.type == "error" else None)
    try:
        page.goto(server.url + link)
        box(page, 2).press_sequentially("x^T")  # begun, not submitted
        box(page, 1).fill(f"({first.answer})^T")
        page.get_by_role("button", name="Submit answer 1").click()

        question = page.locator("#question-q1")
        expect(question.locator(".pending")).to_have_text("Received; grading…")
        expect(box(page, 2)).to_have_value("x^T")  # kept across the page load
        expect(box(page, 1)).to_have_value("")     # submitted: it shows among the attempts
        expect(question.locator(".attempts")).to_contain_text(f"({first.answer})^T")

        box(page, 2).click()
        box(page, 2).press("End")
        box(page, 2).press_sequentially(" A")
        server.app.extensions["matcalc.grading"].start()

        verdict = question.locator(".attempts li").last
        expect(verdict.locator(".verdict")).to_contain_text("Wrong shape", timeout=20_000)
        expect(verdict.locator(".shapes")).to_contain_text(
            f"Your answer is {parse_shape([columns, rows]).describe()}; "
            f"the answer is {parse_shape([rows, columns]).describe()}.")
        expect(verdict.locator(".diagnosis")).to_have_text(
            "Diagnosis: transposed: the other layout")
        expect(verdict.locator(".reading .katex math")).to_be_attached()  # typeset, MathML
        expect(question.locator(".pending")).to_have_count(0)
        expect(page.locator("#assignment-news")).to_have_text("Question 1: Wrong shape.")
        expect(box(page, 2)).to_be_focused()       # typing was not interrupted
        expect(box(page, 2)).to_have_value("x^T A")
        box(page, 2).press_sequentially(" x")      # and goes on in the same box
        expect(box(page, 2)).to_have_value("x^T A x")
        violations = axe_violations(page)
        assert not violations, describe(violations)

        box(page, 1).fill(first.answer)
        page.get_by_role("button", name="Submit answer 1").click()
        expect(question.locator(".attempts li").last.locator(".verdict")).to_contain_text(
            "Correct", timeout=20_000)
        expect(page.locator("p.total")).to_contain_text("Your score so far: 1 of 2")
        expect(box(page, 2)).to_have_value("x^T A x")
        assert not problems, problems
    finally:
        context.close()
