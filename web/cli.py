"""``matcalc serve``: the web app behind waitress, a production WSGI server."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from grader.errors import MatcalcError

if TYPE_CHECKING:
    from web.config import ServeConfig

_SERVE_HELP = """Serve the answer pages: practice, graded assignments and the dashboard.

\b
Students type answers in ASCII or LaTeX and see, as they type, how matcalc
reads them: typeset, with their shape and any note on what was stripped or
flagged. The reading never says whether an answer is right. Submissions are
stored before they are acknowledged and graded in capped worker processes.

\b
Data: the database and the key that signs cookies live in the data folder,
$MATCALC_DATA or else {folder}
(printed at start; not output/, which holds generated files).

\b
Examples:
  matcalc serve                                  SQLite in the data folder, port 8000
  matcalc serve --host 0.0.0.0 --port 8080       reachable from other machines
  matcalc serve --db postgresql+psycopg://matcalc@db/matcalc --proxies 1
                                                 PostgreSQL (pip install 'matcalc[postgres]'),
                                                 behind one reverse proxy that sets X-Forwarded-*
  matcalc serve --processes 2 --db postgresql+psycopg://matcalc@db/matcalc
                                                 two app processes on one port (Unix), for a
                                                 class of more than about 200 typing at once

\b
Pages: /practice (no login), /instructor (the dashboard), /healthz, and
POST /api/parse {"given", "text", "expected"?} for scripts.
"""


def _help() -> str:
    from web.config import data_folder
    return _SERVE_HELP.replace("{folder}", str(data_folder()))


class _ServeCommand(click.Command):
    def get_help(self, ctx: click.Context) -> str:
        self.help = _help()
        return super().get_help(ctx)


@click.command("serve", cls=_ServeCommand, help=_SERVE_HELP)
@click.option("--db", "database", metavar="URL", default=None,
              help="SQLAlchemy database URL (default: SQLite in the data folder).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 for every interface.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              help="Request threads per process (reading is done in them; grading has its own "
                   "pool).")
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1, 64),
              help="App processes on the one port, each with its own grading pool, sharing "
                   "the database (Unix; gunicorn). One process serves about 200 students "
                   "typing at once; use one per core beyond that, on PostgreSQL.")
@click.option("--connections", default=1000, show_default=True,
              type=click.IntRange(10, 10_000),
              help="Open connections served at once (each student's page keeps one open); "
                   "more wait to be accepted.")
@click.option("--proxies", default=0, show_default=True, type=click.IntRange(0, 5),
              help="Reverse proxies in front whose X-Forwarded-Proto/Host/For are trusted.")
@click.option("--secure-cookies/--no-secure-cookies", default=None,
              help="Cookies only over HTTPS (default: on when --proxies is set).")
@click.option("--parse-rate", default=20.0, show_default=True, type=click.FloatRange(0),
              help="Live readings per second one client address may ask for (bursts of 5 s "
                   "allowed; 0: no limit). Per process; raise it when a class shares one "
                   "address (NAT).")
@click.option("--frame-ancestor", "frame_ancestors", multiple=True, metavar="ORIGIN",
              callback=lambda _ctx, _param, values: tuple(_origin(v) for v in values),
              help="An origin allowed to show /lti/* pages in a frame: the LMS, e.g. "
                   "https://canvas.example.edu (repeatable; other pages: matcalc only).")
@click.option("--lease-seconds", type=click.FloatRange(0.5, 3600), default=30.0, hidden=True,
              help="How long a claimed submission stays claimed (tests shorten it).")
def serve_command(database: str | None, host: str, port: int, threads: int, processes: int,
                  connections: int, proxies: int, secure_cookies: bool | None, parse_rate: float,
                  frame_ancestors: tuple[str, ...], lease_seconds: float) -> None:
    import waitress

    from web.app import create_app
    from web.config import ServeConfig, data_folder, default_database, secret_key

    folder = data_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        config = ServeConfig(database_url=database or default_database(folder),
                             secret_key=secret_key(folder), proxies=proxies,
                             secure_cookies=bool(proxies) if secure_cookies is None
                             else secure_cookies, parse_rate=parse_rate,
                             parse_burst=max(1, round(parse_rate * 5)),
                             lti_frame_ancestors=("'self'", *frame_ancestors),
                             lease_seconds=lease_seconds)
        if processes > 1:
            from web.processes import prepare, serve_processes
            prepare(config)
            _started(folder, config, host, port, f"{processes} processes")
            serve_processes(config, host=host, port=port, processes=processes,
                            threads=threads, connections=connections)
            return
        app = create_app(config)
    except (MatcalcError, OSError) as problem:
        raise click.ClickException(str(problem)) from None
    _started(folder, config, host, port, "one process")
    waitress.serve(app, host=host, port=port, threads=threads, ident="matcalc",
                   clear_untrusted_proxy_headers=not proxies,
                   connection_limit=connections, backlog=max(1024, connections),
                   # poll(), not select(): select can't watch more than 1,024 sockets
                   asyncore_use_poll=True,
                   # refuse floods before buffering them; the app's own cap is smaller
                   max_request_body_size=4 * config.max_request_bytes)


def _started(folder: Path, config: ServeConfig, host: str, port: int, how: str) -> None:
    click.echo(f"data folder: {folder}")
    click.echo(f"database:    {_shown(config.database_url)}")
    click.echo(f"serving on   http://{host}:{port}/  ({how}; Ctrl-C stops)")


def _origin(text: str) -> str:
    """An origin for CSP frame-ancestors: scheme://host[:port], nothing that could end the
    directive."""
    import re
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|https?://\*\.[A-Za-z0-9.-]+",
                        text.rstrip("/")):
        raise click.BadParameter(f"{text!r} is not an origin such as https://lms.example.edu",
                                 param_hint="--frame-ancestor")
    return text.rstrip("/")


def _shown(url: str) -> str:
    """The database URL without its password."""
    from sqlalchemy.engine import make_url
    return make_url(url).render_as_string(hide_password=True)


__all__ = ["serve_command"]
