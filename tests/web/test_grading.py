"""Assignments, the persistent grading queue and scores, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import Engine, insert, select, update

from generator.sets import SetOptions, make_set
from grader.exercise_set import ExerciseSet
from grader.roster import Student
from web.assignments import (
    AssignmentError,
    create_assignment,
    enroll,
    student_by_link,
    student_path,
    variant_of,
)
from web.config import ServeConfig
from web.database import now
from web.grading import GradingService, claim, requeue
from web.policy import Policy
from web.schema import students, submissions
from web.scores import student_total

OPTIONS = SetOptions(families=("quadratic",), count=2, seed=7)


@pytest.fixture(scope="module")
def exercise_set() -> ExerciseSet:
    return make_set(OPTIONS, [Student("s1", "Ada"), Student("s2", "Ben")])


def engine_of(app: Flask) -> Engine:
    engine: Engine = app.extensions["matcalc.engine"]
    return engine


def submit(engine: Engine, student_id: int, question: str, answer: str) -> int:
    with engine.begin() as connection:
        return int(connection.execute(insert(submissions).values(
            student_id=student_id, question_id=question, answer=answer, submitted_at=now(),
            state="pending")).inserted_primary_key[0])


def wait_graded(engine: Engine, ids: list[int], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            states = connection.execute(select(submissions.c.state).where(
                submissions.c.id.in_(ids))).scalars().all()
        if states and all(state == "graded" for state in states):
            return
        time.sleep(0.1)
    raise AssertionError(f"not graded in {seconds} s: {states}")


def test_set_roster_becomes_students_with_private_links(app: Flask,
                                                        exercise_set: ExerciseSet) -> None:
    engine = engine_of(app)
    with engine.begin() as connection:
        assignment_id = create_assignment(connection, title="Week 1", exercise_set=exercise_set)
        ada = enroll(connection, assignment_id, "s1")
        path = student_path(connection, ada)
        _, _, student_id, token = path.split("/")
        row = student_by_link(connection, int(student_id), token)
        assert row is not None and row.name == "Ada"
        assert variant_of(row) == exercise_set.variants[0]
        forged = token[:-1] + ("B" if token.endswith("A") else "A")
        assert student_by_link(connection, int(student_id), forged) is None
        with pytest.raises(AssignmentError, match="not on the roster"):
            enroll(connection, assignment_id, "s9")


def test_on_demand_variants_are_stable_per_student(app: Flask) -> None:
    engine = engine_of(app)
    with engine.begin() as connection:
        assignment_id = create_assignment(connection, title="LTI", options=OPTIONS)
        first = enroll(connection, assignment_id, "lti:abc", name="Cy")
        assert enroll(connection, assignment_id, "lti:abc") == first
        other = enroll(connection, assignment_id, "lti:def")
        rows = {r.id: r for r in connection.execute(select(students))}
    assert variant_of(rows[first]) != variant_of(rows[other])
    made = make_set(OPTIONS, [Student("lti:abc", "Cy")]).variants[0]
    assert variant_of(rows[first]) == made


def test_queue_grades_scores_and_regrades(config: ServeConfig, exercise_set: ExerciseSet,
                                          app: Flask) -> None:
    engine = engine_of(app)
    with engine.begin() as connection:
        assignment_id = create_assignment(connection, title="Week 1", exercise_set=exercise_set,
                                          policy=Policy(penalty=0.25))
        ada = enroll(connection, assignment_id, "s1")
    key = exercise_set.variants[0].exercises[0]
    ids = [submit(engine, ada, key.id, "0"), submit(engine, ada, key.id, key.answer),
           submit(engine, ada, "q2", "x +")]
    heard: list[int] = []
    service = GradingService(engine, config)
    service.add_listener(heard.append)
    service.start()
    try:
        wait_graded(engine, ids)
        with engine.connect() as connection:
            statuses = connection.execute(select(submissions.c.status).where(
                submissions.c.id.in_(ids)).order_by(submissions.c.id)).scalars().all()
            total = student_total(connection, ada)
        assert statuses[1:] == ["correct", "invalid"]
        assert statuses[0] in ("incorrect", "wrong_shape")
        assert total.given == pytest.approx(0.75) and total.maximum == 2.0 and total.graded
        assert "q1: 0.75/1" in total.comment and "q2: 0.00/1, invalid" in total.comment
        assert ada in heard
        with engine.begin() as connection:
            assert requeue(connection, assignment_id) == 3
        heard.clear()
        service.wake()
        wait_graded(engine, ids)
        assert ada in heard
    finally:
        service.stop()


def test_an_expired_lease_is_claimed_again(app: Flask, exercise_set: ExerciseSet) -> None:
    engine = engine_of(app)
    with engine.begin() as connection:
        assignment_id = create_assignment(connection, title="Week 1", exercise_set=exercise_set)
        ben = enroll(connection, assignment_id, "s2")
    submission = submit(engine, ben, "q1", "x")
    assert [row.id for row, _ in claim(engine, 60)] == [submission]
    assert claim(engine, 60) == []  # held by the first claim
    with engine.begin() as connection:
        connection.execute(update(submissions).values(lease_until=now() - timedelta(seconds=1)))
    assert [row.id for row, _ in claim(engine, 60)] == [submission]


def test_practice_checks_go_through_the_pool(config: ServeConfig, app: Flask,
                                             exercise_set: ExerciseSet) -> None:
    from web.grading import GradingUnavailableError, job_for

    exercise = exercise_set.variants[0].exercises[0]
    service = GradingService(engine_of(app), config)
    with pytest.raises(GradingUnavailableError):
        service.check(job_for(exercise, exercise.answer))
    service.start()
    try:
        assert service.check(job_for(exercise, exercise.answer)).status == "correct"
        assert service.check(job_for(exercise, "x +")).status == "invalid"
    finally:
        service.stop()


def test_processes_sharing_a_database_never_claim_one_submission_twice(
        app: Flask, config: ServeConfig, exercise_set: ExerciseSet) -> None:
    """Four claimers, each with its own engine as separate app processes would have."""
    import threading

    from web.database import connect

    engine = engine_of(app)
    with engine.begin() as connection:
        assignment_id = create_assignment(connection, title="Week 1", exercise_set=exercise_set)
        ben = enroll(connection, assignment_id, "s2")
    made = {submit(engine, ben, "q1", f"{k} x") for k in range(60)}
    claimed: list[list[int]] = [[] for _ in range(4)]

    def claimer(index: int) -> None:
        own = connect(config.database_url)
        try:
            while batch := claim(own, 60):
                claimed[index].extend(row.id for row, _ in batch)
        finally:
            own.dispose()

    threads = [threading.Thread(target=claimer, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    every = [submission for ids in claimed for submission in ids]
    assert sorted(every) == sorted(made)  # each claimed exactly once
