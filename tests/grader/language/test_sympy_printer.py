"""SymPy conversion: the structure it builds, and its values checked against hand-written numpy.

The numeric check is independent of the printer: concrete sizes and random rational matrices are
substituted into the SymPy object, SymPy evaluates it, and the result is compared with the same
expression written directly in numpy.
"""

# The numpy versions name their arguments as the declarations do (A, B, W, X).
# ruff: noqa: N803

from __future__ import annotations

import random
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import hypothesis
import numpy as np
import pytest
import sympy
from sympy.core.symbol import Str
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.matexpr import MatrixElement

from grader import MatcalcError, parse, parse_declarations, print_ascii
from grader.language import nodes as n
from grader.language.printing.sympy import SympyPrinter, sympy_dim, to_sympy
from grader.language.shapes import Dim, Shape
from tests.grader.language.strategies import GIVEN, typed_trees

SIZES = {"n": 3, "m": 2}

# --- structure ----------------------------------------------------------------------------------


def _dim_symbol(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, integer=True, positive=True)


def test_quadratic_form_is_a_product_of_matrix_symbols() -> None:
    expr = to_sympy(parse("x^T A x", "x[n], A[n,n]"))
    size = _dim_symbol("n")
    x, a = sympy.MatrixSymbol("x", size, 1), sympy.MatrixSymbol("A", size, size)
    assert isinstance(expr, sympy.MatMul)
    assert expr == sympy.MatMul(sympy.Transpose(x), a, x)
    assert expr.shape == (1, 1)


def test_declared_shapes() -> None:
    given = "x[n], A[m,n], w[1,n], b, D[3,2]"
    size, rows = _dim_symbol("n"), _dim_symbol("m")
    assert to_sympy(parse("b", given)) == sympy.Symbol("b")
    assert to_sympy(parse("x", given)) == sympy.MatrixSymbol("x", size, 1)
    assert to_sympy(parse("w", given)) == sympy.MatrixSymbol("w", 1, size)
    assert to_sympy(parse("A", given)) == sympy.MatrixSymbol("A", rows, size)
    assert to_sympy(parse("D", given)) == sympy.MatrixSymbol("D", 3, 2)


def test_dims_are_positive_integer_monomials() -> None:
    m, size = _dim_symbol("m"), _dim_symbol("n")
    assert sympy_dim(Dim(2, ("m", "n", "n"))) == 2 * m * size**2
    assert sympy_dim(Dim.of(5)) == 5
    assert sympy_dim(Dim.of("n")).is_positive and sympy_dim(Dim.of("n")).is_integer
    kron = to_sympy(parse("kron(A, C)", "A[n,n], C[m,n]"))
    assert kron.shape == (m * size, size**2)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("tr(A)", sympy.Trace), ("det(A)", sympy.Determinant), ("A .* B", sympy.HadamardProduct),
        ("kron(A, B)", sympy.KroneckerProduct), ("inv(A)", sympy.Inverse),
        ("A^-1", sympy.Inverse), ("A^T", sympy.Transpose), ("A^3", sympy.MatPow),
        ("A .^ 2", sympy.HadamardPower), ("A ./ B", sympy.HadamardPower),
        ("exp(A)", ElementwiseApplyFunction), ("diag(x)", sympy.DiagMatrix),
        ("diag(A)", sympy.DiagonalOf), ("I_n", sympy.Identity), ("ones(n)", sympy.OneMatrix),
        ("zeros(n, n)", sympy.ZeroMatrix), ("A + B", sympy.MatAdd), ("A B", sympy.MatMul),
        ("[1, b; 2, 3]", sympy.ImmutableMatrix), ("sum(A)", MatrixElement),
        ("A + 1", sympy.OneMatrix),  # scalar expansion
    ],
)
def test_operators_map_to_sympy_classes(text: str, kind: type) -> None:
    expr = to_sympy(parse(text, "x[n], A[n,n], B[n,n], b"))
    assert isinstance(expr, kind) or expr.has(kind) or any(
        isinstance(node, kind) for node in sympy.preorder_traversal(expr)
    )


