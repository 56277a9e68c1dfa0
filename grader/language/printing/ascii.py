"""Canonical ASCII: what students type, and what ``parse`` reads back to an equal tree."""

from __future__ import annotations

from grader.language import nodes as n
from grader.language.printing.base import ATOM, POSTFIX, PRODUCT, TextPrinter, decimal
from grader.language.shapes import Dim


class AsciiPrinter(TextPrinter):
    def _print_Number(self, node: n.Number) -> str:
        value = node.value
        if value < 0:
            return "-" + self._print(n.Number(-value))
        text = decimal(value)
        return text if text is not None else f"({value.numerator}/{value.denominator})"

    def _print_Symbol(self, node: n.Symbol) -> str:
        return node.name

    def _print_Constant(self, node: n.Constant) -> str:
        return node.name

    def _print_Identity(self, node: n.Identity) -> str:
        if node.size is None:
            return "I"
        return f"I_{node.size}" if _simple(node.size) else f"eye({node.size.as_product()})"

    def _print_Ones(self, node: n.Ones) -> str:
        return f"ones({_dim(node.size)})"

    def _print_Zeros(self, node: n.Zeros) -> str:
        if node.cols is not None and node.cols.is_one:
            return f"zeros({_dim(node.rows)})"
        return f"zeros({_dim(node.rows)}, {_dim(node.cols)})"

    #: Inside [ ], a tight `*` beside spaced factors reads as two entries (`[b*3 b^2]`), so
    #: products there spell the operator out with spaces.
    matrix_depth = 0

    def _print_Matrix(self, node: n.Matrix) -> str:
        self.matrix_depth += 1
        try:
            rows = ("; ".join(", ".join(self._print(e) for e in row) for row in node.rows))
        finally:
            self.matrix_depth -= 1
        return f"[{rows}]"

    def _print_Neg(self, node: n.Neg) -> str:
        return self.negation(node)

    def _print_Add(self, node: n.Add) -> str:
        return self.sum_terms(node)

    def _print_Mul(self, node: n.Mul) -> str:
        first = node.factors[0]
        text = self.product_operand(first, first=True)
        if isinstance(first, n.Binary) and self.precedence(first) == PRODUCT:
            text = self.paren(text)  # (1 / 2) x: the same tree as 1 / 2 x, and easier to read
        for factor in node.factors[1:]:
            piece = self.product_operand(factor, first=False)
            star = " * " if self.matrix_depth else "*"
            text += (star if piece[0].isdigit() else " ") + piece
        return text

    def binary(self, node: n.Binary, operator: str) -> str:
        left = self.at_least(node.left, PRODUCT)
        right = self.product_operand(node.right, first=False)
        return f"{left} {operator} {right}"

    def _print_Div(self, node: n.Div) -> str:
        return self.binary(node, "/")

    def _print_Hadamard(self, node: n.Hadamard) -> str:
        return self.binary(node, ".*")

    def _print_ElemDiv(self, node: n.ElemDiv) -> str:
        return self.binary(node, "./")

    def _print_Kron(self, node: n.Kron) -> str:
        return f"kron({self._print(node.left)}, {self._print(node.right)})"

    def precedence(self, node: n.Node) -> int:
        return ATOM if isinstance(node, n.Kron) else super().precedence(node)

    def exponent(self, node: n.Node) -> str:
        if isinstance(node, (n.Number, n.Symbol, n.Constant)) and not (
            isinstance(node, n.Number) and node.value < 0
        ):
            return self._print(node)
        if isinstance(node, n.Neg) and isinstance(node.arg, (n.Number, n.Symbol, n.Constant)):
            return "-" + self._print(node.arg)
        return self.paren(self._print(node))

    def _print_Pow(self, node: n.Pow) -> str:
        return f"{self.at_least(node.base, POSTFIX)}^{self.exponent(node.exponent)}"

    def _print_ElemPow(self, node: n.ElemPow) -> str:
        return f"{self.at_least(node.base, POSTFIX)} .^ {self.exponent(node.exponent)}"

    def _print_Transpose(self, node: n.Transpose) -> str:
        if isinstance(node.arg, n.Inverse):
            return f"{self.at_least(node.arg.arg, POSTFIX)}^-T"
        return f"{self.at_least(node.arg, POSTFIX)}^T"

    def _print_Inverse(self, node: n.Inverse) -> str:
        return f"{self.at_least(node.arg, POSTFIX)}^-1"

    def call(self, name: str, *args: n.Node) -> str:
        return f"{name}({', '.join(self._print(a) for a in args)})"

    def _print_Apply(self, node: n.Apply) -> str:
        return self.call(node.func, node.arg)

    def _print_Max(self, node: n.Max) -> str:
        return self.call("max", node.left, node.right)

    def _print_Sum(self, node: n.Sum) -> str:
        return self.call("sum", node.arg)

    def _print_Trace(self, node: n.Trace) -> str:
        return self.call("tr", node.arg)

    def _print_Det(self, node: n.Det) -> str:
        return self.call("det", node.arg)

    def _print_Norm(self, node: n.Norm) -> str:
        return self.call("norm", node.arg) if node.p == 2 else \
            f"norm({self._print(node.arg)}, {node.p})"

    def _print_Diag(self, node: n.Diag) -> str:
        return self.call("diag", node.arg)

    def _print_Softmax(self, node: n.Softmax) -> str:
        return self.call("softmax", node.arg)

    def _print_Vec(self, node: n.Vec) -> str:
        return self.call("vec", node.arg)

    def _print_Name(self, node: n.Name) -> str:
        return node.text


def _dim(dim: Dim | None) -> str:
    return "?" if dim is None else dim.as_product()


def _simple(dim: Dim) -> bool:
    return (dim.is_concrete or (dim.coefficient == 1 and len(dim.symbols) == 1))


def print_ascii(node: n.Node) -> str:
    """Canonical ASCII text of ``node``; ``parse`` reads it back to an equal tree."""
    return AsciiPrinter().doprint(node)

