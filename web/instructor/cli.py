"""``matcalc instructor``: dashboard accounts, made on the server (the dashboard has no sign-up
page)."""

from __future__ import annotations

from pathlib import Path

import click

from grader.errors import MatcalcError

_GROUP_HELP = """Dashboard accounts: who may log in at /instructor.

\b
Examples:
  matcalc instructor add ada                     asks for the password twice
  matcalc instructor add ada --password-file pw  first line of pw is the password
  matcalc instructor add ada --db postgresql+psycopg://matcalc@db/matcalc
"""


@click.group("instructor", help=_GROUP_HELP)
def instructor_group() -> None:
    pass


@instructor_group.command("add")
@click.argument("username")
@click.option("--password-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Read the password from the first line of this file instead of asking.")
@click.option("--db", "database", metavar="URL", default=None,
              help="SQLAlchemy database URL (default: SQLite in the data folder, as "
                   "matcalc serve).")
def add_command(username: str, password_file: Path | None, database: str | None) -> None:
    """Add an instructor, or set a new password for one.

    The password (at least 10 characters) is stored as a salted scrypt hash, never as text.
    """
    from web.config import data_folder, default_database
    from web.database import connect, migrate
    from web.instructor.access import set_password

    try:
        if password_file is not None:
            try:
                lines = password_file.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as problem:
                raise click.ClickException(f"{password_file}: can't read the password "
                                           f"({problem})") from None
            password = lines[0] if lines else ""
        else:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        folder = data_folder()
        if database is None:
            folder.mkdir(parents=True, exist_ok=True)
        engine = connect(database or default_database(folder))
        try:
            migrate(engine)
            with engine.begin() as connection:
                added = set_password(connection, username, password)
        finally:
            engine.dispose()
    except (MatcalcError, OSError) as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"{'added' if added else 'new password for'} instructor {username.strip()}")


__all__ = ["instructor_group"]