def test_leaves() -> None:
    assert to_sympy(parse("0.5")) == sympy.Rational(1, 2)
    assert isinstance(to_sympy(parse("0.5")), sympy.Rational)
    assert to_sympy(parse("e")) is sympy.E
    assert to_sympy(parse("pi")) is sympy.pi
    assert to_sympy(parse("step(0)")) == 0  # step(0) = 0, not SymPy's default 1/2


def test_a_one_by_one_product_scales_by_its_entry_without_expanding() -> None:
    expr = to_sympy(parse("(x^T A x) A", "x[n], A[n,n]"))
    assert isinstance(expr, sympy.MatMul)
    entries = [a for a in expr.args if isinstance(a, MatrixElement)]
    assert len(entries) == 1
    assert isinstance(entries[0].parent, sympy.MatMul)
    assert (entries[0].i, entries[0].j) == (0, 0)
    assert not expr.has(sympy.Sum)
    scalar = to_sympy(parse("exp(x^T x) + b", "x[n], b"))
    assert not isinstance(scalar, sympy.MatrixExpr)
    assert scalar.has(MatrixElement) and not scalar.has(sympy.Sum)


def test_srepr_is_deterministic_and_reads_back() -> None:
    namespace = {
        **vars(sympy), "Str": Str, "MatrixElement": MatrixElement,
        "ElementwiseApplyFunction": ElementwiseApplyFunction,
    }
    given = "x[n], A[n,n], B[n,n], w[1,n], b"
    for text in ("x^T A x", "sigma(A x) .* x + b", "softmax(x) - x / norm(x)",
                 "max(A, B) + max(x^T x, A)", "relu(w) diag(A)", "kron(A, B) ./ 2", "sum(exp(A))"):
        expr = to_sympy(parse(text, given))
        text_form = sympy.srepr(expr)
        assert text_form == sympy.srepr(to_sympy(parse(text, given)))  # no Dummy symbols
        assert "Dummy" not in text_form
        assert eval(text_form, namespace) == expr


def test_printer_dispatches_per_node() -> None:
    printer = SympyPrinter()
    methods = {name for name in dir(printer) if name.startswith("_print_")}
    concrete = {cls.__name__ for cls in _node_classes()}
    assert {f"_print_{name}" for name in concrete} <= methods


@hypothesis.settings(max_examples=150, deadline=None,
                     suppress_health_check=[hypothesis.HealthCheck.too_slow])
@hypothesis.given(typed_trees(4))
def test_random_trees_convert_with_their_shape(pair: tuple[n.Node, Shape]) -> None:
    """Any typed tree converts (or raises MatcalcError), to an object of the tree's shape."""
    tree = parse(print_ascii(pair[0]), GIVEN)
    shape = tree.typed_shape
    try:
        expr = to_sympy(tree)
    except MatcalcError as problem:
        assert "vec of a symbolic-size matrix" in str(problem)
        return
    if isinstance(expr, (sympy.MatrixExpr, sympy.MatrixBase)):
        rows, cols = expr.shape
        assert sympy.expand(rows - sympy_dim(shape.rows)) == 0
        assert sympy.expand(cols - sympy_dim(shape.cols)) == 0
    else:
        assert shape.is_scalar


# --- errors -------------------------------------------------------------------------------------


def test_vec_of_a_symbolic_size_matrix_is_an_error() -> None:
    with pytest.raises(MatcalcError, match="vec of a symbolic-size matrix"):
        to_sympy(parse("vec(A)", "A[m,n]"))


def test_untyped_trees_are_errors() -> None:
    with pytest.raises(MatcalcError):
        to_sympy(n.Name("x", shape=Shape.of(1, 1)))
    with pytest.raises(MatcalcError):
        to_sympy(n.Symbol("x"))  # never type-checked: no shape
    with pytest.raises(MatcalcError):
        to_sympy(n.Identity(None, shape=Shape.of("n", "n")))


# --- numeric verification -----------------------------------------------------------------------

NUMPY_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos, "tan": np.tan, "tanh": np.tanh,
    "sqrt": np.sqrt, "abs": np.abs, "sign": np.sign,
    "sigma": lambda t: 1 / (1 + np.exp(-t)),
    "relu": lambda t: np.maximum(0, t),
    "step": lambda t: np.heaviside(t, 0),
}
POSITIVE_ONLY = {"log", "sqrt"}


