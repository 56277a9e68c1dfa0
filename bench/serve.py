"""A class typing at once: N simulated students against ``matcalc serve``, a real subprocess
(waitress) on loopback, for N = 50, 200 and 500.

Each student has their own variant of an assignment (made with web.assignments on the same
database before the server starts) and works through its questions: they type an answer in
bursts of 1-4 characters, 150-300 ms apart, and every burst asks the live reading
(POST /api/parse) for what they have typed so far; then they submit it through their personal
link (POST /a/<id>/<token>/submit, with the page's CSRF token) and read for 1-3 s before the next
question (or, when the page's status poll says that question's last attempt is still being
graded, go on without submitting, as the page holds the answer back).  Answers are
realistic: right ones (ASCII or LaTeX), the exercise's listed mistakes, transposes and
unfinished text.  Each student talks from its own loopback address (127.2.x.y),
as a class does, so that the per-address rate limit applies as in use.

Printed per N: p50/p95/p99 latency of reading and of submitting (the time to the
acknowledgement: the submission is stored, grading comes later), requests per second, errors by
kind (an answer refused by the per-student limit of 20 a minute is counted apart: the server
does as designed), and a baseline measured in the same run and under the same load:
GET /healthz latency (the server's floor: the HTTP stack and queueing, no work), sampled 20
times a second from 127.0.0.1.  The load average is printed at each step: the figures mean
little on a busy machine.

Target, on 2 cores: with 200 students typing at once, reading p95 <= 50 ms, submitting
p95 <= 500 ms, no errors.

    python bench/serve.py [--students 50,200,500] [--seconds 20] [--db URL] [--threads 16]
                          [--processes 2]

The server uses SQLite in a temporary data folder unless --db names another database (an empty
PostgreSQL database: pip install 'matcalc[postgres]').  Grading runs in the server as in use.
With --processes N the server runs N app processes on the port (matcalc serve --processes).

The page reads an answer only after 300 ms without a keystroke; these students ask for a
reading after every burst, 150-300 ms apart: more readings than the page would send.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import select

from generator.sets import SetOptions, make_set
from grader.exercise_set import Exercise
from grader.roster import Student
from web.assignments import create_assignment, student_path
from web.database import connect, migrate
from web.policy import Policy
from web.schema import students

FAMILIES = ("quadratic", "linear_maps", "neuron", "trace_forms", "least_squares",
            "activations")
TARGETS = {"reading": 0.050, "submitting": 0.500}
#: Shares of each kind of answer a student types (they add up to 1).
MIX = {"right": 0.55, "latex": 0.15, "mistake": 0.12, "transpose": 0.10, "unfinished": 0.08}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


# --- what a student types ------------------------------------------------------------------


def typed_answer(exercise: Exercise, rng: random.Random) -> str:
    kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
    if kind == "latex":
        return exercise.answer_latex
    if kind == "mistake" and exercise.mistakes:
        return rng.choice(exercise.mistakes).answer
    if kind == "transpose":
        return f"({exercise.answer})^T"
    if kind == "unfinished":
        return exercise.answer[: max(1, len(exercise.answer) // 2)] + " + ("
    return exercise.answer


def bursts(text: str, rng: random.Random) -> Iterator[str]:
    """The prefixes a student has typed after each burst of 1-4 keys."""
    end = 0
    while end < len(text):
        end = min(len(text), end + rng.randint(1, 4))
        yield text[:end]


# --- measurements --------------------------------------------------------------------------


@dataclass
class Tally:
    """Latencies and errors of one kind of request, shared by the student threads."""

    seconds: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    #: Answers the server refused by design (429: a student's 21st answer in a minute, which
    #: the page asks them to wait with); not errors, and not timed.
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: Requests sent and not yet answered: thread id -> when sent.
    waiting: dict[int, float] = field(default_factory=dict)
    closed: bool = False

    def sent(self) -> float:
        moment = time.perf_counter()
        with self.lock:
            self.waiting[threading.get_ident()] = moment
        return moment

    def add(self, seconds: float, error: str | None) -> None:
        with self.lock:
            self.waiting.pop(threading.get_ident(), None)
            if self.closed:
                return
            if error == "HTTP 429":
                self.refused += 1
            elif error is None:
                self.seconds.append(seconds)
            else:
                self.errors[error] += 1

    def close(self) -> None:
        """At the end of a run: a request still unanswered counts with the time it has waited
        (a lower bound), so that stalled requests show in the percentiles; one unanswered for
        more than a second is also an error."""
        moment = time.perf_counter()
        with self.lock:
            for start in self.waiting.values():
                self.seconds.append(moment - start)
                if moment - start > 1.0:
                    self.errors["unanswered at the end"] += 1
            self.waiting.clear()
            self.closed = True

    def line(self, name: str, elapsed: float | None) -> str:
        """p50/p95/p99, the rate over ``elapsed`` seconds, errors, and the target if any."""
        with self.lock:
            values, errors = sorted(self.seconds), sum(self.errors.values())
        if not values:
            return f"  {name:<11} no answers; errors {errors} {dict(self.errors) or ''}"
        cut = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 \
            else [values[0]] * 99
        target = TARGETS.get(name) if elapsed is not None else None
        rate = f"{len(values) / elapsed:6.1f}/s" if elapsed else " " * 8
        verdict = "" if target is None else (
            f"  (target p95 <= {target * 1000:.0f} ms: "
            f"{'met' if cut[94] <= target and not errors else 'NOT met'})")
        return (f"  {name:<11} n={len(values):>6}  {rate}  "
                f"p50 {cut[49] * 1000:7.1f} ms  p95 {cut[94] * 1000:7.1f} ms  "
                f"p99 {cut[98] * 1000:7.1f} ms  errors {errors}"
                f"{' ' + str(dict(self.errors)) if errors else ''}"
                f"{f'  refused by the per-student limit {self.refused}' if self.refused else ''}"
                f"{verdict}")


class Client:
    """One keep-alive HTTP/1.1 connection from one loopback address, reopened after errors."""

    def __init__(self, port: int, source: str) -> None:
        self.port, self.source = port, source
        self.cookie = ""
        self._connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=10, source_address=(self.source, 0))
        sent = dict(headers or {})
        if self.cookie:
            sent["Cookie"] = self.cookie
        try:
            self._connection.request(method, path, body=body, headers=sent)
            response = self._connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        received = {name.lower(): value for name, value in response.getheaders()}
        if "set-cookie" in received:
            self.cookie = received["set-cookie"].split(";", 1)[0]
        if received.get("connection", "").lower() == "close":
            self.close()
        return response.status, received, data

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


@dataclass(frozen=True)
class Learner:
    source: str
    link: str
    exercises: tuple[Exercise, ...]
    seed: int


def student_loop(learner: Learner, port: int, stop: threading.Event, reading: Tally,
                 submitting: Tally, can_submit: bool) -> None:
    rng = random.Random(learner.seed)
    client = Client(port, learner.source)
    token = ""
    if can_submit:
        with contextlib.suppress(OSError, http.client.HTTPException):
            _, _, page = client.request("GET", learner.link)
            found = CSRF.search(page.decode("utf-8", "replace"))
            token = next(filter(None, found.groups()), "") if found else ""
    stop.wait(rng.uniform(0, 2))  # students don't all start on the same millisecond
    question = 0
    while not stop.is_set():
        exercise = learner.exercises[question % len(learner.exercises)]
        question += 1
        answer = typed_answer(exercise, rng)
        for prefix in bursts(answer, rng):
            if stop.wait(rng.uniform(0.150, 0.300)):
                break
            body = json.dumps({"given": exercise.given, "text": prefix}).encode()
            timed(client, reading, "POST", "/api/parse", body,
                  {"Content-Type": "application/json"}, expect=200)
        else:
            if can_submit and not stop.is_set() and not pending(client, learner, exercise):
                form = urlencode({"csrf_token": token, "question": exercise.id,
                                  "answer": answer}).encode()
                timed(client, submitting, "POST", learner.link + "/submit", form,
                      {"Content-Type": "application/x-www-form-urlencoded",
                       "Referer": f"http://127.0.0.1:{port}{learner.link}"}, expect=303)
            stop.wait(rng.uniform(1.0, 3.0))
    client.close()


def pending(client: Client, learner: Learner, exercise: Exercise) -> bool:
    """Whether the question has an attempt still being graded, as the page's status poll says:
    the page then holds the answer back (a new attempt would be refused, 409) and the student
    goes on to the next question."""
    try:
        status, _, body = client.request("GET", learner.link + "/status")
        attempts = json.loads(body)["attempts"] if status == 200 else []
    except (OSError, http.client.HTTPException, ValueError, KeyError):
        return False
    return any(item["question"] == exercise.id and item["state"] != "graded"
               for item in attempts)


def timed(client: Client, tally: Tally, method: str, path: str, body: bytes | None,
          headers: dict[str, str], expect: int) -> None:
    start = tally.sent()
    try:
        status, _, _ = client.request(method, path, body, headers)
    except (OSError, http.client.HTTPException) as problem:
        tally.add(0.0, type(problem).__name__)
        return
    tally.add(time.perf_counter() - start, None if status == expect else f"HTTP {status}")


def baseline_loop(port: int, stop: threading.Event, tally: Tally) -> None:
    client = Client(port, "127.0.0.1")
    while not stop.wait(0.05):
        timed(client, tally, "GET", "/healthz", None, {}, expect=200)
    client.close()


# --- the server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def running_server(database: str, folder: Path, options: list[str]) -> Iterator[int]:
    """``matcalc serve`` in a subprocess, answering on a free port; stopped with Ctrl-C."""
    port = free_port()
    log = (folder / "serve.log").open("w")
    command = [sys.executable, "-m", "generator.cli", "serve", "--db", database,
               "--port", str(port), *options]
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                              env={**os.environ, "MATCALC_DATA": str(folder)})
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise SystemExit(f"matcalc serve exited:\n{(folder / 'serve.log').read_text()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, _, _ = Client(port, "127.0.0.1").request("GET", "/healthz")
                if status == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit("matcalc serve did not answer /healthz in 60 s")
            time.sleep(0.2)
        yield port
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def prepare(database: str, count: int, seed: int) -> list[Learner]:
    """An assignment with ``count`` students (unlimited attempts), stored before the server
    starts; each student's link and exercises."""
    exercise_set = make_set(SetOptions(families=FAMILIES, count=4, seed=seed),
                            [Student(f"s{number:04d}", f"Student {number}")
                             for number in range(count)])
    by_key = {variant.id: variant for variant in exercise_set.variants}
    engine = connect(database)
    migrate(engine)
    learners = []
    with engine.begin() as connection:
        assignment_id = create_assignment(connection, title="Load test", policy=Policy(),
                                          exercise_set=exercise_set)
        rows = connection.execute(select(students.c.id, students.c.student_key).where(
            students.c.assignment_id == assignment_id).order_by(students.c.id)).all()
        for number, row in enumerate(rows):
            learners.append(Learner(f"127.2.{number // 250}.{number % 250 + 1}",
                                    student_path(connection, row.id),
                                    by_key[row.student_key].exercises, seed + number))
    engine.dispose()
    return learners


