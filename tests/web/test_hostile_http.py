"""Hostile input over real HTTP (waitress on a loopback port), on SQLite and PostgreSQL.

Every hostile case of the answer language (tests/grader/language/hostile_cases.py) is sent to
the live reading; malformed requests (oversized, deeply nested, wrongly typed, not UTF-8) are
sent as raw bytes.  Each must get a clear refusal (a status with a message) or a reading that
says ``valid: false``, never a 500, and nothing may be stored: the rows of every table are
counted before and after each request.

The reading's rate limit is off here, so that the cases go at full speed: it has its own test
(tests/web/test_security.py).
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import Engine, func, select

from generator.sets import SetOptions, make_set
from grader.roster import Student
from tests.grader.language.hostile_cases import CASES, Case
from tests.web.servers import LiveServer, live_server
from web.api import MAX_GIVEN
from web.app import close_app, create_app
from web.assignments import create_assignment, student_path, variant_of
from web.config import ServeConfig
from web.schema import metadata, students, submissions

#: Seconds a request may take before it counts as hanging.  Not a speed target (those are in
#: bench/serve.py): a runaway parse takes seconds, a refused one milliseconds.
HANG = 5.0
MAX_BYTES = ServeConfig("sqlite://", "k").max_request_bytes
NAUGHTY_NAME = "<script>alert('name')</script>"


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def json(self) -> Any:
        assert self.headers.get("content-type", "").startswith("application/json"), self.headers
        return json.loads(self.body)


class Served:
    """The live app, a raw HTTP client for it, and its database's row counts."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        parts = urlsplit(server.url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.engine: Engine = server.app.extensions["matcalc.engine"]

    def send(self, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> Reply:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=HANG * 4)
        start = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data,
                     time.perf_counter() - start)

    def parse(self, record: dict[str, Any]) -> Reply:
        return self.send("POST", "/api/parse", json.dumps(record).encode(),
                         {"Content-Type": "application/json"})

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as connection:
            return {table.name: connection.execute(
                select(func.count()).select_from(table)).scalar_one()
                for table in metadata.sorted_tables}


@pytest.fixture(scope="module")
def served(module_database_url: str) -> Iterator[Served]:
    """The app on waitress, with an assignment and its roster already stored (so that "nothing
    stored" is checked on tables that are not empty)."""
    config = ServeConfig(database_url=module_database_url, secret_key="hostile-" + "k" * 40,
                         parse_rate=0, submissions_per_minute=1_000_000)
    app = create_app(config)
    engine: Engine = app.extensions["matcalc.engine"]
    exercise_set = make_set(SetOptions(families=("quadratic",), count=1, seed=3),
                            [Student("s1", NAUGHTY_NAME), Student("s2", "Ben")])
    with engine.begin() as connection:
        create_assignment(connection, title="Hostile <b>week</b>", exercise_set=exercise_set)
    try:
        with live_server(app) as server:
            yield Served(server)
    finally:
        close_app(app)


@pytest.fixture
def nothing_stored(served: Served) -> Iterator[Served]:
    before = served.counts()
    assert before["students"] == 2
    yield served
    assert served.counts() == before, "a refused request changed the database"


def well_behaved(reply: Reply) -> None:
    """Never a crash, never a hang, always a plain answer the browser won't run."""
    assert reply.status != 500 and reply.status < 500, (reply.status, reply.body[:300])
    assert reply.seconds < HANG, f"{reply.seconds:.1f} s"
    assert reply.headers.get("x-content-type-options") == "nosniff"
    assert "script-src 'self'" in reply.headers.get("content-security-policy", "")
    assert b"Traceback" not in reply.body


# --- the language's hostile cases, read live ------------------------------------------------


def reading_of(case: Case) -> dict[str, str]:
    if case.declarations:
        return {"given": case.text, "text": "x"}
    return {"given": case.given, "text": case.text}


@pytest.mark.parametrize("case", CASES)
def test_hostile_case_is_read_or_refused(nothing_stored: Served, case: Case) -> None:
    served = nothing_stored
    record = reading_of(case)
    reply = served.parse(record)
    well_behaved(reply)
    if reply.status == 413:  # only a body over the cap may be refused for its size
        assert len(json.dumps(record).encode()) > MAX_BYTES
        assert "KB" in reply.json()["error"]
        return
    if reply.status == 400:  # the declarations (the question's, not the student's) are bad
        assert case.declarations or _bad_given(served, case.given), reply.body
        message = reply.json()["error"]
        assert message.strip()
        if len(record["given"]) <= MAX_GIVEN:
            for word in case.words:
                assert word.lower() in message.lower(), (word, message)
        return
    assert reply.status == 200, (reply.status, reply.body[:300])
    reading = reply.json()
    if case.twin is not None:
        twin = served.parse({"given": case.given, "text": case.twin}).json()
        assert reading["valid"] and reading["ascii"] == twin["ascii"], reading
        return
    if not case.may_parse:
        assert reading["valid"] is False, reading
    if not reading["valid"]:
        message = reading["message"]
        assert message and message.strip() and reading["error"]
        for word in case.words:
            assert word.lower() in message.lower(), (word, message)


