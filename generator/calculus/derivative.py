"""The derivative of a typed tree with respect to a declared name or a list of scalars, in a
layout: differentials, identification, display simplification, and the steps that show it."""

from __future__ import annotations

from dataclasses import dataclass

from generator.calculus import UnsupportedOperation
from generator.calculus import algebra as a
from generator.calculus.differentials import differential
from generator.calculus.identification import at, gradient, jacobian
from generator.calculus.simplify import simplify
from generator.layout import Layout, derivative_shape
from grader.errors import MatcalcError
from grader.language import nodes as n
from grader.language.declarations import Declarations
from grader.language.parser import parse
from grader.language.printing import print_ascii
from grader.language.shapes import Dim, Shape


class VariableError(MatcalcError):
    """``wrt`` names something that can't be differentiated by (undeclared, a matrix in a list)."""


@dataclass(frozen=True)
class Derivation:
    """A derivative with what it took to find it."""

    result: n.Node
    #: derivative, gradient, jacobian or hessian (as exercise records name them)
    kind: str
    #: The differential df (the leaves dX are :class:`Differential` nodes), or None when f does
    #: not depend on the variable; for a Hessian, the differential of the gradient.
    differential: n.Node | None
    #: For a Hessian, the gradient (a column) whose Jacobian it is.
    gradient: n.Node | None
    #: Piecewise functions met (abs, relu, max, step, sign, the 1-norm): the result holds
    #: almost everywhere, away from their kinks.
    kinks: tuple[str, ...]
    variables: tuple[str, ...]
    layout: Layout


def variables_of(wrt: str, declarations: Declarations) -> tuple[tuple[str, ...], Shape]:
    """The names in ``wrt`` and the shape of the variable they stand for."""
    names = tuple(name.strip() for name in wrt.split(","))
    for name in names:
        if not name or declarations.shape_of(name) is None:
            declared = ", ".join(declarations.names) or "nothing"
            raise VariableError(f"--wrt {name!r} is not declared (declared: {declared})")
    if len(set(names)) != len(names):
        raise VariableError(f"--wrt {wrt!r} names a variable twice")
    if len(names) == 1:
        shape = declarations.shape_of(names[0])
        assert shape is not None
        return names, shape
    for name in names:
        shape = declarations.shape_of(name)
        if shape is None or not shape.is_scalar:
            raise VariableError(
                f"--wrt {wrt!r}: a list of variables must be scalars, and {name} is {shape}")
    return names, Shape.of(len(names), 1)


def kind_of(function: Shape, variable: Shape, hessian: bool) -> str:
    if hessian:
        return "hessian"
    if variable.is_scalar:
        return "derivative"
    return "gradient" if function.is_scalar else "jacobian"


def differentiate(function: n.Node, wrt: str, declarations: Declarations, layout: Layout,
                  *, hessian: bool = False) -> Derivation:
    """The derivative, simplified for display, as a typed tree of the answer language."""
    names, variable = variables_of(wrt, declarations)
    f_shape = function.typed_shape
    kinks: set[str] = set()
    if hessian:
        if not f_shape.is_scalar:
            raise UnsupportedOperation(f"a Hessian needs a scalar function, and this is {f_shape}")
        if not (variable.cols.is_one):
            raise UnsupportedOperation(
                f"a Hessian is taken with respect to a vector or a scalar, not a {variable} "
                "matrix")
        grad, _, found = _first(function, names, variable, "denominator")
        kinks |= found
        grad = simplify(grad, declarations)
        result, dg, found = _first(grad, names, variable, "numerator")
        kinks |= found
        differential_tree, gradient_tree = dg, grad
    else:
        result, differential_tree, found = _first(function, names, variable, layout)
        kinks |= found
        gradient_tree = None
    result = simplify(result, declarations)
    expected = Shape(variable.rows, variable.rows) if hessian else derivative_shape(
        f_shape, variable, layout)
    if result.typed_shape != expected:
        raise MatcalcError(
            f"internal error: the derivative came out {result.typed_shape}, not {expected}")
    # Printed and read back: the result is exactly the tree a student's answer would give.
    result = parse(print_ascii(result), declarations, expected=expected)
    return Derivation(result, kind_of(f_shape, variable, hessian), differential_tree,
                      gradient_tree, tuple(sorted(kinks)), names, layout)


def _first(function: n.Node, names: tuple[str, ...], variable: Shape, layout: Layout
           ) -> tuple[n.Node, n.Node | None, set[str]]:
    """(∂f/∂v in ``layout``, df, kinks met) for one variable or a list of scalars."""
    f_shape = function.typed_shape
    expected = derivative_shape(f_shape, variable, layout)
    if len(names) > 1:
        df, kinks = differential(function, frozenset(names))
        columns = []
        for name in names:
            partial = at(df, {name: a.number(1)}) if df is not None else None
            columns.append(partial if partial is not None else a.zeros(f_shape))
        numerator = _stack(columns, f_shape)
        return (numerator if layout == "numerator" else a.transpose(numerator)), df, kinks
    df, kinks = differential(function, frozenset(names))
    if df is None:
        return a.zeros(expected), None, kinks
    if variable.is_scalar:
        value = at(df, {names[0]: a.number(1)})
        derivative = value if value is not None else a.zeros(f_shape)
        return (derivative if layout == "numerator" else a.transpose(derivative)), df, kinks
    if f_shape.is_scalar:
        g = gradient(df, variable)
        return (a.transpose(g) if layout == "numerator" else g), df, kinks
    j = jacobian(df, variable)
    return (j if layout == "numerator" else a.transpose(j)), df, kinks


def _stack(columns: list[n.Node], f_shape: Shape) -> n.Node:
    """[∂vec f/∂v₁, …, ∂vec f/∂v_k]: explicit when every entry is a scalar expression."""
    vectors = [a.vec(c) for c in columns]
    if f_shape.is_scalar:
        return a.matrix([vectors])
    explicit = [_entries(v) for v in vectors]
    if all(e is not None for e in explicit):
        rows = len(explicit[0])  # type: ignore[arg-type]
        return a.matrix([[e[i] for e in explicit] for i in range(rows)])  # type: ignore[index]
    k = len(columns)
    parts = [a.mul(v, a.transpose(a.unit(k, i))) for i, v in enumerate(vectors)
             if not a.is_zero(v)]
    if not parts:
        return a.zeros(Shape(a.numel(f_shape), Dim.of(k)))
    return a.add(*parts)


def _entries(column: n.Node) -> list[n.Node] | None:
    if isinstance(column, n.Matrix):
        return [row[0] for row in column.rows]
    if isinstance(column, n.Zeros) and column.rows is not None and column.rows.is_concrete:
        return [a.number(0)] * column.rows.coefficient
    return None


def derivative(function: n.Node, wrt: str, declarations: Declarations, layout: Layout
               ) -> n.Node:
    """∂function/∂wrt in ``layout`` (``wrt`` a declared name or a list of scalars "x, y").

    Raises :class:`~generator.calculus.UnsupportedOperation` naming an operation the engine
    can't differentiate.  Not checked here: :mod:`generator.calculus.checking` checks results.
    """
    return differentiate(function, wrt, declarations, layout).result