def load(learners: list[Learner], port: int, seconds: float, can_submit: bool) -> None:
    reading, submitting, baseline = Tally(), Tally(), Tally()
    stop = threading.Event()
    workers = [threading.Thread(target=student_loop, daemon=True,
                                args=(learner, port, stop, reading, submitting, can_submit))
               for learner in learners]
    workers.append(threading.Thread(target=baseline_loop, args=(port, stop, baseline),
                                    daemon=True))
    before = os.getloadavg()[0]
    for worker in workers:
        worker.start()
    time.sleep(2.5)  # every student started (and fetched their page)
    with reading.lock, submitting.lock, baseline.lock:
        for tally in (reading, submitting, baseline):
            tally.seconds.clear()
            tally.errors.clear()
            tally.refused = 0
            # requests sent before the start keep their place in ``waiting``
    start = time.perf_counter()
    time.sleep(seconds)
    elapsed = time.perf_counter() - start
    stop.set()
    for tally in (reading, submitting, baseline):
        tally.close()
    lines = [reading.line("reading", elapsed)]
    lines.append(submitting.line("submitting", elapsed) if can_submit else
                 "  submitting  not measured: this server has no /a/<id>/<token>/submit")
    lines.append(baseline.line("baseline", elapsed) + "  (GET /healthz under the same load)")
    for worker in workers:
        worker.join(10)
    print(f"N = {len(learners)} students, {elapsed:.0f} s  (load average "
          f"{before:.2f} before, {os.getloadavg()[0]:.2f} after)")
    print("\n".join(lines), flush=True)


