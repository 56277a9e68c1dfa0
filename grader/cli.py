"""The grader's commands: parse, check, validate, grade and autograde."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import click

from grader.errors import MatcalcError, ParseError
from grader.exercise_set import ExerciseSet
from grader.gradebook import FORMATS as GRADEBOOK_FORMATS
from grader.language import (
    Declarations,
    parse_declarations,
    print_ascii,
    print_latex,
    read,
)
from grader.language.echo import echo, parse_shape

_PARSE_HELP = """Show how matcalc reads an answer: canonical ASCII, LaTeX and shape.

\b
TEXT is an answer in ASCII or LaTeX; pass - to read it from standard input.
Every name must be declared with --given: x[n] is an n×1 column, w[1,n] a row,
A[m,n] an m×n matrix, and a bare b a scalar.

\b
Compact and typeset forms are read as on paper: with x and A declared, x^TAx
is x^T A x; $...$ and a left-hand side such as df/dx = are ignored; \\cos 2x is
cos(2 x). Each such choice is listed as a note; text with two sensible readings
(tr X B) is refused, naming both.

\b
Examples:
  matcalc parse --given "x[n], A[n,n]" "x^T (A + A^T)"
  matcalc parse --given "x[n], A[n,n]" '$\\nabla_x f = x^TA+x^TA^T$'
  matcalc parse --given "x[n], A[n,n]" '\\mathbf{x}^\\top A \\mathbf{x}' --json
  echo "2 A x" | matcalc parse --given "x[n], A[n,n]" -

Exit status: 0 if the answer is valid, 1 if it is not, 2 for a usage error.
"""


@click.command("parse", help=_PARSE_HELP,
               context_settings={"ignore_unknown_options": True})
@click.argument("text")
@click.option("--given", "-g", default="", metavar="DECLS",
              help='Declared names and shapes, e.g. "x[n], A[n,n], b".')
@click.option("--expected", "-e", default=None, metavar="SHAPE",
              help="The question's answer shape, e.g. n,1 or m,n: I and 0 take their size "
                   "from it, as they do in grading.")
@click.option("--json", "as_json", is_flag=True,
              help='Print {"valid", "ascii", "latex", "shape", "notes", "stripped", "flagged", '
                   '"error", "caret"} as JSON (the web app\'s /api/parse gives the same).')
def parse_command(text: str, given: str, expected: str | None, as_json: bool) -> None:
    text = _text(text)
    declarations = _declarations(given)
    try:
        expected_shape = parse_shape(expected) if expected is not None else None
    except ParseError as problem:
        raise click.BadParameter(str(problem), param_hint="--expected") from None
    result = echo(text, declarations, expected_shape)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        if not result["valid"]:
            sys.exit(1)
        return
    if not result["valid"]:
        click.echo(f"invalid: {result['error']}", err=True)
        sys.exit(1)
    click.echo(f"ascii:  {result['ascii']}")
    click.echo(f"latex:  {result['latex']}")
    click.echo(f"shape:  {result['shape_described']}")
    for message in result["notes"]:
        click.echo(f"note:   {message}")


_CHECK_HELP = """Grade ANSWER against the key EXPECTED, exactly, and explain the verdict.

\b
Both are written in the answer language (see matcalc parse --help); pass - as
ANSWER to read it from standard input. Equivalence is decided by exact identity
testing at random points (several sizes per dimension, non-symmetric matrices),
never by simplification. The check runs in a worker process under CPU, memory
and wall-clock caps: an answer that hits one is "undecided", never a crash.

\b
Statuses: correct, incorrect (with the mistake named where one matches:
transpose, scalar_multiple, sign, missing_term, missing_term_in_argument,
extra_term, assumed_symmetric, elementwise_vs_matrix_product), wrong_shape,
invalid (unreadable; no penalty), undecided.

\b
A numeric exercise states values for its names: pass each with --value, and
the answer is judged by its value there (an expression such as det(X) X^-1 is
evaluated at the stated X). An entry is right when it is exact (262/3) or a
decimal within 0.01% of the exact value (87.333 for 262/3; a zero entry is 0).

\b
Examples:
  matcalc check --given "x[n], A[n,n]" "(A + A^T) x" "A x + A^T x"
  matcalc check --given "x[n], A[n,n]" "(A + A^T) x" "2 A x" --json
  matcalc check --given "x[n], A[n,n]" --layout numerator "x^T (A + A^T)" "(A + A^T) x"
  matcalc check --given "X[2,2]" --value "X=[1, 2; 3, 4]" "[4, -2; -3, 1]" "det(X) X^-1"
  matcalc check --given "a" --value "a=1" "262/3" "87.333"

