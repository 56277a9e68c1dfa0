"""Maxima text of typed trees, for STACK questions (whose answer tests run in Maxima).

Maxima's ``*``, ``/`` and ``^`` act entry by entry on matrices, so the matrix product is printed
as ``.`` and the matrix power as ``^^``; which one a node needs is read from the shapes that type
checking put on the tree (a 1×1 value is a scalar, as in the answer language, and Maxima turns a
row times a column into a scalar too).  Numbers stay exact (``3/4``, never ``0.75``, which Maxima
would read as a float).  Element-wise functions of matrices go through ``matrixmap`` because
``max``, ``unit_step`` and friends don't distribute over matrices by themselves.

``tr(X)`` prints as ``mat_trace(X)``, which needs ``load(linearalgebra)`` in the Maxima session.
Constructs without a faithful Maxima form (Kronecker products, ``vec``, ``diag``, norms, sums of
entries, softmax, constants of symbolic size) raise :class:`MaximaError`.  A power with the
exponent 0 prints as 1 (entry by entry for ``.^ 0``): the answer language has ``0^0 = 1``, while
Maxima stops with an error there.
"""

from __future__ import annotations

from grader.errors import MatcalcError
from grader.language import nodes as n
from grader.language.printing.base import ADD, ATOM, NEG, POSTFIX, PRODUCT, TextPrinter
from grader.language.shapes import Dim, Shape


class MaximaError(MatcalcError):
    """A tree that can't be written faithfully in Maxima; the message names the construct."""


#: Maxima keywords and constants that can't serve as the name of a variable.
RESERVED = frozenset((
    "if", "then", "else", "elseif", "do", "for", "while", "unless", "thru", "step", "next",
    "from", "in", "and", "or", "not", "true", "false", "inf", "minf", "infinity", "und", "ind",
    "zeroa", "zerob", "done",
))

#: Scalar functions with a Maxima function of their own (``sign`` and ``step`` agree at 0:
#: ``signum(0) = 0`` and ``unit_step(0) = 0``, as in the answer language).
_FUNCTIONS = {
    "exp": "exp", "log": "log", "sin": "sin", "cos": "cos", "tan": "tan", "tanh": "tanh",
    "sqrt": "sqrt", "abs": "abs", "sign": "signum", "step": "unit_step",
}

_UNSUPPORTED = {
    "Kron": "the Kronecker product",
    "Sum": "the sum of entries",
    "Norm": "the norm",
    "Diag": "diag",
    "Softmax": "softmax",
    "Vec": "vec",
}

#: The bound variables of ``matrixmap`` lambdas; a declared name never starts with ``%``.
_U = "%u"
_V = "%v"


