"""The database: an engine for a URL, brought to the newest schema by Alembic at start."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event

from grader.errors import MatcalcError

MIGRATIONS = Path(__file__).parent / "migrations"
#: Connections kept open for reuse: more than a process's request threads and background
#: threads use at once, so that none is closed and opened again under load (SQLAlchemy's
#: default keeps 5, fewer than ``matcalc serve``'s 8 request threads).  They open only as needed.
POOL_SIZE = 20


class DatabaseError(MatcalcError):
    """The database can't be reached or brought up to date; the message says which and why."""


def now() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time here is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def connect(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL and a busy timeout so that request threads and the
    grading thread can write without 'database is locked'."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                               pool_size=POOL_SIZE, max_overflow=10)

        @event.listens_for(engine, "connect")
        def _pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    try:
        return create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=10)
    except ModuleNotFoundError as problem:
        raise DatabaseError(f"{url.split(':', 1)[0]}: its driver is not installed ({problem.name});"
                            " for PostgreSQL install matcalc[postgres]") from None


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the newest revision (safe to run at every start)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except Exception as problem:  # driver errors have no common base class worth naming
        raise DatabaseError(f"can't bring the database {engine.url.render_as_string()} up to "
                            f"date: {problem}") from problem
