"""``matcalc author``: commands for exercise files instructors write."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from generator.authored.reading import AuthoredExercise

_CHECK_HELP = """Check exercise files (TOML) before a class sees them.

\b
Every exercise is drawn 20 times (its parameters, and the random points)
in each layout, and at every draw:
  - finite differences of the function agree with the answer (given, or
    derived when the file gives none);
  - the grader accepts the answer, typed in ASCII and in LaTeX;
  - every listed mistake is rejected;
  - every test gets the verdict it expects.
Exit status 0 when everything passes; otherwise 1, with one line per failure
naming the file, the line, the entry (bilinear.tests[0]) and the draw.

\b
Example:
  matcalc author check exercises/quadratic.toml exercises/more/
"""


@click.group("author")
def author_group() -> None:
    """Exercises you write yourself, in TOML (see the README's "Writing your own exercises")."""


@author_group.command("check", help=_CHECK_HELP)
@click.argument("paths", nargs=-1, required=True, metavar="FILE...",
                type=click.Path(path_type=Path))
@click.option("--draws", type=click.IntRange(20, 1000), default=20, show_default=True,
              help="Parameter draws per layout.")
def check_command(paths: tuple[Path, ...], draws: int) -> None:
    from generator.authored.check import check_all
    from generator.authored.loading import files, load
    from generator.family import GenerationError

    try:
        found = files(paths)
    except GenerationError as problem:
        click.echo(f"error: {problem}", err=True)
        sys.exit(1)
    exercises: list[AuthoredExercise] = []
    unreadable = 0
    for path in found:  # a malformed file is reported, and the others are still checked
        try:
            exercises.extend(load([path]))
        except GenerationError as problem:
            click.echo(f"error: {problem}", err=True)
            unreadable += 1
    failures = check_all(tuple(exercises), draws)
    for failure in failures:
        click.echo(str(failure), err=True)
    if failures or unreadable:
        click.echo(f"{len(failures)} problem(s) in {len(exercises)} exercise(s)"
                   + (f"; {unreadable} file(s) could not be read" if unreadable else ""),
                   err=True)
        sys.exit(1)
    click.echo(f"{len(exercises)} exercise(s) pass: {draws} draws in each layout")
