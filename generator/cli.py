"""The ``matcalc`` command: the root group, with each package's commands added to it."""

from __future__ import annotations

import sys

import click

from generator.calculus.command import diff_command
from generator.commands import COMMANDS as GENERATOR_COMMANDS
from generator.export.cli import export_group
from grader.cli import COMMANDS as GRADER_COMMANDS
from grader.errors import MatcalcError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="matcalc")
def root() -> None:
    """matcalc: matrix-calculus exercises with verified solutions, graded exactly.

    \b
    Start with:
      matcalc families         the exercise families
      matcalc worksheet        generate and typeset a verified worksheet, key and solutions
      matcalc generate --help  make a verified exercise set (per student with --roster)
      matcalc render --help    typeset a set as PDF
      matcalc author --help    exercises you write yourself (TOML), checked before use
      matcalc parse --help     how answers are written and read
      matcalc diff --help      differentiate an expression, with steps
      matcalc validate --help  check a submission before handing it in
      matcalc grade --help     grade a class: reports and a gradebook
      matcalc export --help    Gradescope, Moodle and Canvas
    """


for command in (*GENERATOR_COMMANDS, diff_command, export_group, *GRADER_COMMANDS):
    root.add_command(command)


def main() -> None:
    """Console entry point: any project error becomes a message and exit status 1."""
    try:
        root.main(standalone_mode=True)
    except MatcalcError as problem:  # pragma: no cover - commands handle their own errors
        click.echo(f"error: {problem}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
