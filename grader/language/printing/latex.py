"""LaTeX for worksheets and for "your answer was interpreted as" echoes.

Vectors print bold (``\\mathbf{x}``), the transpose as ``^{\\top}``.  ``parse`` reads the output
back to an equal tree, so a LaTeX answer key is itself a valid answer.
"""

from __future__ import annotations

import re

from grader.language import nodes as n
from grader.language.printing.base import ATOM, POSTFIX, PRODUCT, TextPrinter, decimal
from grader.language.shapes import Dim

GREEK = frozenset((
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "pi", "rho", "tau", "upsilon", "phi", "chi", "psi", "omega",
    "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega",
))
_FUNCTIONS = {
    "exp": "\\exp", "log": "\\log", "sin": "\\sin", "cos": "\\cos", "tan": "\\tan",
    "tanh": "\\tanh", "sigma": "\\sigma", "sign": "\\operatorname{sign}",
    "relu": "\\operatorname{relu}", "step": "\\operatorname{step}",
}


class LatexPrinter(TextPrinter):
    left_paren = "\\left("
    right_paren = "\\right)"

    def precedence(self, node: n.Node) -> int:
        if isinstance(node, n.Div):
            return ATOM  # \frac{}{} is self-delimiting
        return super().precedence(node)

    def _print_Number(self, node: n.Number) -> str:
        value = node.value
        if value < 0:
            return "-" + self._print(n.Number(-value))
        text = decimal(value)
        return text if text is not None else f"\\frac{{{value.numerator}}}{{{value.denominator}}}"

    def _print_Symbol(self, node: n.Symbol) -> str:
        bold = node.shape is not None and node.shape.is_vector
        return latex_name(node.name, bold=bold)

    def _print_Constant(self, node: n.Constant) -> str:
        return "\\pi" if node.name == "pi" else "e"

    def _print_Identity(self, node: n.Identity) -> str:
        return "I" if node.size is None else f"I_{{{_dim(node.size)}}}"

    def _print_Ones(self, node: n.Ones) -> str:
        return "\\mathbf{1}" if node.size is None else f"\\mathbf{{1}}_{{{_dim(node.size)}}}"

    def _print_Zeros(self, node: n.Zeros) -> str:
        if node.rows is None or node.cols is None:
            return "\\mathbf{0}"
        if node.cols.is_one:
            return f"\\mathbf{{0}}_{{{_dim(node.rows)}}}"
        return f"\\mathbf{{0}}_{{{_dim(node.rows)} \\times {_dim(node.cols)}}}"

    def _print_Matrix(self, node: n.Matrix) -> str:
        rows = " \\\\ ".join(" & ".join(self._print(e) for e in row) for row in node.rows)
        return f"\\begin{{bmatrix}} {rows} \\end{{bmatrix}}"

    def _print_Neg(self, node: n.Neg) -> str:
        return self.negation(node)

    def _print_Add(self, node: n.Add) -> str:
        return self.sum_terms(node)

    def _print_Mul(self, node: n.Mul) -> str:
        text = self.product_operand(node.factors[0], first=True)
        for factor in node.factors[1:]:
            piece = self.product_operand(factor, first=False)
            numeric = piece[0].isdigit() or piece.startswith("\\frac")
            text += (" \\cdot " if numeric else " ") + piece
        return text

    def binary(self, node: n.Binary, operator: str) -> str:
        left = self.at_least(node.left, PRODUCT)
        right = self.product_operand(node.right, first=False)
        return f"{left} {operator} {right}"

    def _print_Div(self, node: n.Div) -> str:
        return f"\\frac{{{self._print(node.left)}}}{{{self._print(node.right)}}}"

    def _print_Hadamard(self, node: n.Hadamard) -> str:
        return self.binary(node, "\\odot")

    def _print_ElemDiv(self, node: n.ElemDiv) -> str:
        return self.binary(node, "\\oslash")

    def _print_Kron(self, node: n.Kron) -> str:
        return self.binary(node, "\\otimes")

    def base(self, node: n.Node) -> str:
        """A base for ^: a postfix or power base is braced, avoiding double superscripts."""
        if self.precedence(node) < POSTFIX:
            return self.paren(self._print(node))
        if isinstance(node, (n.Transpose, n.Inverse, n.Pow, n.ElemPow)):
            return f"{{{self._print(node)}}}"
        return self._print(node)

    def _print_Pow(self, node: n.Pow) -> str:
        return f"{self.base(node.base)}^{{{self._print(node.exponent)}}}"

    def _print_ElemPow(self, node: n.ElemPow) -> str:
        return f"{self.base(node.base)}^{{\\circ {self._print(node.exponent)}}}"

    def _print_Transpose(self, node: n.Transpose) -> str:
        if isinstance(node.arg, n.Inverse):
            return f"{self.base(node.arg.arg)}^{{-\\top}}"
        return f"{self.base(node.arg)}^{{\\top}}"

    def _print_Inverse(self, node: n.Inverse) -> str:
        return f"{self.base(node.arg)}^{{-1}}"

    def call(self, head: str, *args: n.Node) -> str:
        """``\\det(X)``: plain parentheses (``\\left(`` would open a gap after the operator)
        unless an argument is tall (a fraction or a matrix)."""
        inner = ", ".join(self._print(a) for a in args)
        if any(isinstance(node, (n.Div, n.Matrix)) for node in n.walk(*args)):
            return f"{head}{self.paren(inner)}"
        return f"{head}({inner})"

    def _print_Apply(self, node: n.Apply) -> str:
        if node.func == "sqrt":
            return f"\\sqrt{{{self._print(node.arg)}}}"
        if node.func == "abs" and node.shape is not None and node.shape.is_scalar:
            return f"\\left|{self._print(node.arg)}\\right|"
        if node.func == "abs":  # bars around a matrix read as det to many: spell it out
            return self.call("\\operatorname{abs}", node.arg)
        return self.call(_FUNCTIONS[node.func], node.arg)

    def _print_Max(self, node: n.Max) -> str:
        return self.call("\\max", node.left, node.right)

    def _print_Sum(self, node: n.Sum) -> str:
        return self.call("\\operatorname{sum}", node.arg)

    def _print_Trace(self, node: n.Trace) -> str:
        return self.call("\\operatorname{tr}", node.arg)

    def _print_Det(self, node: n.Det) -> str:
        return self.call("\\det", node.arg)

    def _print_Norm(self, node: n.Norm) -> str:
        norm = f"\\left\\lVert {self._print(node.arg)} \\right\\rVert"
        return norm if node.p == 2 else f"{norm}_{{{node.p}}}"

    def _print_Diag(self, node: n.Diag) -> str:
        return self.call("\\operatorname{diag}", node.arg)

    def _print_Softmax(self, node: n.Softmax) -> str:
        return self.call("\\operatorname{softmax}", node.arg)

    def _print_Vec(self, node: n.Vec) -> str:
        return self.call("\\operatorname{vec}", node.arg)

    def _print_Name(self, node: n.Name) -> str:
        return latex_name(node.text, bold=False)


def latex_name(name: str, *, bold: bool) -> str:
    """``x`` → ``\\mathbf{x}`` (bold), ``x_i`` → ``x_{i}``, ``W1`` → ``W_{1}``, ``mu`` → ``\\mu``.

    Every form reads back to the same name (``W_{1}`` finds a declared ``W1``).
    """
    match = re.fullmatch(r"([A-Za-z]+?)(\d+)", name)
    if "_" in name:
        base, _, subscript = name.partition("_")
    elif match:
        base, subscript = match.group(1), match.group(2)
    else:
        base, subscript = name, ""
    if base in GREEK:
        body = f"\\{base}"
        if bold:
            body = f"\\boldsymbol{{{body}}}"
    elif len(base) == 1:
        body = f"\\mathbf{{{base}}}" if bold else base
    else:
        body = f"\\mathbf{{{base}}}" if bold else f"\\mathit{{{base}}}"
    return f"{body}_{{{subscript}}}" if subscript else body


def _dim(dim: Dim) -> str:
    return dim.as_product().replace("*", " ")


def print_latex(node: n.Node) -> str:
    """LaTeX math (no surrounding ``$``) for ``node``."""
    return LatexPrinter().doprint(node)

