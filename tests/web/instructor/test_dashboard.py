"""The dashboard over HTTP (Flask's test client), on SQLite and PostgreSQL: access, CSRF,
creating assignments, statistics, overrides, extensions, downloads and regrading."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from grader.exercise_set import ExerciseSet
from tests.web.instructor.conftest import (
    PASSWORD,
    USER,
    Graded,
    csrf_token,
    engine_of,
    log_in,
)
from tests.web.test_grading import wait_graded
from web.attempts import EXPORT_COLUMNS
from web.config import ServeConfig
from web.grading import GradingService
from web.schema import assignments, instructors, overrides, students, submissions
from web.scores import student_total

#: Values for the URL variables of the dashboard's routes.
SAMPLE = {"csv_format": "plain", "question_id": "q1"}


def dashboard_urls(app: Flask, graded: Graded) -> list[tuple[str, str]]:
    """(method, path) of every dashboard route but logging in and out."""
    values = {**SAMPLE, "assignment_id": graded.assignment_id,
              "student_id": graded.students["s1"]}
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("instructor.") or rule.endpoint in (
                "instructor.login", "instructor.logout"):
            continue
        path = rule.build({name: values[name] for name in rule.arguments})[1]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            urls.append((method, path))
    return urls


def count(app: Flask, table: object) -> int:
    with engine_of(app).connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_every_page_needs_a_login(app: Flask, client: FlaskClient, graded: Graded) -> None:
    urls = dashboard_urls(app, graded)
    assert len(urls) >= 10
    token = csrf_token(client)
    for method, path in urls:
        if method == "GET":
            answer = client.get(path)
        else:
            answer = client.post(path, data={"csrf_token": token,
                                             "override-q1-score": "1", "until": ""})
        assert answer.status_code == 302, (method, path)
        assert answer.location.startswith("/instructor/login?next="), (method, path)
    assert count(app, overrides) == 0
    with engine_of(app).connect() as connection:
        assert set(connection.execute(select(submissions.c.state)).scalars()) == {"graded"}


def test_login_comes_back_to_the_page_asked_for(client: FlaskClient, instructor: str,
                                                graded: Graded) -> None:
    path = f"/instructor/assignments/{graded.assignment_id}"
    answer = client.get(path)
    token = csrf_token(client)
    landed = client.post(answer.location, data={"csrf_token": token, "username": USER,
                                                "password": PASSWORD})
    assert landed.location == path
    for elsewhere in ("https://evil.example/instructor", "//evil.example/x", "/a/1/x"):
        client.post("/instructor/logout", data={"csrf_token": csrf_token(client, path)})
        landed = client.post(f"/instructor/login?next={elsewhere}", data={
            "csrf_token": csrf_token(client), "username": USER, "password": PASSWORD})
        assert landed.location == "/instructor/", elsewhere


def test_wrong_passwords_are_refused_and_limited(app: Flask, client: FlaskClient,
                                                 instructor: str) -> None:
    with engine_of(app).connect() as connection:
        stored = connection.execute(select(instructors.c.password_hash)).scalar_one()
    assert stored.startswith("scrypt:") and PASSWORD not in stored
    token = csrf_token(client)
    for name, password in [(USER, "wrong password"), ("nobody", PASSWORD),
                           (USER, PASSWORD.upper())]:
        answer = client.post("/instructor/login", data={
            "csrf_token": token, "username": name, "password": password})
        assert answer.status_code == 200
        assert "Wrong user name or password." in answer.get_data(as_text=True)
        assert client.get("/instructor/").status_code == 302
    for _ in range(3):  # five failures for this name from this address
        client.post("/instructor/login", data={
            "csrf_token": token, "username": USER, "password": "wrong password"})
    refused = client.post("/instructor/login", data={
        "csrf_token": token, "username": USER, "password": PASSWORD})
    assert refused.status_code == 429
    assert client.get("/instructor/").status_code == 302
    elsewhere = app.test_client()  # another address is not held back
    allowed = elsewhere.post("/instructor/login", environ_overrides={"REMOTE_ADDR": "10.0.0.2"},
                             data={"csrf_token": csrf_token(elsewhere), "username": USER,
                                   "password": PASSWORD})
    assert allowed.status_code == 302


def test_missing_csrf_token_is_refused_and_nothing_stored(app: Flask, signed_in: FlaskClient,
                                                          graded: Graded) -> None:
    roster = (io.BytesIO(b"id,name\nz1,Zoe\n"), "roster.csv")
    answer = signed_in.post("/instructor/assignments/new", data={
        "title": "Sneaky", "source": "families", "families": ["quadratic"], "count": "1",
        "penalty": "0", "feedback": "immediate", "roster": roster, "layout": "numerator",
        "form": "symbolic"}, content_type="multipart/form-data")
    assert answer.status_code == 400
    student = graded.students["s1"]
    assert signed_in.post(f"/instructor/students/{student}/override/q1",
                          data={"override-q1-score": "0.5"}).status_code == 400
    assert signed_in.post(f"/instructor/students/{student}/extension",
                          data={"until": "2031-01-01T10:00"}).status_code == 400
    assert signed_in.post(f"/instructor/assignments/{graded.assignment_id}/regrade"
                          ).status_code == 400
    assert signed_in.post("/instructor/assignments/new", data={
        "csrf_token": "forged", "title": "Sneaky"}).status_code == 400
    assert count(app, assignments) == 1 and count(app, overrides) == 0
    with engine_of(app).connect() as connection:
        assert connection.execute(select(students.c.extension_until)).scalars().all() == [
            None, None]
        assert set(connection.execute(select(submissions.c.state)).scalars()) == {"graded"}


def families_form(client: FlaskClient, roster: bytes | None, **fields: str) -> dict[str, object]:
    data: dict[str, object] = {
        "csrf_token": csrf_token(client, "/instructor/assignments/new"),
        "title": "Week <4>", "source": "families", "families": ["quadratic", "trace_forms"],
        "difficulty": "", "form": "symbolic", "layout": "denominator", "count": "2",
        "seed": "3", "max_attempts": "3", "penalty": "0.25", "due_at": "2031-05-01T12:30",
        "feedback": "after_due", "show_expected_shape": "y", **fields}
    if roster is not None:
        data["roster"] = (io.BytesIO(roster), "class.csv")
    return data


def test_create_from_families_and_a_roster(app: Flask, signed_in: FlaskClient) -> None:
    roster = b"id,name,email\nu1,<script>alert(1)</script>,u1@example.org\nu2,Bo,bo@example.org\n"
    answer = signed_in.post("/instructor/assignments/new", data=families_form(signed_in, roster),
                            content_type="multipart/form-data")
    assert answer.status_code == 302, answer.get_data(as_text=True)
    page = signed_in.get(answer.location).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "Week &lt;4&gt;" in page
    with engine_of(app).connect() as connection:
        row = connection.execute(select(assignments)).one()
        links = connection.execute(select(students.c.id, students.c.token).order_by(
            students.c.id)).all()
    assert (row.title, row.max_attempts, row.penalty, row.feedback, row.show_expected_shape) \
        == ("Week <4>", 3, 0.25, "after_due", True)
    assert row.due_at.replace(tzinfo=UTC) == datetime(2031, 5, 1, 12, 30, tzinfo=UTC)
    made = ExerciseSet.loads(row.set_json)
    assert made.layout == "denominator" and len(made.variants) == 2
    assert {e.family for v in made.variants for e in v.exercises} <= {"quadratic", "trace_forms"}
    assert len(links) == 2
    for student_id, token in links:
        assert f"/a/{student_id}/{token}" in page


def test_create_without_a_roster_makes_variants_on_demand(app: Flask,
                                                          signed_in: FlaskClient) -> None:
    answer = signed_in.post("/instructor/assignments/new", data=families_form(signed_in, None),
                            content_type="multipart/form-data")
    assert answer.status_code == 302
    with engine_of(app).connect() as connection:
        row = connection.execute(select(assignments)).one()
    assert json.loads(row.options_json)["families"] == ["quadratic", "trace_forms"]
    assert count(app, students) == 0


def test_create_from_a_set_file(app: Flask, signed_in: FlaskClient,
                                class_set: ExerciseSet) -> None:
    answer = signed_in.post("/instructor/assignments/new", data={
        "csrf_token": csrf_token(signed_in, "/instructor/assignments/new"), "source": "set",
        "set_file": (io.BytesIO(class_set.dumps().encode()), "set.json"), "penalty": "0",
        "feedback": "immediate", "count": "4", "form": "symbolic", "layout": "numerator",
        "difficulty": ""}, content_type="multipart/form-data")
    assert answer.status_code == 302, answer.get_data(as_text=True)
    with engine_of(app).connect() as connection:
        row = connection.execute(select(assignments)).one()
        keys = connection.execute(select(students.c.student_key).order_by(
            students.c.id)).scalars().all()
    assert row.title == "Week 3" and keys == ["s1", "s2"]


@pytest.mark.parametrize(("roster", "says"), [
    (b"id,name\nu1,Al\nu1,Al again\n", "class.csv, line 3"),
    (b"\xff\xfe\x00oops", "class.csv"),
])
def test_a_bad_roster_is_named_and_nothing_stored(app: Flask, signed_in: FlaskClient,
                                                  roster: bytes, says: str) -> None:
    answer = signed_in.post("/instructor/assignments/new", data=families_form(signed_in, roster),
                            content_type="multipart/form-data")
    assert answer.status_code == 400
    assert says in answer.get_data(as_text=True)
    assert count(app, assignments) == 0


def test_assignment_page_shows_statistics(signed_in: FlaskClient, graded: Graded) -> None:
    page = signed_in.get(f"/instructor/assignments/{graded.assignment_id}").get_data(
        as_text=True)
    # q1: s1 right, s2 wrong; q2: s1's answer unreadable
    assert "50% correct</strong>: 1 of 2 students" in page
    assert "0% correct</strong>: 0 of 1 student who" in page
    note = graded.exercise_set.variants[1].exercises[0].mistakes[0].note
    assert note.replace("_", " ") in page
    assert "<code>x +</code>" in page and "ends too soon" in page
    assert "&lt;b&gt;Ben&lt;/b&gt;" in page and "<b>Ben</b>" not in page
    assert "1 / 2" in page and "0 / 2" in page  # the totals


def test_an_override_changes_the_total(app: Flask, signed_in: FlaskClient,
                                       graded: Graded) -> None:
    student = graded.students["s1"]
    url = f"/instructor/students/{student}"
    with engine_of(app).connect() as connection:
        assert student_total(connection, student).given == 1.0
    answer = signed_in.post(f"{url}/override/q2", data={
        "csrf_token": csrf_token(signed_in, url), "override-q2-score": "0.75",
        "override-q2-reason": "read <x> as x"})
    assert answer.status_code == 302
    with engine_of(app).connect() as connection:
        total = student_total(connection, student)
        row = connection.execute(select(overrides)).one()
    assert total.given == 1.75 and total.questions[1].overridden
    assert (row.question_id, row.reason, row.instructor) == ("q2", "read <x> as x", USER)
    page = signed_in.get(url).get_data(as_text=True)
    assert "1.75 / 2" in page and "read &lt;x&gt; as x" in page
    signed_in.post(f"{url}/override/q2", data={"csrf_token": csrf_token(signed_in, url),
                                               "override-q2-score": ""})
    assert signed_in.post(f"{url}/override/q2", data={
        "csrf_token": csrf_token(signed_in, url), "override-q2-score": "7"}).status_code == 302
    with engine_of(app).connect() as connection:
        assert student_total(connection, student).given == 1.0
        assert count(app, overrides) == 0  # removed; 7 is refused
    assert signed_in.post(f"{url}/override/q9", data={
        "csrf_token": csrf_token(signed_in, url), "override-q9-score": "1"}).status_code == 404


def test_an_extension_is_stored(app: Flask, signed_in: FlaskClient, graded: Graded) -> None:
    url = f"/instructor/students/{graded.students['s2']}"
    signed_in.post(f"{url}/extension", data={"csrf_token": csrf_token(signed_in, url),
                                             "until": "2031-02-03T04:05"})
    with engine_of(app).connect() as connection:
        until = connection.execute(select(students.c.extension_until).where(
            students.c.id == graded.students["s2"])).scalar_one()
    assert until.replace(tzinfo=UTC) == datetime(2031, 2, 3, 4, 5, tzinfo=UTC)
    assert "2031-02-03T04:05" in signed_in.get(url).get_data(as_text=True)


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_gradebooks_download_in_the_three_formats(signed_in: FlaskClient,
                                                  graded: Graded) -> None:
    base = f"/instructor/assignments/{graded.assignment_id}"
    answers = {name: signed_in.get(f"{base}/gradebook-{name}.csv")
               for name in ("plain", "canvas", "moodle")}
    for name, answer in answers.items():
        assert answer.status_code == 200 and answer.mimetype == "text/csv"
        assert f'filename="Week-3-{name}.csv"' in answer.headers["Content-Disposition"]
    plain = rows_of(answers["plain"].get_data(as_text=True))
    assert plain[0] == ["student", "name", "submission", "q1", "q2", "total", "max_score",
                        "status", "problems"]
    assert plain[1][:2] + plain[1][3:8] == ["s1", "Ada", "1", "0", "1", "2", "graded"]
    assert plain[2][:2] + plain[2][3:8] == ["s2", "<b>Ben</b>", "0", "0", "0", "2", "graded"]
    canvas = rows_of(answers["canvas"].get_data(as_text=True))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                         "Week 3 (matcalc)"]
    assert canvas[1] == ["Points Possible", "", "", "", "", "2"]
    assert canvas[2][2:] == ["s1", "", "", "1"]
    assert canvas[3][2:] == ["s2", "ben@example.org", "", "0"]
    moodle = rows_of(answers["moodle"].get_data(as_text=True))
    assert moodle[0] == ["ID number", "Email address", "Full name", "Week 3", "Feedback"]
    assert [row[0] for row in moodle[1:]] == ["s1", "s2"]
    assert moodle[1][3:] == ["1", "1 / 2: 1 of 2 right"]
    assert signed_in.get(f"{base}/gradebook-excel.csv").status_code == 404


def test_attempts_export(signed_in: FlaskClient, graded: Graded) -> None:
    answer = signed_in.get(f"/instructor/assignments/{graded.assignment_id}/attempts.csv")
    rows = rows_of(answer.get_data(as_text=True))
    header = rows[0]
    assert header == list(EXPORT_COLUMNS)  # what matcalc assignment export writes
    got = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert [(r["student"], r["question"], r["status"]) for r in got] == [
        ("s1", "q1", "correct"), ("s1", "q2", "invalid"), ("s2", "q1", "incorrect")]
    assert got[1]["answer"] == "x +" and "column 4" in got[1]["feedback"]


def test_regrade_requeues_every_attempt(app: Flask, signed_in: FlaskClient,
                                        graded: Graded) -> None:
    url = f"/instructor/assignments/{graded.assignment_id}"
    answer = signed_in.post(f"{url}/regrade", data={"csrf_token": csrf_token(signed_in, url)})
    assert answer.status_code == 302
    with engine_of(app).connect() as connection:
        states = connection.execute(select(submissions.c.state)).scalars().all()
    assert states == ["pending"] * 3
    page = signed_in.get(url).get_data(as_text=True)
    assert "3 attempts queued to be graded again." in page and "being graded" in page


def test_an_lti_session_opens_its_assignments_only(app: Flask, client: FlaskClient,
                                                   graded: Graded,
                                                   class_set: ExerciseSet) -> None:
    from web.assignments import create_assignment

    with engine_of(app).begin() as connection:
        other = create_assignment(connection, title="Other course", exercise_set=class_set)
    with client.session_transaction() as session:
        session["lti_instructor_assignments"] = [graded.assignment_id]
    listing = client.get("/instructor/").get_data(as_text=True)
    assert "Week 3" in listing and "Other course" not in listing
    assert client.get(f"/instructor/assignments/{graded.assignment_id}").status_code == 200
    assert client.get(f"/instructor/assignments/{other}").status_code == 404
    assert client.get(f"/instructor/assignments/{other}/gradebook-plain.csv").status_code == 404
    with engine_of(app).connect() as connection:
        theirs = connection.execute(select(students.c.id).where(
            students.c.assignment_id == other)).scalars().first()
    assert client.get(f"/instructor/students/{theirs}").status_code == 404
    assert client.get(f"/instructor/students/{graded.students['s1']}").status_code == 200
    assert client.get("/instructor/assignments/new").status_code == 403


def corrected(class_set: ExerciseSet, student: int, answer: str) -> ExerciseSet:
    """The set with the key of one student's q1 changed to ``answer``."""
    variants = list(class_set.variants)
    first, *rest = variants[student].exercises
    variants[student] = dataclasses.replace(variants[student], exercises=(
        dataclasses.replace(first, answer=answer, mistakes=(), sympy=()), *rest))
    return dataclasses.replace(class_set, variants=tuple(variants))


