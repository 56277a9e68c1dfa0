"""The two script interfaces: /healthz and /api/parse, the same fields as matcalc parse --json."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from flask.testing import FlaskClient


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(("text", "expected"), [
    ("x^T(A+A^T)", None),
    ("$x^TAx$", None),
    ("x + x^T", None),
    ("I", "n,n"),
    ("2 I + A", ["n", "n"]),
])
def test_parse_agrees_with_the_command_line(client: FlaskClient, text: str,
                                            expected: str | list[str] | None) -> None:
    body: dict[str, object] = {"given": "x[n], A[n,n]", "text": text}
    if expected is not None:
        body["expected"] = expected
    response = client.post("/api/parse", json=body)
    assert response.status_code == 200
    command = [sys.executable, "-m", "generator.cli", "parse", "--given", "x[n], A[n,n]",
               "--json", text]
    if expected is not None:
        shape = expected if isinstance(expected, str) else ",".join(expected)
        command[-1:-1] = ["--expected", shape]
    printed = subprocess.run(command, capture_output=True, text=True, check=False).stdout
    assert response.get_json() == json.loads(printed)


def test_parse_reports_the_reading_and_shape(client: FlaskClient) -> None:
    record = client.post("/api/parse", json={"given": "x[n], A[n,n]",
                                             "text": "x^T(A+A^T)"}).get_json()
    assert record["valid"] and record["ascii"] == "x^T (A + A^T)"
    assert record["shape"] == ["1", "n"] and record["shape_described"] == "1×n (row vector)"
    broken = client.post("/api/parse", json={"given": "x[n]", "text": "x + x^T"}).get_json()
    assert not broken["valid"] and "transpose" in broken["message"]
    assert broken["position"] == 0 and "^" in broken["caret"]


@pytest.mark.parametrize("body", [
    b"not json", b"[]", b'{"given": 3, "text": "x"}', b'{"given": "x[n]"}',
    b'{"given": "x[n", "text": "x"}', b'{"given": "x[n]", "text": "x", "expected": "n;;"}',
    b'{"given": "x[n]", "text": "x", "expected": [1, 2]}',
])
def test_malformed_requests_are_refused_clearly(client: FlaskClient, body: bytes) -> None:
    response = client.post("/api/parse", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]


def test_oversized_body_is_refused(client: FlaskClient) -> None:
    huge = json.dumps({"given": "x[n]", "text": "x + " * 40_000})
    response = client.post("/api/parse", data=huge, content_type="application/json")
    assert response.status_code == 413