def _col(*values: float) -> Any:
    return np.array(values, dtype=float).reshape(-1, 1)


# (given, expression, numpy version, options): options "pos" draws positive values, "inv" makes
# square matrices diagonally dominant (invertible, positive determinant).
Case = tuple[str, str, Callable[..., Any], str]
CASES: list[Case] = [
    # leaves
    ("b", "b", lambda b: b, ""),
    ("x[n]", "x", lambda x: x, ""),
    ("", "0.5 + 3/4", lambda: 1.25, ""),
    ("b", "e^b + pi", lambda b: np.exp(b) + np.pi, ""),
    ("A[n,n]", "A + I", lambda A: A + np.eye(3), ""),
    ("A[m,n]", "eye(m) A - A I_n", lambda A: np.eye(2) @ A - A @ np.eye(3), ""),
    ("x[n]", "ones(n)^T x", lambda x: np.ones((3, 1)).T @ x, ""),
    ("x[n]", r"x + \mathbf{1}", lambda x: x + 1, ""),
    ("A[m,n]", "A + zeros(m, n)", lambda A: A, ""),
    ("x[n]", "zeros(n) - x", lambda x: -x, ""),
    ("b", "[1, b; 2 b, 3]", lambda b: np.array([[1, b], [2 * b, 3]]), ""),
    ("x[n], A[n,n]", "[x^T A x, 1; 2, -x^T x]",
     lambda x, A: np.array([[(x.T @ A @ x).item(), 1], [2, -(x.T @ x).item()]]), ""),
    ("", "[1, 2; 3, 4] [5; 6]", lambda: np.array([[17.0], [39.0]]), ""),
    ("b", "[b]", lambda b: b, ""),
    # sums, negation, scalar expansion
    ("A[n,n], B[n,n]", "A - B", lambda A, B: A - B, ""),
    ("x[n]", "-x", lambda x: -x, ""),
    ("b, c", "b - c + 2", lambda b, c: b - c + 2, ""),
    ("A[m,n], b", "A + b", lambda A, b: A + b, ""),
    ("x[n], A[n,n]", "A + x^T x", lambda x, A: A + (x.T @ x).item(), ""),
    ("x[n], b", "b + x^T x + 1", lambda x, b: b + x.T @ x + 1, ""),
    ("x[n], A[n,n]", "x^T (A + A^T)", lambda x, A: x.T @ (A + A.T), ""),
    # products
    ("x[n], A[n,n]", "x^T A x", lambda x, A: x.T @ A @ x, ""),
    ("x[n], A[n,n]", "(x^T A x) A", lambda x, A: (x.T @ A @ x).item() * A, ""),
    ("x[n], y[n], A[n,n]", "x^T y A x", lambda x, y, A: (x.T @ y).item() * (A @ x), ""),
    ("x[n], y[n]", "x^T y x^T", lambda x, y: (x.T @ y).item() * x.T, ""),
    ("A[m,n], B[n,m], b", "2 b A B", lambda A, B, b: 2 * b * (A @ B), ""),
    ("x[n], A[n,n]", "A x x^T A", lambda x, A: A @ x @ x.T @ A, ""),
    ("x[n], w[1,n]", "x w", lambda x, w: x @ w, ""),
    ("x[n], w[1,n]", "w x", lambda x, w: w @ x, ""),
    ("A[m,n]", "0 A + 1 A", lambda A: A, ""),
    ("x[n], A[n,n]", "A (x^T x) x", lambda x, A: (x.T @ x).item() * (A @ x), ""),
    # division and element-wise operators
    ("A[m,n], b", "A / b", lambda A, b: A / b, ""),
    ("x[n], A[n,n]", "A x / (x^T x)", lambda x, A: A @ x / (x.T @ x).item(), ""),
    ("b", "1 / b", lambda b: 1 / b, ""),
    ("A[m,n], B[m,n]", "A .* B", lambda A, B: A * B, ""),
    ("x[n], b", "b .* x", lambda x, b: b * x, ""),
    ("x[n], A[n,n]", "(x^T A x) .* x", lambda x, A: (x.T @ A @ x).item() * x, ""),
    ("b, c", "b .* c", lambda b, c: b * c, ""),
    ("A[m,n], B[m,n]", "A ./ B", lambda A, B: A / B, ""),
    ("x[n], b", "x ./ b", lambda x, b: x / b, ""),
    ("x[n], b", "b ./ x", lambda x, b: b / x, ""),
    ("b, c", "b ./ c", lambda b, c: b / c, ""),
    ("A[m,n]", "A .^ 2", lambda A: A**2, ""),
    ("x[n]", "2 .^ x", lambda x: 2.0**x, ""),
    ("x[n], y[n]", "x .^ y", lambda x, y: x**y, "pos"),
    ("b", "b .^ 3", lambda b: b**3, ""),
    ("x[n]", "x .^ (x^T x)", lambda x: x ** (x.T @ x).item(), "pos"),
    ("A[m,n], B[n,m]", "kron(A, B)", lambda A, B: np.kron(A, B), ""),
    ("A[m,n], b", "kron(b, A)", lambda A, b: b * A, ""),
    ("x[n], w[1,m]", "kron(x, w)", lambda x, w: np.kron(x, w), ""),
    ("b, c", "kron(b, c)", lambda b, c: b * c, ""),
    ("A[m,n]", "max(A, 0)", lambda A: np.maximum(A, 0), ""),
    ("x[n], b", "max(b, x)", lambda x, b: np.maximum(b, x), ""),
    ("A[m,n], B[m,n]", "max(A, B)", lambda A, B: np.maximum(A, B), ""),
    ("b, c", "max(b, c)", lambda b, c: max(b, c), ""),
    ("b", "max([1, b; -b, 2], [b, 0; 1, 1])",
     lambda b: np.maximum(np.array([[1, b], [-b, 2]]), np.array([[b, 0], [1, 1]])), ""),
    ("x[n], y[n]", "max(x^T y, 0)", lambda x, y: max((x.T @ y).item(), 0), ""),
    ("x[n], y[n], A[n,n]", "max(x^T y / 4, A)",
     lambda x, y, A: np.maximum((x.T @ y).item() / 4, A), ""),
    # powers, transpose, inverse
    ("A[n,n]", "A^3", lambda A: np.linalg.matrix_power(A, 3), ""),
    ("A[n,n]", "A^-2", lambda A: np.linalg.matrix_power(np.linalg.inv(A), 2), "inv"),
    ("A[n,n]", "A^0", lambda A: np.eye(3), ""),
    ("x[n]", "(x^T x)^(1/2)", lambda x: np.sqrt(x.T @ x), ""),
    ("b", "b^2 - b^-1", lambda b: b**2 - 1 / b, ""),
    ("x[n], A[n,n]", "2^(x^T A x / 10)", lambda x, A: 2.0 ** ((x.T @ A @ x) / 10), ""),
    ("A[m,n]", "A^T", lambda A: A.T, ""),
    ("x[n], A[n,n]", "(x^T A x)^T + A^T", lambda x, A: (x.T @ A @ x).item() + A.T, ""),
    ("A[n,n]", "A^-T", lambda A: np.linalg.inv(A).T, "inv"),
    ("A[n,n]", "inv(A) + A^-1", lambda A: 2 * np.linalg.inv(A), "inv"),
    ("b", "inv(b)", lambda b: 1 / b, ""),
    ("x[n]", "(x^T x)^-1 x", lambda x: x / (x.T @ x).item(), ""),
    ("", "inv([2, 1; 1, 3])", lambda: np.linalg.inv(np.array([[2.0, 1], [1, 3]])), ""),
    # element-wise functions on 1×1 matrix products
    ("x[n]", "exp(x^T x / 10)", lambda x: np.exp(x.T @ x / 10), ""),
    ("x[n], A[m,n]", "log(x^T x) A", lambda x, A: np.log((x.T @ x).item()) * A, ""),
    # reductions and matrix functions
    ("A[m,n]", "sum(A)", lambda A: A.sum(), ""),
    ("x[n]", "sum(x)", lambda x: x.sum(), ""),
    ("w[1,n]", "sum(w)", lambda w: w.sum(), ""),
    ("b", "sum(b)", lambda b: b, ""),
    ("", "sum([1, 2; 3, 4])", lambda: 10.0, ""),
    ("A[m,n]", "sum(exp(A)) + 1", lambda A: np.exp(A).sum() + 1, ""),
    ("A[n,n], B[n,n]", "tr(A B^T)", lambda A, B: np.trace(A @ B.T), ""),
    ("b", "tr(b)", lambda b: b, ""),
    ("A[n,n]", "det(A)", lambda A: np.linalg.det(A), ""),
    ("A[n,n]", "log(det(A))", lambda A: np.log(np.linalg.det(A)), "inv"),
    ("b", "det(b)", lambda b: b, ""),
    ("", "det([1, 2; 3, 5])", lambda: -1.0, ""),
    ("x[n]", "norm(x)", lambda x: np.linalg.norm(x), ""),
    ("w[1,n]", "norm(w)", lambda w: np.linalg.norm(w), ""),
    ("A[m,n]", "norm(A)", lambda A: np.linalg.norm(A, "fro"), ""),
    ("x[n]", "norm(x, 1)", lambda x: np.abs(x).sum(), ""),
    ("w[1,n]", "norm(w, 1)", lambda w: np.abs(w).sum(), ""),
    ("b", "norm(b)", lambda b: abs(b), ""),
    ("x[n], A[n,n]", "norm(A x - x)", lambda x, A: np.linalg.norm(A @ x - x), ""),
    ("x[n]", "diag(x)", lambda x: np.diagflat(x), ""),
    ("w[1,n]", "diag(w)", lambda w: np.diagflat(w), ""),
    ("A[n,n]", "diag(A)", lambda A: np.diag(A).reshape(-1, 1), ""),
    ("b", "diag(b)", lambda b: b, ""),
    ("D[3,3]", "diag(D)", lambda D: np.diag(D).reshape(-1, 1), ""),
    ("b", "diag([1, 2; b, 4])", lambda b: _col(1, 4), ""),
    ("", "diag([1, 2; 3, 4] [1, 0; 2, 1])", lambda: _col(5, 4), ""),
    ("x[n]", "softmax(x)", lambda x: np.exp(x) / np.exp(x).sum(), ""),
    ("w[1,n]", "softmax(w)", lambda w: np.exp(w) / np.exp(w).sum(), ""),
    ("b", "softmax(b)", lambda b: 1.0, ""),
    ("A[2,3]", "vec(A)", lambda A: A.reshape(-1, 1, order="F"), ""),
    ("A[2,3], B[3,2]", "vec(A B)", lambda A, B: (A @ B).reshape(-1, 1, order="F"), ""),
    ("", "vec([1, 2, 3; 4, 5, 6])", lambda: _col(1, 4, 2, 5, 3, 6), ""),
    ("x[n]", "vec(x)", lambda x: x, ""),
    ("w[1,n]", "vec(w)", lambda w: w.T, ""),
    ("b", "vec(b)", lambda b: b, ""),
    # explicit matrices everywhere (SymPy sizes them with plain ints)
    ("", "norm([1, 2; 3, 4])", lambda: np.sqrt(30.0), ""),
    ("", "norm([1; -2], 1) + norm([3, 4])", lambda: 8.0, ""),
    ("", "softmax([1; 2])", lambda: np.exp(_col(1, 2)) / np.exp(_col(1, 2)).sum(), ""),
    ("", "sum([1, 2; 3, 4] [1; 1])", lambda: 10.0, ""),
    ("", "exp([1, 2; 3, 4]) .* [1, 0; 0, 1]",
     lambda: np.exp(np.array([[1.0, 2], [3, 4]])) * np.eye(2), ""),
    ("", "kron([1, 2], [1; 3])", lambda: np.array([[1.0, 2], [3, 6]]), ""),
    ("", "tr([1, 2; 3, 4]^2) + det(inv([2, 1; 1, 3]))", lambda: 29 + 1 / 5, ""),
    ("", "vec([1, 2; 3, 4] [1, 0; 0, 2])", lambda: _col(1, 3, 4, 8), ""),
    ("A[2,2]", "[1, 2; 3, 4]^T + A - [0, 1; 1, 0] ./ 2",
     lambda A: np.array([[1.0, 3], [2, 4]]) + A - np.array([[0, 0.5], [0.5, 0]]), ""),
    ("x[2]", "max([1; 0], x) + [1; 2] .^ x",
     lambda x: np.maximum(_col(1, 0), x) + _col(1, 2) ** x, ""),
    ("x[2]", "diag([1; 2]) x + diag([1, 2]) x", lambda x: 2 * np.diagflat([1.0, 2]) @ x, ""),
    # whole expressions, as in exercises
    ("x[n], y[m], A[m,n]", "A^T (sigma(A x) - y)",
     lambda x, y, A: A.T @ (1 / (1 + np.exp(-A @ x)) - y), ""),
    ("W[m,n], x[n], b[m]", "relu(W x + b)", lambda W, x, b: np.maximum(W @ x + b, 0), ""),
    ("x[n], A[n,n]", "inv(A) x x^T inv(A)^T",
     lambda x, A: np.linalg.inv(A) @ x @ x.T @ np.linalg.inv(A).T, "inv"),
    ("x[n], A[n,n], c", "c exp(-x^T A x / 20) (A + A^T) x",
     lambda x, A, c: c * np.exp(-(x.T @ A @ x).item() / 20) * (A + A.T) @ x, ""),
    ("X[n,n]", "det(X) inv(X)^T", lambda X: np.linalg.det(X) * np.linalg.inv(X).T, "inv"),
    ("x[n], w[1,n]", "diag(x) w^T .* softmax(x)",
     lambda x, w: (np.diagflat(x) @ w.T) * np.exp(x) / np.exp(x).sum(), ""),
]
for _func, _np_func in NUMPY_FUNCTIONS.items():
    _option = "pos" if _func in POSITIVE_ONLY else ""
    CASES.append(("b", f"{_func}(b)", lambda b, f=_np_func: f(b), _option))
    CASES.append(("A[m,n]", f"{_func}(A)", lambda A, f=_np_func: f(A), _option))
    CASES.append(("w[1,n]", f"{_func}(w)", lambda w, f=_np_func: f(w), _option))


