"""``matcalc assignment``: graded assignments for ``matcalc serve``, from the command line."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import UTC, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from grader.errors import MatcalcError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from grader.exercise_set import ExerciseSet
    from web.policy import Policy

_DB_HELP = ("SQLAlchemy database URL: the one matcalc serve uses (default: SQLite in the data "
            "folder, $MATCALC_DATA or the platform's; see matcalc serve --help).")
_DATE_HELP = ("ISO date and time, such as 2026-12-20T23:59Z or 2026-12-20T23:59+01:00; without "
              "an offset it is UTC, and a date alone means 23:59 UTC that day.")

_GROUP_HELP = """Graded assignments that students answer in the browser (matcalc serve).

\b
An assignment is made from an exercise set (its variants are the students)
or from families and a roster (a variant is made for each student). Each
student gets a personal link, /a/<id>/<token>, with a token nobody can
guess: send it to them alone.

\b
Policy (STACK's rules, set per assignment):
  --max-attempts N   attempts per question; an unreadable answer, or one
                     identical to an earlier attempt, costs none
  --penalty P        each valid wrong attempt (incorrect, wrong shape)
                     takes P off what later attempts can earn
                     the best attempt counts
  --due DATE         no answers after it, except for students given an
                     extension (matcalc assignment extend)
  --feedback after_due   verdicts shown only once the student's due date
                     has passed (exams); immediate by default

\b
Examples:
  matcalc assignment create --title "Week 3" --family quadratic --count 4 \\
      --roster class.csv --max-attempts 3 --penalty 0.1 --due 2026-12-20T23:59Z \\
      --base-url https://matcalc.example.edu
  matcalc assignment create --title "Quiz" --set output/set.json --feedback after_due
  matcalc assignment list
  matcalc assignment extend 1 s123 --until 2026-12-22T23:59Z
  matcalc assignment export 1 -o attempts.csv
"""


@click.group("assignment", help=_GROUP_HELP)
def assignment_group() -> None:
    pass


def _database(option: str | None) -> Engine:
    from web.config import data_folder, default_database
    from web.database import connect, migrate

    try:
        if option is None:
            folder = data_folder()
            folder.mkdir(parents=True, exist_ok=True)
            option = default_database(folder)
        engine = connect(option)
        migrate(engine)
    except (MatcalcError, OSError) as problem:
        raise click.ClickException(str(problem)) from None
    return engine


def parse_moment(text: str, option: str) -> datetime:
    """A date and time as the options take it (see ``_DATE_HELP``), always in UTC."""
    try:
        if len(text) == 10:  # a date alone
            day = datetime.fromisoformat(text).date()
            return datetime.combine(day, time(23, 59), UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a date and time such as 2026-12-20T23:59Z",
                                 param_hint=option) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _policy(max_attempts: int | None, penalty: float, due: str | None, feedback: str,
            show_expected_shape: bool) -> Policy:
    from web.policy import Policy

    due_at = parse_moment(due, "--due") if due else None
    if feedback == "after_due" and due_at is None:
        raise click.UsageError("--feedback after_due needs --due: feedback is released once "
                               "the due date has passed")
    try:
        return Policy(max_attempts=max_attempts, penalty=penalty, due_at=due_at,
                      feedback=feedback, show_expected_shape=show_expected_shape)  # type: ignore[arg-type]
    except MatcalcError as problem:
        raise click.ClickException(str(problem)) from None


def _load_set(path: Path) -> ExerciseSet:
    from grader.exercise_set import ExerciseSet

    try:
        return ExerciseSet.loads(path.read_text("utf-8"), str(path))
    except (OSError, UnicodeDecodeError) as problem:
        reason = getattr(problem, "strerror", None) or problem
        raise click.ClickException(f"{path}: can't read the set ({reason})") from None
    except MatcalcError as problem:
        raise click.ClickException(str(problem)) from None


def _make_set(families: tuple[str, ...], difficulty: int | None, form: str, count: int,
              seed: int, layout: str, title: str, roster: Path) -> ExerciseSet:
    from generator.sets import SetOptions, make_set
    from grader.roster import read_roster

    try:
        students = read_roster(roster)
        options = SetOptions(families, difficulty, form, count, seed,  # type: ignore[arg-type]
                             layout, title)  # type: ignore[arg-type]
        click.echo(f"making {len(students)} variants…", err=True)
        return make_set(options, students, jobs=min(len(students), os.cpu_count() or 1))
    except MatcalcError as problem:
        raise click.ClickException(str(problem)) from None


@assignment_group.command("create")
@click.option("--db", "database", metavar="URL", default=None, help=_DB_HELP)
@click.option("--title", required=True, help="What students see at the top of the page.")
@click.option("--set", "set_file", metavar="SET.json", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="An exercise set (matcalc generate --roster): one student per variant.")
@click.option("--family", "families", multiple=True, metavar="NAME",
              help="A family to draw from (repeatable; default: all), with --roster.")
@click.option("--difficulty", type=click.IntRange(1, 5), default=None, metavar="1-5")
@click.option("--form", type=click.Choice(["symbolic", "explicit", "numeric"]),
              default="symbolic", show_default=True)
@click.option("--count", type=click.IntRange(1, 200), default=4, show_default=True,
              help="Questions per student.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--layout", type=click.Choice(["numerator", "denominator"]), default="numerator",
              show_default=True)
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The class (CSV as matcalc generate reads it): a variant per student.")
@click.option("--max-attempts", type=click.IntRange(1, 1000), default=None,
              help="Attempts per question (default: unlimited).")
@click.option("--penalty", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Taken off later attempts per valid wrong attempt (0.1 = 10%).")
@click.option("--due", metavar="DATE", default=None, help="The due date. " + _DATE_HELP)
@click.option("--feedback", type=click.Choice(["immediate", "after_due"]), default="immediate",
              show_default=True, help="When verdicts and feedback are shown.")
@click.option("--show-expected-shape", is_flag=True,
              help="Show each question's answer shape beside the student's (off: it gives "
                   "away wrong-shape answers and, in layout exercises, the answer).")
@click.option("--base-url", default="http://127.0.0.1:8000", show_default=True,
              help="The server's address as students reach it; links are printed under it.")
@click.option("--links", "links_file", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("links.csv"), show_default=True,
              help="Where the students' links are written (CSV, readable by you alone).")
def create_command(database: str | None, title: str, set_file: Path | None,
                   families: tuple[str, ...], difficulty: int | None, form: str, count: int,
                   seed: int, layout: str, roster: Path | None, max_attempts: int | None,
                   penalty: float, due: str | None, feedback: str, show_expected_shape: bool,
                   base_url: str, links_file: Path) -> None:
    """Create an assignment; print and write each student's personal link."""
    from web.assignments import create_assignment

    if set_file is not None and (roster is not None or families or difficulty is not None):
        raise click.UsageError("--set brings its own students and exercises; leave out "
                               "--roster, --family and --difficulty")
    if set_file is None and roster is None:
        raise click.UsageError("say what students answer: --set SET.json, or --roster "
                               "class.csv with --family/--difficulty/--count")
    policy = _policy(max_attempts, penalty, due, feedback, show_expected_shape)
    exercise_set = (_load_set(set_file) if set_file is not None else
                    _make_set(families, difficulty, form, count, seed, layout, title,
                              roster))  # type: ignore[arg-type]
    engine = _database(database)
    try:
        with engine.begin() as connection:
            assignment_id = create_assignment(connection, title=title,
                                              exercise_set=exercise_set, policy=policy)
            rows = _links(connection, assignment_id, base_url)
    except MatcalcError as problem:
        raise click.ClickException(str(problem)) from None
    finally:
        engine.dispose()
    _write_links(links_file, rows)
    click.echo(f"assignment {assignment_id}: {title!r}, {len(rows)} students")
    for row in rows:
        click.echo(f"{row['student']}\t{row['link']}")
    click.echo(f"wrote {links_file} (send each student their own link)", err=True)


def _links(connection: Any, assignment_id: int, base_url: str) -> list[dict[str, str]]:
    from sqlalchemy import select

    from web.schema import students

    base = base_url.rstrip("/")
    return [{"student": row.student_key, "name": row.name or "", "email": row.email or "",
             "link": f"{base}/a/{row.id}/{row.token}"}
            for row in connection.execute(select(students).where(
                students.c.assignment_id == assignment_id).order_by(students.c.id))]


def _write_links(path: Path, rows: list[dict[str, str]]) -> None:
    """The links file, made readable by its owner alone (the links are the students' keys)."""
    from grader.gradebook import cell

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "name", "email", "link"])
    for row in rows:
        writer.writerow([cell(row["student"]), cell(row["name"]), row["email"], row["link"]])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(buffer.getvalue())
    except OSError as problem:
        raise click.ClickException(f"{path}: can't write the links ({problem.strerror})") from None