def upload(client: FlaskClient, graded: Graded, exercise_set: ExerciseSet) -> str:
    url = f"/instructor/assignments/{graded.assignment_id}"
    answer = client.post(f"{url}/exercises", data={
        "csrf_token": csrf_token(client, url),
        "set_file": (io.BytesIO(exercise_set.dumps().encode()), "fixed.json")},
        content_type="multipart/form-data")
    assert answer.status_code == 302
    return client.get(url).get_data(as_text=True)


def test_a_key_change_regrades_with_the_new_keys(app: Flask, config: ServeConfig,
                                                 signed_in: FlaskClient,
                                                 graded: Graded) -> None:
    s2 = graded.students["s2"]
    with engine_of(app).connect() as connection:
        assert student_total(connection, s2).given == 0.0
    given = graded.exercise_set.variants[1].exercises[0].mistakes[0].answer  # what s2 gave
    page = upload(signed_in, graded, corrected(graded.exercise_set, 1, given))
    assert "New exercises for 1 student; 3 attempts queued to be graded again." in page
    service = GradingService(engine_of(app), config)
    service.start()
    try:
        wait_graded(engine_of(app), list(graded.submissions))
    finally:
        service.stop()
    with engine_of(app).connect() as connection:
        assert student_total(connection, s2).given == 1.0  # graded against the new key
        assert student_total(connection, graded.students["s1"]).given == 1.0


