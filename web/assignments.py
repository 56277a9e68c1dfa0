"""Assignments and their students: made from a set file (one variant per roster student) or
from set options (a variant made for each student at first sight, as LTI launches need).
Plain functions on a database connection; no HTTP."""

from __future__ import annotations

import dataclasses
import hmac
import json
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from generator.rebuild import authored_families
from generator.sets import SetOptions, make_variant
from grader.errors import MatcalcError
from grader.exercise_set import ExerciseSet, Variant
from grader.roster import Student
from web.database import aware, now
from web.policy import Policy
from web.schema import assignments, students

DEFAULT_POLICY = Policy()


class AssignmentError(MatcalcError):
    """An assignment or student that can't be made or found; the message says which."""


def create_assignment(connection: Connection, *, title: str,
                      exercise_set: ExerciseSet | None = None,
                      options: SetOptions | None = None, policy: Policy = DEFAULT_POLICY,
                      context_key: str | None = None) -> int:
    """A new assignment; its id.  With ``exercise_set`` its variants are the students (their ids
    the student keys); with ``options`` (and perhaps ``exercise_set`` for the authored exercises
    it records) every student gets a variant made from the options when first enrolled."""
    if not title.strip():
        raise AssignmentError("an assignment needs a title")
    options_json: str | None = None
    if options is not None:
        base = exercise_set or ExerciseSet(options.seed, options.layout, (), options.title)
        recorded = dataclasses.replace(base, variants=(), options=options.record())
        options_json = json.dumps(dict(options.record()), sort_keys=True)
    elif exercise_set is not None:
        recorded = exercise_set
    else:
        raise AssignmentError("an assignment needs an exercise set or set options")
    created = now()
    assignment_id: int = connection.execute(insert(assignments).values(
        slug=secrets.token_urlsafe(12), title=title.strip()[:300], set_json=recorded.dumps(),
        options_json=options_json,
        max_attempts=policy.max_attempts, penalty=policy.penalty, due_at=policy.due_at,
        feedback=policy.feedback, show_expected_shape=policy.show_expected_shape,
        created_at=created, context_key=context_key,
    ).returning(assignments.c.id)).scalar_one()
    if options_json is None:
        for variant in recorded.variants:
            _add_student(connection, assignment_id, variant)
    return assignment_id


def policy_of(row: Row[Any]) -> Policy:
    """The attempt policy an assignment row holds."""
    return Policy(max_attempts=row.max_attempts, penalty=row.penalty, due_at=aware(row.due_at),
                  feedback=row.feedback, show_expected_shape=row.show_expected_shape)


def assignment(connection: Connection, assignment_id: int) -> Row[Any]:
    row = connection.execute(select(assignments).where(assignments.c.id == assignment_id)).first()
    if row is None:
        raise AssignmentError(f"no assignment {assignment_id}")
    return row


def enroll(connection: Connection, assignment_id: int, student_key: str, *,
           name: str | None = None, email: str | None = None) -> int:
    """The student's id in the assignment, enrolling them (with a variant made from the
    assignment's options) at first sight.  An assignment made from a set takes only its
    roster."""
    found = connection.execute(select(students.c.id).where(
        students.c.assignment_id == assignment_id,
        students.c.student_key == student_key)).scalar()
    if found is not None:
        return int(found)
    row = assignment(connection, assignment_id)
    if row.options_json is None:
        raise AssignmentError(f"{student_key!r} is not on the roster of {row.title!r}")
    recorded = ExerciseSet.loads(row.set_json, f"assignment {assignment_id}")
    options = SetOptions.from_record(json.loads(row.options_json), f"assignment {assignment_id}")
    if recorded.authored:
        options = dataclasses.replace(
            options, authored=authored_families(recorded, f"assignment {assignment_id}"))
    variant = make_variant(options, Student(student_key, name or "", email or ""))
    return _add_student(connection, assignment_id, variant)


def _add_student(connection: Connection, assignment_id: int, variant: Variant) -> int:
    student_id: int = connection.execute(insert(students).values(
        assignment_id=assignment_id, student_key=variant.id, name=variant.name or None,
        email=variant.email or None, token=secrets.token_urlsafe(24),
        variant_json=json.dumps(variant.to_json(), sort_keys=True, ensure_ascii=False),
        created_at=now(),
    ).returning(students.c.id)).scalar_one()
    return student_id


def student_path(connection: Connection, student_id: int) -> str:
    """The personal link of a student: ``/a/<student id>/<token>``."""
    token = connection.execute(select(students.c.token).where(
        students.c.id == student_id)).scalar()
    if token is None:
        raise AssignmentError(f"no student {student_id}")
    return f"/a/{student_id}/{token}"


def student_by_link(connection: Connection, student_id: int, token: str) -> Row[Any] | None:
    """The student a personal link names, or None; the token is compared in constant time."""
    row = connection.execute(select(students).where(students.c.id == student_id)).first()
    if row is None or not hmac.compare_digest(row.token.encode(), token.encode()):
        return None
    return row


def variant_of(row: Row[Any]) -> Variant:
    return Variant.from_json(json.loads(row.variant_json), f"student {row.id}")


def extend(connection: Connection, assignment_id: int, student_key: str,
           until: datetime | None) -> Row[Any]:
    """Give one student of an assignment their own due date (None: take it back); their row.
    The key is the roster id, compared ignoring case as rosters are."""
    assignment(connection, assignment_id)
    found = connection.execute(select(students).where(
        students.c.assignment_id == assignment_id,
        func.lower(students.c.student_key) == student_key.lower())).first()
    if found is None:
        raise AssignmentError(f"assignment {assignment_id} has no student {student_key!r}")
    connection.execute(update(students).where(students.c.id == found.id).values(
        extension_until=until))
    return found