@assignment_group.command("links")
@click.argument("assignment_id", metavar="ID", type=int)
@click.option("--db", "database", metavar="URL", default=None, help=_DB_HELP)
@click.option("--base-url", default="http://127.0.0.1:8000", show_default=True)
@click.option("--links", "links_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write them to this CSV file.")
def links_command(assignment_id: int, database: str | None, base_url: str,
                  links_file: Path | None) -> None:
    """Print the students' personal links of an assignment again."""
    from web.assignments import assignment

    engine = _database(database)
    try:
        with engine.connect() as connection:
            assignment(connection, assignment_id)
            rows = _links(connection, assignment_id, base_url)
    except MatcalcError as problem:
        raise click.ClickException(str(problem)) from None
    finally:
        engine.dispose()
    for row in rows:
        click.echo(f"{row['student']}\t{row['link']}")
    if links_file is not None:
        _write_links(links_file, rows)


@assignment_group.command("list")
@click.option("--db", "database", metavar="URL", default=None, help=_DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def list_command(database: str | None, as_json: bool) -> None:
    """List the assignments: id, title, students, attempts (waiting), due date and policy."""
    from sqlalchemy import func, select

    from web.assignments import policy_of
    from web.schema import assignments, students, submissions

    engine = _database(database)
    try:
        with engine.connect() as connection:
            counts = {row.assignment_id: row for row in connection.execute(
                select(students.c.assignment_id,
                       func.count(func.distinct(students.c.id)).label("students"),
                       func.count(submissions.c.id).label("attempts"),
                       func.count(submissions.c.id).filter(
                           submissions.c.state != "graded").label("waiting"))
                .select_from(students.outerjoin(submissions,
                                                submissions.c.student_id == students.c.id))
                .group_by(students.c.assignment_id))}
            listed = []
            for row in connection.execute(select(assignments).order_by(assignments.c.id)):
                policy = policy_of(row)
                count = counts.get(row.id)
                listed.append({
                    "id": row.id, "title": row.title,
                    "students": count.students if count else 0,
                    "attempts": count.attempts if count else 0,
                    "waiting": count.waiting if count else 0,
                    "due": policy.due_at.isoformat() if policy.due_at else None,
                    "max_attempts": policy.max_attempts, "penalty": policy.penalty,
                    "feedback": policy.feedback})
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps(listed, indent=2, ensure_ascii=False))
        return
    if not listed:
        click.echo("no assignments yet (matcalc assignment create --help)")
        return
    for item in listed:
        due = item["due"][:16].replace("T", " ") + " UTC" if item["due"] else "no due date"
        attempts = item["max_attempts"] or "unlimited"
        click.echo(f"{item['id']:>4}  {item['title']}  ·  {item['students']} students, "
                   f"{item['attempts']} attempts ({item['waiting']} waiting)  ·  due {due}  ·  "
                   f"attempts {attempts}, penalty {item['penalty']:g}, feedback "
                   f"{item['feedback'].replace('_', ' ')}")


