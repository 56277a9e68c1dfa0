"""Layouts: the shape of a derivative, and turning a numerator-layout answer into denominator.

``numerator`` (Parr & Howard): ∂f/∂x is 1×n for scalar f and x ∈ Rⁿ, ∂y/∂x is m×n, ∂y/∂t is m×1,
∂f/∂X is q×p for X ∈ R^{p×q}.  ``denominator`` is the transpose of each.  A Hessian is n×n in both.
"""

from __future__ import annotations

from typing import Literal

from grader.language import nodes as n
from grader.language.shapes import Shape

Layout = Literal["numerator", "denominator"]
LAYOUTS: tuple[Layout, ...] = ("numerator", "denominator")


def derivative_shape(function: Shape, variable: Shape, layout: Layout) -> Shape:
    """Shape of ∂function/∂variable.  A vector function is a column; so is a vector variable; a
    matrix function by a matrix is ∂vec(F)/∂vec(X), vec stacking columns."""
    if function.is_scalar:
        numerator = variable.transposed  # a row for a column variable, q×p for a p×q matrix
    elif variable.is_scalar:
        numerator = function
    else:  # Jacobian m×n; for matrices, (entries of F)×(entries of X)
        numerator = Shape(function.rows * function.cols, variable.rows * variable.cols)
    return numerator if layout == "numerator" else numerator.transposed


def transposed(node: n.Node) -> n.Node:
    """``node^T`` with the transpose pushed down to the leaves: (A B)^T = B^T A^T, (A + B)^T =
    A^T + B^T, a scalar is its own transpose; the result prints the way a person writes it."""
    shape = node.shape
    flipped = shape.transposed if shape is not None else None
    if shape is not None and shape.is_scalar:
        return node
    if isinstance(node, n.Transpose):
        return node.arg
    if isinstance(node, n.Add):
        return n.Add(tuple(transposed(t) for t in node.terms), shape=flipped)
    if isinstance(node, n.Neg):
        return n.Neg(transposed(node.arg), shape=flipped)
    if isinstance(node, n.Mul):  # scalars commute: they stay in front
        scalars = [f for f in node.factors if f.shape is not None and f.shape.is_scalar]
        others = [transposed(f) for f in reversed(node.factors) if f not in scalars]
        return n.Mul((*scalars, *others), shape=flipped) if len(scalars) + len(others) > 1 \
            else others[0]
    if isinstance(node, n.Div):
        return n.Div(transposed(node.left), node.right, shape=flipped)
    if isinstance(node, n.Kron):  # (A ⊗ B)^T = A^T ⊗ B^T
        return n.Kron(transposed(node.left), transposed(node.right), shape=flipped)
    if isinstance(node, n.Inverse):
        return n.Transpose(node, shape=flipped)  # prints as X^-T
    if isinstance(node, n.Identity) or (isinstance(node, n.Diag) and shape is not None
                                        and shape.is_square):
        return node  # symmetric
    if isinstance(node, n.Matrix):
        return n.Matrix(tuple(zip(*node.rows, strict=True)), shape=flipped)
    return n.Transpose(node, shape=flipped)
