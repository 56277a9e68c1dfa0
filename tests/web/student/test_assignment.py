"""The student's assignment pages over HTTP (Flask's test client), on SQLite and PostgreSQL:
submissions stored before they are acknowledged, the attempt policy, released feedback, and
refusals that store nothing."""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select, update
from werkzeug.test import TestResponse

from generator.sets import SetOptions, make_set
from grader.checker import check
from grader.exercise_set import Exercise, ExerciseSet
from grader.language import parse
from grader.language.echo import parse_shape
from grader.roster import Student
from web.app import close_app, create_app
from web.assignments import DEFAULT_POLICY, create_assignment, student_path
from web.config import ServeConfig
from web.database import now
from web.grading import claim, job_for, store
from web.policy import Policy
from web.schema import assignments, students, submissions

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def symbolic() -> ExerciseSet:
    return make_set(SetOptions(families=("quadratic",), count=2, seed=7),
                    [Student("s1", "Ada"), Student("s2", "Ben")])


@pytest.fixture(scope="module")
def numeric() -> ExerciseSet:
    return make_set(SetOptions(families=("quadratic",), count=1, seed=7, form="numeric"),
                    [Student("s1", "Ada")])


def engine_of(app: Flask) -> Engine:
    engine: Engine = app.extensions["matcalc.engine"]
    return engine


def make(app: Flask, exercise_set: ExerciseSet, policy: Policy = DEFAULT_POLICY) -> str:
    """A new assignment; the first student's personal link."""
    with engine_of(app).begin() as connection:
        assignment_id = create_assignment(connection, title="Week 1",
                                          exercise_set=exercise_set, policy=policy)
        first = connection.execute(select(students.c.id).where(
            students.c.assignment_id == assignment_id).order_by(students.c.id)).scalars().first()
        assert first is not None
        return student_path(connection, int(first))


def stored(app: Flask) -> int:
    with engine_of(app).connect() as connection:
        return int(connection.execute(select(func.count()).select_from(submissions)).scalar_one())


