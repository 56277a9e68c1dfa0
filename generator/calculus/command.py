"""``matcalc diff``: the derivative of an expression, checked by finite differences."""

from __future__ import annotations

import json
import sys

import click

from generator.layout import LAYOUTS

_DIFF_HELP = """Differentiate FUNCTION (answer language) with respect to --wrt.

\b
The derivative comes from differentials (Magnus-Neudecker) and is read off
in the chosen layout: numerator (Parr & Howard: df/dx of a scalar is a row)
or denominator (the Matrix Cookbook: a column; df/dX has X's shape). Every
result is checked against finite differences before it is printed; a
disagreement is an error, never a wrong derivative. Results with abs, relu,
max, step, sign or the 1-norm hold almost everywhere, and say so.

\b
Examples:
  matcalc diff --given "x[n], A[n,n]" --wrt x "x^T A x"
  matcalc diff --given "X[n,n]" --wrt X --layout denominator "log(det(X))"
  matcalc diff --given "x[n], W[m,n], b[m]" --wrt x "tanh(W x + b)" --steps
  matcalc diff --given "x, y" --wrt "x, y" "[x^2 y; sin(x y)]"
  matcalc diff --given "x[n], A[n,n], b[n]" --wrt x --hessian "x^T A x + b^T x"

Exit status: 0 with the derivative, 1 if it can't be given (unreadable
input, an unsupported operation, a failed check), 2 for a usage error.
"""


@click.command("diff", help=_DIFF_HELP)
@click.argument("function")
@click.option("--given", "-g", default="", metavar="DECLS",
              help='Declared names and shapes, e.g. "x[n], A[n,n], b".')
@click.option("--wrt", "-w", required=True, metavar="NAME",
              help='The variable: a declared name, or scalars "x, y" (their column).')
@click.option("--layout", type=click.Choice(LAYOUTS), default="numerator", show_default=True)
@click.option("--hessian", is_flag=True, help="The Hessian (n×n) of a scalar function.")
@click.option("--steps", "show_steps", is_flag=True, help="Print the worked steps (LaTeX).")
@click.option("--json", "as_json", is_flag=True,
              help="Print {derivative, latex, shape, sympy, steps_latex, kind, "
                   "almost_everywhere} as JSON.")
def diff_command(function: str, given: str, wrt: str, layout: str, hessian: bool,
                 show_steps: bool, as_json: bool) -> None:
    from generator.calculus.checking import check_derivative
    from generator.calculus.derivative import differentiate
    from generator.calculus.steps import steps
    from grader.errors import MatcalcError
    from grader.language.parser import parse, parse_declarations
    from grader.language.printing import print_ascii, print_latex

    try:
        declarations = parse_declarations(given)
        tree = parse(function, declarations)
        derivation = differentiate(tree, wrt, declarations, layout,  # type: ignore[arg-type]
                                   hessian=hessian)
        check_derivative(tree, wrt, declarations, layout,  # type: ignore[arg-type]
                         derivation.result, hessian=hessian)
        worked = steps(tree, derivation, declarations)
    except MatcalcError as problem:
        click.echo(f"error: {problem}", err=True)
        sys.exit(1)
    result = derivation.result
    shape = result.typed_shape.as_strings()
    if as_json:
        click.echo(json.dumps({
            "derivative": print_ascii(result), "latex": print_latex(result), "shape": shape,
            "sympy": _srepr(result), "steps_latex": worked, "kind": derivation.kind,
            "almost_everywhere": list(derivation.kinks),
        }, ensure_ascii=False, indent=2))
        return
    click.echo(print_ascii(result))
    click.echo(f"latex: {print_latex(result)}")
    click.echo(f"shape: {result.typed_shape.describe()}, {derivation.kind}, {layout} layout")
    if derivation.kinks:
        click.echo(f"almost everywhere: not differentiable at the kinks of "
                   f"{', '.join(derivation.kinks)}")
    if show_steps:
        click.echo("steps:")
        for line in worked:
            click.echo(f"  {line}")


def _srepr(tree: object) -> str | None:
    """SymPy's srepr of the result, as exercise records hold it; None where SymPy has none."""
    import sympy

    from grader.language.printing.sympy import to_sympy

    try:
        return str(sympy.srepr(to_sympy(tree)))  # type: ignore[arg-type]
    except Exception:
        return None
