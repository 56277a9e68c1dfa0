"""``matcalc export``: an exercise set for Gradescope, Moodle or Canvas."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from generator.export.common import Export
from grader.cli import grading_options, load_set
from grader.errors import MatcalcError
from grader.exercise_set import ExerciseSet
from grader.files import write_atomically


@click.group("export")
def export_group() -> None:
    """Export an exercise set to a learning platform.

    \b
      matcalc export gradescope SET.json -o autograder.zip   a Gradescope autograder
      matcalc export moodle SET.json -o quiz.xml             a Moodle XML quiz (cloze, STACK)
      matcalc export canvas SET.json -o quiz.zip             a Canvas QTI 1.2 package
    """


def _export(set_path: Path, output: Path, build: Callable[[ExerciseSet], Export],
            what: str) -> None:
    """Read the set, build the export, write it atomically and print its notes."""
    exercise_set = load_set(set_path)
    try:
        export = build(exercise_set)
    except MatcalcError as problem:
        raise click.ClickException(str(problem)) from None
    write_atomically(output, export.data)
    for note in export.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"wrote {output}: {what} ({len(export.data):,} bytes)")


_SET = click.argument("set_path", metavar="SET.json",
                      type=click.Path(exists=True, dir_okay=False, path_type=Path))

_GRADESCOPE_HELP = """A Gradescope autograder zip for SET.json.

\b
The zip holds setup.sh and run_autograder at its root, the set, the grading
options, matcalc as a wheel and constraints.txt, which pins its dependencies to
the versions installed here (setup.sh installs them when Gradescope builds the
image). Upload it under the assignment's Configure Autograder page ("Zip file
upload"). Each student uploads answers.txt or answers.json (see matcalc validate);
with a per-student set, the variant is found from the Gradescope account's
e-mail (then its student id), matched against the roster's e-mail and id; a
group submission is graded when all its members share one variant. The README
shows how to try the zip locally.

\b
Example:
  matcalc generate --roster class.csv -o output/set.json
  matcalc export gradescope output/set.json -o output/autograder.zip
"""


@export_group.command("gradescope", help=_GRADESCOPE_HELP)
@_SET
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("output/autograder.zip"), show_default=True)
@grading_options
def gradescope_command(set_path: Path, output: Path, partial_credit: bool, points: float,
                       timeout: float) -> None:
    from generator.export.gradescope import gradescope_package
    from grader.autograder import AutograderOptions
    from grader.pool import Caps

    options = AutograderOptions(partial_credit, points, Caps(wall_seconds=timeout,
                                                             cpu_seconds=timeout))
    _export(set_path, output, lambda exercise_set: gradescope_package(exercise_set, options),
            "Gradescope autograder")


_CANVAS_HELP = """A Canvas quiz package (QTI 1.2, Canvas's flavour) for SET.json.

\b
Canvas grades numbers, so every exercise is asked at concrete numbers: numeric
exercises as they are, symbolic and explicit ones at sizes and values chosen
per exercise (stated in the question; the notes list them). Each entry of an
answer is a numerical question worth its share of the exercise's point, and
is accepted within 0.01% of its exact value, as matcalc grade accepts it. Each
variant (student) is its own quiz.

\b
Import: Settings > Import Course Content > "QTI .zip file" (see the README).

\b
Example:
  matcalc generate --form numeric --count 6 -o output/set.json
  matcalc export canvas output/set.json -o output/quiz.zip
"""


@export_group.command("canvas", help=_CANVAS_HELP)
@_SET
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("output/canvas-quiz.zip"), show_default=True)
def canvas_command(set_path: Path, output: Path) -> None:
    from generator.export.canvas import canvas_package

    _export(set_path, output, canvas_package, "Canvas QTI 1.2 package")


_MOODLE_HELP = """A Moodle XML quiz for SET.json, with a question category per family.

\b
Numeric exercises become cloze (embedded answers) questions: one numerical
blank per entry of the answer, laid out as the matrix, accepting values within
0.01% of the exact value, as matcalc grade does. Explicit exercises
become STACK questions (the key in Maxima, checked with AlgEquiv; the worked
solution as general feedback), which need the STACK plugin. Symbolic exercises,
which neither can grade, are exported as numeric instances at sizes and values
chosen per exercise and stated in the question; the command says so.

\b
Import: Question bank > Import > "Moodle XML format" (see the README).

\b
Example:
  matcalc generate --form explicit --count 6 -o output/set.json
  matcalc export moodle output/set.json -o output/quiz.xml
"""


@export_group.command("moodle", help=_MOODLE_HELP)
@_SET
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("output/moodle-quiz.xml"), show_default=True)
def moodle_command(set_path: Path, output: Path) -> None:
    from generator.export.moodle import moodle_quiz

    _export(set_path, output, moodle_quiz, "Moodle XML quiz")