def _bad_given(served: Served, given: str) -> bool:
    """The case's own declarations are refused (a case of bad declarations given to parse)."""
    return served.parse({"given": given, "text": "1"}).status == 400


def test_answers_are_json_that_no_browser_renders(nothing_stored: Served) -> None:
    reply = nothing_stored.parse({"given": "x[n]", "text": "<script>alert(1)</script>"})
    well_behaved(reply)
    assert reply.status == 200 and reply.json()["valid"] is False
    assert reply.headers["content-type"].startswith("application/json")


# --- malformed requests to the live reading -------------------------------------------------

NESTED_ARRAY = b"[" * 30_000 + b"]" * 30_000
NESTED_TEXT = b'{"given": "x[n]", "text": ' + b"[" * 20_000 + b"]" * 20_000 + b"}"
GOOD = b'{"given": "x[n]", "text": "x"}'
JSON = {"Content-Type": "application/json"}

MALFORMED = [
    pytest.param("POST", b"x" * (MAX_BYTES + 1), JSON, 413, id="oversized-body"),
    pytest.param("POST", b'{"given": "x[n]", "text": "' + b"x" * 200_000 + b'"}', JSON, 413,
                 id="oversized-answer"),
    pytest.param("POST", NESTED_ARRAY, JSON, 400, id="deeply-nested-json"),
    pytest.param("POST", NESTED_TEXT, JSON, 400, id="deeply-nested-answer"),
    pytest.param("POST", GOOD, {"Content-Type": "text/plain"}, 400, id="text-plain"),
    pytest.param("POST", GOOD, {"Content-Type": "application/x-www-form-urlencoded"}, 400,
                 id="form-encoded"),
    pytest.param("POST", GOOD, {"Content-Type": "multipart/form-data; boundary=x"}, 400,
                 id="multipart"),
    pytest.param("POST", GOOD, {}, 400, id="no-content-type"),
    pytest.param("POST", b"", JSON, 400, id="empty-body"),
    pytest.param("POST", b'{"given": "x[n]", "text": "\xff\xfe\xc3"}', JSON, 400,
                 id="not-utf-8"),
    pytest.param("POST", '{"given": "x[n]", "text": "xé"}'.encode("latin-1"), JSON, 400,
                 id="latin-1"),
    pytest.param("POST", b'{"given": "x[n]", "text": "x"', JSON, 400, id="truncated-json"),
    pytest.param("POST", b'{"given": "x[n]", "text": NaN}', JSON, 400, id="nan"),
    pytest.param("POST", b'{"given": "x[n]", "text": ' + b"9" * 5000 + b"}", JSON, 400,
                 id="5000-digit-number"),
    pytest.param("POST", b'{"given": "x[n]", "text": null}', JSON, 400, id="null-text"),
    pytest.param("POST", b'{"given": "x[n]", "text": {"$gt": ""}}', JSON, 400,
                 id="object-text"),
    pytest.param("POST", b'{"given": ["x[n]"], "text": "x"}', JSON, 400, id="list-given"),
    pytest.param("POST", b'{"given": "' + b"x" * (MAX_GIVEN + 1) + b'", "text": "x"}', JSON,
                 400, id="long-given"),
    pytest.param("POST", b'{"given": "x[n]", "text": "x", "expected": {"n": 1}}', JSON, 400,
                 id="object-expected"),
    pytest.param("POST", b'{"given": "x[n]", "text": "x", "expected": "' + b"n," * 5000 +
                 b'"}', JSON, 400, id="long-expected"),
    pytest.param("GET", None, {}, 405, id="get"),
    pytest.param("PUT", GOOD, JSON, 405, id="put"),
    pytest.param("DELETE", None, {}, 405, id="delete"),
]


@pytest.mark.parametrize(("method", "body", "headers", "status"), MALFORMED)
def test_malformed_reading_request_is_refused(nothing_stored: Served, method: str,
                                              body: bytes | None, headers: dict[str, str],
                                              status: int) -> None:
    reply = nothing_stored.send(method, "/api/parse", body, headers)
    well_behaved(reply)
    assert reply.status == status, (reply.status, reply.body[:300])
    assert reply.json()["error"].strip()


