"""``matcalc serve`` as a real process, with students submitting from several threads.

- The restart test: the server (and its grading workers) is killed with SIGKILL while answers
  arrive, then started again.  Every submission that was acknowledged must be in the database
  and graded, and nothing may stay pending.
- Several processes (``--processes 2``): one app process is killed with SIGKILL mid-traffic; it
  is replaced, every acknowledged submission is graded, and SIGTERM stops them all cleanly."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from generator.sets import SetOptions, make_set
from grader.exercise_set import ExerciseSet
from grader.roster import Student
from tests.web.postgres import free_port
from web.assignments import create_assignment, student_path
from web.database import connect, migrate
from web.schema import students, submissions

STUDENTS = 24
QUESTIONS = 3
THREADS = 6
#: Short leases, so that the killed server's claims expire within the test.
LEASE_SECONDS = 2
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def exercise_set() -> ExerciseSet:
    return make_set(SetOptions(families=("quadratic",), count=QUESTIONS, seed=11),
                    [Student(f"s{k}") for k in range(STUDENTS)], jobs=2)


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path


def _get(port: int, path: str, cookie: str = "") -> tuple[int, str, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        set_cookie = response.getheader("Set-Cookie") or ""
        return response.status, response.read().decode(), set_cookie.split(";")[0]
    finally:
        connection.close()


def _post(port: int, path: str, fields: dict[str, str], cookie: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("POST", path, body=urllib.parse.urlencode(fields), headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@contextlib.contextmanager
def serving(database_url: str, data: Path, name: str, processes: int = 1) -> Iterator[Server]:
    """``matcalc serve`` in its own process group (its grading workers are in it too)."""
    port = free_port()
    log = data / f"{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "generator.cli", "serve", "--db", database_url,
             "--port", str(port), "--threads", "8", "--lease-seconds", str(LEASE_SECONDS),
             "--processes", str(processes)],
            env={**os.environ, "MATCALC_DATA": str(data)}, stdout=output,
            stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(process, port, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"the server exited: {log.read_text()}"
            with contextlib.suppress(OSError):
                if _get(port, "/healthz")[0] == 200:
                    break
            assert time.monotonic() < deadline, f"the server did not start: {log.read_text()}"
            time.sleep(0.1)
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def kill(server: Server) -> None:
    """SIGKILL to the server and its grading workers: a crash, not a shutdown."""
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait()


@dataclass
class Traffic:
    """Students submitting every question, each from its own page, several at once."""

    port: int
    paths: list[str]
    acknowledged: list[tuple[int, str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def student(self, path: str) -> None:
        student_id = int(path.split("/")[2])
        status, page, cookie = _get(self.port, path)
        assert status == 200
        found = CSRF.search(page)
        assert found is not None
        for question in range(1, QUESTIONS + 1):
            answer = f"{student_id * 10 + question} x^T A"
            status = _post(self.port, f"{path}/submit", {
                "csrf_token": found.group(1), "question": f"q{question}", "answer": answer},
                cookie)
            if status == 303:  # acknowledged: it must survive anything that follows
                with self.lock:
                    self.acknowledged.append((student_id, f"q{question}", answer))
            else:
                raise AssertionError(f"submission refused with {status}")

    def worker(self, paths: list[str]) -> None:
        for path in paths:
            try:
                self.student(path)
            except (OSError, http.client.HTTPException):  # the server died under us: what was
                # acknowledged counts
                return

    def start(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self.worker, args=(self.paths[k::THREADS],))
                   for k in range(THREADS)]
        for thread in threads:
            thread.start()
        return threads


def _states(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {state: count for state, count in connection.execute(
            select(submissions.c.state, func.count()).group_by(submissions.c.state))}


def _class(database_url: str, exercise_set: ExerciseSet, title: str) -> tuple[Engine, list[str]]:
    """A migrated database holding one assignment; its students' personal paths."""
    engine = connect(database_url)
    migrate(engine)
    with engine.begin() as connection:
        assignment_id = create_assignment(connection, title=title, exercise_set=exercise_set)
        paths = [student_path(connection, row) for row in connection.execute(
            select(students.c.id).where(students.c.assignment_id == assignment_id)
            .order_by(students.c.id)).scalars()]
    return engine, paths