Exit status: 0 if correct, 1 otherwise, 2 for a usage error (including a key,
--given or --value that can't be read).
"""


@click.command("check", help=_CHECK_HELP,
               context_settings={"ignore_unknown_options": True})
@click.argument("expected")
@click.argument("answer")
@click.option("--given", "-g", default="", metavar="DECLS",
              help='Declared names and shapes, e.g. "x[n], A[n,n], b".')
@click.option("--layout", type=click.Choice(["numerator", "denominator"]), default=None,
              help="The layout the exercise uses, named in the feedback on transposes.")
@click.option("--partial-credit", is_flag=True,
              help="For explicit matrices, score the fraction of entries right.")
@click.option("--value", "values", multiple=True, metavar="NAME=MATRIX",
              help='A numeric exercise\'s stated value of a name, e.g. "X=[1, 2; 3, 4]" '
                   "(repeat for each name): the answer is judged at these values.")
@click.option("--timeout", type=click.FloatRange(min=0.1, max=600), default=2.0,
              show_default=True, metavar="SECONDS", help="Wall-clock cap on the check.")
@click.option("--json", "as_json", is_flag=True, help="Print every field of the verdict as JSON.")
def check_command(
    expected: str, answer: str, given: str, layout: str | None, partial_credit: bool,
    values: tuple[str, ...], timeout: float, as_json: bool,
) -> None:
    from grader.checker import parse_key
    from grader.pool import Caps, GradingPool
    from grader.verdict import CheckOptions

    answer = _text(answer)
    declarations = _declarations(given)
    try:
        parse_key(expected, declarations)
    except ParseError as problem:
        raise click.UsageError(f"EXPECTED: {problem}") from None
    stated = _stated_values(values, declarations)
    options = CheckOptions(partial_credit=partial_credit, values=stated)
    caps = Caps(wall_seconds=timeout, cpu_seconds=timeout)
    with GradingPool(workers=1, caps=caps) as pool:
        verdict = pool.check(expected, answer, given, layout=layout,  # type: ignore[arg-type]
                             options=options)
    if as_json:
        click.echo(json.dumps(verdict.to_json(), ensure_ascii=False))
    else:
        click.echo(f"status:   {verdict.status} (score {verdict.score:g})")
        if verdict.interpreted_as is not None:
            click.echo(f"read as:  {verdict.interpreted_as.ascii}")
            click.echo(f"latex:    {verdict.interpreted_as.latex}")
            for message in verdict.interpreted_as.notes:
                click.echo(f"reading:  {message}")
        if verdict.answer_shape is not None and verdict.expected_shape is not None:
            click.echo(f"shape:    {verdict.answer_shape} (expected {verdict.expected_shape})")
        if verdict.note:
            click.echo(f"note:     {verdict.note}")
        click.echo(f"feedback: {verdict.feedback}")
        click.echo(f"method:   {verdict.method}")
    sys.exit(0 if verdict.status == "correct" else 1)


def _stated_values(values: tuple[str, ...], declarations: Declarations
                   ) -> tuple[tuple[str, str], ...]:
    """``--value NAME=MATRIX`` options as a numeric exercise records its values, checked."""
    from grader.numeric import stated_point

    if not values:
        return ()
    pairs: dict[str, str] = {}
    for item in values:
        name, equals, text = item.partition("=")
        if not equals or not name.strip() or not text.strip():
            raise click.UsageError(f"--value {item!r}: write NAME=MATRIX, e.g. X=[1, 2; 3, 4]")
        if name.strip() in pairs:
            raise click.UsageError(f"--value: {name.strip()} is given twice")
        pairs[name.strip()] = text.strip()
    stated = tuple(sorted(pairs.items()))
    try:
        stated_point(stated, declarations)
    except ParseError as problem:
        raise click.UsageError(f"--value: {problem}") from None
    return stated


_VALIDATE_HELP = """Check a submission before handing it in: how each answer was read.

\b
For each question of your sheet it shows your answer as matcalc read it (in
ASCII and LaTeX) and its shape, or why it can't be read, with a caret under the
place. It also flags questions with no answer, answers to questions that don't
exist and a missing student id. It says nothing about whether an answer is right.

\b
ANSWERS is a text file (one answer per question, "q1: x^T (A + A^T)", "#"
comments, "student: ID" naming you) or JSON ({"student": ID, "answers":
{"q1": "..."}}); see the README. Pass - to read it from standard input.

\b
Examples:
  matcalc validate set.json answers.txt
  matcalc validate set.json answers.json --student s001 --json

Exit status: 0 if every question has a readable answer, 1 if not, 2 for a
usage error (including a set or submission that can't be read).
"""


@click.command("validate", help=_VALIDATE_HELP)
@click.argument("set_path", metavar="SET.json", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("answers", metavar="ANSWERS")
@click.option("--student", metavar="ID", default=None,
              help="Your student id (or e-mail), if the file does not name you.")
@click.option("--json", "as_json", is_flag=True, help="Print the readings as JSON.")
def validate_command(set_path: Path, answers: str, student: str | None, as_json: bool) -> None:
    from grader.attribution import without_copy_number
    from grader.checker import parse_key
    from grader.grading_run import check_keys
    from grader.submission import (
        SubmissionError,
        find_variant,
        match,
        parse_submission,
        read_bytes,
    )

    exercise_set = load_set(set_path)
    try:
        check_keys(exercise_set)
    except MatcalcError as problem:
        raise click.UsageError(str(problem)) from None
    try:
        if answers == "-":
            data, name = sys.stdin.buffer.read(), "<stdin>"
        else:
            data, name = read_bytes(Path(answers)), Path(answers).name
        submission = parse_submission(data, name)
        who = student or submission.student
        variant = find_variant(exercise_set, who, name, fallback=None if answers == "-" else
                               without_copy_number(Path(answers).stem))
    except SubmissionError as problem:
        raise click.UsageError(str(problem)) from None
    matched = match(submission, variant)
    unanswered = dict(matched.unanswered)
    rows: list[dict[str, object]] = []
    for exercise, (_, answer) in zip(variant.exercises, matched.answers, strict=True):
        row: dict[str, object] = {"question": exercise.id, "answer": None, "valid": False,
                                  "ascii": None, "latex": None, "shape": None, "notes": [],
                                  "error": None}
        if answer is None:
            row["error"] = unanswered[exercise.id]
        else:
            row["answer"] = answer.text
            declarations = parse_declarations(exercise.given)
            expected = parse_key(exercise.answer, declarations).typed_shape
            try:
                answer_reading = read(answer.text, declarations, expected=expected)
            except ParseError as problem:
                row["error"] = str(problem)
            else:
                tree = answer_reading.tree
                row.update(valid=True, ascii=print_ascii(tree), latex=print_latex(tree),
                           shape=tree.typed_shape.describe(),
                           notes=list(answer_reading.messages))
        rows.append(row)
    complete = all(r["valid"] for r in rows) and not matched.problems
    if as_json:
        click.echo(json.dumps({"student": variant.id, "complete": complete,
                               "questions": rows, "problems": list(matched.problems)},
                              ensure_ascii=False, indent=2))
    else:
        named = f"{variant.id} ({variant.name})" if variant.name else variant.id
        if len(exercise_set.variants) > 1:
            click.echo(f"student: {named}")
        for row in rows:
            click.echo(f"{row['question']}:")
            if row["valid"]:
                click.echo(f"  read as: {row['ascii']}")
                click.echo(f"  latex:   {row['latex']}")
                click.echo(f"  shape:   {row['shape']}")
                for message in row["notes"]:  # type: ignore[attr-defined]
                    click.echo(f"  note:    {message}")
            else:
                message = str(row["error"]).replace("\n", "\n           ")
                click.echo(f"  {'no answer' if row['answer'] is None else 'unreadable'}: "
                           f"{message}")
        for problem_text in matched.problems:
            click.echo(f"problem: {problem_text}")
        if complete:
            click.echo(f"All {len(rows)} answers can be read. "
                       "(This says nothing about whether they are right.)")
    sys.exit(0 if complete else 1)


def grading_options(command: Callable[..., None]) -> Callable[..., None]:
    """--partial-credit, --points and --timeout: how a class is graded (here or in an LMS)."""
    for option in reversed((
        click.option("--partial-credit", is_flag=True,
                     help="For explicit matrices, score the fraction of entries right."),
        click.option("--points", type=click.FloatRange(min=0, min_open=True), default=1.0,
                     show_default=True, help="Points per question."),
        click.option("--timeout", type=click.FloatRange(min=0.1, max=600), default=2.0,
                     show_default=True, metavar="SECONDS",
                     help="Wall-clock cap on each answer."),
    )):
        command = option(command)
    return command


_GRADE_HELP = """Grade a class's submissions: a report per student and a gradebook.

\b
SUBMISSION is a submission file or a folder of them (searched recursively;
hidden files are skipped). A file is a student's when its folder or its name
is their id or e-mail (s001/answers.txt, S001.TXT, a browser's "s001 (1).txt"),
when it comes from Canvas's or Moodle's "download all submissions" (matched by
the roster's Canvas user ID, or by name), or else when it says "student: ID".
With a roster, the path decides and a "student:" line that disagrees is
reported on that submission. With a set of one variant and no roster, any id
will do. Symbolic links are never followed. Answers are graded exactly on worker
processes under CPU, memory and time caps, --jobs at a time.

\b
Per student, DIR holds ID.json (every verdict field per question, score,
max_score) and ID.md (the feedback, for the student). A submission that can't be
read or matched (not UTF-8, a PDF, too large, an unknown student, two files for
one student) is reported under DIR/rejected/ and on its student's gradebook row;
it never stops the run. The gradebook has a row per roster student (the set's
students, or --roster), in roster order, graded, rejected or missing, then the
submissions of no roster student. Reports are written atomically, student by
student: after an interruption, --resume grades only what is missing or changed.

\b
--cluster sends the checks to a Dask cluster (pip install 'matcalc[dask]'):
tcp://HOST:8786 or tls://HOST:8786 names a running `dask scheduler` (TLS
certificates from Dask's settings, e.g. DASK_DISTRIBUTED__COMM__TLS__CA_FILE);
local:N starts N workers here. A task carries --batch students; each worker
thread checks them on --jobs processes (default 1) under the same caps.
Workers must run this matcalc version (others are refused by name) and need
DASK_DISTRIBUTED__WORKER__DAEMON=False (and MALLOC_ARENA_MAX=2 in their
environment, see the README). Reports, --resume and the gradebook are as
without --cluster.

\b
Examples:
  matcalc grade output/set.json submissions/ -o output/grades
  matcalc grade set.json submissions/ --csv gradebook.csv --jobs 2 --resume
  matcalc grade set.json canvas-download/ --roster canvas-export.csv --csv-format canvas
  matcalc grade set.json s001.txt --json
  matcalc grade set.json submissions/ --cluster tcp://10.0.0.5:8786 --batch 20

Exit status: 0 when the run finished (rejected submissions included), 1 for an
error such as an unreadable set or roster, 2 for a usage error, 130 if
interrupted.
"""


@click.command("grade", help=_GRADE_HELP)
@click.argument("set_path", metavar="SET.json", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("submissions", metavar="SUBMISSION...", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output/grades"), show_default=True, help="Folder for the reports.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Gradebook CSV to write [default: DIR/gradebook.csv].")
@click.option("--csv-format", type=click.Choice(GRADEBOOK_FORMATS), default="plain",
              show_default=True, help="Columns of the gradebook.")
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON summary (one entry per submission) instead of text.")
@click.option("--jobs", "-j", type=click.IntRange(min=1, max=256), default=None,
              help="Worker processes [default: one per core; with --cluster, per "
                   "worker thread, default 1].")
@click.option("--resume", is_flag=True,
              help="Keep the reports of an earlier run where nothing changed.")
@click.option("--cluster", "cluster_address", default=None, metavar="ADDRESS",
              help="Grade on a Dask cluster: tcp://HOST:PORT, tls://HOST:PORT or local:N.")
@click.option("--batch", type=click.IntRange(min=1, max=10_000), default=10, show_default=True,
              help="Students per task sent to a --cluster worker.")
@click.option("--roster", "roster_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="The class (CSV; as for matcalc generate): a gradebook row per "
                                 "student, in its order [default: the set's students].")
@grading_options
def grade_command(set_path: Path, submissions: tuple[Path, ...], directory: Path,
                  csv_path: Path | None, csv_format: str, as_json: bool, jobs: int | None,
                  resume: bool, cluster_address: str | None, batch: int,
                  roster_path: Path | None, partial_credit: bool, points: float,
                  timeout: float) -> None:
    from grader.cluster import parse_cluster
    from grader.files import write_atomically
    from grader.gradebook import gradebook_csv
    from grader.grading_run import (
        RunOptions,
        common_root,
        find_submissions,
        grade_class,
        report_path,
    )
    from grader.pool import Caps
    from grader.report import StudentReport
    from grader.roster import read_roster

    try:
        cluster = None if cluster_address is None else parse_cluster(cluster_address, batch)
    except MatcalcError as problem:
        raise click.UsageError(str(problem)) from None
    exercise_set = load_set(set_path)
    try:
        roster = read_roster(roster_path) if roster_path is not None else None
    except MatcalcError as problem:
        raise click.ClickException(str(problem)) from None
    try:
        sources = find_submissions(list(submissions), exclude=directory)
    except MatcalcError as problem:
        raise click.UsageError(str(problem)) from None
    beside = {set_path.resolve(), *([roster_path.resolve()] if roster_path else [])}
    sources = [s for s in sources if s.resolve() not in beside]  # the set sits beside
    if not sources:
        raise click.UsageError("no submission files found in " +
                               ", ".join(str(s) for s in submissions))
    root = common_root(submissions)
    options = RunOptions(jobs=jobs, resume=resume, partial_credit=partial_credit,
                         points=points, caps=Caps(wall_seconds=timeout, cpu_seconds=timeout),
                         cluster=cluster)
    done = 0
    with click.progressbar(length=len(sources), label="grading", file=sys.stderr,
                           show_pos=True, show_eta=True) as bar:
        def progress(report: StudentReport, reused: bool) -> None:
            nonlocal done
            done += 1
            bar.update(1)

        try:
            result = grade_class(exercise_set, sources, directory, options, root=root,
                                 progress=progress, roster=roster)
        except KeyboardInterrupt:
            click.echo(f"\ninterrupted after {done} of {len(sources)} submissions; the "
                       "reports written are complete: run again with --resume to finish",
                       err=True)
            sys.exit(130)
        except MatcalcError as problem:
            raise click.ClickException(str(problem)) from None
    gradebook = csv_path or directory / "gradebook.csv"
    write_atomically(gradebook, gradebook_csv(result.rows, exercise_set, csv_format))
    if as_json:
        click.echo(json.dumps({
            "directory": str(directory), "gradebook": str(gradebook), "graded": result.graded,
            "reused": result.reused, "rejected": result.rejected, "missing": result.missing,
            "submissions": [{"source": r.source, "student": r.student, "status": r.status,
                             "score": r.score, "max_score": r.max_score,
                             "problems": list(r.problems),
                             "report": str(report_path(directory, r))}
                            for r in result.reports],
            "students": [{"student": row.student or None, "name": row.name,
                          "status": row.status, "score": row.score,
                          "max_score": row.max_score, "submissions": list(row.sources),
                          "problems": list(row.problems), "on_roster": row.on_roster}
                         for row in result.rows]}, ensure_ascii=False, indent=2))
        return
    click.echo(f"graded {result.graded}, reused {result.reused} from an earlier run, "
               f"rejected {result.rejected}, missing {result.missing}")
    for report in result.reports:
        if report.status == "rejected":
            click.echo(f"  rejected {report.source}: {'; '.join(report.problems)}")
    absent = [row for row in result.rows if row.status == "missing"]
    for row in absent[:_LISTED]:
        click.echo(f"  missing {row.student}" + (f" ({row.name})" if row.name else "")
                   + ": no submission")
    if len(absent) > _LISTED:
        click.echo(f"  ... and {len(absent) - _LISTED} more students with no submission (see "
                   "the gradebook)")
    click.echo(f"reports: {directory}/   gradebook: {gradebook}")


#: Students without a submission named one by one in the summary; the gradebook has them all.
_LISTED = 20


_AUTOGRADE_HELP = """Grade one submission inside a Gradescope autograder (run_autograder calls it).

\b
Reads ROOT/source/set.json (and grading options from ROOT/source/autograder.json),
the student's file from ROOT/submission/ and their account from
ROOT/submission_metadata.json, which picks their variant by e-mail or id; writes
ROOT/results/results.json: one test per question with Markdown feedback, the
score and the execution time. A valid results.json is written even when the
submission is missing or unreadable, or grading fails.

ROOT defaults to $MATCALC_AUTOGRADER_ROOT, else /autograder.
"""


@click.command("autograde", help=_AUTOGRADE_HELP)
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The autograder folder [default: $MATCALC_AUTOGRADER_ROOT or /autograder].")
def autograde_command(root: Path | None) -> None:
    from grader.autograder import main

    sys.exit(main(root))


def load_set(path: Path) -> ExerciseSet:
    """An exercise set for a command: a usage error (exit 2) naming the place if unreadable."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as problem:
        raise click.UsageError(f"{path}: can't read the set ({problem})") from None
    try:
        return ExerciseSet.loads(text, str(path))
    except MatcalcError as problem:
        raise click.UsageError(str(problem)) from None


def _text(text: str) -> str:
    """``-`` means standard input."""
    return sys.stdin.read().rstrip("\n") if text == "-" else text


def _declarations(given: str) -> Declarations:
    try:
        return parse_declarations(given)
    except ParseError as problem:
        raise click.UsageError(f"--given: {problem}") from None


COMMANDS = [parse_command, check_command, validate_command, grade_command, autograde_command]
