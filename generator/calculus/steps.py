"""Worked steps in LaTeX, from the differentials, in the sheet's layout."""

from __future__ import annotations

from generator.calculus.derivative import Derivation
from generator.calculus.differentials import Differential
from generator.calculus.simplify import simplify
from grader.language import nodes as n
from grader.language.declarations import Declarations
from grader.language.printing.latex import LatexPrinter, latex_name


class _StepPrinter(LatexPrinter):
    """LaTeX with the differential dX written \\mathrm{d}X."""

    def _print_Differential(self, node: Differential) -> str:
        bold = node.shape is not None and node.shape.is_vector
        return f"\\mathrm{{d}}{latex_name(node.name, bold=bold)}"


def latex(node: n.Node) -> str:
    return _StepPrinter().doprint(node)


def steps(function: n.Node, derivation: Derivation, declarations: Declarations) -> list[str]:
    """The differential, the identification, the layout, and where the result holds."""
    names = derivation.variables
    shown = [latex_name(v, bold=bool((s := declarations.shape_of(v)) and s.is_vector))
             for v in names]
    variable = shown[0] if len(shown) == 1 else f"({', '.join(shown)})"
    lines: list[str] = []
    f = latex(function)
    if derivation.kind == "hessian":
        assert derivation.gradient is not None
        lines.append(f"The gradient (a column) of $f = {f}$ is "
                     f"$\\nabla f = {latex(derivation.gradient)}$.")
        if derivation.differential is not None:
            d = simplify(derivation.differential, declarations)
            lines.append(f"Its differential is $\\mathrm{{d}}(\\nabla f) = {latex(d)}$.")
        lines.append(f"Identify $\\mathrm{{d}}(\\nabla f) = H\\, \\mathrm{{d}}{variable}$: "
                     f"$H = {latex(derivation.result)}$.")
    else:
        if derivation.differential is None:
            lines.append(f"$f = {f}$ does not depend on ${variable}$: the derivative is 0.")
        else:
            d = simplify(derivation.differential, declarations)
            lines.append(f"Take the differential of $f = {f}$: $\\mathrm{{d}}f = {latex(d)}$.")
            how = {
                "gradient": "Write $\\mathrm{d}f = \\operatorname{tr}(G^{\\top} \\mathrm{d}X)$ "
                            "(for a vector, $g^{\\top} \\mathrm{d}x$) and read off $G$",
                "jacobian": "Write $\\operatorname{vec} \\mathrm{d}f = J \\operatorname{vec} "
                            "\\mathrm{d}X$ and read off $J$",
                "derivative": "Divide by the scalar differential",
            }[derivation.kind]
            lines.append(f"{how}: in {derivation.layout} layout, "
                         f"$\\partial f / \\partial {variable} = {latex(derivation.result)}$.")
    if derivation.kinks:
        lines.append(f"This holds almost everywhere: {', '.join(derivation.kinks)} "
                     "is not differentiable where its argument is 0 (or its arguments are equal).")
    return lines