class MaximaPrinter(TextPrinter):
    """One ``_print_<Node>`` method per node type; each returns Maxima text."""

    # --- shapes and precedence ----------------------------------------------------------------

    def shape(self, node: n.Node) -> Shape:
        if node.shape is None:
            raise MaximaError(
                f"{type(node).__name__} has no shape: print a parsed, type-checked tree")
        return node.shape

    def scalar(self, node: n.Node) -> bool:
        return self.shape(node).is_scalar

    def precedence(self, node: n.Node) -> int:
        if isinstance(node, n.Number):
            if node.value < 0:
                return NEG
            return ATOM if node.value.denominator == 1 else PRODUCT
        if isinstance(node, (n.Transpose, n.Det, n.Trace)):
            return self.precedence(node.arg) if self.scalar(node.arg) else ATOM
        if isinstance(node, n.Inverse):
            return PRODUCT if self.scalar(node.arg) else ATOM
        if isinstance(node, n.Matrix):
            return self.precedence(node.rows[0][0]) if self.scalar(node) else ATOM
        if isinstance(node, n.Apply):
            return PRODUCT if node.func == "sigma" and self.scalar(node.arg) else ATOM
        if isinstance(node, (n.Pow, n.ElemPow)) and _is_zero(node.exponent) and (
                isinstance(node, n.ElemPow) or self.scalar(node.base)):
            return ATOM
        if isinstance(node, n.ElemPow):
            return ATOM if self._mapped_power(node) else super().precedence(node)
        if isinstance(node, n.Ones):
            return ATOM if self.scalar(node) else ADD
        return super().precedence(node)

    def wrapped(self, node: n.Node, below: int) -> str:
        """``node`` in parentheses if it binds at ``below`` or more loosely."""
        text = self._print(node)
        return self.paren(text) if self.precedence(node) <= below else text

    def left_factor(self, node: n.Node) -> str:
        """The left operand of ``*`` or ``/``.  Maxima would read ``A . B*C`` as ``(A . B)*C``
        (``.`` binds more tightly), but the parentheses make the two products plain to see."""
        text = self._print(node)
        if self.precedence(node) < PRODUCT or (isinstance(node, n.Mul) and self._has_dot(node)):
            return self.paren(text)
        return text

    def _has_dot(self, node: n.Mul) -> bool:
        return any(op == " . " for op in self._operators(node))

    def _operators(self, node: n.Mul) -> list[str]:
        """The operator joining each factor to the product of those before it."""
        operators = []
        left = self.shape(node.factors[0])
        for factor in node.factors[1:]:
            right = self.shape(factor)
            if left.is_scalar or right.is_scalar:
                operators.append("*")
                left = right if left.is_scalar else left
            else:
                operators.append(" . ")
                left = Shape(left.rows, right.cols)
        return operators

    # --- leaves -------------------------------------------------------------------------------

    def _print_Node(self, node: n.Node) -> str:
        name = type(node).__name__
        if name in _UNSUPPORTED:
            raise MaximaError(f"Maxima has no faithful form of {_UNSUPPORTED[name]} "
                              f"({name.lower()}); it can't be printed for Maxima")
        raise MaximaError(f"{name} can't be printed for Maxima (is the tree resolved?)")

    def _print_Number(self, node: n.Number) -> str:
        value = node.value
        sign = "-" if value < 0 else ""
        magnitude = abs(value)
        if magnitude.denominator == 1:
            return f"{sign}{magnitude.numerator}"
        return f"{sign}{magnitude.numerator}/{magnitude.denominator}"

    def _print_Symbol(self, node: n.Symbol) -> str:
        self.shape(node)
        if node.name in RESERVED:
            raise MaximaError(f"the name {node.name!r} is a Maxima keyword and can't be a "
                              "variable there")
        return node.name

    def _print_Constant(self, node: n.Constant) -> str:
        if node.name == "e":
            return "%e"
        if node.name == "pi":
            return "%pi"
        raise MaximaError(f"unknown constant {node.name}")

    def _print_Identity(self, node: n.Identity) -> str:
        size = _concrete(node.size, "the identity matrix")
        return "1" if size == 1 else f"ident({size})"

    def _print_Zeros(self, node: n.Zeros) -> str:
        rows = _concrete(node.rows, "the zero matrix")
        cols = _concrete(node.cols, "the zero matrix")
        return "0" if rows == cols == 1 else f"zeromatrix({rows}, {cols})"

    def _print_Ones(self, node: n.Ones) -> str:
        size = _concrete(node.size, "the column of ones")
        return "1" if size == 1 else f"zeromatrix({size}, 1) + 1"

    def _print_Matrix(self, node: n.Matrix) -> str:
        if self.scalar(node):
            return self._print(node.rows[0][0])
        rows = ", ".join("[" + ", ".join(self._print(e) for e in row) + "]" for row in node.rows)
        return f"matrix({rows})"

    # --- arithmetic ---------------------------------------------------------------------------

    def _print_Neg(self, node: n.Neg) -> str:
        return self.negation(node)

    def _print_Add(self, node: n.Add) -> str:
        return self.sum_terms(node)

    def _print_Mul(self, node: n.Mul) -> str:
        """Folded left to right: ``.`` between two matrices, ``*`` where either is a scalar; the
        product so far is put in parentheses where the operator changes."""
        operators = self._operators(node)
        text = self.wrapped(node.factors[0], PRODUCT)
        previous = ""
        for operator, factor in zip(operators, node.factors[1:], strict=True):
            if previous and operator != previous:
                text = self.paren(text)
            text = f"{text}{operator}{self.wrapped(factor, PRODUCT)}"
            previous = operator
        return text

    def binary(self, node: n.Binary, operator: str) -> str:
        return f"{self.left_factor(node.left)}{operator}{self.wrapped(node.right, PRODUCT)}"

    def _print_Div(self, node: n.Div) -> str:
        return self.binary(node, "/")

    def _print_Hadamard(self, node: n.Hadamard) -> str:
        return self.binary(node, "*")

    def _print_ElemDiv(self, node: n.ElemDiv) -> str:
        return self.binary(node, "/")

    def exponent(self, node: n.Node) -> str:
        if isinstance(node, (n.Symbol, n.Constant)) or (
            isinstance(node, n.Number) and node.value >= 0 and node.value.denominator == 1
        ):
            return self._print(node)
        return self.paren(self._print(node))

    def base(self, node: n.Node) -> str:
        text = self._print(node)
        return self.paren(text) if self.precedence(node) < POSTFIX else text

    def _print_Pow(self, node: n.Pow) -> str:
        if _is_zero(node.exponent) and self.scalar(node.base):
            return "1"  # 0^0 is 1 in the answer language and an error in Maxima
        operator = "^" if self.scalar(node.base) else "^^"
        return f"{self.base(node.base)}{operator}{self.exponent(node.exponent)}"

    def _mapped_power(self, node: n.ElemPow) -> bool:
        return not self.scalar(node.base) and not self.scalar(node.exponent)

    def _print_ElemPow(self, node: n.ElemPow) -> str:
        if _is_zero(node.exponent):
            if self.scalar(node.base):
                return "1"
            return f"matrixmap(lambda([{_U}], 1), {self._print(node.base)})"
        if self._mapped_power(node):  # Maxima's ^ of two matrices is not element-wise
            return (f"matrixmap(lambda([{_U}, {_V}], {_U}^{_V}), {self._print(node.base)}, "
                    f"{self._print(node.exponent)})")
        return f"{self.base(node.base)}^{self.exponent(node.exponent)}"

    def _print_Transpose(self, node: n.Transpose) -> str:
        if self.scalar(node.arg):
            return self._print(node.arg)
        return f"transpose({self._print(node.arg)})"

    def _print_Inverse(self, node: n.Inverse) -> str:
        if self.scalar(node.arg):
            return f"1/{self.wrapped(node.arg, PRODUCT)}"
        return f"invert({self._print(node.arg)})"

    def _print_Det(self, node: n.Det) -> str:
        if self.scalar(node.arg):
            return self._print(node.arg)
        return f"determinant({self._print(node.arg)})"

    def _print_Trace(self, node: n.Trace) -> str:
        if self.scalar(node.arg):
            return self._print(node.arg)
        return f"mat_trace({self._print(node.arg)})"

    # --- element-wise functions ---------------------------------------------------------------

    def function(self, name: str, argument: str, precedence: int) -> str:
        """``name`` applied to a scalar whose text is ``argument``."""
        if name == "sigma":
            negated = f"-{self.paren(argument)}" if precedence < PRODUCT else f"-{argument}"
            return f"1/(1 + exp({negated}))"
        if name == "relu":
            return f"max(0, {argument})"
        if name in _FUNCTIONS:
            return f"{_FUNCTIONS[name]}({argument})"
        raise MaximaError(f"the function {name} has no Maxima form")

    def _print_Apply(self, node: n.Apply) -> str:
        if self.scalar(node.arg):
            return self.function(node.func, self._print(node.arg), self.precedence(node.arg))
        body = self.function(node.func, _U, ATOM)
        return f"matrixmap(lambda([{_U}], {body}), {self._print(node.arg)})"

    def _print_Max(self, node: n.Max) -> str:
        left, right = self._print(node.left), self._print(node.right)
        left_scalar, right_scalar = self.scalar(node.left), self.scalar(node.right)
        if left_scalar and right_scalar:
            return f"max({left}, {right})"
        if left_scalar:
            return f"matrixmap(lambda([{_U}], max({left}, {_U})), {right})"
        if right_scalar:
            return f"matrixmap(lambda([{_U}], max({_U}, {right})), {left})"
        return f"matrixmap(lambda([{_U}, {_V}], max({_U}, {_V})), {left}, {right})"


def _is_zero(node: n.Node) -> bool:
    return isinstance(node, n.Number) and node.value == 0


def _concrete(dim: Dim | None, what: str) -> int:
    if dim is None:
        raise MaximaError(f"{what} has no size: print a parsed, type-checked tree")
    if not dim.is_concrete:
        raise MaximaError(f"{what} of symbolic size {dim} has no Maxima form; Maxima needs a "
                          "concrete size")
    return dim.coefficient


def print_maxima(tree: n.Node) -> str:
    """Maxima text of a parsed, type-checked tree; raises :class:`MaximaError` for a construct
    Maxima can't express faithfully."""
    return MaximaPrinter().doprint(tree)
