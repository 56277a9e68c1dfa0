"""SymPy objects of typed trees, for interop and for exercise records (which store their ``srepr``).

Declared scalars become ``Symbol``s and everything else ``MatrixSymbol``s whose sizes are positive
integer symbols.  The answer language treats any 1×1 result as a scalar wherever a scalar fits
(``x^T A x`` scales a matrix, sits inside ``exp``, is added to a number); SymPy does not, so such a
value is turned into its single entry, ``MatrixElement(expr, 0, 0)`` (what ``expr[0, 0]`` means,
without SymPy expanding a product into an index sum).  A 1×1 product on its own stays a 1×1
matrix expression.

This module imports SymPy, which is slow to import, so nothing in :mod:`grader` imports it
eagerly.
"""

from __future__ import annotations

from typing import Any

import sympy
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.matexpr import MatrixElement

from grader.errors import MatcalcError
from grader.language import nodes as n
from grader.language.printing.base import Printer
from grader.language.shapes import Dim, Shape

#: The bound variable of element-wise functions.  Answer-language names start with a letter, so
#: this one never clashes with a declared name; it is a plain Symbol (not a Dummy) so that
#: ``srepr`` is the same from run to run.
_T = sympy.Symbol("_t")


def _scalar_function(name: str, t: Any) -> Any:
    """``name`` applied to the scalar ``t``."""
    if name == "exp":
        return sympy.exp(t)
    if name == "log":
        return sympy.log(t)
    if name == "sin":
        return sympy.sin(t)
    if name == "cos":
        return sympy.cos(t)
    if name == "tan":
        return sympy.tan(t)
    if name == "tanh":
        return sympy.tanh(t)
    if name == "sqrt":
        return sympy.sqrt(t)
    if name == "abs":
        return sympy.Abs(t)
    if name == "sign":
        return sympy.sign(t)
    if name == "sigma":
        return 1 / (1 + sympy.exp(-t))
    if name == "relu":
        return sympy.Max(0, t)
    if name == "step":
        return sympy.Heaviside(t, 0)  # step(0) = 0, as in the answer language
    raise MatcalcError(f"the function {name} has no SymPy form")


def sympy_dim(dim: Dim) -> Any:
    """``coefficient * prod(symbols)``, each symbol a positive integer (a size)."""
    value: Any = sympy.Integer(dim.coefficient)
    for name in dim.symbols:
        value = value * sympy.Symbol(name, integer=True, positive=True)
    return value


def _is_matrix(value: Any) -> bool:
    return isinstance(value, (sympy.MatrixExpr, sympy.MatrixBase))


def _entry(value: Any) -> Any:
    """The single entry of a 1×1 matrix (explicit, constant or symbolic); a scalar unchanged."""
    if isinstance(value, sympy.MatrixBase):
        return value[0, 0]
    if isinstance(value, (sympy.Identity, sympy.OneMatrix, sympy.ZeroMatrix)):
        return value[0, 0]
    if isinstance(value, sympy.MatrixExpr):
        return MatrixElement(value, 0, 0)
    return value


def _product(*factors: Any) -> Any:
    """The product of scalars and matrices, built without evaluating anything.

    SymPy's ``*`` on matrix expressions calls ``doit()``, which expands ``MatrixElement`` of a
    product into an index sum; constructors keep the structure.  The scalars go first, as one
    coefficient, in the order ``srepr`` prints them, so that ``srepr`` reads back to an equal
    object.
    """
    flat: list[Any] = []
    for factor in factors:
        flat.extend(factor.args if isinstance(factor, sympy.MatMul) else (factor,))
    matrices = [factor for factor in flat if _is_matrix(factor)]
    coefficient = sympy.Mul(*(factor for factor in flat if not _is_matrix(factor)))
    if not matrices:
        return coefficient
    if coefficient == 1:
        return matrices[0] if len(matrices) == 1 else sympy.MatMul(*matrices)
    return sympy.MatMul(coefficient, *matrices)


def _sum(*terms: Any) -> Any:
    """The sum of terms that are all scalars or all matrices, built without evaluating.

    The terms are put in the order ``srepr`` prints them, so that ``srepr`` reads back to an
    equal object.
    """
    flat: list[Any] = []
    for term in terms:
        flat.extend(term.args if isinstance(term, sympy.MatAdd) else (term,))
    if not any(_is_matrix(term) for term in flat):
        return sympy.Add(*flat)
    return sympy.MatAdd(*sympy.MatAdd(*flat).as_ordered_terms())


