"""A running matcalc (the ``server`` fixture, SQLite and PostgreSQL) with a test platform
registered with it."""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tests.web.lti.platform import Browser, TestPlatform, running_platform
from tests.web.servers import LiveServer
from web.lti.platforms import add_platform

if sys.platform.startswith("linux"):
    # Every thread a test starts (servers, senders, platforms) leaves glibc a 64 MB malloc arena
    # that outlives it; the grading pool forks its workers from this process and caps their
    # address space, so after these tests its workers would start over the cap.  Two arenas
    # (M_ARENA_MAX = -8) keep this test process small, as MALLOC_ARENA_MAX=2 would.
    ctypes.CDLL("libc.so.6").mallopt(-8, 2)


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
