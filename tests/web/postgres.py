"""A real PostgreSQL server for tests, from Debian's package, on a temporary directory and a
free loopback port.  initdb refuses to run as root, so as root every server command runs as the
``postgres`` user (``runuser``); as anyone else, directly as that user."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

#: Seconds any one server command may take before start-up is declared failed.
COMMAND_TIMEOUT = 120
#: The account that owns the cluster when the tests run as root.
OWNER = "postgres"


class PostgresUnavailableError(RuntimeError):
    """PostgreSQL is installed but could not be started; the message says why."""


def binaries() -> Path | None:
    """The folder holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    found = shutil.which("pg_ctl")
    if found and Path(found).resolve().with_name("initdb").exists():
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                      key=lambda path: _version(path.parent.parent.name))
    return versions[-1].parent if versions else None


def require_postgres(*, ci: bool) -> None:
    """Skip the caller's test when PostgreSQL is not installed, with a message saying so;
    under CI, which installs it, fail instead: a missing server must not pass silently."""
    if binaries() is not None:
        return
    missing = ("PostgreSQL is not installed (Debian: apt-get install postgresql), so the "
               "PostgreSQL cases of the web tests")
    if ci:
        pytest.fail(f"{missing} can't run, and CI must run them", pytrace=False)
    pytest.skip(f"{missing} are skipped")


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_root() -> bool:
    return os.geteuid() == 0


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", OWNER, "--", *command] if _as_root() else command


def _workspace() -> Path:
    """A fresh directory the server's account can reach.  As root, the usual temporary folder
    may sit under a private home (TMPDIR=/root/...), so fall back to /tmp; the unix socket
    lives there too, and its path must stay short (about 100 bytes)."""
    base = Path(tempfile.gettempdir())
    if (_as_root() and not _reachable_by_others(base)) or len(str(base)) > 60:
        base = Path("/tmp")
    return Path(tempfile.mkdtemp(prefix="matcalc-pg-", dir=base))


def _reachable_by_others(folder: Path) -> bool:
    return all(path.stat().st_mode & stat.S_IXOTH for path in [folder, *folder.parents])


def _run(command: list[str], what: str, log: Path | None = None) -> None:
    try:
        subprocess.run(_as_owner(command), check=True, capture_output=True, text=True,
                       timeout=COMMAND_TIMEOUT)
    except subprocess.CalledProcessError as failure:
        detail = (failure.stderr or failure.stdout or "").strip()
        if log is not None and log.exists():
            detail += "\n" + log.read_text(errors="replace")[-2000:]
        raise PostgresUnavailableError(f"{what} failed (exit {failure.returncode}): "
                                       f"{detail}") from None
    except subprocess.TimeoutExpired:
        raise PostgresUnavailableError(f"{what} did not finish in {COMMAND_TIMEOUT} s") from None


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """Start a server; yield its admin URL (``postgresql+psycopg://matcalc@127.0.0.1:PORT``)."""
    folder = binaries()
    if folder is None:
        raise PostgresUnavailableError(
            "PostgreSQL is not installed (Debian: apt-get install postgresql)")
    if _as_root():
        try:
            pwd.getpwnam(OWNER)
        except KeyError:
            raise PostgresUnavailableError(
                f"running as root, and there is no {OWNER!r} account to run initdb as "
                "(Debian's postgresql package creates it)") from None
        if shutil.which("runuser") is None:
            raise PostgresUnavailableError("running as root, and runuser is missing "
                                           "(Debian: util-linux)")
    root = _workspace()
    data, log = root / "data", root / "log"
    try:
        if _as_root():
            shutil.chown(root, OWNER, OWNER)
        port = free_port()
        _run([str(folder / "initdb"), "-D", str(data), "-A", "trust", "-U", "matcalc",
              "-E", "UTF8", "--no-sync"], "initdb")
        options = (f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -F "
                   "-c max_connections=200 -c shared_buffers=32MB")
        _run([str(folder / "pg_ctl"), "-D", str(data), "-o", options, "-w",
              "-t", str(COMMAND_TIMEOUT), "-l", str(log), "start"], "pg_ctl start", log)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    try:
        _wait(port)
        yield f"postgresql+psycopg://matcalc@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_owner([str(folder / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                  "stop"]), capture_output=True, timeout=COMMAND_TIMEOUT,
                       check=False)
        shutil.rmtree(root, ignore_errors=True)


def _wait(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    raise PostgresUnavailableError(f"PostgreSQL did not start on port {port}")


def fresh_database(admin_url: str, name: str) -> str:
    """A new empty database on the server; its URL."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(f"{admin_url}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return f"{admin_url}/{name}"
