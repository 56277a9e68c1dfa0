"""The results.json contract of a Gradescope autograder (reference/lms-formats.md, (b)),
written out as checks, for the tests of both the in-process runtime and the exported zip."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OUTPUT_FORMATS = {"text", "simple_format", "html", "md", "ansi"}
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
TOP_LEVEL = {"score", "execution_time", "output", "output_format", "test_output_format",
             "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests",
             "leaderboard"}
TEST_FIELDS = {"score", "max_score", "status", "name", "name_format", "number", "output",
               "output_format", "tags", "visibility", "extra_data"}


def number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def load_results(path: Path) -> dict[str, Any]:
    """Read results.json and check every documented field's type and value."""
    results = json.loads(path.read_text("utf-8"))
    assert isinstance(results, dict)
    assert set(results) <= TOP_LEVEL, set(results) - TOP_LEVEL
    tests = results.get("tests", [])
    assert isinstance(tests, list)
    assert "score" in results or all("score" in t for t in tests)
    if "score" in results:
        assert number(results["score"])
    if "execution_time" in results:
        assert number(results["execution_time"]) and results["execution_time"] >= 0
    for key in ("output_format", "test_output_format"):
        assert results.get(key, "text") in OUTPUT_FORMATS
    for key in ("visibility", "stdout_visibility"):
        assert results.get(key, "visible") in VISIBILITY
    assert isinstance(results.get("output", ""), str)
    for test in tests:
        assert isinstance(test, dict) and set(test) <= TEST_FIELDS, set(test) - TEST_FIELDS
        for key in ("score", "max_score"):
            if key in test:
                assert number(test[key])
        if "score" in test and "max_score" in test:
            assert 0 <= test["score"] <= test["max_score"]
        assert test.get("status", "passed") in {"passed", "failed"}
        assert test.get("output_format", "text") in OUTPUT_FORMATS
        assert test.get("visibility", "visible") in VISIBILITY
        assert isinstance(test.get("name", ""), str) and isinstance(test.get("output", ""), str)
        if "number" in test:
            assert isinstance(test["number"], str)
    if tests and all("score" in t for t in tests):
        assert abs(results["score"] - sum(t["score"] for t in tests)) < 1e-9
    return results