def test_a_set_without_a_student_changes_nothing(app: Flask, signed_in: FlaskClient,
                                                 graded: Graded) -> None:
    partial = dataclasses.replace(graded.exercise_set,
                                  variants=graded.exercise_set.variants[:1])
    page = upload(signed_in, graded, partial)
    assert "Nothing changed: set file fixed.json: no variant for student s2" in page
    with engine_of(app).connect() as connection:
        assert set(connection.execute(select(submissions.c.state)).scalars()) == {"graded"}


def test_a_large_set_file_is_taken_from_an_instructor_only(app: Flask, client: FlaskClient,
                                                           instructor: str) -> None:
    from generator.sets import SetOptions, make_set
    from grader.roster import Student

    large = make_set(SetOptions(families=("quadratic",), count=3, seed=2),
                     [Student(f"p{i}") for i in range(12)], check=False).dumps().encode()
    assert len(large) > app.config["MAX_CONTENT_LENGTH"]

    def send(token: str) -> int:
        return client.post("/instructor/assignments/new", data={
            "csrf_token": token, "source": "set", "penalty": "0", "feedback": "immediate",
            "set_file": (io.BytesIO(large), "set.json")},
            content_type="multipart/form-data").status_code

    assert send(csrf_token(client)) == 413  # not signed in: the app's limit
    log_in(client)
    assert send(csrf_token(client, "/instructor/assignments/new")) == 302
    assert count(app, students) == 12


def test_a_file_that_is_no_set_is_named(app: Flask, signed_in: FlaskClient) -> None:
    answer = signed_in.post("/instructor/assignments/new", data={
        "csrf_token": csrf_token(signed_in, "/instructor/assignments/new"), "source": "set",
        "penalty": "0", "feedback": "immediate",
        "set_file": (io.BytesIO(b'{"format": "other"}'), "notes.json")},
        content_type="multipart/form-data")
    assert answer.status_code == 400
    assert "set file notes.json: not a matcalc-set/1 exercise set" in answer.get_data(
        as_text=True)
    assert count(app, assignments) == 0


def test_a_password_login_expires(signed_in: FlaskClient) -> None:
    from web.instructor.access import SESSION_SECONDS, SINCE

    assert signed_in.get("/instructor/").status_code == 200
    with signed_in.session_transaction() as session:
        session[SINCE] -= SESSION_SECONDS + 1
    assert signed_in.get("/instructor/").status_code == 302