def token_of(client: FlaskClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200
    found = CSRF.search(page.text)
    assert found is not None
    return found.group(1)


def submit(client: FlaskClient, path: str, question: str, answer: str,
           token: str | None = None) -> TestResponse:
    data = {"question": question, "answer": answer}
    data["csrf_token"] = token if token is not None else token_of(client, path)
    return client.post(f"{path}/submit", data=data)


def grade_pending(app: Flask) -> None:
    """Grade what waits in the queue here, with the grader itself (no worker pool)."""
    engine = engine_of(app)
    while claimed := claim(engine, 60):
        verdicts = []
        for row, exercise in claimed:
            job = job_for(exercise, row.answer)
            verdicts.append(check(job.expected, job.answer, job.given, layout=job.layout,
                                  options=job.options))
        store(engine, [row.id for row, _ in claimed], verdicts)


def shape_of(text: str, exercise: Exercise) -> str:
    """``n×1 (column vector)``: the shape of ``text`` read as the grader reads it."""
    tree = parse(text, exercise.given)
    return tree.shape.describe()  # type: ignore[attr-defined]


@pytest.fixture
def grading_app(config: ServeConfig) -> Iterator[Flask]:
    made = create_app(dataclasses.replace(config, grading=True))
    yield made
    close_app(made)


def test_a_submission_is_stored_then_acknowledged_and_the_verdict_shown(
        grading_app: Flask, symbolic: ExerciseSet) -> None:
    client = grading_app.test_client()
    path = make(grading_app, symbolic)
    exercise = symbolic.variants[0].exercises[0]
    wrong = "x"  # a column where a row is asked for (numerator layout)
    response = submit(client, path, exercise.id, wrong)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{path}#question-{exercise.id}")
    assert stored(grading_app) == 1
    deadline = time.monotonic() + 90
    while client.get(f"{path}/status").json["pending"]:  # type: ignore[index]
        assert time.monotonic() < deadline, "not graded in time"
        time.sleep(0.2)
    page = client.get(path).text
    assert "Wrong shape" in page
    expected = parse_shape(exercise.shape).describe()
    assert f"Your answer is <strong>{shape_of(wrong, exercise)}</strong>; the answer is " \
           f"<strong>{expected}</strong>" in page
    assert shape_of(wrong, exercise) != expected


def test_the_page_says_received_until_graded_and_status_reports_it(
        app: Flask, client: FlaskClient, symbolic: ExerciseSet) -> None:
    path = make(app, symbolic)
    exercise = symbolic.variants[0].exercises[0]
    page = client.get(path)
    assert page.headers["Cache-Control"] == "no-store"
    assert f'data-latex-text="{exercise.prompt_latex}"' in page.text.replace("&amp;", "&")
    assert submit(client, path, exercise.id, exercise.answer).status_code == 303
    after = client.get(path).text
    assert "Received; grading…" in after
    state = client.get(f"{path}/status").json
    assert state is not None and state["pending"] == 1
    assert state["attempts"][0]["state"] == "pending"
    grade_pending(app)
    state = client.get(f"{path}/status").json
    assert state is not None and state["pending"] == 0
    assert state["attempts"][0]["status"] == "correct"
    assert "Received; grading…" not in client.get(path).text


def test_maximum_attempts_refuse_a_new_answer_but_take_repeats_and_invalid_ones(
        app: Flask, client: FlaskClient, symbolic: ExerciseSet) -> None:
    path = make(app, symbolic, Policy(max_attempts=2))
    exercise = symbolic.variants[0].exercises[0]
    assert submit(client, path, exercise.id, "x + ").status_code == 303  # unreadable: free
    grade_pending(app)
    assert "Attempts left: <strong>2</strong>" in client.get(path).text
    assert submit(client, path, exercise.id, "2 x^T A").status_code == 303
    waiting = submit(client, path, exercise.id, "3 x^T A")
    assert waiting.status_code == 409 and "still being graded" in waiting.text
    grade_pending(app)
    assert submit(client, path, exercise.id, "3 x^T A").status_code == 303
    grade_pending(app)
    refused = submit(client, path, exercise.id, exercise.answer)
    assert refused.status_code == 409
    assert "no attempts left" in refused.text and "Nothing was stored" in refused.text
    assert stored(app) == 3
    assert submit(client, path, exercise.id, "2  x^T  A").status_code == 303  # a repeat
    assert stored(app) == 4


def test_the_due_date_refuses_and_an_extension_reopens(
        app: Flask, client: FlaskClient, symbolic: ExerciseSet) -> None:
    path = make(app, symbolic, Policy(due_at=now() - timedelta(hours=1)))
    exercise = symbolic.variants[0].exercises[0]
    page = client.get(path).text
    assert "the due date has passed" in page and "<textarea" not in page
    assert CSRF.search(page) is None  # no form to post from
    refused = submit(client, path, exercise.id, exercise.answer,
                     token=_token_from_any_page(app, client))
    assert refused.status_code == 409 and "due date has passed" in refused.text
    assert stored(app) == 0
    with engine_of(app).begin() as connection:
        connection.execute(update(students).values(extension_until=now() + timedelta(hours=1)))
    assert "(your extension)" in client.get(path).text
    assert submit(client, path, exercise.id, exercise.answer).status_code == 303
    assert stored(app) == 1


def _token_from_any_page(app: Flask, client: FlaskClient) -> str:
    """A valid CSRF token of this client's session, from an open assignment's page."""
    with engine_of(app).begin() as connection:
        other = create_assignment(connection, title="Open", exercise_set=make_set(
            SetOptions(families=("quadratic",), count=1, seed=1), [Student("z")]))
        student = connection.execute(select(students.c.id).where(
            students.c.assignment_id == other)).scalar_one()
        path = student_path(connection, int(student))
    return token_of(client, path)


def test_a_student_is_rate_limited_across_requests(
        config: ServeConfig, symbolic: ExerciseSet) -> None:
    app = create_app(dataclasses.replace(config, submissions_per_minute=2))
    try:
        client = app.test_client()
        path = make(app, symbolic)
        first, second = symbolic.variants[0].exercises
        assert submit(client, path, first.id, "x").status_code == 303
        assert submit(client, path, second.id, "z").status_code == 303
        grade_pending(app)
        limited = submit(client, path, first.id, "2 x")
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "60"
        assert "at most 2 are graded per minute" in limited.text
        assert stored(app) == 2
        with engine_of(app).begin() as connection:  # a minute later
            connection.execute(update(submissions).values(
                submitted_at=now() - timedelta(seconds=61)))
        assert submit(client, path, first.id, "2 x").status_code == 303
    finally:
        close_app(app)


def test_feedback_after_the_due_date_is_withheld_until_then(
        app: Flask, client: FlaskClient, symbolic: ExerciseSet) -> None:
    path = make(app, symbolic, Policy(feedback="after_due", due_at=now() + timedelta(hours=1)))
    exercise = symbolic.variants[0].exercises[0]
    assert submit(client, path, exercise.id, "x").status_code == 303
    grade_pending(app)
    page = client.get(path).text
    assert "the verdict is shown after the due date" in page
    assert "Wrong shape" not in page and "Your answer is" not in page
    state = client.get(f"{path}/status").json
    assert state is not None and state["attempts"][0]["status"] is None
    assert state["released"] is False
    with engine_of(app).begin() as connection:
        connection.execute(update(assignments).values(due_at=now() - timedelta(minutes=1)))
    page = client.get(path).text
    assert "Wrong shape" in page
    state = client.get(f"{path}/status").json
    assert state is not None and state["attempts"][0]["status"] == "wrong_shape"


def test_wrong_entries_of_an_explicit_matrix_are_marked(
        app: Flask, client: FlaskClient, numeric: ExerciseSet) -> None:
    path = make(app, numeric)
    exercise = numeric.variants[0].exercises[0]
    entries = exercise.answer.strip("[]").split(",")
    entries[1] = str(int(entries[1]) + 1)
    assert submit(client, path, exercise.id, "[" + ", ".join(entries) + "]").status_code == 303
    grade_pending(app)
    page = client.get(path).text
    assert "Not correct" in page
    grids = re.findall(r'<figure class="entries">\s*<span class="math" data-display="block" '
                       r'data-latex="([^"]*)"', page)
    assert len(grids) == 1
    assert re.findall(r"\\boxed\{([^}]*)\}", grids[0]) == [entries[1].strip()]
    assert "Wrong entries are boxed: row 1, column 2." in page


@pytest.mark.parametrize("link", ["/a/{id}/not-the-token", "/a/999999/{token}",
                                  "/a/{id}/{token}x", "/a/{id}/" + "t" * 500])
def test_a_bad_link_is_a_clear_404_and_stores_nothing(
        app: Flask, client: FlaskClient, symbolic: ExerciseSet, link: str) -> None:
    path = make(app, symbolic)
    _, _, student_id, token = path.split("/")
    bad = link.format(id=student_id, token=token)
    token_value = token_of(client, path)
    page = client.get(bad)
    assert page.status_code == 404 and "This assignment link is not valid" in page.text
    posted = client.post(f"{bad}/submit", data={"csrf_token": token_value, "question": "q1",
                                                "answer": "x"})
    assert posted.status_code == 404
    assert client.get(f"{bad}/status").status_code == 404
    assert stored(app) == 0


def test_a_missing_or_forged_csrf_token_is_refused_and_stores_nothing(
        app: Flask, client: FlaskClient, symbolic: ExerciseSet) -> None:
    path = make(app, symbolic)
    client.get(path)
    missing = client.post(f"{path}/submit", data={"question": "q1", "answer": "x"})
    assert missing.status_code == 400 and "CSRF token is missing" in missing.text
    forged = client.post(f"{path}/submit", data={"question": "q1", "answer": "x",
                                                 "csrf_token": "forged"})
    assert forged.status_code == 400
    other = app.test_client()  # a token of another session
    stolen = submit(other, path, "q1", "x", token=token_of(client, path))
    assert stolen.status_code == 400
    assert stored(app) == 0


def test_oversized_bodies_long_answers_and_unknown_questions_store_nothing(
        app: Flask, client: FlaskClient, symbolic: ExerciseSet) -> None:
    path = make(app, symbolic)
    token = token_of(client, path)
    huge = submit(client, path, "q1", "x" * (70 * 1024), token=token)
    assert huge.status_code == 413
    long = submit(client, path, "q1", "x+" * 1000 + "x", token=token)
    assert long.status_code == 400 and "at most 2000 are taken" in long.text
    assert submit(client, path, "q9", "x", token=token).status_code == 400
    assert submit(client, path, "q1", "   ", token=token).status_code == 400
    assert stored(app) == 0


def test_hostile_text_is_stored_as_typed_and_escaped_on_the_page(
        app: Flask, client: FlaskClient, symbolic: ExerciseSet) -> None:
    path = make(app, symbolic)
    hostile = '<script>alert(1)</script>"\\input{/etc/passwd}'
    assert submit(client, path, "q1", hostile).status_code == 303
    page = client.get(path).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    with engine_of(app).connect() as connection:
        assert connection.execute(select(submissions.c.answer)).scalar_one() == hostile


def test_the_total_follows_penalties_best_attempts_and_overrides(
        app: Flask, client: FlaskClient, symbolic: ExerciseSet) -> None:
    from web.schema import overrides

    path = make(app, symbolic, Policy(penalty=0.25))
    first, second = symbolic.variants[0].exercises
    for answer in ("x", "2 x^T A", first.answer):  # wrong shape, incorrect, then correct
        assert submit(client, path, first.id, answer).status_code == 303
        grade_pending(app)
    page = client.get(path).text
    assert "Score so far: <strong>0.50</strong> / 1." in page  # 1 less two penalties
    assert "Your score so far: <strong>0.5</strong> of 2." in page
    student_id = int(path.split("/")[2])
    with engine_of(app).begin() as connection:
        connection.execute(overrides.insert().values(
            student_id=student_id, question_id=second.id, score=1.0, created_at=now()))
    page = client.get(path).text
    assert "Score so far: <strong>1.00</strong> / 1 (set by your instructor)." in page
    assert "Your score so far: <strong>1.5</strong> of 2." in page


def test_simultaneous_submissions_of_one_student_take_one_attempt(
        app: Flask, symbolic: ExerciseSet) -> None:
    """Eight answers to a one-attempt question sent at once over a real server: the student's
    row lock makes the policy see each earlier one, so exactly one is stored."""
    import threading
    import urllib.error
    import urllib.request
    from http.cookiejar import CookieJar

    from tests.web.servers import live_server

    path = make(app, symbolic, Policy(max_attempts=1))
    with live_server(app, threads=8) as server:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        found = CSRF.search(opener.open(server.url + path).read().decode())
        assert found is not None
        codes: list[int] = []
        start = threading.Barrier(8)

        def send(k: int) -> None:
            body = f"csrf_token={found.group(1)}&question=q1&answer={k}%20x".encode()
            start.wait()
            try:
                codes.append(opener.open(server.url + path + "/submit", body).status)
            except urllib.error.HTTPError as refused:
                codes.append(refused.code)

        threads = [threading.Thread(target=send, args=(k,)) for k in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert sorted(codes) == [200] + [409] * 7  # the 303 is followed to the page
    assert stored(app) == 1
