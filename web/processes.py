"""Several app processes on one port (``matcalc serve --processes N``), for a class larger than
one Python process can serve: gunicorn's pre-fork arbiter with threaded workers.

Each worker builds its own app (its own database engine, grading thread and capped pool, LTI
score sender), so the workers share nothing but the database, as the grading queue's leases
allow: a submission is claimed by one process at a time, and one that a dead worker held is
graded by another once its lease expires.  The arbiter replaces a worker that dies.  The schema
is brought up to date once, in the arbiter, before any worker starts.

gunicorn runs on Unix only; a single process (the default) is served by waitress anywhere.
"""

from __future__ import annotations

import sys
from typing import Any

from flask import Flask

from grader.errors import MatcalcError
from web.config import ServeConfig
from web.database import connect, migrate


class ProcessesError(MatcalcError):
    """Several processes can't be served here (gunicorn is Unix-only)."""


def prepare(config: ServeConfig) -> None:
    """Check that several processes can run here, and bring the schema up to date once, before
    the workers start: workers starting together must not race to create tables."""
    if sys.platform == "win32":
        raise ProcessesError("--processes needs a Unix system (gunicorn); on Windows run "
                             "several `matcalc serve --port …` behind a reverse proxy")
    engine = connect(config.database_url)
    try:
        migrate(engine)
    finally:
        engine.dispose()


def serve_processes(config: ServeConfig, *, host: str, port: int, processes: int, threads: int,
                    connections: int) -> None:
    """Serve the app from ``processes`` worker processes until SIGINT or SIGTERM (after
    :func:`prepare`)."""
    from gunicorn.app.base import BaseApplication

    class Processes(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for name, value in _options(host, port, processes, threads,
                                        connections).items():
                self.cfg.set(name, value)

        def load(self) -> Flask:
            from web.app import create_app
            return create_app(config)  # in each worker, after the fork

    Processes().run()


def _options(host: str, port: int, processes: int, threads: int,
             connections: int) -> dict[str, Any]:
    return {
        "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"],
        "workers": processes,
        "worker_class": "gthread",
        "threads": threads,
        "worker_connections": connections,
        "backlog": max(1024, connections),
        # A student's page keeps its connection between questions, as waitress allows (120 s);
        # gunicorn's default of 2 s would close it under them.
        "keepalive": 120,
        "proc_name": "matcalc",
        "preload_app": False,       # each worker makes its own app: threads don't survive fork
        "graceful_timeout": 15,
        "timeout": 60,              # a worker silent this long is replaced
        # The app's own ProxyFix (--proxies) is the only judge of forwarded headers.
        "forwarded_allow_ips": "",
        "limit_request_field_size": 16_384,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "worker_exit": _worker_exit,
    }


def _worker_exit(_arbiter: Any, worker: Any) -> None:
    """Stop the worker's grading thread and pool (its claims would otherwise wait out their
    leases) before the process ends."""
    from web.app import close_app
    app = getattr(worker, "wsgi", None)
    if isinstance(app, Flask):
        close_app(app)
