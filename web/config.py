"""How a server runs: one frozen record, made by ``matcalc serve`` or by tests."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from grader.pool import Caps


def data_folder() -> Path:
    """Where the server keeps its database and secret key: ``$MATCALC_DATA``, else the
    platform's user data folder (``~/.local/share/matcalc`` on Linux).  Not ``output/``, which
    holds generated files that are safe to delete."""
    configured = os.environ.get("MATCALC_DATA")
    return Path(configured) if configured else Path(platformdirs.user_data_dir("matcalc"))


def default_database(folder: Path) -> str:
    return f"sqlite:///{folder / 'matcalc.sqlite3'}"


def secret_key(folder: Path) -> str:
    """The key that signs session cookies, made once and kept (mode 600) so that sessions and
    CSRF tokens survive a restart."""
    path = folder / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


@dataclass(frozen=True)
class ServeConfig:
    database_url: str
    secret_key: str
    #: Largest request body accepted (413 above it): answers are capped far below this.
    max_request_bytes: int = 64 * 1024
    #: Start this process's grading thread (tests that only read can leave it off).
    grading: bool = True
    #: Seconds a claimed submission stays claimed; past it another process may grade it (a
    #: process that died mid-check leaves nothing pending for longer than this).
    lease_seconds: float = 30.0
    #: Graded submissions one student may make per minute.
    submissions_per_minute: int = 20
    #: Session cookies only over HTTPS (on behind a proxy that terminates TLS).
    secure_cookies: bool = False
    #: Number of reverse proxies whose X-Forwarded-* headers are trusted (0: none).
    proxies: int = 0
    #: Live readings (POST /api/parse) one client address may ask for per second, sustained,
    #: with room for a burst; 0 turns the limit off.  Counted in each process's memory.
    parse_rate: float = 20.0
    parse_burst: int = 100
    #: CSP frame-ancestors sources allowed to frame /lti/* pages: the LMS's origin, such as
    #: "https://canvas.example.edu".  Every other page may be framed by matcalc only.
    lti_frame_ancestors: tuple[str, ...] = ("'self'",)
    caps: Caps = field(default_factory=Caps)
    #: Worker processes of the grading pool of each app process.
    pool_size: int = 1