def idle_baseline(port: int) -> None:
    """Latencies with one client and nothing else: the floor the loaded figures sit on."""
    client, healthz, reading = Client(port, "127.0.0.1"), Tally(), Tally()
    for number in range(100):  # a new text each time: nothing comes from the parse cache
        body = json.dumps({"given": "x[n], A[n,n]",
                           "text": f"x^T (A + A^T) + {number + 2} x^T A"}).encode()
        timed(client, healthz, "GET", "/healthz", None, {}, expect=200)
        timed(client, reading, "POST", "/api/parse", body,
              {"Content-Type": "application/json"}, expect=200)
    client.close()
    print("idle, one request at a time:")
    print(healthz.line("healthz", None))
    print(reading.line("reading", None), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", default="50,200,500",
                        help="comma-separated class sizes (default: 50,200,500)")
    parser.add_argument("--seconds", type=float, default=20.0, help="load per class size")
    parser.add_argument("--db", default=None, help="an empty database (default: SQLite)")
    parser.add_argument("--threads", type=int, default=None,
                        help="the server's request threads (default: matcalc serve's)")
    parser.add_argument("--processes", type=int, default=1,
                        help="the server's app processes (matcalc serve --processes)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--serve-option", action="append", default=[], metavar="OPTION",
                        help="passed on to matcalc serve (repeatable)")
    arguments = parser.parse_args()
    sizes = [int(part) for part in arguments.students.split(",")]
    with tempfile.TemporaryDirectory(prefix="matcalc-bench-serve-") as temporary:
        folder = Path(temporary)
        database = arguments.db or f"sqlite:///{folder / 'matcalc.sqlite3'}"
        print(f"making an assignment for {max(sizes)} students ...", flush=True)
        learners = prepare(database, max(sizes), arguments.seed)
        extra = list(arguments.serve_option)
        threads = ["--threads", str(arguments.threads)] if arguments.threads else []
        threads += ["--processes", str(arguments.processes)]
        with running_server(database, folder, threads + extra) as port:
            status, _, _ = Client(port, "127.0.0.1").request("GET", learners[0].link)
            can_submit = status == 200
            print(f"server: matcalc serve {' '.join(threads + extra)} on port {port}, "
                  f"{database.split(':', 1)[0]}; {os.cpu_count()} cores; load average "
                  f"{os.getloadavg()[0]:.2f}", flush=True)
            idle_baseline(port)
            for size in sizes:
                load(learners[:size], port, arguments.seconds, can_submit)

if __name__ == "__main__":
    main()
