"""In a real browser (Debian's chromium through Playwright): an instructor logs in, creates an
assignment from families with a roster, two students open their personal links and submit
answers, and the dashboard shows the statistics and hands out the gradebooks.  axe-core checks
every dashboard page.  SQLite only (the HTTP tests cover PostgreSQL)."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from tests.web.browser.conftest import axe_violations, config, database_url, describe  # noqa: F401 (fixtures: SQLite, grading on)
from tests.web.instructor.conftest import PASSWORD, USER, engine_of
from tests.web.servers import LiveServer
from web.assignments import student_by_link, variant_of
from web.schema import submissions

ROSTER = "id,name,email\nst1,Ada Byron,ada@example.org\nst2,Ben <Lee>,ben@example.org\n"


def answers_of(app: Flask, link: str) -> dict[str, tuple[str, str]]:
    """The right answer and a listed mistake of each question of the student behind a link
    (what a student who knows, or who slips, would type)."""
    student_id, token = link.rsplit("/", 2)[-2:]
    with engine_of(app).connect() as connection:
        student = student_by_link(connection, int(student_id), token)
    assert student is not None, link
    return {e.id: (e.answer, e.mistakes[0].answer) for e in variant_of(student).exercises}


def submit(page: Page, number: int, answer: str) -> None:
    page.get_by_label(f"Your answer to question {number}").fill(answer)
    page.get_by_role("button", name=f"Submit answer {number}").click()
    expect(page.locator(f"#question-q{number} .attempts")).to_contain_text(answer)


def wait_all_graded(app: Flask, expected: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with engine_of(app).connect() as connection:
            states = connection.execute(select(submissions.c.state)).scalars().all()
        if len(states) == expected and set(states) == {"graded"}:
            return
        time.sleep(0.1)
    raise AssertionError(f"not graded in {seconds} s: {states}")


def downloaded_rows(page: Page, link_text: str) -> list[list[str]]:
    with page.expect_download() as download:
        page.get_by_role("link", name=link_text).click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text)))


def accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_instructor_creates_students_answer_dashboard_reports(
        browser: Browser, server: LiveServer, instructor: str, tmp_path: Path) -> None:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        page.goto(server.url + "/instructor/")
        expect(page.get_by_role("heading", name="Log in")).to_be_visible()
        accessible(page)
        page.get_by_label("User name").fill(USER)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Assignments")).to_be_visible()

        page.get_by_role("link", name="New assignment").click()
        accessible(page)
        page.get_by_label("Title").fill("Week <5>")
        page.get_by_label("Quadratic forms and Hessians (quadratic)").check()
        page.get_by_label("Exercises per student").fill("2")
        page.get_by_label("Penalty per valid wrong attempt").fill("0.5")
        roster = tmp_path / "class.csv"
        roster.write_text(ROSTER, encoding="utf-8")
        page.get_by_label("Roster (CSV)").set_input_files(str(roster))
        page.get_by_role("button", name="Create").click()
        expect(page.get_by_role("heading", name="Week <5>")).to_be_visible(timeout=60_000)
        expect(page.get_by_text("Ben <Lee>")).to_be_visible()
        links = {key: page.get_by_label(f"Personal link of {key}").input_value()
                 for key in ("st1", "st2")}
        assert all(link.startswith(server.url + "/a/") for link in links.values())

        # st1 answers both questions right; st2 slips on q1, then gets it right
        for key, plan in [("st1", [(1, 0), (2, 0)]), ("st2", [(1, 1), (1, 0)])]:
            answers = answers_of(server.app, links[key])
            student = context.new_page()
            student.goto(links[key])
            for number, which in plan:
                submit(student, number, answers[f"q{number}"][which])
            student.close()
        wait_all_graded(server.app, 4)

        page.reload()
        q1 = page.locator("#question-q1")
        expect(q1).to_contain_text("100% correct: 2 of 2 students who answered")
        expect(q1.get_by_role("table", name="Commonest diagnoses")).to_be_visible()
        expect(page.locator("#question-q2")).to_contain_text("100% correct: 1 of 1 student")
        students = page.get_by_role("table").filter(has_text="Personal link")
        expect(students.get_by_role("row").nth(1)).to_contain_text("2 / 2")
        # st2's right answer came after a wrong one: half of q1 (penalty 0.5)
        expect(students.get_by_role("row").nth(2)).to_contain_text("0.5 / 2")
        accessible(page)

        plain = downloaded_rows(page, "Gradebook (plain)")
        assert plain[0][:5] == ["student", "name", "submission", "q1", "q2"]
        assert [(row[0], row[5]) for row in plain[1:]] == [("st1", "2"), ("st2", "0.5")]
        canvas = downloaded_rows(page, "Gradebook (canvas)")
        assert canvas[0][-1] == "Week <5> (matcalc)" and canvas[1][0] == "Points Possible"
        assert [(row[2], row[5]) for row in canvas[2:]] == [("st1", "2"), ("st2", "0.5")]
        moodle = downloaded_rows(page, "Gradebook (moodle)")
        assert moodle[0] == ["ID number", "Email address", "Full name", "Week <5>", "Feedback"]
        assert [(row[0], row[3]) for row in moodle[1:]] == [("st1", "2"), ("st2", "0.5")]
        attempts = downloaded_rows(page, "Every attempt (CSV)")
        assert len(attempts) == 5

        students.get_by_role("link", name="st2").click()
        expect(page.get_by_role("heading", name="q1: 0.5 / 1")).to_be_visible()
        accessible(page)
        assert not problems, problems  # no script errors, no CSP violations, no 404
    finally:
        context.close()
