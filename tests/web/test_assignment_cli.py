"""``matcalc assignment`` on SQLite and PostgreSQL: links that open the student's page,
extensions the page honours, and an export of every stored attempt."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from sqlalchemy import select

from generator.cli import root
from generator.sets import SetOptions, make_set
from grader.roster import Student
from web.app import close_app, create_app
from web.config import ServeConfig
from web.schema import assignments, students

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def run(*args: str) -> Result:
    return CliRunner().invoke(root, list(args), catch_exceptions=False)


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    path = tmp_path / "class.csv"
    # a spreadsheet's export: semicolons, a byte-order mark, names with commas
    path.write_text("\ufeffStudent ID;Last name;First name;E-mail\n"
                    "s1;Lovelace;Ada;ada@example.org\ns2;Lee, Jr.;Ann;ann@example.org\n",
                    encoding="utf-8")
    return path


def _create(database_url: str, roster: Path, tmp_path: Path, *extra: str) -> Result:
    return run("assignment", "create", "--db", database_url, "--title", "Week 3",
               "--family", "quadratic", "--count", "2", "--roster", str(roster),
               "--base-url", "https://matcalc.example.edu/", "--links",
               str(tmp_path / "links.csv"), *extra)


def test_create_writes_private_links_that_open_each_students_page(
        database_url: str, config: ServeConfig, roster: Path, tmp_path: Path) -> None:
    result = _create(database_url, roster, tmp_path, "--max-attempts", "3", "--penalty", "0.1",
                     "--due", "2026-12-20T23:59+01:00", "--feedback", "after_due")
    assert result.exit_code == 0, result.output
    links = list(csv.DictReader((tmp_path / "links.csv").open(encoding="utf-8")))
    assert [row["student"] for row in links] == ["s1", "s2"]
    assert links[1]["name"] == "Ann Lee, Jr."
    assert (tmp_path / "links.csv").stat().st_mode & 0o077 == 0
    for row in links:
        assert row["link"] in result.output
        assert row["link"].startswith("https://matcalc.example.edu/a/")
    app = create_app(config)
    try:
        with app.extensions["matcalc.engine"].connect() as connection:
            made = connection.execute(select(assignments)).one()
            variants = {row.student_key: row.variant_json
                        for row in connection.execute(select(students))}
        assert (made.max_attempts, made.penalty, made.feedback) == (3, 0.1, "after_due")
        assert made.due_at.strftime("%Y-%m-%d %H:%M") == "2026-12-20 22:59"  # in UTC
        expected = make_set(SetOptions(families=("quadratic",), count=2, title="Week 3"),
                            [Student("s1"), Student("s2")])
        for variant in expected.variants:
            assert [e["answer"] for e in json.loads(variants[variant.id])["exercises"]] == \
                   [e.answer for e in variant.exercises]
        client = app.test_client()
        page = client.get(links[0]["link"].removeprefix("https://matcalc.example.edu"))
        assert page.status_code == 200 and "Ada Lovelace" in page.text
    finally:
        close_app(app)


def test_list_extend_and_export(database_url: str, config: ServeConfig, roster: Path,
                                tmp_path: Path) -> None:
    assert _create(database_url, roster, tmp_path, "--due", "2020-01-01").exit_code == 0
    listed = run("assignment", "list", "--db", database_url, "--json")
    assert json.loads(listed.output)[0] | {"due": None} == {
        "id": 1, "title": "Week 3", "students": 2, "attempts": 0, "waiting": 0, "due": None,
        "max_attempts": None, "penalty": 0.0, "feedback": "immediate"}
    assert "2020-01-01 23:59 UTC" in run("assignment", "list", "--db", database_url).output
    link = next(csv.DictReader((tmp_path / "links.csv").open()))["link"]
    path = link.removeprefix("https://matcalc.example.edu")
    app: Flask = create_app(config)
    try:
        client = app.test_client()
        assert "<textarea" not in client.get(path).text  # past the due date
        extended = run("assignment", "extend", "1", "S1", "--until", "2099-01-01T12:00Z",
                       "--db", database_url)
        assert extended.exit_code == 0 and "s1 (Ada Lovelace): due 2099-01-01 12:00 UTC" \
            in extended.output
        page = client.get(path).text
        assert "(your extension)" in page
        token = CSRF.search(page)
        assert token is not None
        for answer in ("-2*x^T A", "x +"):
            posted = client.post(f"{path}/submit", data={
                "csrf_token": token.group(1), "question": "q1" if answer != "x +" else "q2",
                "answer": answer})
            assert posted.status_code == 303
    finally:
        close_app(app)
    assert run("assignment", "export", "1", "-o", str(tmp_path / "a.json"),
               "--db", database_url).exit_code == 0
    rows = json.loads((tmp_path / "a.json").read_text())
    assert [(r["student"], r["question"], r["answer"], r["state"]) for r in rows] == [
        ("s1", "q1", "-2*x^T A", "pending"), ("s1", "q2", "x +", "pending")]
    assert run("assignment", "export", "1", "-o", str(tmp_path / "a.csv"),
               "--db", database_url).exit_code == 0
    table = list(csv.DictReader((tmp_path / "a.csv").open()))
    assert table[0]["answer"] == "'-2*x^T A"  # not a formula for a spreadsheet
    assert list(table[0]) == ["assignment", "student", "name", "question", "answer",
                              "submitted_at", "state", "status", "score", "note", "feedback",
                              "graded_at"]


@pytest.mark.parametrize(("args", "message"), [
    (("create", "--title", "T", "--set", "missing.json"), "missing.json: can't read the set"),
    (("create", "--title", "T"), "--set SET.json, or --roster"),
    (("create", "--title", "T", "--roster", "{roster}", "--due", "soon"), "not a date"),
    (("create", "--title", "T", "--roster", "{roster}", "--feedback", "after_due"),
     "needs --due"),
    (("create", "--title", "T", "--roster", "{roster}", "--family", "nope"),
     "unknown family 'nope'"),
    (("create", "--title", "T", "--roster", "{tmp}/none.csv"), "can't read the roster"),
    (("extend", "1", "s9", "--until", "2030-01-01"), "no assignment 1"),
    (("extend", "1", "s9"), "give --until DATE, or --remove"),
    (("export", "1", "-o", "{tmp}/a.xlsx"), "name the file .csv or .json"),
    (("export", "4", "-o", "{tmp}/a.csv"), "no assignment 4"),
])
def test_mistakes_are_clear_messages(database_url: str, roster: Path, tmp_path: Path,
                                     args: tuple[str, ...], message: str) -> None:
    filled = [arg.format(roster=roster, tmp=tmp_path) for arg in args]
    result = CliRunner().invoke(root, ["assignment", *filled, "--db", database_url])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
