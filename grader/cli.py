"""The grader's commands: ``matcalc parse`` (and ``matcalc check`` once the pool lands)."""

from __future__ import annotations

import json
import sys

import click

from grader.errors import ParseError
from grader.language import parse, parse_declarations, print_ascii, print_latex

_PARSE_HELP = """Show how matcalc reads an answer: canonical ASCII, LaTeX and shape.

\b
TEXT is an answer in ASCII or LaTeX; pass - to read it from standard input.
Every name must be declared with --given: x[n] is an n×1 column, w[1,n] a row,
A[m,n] an m×n matrix, and a bare b a scalar.

\b
Examples:
  matcalc parse --given "x[n], A[n,n]" "x^T (A + A^T)"
  matcalc parse --given "x[n], A[n,n]" '\\mathbf{x}^\\top A \\mathbf{x}' --json
  echo "2 A x" | matcalc parse --given "x[n], A[n,n]" -

Exit status: 0 if the answer is valid, 1 if it is not, 2 for a usage error.
"""


@click.command("parse", help=_PARSE_HELP,
               context_settings={"ignore_unknown_options": True})
@click.argument("text")
@click.option("--given", "-g", default="", metavar="DECLS",
              help='Declared names and shapes, e.g. "x[n], A[n,n], b".')
@click.option("--json", "as_json", is_flag=True,
              help='Print {"valid", "ascii", "latex", "shape", "error"} as JSON.')
def parse_command(text: str, given: str, as_json: bool) -> None:
    if text == "-":
        text = sys.stdin.read().rstrip("\n")
    try:
        declarations = parse_declarations(given)
    except ParseError as problem:
        raise click.UsageError(f"--given: {problem}") from None
    try:
        tree = parse(text, declarations)
    except ParseError as problem:
        if as_json:
            click.echo(json.dumps({"valid": False, "ascii": None, "latex": None, "shape": None,
                                   "error": str(problem)}, ensure_ascii=False))
        else:
            click.echo(f"invalid: {problem}", err=True)
        sys.exit(1)
    shape = tree.typed_shape
    result = {"valid": True, "ascii": print_ascii(tree), "latex": print_latex(tree),
              "shape": shape.as_strings(), "error": None}
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
    else:
        click.echo(f"ascii:  {result['ascii']}")
        click.echo(f"latex:  {result['latex']}")
        click.echo(f"shape:  {shape.describe()}")


COMMANDS = [parse_command]