def _value(rng: random.Random, positive: bool) -> Fraction:
    """An exact dyadic rational in ±[1/8, 5/2]: exact in floats too, never 0."""
    magnitude = Fraction(rng.randint(1, 20), 8)
    return magnitude if positive or rng.random() < 0.5 else -magnitude


def _draw(given: str, options: str, seed: int) -> dict[str, Any]:
    """Random values for each declared name: a Fraction, or a 2-D list of Fractions."""
    rng = random.Random(seed)
    values: dict[str, Any] = {}
    for name, shape in parse_declarations(given).entries:
        if shape.is_scalar:
            values[name] = _value(rng, "pos" in options)
            continue
        rows, cols = shape.rows.evaluate(SIZES), shape.cols.evaluate(SIZES)
        entries = [[_value(rng, "pos" in options) for _ in range(cols)] for _ in range(rows)]
        if "inv" in options and rows == cols:
            for i in range(rows):  # strictly diagonally dominant with a positive diagonal
                entries[i][i] = abs(entries[i][i]) + Fraction(5, 2) * rows
        values[name] = entries
    return values


def _explicit(expr: Any) -> Any:
    """Evaluate bottom-up until no matrix expression is left (SymPy's ``doit`` alone stops short,
    e.g. on ``DiagonalOf`` or a sum with a constant ones matrix)."""
    if isinstance(expr, sympy.MatrixBase):
        return expr.applyfunc(_explicit)
    if isinstance(expr, sympy.Lambda):
        return sympy.Lambda(expr.variables, _explicit(expr.expr))
    if not expr.args:
        return expr
    rebuilt = expr.func(*(_explicit(arg) for arg in expr.args))
    result = rebuilt.doit() if isinstance(rebuilt, sympy.Basic) else rebuilt
    if isinstance(result, sympy.DiagonalOf) and isinstance(result.arg, sympy.MatrixBase):
        # SymPy's DiagonalOf.shape fails on an explicit matrix (its sizes are plain ints).
        result = sympy.ImmutableMatrix([[result.arg[i, i]] for i in range(result.arg.rows)])
    if isinstance(result, sympy.MatrixExpr) and not isinstance(result, sympy.MatrixBase):
        result = result.as_explicit()
    return result


