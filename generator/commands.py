"""The generator's commands: ``matcalc families`` and ``matcalc generate``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from generator.exercise import FORMS, ExerciseSetError
from generator.families import registry
from generator.family import GenerationError
from generator.layout import LAYOUTS
from generator.sets import SetOptions, Student, make_set, read_roster, write_atomically


@click.command("families")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def families_command(as_json: bool) -> None:
    """List the exercise families: name, title, difficulties, forms and source."""
    rows = [{"name": f.name, "title": f.title, "difficulties": list(f.difficulties),
             "forms": list(f.forms), "source": f.source} for f in registry().values()]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    width = max(len(f.name) for f in registry().values())
    for f in registry().values():
        levels = ",".join(str(d) for d in f.difficulties)
        click.echo(f"{f.name:<{width}}  d{levels:<9} {','.join(f.forms):<26} {f.title}")


_GENERATE_HELP = """Generate an exercise set (JSON, format matcalc-set/1) with verified answers.

\b
Each exercise is checked as it is made: its answer against central finite
differences of its function, and the grader accepts the key and rejects every
listed typical mistake. With --roster, each student gets a variant whose seed
derives from --seed and the student id, so one sheet can be rebuilt alone.

\b
Examples:
  matcalc generate --count 8 --seed 42 -o output/set.json
  matcalc generate --family quadratic --family trace_forms --difficulty 3
  matcalc generate --roster class.csv --layout denominator --form numeric

The roster is a CSV of id,name[,email] rows (a header row is allowed).
"""


@click.command("generate", help=_GENERATE_HELP)
@click.option("--family", "families", multiple=True, metavar="NAME",
              help="A family to draw from (repeatable; default: all). See matcalc families.")
@click.option("--difficulty", type=int, default=None, metavar="1-5",
              help="Only this difficulty (default: each family's levels in turn).")
@click.option("--form", type=click.Choice(FORMS), default="symbolic", show_default=True,
              help="symbolic (matrix expressions), explicit (matrices of scalar "
                   "expressions) or numeric (concrete numbers, for LMS export).")
@click.option("--count", type=click.IntRange(1, 200), default=8, show_default=True,
              help="Exercises per variant.")
@click.option("--seed", type=int, default=0, show_default=True, help="The set's seed.")
@click.option("--layout", type=click.Choice(LAYOUTS), default="numerator", show_default=True)
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="CSV of id,name[,email]: one variant per student.")
@click.option("--title", default="Matrix calculus", show_default=True)
@click.option("--jobs", type=click.IntRange(1, 64), default=None, metavar="N",
              help="Processes for a roster (default: the number of CPUs).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("output/set.json"), show_default=True)
def generate_command(families: tuple[str, ...], difficulty: int | None, form: str, count: int,
                     seed: int, layout: str, roster: Path | None, title: str,
                     jobs: int | None, output: Path) -> None:
    options = SetOptions(families, difficulty, form, count, seed, layout,  # type: ignore[arg-type]
                         title)
    try:
        students: list[Student] = read_roster(roster) if roster else []
        total = max(1, len(students))
        with click.progressbar(length=total, label="generating", file=sys.stderr,
                               show_pos=True) if total > 1 else _NoBar() as bar:
            exercise_set = make_set(options, students, progress=bar.update,
                                    jobs=jobs or os.cpu_count() or 1)
    except (ExerciseSetError, GenerationError) as problem:
        raise click.ClickException(str(problem)) from None
    write_atomically(output, exercise_set.dumps())
    exercises = sum(len(v.exercises) for v in exercise_set.variants)
    click.echo(f"wrote {output}: {len(exercise_set.variants)} variant(s), {exercises} "
               "verified exercises", err=True)


class _NoBar:
    """A stand-in for a progress bar when there is nothing worth showing."""

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, steps: int) -> None:
        return None


COMMANDS = [families_command, generate_command]
