"""Fixtures for the web app: every database test runs on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser

from tests.web.chromium import launched_browser
from tests.web.postgres import fresh_database, postgres_server, require_postgres
from tests.web.servers import LiveServer, live_server
from web.app import close_app, create_app
from web.config import ServeConfig


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[str]:
    """One server for the session.  Without PostgreSQL's programs its cases are skipped, except
    under CI, which installs them (.ci/run): there a missing server is a failure.  Installed but
    failing to start is always an error, with the server's own message."""
    require_postgres(ci=bool(os.environ.get("CI")))
    with postgres_server() as url:
        yield url


BACKENDS = ["sqlite", "postgresql"]


def new_database(backend: str, request: pytest.FixtureRequest, folder: Path) -> str:
    """The URL of a new, empty database on ``backend``."""
    if backend == "sqlite":
        return f"sqlite:///{folder / 'matcalc.sqlite3'}"
    admin: str = request.getfixturevalue("postgres_admin")
    name = "t_" + re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:40] + uuid.uuid4().hex[:8]
    return fresh_database(admin, name)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return new_database(request.param, request, tmp_path)


@pytest.fixture(scope="module", params=BACKENDS)
def module_database_url(request: pytest.FixtureRequest,
                        tmp_path_factory: pytest.TempPathFactory) -> str:
    """One database per backend for a whole module, for modules of many requests that must
    store nothing (they check that they didn't)."""
    return new_database(request.param, request, tmp_path_factory.mktemp("db"))


@pytest.fixture
def config(database_url: str) -> ServeConfig:
    return ServeConfig(database_url=database_url, secret_key="test-secret-key-" + "x" * 32,
                       grading=False)


@pytest.fixture
def app(config: ServeConfig) -> Iterator[Flask]:
    made = create_app(config)
    yield made
    close_app(made)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def server(app: Flask) -> Iterator[LiveServer]:
    with live_server(app) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    yield from launched_browser()