def _evaluate(expr: Any, values: dict[str, Any]) -> Any:
    """``expr`` with every declared name and size replaced, as a float numpy array."""
    mapping: dict[Any, Any] = {}
    for symbol in expr.free_symbols:
        name = str(symbol.name)
        if isinstance(symbol, sympy.MatrixSymbol):
            mapping[symbol] = sympy.ImmutableMatrix(
                [[sympy.Rational(v.numerator, v.denominator) for v in row] for row in values[name]]
            )
        elif name in SIZES:
            mapping[symbol] = sympy.Integer(SIZES[name])
        else:
            value = values[name]
            mapping[symbol] = sympy.Rational(value.numerator, value.denominator)
    result = _explicit(expr.xreplace(mapping))
    if isinstance(result, sympy.MatrixBase):
        return np.array([[float(sympy.N(entry, 30)) for entry in row]
                         for row in result.tolist()])
    return np.array(float(sympy.N(result, 30)))


def _numpy_args(given: str, values: dict[str, Any]) -> list[Any]:
    args: list[Any] = []
    for name, _ in parse_declarations(given).entries:
        value = values[name]
        args.append(float(value) if isinstance(value, Fraction) else
                    np.array(value, dtype=float))
    return args


@pytest.mark.parametrize(("given", "text", "numpy_version", "options"), CASES,
                         ids=[f"{case[1]}" for case in CASES])