def test_a_chunked_oversized_body_is_refused(nothing_stored: Served) -> None:
    """No Content-Length to check up front: the cap holds while reading."""
    served = nothing_stored
    connection = http.client.HTTPConnection(served.host, served.port, timeout=HANG * 4)
    try:
        chunks = (b'{"given": "x[n]", "text": "' + b"x" * 4096 if i == 0 else b"x" * 4096
                  for i in range(64))
        connection.request("POST", "/api/parse", body=chunks, headers=JSON,
                           encode_chunked=True)
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    assert response.status == 413, (response.status, data[:300])


def test_unknown_pages_are_refused_plainly(nothing_stored: Served) -> None:
    for path in ["/no-such-page", "/%ff%fe", "/api/no-such-thing", "/a/1/not-a-token",
                 "/static/../web/config.py", "/" + "x" * 5000]:
        for method in ("GET", "POST"):
            reply = nothing_stored.send(method, path)
            well_behaved(reply)
            assert reply.status in (400, 404, 405, 414), (path, reply.status)


# --- the personal link's submit: hostile answers, bad tokens, missing CSRF tokens ----------

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Session:
    """A student's browser: the cookie and CSRF token their page gave them."""

    link: str
    cookie: str
    token: str


def open_page(served: Served, link: str) -> Session:
    reply = served.send("GET", link)
    assert reply.status == 200, reply.status
    cookie = reply.headers["set-cookie"].split(";", 1)[0]
    found = CSRF_FIELD.search(reply.body.decode())
    assert found, "no CSRF token in the page"
    return Session(link, cookie, found.group(1))


def links(served: Served) -> list[tuple[int, str]]:
    """Each student's id and personal link, in roster order."""
    with served.engine.connect() as connection:
        ids = connection.execute(select(students.c.id).order_by(students.c.id)).scalars().all()
        return [(int(i), student_path(connection, int(i))) for i in ids]


