"""Name resolution and shape inference: raw nodes to a typed tree.

Every node of the result carries its shape.  Sizes that the text leaves open (``I``,
``\\mathbf{1}``, ``\\mathbf{0}``) are unknowns unified with their context (``A + I`` makes I
n×n) and written into the nodes, so ``I`` in ``A + I`` and ``I_n`` give the same tree.  A 1×1
result is a scalar wherever a scalar fits: it scales a product and is expanded element-wise in
sums.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable
from fractions import Fraction

from grader.errors import ParseError
from grader.language import nodes as n
from grader.language.builder import FUNCTION_NAMES, error
from grader.language.declarations import CONSTANTS, Declarations
from grader.language.limits import Limits
from grader.language.reading import ReadingContext
from grader.language.shapes import ONE, SCALAR, Dim, Shape

_FUNCTION_NAMES = sorted(FUNCTION_NAMES)
_UNKNOWN = "?"  # prefix of the symbols that stand for sizes not yet inferred


def check(
    tree: n.Node, declarations: Declarations, limits: Limits, expected: Shape | None = None,
    context: ReadingContext | None = None,
) -> n.Node:
    """The typed tree of ``tree``; raises :class:`ParseError` naming the place of any problem.

    ``expected`` (the key's shape, when grading) fixes sizes the text leaves open: the answer
    ``I`` to a question whose answer is n×n is ``I_n``.
    """
    checker = _Checker(declarations, limits, context)
    typed = checker.visit(tree)
    if expected is not None and checker.counter:
        checker.same_shape(typed.typed_shape, expected)
    return checker.settle(typed) if checker.bindings or checker.counter else typed


class _Checker:
    def __init__(self, declarations: Declarations, limits: Limits,
                 context: ReadingContext | None = None) -> None:
        self.declarations = declarations
        self.limits = limits
        self.context = context
        self.bindings: dict[str, Dim] = {}
        self.counter = 0

    # --- unknown sizes --------------------------------------------------------------------

    def fresh(self) -> Dim:
        self.counter += 1
        return Dim(1, (f"{_UNKNOWN}{self.counter}",))

    def resolve(self, dim: Dim) -> Dim:
        """Follow bindings to the representative, compressing the path on the way back."""
        path: list[str] = []
        while _is_unknown(dim) and dim.symbols[0] in self.bindings:
            path.append(dim.symbols[0])
            dim = self.bindings[dim.symbols[0]]
        for symbol in path[:-1]:
            self.bindings[symbol] = dim
        return dim

    def resolve_shape(self, shape: Shape) -> Shape:
        return Shape(self.resolve(shape.rows), self.resolve(shape.cols))

    def unify(self, a: Dim, b: Dim) -> bool:
        a, b = self.resolve(a), self.resolve(b)
        if a == b:
            return True
        for unknown, other in ((a, b), (b, a)):
            if _is_unknown(unknown):
                self.bindings[unknown.symbols[0]] = other
                return True
        return False

    def same_shape(self, a: Shape, b: Shape) -> bool:
        return self.unify(a.rows, b.rows) and self.unify(a.cols, b.cols)

    def is_scalar(self, shape: Shape) -> bool:
        return self.resolve_shape(shape).is_scalar

    def settle(self, tree: n.Node) -> n.Node:
        """Write every inferred size into the tree; an unknown left over is an error."""

        def visit(node: n.Node) -> n.Node:
            node = node.map_children(visit)
            shape = self.resolve_shape(node.typed_shape)
            if isinstance(node, n.Identity):
                node = n.Identity(shape.rows, span=node.span)
            elif isinstance(node, n.Ones):
                node = n.Ones(shape.rows, span=node.span)
            elif isinstance(node, n.Zeros):
                node = n.Zeros(shape.rows, shape.cols, span=node.span)
            if any(_UNKNOWN in s for d in (shape.rows, shape.cols) for s in d.symbols):
                what = {n.Identity: "I", n.Ones: "the vector of ones", n.Zeros: "the zero matrix"}
                label = what.get(type(node), "this expression")
                raise error(
                    f"can't tell the size of {label} here; give it explicitly "
                    "(I_n or eye(n), ones(n), zeros(m, n))",
                    node, code="shape",
                )
            return node.with_shape(shape)

        return visit(tree)

    # --- dispatch -------------------------------------------------------------------------

    def visit(self, node: n.Node) -> n.Node:
        method: Callable[[n.Node], n.Node] = getattr(self, f"visit_{type(node).__name__}")
        return method(node)

    def children(self, node: n.Node) -> n.Node:
        return node.map_children(self.visit)

    # --- leaves ---------------------------------------------------------------------------

    def visit_Number(self, node: n.Number) -> n.Node:
        return node.with_shape(SCALAR)

    def visit_Symbol(self, node: n.Symbol) -> n.Node:
        shape = self.declarations.shape_of(node.name)
        if shape is None:
            raise self.unknown_name(node.name, node)
        return node.with_shape(shape)

    def visit_Constant(self, node: n.Constant) -> n.Node:
        return node.with_shape(SCALAR)

    def visit_Name(self, node: n.Name) -> n.Node:
        text = node.text
        declared = self.declarations.lookup(text)
        if declared is not None:
            return self.visit(n.Symbol(declared, span=node.span))
        if text in CONSTANTS:
            return n.Constant(text, span=node.span, shape=SCALAR)
        if text == "I":
            return self.visit(n.Identity(None, span=node.span))
        sized = re.fullmatch(r"I_(\d*)([A-Za-z]\w*)?", text)
        if sized and (sized.group(1) or sized.group(2)):  # I_3, I_n, I_2n
            coefficient, symbol = sized.group(1), sized.group(2)
            dim = Dim(int(coefficient) if coefficient else 1, (symbol,) if symbol else ())
            return self.visit(n.Identity(dim, span=node.span))
        if text == "T":
            raise error("T means transpose only right after ^ (as in A^T)", node)
        raise self.unknown_name(text, node)

    def split(self, text: str) -> list[str] | None:
        """``xy`` as ``x y`` when that is the only way to read it as declared names."""
        names = [name for name in self.declarations.names if "_" not in name]
        # ways[i]: how many readings text[i:] has (counting stops at 2); step[i]: the first name.
        ways = [0] * len(text) + [1]
        step: list[str | None] = [None] * (len(text) + 1)
        for start in range(len(text) - 1, -1, -1):
            for name in names:
                if text.startswith(name, start):
                    found = ways[start + len(name)]
                    if found:
                        ways[start] = min(2, ways[start] + found)
                        step[start] = name
        if ways[0] != 1:
            return None
        parts: list[str] = []
        position = 0
        while position < len(text):
            chosen = step[position]
            assert chosen is not None
            parts.append(chosen)
            position += len(chosen)
        return parts if len(parts) > 1 else None

    def unknown_name(self, text: str, node: n.Node) -> ParseError:
        declared = list(self.declarations.names)
        hint = ""
        lowered = text.lower()
        if lowered in _FUNCTION_NAMES and text != lowered:
            hint = f"; did you mean {lowered}?"
        else:
            for function in sorted(_FUNCTION_NAMES, key=len, reverse=True):
                rest = text[len(function):]
                if text.startswith(function) and rest and (
                    self.declarations.lookup(rest) or self.split(rest)
                ):
                    hint = f"; did you mean {function}({rest})?"
                    break
            else:
                close = difflib.get_close_matches(
                    text, [*declared, *CONSTANTS, *_FUNCTION_NAMES], n=1, cutoff=0.5
                )
                if close:
                    hint = f"; did you mean {close[0]}?"
        known = (
            f"the declared names are {', '.join(declared)}" if declared else "nothing is declared"
        )
        return error(f"unknown name '{text}' ({known}){hint}", node, code="unknown_name")

    def visit_Identity(self, node: n.Identity) -> n.Node:
        size = self.dimension(node.size, node) if node.size is not None else self.fresh()
        return n.Identity(node.size, span=node.span, shape=Shape(size, size))

    def visit_Ones(self, node: n.Ones) -> n.Node:
        size = self.dimension(node.size, node) if node.size is not None else self.fresh()
        return node.with_shape(Shape(size, ONE))

    def visit_Zeros(self, node: n.Zeros) -> n.Node:
        rows = self.dimension(node.rows, node) if node.rows is not None else self.fresh()
        cols = self.dimension(node.cols, node) if node.cols is not None else self.fresh()
        return node.with_shape(Shape(rows, cols))

    def dimension(self, dim: Dim, node: n.Node) -> Dim:
        if dim.coefficient < 1 or (
            dim.is_concrete and dim.coefficient > self.limits.max_dimension
        ):
            raise error(
                f"a size must be from 1 to {self.limits.max_dimension}, not {dim}",
                node, code="limit",
            )
        for symbol in dim.symbols:
            if self.declarations.lookup(symbol) is not None or symbol in CONSTANTS:
                raise error(f"'{symbol}' is a value, not a dimension", node, code="shape")
            if symbol in FUNCTION_NAMES or symbol in ("I", "T"):
                raise error(f"'{symbol}' is not a dimension", node, code="shape")
        return dim

    def visit_Matrix(self, node: n.Matrix) -> n.Node:
        count = len(node.rows) * len(node.rows[0])
        if count > self.limits.max_matrix_entries:
            raise error(
                f"matrix too large ({count} entries; the limit is "
                f"{self.limits.max_matrix_entries})",
                node, code="limit",
            )
        typed = self.children(node)
        assert isinstance(typed, n.Matrix)
        for entry in typed.children():
            if not self.is_scalar(entry.typed_shape):
                raise error(
                    f"a matrix entry must be a scalar, and this one is "
                    f"{self.resolve_shape(entry.typed_shape)}",
                    entry, code="shape",
                )
        return typed.with_shape(Shape.of(len(node.rows), len(node.rows[0])))

    def visit_TransposeMark(self, node: n.TransposeMark) -> n.Node:
        raise error("\\top means transpose only right after ^ (as in A^\\top)", node)

    # --- operators ------------------------------------------------------------------------

    def visit_Neg(self, node: n.Neg) -> n.Node:
        typed = self.children(node)
        return typed.with_shape(typed.arg.typed_shape)  # type: ignore[attr-defined]

    def visit_Add(self, node: n.Add) -> n.Node:
        typed = self.children(node)
        assert isinstance(typed, n.Add)
        shape = typed.terms[0].typed_shape
        for term in typed.terms[1:]:
            shape = self.elementwise(shape, term.typed_shape, "add", typed, term)
        return typed.with_shape(shape)

    def elementwise(self, a: Shape, b: Shape, verb: str, whole: n.Node, part: n.Node) -> Shape:
        """Shape of an element-wise combination, with scalar expansion."""
        if self.is_scalar(a):
            return b
        if self.is_scalar(b):
            return a
        if self.same_shape(a, b):
            return a
        a, b = self.resolve_shape(a), self.resolve_shape(b)
        hint = ""
        if a == b.transposed:
            hint = "; one of them needs a transpose"
        raise error(f"can't {verb} {a} and {b}{hint}", whole, code="shape")

    def visit_Mul(self, node: n.Mul) -> n.Node:
        factors = [self.visit(factor) for factor in node.factors]
        return self.visit_product(n.Mul(tuple(factors), span=node.span), factors)

    def visit_product(self, node: n.Mul, factors: list[n.Node]) -> n.Node:
        shape = factors[0].typed_shape
        for factor in factors[1:]:
            right = factor.typed_shape
            if self.is_scalar(shape):
                shape = right
            elif self.is_scalar(right):
                pass
            elif self.unify(shape.cols, right.rows):
                shape = Shape(shape.rows, right.cols)
            else:
                left, right = self.resolve_shape(shape), self.resolve_shape(right)
                hint = ""
                if left == right:  # σ(z) * (1 - σ(z)): meant entry by entry, not a transpose
                    hint = f"; to multiply two {left} factors entry by entry, write .*"
                elif left.cols == right.cols:
                    hint = "; the right factor may need a transpose"
                elif left.rows == right.rows:
                    hint = "; the left factor may need a transpose"
                raise error(
                    f"can't multiply {left} by {right}: the inner sizes {left.cols} and "
                    f"{right.rows} differ{hint}",
                    node, code="shape",
                )
        return node.with_shape(shape)

    def visit_Div(self, node: n.Div) -> n.Node:
        typed = self.children(node)
        assert isinstance(typed, n.Div)
        if not self.is_scalar(typed.right.typed_shape):
            raise error(
                f"can't divide by a {self.resolve_shape(typed.right.typed_shape)} "
                "matrix; use inv(...) for a matrix inverse or ./ to divide element-wise",
                typed.right, code="shape",
            )
        return typed.with_shape(typed.left.typed_shape)

    def visit_binary_elementwise(self, node: n.Binary, verb: str) -> n.Node:
        typed = self.children(node)
        assert isinstance(typed, n.Binary)
        shape = self.elementwise(typed.left.typed_shape, typed.right.typed_shape, verb, typed,
                                 typed.right)
        return typed.with_shape(shape)

    def visit_Hadamard(self, node: n.Hadamard) -> n.Node:
        return self.visit_binary_elementwise(node, "multiply element-wise")

    def visit_ElemDiv(self, node: n.ElemDiv) -> n.Node:
        return self.visit_binary_elementwise(node, "divide element-wise")

    def visit_Max(self, node: n.Max) -> n.Node:
        return self.visit_binary_elementwise(node, "take the element-wise max of")

    def visit_Kron(self, node: n.Kron) -> n.Node:
        typed = self.children(node)
        assert isinstance(typed, n.Kron)
        a = self.resolve_shape(typed.left.typed_shape)
        b = self.resolve_shape(typed.right.typed_shape)
        return typed.with_shape(Shape(a.rows * b.rows, a.cols * b.cols))

    def visit_Pow(self, node: n.Pow) -> n.Node:
        typed = self.children(node)
        assert isinstance(typed, n.Pow)
        base = self.resolve_shape(typed.base.typed_shape)
        if typed.base == n.Constant("e") and not self.is_scalar(typed.exponent.typed_shape):
            raise error("e^ of a vector or matrix: write exp(...) for the element-wise "
                        "exponential", typed, code="shape")
        if not self.is_scalar(typed.exponent.typed_shape):
            raise error(
                f"an exponent must be a scalar, and this one is "
                f"{self.resolve_shape(typed.exponent.typed_shape)}",
                typed.exponent, code="shape",
            )
        value = self.constant_exponent(typed.exponent)
        if base.is_scalar:
            return typed.with_shape(SCALAR)
        if value is None or value.denominator != 1:
            raise error(f"a {base} matrix can only be raised to a whole-number power",
                        typed.exponent, code="shape")
        if not self.unify(base.rows, base.cols):
            raise error(
                f"only a square matrix has powers, and this is {base}; write .^ for an "
                "element-wise power",
                typed, code="shape",
            )
        return typed.with_shape(base)

    def visit_ElemPow(self, node: n.ElemPow) -> n.Node:
        typed = self.children(node)
        assert isinstance(typed, n.ElemPow)
        self.constant_exponent(typed.exponent)
        shape = self.elementwise(typed.base.typed_shape, typed.exponent.typed_shape,
                                 "raise element-wise", typed, typed.exponent)
        return typed.with_shape(shape)

    def constant_exponent(self, exponent: n.Node) -> Fraction | None:
        """The exponent's value if it has no variables, checked against the cap."""
        try:
            value = _fold(exponent, self.limits.max_exponent)
        except OverflowError:
            value = None
            too_large = True
        else:
            too_large = value is not None and abs(value) > self.limits.max_exponent
        if too_large:
            raise error(
                f"exponent too large (the limit is {self.limits.max_exponent})",
                exponent, code="limit",
            )
        return value

    def visit_Transpose(self, node: n.Transpose) -> n.Node:
        typed = self.children(node)
        assert isinstance(typed, n.Transpose)
        return typed.with_shape(typed.arg.typed_shape.transposed)

    def square(self, node: n.Unary, what: str) -> n.Node:
        typed = self.children(node)
        assert isinstance(typed, n.Unary)
        shape = typed.arg.typed_shape
        if not self.unify(shape.rows, shape.cols):
            raise error(f"{what} needs a square matrix, and this is {self.resolve_shape(shape)}",
                        typed, code="shape")
        return typed.with_shape(shape)

    def visit_Inverse(self, node: n.Inverse) -> n.Node:
        return self.square(node, "an inverse")

    def visit_Apply(self, node: n.Apply) -> n.Node:
        typed = self.children(node)
        assert isinstance(typed, n.Apply)
        shape = self.resolve_shape(typed.arg.typed_shape)
        if self.context is not None and node.span in self.context.bars and not shape.is_scalar:
            if shape.rows == shape.cols:
                raise error(
                    "|...| of a square matrix is ambiguous: write det(...) for the determinant "
                    "or abs(...) for the absolute value of each entry",
                    typed, code="ambiguous",
                )
            self.context.note("abs_bars", "read |...| as abs(...), the absolute value of each "
                              "entry; the norm is written \\|...\\| or norm(...)", node.span)
        return typed.with_shape(typed.arg.typed_shape)

    def visit_FunctionPower(self, node: n.FunctionPower) -> n.Node:
        """``\\tanh^2(z)`` is tanh(z)^2 for a scalar z and tanh(z) .^ 2 for a vector."""
        call = self.visit(node.call)
        exponent = self.visit(node.exponent)
        if self.is_scalar(call.typed_shape):
            return self.visit_Pow(n.Pow(call, exponent, span=node.span))
        return self.visit_ElemPow(n.ElemPow(call, exponent, span=node.span))

    # --- reductions and matrix functions --------------------------------------------------

    def visit_Sum(self, node: n.Sum) -> n.Node:
        return self.children(node).with_shape(SCALAR)

    def visit_Trace(self, node: n.Trace) -> n.Node:
        return self.square(node, "a trace").with_shape(SCALAR)

    def visit_Det(self, node: n.Det) -> n.Node:
        return self.square(node, "a determinant").with_shape(SCALAR)

    def visit_Norm(self, node: n.Norm) -> n.Node:
        typed = self.children(node)
        assert isinstance(typed, n.Norm)
        shape = self.resolve_shape(typed.arg.typed_shape)
        if typed.p == 1 and not (shape.is_vector or shape.is_scalar):
            raise error(f"the 1-norm is for vectors, and this is {shape}", typed, code="shape")
        if typed.written_two and not (shape.is_vector or shape.is_scalar):
            raise error(
                f"the 2-norm of a {shape} matrix is its spectral norm, which is not supported; "
                "write \\|A\\|_F or norm(A) for the Frobenius norm",
                typed, code="shape",
            )
        return typed.with_shape(SCALAR)

    def visit_Diag(self, node: n.Diag) -> n.Node:
        typed = self.children(node)
        assert isinstance(typed, n.Diag)
        shape = self.resolve_shape(typed.arg.typed_shape)
        if shape.is_scalar:
            return typed.with_shape(SCALAR)
        if shape.cols.is_one:
            return typed.with_shape(Shape(shape.rows, shape.rows))
        if shape.rows.is_one:
            return typed.with_shape(Shape(shape.cols, shape.cols))
        if self.unify(shape.rows, shape.cols):
            return typed.with_shape(Shape(shape.rows, ONE))
        raise error(f"diag needs a vector or a square matrix, and this is {shape}", typed,
                    code="shape")

    def visit_Softmax(self, node: n.Softmax) -> n.Node:
        typed = self.children(node)
        assert isinstance(typed, n.Softmax)
        shape = self.resolve_shape(typed.arg.typed_shape)
        if not (shape.is_vector or shape.is_scalar):
            raise error(f"softmax needs a vector, and this is {shape}", typed, code="shape")
        return typed.with_shape(shape)

    def visit_Vec(self, node: n.Vec) -> n.Node:
        typed = self.children(node)
        assert isinstance(typed, n.Vec)
        shape = self.resolve_shape(typed.arg.typed_shape)
        return typed.with_shape(Shape(shape.rows * shape.cols, ONE))


def _is_unknown(dim: Dim) -> bool:
    return dim.coefficient == 1 and len(dim.symbols) == 1 and dim.symbols[0].startswith(_UNKNOWN)


def _fold(node: n.Node, cap: int) -> Fraction | None:
    """Exact value of a constant expression, or None if it has variables.

    Raises OverflowError rather than build a number far past ``cap``.
    """
    if isinstance(node, n.Number):
        return node.value
    if isinstance(node, n.Neg):
        value = _fold(node.arg, cap)
        return None if value is None else -value
    if isinstance(node, (n.Add, n.Mul)):
        parts = [_fold(child, cap) for child in node.children()]
        if any(p is None for p in parts):
            return None
        known = [p for p in parts if p is not None]
        if isinstance(node, n.Add):
            return _bounded(sum(known, Fraction(0)), cap)
        return _bounded(math.prod(known, start=Fraction(1)), cap)
    if isinstance(node, n.Div):
        top, bottom = _fold(node.left, cap), _fold(node.right, cap)
        if top is None or bottom is None or bottom == 0:
            return None
        return _bounded(top / bottom, cap)
    if isinstance(node, n.Pow):
        base, exponent = _fold(node.base, cap), _fold(node.exponent, cap)
        if base is None or exponent is None or exponent.denominator != 1:
            return None
        bits = max(base.numerator.bit_length(), base.denominator.bit_length())
        if abs(exponent) > cap or abs(exponent) * bits > 256:
            raise OverflowError
        if base == 0 and exponent < 0:
            return None
        return Fraction(base) ** int(exponent)
    return None


def _bounded(value: Fraction, cap: int) -> Fraction:
    if abs(value) > 2**64 or value.denominator > 2**64:
        raise OverflowError
    return value

