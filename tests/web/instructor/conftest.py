"""Helpers of the dashboard's tests: an instructor account, logging in, CSRF tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from generator.sets import SetOptions, make_set
from grader.exercise_set import ExerciseSet
from grader.roster import Student
from tests.web.test_grading import submit, wait_graded
from web.assignments import create_assignment, enroll
from web.config import ServeConfig
from web.grading import GradingService
from web.instructor.access import set_password

USER = "ada"
PASSWORD = "correct horse battery"


def engine_of(app: Flask) -> Engine:
    engine: Engine = app.extensions["matcalc.engine"]
    return engine


def csrf_token(client: FlaskClient, path: str = "/instructor/login") -> str:
    """The CSRF token a page of the dashboard carries (as a browser would find it)."""
    page = client.get(path)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    assert found, f"{path} has no CSRF token (status {page.status_code})"
    return found.group(1)


def log_in(client: FlaskClient, user: str = USER, password: str = PASSWORD) -> None:
    answer = client.post("/instructor/login", data={
        "csrf_token": csrf_token(client), "username": user, "password": password})
    assert answer.status_code == 302, answer.get_data(as_text=True)


@pytest.fixture
def instructor(app: Flask) -> str:
    with engine_of(app).begin() as connection:
        set_password(connection, USER, PASSWORD)
    return USER


@pytest.fixture
def signed_in(client: FlaskClient, instructor: str) -> FlaskClient:
    log_in(client)
    return client


@dataclass(frozen=True)
class Graded:
    """An assignment of two students whose attempts the real grading service graded."""

    assignment_id: int
    students: dict[str, int]  # roster id -> student id
    exercise_set: ExerciseSet
    submissions: tuple[int, ...]


ROSTER = [Student("s1", "Ada"), Student("s2", "<b>Ben</b>", "ben@example.org")]
OPTIONS = SetOptions(families=("quadratic",), count=2, seed=5, title="Week 3")


@pytest.fixture(scope="session")
def class_set() -> ExerciseSet:
    return make_set(OPTIONS, ROSTER)


@pytest.fixture
def graded(app: Flask, config: ServeConfig, class_set: ExerciseSet) -> Graded:
    """s1: q1 right, q2 unreadable; s2: q1 wrong (a listed mistake)."""
    engine = engine_of(app)
    with engine.begin() as connection:
        assignment_id = create_assignment(connection, title="Week 3", exercise_set=class_set)
        ids = {s.id: enroll(connection, assignment_id, s.id) for s in ROSTER}
    first, second = (v.exercises[0] for v in class_set.variants)
    submitted = (submit(engine, ids["s1"], "q1", first.answer),
                 submit(engine, ids["s1"], "q2", "x +"),
                 submit(engine, ids["s2"], "q1", second.mistakes[0].answer))
    service = GradingService(engine, config)
    service.start()
    try:
        wait_graded(engine, list(submitted))
    finally:
        service.stop()
    return Graded(assignment_id, ids, class_set, submitted)