def submit(served: Served, session: Session, answer: str | bytes, *, question: str = "q1",
           token: str | None = None, cookie: str | None = None,
           link: str | None = None) -> Reply:
    fields = {"question": question, "answer": answer}
    if token is not None or session.token:
        fields["csrf_token"] = session.token if token is None else token
    body = urlencode({key: value.encode("utf-8", "surrogatepass") if isinstance(value, str)
                      else value for key, value in fields.items() if value is not None}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if (session.cookie if cookie is None else cookie):
        headers["Cookie"] = session.cookie if cookie is None else cookie
    return served.send("POST", (link or session.link) + "/submit", body, headers)


def graded(served: Served, seconds: float = 60) -> list[Any]:
    """Wait until the grading thread has graded every submission; the rows, newest first (a
    question takes no new attempt while one is being graded)."""
    deadline = time.monotonic() + seconds
    while True:
        with served.engine.connect() as connection:
            rows = connection.execute(select(submissions).order_by(
                submissions.c.id.desc())).all()
        if all(row.state == "graded" for row in rows):
            return list(rows)
        assert time.monotonic() < deadline, "submissions still not graded"
        time.sleep(0.05)


def question_given(served: Served) -> str:
    """The declarations of the first student's question q1."""
    with served.engine.connect() as connection:
        row = connection.execute(select(students).order_by(students.c.id).limit(1)).one()
    return next(e.given for e in variant_of(row).exercises if e.id == "q1")


@pytest.fixture
def student(served: Served) -> Session:
    graded(served)
    return open_page(served, links(served)[0][1])


@pytest.mark.parametrize("case", [case for case in CASES if not case.values[0].declarations])
def test_hostile_answer_is_stored_as_typed_or_refused(served: Served, student: Session,
                                                     case: Any) -> None:
    """A hostile answer is an attempt like any other (stored, then graded as invalid) unless a
    cap refuses it; either way no crash, and what is stored is what was typed."""
    before = served.counts()
    reply = submit(served, student, case.text)
    well_behaved(reply)
    after = served.counts()
    if reply.status == 303:
        assert after == {**before, "submissions": before["submissions"] + 1}
        newest = graded(served)[0]
        if "\ud800" not in case.text:
            assert newest.answer == case.text
        else:  # a lone surrogate can't be sent as UTF-8 (it went as bytes): stored as text
            newest.answer.encode("utf-8")
        # the grader reads what the live reading showed: unreadable there, invalid here
        reading = served.parse({"given": question_given(served), "text": case.text})
        if reading.status == 200:
            assert (newest.status == "invalid") == (not reading.json()["valid"]), (
                reading.json(), newest.verdict_json)
        assert newest.status in {"invalid", "wrong_shape", "incorrect", "correct", "undecided"}
        return
    assert after == before, "a refused answer was stored"
    assert reply.status in (400, 413), (reply.status, reply.body[:300])
    if reply.status == 400:
        if "\x00" in case.text:  # refused on every database: PostgreSQL can't store it
            assert b"NUL character" in reply.body
        elif case.text.strip():
            assert len(case.text) > 2000 and b"characters" in reply.body
        else:
            assert b"empty" in reply.body


def test_bad_tokens_are_refused_and_store_nothing(served: Served) -> None:
    graded(served)
    before = served.counts()
    (first, link), (second, other) = links(served)[:2]
    session = open_page(served, link)
    token = link.rsplit("/", 1)[1]
    wrong = [f"/a/{first}/{token[:-1]}", f"/a/{first}/{token}x", f"/a/{first}/{token.upper()}",
             f"/a/{second}/{token}", f"/a/{first}/{other.rsplit('/', 1)[1]}",
             f"/a/999999/{token}", f"/a/{first}/" + "x" * 5000, f"/a/{first}/%00",
             f"/a/{first}/{token}%00", f"/a/-1/{token}", f"/a/{first}/..%2f..%2fhealthz"]
    for path in wrong:
        for reply in (served.send("GET", path), submit(served, session, "x", link=path)):
            well_behaved(reply)
            assert reply.status in (400, 404, 414), (path, reply.status)
            assert token.encode() not in reply.body
    assert served.counts() == before


def test_missing_or_forged_csrf_tokens_are_refused_and_store_nothing(served: Served) -> None:
    graded(served)
    before = served.counts()
    link = links(served)[0][1]
    session = open_page(served, link)
    elsewhere = open_page(served, link)  # another browser's session and token
    attempts = {
        "no token": submit(served, dataclasses.replace(session, token=""), "x^T A"),
        "empty token": submit(served, session, "x^T A", token=" "),
        "forged token": submit(served, session, "x^T A", token="IjEyMzQ1Ng.forged.token"),
        "another session's token": submit(served, session, "x^T A", token=elsewhere.token),
        "no cookie": submit(served, session, "x^T A", cookie=""),
    }
    for what, reply in attempts.items():
        well_behaved(reply)
        assert reply.status == 400, (what, reply.status)
        assert b"reload" in reply.body, what
    assert served.counts() == before
    assert submit(served, session, "x^T A", question="nope").status == 400  # token accepted


def test_malformed_submissions_are_refused_and_store_nothing(served: Served) -> None:
    session = open_page(served, links(served)[0][1])
    base = {"Cookie": session.cookie}
    form = {**base, "Content-Type": "application/x-www-form-urlencoded"}
    fields = f"csrf_token={session.token}&question=q1&answer="
    cases = {
        "oversized": (fields.encode() + b"x" * (MAX_BYTES + 1), form, 413),
        "json": (json.dumps({"csrf_token": session.token, "question": "q1",
                             "answer": "x"}).encode(), {**base, **JSON}, 400),
        "no content type": (fields.encode() + b"x", base, 400),
        "empty answer": (fields.encode(), form, 400),
        "unknown question": (f"csrf_token={session.token}&question=q99&answer=x".encode(),
                             form, 400),
        "question as a list": (fields.encode() + b"x&question=q2", form, None),
    }
    for what, (body, headers, status) in cases.items():
        graded(served)
        before = served.counts()
        reply = served.send("POST", session.link + "/submit", body, headers)
        well_behaved(reply)
        if status is None:  # the first value counts, like a browser's form: one attempt
            assert reply.status == 303
            continue
        assert reply.status == status, (what, reply.status, reply.body[:300])
        assert served.counts() == before, what


def test_student_text_is_escaped_on_every_page_that_echoes_it(served: Served) -> None:
    """The roster name and an answer, both <script> elements, come back as text."""
    link = links(served)[0][1]
    session = open_page(served, link)
    answer = "<script>alert('answer')</script> x^T A"
    graded(served)
    assert submit(served, session, answer).status == 303
    for path in (link, link + "/status"):
        reply = served.send("GET", path, headers={"Cookie": session.cookie})
        well_behaved(reply)
        body = reply.body.decode()
        assert "<script>alert(" not in body, path
    page = served.send("GET", link).body.decode()
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(&#39;answer&#39;)&lt;/script&gt;" in page
