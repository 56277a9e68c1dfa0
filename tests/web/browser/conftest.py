"""Real-browser fixtures: Debian's chromium driven by Playwright (never ``playwright install``).

Browser tests run on SQLite only: what they test is the page, and the database behind it is
tested on both backends by the other web tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Browser, Page

from web.config import ServeConfig

#: axe-core is vendored with the other browser libraries; the page loads it from its own
#: origin, as the Content-Security-Policy allows no inline script.
AXE = "/static/vendor/axe-core/axe.min.js"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'matcalc.sqlite3'}"


@pytest.fixture
def config(database_url: str) -> ServeConfig:
    # Practice answers are checked by the grading thread's pool: it must run (with the default
    # caps: its workers start from a small forkserver process, not from this one).
    return ServeConfig(database_url=database_url, secret_key="test-secret-key-" + "x" * 32,
                       grading=True)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    opened.on("console", lambda message: problems.append(f"console {message.type}: "
                                                         f"{message.text}")
              if message.type == "error" else None)
    yield opened
    context.close()
    assert not problems, problems  # no script error, no refused resource (CSP), no 404


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.add_script_tag(url=urljoin(page.url, AXE))
    found: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [node["target"] for node in v["nodes"]][:5]}
            for v in found if v["impact"] in ("serious", "critical")]


def describe(violations: list[dict[str, Any]]) -> str:
    return json.dumps(violations, indent=1)
