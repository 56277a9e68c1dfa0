"""A key change: an assignment's exercises replaced by a corrected set file (an authored key
fixed, a family's bug fixed and the set made again), after which every stored attempt is
graded again.  Plain functions on a database connection; no HTTP."""

from __future__ import annotations

import json

from sqlalchemy import Connection, select, update

from grader.exercise_set import ExerciseSet
from web.assignments import AssignmentError, assignment, variant_of
from web.schema import assignments, students


class KeyChangeError(AssignmentError):
    """A set that can't replace an assignment's exercises; the message says which student."""


def replace_exercises(connection: Connection, assignment_id: int, corrected: ExerciseSet,
                      where: str) -> int:
    """Give every student of the assignment their variant of ``corrected``; how many changed.
    Each student needs a variant there with the same question ids (attempts name questions by
    id); otherwise nothing changes."""
    row = assignment(connection, assignment_id)
    by_id = {variant.id.casefold(): variant for variant in corrected.variants}
    changes: list[tuple[int, str]] = []
    for student in connection.execute(select(students).where(
            students.c.assignment_id == assignment_id).order_by(students.c.id)):
        variant = by_id.get(student.student_key.casefold())
        if variant is None:
            raise KeyChangeError(f"{where}: no variant for student {student.student_key}")
        before = [exercise.id for exercise in variant_of(student).exercises]
        after = [exercise.id for exercise in variant.exercises]
        if before != after:
            raise KeyChangeError(
                f"{where}: student {student.student_key} has questions {', '.join(after)} "
                f"there but {', '.join(before)} here")
        text = json.dumps(variant.to_json(), sort_keys=True, ensure_ascii=False)
        if text != student.variant_json:
            changes.append((student.id, text))
    for student_id, text in changes:
        connection.execute(update(students).where(students.c.id == student_id).values(
            variant_json=text))
    if row.options_json is None:
        connection.execute(update(assignments).where(assignments.c.id == assignment_id).values(
            set_json=corrected.dumps()))
    return len(changes)
