"""Grading for one app process: a thread that owns the process's capped :class:`GradingPool`
(the pool is not thread-safe) and feeds it from two queues.

- The **persistent queue** is the ``submissions`` table.  A submission is stored as ``pending``
  before the student is told it was received; the thread claims a few at a time with a lease,
  grades them and stores the verdicts.  A process that dies mid-check leaves its claims to
  expire, and any process (this one after a restart, or another sharing the database) grades
  them then: no acknowledged submission stays pending.
- The **practice queue** is in memory: a practice answer is stored nowhere, and its request
  waits for the verdict.  It goes first, as someone is waiting on it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, or_, select, update

from grader.errors import MatcalcError
from grader.exercise_set import Exercise
from grader.pool import CheckJob, GradingPool
from grader.verdict import CheckOptions, Verdict
from web.assignments import variant_of
from web.background import Background
from web.config import ServeConfig
from web.database import now
from web.schema import students, submissions

log = logging.getLogger(__name__)

#: Submissions claimed at once: enough to batch a burst, few enough that a crash re-grades
#: little.
BATCH = 16
#: Seconds between looks at the table when nothing woke the thread (other processes' work,
#: expired leases).
POLL_SECONDS = 1.0

Listener = Callable[[int], None]


class GradingUnavailableError(MatcalcError):
    """The grading thread is stopped or too busy to answer in time."""


def job_for(exercise: Exercise, answer: str) -> CheckJob:
    """The check an answer to ``exercise`` needs (its listed mistakes and stated values too)."""
    return CheckJob(exercise.answer, answer, exercise.given, exercise.layout,  # type: ignore[arg-type]
                    CheckOptions(mistakes=exercise.mistakes, values=exercise.values))


class GradingService(Background):
    thread_name = "matcalc-grading"

    def __init__(self, engine: Engine, config: ServeConfig) -> None:
        super().__init__()
        self.engine = engine
        self.config = config
        self._practice: queue.Queue[tuple[CheckJob, Future[Verdict]]] = queue.Queue()
        self._listeners: list[Listener] = []

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(student_id)`` after each batch that graded that student's work."""
        self._listeners.append(listener)

    # -- practice ---------------------------------------------------------------------------
    def check(self, job: CheckJob, timeout: float = 30.0) -> Verdict:
        """Grade one answer now, in the capped pool (practice: nothing is stored)."""
        if not self.running:
            raise GradingUnavailableError("grading is not running in this process")
        future: Future[Verdict] = Future()
        self._practice.put((job, future))
        self.wake()
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise GradingUnavailableError("grading is busy; try again in a moment") from None

    # -- the thread -------------------------------------------------------------------------
    def run(self) -> None:
        # forkserver: workers start from a small process, not from this threaded, grown one
        with GradingPool(self.config.pool_size, self.config.caps,
                         start_method="forkserver") as pool:
            while not self.stopping:
                try:
                    busy = self._practice_round(pool) | self._queue_round(pool)
                except Exception:  # keep grading whatever one round hit; it is logged
                    log.exception("grading round failed")
                    busy = False
                if not busy:
                    self.pause(POLL_SECONDS)

    def _practice_round(self, pool: GradingPool) -> bool:
        waiting: list[tuple[CheckJob, Future[Verdict]]] = []
        with contextlib.suppress(queue.Empty):
            while len(waiting) < BATCH:
                waiting.append(self._practice.get_nowait())
        waiting = [(job, future) for job, future in waiting
                   if future.set_running_or_notify_cancel()]
        if not waiting:
            return False
        try:
            for (_, future), verdict in zip(waiting, pool.map([job for job, _ in waiting]),
                                            strict=True):
                future.set_result(verdict)
        except Exception as problem:  # a key that can't be read: every waiter hears of it
            for _, future in waiting:
                if not future.done():
                    future.set_exception(problem)
        return True

    def _queue_round(self, pool: GradingPool) -> bool:
        claimed = claim(self.engine, self.config.lease_seconds)
        if not claimed:
            return False
        jobs: list[CheckJob] = []
        for row, exercise in claimed:
            jobs.append(job_for(exercise, row.answer))
        verdicts = list(pool.map(jobs))
        graded = store(self.engine, [row.id for row, _ in claimed], verdicts)
        for student_id in sorted(graded):
            for listener in self._listeners:
                try:
                    listener(student_id)
                except Exception:  # a listener's failure must not stop grading
                    log.exception("grading listener failed for student %s", student_id)
        return True


def claim(engine: Engine, lease_seconds: float) -> list[tuple[Any, Exercise]]:
    """Claim up to :data:`BATCH` submissions that are pending or whose lease expired; each
    with its exercise.  A row is claimed only if this process's UPDATE changed it, so processes
    sharing a database never grade one submission at once."""
    moment = now()
    free = or_(submissions.c.state == "pending",
               and_(submissions.c.state == "grading", submissions.c.lease_until < moment))
    with engine.begin() as connection:
        candidates = connection.execute(
            select(submissions.c.id).where(free).order_by(submissions.c.id).limit(BATCH)
        ).scalars().all()
        taken = []
        lease = moment + timedelta(seconds=lease_seconds)
        for submission_id in candidates:
            changed = connection.execute(update(submissions).where(
                submissions.c.id == submission_id, free).values(
                    state="grading", lease_until=lease)).rowcount
            if changed:
                taken.append(submission_id)
        if not taken:
            return []
        return _with_exercises(connection, taken)


def _with_exercises(connection: Connection, ids: list[int]) -> list[tuple[Any, Exercise]]:
    rows = connection.execute(select(submissions).where(
        submissions.c.id.in_(ids)).order_by(submissions.c.id)).all()
    by_student: dict[int, dict[str, Exercise]] = defaultdict(dict)
    for student in connection.execute(select(students).where(
            students.c.id.in_({row.student_id for row in rows}))):
        by_student[student.id] = {e.id: e for e in variant_of(student).exercises}
    result = []
    for row in rows:
        exercise = by_student[row.student_id].get(row.question_id)
        if exercise is None:  # refused when submitted; only a hand-edited row gets here
            log.error("submission %s names no question of its student's variant", row.id)
            connection.execute(update(submissions).where(submissions.c.id == row.id).values(
                state="graded", lease_until=None, status="invalid", score=0.0))
            continue
        result.append((row, exercise))
    return result


def store(engine: Engine, ids: list[int], verdicts: list[Verdict]) -> set[int]:
    """Record verdicts of claimed submissions; the ids of the students they belong to."""
    graded_at = now()
    with engine.begin() as connection:
        for submission_id, verdict in zip(ids, verdicts, strict=True):
            connection.execute(update(submissions).where(
                submissions.c.id == submission_id, submissions.c.state == "grading").values(
                    state="graded", lease_until=None, graded_at=graded_at,
                    status=verdict.status, score=verdict.score,
                    verdict_json=json.dumps(verdict.to_json(), ensure_ascii=False)))
        return set(connection.execute(select(submissions.c.student_id).where(
            submissions.c.id.in_(ids))).scalars())


def requeue(connection: Connection, assignment_id: int) -> int:
    """Grade every submission of an assignment again (after a key change); how many."""
    ids = select(students.c.id).where(students.c.assignment_id == assignment_id)
    return connection.execute(update(submissions).where(
        submissions.c.student_id.in_(ids)).values(
            state="pending", lease_until=None)).rowcount
