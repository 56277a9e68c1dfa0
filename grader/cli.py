"""The grader's commands: ``matcalc parse`` and ``matcalc check``."""

from __future__ import annotations

import json
import sys

import click

from grader.errors import ParseError
from grader.language import Declarations, parse, parse_declarations, print_ascii, print_latex

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
    text = _text(text)
    declarations = _declarations(given)
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


_CHECK_HELP = """Grade ANSWER against the key EXPECTED, exactly, and explain the verdict.

\b
Both are written in the answer language (see matcalc parse --help); pass - as
ANSWER to read it from standard input. Equivalence is decided by exact identity
testing at random points (several sizes per dimension, non-symmetric matrices),
never by simplification. The check runs in a worker process under CPU, memory
and wall-clock caps: an answer that hits one is "undecided", never a crash.

\b
Statuses: correct, incorrect (with the mistake named where one matches:
transpose, scalar_multiple, sign, missing_term, extra_term, assumed_symmetric,
elementwise_vs_matrix_product), wrong_shape, invalid (unreadable; no penalty),
undecided.

\b
Examples:
  matcalc check --given "x[n], A[n,n]" "(A + A^T) x" "A x + A^T x"
  matcalc check --given "x[n], A[n,n]" "(A + A^T) x" "2 A x" --json
  matcalc check --given "x[n], A[n,n]" --layout numerator "x^T (A + A^T)" "(A + A^T) x"

Exit status: 0 if correct, 1 otherwise, 2 for a usage error (including a key
or --given that can't be read).
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
@click.option("--timeout", type=click.FloatRange(min=0.1, max=600), default=2.0,
              show_default=True, metavar="SECONDS", help="Wall-clock cap on the check.")
@click.option("--json", "as_json", is_flag=True, help="Print every field of the verdict as JSON.")
def check_command(
    expected: str, answer: str, given: str, layout: str | None, partial_credit: bool,
    timeout: float, as_json: bool,
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
    options = CheckOptions(partial_credit=partial_credit)
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
        if verdict.answer_shape is not None and verdict.expected_shape is not None:
            click.echo(f"shape:    {verdict.answer_shape} (expected {verdict.expected_shape})")
        if verdict.note:
            click.echo(f"note:     {verdict.note}")
        click.echo(f"feedback: {verdict.feedback}")
        click.echo(f"method:   {verdict.method}")
    sys.exit(0 if verdict.status == "correct" else 1)


def _text(text: str) -> str:
    """``-`` means standard input."""
    return sys.stdin.read().rstrip("\n") if text == "-" else text


def _declarations(given: str) -> Declarations:
    try:
        return parse_declarations(given)
    except ParseError as problem:
        raise click.UsageError(f"--given: {problem}") from None


COMMANDS = [parse_command, check_command]