@assignment_group.command("extend")
@click.argument("assignment_id", metavar="ID", type=int)
@click.argument("student", metavar="STUDENT")
@click.option("--until", metavar="DATE", default=None, help="Their due date. " + _DATE_HELP)
@click.option("--remove", is_flag=True, help="Take the extension back.")
@click.option("--db", "database", metavar="URL", default=None, help=_DB_HELP)
def extend_command(assignment_id: int, student: str, until: str | None, remove: bool,
                   database: str | None) -> None:
    """Give STUDENT (their roster id) a later due date for assignment ID.

    With feedback after the due date, the student sees verdicts once their own
    due date has passed."""
    from web.assignments import extend

    if (until is None) == (not remove):
        raise click.UsageError("give --until DATE, or --remove")
    moment = parse_moment(until, "--until") if until else None
    engine = _database(database)
    try:
        with engine.begin() as connection:
            row = extend(connection, assignment_id, student, moment)
    except MatcalcError as problem:
        raise click.ClickException(str(problem)) from None
    finally:
        engine.dispose()
    who = row.student_key + (f" ({row.name})" if row.name else "")
    if moment is None:
        click.echo(f"{who}: extension removed")
    else:
        click.echo(f"{who}: due {moment:%Y-%m-%d %H:%M} UTC")


@assignment_group.command("export")
@click.argument("assignment_id", metavar="ID", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="attempts.csv or attempts.json (the suffix picks the format).")
@click.option("--db", "database", metavar="URL", default=None, help=_DB_HELP)
def export_command(assignment_id: int, output: Path, database: str | None) -> None:
    """Write every stored attempt of assignment ID: student, name, question, answer,
    submitted_at, state, status, score, note, feedback, graded_at.

    \b
    In CSV, a cell a spreadsheet would take for a formula (an answer such as
    -2*x) starts with a quote; JSON holds the answers exactly as typed."""
    from grader.files import write_atomically
    from grader.gradebook import cell
    from web.assignments import assignment
    from web.attempts import EXPORT_COLUMNS, export_rows

    suffix = output.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise click.UsageError(f"{output}: name the file .csv or .json")
    engine = _database(database)
    try:
        with engine.connect() as connection:
            assignment(connection, assignment_id)
            rows = export_rows(connection, assignment_id)
    except MatcalcError as problem:
        raise click.ClickException(str(problem)) from None
    finally:
        engine.dispose()
    if suffix == ".json":
        text = json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        for row in rows:
            writer.writerow(["" if row[name] is None else
                             cell(row[name]) if isinstance(row[name], str) else row[name]
                             for name in EXPORT_COLUMNS])
        text = buffer.getvalue()
    try:
        write_atomically(output, text)
    except OSError as problem:
        raise click.ClickException(f"{output}: can't write ({problem.strerror})") from None
    click.echo(f"wrote {output}: {len(rows)} attempts", err=True)


__all__ = ["assignment_group"]