def _shape(node: n.Node) -> Shape:
    if node.shape is None:
        raise MatcalcError(f"{type(node).__name__} has no shape: convert a parsed, typed tree")
    return node.shape


class SympyPrinter(Printer[Any]):
    """One ``_print_<Node>`` per node type; every result is a SymPy expression or matrix."""

    # --- helpers ------------------------------------------------------------------------------

    def scalar(self, node: n.Node) -> Any:
        """``node`` where a scalar is needed: a 1×1 matrix becomes its entry."""
        if not _shape(node).is_scalar:
            raise MatcalcError(f"expected a scalar here, not a {_shape(node)} matrix")
        return _entry(self._print(node))

    def matrix(self, node: n.Node) -> Any:
        """``node`` where a (non-1×1) matrix is needed."""
        value = self._print(node)
        if not _is_matrix(value):
            raise MatcalcError(f"expected a matrix here, and {type(node).__name__} gave {value}")
        return value

    def operand(self, node: n.Node) -> tuple[Any, bool]:
        """``node`` printed as a scalar when its shape is 1×1, and whether it is one."""
        if _shape(node).is_scalar:
            return self.scalar(node), True
        return self.matrix(node), False

    @staticmethod
    def ones(shape: Shape) -> Any:
        """The all-ones matrix of ``shape``, used for scalar expansion."""
        return sympy.OneMatrix(sympy_dim(shape.rows), sympy_dim(shape.cols))

    @staticmethod
    def elementwise(body: Any, matrix: Any) -> Any:
        """``Lambda(_t, body)`` applied entry by entry.

        Always a Lambda over :data:`_T`: given a function class, ElementwiseApplyFunction wraps it
        in a Lambda over a fresh Dummy, whose ``srepr`` changes from run to run.
        """
        function = sympy.Lambda(_T, body)
        if isinstance(matrix, sympy.MatrixBase):
            return matrix.applyfunc(function)
        return ElementwiseApplyFunction(function, matrix)

    @staticmethod
    def sum_entries(matrix: Any, shape: Shape) -> Any:
        """``1^T M 1`` as a scalar: the sum of all entries."""
        if isinstance(matrix, sympy.MatrixBase):
            return sympy.Add(*matrix)
        factors: list[Any] = [matrix]
        if not shape.rows.is_one:
            factors.insert(0, sympy.OneMatrix(1, sympy_dim(shape.rows)))
        if not shape.cols.is_one:
            factors.append(sympy.OneMatrix(sympy_dim(shape.cols), 1))
        return MatrixElement(sympy.MatMul(*factors), 0, 0)

    # --- leaves -------------------------------------------------------------------------------

    def _print_Node(self, node: n.Node) -> Any:
        raise MatcalcError(f"{type(node).__name__} has no SymPy form (is the tree resolved?)")

    def _print_Number(self, node: n.Number) -> Any:
        return sympy.Rational(node.value.numerator, node.value.denominator)

    def _print_Symbol(self, node: n.Symbol) -> Any:
        shape = _shape(node)
        if shape.is_scalar:
            return sympy.Symbol(node.name)
        return sympy.MatrixSymbol(node.name, sympy_dim(shape.rows), sympy_dim(shape.cols))

    def _print_Constant(self, node: n.Constant) -> Any:
        if node.name == "e":
            return sympy.E
        if node.name == "pi":
            return sympy.pi
        raise MatcalcError(f"unknown constant {node.name}")

    def _print_Identity(self, node: n.Identity) -> Any:
        if node.size is None:
            raise MatcalcError("the size of I was never inferred")
        return sympy.Identity(sympy_dim(node.size))

    def _print_Ones(self, node: n.Ones) -> Any:
        if node.size is None:
            raise MatcalcError("the size of the vector of ones was never inferred")
        return sympy.OneMatrix(sympy_dim(node.size), 1)

    def _print_Zeros(self, node: n.Zeros) -> Any:
        if node.rows is None or node.cols is None:
            raise MatcalcError("the size of the zero matrix was never inferred")
        return sympy.ZeroMatrix(sympy_dim(node.rows), sympy_dim(node.cols))

    def _print_Matrix(self, node: n.Matrix) -> Any:
        return sympy.ImmutableMatrix([[self.scalar(entry) for entry in row] for row in node.rows])

    # --- operators ----------------------------------------------------------------------------

    def _print_Neg(self, node: n.Neg) -> Any:
        return _product(sympy.Integer(-1), self._print(node.arg))

    def _print_Add(self, node: n.Add) -> Any:
        shape = _shape(node)
        if shape.is_scalar:
            return _sum(*(self.scalar(term) for term in node.terms))
        terms: list[Any] = []
        for term in node.terms:
            value, is_scalar = self.operand(term)
            terms.append(_product(value, self.ones(shape)) if is_scalar else value)
        return _sum(*terms)

    def _print_Mul(self, node: n.Mul) -> Any:
        # Fold left as the type checker does: a 1×1 accumulator or factor scales the other.
        first = node.factors[0]
        product, shape = self._print(first), _shape(first)
        for factor in node.factors[1:]:
            right = _shape(factor)
            if shape.is_scalar:
                value, _ = self.operand(factor)
                product = _product(_entry(product), value)
                shape = right
            elif right.is_scalar:
                product = _product(product, self.scalar(factor))
            else:
                product = _product(product, self.matrix(factor))
                shape = Shape(shape.rows, right.cols)
        return product

    def _print_Div(self, node: n.Div) -> Any:
        value, _ = self.operand(node.left)
        return _product(value, 1 / self.scalar(node.right))

    def _print_Hadamard(self, node: n.Hadamard) -> Any:
        left, left_scalar = self.operand(node.left)
        right, right_scalar = self.operand(node.right)
        if left_scalar or right_scalar:
            return _product(left, right)
        return sympy.HadamardProduct(left, right)

    def _print_ElemDiv(self, node: n.ElemDiv) -> Any:
        left, left_scalar = self.operand(node.left)
        right, right_scalar = self.operand(node.right)
        if right_scalar:
            return _product(left, 1 / right)
        reciprocal = sympy.HadamardPower(right, -1)
        if left_scalar:
            return _product(left, reciprocal)
        return sympy.HadamardProduct(left, reciprocal)

    def _print_ElemPow(self, node: n.ElemPow) -> Any:
        base, base_scalar = self.operand(node.base)
        exponent, exponent_scalar = self.operand(node.exponent)
        if base_scalar and exponent_scalar:
            return sympy.Pow(base, exponent)
        return sympy.HadamardPower(base, exponent)  # takes a scalar or a matrix on either side

    def _print_Kron(self, node: n.Kron) -> Any:
        left, left_scalar = self.operand(node.left)
        right, right_scalar = self.operand(node.right)
        if left_scalar or right_scalar:
            return _product(left, right)
        return sympy.KroneckerProduct(left, right)

    def _print_Max(self, node: n.Max) -> Any:
        left, left_scalar = self.operand(node.left)
        right, right_scalar = self.operand(node.right)
        if left_scalar and right_scalar:
            return sympy.Max(left, right)
        if left_scalar or right_scalar:
            scalar, matrix = (left, right) if left_scalar else (right, left)
            return self.elementwise(sympy.Max(scalar, _T), matrix)
        if isinstance(left, sympy.MatrixBase) and isinstance(right, sympy.MatrixBase):
            entries = [sympy.Max(a, b) for a, b in zip(left, right, strict=True)]
            return sympy.ImmutableMatrix(left.rows, left.cols, entries)
        # SymPy has no element-wise max of two matrices; max(a, b) = (a + b + |a - b|) / 2 exactly.
        spread = self.elementwise(sympy.Abs(_T), _sum(left, _product(sympy.Integer(-1), right)))
        return _product(sympy.Rational(1, 2), _sum(left, right, spread))

    def _print_Pow(self, node: n.Pow) -> Any:
        exponent = self.scalar(node.exponent)
        if _shape(node.base).is_scalar:
            return sympy.Pow(self.scalar(node.base), exponent)
        return sympy.MatPow(self.matrix(node.base), exponent)

    def _print_Transpose(self, node: n.Transpose) -> Any:
        value = self._print(node.arg)
        return sympy.Transpose(value) if _is_matrix(value) else value

    def _print_Inverse(self, node: n.Inverse) -> Any:
        if _shape(node.arg).is_scalar:
            return 1 / self.scalar(node.arg)
        return sympy.Inverse(self.matrix(node.arg))

    def _print_Apply(self, node: n.Apply) -> Any:
        if _shape(node.arg).is_scalar:
            return _scalar_function(node.func, self.scalar(node.arg))
        return self.elementwise(_scalar_function(node.func, _T), self.matrix(node.arg))

    # --- reductions and matrix functions ------------------------------------------------------

    def _print_Sum(self, node: n.Sum) -> Any:
        value, is_scalar = self.operand(node.arg)
        return value if is_scalar else self.sum_entries(value, _shape(node.arg))

    def _print_Trace(self, node: n.Trace) -> Any:
        value, is_scalar = self.operand(node.arg)
        return value if is_scalar else sympy.Trace(value)

    def _print_Det(self, node: n.Det) -> Any:
        value, is_scalar = self.operand(node.arg)
        return value if is_scalar else sympy.Determinant(value)

    def _print_Norm(self, node: n.Norm) -> Any:
        value, is_scalar = self.operand(node.arg)
        shape = _shape(node.arg)
        if is_scalar:
            return sympy.Abs(value)
        if node.p == 1:
            if not shape.is_vector:
                raise MatcalcError(f"the 1-norm is for vectors, not a {shape} matrix")
            return self.sum_entries(self.elementwise(sympy.Abs(_T), value), shape)
        if node.p != 2:
            raise MatcalcError(f"the {node.p}-norm has no SymPy form here")
        if shape.cols.is_one:
            return sympy.sqrt(_entry(sympy.MatMul(sympy.Transpose(value), value)))
        if shape.rows.is_one:
            return sympy.sqrt(_entry(sympy.MatMul(value, sympy.Transpose(value))))
        return sympy.sqrt(sympy.Trace(sympy.MatMul(sympy.Transpose(value), value)))

    def _print_Diag(self, node: n.Diag) -> Any:
        value, is_scalar = self.operand(node.arg)
        shape = _shape(node.arg)
        if is_scalar:
            return value
        if shape.cols.is_one:
            return sympy.DiagMatrix(value)
        if shape.rows.is_one:
            return sympy.DiagMatrix(sympy.Transpose(value))
        if not shape.is_square:
            raise MatcalcError(f"diag needs a vector or a square matrix, not a {shape} matrix")
        if isinstance(value, sympy.MatrixBase):
            return sympy.ImmutableMatrix([[value[i, i]] for i in range(value.rows)])
        if not all(isinstance(size, sympy.Basic) for size in value.shape):
            # DiagonalOf.shape fails on plain-int sizes (a product of explicit matrices).
            size = shape.rows.coefficient
            return sympy.ImmutableMatrix([[MatrixElement(value, i, i)] for i in range(size)])
        return sympy.DiagonalOf(value)

    def _print_Softmax(self, node: n.Softmax) -> Any:
        value, is_scalar = self.operand(node.arg)
        if is_scalar:
            return sympy.exp(value) / sympy.exp(value)  # SymPy folds this to 1
        exponentials = self.elementwise(sympy.exp(_T), value)
        return _product(exponentials, 1 / self.sum_entries(exponentials, _shape(node.arg)))

    def _print_Vec(self, node: n.Vec) -> Any:
        value, is_scalar = self.operand(node.arg)
        shape = _shape(node.arg)
        if is_scalar or shape.cols.is_one:
            return value
        if shape.rows.is_one:
            return sympy.Transpose(value)
        if isinstance(value, sympy.MatrixBase):
            return value.T.reshape(1, value.rows * value.cols).T
        if shape.rows.is_concrete and shape.cols.is_concrete:
            rows, cols = shape.rows.coefficient, shape.cols.coefficient
            return sympy.ImmutableMatrix(
                [[MatrixElement(value, i, j)] for j in range(cols) for i in range(rows)]
            )
        raise MatcalcError("vec of a symbolic-size matrix has no SymPy form")


def to_sympy(node: n.Node) -> Any:
    """The SymPy object of a parsed, typed tree (a 1×1 product stays a 1×1 matrix expression)."""
    return SympyPrinter().doprint(node)
