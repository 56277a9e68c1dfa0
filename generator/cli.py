"""The ``matcalc`` command: the root group, with each package's commands added to it."""

from __future__ import annotations

import importlib
import sys

import click

from generator.calculus.command import diff_command
from generator.commands import COMMANDS as GENERATOR_COMMANDS
from generator.export.cli import export_group
from grader.cli import COMMANDS as GRADER_COMMANDS
from grader.errors import MatcalcError

#: Commands of the web package, imported only when used: ``generator`` never imports ``web``.
LAZY_COMMANDS = {
    "serve": ("web.cli", "serve_command", "Serve the answer pages, practice and the dashboard."),
    "assignment": ("web.assignment_cli", "assignment_group", "Graded assignments in the browser."),
    "instructor": ("web.instructor.cli", "instructor_group", "Dashboard accounts."),
    "lti": ("web.lti.cli", "lti_group", "LTI 1.3: register LMSs, show the config, rotate keys."),
}


class _LazyGroup(click.Group):
    """click's lazy-group pattern: a command of another package is imported when it runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS:
            module, attribute, _ = LAZY_COMMANDS[cmd_name]
            command: click.Command = getattr(importlib.import_module(module), attribute)
            return command
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, command.get_short_help_str(60))
                for name in click.Group.list_commands(self, ctx)
                if (command := click.Group.get_command(self, ctx, name)) is not None
                and not command.hidden]
        rows += [(name, summary) for name, (_, _, summary) in LAZY_COMMANDS.items()]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(sorted(rows))


@click.group(cls=_LazyGroup,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
      matcalc serve --help     answer pages in the browser: practice and assignments
      matcalc assignment --help   graded assignments with personal links
      matcalc lti --help       inside Moodle, Canvas, Blackboard, Brightspace (LTI 1.3)
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
