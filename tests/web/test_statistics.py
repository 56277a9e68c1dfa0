"""Statistics of an assignment, from attempts graded by the real grading service (SQLite and
PostgreSQL): the counts are worked out here from what each student was made to submit."""

from __future__ import annotations

import pytest
from flask import Flask

from generator.sets import SetOptions, make_set
from grader.exercise_set import Exercise
from grader.roster import Student
from tests.web.test_grading import engine_of, submit, wait_graded
from web.assignments import create_assignment, enroll, variant_of
from web.config import ServeConfig
from web.grading import GradingService
from web.policy import Policy
from web.schema import students
from web.statistics import question_statistics, student_attempts

ROSTER = [Student("s1", "Ada"), Student("s2", "Ben"), Student("s3", "Cy")]
OPTIONS = SetOptions(families=("quadratic",), count=2, seed=11)


def mistake(exercise: Exercise, note: str) -> str:
    return next(m.answer for m in exercise.mistakes if m.note == note)


def test_statistics_and_attempts_from_graded_submissions(app: Flask, config: ServeConfig) -> None:
    engine = engine_of(app)
    exercise_set = make_set(OPTIONS, ROSTER)
    with engine.begin() as connection:
        assignment_id = create_assignment(connection, title="Week 2", exercise_set=exercise_set,
                                          policy=Policy(penalty=0.5))
        ids = {s.id: enroll(connection, assignment_id, s.id) for s in ROSTER}
        q1 = {key: variant_of(connection.execute(
            students.select().where(students.c.id == sid)).one()).exercises[0]
            for key, sid in ids.items()}
    symmetric = {key: mistake(q1[key], "assumed_symmetric") for key in ("s2", "s3")}
    half = mistake(q1["s3"], "half_of_the_product_rule")
    plan = [
        ("s1", "q1", q1["s1"].answer),
        ("s2", "q1", symmetric["s2"]), ("s2", "q1", "x +"), ("s2", "q1", q1["s2"].answer),
        ("s3", "q1", symmetric["s3"]), ("s3", "q1", "x  +"), ("s3", "q1", "x +"),
        ("s3", "q1", half),
        ("s1", "q2", "0"),
    ]
    submitted = [submit(engine, ids[key], question, answer) for key, question, answer in plan]
    service = GradingService(engine, config)
    service.start()
    try:
        wait_graded(engine, submitted)
    finally:
        service.stop()

    with engine.connect() as connection:
        first, second = question_statistics(connection, assignment_id)
        attempts = student_attempts(connection, ids["s3"])
    assert first.question_id == "q1" and second.question_id == "q2"
    assert (first.enrolled, first.families) == (3, (("quadratic", 3),))
    assert (first.answered, first.correct, first.attempts, first.pending) == (3, 2, 8, 0)
    assert first.share_correct == pytest.approx(2 / 3)
    assert dict(first.statuses) == {"correct": 2, "incorrect": 3, "invalid": 3}
    assert [(d.note, d.attempts) for d in first.diagnoses] == [
        ("assumed_symmetric", 2), ("half_of_the_product_rule", 1)]
    assert set(first.diagnoses[0].examples) == {" ".join(a.split()) for a in symmetric.values()}
    assert first.diagnoses[1].examples == (" ".join(half.split()),)
    [unreadable] = first.unreadable  # "x  +" and "x +" are one input
    assert (unreadable.answer, unreadable.attempts) == ("x +", 3)
    assert "column 4" in unreadable.message and unreadable.message.endswith("^")
    assert (second.answered, second.correct, second.share_correct) == (1, 0, 0.0)

    mine = [a for a in attempts if a.question_id == "q1"]
    assert [a.number for a in mine] == [1, 2, 3, 4]
    assert [a.status for a in mine] == ["incorrect", "invalid", "invalid", "incorrect"]
    assert [a.charged for a in mine] == [True, False, False, True]
    # the penalty (0.5) applies to wrong attempts after a valid wrong one; all earn 0 here
    assert [a.worth for a in mine] == [0.0, 0.0, 0.0, 0.0]
    assert mine[0].note == "assumed_symmetric" and mine[0].reading
    assert [a.question_id for a in attempts] == ["q1"] * 4  # q2: no attempts


def test_no_attempts_no_statistics(app: Flask) -> None:
    with engine_of(app).begin() as connection:
        assignment_id = create_assignment(connection, title="Empty",
                                          exercise_set=make_set(OPTIONS, ROSTER[:1]))
        statistics = question_statistics(connection, assignment_id)
    assert [q.question_id for q in statistics] == ["q1", "q2"]
    assert all(q.share_correct is None and q.attempts == 0 and not q.diagnoses
               for q in statistics)


def test_a_place_on_the_sheet_names_the_families_it_holds(app: Flask) -> None:
    mixed = make_set(SetOptions(families=("quadratic", "trace_forms"), count=1, seed=4),
                     [Student(f"m{i}") for i in range(6)])
    held = sorted(v.exercises[0].family for v in mixed.variants)
    assert len(set(held)) == 2  # both families drawn for q1 by some students
    with engine_of(app).begin() as connection:
        assignment_id = create_assignment(connection, title="Mixed", exercise_set=mixed)
        [only] = question_statistics(connection, assignment_id)
    assert only.enrolled == 6
    assert sorted(f for f, n in only.families for _ in range(n)) == held
