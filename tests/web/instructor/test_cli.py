"""``matcalc instructor add``: the account it makes can log in; bad input is a message."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from generator.cli import root
from tests.web.instructor.conftest import csrf_token, engine_of
from web.schema import instructors


def log_in_status(client: FlaskClient, user: str, password: str) -> int:
    return client.post("/instructor/login", data={
        "csrf_token": csrf_token(client), "username": user, "password": password}).status_code


def test_add_from_a_prompt_and_from_a_file(app: Flask, client: FlaskClient, database_url: str,
                                           tmp_path: Path) -> None:
    runner = CliRunner()
    made = runner.invoke(root, ["instructor", "add", "grace", "--db", database_url],
                         input="a long password\na long password\n")
    assert made.exit_code == 0, made.output
    assert "added instructor grace" in made.output and "a long password" not in made.output
    assert log_in_status(client, "grace", "a long password") == 302

    secret = tmp_path / "pw"
    secret.write_text("another password\n", encoding="utf-8")
    changed = runner.invoke(root, ["instructor", "add", "grace", "--db", database_url,
                                   "--password-file", str(secret)])
    assert changed.exit_code == 0 and "new password for instructor grace" in changed.output
    with engine_of(app).connect() as connection:
        hashes = connection.execute(select(instructors.c.password_hash)).scalars().all()
    assert len(hashes) == 1 and hashes[0].startswith("scrypt:")
    assert log_in_status(app.test_client(), "grace", "a long password") == 200
    assert log_in_status(app.test_client(), "grace", "another password") == 302


def test_refusals_are_messages(database_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    cases = [
        (["instructor", "add", "grace"], "short\nshort\n", "at least 10 characters"),
        (["instructor", "add", "a b"], "a long password\na long password\n", "without spaces"),
        (["instructor", "add", "grace", "--password-file", str(tmp_path / "none")], "",
         "can't read the password"),
    ]
    for arguments, typed, says in cases:
        answer = runner.invoke(root, [*arguments, "--db", database_url], input=typed)
        assert answer.exit_code == 1, answer.output
        assert says in answer.output and "Traceback" not in answer.output
    mismatch = runner.invoke(root, ["instructor", "add", "grace", "--db", database_url],
                             input="a long password\nanother one!!\n\n")
    assert mismatch.exit_code != 0 and "do not match" in mismatch.output
