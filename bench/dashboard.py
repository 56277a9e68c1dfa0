"""How long the dashboard takes for a large class.

Run by hand:  .venv/bin/python bench/dashboard.py [--students 300] [--db URL]

An assignment of ``--students`` students, four questions each, two graded attempts per
question (one wrong, one unreadable), stored straight in a fresh database (SQLite in a
temporary folder unless ``--db`` names one).  Printed: the median time of five requests of the
assignment page (statistics and totals), the Canvas gradebook, the attempts export and one
student's page, through Flask's test client.  Nothing is timed as a target.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import insert

from generator.sets import SetOptions, make_set
from grader.roster import Student
from web.app import close_app, create_app
from web.assignments import create_assignment
from web.config import ServeConfig
from web.database import now
from web.instructor.access import set_password
from web.schema import submissions

PASSWORD = "bench password"
WRONG = json.dumps({"status": "incorrect", "note": "transpose", "feedback": "transposed"})
UNREADABLE = json.dumps({"status": "invalid", "note": "syntax", "feedback": "ends too soon"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--db", default=None)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = arguments.db or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        app = create_app(ServeConfig(database_url=url, secret_key="b" * 48, grading=False))
        try:
            run(app, arguments.students)
        finally:
            close_app(app)


def run(app: Flask, count: int) -> None:
    engine = app.extensions["matcalc.engine"]
    exercise_set = make_set(SetOptions(families=("quadratic",), count=4, seed=1),
                            [Student(f"s{i}") for i in range(count)], check=False)
    with engine.begin() as connection:
        set_password(connection, "bench", PASSWORD)
        assignment_id = create_assignment(connection, title="Bench", exercise_set=exercise_set)
        connection.execute(insert(submissions), [
            {"student_id": student, "question_id": f"q{q}", "answer": answer,
             "submitted_at": now(), "state": "graded", "status": status, "score": 0.0,
             "verdict_json": verdict}
            for student in range(1, count + 1) for q in range(1, 5)
            for answer, status, verdict in (("x^T A", "incorrect", WRONG),
                                            ("x +", "invalid", UNREADABLE))])
    client = app.test_client()
    page = client.get("/instructor/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    client.post("/instructor/login", data={"csrf_token": token.group(1), "username": "bench",
                                           "password": PASSWORD})
    base = f"/instructor/assignments/{assignment_id}"
    print(f"{count} students, {count * 8} attempts")
    for path in (base, f"{base}/gradebook-canvas.csv", f"{base}/attempts.csv",
                 f"/instructor/students/{count // 2}"):
        times = []
        for _ in range(5):
            start = time.perf_counter()
            answer = client.get(path)
            times.append(time.perf_counter() - start)
            assert answer.status_code == 200, (path, answer.status_code)
        print(f"  {path}: median {1000 * statistics.median(times):.0f} ms")


if __name__ == "__main__":
    main()
