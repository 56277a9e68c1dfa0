"""A running matcalc (the ``server`` fixture, SQLite and PostgreSQL) with a test platform
registered with it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tests.web.lti.platform import Browser, TestPlatform, running_platform
from tests.web.servers import LiveServer
from web.lti.platforms import add_platform


@pytest.fixture
def engine(server: LiveServer) -> Engine:
    made: Engine = server.app.extensions["matcalc.engine"]
    return made


@pytest.fixture
def platform(server: LiveServer, engine: Engine) -> Iterator[TestPlatform]:
    with running_platform(server.url) as running:
        with engine.begin() as connection:
            add_platform(connection, issuer=running.issuer, client_id=running.client_id,
                         deployment_id=running.deployment_id, auth_url=running.auth_url,
                         token_url=running.token_url, jwks_url=running.jwks_url)
        yield running


@pytest.fixture
def browser(platform: TestPlatform) -> Browser:
    return Browser(platform)
