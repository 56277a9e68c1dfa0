"""The PostgreSQL the web tests run on: really PostgreSQL, owned by the right account, and
missing it is a skip locally but a failure under CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy

from tests.web import postgres


def test_the_server_is_postgresql(postgres_admin: str) -> None:
    url = postgres.fresh_database(postgres_admin, "t_server_check")
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            version = connection.execute(sqlalchemy.text("select version()")).scalar_one()
            directory = connection.execute(sqlalchemy.text("show data_directory")).scalar_one()
    finally:
        engine.dispose()
    assert str(version).startswith("PostgreSQL")
    owner = Path(directory).stat().st_uid
    assert owner == (postgres.pwd.getpwnam(postgres.OWNER).pw_uid if os.geteuid() == 0
                     else os.geteuid())


def test_missing_postgresql_is_skipped_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres, "binaries", lambda: None)
    with pytest.raises(pytest.skip.Exception, match=r"not installed.*skipped"):
        postgres.require_postgres(ci=False)


def test_missing_postgresql_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres, "binaries", lambda: None)
    with pytest.raises(pytest.fail.Exception, match="CI must run them"):
        postgres.require_postgres(ci=True)


def test_installed_postgresql_is_required_quietly() -> None:
    if postgres.binaries() is None:
        pytest.skip("PostgreSQL is not installed here")
    postgres.require_postgres(ci=True)  # neither skips nor fails


def test_a_failing_start_says_why(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A server that can't start is an error with the program's own message, not a skip."""
    fake = tmp_path / "bin"
    fake.mkdir()
    for name in ("initdb", "pg_ctl"):
        program = fake / name
        program.write_text("#!/bin/sh\necho 'initdb: error: no space left' >&2\nexit 1\n")
        program.chmod(0o755)
    monkeypatch.setattr(postgres, "binaries", lambda: fake)
    monkeypatch.setattr(postgres, "_as_owner", lambda command: command)
    with pytest.raises(postgres.PostgresUnavailableError, match=r"initdb failed.*no space left"), \
            postgres.postgres_server():
        pass