def test_acknowledged_submissions_survive_sigkill_and_are_graded_after_restart(
        database_url: str, exercise_set: ExerciseSet, tmp_path: Path) -> None:
    engine, paths = _class(database_url, exercise_set, "Restart")
    first_wave, second_wave = paths[:-4], paths[-4:]

    with serving(database_url, tmp_path, "first") as server:
        traffic = Traffic(server.port, first_wave)
        threads = traffic.start()
        deadline = time.monotonic() + 60
        while len(traffic.acknowledged) < 12:  # answers are arriving: now the crash
            assert time.monotonic() < deadline, f"too slow: {server.log.read_text()}"
            time.sleep(0.005)
        kill(server)
        for thread in threads:
            thread.join(60)
        at_kill = _states(engine)
    acknowledged = list(traffic.acknowledged)
    assert len(acknowledged) < len(first_wave) * QUESTIONS, "the kill came after all answers"
    # something was left to recover: waiting, or claimed by the dead process
    assert at_kill.get("pending", 0) + at_kill.get("grading", 0) > 0, at_kill
    print(f"at the kill: {len(acknowledged)} acknowledged; {at_kill}")

    with serving(database_url, tmp_path, "second") as server:
        later = Traffic(server.port, second_wave)
        for thread in later.start():
            thread.join(60)
        assert len(later.acknowledged) == len(second_wave) * QUESTIONS
        deadline = time.monotonic() + 120
        while set(_states(engine)) != {"graded"}:
            assert time.monotonic() < deadline, f"still waiting: {_states(engine)}"
            time.sleep(0.2)

    with engine.connect() as connection:
        rows = {(row.student_id, row.question_id, row.answer): row
                for row in connection.execute(select(submissions))}
    engine.dispose()
    for key in acknowledged + later.acknowledged:
        assert key in rows, f"acknowledged but lost: {key}"
        row = rows[key]
        assert row.state == "graded", key
        assert row.status in ("incorrect", "wrong_shape", "invalid"), key  # never undecided
        assert row.verdict_json and row.graded_at is not None


def _children(pid: int) -> list[int]:
    return [int(child) for child in
            Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _wait_for(what: str, test: Callable[[], bool], server: Server, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not test():
        assert time.monotonic() < deadline, f"{what}: {server.log.read_text()}"
        time.sleep(0.05)


def test_several_processes_share_the_port_and_the_queue_and_survive_losing_one(
        database_url: str, exercise_set: ExerciseSet, tmp_path: Path) -> None:
    engine, paths = _class(database_url, exercise_set, "Processes")
    with serving(database_url, tmp_path, "processes", processes=2) as server:
        master = server.process.pid
        _wait_for("two app processes", lambda: len(_children(master)) == 2, server)
        first, second = _children(master)
        traffic = Traffic(server.port, paths)
        threads = traffic.start()
        _wait_for("answers arriving", lambda: len(traffic.acknowledged) >= 12, server)
        os.kill(first, signal.SIGKILL)  # one app process crashes mid-traffic
        for thread in threads:
            thread.join(60)
        _wait_for("a replacement process",
                  lambda: len(_children(master)) == 2 and first not in _children(master),
                  server)
        assert second in _children(master)
        assert _get(server.port, "/healthz")[:2] == (200, "ok")
        _wait_for("every submission graded",
                  lambda: set(_states(engine)) == {"graded"}, server, seconds=120)
        with engine.connect() as connection:
            stored = set(connection.execute(select(
                submissions.c.student_id, submissions.c.question_id, submissions.c.answer)).all())
        missing = [item for item in traffic.acknowledged if item not in stored]
        assert not missing, missing  # nothing acknowledged was lost with the dead process
        assert len(stored) >= 12

        server.process.send_signal(signal.SIGTERM)  # a clean stop of the arbiter and workers
        assert server.process.wait(30) == 0, server.log.read_text()
    engine.dispose()
    deadline = time.monotonic() + 10  # the workers' pools wind down after them
    while _group_alive(master):
        assert time.monotonic() < deadline, "a process of the stopped server is still running"
        time.sleep(0.1)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True
