"""How long an LTI launch and a score passback take, on loopback against the test platform.

Run by hand:  .venv/bin/python bench/lti.py [--runs 10]

One matcalc app (SQLite in a temporary folder, waitress) and the test platform of
``tests/web/lti/platform.py``.  Timed, each ``--runs`` times:

* healthz: ``GET /healthz`` (the baseline: one request to the same server);
* first launch: login, the platform's authentication, the launch of a learner never seen (a
  variant made and verified, the student enrolled);
* launch again: the same learner launching again (no variant to make);
* passback: from a graded total handed to the score sender to its arrival at the platform
  (an access token the first time, cached after).

Printed: the median and the ratio to the baseline.  Nothing is a target.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests
from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.web.lti.platform import Browser, Message, running_platform
from tests.web.servers import live_server
from web.app import close_app, create_app
from web.assignments import variant_of
from web.config import ServeConfig
from web.database import now
from web.lti.platforms import add_platform
from web.schema import students, submissions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the platform's request log
    with tempfile.TemporaryDirectory() as folder:
        config = ServeConfig(database_url=f"sqlite:///{folder}/bench.sqlite3",
                             secret_key="bench-" + "x" * 40, grading=False)
        app = create_app(config)
        engine = app.extensions["matcalc.engine"]
        sender = app.extensions["matcalc.lti.sender"]
        try:
            with live_server(app) as server, running_platform(server.url) as platform:
                with engine.begin() as connection:
                    add_platform(connection, issuer=platform.issuer,
                                 client_id=platform.client_id,
                                 deployment_id=platform.deployment_id,
                                 auth_url=platform.auth_url, token_url=platform.token_url,
                                 jwks_url=platform.jwks_url)
                times: dict[str, list[float]] = {name: [] for name in (
                    "healthz", "first launch", "launch again", "passback")}
                browser = Browser(platform)
                for run in range(runs):
                    start = time.perf_counter()
                    requests.get(server.url + "/healthz", timeout=10).raise_for_status()
                    times["healthz"].append(time.perf_counter() - start)

                    sub = f"bench-{run}"
                    start = time.perf_counter()
                    reply = browser.launch(Message(sub=sub))
                    times["first launch"].append(time.perf_counter() - start)
                    assert reply.status_code == 303, reply.text
                    student_id = int(reply.headers["Location"].split("/")[2])

                    start = time.perf_counter()
                    assert browser.launch(Message(sub=sub)).status_code == 303
                    times["launch again"].append(time.perf_counter() - start)

                    with engine.begin() as connection:
                        row = connection.execute(
                            select(students).where(students.c.id == student_id)).one()
                        for exercise in variant_of(row).exercises:
                            connection.execute(insert(submissions).values(
                                student_id=student_id, question_id=exercise.id, answer="x",
                                state="graded", submitted_at=now(), graded_at=now(),
                                status="correct", score=1.0,
                                verdict_json=json.dumps({"status": "correct"})))
                    start = time.perf_counter()
                    sender.graded(student_id)
                    while ("1", sub) not in platform.scores:
                        time.sleep(0.001)
                    times["passback"].append(time.perf_counter() - start)
        finally:
            close_app(app)
    base = statistics.median(times["healthz"])
    print(f"{runs} runs each, medians")
    for name, values in times.items():
        middle = statistics.median(values)
        print(f"  {name:<13} {middle * 1000:8.1f} ms   {middle / base:7.1f} x healthz")


if __name__ == "__main__":
    main()
