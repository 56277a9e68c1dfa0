"""The generator's commands: ``matcalc families`` and ``matcalc generate``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from generator.authored.commands import author_group
from generator.layout import LAYOUTS
from grader.exercise_set import FORMS, ExerciseSet, ExerciseSetError
from grader.files import write_atomically

if TYPE_CHECKING:
    from generator.authored.reading import AuthoredExercise
    from generator.family import Family
    from generator.sets import SetOptions
    from grader.roster import Student

# The families, sets and rendering are imported by the commands that use them: every other
# command (a Gradescope run of matcalc autograde, say) starts without loading them.


@click.command("families")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def families_command(as_json: bool) -> None:
    """List the exercise families: name, title, difficulties, forms and source."""
    from generator.families import registry

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
  matcalc generate --exercises mine.toml --family bilinear --family quadratic

Two exercises on one sheet are never the same once digits are masked (same
given, variable and function): if a family at a difficulty can't give as many
distinct exercises as the sheet needs, the error says how many it can. The
set records the options that made it (families sorted, difficulty, form,
count, seed, layout, title, matcalc version): the same options, in any order,
give the same bytes.

With --form numeric, values are drawn until the key is worth computing by
hand: never all zeros, every entry 0 for all values or at least 0.01,
integers or fractions with numerator and denominator at most 1000, relu
units mixed, sigma and tanh arguments within 3 of 0.

\b
Rebuilding a set, or one student's variant, from its set.json:
  matcalc generate --rebuild output/set.json -o output/again.json
  matcalc generate --rebuild output/set.json --student s123 -o s123.json
A matcalc of another version rebuilds the set only if it makes the same
exercises; otherwise it refuses and names the version to use.

The roster is a CSV file: comma, semicolon or tab separated, with a header row
naming its columns (Student ID, SIS User ID, ID number, SID, id, username; Name,
First name, Last name; Email) in any order, as spreadsheets and the roster or
gradebook exports of Canvas, Moodle and Gradescope save it; or id,name[,email]
rows without a header.
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
              help="The class (CSV, see below): one variant per student.")
@click.option("--title", default="Matrix calculus", show_default=True)
@click.option("--exercises", "exercise_paths", multiple=True, metavar="PATH",
              type=click.Path(path_type=Path),
              help="Exercise files you wrote (TOML), or folders of them (repeatable): their "
                   "exercises join the families, selectable by id with --family (default: "
                   "all of them). Check them first with matcalc author check.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None, metavar="N",
              help="Processes for a roster (default: the number of CPUs).")
@click.option("--rebuild", "rebuild_file", metavar="SET.json",
              type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Make this set again from the options it records (no other set options).")
@click.option("--student", default=None, metavar="ID",
              help="With --rebuild: only this student's variant.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("output/set.json"), show_default=True)
@click.pass_context
def generate_command(ctx: click.Context, families: tuple[str, ...], difficulty: int | None,
                     form: str, count: int, seed: int, layout: str, roster: Path | None,
                     title: str, exercise_paths: tuple[Path, ...], jobs: int | None,
                     rebuild_file: Path | None, student: str | None, output: Path) -> None:
    from generator.sets import SetOptions

    if rebuild_file is not None:
        given = [f"--{name}" for name in ("family", "difficulty", "form", "count", "seed",
                                          "layout", "roster", "title", "exercises")
                 if ctx.get_parameter_source({"family": "families",
                                              "exercises": "exercise_paths"}.get(name, name))
                 == click.core.ParameterSource.COMMANDLINE]
        if given:
            raise click.UsageError(f"--rebuild takes the options from {rebuild_file}; "
                                   f"leave out {', '.join(given)}")
        exercise_set = _rebuild(rebuild_file, student, jobs)
    elif student is not None:
        raise click.UsageError("--student needs --rebuild SET.json")
    else:
        authored = _authored(exercise_paths)
        options = SetOptions(families, difficulty, form, count, seed,  # type: ignore[arg-type]
                             layout, title,  # type: ignore[arg-type]
                             authored=tuple(family for family, _ in authored))
        exercise_set = _make(options, roster, jobs)
        if authored:
            exercise_set = _record_authored(exercise_set, authored)
    write_atomically(output, exercise_set.dumps())
    exercises = sum(len(v.exercises) for v in exercise_set.variants)
    click.echo(f"wrote {output}: {len(exercise_set.variants)} variant(s), {exercises} "
               "verified exercises", err=True)


def _make(options: SetOptions, roster: Path | None, jobs: int | None) -> ExerciseSet:
    """Generate (and verify) a set, with a progress bar for a class."""
    from generator.family import GenerationError
    from generator.sets import make_set
    from grader.roster import read_roster

    try:
        students: list[Student] = read_roster(roster) if roster else []
        total = max(1, len(students))
        with click.progressbar(length=total, label="generating", file=sys.stderr,
                               show_pos=True) if total > 1 else _NoBar() as bar:
            return make_set(options, students, progress=bar.update,
                            jobs=jobs or os.cpu_count() or 1)
    except (ExerciseSetError, GenerationError) as problem:
        raise click.ClickException(str(problem)) from None


def _rebuild(path: Path, student: str | None, jobs: int | None) -> ExerciseSet:
    from generator.family import GenerationError
    from generator.rebuild import rebuild

    try:
        recorded = ExerciseSet.loads(path.read_text("utf-8"), str(path))
        return rebuild(recorded, str(path), student, jobs=jobs or os.cpu_count() or 1)
    except (OSError, UnicodeDecodeError) as problem:
        raise click.ClickException(f"{path}: {problem}") from None
    except (ExerciseSetError, GenerationError) as problem:
        raise click.ClickException(str(problem)) from None


def _authored(paths: tuple[Path, ...]) -> list[tuple[Family, AuthoredExercise]]:
    """The exercises of the files, read and checked before anything is generated or written."""
    if not paths:
        return []
    from generator.authored.draws import family_of
    from generator.authored.loading import load
    from generator.family import GenerationError

    try:
        return [(family_of(exercise), exercise) for exercise in load(paths)]
    except GenerationError as problem:
        raise click.ClickException(str(problem)) from None


def _record_authored(exercise_set: ExerciseSet,
                     authored: list[tuple[Family, AuthoredExercise]]) -> ExerciseSet:
    """The set with the source of each authored exercise it uses, so it can be rebuilt."""
    import dataclasses

    from generator.authored.loading import sources

    used = {e.family for v in exercise_set.variants for e in v.exercises}
    return dataclasses.replace(exercise_set,
                               authored=sources((e for _, e in authored), used))


class _NoBar:
    """A stand-in for a progress bar when there is nothing worth showing."""

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, steps: int) -> None:
        return None


def _render_set(exercise_set: ExerciseSet, directory: Path, kinds: tuple[str, ...],
                split: bool) -> None:
    from generator.render import RenderError, render

    try:
        rendered = render(exercise_set, directory, kinds=kinds, split=split,
                          progress=lambda step: click.echo(f"{step}…", err=True))
    except RenderError as problem:
        raise click.ClickException(str(problem)) from None
    for path in rendered.combined.values():
        click.echo(f"wrote {path}", err=True)
    if rendered.per_student:
        click.echo(f"wrote {len(rendered.per_student)} students' PDFs in {directory}/<id>/",
                   err=True)


@click.command("render")
@click.argument("set_file", metavar="SET.json",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output"), show_default=True, help="Directory for .tex and PDFs.")
@click.option("--what", default="worksheet,key,solutions", show_default=True,
              help="Comma-separated documents: worksheet, key, solutions.")
@click.option("--split/--no-split", default=True, show_default=True,
              help="Also write each student's PDFs to DIR/<student-id>/.")
def render_command(set_file: Path, output: Path, what: str, split: bool) -> None:
    """Typeset an exercise set: worksheet, answer key and worked solutions as PDF.

    \b
    One LuaLaTeX run per document for the whole class (the combined PDFs are
    kept for printing), then split per student into DIR/<student-id>/. The .tex
    files are kept. Names and titles print in any script; every answer, function
    and given value copies out of the PDF as the answer language (4 det(X) X^-1).
    LuaLaTeX runs with shell escape off; TeX reads only DIR and the TeX trees
    and writes only in DIR. The set's own LaTeX is typeset as written (Lua in it
    is not confined): render sets you trust. On an error the message names the
    student and exercise it came from.
    """
    try:
        exercise_set = ExerciseSet.loads(set_file.read_text("utf-8"), str(set_file))
    except (OSError, UnicodeDecodeError) as problem:
        raise click.ClickException(f"{set_file}: {problem}") from None
    except ExerciseSetError as problem:
        raise click.ClickException(str(problem)) from None
    kinds = tuple(k.strip() for k in what.split(",") if k.strip())
    _render_set(exercise_set, output, kinds, split)


@click.command("worksheet")
@click.option("--family", "families", multiple=True, metavar="NAME",
              help="A family to draw from (repeatable; default: all).")
@click.option("--difficulty", type=int, default=None, metavar="1-5")
@click.option("--form", type=click.Choice(FORMS), default="symbolic", show_default=True)
@click.option("--count", type=click.IntRange(1, 200), default=8, show_default=True,
              help="Exercises per student.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--layout", type=click.Choice(LAYOUTS), default="numerator", show_default=True)
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The class (CSV, as for matcalc generate): a sheet per student.")
@click.option("--title", default="Matrix calculus", show_default=True)
@click.option("--exercises", "exercise_paths", multiple=True, metavar="PATH",
              type=click.Path(path_type=Path),
              help="Exercise files you wrote (TOML) or folders of them, as for matcalc generate.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None, metavar="N")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output"), show_default=True)
def worksheet_command(families: tuple[str, ...], difficulty: int | None, form: str, count: int,
                      seed: int, layout: str, roster: Path | None, title: str,
                      exercise_paths: tuple[Path, ...], jobs: int | None, output: Path) -> None:
    """Generate a verified exercise set and typeset it, in one step.

    \b
    With no options: 8 exercises across the families, written to
    output/set.json, output/worksheet.pdf, output/answer-key.pdf and
    output/solutions.pdf. With --roster, every student gets a personalised
    sheet, split into output/<student-id>/.
    """
    from generator.sets import SetOptions

    authored = _authored(exercise_paths)
    options = SetOptions(families, difficulty, form, count, seed, layout,  # type: ignore[arg-type]
                         title, authored=tuple(family for family, _ in authored))
    exercise_set = _make(options, roster, jobs)
    if authored:
        exercise_set = _record_authored(exercise_set, authored)
    write_atomically(output / "set.json", exercise_set.dumps())
    click.echo(f"wrote {output / 'set.json'}", err=True)
    _render_set(exercise_set, output, ("worksheet", "key", "solutions"), True)


COMMANDS = [families_command, generate_command, render_command, worksheet_command, author_group]