def test_value_matches_numpy(
    given: str, text: str, numpy_version: Callable[..., Any], options: str
) -> None:
    tree = parse(text, given)
    shape = tree.typed_shape
    rows, cols = shape.rows.evaluate(SIZES), shape.cols.evaluate(SIZES)
    for seed in (1, 2):
        values = _draw(given, options, seed)
        got = _evaluate(to_sympy(tree), values)
        expected = np.asarray(numpy_version(*_numpy_args(given, values)), dtype=float)
        if shape.is_scalar:
            assert got.size == 1 and expected.size == 1, (got, expected)
            got, expected = got.reshape(()), expected.reshape(())
        else:
            assert got.shape == (rows, cols), got.shape
            assert expected.shape == (rows, cols), expected.shape  # the numpy version too
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9)


def _node_classes() -> set[type[n.Node]]:
    """Every node class a resolved tree can hold (the language's own: a tool built on the
    nodes, such as the calculus engine's differentials, never reaches the parser's trees)."""
    found: set[type[n.Node]] = set()
    pending: list[type[n.Node]] = [n.Node]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            if sub.__module__ == n.__name__:
                found.add(sub)
    return found - {n.Unary, n.Binary, n.Name, n.TransposeMark, n.FunctionPower}


def test_numeric_cases_cover_every_node_type_and_function() -> None:
    seen: set[type[n.Node]] = set()
    functions: set[str] = set()
    norms: set[int] = set()

    def walk(node: n.Node) -> None:
        seen.add(type(node))
        if isinstance(node, n.Apply):
            functions.add(node.func)
        if isinstance(node, n.Norm):
            norms.add(node.p)
        for child in node.children():
            walk(child)

    for given, text, _, _ in CASES:
        walk(parse(text, given))
    assert _node_classes() - seen == set()
    assert functions == set(n.ELEMENTWISE_FUNCTIONS)
    assert norms == {1, 2}


def test_the_numeric_check_can_fail() -> None:
    """A transpose too many is caught by the same comparison (A is not symmetric)."""
    given = "x[n], A[n,n]"
    values = _draw(given, "", 1)
    x, a = _numpy_args(given, values)
    got = _evaluate(to_sympy(parse("A^T x", given)), values)
    assert np.allclose(got, a.T @ x)
    assert not np.allclose(got, a @ x)
